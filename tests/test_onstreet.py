"""Points at their spot on the street (wasteroute.onstreet, matrix.build_matrix(ways=...), stops.snap_points).

Hand-made graphs whose answers can be worked out on paper, a property test against a brute
force search on the graph with every spot inserted as a node (the reference), and the real
extracts in tests/data/osm.
"""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString

from wasteroute.matrix import UNREACHABLE, build_matrix
from wasteroute.onstreet import OnEdge, normalise, street_ways
from wasteroute.stops import snap_points

OSM = Path(__file__).parent / "data" / "osm"


def _graph(edges: list[tuple[int, int, float, float]]) -> nx.MultiDiGraph:
    """A MultiDiGraph from ``(u, v, length_m, time_s)``; node positions do not matter here."""
    g = nx.MultiDiGraph()
    for u, v, ln, t in edges:
        g.add_edge(u, v, length=ln, travel_time=t)
    return g


def _way(g: nx.MultiDiGraph, u: int, v: int, frac: float) -> OnEdge:
    d = g[u][v][0]
    return OnEdge(u, v, 0, frac, d["travel_time"], d["length"])


# ---------------------------------------------------------------------- hand-made graphs
def test_one_way_edge_is_driven_only_its_way() -> None:
    """1 -> 2 one-way (100 m, 10 s), back round 2 -> 3 -> 1 (100 m + 141 m, 10 s + 14.1 s).

    p at 30 m and q at 60 m along 1 -> 2: 1 to p 30 m, p to q along the edge 30 m, q to p the
    whole loop: 40 + 100 + 141 + 30 = 311 m.
    """
    g = _graph([(1, 2, 100.0, 10.0), (2, 3, 100.0, 10.0), (3, 1, 141.0, 14.1)])
    ways = [None, None, (_way(g, 1, 2, 0.3),), (_way(g, 1, 2, 0.6),)]
    m = build_matrix(g, ["n1", "n2", "p", "q"], [1, 2, 1, 2], ways=ways, workers=1)
    d = np.asarray(m.dist_m)
    t = np.asarray(m.time_s)
    assert d[0, 2] == 30 and d[2, 1] == 70 and d[2, 3] == 30
    assert d[3, 2] == 40 + 100 + 141 + 30
    assert t[2, 3] == 3 and t[3, 2] == 4 + 10 + 14 + 3
    # p -> 1 leaves along its edge to 2 and drives round: 70 + 100 + 141
    assert d[2, 0] == 311
    pieces = m.leg(2, 3)
    assert [(p.u, p.v, p.f0, p.f1) for p in pieces] == [(1, 2, 0.3, 0.6)]
    assert sum(p.length_m for p in pieces) == pytest.approx(30.0)
    loop = m.leg(3, 2)
    assert [(p.u, p.v) for p in loop] == [(1, 2), (2, 3), (3, 1), (1, 2)]
    assert (loop[0].f0, loop[-1].f1) == (0.6, 0.3)
    assert sum(p.length_m for p in loop) == pytest.approx(d[3, 2])


def test_two_way_street_either_way_or_only_the_kerb_side() -> None:
    """1 <-> 2 two-way, 100 m; p at 30 m from 1. Either way: 2 to p 70 m, p to 1 30 m. Only
    the way 1 -> 2 (kerb side): 2 to p goes round through 1 (100 + 30), p to 1 via 2 (70 + 100)."""
    g = _graph([(1, 2, 100.0, 10.0), (2, 1, 100.0, 10.0)])
    both = (_way(g, 1, 2, 0.3), _way(g, 2, 1, 0.7))
    m = build_matrix(g, ["n1", "n2", "p"], [1, 2, 1], ways=[None, None, both], workers=1)
    d = np.asarray(m.dist_m)
    assert (d[1, 2], d[0, 2], d[2, 0], d[2, 1]) == (70, 30, 30, 70)
    kerb = build_matrix(g, ["n1", "n2", "p"], [1, 2, 1], ways=[None, None, (_way(g, 1, 2, 0.3),)], workers=1)
    d = np.asarray(kerb.dist_m)
    assert (d[1, 2], d[0, 2], d[2, 0], d[2, 1]) == (130, 30, 170, 70)
    # Two points on the street, either way: direct both ways along the street.
    q = (_way(g, 1, 2, 0.8), _way(g, 2, 1, 0.2))
    m2 = build_matrix(g, ["p", "q"], [1, 2], ways=[both, q], workers=1)
    assert np.asarray(m2.dist_m).tolist() == [[0, 50], [50, 0]]
    assert [(x.u, x.v) for x in m2.leg(1, 0)] == [(2, 1)]


