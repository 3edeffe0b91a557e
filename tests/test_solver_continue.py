"""The OR-Tools model continuing from where each truck is (``solver.continue_routes``, re-plans).

Tiny problems on a line (``problem_factory``): depot and landfill at x = 0, travel time =
metres / 10, 10-minute unloading. Searches stop at a solution limit.
"""

from __future__ import annotations

from problem_factory import NO_BREAK, make_problem, point, vehicle
from wasteroute.config import Shift, SolverParams
from wasteroute.matrix import LocationMatrix
from wasteroute.solver import VehicleStart, continue_routes

PARAMS = SolverParams(time_limit_s=10, solution_limit=50)


def _ids(problem, steps) -> list[str]:  # type: ignore[no-untyped-def]
    n_lf = len(problem.landfills)
    return [problem.landfills[loc - 1].id if 1 <= loc <= n_lf else problem.points[loc - 1 - n_lf].id
            for loc, _ in steps if loc]


def test_a_loaded_truck_unloads_before_taking_more_and_starts_at_its_time_and_place() -> None:
    """A 6 m³ truck at P-A (x = 2000) with 5 m³ on board at 08:00; P-B (2 m³, x = 3000) is left."""
    p = make_problem([2000, 3000], [point("P-A", volume_m3=1.0), point("P-B", volume_m3=2.0)], [vehicle("T1")])
    at = 8 * 3600
    start = VehicleStart(node=int(p.loc_node[p.point_location(0)]), time_s=at, load_l=5000, stops=1,
                         daily_load_l=5000)
    # Only P-B is left to route; the node matrices still hold P-A's place, where the truck is.
    sub = p.replace(points=(p.points[1],), time_s=LocationMatrix(p.node_time_s, p.loc_node[[0, 1, 3]]),
                    dist_m=LocationMatrix(p.node_dist_m, p.loc_node[[0, 1, 3]]))
    cont = continue_routes(sub, PARAMS, starts=[start])
    steps = cont.routes[0].steps
    assert _ids(sub, steps) == ["TPA", "P-B", "TPA"]
    # 2000 m to the landfill = 200 s from 08:00; P-B after unloading (600 s) and 300 s of driving.
    assert steps[0] == (1, at + 200)
    assert steps[1] == (2, at + 200 + 600 + 300)
    assert not cont.dropped


def test_the_break_is_scheduled_only_when_not_taken_and_after_the_start() -> None:
    shift = Shift(start_s=5 * 3600, end_s=12 * 3600, break_earliest_s=8 * 3600, break_latest_s=10 * 3600,
                  break_duration_s=1800)
    p = make_problem([1000, 2000], [point("A"), point("B")], [vehicle("T1", shift=shift)])
    at = 9 * 3600
    for taken in (False, True):
        start = VehicleStart(node=int(p.loc_node[0]), time_s=at, break_taken=taken)
        cont = continue_routes(p, PARAMS, starts=[start])
        brk = cont.routes[0].break_
        assert (brk is None) == taken
        if brk is not None:
            assert at <= brk.start_s <= 10 * 3600 and brk.duration_s == 1800


def test_used_trips_and_the_move_cost_decide_who_takes_a_point() -> None:
    """T1 (home of both points) is at the depot with all its trips used: it can take nothing."""
    p = make_problem([1000, 1500], [point("A"), point("B")], [vehicle("T1", max_trips=2), vehicle("T2")])
    at = 6 * 3600
    starts = [VehicleStart(node=int(p.loc_node[0]), time_s=at, trips=2), VehicleStart(node=int(p.loc_node[0]),
                                                                                       time_s=at)]
    cont = continue_routes(p, PARAMS, starts=starts, home={"A": 0, "B": 0}, move_cost=10_000)
    assert _ids(p, cont.routes[0].steps) == []
    assert sorted(_ids(p, cont.routes[1].steps)) == ["A", "B", "TPA"]


def test_a_high_move_cost_keeps_points_on_their_home_truck() -> None:
    """T2 waits right at the points (x = 5000), T1 at the depot; both points belong to T1."""
    p = make_problem([5000, 5100], [point("A"), point("B")], [vehicle("T1", shift=NO_BREAK), vehicle("T2")])
    at = 6 * 3600
    near = int(p.loc_node[p.point_location(0)])
    starts = [VehicleStart(node=int(p.loc_node[0]), time_s=at), VehicleStart(node=near, time_s=at)]
    free = continue_routes(p, PARAMS, starts=starts, home={"A": 0, "B": 0}, move_cost=0)
    assert sorted(_ids(p, free.routes[1].steps)) == ["A", "B", "TPA"]  # cheaper from where T2 is
    kept = continue_routes(p, PARAMS, starts=starts, home={"A": 0, "B": 0}, move_cost=100_000,
                           initial_routes=[["A", "B", "TPA"], []])
    assert sorted(_ids(p, kept.routes[0].steps)) == ["A", "B", "TPA"]
    assert _ids(p, kept.routes[1].steps) == []
