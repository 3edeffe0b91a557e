"""Decomposition by area: the partition contract, compact areas, and merged plans that validate."""

from __future__ import annotations

import dataclasses
import logging

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from problem_factory import make_problem, point, vehicle

from wasteroute.config import Shift, SolverParams
from wasteroute.decompose import plan_areas, solve_by_area, sub_problem
from wasteroute.errors import InputError
from wasteroute.problem import ProblemData
from wasteroute.search import solve

FAST = SolverParams(time_limit_s=10, solution_limit=30)
LONG_SHIFT = Shift(start_s=5 * 3600, end_s=17 * 3600, break_duration_s=0)


def _two_clusters(n_each: int = 8, *, trucks: int = 4, gap: float = 20_000) -> ProblemData:
    """``n_each`` points around x=-gap/2 (ids W*) and around x=+gap/2 (ids E*), on a grid."""
    xs, ys, pts = [], [], []
    for side, x0 in (("W", -gap / 2), ("E", gap / 2)):
        for i in range(n_each):
            xs.append(x0 + 150 * (i % 3))
            ys.append(200.0 * (i // 3))
            pts.append(point(f"{side}{i}", volume_m3=0.5))
    fleet = [vehicle(f"DT-{i:02d}", shift=LONG_SHIFT) for i in range(trucks)]
    return make_problem(xs, pts, fleet, ys=ys)


def _check_contract(problem: ProblemData, areas) -> None:  # type: ignore[no-untyped-def]
    seen = [k for a in areas for k in a.points]
    assert sorted(seen) == list(range(len(problem.points))), "every point in exactly one area"
    trucks = [v for a in areas for v in a.vehicles]
    assert len(trucks) == len(set(trucks)), "every truck in at most one area"
    for a in areas:
        assert a.vehicles, "every area has a truck"
        for k in a.points:
            assert any(problem.vehicles[v].can_serve(problem.points[k]) for v in a.vehicles), (
                f"{problem.points[k].id} has no truck for it in its area")


def _coverage(sol) -> None:  # type: ignore[no-untyped-def]
    served = [v.id for r in sol.routes for v in r.visits if v.kind == "point"]
    assert len(served) == len(set(served))
    assert set(served).isdisjoint(sol.unassigned)
    assert set(served) | set(sol.unassigned) == {p.id for p in sol.problem.points} | set(sol.problem.reasons)
    assert all(sol.unassigned.values())


def test_far_apart_clusters_end_in_different_areas() -> None:
    prob = _two_clusters()
    areas = plan_areas(prob, max_points=10)
    _check_contract(prob, areas)
    assert len(areas) == 2
    sides = sorted("".join(sorted({prob.points[k].id[0] for k in a.points})) for a in areas)
    assert sides == ["E", "W"]
    assert sorted(len(a.vehicles) for a in areas) == [2, 2]


def test_number_of_areas_is_capped_by_the_trucks() -> None:
    prob = _two_clusters(trucks=1)
    assert len(plan_areas(prob, max_points=3)) == 1
    prob3 = _two_clusters(n_each=9, trucks=3)
    areas = plan_areas(prob3, max_points=3)
    assert len(areas) <= 3
    _check_contract(prob3, areas)


def test_partition_keeps_kinds_with_their_trucks() -> None:
    """Containers only on arm-roll trucks: those points and trucks form their own areas."""
    xs, pts = [], []
    for i in range(12):
        xs.append(1000.0 + 100 * i)
        pts.append(point(f"B{i}"))
    for i in range(6):
        xs.append(5000.0 + 100 * i)
        pts.append(point(f"C{i}", kind="container", volume_m3=2.0, service_s=600))
    fleet = [vehicle("DT-01"), vehicle("DT-02"), vehicle("DT-03"),
             vehicle("AR-01", serves=("container",), containers_per_trip=1)]
    prob = make_problem(xs, pts, fleet)
    areas = plan_areas(prob, max_points=5)
    _check_contract(prob, areas)
    arm = [a for a in areas if 3 in a.vehicles]
    assert len(arm) == 1 and arm[0].vehicles == (3,)
    assert {prob.points[k].kind for k in arm[0].points} == {"container"}
    assert len(areas) == 4  # three dump-truck areas (ceil(12/5)), one for the containers


def test_sub_problem_slices_the_matrices() -> None:
    prob = _two_clusters(n_each=3)
    sub = sub_problem(prob, [4, 1], [2])
    assert [p.id for p in sub.points] == ["E1", "W1"]
    assert [v.id for v in sub.vehicles] == ["DT-02"]
    idx = [0, 1, prob.point_location(4), prob.point_location(1)]
    assert np.array_equal(sub.time_s, prob.time_s[np.ix_(idx, idx)])
    assert np.array_equal(sub.dist_m, prob.dist_m[np.ix_(idx, idx)])
    assert sub.reasons == {} and sub.excluded == () and sub.landfills == prob.landfills


def test_solve_by_area_merges_valid_plan(caplog: pytest.LogCaptureFixture) -> None:
    prob = _two_clusters()
    with caplog.at_level(logging.INFO, logger="wasteroute"):
        sol = solve_by_area(prob, SolverParams(time_limit_s=8, solution_limit=30), max_points=10)
    sol.validate()
    _coverage(sol)
    assert not sol.unassigned
    assert "decomposed into 2 areas" in sol.status
    assert len(sol.routes) == len(prob.vehicles)
    assert [r.vehicle.id for r in sol.routes] == [v.id for v in prob.vehicles]
    # No route crosses the 20 km gap: each truck stays on its side.
    for r in sol.used_routes():
        assert len({v.id[0] for v in r.stops}) == 1
    area_lines = [r.message for r in caplog.records if r.message.startswith("area ")]
    assert len(area_lines) == 2 and all("8 points" in m for m in area_lines)


def test_points_an_area_cannot_serve_end_unassigned_with_a_reason() -> None:
    """One truck per area, each with a short day: some points cannot be served, none is lost."""
    short = Shift(start_s=5 * 3600, end_s=5 * 3600 + 3900, break_duration_s=0)
    xs, ys, pts = [], [], []
    for side, x0 in (("W", -10_000.0), ("E", 10_000.0)):
        for i in range(10):
            xs.append(x0 + 100 * i)
            ys.append(0.0)
            pts.append(point(f"{side}{i}", service_s=600))
    fleet = [vehicle("DT-01", shift=short), vehicle("DT-02", shift=short)]
    prob = make_problem(xs, pts, fleet, ys=ys, unload_s=60)
    prob = prob.replace(reasons={"X1": "too far from a road: test"}, excluded=(point("X1"),))
    sol = solve_by_area(prob, SolverParams(time_limit_s=6, solution_limit=30), max_points=10)
    sol.validate()
    _coverage(sol)
    assert sol.unassigned["X1"] == "too far from a road: test"
    assert len(sol.unassigned) > 1
    assert sol.used_routes()


def test_small_problem_is_solved_directly() -> None:
    prob = _two_clusters(n_each=4)
    direct = solve(prob, FAST)
    by_area = solve_by_area(prob, FAST, max_points=50)
    assert [[v.id for v in r.visits] for r in by_area.routes] == [[v.id for v in r.visits] for r in direct.routes]
    assert by_area.objective == direct.objective
    assert "decomposed" not in by_area.status


@pytest.mark.parametrize("bad", [0, -3, 2.5, True, "100"])
def test_bad_max_points_is_an_input_error(bad: object) -> None:
    prob = _two_clusters(n_each=2)
    with pytest.raises(InputError, match="max_points"):
        solve_by_area(prob, FAST, max_points=bad)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="max_points"):
        plan_areas(prob, max_points=bad)  # type: ignore[arg-type]


def test_params_must_be_solver_params() -> None:
    with pytest.raises(InputError, match="SolverParams"):
        solve_by_area(_two_clusters(n_each=2), {"time_limit_s": 5}, max_points=3)  # type: ignore[arg-type]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    xy=st.lists(st.tuples(st.integers(-5000, 5000), st.integers(-5000, 5000)), min_size=1, max_size=40),
    kinds=st.data(),
    n_dump=st.integers(1, 5),
    n_arm=st.integers(0, 3),
    max_points=st.integers(1, 15),
)
def test_partition_contract_on_random_days(xy, kinds, n_dump, n_arm, max_points) -> None:  # type: ignore[no-untyped-def]
    has_arm = n_arm > 0
    pool = ["bak", "roadside", "container"] if has_arm else ["bak", "roadside"]
    ks = kinds.draw(st.lists(st.sampled_from(pool), min_size=len(xy), max_size=len(xy)))
    pts = [point(f"P{i}", kind=k, volume_m3=2.0 if k == "container" else 0.5) for i, k in enumerate(ks)]
    fleet = [vehicle(f"DT-{i}") for i in range(n_dump)]
    fleet += [vehicle(f"AR-{i}", serves=("container",), containers_per_trip=1) for i in range(n_arm)]
    prob = make_problem([float(x) for x, _ in xy], pts, fleet, ys=[float(y) for _, y in xy])
    areas = plan_areas(prob, max_points=max_points)
    _check_contract(prob, areas)
    n_groups = len({p.kind == "container" for p in pts})
    assert n_groups <= len(areas) <= len(prob.vehicles)
    for a in areas:  # an area never mixes trucks of the two independent groups
        assert len({prob.vehicles[v].type_name for v in a.vehicles}) == 1


