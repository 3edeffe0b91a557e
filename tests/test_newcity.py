"""A new city in minutes (issue 16 §3): ``--new-city``, ``--check-points``, ``--summary`` of a
new folder, time zone, speed profiles and facilities off the road network.

The cities are the real OSM extracts in ``tests/data/osm``; points and facility locations are
generated here from the extract's own streets (GENERATED test data, not real collection points).
"""

from __future__ import annotations

import logging
import re
import sys
import tomllib
from pathlib import Path

import networkx as nx
import pytest

from wasteroute import newcity
from wasteroute.cli import main
from wasteroute.config import EmissionSettings, NetworkSettings, ServiceSettings, SolverParams
from wasteroute.errors import InputError
from wasteroute.network import graph_from_file
from wasteroute.scenario import Scenario, clear_caches

OSM = Path(__file__).parent / "data" / "osm"
BAD = Path(__file__).parent / "data" / "bad" / "points_many_errors.csv"
AG_POINTS = Path(__file__).parent / "data" / "aguascalientes" / "points_generated.csv"
TIMEZONES = {"aguascalientes_mx": "America/Mexico_City", "campo_grande_br_clean": "America/Campo_Grande",
             "west_oakland_us": "America/Los_Angeles"}


@pytest.fixture(autouse=True)
def _quiet_logger() -> object:
    """``main`` points the wasteroute logger at the stderr of its test; drop it afterwards."""
    yield
    logger = logging.getLogger("wasteroute")
    logger.handlers[:] = []
    logger.propagate = True
    logger.setLevel(logging.NOTSET)


