"""The week: choose each point's collection days, keep each point on one truck, plan the days.

:func:`plan_week` (also ``Scenario.plan_week``) works in four steps:

1. **Points and their patterns.** Each point may be collected on any of its allowed patterns
   (``frequency``, ``patterns``, ``max_gap_days`` of the points file, :mod:`wasteroute.schedule`);
   a point with fixed ``days`` only has those. Waste accumulates: a visit collects
   ``m3_per_day`` x the days since the previous one.
2. **Pattern choice** (OR-Tools CP-SAT): one pattern per point so that the busiest day of each
   group of trucks serving the same kinds (estimated truck-seconds: loading, reaching the
   point, its share of landfill runs) and its busiest m³ day are as light as the patterns
   allow. The search is bounded by CP-SAT's deterministic time, so a seed gives the same
   choice on any machine.
3. **Territories** (``stable_trucks``): the busiest working day is planned freely by the day
   planner; each of its points belongs to the truck that serves it, and every other point to
   the truck serving its nearest such point (travel time). The patterns are then chosen again
   with each territory's busiest day in the objective too, every point keeping that day (and
   its waste on it) as it was, so the base plan stays that day's plan.
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
from typing import Any, Protocol

import numpy as np
import pandas as pd

from .config import Fleet, ServiceSettings, SolverParams
from .errors import InfeasibleError, InputError
from .problem import ProblemData, VehicleData
from .schedule import DAY_NAMES, Pattern, gaps, max_gap, parse_pattern, pattern_text
from .solution import Solution
from .units import format_hhmm

log = logging.getLogger("wasteroute")


class City(Protocol):
    """What planning a week needs of a city: a :class:`wasteroute.scenario.Scenario` has it all.

    The week is planned from the city's fleet, points and settings and builds each day's
    problem through it; this module sits below the scenario facade and never imports it.
    """

    @property
    def name(self) -> str: ...
    @property
    def fleet(self) -> Fleet: ...
    @property
    def solver(self) -> SolverParams: ...
    @property
    def service(self) -> ServiceSettings: ...
    @property
    def volume_factor(self) -> float: ...
    @property
    def density_kg_per_m3(self) -> float: ...
    @property
    def language(self) -> str: ...

    def replace(self, **changes: Any) -> City: ...
    def build(self, *, schedule: Mapping[str, float] | None = None) -> ProblemData: ...
    def points_table(self) -> pd.DataFrame: ...
    def load_network(self) -> Any: ...

#: CP-SAT weights: a group's busiest day (truck-hours per truck) counts this much more than the
#: busiest territory-day, which keeps single trucks' days even inside the group.
GROUP_WEIGHT = 4
#: Round the usual collection window to this many seconds (boards say "sekitar 05:30-06:30").
WINDOW_ROUND_S = 1800
#: Share of a day's budget for the search with every point on its territory's truck.
STABLE_SHARE = 0.75
#: Trucks a point outside the base plan may join (the nearest territories).
NEAREST_TRUCKS = 3
#: Trucks tried, nearest first, for a point its own truck cannot take on a day.
NEIGHBOUR_TRUCKS = 6
#: Search seconds for one truck's route planned again with a neighbour's point.
NEIGHBOUR_S = 0.5
#: Share of a shift the pattern choice plans to fill on a territory's day (room for the estimate's error).
DAY_FILL = 0.95


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
    #: Trucks the week planner may still choose from for this point (empty: ``truck`` is fixed).
    candidates: tuple[str, ...] = ()

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
            if not len(worked) or worked[col].min() <= 0:
                return 0.0
            return round(float(worked[col].max() / worked[col].min()), 3)

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
                out.append(f"{d.date}: {len(lost)} point(s) due but neither served nor unassigned: "
                           f"{', '.join(lost[:5])}")
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
def plan_week(scenario: City, monday: dt.date, params: WeekParams | None = None, *,
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
    body = _largest_body(scenario)
    points = _week_points(scenario.points_table(), params, closed, body)
    kw = {"params": params, "seed": scenario.solver.seed, "service": scenario.service,
          "volume_factor": scenario.volume_factor}
    chosen, status = choose_patterns(points, ref, closed, **kw)
    day_params = scenario.solver if params.day_time_limit_s is None else dataclasses.replace(
        scenario.solver, time_limit_s=params.day_time_limit_s)
    done: dict[int, Solution] = {}
    if params.stable_trucks:
        # Territories from a base plan: the busiest working day planned freely gives each of
        # its points a truck; the others join the truck serving the nearest of them. The
        # patterns are then balanced per territory, every point keeping or avoiding that day.
        loads = day_loads(chosen, ref, closed, service=scenario.service, volume_factor=scenario.volume_factor)
        base_wd = max((d for d in range(6) if d not in closed), key=lambda d: (loads[d], -d))
        base_problem = _day_problem(scenario, monday, chosen, closed, base_wd, body)[0]
        done[base_wd] = plan_day(base_problem, day_params)
        chosen = assign_territories(chosen, done[base_wd], ref)
        caps = truck_days(done[base_wd], chosen, ref, closed, base_wd, service=scenario.service,
                          volume_factor=scenario.volume_factor)
        chosen, status = choose_patterns(chosen, ref, closed, keep_day=base_wd, capacity=caps, **kw)
        log.info("week %s: territories from the plan of %s (%d trucks)", monday, DAY_NAMES[base_wd],
                 len({p.truck for p in chosen if p.truck}))
    log.info("week %s: patterns chosen (%s) for %d points in %.1f s", monday, status, len(chosen),
             time.perf_counter() - t0)
    days = _plan_days(scenario, monday, chosen, closed, day_params, params.stable_trucks, executor,
                      body=body, done=done)
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


def _rates(scenario: City) -> tuple[list[str], list[float]]:
    t = scenario.points_table()
    return list(t["id"]), [float(x) for x in t["m3_per_day"]]


def _largest_body(scenario: City) -> dict[str, float]:
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
def assign_territories(points: Sequence[PointWeek], base: Solution, ref: ProblemData, *,
                       nearest: int = NEAREST_TRUCKS) -> list[PointWeek]:
    """Each point's truck: the one that serves it in the ``base`` plan; a point the base plan
    does not serve gets as ``candidates`` the ``nearest`` trucks (of those that serve its kind)
    whose base-plan points are closest to it by travel time, the closest as its ``truck``."""
    from .decompose import _symmetric_point_times

    truck_of = {v.id: r.vehicle.id for r in base.used_routes() for v in r.stops}
    index = {p.id: k for k, p in enumerate(ref.points)}
    sym = _symmetric_point_times(ref)
    members: dict[str, list[int]] = {}
    for pid, truck in truck_of.items():
        if pid in index:
            members.setdefault(truck, []).append(index[pid])
    out = []
    for p in points:
        truck = truck_of.get(p.id, "")
        if truck or p.id not in index:
            out.append(dataclasses.replace(p, truck=truck, candidates=()))
            continue
        serving = [v.id for v in ref.vehicles if p.kind in v.serves and v.id in members]
        near = sorted(serving, key=lambda t: (float(np.min(sym[index[p.id], members[t]])), t))[:nearest]
        out.append(dataclasses.replace(p, truck=near[0] if near else "", candidates=tuple(near)))
    return out


def truck_days(base: Solution, points: Sequence[PointWeek], ref: ProblemData, closed: Sequence[int], wd: int, *,
               service: Any, volume_factor: float) -> dict[str, TruckDay]:
    """Each truck's day calibrated on the base plan of weekday ``wd`` (see :class:`TruckDay`)."""
    w = _work_model(ref)
    est: dict[str, float] = {}
    for p in points:
        m3 = p.volumes(closed).get(wd)
        if m3 is not None and p.truck:
            est[p.truck] = est.get(p.truck, 0.0) + _visit_s(w, p, m3, service, volume_factor)
    scales = {r.vehicle.id: r.duration_s / est[r.vehicle.id] for r in base.used_routes()
              if est.get(r.vehicle.id, 0) > 0}
    usual = float(np.median(list(scales.values()))) if scales else 1.0
    out = {}
    for r in base.routes:
        v = r.vehicle
        lifts = v.max_trips * v.containers_per_trip if v.containers_per_trip else None
        scale = min(max(scales.get(v.id, usual), 0.5), 3.0)
        out[v.id] = TruckDay(scale=scale, limit_s=int(DAY_FILL * (v.shift.end_s - v.shift.start_s)), lifts=lifts)
    return out


