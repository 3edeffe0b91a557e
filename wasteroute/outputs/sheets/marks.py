"""What a route map draws of the route itself: the legs in trip colours with arrowheads,
numbered stops, depot and landfill markers, and where the route leaves a close-up map."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
from matplotlib.collections import LineCollection, PolyCollection
from reportlab.pdfbase import pdfmetrics

from ...directions import format_distance, street_label
from ...geometry import leg_coords
from ...solution import Route, Solution, Visit
from .rows import trip_of_visit
from .style import DEPOT_COLOUR, FONT_BOLD, LANDFILL_COLOUR, trip_colour
from .view import M_PER_DEG, MapLabel, View, frac, overlap


def route_lines(sol: Solution, route: Route) -> list[tuple[int, list[tuple[float, float]]]]:
    """(trip number, lon/lat line) per leg; trip 0 is the drive back to the depot."""
    trips = trip_of_visit(route)
    return [
        (trips[k + 1], leg_coords(sol, a, b, route.vehicle))
        for k, (a, b) in enumerate(zip(route.visits, route.visits[1:]))
    ]


def draw_route(
    ax: Any,
    view: View,
    legs: list[tuple[int, list[tuple[float, float]]]],
    *,
    lw: float = 2.2,
    arrows: bool = True,
) -> None:
    """Route lines on a white casing, one colour per trip, with arrowheads (few artists: it is faster)."""
    lines = [(trip, view.to_xy(np.asarray(line))) for trip, line in legs]
    ax.add_collection(
        LineCollection(
            [xy for _, xy in lines],
            colors="white",
            linewidths=lw + 1.6,
            capstyle="round",
            joinstyle="round",
            zorder=4,
        ),
        autolim=False,  # the map's limits are the view's, set by the caller
    )
    spacing = max(view.width, view.height) / 9
    for trip in sorted({t for t, _ in lines}, key=lambda t: (t == 0, t)):
        mine = [xy for t, xy in lines if t == trip]
        colour = trip_colour(trip)
        ax.add_collection(
            LineCollection(
                mine,
                colors=colour,
                linewidths=lw,
                alpha=0.9,
                capstyle="round",
                joinstyle="round",
                zorder=5,
            ),
            autolim=False,
        )
        if arrows:
            tris = [tri for xy in mine for tri in _arrowheads(xy, spacing)]
            if tris:
                ax.add_collection(
                    PolyCollection(
                        tris, facecolors=colour, edgecolors="white", linewidths=0.4, zorder=6
                    ),
                    autolim=False,
                )


def route_street_names(sol: Solution, route: Route) -> set[str]:
    """Names (as printed) of the streets a route drives on."""
    graph, matrix = sol.graph, sol.problem.matrix_for(route.vehicle)
    names: set[str] = set()
    if graph is None or matrix is None:
        return names
    for a, b in zip(route.visits, route.visits[1:]):
        for piece in matrix.leg(matrix.position(a.id), matrix.position(b.id)):
            options = graph[piece.u][piece.v]
            data = options[piece.key] if piece.key in options else min(
                options.values(), key=lambda d: d.get("travel_time", 0.0))
            if data.get("name"):
                names.add(street_label(data))
    return names


def _arrowheads(xy: np.ndarray, spacing: float) -> list[np.ndarray]:
    """Triangles (3×2 arrays) every ``spacing`` metres along a line, pointing the driving way."""
    if len(xy) < 2:
        return []
    seg = np.hypot(*np.diff(xy, axis=0).T)
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    if cum[-1] < spacing * 0.5:
        return []
    at = np.arange(spacing / 2, cum[-1], spacing)
    k = np.clip(np.searchsorted(cum, at) - 1, 0, len(seg) - 1)
    ok = seg[k] > 0
    at, k = at[ok], k[ok]
    direction = (xy[k + 1] - xy[k]) / seg[k][:, None]
    tip = xy[k] + direction * (at - cum[k])[:, None]
    size = spacing * 0.065
    normal = np.column_stack((-direction[:, 1], direction[:, 0]))
    back = tip - direction * size * 1.6
    return list(np.stack((tip, back + normal * size * 0.7, back - normal * size * 0.7), axis=1))


def _stop_groups(
    view: View, route: Route, m_per_pt: float
) -> list[tuple[np.ndarray, list[int], int]]:
    """Numbered stops as (xy, numbers, trip); stops whose labels would overlap share one label."""
    trips = trip_of_visit(route)
    groups: list[tuple[np.ndarray, list[int], int]] = []
    number = 0
    for k, v in enumerate(route.visits):
        if v.kind == "point":
            number += 1
            groups.append((view.to_xy(np.array([[v.lon, v.lat]]))[0], [number], trips[k]))
    merged = True
    while merged:  # join overlapping labels until none overlap (a joined label is wider)
        merged = False
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                if overlap(_stop_box(groups[i], m_per_pt), _stop_box(groups[j], m_per_pt)):
                    gi, gj = groups[i], groups[j]
                    groups[i] = (gi[0], sorted(gi[1] + gj[1]), gi[2])
                    del groups[j]
                    merged = True
                    break
            if merged:
                break
    return groups


def _stop_box(group: tuple[np.ndarray, list[int], int], m_per_pt: float) -> np.ndarray:
    """The box (local metres) a group's numbered label covers on the map."""
    xy, numbers = group[0], group[1]
    half_w = (pdfmetrics.stringWidth(_number_label(numbers), FONT_BOLD, 6.5) / 2 + 3.5) * m_per_pt
    half_h = 5.5 * m_per_pt
    return np.array([xy[0] - half_w, xy[1] - half_h, xy[0] + half_w, xy[1] + half_h])


