"""The OR-Tools model on hand-checkable problems, and the plan invariants on random ones."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from problem_factory import NO_BREAK, make_problem, point, vehicle

from wasteroute.config import Shift, SolverParams
from wasteroute.errors import InputError
from wasteroute.solver import _landfill_copies, solve

FAST = SolverParams(time_limit_s=10, solution_limit=50)


def _ids(route):
    return [v.id for v in route.visits]


def test_capacity_forces_a_second_landfill_trip() -> None:
    """Three 2.5 m³ points on a 6 m³ truck: two loads, each ending at the landfill."""
    pts = [point(f"P{i}", volume_m3=2.5) for i in range(3)]
    prob = make_problem([1000, 1100, 1200], pts, [vehicle("DT-01")])
    sol = solve(prob, FAST)
    sol.validate()
    route = sol.route_of("DT-01")
    assert len(route.trips) == 2
    assert [len(t.stops) for t in route.trips] in ([2, 1], [1, 2])
    assert _ids(route)[-2:] == ["TPA", "DEPOT"]
    assert all(v.load_after_l <= 6000 for v in route.visits)
    assert route.trips[0].landfill.load_after_l == 0
    assert not sol.unassigned


def test_single_trip_route_is_depot_points_landfill_depot() -> None:
    """Two small points in a row: the cheapest order is out along the line and back."""
    prob = make_problem([1000, 2000], [point("A"), point("B")], [vehicle("DT-01")], landfill_x=3000)
    sol = solve(prob, FAST)
    assert _ids(sol.route_of("DT-01")) == ["DEPOT", "A", "B", "TPA", "DEPOT"]
    route = sol.route_of("DT-01")
    assert route.distance_m == 6000
    # 05:00 departure, 100 s to A, 60 s service, 100 s to B, 60 s, 100 s to TPA, 600 s unload, 300 s back
    assert route.end_s - route.start_s == 100 + 60 + 100 + 60 + 100 + 600 + 300


def test_containers_only_on_armroll_one_per_trip() -> None:
    """Containers need arm-roll trucks, which carry one container per trip."""
    pts = [point("C1", kind="container", volume_m3=2.0, service_s=720),
           point("C2", kind="container", volume_m3=2.0, service_s=720),
           point("B1", kind="bak", volume_m3=1.0)]
    fleet = [vehicle("DT-01"), vehicle("AR-01", serves=("container",), containers_per_trip=1)]
    sol = solve(make_problem([500, 600, 700], pts, fleet), FAST)
    sol.validate()
    ar, dt_ = sol.route_of("AR-01"), sol.route_of("DT-01")
    assert sorted(v.id for v in ar.stops) == ["C1", "C2"]
    assert [v.id for v in dt_.stops] == ["B1"]
    assert all(len(t.stops) == 1 for t in ar.trips)


def test_time_window_orders_the_visits() -> None:
    """B must be served before 05:10 and A not before 05:30: B comes first although A is nearer."""
    pts = [point("A", ready_s=5 * 3600 + 1800), point("B", latest_s=5 * 3600 + 600)]
    sol = solve(make_problem([1000, 3000], pts, [vehicle("DT-01")]), FAST)
    sol.validate()
    stops = sol.route_of("DT-01").stops
    assert [v.id for v in stops] == ["B", "A"]
    assert stops[1].start_s >= 5 * 3600 + 1800
    assert stops[0].start_s <= 5 * 3600 + 600


def test_landfill_closed_until_nine_delays_unloading() -> None:
    """The landfill opens at 09:00: the truck waits there and no unloading happens earlier."""
    sol = solve(make_problem([1000], [point("A")], [vehicle("DT-01")], opens_s=9 * 3600), FAST)
    sol.validate()
    lf = sol.route_of("DT-01").trips[0].landfill
    assert lf.start_s >= 9 * 3600


def test_impossible_window_is_dropped_with_a_reason() -> None:
    """A point that must be served by 05:01 but is 20 min away is dropped, not served late."""
    pts = [point("LATE", latest_s=5 * 3600 + 60), point("OK")]
    sol = solve(make_problem([12000, 100], pts, [vehicle("DT-01")]), FAST)
    sol.validate()
    assert sol.unassigned["LATE"].startswith("window: the earliest a truck can get there after its other work")
    assert "after its latest time 05:01" in sol.unassigned["LATE"]
    assert [v.id for v in sol.route_of("DT-01").stops] == ["OK"]


def test_capacity_shortage_drops_points_with_capacity_reason() -> None:
    """One truck, one trip of 6 m³, 9 m³ due: some points are dropped and the reason says why."""
    pts = [point(f"P{i}", volume_m3=3.0) for i in range(3)]
    sol = solve(make_problem([100, 200, 300], pts, [vehicle("DT-01", max_trips=1)]), FAST)
    sol.validate()
    assert len(sol.unassigned) == 1
    (reason,) = sol.unassigned.values()
    assert reason.startswith("fleet exhausted: 9 m³ of this kind is due")


def test_break_is_inside_its_window_and_not_during_service() -> None:
    """A 30-minute break between 05:20 and 05:40 in a route with long services."""
    shift = Shift(start_s=5 * 3600, end_s=12 * 3600, break_duration_s=1800,
                  break_earliest_s=5 * 3600 + 1200, break_latest_s=5 * 3600 + 2400)
    pts = [point(f"P{i}", service_s=900) for i in range(4)]
    sol = solve(make_problem([500, 1000, 1500, 2000], pts, [vehicle("DT-01", shift=shift)]), FAST)
    sol.validate()
    route = sol.route_of("DT-01")
    assert route.break_ is not None
    assert 5 * 3600 + 1200 <= route.break_.start_s <= 5 * 3600 + 2400
    for v in route.visits[1:-1]:
        assert v.departure_s <= route.break_.start_s or v.start_s >= route.break_.end_s


def test_max_trips_and_max_stops_hold() -> None:
    """Two trips at most, three stops at most: the rest is unassigned."""
    pts = [point(f"P{i}", volume_m3=4.0) for i in range(5)]
    v = vehicle("DT-01", max_trips=2, max_stops=3)
    sol = solve(make_problem([100 * (i + 1) for i in range(5)], pts, [v]), FAST)
    sol.validate()
    route = sol.route_of("DT-01")
    assert len(route.trips) <= 2 and len(route.stops) <= 2
    assert len(sol.unassigned) == 5 - len(route.stops)


def test_same_seed_same_plan_and_seed_changes_search() -> None:
    """Determinism under a solution limit."""
    pts = [point(f"P{i}", volume_m3=1.5) for i in range(12)]
    xs = [(i * 379) % 4000 for i in range(12)]
    ys = [(i * 211) % 3000 for i in range(12)]
    prob = make_problem(xs, pts, [vehicle("DT-01"), vehicle("DT-02")], ys=ys)
    a = solve(prob, dataclasses.replace(FAST, seed=3))
    b = solve(prob, dataclasses.replace(FAST, seed=3))
    assert [_ids(r) for r in a.routes] == [_ids(r) for r in b.routes]
    assert a.objective == b.objective


def test_unknown_strategy_is_a_clear_input_error() -> None:
    prob = make_problem([100], [point("A")], [vehicle("DT-01")])
    with pytest.raises(InputError, match="unknown search strategy.*PATH_CHEAPEST_ARC"):
        solve(prob, SolverParams(first_solution="FASTEST_EVER"))


def _more_landfills(prob, xs, extra_xs):  # type: ignore[no-untyped-def]
    """``prob`` (points at ``xs`` on a line) with more landfills at ``extra_xs`` (ids TPA2, TPA3, ...)."""
    import numpy as np

    from wasteroute.config import Facility

    px = np.array([0.0, 0.0, *extra_xs, *xs])  # depot, TPA, the new landfills, the points
    dist = np.abs(px[:, None] - px[None, :]).round().astype(np.int64)
    new = tuple(Facility(f"TPA{i + 2}", f"TPA {i + 2}", 0.0, 0.0, unload_s=600) for i in range(len(extra_xs)))
    return dataclasses.replace(prob, landfills=(*prob.landfills, *new), dist_m=dist, time_s=dist // 10)


def test_auto_landfill_copies_fewer_and_plan_still_feasible() -> None:
    """Three landfills, points near the first two: the far third gets only the trucks' final visits."""
    pts = [point(f"P{i}", volume_m3=2.5) for i in range(4)]
    xs = [1000, 2000, 3000, 4000]
    prob = _more_landfills(make_problem(xs, pts, [vehicle("DT-01"), vehicle("DT-02")]), xs, [5000, 30000])
    assert _landfill_copies(prob, "all") == [6, 6, 6]
    assert _landfill_copies(prob, "auto") == [6, 6, 2]
    sol = solve(prob, dataclasses.replace(FAST, landfill_copies="auto"))
    sol.validate()
    assert not sol.unassigned


