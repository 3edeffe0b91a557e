"""Solution: structure, KPIs, the independent validator, exports."""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

import pytest
from problem_factory import make_problem, point, vehicle

from wasteroute.config import SolverParams
from wasteroute.errors import ValidationError
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
    assert (sol.to_csv(tmp_path / "v.csv")).read_text().startswith("# Street network is SYNTHETIC")
    assert "SYNTHETIC" in json.loads(sol.to_geojson(tmp_path / "g.geojson").read_text())["properties"]["notice"]
