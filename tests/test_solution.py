"""Solution: structure, KPIs, the independent validator, exports."""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest
from problem_factory import make_problem, point, vehicle

from wasteroute.config import Shift, SolverParams
from wasteroute.errors import ValidationError
from wasteroute.solution import Break
from wasteroute.solver import solve

FAST = SolverParams(time_limit_s=10, solution_limit=50)


def _two_trip_solution():  # type: ignore[no-untyped-def]
    pts = [point(f"P{i}", volume_m3=2.5, service_s=300) for i in range(4)]
    return solve(make_problem([1000, 1200, 1400, 1600], pts, [vehicle("DT-01")], landfill_x=4000), FAST)


def test_kpis_by_hand() -> None:
    """Four 2.5 m³ points: two trips; km, m³, tonnes, fuel follow from the route."""
    sol = _two_trip_solution()
    sol.validate()
    k = sol.kpis().set_index("truck").loc["DT-01"]
    route = sol.route_of("DT-01")
    assert k["trips"] == 2 and k["stops"] == 4 and k["m3"] == 10.0 and k["tonnes"] == 2.5
    assert k["km"] == pytest.approx(route.distance_m / 1000, abs=0.01)
    handling_h = (4 * 300 + 2 * 600) / 3600
    assert k["fuel_l"] == pytest.approx(route.distance_m / 1000 / 4.0 + 1.5 * handling_h, abs=0.05)
    f = sol.fleet_kpis()
    assert f["co2_kg"] == pytest.approx(f["fuel_l"] * 2.68, abs=0.1)
    assert f["tonnes_per_trip"] == 1.25


def _tampered(sol, route_fn):  # type: ignore[no-untyped-def]
    r = sol.routes[0]
    return dataclasses.replace(sol, routes=(route_fn(r), *sol.routes[1:]))


def test_validate_catches_overload_and_missing_landfill() -> None:
    sol = _two_trip_solution()
    # drop the first landfill visit: 4 x 2.5 m³ on one 6 m³ load
    visits = tuple(v for i, v in enumerate(sol.routes[0].visits) if not (v.kind == "landfill" and i < 5))
    bad = _tampered(sol, lambda r: dataclasses.replace(r, visits=visits))
    with pytest.raises(ValidationError, match="above capacity"):
        bad.validate()
    # drop the last landfill visit: the route ends loaded
    visits = sol.routes[0].visits[:-2] + sol.routes[0].visits[-1:]
    bad = _tampered(sol, lambda r: dataclasses.replace(r, visits=visits))
    with pytest.raises(ValidationError, match="last stop before the depot is P"):
        bad.validate()


def test_validate_catches_lost_points_and_time_travel() -> None:
    sol = _two_trip_solution()
    lost = dataclasses.replace(sol, routes=(dataclasses.replace(
        sol.routes[0], visits=tuple(v for v in sol.routes[0].visits if v.id != "P0")),))
    with pytest.raises(ValidationError, match="point P0 is neither in a route nor in unassigned"):
        lost.validate()
    visits = list(sol.routes[0].visits)
    visits[2] = dataclasses.replace(visits[2], start_s=visits[1].start_s)
    bad = _tampered(sol, lambda r: dataclasses.replace(r, visits=tuple(visits)))
    with pytest.raises(ValidationError, match="before it can arrive"):
        bad.validate()