# ---------------------------------------------------------------------------- pattern choice
@dataclass(frozen=True)
class TruckDay:
    """What one truck can take in a day, calibrated on the base plan.

    ``scale``: the base plan's route duration ÷ the estimated seconds of its points that day
    (the estimate leaves out the drive from and to the depot and waits); ``limit_s``: the
    shift; ``lifts``: containers per day (trips x containers per trip; None = no limit).
    """

    scale: float
    limit_s: int
    lifts: int | None = None


def choose_patterns(points: Sequence[PointWeek], ref: ProblemData, closed: Sequence[int] = (), *,
                    params: WeekParams | None = None, seed: int = 0, service: Any = None,
                    volume_factor: float = 1.0, keep_day: int | None = None,
                    capacity: Mapping[str, TruckDay] | None = None) -> tuple[list[PointWeek], str]:
    """One allowed pattern (and truck, among a point's ``candidates``) per point, the week as even
    as the patterns allow (CP-SAT).

    Minimises, per group of trucks serving the same kinds, ``GROUP_WEIGHT`` x its busiest day
    (estimated truck-seconds per truck) plus the busiest day of its territories (when points
    have a truck), plus the busiest day's m³ per truck. With ``capacity`` a truck's day beyond
    its shift (or its container lifts) costs far more than any balance. With ``keep_day`` (a
    weekday already planned) a point keeps that day and its waste on it as they are. Returns
    the points with their pattern and truck, and the solver status; with ``balance=False``
    the first allowed pattern.
    """
    from ortools.sat.python import cp_model

    from .config import ServiceSettings

    params = params or WeekParams()
    service = service or ServiceSettings()
    if not params.balance or all(len(p.allowed) == 1 and not p.candidates for p in points):
        return [dataclasses.replace(p, pattern=p.allowed[0]) for p in points], "fixed"
    original = list(points)
    if keep_day is not None:
        # Same waste on that day too: the same gap before it (or neither collects it).
        def same(p: PointWeek, a: Pattern) -> bool:
            return dataclasses.replace(p, pattern=a).volumes(closed).get(keep_day) == p.volumes(closed).get(keep_day)

        points = [dataclasses.replace(p, allowed=tuple(a for a in p.allowed if same(p, a))) for p in points]
    w = _work_model(ref)
    model = cp_model.CpModel()
    x: dict[tuple[int, int, str], Any] = {}
    for i, p in enumerate(points):
        for k in range(len(p.allowed)):
            for t in (p.candidates or (p.truck,)):
                x[i, k, t] = model.NewBoolVar(f"x{i}_{k}_{t}")
        model.AddExactlyOne(v for key, v in x.items() if key[0] == i)
    objective = []
    open_days = [d for d in range(7) if d not in closed]
    for trucks, members in _groups(points, w.vehicles).items():
        n_trucks = max(1, len(trucks))
        terms: dict[tuple[str, int], list[Any]] = {}
        lifts: dict[tuple[str, int], list[Any]] = {}
        m3_terms: dict[int, list[Any]] = {d: [] for d in open_days}
        for i in members:
            p = points[i]
            for k, pat in enumerate(p.allowed):
                vols = dataclasses.replace(p, pattern=pat).volumes(closed)
                for d, m3 in vols.items():
                    sec = int(round(_visit_s(w, p, m3, service, volume_factor)))
                    for t in (p.candidates or (p.truck,)):
                        terms.setdefault(("", d), []).append(sec * x[i, k, t])
                        if t:
                            terms.setdefault((t, d), []).append(sec * x[i, k, t])
                            if p.kind == "container":
                                lifts.setdefault((t, d), []).append(x[i, k, t])
                        m3_terms[d].append(int(round(1000 * m3)) * x[i, k, t])
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
        objective += _capacity_terms(model, terms, lifts, capacity or {})
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
        return list(original), "kept (CP-SAT gave none)"
    out = []
    for i, p in enumerate(points):
        (_, k, t), = [key for key, v in x.items() if key[0] == i and solver.Value(v)]
        out.append(dataclasses.replace(p, pattern=p.allowed[k], truck=t, allowed=original[i].allowed))
    return out, f"CP-SAT {solver.StatusName(result).lower()}"