def _largest_component(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    nodes = max(nx.strongly_connected_components(G), key=len)
    return G.subgraph(nodes).copy()


def _fill_in(folder: Path, osm: Path, *, n_points: int, step: int = 7) -> None:
    """Make a new-city folder plannable: facilities on two far-apart nodes, GENERATED points on
    edge midpoints of the largest strongly connected part, and the time zone."""
    G = _largest_component(graph_from_file(osm))
    nodes = sorted(G.nodes)
    depot, landfill = G.nodes[nodes[0]], G.nodes[nodes[len(nodes) // 2]]
    fac = (folder / "facilities.toml").read_text(encoding="utf-8")
    coords = iter([depot["x"], depot["y"], landfill["x"], landfill["y"]])
    fac = re.sub(r"^(lon|lat) = .*$", lambda m: f"{m[1]} = {next(coords):.7f}", fac, flags=re.M)
    fac = fac.replace('note = "TEMPLATE', 'note = "GENERATED for tests')
    (folder / "facilities.toml").write_text(fac, encoding="utf-8")
    edges = sorted((u, v) for u, v, _ in G.edges(keys=True) if u != v)[::step][:n_points]
    rows = [",".join(newcity.POINTS_HEADER)]
    kinds = ("bak", "roadside", "container")
    for i, (u, v) in enumerate(edges):
        lon = (G.nodes[u]["x"] + G.nodes[v]["x"]) / 2
        lat = (G.nodes[u]["y"] + G.nodes[v]["y"]) / 2
        rows.append(f"P{i:03d},generated {i},,,{lon:.7f},{lat:.7f},{kinds[i % 3]},0.8,,,,daily")
    (folder / "points.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    scenario = (folder / "scenario.toml").read_text(encoding="utf-8")
    scenario = scenario.replace('# timezone = "Area/City"', f'timezone = "{TIMEZONES[osm.name.split(".")[0]]}"')
    (folder / "scenario.toml").write_text(scenario, encoding="utf-8")


def test_new_city_writes_every_file_and_says_what_is_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "ags"
    assert main(["--new-city", str(folder), "--osm-file", str(OSM / "aguascalientes_mx.osm.bz2")]) == 0
    assert sorted(p.name for p in folder.iterdir()) == [
        "README.md", "facilities.toml", "fleet.toml", "points.csv", "scenario.toml"]
    assert (folder / "points.csv").read_text(encoding="utf-8").strip() == ",".join(newcity.POINTS_HEADER)
    capsys.readouterr()
    assert main(["--scenario", str(folder / "scenario.toml"), "--summary"]) == 2
    out = capsys.readouterr().out
    assert "still missing" in out
    assert "depot DEPOT still has the template's lon/lat" in out
    assert "landfill LANDFILL still has the template's lon/lat" in out
    assert "timezone: not set" in out or "timezonefinder" in sys.modules
    assert "has a header but no points yet" in out
    assert "Traceback" not in out


def test_new_city_refuses_an_existing_scenario_and_needs_one_source(tmp_path: Path) -> None:
    newcity.write_new_city(tmp_path / "x", place="Oakland, California, USA")
    with pytest.raises(InputError, match="already exists; choose a new folder"):
        newcity.write_new_city(tmp_path / "x", place="Oakland, California, USA")
    with pytest.raises(InputError, match="exactly one of --osm-file FILE or --place"):
        newcity.write_new_city(tmp_path / "y")
    with pytest.raises(InputError, match="does not exist"):
        newcity.write_new_city(tmp_path / "z", osm_file=tmp_path / "nope.osm")


def test_template_defaults_are_the_real_defaults(tmp_path: Path) -> None:
    """Uncommenting every `# key = value` line that shows a default gives the dataclass defaults."""
    newcity.write_new_city(tmp_path / "c", osm_file=OSM / "west_oakland_us.osm.bz2")
    lines = []
    section = ""
    for line in (tmp_path / "c" / "scenario.toml").read_text(encoding="utf-8").splitlines():
        if line.startswith(("[", "# [network.speeds_kph]")):
            section = line.split("  ")[0]  # the speeds table lists the profile, not field defaults
        shown = re.match(r"^# (\w+ = .*?)(\s+# (.*))?$", line)
        if shown and section not in ("", "# [network.speeds_kph]") and "not set by default" not in (shown[3] or ""):
            line = shown[1]
        lines.append(line)
    t = tomllib.loads("\n".join(lines))
    assert NetworkSettings(**{k: v for k, v in t["network"].items() if k != "osm_file"}) == NetworkSettings()
    assert ServiceSettings(**t["service"]) == ServiceSettings()
    assert EmissionSettings(**t["emissions"]) == EmissionSettings()
    assert SolverParams(**t["solver"]) == SolverParams()


@pytest.mark.parametrize("city", ["aguascalientes_mx", "campo_grande_br_clean"])
def test_new_city_summary_runs_on_real_extracts(city: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / city
    newcity.write_new_city(folder, osm_file=OSM / f"{city}.osm.bz2")
    _fill_in(folder, OSM / f"{city}.osm.bz2", n_points=12, step=97)
    assert newcity.missing(folder / "scenario.toml") == []
    clear_caches()
    assert main(["--scenario", str(folder / "scenario.toml"), "--summary", "-q"]) == 0
    out = capsys.readouterr().out
    assert "12" in out


@pytest.mark.parametrize("city", sorted(TIMEZONES))
def test_new_city_plans_end_to_end(city: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Done when (issue 16): each real extract runs end to end from a --new-city folder plus a
    GENERATED points file; every point is in a route or unassigned with its reason, and each
    truck type's restrictions were looked at (none of these extracts closes a drivable way to
    the template's trucks: one road profile)."""
    import json

    folder = tmp_path / city
    osm = OSM / f"{city}.osm.bz2"
    assert main(["--new-city", str(folder), "--osm-file", str(osm)]) == 0
    _fill_in(folder, osm, n_points=9, step=3)
    assert main(["--check-points", str(folder / "points.csv")]) == 0
    assert "ok: 9 points" in capsys.readouterr().out
    clear_caches()
    code = main(["--scenario", str(folder / "scenario.toml"), "--date", "2026-12-01", "--solution-limit", "3",
                 "--time-limit", "5", "--no-sheets", "--out", str(tmp_path / "out"), "-q"])
    assert code == 0
    day = tmp_path / "out" / "2026-12-01"
    assert (day / "summary.txt").is_file() and (day / "maps" / "overview.html").is_file()
    plan = json.loads((day / "plan.json").read_text(encoding="utf-8"))
    served = {s["id"] for r in plan["routes"] for s in r["steps"] if s["kind"] == "point"}
    unassigned = {u["id"]: u["reason"] for u in plan["unassigned"]}
    assert served | set(unassigned) == {f"P{i:03d}" for i in range(9)} and not served & set(unassigned)
    assert all(reason for reason in unassigned.values())
    sc = Scenario.from_toml(folder / "scenario.toml")
    assert sc.build().num_profiles == 1


# ---------------------------------------------------------------------- --check-points
def test_check_points_lists_every_bad_row_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--check-points", str(BAD)]) == 2
    err = capsys.readouterr().err
    for row in range(2, 12):
        assert f"row {row} " in err, row
    assert "Traceback" not in err


def test_check_points_ok(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--check-points", str(AG_POINTS)]) == 0
    assert re.search(r"^ok: \d+ points$", capsys.readouterr().out, flags=re.M)


def test_schema_agrees_with_the_reader() -> None:
    """Every row the schema can judge alone is rejected by it too; good files pass it."""
    rows = newcity._raw_rows(BAD)
    found = newcity.schema_problems(rows)
    # rows 4 (duplicate id) and 6 (window reversed) need other rows or two fields: reader only
    assert sorted(found) == [2, 3, 5, 7, 8, 9, 10, 11]
    assert newcity.schema_problems(newcity._raw_rows(AG_POINTS)) == {}
    kinds = newcity.points_schema()["properties"]["kind"]["enum"]
    from wasteroute.config import POINT_KINDS
    assert tuple(kinds) == POINT_KINDS


def test_check_points_on_geojson(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.geojson"
    path.write_text('{"type": "FeatureCollection", "features": ['
                    '{"type": "Feature", "geometry": {"type": "Point", "coordinates": [123.6, -10.17]},'
                    ' "properties": {"id": "G1", "kind": "bak", "volume_m3": 1.0, "days": "Mon,Wed"}},'
                    '{"type": "Feature", "geometry": {"type": "Point", "coordinates": [123.6, -10.17]},'
                    ' "properties": {"id": "G2", "kind": "skip", "volume_m3": 1.0}}]}', encoding="utf-8")
    assert main(["--check-points", str(path)]) == 2
    err = capsys.readouterr().err
    assert "row 2 (id G2)" in err and "row 1 " not in err


# ---------------------------------------------------------------------- time zone, speeds, facilities
def _ag_copy(tmp_path: Path, scenario_edit: tuple[str, str] | None = None,
             facilities_edit: tuple[str, str] | None = None) -> Path:
    src = Path(__file__).parent / "data" / "aguascalientes"
    for name in ("facilities.toml", "fleet.toml", "points_generated.csv", "scenario.toml"):
        text = (src / name).read_text(encoding="utf-8")
        if name == "scenario.toml":
            text = text.replace("../osm/aguascalientes_mx.osm.bz2", str(OSM / "aguascalientes_mx.osm.bz2"))
            text = text.replace(*scenario_edit) if scenario_edit else text
        if name == "facilities.toml" and facilities_edit:
            text = text.replace(*facilities_edit)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path / "scenario.toml"


def test_no_timezone_is_never_kupang_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "timezonefinder", None)  # as if not installed
    path = _ag_copy(tmp_path, ('timezone = "America/Mexico_City"\n', ""))
    with pytest.raises(InputError, match=r"no timezone setting.*DEPOT, LANDFILL.*timezone = "):
        Scenario.from_toml(path)


def test_timezone_from_the_scenario_is_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="wasteroute")
    assert Scenario.from_toml(_ag_copy(tmp_path)).timezone == "America/Mexico_City"
    assert "timezone America/Mexico_City (from the scenario's timezone setting)" in caplog.text


def test_speed_profile_is_a_setting_and_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="wasteroute")
    clear_caches()
    eu = Scenario.from_toml(_ag_copy(tmp_path, ("[network]\n", '[network]\nspeed_profile = "eu-urban"\n')))
    G = eu.load_network().graph
    assert "class speeds of speed profile eu-urban" in caplog.text
    residential = {d["speed_kph"] for *_, d in G.edges(data=True) if d.get("highway") == "residential"
                   and not d.get("maxspeed")}
    assert residential == {25.0}
    with pytest.raises(InputError, match="speed_profile 'mars' is not known; use one of id-small-city, eu-urban"):
        NetworkSettings(speed_profile="mars")


def test_language_is_a_scenario_setting(tmp_path: Path) -> None:
    assert Scenario.from_toml(_ag_copy(tmp_path, ("[network]\n", 'language = "en"\n[network]\n'))).language == "en"
    with pytest.raises(InputError, match="language 'fr' is not available; use one of id, en"):
        Scenario.from_toml(_ag_copy(tmp_path, ("[network]\n", 'language = "fr"\n[network]\n')))


def test_facility_off_the_roads_is_reported_with_id_and_distance(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # the landfill moved into a block ~90 m from the nearest street: off the network, within the limit
    caplog.set_level(logging.INFO, logger="wasteroute")
    clear_caches()
    sc = Scenario.from_toml(_ag_copy(tmp_path, facilities_edit=("lon = -102.2645", "lon = -102.2740")))
    sc.build()
    assert re.search(r"facilities off the road network .*LANDFILL \d+ m", caplog.text)
    clear_caches()
    far = Scenario.from_toml(_ag_copy(tmp_path, ("[network]\n", "[network]\nmax_snap_m = 20.0\n"),
                                      ("lon = -102.2645", "lon = -102.2740")))
    with pytest.raises(InputError, match=r"beyond the snap limit of 20 m(.|\n)*facility LANDFILL is \d+ m"):
        far.build()


def test_snap_limit_scales_with_the_graph() -> None:
    from wasteroute.network import SNAP_LIMIT_BOUNDS_M, snap_limit_m

    G = graph_from_file(OSM / "aguascalientes_mx.osm.bz2")
    auto = snap_limit_m(G, NetworkSettings())
    assert SNAP_LIMIT_BOUNDS_M[0] <= auto <= SNAP_LIMIT_BOUNDS_M[1]
    assert auto == pytest.approx(min(1000, max(150, 5 * G.graph["median_edge_m"])))
    assert snap_limit_m(G, NetworkSettings(max_snap_m=42.0)) == 42.0
