"""Benchmark: ``final_unload`` "auto" against "optional" on Kupang's day, OR-Tools engine, paired.

For each seed both settings run one after the other with the same budget. Reported: the cost
recomputed from the routes (travel + unloading, as in ``kupang_engines``), OR-Tools' objective,
landfill trips, points unassigned, and the empty unloads in OR-Tools' raw routes (landfill visits
with nothing picked up since the depot or the last landfill; the read-out drops them).

    python -m benchmarks.quality.final_unload_ab [--budget 30] [--seeds 0,1] [--date 2026-12-02] [--modes auto,optional]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import time
from pathlib import Path

from benchmarks.quality.kupang_engines import plan_cost
from wasteroute import solver
from wasteroute.config import SolverParams
from wasteroute.scenario import Scenario

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budget", type=float, default=30.0)
    ap.add_argument("--seeds", default="0,1")
    ap.add_argument("--date", default="2026-12-02")
    ap.add_argument("--modes", default="auto,optional", help="final_unload settings to run, in order")
    args = ap.parse_args()
    sc = Scenario.from_toml(ROOT / "data" / "kupang" / "scenario.toml").replace(date=dt.date.fromisoformat(args.date))
    problem = sc.build()
    empty = {"n": 0}
    strip = solver._without_empty_unloads

    def counting(p, seq):  # type: ignore[no-untyped-def]
        out = strip(p, seq)
        empty["n"] += len(seq) - len(out)
        return out

    solver._without_empty_unloads = counting
    print("| seed | final_unload | cost (s) | objective | landfill trips | unassigned | empty unloads (raw) | wall (s) |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for seed in (int(s) for s in args.seeds.split(",")):
        for mode in args.modes.split(","):
            params = dataclasses.replace(sc.solver, time_limit_s=args.budget, seed=seed, final_unload=mode,
                                         engine="ortools")
            assert isinstance(params, SolverParams)
            empty["n"] = 0
            t0 = time.perf_counter()
            sol = solver.solve(problem, params)
            wall = time.perf_counter() - t0
            sol.validate()
            cost, _, trips = plan_cost(problem, [[v.id for v in r.visits[1:-1]] for r in sol.used_routes()])
            print(f"| {seed} | {mode} | {cost:,} | {sol.objective:,} | {trips} | {len(sol.unassigned)} "
                  f"| {empty['n']} | {wall:.1f} |", flush=True)


if __name__ == "__main__":
    main()