def test_a_spot_at_the_start_or_end_of_its_edge_is_that_node() -> None:
    g = _graph([(1, 2, 100.0, 10.0), (2, 3, 100.0, 10.0), (3, 1, 100.0, 10.0)])
    assert normalise((_way(g, 1, 2, 0.0),)) == 1
    assert normalise((_way(g, 1, 2, 1.0),)) == 2
    assert normalise((_way(g, 1, 2, 0.0004),)) == 1  # 4 cm: nothing of the edge in decimetres
    m = build_matrix(g, ["n1", "n2", "a", "b"], [1, 2, 1, 2],
                     ways=[None, None, (_way(g, 1, 2, 0.0),), (_way(g, 1, 2, 1.0),)], workers=1)
    assert m.loc_node[2] == m.loc_node[0] and m.loc_node[3] == m.loc_node[1]
    # at node 1 the truck may leave by any edge of node 1, not only along 1 -> 2
    assert m.dist_m[2, 3] == 100 and m.dist_m[3, 2] == 200
    assert m.leg(2, 0) == []


def test_two_points_on_one_edge_are_driven_directly_when_in_order() -> None:
    """Three points at 30, 150 and 270 m along a one-way edge of 300 m (30 s): a -> c is 240 m along
    the edge, never via the nodes; c -> a goes on to node 2 and round the 500 m street back."""
    g = _graph([(1, 2, 300.0, 30.0), (2, 1, 500.0, 50.0)])
    ways = [(_way(g, 1, 2, f),) for f in (0.1, 0.5, 0.9)]
    m = build_matrix(g, ["a", "b", "c"], [1, 1, 2], ways=ways, workers=1)
    assert np.asarray(m.dist_m).tolist() == [[0, 120, 240], [680, 0, 120], [560, 680, 0]]
    assert np.asarray(m.time_s).tolist() == [[0, 12, 24], [68, 0, 12], [56, 68, 0]]


def test_travel_time_uses_the_edges_own_speed() -> None:
    """A slow street (100 m in 36 s, 10 km/h) beside a fast one: the part driven on each counts at its speed."""
    g = _graph([(1, 2, 100.0, 36.0), (2, 3, 1000.0, 60.0), (3, 1, 1000.0, 60.0)])
    m = build_matrix(g, ["n3", "p"], [3, 1], ways=[None, (_way(g, 1, 2, 0.25),)], workers=1)
    assert m.time_s[0, 1] == 60 + 9 and m.dist_m[0, 1] == 1025
    assert m.time_s[1, 0] == 27 + 60 and m.dist_m[1, 0] == 1075


# ---------------------------------------------------------------------- snapping on a street
def _street(*, one_way: bool = False, tunnel: bool = False) -> nx.MultiDiGraph:
    """A west-east street on the equator, 0.002° (222 m) from node 1 to node 2, and a loop
    back through node 3 to the north so the graph is strongly connected."""
    g = nx.MultiDiGraph(crs="epsg:4326")
    for n, (x, y) in {1: (0.0, 0.0), 2: (0.002, 0.0), 3: (0.001, 0.003)}.items():
        g.add_node(n, x=x, y=y)

    def add(u: int, v: int, **kw: object) -> None:
        ln = 111_195 * math.dist((g.nodes[u]["x"], g.nodes[u]["y"]), (g.nodes[v]["x"], g.nodes[v]["y"]))
        geom = LineString([(g.nodes[u]["x"], g.nodes[u]["y"]), (g.nodes[v]["x"], g.nodes[v]["y"])])
        g.add_edge(u, v, length=ln, travel_time=ln / 10.0, geometry=geom, osmid=hash((min(u, v), max(u, v))), **kw)

    add(1, 2, name="Jl. Utama", **({"tunnel": "yes"} if tunnel else {}))
    if not one_way:
        add(2, 1, name="Jl. Utama")
    for u, v in ((2, 3), (3, 2), (3, 1), (1, 3)):
        add(u, v, name="Jl. Atas")
    return g


