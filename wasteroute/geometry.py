"""Route geometry along the streets, for maps, GeoJSON and GPX.

Renderers call these; the solver never does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

import networkx as nx

from .onstreet import Piece

if TYPE_CHECKING:
    from .problem import ProblemData, VehicleData
    from .routes import Route, Visit


class Drawn(Protocol):
    """What drawing a plan's legs needs: its problem (the matrices and spots) and its road graph.

    A :class:`~wasteroute.solution.Solution` is one; this module sits below it and never imports it.
    """

    @property
    def problem(self) -> ProblemData: ...
    @property
    def graph(self) -> nx.MultiDiGraph | None: ...


def edge_coords(graph: nx.MultiDiGraph, u: int, v: int, key: Any = None) -> list[tuple[float, float]]:
    """(x, y) points of the edge ``u -> v`` (``key``; else the fastest of parallel edges), oriented from u to v."""
    options = graph[u][v]
    data = options[key] if key is not None and key in options else min(
        options.values(), key=lambda d: d.get("travel_time", d.get("length", 0.0)))
    ux, uy = float(graph.nodes[u]["x"]), float(graph.nodes[u]["y"])
    vx, vy = float(graph.nodes[v]["x"]), float(graph.nodes[v]["y"])
    geom = data.get("geometry")
    if geom is None:
        return [(ux, uy), (vx, vy)]
    pts = [(float(x), float(y)) for x, y, *_ in geom.coords]
    # A stored geometry may run either way; orient it from u to v.
    if math.dist(pts[-1], (ux, uy)) < math.dist(pts[0], (ux, uy)):
        pts.reverse()
    return pts


def cut_line(pts: Sequence[tuple[float, float]], f0: float, f1: float, *, geographic: bool = True) -> list[tuple[float, float]]:
    """The part of a polyline from fraction ``f0`` to ``f1`` of its length (metres, for lon/lat input)."""
    if f0 <= 0.0 and f1 >= 1.0:
        return list(pts)
    k = math.cos(math.radians(pts[0][1])) if geographic else 1.0
    seg = [math.hypot((b[0] - a[0]) * k, b[1] - a[1]) for a, b in zip(pts, pts[1:])]
    total = sum(seg)

    def at(f: float) -> tuple[int, tuple[float, float]]:
        target, run = min(max(f, 0.0), 1.0) * total, 0.0
        for i, s in enumerate(seg):
            if run + s >= target and s > 0:
                t = (target - run) / s
                a, b = pts[i], pts[i + 1]
                return i, (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))
            run += s
        return len(seg) - 1, pts[-1]

    i0, p0 = at(f0)
    i1, p1 = at(f1)
    return [p0, *pts[i0 + 1 : i1 + 1], p1]


def piece_coords(graph: nx.MultiDiGraph, piece: Piece) -> list[tuple[float, float]]:
    """(x, y) points of the part of an edge a leg drives, from ``piece.f0`` to ``piece.f1``."""
    crs = str(graph.graph.get("crs", "epsg:4326")).lower()
    geographic = "4326" in crs or "wgs" in crs or crs in ("", "none")
    return cut_line(edge_coords(graph, piece.u, piece.v, piece.key), piece.f0, piece.f1, geographic=geographic)


def leg_coords(sol: Drawn, a: Visit, b: Visit, vehicle: VehicleData | None = None) -> list[tuple[float, float]]:
    """(lon, lat) points of the fastest drive from ``a`` to ``b`` along the street geometry.

    ``vehicle`` drives on its type's roads (``ProblemData.matrix_for``), the path its km come
    from. The line starts at ``a``'s spot on its street and ends at ``b``'s (a part of their
    edges), as the travel matrix counts it. Falls back to a straight line between the points
    when the plan carries no road graph.
    """
    graph: nx.MultiDiGraph | None = sol.graph
    matrix = sol.problem.matrix_for(vehicle)
    if graph is None or matrix is None:
        return [(a.lon, a.lat), (b.lon, b.lat)]
    pieces = matrix.leg(matrix.position(a.id), matrix.position(b.id))
    if not pieces:
        return [spot_coords(sol, a), spot_coords(sol, b)]
    coords: list[tuple[float, float]] = []
    for piece in pieces:
        coords.extend(piece_coords(graph, piece))
    out = [coords[0]]
    for c in coords[1:]:
        if c != out[-1]:
            out.append(c)
    return out if len(out) > 1 else [out[0], out[0]]


def spot_coords(sol: Drawn, visit: Visit) -> tuple[float, float]:
    """(lon, lat) of where the truck stops for ``visit``: its spot on the street, or the visit itself."""
    matrix, graph = sol.problem.matrix, sol.graph
    if matrix is None or graph is None:
        return (visit.lon, visit.lat)
    place = matrix.places[matrix.position(visit.id)]
    if isinstance(place, int):
        return (float(graph.nodes[place]["x"]), float(graph.nodes[place]["y"]))
    if not place:
        return (visit.lon, visit.lat)
    w = place[0]
    return piece_coords(graph, Piece(w.u, w.v, w.key, w.frac, w.frac, 0.0, 0.0))[0]


def route_coords(sol: Drawn, route: Route) -> list[tuple[float, float]]:
    """(lon, lat) points of a whole route along the streets."""
    coords: list[tuple[float, float]] = []
    for a, b in zip(route.visits, route.visits[1:]):
        leg = leg_coords(sol, a, b, route.vehicle)
        coords.extend(leg if not coords else leg[1:])
    return coords
