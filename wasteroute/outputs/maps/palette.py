"""Truck colours for the maps: trucks that work side by side get colours that are easy to tell apart.

The colours come from a fixed palette of 16: first the eight of Okabe and Ito (told apart with the
common forms of colour blindness), then eight of Paul Tol's sets. A truck's neighbours are the trucks
whose stops lie near its own (:func:`proximity`); trucks are coloured one at a time, the most
entangled first (greedy graph colouring): each takes a palette colour that none of its neighbours
has, and among those the one least like its neighbours' colours, weighted by how closely they work,
as seen with normal vision and as simulated for protanopia and deuteranopia. Colours repeat only
between trucks that work apart (a 34-truck day needs more colours than anyone can tell apart); the
legend names every truck.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np

from ...solution import Solution

#: Okabe-Ito (colour-blind safe) first, then Paul Tol's; none close to the grey streets.
PALETTE = (
    "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#332288", "#882255",
    "#117733", "#44aa99", "#999933", "#aa4499", "#ddcc77", "#661100", "#ee3377", "#6699cc",
)
#: Two trucks are neighbours when one has a stop this close to a stop of the other.
NEAR_M = 400.0
#: Colours this far apart (CIE76 ΔE, in the worst of normal, protan and deutan vision) count as
#: unlike; closer pairs cost in proportion.
UNLIKE_DE = 60.0
#: Colours whose mean likeness to the neighbours' is within this of the best count as equally good.
SPREAD = 0.15

# sRGB (linear) -> protanopia / deuteranopia, Viénot, Brettel and Mollon (1999).
_CVD = {
    "protan": np.array([[0.11238, 0.88762, 0.0], [0.11238, 0.88762, 0.0], [0.00401, -0.00401, 1.0]]),
    "deutan": np.array([[0.29275, 0.70725, 0.0], [0.29275, 0.70725, 0.0], [-0.02234, 0.02234, 1.0]]),
}


def assign_colors(sol: Solution, palette: Sequence[str] = PALETTE) -> dict[str, str]:
    """A colour per truck of ``sol`` (fleet order); used trucks that work close get unlike colours.

    Parameters
    ----------
    sol
        The day's plan.
    palette
        Colours (``#rrggbb``) to choose from.

    Returns
    -------
    dict
        Truck id -> colour, for every truck of the plan (idle ones too).
    """
    ids = [r.vehicle.id for r in sol.routes]
    stops = [np.array([(v.lon, v.lat) for v in r.stops], dtype=float).reshape(-1, 2) for r in sol.routes]
    weights = proximity(stops, near_m=NEAR_M)
    picks = color_graph(weights, palette_distance(tuple(palette)))
    return {vid: palette[k] for vid, k in zip(ids, picks, strict=True)}


def proximity(stops: Sequence[np.ndarray], *, near_m: float) -> np.ndarray:
    """How closely each pair of trucks works: the share of their stops within ``near_m`` of the other's.

    Parameters
    ----------
    stops
        Per truck, an (n, 2) array of stop (lon, lat).
    near_m
        Distance in metres under which two stops count as side by side.

    Returns
    -------
    numpy.ndarray
        Symmetric (trucks × trucks) weights in [0, 1], zero on the diagonal; 0 means never near.
    """
    n = len(stops)
    w = np.zeros((n, n))
    pts = [s for s in stops if len(s)]
    if not pts:
        return w
    lat0 = float(np.mean(np.vstack(pts)[:, 1]))
    scale = np.array([111_320.0 * np.cos(np.radians(lat0)), 110_540.0])
    xy = [np.asarray(s, dtype=float).reshape(-1, 2) * scale for s in stops]
    for a in range(n):
        for b in range(a + 1, n):
            if not len(xy[a]) or not len(xy[b]):
                continue
            d = np.linalg.norm(xy[a][:, None, :] - xy[b][None, :, :], axis=2) <= near_m
            near = int(d.any(axis=1).sum() + d.any(axis=0).sum())
            w[a, b] = w[b, a] = near / (len(xy[a]) + len(xy[b]))
    return w


def color_graph(weights: np.ndarray, likeness: np.ndarray) -> list[int]:
    """Greedy colouring of the weighted proximity graph: a palette index per truck.

    Trucks are taken most entangled first (largest total weight; ties in fleet order). Each takes
    a colour none of its coloured neighbours has when one is left; of those, the ones whose mean
    likeness to the neighbours' colours (weighted by proximity) is within :data:`SPREAD` of the
    least; of those the least used so far, then the least like, then the earliest in the palette.

    Parameters
    ----------
    weights
        Symmetric proximity weights (:func:`proximity`).
    likeness
        (colours × colours) likeness in [0, 1]: 1 for the same colour (:func:`palette_distance`).

    Returns
    -------
    list of int
        Palette index per truck.
    """
    n, k = len(weights), len(likeness)
    order = sorted(range(n), key=lambda i: (-float(weights[i].sum()), i))
    picks = [-1] * n
    uses = np.zeros(k)
    for i in order:
        done = [j for j in range(n) if picks[j] >= 0 and weights[i, j] > 0]
        taken = {picks[j] for j in done}
        free = [c for c in range(k) if c not in taken] or list(range(k))
        total = sum(float(weights[i, j]) for j in done) or 1.0
        cost = {c: sum(float(weights[i, j]) * float(likeness[c, picks[j]]) for j in done) / total
                for c in free}
        # Near-best colours are as good: the least used of them spreads the palette over the fleet.
        low = min(cost.values())
        best = min((c for c in free if cost[c] <= low + SPREAD), key=lambda c: (uses[c], cost[c], c))
        picks[i] = best
        uses[best] += 1
    return picks


@functools.cache
def palette_distance(palette: tuple[str, ...]) -> np.ndarray:
    """Likeness in [0, 1] of every pair of colours: 1 - ΔE / :data:`UNLIKE_DE`, floored at 0,
    with ΔE the smallest of normal vision, simulated protanopia and simulated deuteranopia."""
    de = worst_delta_e(palette)
    return np.clip(1.0 - de / UNLIKE_DE, 0.0, 1.0)


def worst_delta_e(colors: Sequence[str]) -> np.ndarray:
    """CIE76 ΔE between every pair of ``colors``: the smallest of normal, protan and deutan vision."""
    lin = _linear(colors)
    views = [lin] + [np.clip(lin @ m.T, 0.0, 1.0) for m in _CVD.values()]
    out = None
    for v in views:
        lab = _lab(v)
        de = np.linalg.norm(lab[:, None, :] - lab[None, :, :], axis=2)
        out = de if out is None else np.minimum(out, de)
    assert out is not None
    return out


def text_color(color: str) -> str:
    """Black or white, whichever reads better on ``color`` (numbers on stop markers)."""
    r, g, b = _linear([color])[0]
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#000" if luminance > 0.179 else "#fff"  # equal contrast either way at 0.179


def _linear(colors: Sequence[str]) -> np.ndarray:
    """``#rrggbb`` -> linear-light sRGB in [0, 1], one row per colour."""
    rgb = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in colors], dtype=float) / 255
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def _lab(lin: np.ndarray) -> np.ndarray:
    """Linear sRGB -> CIE L*a*b* (D65)."""
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = lin @ m.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])], axis=1)
