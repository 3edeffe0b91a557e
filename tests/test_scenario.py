"""Scenario variants and the what-if helpers the notebooks use: ``with_solver``, ``compare``,
``Solution.route_cost`` and ``Solution.unassigned_frame``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from problem_factory import make_problem, point, vehicle

from wasteroute.config import SolverParams
from wasteroute.errors import InputError
from wasteroute.scenario import Scenario
from wasteroute.solution import compare
from wasteroute.solver import solve

FAST = SolverParams(time_limit_s=10, solution_limit=50)
AG_SCENARIO = Path(__file__).parent / "data" / "aguascalientes" / "scenario.toml"


def _with_a_drop():  # type: ignore[no-untyped-def]
    """One truck; LATE must be served by 05:01 but is 20 min away, so the solver drops it."""
    pts = [point("LATE", latest_s=5 * 3600 + 60), point("OK", volume_m3=2.0)]
    return solve(make_problem([12000, 100], pts, [vehicle("DT-01")]), FAST)


def _two_trucks():  # type: ignore[no-untyped-def]
    """Two trucks, two 4 m³ points far apart: each truck takes one (6 m³ body, one trip)."""
    pts = [point("A", volume_m3=4.0, service_s=600), point("B", volume_m3=4.0, service_s=600)]
    trucks = [vehicle("DT-01", max_trips=1), vehicle("DT-02", max_trips=1)]
    return solve(make_problem([1000, 5000], pts, trucks), FAST)


def test_route_cost_leaves_out_drop_penalties() -> None:
    sol = _with_a_drop()
    assert list(sol.unassigned) == ["LATE"]
    assert sol.objective == sol.route_cost + FAST.drop_penalty
    assert 0 < sol.route_cost < FAST.drop_penalty
    full = _two_trucks()
    assert not full.unassigned and full.route_cost == full.objective


def test_unassigned_frame_lists_each_point_with_its_reason() -> None:
    sol = _with_a_drop()
    frame = sol.unassigned_frame()
    assert list(frame["id"]) == ["LATE"]
    assert frame.loc[0, "reason"] == sol.unassigned["LATE"]
    assert frame.loc[0, "kind"] == "bak" and frame.loc[0, "kelurahan"] == "Uji"
    empty = _two_trucks().unassigned_frame()
    assert empty.empty and "reason" in empty.columns


def test_compare_one_row_per_plan_in_the_given_order() -> None:
    a, b = _two_trucks(), _with_a_drop()
    table = compare({"two trucks": a, "one drop": b})
    assert list(table.index) == ["two trucks", "one drop"] and table.index.name == "scenario"
    for name, sol in (("two trucks", a), ("one drop", b)):
        for key, value in sol.fleet_kpis().items():
            assert table.loc[name, key] == value, key
        assert table.loc[name, "route_cost"] == sol.route_cost
    assert table.loc["one drop", "points_unassigned"] == 1
    hours = a.kpis()["hours"]
    assert table.loc["two trucks", "hours_std"] == pytest.approx(hours.std(), abs=0.01)
    assert table.loc["one drop", "hours_std"] == 0.0  # one truck used: no spread


def test_with_solver_changes_only_the_search_settings() -> None:
    sc = Scenario.from_toml(AG_SCENARIO)
    fast = sc.with_solver(time_limit_s=5, seed=3)
    assert fast.solver.time_limit_s == 5 and fast.solver.seed == 3
    assert fast.solver.first_solution == sc.solver.first_solution
    assert fast.fleet == sc.fleet and sc.solver.time_limit_s == 60  # the original is unchanged
    with pytest.raises(InputError, match="unknown solver setting.*time_limit\\b.*known settings are"):
        sc.with_solver(time_limit=5)
    with pytest.raises(InputError, match="time_limit_s 0 must be positive"):
        sc.with_solver(time_limit_s=0)


def test_variants_compare_end_to_end() -> None:
    """Aguascalientes with all trucks vs one truck fewer, one solution each: a what-if table."""
    sc = Scenario.from_toml(AG_SCENARIO).replace(date=dt.date(2026, 11, 24)).with_solver(solution_limit=1)
    n = len(sc.fleet.trucks())
    table = compare({"all": sc.solve(), "one fewer": sc.with_trucks(n - 1).solve()})
    assert list(table["trucks_available"]) == [n, n - 1]
    assert (table["points_served"] + table["points_unassigned"] == table["points_due"]).all()


def test_trips_frame_one_row_per_load() -> None:
    """Four 2.5 m³ points on one 6 m³ truck: two loads of 5 m³ (2 stops each)."""
    pts = [point(f"P{i}", volume_m3=2.5, service_s=300) for i in range(4)]
    sol = solve(make_problem([1000, 1200, 1400, 1600], pts, [vehicle("DT-01")], landfill_x=4000), FAST)
    trips = sol.trips_frame()
    assert list(trips["trip"]) == [1, 2] and list(trips["stops"]) == [2, 2]
    assert list(trips["m3"]) == [5.0, 5.0] and list(trips["capacity_m3"]) == [6.0, 6.0]
    assert trips["fill"].tolist() == pytest.approx([5 / 6, 5 / 6], abs=1e-3)
    assert (trips["landfill"] == "TPA").all() and trips["unload_at"].str.match(r"\d\d:\d\d").all()
    assert sol.kpis().set_index("truck").loc["DT-01", "m3"] == trips["m3"].sum()
