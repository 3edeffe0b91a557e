"""Ctrl-C: a running search stops at once, every caller stops with it, and nothing is written.

The in-process tests press Ctrl-C (``_thread.interrupt_main``, what SIGINT does) from inside the
search, at its first solution, with a time limit far beyond the test's patience: before the fix
OR-Tools ran to that limit and the plan came back. The last test sends a real SIGINT to
``run_routes.py`` and checks the exit code and that no output folder exists.
"""

from __future__ import annotations

import _thread
import dataclasses
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from problem_factory import make_problem, point, vehicle

import wasteroute.solver as solver_module
from wasteroute.config import Shift, SolverParams
from wasteroute.decompose import solve_by_area
from wasteroute.fleet_size import solve_fewest_trucks

ROOT = Path(__file__).resolve().parent.parent
AG = ROOT / "tests" / "data" / "aguascalientes" / "scenario.toml"
#: Far longer than any test may take: reaching it means Ctrl-C was ignored.
LONG = SolverParams(time_limit_s=600, engine="ortools")  # the OR-Tools searches (PyVRP: below)
LONG_SHIFT = Shift(start_s=5 * 3600, end_s=17 * 3600, break_duration_s=0)


@pytest.fixture
def searches(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Press Ctrl-C at the first solution of the first search; count the searches started."""
    started: list[int] = []
    real_add_progress = solver_module._add_progress

    def add_progress(m, every_s: float = 5.0) -> None:  # type: ignore[no-untyped-def]
        real_add_progress(m, every_s)
        started.append(len(m.node_loc))
        pressed = [False]

        def press() -> None:
            if not pressed[0] and len(started) == 1:
                pressed[0] = True
                _thread.interrupt_main()

        m.routing.AddAtSolutionCallback(press)

    monkeypatch.setattr(solver_module, "_add_progress", add_progress)
    return started


def _line(n: int, *, trucks: int = 2):  # type: ignore[no-untyped-def]
    pts = [point(f"P{i}", volume_m3=0.5) for i in range(n)]
    fleet = [vehicle(f"DT-{i:02d}", shift=LONG_SHIFT) for i in range(trucks)]
    return make_problem([300 * (i + 1) for i in range(n)], pts, fleet, ys=[150 * (i % 4) for i in range(n)])


def _interrupted(fn, *args, **kwargs) -> float:  # type: ignore[no-untyped-def]
    """Seconds until ``fn`` gave up on Ctrl-C; no search may go on behind its back."""
    t0 = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        fn(*args, **kwargs)
    seconds = time.perf_counter() - t0
    searching = [t for t in threading.enumerate() if t.name == "wasteroute-search" and t.is_alive()]
    assert not searching, "an interrupted search is still running in the background"
    return seconds


def test_ctrl_c_stops_the_search_and_gives_no_plan(searches: list[int]) -> None:
    seconds = _interrupted(solver_module.solve, _line(12), LONG)
    assert searches == [searches[0]]
    assert seconds < LONG.time_limit_s / 5  # stopped, not run to its limit


def test_ctrl_c_stops_a_warm_started_search(searches: list[int]) -> None:
    prob = _line(6)
    _interrupted(solver_module.solve, prob, LONG, initial_routes=[["P0", "P1", "P2"], ["P3", "P4", "P5"]])
    assert len(searches) == 1  # no search from scratch after the interrupted one


def test_ctrl_c_stops_every_fleet_size_attempt(searches: list[int]) -> None:
    prob = _line(10, trucks=4)
    _interrupted(solve_fewest_trucks, prob, dataclasses.replace(LONG, minimise_trucks=True))
    assert len(searches) == 1  # no further fleet, no improvement search


def test_ctrl_c_stops_every_area_and_the_polish(searches: list[int]) -> None:
    pts, xs = [], []
    for side, x0 in (("W", -10_000), ("E", 10_000)):
        for i in range(8):
            pts.append(point(f"{side}{i}", volume_m3=0.5))
            xs.append(x0 + 150 * i)
    prob = make_problem(xs, pts, [vehicle(f"DT-{i:02d}", shift=LONG_SHIFT) for i in range(4)])
    _interrupted(solve_by_area, prob, LONG, max_points=10)
    assert len(searches) == 1  # the second area and the whole-day polish never started


def test_sigint_to_the_command_exits_130_and_writes_nothing(tmp_path: Path) -> None:
    """A real Ctrl-C (SIGINT) once the search has started: exit 130 soon, no output folder."""
    out = tmp_path / "out"
    cmd = [sys.executable, str(ROOT / "run_routes.py"), "--scenario", str(AG), "--date", "2026-11-24",
           "--out", str(out), "--time-limit", "600", "--solution-limit", "100000000", "--no-maps", "--no-sheets"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert proc.stderr is not None
    log = []
    for line in proc.stderr:  # wait for the search to start
        log.append(line)
        if "searching up to" in line:
            break
    else:
        pytest.fail("the search never started:\n" + "".join(log))
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail("Ctrl-C did not stop the search")
    assert proc.returncode == 130, "".join(log) + err
    assert "interrupted" in err
    assert not out.exists(), sorted(out.rglob("*"))  # not even an empty folder or a lock file


def test_ctrl_c_stops_the_pyvrp_searches_of_the_hybrid_engine() -> None:
    """Ctrl-C while PyVRP searches (here two, one in a forked child): both stop, no plan."""
    import threading as th

    import wasteroute.hybrid as hybrid_module

    timer = th.Timer(1.0, _thread.interrupt_main)
    timer.start()
    params = dataclasses.replace(LONG, engine="hybrid", num_workers=2)
    seconds = _interrupted(hybrid_module.solve_hybrid, _line(30, trucks=3), params)
    assert seconds < 30  # not PyVRP's 300 s share
    with pytest.raises(ChildProcessError):  # the child PyVRP search was reaped, none is left
        os.waitpid(-1, os.WNOHANG)
