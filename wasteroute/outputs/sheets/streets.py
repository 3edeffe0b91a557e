"""The street layer of a route map: the road graph flattened for drawing, the street lines by
class, and street names placed along them."""

from __future__ import annotations

import itertools
import math
import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.collections import PathCollection
from matplotlib.path import Path
from reportlab.pdfbase import pdfmetrics

from ...directions import street_label
from .style import FONT
from .view import MapLabel, View, frac, overlap

_CLASS_RANK = {
    "motorway": 0,
    "trunk": 0,
    "primary": 0,
    "secondary": 1,
    "tertiary": 2,
    "unclassified": 3,
    "residential": 3,
    "living_street": 4,
    "service": 4,
}
_STREET_STYLE = {
    0: (2.8, "#9c9c9c"),
    1: (2.3, "#a9a9a9"),
    2: (1.7, "#b5b5b5"),
    3: (0.9, "#c2c2c2"),
    4: (0.6, "#d2d2d2"),
}


@dataclass
class Streets:
    """The road graph flattened for drawing: one polyline per street piece, in lon/lat."""

    xy: np.ndarray  # all vertices, (n, 2) lon/lat
    offsets: np.ndarray  # vertex range of piece i: offsets[i]:offsets[i + 1]
    bounds: np.ndarray  # (pieces, 4) min lon, min lat, max lon, max lat
    rank: np.ndarray
    length_m: np.ndarray
    names: list[str]  # as printed; "" for an unnamed street
    ends: list[tuple[int, int]]  # graph nodes (u, v) at the ends of each piece
    by_node: dict[int, list[int]]  # named pieces at each node, to lengthen labels along a street


_STREET_CACHE: weakref.WeakKeyDictionary[Any, Streets] = weakref.WeakKeyDictionary()


def _street_rank(data: dict[str, Any]) -> int:
    """Drawing class of an edge (0 main roads … 4 service ways) from its highway tag."""
    hw = data.get("highway", "")
    if isinstance(hw, (list, tuple)):
        return min((_street_rank({"highway": h}) for h in hw), default=4)
    return _CLASS_RANK.get(str(hw).replace("_link", ""), 4)


def _street_name(data: dict[str, Any]) -> str:
    """An edge's name as printed, or ``""`` when it has none."""
    return street_label(data) if data.get("name") else ""


def streets_of(graph: Any) -> Streets:
    """Flatten ``graph`` for drawing (cached per graph, two-way streets once)."""
    cached = _STREET_CACHE.get(graph)
    if cached is not None:
        return cached
    seen: set[tuple[int, int]] = set()
    pts: list[Any] = []
    offsets, rank, length, names, ends = [0], [], [], [], []
    for u, v, data in graph.edges(data=True):
        key = (u, v) if u < v else (v, u)
        if key in seen:
            continue
        seen.add(key)
        line = _edge_line(graph.nodes, u, v, data)
        pts.append(line)
        offsets.append(offsets[-1] + len(line))
        rank.append(_street_rank(data))
        length.append(float(data.get("length", 0.0)))
        names.append(_street_name(data))
        ends.append((u, v))
    xy = np.concatenate(pts) if pts else np.zeros((0, 2))
    off = np.asarray(offsets)
    bounds = np.array(
        [[*xy[a:b].min(axis=0), *xy[a:b].max(axis=0)] for a, b in itertools.pairwise(off)]
    ).reshape(-1, 4)
    by_node: dict[int, list[int]] = {}
    for i, (u, v) in enumerate(ends):
        if names[i]:
            by_node.setdefault(u, []).append(i)
            by_node.setdefault(v, []).append(i)
    streets = Streets(xy, off, bounds, np.asarray(rank), np.asarray(length), names, ends, by_node)
    _STREET_CACHE[graph] = streets
    return streets


def _edge_line(nodes: Any, u: int, v: int, data: dict[str, Any]) -> np.ndarray:
    """The lon/lat vertices of edge (u, v), from its geometry when it has one, starting at u."""
    geom = data.get("geometry")
    start = [nodes[u]["x"], nodes[u]["y"]]
    if geom is None:
        return np.array([start, [nodes[v]["x"], nodes[v]["y"]]], dtype=float)
    line = np.asarray(geom.coords, dtype=float)[:, :2]
    return line[::-1] if np.hypot(*(line[0] - start)) > 1e-7 else line


def draw_streets(
    ax: Any, streets: Streets, view: View, *, min_rank: int = 4, scale: float = 1.0
) -> list[int]:
    """Draw the street pieces touching ``view``; return their indices.

    Each class of street is one compound path (a move to the start of every piece): one
    artist instead of one path object per piece, which is what made the maps slow.
    """
    b = streets.bounds
    x0, y0, x1, y1 = view.lonlat_box()
    idx = np.nonzero(
        (b[:, 2] >= x0)
        & (b[:, 0] <= x1)
        & (b[:, 3] >= y0)
        & (b[:, 1] <= y1)
        & (streets.rank <= min_rank)
    )[0]
    for rank in sorted(set(streets.rank[idx].tolist()), reverse=True):
        width, colour = _STREET_STYLE[int(rank)]
        path = _pieces_path(streets, view, idx[streets.rank[idx] == rank])
        ax.add_collection(
            PathCollection(
                [path],
                facecolors="none",
                edgecolors=colour,
                linewidths=width * scale,
                capstyle="round",
                joinstyle="round",
                zorder=1 + (4 - rank) * 0.1,
            ),
            autolim=False,  # the caller fixes the axes limits to the view
        )
    return idx.tolist()


