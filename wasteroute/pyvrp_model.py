"""The PyVRP model of a day: the only module that imports ``pyvrp``.

PyVRP (a hybrid genetic search) finds good routes fast, but it cannot hold every rule of the
day. This module turns a :class:`~wasteroute.problem.ProblemData` into a PyVRP model that is
as close as PyVRP can express, relaxed or tightened where it cannot, runs its search and
returns the routes as lists of point and landfill ids, the form that
:func:`wasteroute.solver.solve` takes as ``initial_routes``. OR-Tools (the model of record)
then repairs, places breaks and polishes; this module never builds a :class:`Solution`.

The model:

* locations are the problem's ``[depot, *landfills, *points]``; the depot is PyVRP depot 0,
  each landfill a depot too, and every truck may *reload* (unload) at the landfills up to
  ``max_trips - 1`` times;
* with one landfill every route ends at that landfill (the final unload); the drive back to
  the depot, the last unloading and their cost are taken off the shift and charged as a fixed
  cost, so they are the same for every used truck. With several landfills routes end at the
  depot, which lets the last trip come back loaded: OR-Tools adds the unload when it repairs;
* waste is a *pickup*; load dimensions are ``[litres, one per group of kinds, containers]``:
  the first is the truck's body, one dimension per group of points that the same vehicle
  types may serve (kind, and the roads to the point open to the type) gives compatibility (a
  truck that may serve none of a group has capacity 0 there),
  and the last counts items for trucks with ``containers_per_trip``;
* the arc cost is the OR-Tools objective's: ``time_weight * travel s + distance_weight * m``,
  with the unloading time charged on the arcs out of a landfill, on one PyVRP routing profile
  per road profile (the roads a truck type may use, ``road_profiles``) and speed factor;
* the shift is shortened by its break (PyVRP has no breaks), so every route leaves room for it;
* not expressed (OR-Tools enforces them when it repairs): stops per day, the daily load limit,
  and the break's window itself. A point PyVRP cannot serve is optional with the drop penalty
  as its prize, so an over-full day still gives a plan.

Search is seeded (``SolverParams.seed``); a run bounded by iterations is reproducible.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyvrp
from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria

from .config import SolverParams
from .problem import ProblemData, VehicleData

log = logging.getLogger("wasteroute")

#: Items capacity used for trucks without a containers-per-trip limit.
_NO_LIMIT = 1_000_000
#: Loads go to PyVRP in units of up to this many litres (demands rounded up, capacities down, so
#: a plan PyVRP calls feasible fits the trucks): litres next to seconds are a scaling gap that
#: drove PyVRP's load penalty to its bound (PenaltyBoundWarning) on Kupang's day.
_LOAD_UNIT_L = 10
#: ... but only a unit that loses at most this share of the day's load or of a truck's capacity
#: to rounding (:func:`_load_unit`): small loads in units of 10 made tight days infeasible.
_LOAD_ROUNDING_LOSS = 0.005


@dataclass(frozen=True)
class PyvrpRoutes:
    """What PyVRP found: one route per vehicle (``problem.vehicles`` order) of point and
    landfill ids, the points it left out, its own cost and whether it calls its plan feasible."""

    routes: tuple[tuple[str, ...], ...]
    unassigned: tuple[str, ...]
    cost: int
    feasible: bool
    iterations: int
    runtime_s: float

    def as_initial_routes(self) -> list[list[str]]:
        """The routes in the form ``solver.solve(..., initial_routes=...)`` takes."""
        return [list(r) for r in self.routes]


def solve_pyvrp(
    problem: ProblemData,
    params: SolverParams | None = None,
    *,
    time_limit_s: float | None = None,
    max_iterations: int | None = None,
) -> PyvrpRoutes:
    """Run PyVRP's search on ``problem`` and return its routes.

    Parameters
    ----------
    problem
        The day's problem.
    params
        Objective weights, drop penalty and seed; the defaults when left out.
    time_limit_s
        Wall-time budget; ``params.time_limit_s`` when neither limit is given.
    max_iterations
        Stop after this many iterations. Given alone, the run is reproducible whatever the
        machine's load (no wall-clock decision).
    """
    params = params or SolverParams()
    model = _Model.build(problem, params)
    stop = _stop(params, time_limit_s, max_iterations)
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = pyvrp.solve(model.data, stop=stop, seed=int(params.seed), display=False, collect_stats=False)
    runtime = time.perf_counter() - t0
    for w in {str(w.message).split(".")[0].strip() for w in caught}:
        log.debug("PyVRP: %s", w)  # e.g. its penalty bound on an over-full day: the hybrid handles that
    routes, unassigned = model.read(res.best)
    log.info(
        "PyVRP: cost %d, %d unassigned, %s, %d iterations in %.1f s",
        res.cost() if res.is_feasible() else -1, len(unassigned),
        "feasible" if res.is_feasible() else "infeasible (OR-Tools repairs it)", res.num_iterations, runtime,
    )
    cost = int(res.cost()) if res.is_feasible() else -1
    return PyvrpRoutes(routes, unassigned, cost, bool(res.is_feasible()), int(res.num_iterations), runtime)


def _stop(params: SolverParams, time_limit_s: float | None, max_iterations: int | None) -> object:
    if max_iterations is not None and time_limit_s is None:
        return MaxIterations(int(max_iterations))
    seconds = float(time_limit_s if time_limit_s is not None else params.time_limit_s)
    criteria = [MaxRuntime(seconds), NoFeasibleBy(GIVE_UP_SHARE * seconds)]
    if max_iterations is not None:
        criteria.append(MaxIterations(int(max_iterations)))
    return MultipleCriteria(criteria)


#: Share of its time after which a PyVRP search that has found no feasible plan stops, so that
#: OR-Tools (which drops points rather than fail) gets the rest. On a normal day PyVRP's first
#: feasible plan comes within the first iterations; on a crowded machine at 5-10 s it sometimes
#: found none and left OR-Tools 1 s (no plan for 13-16 of 24 Kupang jobs in the batch benchmark).
GIVE_UP_SHARE = 0.4
#: PyVRP's cost of an infeasible solution is the largest cost it has; anything this big is one.
_INFEASIBLE_COST = 1 << 62


class NoFeasibleBy:
    """PyVRP stopping criterion: stop once ``seconds`` have passed with no feasible plan yet.

    Only used with a time limit (a run bounded by iterations alone makes no wall-clock decision).
    """

    def __init__(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError(f"seconds must be >= 0, not {seconds}")
        self.seconds = seconds
        self._start: float | None = None

    def __call__(self, best_cost: float) -> bool:
        now = time.perf_counter()
        if self._start is None:
            self._start = now
        return best_cost >= _INFEASIBLE_COST and now - self._start > self.seconds


@dataclass
class _Model:
    """The PyVRP data of one problem and the bookkeeping to read its routes back."""

    problem: ProblemData
    data: pyvrp.ProblemData
    type_vehicles: list[list[int]]  # PyVRP vehicle type -> problem vehicle indices

    @classmethod
    def build(cls, problem: ProblemData, params: SolverParams) -> _Model:
        groups = _vehicle_groups(problem.vehicles)
        keys = sorted({(problem.vehicles[g[0]].profile, problem.vehicles[g[0]].speed_factor) for g in groups})
        every = np.ix_(_all(problem), _all(problem))
        durations, costs = [], []
        for road, factor in keys:
            dist_m = np.asarray(problem.profile_dist(road)[every], dtype=np.int64)
            durations.append(_travel(np.asarray(problem.profile_time(road)[every], dtype=np.int64), factor))
            costs.append(_arc_cost(problem, params, durations[-1], dist_m))
        kinds = _serve_groups(problem)
        itemised = any(v.containers_per_trip for v in problem.vehicles)
        unit = _load_unit(problem)
        clients = [_client(problem, params, k, kinds, itemised, unit) for k in range(len(problem.points))]
        depots = [pyvrp.Depot(0, name=problem.depot.id)] + [
            pyvrp.Depot(1 + j, tw_early=lf.opens_s, tw_late=max(lf.opens_s, lf.closes_s - lf.unload_s),
                        service_duration=lf.unload_s, name=lf.id)
            for j, lf in enumerate(problem.landfills)
        ]
        types = [
            _vehicle_type(problem, params, g, kinds, itemised,
                          keys.index((problem.vehicles[g[0]].profile, problem.vehicles[g[0]].speed_factor)),
                          durations, costs, unit)
            for g in groups
        ]
        locations = [pyvrp.Location(_xy(problem.depot.lon), _xy(problem.depot.lat))]
        locations += [pyvrp.Location(_xy(lf.lon), _xy(lf.lat)) for lf in problem.landfills]
        locations += [pyvrp.Location(_xy(p.lon), _xy(p.lat)) for p in problem.points]
        data = pyvrp.ProblemData(locations, clients, depots, types, costs, durations)
        return cls(problem, data, groups)

    def read(self, sol: pyvrp.Solution) -> tuple[tuple[tuple[str, ...], ...], tuple[str, ...]]:
        """PyVRP's routes as id lists per problem vehicle, and the point ids it left out."""
        p = self.problem
        out: list[tuple[str, ...]] = [() for _ in p.vehicles]
        next_of_type = [0] * len(self.type_vehicles)
        served: set[int] = set()
        for route in sol.routes():
            t = route.vehicle_type()
            vi = self.type_vehicles[t][next_of_type[t]]
            next_of_type[t] += 1
            ids: list[str] = []
            for act in list(route)[1:]:
                if act.is_client():
                    ids.append(p.points[act.idx].id)
                    served.add(act.idx)
                elif act.idx >= 1:  # a landfill: one unload
                    ids.append(p.landfills[act.idx - 1].id)
            out[vi] = tuple(ids)
        left = tuple(pt.id for k, pt in enumerate(p.points) if k not in served)
        return tuple(out), left


