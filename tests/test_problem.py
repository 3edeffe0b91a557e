"""ProblemData's matrices: kept per distinct road node (int32), read through a location view.

Fixtures: a 4 x 4 grid of streets (100 m blocks, 10 s each way) with many collection points
snapped onto a few of its corners, and random node matrices for the view's indexing rules.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wasteroute import decompose, solver
from wasteroute.config import Facilities, Facility, Fleet, SolverParams, VehicleType
from wasteroute.matrix import LocationMatrix, build_matrix
from wasteroute.problem import build_problem

sys.path.insert(0, str(Path(__file__).parent))
from problem_factory import make_problem, point, vehicle  # noqa: E402

DAY = dt.date(2026, 11, 24)


def _grid() -> nx.MultiDiGraph:
    """Corners 0..15 of a 4 x 4 grid, 100 m and 10 s between neighbours in both directions."""
    g = nx.MultiDiGraph(crs="epsg:4326")
    for k in range(16):
        g.add_node(k, x=float(k % 4), y=float(k // 4))
    for k in range(16):
        for nb in (k + 1 if k % 4 < 3 else None, k + 4 if k < 12 else None):
            if nb is not None:
                g.add_edge(k, nb, length=100.0, travel_time=10.0)
                g.add_edge(nb, k, length=100.0, travel_time=10.0)
    return g


def _day(n_points: int, corners: list[int]) -> tuple[pd.DataFrame, Facilities, Fleet, list[str], list[int]]:
    """``n_points`` small bak points spread over ``corners``; depot at corner 0, landfill at 15."""
    rows = [{"id": f"P{i:04d}", "name": f"TPS {i}", "kind": "bak", "volume_m3": 0.1, "service_s": 60,
             "ready_s": 0, "latest_s": -1, "lon": 0.0, "lat": 0.0, "node": corners[i % len(corners)]}
            for i in range(n_points)]
    points = pd.DataFrame(rows)
    facilities = Facilities(depot=Facility("DEPOT", "Depot", 0.0, 0.0),
                            landfills=(Facility("TPA", "Landfill", 0.0, 0.0, unload_s=300),))
    fleet = Fleet(types=(VehicleType(name="dump", count=2, capacity_m3=6.0, serves=("bak",), id_prefix="DT"),))
    ids = ["DEPOT", "TPA", *points["id"]]
    nodes = [0, 15, *points["node"]]
    return points, facilities, fleet, ids, nodes


def test_problem_holds_node_matrices_not_points_squared() -> None:
    """600 points on 5 corners (+ depot and landfill corners): 7 x 7 int32, not 602 x 602."""
    points, facilities, fleet, ids, nodes = _day(600, [1, 5, 6, 10, 11])
    matrix = build_matrix(_grid(), ids, nodes, workers=1)
    problem = build_problem(points, facilities, fleet, matrix, date=DAY)
    assert len(problem.points) == 600
    for m in (matrix.node_time_s, matrix.node_dist_m, problem.node_time_s, problem.node_dist_m):
        assert m.shape == (7, 7) and m.dtype == np.int32
    assert problem.time_s.shape == (602, 602) and len(problem.dist_m) == 602
    assert isinstance(problem.time_s, LocationMatrix) and problem.time_s.values is problem.node_time_s
    big = [v for v in vars(problem).values() if isinstance(v, np.ndarray) and v.size >= 602 * 602]
    assert not big
    # The view reads what a dense matrix would hold: corners 1 -> 11 are 4 blocks apart.
    p1 = problem.point_location(0)  # P0000 on corner 1
    p11 = problem.point_location(4)  # P0004 on corner 11
    assert problem.time_s[p1, p11] == 40 and problem.dist_m[p1, p11] == 400
    assert problem.time_s[p1, problem.point_location(5)] == 0  # P0005: corner 1 again


def test_view_equals_the_dense_matrix_of_the_same_day() -> None:
    """The same day with one node per location (the dense way) has identical matrices."""
    points, facilities, fleet, ids, nodes = _day(40, [1, 5, 6, 10, 11])
    problem = build_problem(points, facilities, fleet, build_matrix(_grid(), ids, nodes, workers=1), date=DAY)
    g = _grid()
    dense = build_matrix(g, [str(k) for k in range(16)], list(range(16)), workers=1)
    order = np.array([0, 15, *points["node"]])
    assert np.array_equal(np.asarray(problem.time_s), np.asarray(dense.time_s)[np.ix_(order, order)])
    assert np.array_equal(np.asarray(problem.dist_m), np.asarray(dense.dist_m)[np.ix_(order, order)])


def test_a_dense_array_is_wrapped_one_node_per_location() -> None:
    prob = make_problem([100, 200], [point("A"), point("B")], [vehicle("DT-01")])
    assert isinstance(prob.time_s, LocationMatrix)
    assert prob.node_time_s.dtype == np.int32 and prob.node_time_s.shape == (4, 4)
    assert prob.loc_node.tolist() == [0, 1, 2, 3]
    value = prob.time_s[0, 3]
    assert value == 20 and type(value) is int  # widened: no int32 overflow in callers' sums


def test_view_is_read_only() -> None:
    m = LocationMatrix(np.zeros((2, 2), np.int32), np.array([0, 1, 1]))
    with pytest.raises(TypeError):
        m[0, 1] = 5  # type: ignore[index]
    with pytest.raises(ValueError):
        m.values[0, 1] = 5
    with pytest.raises(ValueError, match="out of range"):
        LocationMatrix(np.zeros((2, 2), np.int32), np.array([0, 2]))


# ---------------------------------------------------------------------------- indexing rules
@st.composite
def _views(draw: st.DrawFn) -> tuple[LocationMatrix, np.ndarray]:
    k = draw(st.integers(1, 6))
    n = draw(st.integers(1, 12))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 10_000, (k, k)).astype(np.int32)
    np.fill_diagonal(values, 0)
    loc = rng.integers(0, k, n)
    return LocationMatrix(values, loc), values.astype(np.int64)[np.ix_(loc, loc)]


def _keys(n: int, rng: np.random.Generator) -> list[object]:
    a = rng.integers(0, n, rng.integers(1, 5))
    b = rng.integers(0, n, len(a))
    c = rng.integers(0, n, rng.integers(1, 5))
    i, j = int(rng.integers(0, n)), int(rng.integers(-n, n))
    mask = rng.random(n) < 0.5
    return [(i, j), i, slice(None), (slice(1, None), j), (i, slice(None, None, 2)), (a, b), (a, c[0]),
            np.ix_(a, c), np.ix_(c, a), (slice(None), c), (c, slice(None)), (mask, slice(None)),
            (slice(None), mask), a, (a.reshape(-1, 1), c), (range(n), i)]


@settings(max_examples=60, deadline=None)
@given(_views(), st.integers(0, 2**32 - 1))
def test_view_indexing_equals_dense_indexing(view_dense: tuple[LocationMatrix, np.ndarray], seed: int) -> None:
    view, dense = view_dense
    n = len(dense)
    assert view.shape == dense.shape and len(view) == n
    for key in _keys(n, np.random.default_rng(seed)):
        got, want = view[key], dense[key]
        assert np.shape(got) == np.shape(want), key
        assert np.array_equal(got, want), key
    assert np.array_equal(np.asarray(view), dense)
    assert view.max() == dense.max() and view.min() == dense.min()
    for axis in (None, 0, 1):
        assert np.array_equal(view.sum(axis=axis), dense.sum(axis=axis))
        assert np.allclose(view.mean(axis=axis), dense.mean(axis=axis))


@settings(max_examples=60, deadline=None)
@given(_views(), st.integers(0, 2**32 - 1))
def test_node_level_helpers_equal_their_dense_definition(view_dense: tuple[LocationMatrix, np.ndarray],
                                                         seed: int) -> None:
    view, dense = view_dense
    n = len(dense)
    rng = np.random.default_rng(seed)
    sub = rng.integers(0, n, rng.integers(1, n + 2))
    assert np.array_equal(np.asarray(view.select(sub)), dense[np.ix_(sub, sub)])
    off = dense.astype(np.float64)
    np.fill_diagonal(off, np.inf)
    for k in (1, 2, 3):
        want = np.sort(off, axis=1)[:, : min(k, n - 1)]
        assert np.array_equal(view.smallest_to_others(k), want)
    assert np.array_equal(view.smallest_from_others(sub), off.min(axis=0)[sub])


# ---------------------------------------------------------------------------- users of the view
def test_nothing_expands_the_view_on_a_large_day_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Areas, sub-problems and the OR-Tools model above the dense-transit size read node
    matrices only: expanding a view to locations x locations raises here."""
    points, facilities, fleet, ids, nodes = _day(60, [1, 5, 6, 10, 11, 14])
    problem = build_problem(points, facilities, fleet, build_matrix(_grid(), ids, nodes, workers=1), date=DAY)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a location matrix was expanded to a dense array")

    monkeypatch.setattr(LocationMatrix, "__array__", refuse)
    monkeypatch.setattr(solver, "_DENSE_TRANSIT_MAX_NODES", 0)
    areas = decompose.plan_areas(problem, max_points=30)
    assert sorted(k for a in areas for k in a.points) == list(range(60))
    sub = decompose.sub_problem(problem, areas[0].points, areas[0].vehicles)
    assert sub.node_time_s.shape[0] <= 2 + 6
    params = SolverParams(time_limit_s=5, solution_limit=20, decompose_above=None)
    sol = solver.solve(sub, params)
    assert not sol.unassigned