def _points(*xy: tuple[float, float]) -> pd.DataFrame:
    return pd.DataFrame({"id": [f"P{k}" for k in range(len(xy))], "lon": [x for x, _ in xy], "lat": [y for _, y in xy]})


def test_kerb_side_of_a_two_way_street_follows_the_driving_side() -> None:
    """Driving west -> east (1 -> 2), north is on the left: with traffic on the left the
    kerb is the left, so a point north of the street is served only driving east."""
    g = _street()
    pts = _points((0.0005, 0.00005), (0.0005, -0.00005), (0.0005, 0.0))
    either, _ = snap_points(pts, g)
    assert list(either["serve"]) == ["both"] * 3
    left, _ = snap_points(pts, g, kerb_side=True, driving_side="left")
    right, _ = snap_points(pts, g, kerb_side=True, driving_side="right")
    east = {(1, 2): "forward", (2, 1): "backward"}
    west = {(1, 2): "backward", (2, 1): "forward"}
    for k, (want_l, want_r) in enumerate(((east, west), (west, east))):
        key = (int(left["edge_u"][k]), int(left["edge_v"][k]))
        assert left["serve"][k] == want_l[key] and right["serve"][k] == want_r[key]
    assert left["serve"][2] == right["serve"][2] == "both"  # on the centre line: either side
    one_way, _ = snap_points(pts, _street(one_way=True), kerb_side=True)
    assert list(one_way["serve"]) == ["forward"] * 3 and (one_way["rev_key"] == -1).all()


def test_snap_distance_is_to_the_spot_and_points_within_same_place_share_it() -> None:
    """Points 5.6 m north of the street at 0, 8.9, 17.8 and 53.4 m along it (from 55.6 m east of node 1)."""
    g = _street()
    x0, step = 0.0005, 0.00008  # 8.9 m
    pts = _points((x0, 0.00005), (x0 + step, 0.00005), (x0 + 2 * step, 0.00005), (x0 + 6 * step, 0.00005))
    exact, rep = snap_points(pts, g)
    assert exact["snap_m"].tolist() == pytest.approx([5.6] * 4, abs=0.1)
    assert rep.median_snap_m == pytest.approx(5.56, abs=0.05) and rep.p90_snap_m == pytest.approx(5.56, abs=0.05)
    grouped, _ = snap_points(pts, g, same_place_m=10.0)
    spot = grouped["edge_frac"].round(9)
    # the run starts at the first point and takes those within 10 m of it: 0 and 8.9 m
    assert spot[0] == spot[1] != spot[2] != spot[3]
    assert grouped["snap_m"][0] == pytest.approx(math.hypot(5.56, 4.45), abs=0.1)
    assert grouped["snap_m"][2] == pytest.approx(5.6, abs=0.1)
    m = build_matrix(g, list(grouped["id"]), list(grouped["node"]), ways=street_ways(grouped, g), workers=1)
    assert m.loc_node[0] == m.loc_node[1] and m.dist_m[0, 1] == 0 and m.leg(0, 1) == []
    assert m.dist_m[1, 2] == 13  # 8.9 m + half of 8.9 m: from the pair's mean spot to the third


def test_a_point_on_a_tunnel_is_reached_through_the_tunnel() -> None:
    """The street 1 -> 2 is a one-way tunnel; a point above it is snapped onto it and every
    drive to it enters the tunnel at node 1, every drive from it leaves at node 2."""
    g = _street(one_way=True, tunnel=True)
    pts = _points((0.0005, 0.00002), (0.001, 0.003), (0.0015, -0.00002))
    snapped, _ = snap_points(pts, g)
    m = build_matrix(g, list(snapped["id"]), list(snapped["node"]), ways=street_ways(snapped, g), workers=1)
    for j in (0, 2):
        for i in range(3):
            if i == j:
                continue
            into = m.leg(i, j)
            assert g[into[-1].u][into[-1].v][into[-1].key].get("tunnel") == "yes" and into[-1].f0 <= into[-1].f1
            out = m.leg(j, i)
            assert g[out[0].u][out[0].v][out[0].key].get("tunnel") == "yes"
    assert [(p.u, p.v) for p in m.leg(0, 2)] == [(1, 2)]  # along the tunnel, in order
    assert [(p.u, p.v) for p in m.leg(2, 0)] == [(1, 2), (2, 3), (3, 1), (1, 2)]