def _all(problem: ProblemData) -> np.ndarray:
    return np.arange(problem.num_locations)


def _xy(deg: float) -> int:
    return int(round(deg * 1e6))


def _travel(time_s: np.ndarray, factor: float) -> np.ndarray:
    out = time_s if factor == 1.0 else np.ceil(time_s / factor).astype(np.int64)
    out = out.copy()
    np.fill_diagonal(out, 0)
    return out


def _arc_cost(problem: ProblemData, params: SolverParams, travel: np.ndarray, dist: np.ndarray) -> np.ndarray:
    cost = params.time_weight * travel + params.distance_weight * dist
    unload = np.array([lf.unload_s for lf in problem.landfills], dtype=np.int64)
    cost[1 : 1 + len(problem.landfills), :] += params.time_weight * unload[:, None]
    np.fill_diagonal(cost, 0)
    return cost.astype(np.int64)


def _vehicle_groups(vehicles: Sequence[VehicleData]) -> list[list[int]]:
    """Vehicles that PyVRP cannot tell apart share one vehicle type (in fleet order)."""
    groups: dict[tuple[object, ...], list[int]] = {}
    for vi, v in enumerate(vehicles):
        key = (v.type_name, v.serves, v.capacity_l, v.containers_per_trip, v.max_trips, v.shift,
               v.fixed_cost, v.speed_factor, v.profile)
        groups.setdefault(key, []).append(vi)
    return list(groups.values())


