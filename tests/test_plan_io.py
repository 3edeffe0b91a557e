"""Plans read back (issue 12 §1): write -> read -> write gives the same file; other days refused."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from problem_factory import NO_BREAK, make_problem, point, vehicle

from wasteroute.config import Shift, SolverParams
from wasteroute.errors import InputError
from wasteroute.solution import Solution
from wasteroute.solver import solve

TINY = SolverParams(time_limit_s=5, solution_limit=10)


@st.composite
def _instances(draw):  # type: ignore[no-untyped-def]
    """1-7 points of every kind on a grid, windows, a break or none, one dump and one arm-roll truck."""
    n = draw(st.integers(1, 7))
    xs = draw(st.lists(st.integers(0, 5000), min_size=n, max_size=n))
    ys = draw(st.lists(st.integers(0, 5000), min_size=n, max_size=n))
    pts = []
    for i in range(n):
        ready = draw(st.sampled_from([0, 5 * 3600, 6 * 3600]))
        latest = draw(st.sampled_from([-1, -1, 7 * 3600]))
        pts.append(point(f"P{i}", kind=draw(st.sampled_from(["bak", "roadside", "container"])),
                         volume_m3=draw(st.sampled_from([0.0, 0.5, 2.0, 5.5])),
                         service_s=draw(st.integers(0, 900)), ready_s=ready, latest_s=latest))
    shift = Shift(break_duration_s=1800) if draw(st.booleans()) else NO_BREAK
    fleet = [vehicle("DT-01", max_trips=draw(st.integers(1, 3)), shift=shift),
             vehicle("AR-01", serves=("container",), containers_per_trip=1, max_trips=2, shift=shift)]
    return make_problem(xs, pts, fleet, ys=ys, landfill_x=draw(st.integers(0, 5000)))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(_instances())
def test_round_trip_is_byte_identical_and_valid(tmp_path: Path, prob) -> None:  # type: ignore[no-untyped-def]
    """write -> read -> write: the same bytes; the plan read back is the same plan and validates."""
    sol = solve(prob, TINY)
    first = sol.to_json(tmp_path / "plan.json").read_bytes()
    back = Solution.from_json(tmp_path / "plan.json", prob)
    back.validate()
    assert back.to_json(tmp_path / "again.json").read_bytes() == first
    assert [r.visits for r in back.used_routes()] == [r.visits for r in sol.used_routes()]
    assert [r.break_ for r in back.used_routes()] == [r.break_ for r in sol.used_routes()]
    assert back.unassigned == sol.unassigned and back.objective == sol.objective
    assert back.status == sol.status


def _plan(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Three points on a line, one dump truck with a break: DEPOT P0 P1 P2 TPA DEPOT."""
    pts = [point(f"P{i}", volume_m3=1.0) for i in range(3)]
    prob = make_problem([1000, 2000, 3000], pts, [vehicle("DT-01"), vehicle("DT-02")])
    sol = dataclasses.replace(solve(prob, TINY), meta={"scenario": "Uji", "density_kg_per_m3": 300.0})
    return prob, sol, sol.to_json(tmp_path / "plan.json")


def test_meta_and_break_read_back(tmp_path: Path) -> None:
    prob, sol, path = _plan(tmp_path)
    back = Solution.from_json(path, prob, scenario="Uji")
    assert back.meta == {"scenario": "Uji", "density_kg_per_m3": 300.0}
    assert back.fleet_kpis()["tonnes"] == sol.fleet_kpis()["tonnes"]
    assert back.to_dict() == sol.to_dict()


def test_another_date_is_refused_naming_both(tmp_path: Path) -> None:
    prob, _, path = _plan(tmp_path)
    with pytest.raises(InputError, match=r"is for 2026-11-24, but this problem is for 2026-11-25; read it with "
                                         r"--date 2026-11-24"):
        Solution.from_json(path, prob.replace(date=dt.date(2026, 11, 25)))


def test_another_scenario_is_refused(tmp_path: Path) -> None:
    prob, _, path = _plan(tmp_path)
    with pytest.raises(InputError, match="made for scenario 'Uji', not 'Kota Kupang'"):
        Solution.from_json(path, prob, scenario="Kota Kupang")


def test_other_points_are_refused_naming_them(tmp_path: Path) -> None:
    prob, _, path = _plan(tmp_path)
    other = make_problem([1000, 2000, 3000], [point("P0"), point("P1"), point("Q9")],
                         [vehicle("DT-01"), vehicle("DT-02")])
    with pytest.raises(InputError, match="not due in this problem: P2") as exc:
        Solution.from_json(path, other)
    assert "the plan does not mention: Q9" in str(exc.value)


def test_other_trucks_are_refused_naming_them(tmp_path: Path) -> None:
    prob, _, path = _plan(tmp_path)
    with pytest.raises(InputError, match="in the plan but not available in this problem: DT-02"):
        Solution.from_json(path, prob.replace(vehicles=prob.vehicles[:1]))


def test_other_volumes_or_network_are_refused_naming_the_step(tmp_path: Path) -> None:
    """Same ids, but P1 holds 2 m³ here (another volume factor): the step that differs is named."""
    prob, sol, path = _plan(tmp_path)
    pts = tuple(dataclasses.replace(p, volume_m3=2.0, demand_l=2000) if p.id == "P1" else p for p in prob.points)
    with pytest.raises(InputError, match=r"does not match this problem.*\n.*step \d \(P1\): volume_m3 1.0 in the "
                                         r"plan, 2.0 here"):
        Solution.from_json(path, prob.replace(points=pts))
    longer = make_problem([1000, 2500, 3000], list(prob.points), list(prob.vehicles))
    with pytest.raises(InputError, match="leg_distance_m"):
        Solution.from_json(path, longer)


def test_not_a_plan(tmp_path: Path) -> None:
    prob, _, _ = _plan(tmp_path)
    with pytest.raises(InputError, match="does not exist"):
        Solution.from_json(tmp_path / "nope.json", prob)
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    with pytest.raises(InputError, match="is not valid JSON"):
        Solution.from_json(tmp_path / "bad.json", prob)
    (tmp_path / "other.json").write_text(json.dumps({"type": "FeatureCollection"}), encoding="utf-8")
    with pytest.raises(InputError, match="is not a wasteroute plan.json"):
        Solution.from_json(tmp_path / "other.json", prob)


def test_the_aguascalientes_day_reads_back(tmp_path: Path, ag_solution) -> None:  # type: ignore[no-untyped-def]
    """A plan of a real scenario run (breaks, containers, unassigned) reads back byte for byte."""
    first = ag_solution.to_json(tmp_path / "plan.json").read_bytes()
    back = Solution.from_json(tmp_path / "plan.json", ag_solution.problem, scenario="Aguascalientes test")
    back.validate()
    assert back.to_json(tmp_path / "again.json").read_bytes() == first