#: Weight of a second (or a container lift, as an hour) beyond a truck's day, against a balance second.
OVER_WEIGHT = 100_000


def _capacity_terms(model: Any, terms: Mapping[tuple[str, int], list[Any]], lifts: Mapping[tuple[str, int], list[Any]],
                    capacity: Mapping[str, TruckDay]) -> list[Any]:
    """Soft limits: a territory-day over its truck's shift (calibrated) or its container lifts."""
    out = []
    for (truck, d), ts in terms.items():
        cap = capacity.get(truck)
        if not truck or cap is None:
            continue
        over = model.NewIntVar(0, 10**12, f"over_{truck}_{d}")
        scale = max(1, round(1000 * cap.scale))
        model.Add(scale * sum(ts) - 1000 * cap.limit_s <= over)
        objective_weight = OVER_WEIGHT // 1000 or 1
        out.append(objective_weight * over)
        if cap.lifts is not None and lifts.get((truck, d)):
            extra = model.NewIntVar(0, 1000, f"lifts_{truck}_{d}")
            model.Add(sum(lifts[(truck, d)]) - cap.lifts <= extra)
            out.append(OVER_WEIGHT * 3600 * extra)
    return out


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
def _day_problem(scenario: City, monday: dt.date, points: Sequence[PointWeek], closed: Sequence[int],
                 wd: int, body: Mapping[str, float]) -> tuple[ProblemData, str]:
    """The problem of weekday ``wd``: the points of the chosen patterns with their waiting waste.

    After a closed landfill day a point may hold more than any truck: a truckload is taken and
    the rest stays at the site, said in the returned note (never silently lost).
    """
    schedule = {p.id: m3 for p in points for d, m3 in p.volumes(closed).items() if d == wd}
    kinds = {p.id: p.kind for p in points}
    over = {pid: m3 - body[kinds[pid]] for pid, m3 in schedule.items()
            if kinds[pid] in body and m3 > body[kinds[pid]] + 1e-9}
    for pid in over:
        schedule[pid] = body[kinds[pid]]
    note = ""
    if over:
        note = (f"{len(over)} point(s) hold more than a truckload after the closed landfill day: "
                f"{sum(over.values()):.1f} m³ stays at the site ({', '.join(sorted(over)[:8])}"
                f"{' ...' if len(over) > 8 else ''})")
    problem = scenario.replace(date=monday + dt.timedelta(days=wd)).build(schedule=schedule)
    return problem, note


