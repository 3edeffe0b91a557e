"""Decomposition by area for large days: split, solve each area, merge, polish.

OR-Tools' routing search slows down sharply with the number of nodes: at 800-2100 points a
60 s budget leaves hundreds of points unassigned. :func:`solve_by_area` instead

1. splits the trucks into groups that share no work (trucks whose kinds never overlap, e.g.
   dump trucks for bak/roadside and arm-roll trucks for containers, are independent problems);
2. splits each group's points into compact areas using the travel-time matrix only
   (symmetrised time; farthest-first seeds, then a k-medoids loop whose assignment step is
   balanced on each point's share of a truck-day: service + estimated travel + landfill runs,
   load against capacity x trips / day limit, stops against ``max_stops``);
3. gives each area its trucks (each truck in one area, every point of an area servable by one
   of its trucks, the rest in proportion to the areas' estimated truck-days);
4. solves each area with the day's engine (:func:`wasteroute.hybrid.solve_with_engine`) on a sub-problem (matrices sliced over
   depot, landfills and the area's points), sharing out the time budget by area size and
   keeping a part back;
5. merges the area plans into one :class:`~wasteroute.solution.Solution` over the whole day,
   then, with the time kept back, searches the whole problem from the merged plan (warm start)
   and keeps the better of the two plans (fewer unassigned points, then lower objective); a day
   with more than ``WHOLE_DAY_MAX_BREAK_TRUCKS`` trucks with a break (or more than
   ``WHOLE_DAY_MAX_BREAK_POINTS`` points and breaks) is too slow to read back whole, so pairs of
   neighbouring areas are searched instead, the points the areas left out re-inserted first
   (:func:`polish_by_neighbours`), and so are they when the whole-day search gives nothing better.

Trucks go to areas by the estimated work and then by every hard limit (:func:`area_shortfall`:
daily load, containers per trip x trips, stops per day): an area short on one gets a truck from
an area that can spare it. When trucks cost (``vehicle_fixed_cost``: the fewest trucks are sought)
the areas get only the trucks planned for their work; the spare trucks, in no area, and any truck
an area left unused take what is still left out at the end (:func:`by_idle_trucks`).

Coordinates are never used: benchmark days have none and on real days the matrix is the truth.

With a solution limit no share of the budget is measured on the clock: each area and the
polish are searches bounded by their solutions, each capped by the whole time limit, and the
polish always runs (same seed and limits, same plan on a busy machine). A Ctrl-C in any
area's search stops the whole decomposition (KeyboardInterrupt from ``solve``).
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .config import SolverParams
from .errors import InfeasibleError, InputError
from .hybrid import solve_with_engine as solve
from .matrix import LocationMatrix
from .problem import ProblemData, VehicleData
from .solution import Route, Solution, build_visits, empty_route
from .solver import improve

log = logging.getLogger("wasteroute")

#: Share of ``time_limit_s`` kept back for the whole-problem search from the merged plan.
POLISH_SHARE = 0.25
#: Areas may carry this much more than their share of the work (balance slack).
BALANCE_SLACK = 0.10
#: Trucks planned per estimated truck-day of work (margin over the estimate).
VEHICLE_MARGIN = 1.15
#: Shortest search an area gets (s), whatever its share.
MIN_AREA_S = 1.0
#: Shortest whole-day step (s) worth starting; below it the merged plan stands.
MIN_POLISH_S = 0.5
#: Most trucks with a break whose whole-day plan is read back in one go (:func:`whole_day_readable`).
WHOLE_DAY_MAX_BREAK_TRUCKS = 60
#: Share of the whole-day step's time kept for trucks in no area to take what is still left out.
RESERVE_SHARE = 0.3
#: Most points of a day with breaks whose whole-day plan is read back in one go.
WHOLE_DAY_MAX_BREAK_POINTS = 1500
_KMEDOIDS_ROUNDS = 12


@dataclass(frozen=True)
class Area:
    """A part of the day: point indices into ``problem.points`` and vehicle indices into
    ``problem.vehicles``; ``need`` is the estimated number of truck-days of its work."""

    points: tuple[int, ...]
    vehicles: tuple[int, ...]
    need: float = 0.0


# ----------------------------------------------------------------------------- public API
def solve_by_area(problem: ProblemData, params: SolverParams, *, max_points: int = 250) -> Solution:
    """Solve a large day area by area, then polish the merged plan on the whole day.

    Parameters
    ----------
    problem
        The day's problem.
    params
        Search settings; ``time_limit_s`` is the budget for everything (areas + polish).
    max_points
        Largest area, in points; a day with at most this many points is solved directly
        with the day's engine (:func:`wasteroute.hybrid.solve_with_engine`).

    Returns
    -------
    Solution
        Over the whole ``problem``: every point in exactly one route or in ``unassigned``
        with its reason.

    Raises
    ------
    InputError
        If ``max_points`` is not a positive integer or ``params`` is not a ``SolverParams``.
    """
    _check_args(params, max_points)
    t0 = time.perf_counter()
    if len(problem.points) <= max_points:
        return solve(problem, params)
    areas = plan_areas(problem, max_points=max_points, spare=params.vehicle_fixed_cost > 0)
    if len(areas) <= 1:
        return solve(problem, params)
    deadline = t0 + params.time_limit_s
    polish_s = params.time_limit_s * POLISH_SHARE
    merged = _solve_areas(problem, params, areas, t0, deadline - polish_s)
    left = params.time_limit_s if params.solution_limit else deadline - time.perf_counter()
    best, how = merged, ""
    # Trucks with nothing to do take what is still left out at the end (:func:`by_idle_trucks`):
    # time is kept for them. The whole-day and pair searches cannot open an empty truck for it
    # (a point and an unload at once; Kim 1051, seed 1: 6 points out beside an unused truck).
    idle = bool(merged.unassigned) and bool(_idle_trucks(problem, merged.routes, range(len(problem.points))))
    reserve = RESERVE_SHARE * left if idle and not params.solution_limit else 0.0
    if left >= MIN_POLISH_S and whole_day_readable(problem):
        whole = _polish(problem, params, merged, left - reserve)
        if whole is not None and _better(whole, merged):
            best, how = whole, " (whole-day search from the merged area plans)"
    # Not readable whole, or the whole-day search gave nothing better and stopped early (Kim 1051
    # stops: no search from the merged plan after 1 s of its 15 s, at times): neighbouring areas
    # with the time that is left.
    rest = params.time_limit_s if params.solution_limit else deadline - reserve - time.perf_counter()
    if best is merged and rest >= MIN_POLISH_S:
        polished = polish_by_neighbours(problem, params, areas, merged, deadline - reserve)
        if _better(polished, merged) or polished.objective != merged.objective:
            best, how = polished, " (neighbouring areas searched together from the merged plans)"
    if idle and best.unassigned:
        filled = by_idle_trucks(problem, params, best, deadline)
        if _better(filled, best):
            best, how = filled, how + " (trucks with nothing to do took what was left out)"
    if left >= MIN_POLISH_S:
        log.info("decomposition: %s plan kept (%d unassigned, objective %d)",
                 "polished" if best is not merged else "merged", len(best.unassigned), best.objective)
    else:
        log.info("decomposition: no time left for a whole-day step (%.1f s); the merged plan stands", left)
    status = f"decomposed into {len(areas)} areas; " + best.status + how
    return dataclasses.replace(best, status=status, solve_s=time.perf_counter() - t0, params=params,
                               meta={**best.meta, "areas": len(areas)})


def plan_areas(problem: ProblemData, *, max_points: int = 250, spare: bool = False) -> list[Area]:
    """Split the day into compact areas, each with its own trucks.

    Every point is in exactly one area and every truck in at most one; each point of an area
    can be served by one of the area's trucks. Trucks whose group (see the module doc) has
    no point today are in no area. ``ceil(points / max_points)`` areas per group of trucks,
    never more than the group's trucks. With ``spare`` (trucks cost: the fewest trucks are
    sought) a group's areas get only the trucks planned for its estimated work (with
    :data:`VEHICLE_MARGIN`, and any a hard limit needs); the rest are in no area and wait for
    the points the areas leave out (:func:`polish_by_neighbours`). Without, every truck goes to
    an area.

    Raises
    ------
    InputError
        If ``max_points`` < 1 or a point can be served by no truck.
    """
    _check_max_points(max_points)
    n = len(problem.points)
    if n == 0:
        return []
    allowed = [[vi for vi, v in enumerate(problem.vehicles) if v.can_serve(p)] for p in problem.points]
    for k, vs in enumerate(allowed):
        if not vs:
            raise InputError(f"point {problem.points[k].id}: no available truck can serve it")
    sym = _symmetric_point_times(problem)
    work = _point_work(problem, sym, allowed)
    areas: list[Area] = []
    for pts, vehs in _groups(problem, allowed):
        areas += _group_areas(problem, sym, work, allowed, pts, vehs, max_points, spare)
    return areas


def sub_problem(problem: ProblemData, points: Sequence[int], vehicles: Sequence[int]) -> ProblemData:
    """The day restricted to some points and trucks (matrices sliced, nothing set aside)."""
    n_lf = len(problem.landfills)
    idx = np.array([0, *range(1, 1 + n_lf), *(problem.point_location(k) for k in points)], dtype=np.int64)
    return problem.replace(
        points=tuple(problem.points[k] for k in points),
        vehicles=tuple(problem.vehicles[v] for v in vehicles),
        time_s=problem.time_s.select(idx),
        dist_m=problem.dist_m.select(idx),
        profile_time_s=tuple(m.select(idx) for m in problem.profile_time_s),
        profile_dist_m=tuple(m.select(idx) for m in problem.profile_dist_m),
        excluded=(), reasons={}, not_due=(),
    )


# ----------------------------------------------------------------------------- arguments
def _check_max_points(max_points: object) -> None:
    if isinstance(max_points, bool) or not isinstance(max_points, (int, np.integer)) or max_points < 1:
        raise InputError(f"max_points {max_points!r} must be a whole number of points, at least 1")


def _check_args(params: object, max_points: object) -> None:
    _check_max_points(max_points)
    if not isinstance(params, SolverParams):
        raise InputError(f"params must be SolverParams, not {type(params).__name__}")


# ----------------------------------------------------------------------------- work estimates
def _symmetric_point_times(problem: ProblemData) -> LocationMatrix:
    """Symmetrised times between the points, kept per distinct road node (never points x points)."""
    locs = [problem.point_location(k) for k in range(len(problem.points))]
    t = problem.time_s.select(locs)
    v = t.values.astype(np.float64)
    return LocationMatrix((v + v.T) / 2, t.loc_node)


def _point_work(problem: ProblemData, sym: LocationMatrix, allowed: list[list[int]]) -> np.ndarray:
    """Each point's share of a truck-day (a fraction of one truck's day).

    Time = service + the mean drive to its two nearest points + its share of landfill runs
    (volume / capacity x (round trip to the nearest landfill + unloading)), against the shift
    minus the break; load against capacity x trips and the daily limit; one of ``max_stops``.
    The largest of the three is the point's work.
    """
    n = len(problem.points)
    if n > 1:
        drive = sym.smallest_to_others(2).mean(axis=1)
    else:
        drive = np.zeros(n)
    n_lf = len(problem.landfills)
    locs = [problem.point_location(k) for k in range(n)]
    lf_cols = list(range(1, 1 + n_lf))
    to_lf = problem.time_s[np.ix_(locs, lf_cols)].astype(np.float64)
    from_lf = problem.time_s[np.ix_(lf_cols, locs)].astype(np.float64).T
    lf_run = (to_lf + from_lf).min(axis=1) + np.mean([lf.unload_s for lf in problem.landfills])
    out = np.zeros(n)
    for k, p in enumerate(problem.points):
        vs = [problem.vehicles[v] for v in allowed[k]]
        day_s = np.mean([_day_s(v) for v in vs])
        cap = np.mean([v.capacity_l for v in vs])
        per_trip = np.mean([v.containers_per_trip or math.inf for v in vs])
        trip_share = max(p.demand_l / cap, 1 / per_trip)
        seconds = p.service_s + drive[k] + trip_share * lf_run[k]
        load = p.demand_l / np.mean([_day_load(v) for v in vs])
        stops = np.mean([1 / v.max_stops if v.max_stops else 0.0 for v in vs])
        trips = trip_share / np.mean([v.max_trips for v in vs])
        out[k] = max(seconds / day_s, load, stops, trips)
    return out


def _day_s(v: VehicleData) -> float:
    return max(1.0, v.shift.end_s - v.shift.start_s - v.shift.break_duration_s)


def _day_load(v: VehicleData) -> float:
    route = v.capacity_l * v.max_trips
    return float(min(route, v.max_daily_load_l) if v.max_daily_load_l is not None else route)


# ----------------------------------------------------------------------------- partition
def _groups(problem: ProblemData, allowed: list[list[int]]) -> list[tuple[list[int], list[int]]]:
    """Points and trucks split into groups that share no truck (connected by can-serve)."""
    parent = list(range(len(problem.vehicles)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for vs in allowed:
        for v in vs[1:]:
            ra, rb = find(vs[0]), find(v)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, tuple[list[int], list[int]]] = {}
    for k, vs in enumerate(allowed):
        groups.setdefault(find(vs[0]), ([], []))[0].append(k)
    for v in range(len(problem.vehicles)):
        if find(v) in groups:
            groups[find(v)][1].append(v)
    return [groups[r] for r in sorted(groups)]


def _group_areas(problem: ProblemData, sym: LocationMatrix, work: np.ndarray, allowed: list[list[int]],
                 pts: list[int], vehs: list[int], max_points: int, spare: bool = False) -> list[Area]:
    need = float(work[pts].sum())
    k = min(math.ceil(len(pts) / max_points), len(vehs))
    if k <= 1:
        return [Area(tuple(pts), tuple(vehs), need)]
    # Planned trucks per area: the estimate with a margin, spread as evenly as whole trucks
    # allow; areas are then balanced on these shares (2, 2, 1 rather than 1.67 each).
    planned = min(len(vehs), max(k, math.ceil(need * VEHICLE_MARGIN)))
    shares = [planned // k + (1 if a < planned % k else 0) for a in range(k)]
    labels = _balanced_kmedoids(sym.select(pts), work[pts], shares, max_points)
    members = [[pts[i] for i in np.flatnonzero(labels == a)] for a in range(k)]
    members = [m for m in members if m]
    return _assign_vehicles(problem, sym, work, allowed, members, vehs, planned if spare else len(vehs))


def _farthest_first(d: LocationMatrix, k: int) -> list[int]:
    """``k`` seeds: the most outlying point, then each time the point farthest from all seeds."""
    seeds = [int(np.argmax(d.mean(axis=1)))]
    gap = d[seeds[0]].copy()
    for _ in range(1, k):
        nxt = int(np.argmax(gap))
        seeds.append(nxt)
        gap = np.minimum(gap, d[nxt])
    return seeds


def _balanced_kmedoids(d: LocationMatrix, w: np.ndarray, shares: list[int],
                       max_points: int) -> np.ndarray:
    """Labels 0..k-1 for the rows of ``d`` (symmetric times among a group's points).

    Areas carry work in proportion to ``shares`` (+ slack) and about ``max_points`` points
    at most (more only when the points do not fit otherwise). (Count caps in proportion to the
    shares too gave a 345-point area on Kim 804_stop that left 16 points out.)
    """
    n, k = len(d), len(shares)
    total = float(w.sum())
    seeds = _farthest_first(d, k)
    # Which seed gets which share: the larger shares go to the seeds with more work nearby.
    nearest = np.argmin(d[:, seeds], axis=1)
    natural = np.array([w[nearest == a].sum() for a in range(k)])
    order = np.argsort(-natural, kind="stable")
    share_of = np.empty(k)
    share_of[order] = sorted(shares, reverse=True)
    cap_w = total * share_of / sum(shares) * (1 + BALANCE_SLACK)
    cap_n = np.full(k, max(max_points, math.ceil(n / k * (1 + BALANCE_SLACK))))
    medoids = list(seeds)
    labels = np.full(n, -1)
    for _ in range(_KMEDOIDS_ROUNDS):
        new = _balanced_assign(d[:, medoids], w, cap_w, cap_n)
        if np.array_equal(new, labels):
            break
        labels = new
        for a in range(k):
            idx = np.flatnonzero(labels == a)
            if len(idx):
                medoids[a] = int(idx[np.argmin(d.select(idx).sum(axis=1))])
    return labels


def _balanced_assign(dm: np.ndarray, w: np.ndarray, cap_w: np.ndarray, cap_n: np.ndarray) -> np.ndarray:
    """Each point to its nearest medoid with room left, the points with most to lose first."""
    n, k = dm.shape
    pref = np.argsort(dm, axis=1, kind="stable")
    rows = np.arange(n)
    regret = dm[rows, pref[:, 1]] - dm[rows, pref[:, 0]] if k > 1 else np.zeros(n)
    used_w, used_n = np.zeros(k), np.zeros(k)
    labels = np.empty(n, dtype=np.int64)
    for i in np.lexsort((rows, -regret)):
        choice = pref[i, 0]
        for a in pref[i]:
            if used_w[a] + w[i] <= cap_w[a] and used_n[a] < cap_n[a]:
                choice = a
                break
        else:  # no room anywhere: the nearest with room for the count, else the nearest
            fits = [a for a in pref[i] if used_n[a] < cap_n[a]]
            choice = fits[0] if fits else pref[i, 0]
        labels[i] = choice
        used_w[choice] += w[i]
        used_n[choice] += 1
    return labels


def _assign_vehicles(problem: ProblemData, sym: LocationMatrix, work: np.ndarray, allowed: list[list[int]],
                     members: list[list[int]], vehs: list[int], planned: int | None = None) -> list[Area]:
    """Trucks to areas: first so every point of an area has a truck for it, then by need, up
    to ``planned`` trucks in all (all of ``vehs`` when None); the rest are in no area, except
    those a hard limit of an area needs (:func:`_cover_limits`).

    A point that no truck of its area can serve (too few trucks of its kind for every area
    to get one) moves to the nearest area that has one.
    """
    k = len(members)
    free = list(vehs)
    fleet: list[list[int]] = [[] for _ in range(k)]
    needs = [float(work[m].sum()) for m in members]
    for a in sorted(range(k), key=lambda a: -needs[a]):
        uncovered = set(members[a])
        while uncovered and free:
            gain = [(sum(1 for p in uncovered if v in allowed[p]), v) for v in free]
            best, v = max(gain, key=lambda g: (g[0], -free.index(g[1])))
            if best == 0:
                break
            fleet[a].append(v)
            free.remove(v)
            uncovered = {p for p in uncovered if v not in allowed[p]}
    for a in range(k):  # at least one truck per area
        if not fleet[a] and free:
            fleet[a].append(free.pop(0))
    planned = len(vehs) if planned is None else planned
    while free and len(vehs) - len(free) < planned:  # the rest where the estimated work per truck is highest
        v = free.pop(0)
        useful = [a for a in range(k) if any(v in allowed[p] for p in members[a])] or list(range(k))
        a = max(useful, key=lambda a: (needs[a] / max(1, len(fleet[a])), -a))
        fleet[a].append(v)
    # Points whose area has no truck for them move to the nearest area that has one.
    medoid = [m[int(np.argmin(sym.select(m).sum(axis=1)))] if m else -1 for m in members]
    moved: list[list[int]] = [list(m) for m in members]
    for a in range(k):
        for p in members[a]:
            if any(v in allowed[p] for v in fleet[a]):
                continue
            options = [b for b in range(k) if any(v in allowed[p] for v in fleet[b])]
            b = min(options, key=lambda b: sym[p, medoid[b]])  # some area holds a truck for p
            moved[a].remove(p)
            moved[b].append(p)
    # An area left without points hands its trucks to the area with most work per truck.
    for a in range(k):
        if fleet[a] and not moved[a]:
            busy = [b for b in range(k) if moved[b]]
            b = max(busy, key=lambda b: (float(work[moved[b]].sum()) / max(1, len(fleet[b])), -b))
            fleet[b] += fleet[a]
            fleet[a] = []
    _cover_limits(problem, allowed, moved, fleet, free)
    return [Area(tuple(sorted(moved[a])), tuple(sorted(fleet[a])), float(work[moved[a]].sum()))
            for a in range(k) if moved[a]]


def area_shortfall(problem: ProblemData, points: Sequence[int], vehicles: Sequence[int]) -> dict[str, float]:
    """What the trucks ``vehicles`` cannot carry of the points ``points`` in one day, by limit.

    Limits: ``"load"`` (litres against each truck's capacity x trips, or its daily load limit),
    ``"items"`` (containers against ``containers_per_trip`` x trips of the trucks that lift them)
    and ``"stops"`` (points against ``max_stops``). Only the limits short are in the result
    (amount over). The time a day takes is estimated by the work measure when areas are
    planned; these are hard caps that no route order can get round.
    """
    vs = [problem.vehicles[v] for v in vehicles]
    pts = [problem.points[k] for k in points]
    out: dict[str, float] = {}
    # Load per set of trucks that can serve a point (Hall's condition over those sets: exact
    # when kinds split the fleet into groups, as dump and arm-roll trucks do).
    serving = [frozenset(i for i, v in enumerate(vs) if v.can_serve(p)) for p in pts]
    over = 0.0
    for group in set(serving):
        load = sum(p.demand_l for p, s in zip(pts, serving) if s <= group)
        over = max(over, load - sum(_day_load(vs[i]) for i in group))
    if over > 0:
        out["load"] = over
    lifters = [v for v in vs if v.containers_per_trip is not None]
    if lifters:
        lifted = sum(1 for p in pts if any(v.can_serve(p) for v in lifters)
                     and not any(v.can_serve(p) for v in vs if v.containers_per_trip is None))
        room = sum(v.containers_per_trip * v.max_trips for v in lifters)  # type: ignore[operator]
        if lifted > room:
            out["items"] = float(lifted - room)
    if vs and all(v.max_stops is not None for v in vs):
        stops = sum(v.max_stops for v in vs)  # type: ignore[misc]
        if len(pts) > stops:
            out["stops"] = float(len(pts) - stops)
    return out


def _cover_limits(problem: ProblemData, allowed: list[list[int]], members: list[list[int]],
                  fleet: list[list[int]], free: list[int] | None = None) -> None:
    """Move trucks (in place) to areas whose fleet falls short on a limit (:func:`area_shortfall`)
    from ``free`` (trucks in no area) first, else from areas that can spare one: the donor keeps
    a truck for each of its points and no shortfall of its own. Without a donor the area stays
    short (the whole-day step then re-inserts what it leaves out)."""
    k = len(members)
    for _ in range(len(problem.vehicles)):
        short = [a for a in range(k) if members[a] and area_shortfall(problem, members[a], fleet[a])]
        if not short:
            return
        a = max(short, key=lambda a: (sum(area_shortfall(problem, members[a], fleet[a]).values()), -a))
        idle = [v for v in free or [] if any(v in allowed[p] for p in members[a])]
        if idle:
            fleet[a].append(idle[0])
            free.remove(idle[0])  # type: ignore[union-attr]
            continue
        best: tuple[float, int, int] | None = None
        for b in range(k):
            if b == a or len(fleet[b]) < 2:
                continue
            for v in fleet[b]:
                if not any(v in allowed[p] for p in members[a]):
                    continue
                rest = [u for u in fleet[b] if u != v]
                if any(not any(u in allowed[p] for u in rest) for p in members[b]):
                    continue
                if area_shortfall(problem, members[b], rest):
                    continue
                spare = _day_load_sum(problem, rest) - sum(problem.points[p].demand_l for p in members[b])
                if best is None or (spare, -b, -v) > (best[0], -best[1], -best[2]):
                    best = (spare, b, v)
        if best is None:
            log.warning("areas: an area of %d points is short of %s with its %d trucks and no other "
                        "area can spare one", len(members[a]), ", ".join(area_shortfall(problem, members[a], fleet[a])),
                        len(fleet[a]))
            return
        _, b, v = best
        fleet[b].remove(v)
        fleet[a].append(v)


def _day_load_sum(problem: ProblemData, vehicles: Sequence[int]) -> float:
    return sum(_day_load(problem.vehicles[v]) for v in vehicles)


# ----------------------------------------------------------------------------- solving
def _solve_areas(problem: ProblemData, params: SolverParams, areas: list[Area], t0: float,
                 areas_deadline: float) -> Solution:
    routes: dict[int, Route] = {}
    unassigned = dict(problem.reasons)
    objective = 0
    statuses: list[str] = []
    left_points = sum(len(a.points) for a in areas)
    for i, area in enumerate(sorted(areas, key=lambda a: -len(a.points))):
        if params.solution_limit:  # bounded by solutions: the whole limit caps each area
            budget = params.time_limit_s
        else:
            budget = max(MIN_AREA_S, (areas_deadline - time.perf_counter()) * len(area.points) / max(1, left_points))
        left_points -= len(area.points)
        sub = sub_problem(problem, area.points, area.vehicles)
        prm = dataclasses.replace(params, time_limit_s=budget)
        try:
            sol = solve(sub, prm) if area.points else None
        except InfeasibleError as exc:
            log.warning("area %d/%d: no plan (%s); its points are left for the whole-day search", i + 1,
                        len(areas), exc)
            sol = None
        if sol is None:
            for k in area.points:
                unassigned[problem.points[k].id] = (
                    f"fleet exhausted: no plan found for its area ({len(area.vehicles)} trucks) in "
                    f"{budget:.0f} s; solve the day whole or with a longer time limit")
            statuses.append("no plan")
            continue
        for j, r in enumerate(sol.routes):
            vi = area.vehicles[j]
            routes[vi] = _lift_route(problem, area, r, problem.vehicles[vi])
        for pid, why in sol.unassigned.items():
            unassigned[pid] = why
        objective += sol.objective
        statuses.append(sol.status)
        log.info("area %d/%d: %d points, %d trucks, %.1f s budget -> %d served, %d unassigned, "
                 "%d trucks used, objective %d, in %.1f s (%s)", i + 1, len(areas), len(area.points),
                 len(area.vehicles), budget, len(area.points) - len(sol.unassigned), len(sol.unassigned),
                 len(sol.used_routes()), sol.objective, sol.solve_s, sol.status)
    out = []
    for vi, v in enumerate(problem.vehicles):
        out.append(routes[vi] if vi in routes else empty_route(problem, v))
    status = ", ".join(sorted(set(statuses))) or "no area solved"
    return Solution(problem=problem, routes=tuple(out), unassigned=unassigned, objective=objective,
                    status=status, solve_s=time.perf_counter() - t0, params=params)


def _lift_route(problem: ProblemData, area: Area, route: Route, vehicle: VehicleData) -> Route:
    """A sub-problem route in the whole problem's matrix locations (times are unchanged)."""
    n_lf = len(problem.landfills)
    seq = []
    for v in route.visits:
        loc = v.location
        if loc > n_lf:
            loc = problem.point_location(area.points[loc - 1 - n_lf])
        seq.append((loc, v.start_s))
    return Route(vehicle, build_visits(problem, vehicle, seq, break_=route.break_), route.break_)


def _polish(problem: ProblemData, params: SolverParams, merged: Solution, seconds: float) -> Solution | None:
    """The whole day searched from the merged plan for ``seconds``; None if that fails.

    (``solver.improve`` reads the merged routes in one go when they are feasible as they
    stand, which they usually are; cutting every route back first took 21 s of a 15 s
    budget for 18 trucks on 1048 points.)
    """

    initial = [[v.id for v in r.visits[1:-1]] for r in merged.routes]
    prm = dataclasses.replace(params, time_limit_s=seconds)
    log.info("decomposition: whole-day search from the merged plan for %.1f s (%d unassigned)", seconds,
             len(merged.unassigned))
    try:
        out = improve(problem, prm, initial)
    except (InfeasibleError, InputError) as exc:
        log.warning("decomposition: whole-day search failed (%s); keeping the merged plan", exc)
        return None
    if out is None:
        log.info("decomposition: the whole-day search could not start from the merged plan")
    return out


def whole_day_readable(problem: ProblemData) -> bool:
    """Whether OR-Tools can read a whole-day plan of ``problem`` as a warm start in good time.

    Reading routes (``ReadAssignmentFromRoutes``) is fast without breaks, but with a break per
    truck OR-Tools' check of the routes backtracks over the break placements: 174 trucks with
    breaks on a generated 2,400-point Kupang-like day took 78 s to read (1.9 s without the
    breaks), and a time limit or ``CancelSearch`` stopped it only after 30-45 s. Up to
    :data:`WHOLE_DAY_MAX_BREAK_TRUCKS` trucks with a break (Kupang's day: 34) it reads in about
    a second; above, the whole-day step works on neighbouring areas (:func:`polish_by_neighbours`).
    The same above :data:`WHOLE_DAY_MAX_BREAK_POINTS` points on a day with breaks: Kim et al.'s
    1,927 stops with 15-18 trucks took 2-9 s to read and then gave no search at all (the merged
    plan stood with its points left out); 1,048 stops with 18 trucks read and improved.
    """
    breaks = sum(1 for v in problem.vehicles if v.shift.break_duration_s)
    if breaks and len(problem.points) > WHOLE_DAY_MAX_BREAK_POINTS:
        return False
    return breaks <= WHOLE_DAY_MAX_BREAK_TRUCKS


def polish_by_neighbours(problem: ProblemData, params: SolverParams, areas: Sequence[Area], merged: Solution,
                         deadline: float) -> Solution:
    """The whole-day step for a day too large to read whole: neighbouring areas searched together.

    Each area is paired with its nearest other area (medoid to medoid, symmetrised time) among
    those that share a kind of truck. A point the areas left out is offered to every pair with
    one of the :data:`NEAR_AREAS` areas nearest to it whose trucks can serve it, until one fits it
    in, together with a truck that has nothing to do (if one is left); the pairs with such points
    come first, with twice the time of the others (so they are re-inserted with the time that
    is left), then the pairs with the most points. Each pair (the
    points on its trucks' routes now, which an earlier pair may have changed, and the points still
    left out near it) is searched from its current routes (:func:`wasteroute.solver.improve`) with an equal share of
    the time left (with a solution limit: the whole time limit caps each, no clock decides), and
    its routes replace the old ones when they leave no more points out. Returns the plan with
    every improvement applied (``merged`` itself when nothing changed).
    """
    n_pts = len(problem.points)
    if not areas or n_pts == 0:
        return merged
    sym = _symmetric_point_times(problem)
    medoid = [a.points[int(np.argmin(sym.select(list(a.points)).sum(axis=1)))] for a in areas]
    index = {p.id: k for k, p in enumerate(problem.points)}
    routes = list(merged.routes)
    unassigned = dict(merged.unassigned)
    objective = merged.objective
    near = _nearest_areas(problem, areas, sym, medoid, [index[pid] for pid in merged.unassigned if pid in index])

    def waiting_for(a: int, b: int) -> list[int]:
        return [k for k, options in near.items()
                if problem.points[k].id in unassigned and (a in options or b in options)]

    pairs = _neighbour_pairs(problem, areas, sym, medoid)
    first = {ab: len(waiting_for(*ab)) for ab in pairs}
    pairs.sort(key=lambda ab: (-first[ab], -(len(areas[ab[0]].points) + len(areas[ab[1]].points)), ab))
    # Pairs with points to re-insert get twice the time of a pair that only polishes.
    weight = [2.0 if first[ab] else 1.0 for ab in pairs]
    bounded = params.solution_limit is not None
    done = 0
    for i, (a, b) in enumerate(pairs):
        share = weight[i] / sum(weight[i:])
        budget = params.time_limit_s if bounded else (deadline - time.perf_counter()) * share
        if not bounded and budget < MIN_POLISH_S:
            break
        waiting = waiting_for(a, b)
        vehs = sorted({*areas[a].vehicles, *areas[b].vehicles, *_idle_trucks(problem, routes, waiting)})
        # The points on these trucks' routes now (an earlier pair may have moved points between
        # areas) and those still left out near them.
        on_routes = [index[v.id] for vi in vehs for v in routes[vi].visits if v.kind == "point"]
        pts = sorted({*on_routes, *waiting})
        if not pts:
            continue
        sub = sub_problem(problem, pts, vehs)
        before = sum(1 for k in pts if problem.points[k].id in unassigned)
        initial = [[v.id for v in routes[vi].visits[1:-1]] for vi in vehs]
        try:
            sol = improve(sub, dataclasses.replace(params, time_limit_s=budget), initial)
        except (InfeasibleError, InputError) as exc:
            log.warning("whole-day step: areas %d+%d: search failed (%s)", a + 1, b + 1, exc)
            sol = None
        done += 1
        start = None if sol is None else sol.meta.get("start_objective")
        if sol is None or start is None or len(sol.unassigned) > before:
            continue
        pair = Area(tuple(pts), tuple(vehs))
        for j, r in enumerate(sol.routes):
            routes[vehs[j]] = _lift_route(problem, pair, r, problem.vehicles[vehs[j]])
        for k in pts:
            unassigned.pop(problem.points[k].id, None)
        unassigned.update(sol.unassigned)
        objective += sol.objective - int(start)
        log.info("whole-day step: areas %d+%d (%d points, %d trucks, %.1f s): %d -> %d left out, "
                 "objective %+d", a + 1, b + 1, len(pts), len(vehs), budget, before, len(sol.unassigned),
                 sol.objective - int(start))
    if done < len(pairs):
        log.info("whole-day step: time for %d of %d pairs of neighbouring areas", done, len(pairs))
    return dataclasses.replace(merged, routes=tuple(routes), unassigned=unassigned, objective=objective)


#: Areas (the nearest by medoid) whose pairs may take a point the areas left out.
NEAR_AREAS = 3


def _nearest_areas(problem: ProblemData, areas: Sequence[Area], sym: LocationMatrix, medoid: list[int],
                   points: list[int]) -> dict[int, set[int]]:
    """For each of ``points``: the :data:`NEAR_AREAS` areas nearest to it (medoid) with a truck for it.
    (Only the nearest one: points that its pairs could not fit stayed out, Kim 2100 stops: 19 of 20.)"""
    out = {}
    for k in points:
        options = [a for a, ar in enumerate(areas)
                   if any(problem.vehicles[v].can_serve(problem.points[k]) for v in ar.vehicles)]
        options.sort(key=lambda a: (sym[k, medoid[a]], a))
        if options:
            out[k] = set(options[:NEAR_AREAS])
    return out


def _idle_trucks(problem: ProblemData, routes: Sequence[Route], waiting: Sequence[int], *,
                 every: bool = False) -> list[int]:
    """One truck with nothing to do (no point on its route) for each kind of the ``waiting``
    points; ``every``: all such trucks that can serve one of them."""
    out: list[int] = []
    for kind in sorted({problem.points[k].kind for k in waiting}):
        for vi, r in enumerate(routes):
            if kind in problem.vehicles[vi].serves and not any(v.kind == "point" for v in r.visits):
                if vi not in out:
                    out.append(vi)
                if not every:
                    break
    return out


def by_idle_trucks(problem: ProblemData, params: SolverParams, plan: Solution, deadline: float) -> Solution:
    """The points ``plan`` leaves out, planned on the trucks it leaves at the depot (a search of
    those points and trucks alone, until ``deadline``; with a solution limit, capped by the whole
    time limit). Returns ``plan`` with the new routes, or ``plan`` itself when nothing fits."""
    index = {p.id: k for k, p in enumerate(problem.points)}
    waiting = sorted(index[pid] for pid in plan.unassigned if pid in index)
    idle = _idle_trucks(problem, plan.routes, waiting, every=True)
    waiting = [k for k in waiting if any(problem.vehicles[v].can_serve(problem.points[k]) for v in idle)]
    seconds = params.time_limit_s if params.solution_limit else deadline - time.perf_counter()
    if not waiting or not idle or seconds < MIN_POLISH_S:
        return plan
    try:
        sol = solve(sub_problem(problem, waiting, idle), dataclasses.replace(params, time_limit_s=seconds))
    except InfeasibleError as exc:
        log.warning("trucks in no area: no plan for the %d points left out (%s)", len(waiting), exc)
        return plan
    part = Area(tuple(waiting), tuple(idle))
    routes = list(plan.routes)
    for j, r in enumerate(sol.routes):
        routes[idle[j]] = _lift_route(problem, part, r, problem.vehicles[idle[j]])
    offered = {problem.points[k].id for k in waiting}
    unassigned = {pid: why for pid, why in plan.unassigned.items() if pid not in offered}
    unassigned.update(sol.unassigned)
    log.info("trucks in no area: %d points left out, %d idle trucks, %.1f s -> %d served on %d trucks",
             len(waiting), len(idle), seconds, len(waiting) - len(sol.unassigned), len(sol.used_routes()))
    objective = plan.objective - params.drop_penalty * len(waiting) + sol.objective
    return dataclasses.replace(plan, routes=tuple(routes), unassigned=unassigned, objective=objective)


def _neighbour_pairs(problem: ProblemData, areas: Sequence[Area], sym: LocationMatrix,
                     medoid: list[int]) -> list[tuple[int, int]]:
    """Each area with its nearest other area that shares a kind of truck; unique pairs."""
    kinds = [{p.kind for p in (problem.points[k] for k in ar.points)} for ar in areas]
    serves = [{kd for v in ar.vehicles for kd in kinds[a] if kd in problem.vehicles[v].serves}
              for a, ar in enumerate(areas)]
    pairs: set[tuple[int, int]] = set()
    for a in range(len(areas)):
        others = [b for b in range(len(areas)) if b != a and serves[a] & kinds[b]]
        if others:
            b = min(others, key=lambda b: (sym[medoid[a], medoid[b]], b))
            pairs.add((min(a, b), max(a, b)))
    return sorted(pairs)


def _better(a: Solution, b: Solution) -> bool:
    """Whether plan ``a`` beats ``b``: fewer unassigned points, then a lower objective."""
    return (len(a.unassigned), a.objective) < (len(b.unassigned), b.objective)
