"""Benchmark: peak memory of a very large day (20,000 points) on the Kupang network.

The Kupang scenario's 600 points are sampled with replacement, each copy moved by a few metres
(seeded jitter), so the day has ``--points`` points on a few hundred distinct road nodes, the
shape that used to expand the matrices to a dense points x points array. The script builds
and solves that day with a short time limit in this process and prints one Markdown row:
stage times, the matrix sizes held by the problem, the outcome (planned / unassigned, or the
error) and the peak RSS of this process and of the matrix worker processes.

Run from the repository root, ideally under a memory limit so that a regression cannot eat a
shared machine::

    python -m benchmarks.speed.memory_bench [--points 20000] [--time-limit 60] [--limit-gb 6]

Results: ``benchmarks/results/memory-*.md``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import logging
import resource
import tempfile
import time
import traceback
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "data" / "kupang" / "scenario.toml"
HEADER = (
    "| run | points | distinct nodes | time limit (s) | build (s) | solve (s) | problem matrices "
    "| outcome | peak RSS (MB) | workers' peak RSS (MB) |\n"
    "|---|---:|---:|---:|---:|---:|---|---|---:|---:|\n"
)


def jittered_points(n: int, *, seed: int = 0, jitter_m: float = 8.0) -> pd.DataFrame:
    """``n`` points sampled from the Kupang file, each moved up to ``jitter_m`` metres, due daily."""
    base = pd.read_csv(SCENARIO.parent / "collection_points_synthetic.csv", dtype=str, keep_default_na=False)
    rng = np.random.default_rng(seed)
    rows = base.iloc[rng.integers(0, len(base), n)].reset_index(drop=True)
    deg = jitter_m / 111_000.0
    rows["lon"] = (rows["lon"].astype(float) + rng.uniform(-deg, deg, n)).round(6).astype(str)
    rows["lat"] = (rows["lat"].astype(float) + rng.uniform(-deg, deg, n)).round(6).astype(str)
    rows["id"] = [f"MB-{i:05d}" for i in range(n)]
    rows["days"] = "daily"
    return rows


def _peak_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, kids


def run(n_points: int, time_limit: float, seed: int) -> str:
    from wasteroute.scenario import Scenario
    from wasteroute.solver import solve

    t_build = t_solve = float("nan")
    matrices, outcome, distinct = "-", "", "-"
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "points.csv"
        jittered_points(n_points, seed=seed).to_csv(csv, index=False)
        sc = Scenario.from_toml(SCENARIO).replace(points_file=csv, date=dt.date(2026, 11, 24))
        params = dataclasses.replace(sc.solver, time_limit_s=time_limit, seed=seed)
        t0 = time.perf_counter()
        try:
            problem = sc.build()
            t_build = time.perf_counter() - t0
            distinct = str(len(np.unique(np.asarray([p.node for p in problem.points]))))
            node_t = getattr(problem, "node_time_s", None)
            t = node_t if node_t is not None else problem.time_s
            matrices = f"{t.shape[0]}×{t.shape[1]} {t.dtype}"
            t0 = time.perf_counter()
            sol = solve(problem, params)
            t_solve = time.perf_counter() - t0
            served = len(problem.points) - sum(1 for k in sol.unassigned if k not in problem.reasons)
            outcome = f"planned: {served} served, {len(sol.unassigned)} unassigned with reasons"
        except MemoryError:
            outcome = f"MemoryError after {time.perf_counter() - t0:.0f} s"
            logging.getLogger("wasteroute").error("%s", traceback.format_exc(limit=6))
    own, kids = _peak_mb()
    cells = [dt.datetime.now().strftime("%Y-%m-%d %H:%M"), str(n_points), distinct, f"{time_limit:.0f}",
             f"{t_build:.1f}", f"{t_solve:.1f}", matrices, outcome, f"{own:.0f}", f"{kids:.0f}"]
    return "| " + " | ".join(cells) + " |\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=20_000)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit-gb", type=float, default=None,
                    help="cap this process's address space (RLIMIT_AS) so a regression fails fast")
    args = ap.parse_args()
    if args.limit_gb:
        cap = int(args.limit_gb * 1024**3)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    print(HEADER + run(args.points, args.time_limit, args.seed), end="")


if __name__ == "__main__":
    main()