def _servers(problem: ProblemData, pt: object) -> frozenset[str]:
    """The vehicle types that may serve ``pt``: its kind, on roads open to them (not its size)."""
    return frozenset(v.type_name for v in problem.vehicles
                     if pt.kind in v.serves and v.profile not in pt.blocked_profiles)  # type: ignore[attr-defined]


def _serve_groups(problem: ProblemData) -> list[frozenset[str]]:
    """The sets of vehicle types that may serve a point, one load dimension each (sorted)."""
    return sorted({_servers(problem, pt) for pt in problem.points}, key=sorted)


def relaxed_rules(problem: ProblemData, params: SolverParams) -> list[str]:
    """The day's rules this model does not hold exactly (empty: PyVRP's plan is OR-Tools' too,
    up to the order OR-Tools' search may still improve). The hybrid gives PyVRP nearly all of
    the budget on such days: OR-Tools then only reads its routes back and checks them."""
    out = []
    if any(v.shift.break_duration_s for v in problem.vehicles):
        out.append("breaks")
    if any(v.max_stops is not None for v in problem.vehicles):
        out.append("stops per day")
    if any(v.max_daily_load_l is not None for v in problem.vehicles):
        out.append("daily load")
    if len(problem.landfills) != 1:
        out.append("the last unload with several landfills")
    if params.span_cost_coefficient or params.soft_max_duration_s is not None:
        out.append("workload balance terms")
    unit = _load_unit(problem)
    if any(pt.demand_l % unit for pt in problem.points) or \
            any(v.capacity_l % unit for v in problem.vehicles):
        out.append(f"loads rounded to {unit} L")
    return out