def test_single_landfill_keeps_one_copy_per_trip() -> None:
    """One landfill (as in Kupang): copies = the sum of max_trips, whatever the mode."""
    prob = make_problem([100], [point("A")], [vehicle("DT-01", max_trips=3), vehicle("DT-02", max_trips=2)])
    assert _landfill_copies(prob, "auto") == _landfill_copies(prob, "all") == [5]


def test_warm_start_routes_are_respected() -> None:
    """Under a one-solution limit the plan is the given routes (closed at the nearest landfill)."""
    pts = [point(f"P{i}") for i in range(4)]
    prob = make_problem([1000, 2000, 3000, 4000], pts, [vehicle("DT-01"), vehicle("DT-02")])
    start = [["P3", "P0"], ["P2", "TPA", "P1", "TPA"]]
    sol = solve(prob, SolverParams(time_limit_s=10, solution_limit=1), initial_routes=start)
    sol.validate()
    assert _ids(sol.route_of("DT-01")) == ["DEPOT", "P3", "P0", "TPA", "DEPOT"]
    assert [v.id for v in sol.route_of("DT-02").stops] == ["P2", "P1"]
    assert len(sol.route_of("DT-02").trips) == 2
    better = solve(prob, FAST, initial_routes=start)
    better.validate()
    assert better.objective <= sol.objective


