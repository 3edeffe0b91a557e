"""The day's output folder is written whole or not at all, by one run at a time, and a bad
``--out`` is refused before any solving (``wasteroute.outputs.folder``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import wasteroute.outputs.day_folder as day_folder_module
from wasteroute.cli import main
from wasteroute.errors import InputError
from wasteroute.outputs import write_all
from wasteroute.outputs.folder import check_target, lock_target

ROOT = Path(__file__).resolve().parent.parent
AG = ROOT / "tests" / "data" / "aguascalientes" / "scenario.toml"
QUICK = ["--scenario", str(AG), "--date", "2026-11-24", "--solution-limit", "5", "-q"]


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _hidden(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


def test_a_rerun_replaces_the_folder_and_leaves_no_file_of_the_first_plan(tmp_path: Path) -> None:
    """Second run of the day with DT-03 unavailable: no truck_DT-03.* beside a plan without DT-03."""
    assert main([*QUICK, "--out", str(tmp_path), "--no-sheets"]) == 0
    day = tmp_path / "2026-11-24"
    assert (day / "maps" / "truck_DT-03.html").is_file()
    assert main([*QUICK, "--out", str(tmp_path), "--no-sheets", "--unavailable", "DT-03"]) == 0
    plan = json.loads((day / "plan.json").read_text())
    assert "DT-03" not in [r["truck"] for r in plan["routes"]]
    assert not list(day.rglob("*DT-03*"))
    assert _hidden(tmp_path) == []  # no lock, temporary or old folder left


def test_an_interrupted_write_keeps_the_previous_folder_whole(tmp_path: Path, ag_solution, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Ctrl-C after plan.json and the CSV are written: the previous folder is untouched, no temp left."""
    day = tmp_path / "2026-11-24"
    write_all(ag_solution, day, maps=False, sheets=False)
    (day / "plan.json").write_text('{"previous": "plan"}')  # so that a rewrite in place would show

    def interrupted(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    monkeypatch.setattr(type(ag_solution), "to_geojson", interrupted)
    before = _tree(day)
    with pytest.raises(KeyboardInterrupt):
        write_all(ag_solution, day, maps=False, sheets=False)
    assert _tree(day) == before
    assert _hidden(tmp_path) == []


def test_a_failed_write_keeps_the_previous_folder_whole(tmp_path: Path, ag_solution, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    day = tmp_path / "2026-11-24"
    write_all(ag_solution, day, maps=False, sheets=False)
    before = _tree(day)

    def broken(sol, out_dir, **kwargs):  # type: ignore[no-untyped-def]
        (out_dir / "plan.json").write_text("half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(day_folder_module, "write_day_into", broken)
    with pytest.raises(OSError, match="No space"):
        write_all(ag_solution, day, maps=False, sheets=False)
    assert _tree(day) == before
    assert _hidden(tmp_path) == []


def test_write_all_returns_the_final_paths_and_writes_the_summary(tmp_path: Path, ag_solution) -> None:  # type: ignore[no-untyped-def]
    day = tmp_path / "a" / "b" / "2026-11-24"
    written = write_all(ag_solution, day, maps=False, sheets=False)
    assert all(p.is_file() and p.parent == day for p in written)
    assert (day / "summary.txt").read_text(encoding="utf-8") == ag_solution.summary() + "\n"


def test_leftovers_of_a_killed_run_are_removed(tmp_path: Path, ag_solution) -> None:  # type: ignore[no-untyped-def]
    for name in (".2026-11-24.tmp-999999-dead", ".2026-11-24.old-999999-dead"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "plan.json").write_text("{}")
    write_all(ag_solution, tmp_path / "2026-11-24", maps=False, sheets=False)
    assert _hidden(tmp_path) == []


def test_a_second_run_for_a_folder_being_written_stops_with_exit_2(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Another process holds the folder's lock (as a run solving or writing it does)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from pathlib import Path; from wasteroute.outputs.folder import lock_target\n"
         f"with lock_target(Path({str(tmp_path / '2026-11-24')!r})):\n    print('locked', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        assert main([*QUICK, "--out", str(tmp_path), "--no-maps", "--no-sheets"]) == 2
        err = capsys.readouterr().err
        assert f"is being written by another run (pid {holder.pid})" in err
        assert "choose another --out" in err
        assert not (tmp_path / "2026-11-24").exists()
    finally:
        holder.communicate("", timeout=30)
    assert holder.returncode == 0
    assert _hidden(tmp_path) == []  # the holder removed its lock file
    assert main([*QUICK, "--out", str(tmp_path), "--no-maps", "--no-sheets"]) == 0  # free again


def test_the_lock_is_reentrant_in_one_process_and_exclusive_across(tmp_path: Path) -> None:
    target = tmp_path / "day"
    with lock_target(target), lock_target(target):
        assert (tmp_path / ".day.lock").read_text().strip() == str(os.getpid())
    assert not (tmp_path / ".day.lock").exists()


@pytest.fixture
def no_solving(monkeypatch: pytest.MonkeyPatch) -> None:
    """Solving fails the test: the errors below must be found before it."""
    from wasteroute.scenario import Scenario

    def solve(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("solved before checking --out")

    monkeypatch.setattr(Scenario, "solve", solve)


def test_out_that_is_a_file_is_refused_before_solving(tmp_path: Path, capsys, no_solving) -> None:  # type: ignore[no-untyped-def]
    a_file = tmp_path / "out"
    a_file.write_text("not a folder")
    assert main([*QUICK, "--out", str(a_file)]) == 2
    err = capsys.readouterr().err
    assert f"--out: {a_file} is a file, not a folder" in err and "choose another --out folder" in err
    day = tmp_path / "out2" / "2026-11-24"
    day.parent.mkdir()
    day.write_text("a file where the day's folder goes")
    assert main([*QUICK, "--out", str(day.parent)]) == 2
    assert f"{day} is a file" in capsys.readouterr().err


def test_out_in_a_read_only_place_is_refused_before_solving(capsys, no_solving) -> None:  # type: ignore[no-untyped-def]
    """/proc takes no new folders, not even from root."""
    assert main([*QUICK, "--out", "/proc/wasteroute-out"]) == 2
    err = capsys.readouterr().err
    assert "--out: cannot write in /proc" in err and "choose a folder you can write" in err


def test_a_folder_that_is_not_a_plan_is_never_replaced(tmp_path: Path, capsys, no_solving) -> None:  # type: ignore[no-untyped-def]
    day = tmp_path / "2026-11-24"
    day.mkdir()
    (day / "thesis.docx").write_text("precious")
    assert main([*QUICK, "--out", str(tmp_path)]) == 2
    assert "holds files but no plan.json" in capsys.readouterr().err
    assert (day / "thesis.docx").read_text() == "precious"
    with pytest.raises(InputError, match="not a plan folder"):
        check_target(day)


def test_evaluate_and_compare_folders_survive_a_new_plan_of_the_day(tmp_path: Path, ag_solution) -> None:  # type: ignore[no-untyped-def]
    """``--evaluate`` may run before the day's plan: its folder neither blocks the plan nor is lost."""
    day = tmp_path / "2026-11-24"
    (day / "evaluate").mkdir(parents=True)
    (day / "evaluate" / "findings.csv").write_text("truck,step\n")
    check_target(day)  # only an evaluate/ folder: still a day folder a plan may be written into
    write_all(ag_solution, day, maps=False, sheets=False)
    assert (day / "evaluate" / "findings.csv").read_text() == "truck,step\n"
    (day / "compare").mkdir()
    (day / "compare" / "compare.csv").write_text("x\n")
    (day / "stale.txt").write_text("from the first plan")
    write_all(ag_solution, day, maps=False, sheets=False)
    assert (day / "compare" / "compare.csv").read_text() == "x\n"
    assert (day / "evaluate" / "findings.csv").is_file() and (day / "plan.json").is_file()
    assert not (day / "stale.txt").exists()
    assert _hidden(tmp_path) == []
