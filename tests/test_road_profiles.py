"""Each vehicle type routes on the roads it may use (issue 16 §2): road profiles, the matrices,
both engines, the reasons and the outputs.

Fixture: ``tests/data/restricted_town`` (HAND-MADE): a street grid, an island reached only over
the bridge "Jembatan Kecil" (``maxweight=7``) and a low underpass on Gang 1 (``maxheight=3.0``);
a 16 t, 3.2 m dump truck and a 3 t, 2.5 m light truck; ``P-ISLAND`` is on the island.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
from pathlib import Path

import networkx as nx
import pytest

from wasteroute.config import Fleet, VehicleType
from wasteroute.errors import InputError
from wasteroute.geometry import route_coords
from wasteroute.network import graph_from_file
from wasteroute.problem import BLOCKED_S
from wasteroute.road_profiles import build_profiles, restriction_groups
from wasteroute.scenario import Scenario, clear_caches
from wasteroute.search import solve

TOWN = Path(__file__).parent / "data" / "restricted_town"
DAY = dt.date(2026, 11, 24)
BRIDGE = "maxweight 7.00 t < truck weight 16 t on Jembatan Kecil"


def town(**fleet_changes: object) -> Scenario:
    sc = Scenario.from_toml(TOWN / "scenario.toml").replace(date=DAY)
    return sc.replace(fleet=dataclasses.replace(sc.fleet, **fleet_changes)) if fleet_changes else sc


def dump_only() -> Scenario:
    sc = town()
    return sc.replace(fleet=dataclasses.replace(sc.fleet, types=sc.fleet.types[:1]))


@pytest.fixture(autouse=True)
def _fresh() -> object:
    """Fresh caches; afterwards the wasteroute logger as it was (``main`` points it at stderr)."""
    clear_caches()
    yield
    logger = logging.getLogger("wasteroute")
    logger.handlers[:] = []
    logger.propagate = True
    logger.setLevel(logging.NOTSET)


def test_a_point_only_over_a_7t_bridge_is_unassigned_for_a_16t_fleet_with_the_tag_and_street() -> None:
    sol = dump_only().solve()
    assert sol.unassigned == {"P-ISLAND": f"restricted roads: closed to dump: {BRIDGE}"}
    served = {v.id for r in sol.used_routes() for v in r.stops}
    assert served == {"P-MAIN", "P-GANG"}
    sol.validate()  # raises on any broken rule, km from each truck's own matrix included


@pytest.mark.parametrize("engine", ["ortools", "pyvrp", "hybrid"])
def test_the_light_truck_serves_the_island_and_the_dump_truck_never_crosses_the_bridge(engine: str) -> None:
    sc = town()
    problem = sc.build()
    assert problem.num_profiles == 2
    assert {v.type_name: v.profile for v in problem.vehicles} == {"light": 0, "dump": 1}
    assert problem.restricted == {"P-ISLAND": f"closed to dump: {BRIDGE}"}
    island = next(p for p in problem.points if p.id == "P-ISLAND")
    assert island.blocked_profiles == (1,)
    loc = problem.point_location(problem.points.index(island))
    assert problem.profile_time_s[0][0, loc] == BLOCKED_S
    sol = solve(problem, dataclasses.replace(sc.solver, engine=engine, time_limit_s=5))
    sol = dataclasses.replace(sol, graph=sc.load_network().graph)
    assert sol.unassigned == {}
    by_point = {v.id: r.vehicle.type_name for r in sol.used_routes() for v in r.stops}
    assert by_point["P-ISLAND"] == "light"
    sol.validate()  # raises on any broken rule, km from each truck's own matrix included
    for r in sol.used_routes():
        on_island = any(lon > 123.6045 for lon, _ in route_coords(sol, r))
        assert on_island == (r.vehicle.type_name == "light")


def test_the_dump_truck_drives_around_the_low_underpass_and_its_km_are_its_own() -> None:
    """From Jalan A x Gang 1 to Jalan B x Gang 1: the light truck takes Gang 1 under the 3.0 m
    underpass (110 m), the 3.2 m dump truck goes round (330 m); the km follow the path."""
    sc = town()
    graph = sc.load_network().graph
    nodes = [_node_at(graph, 1, 0), _node_at(graph, 1, 1)]
    profiles_ = build_profiles(graph, sc.fleet.types, ["A", "B"], nodes)
    light, dump = profiles_.matrices
    assert profiles_.type_profile == {"light": 0, "dump": 1}
    assert light.dist_m[0, 1] == pytest.approx(111, abs=2)
    assert dump.dist_m[0, 1] == pytest.approx(3 * 111, abs=5)
    for matrix, gang1 in ((light, True), (dump, False)):
        path = matrix.node_path(0, 1)
        names = {graph.edges[u, v, 0].get("name") for u, v in zip(path, path[1:])}
        assert ("Gang 1" in names) == gang1
        length = sum(graph.edges[u, v, 0]["length"] for u, v in zip(path, path[1:]))
        assert matrix.dist_m[0, 1] == round(length)


def _node_at(graph: nx.MultiDiGraph, x: int, y: int) -> int:
    lon, lat = 123.6 + x * 0.001, -10.17 + y * 0.001
    return min(graph.nodes, key=lambda n: (graph.nodes[n]["x"] - lon) ** 2 + (graph.nodes[n]["y"] - lat) ** 2)


def test_types_with_the_same_closed_roads_share_one_matrix(caplog: pytest.LogCaptureFixture) -> None:
    """A 12 t and a 16 t truck both exceed the 7 t bridge and the 3.0 m underpass: one profile."""
    caplog.set_level(logging.INFO, logger="wasteroute")
    graph = graph_from_file(TOWN / "town.osm")
    a = VehicleType(name="dump", count=1, capacity_m3=6.0, serves=("bak",), weight_t=12.0)
    b = dataclasses.replace(a, name="armroll", weight_t=16.0, serves=("container",), containers_per_trip=1)
    groups, closed = restriction_groups(graph, [a, b])
    assert groups == [["dump", "armroll"]]
    nodes = [_node_at(graph, 0, 0), _node_at(graph, 3, 2)]
    profiles_ = build_profiles(graph, [a, b], ["DEPOT", "LANDFILL"], nodes)
    assert len(profiles_.matrices) == 1
    assert profiles_.type_profile == {"dump": 0, "armroll": 0}
    assert "road profiles: dump, armroll: 4 edges closed" in caplog.text
    assert caplog.text.count("matrix 2×2") == 1


def test_no_restriction_on_the_graph_means_one_matrix_on_every_road() -> None:
    graph = graph_from_file(TOWN / "town.osm")
    van = VehicleType(name="van", count=1, capacity_m3=2.0, serves=("bak",), height_m=2.0, weight_t=3.0,
                      axle_load_t=2.0, length_m=5.0)
    nodes = [_node_at(graph, 0, 0), _node_at(graph, 6, 1)]
    profiles_ = build_profiles(graph, [van, dataclasses.replace(van, name="van2")], ["A", "B"], nodes)
    assert len(profiles_.matrices) == 1 and profiles_.closed == ({},)
    off = build_profiles(graph, [dataclasses.replace(van, weight_t=30.0)], ["A", "B"], nodes, enabled=False)
    assert off.closed == ({},) and off.matrices[0].time_s[0, 1] < 10**6


def test_a_landfill_on_the_island_is_an_input_error_naming_the_type_facility_and_fix() -> None:
    sc = town()
    lf = sc.facilities.landfills[0]
    island_lf = dataclasses.replace(lf, lon=123.6050, lat=-10.1690)
    sc = sc.replace(facilities=dataclasses.replace(sc.facilities, landfills=(island_lf,)))
    with pytest.raises(InputError, match="1 facility.* closed to a vehicle type") as err:
        sc.build()
    (problem,) = err.value.problems
    assert problem.startswith("vehicle type(s) dump cannot drive between depot DEPOT and facility LANDFILL")
    assert BRIDGE in problem and "weight_t" in problem and "truck_restrictions = false" in problem


def test_truck_restrictions_off_lets_the_dump_truck_cross() -> None:
    sc = dump_only()
    sc = sc.replace(network=dataclasses.replace(sc.network, truck_restrictions=False))
    sol = sc.solve()
    assert sol.unassigned == {}


def test_a_dropped_point_names_the_type_kept_off_its_roads() -> None:
    """The light truck is broken today: the island is left out, and the reason says why the
    dump truck could not take it."""
    sc = town()
    sc = sc.replace(fleet=sc.fleet.with_unavailable(["LT-01"]))
    sol = sc.solve()
    assert sol.unassigned["P-ISLAND"].startswith("restricted roads: every truck type of kind 'bak'")
    assert BRIDGE in sol.unassigned["P-ISLAND"]


def test_outputs_draw_each_truck_on_its_roads_and_km_agree(tmp_path: Path) -> None:
    """plan.json and the GeoJSON line: the same km per truck (the legs of its own roads); the
    dump truck's line never reaches the island, the light truck's does."""
    from wasteroute.outputs import write_all

    sol = town().solve()
    write_all(sol, tmp_path / "out", language="en", sheets=False)
    plan = json.loads((tmp_path / "out" / "plan.json").read_text())
    lines = {f["properties"]["truck"]: f for f in json.loads((tmp_path / "out" / "routes.geojson").read_text())["features"]
             if f["geometry"]["type"] == "LineString"}
    assert set(lines) == {"DT-01", "LT-01"}
    for r in plan["routes"]:
        km = sum(step["leg_distance_m"] for step in r["steps"]) / 1000
        line = lines[r["truck"]]
        assert line["properties"]["km"] == pytest.approx(km, abs=0.006)
        on_island = any(lon > 123.6045 for lon, _ in line["geometry"]["coordinates"])
        assert on_island == (r["type"] == "light")


def test_fleet_sizes_are_settings_with_kupang_defaults() -> None:
    fleet = Fleet.from_toml(Path(__file__).parents[1] / "data" / "kupang" / "fleet.toml")
    sizes = {t.name: (t.height_m, t.weight_t, t.axle_load_t, t.length_m) for t in fleet.types}
    assert 10 <= sizes["dump"][1] <= 16 and 16 <= sizes["armroll"][1] <= 26


@pytest.mark.parametrize("where", [{"point": "P-ISLAND"}, {"lon": 123.6060, "lat": -10.1690}])
def test_a_complaint_on_the_island_goes_to_the_light_truck_in_a_replan(where: dict[str, object]) -> None:
    """A complaint pickup on the island at 05:10 (at the island point, or at lon/lat): the
    re-plan keeps it off the 16 t truck, whose matrix cannot reach it."""
    from wasteroute.replan import replan
    from wasteroute.replan_inputs import Complaint

    sc = town()
    problem = sc.build()
    morning = dataclasses.replace(solve(problem, sc.solver), graph=sc.load_network().graph)
    c = Complaint(id="ADU-1", latest_s=11 * 3600, volume_m3=0.3, **where)  # type: ignore[arg-type]
    rp = replan(problem, morning, "05:10", added=[c], params=sc.solver, graph=morning.graph)
    added = next(p for p in rp.solution.problem.points if p.id == "ADU-1")
    assert added.blocked_profiles == (1,)
    by_point = {v.id: r.vehicle.type_name for r in rp.solution.used_routes() for v in r.stops}
    assert by_point["ADU-1"] == "light"
    rp.solution.validate()


def test_rounds_that_send_the_16t_truck_over_the_bridge_break_the_restricted_road_rule(tmp_path: Path) -> None:
    """The crews' own rounds are judged on each truck's roads: the dump truck sent to the island
    breaks the rule, named with the tag and the street; validate() finds the same."""
    from wasteroute.evaluate import evaluate, label

    sc = town()
    problem = sc.build()
    rounds = tmp_path / "rounds.csv"
    rounds.write_text("truck,sequence,point\nDT-01,1,P-ISLAND\nDT-01,2,P-MAIN\nLT-01,1,P-GANG\n")
    ev = evaluate(problem, rounds, graph=sc.load_network().graph)
    found = [f for f in ev.findings if f.kind == "restricted_road"]
    assert [(f.truck, f.point) for f in found] == [("DT-01", "P-ISLAND")]
    assert BRIDGE in found[0].message
    assert label("restricted_road", "en") == "restricted road"


def test_the_summary_says_which_types_share_roads_and_which_points_are_closed(capsys: pytest.CaptureFixture[str]) -> None:
    from wasteroute.cli import main

    assert main(["--scenario", str(TOWN / "scenario.toml"), "--date", "2026-11-24", "--summary", "-q"]) == 0
    out = capsys.readouterr().out
    assert "roads: 2 road profiles" in out and "profile 0: light" in out and "profile 1: dump" in out
    assert f"P-ISLAND   closed to dump: {BRIDGE}" in out