def _number_label(numbers: list[int]) -> str:
    """``[2, 4, 5, 6, 9]`` -> ``"2,4–6,9"``."""
    parts, k = [], 0
    while k < len(numbers):
        j = k
        while j + 1 < len(numbers) and numbers[j + 1] == numbers[j] + 1:
            j += 1
        parts.append(
            f"{numbers[k]}–{numbers[j]}" if j - k >= 2 else ",".join(map(str, numbers[k : j + 1]))
        )
        k = j + 1
    return ",".join(parts)


def stop_labels(
    view: View, route: Route, m_per_pt: float
) -> tuple[list[MapLabel], list[np.ndarray]]:
    """Numbered circles, and their boxes so that street names keep clear of them."""
    labels, boxes = [], []
    for group in _stop_groups(view, route, m_per_pt):
        xy, numbers, trip = group
        labels.append(
            MapLabel(
                "stop", _number_label(numbers), *frac(view, *xy), 6.5, colour=trip_colour(trip)
            )
        )
        boxes.append(_stop_box(group, m_per_pt))
    return labels, boxes


def facilities(
    ax: Any, view: View, route: Route, m_per_pt: float, *, size: float = 1.0
) -> tuple[list[MapLabel], list[np.ndarray]]:
    """Depot (black square) and landfill (red triangle) markers; their names as labels."""
    depot = route.visits[0]
    landfills = {v.id: v for v in route.visits if v.kind == "landfill"}
    labels, boxes = [], []
    for v, marker, colour in [
        (depot, "s", DEPOT_COLOUR),
        *((lf, "^", LANDFILL_COLOUR) for lf in landfills.values()),
    ]:
        xy = view.to_xy(np.array([[v.lon, v.lat]]))[0]
        ax.plot(
            xy[0], xy[1], marker=marker, ms=11 * size, mfc=colour, mec="white", mew=1.2, zorder=7
        )
        if marker == "s":
            labels.append(MapLabel("depot", "P", *frac(view, *xy), 6.5 * size, colour="#ffffff"))
        text_w = pdfmetrics.stringWidth(v.name, FONT_BOLD, 6.5) * m_per_pt
        left = xy[0] + 9 * m_per_pt + text_w > view.x1  # no room on the right: write it on the left
        x = xy[0] + (-9 if left else 9) * m_per_pt
        labels.append(
            MapLabel(
                "facility",
                v.name,
                *frac(view, x, xy[1]),
                6.5,
                colour=colour,
                ha="right" if left else "left",
            )
        )
        r = 8 * m_per_pt
        x0, x1 = (xy[0] - r - text_w, xy[0] + r) if left else (xy[0] - r, xy[0] + r + text_w)
        boxes.append(np.array([x0, xy[1] - r, x1, xy[1] + r]))
    return labels, boxes


def exit_labels(
    view: View,
    route: Route,
    legs: list[tuple[int, list[tuple[float, float]]]],
    t: dict[str, str],
    language: str,
) -> list[MapLabel]:
    """Where the route leaves a close-up map towards a landfill or the depot, say where it goes."""
    done: list[np.ndarray] = []
    labels = []
    for (trip, line), b in zip(legs, route.visits[1:]):
        if b.kind == "point":
            continue
        xy = view.to_xy(np.asarray(line))
        inside = view.contains(xy, inset=0.04)
        if inside.all() or not inside.any():
            continue
        first_in = int(np.argmax(inside))
        k = first_in + int(np.argmin(inside[first_in:])) - 1  # last point inside before leaving
        p = xy[max(k, 0)]
        if any(np.hypot(*(p - q)) < view.width * 0.08 for q in done):
            continue
        done.append(p)
        name = b.name if b.kind == "landfill" else route.visits[0].name
        dist = format_distance(float(np.hypot(*np.diff(xy[k:], axis=0).T).sum()), language=language)
        fx, fy = frac(view, *p)
        labels.append(
            MapLabel(
                "exit",
                f"{t['to_landfill'].format(name=name)} ({dist})",
                min(max(fx, 0.1), 0.9),
                min(max(fy, 0.04), 0.96),
                6,
                colour=trip_colour(trip),
            )
        )
    return labels


def lonlat_of(visits: Iterable[Visit]) -> np.ndarray:
    """The visits' positions as an (n, 2) array of lon/lat."""
    return np.array([(v.lon, v.lat) for v in visits], dtype=float).reshape(-1, 2)


def span_m(lonlat: np.ndarray) -> float:
    """Largest side (m) of the box around some lon/lat points."""
    if len(lonlat) == 0:
        return 0.0
    lo, hi = lonlat.min(axis=0), lonlat.max(axis=0)
    kx = M_PER_DEG * math.cos(math.radians(float(lonlat[:, 1].mean())))
    return float(max((hi[0] - lo[0]) * kx, (hi[1] - lo[1]) * M_PER_DEG))


def zoomed(route: Route, line_pts: np.ndarray) -> bool:
    """Whether the main map should show the collection area (the day's drive is much larger)."""
    return max(span_m(lonlat_of(route.stops)), 400.0) * 2.2 < span_m(line_pts)
