"""Many plans at once on Dask: what-if grids, weeks, many cities, from one laptop to a cluster.

A :class:`Job` is small data: a scenario file, a day (or a week), the what-if changes of the
command line (``trucks``, ``volume_factor``, ``unavailable``, landfill hours, ...), a seed and a
time limit. :func:`jobs_from_toml` expands a compact grid, where every list multiplies::

    scenario = "data/kupang/scenario.toml"   # or a list of scenarios (cities)
    date = "2026-12-02"                      # or a list, or "2026-12-01..2026-12-31"
    time_limit_s = 30
    seed = [0, 1, 2]
    volume_factor = [1.0, 1.3]
    trucks = [34, 30, 26]                    # 1 x 1 x 1 x 3 x 2 x 3 = 18 jobs

:func:`run_batch` runs the jobs on a Dask ``Client``: a ``LocalCluster`` of processes on this
machine (one worker per core, one thread each) unless a client, a scheduler address or the
``DASK_SCHEDULER_ADDRESS`` convention names another cluster. Each job plans its day with the
same code as ``run_routes.py`` (:meth:`Scenario.with_changes`, :meth:`Scenario.solve`); a
worker process keeps every city it has loaded (road network, snapped points, travel matrix) in
the scenario module's caches, keyed as in a single run, so only its first job of a city pays
for loading it. A week job (``week = "2026-12-07"``) is :meth:`Scenario.plan_week` on one
worker, its days one after the other; its row holds the sums over its days. A job that fails (bad input, no plan, a worker lost twice) becomes a row with
its error; it never stops the batch. The result is one table (one row per job: its parameters,
the fleet KPIs, the engine, seconds and worker), written as Parquet and CSV, and each job's plan
folder when asked.

Dask and pyarrow are the optional dependency group ``wasteroute[dask]``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import difflib
import itertools
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .config import ENGINES, _describe, _read_toml
from .errors import InputError, WasterouteError
from .units import parse_hhmm

log = logging.getLogger("wasteroute")

#: The what-if changes a job may carry (applied by :meth:`Scenario.with_changes`).
VARIANT_KEYS = ("trucks", "volume_factor", "unavailable", "landfill_opens", "landfill_closes",
                "dumping_window_end", "second_shift")
#: Search settings a job may carry besides ``seed`` and ``time_limit_s``.
SOLVER_KEYS = ("solution_limit", "engine", "fewest_trucks")
#: Every key of a jobs file, in the order of the result table's columns.
KEYS = ("scenario", "date", "week", "seed", "time_limit_s", *SOLVER_KEYS, *VARIANT_KEYS)
#: What each key holds, for messages: the fix shown when a value is wrong.
_HOW = {
    "scenario": 'a scenario file, e.g. "data/kupang/scenario.toml"',
    "date": 'a day as YYYY-MM-DD, e.g. "2026-12-02", or a range "2026-12-01..2026-12-31"',
    "week": 'the Monday of a week as YYYY-MM-DD, e.g. "2026-12-07", or a range of Mondays',
    "seed": "a whole number >= 0, e.g. 0",
    "time_limit_s": "a number of seconds above 0, e.g. 30",
    "solution_limit": "a whole number >= 1, e.g. 50",
    "engine": f"one of {', '.join(repr(e) for e in ENGINES)}",
    "fewest_trucks": "true or false",
    "trucks": "a whole number >= 0, e.g. 30",
    "volume_factor": "a number above 0 and at most 100, e.g. 1.3",
    "unavailable": 'truck ids separated by commas, e.g. "DT-03,AR-02" ("" for none)',
    "landfill_opens": 'a time of day, e.g. "09:00"',
    "landfill_closes": 'a time of day, e.g. "14:00"',
    "dumping_window_end": 'a time of day, e.g. "06:00"',
    "second_shift": 'a span of time, e.g. "13:00-19:00" ("" for none)',
}
#: Fleet KPIs of a job's row (the figures of :meth:`Solution.fleet_kpis`; ``unassigned`` is its
#: ``points_unassigned``).
KPI_COLUMNS = ("trucks_available", "trucks_used", "points_due", "points_served", "unassigned",
               "landfill_trips", "km", "hours", "m3", "fuel_l", "co2_kg", "route_cost", "engine", "solve_s")
#: How a row ends: its status, error, timing and where it ran.
RUN_COLUMNS = ("status", "error", "warnings", "seconds", "load_s", "loaded", "worker")
#: A job id names its plan folder: letters, digits, ``.``, ``_`` and ``-`` only.
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
#: The result table's files in the output folder (plan folders go to ``plans/<job id>/``).
RESULTS_FILES = ("results.parquet", "results.csv")


@dataclass(frozen=True)
class Job:
    """One plan to make: small data only, so that it travels cheaply to any worker.

    Parameters
    ----------
    scenario
        Path of the scenario TOML file (on the workers' machines: a shared or same path).
    date, week
        The day (``YYYY-MM-DD``) or the Monday of the week to plan; neither: tomorrow.
    seed, time_limit_s
        Search seed and time limit (``None``: the scenario's).
    changes
        What-if changes (:data:`VARIANT_KEYS`, see :meth:`Scenario.with_changes`) and search
        settings (:data:`SOLVER_KEYS`), e.g. ``{"trucks": 30, "volume_factor": 1.3}``.
    id
        Names the job's row and plan folder; :func:`run_batch` numbers jobs left without one.
    label
        Free text carried into the result table (e.g. a what-if's name).
    """

    scenario: str
    date: str | None = None
    week: str | None = None
    seed: int | None = None
    time_limit_s: float | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    id: str = ""
    label: str = ""

    def __post_init__(self) -> None:
        problems = [_problem(k, v) for k, v in self.parameters().items() if k != "scenario" and v is not None]
        unknown = sorted(set(self.changes) - set(VARIANT_KEYS) - set(SOLVER_KEYS))
        problems += [_unknown(k) for k in unknown]
        if self.date is not None and self.week is not None:
            problems.append("a job plans a date or a week, not both; drop one of date and week")
        if self.id and not _ID.match(self.id):
            problems.append(f"job id {self.id!r} names a folder: use letters, digits, '.', '_' and '-' only")
        problems = [p for p in problems if p]
        if problems:
            raise InputError(f"job {self.id or self.label or self.scenario}: bad setting(s)", problems)

    def parameters(self) -> dict[str, Any]:
        """Every parameter of the job by key (``None`` where the scenario's value applies)."""
        fixed = {"scenario": self.scenario, "date": self.date, "week": self.week, "seed": self.seed,
                 "time_limit_s": self.time_limit_s}
        return {k: fixed[k] if k in fixed else self.changes.get(k) for k in KEYS}


# ---------------------------------------------------------------------- jobs from a grid
def make_jobs(scenario: str | Path | Sequence[str | Path], **grid: Any) -> list[Job]:
    """Every combination of the grid's values: each list multiplies, a single value is fixed.

    ``make_jobs("data/kupang/scenario.toml", date="2026-12-02", seed=[0, 1], trucks=[34, 30])``
    gives 4 jobs, numbered ``job-001`` to ``job-004``, the last key varying fastest. Scenario
    paths are made absolute (workers may run in another folder).

    Raises
    ------
    InputError
        Naming every unknown key or bad value and how to write it.
    """
    if "scenario" in grid:
        raise InputError("make_jobs: give the scenario(s) as the first argument, not as scenario=")
    paths = [str(Path(s).expanduser().resolve()) for s in (scenario if _is_list(scenario) else [scenario])]
    table = {"scenario": paths if _is_list(scenario) else paths[0], **grid}
    return _expand(table, "jobs")


def jobs_from_toml(path: str | Path) -> list[Job]:
    """Read a jobs file (a grid, see the module's docstring); scenario paths are relative to it.

    Raises
    ------
    InputError
        If the file is missing or not TOML, a key is unknown, a value is of the wrong kind or a
        scenario file does not exist: each problem names the key and how to write it.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"jobs file {p} does not exist; check the path given to --batch")
    table = _read_toml(p)
    if "scenario" not in table:
        raise InputError(f"{p}: no `scenario = ...`; name the scenario file(s) to plan, "
                         'e.g. scenario = "data/kupang/scenario.toml"')
    nested = [k for k, v in table.items() if isinstance(v, Mapping)]
    if nested:
        msg = (f"{p}: [{', '.join(nested)}] is a table; a jobs file holds only `key = value` lines "
               "(a list of values multiplies the jobs)")
        raise InputError(msg)
    scen = table["scenario"]
    if isinstance(scen, str) or (_is_list(scen) and all(isinstance(s, str) for s in scen)):
        table["scenario"] = _scenario_paths(scen, p.resolve().parent, p)
    return _expand(table, str(p))


def _scenario_paths(scen: str | list[str], base: Path, p: Path) -> str | list[str]:
    """Scenario paths made absolute (relative ones are relative to the jobs file); each must exist."""
    paths = [scen] if isinstance(scen, str) else list(scen)
    resolved = [str((base / Path(s).expanduser()).resolve()) for s in paths]
    missing = [f"scenario = {s!r}: {r} does not exist" for s, r in zip(paths, resolved, strict=True)
               if not Path(r).is_file()]
    if missing:
        raise InputError(f"{p}: {len(missing)} scenario file(s) not found; paths are relative to the "
                         "jobs file", missing)
    return resolved[0] if isinstance(scen, str) else resolved


def _expand(table: Mapping[str, Any], where: str) -> list[Job]:
    """The product of the table's lists, as jobs; every problem of the table reported at once."""
    problems = [_unknown(k) for k in table if k not in KEYS]
    values: dict[str, list[Any]] = {}
    for key in (k for k in table if k in KEYS):  # the file's order: its last key varies fastest
        raw = table[key]
        items = list(raw) if _is_list(raw) else [raw]
        if not items:
            problems.append(f"{key} = []: an empty list gives no job; give at least one value "
                            f"({_HOW[key]})")
            continue
        expanded: list[Any] = []
        for item in items:
            more, problem = _values(key, item)
            if problem:
                problems.append(problem)
            expanded += more
        values[key] = expanded
    if "date" in table and "week" in table:
        problems.append("date and week are both given; a job plans days or weeks: keep one of them")
    if problems:
        raise InputError(f"{where}: {len(problems)} problem(s) in the jobs", problems)
    keys = list(values)
    combos = list(itertools.product(*(values[k] for k in keys)))
    width = max(3, len(str(len(combos))))
    jobs = []
    for n, combo in enumerate(combos, start=1):
        params = dict(zip(keys, combo, strict=True))
        fixed = {k: params.pop(k) for k in ("scenario", "date", "week", "seed", "time_limit_s") if k in params}
        jobs.append(Job(**fixed, changes=params, id=f"job-{n:0{width}d}"))
    log.info("%s: %d job(s) (%s)", where, len(jobs), " x ".join(f"{len(values[k])} {k}" for k in keys))
    return jobs


def _values(key: str, value: Any) -> tuple[list[Any], str | None]:
    """One value of ``key`` checked and normalised (a date range gives its days)."""
    if key in ("date", "week") and isinstance(value, (dt.date, str)):
        try:
            days = _days(value, weekly=key == "week")
        except ValueError as exc:
            return [], f"{key} = {_describe(value)}: {exc}; write {_HOW[key]}"
        return days, None
    if key in ("time_limit_s", "volume_factor") and _number(value):
        value = float(value)
    problem = _problem(key, value)
    return ([] if problem else [value]), problem


def _days(value: dt.date | str, *, weekly: bool) -> list[str]:
    """ISO days of a date or a ``first..last`` range (weekly: Mondays, 7 days apart)."""
    if isinstance(value, dt.datetime):
        raise ValueError("a date and time is not a day")
    first_text, sep, last_text = (value.isoformat(), "", "") if isinstance(value, dt.date) else value.partition("..")
    first = dt.date.fromisoformat(first_text.strip())
    last = dt.date.fromisoformat(last_text.strip()) if sep else first
    if last < first:
        raise ValueError(f"the range ends ({last}) before it starts ({first})")
    if weekly and first.weekday() != 0:
        raise ValueError(f"{first} is a {first:%A}, not a Monday")
    step = 7 if weekly else 1
    return [(first + dt.timedelta(days=d)).isoformat() for d in range(0, (last - first).days + 1, step)]


def _problem(key: str, value: Any) -> str | None:
    """What is wrong with one (already expanded) value of ``key``, or None."""
    ok = {
        "scenario": lambda v: isinstance(v, str) and bool(v),
        "date": lambda v: isinstance(v, str) and _iso(v),
        "week": lambda v: isinstance(v, str) and _iso(v) and dt.date.fromisoformat(v).weekday() == 0,
        "seed": lambda v: _whole(v) and v >= 0,
        "time_limit_s": lambda v: _number(v) and 0 < v < float("inf"),
        "solution_limit": lambda v: _whole(v) and v >= 1,
        "engine": lambda v: v in ENGINES,
        "fewest_trucks": lambda v: isinstance(v, bool),
        "trucks": lambda v: _whole(v) and v >= 0,
        "volume_factor": lambda v: _number(v) and 0 < v <= 100,
        "unavailable": lambda v: isinstance(v, str),
        "landfill_opens": _time_of_day,
        "landfill_closes": _time_of_day,
        "dumping_window_end": _time_of_day,
        "second_shift": lambda v: isinstance(v, str) and (v == "" or _span(v)),
    }[key]
    return None if ok(value) else f"{key} = {_describe(value)} is not {_HOW[key]}"


def _unknown(key: str) -> str:
    close = difflib.get_close_matches(key, KEYS, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"unknown key {key!r}{hint}; known keys: {', '.join(KEYS)}"


def _is_list(value: Any) -> bool:
    return isinstance(value, (list, tuple))


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _iso(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _time_of_day(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parse_hhmm(value)
    except ValueError:
        return False
    return True


def _span(text: str) -> bool:
    start, sep, end = text.partition("-")
    return bool(sep) and _time_of_day(start.strip()) and _time_of_day(end.strip())


# ---------------------------------------------------------------------- one job, on a worker
#: Scenario files read by this process, by path and file version (a worker-local cache; the road
#: networks and matrices are cached by :mod:`wasteroute.scenario` itself).
_SCENARIOS: dict[tuple[str, int], Any] = {}


def run_job(job: Job, *, plans: bool = False, log_level: int = logging.WARNING) -> dict[str, Any]:
    """Plan one job here (on a worker) and return its result row; never raises for a bad job.

    Parameters
    ----------
    job
        The job.
    plans
        Also return the job's plan folder (plan.json, visits.csv, routes.geojson, summary.txt)
        as ``{"_files": {relative path: bytes}}`` for the client to write.
    log_level
        Level of the ``wasteroute`` log in this process (workers stay quiet by default).

    Returns
    -------
    dict
        The job's parameters, ``status`` ("ok" or "error"), the fleet KPIs or the ``error``,
        ``warnings`` (of the log, joined by `` | ``), ``seconds`` (the whole job), ``load_s`` (network, snapping and matrix), ``loaded``
        (whether this job loaded its city's network into this worker) and ``worker``.
    """
    from .scenario import cache_sizes

    if _in_worker():
        log.setLevel(log_level)
    row: dict[str, Any] = {"job": job.id, "label": job.label, **job.parameters()}
    t0 = time.perf_counter()
    before = cache_sizes()
    timings: dict[str, float] = {}
    warnings = _Warnings()
    log.addHandler(warnings)
    try:
        if job.week is None:
            sol = _scenario_of(job).solve(timings=timings)
            sol.validate()
            row |= _kpis(sol)
            files = _plan_files(sol, job) if plans else None
        else:
            week = _plan_week(job, timings)
            row |= _week_kpis(week)
            files = _week_files(week, job) if plans else None
        row |= {"status": "ok", "error": ""}
        if files is not None:
            row["_files"] = files
    except WasterouteError as exc:
        row |= {"status": "error", "error": f"{type(exc).__name__}: {exc}"}
    except Exception as exc:  # noqa: BLE001 - a job's failure is its row, never the batch's end
        log.exception("job %s failed unexpectedly", job.id)
        row |= {"status": "error", "error": f"unexpected {type(exc).__name__}: {exc}"}
    finally:
        log.removeHandler(warnings)
    row |= {
        "warnings": " | ".join(dict.fromkeys(warnings.messages)),
        "seconds": round(time.perf_counter() - t0, 2),
        "load_s": round(sum(timings.get(k, 0.0) for k in ("network", "snapping", "matrix")), 2),
        "loaded": cache_sizes()["networks"] > before["networks"],
        "worker": _worker_name(),
    }
    return row


class _Warnings(logging.Handler):
    """The warnings of one job, for its row (instead of a worker's stderr that nobody reads)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _scenario_of(job: Job) -> Any:
    """The job's scenario with its day, changes and search settings (file read once per version)."""
    from .scenario import Scenario

    path = Path(job.scenario)
    if not path.is_file():
        raise InputError(f"scenario file {path} does not exist on this worker; give every worker the same "
                         "files (a shared folder) or the same checkout")
    key = (str(path), path.stat().st_mtime_ns)
    if key not in _SCENARIOS:
        _SCENARIOS[key] = Scenario.from_toml(path)
    sc = _SCENARIOS[key]
    day = job.date or job.week  # a week's Monday: where plan_week starts
    if day is not None:
        sc = sc.replace(date=dt.date.fromisoformat(day))
    sc = sc.replace(date=sc.plan_date())  # one day for the whole job, even across midnight
    sc = sc.with_changes(**{k: v for k, v in job.changes.items() if k in VARIANT_KEYS})
    solver = {k: getattr(job, k) for k in ("seed", "time_limit_s") if getattr(job, k) is not None}
    solver |= {k: job.changes[k] for k in ("solution_limit", "engine") if k in job.changes}
    if job.changes.get("fewest_trucks"):
        solver["minimise_trucks"] = True
    return sc.with_solver(**solver) if solver else sc


def _plan_week(job: Job, timings: dict[str, float]) -> Any:
    """The job's week (:meth:`Scenario.plan_week`), its days one after the other on this worker.

    The batch's parallelism is across jobs: a worker is one process with one thread, so the
    week's days run in a single thread here instead of a process pool of their own.

    Raises
    ------
    ValidationError
        If a day's plan or the week breaks a rule.
    """
    from concurrent.futures import ThreadPoolExecutor

    from .errors import ValidationError
    from .week import WeekParams

    sc = _scenario_of(job)  # its time limit is each day's budget
    t0 = time.perf_counter()
    sc.build()  # the city's network and matrix, timed as the job's loading
    timings["network"] = time.perf_counter() - t0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="wasteroute-week") as days:
        week = sc.plan_week(dt.date.fromisoformat(str(job.week)), WeekParams(), executor=days)
    for day in week.days:
        if day.solution is not None:
            day.solution.validate()
    broken = week.check()
    if broken:
        raise ValidationError(f"the week plan breaks {len(broken)} rule(s): " + "; ".join(broken[:5]))
    return week


def _week_kpis(week: Any) -> dict[str, Any]:
    """A week's row: the sums over its days (``trucks_used``: the most on one day; ``trucks_available``:
    the most available on one day) of the same day figures as :func:`_kpis`."""
    days = [d.solution for d in week.days if d.solution is not None]
    kpis = [_kpis(sol) for sol in days]
    row: dict[str, Any] = {k: 0 for k in KPI_COLUMNS}
    for k in KPI_COLUMNS:
        values = [r[k] for r in kpis]
        if k in ("trucks_available", "trucks_used"):
            row[k] = max(values, default=0)
        elif k == "engine":
            row[k] = ",".join(sorted(set(values)))
        else:
            row[k] = round(sum(values), 2) if values and isinstance(values[0], float) else sum(values)
    row["date"] = None
    row["week"] = week.monday.isoformat()
    row["days"] = len(days)
    return row


def _week_files(week: Any, job: Job) -> dict[str, bytes]:
    """The week's folder (a day folder each, week.json, summaries; no maps, sheets or boards) as bytes."""
    from .outputs.week_folder import write_week_folder

    with tempfile.TemporaryDirectory(prefix="wasteroute-job-") as tmp:
        folder = Path(tmp) / job.id
        written = write_week_folder(week, folder, maps=False, sheets=False, boards=False)
        return {str(p.relative_to(folder)): p.read_bytes() for p in written if p.is_file()}


def _kpis(sol: Any) -> dict[str, Any]:
    """The row's KPIs: the figures of ``fleet_kpis`` (the same as in plan.json and summary.txt)."""
    f = sol.fleet_kpis()
    f["unassigned"] = f.pop("points_unassigned")
    f["route_cost"] = sol.route_cost
    row = {k: f[k] for k in KPI_COLUMNS}
    row["date"] = f["date"]
    return row


def _plan_files(sol: Any, job: Job) -> dict[str, bytes]:
    """The job's plan folder as bytes: written here in a temporary folder, sent to the client.

    Sending the files (about 1 MB for a Kupang day) rather than writing them on the worker
    means a remote cluster needs no folder shared with the client.
    """
    from .outputs import write_all

    with tempfile.TemporaryDirectory(prefix="wasteroute-job-") as tmp:
        folder = Path(tmp) / job.id
        written = write_all(sol, folder, maps=False, sheets=False)
        return {str(p.relative_to(folder)): p.read_bytes() for p in written}


def _worker_name() -> str:
    """The Dask worker's address, or this process when the job runs outside Dask."""
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return f"local pid {os.getpid()}"


def _in_worker() -> bool:
    return not _worker_name().startswith("local pid")


# ---------------------------------------------------------------------- the batch, on the client
def run_batch(
    jobs: Sequence[Job],
    client: Any = None,
    out: str | Path | None = None,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    plans: bool = False,
    log_level: int = logging.WARNING,
) -> pd.DataFrame:
    """Run every job on a Dask cluster and return the result table, one row per job.

    Parameters
    ----------
    jobs
        The jobs (:func:`jobs_from_toml`, :func:`make_jobs` or :class:`Job`); jobs without an
        id are numbered ``job-001``, ...
    client
        A ``distributed.Client`` to run on. Without one: the scheduler at ``scheduler`` or at
        Dask's ``scheduler-address`` setting (the ``DASK_SCHEDULER_ADDRESS`` environment
        variable), else a ``LocalCluster`` of ``workers`` processes (default: one per core), one
        thread each, closed at the end.
    out
        Folder for ``results.parquet``, ``results.csv`` and (with ``plans``) ``plans/<job id>/``.
    plans
        Keep each job's plan folder (plan.json, visits.csv, routes.geojson, summary.txt).
    log_level
        Level of the ``wasteroute`` log on the workers.

    Returns
    -------
    pandas.DataFrame
        One row per job in job order: ``job``, ``label``, the parameters, the KPIs
        (:data:`KPI_COLUMNS`), then :data:`RUN_COLUMNS`. A failed job has status ``"error"``
        and its error; a worker lost while running a job retries it once (a local cluster;
        a cluster of your own: its ``distributed.scheduler.allowed-failures``).

    Raises
    ------
    InputError
        If the jobs, ``out`` or the cluster settings are wrong, or Dask is not installed.
    KeyboardInterrupt
        On Ctrl-C: the jobs are cancelled, a local cluster is closed and the rows done so far
        (the others marked ``"cancelled"``) are written to ``out`` first.
    """
    jobs = _numbered(jobs)
    if plans and out is None:
        raise InputError("plans need an output folder: give out (--out) to keep each job's plan folder")
    rows: dict[str, dict[str, Any]] = {}
    with _output(out) as out_dir:
        try:
            with _client(client, scheduler, workers) as c:
                _run(c, jobs, rows, out_dir / "plans" if plans and out_dir else None, log_level)
        except KeyboardInterrupt:
            frame = results_frame(jobs, rows)
            if out_dir is not None:
                write_results(frame, out_dir)
            log.warning("interrupted: %d of %d job(s) done%s", len(rows), len(jobs),
                        f"; their rows are in {out_dir}" if out_dir is not None else "")
            raise
        frame = results_frame(jobs, rows)
        if out_dir is not None:
            write_results(frame, out_dir)
    failed = frame[frame["status"] != "ok"]
    log.info("%d job(s): %d ok, %d failed", len(frame), len(frame) - len(failed), len(failed))
    return frame


def _numbered(jobs: Sequence[Job]) -> list[Job]:
    """The jobs with an id each (``job-001``, ... for those without), every id once."""
    jobs = list(jobs)
    if not jobs:
        raise InputError("no jobs to run; give at least one job (a jobs file with scenario = ...)")
    bad = [f"item {i + 1} is {type(j).__name__}, not a Job" for i, j in enumerate(jobs) if not isinstance(j, Job)]
    if bad:
        raise InputError("run_batch needs Job objects (make_jobs, jobs_from_toml or Job(...))", bad)
    width = max(3, len(str(len(jobs))))
    jobs = [j if j.id else dataclasses.replace(j, id=f"job-{n:0{width}d}") for n, j in enumerate(jobs, start=1)]
    seen: dict[str, int] = {}
    for j in jobs:
        seen[j.id] = seen.get(j.id, 0) + 1
    twice = sorted(k for k, n in seen.items() if n > 1)
    if twice:
        raise InputError(f"job id(s) used more than once: {', '.join(twice)}; every job needs its own id "
                         "(it names the job's row and plan folder)")
    return jobs


@contextlib.contextmanager
def _client(client: Any, scheduler: str | None, workers: int | None) -> Iterator[Any]:
    """The client to run on: the one given, one for a scheduler, or a local cluster's (closed after)."""
    if client is not None:
        if scheduler or workers is not None:
            raise InputError("give run_batch a client, or a scheduler / a number of workers, not both")
        yield client
        return
    dask, distributed = _dask()
    address = scheduler or dask.config.get("scheduler-address", None)
    if address:
        if workers is not None:
            raise InputError(f"--workers sizes a local cluster; the cluster at {address} runs the jobs on "
                             "its own workers: drop --workers (or --scheduler to run here)")
        try:
            c = distributed.Client(address, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError) as exc:
            msg = (f"cannot reach the Dask scheduler at {address} ({exc}); start it (`dask scheduler`) "
                   "or fix --scheduler / DASK_SCHEDULER_ADDRESS")
            raise InputError(msg) from None
        with c:
            log.info("batch on the cluster at %s (%d worker(s))", address, len(c.scheduler_info()["workers"]))
            yield c
        return
    from .outputs.sheets.pool import check_workers

    try:
        n = check_workers(workers)
    except ValueError as exc:
        raise InputError(f"--workers: {exc}") from None
    # Worker lost while running a job: run it once more elsewhere, then report it as failed.
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        cluster = distributed.LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                           dashboard_address=None, silence_logs=logging.ERROR)
    with cluster, distributed.Client(cluster) as c:
        log.info("batch on a local cluster of %d worker process(es)", n)
        yield c


#: Seconds to wait for a scheduler named by --scheduler before saying it cannot be reached.
CONNECT_TIMEOUT_S = 10


def _dask() -> tuple[Any, Any]:
    """Import dask and distributed, or say how to install them."""
    try:
        import dask
        import distributed
    except ImportError:
        raise InputError("batches run on Dask, which is not installed: pip install 'wasteroute[dask]' "
                         "(or bash .ci/setup)") from None
    return dask, distributed


def _run(client: Any, jobs: list[Job], rows: dict[str, dict[str, Any]], plan_dir: Path | None,
         log_level: int) -> None:
    """Submit every job, collect each row as it finishes (and its plan folder); Ctrl-C cancels all."""
    import secrets

    from distributed import as_completed

    from .outputs.progress import Progress

    token = secrets.token_hex(4)
    futures = {
        client.submit(run_job, job, plans=plan_dir is not None, log_level=log_level,
                      key=f"wasteroute-{job.id}-{token}", retries=1, pure=False): job
        for job in jobs
    }
    try:
        with Progress("jobs", len(jobs)) as bar:
            for fut in as_completed(futures):
                job = futures[fut]
                row = _row_of(fut, job)
                files = row.pop("_files", None)
                if files and plan_dir is not None:
                    _write_plan(plan_dir / job.id, files)
                rows[job.id] = row
                fut.release()
                bar.step()
    except BaseException:
        client.cancel(list(futures), force=True)
        raise


def _row_of(fut: Any, job: Job) -> dict[str, Any]:
    """The job's row from its finished future; an error row when the task itself failed."""
    import asyncio

    from distributed import KilledWorker

    try:
        return dict(fut.result())
    except KilledWorker as exc:
        tries = exc.allowed_failures + 1
        error = (f"KilledWorker: the worker running this job was lost {tries} time(s) (the last one "
                 f"{exc.last_worker.address}); it may run out of memory: give workers more memory")
        worker = str(exc.last_worker.address)
    except ModuleNotFoundError as exc:
        error = f"ModuleNotFoundError: {exc}; install wasteroute[dask] on every worker"
        worker = ""
    except (Exception, asyncio.CancelledError) as exc:  # noqa: BLE001 - the job's row, not the batch's end
        error, worker = f"{type(exc).__name__}: {exc}", ""
    return _error_row(job, "error", error, worker)


def _error_row(job: Job, status: str, error: str, worker: str = "") -> dict[str, Any]:
    return {"job": job.id, "label": job.label, **job.parameters(), "status": status, "error": error,
            "worker": worker}


def results_frame(jobs: Sequence[Job], rows: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """The result table: one row per job in job order; a job without a row is ``"cancelled"``.

    Parameter columns that no job sets are left out (``scenario`` and ``date`` always stay).
    """
    full = [dict(rows[j.id]) if j.id in rows else _error_row(j, "cancelled", "cancelled before it finished")
            for j in jobs]
    # ``engine`` is a KPI column: the engine that made the plan (the one asked for, on an error row).
    params = [k for k in KEYS if k != "engine"
              and (k in ("scenario", "date") or any(r.get(k) is not None for r in full))]
    weeks = ["days"] if any(r.get("days") is not None for r in full) else []
    columns = ["job", "label", *params, *weeks, *KPI_COLUMNS, *RUN_COLUMNS]
    frame = pd.DataFrame(full).reindex(columns=columns)
    return frame.convert_dtypes()


def write_results(frame: pd.DataFrame, out_dir: Path) -> list[Path]:
    """Write the table as ``results.parquet`` (pyarrow) and ``results.csv``, each replaced whole.

    Raises
    ------
    InputError
        If pyarrow is missing (``pip install 'wasteroute[dask]'``).
    """
    from .solution import csv_safe_frame

    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise InputError("results.parquet needs pyarrow: pip install 'wasteroute[dask]'") from None
    written = []
    for name in RESULTS_FILES:
        path = out_dir / name
        tmp = out_dir / f".{name}.tmp-{os.getpid()}"
        try:
            if name.endswith(".parquet"):
                frame.to_parquet(tmp, engine="pyarrow", index=False)
            else:
                csv_safe_frame(frame).to_csv(tmp, index=False)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        written.append(path)
    return written


@contextlib.contextmanager
def _output(out: str | Path | None) -> Iterator[Path | None]:
    """The batch's output folder, checked and locked for the run (None: results only returned).

    Raises
    ------
    InputError
        If ``out`` is a file, cannot be written, holds other files than a batch's results, or
        another run is writing it.
    """
    if out is None:
        yield None
        return
    from .outputs.folder import lock_target

    out_dir = Path(out).expanduser()
    for path in (out_dir, *out_dir.parents):
        if path.exists() and not path.is_dir():
            raise InputError(f"--out: {path} is a file, not a folder; choose another --out folder")
    ours = {*RESULTS_FILES, "plans"}
    foreign = sorted(p.name for p in out_dir.iterdir() if p.name not in ours and not p.name.startswith(".")) \
        if out_dir.is_dir() else []
    if foreign:
        msg = (f"--out: {out_dir} holds {', '.join(foreign[:5])}, which are not a batch's results; "
               "choose an empty or a batch's folder")
        raise InputError(msg)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--out: cannot make {out_dir} ({exc.strerror}); choose a folder you can write") from None
    with lock_target(out_dir):
        shutil.rmtree(out_dir / "plans", ignore_errors=True)  # an earlier batch's plans: not this one's
        yield out_dir


def _write_plan(folder: Path, files: Mapping[str, bytes]) -> None:
    """A job's plan folder from the worker's bytes, swapped in whole."""
    from .outputs.folder import staged

    folder.parent.mkdir(parents=True, exist_ok=True)
    with staged(folder) as tmp:
        for name, data in files.items():
            path = tmp / name
            if path.resolve().parent != tmp.resolve() and tmp.resolve() not in path.resolve().parents:
                raise InputError(f"plan file name {name!r} leaves the job's folder")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


__all__ = ["Job", "jobs_from_toml", "make_jobs", "results_frame", "run_batch", "run_job", "write_results"]