def _plan_days(scenario: City, monday: dt.date, points: Sequence[PointWeek], closed: Sequence[int],
               params: SolverParams, stable: bool, executor: Executor | None, *,
               body: Mapping[str, float], done: Mapping[int, Solution]) -> list[DayPlan]:
    """Every day of the week not in ``done``, planned on ``executor`` (days are independent)."""
    problems: dict[int, ProblemData] = {}
    notes: dict[int, str] = {}
    for wd in range(7):
        if wd in closed:
            continue
        problem, notes[wd] = _day_problem(scenario, monday, points, closed, wd, body)
        if wd in done:
            continue
        if stable:
            truck_of = {p.id: p.truck for p in points if p.truck}
            problem = restrict_to_territories(problem, truck_of)
        problems[wd] = problem
    solved: dict[int, Solution] = dict(done)
    if problems:
        own = executor is None
        pool = executor if executor is not None else _default_pool(len(problems))
        futures: dict[int, Future[Solution]] = {}
        try:
            for wd in sorted(problems):
                futures[wd] = pool.submit(plan_day, problems[wd], params, stable)
            solved.update({wd: f.result() for wd, f in futures.items()})
        except BaseException:
            for f in futures.values():
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
    """Plan one day of the week (run in a worker process): the day planner, territory by territory when ``stable``.

    With territories (points whose ``vehicles`` name one truck), each truck's points are planned
    as its own one-truck problem (OR-Tools; ``STABLE_SHARE`` of the budget shared by points),
    the routes are merged, and the points that did not fit their truck are freed for any truck
    while the whole day is searched from the merged plan; the plan with fewer unassigned points
    is kept.

    Raises
    ------
    InfeasibleError
        If no plan is found.
    """
    from .search import solve

    if not stable or not any(p.vehicles for p in problem.points):
        try:
            return solve(problem, params)
        except InfeasibleError as exc:
            if params.engine == "ortools":
                raise
            # The hybrid leaves OR-Tools only what PyVRP did not use; on a busy machine with a
            # short day budget that can be too little to start from scratch. One week's day must
            # not fail the week for it: OR-Tools alone with the whole budget.
            log.warning("%s: %s; planning the day again with OR-Tools alone", problem.date, exc)
            return solve(problem, dataclasses.replace(params, engine="ortools"))
    t0 = time.perf_counter()
    merged = _territory_plans(problem, params)
    dropped = {pid for pid in merged.unassigned if pid not in problem.reasons}
    if not dropped:
        return dataclasses.replace(merged, solve_s=time.perf_counter() - t0)
    freed = problem.replace(points=tuple(dataclasses.replace(p, vehicles=()) if p.id in dropped else p
                                         for p in problem.points))
    merged = _to_neighbours(freed, params, dataclasses.replace(merged, problem=freed), dropped)
    dropped = {pid for pid in merged.unassigned if pid not in problem.reasons}
    if not dropped:
        return dataclasses.replace(merged, solve_s=time.perf_counter() - t0)
    return _free_dropped(freed, params, merged, dropped, t0)


