"""Benchmark: does a large day hold its time budget and serve every point?

Generated Kupang-like days (:mod:`wasteroute.synthetic.large_day`: Kupang's generated streets and
facilities, points drawn the way Kupang's own are, the fleet scaled with the points) of 300,
600, 1,200, 2,400 and 5,000 points are each planned through the front door
(:func:`wasteroute.search.solve`, the default strategy and engine) with one time budget. Each
size runs in its own child process, so its peak memory (``ru_maxrss``) is its own; the child
is killed after ``--kill-after`` times the budget. Reported per size: trucks, build time,
solve wall time and its ratio to the budget, points unassigned, the plan's cost (travel +
unloading seconds, as in ``benchmarks/quality/kupang_engines.py``), ``validate()`` and the
peak RSS of the child.

Run from the repository root::

    python -m benchmarks.speed.scaling_bench [--sizes 300,600,1200,2400,5000] [--budget 60] [--seed 0]
        [--engine hybrid] [--whole] [--label after] [--out benchmarks/results/scaling-<date>.md]

The table is appended to ``--out`` (a Markdown file) with the label and the command.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import logging
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEADER = ("| points | trucks | engine | budget (s) | build (s) | solve wall (s) | wall ÷ budget | unassigned "
          "| cost (s) | validate() | areas | peak RSS (MB) |\n"
          "|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---:|---:|\n")


def one(n_points: int, budget: float, seed: int, engine: str, whole: bool = False) -> dict[str, object]:
    """Build and plan one generated day in this process; the figures as a dict."""
    from benchmarks.quality.kupang_engines import plan_cost
    from wasteroute.search import solve
    from wasteroute.synthetic.large_day import large_day_scenario

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        sc = large_day_scenario(n_points, tmp, seed=seed)
        problem = sc.build()
        build = time.perf_counter() - t0
    params = dataclasses.replace(sc.solver, time_limit_s=budget, seed=seed, engine=engine)
    if whole:
        params = dataclasses.replace(params, decompose_above=None)
    t0 = time.perf_counter()
    sol = solve(problem, params)
    wall = time.perf_counter() - t0
    cost, _, _ = plan_cost(problem, [[v.id for v in r.visits[1:-1]] for r in sol.used_routes()])
    label = engine + (" (whole day)" if whole else "")
    return {"points": len(problem.points), "trucks": len(problem.vehicles), "engine": label, "budget": budget,
            "build": build, "wall": wall, "unassigned": len(sol.unassigned), "cost": cost,
            "valid": not sol.check(), "areas": sol.meta.get("areas", 1),
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def child(n_points: int, budget: float, seed: int, engine: str, kill_after: float,
          whole: bool = False) -> dict[str, object]:
    """:func:`one` in a child process (its own peak memory), killed after ``kill_after`` x budget."""
    cmd = [sys.executable, "-m", "benchmarks.speed.scaling_bench", "--one", str(n_points), "--budget", str(budget),
           "--seed", str(seed), "--engine", engine, *(["--whole"] if whole else [])]
    t0 = time.perf_counter()
    try:
        out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=kill_after * budget + 120)
    except subprocess.TimeoutExpired:
        return {"points": n_points, "engine": engine, "budget": budget, "error": f"killed after "
                f"{time.perf_counter() - t0:.0f} s (build + solve)"}
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode or not lines:
        return {"points": n_points, "engine": engine, "budget": budget,
                "error": (out.stderr.strip().splitlines() or ["no output"])[-1][:200]}
    return json.loads(lines[-1])


def row(r: dict[str, object]) -> str:
    if "error" in r:
        return f"| {r['points']} | - | {r['engine']} | {float(r['budget']):.0f} | - | - | - | - | - | {r['error']} | - | - |"  # type: ignore[arg-type]
    ratio = float(r["wall"]) / float(r["budget"])  # type: ignore[arg-type]
    return (f"| {r['points']:,} | {r['trucks']} | {r['engine']} | {float(r['budget']):.0f} | {float(r['build']):.1f} "  # type: ignore[arg-type]
            f"| {float(r['wall']):.1f} | {ratio:.2f} | {r['unassigned']} | {int(r['cost']):,} "  # type: ignore[call-overload]
            f"| {'passes' if r['valid'] else 'FAILS'} | {r['areas']} | {float(r['rss_mb']):,.0f} |")  # type: ignore[arg-type]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="300,600,1200,2400,5000")
    ap.add_argument("--budget", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--engine", default="hybrid")
    ap.add_argument("--kill-after", type=float, default=4.0, help="kill a child after this many budgets")
    ap.add_argument("--label", default="")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / f"scaling-{dt.date.today()}.md"))
    ap.add_argument("--whole", action="store_true", help="never by area (decompose_above = None)")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
        print(json.dumps(one(args.one, args.budget, args.seed, args.engine, args.whole)), flush=True)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    lines = []
    for n in sizes:
        r = child(n, args.budget, args.seed, args.engine, args.kill_after, args.whole)
        lines.append(row(r))
        print(HEADER + "\n".join(lines), flush=True)
    cmd = (f"python -m benchmarks.speed.scaling_bench --sizes {args.sizes} --budget {args.budget:g} "
           f"--seed {args.seed} --engine {args.engine}" + (" --whole" if args.whole else ""))
    text = f"\n### {args.label or 'run'} ({dt.date.today()})\n\n`{cmd}`\n\n" + HEADER + "\n".join(lines) + "\n"
    with open(args.out, "a", encoding="utf-8") as fh:
        fh.write(text)
    print(f"appended to {args.out}")


if __name__ == "__main__":
    main()