def _load_unit(problem: ProblemData) -> int:
    """The largest load unit of 10, 5, 2 or 1 litres (at most ``_LOAD_UNIT_L``) that rounding
    costs at most ``_LOAD_ROUNDING_LOSS`` of the day's load (demands rounded up) and of any truck's capacity
    (rounded down). Kupang's litres: 10; the benchmark sets' small integer demands: usually 1
    (CVRPLIB X-n120-k6 in units of 10 needed more than its 8 trucks and PyVRP found no plan)."""
    demand = np.array([pt.demand_l for pt in problem.points], dtype=np.int64)
    caps = np.array([v.capacity_l for v in problem.vehicles], dtype=np.int64)
    for unit in (u for u in (10, 5, 2) if u <= _LOAD_UNIT_L):
        lost_load = int((-(-demand // unit) * unit - demand).sum())
        lost_cap = caps - caps // unit * unit
        if lost_load <= _LOAD_ROUNDING_LOSS * max(1, int(demand.sum())) and \
                np.all(lost_cap <= _LOAD_ROUNDING_LOSS * np.maximum(caps, 1)):
            return unit
    return 1


def _client(problem: ProblemData, params: SolverParams, k: int, kinds: list[frozenset[str]],
            itemised: bool, unit: int) -> pyvrp.Client:
    pt = problem.points[k]
    load = -(-pt.demand_l // unit)
    mine = _servers(problem, pt)
    pickup = [load] + [load if g == mine else 0 for g in kinds if len(kinds) > 1]
    if itemised:
        pickup.append(1)
    latest = pt.latest_s if pt.latest_s >= 0 else max(v.shift.end_s for v in problem.vehicles)
    return pyvrp.Client(
        problem.point_location(k), pickup=pickup, service_duration=pt.service_s,
        tw_early=pt.ready_s, tw_late=max(pt.ready_s, latest), release_time=pt.release_s,
        required=True, name=pt.id,
    )


def _vehicle_type(problem: ProblemData, params: SolverParams, group: list[int], kinds: list[frozenset[str]],
                  itemised: bool, profile: int, durations: list[np.ndarray],
                  costs: list[np.ndarray], unit: int) -> pyvrp.VehicleType:
    v = problem.vehicles[group[0]]
    body = v.capacity_l // unit
    capacity = [body] + [body if v.type_name in g else 0 for g in kinds if len(kinds) > 1]
    if itemised:
        capacity.append(v.containers_per_trip or _NO_LIMIT)
    sh = v.shift
    late, fixed = sh.end_s - sh.break_duration_s, v.fixed_cost + params.vehicle_fixed_cost
    end_depot = 0
    if len(problem.landfills) == 1:
        # End at the landfill: the last unload and the drive home are the same for every truck.
        lf = problem.landfills[0]
        home = int(durations[profile][1, 0])
        late -= lf.unload_s + home
        fixed += int(costs[profile][1, 0])
        end_depot = 1
    return pyvrp.VehicleType(
        len(group), capacity=capacity, start_depot=0, end_depot=end_depot, fixed_cost=int(fixed),
        tw_early=sh.start_s, tw_late=max(sh.start_s, late),
        shift_duration=max(0, sh.end_s - sh.start_s - sh.break_duration_s),
        reload_depots=list(range(1, 1 + len(problem.landfills))),
        max_reloads=max(0, v.max_trips - 1), profile=profile, name=v.type_name,
    )


__all__ = ["PyvrpRoutes", "relaxed_rules", "solve_pyvrp"]
