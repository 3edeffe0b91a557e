"""Benchmark: batches on Dask (``wasteroute.batch``): throughput, memory per worker, overhead.

Three measurements, each on a ``LocalCluster`` of worker processes (one thread each), started
before the clock runs (its start-up time is reported apart):

1. **Throughput**: the same 24-job Kupang grid (2 dates x 2 seeds x 3 fleet sizes x 2 volume
   factors, ``--time-limit`` seconds each) on 1 and on 2 workers: jobs per minute, the ratio,
   and the seconds each job spent loading its city (only a worker's first Kupang job loads it).
2. **Memory per worker**: each worker's resident and peak memory after the grid (imports,
   the Kupang network, snapped points and matrix in its caches), and an idle worker's.
3. **Scheduler overhead per job**: a batch of trivial tasks (``--trivial`` no-op tasks
   through the same submit / as_completed loop as ``run_batch``), and, for the grid, the wall
   time x workers not spent inside a job, per job.

Run from the repository root (it prints Markdown rows and writes a JSON record)::

    python -m benchmarks.speed.batch_bench [--time-limit 10] [--engine ortools] [--trivial 500] [--json out/batch-bench.json]

Results: ``benchmarks/results/batch-*.md``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "data" / "kupang" / "scenario.toml"
GRID = {"date": ["2026-12-02", "2026-12-03"], "seed": [0, 1], "trucks": [34, 30, 26], "volume_factor": [1.0, 1.3]}


def grid(time_limit_s: float, engine: str) -> list[Any]:
    """The 24 Kupang jobs."""
    from wasteroute.batch import make_jobs

    return make_jobs(SCENARIO, time_limit_s=time_limit_s, engine=engine, **GRID)


def _memory() -> dict[str, float]:
    """This (worker) process's resident and peak memory in MB."""
    import resource

    import psutil

    return {"rss_mb": psutil.Process().memory_info().rss / 2**20,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _mean(values: Any) -> float:
    """Mean of a column, NaN when it has no value (every job failed)."""
    import pandas as pd

    m = values.astype("Float64").mean()
    return float("nan") if pd.isna(m) else round(float(m), 2)


def _noop(i: int) -> int:
    return i


def cluster(workers: int) -> tuple[Any, Any, float]:
    """A local cluster like ``run_batch``'s own, its client, and the seconds it took to start."""
    import distributed

    t0 = time.perf_counter()
    c = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                 dashboard_address=None, silence_logs=logging.ERROR)
    client = distributed.Client(c)
    client.wait_for_workers(workers)
    return c, client, time.perf_counter() - t0


def throughput(workers: int, time_limit_s: float, engine: str) -> dict[str, Any]:
    """The grid on ``workers`` workers: wall time, jobs per minute, loads, memory, overhead."""
    from wasteroute.batch import run_batch

    c, client, start_s = cluster(workers)
    try:
        idle = list(client.run(_memory).values())
        jobs = grid(time_limit_s, engine)
        t0 = time.perf_counter()
        frame = run_batch(jobs, client)
        wall = time.perf_counter() - t0
        mem = list(client.run(_memory).values())
        frame.to_csv(ROOT / "out" / f"batch-bench-{workers}.csv", index=False)  # the rows, for a closer look
    finally:
        client.close()
        c.close()
    busy = float(frame["seconds"].sum())
    return {
        "workers": workers, "jobs": len(frame), "ok": int((frame["status"] == "ok").sum()),
        "cluster_start_s": round(start_s, 1), "wall_s": round(wall, 1),
        "jobs_per_min": round(len(frame) / wall * 60, 2),
        "job_s_mean": round(busy / len(frame), 2), "solve_s_mean": _mean(frame["solve_s"]),
        "loads": int(frame["loaded"].fillna(False).sum()),
        "load_s_first": _mean(frame.loc[frame["loaded"].fillna(False).astype(bool), "load_s"]),
        "load_s_cached": _mean(frame.loc[~frame["loaded"].fillna(False).astype(bool), "load_s"]),
        "errors": sorted(set(frame.loc[frame["status"] != "ok", "error"].str.slice(0, 120))),
        "overhead_s_per_job": round((wall * workers - busy) / len(frame), 2),
        "idle_rss_mb": round(max(m["rss_mb"] for m in idle)),
        "rss_mb": round(max(m["rss_mb"] for m in mem)), "peak_mb": round(max(m["peak_mb"] for m in mem)),
        "unassigned": [int(x) for x in frame["unassigned"].fillna(-1)],
    }


def trivial(n: int, workers: int = 2) -> dict[str, Any]:
    """``n`` no-op tasks submitted and collected one by one, as run_batch does: seconds per task."""
    from distributed import as_completed

    c, client, _ = cluster(workers)
    try:
        t0 = time.perf_counter()
        futures = [client.submit(_noop, i, pure=False) for i in range(n)]
        for f in as_completed(futures):
            f.result()
            f.release()
        wall = time.perf_counter() - t0
    finally:
        client.close()
        c.close()
    return {"tasks": n, "workers": workers, "wall_s": round(wall, 2), "ms_per_task": round(wall / n * 1000, 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=10.0, help="each job's solver time limit (s)")
    ap.add_argument("--engine", default="hybrid", choices=("hybrid", "ortools", "pyvrp"),
                    help="each job's search engine (hybrid: PyVRP's share of a short budget may find no "
                         "plan on a crowded machine; ortools: a first plan in about 2 s of CPU)")
    ap.add_argument("--trivial", type=int, default=500, help="no-op tasks for the overhead measure")
    ap.add_argument("--json", type=Path, default=ROOT / "out" / "batch-bench.json")
    args = ap.parse_args()
    record: dict[str, Any] = {"machine": f"{platform.machine()}, {os.cpu_count()} cores", "time_limit_s": args.time_limit,
                              "engine": args.engine, "load_average": os.getloadavg()}
    record["trivial"] = trivial(args.trivial)
    print(f"trivial tasks: {record['trivial']}", flush=True)
    record["runs"] = []
    for workers in (1, 2):
        run = throughput(workers, args.time_limit, args.engine)
        record["runs"].append(run)
        print(f"{workers} worker(s): {run}", flush=True)
    one, two = record["runs"]
    record["ratio"] = round(two["jobs_per_min"] / one["jobs_per_min"], 2)
    print("\n| workers | jobs | ok | wall (s) | jobs/min | mean job (s) | mean solve (s) | city loads "
          "| load first / cached (s) | overhead per job (s) | worker RSS idle / after / peak (MB) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|")
    for r in record["runs"]:
        print(f"| {r['workers']} | {r['jobs']} | {r['ok']} | {r['wall_s']} | {r['jobs_per_min']} | {r['job_s_mean']} "
              f"| {r['solve_s_mean']} | {r['loads']} | {r['load_s_first']} / {r['load_s_cached']} "
              f"| {r['overhead_s_per_job']} | {r['idle_rss_mb']} / {r['rss_mb']} / {r['peak_mb']} |")
    print(f"\nratio 2 / 1 workers: {record['ratio']}; trivial tasks: {record['trivial']['ms_per_task']} ms each")
    record["load_average_after"] = os.getloadavg()
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(record, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
