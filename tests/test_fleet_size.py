"""Fewest trucks: the lower bound by hand, and the fleet grown from it until all is served."""

from __future__ import annotations

import dataclasses

from problem_factory import make_problem, point, vehicle

from wasteroute.cli import _scenario, build_parser
from wasteroute.config import SolverParams
from wasteroute.fleet_size import truck_lower_bound
from wasteroute.search import solve

BUDGET = SolverParams(time_limit_s=6, solution_limit=300)


def test_lower_bound_by_hand() -> None:
    """40 m³ on 6 m³ trucks with 3 trips: ceil(40 / 18) = 3 dump trucks; 3 containers on
    arm-rolls with one container per trip and 2 trips: ceil(3 / 2) = 2."""
    pts = [point(f"B{i}", volume_m3=4.0) for i in range(10)]
    pts += [point(f"C{i}", kind="container", volume_m3=2.0) for i in range(3)]
    fleet = [vehicle(f"DT-{i}") for i in range(6)]
    fleet += [vehicle(f"AR-{i}", serves=("container",), containers_per_trip=1, max_trips=2) for i in range(4)]
    prob = make_problem([1000 + 10 * i for i in range(13)], pts, fleet)
    assert truck_lower_bound(prob) == {("bak", "roadside"): 3, ("container",): 2}


def test_lower_bound_counts_service_and_driving_time() -> None:
    """Twelve 30-minute services, 7-hour shifts, tiny volumes: 6 h of service plus the way in
    to each point (100 s) and one unload (600 s) need ceil(22800 / 25200) = 1 truck, and with
    twice the points 2."""
    pts = [point(f"P{i}", volume_m3=0.1, service_s=1800) for i in range(12)]
    prob = make_problem([1000] * 12, pts, [vehicle(f"DT-{i}") for i in range(4)])
    assert truck_lower_bound(prob) == {("bak", "roadside"): 1}
    pts = [point(f"P{i}", volume_m3=0.1, service_s=1800) for i in range(24)]
    prob = make_problem([1000] * 24, pts, [vehicle(f"DT-{i}") for i in range(4)])
    assert truck_lower_bound(prob) == {("bak", "roadside"): 2}


def _two_areas():  # type: ignore[no-untyped-def]
    """Sixteen 2 m³ points in two groups; six trucks of 6 m³ with 3 trips each."""
    xs = [1000 + 100 * i for i in range(8)] + [8000 + 100 * i for i in range(8)]
    pts = [point(f"P{i:02d}", volume_m3=2.0) for i in range(16)]
    return make_problem(xs, pts, [vehicle(f"DT-{i}") for i in range(6)])


def test_fewest_trucks_serves_all_with_the_bound() -> None:
    """32 m³ need ceil(32 / 18) = 2 trucks and 2 manage it; the plain model, asked for the
    least time, sends more. The plan lists the whole fleet; the rest stay at the depot."""
    prob = _two_areas()
    sol = solve(prob, dataclasses.replace(BUDGET, minimise_trucks=True))
    sol.validate()
    assert not sol.unassigned
    assert len(sol.routes) == 6
    assert sol.meta["trucks_lower_bound"] == 2
    assert len(sol.used_routes()) == 2
    assert [r.vehicle.id for r in sol.used_routes()] == ["DT-0", "DT-1"]  # fleet order = preference
    assert all(len(r.visits) == 2 for r in sol.routes if not r.used)
    assert "fewest trucks: 2 used" in sol.status
    plain = solve(prob, BUDGET)
    assert len(plain.used_routes()) > 2


def test_fewest_trucks_grows_the_fleet_when_the_bound_is_not_enough() -> None:
    """Windows make the bound (1 truck) too few: two points due at 05:10 at opposite ends."""
    pts = [point("W", latest_s=5 * 3600 + 600), point("E", latest_s=5 * 3600 + 600)]
    prob = make_problem([-5000, 5000], pts, [vehicle(f"DT-{i}") for i in range(4)])
    assert truck_lower_bound(prob) == {("bak", "roadside"): 1}
    sol = solve(prob, dataclasses.replace(BUDGET, minimise_trucks=True))
    sol.validate()
    assert not sol.unassigned
    assert len(sol.used_routes()) == 2
    assert [n for n, _ in sol.meta["fleet_attempts"]] == [1, 2]
    assert sol.meta["fleet_attempts"][0][1] == 1  # one point left out with one truck