# ---------------------------------------------------------------------- property test
def _inserted(g: nx.MultiDiGraph, spots: dict) -> nx.DiGraph:
    """The graph in combined weights (cs * 1e7 + dm) with each spot of ``spots`` (name -> place)
    inserted as a node on every directed edge it is served from."""
    on_edge: dict[tuple, list] = {}
    for name, p in spots.items():
        if isinstance(p, tuple):
            for x in p:
                on_edge.setdefault((x.u, x.v, x.key), []).append((x.split()[:2], name))
    h = nx.DiGraph()
    h.add_nodes_from(g.nodes)
    for u, v, k, d in g.edges(keys=True, data=True):
        tot = OnEdge(u, v, k, 0.5, d["travel_time"], d["length"]).totals()
        chain = [((0, 0), u), *sorted(on_edge.get((u, v, k), []), key=lambda s: s[0]), (tot, v)]
        for (pa, a), (pb, b) in zip(chain, chain[1:]):
            cost = (pb[0] - pa[0]) * 1e7 + (pb[1] - pa[1])
            if not h.has_edge(a, b) or h[a][b]["w"] > cost:
                h.add_edge(a, b, w=cost)
            if pa == pb:  # the same spot: no distance either way
                h.add_edge(b, a, w=0.0)
    return h


def _reference(g: nx.MultiDiGraph, places: list, sources: list[int] | None = None) -> np.ndarray:
    """Combined weights between the locations: for each pair, Dijkstra on the graph with the two
    spots inserted as nodes (so no other point's spot is a place to turn), ``inf`` if no route."""
    n = len(places)
    out = np.full((n, n), np.inf)
    for i in range(n) if sources is None else sources:
        for j in range(n):
            a = places[i] if isinstance(places[i], int) else ("L", i)
            b = places[j] if isinstance(places[j], int) else ("L", j)
            h = _inserted(g, {a: places[i], b: places[j]})
            try:
                out[i, j] = nx.dijkstra_path_length(h, a, b, weight="w")
            except nx.NetworkXNoPath:
                pass
    return out


@st.composite
def _cases(draw: st.DrawFn) -> tuple[nx.MultiDiGraph, list, dict[int, tuple[float, float]]]:
    n = draw(st.integers(3, 6))
    xy = {k: (draw(st.integers(0, 400)), draw(st.integers(0, 400))) for k in range(n)}
    g = nx.MultiDiGraph()
    for k, p in xy.items():
        g.add_node(k, x=p[0], y=p[1])
    for _ in range(draw(st.integers(n, 3 * n))):
        u, v = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
        if u == v:
            continue
        ln = math.dist(xy[u], xy[v]) * draw(st.floats(1.0, 1.5)) + 1.0
        t = ln / draw(st.floats(3.0, 20.0))
        g.add_edge(u, v, length=ln, travel_time=t)
        if draw(st.booleans()):
            g.add_edge(v, u, length=ln, travel_time=t * draw(st.floats(1.0, 1.3)))
    edges = list(g.edges(keys=True, data=True))
    if not edges:
        g.add_edge(0, 1, length=math.dist(xy[0], xy[1]) + 1.0, travel_time=10.0)
        edges = list(g.edges(keys=True, data=True))
    places: list = []
    for _ in range(draw(st.integers(2, 7))):
        if draw(st.booleans()) and places:
            places.append(draw(st.integers(0, n - 1)))
            continue
        u, v, k, d = edges[draw(st.integers(0, len(edges) - 1))]
        f = draw(st.floats(0.0, 1.0))
        ways = [OnEdge(u, v, k, f, d["travel_time"], d["length"])]
        back = [(kk, dd) for kk, dd in g[v][u].items()] if g.has_edge(v, u) else []
        if back and draw(st.booleans()):
            kk, dd = back[0]
            ways.append(OnEdge(v, u, kk, 1.0 - f, dd["travel_time"], dd["length"]))
        places.append(tuple(ways))
    return g, places, xy


def _spot_xy(p: object, xy: dict[int, tuple[float, float]]) -> tuple[float, float]:
    if isinstance(p, int):
        return xy[p]
    w = p[0]  # type: ignore[index]
    (ax, ay), (bx, by) = xy[w.u], xy[w.v]
    return ax + w.frac * (bx - ax), ay + w.frac * (by - ay)


