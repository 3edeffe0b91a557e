"""The week: choose each point's collection days, keep each point on one truck, plan the days.

:func:`plan_week` (also ``Scenario.plan_week``) works in four steps:

1. **Points and their patterns.** Each point may be collected on any of its allowed patterns
   (``frequency``, ``patterns``, ``max_gap_days`` of the points file, :mod:`wasteroute.schedule`);
   a point with fixed ``days`` only has those. Waste accumulates: a visit collects
   ``m3_per_day`` x the days since the previous one.
2. **Territories** (``stable_trucks``): the points of each group of trucks that serve the same
   kinds are split into one compact territory per truck (balanced k-medoids on the travel
   times, :mod:`wasteroute.decompose`), balanced on each point's weekly work.
3. **Pattern choice** (OR-Tools CP-SAT): one pattern per point so that the busiest day of each
   truck group (truck-hours, which hold loading, driving and landfill trips), the busiest m³
   day and the busiest day of each territory are as light as the patterns allow. The search is
   bounded by CP-SAT's deterministic time, so a seed gives the same choice on any machine.
4. **Days**: each day is an independent day problem (:meth:`Scenario.build` with that day's
   volumes), planned in parallel on an ``executor``. With territories, a point may only go on
   its territory's truck (``PointData.vehicles``, OR-Tools); the points that do not fit are then
   freed for any truck and the day is searched again from that plan, so nothing is dropped
   for the sake of stability.

A day the landfill is closed (``WeekChanges.landfill_closed``) has no collection: patterns that
avoid it are chosen where a point has one, and the waste of a point that must skip it waits for
its next collection (a longer gap, reported).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import math
import multiprocessing as mp
import os
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .config import SolverParams
from .errors import InfeasibleError, InputError
from .problem import ProblemData, VehicleData
from .schedule import DAY_NAMES, Pattern, gaps, max_gap, parse_pattern, pattern_text
from .solution import Solution
from .units import format_hhmm

if TYPE_CHECKING:
    from .scenario import Scenario

log = logging.getLogger("wasteroute")

#: CP-SAT weights: a group's busiest day (truck-hours per truck) counts this much more than the
#: busiest territory-day, which keeps single trucks' days even inside the group.
GROUP_WEIGHT = 4
#: Round the usual collection window to this many seconds (boards say "sekitar 05:30-06:30").
WINDOW_ROUND_S = 1800
#: Share of a day's budget for the search with every point on its territory's truck.
STABLE_SHARE = 0.75


@dataclass(frozen=True)
class WeekParams:
    """How the week is planned.

    ``day_time_limit_s``: search budget of each day (None: the scenario's ``time_limit_s``).
    ``pattern_time_s``: CP-SAT's deterministic time for the pattern choice (about seconds).
    ``fixed_days``: every point on its ``days`` (today's schedule, the benchmark's baseline).
    ``balance``: choose patterns for an even week; False takes each point's first allowed pattern.
    ``stable_trucks``: territories, each point on the same truck every day it is collected.
    ``complaint_channel``: printed on the schedule boards.
    """

    day_time_limit_s: float | None = None
    pattern_time_s: float = 5.0
    fixed_days: bool = False
    balance: bool = True
    stable_trucks: bool = True
    complaint_channel: str = "aplikasi Qlue atau call center DLHK Kota Kupang"

    def __post_init__(self) -> None:
        if self.day_time_limit_s is not None and not (math.isfinite(self.day_time_limit_s)
                                                      and self.day_time_limit_s > 0):
            raise InputError(f"day_time_limit_s {self.day_time_limit_s!r} must be a number of seconds above 0")
        if not (math.isfinite(self.pattern_time_s) and self.pattern_time_s > 0):
            raise InputError(f"pattern_time_s {self.pattern_time_s!r} must be a number of seconds above 0")


@dataclass(frozen=True)
class WeekChanges:
    """What-ifs of the week that differ by day. (Fewer trucks or rainy-season volumes every day
    are scenario changes: ``Scenario.with_trucks``, ``replace(volume_factor=...)``.)"""

    landfill_closed: tuple[dt.date, ...] = ()


@dataclass(frozen=True)
class PointWeek:
    """One point's week: its allowed patterns, the chosen one and its territory's truck."""

    id: str
    name: str
    kind: str
    kelurahan: str
    kecamatan: str
    frequency: int
    max_gap_days: int
    m3_per_day: float
    allowed: tuple[Pattern, ...]
    pattern: Pattern
    truck: str = ""

    def collected(self, closed: Sequence[int] = ()) -> Pattern:
        """The days it is collected: its pattern without the days the landfill is closed."""
        return tuple(d for d in self.pattern if d not in closed)

    def volumes(self, closed: Sequence[int] = ()) -> dict[int, float]:
        """Weekday -> m³ waiting on each collection day (waste of a skipped day waits)."""
        days = self.collected(closed)
        return {d: self.m3_per_day * g for d, g in zip(days, gaps(days), strict=True)} if days else {}


@dataclass(frozen=True)
class DayPlan:
    """One day of the week: its plan, or the reason there is none (landfill closed)."""

    date: dt.date
    solution: Solution | None
    note: str = ""


@dataclass(frozen=True)
class WeekPlan:
    """A planned week: one :class:`DayPlan` per day Monday-Sunday and every point's schedule.

    Prints itself (:meth:`summary`): one line per day and the spread between the days.
    """

    scenario: str
    monday: dt.date
    days: tuple[DayPlan, ...]
    points: tuple[PointWeek, ...]
    params: WeekParams
    changes: WeekChanges
    pattern_status: str = ""
    plan_s: float = 0.0
    meta: Mapping[str, Any] = field(default_factory=dict)

    # ---------------------------------------------------------------- tables
    def day_table(self) -> pd.DataFrame:
        """One row per day: points due, served, unassigned, trucks used, km, hours, m³, trips, litres."""
        rows = []
        for d in self.days:
            row: dict[str, Any] = {"date": d.date.isoformat(), "day": DAY_NAMES[d.date.weekday()]}
            if d.solution is None:
                row.update(points_due=0, served=0, unassigned=0, trucks=0, km=0.0, hours=0.0, m3=0.0,
                           landfill_trips=0, fuel_l=0.0, co2_kg=0.0, note=d.note)
            else:
                f = d.solution.fleet_kpis()
                row.update(points_due=f["points_due"], served=f["points_served"], unassigned=f["points_unassigned"],
                           trucks=f["trucks_used"], km=f["km"], hours=f["hours"], m3=f["m3"],
                           landfill_trips=f["landfill_trips"], fuel_l=f["fuel_l"], co2_kg=f["co2_kg"], note=d.note)
            rows.append(row)
        return pd.DataFrame(rows)

    def spread(self) -> dict[str, float]:
        """Busiest ÷ quietest working day (a day with a plan) for truck-hours, m³ and trucks, and the week totals."""
        t = self.day_table()
        worked = t[t["hours"] > 0]

        def ratio(col: str) -> float:
            return round(float(worked[col].max() / worked[col].min()), 3) if len(worked) and worked[col].min() > 0 else 0.0

        return {
            "hours_ratio": ratio("hours"), "m3_ratio": ratio("m3"), "trucks_ratio": ratio("trucks"),
            "hours_max": float(worked["hours"].max()) if len(worked) else 0.0,
            "hours_min": float(worked["hours"].min()) if len(worked) else 0.0,
            "km": round(float(t["km"].sum()), 1), "hours": round(float(t["hours"].sum()), 1),
            "m3": round(float(t["m3"].sum()), 1), "landfill_trips": int(t["landfill_trips"].sum()),
            "fuel_l": round(float(t["fuel_l"].sum()), 1), "unassigned": int(t["unassigned"].sum()),
            "same_truck_share": round(self.same_truck_share(), 4),
        }

    def visits(self) -> pd.DataFrame:
        """One row per collection in the week: point, date, weekday, truck, arrival (s), m³."""
        rows = []
        for d in self.days:
            if d.solution is None:
                continue
            for r in d.solution.used_routes():
                for v in r.stops:
                    rows.append({"point": v.id, "date": d.date.isoformat(), "weekday": d.date.weekday(),
                                 "truck": r.vehicle.id, "arrival_s": v.arrival_s,
                                 "m3": v.point.volume_m3 if v.point is not None else 0.0})
        return pd.DataFrame(rows, columns=["point", "date", "weekday", "truck", "arrival_s", "m3"])

    def same_truck_share(self) -> float:
        """Share of the points served more than once this week that had one truck on all their days."""
        v = self.visits()
        if v.empty:
            return 0.0
        per = v.groupby("point")["truck"].agg(["nunique", "size"])
        multi = per[per["size"] > 1]
        return float((multi["nunique"] == 1).mean()) if len(multi) else 1.0

    def schedule_frame(self) -> pd.DataFrame:
        """One row per point: its collection days, usual truck and time window (the boards' text)."""
        v = self.visits()
        by_point = {pid: g for pid, g in v.groupby("point")}
        closed = self.closed_weekdays()
        rows = []
        for p in self.points:
            g = by_point.get(p.id)
            trucks = Counter(g["truck"]) if g is not None else Counter()
            usual = trucks.most_common(1)[0][0] if trucks else ""
            rows.append({
                "point": p.id, "name": p.name, "kind": p.kind, "kelurahan": p.kelurahan, "kecamatan": p.kecamatan,
                "frequency": p.frequency, "days": pattern_text(p.pattern),
                "collected": pattern_text(sorted(set(g["weekday"]))) if g is not None else "",
                "truck": usual, "same_truck": len(trucks) <= 1,
                "window": usual_window(g["arrival_s"].tolist()) if g is not None else "",
                "m3_per_day": p.m3_per_day, "max_gap_days": p.max_gap_days,
                "week_m3": round(float(g["m3"].sum()), 3) if g is not None else 0.0,
                "skipped": pattern_text([d for d in p.pattern if d in closed]) if set(p.pattern) & set(closed) else "",
            })
        return pd.DataFrame(rows)

    def closed_weekdays(self) -> tuple[int, ...]:
        """Weekdays (0 = Monday) of this week when the landfill is closed."""
        return tuple(sorted({(d - self.monday).days for d in self.changes.landfill_closed
                             if 0 <= (d - self.monday).days < 7}))

    # ---------------------------------------------------------------- checks
    def check(self) -> list[str]:
        """What breaks a week's rules: a point collected on other days than its pattern, a pattern
        not allowed, a gap longer than allowed (except across a closed landfill day), a point
        due on a day but in neither a route nor that day's unassigned list."""
        out: list[str] = []
        v = self.visits()
        days_of = {pid: sorted(g["weekday"]) for pid, g in v.groupby("point")}
        closed = self.closed_weekdays()
        for p in self.points:
            if p.pattern not in p.allowed:
                out.append(f"{p.id}: pattern {pattern_text(p.pattern)} is not one of its allowed patterns")
            if not closed and max_gap(p.pattern) > p.max_gap_days:
                out.append(f"{p.id}: gap of {max_gap(p.pattern)} days is more than max_gap_days {p.max_gap_days}")
            served = days_of.get(p.id, [])
            if len(served) != len(set(served)):
                out.append(f"{p.id}: collected twice on one day")
            extra = sorted(set(served) - set(p.collected(closed)))
            if extra:
                out.append(f"{p.id}: collected on {pattern_text(extra)}, not in its pattern {pattern_text(p.pattern)}")
        for d in self.days:
            if d.solution is None:
                continue
            wd = d.date.weekday()
            due = {p.id for p in self.points if wd in p.collected(closed)}
            served = {x.id for r in d.solution.used_routes() for x in r.stops}
            lost = sorted(due - served - set(d.solution.unassigned))
            if lost:
                out.append(f"{d.date}: {len(lost)} point(s) due but neither served nor unassigned: {', '.join(lost[:5])}")
        return out

    # ---------------------------------------------------------------- printing
    def summary(self) -> str:
        """An aligned text block: the days, the spread and the same-truck share."""
        t = self.day_table()
        s = self.spread()
        lines = [f"wasteroute week of {self.monday.isoformat()} ({self.scenario}): patterns {self.pattern_status}, "
                 f"{self.plan_s:.0f} s"]
        notes = [f"{d.date} {DAY_NAMES[d.date.weekday()]}: {d.note}" for d in self.days if d.note]
        lines += notes
        cols = ["date", "day", "points_due", "served", "unassigned", "trucks", "km", "hours", "m3",
                "landfill_trips", "fuel_l"]
        lines.append(t[cols].to_string(index=False))
        lines.append(
            f"week: {s['km']} km, {s['hours']} truck-hours, {s['m3']} m³, {s['landfill_trips']} landfill trips, "
            f"{s['fuel_l']} L diesel, {s['unassigned']} unassigned; busiest ÷ quietest day: "
            f"truck-hours {s['hours_ratio']}, m³ {s['m3_ratio']}, trucks {s['trucks_ratio']}; "
            f"same truck on all days: {100 * s['same_truck_share']:.1f} % of points"
        )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def usual_window(arrivals_s: Sequence[int], *, step_s: int = WINDOW_ROUND_S) -> str:
    """``"05:30-06:30"``: the arrivals of the week, widened to whole half-hours (at least one step)."""
    if not arrivals_s:
        return ""
    lo = (min(arrivals_s) // step_s) * step_s
    hi = -(-max(arrivals_s) // step_s) * step_s
    hi = max(hi, lo + step_s)
    return f"{format_hhmm(lo)}-{format_hhmm(hi)}"


# ============================================================================ planning
def plan_week(scenario: Scenario, monday: dt.date, params: WeekParams | None = None, *,
              changes: WeekChanges | None = None, executor: Executor | None = None) -> WeekPlan:
    """Plan the week starting ``monday``: patterns, territories, then the seven days in parallel.

    Parameters
    ----------
    scenario
        The city (its fleet and volume factor apply every day).
    monday
        The week's Monday.
    params
        How to plan (:class:`WeekParams`); defaults when left out.
    changes
        Day what-ifs (:class:`WeekChanges`), e.g. the landfill closed on a date.
    executor
        Where the days are solved (a ``concurrent.futures.Executor``, e.g. a Dask client's
        ``get_executor()``); default: a process pool with one worker per core.

    Raises
    ------
    InputError
        If ``monday`` is not a Monday or a closed date is not in the week.
    InfeasibleError
        If a day has no plan.
    """
    t0 = time.perf_counter()
    params = params or WeekParams()
    changes = changes or WeekChanges()
    _check_week(monday, changes)
    closed = tuple(sorted((d - monday).days for d in changes.landfill_closed))
    ref = scenario.replace(date=monday).build(
        schedule={pid: rate for pid, rate in zip(*_rates(scenario), strict=True)})
    points = _week_points(scenario.points_table(), params, closed, _largest_body(scenario))
    if params.stable_trucks:
        points = _territories(points, ref)
    chosen, status = choose_patterns(points, ref, closed, params=params, seed=scenario.solver.seed,
                                     service=scenario.service, volume_factor=scenario.volume_factor)
    log.info("week %s: patterns chosen (%s) for %d points in %.1f s", monday, status, len(chosen),
             time.perf_counter() - t0)
    day_params = scenario.solver if params.day_time_limit_s is None else dataclasses.replace(
        scenario.solver, time_limit_s=params.day_time_limit_s)
    days = _plan_days(scenario, monday, chosen, closed, day_params, params.stable_trucks, executor,
                      body=_largest_body(scenario))
    graph = scenario.load_network().graph
    days = tuple(
        d if d.solution is None else dataclasses.replace(d, solution=dataclasses.replace(
            d.solution, graph=graph,
            meta={**d.solution.meta, "scenario": scenario.name, "density_kg_per_m3": scenario.density_kg_per_m3}))
        for d in days
    )
    return WeekPlan(scenario=scenario.name, monday=monday, days=days, points=tuple(chosen), params=params,
                    changes=changes, pattern_status=status, plan_s=time.perf_counter() - t0,
                    meta={"synthetic_network": ref.synthetic_network, "network_note": ref.network_note,
                          "language": scenario.language})


def _check_week(monday: dt.date, changes: WeekChanges) -> None:
    if monday.weekday() != 0:
        day = monday.strftime("%A")
        msg = (f"the week must start on a Monday; {monday.isoformat()} is a {day}: use "
               f"{(monday - dt.timedelta(days=monday.weekday())).isoformat()}")
        raise InputError(msg)
    outside = [d.isoformat() for d in changes.landfill_closed if not 0 <= (d - monday).days < 7]
    if outside:
        msg = (f"landfill closed on {', '.join(outside)}: not in the week {monday.isoformat()} to "
               f"{(monday + dt.timedelta(days=6)).isoformat()}; give a date of that week")
        raise InputError(msg)


def _rates(scenario: Scenario) -> tuple[list[str], list[float]]:
    t = scenario.points_table()
    return list(t["id"]), [float(x) for x in t["m3_per_day"]]


def _largest_body(scenario: Scenario) -> dict[str, float]:
    """Kind -> the largest body (m³) of any truck type in the fleet that serves it."""
    out: dict[str, float] = {}
    for t in scenario.fleet.types:
        for kind in t.serves:
            out[kind] = max(out.get(kind, 0.0), float(t.capacity_m3))
    return out


def _week_points(table: pd.DataFrame, params: WeekParams, closed: Sequence[int],
                 body: Mapping[str, float]) -> list[PointWeek]:
    """Every point with its allowed patterns (its ``days`` only with ``fixed_days``).

    Patterns whose waiting waste would exceed every truck serving the point are dropped.

    Raises
    ------
    InputError
        Naming every point whose waste would overflow every truck on all its patterns.
    """
    out = []
    problems = []
    for r in table.to_dict("records"):
        fixed = parse_pattern(_canonical_days(str(r["days"])))
        listed = [fixed] if params.fixed_days else [parse_pattern(p) for p in str(r["patterns"]).split("|")]
        rate = float(r["m3_per_day"])
        limit = body.get(str(r["kind"]), math.inf)
        allowed = [p for p in listed if rate * max_gap(p) <= limit + 1e-9]
        if not allowed:
            problems.append(
                f"point {r['id']}: {rate:g} m³/day gathers {rate * min(max_gap(p) for p in listed):.2f} m³ over "
                f"{min(max_gap(p) for p in listed)} day(s) on its best pattern, more than the {limit:g} m³ of the "
                "largest truck that serves it; collect it more often (frequency) or lower max_gap_days")
            continue
        # Days the landfill is closed are avoided by every point that has a pattern without them.
        open_ = [p for p in allowed if not set(p) & set(closed)]
        out.append(PointWeek(
            id=str(r["id"]), name=str(r["name"]), kind=str(r["kind"]), kelurahan=str(r["kelurahan"]),
            kecamatan=str(r["kecamatan"]), frequency=len(allowed[0]),
            max_gap_days=max(int(r["max_gap_days"]), max_gap(fixed)) if params.fixed_days else int(r["max_gap_days"]),
            m3_per_day=float(r["m3_per_day"]), allowed=tuple(open_ or allowed),
            pattern=(open_ or allowed)[0],
        ))
    if problems:
        raise InputError(f"{len(problems)} point(s) cannot be collected this week without overflowing a truck",
                         problems)
    return out


def _canonical_days(days: str) -> str:
    """A checked ``days`` value (``sen,rab`` or ``monday``) in canonical names (``mon,wed``)."""
    from .stops import WEEKDAYS

    if days == "daily":
        return days
    return ",".join(DAY_NAMES[WEEKDAYS[d[:3]]] for d in days.split(","))


# ---------------------------------------------------------------------------- work estimates
@dataclass(frozen=True)
class _Work:
    """Per-point figures for estimating a day's work (seconds), from the reference problem."""

    index: dict[str, int]
    access_s: np.ndarray
    landfill_run_s: np.ndarray
    vehicles: tuple[VehicleData, ...]


def _work_model(ref: ProblemData) -> _Work:
    from .decompose import _symmetric_point_times

    n = len(ref.points)
    sym = _symmetric_point_times(ref)
    access = sym.smallest_to_others(2).mean(axis=1) if n > 2 else np.zeros(n)
    locs = [ref.point_location(k) for k in range(n)]
    lf = list(range(1, 1 + len(ref.landfills)))
    run = (ref.time_s[np.ix_(locs, lf)].astype(float) + ref.time_s[np.ix_(lf, locs)].astype(float).T).min(axis=1)
    run = run + float(np.mean([x.unload_s for x in ref.landfills]))
    return _Work({p.id: k for k, p in enumerate(ref.points)}, np.asarray(access, float), np.asarray(run, float),
                 ref.vehicles)


def _visit_s(w: _Work, p: PointWeek, m3: float, service: Any, volume_factor: float) -> float:
    """Estimated truck seconds of one collection of ``m3``: loading, reaching it, its share of landfill runs."""
    k = w.index.get(p.id)
    if k is None:
        return 0.0
    vs = [v for v in w.vehicles if p.kind in v.serves] or list(w.vehicles)
    cap_m3 = float(np.mean([v.capacity_l for v in vs])) / 1000
    per_trip = float(np.mean([v.containers_per_trip or math.inf for v in vs]))
    vol = m3 * volume_factor
    share = max(vol / cap_m3, 1 / per_trip)
    return float(service.service_s(p.kind, vol)) + w.access_s[k] + share * w.landfill_run_s[k]


def _groups(points: Sequence[PointWeek], vehicles: Sequence[VehicleData]) -> dict[tuple[str, ...], list[int]]:
    """Point indices by the set of trucks (ids) that serve their kind."""
    out: dict[tuple[str, ...], list[int]] = {}
    for i, p in enumerate(points):
        key = tuple(v.id for v in vehicles if p.kind in v.serves)
        out.setdefault(key, []).append(i)
    return out


# ---------------------------------------------------------------------------- territories
def _territories(points: list[PointWeek], ref: ProblemData) -> list[PointWeek]:
    """Each point's truck: compact territories per truck group, balanced on weekly work."""
    from .decompose import _balanced_kmedoids, _symmetric_point_times

    w = _work_model(ref)
    sym = _symmetric_point_times(ref)
    out = list(points)
    for trucks, members in _groups(points, ref.vehicles).items():
        idx = [i for i in members if points[i].id in w.index]
        if not trucks or not idx:
            continue
        weekly = np.array([points[i].frequency * (w.access_s[w.index[points[i].id]] + 300.0)
                           + 7 * points[i].m3_per_day * 600.0 for i in idx])
        if len(trucks) == 1:
            labels = np.zeros(len(idx), dtype=int)
        else:
            d = sym.select([w.index[points[i].id] for i in idx])
            labels = _balanced_kmedoids(d, weekly, [1] * len(trucks), max_points=len(idx))
        for i, lab in zip(idx, labels, strict=True):
            out[i] = dataclasses.replace(points[i], truck=trucks[int(lab)])
    return out


# ---------------------------------------------------------------------------- pattern choice
def choose_patterns(points: Sequence[PointWeek], ref: ProblemData, closed: Sequence[int] = (), *,
                    params: WeekParams | None = None, seed: int = 0, service: Any = None,
                    volume_factor: float = 1.0) -> tuple[list[PointWeek], str]:
    """One allowed pattern per point, the week as even as the patterns allow (CP-SAT).

    Minimises, per group of trucks serving the same kinds, ``GROUP_WEIGHT`` x its busiest day
    (estimated truck-seconds per truck) plus the busiest day of its territories (when points
    have a truck), plus the busiest day's m³ per truck. Returns the points with their pattern
    and the solver status; with ``balance=False`` the first allowed pattern of each.
    """
    from ortools.sat.python import cp_model

    from .config import ServiceSettings

    params = params or WeekParams()
    service = service or ServiceSettings()
    if not params.balance or all(len(p.allowed) == 1 for p in points):
        return [dataclasses.replace(p, pattern=p.allowed[0]) for p in points], "fixed"
    w = _work_model(ref)
    model = cp_model.CpModel()
    x = {(i, k): model.NewBoolVar(f"x{i}_{k}") for i, p in enumerate(points) for k in range(len(p.allowed))}
    for i, p in enumerate(points):
        model.AddExactlyOne(x[i, k] for k in range(len(p.allowed)))
    objective = []
    open_days = [d for d in range(7) if d not in closed]
    for trucks, members in _groups(points, w.vehicles).items():
        n_trucks = max(1, len(trucks))
        terms: dict[tuple[str, int], list[Any]] = {}
        m3_terms: dict[int, list[Any]] = {d: [] for d in open_days}
        for i in members:
            p = points[i]
            for k, pat in enumerate(p.allowed):
                vols = dataclasses.replace(p, pattern=pat).volumes(closed)
                for d, m3 in vols.items():
                    sec = int(round(_visit_s(w, p, m3, service, volume_factor)))
                    terms.setdefault(("", d), []).append(sec * x[i, k])
                    if p.truck:
                        terms.setdefault((p.truck, d), []).append(sec * x[i, k])
                    m3_terms[d].append(int(round(1000 * m3)) * x[i, k])
        busiest = model.NewIntVar(0, 10**12, "group")
        busiest_m3 = model.NewIntVar(0, 10**12, "m3")
        for d in open_days:
            model.Add(sum(terms.get(("", d), [])) <= busiest)
            model.Add(sum(m3_terms[d]) <= busiest_m3)
        # In thousandths of a second: a group's busiest day per truck, its busiest m³ day per
        # truck (a litre weighs 0.1 s; the landfill runs are already in the seconds) and the
        # busiest day of any one territory.
        objective.append(max(1, round(GROUP_WEIGHT * 1000 / n_trucks)) * busiest)
        objective.append(max(1, round(100 / n_trucks)) * busiest_m3)
        if any(key[0] for key in terms):
            territory = model.NewIntVar(0, 10**12, "territory")
            for (truck, _d), ts in terms.items():
                if truck:
                    model.Add(sum(ts) <= territory)
            objective.append(1000 * territory)
    model.Minimize(sum(objective))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # with a deterministic-time limit: the same choice on any machine
    solver.parameters.random_seed = int(seed)
    solver.parameters.max_deterministic_time = float(params.pattern_time_s)
    solver.parameters.max_time_in_seconds = max(60.0, 20 * params.pattern_time_s)  # a safety cap only
    result = solver.Solve(model)
    if result not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        log.warning("pattern choice: CP-SAT found no choice (%s); each point keeps its first pattern",
                    solver.StatusName(result))
        return [dataclasses.replace(p, pattern=p.allowed[0]) for p in points], "fixed (CP-SAT gave none)"
    out = [dataclasses.replace(p, pattern=next(pat for k, pat in enumerate(p.allowed) if solver.Value(x[i, k])))
           for i, p in enumerate(points)]
    return out, f"CP-SAT {solver.StatusName(result).lower()}"


def day_loads(points: Sequence[PointWeek], ref: ProblemData, closed: Sequence[int] = (), *,
              service: Any = None, volume_factor: float = 1.0) -> np.ndarray:
    """Estimated truck-seconds per weekday (Monday-Sunday) of the points' chosen patterns."""
    from .config import ServiceSettings

    service = service or ServiceSettings()
    w = _work_model(ref)
    loads = np.zeros(7)
    for p in points:
        for d, m3 in p.volumes(closed).items():
            loads[d] += _visit_s(w, p, m3, service, volume_factor)
    return loads


# ---------------------------------------------------------------------------- the days
def _plan_days(scenario: Scenario, monday: dt.date, points: Sequence[PointWeek], closed: Sequence[int],
               params: SolverParams, stable: bool, executor: Executor | None, *,
               body: Mapping[str, float]) -> list[DayPlan]:
    problems: dict[int, ProblemData] = {}
    notes: dict[int, str] = {}
    for wd in range(7):
        if wd in closed:
            continue
        schedule = {p.id: m3 for p in points for d, m3 in p.volumes(closed).items() if d == wd}
        # After a closed landfill day a point may hold more than any truck: a truckload is
        # taken and the rest stays at the site, said in the day's note (never silently lost).
        kinds = {p.id: p.kind for p in points}
        over = {pid: m3 - body[kinds[pid]] for pid, m3 in schedule.items()
                if kinds[pid] in body and m3 > body[kinds[pid]] + 1e-9}
        for pid in over:
            schedule[pid] = body[kinds[pid]]
        if over:
            notes[wd] = (f"{len(over)} point(s) hold more than a truckload after the closed landfill day: "
                         f"{sum(over.values()):.1f} m³ stays at the site ({', '.join(sorted(over)[:8])}"
                         f"{' ...' if len(over) > 8 else ''})")
        problem = scenario.replace(date=monday + dt.timedelta(days=wd)).build(schedule=schedule)
        if stable:
            problem = restrict_to_territories(problem, {p.id: p.truck for p in points if p.truck})
        problems[wd] = problem
    own = executor is None
    pool = executor if executor is not None else _default_pool(len(problems))
    try:
        futures: dict[int, Future[Solution]] = {
            wd: pool.submit(plan_day, problems[wd], params, stable) for wd in sorted(problems)
        }
        solved = {wd: f.result() for wd, f in futures.items()}
    except BaseException:
        for f in locals().get("futures", {}).values():
            f.cancel()
        raise
    finally:
        if own:
            pool.shutdown(wait=True, cancel_futures=True)
    out = []
    for wd in range(7):
        date = monday + dt.timedelta(days=wd)
        if wd in closed:
            skipped = sum(1 for p in points if wd in p.pattern)
            out.append(DayPlan(date, None, f"landfill closed: no collection; {skipped} point(s) due today wait "
                                           "for their next collection day"))
        else:
            out.append(DayPlan(date, solved[wd], notes.get(wd, "")))
    return out


def _default_pool(n: int) -> Executor:
    """A process pool of one worker per core (forked on Linux: no re-import in each worker)."""
    workers = max(1, min(n, os.cpu_count() or 1))
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx)


def restrict_to_territories(problem: ProblemData, truck_of: Mapping[str, str]) -> ProblemData:
    """The day with each point allowed only on its territory's truck (when that truck is out today,
    or may not drive the roads to the point: any)."""
    today = {v.id: v for v in problem.vehicles}
    pts = tuple(dataclasses.replace(p, vehicles=(truck_of[p.id],))
                if truck_of.get(p.id) in today and today[truck_of[p.id]].profile not in p.blocked_profiles else p
                for p in problem.points)
    return problem.replace(points=pts)


def plan_day(problem: ProblemData, params: SolverParams, stable: bool = False) -> Solution:
    """Plan one day of the week (run in a worker process): the day planner, territory-first when ``stable``.

    With territories, OR-Tools first keeps every point on its truck (``STABLE_SHARE`` of the
    budget); the points that did not fit are then freed for any truck and the day is searched
    again from that plan, and the plan with fewer unassigned points is kept.

    Raises
    ------
    InfeasibleError
        If no plan is found.
    """
    from .search import solve
    from .solver import improve

    if not stable or not any(p.vehicles for p in problem.points):
        return solve(problem, params)
    first = dataclasses.replace(params, engine="ortools", minimise_trucks=False, decompose_above=None,
                                time_limit_s=max(1.0, params.time_limit_s * STABLE_SHARE))
    sol = solve(problem, first)
    dropped = {pid for pid in sol.unassigned if pid not in problem.reasons}
    if not dropped:
        return sol
    freed = problem.replace(points=tuple(dataclasses.replace(p, vehicles=()) if p.id in dropped else p
                                         for p in problem.points))
    initial = [[v.id for v in r.visits[1:-1]] for r in sol.routes]
    rest = dataclasses.replace(first, time_limit_s=max(1.0, params.time_limit_s * (1 - STABLE_SHARE)))
    log.info("%s: %d point(s) did not fit their territory's truck; searching again with them free",
             problem.date, len(dropped))
    try:
        again = improve(freed, rest, initial)
    except (InfeasibleError, InputError) as exc:
        log.warning("%s: the search with freed points failed (%s); keeping the territory plan", problem.date, exc)
        return sol
    if again is not None and len(again.unassigned) < len(sol.unassigned):
        return again
    return sol


__all__ = [
    "DayPlan", "PointWeek", "WeekChanges", "WeekParams", "WeekPlan", "choose_patterns", "day_loads",
    "plan_day", "plan_week", "restrict_to_territories", "usual_window",
]
