"""Route geometry along the streets, for maps, GeoJSON and GPX.

Renderers call these; the solver never does.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from .problem import VehicleData
from .solution import Route, Solution, Visit


def leg_coords(sol: Solution, a: Visit, b: Visit, vehicle: VehicleData | None = None) -> list[tuple[float, float]]:
    """(lon, lat) points of the fastest drive from ``a`` to ``b`` along the street geometry.

    ``vehicle`` drives on its type's roads (``ProblemData.matrix_for``), the path its km come
    from. Falls back to a straight line when the plan carries no road graph.
    """
    graph: nx.MultiDiGraph | None = sol.graph
    matrix = sol.problem.matrix_for(vehicle)
    if graph is None or matrix is None:
        return [(a.lon, a.lat), (b.lon, b.lat)]
    path = matrix.node_path(matrix.position(a.id), matrix.position(b.id))
    coords: list[tuple[float, float]] = [(a.lon, a.lat)]
    for u, v in zip(path, path[1:]):
        data = min(graph[u][v].values(), key=lambda d: d.get("travel_time", 0.0))
        geom = data.get("geometry")
        if geom is not None:
            pts = list(geom.coords)
            if pts and (abs(pts[0][0] - graph.nodes[u]["x"]) > 1e-9 or abs(pts[0][1] - graph.nodes[u]["y"]) > 1e-9):
                pts = pts[::-1]
            coords.extend((float(x), float(y)) for x, y in pts)
        else:
            coords.append((float(graph.nodes[u]["x"]), float(graph.nodes[u]["y"])))
            coords.append((float(graph.nodes[v]["x"]), float(graph.nodes[v]["y"])))
    coords.append((b.lon, b.lat))
    out = [coords[0]]
    for c in coords[1:]:
        if c != out[-1]:
            out.append(c)
    return out


def route_coords(sol: Solution, route: Route) -> list[tuple[float, float]]:
    """(lon, lat) points of a whole route along the streets."""
    coords: list[tuple[float, float]] = []
    for a, b in zip(route.visits, route.visits[1:]):
        leg = leg_coords(sol, a, b, route.vehicle)
        coords.extend(leg if not coords else leg[1:])
    return coords


def solution_features(sol: Solution) -> list[dict[str, Any]]:
    """GeoJSON features: one LineString per used route, one Point per stop and unassigned point."""
    feats: list[dict[str, Any]] = []
    for r in sol.used_routes():
        feats.append({
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [[round(x, 6), round(y, 6)] for x, y in route_coords(sol, r)]},
            "properties": {"truck": r.vehicle.id, "type": r.vehicle.type_name, "km": round(r.distance_m / 1000, 2),
                           "trips": len(r.trips), "stops": len(r.stops)},
        })
        for seq, v in enumerate(r.stops, start=1):
            feats.append({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(v.lon, 6), round(v.lat, 6)]},
                "properties": {"id": v.id, "name": v.name, "truck": r.vehicle.id, "seq": seq,
                               "status": "served", "arrival_s": v.arrival_s, "load_after_m3": round(v.load_after_m3, 3)},
            })
    for p in sol.unassigned_points():
        feats.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(p.lon, 6), round(p.lat, 6)]},
            "properties": {"id": p.id, "name": p.name, "status": "unassigned", "reason": sol.unassigned[p.id]},
        })
    return feats
