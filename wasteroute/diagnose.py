"""Why a point was left out: the limit that binds for the trucks that can serve it.

The solver only says *that* it dropped a point. :func:`drop_reason` finds *why*, without
OR-Tools, from the problem and the routes of the plan, in two steps:

1. bounds over the group of trucks that can serve the point (against every point that group
   can serve): container lifts (trucks × trips × containers per trip), volume (trucks × trips ×
   capacity), stops, daily load and shift time. A bound below what is due is the reason, with
   its numbers ("7 armroll trucks × 2 trips × 1 container = 14 container lifts for 15
   containers").
2. when no bound binds, each truck of the group is asked whether it could still take the point
   on one more trip at the end of its day (trips, stops, daily load, the point's window, the
   landfill hours and the shift end). If one could, the search stopped before finding that
   insertion, and the reason says so and names the truck; otherwise the reason counts what
   stopped each truck.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

from .problem import PointData, ProblemData, VehicleData
from .solution import Route
from .units import LITRES_PER_M3, format_hhmm

_PREFIX = "fleet exhausted: "


def drop_reasons(problem: ProblemData, routes: Sequence[Route], dropped: Iterable[int]) -> dict[str, str]:
    """The reason for each dropped point (by index into ``problem.points``), by point id.

    The fleet-wide bounds are worked out once per group of trucks (not once per point), so a
    day with thousands of points left out is diagnosed in linear time.
    """
    bounds: dict[tuple[str, ...], str] = {}
    out = {}
    for k in dropped:
        pid = problem.points[k].id
        why = drop_reason(problem, routes, k, _bounds=bounds)
        # A truck type kept off the roads to the point is part of why the others could not take it.
        out[pid] = f"{why}; restricted roads: {problem.restricted[pid]}" if pid in problem.restricted else why
    return out


def drop_reason(problem: ProblemData, routes: Sequence[Route], k: int, *,
                _bounds: dict[tuple[str, ...], str] | None = None) -> str:
    """Why point ``k`` of ``problem.points`` is in no route of ``routes``.

    Parameters
    ----------
    problem
        The day's problem.
    routes
        Every truck's route in the plan (unused trucks included), as built by the solver.
    k
        Index of the dropped point in ``problem.points``.

    Returns
    -------
    str
        ``"<limit>: <numbers>; <what to change>"``; the limit is ``fleet exhausted`` for a
        fleet-wide bound, trips or shift time, ``window`` when the point's window cannot be
        met, ``search`` when a truck had room and the search stopped before using it.
    """
    pt = problem.points[k]
    group = [r for r in routes if r.vehicle.can_serve(pt)]
    if not group:
        return _PREFIX + f"no available truck can serve this {pt.volume_m3:.2f} m³ point of kind '{pt.kind}'"
    vehicles = [r.vehicle for r in group]
    key = tuple(v.id for v in vehicles)
    cache = {} if _bounds is None else _bounds
    if key not in cache:
        cache[key] = _fleet_bound(problem, vehicles)
    if cache[key]:
        return _PREFIX + cache[key]
    return _route_limits(problem, group, k)


def _fleet_bound(problem: ProblemData, vehicles: Sequence[VehicleData]) -> str:
    """The first fleet-wide bound that the trucks ``vehicles`` cannot meet, else ``""``."""
    due = [q for q in problem.points if any(v.can_serve(q) for v in vehicles)]
    for bound in (_lift_bound, _volume_bound, _stops_bound, _daily_load_bound, _time_bound):
        why = bound(problem, vehicles, due)
        if why:
            return why
    return ""


def _types(vehicles: Sequence[VehicleData]) -> list[tuple[VehicleData, int]]:
    """One representative truck per vehicle type, with the number of such trucks, in fleet order."""
    counts = Counter(v.type_name for v in vehicles)
    seen: dict[str, VehicleData] = {}
    for v in vehicles:
        seen.setdefault(v.type_name, v)
    return [(v, counts[name]) for name, v in seen.items()]


def _trucks(n: int, v: VehicleData) -> str:
    return f"{n} {v.type_name} truck{'s' if n != 1 else ''}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _lift_bound(problem: ProblemData, vehicles: Sequence[VehicleData], due: list[PointData]) -> str:
    if any(v.containers_per_trip is None for v in vehicles):
        return ""
    lifts = sum((v.containers_per_trip or 0) * v.max_trips for v in vehicles)
    if lifts >= len(due):
        return ""
    terms = " + ".join(
        f"{_trucks(n, v)} × {_plural(v.max_trips, 'trip')} × {_plural(v.containers_per_trip or 0, 'container')}"
        for v, n in _types(vehicles)
    )
    return (f"{terms} = {lifts} container lifts for {len(due)} containers due today; "
            "add trucks or trips, or move a container to another day")


def _volume_bound(problem: ProblemData, vehicles: Sequence[VehicleData], due: list[PointData]) -> str:
    cap = sum(v.capacity_l * v.max_trips for v in vehicles) / LITRES_PER_M3
    total = sum(q.volume_m3 for q in due)
    if total <= cap:
        return ""
    terms = " + ".join(
        f"{_trucks(n, v)} × {_plural(v.max_trips, 'trip')} × {v.capacity_l / LITRES_PER_M3:.1f} m³"
        for v, n in _types(vehicles)
    )
    return (f"{total:.0f} m³ of this kind is due but the available trucks can haul {cap:.0f} m³ in their "
            f"landfill trips ({terms}); add trucks or trips")


def _stops_bound(problem: ProblemData, vehicles: Sequence[VehicleData], due: list[PointData]) -> str:
    if any(v.max_stops is None for v in vehicles):
        return ""
    stops = sum(v.max_stops or 0 for v in vehicles)
    if stops >= len(due):
        return ""
    terms = " + ".join(f"{_trucks(n, v)} × {v.max_stops} stops" for v, n in _types(vehicles))
    return f"{terms} = {stops} stops for {len(due)} points due; add trucks or raise max_stops"


def _daily_load_bound(problem: ProblemData, vehicles: Sequence[VehicleData], due: list[PointData]) -> str:
    if any(v.max_daily_load_l is None for v in vehicles):
        return ""
    cap = sum(v.max_daily_load_l or 0 for v in vehicles) / LITRES_PER_M3
    total = sum(q.demand_l for q in due) / LITRES_PER_M3
    if total <= cap:
        return ""
    return (f"{len(vehicles)} trucks may collect {cap:.1f} m³ in the day (daily load limit) for {total:.1f} m³ "
            "due; add trucks or raise the daily limit")


def _time_bound(problem: ProblemData, vehicles: Sequence[VehicleData], due: list[PointData]) -> str:
    """Shift time against the least work the points need: service plus one unload per full load."""
    shortest_unload = min(lf.unload_s for lf in problem.landfills)
    largest = max(v.capacity_l for v in vehicles)
    loads = math.ceil(sum(q.demand_l for q in due) / largest) if due else 0
    need_s = sum(q.service_s for q in due) + loads * shortest_unload
    have_s = sum(max(0, v.shift.end_s - v.shift.start_s - v.shift.break_duration_s) for v in vehicles)
    if need_s <= have_s:
        return ""
    return (f"{len(vehicles)} trucks have {have_s / 3600:.1f} h of shift time but the {len(due)} points need at "
            f"least {need_s / 3600:.1f} h of loading and unloading, before any driving; add trucks or a shift")


def _route_limits(problem: ProblemData, group: Sequence[Route], k: int) -> str:
    """No bound binds: which limit stopped each truck of the group from taking point ``k``."""
    pt = problem.points[k]
    stopped: dict[str, list[Route]] = {}
    earliest = math.inf
    for r in group:
        why, finish = _extra_trip(problem, r, k)
        if why == "window":
            earliest = min(earliest, finish)
        if not why:
            v = r.vehicle
            state = (f"back at {format_hhmm(r.end_s)} with {_plural(v.max_trips - len(r.trips), 'trip')} of "
                     f"{v.max_trips} unused" if r.used else "not used today")
            return (f"search: {v.id} is {state} and could still collect it (done by {format_hhmm(finish)}); "
                    "the search stopped before inserting it: raise the time limit or the solution limit")
        stopped.setdefault(why, []).append(r)
    if set(stopped) == {"window"}:
        return (f"window: the earliest a truck can get there after its other work is {format_hhmm(earliest)}, "
                f"after its latest time {format_hhmm(pt.latest_s)}; widen the window, start a shift earlier or "
                "add a truck")
    kind = f"'{pt.kind}'"
    parts = {
        "trips": "used all their landfill trips",
        "stops": "reached their stop limit",
        "daily load": "reached their daily load limit",
        "window": "cannot reach it inside its window",
        "time": "had no time left in their shift for it",
    }
    counts = ", ".join(f"{len(rs)} {parts[why]}" for why, rs in stopped.items())
    latest_back = max((r.end_s for r in group if r.used), default=0)
    tail = f" (last truck back at {format_hhmm(latest_back)})" if "time" in stopped and latest_back else ""
    return (f"{_PREFIX}of the {_plural(len(group), 'truck')} that can serve {kind}, {counts}{tail}; "
            "add a truck, a second shift, or widen the window")


def _extra_trip(problem: ProblemData, r: Route, k: int) -> tuple[str, int]:
    """Could ``r``'s truck collect point ``k`` on one more trip after its work? ``("", finish_s)`` if so,
    else the first limit in the way (trips, stops, daily load, window, time) and 0 (for the window:
    the earliest time the truck could be there)."""
    v, sh, pt = r.vehicle, r.vehicle.shift, problem.points[k]
    if len(r.trips) >= v.max_trips:
        return "trips", 0
    if v.max_stops is not None and len(r.stops) >= v.max_stops:
        return "stops", 0
    collected = sum(x.point.demand_l for x in r.stops if x.point is not None)
    if v.max_daily_load_l is not None and collected + pt.demand_l > v.max_daily_load_l:
        return "daily load", 0
    loc = problem.point_location(k)
    if r.used:  # from its last landfill, instead of driving home
        last = [x for x in r.visits if x.kind == "landfill"][-1]
        origin, leave = last.location, last.departure_s
    else:
        origin, leave = 0, sh.start_s
    start = max(leave + _drive(problem, v, origin, loc), pt.ready_s)
    if 0 <= pt.latest_s < start:
        return "window", start
    if start > sh.end_s:
        return "time", 0
    best = None
    for li, lf in enumerate(problem.landfills):
        lf_loc = problem.landfill_location(li)
        unload = max(start + pt.service_s + _drive(problem, v, loc, lf_loc), lf.opens_s)
        if unload + lf.unload_s > lf.closes_s:
            continue
        back = unload + lf.unload_s + _drive(problem, v, lf_loc, 0)
        if r.break_ is None and sh.break_duration_s and back > sh.break_earliest_s:
            back += sh.break_duration_s  # the longer day now reaches the break window
        best = back if best is None else min(best, back)
    if best is None or best > sh.end_s:
        return "time", 0
    return "", best


def _drive(problem: ProblemData, v: VehicleData, a: int, b: int) -> int:
    return int(math.ceil(problem.time_for(v)[a, b] / v.speed_factor))