def test_areas_equal_on_node_matrices_and_on_their_dense_expansion() -> None:
    """plan_areas gives the same areas whether the matrices are per node or expanded per point."""
    points, facilities, fleet, ids, nodes = _day(90, [1, 2, 5, 6, 9, 10, 11, 13, 14])
    problem = build_problem(points, facilities, fleet, build_matrix(_grid(), ids, nodes, workers=1), date=DAY)
    dense = problem.replace(time_s=np.asarray(problem.time_s), dist_m=np.asarray(problem.dist_m))
    assert dense.node_time_s.shape == (92, 92)
    assert decompose.plan_areas(problem, max_points=30) == decompose.plan_areas(dense, max_points=30)


def test_transit_callbacks_equal_the_dense_transit_matrices(monkeypatch: pytest.MonkeyPatch) -> None:
    """Above ``_DENSE_TRANSIT_MAX_NODES`` the model reads the node matrices through callbacks:
    every arc's cost (with a fixed cost per truck and final unload nodes) and travel time
    equal those of the dense matrices, and the search finds the same plan."""
    pts = [point(f"P{i}", service_s=30 + i) for i in range(8)]
    prob = make_problem([100 * i for i in range(8)], pts, [vehicle("DT-01"), vehicle("DT-02")])
    params = SolverParams(time_limit_s=5, solution_limit=30, vehicle_fixed_cost=500, final_unload="nearest",
                          distance_weight=1)
    dense_model = solver._build(prob, params)
    monkeypatch.setattr(solver, "_DENSE_TRANSIT_MAX_NODES", 0)
    lazy_model = solver._build(prob, params)
    assert lazy_model.callbacks and not dense_model.callbacks
    assert dense_model.final_nodes
    dense_model.routing.CloseModel()  # arc costs can be read only from a closed model
    lazy_model.routing.CloseModel()
    size = dense_model.routing.Size() + len(prob.vehicles)
    for model_a, model_b in [(dense_model, lazy_model)]:
        ta, tb = model_a.routing.GetDimensionOrDie("time"), model_b.routing.GetDimensionOrDie("time")
        for vi in range(len(prob.vehicles)):
            for i in range(model_a.routing.Size()):
                for j in range(size):
                    assert (model_a.routing.GetArcCostForVehicle(i, j, vi)
                            == model_b.routing.GetArcCostForVehicle(i, j, vi)), (i, j, vi)
                    assert ta.GetTransitValue(i, j, vi) == tb.GetTransitValue(i, j, vi), (i, j, vi)
    lazy = solver.solve(prob, params)
    monkeypatch.setattr(solver, "_DENSE_TRANSIT_MAX_NODES", 3000)
    dense = solver.solve(prob, params)
    assert lazy.objective == dense.objective
    assert [[v.id for v in r.visits] for r in lazy.routes] == [[v.id for v in r.visits] for r in dense.routes]


def test_problem_replace_keeps_views() -> None:
    prob = make_problem([100, 200], [point("A"), point("B")], [vehicle("DT-01")])
    other = dataclasses.replace(prob, points=prob.points)
    assert other.time_s is prob.time_s
