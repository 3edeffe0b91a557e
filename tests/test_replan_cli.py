"""``run_routes.py --replan PLAN --at HH:MM [--broken] [--add] [--done]`` on the Aguascalientes test
scenario (a real street extract, generated points): the folder it writes, its exit codes, and
that a new plan of the day keeps the day's re-plans."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wasteroute.cli import main

AG = Path(__file__).parent / "data" / "aguascalientes" / "scenario.toml"
QUICK = ["--scenario", str(AG), "--date", "2026-11-24", "--solution-limit", "5", "-q"]


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The day's plan written by the planner's command (no maps or sheets)."""
    out = tmp_path_factory.mktemp("out")
    assert main([*QUICK, "--out", str(out), "--no-maps", "--no-sheets"]) == 0
    return out / "2026-11-24"


def _plan(day: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((day / "plan.json").read_text(encoding="utf-8"))


def test_replan_writes_its_folder_beside_the_plan_and_a_rerun_keeps_it(day: Path, tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    plan = _plan(day)
    dt02 = next(r for r in plan["routes"] if r["truck"] == "DT-02")
    done_first = next(s for s in dt02["steps"] if s["kind"] == "point")
    complaints = tmp_path / "complaints.csv"
    complaints.write_text("# generated for this test\nid,point,lon,lat,latest,priority,volume_m3\n"
                          f"Q-1,{done_first['id']},,,10:30,tinggi,0.5\n"
                          "Q-2,,-102.27700,21.87380,11:00,rendah,0.4\n", encoding="utf-8")
    dt01 = next(r for r in plan["routes"] if r["truck"] == "DT-01")
    first = next(s for s in dt01["steps"] if s["kind"] == "point")
    progress = tmp_path / "progress.csv"
    progress.write_text(f"truck,time,point\nDT-01,{first['start']},{first['id']}\n", encoding="utf-8")
    at = "07:00"
    code = main([*QUICK, "--out", str(day.parent), "--replan", str(day / "plan.json"), "--at", at,
                 "--broken", "DT-02", "--add", str(complaints), "--done", str(progress), "--language", "en"])
    cap = capsys.readouterr()
    out = cap.out
    assert code == 0, cap.err
    folder = day / "replan-0700"
    for name in ("plan.json", "changes.txt", "changes.csv", "summary.txt", "visits.csv", "maps/overview.html"):
        assert (folder / name).is_file(), name
    assert "DT-02: broken down at 07:00" in out and (folder / "changes.txt").read_text() in out + "\n"
    new = json.loads((folder / "plan.json").read_text())
    assert {u["id"] for u in new["unassigned"]} | {s["id"] for r in new["routes"] for s in r["steps"]
                                                   if s["kind"] == "point"} >= {"Q-1", "Q-2"}
    broken = next(r for r in new["routes"] if r["truck"] == "DT-02")
    assert broken.get("out_of_service_s") == 7 * 3600
    changed = [line.split(",")[0] for line in (folder / "changes.csv").read_text().splitlines()[1:]
               if ",changed," in line]
    sheets = sorted(p.stem.removeprefix("truck_") for p in (folder / "sheets").glob("truck_*.pdf"))
    gpx = sorted(p.stem.removeprefix("truck_") for p in (folder / "gpx").glob("*.gpx"))
    assert sheets == gpx == sorted(changed) and "DT-02" not in sheets
    # A new plan of the day replaces the day's folder but keeps its re-plans.
    assert main([*QUICK, "--out", str(day.parent), "--no-maps", "--no-sheets"]) == 0
    assert (folder / "plan.json").read_text() == json.dumps(new, indent=1, ensure_ascii=False)


def test_replan_options_and_bad_files_exit_2_with_the_row(day: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*QUICK, "--at", "08:40"]) == 2
    assert "--at need --replan PLAN" in capsys.readouterr().err
    assert main([*QUICK, "--replan", str(day / "plan.json")]) == 2
    assert "--replan needs --at HH:MM" in capsys.readouterr().err
    bad = tmp_path / "complaints.csv"
    bad.write_text("id,point,latest,priority\nQ-1,AG-001,10:30,2\nQ-2,AG-002,later,2\n", encoding="utf-8")
    assert main([*QUICK, "--replan", str(day / "plan.json"), "--at", "08:00", "--add", str(bad)]) == 2
    assert "row 3: latest 'later' is not a time" in capsys.readouterr().err
    assert main([*QUICK, "--replan", str(day / "plan.json"), "--at", "08:00", "--broken", "ZZ-1"]) == 2
    assert "no truck 'ZZ-1'" in capsys.readouterr().err
    assert main([*QUICK, "--replan", str(tmp_path / "nope.json"), "--at", "08:00"]) == 2
    assert "does not exist" in capsys.readouterr().err