@given(_cases())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_matrix_equals_the_search_with_spots_inserted_as_nodes(case: tuple) -> None:
    g, places, xy = case
    ids = [f"L{i}" for i in range(len(places))]
    nodes = [p if isinstance(p, int) else p[0].u for p in places]
    ways = [None if isinstance(p, int) else p for p in places]
    m = build_matrix(g, ids, nodes, ways=ways, workers=1)
    norm = [normalise(p) for p in places]
    ref = _reference(g, norm)
    t, d = np.asarray(m.time_s), np.asarray(m.dist_m)
    reach = np.isfinite(ref)
    assert ((t >= UNREACHABLE) == ~reach).all()
    ref_t = np.round(np.floor(np.where(reach, ref, 0) / 1e7) / 100)
    ref_d = np.round((np.where(reach, ref, 0) - np.floor(np.where(reach, ref, 0) / 1e7) * 1e7) / 10)
    assert (t[reach] == ref_t[reach]).all()
    assert (d[reach] == ref_d[reach]).all()
    for i in range(len(places)):
        for j in range(len(places)):
            if not reach[i, j]:
                continue
            # lengths are at least the straight line between the spots (edges are never shorter)
            assert d[i, j] >= math.dist(_spot_xy(norm[i], xy), _spot_xy(norm[j], xy)) - 1
            pieces = m.leg(i, j)
            assert sum(p.length_m for p in pieces) == pytest.approx(d[i, j], abs=0.51)
            assert sum(p.time_s for p in pieces) == pytest.approx(t[i, j], abs=0.51)
            for a, b in zip(pieces, pieces[1:]):
                assert a.v == b.u and a.f1 == 1.0 and b.f0 == 0.0
                assert g.has_edge(a.u, a.v, a.key)


# ---------------------------------------------------------------------- real extracts
def _bins_near_streets(g: nx.MultiDiGraph, n: int, seed: int) -> pd.DataFrame:
    """``n`` bins 3-15 m beside random street edges (seeded), as a planner's points would be."""
    from shapely.geometry import LineString as Line

    rng = np.random.default_rng(seed)
    edges = list(g.edges(keys=True, data=True))
    rows = []
    for k in rng.choice(len(edges), n, replace=True):
        u, v, _, d = edges[k]
        geom = d.get("geometry") or Line([(g.nodes[u]["x"], g.nodes[u]["y"]), (g.nodes[v]["x"], g.nodes[v]["y"])])
        p = geom.interpolate(rng.uniform(0.05, 0.95), normalized=True)
        a = geom.interpolate(max(0.0, geom.project(p) - 1e-5))
        b = geom.interpolate(min(geom.length, geom.project(p) + 1e-5))
        nx_, ny_ = -(b.y - a.y), (b.x - a.x)
        norm = math.hypot(nx_, ny_) or 1.0
        off = rng.uniform(3, 15) * rng.choice([-1, 1]) / 111_320
        rows.append((p.x + off * nx_ / norm / math.cos(math.radians(p.y)), p.y + off * ny_ / norm))
    return pd.DataFrame({"id": [f"B{k:03d}" for k in range(n)], "lon": [x for x, _ in rows], "lat": [y for _, y in rows]})


@pytest.fixture(scope="module")
def oakland() -> nx.MultiDiGraph:
    from wasteroute.network import graph_from_file, keep_routable

    g, _ = keep_routable(graph_from_file(OSM / "west_oakland_us.osm.bz2"), [])
    return g


def test_west_oakland_bins_are_routed_to_their_spots_not_the_junctions(oakland: nx.MultiDiGraph) -> None:
    bins = _bins_near_streets(oakland, 150, seed=16)
    snapped, report = snap_points(bins, oakland, same_place_m=10.0)
    # before: the routing point was the nearer end node of the nearest edge
    ends = [oakland.nodes[int(n)] for n in snapped["node"]]
    lat0 = np.radians(bins["lat"].mean())
    before = np.hypot((bins["lon"] - [e["x"] for e in ends]) * 111_320 * np.cos(lat0),
                      (bins["lat"] - [e["y"] for e in ends]) * 111_320)
    assert np.median(before) > 2 * report.median_snap_m and np.median(before) > 25
    assert report.median_snap_m < 16 and report.max_snap_m < 26  # 15 m beside + at most 10 m along
    m = build_matrix(oakland, list(snapped["id"]), list(snapped["node"]), ways=street_ways(snapped, oakland), workers=1)
    assert len(m.node_time_s) > len({int(n) for n in snapped["node"]})  # more spots than the junctions they used to share
    rows = list(range(0, 150, 15))
    ref = _reference(oakland, list(m.places), rows)[rows]
    d = np.asarray(m.dist_m)[rows]
    assert np.isfinite(ref).all()
    assert (d == np.round((ref - np.floor(ref / 1e7) * 1e7) / 10)).all()