def test_solve_decomposes_days_above_the_threshold() -> None:
    """``SolverParams.decompose_above`` routes big days through the areas, small ones not (OR-Tools
    engine: with the hybrid this day, which PyVRP's model holds exactly, stays in one piece)."""
    prob = _two_clusters(n_each=8)
    params = SolverParams(time_limit_s=8, solution_limit=30, decompose_above=10, area_max_points=10,
                          engine="ortools")
    sol = solve(prob, params)
    sol.validate()
    _coverage(sol)
    assert sol.status.startswith("decomposed into 2 areas")
    assert "decomposed" not in solve(prob, dataclasses.replace(params, decompose_above=16)).status
    assert "decomposed" not in solve(prob, dataclasses.replace(params, engine="hybrid")).status
    with pytest.raises(InputError, match="decompose_above"):
        SolverParams(decompose_above=0)


# ----------------------------------------------------------------------------- every limit, re-insertion
def test_area_shortfall_names_each_limit_a_fleet_cannot_carry() -> None:
    import dataclasses

    pts = [point(f"P{i}", volume_m3=2.0) for i in range(6)] + [point(f"C{i}", kind="container", volume_m3=3.0)
                                                               for i in range(3)]
    dump = dataclasses.replace(vehicle("DT-01", max_stops=4), max_daily_load_l=10_000)
    arm = vehicle("AR-01", serves=("container",), containers_per_trip=1, max_trips=2)
    prob = make_problem([100.0 * i for i in range(9)], pts, [dump, arm])
    from wasteroute.decompose import area_shortfall

    short = area_shortfall(prob, list(range(9)), [0, 1])
    assert short == {"load": 6 * 2000 - 10_000, "items": 1.0}  # 12 m³ on a 10 m³ day; 3 containers, 2 lifts
    assert area_shortfall(prob, list(range(4)), [0]) == {}
    assert area_shortfall(prob, list(range(6)), [0])["stops"] == 2.0  # the only truck stops 4 times
    assert area_shortfall(prob, [6, 7], [1]) == {}


