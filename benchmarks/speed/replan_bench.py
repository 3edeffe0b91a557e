"""Benchmark: re-plans during the Kupang day, against re-planning the rest of the day from scratch.

One morning plan of Kupang (2026-11-24, fixed seed and budget), then a few disruptions: a breakdown
at 08:40 with the four generated complaints (``data/kupang/complaints_generated.csv``), a breakdown
of the truck with the most stops left at 10:00, and the complaints alone at 08:40. Each is re-planned three ways:

* ``re-plan``: :func:`wasteroute.replan.replan` as shipped (warm start from the remaining morning
  routes, 600 s per moved stop, 10 s);
* ``scratch``: the same state at the same time, the rest of the day routed from scratch (OR-Tools'
  first-solution strategy, no home trucks, no move cost), with the same 10 s and with 30 s.

Per run: the answer time of ``replan()`` (state, matrix for lon/lat complaints, search, composing;
wall clock), the km and minutes the trucks still driving take on against the morning plan, points
left unassigned, trucks with new routes and stops moved between trucks still driving. Every re-plan
is checked with ``Replan.validate()``. Writes ``benchmarks/results/replan-<today>.md``.

Run from the repository root::

    python -m benchmarks.speed.replan_bench [--morning-s 30] [--seed 0]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import platform
import time
from pathlib import Path
from typing import Any

from wasteroute.replan import Replan, read_complaints, replan
from wasteroute.scenario import Scenario

ROOT = Path(__file__).resolve().parents[2]
DATE = dt.date(2026, 11, 24)
#: (name, time, broken trucks (None: the truck with the most stops left then), with the complaints)
CASES = (
    ("DT-03 broken 08:40 + 4 complaints", "08:40", ["DT-03"], True),
    ("busiest truck broken 10:00", "10:00", None, False),
    ("4 complaints 08:40", "08:40", [], True),
)
METHODS = (("re-plan", True, 10.0), ("scratch", False, 10.0), ("scratch", False, 30.0))


def _moved(res: Replan) -> int:
    """Stops a truck still driving had left in the morning that another truck now serves."""
    served_by = {v.id: r.vehicle.id for r in res.solution.routes for v in r.stops}
    moved = 0
    for old in res.morning.routes:
        if old.vehicle.id in res.broken:
            continue
        for v in old.stops:
            if v.id not in res.served_before and served_by.get(v.id, old.vehicle.id) != old.vehicle.id:
                moved += 1
    return moved


def run(morning_s: float, seed: int) -> tuple[str, list[list[str]]]:
    sc = Scenario.from_toml(ROOT / "data" / "kupang" / "scenario.toml").replace(date=DATE)
    sc = sc.with_solver(time_limit_s=morning_s, seed=seed)
    morning = sc.solve()
    morning.validate()
    complaints = read_complaints(ROOT / "data" / "kupang" / "complaints_generated.csv")
    f = morning.fleet_kpis()
    head = (f"Morning plan: {f['points_served']} of {f['points_due']} points, {f['km']:,.1f} km, "
            f"{f['hours']:,.1f} truck hours ({f['engine']}, {morning_s:.0f} s, seed {seed}).")
    rows = []
    for name, at, broken, with_complaints in CASES:
        if broken is None:  # the truck with the most stops still to do at that time
            at_s = int(at[:2]) * 3600 + int(at[3:]) * 60
            busiest = max(morning.routes, key=lambda r: sum(1 for v in r.stops if v.start_s > at_s))
            broken, name = [busiest.vehicle.id], name.replace("busiest truck", busiest.vehicle.id)
        for method, warm, budget in METHODS:
            params = dataclasses.replace(sc.solver, replan_time_limit_s=budget)
            t0 = time.perf_counter()
            res = replan(morning.problem, morning, at, broken=broken, added=complaints if with_complaints else (),
                         params=params, warm_start=warm)
            answer = time.perf_counter() - t0
            res.validate()
            c: dict[str, Any] = res.cost()
            rows.append([name, method, f"{budget:.0f}", f"{answer:.1f}", f"{c['solve_s']:.1f}",
                         f"{c['km_others_added']:+.1f}", f"{c['minutes_others_added']:+.0f}",
                         f"{c['km_after']:,.1f}", str(c["unassigned"]), str(c["trucks_changed"]), str(_moved(res))])
            print(" | ".join(rows[-1]), flush=True)
    return head, rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--morning-s", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--note", default="", help="a line about the machine's load, written under the table")
    args = ap.parse_args()
    head, rows = run(args.morning_s, args.seed)
    out = ROOT / "benchmarks" / "results" / f"replan-{dt.date.today().isoformat()}.md"
    cols = ["disruption", "method", "budget (s)", "answer (s)", "search (s)", "km added (trucks driving)",
            "min added (trucks driving)", "fleet km after", "unassigned", "trucks changed", "stops moved"]
    lines = [
        f"# Re-plans during the Kupang day ({dt.date.today().isoformat()})", "",
        f"`python -m benchmarks.speed.replan_bench --morning-s {args.morning_s:g} --seed {args.seed}`; "
        f"{platform.machine()}, Python {platform.python_version()}, {os.cpu_count()} cores. Street network "
        "and points: SYNTHETIC (generated). " + head, "",
        "| " + " | ".join(cols) + " |", "|" + "---|" * 2 + "---:|" * (len(cols) - 2),
        *("| " + " | ".join(r) + " |" for r in rows), "",
    ]
    if args.note:
        lines += [args.note, ""]
    out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