def test_fewest_trucks_keeps_reasons_when_even_the_fleet_is_short() -> None:
    """One truck, 30 m³ in 6 m³ loads with 3 trips: the whole fleet, some points unassigned."""
    pts = [point(f"P{i}", volume_m3=5.0) for i in range(6)]
    prob = make_problem([1000 + 10 * i for i in range(6)], pts, [vehicle("DT-0")])
    sol = solve(prob, dataclasses.replace(BUDGET, minimise_trucks=True))
    sol.validate()
    assert len(sol.unassigned) == 3
    assert all("fleet exhausted" in why for why in sol.unassigned.values())


def test_cli_flag_sets_minimise_trucks() -> None:
    args = build_parser().parse_args(["--fewest-trucks", "--scenario", "tests/data/aguascalientes/scenario.toml"])
    assert _scenario(args).solver.minimise_trucks
    args = build_parser().parse_args(["--scenario", "tests/data/aguascalientes/scenario.toml"])
    assert not _scenario(args).solver.minimise_trucks


def test_large_days_use_one_search_with_a_truck_cost(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Above ONE_SEARCH_ABOVE points: one search, a cost per truck of 1000 × the dearest arc,
    and still the two trucks the day needs."""
    import wasteroute.fleet_size as fs

    monkeypatch.setattr(fs, "ONE_SEARCH_ABOVE", 10)
    prob = _two_areas()
    sol = solve(prob, dataclasses.replace(BUDGET, minimise_trucks=True))
    sol.validate()
    assert not sol.unassigned
    assert sol.meta["fleet_attempts"] == [] and "one search" in sol.status
    assert sol.meta["truck_cost"] == 1000 * int(prob.time_s.max())
    assert len(sol.used_routes()) == 2


def _kim_like_day(n_each: int = 12, trucks: int = 8):  # type: ignore[no-untyped-def]
    """A Kim-like day cut down: three clusters of ``n_each`` 1 m³ points far apart (x = -20, 0,
    +20 km), a lunch hour 11:00-12:00 and the two limits PyVRP relaxes: at most 8 stops and
    6 m³ collected per truck per day (36 stops need 5 trucks, 18 m³ need 3)."""
    import dataclasses as dc

    from wasteroute.config import Shift

    lunch = Shift(start_s=5 * 3600, end_s=15 * 3600, break_duration_s=3600,
                  break_earliest_s=11 * 3600, break_latest_s=12 * 3600)
    xs, ys, pts = [], [], []
    for c, x0 in enumerate((-20_000, 0, 20_000)):
        for i in range(n_each):
            xs.append(x0 + 200.0 * (i % 4))
            ys.append(5_000 + 200.0 * (i // 4))
            pts.append(point(f"K{c}{i:02d}", volume_m3=0.5))
    fleet = [dc.replace(vehicle(f"DT-{i:02d}", shift=lunch, max_stops=8), max_daily_load_l=6_000)
             for i in range(trucks)]
    return make_problem(xs, pts, fleet, ys=ys)


def test_a_large_kim_like_day_is_served_in_full_by_area(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Fewest trucks on a day above BY_AREA_ABOVE points (lowered here) goes by area with a cost
    per truck, under the lunch break, stops per day and daily load: every point served and
    checked. (A whole-day search from scratch found no first plan for Kim 1051/1932/2100 in time
    and left almost everything out.)"""
    import wasteroute.fleet_size as fs

    monkeypatch.setattr(fs, "ONE_SEARCH_ABOVE", 10)
    monkeypatch.setattr(fs, "BY_AREA_ABOVE", 10)
    prob = _kim_like_day()
    params = SolverParams(time_limit_s=20, solution_limit=100, minimise_trucks=True, decompose_above=10,
                          area_max_points=12, time_weight=0, distance_weight=1)
    sol = solve(prob, params)
    sol.validate()
    assert not sol.unassigned
    assert "by area" in sol.status and sol.status.startswith("decomposed into 3 areas")
    used = sol.used_routes()
    assert all(sum(v.kind == "point" for v in r.visits) <= 8 for r in used)
    assert 5 <= len(used) < len(prob.vehicles)  # 36 stops need ceil(36 / 8) = 5 trucks; not all 8
