"""Benchmark: Kupang's own day, our engines side by side with PyVRP at equal wall budgets.

For each budget and seed, in one process and one after the other on the same machine:

* ``ortools``: the OR-Tools model alone (``SolverParams(engine="ortools")``);
* ``hybrid``: the default engine (PyVRP's search, then OR-Tools repair and polish), one core;
* ``hybrid-2cores``: the same with ``num_workers = 2``: two PyVRP searches (seeds ``seed`` and
  ``seed + 1``) side by side on two cores, the cheaper goes on to OR-Tools; same wall budget;
* ``vrp-cli (peer)`` with ``--vrpcli``: the pragmatic-format solver, with breaks, kinds,
  landfill hours and windows native, only the landfill trips per truck relaxed;
* ``pyvrp (peer)``: PyVRP alone on its best modelling of the day (``wasteroute.pyvrp_model``:
  the landfill as reload and end depot, kinds as load dimensions, the shift less its break).
  Its plan is *relaxed* (no break placed, no stop or daily limits) and is reported as a peer,
  not validated under the full rules.

Every cost is recomputed identically from the routes: travel seconds along the route (depot,
points, landfill visits, depot) plus the unloading seconds of each landfill visit. Our plans
must pass ``Solution.validate()``. Writes ``benchmarks/results/kupang-engines-<date>.md``.

Run from the repository root::

    python -m benchmarks.quality.kupang_engines [--budgets 30,60] [--seeds 0,1,2] [--date 2026-12-02]
        [--engines ortools,hybrid,hybrid-2cores] [--vrpcli]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import time
from pathlib import Path

from wasteroute.config import SolverParams
from wasteroute.problem import ProblemData
from wasteroute.pyvrp_model import solve_pyvrp
from wasteroute.scenario import Scenario
from wasteroute.search import solve
from wasteroute.solution import Solution

ROOT = Path(__file__).resolve().parents[2]


def route_cost(problem: ProblemData, ids: list[str]) -> tuple[int, int, int]:
    """(cost s, distance m, landfill visits) of depot -> ``ids`` -> depot (a landfill last)."""
    loc = {problem.depot.id: 0}
    loc |= {lf.id: problem.landfill_location(j) for j, lf in enumerate(problem.landfills)}
    loc |= {p.id: problem.point_location(k) for k, p in enumerate(problem.points)}
    unload = {problem.landfill_location(j): lf.unload_s for j, lf in enumerate(problem.landfills)}
    seq = [0, *(loc[i] for i in ids), 0]
    cost = sum(int(problem.time_s[a, b]) for a, b in zip(seq, seq[1:]))
    dist = sum(int(problem.dist_m[a, b]) for a, b in zip(seq, seq[1:]))
    trips = sum(1 for x in seq if x in unload)
    return cost + sum(unload.get(x, 0) for x in seq), dist, trips


def plan_cost(problem: ProblemData, routes: list[list[str]]) -> tuple[int, float, int]:
    """Fleet cost, km and landfill trips over the used routes."""
    parts = [route_cost(problem, r) for r in routes if r]
    return sum(p[0] for p in parts), sum(p[1] for p in parts) / 1000, sum(p[2] for p in parts)


def _ours(sol: Solution) -> list[list[str]]:
    return [[v.id for v in r.visits[1:-1]] for r in sol.used_routes()]


def vrpcli_row(problem: ProblemData, budget: float, seed: int) -> dict[str, object]:
    """vrp-cli (pragmatic format) on the day: breaks, skills, reloads and windows native,
    landfill trips per truck relaxed (:mod:`benchmarks.quality.vrpcli_peer`)."""
    from benchmarks.quality.vrpcli_peer import solve_vrpcli

    res = solve_vrpcli(problem, budget, seed)
    cost, km, trips = plan_cost(problem, list(res.routes.values()))
    return {"engine": "vrp-cli (peer, trips relaxed)", "budget": budget, "seed": seed, "cost": cost, "km": km,
            "trips": trips, "unassigned": len(res.unassigned), "valid": None, "wall": res.seconds}


def run(problem: ProblemData, base: SolverParams, budget: float, seed: int,
        engines: tuple[str, ...] = ("ortools", "hybrid")) -> list[dict[str, object]]:
    rows = []
    for engine in engines:
        workers = 2 if engine.endswith("-2cores") else 1
        params = dataclasses.replace(base, time_limit_s=budget, seed=seed, engine=engine.removesuffix("-2cores"),
                                     num_workers=workers)
        t0 = time.perf_counter()
        sol = solve(problem, params)
        wall = time.perf_counter() - t0
        problems = sol.check()
        cost, km, trips = plan_cost(problem, _ours(sol))
        rows.append({"engine": engine, "budget": budget, "seed": seed, "cost": cost, "km": km, "trips": trips,
                     "unassigned": len(sol.unassigned), "valid": not problems, "wall": wall})
    t0 = time.perf_counter()
    peer = solve_pyvrp(problem, dataclasses.replace(base, seed=seed), time_limit_s=budget)
    wall = time.perf_counter() - t0
    cost, km, trips = plan_cost(problem, [list(r) for r in peer.routes])
    rows.append({"engine": "pyvrp (peer, relaxed)", "budget": budget, "seed": seed, "cost": cost, "km": km,
                 "trips": trips, "unassigned": len(peer.unassigned), "valid": None, "wall": wall})
    return rows


def table(rows: list[dict[str, object]]) -> str:
    out = ["| budget (s) | seed | engine | cost (s) | km | landfill trips | unassigned | validate() | wall (s) "
           "| ÷ PyVRP |", "|---:|---:|---|---:|---:|---:|---:|---|---:|---:|"]
    peers = {(r["budget"], r["seed"]): r["cost"] for r in rows if str(r["engine"]).startswith("pyvrp")}
    for r in rows:
        ratio = float(r["cost"]) / float(peers[(r["budget"], r["seed"])])  # type: ignore[arg-type]
        valid = {True: "passes", False: "FAILS", None: "n/a (relaxed)"}[r["valid"]]  # type: ignore[index]
        out.append(f"| {r['budget']:.0f} | {r['seed']} | {r['engine']} | {r['cost']:,} | {r['km']:,.1f} "
                   f"| {r['trips']} | {r['unassigned']} | {valid} | {r['wall']:.1f} | {ratio:.3f} |")
    return "\n".join(out) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budgets", default="30,60")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--date", default="2026-12-02")
    ap.add_argument("--engines", default="ortools,hybrid", help="our engines to run (empty: peers only)")
    ap.add_argument("--vrpcli", action="store_true", help="vrp-cli as a second peer (the bench extra)")
    ap.add_argument("--out", default=None, help="results file (default results/kupang-engines-<today>.md)")
    args = ap.parse_args()
    sc = Scenario.from_toml(ROOT / "data" / "kupang" / "scenario.toml").replace(date=dt.date.fromisoformat(args.date))
    problem = sc.build()
    rows: list[dict[str, object]] = []
    for budget in (float(b) for b in args.budgets.split(",")):
        for seed in (int(s) for s in args.seeds.split(",")):
            rows += run(problem, sc.solver, budget, seed, tuple(e for e in args.engines.split(",") if e))
            if args.vrpcli:
                rows.append(vrpcli_row(problem, budget, seed))
            print(table(rows), flush=True)
    path = Path(args.out) if args.out else ROOT / "benchmarks" / "results" / f"kupang-engines-{dt.date.today()}.md"
    head = (f"# Kupang {args.date}: engines at equal wall budgets\n\n{len(problem.points)} points due, "
            f"{len(problem.vehicles)} trucks; `python -m benchmarks.quality.kupang_engines --budgets {args.budgets} "
            f"--seeds {args.seeds} --date {args.date}`; one process, runs one after another.\n\n")
    path.write_text(head + table(rows))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