def _to_neighbours(problem: ProblemData, params: SolverParams, merged: Solution, dropped: set[str]) -> Solution:
    """Each point its territory's truck could not take, given to the nearest other truck that
    still serves its whole route with it (that truck's route planned again, alone)."""
    from .decompose import Area, _lift_route, sub_problem
    from .solver import solve as ortools_solve

    index = {p.id: k for k, p in enumerate(problem.points)}
    routes = list(merged.routes)
    unassigned = dict(merged.unassigned)
    base = dataclasses.replace(params, engine="ortools", minimise_trucks=False, decompose_above=None,
                               time_limit_s=params.time_limit_s if params.solution_limit else NEIGHBOUR_S)
    for pid in sorted(dropped):
        k = index[pid]
        loc = problem.point_location(k)
        options = []
        for vi, r in enumerate(routes):
            stops = [problem.point_location(index[v.id]) for v in r.stops if v.id in index]
            if stops and r.vehicle.can_serve(problem.points[k]):
                options.append((int(min(problem.time_s[loc, s_] for s_ in stops)), vi))
        for _, vi in sorted(options)[:NEIGHBOUR_TRUCKS]:
            pts = [index[v.id] for v in routes[vi].stops if v.id in index] + [k]
            try:
                sol = ortools_solve(sub_problem(problem, pts, [vi]), base)
            except InfeasibleError:
                continue
            if not sol.unassigned:
                routes[vi] = _lift_route(problem, Area(tuple(pts), (vi,)), sol.routes[0], problem.vehicles[vi])
                del unassigned[pid]
                break
    moved = len(merged.unassigned) - len(unassigned)
    if moved:
        log.info("%s: %d point(s) went to a neighbouring territory's truck today", problem.date, moved)
    return dataclasses.replace(merged, routes=tuple(routes), unassigned=unassigned)