def test_trucks_move_to_an_area_short_on_daily_load() -> None:
    """An area's points fit one truck's time but not its daily load: it gets a truck from an area
    that can spare one (the estimate gave both areas two trucks)."""
    import dataclasses

    from wasteroute.decompose import _cover_limits, area_shortfall

    pts = [point(f"W{i}", volume_m3=2.0) for i in range(5)] + [point(f"E{i}", volume_m3=0.1) for i in range(5)]
    fleet = [dataclasses.replace(vehicle(f"DT-{i:02d}"), max_daily_load_l=4_000) for i in range(5)]
    prob = make_problem([-10_000.0 + 100 * i for i in range(5)] + [10_000.0 + 100 * i for i in range(5)], pts, fleet)
    members = [list(range(5)), list(range(5, 10))]
    trucks = [[0, 1], [2, 3, 4]]  # west: 10 m³ on 2 x 4 m³ a day
    assert area_shortfall(prob, members[0], trucks[0]) == {"load": 2_000}
    _cover_limits(prob, [list(range(5))] * 10, members, trucks)
    assert len(trucks[0]) == 3 and len(trucks[1]) == 2
    assert not area_shortfall(prob, members[0], trucks[0]) and not area_shortfall(prob, members[1], trucks[1])


def test_whole_day_step_reinserts_points_areas_left_out() -> None:
    """The areas' plans left every point out (e.g. no plan in time): the step over neighbouring
    areas inserts them all, and the plan validates."""
    import time

    from wasteroute.decompose import polish_by_neighbours
    from wasteroute.solution import Solution, empty_route

    prob = _two_clusters(n_each=6, trucks=4)
    areas = plan_areas(prob, max_points=6)
    assert len(areas) == 2
    merged = Solution(problem=prob, routes=tuple(empty_route(prob, v) for v in prob.vehicles),
                      unassigned={p.id: "fleet exhausted: no plan found for its area" for p in prob.points},
                      objective=len(prob.points) * FAST.drop_penalty, status="no plan", solve_s=0.0,
                      params=FAST)  # OR-Tools' objective counts a penalty per point left out
    params = SolverParams(time_limit_s=10, solution_limit=200)
    sol = polish_by_neighbours(prob, params, areas, merged, time.perf_counter() + 10)
    sol.validate()
    _coverage(sol)
    assert not sol.unassigned
    assert 0 < sol.objective < FAST.drop_penalty


