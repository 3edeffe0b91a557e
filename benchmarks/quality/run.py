"""Solution-quality runner: ``python -m benchmarks.quality.run --sets solomon,kim --budget 10``.

Solves each instance with each solver on the same budget and seed, checks every answer
independently (``check.check_routes``; ours also ``Solution.validate``), computes the objective
under the set's own convention and the gap to the best known, and appends one row per run to
``benchmarks/results/<date>.csv``. ``--report`` writes the matching ``.md`` table.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import logging
import sys
import traceback
from pathlib import Path

from .check import check_routes
from .instances import READERS, Instance, full_names
from .solvers import (
    KIM_FIXED,
    ORTOOLS,
    V1,
    V2,
    Run,
    solve_ours,
    solve_pyvrp,
    solve_vrpcli_peer,
    solve_vroom,
    solve_warm,
    vroom_fits,
)

RESULTS = Path(__file__).resolve().parents[1] / "results"
FIELDS = ["instance", "set", "solver", "budget_s", "vehicles", "objective", "best_known", "best_known_vehicles",
          "gap_pct", "feasible", "seconds", "notes"]


def _solve(solver: str, inst: Instance, budget: float, seed: int) -> Run | str:
    kim_v3 = KIM_FIXED if inst.family == "kim" else {}
    if solver in ("wasteroute", "wasteroute-v5"):  # the defaults: hybrid engine
        return solve_ours(inst, budget, seed)
    if solver in ("wasteroute-v4", "wasteroute-ortools"):  # the OR-Tools engine alone
        return solve_ours(inst, budget, seed, **ORTOOLS)
    if solver == "wasteroute-v4-areas":  # decomposition by area from 500 points (default: 700)
        return solve_ours(inst, budget, seed, decompose_above=500, **ORTOOLS)
    if solver == "wasteroute-v4-whole":  # never decomposed
        return solve_ours(inst, budget, seed, decompose_above=None, **ORTOOLS)
    if solver == "wasteroute-v3":  # (release dates: the v4 constraint; v3's failed validation)
        return solve_ours(inst, budget, seed, **kim_v3, **ORTOOLS)
    if solver == "wasteroute-v1":
        return solve_ours(inst, budget, seed, **V1, **kim_v3)
    if solver == "wasteroute-v2":
        return solve_ours(inst, budget, seed, **V2, **kim_v3)
    if solver == "wasteroute-v3-nearest-lci":  # several landfills: final unload at the nearest
        return solve_ours(inst, budget, seed, final_unload="nearest", first_solution="LOCAL_CHEAPEST_INSERTION",
                          **kim_v3, **ORTOOLS)
    if solver == "wasteroute+pyvrp-warm":
        return solve_warm(inst, budget, seed)
    if solver == "wasteroute-savings":
        return solve_ours(inst, budget, seed, first_solution="SAVINGS", **ORTOOLS)
    if solver == "pyvrp":
        return solve_pyvrp(inst, budget, seed)
    if solver == "vrp-cli":
        return solve_vrpcli_peer(inst, budget, seed)
    if solver == "vroom":
        why = vroom_fits(inst)
        return why or solve_vroom(inst, budget)
    raise SystemExit(
        f"unknown solver {solver!r}; use wasteroute (= wasteroute-v5, hybrid), wasteroute-v4 (= wasteroute-ortools), "
        "wasteroute-v4-areas, -v4-whole, wasteroute-v1, -v2, -v3, "
        "wasteroute-v3-nearest-lci, wasteroute+pyvrp-warm, "
        "wasteroute-savings, pyvrp, vrp-cli, vroom"
    )


def row_for(inst: Instance, solver: str, budget: float, run: Run) -> dict[str, object]:
    """One result row: objective under the set's convention, gap, feasibility."""
    errors = check_routes(inst, run.routes) + run.validate_errors
    obj = inst.objective(run.routes)
    gap = 100 * (obj - inst.bks) / inst.bks if inst.bks else None
    notes = list(run.notes) + [f"{len(errors)} violations: {errors[0]}" if errors else ""]
    if inst.family == "kim" and inst.bks:
        notes.append(f"ref = Kim 2006 ({inst.bks_vehicles} veh), unverified transcription")
        need = -(-int(inst.demand.sum()) // inst.daily_capacity) if inst.daily_capacity else 0
        if inst.bks_vehicles and need > inst.bks_vehicles:
            notes.append(f"{inst.bks_vehicles} trucks cannot carry {inst.demand.sum() / 100:.0f} yd3 at "
                         f"{inst.daily_capacity / 100:.0f} yd3/truck/day: at least {need}")
    return {
        "instance": inst.name, "set": inst.family, "solver": solver, "budget_s": budget, "vehicles": len(run.routes),
        "objective": round(obj, 2), "best_known": inst.bks if inst.bks is not None else "",
        "best_known_vehicles": inst.bks_vehicles or "", "gap_pct": round(gap, 2) if gap is not None else "",
        "feasible": not errors, "seconds": round(run.seconds, 1), "notes": "; ".join(n for n in notes if n),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and append rows to the results CSV."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sets", default="solomon,kim,mtvrptwr,x")
    ap.add_argument("--budget", type=float, default=10.0)
    ap.add_argument("--solvers", default="wasteroute,pyvrp,vroom")
    ap.add_argument("--limit", type=int, default=None, help="first N instances of each set")
    ap.add_argument("--names", default=None, help="comma-separated instance names (one set)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--full", action="store_true",
                    help="issue 11's target lists: Solomon all 56, X 20, mtvrptwr 24, Kim all 8 (instances.full_names)")
    ap.add_argument("--out", default=str(RESULTS / f"{dt.date.today().isoformat()}.csv"))
    ap.add_argument("--report", action="store_true", help="only write the .md table from --out")
    args = ap.parse_args(argv)
    out = Path(args.out)
    if args.report:
        from .report import write_report

        print(write_report(out))
        return 0
    logging.basicConfig(level=logging.WARNING)
    out.parent.mkdir(parents=True, exist_ok=True)
    new = not out.exists()
    names = args.names.split(",") if args.names else None
    with out.open("a", newline="") as fh:
        w = csv.DictWriter(fh, FIELDS)
        if new:
            w.writeheader()
        for family in args.sets.split(","):
            fam_names = names or (full_names(family) if args.full else None)
            for inst in READERS[family](args.limit, fam_names):
                for solver in args.solvers.split(","):
                    try:
                        run = _solve(solver, inst, args.budget, args.seed)
                    except Exception as exc:  # a crash is a result too
                        traceback.print_exc()
                        run = Run([], 0.0, [f"error: {exc}"])
                    if isinstance(run, str):
                        print(f"{inst.name} {solver}: skipped ({run})", flush=True)
                        continue
                    row = row_for(inst, solver, args.budget, run)
                    w.writerow(row)
                    fh.flush()
                    print(" ".join(f"{k}={row[k]}" for k in FIELDS[:-1]), row["notes"][:120], flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