def _territory_plans(problem: ProblemData, params: SolverParams) -> Solution:
    """Each truck's territory planned alone, the routes merged into one plan of the day."""
    from .decompose import Area, _lift_route, sub_problem
    from .solution import empty_route
    from .solver import solve as ortools_solve

    t0 = time.perf_counter()
    own = {vi: [k for k, p in enumerate(problem.points) if p.vehicles == (v.id,)]
           for vi, v in enumerate(problem.vehicles)}
    loose = [k for k, p in enumerate(problem.points) if not any(p.vehicles == (v.id,) for v in problem.vehicles)]
    total = max(1, sum(len(pts) for pts in own.values()))
    budget = params.time_limit_s * STABLE_SHARE
    base = dataclasses.replace(params, engine="ortools", minimise_trucks=False, decompose_above=None)
    routes = {}
    unassigned = dict(problem.reasons)
    unassigned.update({problem.points[k].id: "no territory truck today" for k in loose})
    objective = 0
    for vi, pts in own.items():
        if not pts:
            continue
        seconds = params.time_limit_s if params.solution_limit else max(0.2, budget * len(pts) / total)
        sub = sub_problem(problem, pts, [vi])
        try:
            sol = ortools_solve(sub, dataclasses.replace(base, time_limit_s=seconds))
        except InfeasibleError as exc:
            reason = f"fleet exhausted: its territory's truck {problem.vehicles[vi].id} found no plan ({exc})"
            unassigned.update({problem.points[k].id: reason for k in pts})
            continue
        routes[vi] = _lift_route(problem, Area(tuple(pts), (vi,)), sol.routes[0], problem.vehicles[vi])
        truck = problem.vehicles[vi].id
        unassigned.update({pid: f"{why} (its territory's truck {truck})" for pid, why in sol.unassigned.items()})
        objective += sol.objective
    out = tuple(routes[vi] if vi in routes else empty_route(problem, v) for vi, v in enumerate(problem.vehicles))
    return Solution(problem=problem, routes=out, unassigned=unassigned, objective=objective,
                    status=f"{len(routes)} territories", solve_s=time.perf_counter() - t0, params=params,
                    engine="ortools")


def _free_dropped(freed: ProblemData, params: SolverParams, merged: Solution, dropped: set[str],
                  t0: float) -> Solution:
    """The whole day searched from ``merged`` with the ``dropped`` points free for any truck."""
    from .solver import improve

    problem = freed
    initial = [[v.id for v in r.visits[1:-1]] for r in merged.routes]
    left = params.time_limit_s if params.solution_limit else max(1.0, params.time_limit_s - (time.perf_counter() - t0))
    rest = dataclasses.replace(params, engine="ortools", time_limit_s=left)
    log.info("%s: %d point(s) did not fit their territory's truck; searching the day again with them free",
             problem.date, len(dropped))
    try:
        again = improve(freed, rest, initial)
    except (InfeasibleError, InputError) as exc:
        log.warning("%s: the search with freed points failed (%s); keeping the territory plan", problem.date, exc)
        again = None
    if again is not None and len(again.unassigned) <= len(merged.unassigned):
        return dataclasses.replace(again, solve_s=time.perf_counter() - t0)
    return dataclasses.replace(merged, solve_s=time.perf_counter() - t0)


__all__ = [
    "DayPlan", "PointWeek", "WeekChanges", "WeekParams", "WeekPlan", "choose_patterns", "day_loads",
    "TruckDay", "assign_territories", "plan_day", "plan_week", "restrict_to_territories", "truck_days",
    "usual_window",
]
