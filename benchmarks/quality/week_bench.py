"""Benchmark: a Kupang week planned by the week planner against the shipped fixed ``days``.

For each seed, one variant after the other on the same machine (each plans its seven days in
parallel on a process pool of ``--workers`` processes):

* ``fixed days``: every point on its shipped ``days`` (``WeekParams(fixed_days=True,
  stable_trucks=False)``), each day planned by the day planner as ``run_routes.py --date`` does;
* ``balanced``: patterns chosen by CP-SAT for an even week, days planned freely;
* ``week plan``: the default of ``run_routes.py --week``: balanced patterns and stable
  territories (each point on its territory's truck every day it is collected).

Volumes accumulate with the days since the last collection in every variant (the same waste
per point and week). Reports weekly km, litres of diesel, truck-hours, landfill trips,
unassigned points, busiest ÷ quietest day truck-hours (all seven days, and Monday-Saturday),
the share of points collected more than once that had one truck on all their days, and the
wall time of the whole week plan. Writes ``benchmarks/results/week-<date>.md``.

Run from the repository root::

    python -m benchmarks.quality.week_bench [--monday 2026-12-07] [--seeds 0,1] [--day-limit 15]
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import time
from pathlib import Path

from wasteroute.scenario import Scenario
from wasteroute.week import WeekParams, WeekPlan

ROOT = Path(__file__).resolve().parents[2]
VARIANTS: dict[str, WeekParams] = {
    "fixed days": WeekParams(fixed_days=True, stable_trucks=False),
    "balanced": WeekParams(stable_trucks=False),
    "week plan": WeekParams(),
}


def measure(week: WeekPlan, wall_s: float) -> dict[str, float]:
    """The figures of one planned week."""
    t = week.day_table()
    worked = t[t["hours"] > 0]
    mon_sat = worked[worked["day"] != "sun"]
    s = week.spread()
    for d in week.days:
        if d.solution is not None:
            d.solution.validate()
    return {
        "km": s["km"], "fuel_l": s["fuel_l"], "hours": s["hours"], "trips": s["landfill_trips"],
        "unassigned": s["unassigned"], "ratio": s["hours_ratio"],
        "ratio_mon_sat": round(float(mon_sat["hours"].max() / mon_sat["hours"].min()), 3),
        "hours_max": s["hours_max"], "hours_min": s["hours_min"],
        "same_truck": s["same_truck_share"], "wall_s": round(wall_s, 1), "broken": len(week.check()),
        "days_h": " / ".join(f"{h:.0f}" for h in t["hours"]),
    }


def run(monday: dt.date, seeds: list[int], day_limit_s: float, pattern_s: float,
        variants: list[str]) -> list[tuple[int, str, dict[str, float]]]:
    """Plan every variant for every seed; return (seed, variant, figures)."""
    base = Scenario.from_toml(ROOT / "data" / "kupang" / "scenario.toml")
    out = []
    for seed in seeds:
        sc = base.with_solver(seed=seed, time_limit_s=day_limit_s)
        for name in variants:
            params = VARIANTS[name]
            params = WeekParams(fixed_days=params.fixed_days, stable_trucks=params.stable_trucks,
                                day_time_limit_s=day_limit_s, pattern_time_s=pattern_s)
            t0 = time.perf_counter()
            week = sc.plan_week(monday, params)
            figures = measure(week, time.perf_counter() - t0)
            print(f"seed {seed} {name}: {figures}", flush=True)
            out.append((seed, name, figures))
    return out


def table(rows: list[tuple[int, str, dict[str, float]]]) -> str:
    """The results as a Markdown table."""
    head = ("| seed | variant | km | litres | truck-h | landfill trips | unassigned | busiest ÷ quietest day "
            "(Mon-Sun) | (Mon-Sat) | truck-h per day Mon..Sun | same truck | broken rules | wall (s) |")
    lines = [head, "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|"]
    for seed, name, f in rows:
        lines.append(
            f"| {seed} | {name} | {f['km']:,.1f} | {f['fuel_l']:,.1f} | {f['hours']:,.1f} | {f['trips']} | "
            f"{f['unassigned']} | {f['ratio']:.3f} | {f['ratio_mon_sat']:.3f} | {f['days_h']} | "
            f"{100 * f['same_truck']:.1f} % | {f['broken']} | {f['wall_s']:.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write its Markdown table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--monday", type=dt.date.fromisoformat, default=dt.date(2026, 12, 7))
    ap.add_argument("--seeds", default="0,1")
    ap.add_argument("--day-limit", type=float, default=15.0, help="search seconds per day")
    ap.add_argument("--pattern-time", type=float, default=5.0, help="CP-SAT deterministic time")
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("-v", "--verbose", action="store_true", help="log the planner's progress")
    args = ap.parse_args(argv)
    if args.verbose:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    seeds = [int(s) for s in args.seeds.split(",")]
    rows = run(args.monday, seeds, args.day_limit, args.pattern_time, args.variants.split(","))
    text = table(rows)
    print(text)
    out = args.out or ROOT / "benchmarks" / "results" / f"week-{dt.date.today().isoformat()}.md"
    out.write_text(f"<!-- python -m benchmarks.quality.week_bench --seeds {args.seeds} --day-limit "
                   f"{args.day_limit:g} on {os.cpu_count()} cores -->\n{text}\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
