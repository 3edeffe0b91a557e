"""The planner's command: options, outputs, exit codes, and the golden end-to-end run."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from wasteroute.cli import main

DATA = Path(__file__).parent / "data"
AG = DATA / "aguascalientes" / "scenario.toml"
GOLDEN = DATA / "golden" / "aguascalientes_2026-11-24.json"


def _essence(plan: dict) -> dict:  # type: ignore[type-arg]
    """What must not change between runs: KPIs (not timings), routes, unassigned."""
    summary = {k: v for k, v in plan["summary"].items() if k != "solve_s"}
    routes = {r["truck"]: [s["id"] for s in r["steps"]] for r in plan["routes"]}
    return {"summary": summary, "routes": routes, "unassigned": plan["unassigned"], "not_due": plan["not_due"]}


def test_golden_run_on_a_real_extract(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The documented example run gives the committed plan (set WASTEROUTE_UPDATE_GOLDEN=1 to refresh)."""
    code = main(["--scenario", str(AG), "--date", "2026-11-24", "--out", str(tmp_path), "--no-maps",
                 "--no-sheets", "-q"])
    assert code == 0
    day = tmp_path / "2026-11-24"
    plan = json.loads((day / "plan.json").read_text())
    if os.environ.get("WASTEROUTE_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(_essence(plan), indent=1, ensure_ascii=False) + "\n")
    assert _essence(plan) == json.loads(GOLDEN.read_text())
    out = capsys.readouterr().out
    assert "wasteroute plan for 2026-11-24" in out and "UNASSIGNED" in out
    assert (day / "summary.txt").read_text().strip() in out
    for name in ("plan.json", "visits.csv", "routes.geojson", "summary.txt"):
        assert (day / name).stat().st_size > 100


def test_options_change_the_plan(tmp_path: Path) -> None:
    """--unavailable takes a truck out; --volume-factor scales the volumes."""
    code = main(["--scenario", str(AG), "--date", "2026-11-24", "--out", str(tmp_path), "--no-maps",
                 "--no-sheets", "-q", "--unavailable", "DT-02", "--volume-factor", "0.5",
                 "--time-limit", "5", "--seed", "1"])
    assert code == 0
    plan = json.loads((tmp_path / "2026-11-24" / "plan.json").read_text())
    assert "DT-02" not in [r["truck"] for r in plan["routes"]]
    assert plan["summary"]["trucks_available"] == 3
    full = json.loads(GOLDEN.read_text())["summary"]
    assert plan["summary"]["m3"] < full["m3"]


def test_exit_codes_and_one_line_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--scenario", str(tmp_path / "missing.toml"), "-q"]) == 2
    assert "error: settings file" in capsys.readouterr().err
    # a scenario whose points file has bad rows -> exit 2 naming the rows
    sc = tmp_path / "sc"
    shutil.copytree(DATA / "aguascalientes", sc)
    shutil.copytree(DATA / "osm", tmp_path / "osm")
    shutil.copy(DATA / "bad" / "points_many_errors.csv", sc / "points_generated.csv")
    assert main(["--scenario", str(sc / "scenario.toml"), "-q", "--no-maps", "--no-sheets"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "row 3 (id A3): lat -100.5 is out of range" in err
    # an unknown truck id
    assert main(["--scenario", str(AG), "-q", "--unavailable", "ZZ-1"]) == 2
    assert "unavailable truck(s) ZZ-1 do not exist" in capsys.readouterr().err
    # no network source at all -> exit 3
    (sc / "points_generated.csv").write_text((DATA / "aguascalientes" / "points_generated.csv").read_text())
    toml = (sc / "scenario.toml").read_text().replace("../osm/aguascalientes_mx.osm.bz2", "nowhere.osm")
    (sc / "scenario.toml").write_text(toml)
    assert main(["--scenario", str(sc / "scenario.toml"), "-q", "--no-maps", "--no-sheets"]) == 3
    assert "error: " in capsys.readouterr().err


def test_bad_date_is_rejected_by_argparse(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--date", "24/11/2026"])
    assert exc.value.code == 2
    assert "is not a date; write it as YYYY-MM-DD" in capsys.readouterr().err


def test_summary_prints_the_scenario_without_solving(capsys: pytest.CaptureFixture[str]) -> None:
    """--summary: network size and drops, points by kind and kecamatan with m³, facilities, fleet."""
    assert main(["--scenario", str(AG), "--date", "2026-11-24", "--summary", "-q"]) == 0
    out = capsys.readouterr().out
    assert "network: real OSM extract" in out and "SYNTHETIC" not in out
    assert "682 nodes, 1,391 directed edges" in out
    assert "dropped as not routable both ways: 66 nodes, 74 edges" in out
    assert "40 in the file, 37 due on 2026-11-24, 3 not due that day" in out
    for line in ("container", "bak", "roadside", "Aguascalientes", "landfill: Landfill (test)",
                 "fleet: 4 trucks available", "3 x Dump truck 6 m³"):
        assert line in out
    assert "wasteroute plan for" not in out  # nothing was solved


def test_volume_factor_overflow_is_reported_not_an_error(tmp_path: Path) -> None:
    """x2.5 fills containers beyond the arm-roll's 6 m³: each is lifted whole and the rest is
    reported as overflow left at the site, not as a point no truck can serve (issue 10 §4)."""
    code = main(["--scenario", str(AG), "--date", "2026-11-24", "--out", str(tmp_path), "--no-maps",
                 "--no-sheets", "-q", "--volume-factor", "2.5", "--solution-limit", "20"])
    assert code == 0
    plan = json.loads((tmp_path / "2026-11-24" / "plan.json").read_text())
    reasons = [u["reason"] for u in plan["unassigned"]]
    assert not any(r.startswith("capacity:") for r in reasons)
    assert plan["summary"]["overflow_m3"] > 0
    spilled = [s for r in plan["routes"] for s in r["steps"] if s["overflow_m3"] > 0]
    assert spilled and all(s["point_kind"] == "container" and s["volume_m3"] == 6.0 for s in spilled)


def test_solution_limit_alone_lifts_the_scenario_time_limit_to_a_safety_cap() -> None:
    """--solution-limit without --time-limit: the scenario's 60 s would cut a slow machine's
    search and change the plan, so only a one-hour cap per search remains; both given: as given."""
    from wasteroute.cli import SOLUTION_RUN_CAP_S, _scenario, build_parser

    def solver(*argv: str):  # type: ignore[no-untyped-def]
        return _scenario(build_parser().parse_args(["--scenario", str(AG), *argv])).solver

    assert solver().time_limit_s == 60 and solver().solution_limit == 200
    bounded = solver("--solution-limit", "300")
    assert (bounded.solution_limit, bounded.time_limit_s) == (300, SOLUTION_RUN_CAP_S)
    both = solver("--solution-limit", "300", "--time-limit", "7")
    assert (both.solution_limit, both.time_limit_s) == (300, 7)
