"""Command line: ``python run_routes.py`` (or ``wasteroute``) plans tomorrow for the bundled Kupang scenario.

Parses arguments, calls the library, writes the outputs and maps exceptions to exit codes:
0 ok, 1 unexpected, 2 bad input, 3 network, 4 no plan found, 5 plan failed its checks,
130 interrupted. No logic of its own beyond wiring.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import logging
import math
import sys
import time
from pathlib import Path

from .errors import InputError, WasterouteError

log = logging.getLogger("wasteroute")

#: Time cap of each search when ``--solution-limit`` is given without ``--time-limit``.
SOLUTION_RUN_CAP_S = 3600.0

#: The bundled scenario, found next to the package in a source checkout.
DEFAULT_SCENARIO = Path(__file__).resolve().parent.parent / "data" / "kupang" / "scenario.toml"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (also used for ``--help`` in the README)."""
    p = argparse.ArgumentParser(
        prog="run_routes.py",
        description="Plan a day of waste collection: routes for every truck, maps, driver sheets, exports.",
        epilog="The planning office's web app: run_routes.py serve --help",
    )
    p.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO,
                   help="scenario TOML file (default: the bundled Kota Kupang scenario)")
    p.add_argument("--date", type=_date, default=None, help="day to plan, YYYY-MM-DD (default: tomorrow, city time)")
    p.add_argument("--time-limit", type=_positive_seconds, default=None, metavar="S", help="solver time limit in seconds")
    p.add_argument("--solution-limit", type=_positive_int, default=None, metavar="N",
                   help="stop the search after N solutions (deterministic runs)")
    p.add_argument("--seed", type=_non_negative_int, default=None, help="search seed (same seed, same plan)")
    p.add_argument("--out", type=Path, default=Path("out"), help="output folder; the plan goes to OUT/<date>/")
    p.add_argument("--unavailable", default="", metavar="IDS",
                   help="trucks out of service today, comma-separated, e.g. DT-03,AR-02")
    p.add_argument("--trucks", type=_non_negative_int, default=None, metavar="N",
                   help="only N trucks available (the rest taken off in proportion to each type)")
    p.add_argument("--engine", choices=("hybrid", "ortools", "pyvrp"), default=None,
                   help="search engine (default: the scenario's, normally hybrid = PyVRP's search, then "
                        "OR-Tools repairs and polishes; ortools = OR-Tools alone)")
    p.add_argument("--fewest-trucks", action="store_true",
                   help="serve every point with as few trucks as possible (fleet order = preference)")
    p.add_argument("--volume-factor", type=_volume_factor, default=None, metavar="X",
                   help="scale every point's volume, e.g. 1.3 for the rainy season")
    p.add_argument("--summary", action="store_true",
                   help="only load the scenario and print its summary (network, points, fleet); no solving")
    p.add_argument("--download-network", action="store_true",
                   help="download the real OpenStreetMap network (Overpass) and cache it for later runs")
    p.add_argument("--language", choices=("id", "en"), default=None,
                   help="driver sheets in Bahasa Indonesia or English (default: the scenario's language, else id)")
    p.add_argument("--no-maps", action="store_true", help="skip the HTML maps")
    p.add_argument("--no-sheets", action="store_true", help="skip the printed driver sheets and GPX")
    p.add_argument("--new-city", type=Path, default=None, metavar="DIR",
                   help="write a scenario folder for another city (with --osm-file or --place); see docs/new-city.md")
    p.add_argument("--osm-file", type=Path, default=None, metavar="FILE", help="with --new-city: the city's OSM extract")
    p.add_argument("--place", default=None, metavar="NAME", help='with --new-city: "City, Country" to download')
    p.add_argument("--evaluate", type=Path, default=None, metavar="ROUNDS",
                   help="check the rounds crews drive today (CSV, docs/rounds.md) in their order: every "
                        "arrival, km, litre and broken rule, into OUT/<date>/evaluate/")
    p.add_argument("--compare", nargs="?", const=True, default=False, metavar="PLAN",
                   help="with --evaluate: set the rounds beside an optimised plan of the day (solved now, "
                        "or the plan.json given) into OUT/<date>/compare/: table, map, one-page PDF")
    p.add_argument("--week", type=_date, default=None, metavar="MONDAY",
                   help="plan the week starting MONDAY (YYYY-MM-DD): collection days per point, the same "
                        "truck on all of them, every day planned; into OUT/week-MONDAY/ (docs/week.md). "
                        "--time-limit is then each day's budget")
    p.add_argument("--landfill-closed", type=_date, action="append", default=[], metavar="DATE",
                   help="with --week: the landfill is closed on DATE (no collection; repeat for more days)")
    p.add_argument("--fixed-days", action="store_true",
                   help="with --week: keep every point on its `days` instead of choosing its pattern")
    p.add_argument("--no-boards", action="store_true", help="with --week: skip the schedule boards (PDF)")
    p.add_argument("--replan", type=Path, default=None, metavar="PLAN",
                   help="re-plan the rest of the day from this plan.json (out/<date>/plan.json) at --at: "
                        "into OUT/<date>/replan-HHMM/ beside it (docs/rounds.md)")
    p.add_argument("--at", default=None, metavar="HH:MM", help="with --replan: the time of the re-plan, e.g. 08:40")
    p.add_argument("--broken", action="append", default=[], metavar="TRUCK[@POINT]",
                   help="with --replan: a truck broken down (optionally after that stop); repeat or comma-separate")
    p.add_argument("--add", type=Path, default=None, metavar="COMPLAINTS",
                   help="with --replan: complaint pickups to insert (CSV: id, point or lon/lat, latest, priority)")
    p.add_argument("--done", type=Path, default=None, metavar="PROGRESS",
                   help="with --replan: stop check-offs or a GPS export (CSV: truck, time, point or lon/lat)")
    p.add_argument("--check-points", type=Path, default=None, metavar="FILE",
                   help="check a points CSV/GeoJSON against docs/points.md: every bad row, or 'ok: N points'")
    p.add_argument("--batch", type=Path, default=None, metavar="JOBS",
                   help="run many plans on Dask from a jobs file (every list multiplies; docs/batch.md): "
                        "one table OUT/<jobs name>/results.parquet and .csv")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="with --batch: run on the Dask cluster at ADDRESS, e.g. tcp://host:8786 "
                        "(default: DASK_SCHEDULER_ADDRESS, else a local cluster)")
    p.add_argument("--workers", type=_positive_int, default=None, metavar="N",
                   help="with --batch: worker processes of the local cluster (default: one per core)")
    p.add_argument("--plans", action="store_true",
                   help="with --batch: keep each job's plan folder in OUT/<jobs name>/plans/<job id>/")
    p.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv: solver log)")
    p.add_argument("-q", "--quiet", action="store_true", help="only errors and the final summary")
    return p


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it as YYYY-MM-DD") from None


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds above 0; write e.g. 30")
    return value


