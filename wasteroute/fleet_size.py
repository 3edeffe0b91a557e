"""Fewest trucks: plan the day with as few trucks as the search can manage.

OR-Tools' local search rarely empties a whole route, so a large fixed cost per truck alone
leaves plans with a truck or two more than needed (Kim et al. 335 and 444 stops: 8 and 11
trucks where 6 and 10 suffice). Instead the fleet is grown from a lower bound:

1. ``truck_lower_bound`` gives, per group of trucks that serve the same kinds, the fewest
   trucks that can carry that group's points at all: their volume against the load per
   trip times the trips and against the daily load limit, their number against the stop
   limit, and their service, cheapest way in and unloading time against a shift's working time.
2. The first trucks of each group (in fleet order: list the preferred ones first) get the
   first attempt, with half of the time budget. When points are left out, the group(s)
   that could have served them get more trucks (about the share of points left out) and
   a new search starts, again with half the time left. (Not from the previous plan: a warm
   start from a plan that leaves many points out got stuck there, Kim 277 stops: 37 points
   still out with 5 trucks, where a fresh search with 3 serves all.)
3. As soon as every point is served, the rest of the budget improves that plan with the
   same trucks. If even the whole fleet leaves points out, the plan says why, as ``solve``.

With a solution limit (``SolverParams.solution_limit``) no step looks at the clock: every
search is capped by the whole time limit and bounded by its solutions, and the fleets tried
depend only on the points left out (same seed and limits, same plan on a busy machine).
A Ctrl-C during any attempt stops them all (KeyboardInterrupt from ``solve``).

The result is a plan over the whole fleet: trucks left at home have an empty route.

Days of more than ``ONE_SEARCH_ABOVE`` points get one search over the whole fleet instead,
with a cost per truck used (``truck_cost``) that outweighs any route's travel. Days of more than
``BY_AREA_ABOVE`` points (and ``SolverParams.decompose_above``) are searched by area
(:func:`wasteroute.decompose.solve_by_area`) with that cost per truck: one whole-day search found
no first plan in time there (Kim et al. 1051, 1932 and 2100 stops at 60 s: 1,048, 1,927 and 2,092
points left out). Up to it the whole-day search used fewer trucks (Kim 804 stops: 5 whole, 6 by area).
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time

import numpy as np

from .config import SolverParams
from .decompose import solve_by_area
from .hybrid import solve_with_engine as solve
from .problem import ProblemData, VehicleData
from .solution import Solution, empty_route
from .solver import time_left

log = logging.getLogger("wasteroute")

#: Fraction of the time left that each attempt with a given fleet may use.
_ATTEMPT_SHARE = 0.5
#: Above this many points one search with a cost per truck replaces the attempts: a first
#: plan takes too long there to try several fleets (Kim 804 stops, 60 s: attempts left 476
#: points out on 7 trucks; one search with a truck cost served all on 6).
ONE_SEARCH_ABOVE = 600
#: Above this many points (and ``decompose_above``) the fewest trucks are searched by area (see the module doc).
BY_AREA_ABOVE = 1000


def _groups(problem: ProblemData) -> dict[tuple[str, ...], list[int]]:
    """Vehicle indices by the kinds they serve, in fleet order."""
    out: dict[tuple[str, ...], list[int]] = {}
    for vi, v in enumerate(problem.vehicles):
        out.setdefault(tuple(sorted(v.serves)), []).append(vi)
    return out


def _bound_for(problem: ProblemData, trucks: list[VehicleData], only_they: list[int]) -> int:
    """Fewest of ``trucks`` (one type group) that can serve the points ``only_they`` can serve."""
    if not only_they:
        return 0
    pts = [problem.points[k] for k in only_they]
    v = max(trucks, key=lambda t: t.capacity_l * t.max_trips)
    volume = sum(p.demand_l for p in pts)
    bounds = [1, math.ceil(volume / (v.capacity_l * v.max_trips))]
    if all(t.containers_per_trip for t in trucks):
        per_truck = max(t.containers_per_trip * t.max_trips for t in trucks)  # type: ignore[operator]
        bounds.append(math.ceil(len(pts) / per_truck))
    daily = [t.max_daily_load_l for t in trucks]
    if all(d is not None for d in daily):
        bounds.append(math.ceil(volume / max(d for d in daily if d is not None)))
    stops = [t.max_stops for t in trucks]
    if all(s is not None for s in stops):
        bounds.append(math.ceil(len(pts) / max(s for s in stops if s is not None)))
    work = max(t.shift.end_s - t.shift.start_s - t.shift.break_duration_s for t in trucks)
    if work > 0:
        # Every point is entered once (at least its cheapest way in) and served; every load
        # is unloaded once.
        locs = [problem.point_location(k) for k in only_they]
        into = problem.time_s.smallest_from_others(locs)  # on the road nodes, never points x points
        drive = float(into.sum()) / max(t.speed_factor for t in trucks)
        unload = min(lf.unload_s for lf in problem.landfills) * math.ceil(volume / v.capacity_l)
        bounds.append(math.ceil((sum(p.service_s for p in pts) + drive + unload) / work))
    return min(max(bounds), len(trucks))


def truck_lower_bound(problem: ProblemData) -> dict[tuple[str, ...], int]:
    """Per group of trucks serving the same kinds, the fewest that can possibly do the day.

    A point that trucks of several groups can serve counts for none of them (the bound stays
    a bound); a group that must serve some point gets at least one truck.
    """
    groups = _groups(problem)
    out = {}
    for kinds, members in groups.items():
        trucks = [problem.vehicles[vi] for vi in members]
        only = [k for k, p in enumerate(problem.points)
                if any(t.can_serve(p) for t in trucks)
                and not any(problem.vehicles[vj].can_serve(p) for vj in range(len(problem.vehicles))
                            if vj not in members)]
        out[kinds] = _bound_for(problem, trucks, only)
    return out


def _subset(problem: ProblemData, counts: dict[tuple[str, ...], int]) -> list[int]:
    groups = _groups(problem)
    return sorted(vi for kinds, members in groups.items() for vi in members[: counts[kinds]])


def _covering(problem: ProblemData, counts: dict[tuple[str, ...], int]) -> dict[tuple[str, ...], int]:
    """``counts`` raised so that every point has at least one truck that can serve it."""
    counts = dict(counts)
    groups = _groups(problem)
    for p in problem.points:
        chosen = [problem.vehicles[vi] for vi in _subset(problem, counts)]
        if any(t.can_serve(p) for t in chosen):
            continue
        for kinds, members in groups.items():
            if any(problem.vehicles[vi].can_serve(p) for vi in members) and counts[kinds] < len(members):
                counts[kinds] += 1
                break
    return counts


def _grow(problem: ProblemData, counts: dict[tuple[str, ...], int], sol: Solution) -> dict[tuple[str, ...], int]:
    """More trucks for the groups that could serve the points the last attempt left out."""
    groups = _groups(problem)
    by_id = {p.id: p for p in problem.points}
    dropped = [by_id[i] for i in sol.unassigned if i in by_id]
    out = dict(counts)
    for kinds, members in groups.items():
        trucks = [problem.vehicles[vi] for vi in members]
        theirs = [p for p in dropped if any(t.can_serve(p) for t in trucks)]
        if not theirs or counts[kinds] >= len(members):
            continue
        served = sum(1 for p in problem.points if any(t.can_serve(p) for t in trucks)) - len(theirs)
        share = len(theirs) / max(served, 1)
        out[kinds] = min(len(members), counts[kinds] + max(1, math.ceil(counts[kinds] * share)))
    return out


def _routes_by_id(sol: Solution) -> dict[str, list[str]]:
    """Each used route as point and landfill ids, for a warm start."""
    return {r.vehicle.id: [v.id for v in r.visits[1:-1]] for r in sol.used_routes()}


def _on_fleet(problem: ProblemData, sol: Solution) -> Solution:
    """``sol`` (solved on some of the trucks) as a plan over the whole fleet."""
    mine = {r.vehicle.id: r for r in sol.routes}
    routes = tuple(mine.get(v.id) or empty_route(problem, v) for v in problem.vehicles)
    return dataclasses.replace(sol, problem=problem, routes=routes)


def _left_out(problem: ProblemData, sol: Solution) -> list[str]:
    """Points the search left out (not those set aside before solving)."""
    return [i for i in sol.unassigned if i not in problem.reasons]


def solve_fewest_trucks(problem: ProblemData, params: SolverParams) -> Solution:
    """Serve every point with as few trucks as the search finds, within ``params.time_limit_s``.

    Returns the plan over the whole fleet (unused trucks have empty routes); its ``meta``
    holds ``trucks_lower_bound`` and the fleet sizes tried, ``fleet_attempts``.
    """
    if not problem.points:
        return solve(problem, dataclasses.replace(params, minimise_trucks=False))
    if len(problem.points) > ONE_SEARCH_ABOVE:
        return _one_search(problem, params)
    t0 = time.perf_counter()
    bound = truck_lower_bound(problem)
    counts = _covering(problem, bound)
    groups = _groups(problem)
    full = {kinds: len(members) for kinds, members in groups.items()}
    attempts: list[tuple[int, int]] = []
    best: Solution | None = None
    bounded = bool(params.solution_limit)  # then time_left() is the whole limit: no clock decides
    while True:
        left = time_left(params, t0)
        is_full = counts == full
        budget = left if is_full or bounded else max(left * _ATTEMPT_SHARE, min(left, 1.0))
        chosen = _subset(problem, counts)
        sub = problem.replace(vehicles=tuple(problem.vehicles[vi] for vi in chosen))
        prm = dataclasses.replace(params, minimise_trucks=False, time_limit_s=max(budget, 0.5))
        sol = solve(sub, prm)
        dropped = _left_out(problem, sol)
        attempts.append((len(chosen), len(dropped)))
        log.info("fewest trucks: %d trucks (%s) leave %d points out after %.0f s", len(chosen),
                 ", ".join(f"{n} {'/'.join(k)}" for k, n in counts.items()), len(dropped), budget)
        best = sol
        if not dropped:
            warm = _routes_by_id(sol)
            left = time_left(params, t0)
            if left >= 1.0:  # improve the plan with these trucks for the rest of the budget
                prm = dataclasses.replace(prm, time_limit_s=left)
                better = solve(sub, prm, initial_routes=[warm.get(sub.vehicles[i].id, []) for i in range(len(chosen))])
                if not _left_out(problem, better) and better.objective <= sol.objective:
                    best = better
            break
        if is_full or time_left(params, t0) < 1.0:
            break
        grown = _grow(problem, counts, sol)
        left = time_left(params, t0)
        counts = grown if grown != counts and left >= 2.0 else full
    out = _on_fleet(problem, best)
    return dataclasses.replace(
        out, solve_s=time.perf_counter() - t0,
        status=f"{out.status}; fewest trucks: {len(out.used_routes())} used (lower bound {sum(bound.values())})",
        meta={**out.meta, "trucks_lower_bound": sum(bound.values()), "fleet_attempts": attempts},
    )


def truck_cost(problem: ProblemData, params: SolverParams) -> int:
    """A cost per truck used that outweighs any one route's travel cost: 1000 × the dearest
    arc, but a tenth of the cost of leaving a point out at most (serving stays first)."""
    dearest = params.time_weight * float(problem.time_s.max()) + params.distance_weight * float(problem.dist_m.max())
    return int(max(1, min(1000 * dearest, params.drop_penalty // 10)))


def _one_search(problem: ProblemData, params: SolverParams) -> Solution:
    """Large days: the whole fleet in one search, each truck used costing ``truck_cost``; by area
    (each area's trucks with that cost) on a day above ``BY_AREA_ABOVE`` and ``decompose_above`` points."""
    fixed = max(params.vehicle_fixed_cost, truck_cost(problem, params))
    bound = sum(truck_lower_bound(problem).values())
    prm = dataclasses.replace(params, minimise_trucks=False, vehicle_fixed_cost=fixed)
    by_area = params.decompose_above is not None and len(problem.points) > max(params.decompose_above, BY_AREA_ABOVE)
    log.info("fewest trucks: %d points, %s with a cost of %d per truck (lower bound %d trucks)",
             len(problem.points), "by area" if by_area else "one search", fixed, bound)
    if by_area:
        sol = solve_by_area(problem, dataclasses.replace(prm, decompose_above=None), max_points=params.area_max_points)
    else:
        sol = solve(problem, prm)
    how = "by area" if by_area else "one search"
    return dataclasses.replace(
        sol, status=f"{sol.status}; fewest trucks: {len(sol.used_routes())} used (lower bound {bound}, {how})",
        meta={**sol.meta, "trucks_lower_bound": bound, "fleet_attempts": [], "truck_cost": fixed},
    )