def _pieces_path(streets: Streets, view: View, pieces: np.ndarray) -> Path:
    """One path through the vertices of ``pieces`` in map metres, each piece a subpath."""
    off = streets.offsets
    starts, counts = off[pieces], off[pieces + 1] - off[pieces]
    first = np.cumsum(counts) - counts  # where each piece starts in the joined vertices
    vertex = np.arange(int(counts.sum())) + np.repeat(starts - first, counts)
    codes = np.full(len(vertex), Path.LINETO, dtype=Path.code_type)
    codes[first] = Path.MOVETO
    return Path(view.to_xy(streets.xy[vertex]), codes)


def _chain_points(streets: Streets, start: int, want_m: float) -> np.ndarray:
    """Vertices of street piece ``start`` extended along pieces of the same name to ``want_m``."""
    name = streets.names[start]
    off, xy = streets.offsets, streets.xy
    pieces = [xy[off[start] : off[start + 1]]]
    total = streets.length_m[start]
    used = {start}
    by_node = streets.by_node
    ends = list(streets.ends[start])
    for side in (1, 0):
        for _ in range(12):
            if total >= want_m:
                break
            node = ends[side]
            nxt = [i for i in by_node.get(node, []) if i not in used and streets.names[i] == name]
            if not nxt:
                break
            i = nxt[0]
            used.add(i)
            piece = xy[off[i] : off[i + 1]]
            u, v = streets.ends[i]
            forward = u == node
            piece = piece if forward else piece[::-1]
            ends[side] = v if forward else u
            if side == 1:
                pieces.append(piece)
            else:
                pieces.insert(0, piece[::-1])
            total += streets.length_m[i]
    return np.concatenate(pieces)


def street_labels(
    streets: Streets,
    view: View,
    idx: list[int],
    blocked: list[np.ndarray],
    on_route: set[str],
    m_per_pt: float,
    *,
    max_labels: int = 22,
) -> list[MapLabel]:
    """Street names along the streets: those the route drives first, then the larger ones.

    Labels keep clear of each other, of the numbered stops and of the map edge.
    """
    best = _best_pieces(streets, idx, on_route, max_rank=3 if view.width < 6000 else 2)
    order = sorted(
        best, key=lambda n: (n not in on_route, streets.rank[best[n]], -streets.length_m[best[n]])
    )
    boxes = list(blocked)
    labels: list[MapLabel] = []
    for name in order:
        if len(labels) >= max_labels:
            break
        size = 6.0 if streets.rank[best[name]] <= 1 else 5.5
        placed = _label_box(streets, view, best[name], size, m_per_pt)
        if placed is None:
            continue
        box, (cx, cy), angle = placed
        inside = view.x0 < box[0] and box[2] < view.x1 and view.y0 < box[1] and box[3] < view.y1
        if not inside or any(overlap(box, b) for b in boxes):
            continue
        boxes.append(box)
        labels.append(MapLabel("street", name, *frac(view, cx, cy), size, angle))
    return labels


def _best_pieces(
    streets: Streets, idx: list[int], on_route: set[str], *, max_rank: int
) -> dict[str, int]:
    """For each name worth a label, its piece of the highest class, the longest among those."""
    best: dict[str, int] = {}
    for i in idx:
        name = streets.names[i]
        if name and (streets.rank[i] <= max_rank or name in on_route):
            j = best.get(name)
            if j is None or (streets.rank[i], -streets.length_m[i]) < (
                streets.rank[j],
                -streets.length_m[j],
            ):
                best[name] = i
    return best


def _label_box(
    streets: Streets, view: View, piece: int, size: float, m_per_pt: float
) -> tuple[np.ndarray, tuple[float, float], float] | None:
    """The box (local metres), centre and angle of the name of ``piece`` written along it."""
    name = streets.names[piece]
    w_m = pdfmetrics.stringWidth(name, FONT, size) * m_per_pt
    h_m = size * 1.2 * m_per_pt
    pose = _label_pose(view.to_xy(_chain_points(streets, piece, w_m * 1.3)), w_m)
    if pose is None:
        return None
    (cx, cy), angle = pose
    c, s = abs(math.cos(math.radians(angle))), abs(math.sin(math.radians(angle)))
    half = np.array([(w_m * c + h_m * s) / 2, (w_m * s + h_m * c) / 2])
    box = np.array([cx - half[0], cy - half[1], cx + half[0], cy + half[1]])
    return box, (cx, cy), angle


def _label_pose(line: np.ndarray, width_m: float) -> tuple[tuple[float, float], float] | None:
    """Centre and angle (degrees, readable way up) of a label of ``width_m`` on ``line``."""
    seg = np.hypot(*np.diff(line, axis=0).T)
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    total = cum[-1]
    if total < width_m * 0.6 or total == 0:
        return None
    mid = total / 2
    a = np.array([np.interp(max(0.0, mid - width_m / 2), cum, line[:, k]) for k in (0, 1)])
    b = np.array([np.interp(min(total, mid + width_m / 2), cum, line[:, k]) for k in (0, 1)])
    centre = np.array([np.interp(mid, cum, line[:, k]) for k in (0, 1)])
    angle = math.degrees(math.atan2(b[1] - a[1], b[0] - a[0]))
    if angle > 90:
        angle -= 180
    elif angle < -90:
        angle += 180
    return (float(centre[0]), float(centre[1])), angle