def test_warm_start_cuts_an_infeasible_route_and_inserts_the_rest() -> None:
    """P0 closes at 05:01 but is visited last: the route is cut before it and the search decides."""
    pts = [point("P0", latest_s=5 * 3600 + 60), point("P1")]
    prob = make_problem([100, 5000], pts, [vehicle("DT-01")])
    sol = solve(prob, FAST, initial_routes=[["P1", "P0"]])
    sol.validate()
    assert not sol.unassigned
    assert [v.id for v in sol.route_of("DT-01").stops] == ["P0", "P1"]


def test_warm_start_unknown_id_is_an_input_error() -> None:
    prob = make_problem([100], [point("A")], [vehicle("DT-01")])
    with pytest.raises(InputError, match="'B' is neither a point nor a landfill id"):
        solve(prob, FAST, initial_routes=[["A", "B"]])


def test_fallback_strategy_gives_a_plan_when_the_first_has_none_in_time(caplog) -> None:  # type: ignore[no-untyped-def]
    """A first strategy given (almost) no time: the fallback still returns a checked plan.
    (A run bounded by time: with a solution limit no timeout decides, see the tests below.)"""
    pts = [point(f"P{i}", volume_m3=1.5) for i in range(6)]
    prob = make_problem([500 * (i + 1) for i in range(6)], pts, [vehicle("DT-01")])
    prm = dataclasses.replace(FAST, first_solution_timeout_s=1e-9, first_solution_fallback="PARALLEL_CHEAPEST_INSERTION",
                              first_solution="SAVINGS", solution_limit=None, time_limit_s=1)
    with caplog.at_level("WARNING", logger="wasteroute"):
        sol = solve(prob, prm)
    sol.validate()
    assert not sol.unassigned
    assert "SAVINGS found no first plan" in caplog.text
    with pytest.raises(InputError, match="landfill_copies"):
        SolverParams(landfill_copies="some")