def test_aguascalientes_one_way_streets_are_driven_their_way() -> None:
    from wasteroute.network import graph_from_file, keep_routable

    g, _ = keep_routable(graph_from_file(OSM / "aguascalientes_mx.osm.bz2"), [])
    snapped, _ = snap_points(_bins_near_streets(g, 60, seed=3), g, same_place_m=10.0, kerb_side=True)
    one_way = snapped["rev_key"] < 0
    assert one_way.sum() > 10 and (snapped.loc[one_way, "serve"] == "forward").all()
    m = build_matrix(g, list(snapped["id"]), list(snapped["node"]), ways=street_ways(snapped, g), workers=1)
    d = np.asarray(m.dist_m)
    for i in range(0, 60, 7):
        for j in range(60):
            pieces = m.leg(i, j)
            if i == j or not pieces:
                continue
            assert all(g.has_edge(p.u, p.v, p.key) for p in pieces)  # never against a one-way street
            assert sum(p.length_m for p in pieces) == pytest.approx(d[i, j], abs=0.51)


def test_every_point_record_says_how_far_the_point_is_from_its_spot(ag_solution) -> None:  # type: ignore[no-untyped-def]
    """plan.json steps and unassigned points, and visits.csv, carry the point's snap_m."""
    doc = ag_solution.to_dict()
    snap = {p.id: round(p.snap_m, 1) for p in (*ag_solution.problem.points, *ag_solution.problem.excluded)}
    steps = [s for r in doc["routes"] for s in r["steps"] if s["kind"] == "point"]
    assert steps and all(s["snap_m"] == snap[s["id"]] for s in steps)
    assert all(u["snap_m"] == snap[u["id"]] for u in doc["unassigned"])
    frame = ag_solution.visits_frame()
    points = frame[frame["kind"] == "point"]
    assert (points["snap_m"] == [snap[i] for i in points["id"]]).all()
    assert 0 < max(snap.values()) < 300


def test_a_location_whose_ways_are_all_closed_is_unreachable() -> None:
    """On a vehicle type's roads a way over a closed edge is dropped (road_profiles); with none
    left the location can be neither reached nor left, and is reported as unreachable."""
    g = _graph([(1, 2, 100.0, 10.0), (2, 1, 100.0, 10.0)])
    m = build_matrix(g, ["n1", "p", "q"], [1, 1, 2], ways=[None, (), ()], workers=1)
    d = np.asarray(m.dist_m)
    assert d[0, 1] == d[1, 0] == d[1, 2] == UNREACHABLE and d[1, 1] == 0
    assert m.loc_node[1] != m.loc_node[2]  # two closed locations are not the same spot
    assert ("n1", "p") in m.unreachable and ("p", "n1") in m.unreachable
    assert m.leg(0, 1) == []


def test_only_points_on_one_spot_are_the_same_place(ag_solution) -> None:  # type: ignore[no-untyped-def]
    """A leg between two visits on one spot is 0 m and its directions say "same place"; every
    "same place" arrival of a plan's directions is such a leg."""
    from wasteroute.directions import leg_directions

    m = ag_solution.problem.matrix
    for r in ag_solution.used_routes():
        for a, b in zip(r.visits, r.visits[1:]):
            same = m.loc_node[m.position(a.id)] == m.loc_node[m.position(b.id)]
            steps = leg_directions(ag_solution, a, b, language="en", vehicle=r.vehicle)
            assert ("(same place)" in steps[-1].text) == bool(same)
            if same:
                assert b.leg_distance_m == 0 and len(steps) == 1
            else:
                assert sum(s.distance_m for s in steps) == pytest.approx(b.leg_distance_m, abs=1.0)
