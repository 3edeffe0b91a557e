"""Travel matrices with scipy's Dijkstra."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from wasteroute.errors import NetworkError
from wasteroute.matrix import UNREACHABLE, build_matrix, unreachable_locations


def _square() -> nx.MultiDiGraph:
    """A--B fast but long (motorway 2 km, 60 s), A--C--B slow but short (2 x 500 m, 100 s each),
    and a one-way B->D: D cannot get back."""
    g = nx.MultiDiGraph(crs="epsg:4326")
    for n in "ABCD":
        g.add_node(ord(n), x=0.0, y=0.0)
    a, b, c, d = (ord(n) for n in "ABCD")
    for u, v, ln, t in ((a, b, 2000, 60), (a, c, 500, 100), (c, b, 500, 100)):
        g.add_edge(u, v, length=ln, travel_time=t)
        g.add_edge(v, u, length=ln, travel_time=t)
    g.add_edge(b, d, length=300, travel_time=30)
    g.add_edge(a, b, length=2500, travel_time=80)  # a slower parallel edge must be ignored
    return g


def test_fastest_route_and_its_length() -> None:
    g = _square()
    m = build_matrix(g, ["a", "b", "c", "d"], [ord("A"), ord("B"), ord("C"), ord("D")], workers=1)
    assert m.time_s[0, 1] == 60 and m.dist_m[0, 1] == 2000  # the motorway, not the short way
    assert m.time_s[0, 2] == 100 and m.dist_m[0, 2] == 500
    assert m.time_s[0, 3] == 90 and m.dist_m[0, 3] == 2300
    assert m.time_s[3, 0] == UNREACHABLE
    assert ("d", "a") in m.unreachable and ("a", "d") not in m.unreachable
    assert np.all(np.diag(m.time_s) == 0)
    assert m.node_path(0, 3) == [ord("A"), ord("B"), ord("D")]
    assert m.node_path(2, 2) == [ord("C")]
    assert unreachable_locations(m, ["a"]) == {
        "d": "unreachable: has no road back to a (one-way streets or a cut-off road)"}


def test_shared_nodes_and_errors() -> None:
    g = _square()
    m = build_matrix(g, ["p1", "p2"], [ord("C"), ord("C")], workers=1)
    assert m.time_s.tolist() == [[0, 0], [0, 0]]
    with pytest.raises(NetworkError, match="node 999 is not in the road graph"):
        build_matrix(g, ["x"], [999])
    with pytest.raises(ValueError, match="unique"):
        build_matrix(g, ["x", "x"], [ord("A"), ord("B")])
    g.add_edge(ord("A"), ord("C"), length=float("nan"), travel_time=1.0)
    with pytest.raises(NetworkError, match="needs finite, non-negative values"):
        build_matrix(g, ["a"], [ord("A")])


def test_matches_networkx_on_a_real_extract_and_parallel_equals_serial() -> None:
    """Random pairs on Aguascalientes agree with networkx to the second; 2 workers = 1 worker."""
    from wasteroute.network import graph_from_file, keep_routable

    g = graph_from_file(Path(__file__).parent / "data" / "osm" / "aguascalientes_mx.osm.bz2")
    g, _ = keep_routable(g, [])
    nodes = sorted(g.nodes)
    rng = np.random.default_rng(0)
    pick = [nodes[i] for i in rng.choice(len(nodes), 450, replace=False)]
    ids = [f"n{i}" for i in range(len(pick))]
    serial = build_matrix(g, ids, pick, workers=1)
    parallel = build_matrix(g, ids, pick, workers=2)
    assert np.array_equal(serial.time_s, parallel.time_s)
    assert np.array_equal(serial.dist_m, parallel.dist_m)
    for i, j in rng.integers(0, len(pick), size=(25, 2)):
        t = nx.shortest_path_length(g, pick[i], pick[j], weight="travel_time")
        assert abs(serial.time_s[i, j] - t) <= 1
        path = serial.node_path(i, j)
        length = sum(min(d["length"] for d in g[u][v].values()) for u, v in zip(path, path[1:]))
        assert abs(serial.dist_m[i, j] - length) <= 1 + 1e-3 * length
