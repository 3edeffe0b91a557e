"""Unassigned reasons name the binding limit (wasteroute.diagnose), on hand-checkable problems."""

from __future__ import annotations

import dataclasses

from problem_factory import make_problem, point, vehicle

from wasteroute.config import Shift, SolverParams
from wasteroute.diagnose import drop_reason
from wasteroute.solution import Route, build_visits
from wasteroute.solver import solve

FAST = SolverParams(time_limit_s=10, solution_limit=50)


def _armroll(vid: str):  # type: ignore[no-untyped-def]
    return vehicle(vid, serves=("container",), containers_per_trip=1, max_trips=2)


def test_container_lifts_are_the_limit() -> None:
    """2 arm-roll trucks × 2 trips × 1 container = 4 lifts for 5 small containers: not time."""
    pts = [point(f"C{i}", kind="container", volume_m3=1.0) for i in range(5)]
    sol = solve(make_problem([300 * (i + 1) for i in range(5)], pts, [_armroll("AR-01"), _armroll("AR-02")]), FAST)
    sol.validate()
    assert len(sol.unassigned) == 1
    (reason,) = sol.unassigned.values()
    assert reason.startswith("fleet exhausted: 2 armroll trucks × 2 trips × 1 container = 4 container lifts "
                             "for 5 containers due today")


def test_trips_then_volume_are_the_limit_with_their_numbers() -> None:
    """Three 4 m³ points and 2 trips of 6 m³: the volume fits, the trips do not; with four, the volume."""
    pts = [point(f"P{i}", volume_m3=4.0) for i in range(3)]
    sol = solve(make_problem([100, 200, 300], pts, [vehicle("DT-01", max_trips=2)]), FAST)
    (reason,) = sol.unassigned.values()
    assert reason == ("fleet exhausted: of the 1 truck that can serve 'bak', 1 used all their landfill trips; "
                      "add a truck, a second shift, or widen the window")
    pts = [point(f"P{i}", volume_m3=4.0) for i in range(4)]
    sol = solve(make_problem([100, 200, 300, 400], pts, [vehicle("DT-01", max_trips=2)]), FAST)
    assert set(sol.unassigned.values()) == {
        "fleet exhausted: 16 m³ of this kind is due but the available trucks can haul 12 m³ in their landfill "
        "trips (1 dump truck × 2 trips × 6.0 m³); add trucks or trips"
    }


def test_shift_time_is_the_limit() -> None:
    """A one-hour shift and three 25-minute loadings: the work needs more than the shift holds."""
    short = Shift(start_s=5 * 3600, end_s=6 * 3600, break_duration_s=0)
    pts = [point(f"P{i}", service_s=1500) for i in range(3)]
    sol = solve(make_problem([100, 200, 300], pts, [vehicle("DT-01", shift=short)]), FAST)
    sol.validate()
    reasons = set(sol.unassigned.values())
    assert reasons == {"fleet exhausted: 1 trucks have 1.0 h of shift time but the 3 points need at least 1.4 h "
                       "of loading and unloading, before any driving; add trucks or a shift"}


def test_driving_time_left_no_room() -> None:
    """Bounds hold, but the drives fill the shift: the reason says the trucks had no time left."""
    short = Shift(start_s=5 * 3600, end_s=6 * 3600, break_duration_s=0)
    pts = [point(f"P{i}", service_s=300) for i in range(3)]
    sol = solve(make_problem([6000, -6000, 6000], pts, [vehicle("DT-01", shift=short)], ys=[0, 0, 6000]), FAST)
    sol.validate()
    assert sol.unassigned
    assert set(sol.unassigned.values()) == {
        "fleet exhausted: of the 1 truck that can serve 'bak', 1 had no time left in their shift for it "
        f"(last truck back at {sol.route_of('DT-01').end_s // 3600:02d}:{sol.route_of('DT-01').end_s % 3600 // 60:02d})"
        "; add a truck, a second shift, or widen the window"
    }


def test_a_truck_with_room_is_named_instead_of_blaming_time() -> None:
    """A plan that left a point out while its truck had trips and hours to spare (a search stopped
    early): the reason names the truck, its return and its unused trips."""
    pts = [point("P0"), point("P1")]
    prob = make_problem([500, 700], pts, [vehicle("DT-01")])
    full = solve(prob, FAST).route_of("DT-01")
    seq = [(v.location, v.start_s) for v in full.visits if v.id != "P1"]
    route = Route(full.vehicle, build_visits(prob, full.vehicle, seq))
    k = [p.id for p in prob.points].index("P1")
    reason = drop_reason(prob, [route], k)
    assert reason.startswith(f"search: DT-01 is back at {route.visits[-1].arrival_s // 3600:02d}:")
    assert "with 2 trips of 3 unused and could still collect it" in reason
    idle = Route(full.vehicle, build_visits(prob, full.vehicle, [(0, 5 * 3600), (0, 5 * 3600)]))
    assert drop_reason(prob, [idle], k).startswith("search: DT-01 is not used today")


def test_diagnosis_takes_the_trucks_that_can_serve_the_point() -> None:
    """Dump trucks with room do not hide the arm-roll limit of a container."""
    pts = [point(f"C{i}", kind="container") for i in range(3)] + [point("B0")]
    trucks = [dataclasses.replace(_armroll("AR-01"), max_trips=1), vehicle("DT-01")]
    sol = solve(make_problem([300, 600, 900, 100], pts, trucks), FAST)
    assert set(sol.unassigned) <= {"C0", "C1", "C2"} and len(sol.unassigned) == 2
    assert all("1 armroll truck × 1 trip × 1 container = 1 container lifts for 3 containers" in r
               for r in sol.unassigned.values())


def test_fleet_bounds_are_worked_out_once_per_truck_group(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Thirty containers for one arm-roll truck: one bound computation, not one per dropped point
    (20,000 points took 9.5 minutes to diagnose when each dropped point rescanned the day)."""
    import wasteroute.diagnose as diagnose

    calls = []
    real = diagnose._fleet_bound
    monkeypatch.setattr(diagnose, "_fleet_bound", lambda p, vs: calls.append(1) or real(p, vs))
    pts = [point(f"C{i:02d}", kind="container", volume_m3=1.0) for i in range(30)]
    prob = make_problem([100 * (i + 1) for i in range(30)], pts, [_armroll("AR-01")])
    sol = solve(prob, FAST)
    assert len(sol.unassigned) == 28
    assert all("2 container lifts for 30 containers" in why for why in sol.unassigned.values())
    assert len(calls) == 1