def test_final_unload_node_lets_a_one_point_move_open_a_route() -> None:
    """LOCAL_CHEAPEST_INSERTION inserts one point at a time: with a final unload node per truck
    its first plan serves every point; with optional landfill copies only it serves none."""
    pts = [point(f"P{i}") for i in range(4)]
    prob = make_problem([1000, 2000, 3000, 4000], pts, [vehicle("DT-01"), vehicle("DT-02")])
    first = SolverParams(time_limit_s=10, solution_limit=1, first_solution="LOCAL_CHEAPEST_INSERTION")
    sol = solve(prob, first)
    sol.validate()
    assert not sol.unassigned
    assert len(solve(prob, dataclasses.replace(first, final_unload="optional")).unassigned) == 4


def test_final_unload_keeps_objective_and_fixed_costs() -> None:
    """Same optimum as the optional-copies model; an unused truck costs nothing, a fixed cost
    (on the arcs out of the depot with final unload nodes) keeps the second truck home."""
    pts = [point("A"), point("B")]
    prob = make_problem([1000, 2000], pts, [vehicle("DT-01"), vehicle("DT-02")], landfill_x=3000)
    new = solve(prob, FAST)
    old = solve(prob, dataclasses.replace(FAST, final_unload="optional"))
    assert new.objective == old.objective == 100 + 100 + 100 + 600 + 300
    assert len(new.used_routes()) == 1
    fixed = solve(prob, dataclasses.replace(FAST, vehicle_fixed_cost=5000, final_unload="nearest"))
    assert len(fixed.used_routes()) == 1 and fixed.objective == 5000 + new.objective


def test_large_model_starts_from_the_fallback(monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    """Above the size where PARALLEL_CHEAPEST_INSERTION takes minutes, the fallback starts."""
    import wasteroute.solver as solver_module

    monkeypatch.setattr(solver_module, "_FALLBACK_MIN_NODES", 1)
    monkeypatch.setattr(solver_module, "_FALLBACK_FIRST_NODES", 1)
    pts = [point(f"P{i}") for i in range(5)]  # one load
    prob = make_problem([400 * (i + 1) for i in range(5)], pts, [vehicle("DT-01")])
    with caplog.at_level("WARNING", logger="wasteroute"):
        sol = solve(prob, dataclasses.replace(FAST, first_solution_fallback="LOCAL_CHEAPEST_INSERTION"))
    sol.validate()
    assert not sol.unassigned
    assert "starting from LOCAL_CHEAPEST_INSERTION" in caplog.text


@st.composite
def _instances(draw):  # type: ignore[no-untyped-def]
    n = draw(st.integers(1, 9))
    xs = draw(st.lists(st.integers(0, 6000), min_size=n, max_size=n))
    ys = draw(st.lists(st.integers(0, 6000), min_size=n, max_size=n))
    pts = []
    for i in range(n):
        kind = draw(st.sampled_from(["bak", "roadside", "container"]))
        ready = draw(st.sampled_from([0, 5 * 3600, 6 * 3600]))
        latest = draw(st.sampled_from([-1, -1, 7 * 3600, 5 * 3600 + 300]))
        latest = latest if latest < 0 or latest >= ready else -1
        release = draw(st.sampled_from([0, 0, 5 * 3600 + 1800, 7 * 3600]))  # waste ready at the reload
        pts.append(point(f"P{i}", kind=kind, volume_m3=draw(st.sampled_from([0.0, 0.5, 2.0, 5.5])),
                         service_s=draw(st.integers(0, 900)), ready_s=ready, latest_s=latest, release_s=release))
    brk = draw(st.booleans())
    shift = Shift(break_duration_s=1800) if brk else NO_BREAK
    fleet = [vehicle("DT-01", max_trips=draw(st.integers(1, 3)), shift=shift),
             vehicle("AR-01", serves=("container",), containers_per_trip=1, max_trips=2, shift=shift)]
    opens = draw(st.sampled_from([0, 9 * 3600]))
    return make_problem(xs, pts, fleet, ys=ys, landfill_x=draw(st.integers(0, 6000)), opens_s=opens)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_instances())
