"""Benchmark: the Kupang day's outputs (maps, driver sheets, GPX) with 1 and 2 worker processes.

Solves the Kupang day once (stopped by a solution limit, so the plan is the same every run),
then times ``write_maps``, ``write_sheets`` (once per worker count) and ``write_gpx`` apart, and
maps + sheets together as ``wasteroute.outputs.write_all`` runs them (the sheets' workers lay out
while the parent draws the maps), sampling the memory of this process and its workers
(proportional set size, so pages shared after a fork are counted once) every 0.1 s. Appends one
row per worker count to ``benchmarks/results/outputs-<today>.md``. Target: maps + sheets of the
34-truck day within a quarter of the solver's default budget (30 s / 4 = 7.5 s) on 2 cores.

``--maps-only`` times ``write_maps`` alone (best of ``--repeat`` runs after one warm-up, wall and
CPU) and records the size of the files, one row in ``benchmarks/results/maps-<today>.md``.

Run from the repository root::

    python -m benchmarks.speed.outputs_bench [--workers 1 2] [--solution-limit 100] [--label after]
    python -m benchmarks.speed.outputs_bench --profile out/sheets.prof   # cProfile of the sheets
    python -m benchmarks.speed.outputs_bench --maps-only --label after   # the Folium maps alone
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import inspect
import platform
import resource
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil

from wasteroute.scenario import Scenario

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results"
DEFAULT_BUDGET_S = 30.0  # the solver's default time limit (config.SolverParams.time_limit_s)
HEADER = (
    "| run | label | workers | trucks | maps (s) | sheets (s) | GPX (s) "
    "| maps + sheets as `write_all` runs them (s) | target (s) | met | maps CPU (s) "
    "| sheets CPU (s) | memory after solve (MB) | peak memory, maps + sheets (MB) "
    "| load avg (1 min) |\n"
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|\n"
)


class MemoryPeak:
    """Highest total proportional set size (PSS, MB) of this process and its children."""

    def __init__(self, every_s: float = 0.1) -> None:
        self.every_s, self.peak_mb = every_s, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def now_mb(self) -> float:
        me = psutil.Process()
        total = 0.0
        for p in [me, *me.children(recursive=True)]:
            try:
                total += p.memory_full_info().pss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        return total / 2**20

    def _watch(self) -> None:
        while not self._stop.wait(self.every_s):
            self.peak_mb = max(self.peak_mb, self.now_mb())

    def __enter__(self) -> MemoryPeak:
        self.peak_mb = self.now_mb()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, self.now_mb())


@contextmanager
def timed(into: dict[str, float], key: str) -> Iterator[None]:
    """Wall time into ``into[key]``, CPU time of this process and its reaped children into
    ``into[key + " cpu"]`` (the CPU time does not grow when other work shares the cores)."""
    t0, c0 = time.perf_counter(), _cpu_s()
    yield
    into[key] = time.perf_counter() - t0
    into[key + " cpu"] = _cpu_s() - c0


def _cpu_s() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def solve(solution_limit: int, seed: int, date: dt.date) -> Any:
    """The Kupang day, stopped after ``solution_limit`` solutions (the same plan every run)."""
    sc = Scenario.from_toml(ROOT / "data" / "kupang" / "scenario.toml").replace(date=date)
    params = dataclasses.replace(
        sc.solver, time_limit_s=120.0, seed=seed, solution_limit=solution_limit
    )
    return sc.replace(solver=params).solve()


def sheets_call(workers: int) -> Callable[[Any, Path], Any]:
    """``write_sheets`` with ``workers`` processes (the code before issue 10 had one, fixed)."""
    from wasteroute.outputs.sheets import write_sheets

    if "workers" in inspect.signature(write_sheets).parameters:
        return lambda sol, folder: write_sheets(sol, folder, workers=workers)
    return lambda sol, folder: write_sheets(sol, folder)


def both_as_write_all(sol: Any, folder: Path, workers: int) -> None:
    """Maps and sheets as ``write_all`` writes them: the sheets' workers run while this
    process draws the maps (one after the other in code without :class:`SheetJob`)."""
    from wasteroute.outputs import sheets
    from wasteroute.outputs.maps import write_maps

    if not hasattr(sheets, "SheetJob"):
        write_maps(sol, folder / "maps")
        sheets_call(workers)(sol, folder / "sheets")
        return
    with sheets.SheetJob(sol, folder / "sheets", workers=workers) as job:
        write_maps(sol, folder / "maps")
        job.wait()


def run(args: argparse.Namespace) -> list[str]:
    from wasteroute.outputs.gpx import write_gpx
    from wasteroute.outputs.maps import write_maps

    sol = solve(args.solution_limit, args.seed, args.date)
    after_solve = MemoryPeak().now_mb()
    trucks = len(sol.used_routes())
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        t: dict[str, float] = {}
        with timed(t, "maps"):
            write_maps(sol, out / "maps")
        with timed(t, "gpx"):
            write_gpx(sol, out / "gpx")
        for workers in args.workers:
            write = sheets_call(workers)
            with timed(t, "sheets"):
                if args.profile:
                    _profiled(lambda: write(sol, out / f"sheets-{workers}"), args.profile)
                else:
                    write(sol, out / f"sheets-{workers}")
            with MemoryPeak() as mem, timed(t, "both"):
                both_as_write_all(sol, out / f"both-{workers}", workers)
            target = DEFAULT_BUDGET_S / 4
            cells = [
                dt.datetime.now().strftime("%Y-%m-%d %H:%M"), args.label, str(workers),
                str(trucks), f"{t['maps']:.1f}", f"{t['sheets']:.1f}", f"{t['gpx']:.2f}",
                f"{t['both']:.1f}", f"{target:.1f}", "yes" if t["both"] <= target else "no",
                f"{t['maps cpu']:.1f}", f"{t['sheets cpu']:.1f}",
                f"{after_solve:.0f}", f"{mem.peak_mb:.0f}", f"{psutil.getloadavg()[0]:.1f}",
            ]
            rows.append("| " + " | ".join(cells) + " |\n")
            print(rows[-1], end="", flush=True)
    return rows


MAPS_HEADER = (
    "| run | label | trucks | files | maps (s) | maps CPU (s) | total (MB) | overview (MB) "
    "| largest truck map (MB) | load avg (1 min) |\n"
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n"
)


def maps_only(args: argparse.Namespace) -> str:
    """One row: ``write_maps`` of the Kupang day, best of ``args.repeat`` after a warm-up, and sizes."""
    from wasteroute.outputs.maps import write_maps

    sol = solve(args.solution_limit, args.seed, args.date)
    best: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        write_maps(sol, Path(tmp) / "warm-up")  # street geometry is cached per road graph
        for k in range(args.repeat):
            t: dict[str, float] = {}
            with timed(t, "maps"):
                paths = write_maps(sol, Path(tmp) / f"run-{k}")
            if not best or t["maps"] < best["maps"]:
                best = t
        sizes = [p.stat().st_size / 1e6 for p in paths]
    cells = [
        dt.datetime.now().strftime("%Y-%m-%d %H:%M"), args.label, str(len(sol.used_routes())),
        str(len(sizes)), f"{best['maps']:.2f}", f"{best['maps cpu']:.2f}", f"{sum(sizes):.1f}",
        f"{sizes[0]:.2f}", f"{max(sizes[1:], default=0):.2f}", f"{psutil.getloadavg()[0]:.1f}",
    ]
    return "| " + " | ".join(cells) + " |\n"


def _profiled(call: Callable[[], Any], path: str) -> None:
    import cProfile

    prof = cProfile.Profile()
    prof.runcall(call)
    prof.dump_stats(path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--solution-limit", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--date", type=dt.date.fromisoformat, default=dt.date(2026, 11, 24))
    ap.add_argument("--label", default="", help="what is measured, e.g. before or after")
    ap.add_argument("--profile", help="write a cProfile of the sheets to this file")
    ap.add_argument("--maps-only", action="store_true", help="time write_maps alone, with file sizes")
    ap.add_argument("--repeat", type=int, default=3, help="runs of write_maps (--maps-only)")
    args = ap.parse_args()
    if args.maps_only:
        row = maps_only(args)
        print(row, end="")
        path = RESULTS / f"maps-{dt.date.today().isoformat()}.md"
        if not path.exists():
            path.write_text(
                "# Kupang day: the Folium maps\n\n"
                f"Machine: {platform.machine()}, {psutil.cpu_count()} cores, Python "
                f"{platform.python_version()}. Written by `python -m benchmarks.speed.outputs_bench "
                "--maps-only`; best of 3 runs of `write_maps` after a warm-up.\n\n" + MAPS_HEADER
            )
        with path.open("a") as fh:
            fh.write(row)
        return
    rows = run(args)
    if args.profile:
        return
    path = RESULTS / f"outputs-{dt.date.today().isoformat()}.md"
    if not path.exists():
        path.write_text(
            "# Kupang day: maps, driver sheets and GPX\n\n"
            f"Machine: {platform.machine()}, {psutil.cpu_count()} cores, Python "
            f"{platform.python_version()}. Written by `python -m benchmarks.speed.outputs_bench`; "
            "one row per worker count and run. Memory is the proportional set size (PSS) of the "
            "process and its workers, so pages shared after a fork count once.\n\n" + HEADER
        )
    with path.open("a") as fh:
        fh.writelines(rows)
    print(path.read_text())


if __name__ == "__main__":
    main()
