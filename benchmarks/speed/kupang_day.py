"""Benchmark: the whole Kupang day end to end, as ``python run_routes.py`` runs it.

Times each stage (network, snapping, matrix, solve, exports, maps, sheets) in a fresh process
with a fixed time limit and seed, records peak memory (max RSS of this process and of its
matrix workers) and the plan's KPIs, and appends a row to ``benchmarks/results/kupang-day.md``
so that runs can be compared. Target: the whole day in at most 60 s wall on the 2-core machine,
no servable point left unassigned.

Run from the repository root::

    python -m benchmarks.speed.kupang_day [--time-limit 30] [--seed 0] [--date 2026-11-24]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import platform
import resource
import tempfile
import time
from pathlib import Path

from wasteroute.scenario import Scenario

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results" / "kupang-day.md"
HEADER = (
    "| run | date planned | time limit (s) | seed | network (s) | snapping (s) | matrix (s) | solve (s) "
    "| exports (s) | maps (s) | sheets (s) | total (s) | peak RSS (MB) | points due | unassigned "
    "| trucks used | landfill trips | km | hours | fuel (L) | CO₂ (kg) |\n"
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
)


def run(time_limit: float, seed: int, date: dt.date) -> str:
    from wasteroute.outputs.maps import write_maps
    from wasteroute.outputs.sheets import write_sheets

    t_all = time.perf_counter()
    sc = Scenario.from_toml(ROOT / "data" / "kupang" / "scenario.toml").replace(date=date)
    sc = sc.replace(solver=dataclasses.replace(sc.solver, time_limit_s=time_limit, seed=seed))
    timings: dict[str, float] = {}
    sol = sc.solve(timings=timings)
    sol.validate()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        t0 = time.perf_counter()
        sol.to_json(out / "plan.json")
        sol.to_csv(out / "visits.csv")
        sol.to_geojson(out / "routes.geojson")
        timings["exports"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        write_maps(sol, out / "maps")
        timings["maps"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        write_sheets(sol, out / "sheets")
        timings["sheets"] = time.perf_counter() - t0
    total = time.perf_counter() - t_all
    rss = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
              resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    f = sol.fleet_kpis()
    cells = [
        dt.datetime.now().strftime("%Y-%m-%d %H:%M"), date.isoformat(), f"{time_limit:.0f}", str(seed),
        *(f"{timings[k]:.1f}" for k in ("network", "snapping", "matrix", "solve", "exports", "maps", "sheets")),
        f"{total:.1f}", f"{rss:.0f}", str(f["points_due"]), str(f["points_unassigned"]),
        f"{f['trucks_used']}/{f['trucks_available']}", str(f["landfill_trips"]), f"{f['km']:.0f}",
        f"{f['hours']:.0f}", f"{f['fuel_l']:.0f}", f"{f['co2_kg']:.0f}",
    ]
    return "| " + " | ".join(cells) + " |\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--date", type=dt.date.fromisoformat, default=dt.date(2026, 11, 24))
    args = ap.parse_args()
    row = run(args.time_limit, args.seed, args.date)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    if not RESULTS.exists():
        RESULTS.write_text(
            "# Kupang day, end to end\n\n"
            f"Machine: {platform.machine()}, Python {platform.python_version()}. One row per run; "
            "compare with the rows above. Street network: SYNTHETIC (generated) unless a real extract "
            "is configured.\n\n" + HEADER
        )
    with RESULTS.open("a") as fh:
        fh.write(row)
    print(RESULTS.read_text())


if __name__ == "__main__":
    main()