def test_every_plan_holds_the_invariants(prob) -> None:  # type: ignore[no-untyped-def]
    """Each point in exactly one route or unassigned with a reason; loads, windows, shifts,
    breaks, release dates hold; routes end landfill -> depot (all re-checked by ``validate``)."""
    sol = solve(prob, SolverParams(time_limit_s=5, solution_limit=20))
    sol.validate()
    served = [v.id for r in sol.routes for v in r.stops]
    assert sorted(served + list(sol.unassigned)) == sorted(p.id for p in prob.points)
    assert all(sol.unassigned.values())
    for r in sol.used_routes():
        assert [v.kind for v in r.visits[-2:]] == ["landfill", "depot"]


def test_warm_start_keeps_every_trip_when_all_trucks_use_all_trips() -> None:
    """Two trucks, two trips each: the trailing unload of each route is the truck's own final
    node and must not use up an optional landfill copy (regression: the second trip of the
    last truck was cut for want of a copy)."""
    pts = [point(f"P{i}", volume_m3=5.0) for i in range(4)]
    fleet = [vehicle("DT-01", max_trips=2), vehicle("DT-02", max_trips=2)]
    prob = make_problem([1000, 2000, 3000, 4000], pts, fleet)
    start = [["P0", "TPA", "P1", "TPA"], ["P2", "TPA", "P3", "TPA"]]
    sol = solve(prob, SolverParams(time_limit_s=10, solution_limit=1), initial_routes=start)
    sol.validate()
    assert not sol.unassigned
    assert [v.id for v in sol.route_of("DT-01").visits[1:-1]] == start[0]
    assert [v.id for v in sol.route_of("DT-02").visits[1:-1]] == start[1]


def test_improve_searches_from_a_plan_and_never_from_scratch() -> None:
    """``improve`` keeps the given fleet and plan as the start; it returns None rather than
    searching from scratch when the plan cannot be read (an unknown landfill copy count)."""
    from wasteroute.solver import improve

    pts = [point(f"P{i}") for i in range(4)]
    prob = make_problem([1000, 2000, 3000, 4000], pts, [vehicle("DT-01"), vehicle("DT-02")])
    start = [["P3", "P0", "P1", "P2"], []]
    first = improve(prob, SolverParams(time_limit_s=5, solution_limit=1), start)
    assert first is not None and [v.id for v in first.route_of("DT-01").stops] == ["P3", "P0", "P1", "P2"]
    better = improve(prob, FAST, start)
    assert better is not None and better.objective < first.objective
    better.validate()


def test_a_point_of_zero_load_still_ends_the_route_at_the_landfill() -> None:
    """Kim 804/1932 have zero-load points; a truck that served one still unloads last (with
    optional landfill visits only, as with several landfills, nothing else forces it)."""
    prob = make_problem([1000], [point("Z", volume_m3=0.0)], [vehicle("DT-01")])
    prob = prob.replace(points=(dataclasses.replace(prob.points[0], demand_l=0),))
    sol = solve(prob, dataclasses.replace(FAST, final_unload="optional"))
    sol.validate()
    assert _ids(sol.route_of("DT-01")) == ["DEPOT", "Z", "TPA", "DEPOT"]


# ----------------------------------------------------------------------------- no clock decides
class _SlowClock:
    """``time`` as seen on a hopelessly busy machine: every reading is 1000 s after the last."""

    def __init__(self) -> None:
        self.now = 0.0

    def perf_counter(self) -> float:
        self.now += 1000.0
        return self.now


