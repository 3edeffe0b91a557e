"""The hybrid engine and the front door (``wasteroute.hybrid``, ``wasteroute.search``)."""

from __future__ import annotations

import dataclasses

import pytest
from problem_factory import make_problem, point, vehicle

from wasteroute.config import SolverParams
from wasteroute.errors import InputError
from wasteroute.search import solve

#: Bounded by solutions (OR-Tools) and iterations (PyVRP): reproducible on any machine.
BOUNDED = SolverParams(time_limit_s=30, solution_limit=30, pyvrp_iterations=300)


def _day():  # type: ignore[no-untyped-def]
    """Sixteen 1.5 m³ points on a grid, two dump trucks and one arm-roll truck for 2 containers."""
    pts = [point(f"P{i:02d}", volume_m3=1.5) for i in range(16)]
    pts += [point("C1", kind="container", volume_m3=4.0, service_s=720),
            point("C2", kind="container", volume_m3=4.0, service_s=720)]
    xs = [250 * (i % 4) + 400 for i in range(16)] + [3000, 3300]
    ys = [250 * (i // 4) for i in range(16)] + [500, -500]
    fleet = [vehicle("DT-01"), vehicle("DT-02"),
             vehicle("AR-01", serves=("container",), containers_per_trip=1, max_trips=2)]
    return make_problem(xs, pts, fleet, ys=ys, landfill_x=-2000)


def _routes(sol):  # type: ignore[no-untyped-def]
    return [[v.id for v in r.visits] for r in sol.routes]


@pytest.mark.parametrize("engine", ["hybrid", "pyvrp", "ortools"])
def test_every_engine_gives_a_checked_plan_that_says_which_engine_made_it(engine: str) -> None:
    sol = solve(_day(), dataclasses.replace(BOUNDED, engine=engine))
    sol.validate()
    assert not sol.unassigned
    assert sol.engine == engine
    assert sol.fleet_kpis()["engine"] == engine
    assert f"({engine}: " in sol.summary()


def test_hybrid_is_reproducible_when_bounded_by_solutions_and_iterations() -> None:
    one, two = solve(_day(), BOUNDED), solve(_day(), BOUNDED)
    assert _routes(one) == _routes(two) and one.objective == two.objective


def test_two_pyvrp_searches_side_by_side_keep_the_better_and_stay_reproducible() -> None:
    params = dataclasses.replace(BOUNDED, num_workers=2)
    one, two = solve(_day(), params), solve(_day(), params)
    one.validate()
    assert _routes(one) == _routes(two)


def test_an_over_full_day_falls_back_to_ortools_which_names_what_it_leaves_out() -> None:
    """Six 5 m³ points, one 6 m³ truck with 3 trips: PyVRP cannot serve all, OR-Tools picks 3."""
    pts = [point(f"P{i}", volume_m3=5.0) for i in range(6)]
    prob = make_problem([1000 + 10 * i for i in range(6)], pts, [vehicle("DT-0")])
    sol = solve(prob, BOUNDED)
    sol.validate()
    assert sol.engine == "hybrid" and len(sol.unassigned) == 3
    assert all("18 m³" in why for why in sol.unassigned.values())


def test_unknown_engine_and_bad_shares_are_refused() -> None:
    with pytest.raises(InputError, match="engine 'cplex' must be one of hybrid, ortools, pyvrp"):
        SolverParams(engine="cplex")
    with pytest.raises(InputError, match="pyvrp_share"):
        SolverParams(pyvrp_share=1.5)


def test_the_command_line_chooses_the_engine() -> None:
    from wasteroute.cli import _scenario, build_parser

    from pathlib import Path

    scenario = ["--scenario", str(Path(__file__).parent / "data" / "aguascalientes" / "scenario.toml")]
    assert _scenario(build_parser().parse_args(scenario)).solver.engine == "hybrid"
    assert _scenario(build_parser().parse_args([*scenario, "--engine", "ortools"])).solver.engine == "ortools"
    with pytest.raises(SystemExit):
        build_parser().parse_args([*scenario, "--engine", "gurobi"])


@pytest.mark.parametrize("engine", ["ortools", "hybrid", "pyvrp"])
def test_same_seed_and_limits_give_the_same_plan_json_on_a_busy_machine(engine: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Bounded by solutions (OR-Tools) and iterations (PyVRP), no clock decides: the second run,
    made while another process keeps a core busy, writes the same plan.json byte for byte (with
    the run's wall time, ``solve_s``, the one figure measured on the clock, set to 0 in both)."""
    import subprocess
    import sys

    params = dataclasses.replace(BOUNDED, engine=engine, seed=3)
    def plan_json(name: str) -> bytes:
        sol = dataclasses.replace(solve(_day(), params), solve_s=0.0)
        return sol.to_json(tmp_path / name).read_bytes()

    first = plan_json("one.json")
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        second = plan_json("two.json")
    finally:
        busy.kill()
        busy.wait()
    assert first == second


def test_hybrid_leaves_days_with_limits_pyvrp_cannot_hold_to_ortools(caplog) -> None:  # type: ignore[no-untyped-def]
    import logging

    from wasteroute.hybrid import pyvrp_cannot_hold

    day = _day()
    assert pyvrp_cannot_hold(day) == []
    capped = day.replace(vehicles=tuple(dataclasses.replace(v, max_stops=12) if v.id == "DT-01" else v
                                        for v in day.vehicles))
    assert pyvrp_cannot_hold(capped) == ["stops per day"]
    with caplog.at_level(logging.INFO, logger="wasteroute"):
        sol = solve(capped, BOUNDED)
    sol.validate()
    assert not sol.unassigned
    assert sol.engine == "ortools"
    assert any("OR-Tools searches alone" in r.message for r in caplog.records)
    assert len(sol.route_of("DT-01").stops) <= 12


def test_small_loads_go_to_pyvrp_exactly_so_a_tight_day_stays_feasible() -> None:
    """Loads of a few litres (the benchmark sets' integer demands) must not be rounded up to
    units of 10: four 5-litre points on two 10-litre trucks, one trip each, fit exactly; in
    units of 10 each point would fill a truck and PyVRP found no plan (X-n120-k6)."""
    from wasteroute.pyvrp_model import _load_unit, solve_pyvrp

    pts = [dataclasses.replace(point(f"P{i}"), demand_l=5) for i in range(4)]
    fleet = [dataclasses.replace(vehicle(f"DT-0{i}", max_trips=1), capacity_l=10) for i in (1, 2)]
    prob = make_problem([1000, 1100, 2000, 2100], pts, fleet, landfill_x=3000)
    assert _load_unit(prob) == 5
    res = solve_pyvrp(prob, SolverParams(time_limit_s=5, seed=0), max_iterations=200)
    assert res.feasible and not res.unassigned
    assert sorted(len([i for i in r if i.startswith("P")]) for r in res.routes) == [2, 2]
    odd = dataclasses.replace(prob, points=tuple(dataclasses.replace(p, demand_l=3) for p in pts))
    assert _load_unit(odd) == 1
    kupang_like = dataclasses.replace(prob, points=tuple(dataclasses.replace(p, demand_l=2500 + 7 * i)
                                                         for i, p in enumerate(pts)),
                                      vehicles=tuple(dataclasses.replace(v, capacity_l=6000) for v in fleet))
    assert _load_unit(kupang_like) == 10


def test_pyvrp_gets_nearly_all_the_time_on_a_day_its_model_holds_exactly(caplog) -> None:  # type: ignore[no-untyped-def]
    """No break, no stops or daily load limits, one landfill: PyVRP's plan needs no repair, so
    the hybrid gives it 95 % of the budget; a day with a break keeps ``pyvrp_share``."""
    from problem_factory import NO_BREAK

    from wasteroute.config import Shift
    from wasteroute.pyvrp_model import relaxed_rules

    pts = [point(f"P{i}") for i in range(4)]
    exact = make_problem([1000, 2000, 3000, 4000], pts, [vehicle("DT-01", shift=NO_BREAK)])
    params = SolverParams(time_limit_s=2, seed=0)
    assert relaxed_rules(exact, params) == []
    with_break = dataclasses.replace(
        exact, vehicles=tuple(dataclasses.replace(v, shift=Shift()) for v in exact.vehicles))
    assert relaxed_rules(with_break, params) == ["breaks"]
    assert "workload balance terms" in relaxed_rules(exact, dataclasses.replace(params, span_cost_coefficient=1))
    odd = dataclasses.replace(exact, points=tuple(dataclasses.replace(p, demand_l=1003) for p in pts))
    assert relaxed_rules(odd, params) == ["loads rounded to 5 L"]
    with caplog.at_level("INFO", logger="wasteroute"):
        sol = solve(exact, params)
    sol.validate()
    assert "PyVRP gets 95 % of the budget" in caplog.text
    caplog.clear()
    with caplog.at_level("INFO", logger="wasteroute"):
        solve(with_break, params).validate()
    assert "PyVRP gets" not in caplog.text


def test_a_large_day_pyvrp_holds_exactly_stays_in_one_piece(caplog) -> None:  # type: ignore[no-untyped-def]
    """Above ``decompose_above`` a day goes by area, unless the engine is the hybrid and PyVRP's
    model holds every rule (areas cost CVRPLIB X 0.4-1.9 points); OR-Tools alone still splits."""
    from problem_factory import NO_BREAK

    from wasteroute.search import whole_for_pyvrp

    pts = [point(f"P{i}") for i in range(8)]
    prob = make_problem([500 * (i + 1) for i in range(8)], pts,
                        [vehicle("DT-01", shift=NO_BREAK), vehicle("DT-02", shift=NO_BREAK)])
    params = SolverParams(time_limit_s=3, seed=0, decompose_above=5, area_max_points=4)
    assert whole_for_pyvrp(prob, params)
    assert not whole_for_pyvrp(prob, dataclasses.replace(params, engine="ortools"))
    with caplog.at_level("INFO", logger="wasteroute"):
        sol = solve(prob, params)
    sol.validate()
    assert not sol.unassigned and sol.engine == "hybrid"
    assert "8 points in one piece" in caplog.text and "area 1/" not in caplog.text
    caplog.clear()
    with caplog.at_level("INFO", logger="wasteroute"):
        solve(prob, dataclasses.replace(params, engine="ortools")).validate()
    assert "area 1/" in caplog.text