def _volume_factor(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (math.isfinite(value) and 0 < value <= 100):
        raise argparse.ArgumentTypeError(f"{text!r} is not a factor above 0 and at most 100; write e.g. 1.3")
    return value


def _whole(text: str, low: int, what: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = low - 1
    if value < low:
        raise argparse.ArgumentTypeError(f"{text!r} is not {what}; write e.g. {max(low, 1)}")
    return value


def _non_negative_int(text: str) -> int:
    return _whole(text, 0, "a whole number >= 0")


def _positive_int(text: str) -> int:
    return _whole(text, 1, "a whole number >= 1")


def _setup_logging(verbose: int, quiet: bool) -> None:
    level = logging.WARNING if quiet else (logging.DEBUG if verbose else logging.INFO)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False


def _scenario(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from .scenario import Scenario

    sc = Scenario.from_toml(args.scenario)
    if args.date:
        sc = sc.replace(date=args.date)
    sc = sc.with_changes(unavailable=args.unavailable, trucks=args.trucks, volume_factor=args.volume_factor)
    if args.download_network:
        sc = sc.replace(download_network=True)
    changes = {k: v for k, v in (("time_limit_s", args.time_limit), ("seed", args.seed),
                                 ("solution_limit", args.solution_limit)) if v is not None}
    if args.solution_limit is not None and args.time_limit is None:
        # Bounded by solutions: the scenario's time limit would cut a slow machine's search
        # early and change the plan; it stays only as a generous safety cap.
        changes["time_limit_s"] = max(sc.solver.time_limit_s, SOLUTION_RUN_CAP_S)
    if args.verbose >= 2:
        changes["log_search"] = True
    if args.fewest_trucks:
        changes["minimise_trucks"] = True
    if args.engine:
        changes["engine"] = args.engine
    if changes:
        sc = sc.replace(solver=dataclasses.replace(sc.solver, **changes))
    return sc


def summarize(args: argparse.Namespace) -> int:
    """Load the scenario (network, points, matrix) and print what it holds."""
    from .outputs.report import scenario_summary

    sc = _scenario(args)
    problem = sc.build()
    print(scenario_summary(sc.name, sc.load_network(), problem))
    return 0


def run(args: argparse.Namespace) -> int:
    """Plan, check, write; return the exit code."""
    from .newcity import dispatch
    from .outputs import write_all
    from .outputs.folder import check_target, lock_target

    if (code := dispatch(args)) is not None:
        return code
    if args.batch is not None:
        return run_batch_file(args)
    if args.scheduler or args.workers is not None or args.plans:
        raise InputError("--scheduler, --workers and --plans go with --batch JOBS (a jobs file, docs/batch.md)")
    if args.compare is not False and args.evaluate is None:
        raise InputError("--compare needs --evaluate ROUNDS (the rounds to compare with a plan)")
    if args.evaluate is not None:  # today's rounds as driven (issue 12)
        from .evaluate_run import run_evaluate

        sc = _scenario(args)
        return run_evaluate(sc.replace(date=sc.plan_date()), args.evaluate, out=args.out, compare=args.compare,
                            language=args.language or sc.language, maps=not args.no_maps)
    replan_opts = [name for name, value in (("--at", args.at), ("--broken", args.broken), ("--add", args.add),
                                            ("--done", args.done)) if value]
    if args.replan is None and replan_opts:
        raise InputError(f"{', '.join(replan_opts)} need --replan PLAN (the plan.json to re-plan from)")
    if args.replan is not None:
        return replan_day(args)
    if args.summary:
        return summarize(args)
    if args.week is not None:
        return run_week(args)
    if args.landfill_closed or args.fixed_days or args.no_boards:
        raise InputError("--landfill-closed, --fixed-days and --no-boards go with --week MONDAY")
    t_start = time.perf_counter()
    sc = _scenario(args)
    sc = sc.replace(date=sc.plan_date())  # one day for the plan and its folder, even across midnight
    out_dir = args.out / sc.plan_date().isoformat()
    check_target(out_dir)  # a bad --out is found now, not after the solve
    with lock_target(out_dir):  # a second run for this folder stops here (exit 2)
        timings: dict[str, float] = {}
        log.info("planning %s for %s (solver up to %.0f s%s)", sc.name, sc.plan_date().isoformat(),
                 sc.solver.time_limit_s,
                 f" or {sc.solver.solution_limit} solutions" if sc.solver.solution_limit else "")
        sol = sc.solve(timings=timings)
        sol.validate()
        t0 = time.perf_counter()
        language = args.language or sc.language  # the command line overrides the scenario
        written = write_all(sol, out_dir, maps=not args.no_maps, sheets=not args.no_sheets, language=language)
        timings["outputs"] = time.perf_counter() - t0
    summary = sol.summary()
    print(summary)
    print()
    print(f"wrote {len(written)} files to {out_dir}/ in {time.perf_counter() - t_start:.0f} s "
          f"({', '.join(f'{k} {v:.1f} s' for k, v in timings.items())})")
    for path in written[:6]:
        print(f"  {path}")
    if len(written) > 6:
        print(f"  ... and {len(written) - 6} more")
    return 0


def run_week(args: argparse.Namespace) -> int:
    """Plan the week starting ``--week``, check it, write ``OUT/week-<monday>/``; return the exit code."""
    from .errors import ValidationError
    from .outputs.folder import check_target, lock_target
    from .outputs.week_folder import write_week_folder
    from .week import WeekChanges, WeekParams, _check_week

    t_start = time.perf_counter()
    changes = WeekChanges(landfill_closed=tuple(args.landfill_closed))
    _check_week(args.week, changes)  # a wrong date fails before anything is loaded
    sc = _scenario(args)
    params = WeekParams(day_time_limit_s=args.time_limit, fixed_days=args.fixed_days)
    out_dir = args.out / f"week-{args.week.isoformat()}"
    check_target(out_dir, plan_file="week.json")
    with lock_target(out_dir):
        log.info("planning the week of %s for %s (each day up to %.0f s)", args.week, sc.name,
                 args.time_limit or sc.solver.time_limit_s)
        week = sc.plan_week(args.week, params, changes=changes)
        for day in week.days:
            if day.solution is not None:
                day.solution.validate()
        broken = week.check()
        if broken:
            lines = "\n".join(f"  - {b}" for b in broken)
            raise ValidationError(f"the week plan breaks {len(broken)} rule(s)\n{lines}")
        written = write_week_folder(week, out_dir, maps=not args.no_maps, sheets=not args.no_sheets,
                                    boards=not args.no_boards, language=args.language or sc.language)
    print(week.summary())
    print()
    print(f"wrote {len(written)} files to {out_dir}/ in {time.perf_counter() - t_start:.0f} s")
    return 0


def replan_day(args: argparse.Namespace) -> int:
    """``--replan PLAN --at HH:MM [--broken ...] [--add ...] [--done ...]``: re-plan, check, write."""
    from .plan_io import plan_date
    from .solution import Solution
    from .outputs.replan import write_replan_folder
    from .replan import replan

    if not args.at:
        raise InputError("--replan needs --at HH:MM, the time of the re-plan (e.g. --at 08:40)")
    if args.date is None:  # the plan's own day, unless one is asked for (then the plan must match)
        args.date = plan_date(args.replan)
    sc = _scenario(args)
    if args.time_limit is not None:
        sc = sc.replace(solver=dataclasses.replace(sc.solver, replan_time_limit_s=args.time_limit))
    problem = sc.build()
    morning = dataclasses.replace(Solution.from_json(args.replan, problem, scenario=sc.name),
                                  graph=sc.load_network().graph, params=sc.solver)
    language = args.language or sc.language
    result = replan(problem, morning, args.at, broken=args.broken, added=args.add or (), done=args.done,
                    params=sc.solver, language=language)
    result.validate()
    folder = write_replan_folder(result, args.replan.parent, language=language, maps=not args.no_maps,
                                 sheets=not args.no_sheets)
    if problem.synthetic_network:
        from .solution import GENERATED_NOTICE

        print(f"NOTICE: {GENERATED_NOTICE}\n")
    print(result.report(language))
    print(f"\nwrote {folder}/")
    return 0


def run_batch_file(args: argparse.Namespace) -> int:
    """``--batch JOBS``: every job of the file on Dask; print the table's summary; 0 when it ran."""
    from .batch import jobs_from_toml, run_batch

    jobs = jobs_from_toml(args.batch)
    out_dir = args.out / args.batch.stem
    t0 = time.perf_counter()
    frame = run_batch(jobs, out=out_dir, scheduler=args.scheduler, workers=args.workers, plans=args.plans,
                      log_level=logging.DEBUG if args.verbose >= 2 else logging.WARNING)
    shown = ["job", *[c for c in frame.columns[2:frame.columns.get_loc("trucks_available")]
                      if frame[c].nunique(dropna=False) > 1],
             "status", "trucks_used", "unassigned", "km", "hours", "fuel_l", "engine", "seconds"]
    table = frame[shown].head(BATCH_ROWS_SHOWN).astype(object)
    print(table.where(table.notna(), "").to_string(index=False))
    if len(frame) > BATCH_ROWS_SHOWN:
        print(f"... and {len(frame) - BATCH_ROWS_SHOWN} more rows")
    failed = frame[frame["status"] != "ok"]
    for _, row in failed.head(BATCH_ROWS_SHOWN).iterrows():
        print(f"{row['job']}: {row['error']}", file=sys.stderr)
    print(f"\n{len(frame)} jobs in {time.perf_counter() - t0:.0f} s: {len(frame) - len(failed)} ok, "
          f"{len(failed)} failed; results in {out_dir}/ (results.parquet, results.csv"
          f"{', plans/' if args.plans else ''})")
    return 0


#: Rows of a batch's table printed at the end (all are in the results files).
BATCH_ROWS_SHOWN = 40


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``run_routes.py`` and the ``wasteroute`` console script.

    ``serve`` as the first argument starts the web app instead (:mod:`wasteroute.web.serve`).
    """
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["serve"]:
        return _serve(argv[1:])
    args = build_parser().parse_args(argv)
    _setup_logging(args.verbose, args.quiet)
    try:
        return run(args)
    except WasterouteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (OSError, ValueError) as exc:  # a file we could not write, a bad value deep inside
        print(f"error: {exc}", file=sys.stderr)
        return InputError.exit_code


def _serve(argv: list[str]) -> int:
    """``run_routes.py serve [--scenario FILE] [--host H] [--port P]``: the web app."""
    _setup_logging(0, False)
    try:
        from .web.serve import serve

        return serve(argv)
    except WasterouteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except OSError as exc:  # the port is taken, the data folder cannot be written
        print(f"error: {exc}", file=sys.stderr)
        return InputError.exit_code


__all__ = ["build_parser", "main"]