def _on_a_slow_machine(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import wasteroute.decompose as decompose_module
    import wasteroute.fleet_size as fleet_module
    import wasteroute.hybrid as hybrid_module
    import wasteroute.solver as solver_module

    clock = _SlowClock()
    for module in (solver_module, fleet_module, decompose_module, hybrid_module):
        monkeypatch.setattr(module, "time", clock)


def _plan(sol):  # type: ignore[no-untyped-def]
    return [_ids(r) for r in sol.routes], sorted(sol.unassigned), sol.objective


def test_solution_limit_ignores_the_first_solution_timeout(monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    """Bounded by solutions, a (tiny) first-solution timeout and a slow clock change nothing."""
    pts = [point(f"P{i}", volume_m3=1.5) for i in range(6)]
    prob = make_problem([500 * (i + 1) for i in range(6)], pts, [vehicle("DT-01"), vehicle("DT-02")])
    quiet = solve(prob, FAST)
    prm = dataclasses.replace(FAST, first_solution_timeout_s=1e-9, first_solution_fallback="SAVINGS")
    _on_a_slow_machine(monkeypatch)
    with caplog.at_level("WARNING", logger="wasteroute"):
        busy = solve(prob, prm)
    assert "found no first plan" not in caplog.text
    assert _plan(busy) == _plan(quiet)


def test_solution_limit_warm_start_and_fallbacks_ignore_the_clock(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A warm start on a slow clock still searches (no "no time left" shortcut)."""
    pts = [point(f"P{i}") for i in range(6)]
    prob = make_problem([300 * (i + 1) for i in range(6)], pts, [vehicle("DT-01"), vehicle("DT-02")])
    start = [["P5", "P0", "P4"], ["P1", "P3", "P2"]]
    quiet = solve(prob, FAST, initial_routes=start)
    _on_a_slow_machine(monkeypatch)
    assert _plan(solve(prob, FAST, initial_routes=start)) == _plan(quiet)


def test_solution_limit_fewest_trucks_ignores_the_clock(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The fleets tried depend on the points left out, not on the time left (it grows to 2 trucks)."""
    pts = [point("W", latest_s=5 * 3600 + 600), point("E", latest_s=5 * 3600 + 600)]
    prob = make_problem([-5000, 5000], pts, [vehicle(f"DT-{i}") for i in range(4)])
    from wasteroute.search import solve as plan

    prm = dataclasses.replace(FAST, minimise_trucks=True)
    quiet = plan(prob, prm)
    _on_a_slow_machine(monkeypatch)
    busy = plan(prob, prm)
    assert busy.meta["fleet_attempts"] == quiet.meta["fleet_attempts"] == [(1, 1), (2, 0)]
    assert _plan(busy) == _plan(quiet)


def test_solution_limit_areas_and_polish_ignore_the_clock(monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    """Each area gets the whole cap and the whole-day polish always runs, whatever the clock says."""
    from wasteroute.decompose import solve_by_area

    pts, xs = [], []
    for side, x0 in (("W", -10_000), ("E", 10_000)):
        for i in range(6):
            pts.append(point(f"{side}{i}", volume_m3=0.5))
            xs.append(x0 + 150 * i)
    long_shift = Shift(start_s=5 * 3600, end_s=17 * 3600, break_duration_s=0)
    prob = make_problem(xs, pts, [vehicle(f"DT-{i:02d}", shift=long_shift) for i in range(4)])
    prm = dataclasses.replace(FAST, solution_limit=20)
    quiet = solve_by_area(prob, prm, max_points=8)
    _on_a_slow_machine(monkeypatch)
    with caplog.at_level("INFO", logger="wasteroute"):
        busy = solve_by_area(prob, prm, max_points=8)
    assert "whole-day search from the merged plan" in caplog.text
    assert busy.status == quiet.status and _plan(busy) == _plan(quiet)


def test_solution_limit_lifts_the_lns_wall_clock_cut() -> None:
    """OR-Tools cuts each LNS completion at 0.1 s of wall time unless told otherwise: bounded by
    solutions, only the search's own cap may cut it (else a busy machine changes the plan)."""
    from wasteroute.solver import _search_parameters

    bounded = _search_parameters(SolverParams(time_limit_s=40, solution_limit=200))
    assert bounded.lns_time_limit.ToTimedelta().total_seconds() == 40
    timed = _search_parameters(SolverParams(time_limit_s=40))
    assert timed.lns_time_limit.ToTimedelta().total_seconds() == 0.1



def test_warm_start_drops_empty_unloads_from_the_given_routes() -> None:
    prob = make_problem([1000, 1100], [point("A"), point("B")], [vehicle("DT-01")])
    sol = solve(prob, FAST, initial_routes=[["TPA", "A", "TPA", "TPA", "B", "TPA", "TPA"]])
    sol.validate()
    assert not sol.unassigned


def test_last_resort_gives_a_plan_when_no_first_strategy_does(monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    """No first-solution strategy gives a plan (e.g. a large day on a busy machine): the search
    starts from no point served and inserts points; the plan is valid and loses nothing."""
    import logging

    import wasteroute.solver as solver_mod

    monkeypatch.setattr(solver_mod, "_solve_with_fallback", lambda m, t0: None)
    pts = [point(f"P{i}", volume_m3=1.5) for i in range(8)]
    prob = make_problem([300.0 * (i + 1) for i in range(8)], pts, [vehicle("DT-01"), vehicle("DT-02")])
    with caplog.at_level(logging.WARNING, logger="wasteroute"):
        sol = solve(prob, SolverParams(time_limit_s=5, solution_limit=200))
    sol.validate()
    assert any("starting from no point served" in r.message for r in caplog.records)
    served = {v.id for r in sol.routes for v in r.stops}
    assert served | set(sol.unassigned) == {p.id for p in pts}
    assert len(served) >= 6  # local search inserted (nearly) everything


def test_warm_start_keeps_the_routes_when_the_search_from_them_gives_nothing(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """On a busy machine the search from a warm start can run out of time before it re-checks
    the start: the routes read (a feasible plan) are kept, never thrown away."""
    from ortools.constraint_solver import pywrapcp

    monkeypatch.setattr(pywrapcp.RoutingModel, "SolveFromAssignmentWithParameters", lambda self, a, sp: None)
    prob = make_problem([1000, 1100, 1200], [point("A"), point("B"), point("C")], [vehicle("DT-01")])
    sol = solve(prob, FAST, initial_routes=[["C", "B", "A", "TPA"]])
    sol.validate()
    assert [v.id for v in sol.route_of("DT-01").stops] == ["C", "B", "A"]
    assert not sol.unassigned


@pytest.mark.parametrize("dense_max", [3000, 1])  # arcs as matrices, and as Python callbacks
def test_back_to_back_unloads_at_one_landfill_are_one_unload(monkeypatch, dense_max) -> None:  # type: ignore[no-untyped-def]
    """A chain of landfill nodes (a copy, then the truck's final unload node) is one stop at the
    landfill: one unloading time in the time dimension and in the cost (1 inside the chain).
    Before, each node of the chain charged its own unloading (OR-Tools' raw routes carried up to
    three in a row, 23,400-28,000 of Kupang's objective)."""
    import wasteroute.solver as solver_module
    from wasteroute.solver import _build

    monkeypatch.setattr(solver_module, "_DENSE_TRANSIT_MAX_NODES", dense_max)
    pts = [point("A", volume_m3=4.0), point("B", volume_m3=4.0)]
    fleet = [vehicle("DT-01", max_trips=3), vehicle("DT-02", max_trips=1)]  # 2 copies + 2 final nodes
    prob = make_problem([1000, 2000], pts, fleet, landfill_x=3000)
    m = _build(prob, FAST)
    m.routing.CloseModel()
    copy, chained = (n for n in m.landfill_nodes if n not in m.final_nodes.values())
    final, other_final = m.final_nodes[0], m.final_nodes[1]
    a, b = (m.node_point.index(k) for k in range(2))
    idx = m.manager.NodeToIndex
    time_dim, trips = m.routing.GetDimensionOrDie("time"), m.routing.GetDimensionOrDie("trips")
    assert m.routing.GetArcCostForVehicle(idx(copy), idx(final), 0) == 1
    assert time_dim.GetTransitValue(idx(copy), idx(final), 0) == 0
    # the last node of the chain charges the unloading (600 s) with the way home (300 s)
    assert m.routing.GetArcCostForVehicle(idx(final), m.routing.End(0), 0) == 600 + 300
    assert time_dim.GetTransitValue(idx(final), m.routing.End(0), 0) == 600 + 300
    assert trips.GetTransitValue(idx(copy), idx(final), 0) == 1  # trips count every node
    # A, unload, B, unload, home; then the same with an empty unload right after the second
    two = m.routing.ReadAssignmentFromRoutes([[a, copy, b, final], [other_final]], True)
    three = m.routing.ReadAssignmentFromRoutes([[a, copy, b, chained, final], [other_final]], True)
    assert two is not None and three is not None
    assert three.ObjectiveValue() == two.ObjectiveValue() + 1
    assert three.Value(time_dim.CumulVar(m.routing.End(0))) == two.Value(time_dim.CumulVar(m.routing.End(0)))
