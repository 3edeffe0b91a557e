"""The PyVRP model of a day: what it expresses, and the routes it hands to OR-Tools."""

from __future__ import annotations

from problem_factory import NO_BREAK, make_problem, point, vehicle

from wasteroute.config import Shift, SolverParams
from wasteroute.pyvrp_model import _Model, solve_pyvrp

PARAMS = SolverParams(seed=3)


def _served(routes: tuple[tuple[str, ...], ...]) -> list[str]:
    return sorted(i for r in routes for i in r if i != "TPA")


def test_kinds_go_only_to_the_trucks_that_serve_them() -> None:
    """Two containers (arm-roll, one per trip) and two bak points (dump truck)."""
    pts = [point("C1", kind="container", volume_m3=2.0), point("C2", kind="container", volume_m3=2.0),
           point("B1"), point("B2")]
    fleet = [vehicle("DT-01"), vehicle("AR-01", serves=("container",), containers_per_trip=1)]
    res = solve_pyvrp(make_problem([500, 600, 700, 800], pts, fleet), PARAMS, max_iterations=300)
    dump, armroll = res.routes
    assert sorted(i for i in dump if i != "TPA") == ["B1", "B2"]
    assert sorted(i for i in armroll if i != "TPA") == ["C1", "C2"]
    # One container per trip: each container is followed by an unload.
    assert list(armroll) in (["C1", "TPA", "C2", "TPA"], ["C2", "TPA", "C1", "TPA"])
    assert res.feasible and not res.unassigned


def test_capacity_forces_an_unload_and_every_route_ends_at_the_landfill() -> None:
    """Three 2.5 m³ points on one 6 m³ truck: two loads, both unloaded at the landfill."""
    pts = [point(f"P{i}", volume_m3=2.5) for i in range(3)]
    res = solve_pyvrp(make_problem([1000, 1100, 1200], pts, [vehicle("DT-01")]), PARAMS, max_iterations=300)
    (route,) = res.routes
    assert route.count("TPA") == 2 and route[-1] == "TPA"
    assert _served(res.routes) == ["P0", "P1", "P2"]


def test_max_trips_is_max_reloads_plus_the_final_unload() -> None:
    """Four full loads, two trucks of at most two trips: both trucks must work."""
    pts = [point(f"P{i}", volume_m3=5.0) for i in range(4)]
    fleet = [vehicle("DT-01", max_trips=2), vehicle("DT-02", max_trips=2)]
    res = solve_pyvrp(make_problem([1000, 1100, 1200, 1300], pts, fleet), PARAMS, max_iterations=300)
    assert [r.count("TPA") for r in res.routes] == [2, 2]
    assert res.feasible


def test_the_shift_leaves_room_for_the_break_the_final_unload_and_the_drive_home() -> None:
    """The route must end (at the landfill) by shift end - break - unload - drive home."""
    shift = Shift(start_s=5 * 3600, end_s=6 * 3600, break_duration_s=600,
                  break_earliest_s=5 * 3600, break_latest_s=6 * 3600)
    prob = make_problem([1000], [point("A")], [vehicle("DT-01", shift=shift)], landfill_x=2000, unload_s=300)
    vt = _Model.build(prob, PARAMS).data.vehicle_type(0)
    assert vt.tw_late == 6 * 3600 - 600 - 300 - 200  # landfill -> depot: 2000 m at 10 m/s
    assert vt.shift_duration == 3600 - 600
    assert vt.max_reloads == 2


def test_same_seed_and_iterations_give_the_same_routes() -> None:
    pts = [point(f"P{i}", volume_m3=1.5) for i in range(12)]
    fleet = [vehicle("DT-01"), vehicle("DT-02")]
    prob = make_problem([100 * i for i in range(1, 13)], pts, fleet, ys=[(i % 4) * 300 for i in range(12)])
    one = solve_pyvrp(prob, PARAMS, max_iterations=200)
    two = solve_pyvrp(prob, PARAMS, max_iterations=200)
    assert one.routes == two.routes and one.cost == two.cost
    assert _served(one.routes) == sorted(p.id for p in pts)


def test_routes_warm_start_the_ortools_model_of_record() -> None:
    """PyVRP's routes are a plan OR-Tools can start from and that passes the full check."""
    from wasteroute.solver import solve

    pts = [point(f"P{i}", volume_m3=2.0) for i in range(8)]
    fleet = [vehicle("DT-01", shift=NO_BREAK), vehicle("DT-02", shift=NO_BREAK)]
    prob = make_problem([200 * i for i in range(1, 9)], pts, fleet, landfill_x=3000)
    res = solve_pyvrp(prob, PARAMS, max_iterations=200)
    sol = solve(prob, SolverParams(time_limit_s=10, solution_limit=5), initial_routes=res.as_initial_routes())
    sol.validate()
    assert not sol.unassigned


def test_a_timed_search_with_no_feasible_plan_gives_up_early_for_ortools(monkeypatch) -> None:
    import wasteroute.pyvrp_model as pm

    clock = [100.0]
    monkeypatch.setattr(pm.time, "perf_counter", lambda: clock[0])
    stop = pm.NoFeasibleBy(4.0)
    infeasible, feasible = float(1 << 63), 123_456.0
    assert stop(infeasible) is False  # starts the clock
    clock[0] = 103.9
    assert stop(infeasible) is False
    clock[0] = 104.1
    assert stop(infeasible) is True  # 4 s and still nothing feasible: OR-Tools takes over
    assert stop(feasible) is False  # a feasible plan found: the search runs its full time


def test_give_up_applies_to_timed_runs_only() -> None:
    import wasteroute.pyvrp_model as pm

    timed = pm._stop(SolverParams(), 10.0, None)
    assert any(isinstance(c, pm.NoFeasibleBy) and c.seconds == 10.0 * pm.GIVE_UP_SHARE
               for c in timed.criteria)
    bounded = pm._stop(SolverParams(), None, 500)
    assert not isinstance(bounded, pm.MultipleCriteria)  # iterations alone: no clock decision