def test_large_day_takes_the_neighbour_step_when_the_whole_day_is_too_large_to_read(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    import wasteroute.decompose as dec

    monkeypatch.setattr(dec, "WHOLE_DAY_MAX_BREAK_TRUCKS", -1)
    prob = _two_clusters()
    assert not dec.whole_day_readable(prob)
    with caplog.at_level(logging.INFO, logger="wasteroute"):
        sol = solve_by_area(prob, SolverParams(time_limit_s=8, solution_limit=30), max_points=10)
    sol.validate()
    _coverage(sol)
    assert not sol.unassigned
    assert any(r.message.startswith("whole-day step: areas 1+2") for r in caplog.records)


def test_trucks_that_cost_leave_spares_out_of_the_areas() -> None:
    """Two clusters of 8 light points, 12 trucks: with a cost per truck (``spare``) the areas get
    only the trucks their estimated work needs, the rest wait in no area; without, all go."""
    prob = _two_clusters(n_each=8, trucks=12)
    held = plan_areas(prob, max_points=8, spare=True)
    _check_contract(prob, held)
    assert 2 <= sum(len(a.vehicles) for a in held) < 12
    assert sum(len(a.vehicles) for a in plan_areas(prob, max_points=8)) == 12


def test_trucks_in_no_area_take_the_points_left_out() -> None:
    """A merged plan that served the west cluster and left the east out (its trucks found no
    plan): the trucks at the depot serve the east, and the plan validates."""
    import time

    from wasteroute.decompose import by_idle_trucks
    from wasteroute.solution import Solution, empty_route

    prob = _two_clusters(n_each=6, trucks=4)
    west = plan_areas(prob, max_points=6)
    west_area = next(a for a in west if prob.points[a.points[0]].id.startswith("W"))
    part = solve(sub_problem(prob, west_area.points, [0]), FAST)
    assert not part.unassigned
    from wasteroute.decompose import Area, _lift_route

    routes = [_lift_route(prob, Area(west_area.points, (0,)), part.routes[0], prob.vehicles[0])]
    routes += [empty_route(prob, v) for v in prob.vehicles[1:]]
    east = [p.id for p in prob.points if p.id.startswith("E")]
    merged = Solution(problem=prob, routes=tuple(routes), unassigned={i: "fleet exhausted" for i in east},
                      objective=part.objective + len(east) * FAST.drop_penalty, status="merged", solve_s=0.0,
                      params=FAST)
    sol = by_idle_trucks(prob, FAST, merged, time.perf_counter() + 10)
    sol.validate()
    _coverage(sol)
    assert not sol.unassigned
    assert sol.routes[0] is routes[0]  # the west route stays as it was
    assert 0 < sol.objective < FAST.drop_penalty