def test_exports(ag_solution, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sol = ag_solution
    doc = json.loads(sol.to_json(tmp_path / "plan.json").read_text())
    assert doc["attribution"] == "© OpenStreetMap contributors"
    assert doc["summary"]["points_served"] == sum(len(r.stops) for r in sol.routes)
    steps = [s for r in doc["routes"] for s in r["steps"]]
    assert {s["kind"] for s in steps} == {"depot", "point", "landfill"}
    assert [u["id"] for u in doc["unassigned"]] == sorted(sol.unassigned)
    sol.to_csv(tmp_path / "v.csv")
    rows = list(csv.DictReader((tmp_path / "v.csv").open()))
    assert len(rows) == sum(len(r.visits) for r in sol.used_routes())
    gj = json.loads(sol.to_geojson(tmp_path / "r.geojson").read_text())
    lines = [f for f in gj["features"] if f["geometry"]["type"] == "LineString"]
    assert len(lines) == len(sol.used_routes())
    for f in lines:  # drawn along the streets: many more vertices than stops
        route = sol.route_of(f["properties"]["truck"])
        assert len(f["geometry"]["coordinates"]) > 2 * len(route.visits)
    grey = [f for f in gj["features"] if f["properties"].get("status") == "unassigned"]
    assert len(grey) == len(sol.unassigned) and all(f["properties"]["reason"] for f in grey)


def test_synthetic_network_labels_every_export(ag_solution, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sol = dataclasses.replace(ag_solution, problem=ag_solution.problem.replace(synthetic_network=True))
    assert sol.summary().startswith("NOTICE: Street network is SYNTHETIC")
    assert json.loads(sol.to_json(tmp_path / "p.json").read_text())["synthetic_network"] is True
    frame = pd.read_csv(sol.to_csv(tmp_path / "v.csv"))  # a plain table: the header is the header
    assert frame.columns[0] == "truck" and frame["data_notice"].str.startswith("Street network is SYNTHETIC").all()
    assert "SYNTHETIC" in json.loads(sol.to_geojson(tmp_path / "g.geojson").read_text())["properties"]["notice"]


def test_validate_rederives_loads_and_legs_from_the_matrix() -> None:
    """A stored load of 99 m³ or a leg of 10,000 km is caught, naming the truck and the step."""
    sol = _two_trip_solution()
    visits = list(sol.routes[0].visits)
    visits[2] = dataclasses.replace(visits[2], load_after_l=99_000)
    bad = _tampered(sol, lambda r: dataclasses.replace(r, visits=tuple(visits)))
    with pytest.raises(ValidationError, match=rf"DT-01 step 2 \({visits[2].id}\): load after 99.000 m³, but its "
                                              r"stops add up to 5.000 m³"):
        bad.validate()
    visits = list(sol.routes[0].visits)
    visits[3] = dataclasses.replace(visits[3], leg_distance_m=10_000_000)
    bad = _tampered(sol, lambda r: dataclasses.replace(r, visits=tuple(visits)))
    with pytest.raises(ValidationError, match=rf"DT-01 step 3 \({visits[3].id}\): leg distance 10,000.000 km"):
        bad.validate()
    visits = list(sol.routes[0].visits)
    visits[1] = dataclasses.replace(visits[1], arrival_s=visits[1].arrival_s - 600)
    bad = _tampered(sol, lambda r: dataclasses.replace(r, visits=tuple(visits)))
    with pytest.raises(ValidationError, match=r"DT-01 step 1 \(P\d\): arrival .* but the drive gives"):
        bad.validate()


#: A break of 30 min between 05:20 and 05:40 (latest start).
EARLY_BREAK = Shift(start_s=5 * 3600, end_s=12 * 3600, break_duration_s=1800,
                    break_earliest_s=5 * 3600 + 1200, break_latest_s=5 * 3600 + 2400)


def _break_solution(shift: Shift = EARLY_BREAK):  # type: ignore[no-untyped-def]
    """One truck, four 15-minute stops 50-200 s apart: its work runs past 06:00."""
    pts = [point(f"P{i}", service_s=900) for i in range(4)]
    return solve(make_problem([500, 1000, 1500, 2000], pts, [vehicle("DT-01", shift=shift)]), FAST)


def test_a_route_that_reaches_its_break_window_holds_its_break() -> None:
    sol = _break_solution()
    sol.validate()
    route = sol.route_of("DT-01")
    assert route.break_ is not None and route.start_s < route.break_.start_s < route.end_s
    no_break = _tampered(sol, lambda r: dataclasses.replace(r, break_=None))
    with pytest.raises(ValidationError, match=r"DT-01: works until \d\d:\d\d, into its break window "
                                              r"05:20-05:40, but takes no break"):
        no_break.validate()
    after = _tampered(sol, lambda r: dataclasses.replace(r, break_=Break(r.end_s, 1800)))
    with pytest.raises(ValidationError, match="after the truck is back at the depot"):
        after.validate()


def test_a_route_that_ends_inside_the_window_holds_its_break() -> None:
    """Window 05:20-07:30 and about 80 min of work: the break may not sit after the return."""
    wide = dataclasses.replace(EARLY_BREAK, break_latest_s=7 * 3600 + 1800)
    sol = _break_solution(wide)
    sol.validate()
    route = sol.route_of("DT-01")
    assert route.break_ is not None and route.break_.end_s <= route.end_s


def test_a_route_that_ends_before_its_break_window_takes_no_break() -> None:
    """Window 10:00-11:00; the truck is back long before: no break in the plan or its exports."""
    late = dataclasses.replace(EARLY_BREAK, break_earliest_s=10 * 3600, break_latest_s=11 * 3600)
    sol = _break_solution(late)
    sol.validate()
    route = sol.route_of("DT-01")
    assert route.end_s < 10 * 3600
    assert route.break_ is None
    assert sol.to_dict()["routes"][0]["break"] is None
    phantom = _tampered(sol, lambda r: dataclasses.replace(r, break_=Break(10 * 3600, 1800)))
    with pytest.raises(ValidationError, match="DT-01: back at .*, before its break window 10:00-11:00"):
        phantom.validate()


def test_plan_json_stores_the_break_in_seconds() -> None:
    sol = _break_solution()
    route = sol.route_of("DT-01")
    assert route.break_ is not None
    brk = sol.to_dict()["routes"][0]["break"]
    assert (brk["start_s"], brk["end_s"], brk["duration_s"]) == (route.break_.start_s, route.break_.end_s, 1800)


def test_the_arrival_after_a_break_on_the_drive_counts_the_break() -> None:
    """The stop reached after a break on the way arrives after the break (plan.json = sheet)."""
    sol = _break_solution()
    route = sol.route_of("DT-01")
    brk = route.break_
    assert brk is not None
    for a, b in zip(route.visits, route.visits[1:]):
        if a.departure_s <= brk.start_s < a.departure_s + b.leg_time_s:
            assert b.arrival_s == a.departure_s + b.leg_time_s + brk.duration_s
            break
        if a.departure_s <= brk.start_s and brk.end_s <= b.start_s:  # taken at b, while waiting
            assert b.arrival_s == a.departure_s + b.leg_time_s
            break
    else:
        raise AssertionError("the break is on no leg")


def test_csv_neutralises_spreadsheet_formulas(tmp_path: Path) -> None:
    """OWASP CSV injection: a point named like a formula is written with a leading apostrophe."""
    names = ['=HYPERLINK("http://x")', "@SUM(A1)", "+1", "-2", "\tTab", "Bak depan Pasar"]
    pts = [dataclasses.replace(point(f"P{i}"), name=n) for i, n in enumerate(names)]
    sol = solve(make_problem([100 * (i + 1) for i in range(len(pts))], pts, [vehicle("DT-01")]), FAST)
    rows = list(csv.DictReader(sol.to_csv(tmp_path / "v.csv").open(encoding="utf-8")))
    got = {r["id"]: r["name"] for r in rows if r["kind"] == "point"}
    assert got == {f"P{i}": ("'" + n if i < 5 else n) for i, n in enumerate(names)}
    assert rows[0]["data_notice"] == ""  # real network: the column is there, empty
    first = (tmp_path / "v.csv").read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("truck,seq,kind,id,name")


def test_overflow_of_a_container_is_reported_with_its_visit(tmp_path: Path) -> None:
    """A container filled beyond its size is lifted whole: the rest is overflow, in every export."""
    pts = [dataclasses.replace(point("C1", kind="container", volume_m3=6.0), overflow_m3=0.48),
           point("C2", kind="container", volume_m3=4.0)]
    truck = vehicle("AR-01", serves=("container",), containers_per_trip=1, max_trips=2)
    sol = solve(make_problem([300, 600], pts, [truck]), FAST)
    sol.validate()
    assert not sol.unassigned
    assert sol.fleet_kpis()["overflow_m3"] == 0.5
    assert "OVERFLOW: 0.5 m³ left at 1 container(s)" in sol.summary()
    steps = {s["id"]: s for r in sol.to_dict()["routes"] for s in r["steps"]}
    assert steps["C1"]["overflow_m3"] == 0.48 and steps["C2"]["overflow_m3"] == 0.0
    frame = pd.read_csv(sol.to_csv(tmp_path / "v.csv"))
    assert frame.set_index("id").loc["C1", "overflow_m3"] == 0.48


def test_fleet_km_and_hours_come_from_exact_sums_not_rounded_truck_figures() -> None:
    """Forty trucks each driving 1,004 m: per-truck 1.0 km rounded, 40.2 km in all (not 40.0)."""
    from problem_factory import make_problem, point, vehicle

    from wasteroute.solution import Route, Solution, build_visits

    prob = make_problem([502] * 40, [point(f"P{i}", volume_m3=0.1) for i in range(40)],
                        [vehicle(f"DT-{i:02d}") for i in range(40)], landfill_x=502)
    routes = []
    for k, v in enumerate(prob.vehicles):
        seq = [(0, 18000), (2 + k, 18050), (1, 18160), (0, 19000)]
        routes.append(Route(v, build_visits(prob, v, seq), None))
    sol = Solution(problem=prob, routes=tuple(routes), unassigned={})
    assert sol.fleet_kpis()["km"] == round(40 * 1004 / 1000, 1) == 40.2
