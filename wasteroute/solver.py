"""The OR-Tools model and search; the only module that imports ``ortools``.

Model (one small function per dimension or constraint):

* nodes: ``0`` depot; one node per servable point; for every landfill, optional copies
  (as many as the trucks' landfill trips add up to) so a truck can unload several times;
* ``time``: travel + service per vehicle type (speed factor), point windows, landfill hours,
  shift start/end, one break per shift inside its window;
* ``load`` (litres): points add their volume, a landfill visit empties the truck (negative
  demand plus free slack, the classic reload trick), every route must end empty, so the last
  stop before the depot is a landfill;
* ``items``: at most ``containers_per_trip`` containers per trip for arm-roll trucks;
* ``trips``: at most ``max_trips`` landfill visits per truck;
* compatibility: each point only on trucks whose type serves its kind;
* dropping a point costs ``drop_penalty``: far above any route cost, so it is the last resort;
* objective: ``time_weight * travel s + distance_weight * m`` + fixed vehicle cost + balance
  terms (global span of the time dimension and/or a soft bound on each route's duration).

OR-Tools' routing search has no random seed; ``SolverParams.seed`` permutes the order in which
points enter the model (seed 0 keeps the input order), which changes tie-breaking and so gives
a different but reproducible search.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from google.protobuf.duration_pb2 import Duration
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from .config import SolverParams
from .errors import InfeasibleError, InputError
from .problem import ProblemData
from .solution import Break, Route, Solution, build_visits

log = logging.getLogger("wasteroute")

_HORIZON = 48 * 3600


@dataclass
class _Model:
    """The OR-Tools objects and the node bookkeeping of one problem."""

    problem: ProblemData
    params: SolverParams
    node_loc: list[int]  # routing node -> matrix location
    node_point: list[int]  # routing node -> point index or -1
    node_service: list[int]
    landfill_nodes: list[int]
    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    breaks: dict[int, Any]


def _node_layout(problem: ProblemData, seed: int) -> tuple[list[int], list[int], list[int], list[int]]:
    order = np.arange(len(problem.points))
    if seed:
        order = np.random.default_rng(seed).permutation(order)
    node_loc, node_point, node_service = [0], [-1], [0]
    for k in order:
        node_loc.append(problem.point_location(int(k)))
        node_point.append(int(k))
        node_service.append(problem.points[int(k)].service_s)
    copies = sum(v.max_trips for v in problem.vehicles)
    landfill_nodes = []
    for li, lf in enumerate(problem.landfills):
        for _ in range(copies):
            landfill_nodes.append(len(node_loc))
            node_loc.append(problem.landfill_location(li))
            node_point.append(-1)
            node_service.append(lf.unload_s)
    return node_loc, node_point, node_service, landfill_nodes


def _build(problem: ProblemData, params: SolverParams) -> _Model:
    node_loc, node_point, node_service, lf_nodes = _node_layout(problem, params.seed)
    n_veh = len(problem.vehicles)
    manager = pywrapcp.RoutingIndexManager(len(node_loc), n_veh, 0)
    routing = pywrapcp.RoutingModel(manager)
    m = _Model(problem, params, node_loc, node_point, node_service, lf_nodes, manager, routing, {})
    _add_costs(m)
    _add_time(m)
    _add_load(m)
    _add_items(m)
    _add_trips(m)
    _add_stops(m)
    _add_daily_load(m)
    _add_release(m)
    _add_compatibility_and_drops(m)
    return m


def _node_matrix(m: _Model, base: np.ndarray, *, factor: float = 1.0, add_service: bool = False) -> list[list[int]]:
    loc = np.asarray(m.node_loc)
    mat = base[np.ix_(loc, loc)].astype(np.float64)
    if factor != 1.0:
        mat = np.ceil(mat / factor)
    if add_service:
        mat = mat + np.asarray(m.node_service, dtype=np.float64)[:, None]
    np.fill_diagonal(mat, 0)
    return mat.astype(np.int64).tolist()


def _speed_groups(m: _Model) -> dict[float, list[int]]:
    groups: dict[float, list[int]] = {}
    for vi, v in enumerate(m.problem.vehicles):
        groups.setdefault(v.speed_factor, []).append(vi)
    return groups


def _add_costs(m: _Model) -> None:
    p, prm, routing = m.problem, m.params, m.routing
    for factor, vehicles in _speed_groups(m).items():
        cost = np.zeros_like(p.time_s, dtype=np.float64)
        if prm.time_weight:
            cost += prm.time_weight * np.ceil(p.time_s / factor)
        if prm.distance_weight:
            cost += prm.distance_weight * p.dist_m
        node_cost = np.asarray(_node_matrix(m, cost), dtype=np.int64)
        if prm.time_weight:
            # Unloading is part of the cost of a landfill visit: an empty run to the landfill
            # is never free, so local search removes it.
            unload = np.zeros(len(m.node_loc), dtype=np.int64)
            unload[m.landfill_nodes] = [m.node_service[n] for n in m.landfill_nodes]
            node_cost = node_cost + prm.time_weight * unload[:, None]
            np.fill_diagonal(node_cost, 0)
        cb = routing.RegisterTransitMatrix(node_cost.tolist())
        for vi in vehicles:
            routing.SetArcCostEvaluatorOfVehicle(cb, vi)
    for vi, v in enumerate(p.vehicles):
        routing.SetFixedCostOfVehicle(int(v.fixed_cost + prm.vehicle_fixed_cost), vi)


def _add_time(m: _Model) -> None:
    p, prm, routing, manager = m.problem, m.params, m.routing, m.manager
    callbacks = {}
    for factor in _speed_groups(m):
        callbacks[factor] = routing.RegisterTransitMatrix(_node_matrix(m, p.time_s, factor=factor, add_service=True))
    per_vehicle = [callbacks[v.speed_factor] for v in p.vehicles]
    routing.AddDimensionWithVehicleTransits(per_vehicle, _HORIZON, _HORIZON, False, "time")
    dim = routing.GetDimensionOrDie("time")
    latest_shift = max(v.shift.end_s for v in p.vehicles)
    for node in range(1, len(m.node_loc)):
        idx = manager.NodeToIndex(node)
        k = m.node_point[node]
        if k >= 0:
            pt = p.points[k]
            dim.CumulVar(idx).SetRange(pt.ready_s, pt.latest_s if pt.latest_s >= 0 else latest_shift)
        else:
            lf = p.landfills[m.node_loc[node] - 1]
            dim.CumulVar(idx).SetRange(lf.opens_s, max(lf.opens_s, lf.closes_s - lf.unload_s))
    for vi, v in enumerate(p.vehicles):
        start, end = routing.Start(vi), routing.End(vi)
        dim.CumulVar(start).SetRange(v.shift.start_s, v.shift.end_s)
        dim.CumulVar(end).SetRange(v.shift.start_s, v.shift.end_s)
        # Finish as early as possible first, then leave the depot as late as that allows
        # (no pointless waiting at the first point).
        routing.AddVariableMinimizedByFinalizer(dim.CumulVar(end))
        routing.AddVariableMaximizedByFinalizer(dim.CumulVar(start))
        if prm.soft_max_duration_s:
            dim.SetSoftSpanUpperBoundForVehicle(
                pywrapcp.BoundCost(int(prm.soft_max_duration_s), int(prm.soft_max_duration_cost)), vi
            )
    if prm.span_cost_coefficient:
        dim.SetGlobalSpanCostCoefficient(int(prm.span_cost_coefficient))
    _add_breaks(m, dim)


def _add_breaks(m: _Model, dim: Any) -> None:
    solver = m.routing.solver()
    visit_transits = [m.node_service[m.manager.IndexToNode(i)] for i in range(m.routing.Size())]
    for vi, v in enumerate(m.problem.vehicles):
        sh = v.shift
        if not sh.break_duration_s:
            continue
        interval = solver.FixedDurationIntervalVar(
            sh.break_earliest_s, sh.break_latest_s, sh.break_duration_s, False, f"break {v.id}"
        )
        m.breaks[vi] = interval
        dim.SetBreakIntervalsOfVehicle([interval], vi, visit_transits)


def _reset_dimension(m: _Model, name: str, demand: list[int], capacities: list[int], reset: int) -> Any:
    """A cumulative dimension that a landfill visit empties (reload trick) and that ends at 0."""
    routing, manager = m.routing, m.manager
    cb = routing.RegisterUnaryTransitVector(demand)
    routing.AddDimensionWithVehicleCapacity(cb, reset, capacities, True, name)
    dim = routing.GetDimensionOrDie(name)
    lf = set(m.landfill_nodes)
    for node in range(len(m.node_loc)):
        if node in lf:
            continue
        idx = manager.NodeToIndex(node)
        if node == 0:
            continue
        dim.SlackVar(idx).SetValue(0)
    for vi in range(len(m.problem.vehicles)):
        dim.SlackVar(routing.Start(vi)).SetValue(0)
        dim.CumulVar(routing.End(vi)).SetValue(0)
    return dim


def _add_load(m: _Model) -> None:
    p = m.problem
    caps = [v.capacity_l for v in p.vehicles]
    reset = max(caps)
    demand = [0] * len(m.node_loc)
    for node, k in enumerate(m.node_point):
        if k >= 0:
            demand[node] = p.points[k].demand_l
    for node in m.landfill_nodes:
        demand[node] = -reset
    _reset_dimension(m, "load", demand, caps, reset)


def _add_items(m: _Model) -> None:
    p = m.problem
    if all(v.containers_per_trip is None for v in p.vehicles):
        return
    many = len(p.points) + 1
    caps = [v.containers_per_trip if v.containers_per_trip is not None else many for v in p.vehicles]
    reset = max(caps)
    demand = [1 if k >= 0 else 0 for k in m.node_point]
    for node in m.landfill_nodes:
        demand[node] = -reset
    _reset_dimension(m, "items", demand, caps, reset)


def _add_trips(m: _Model) -> None:
    demand = [0] * len(m.node_loc)
    for node in m.landfill_nodes:
        demand[node] = 1
    cb = m.routing.RegisterUnaryTransitVector(demand)
    m.routing.AddDimensionWithVehicleCapacity(cb, 0, [v.max_trips for v in m.problem.vehicles], True, "trips")


def _add_stops(m: _Model) -> None:
    """At most ``max_stops`` collection points per truck per day, where set."""
    vehicles = m.problem.vehicles
    if all(v.max_stops is None for v in vehicles):
        return
    demand = [1 if k >= 0 else 0 for k in m.node_point]
    caps = [v.max_stops if v.max_stops is not None else len(m.problem.points) for v in vehicles]
    cb = m.routing.RegisterUnaryTransitVector(demand)
    m.routing.AddDimensionWithVehicleCapacity(cb, 0, caps, True, "stops")


def _add_daily_load(m: _Model) -> None:
    """At most ``max_daily_load_l`` collected per truck over the whole day, where set."""
    vehicles = m.problem.vehicles
    if all(v.max_daily_load_l is None for v in vehicles):
        return
    total = sum(p.demand_l for p in m.problem.points)
    demand = [m.problem.points[k].demand_l if k >= 0 else 0 for k in m.node_point]
    caps = [v.max_daily_load_l if v.max_daily_load_l is not None else total for v in vehicles]
    cb = m.routing.RegisterUnaryTransitVector(demand)
    m.routing.AddDimensionWithVehicleCapacity(cb, 0, caps, True, "daily_load")


def _add_release(m: _Model) -> None:
    """Release dates: a trip leaves its depot/landfill no earlier than its points' ``release_s``.

    A zero-transit dimension ``release`` stays constant along a trip (no slack at points) and
    may only step up at the depot or a landfill (free slack); each point needs it at least at
    its release, and it may not exceed the time the truck leaves the reload place.
    """
    p, routing, manager = m.problem, m.routing, m.manager
    if all(pt.release_s <= 0 for pt in p.points):
        return
    cb = routing.RegisterUnaryTransitVector([0] * len(m.node_loc))
    routing.AddDimension(cb, _HORIZON, _HORIZON, False, "release")
    rel, time_dim = routing.GetDimensionOrDie("release"), routing.GetDimensionOrDie("time")
    solver = routing.solver()
    reloads = [manager.NodeToIndex(n) for n in m.landfill_nodes]
    reloads += [routing.Start(vi) for vi in range(len(p.vehicles))]
    for node, k in enumerate(m.node_point):
        if k >= 0:
            idx = manager.NodeToIndex(node)
            rel.SlackVar(idx).SetValue(0)
            rel.CumulVar(idx).SetMin(p.points[k].release_s)
    for idx in reloads:
        service = m.node_service[manager.IndexToNode(idx)]
        # Waiting after unloading can always move before it, so the trip leaves at cumul + service.
        solver.Add(time_dim.CumulVar(idx) + service >= rel.CumulVar(idx) + rel.SlackVar(idx))


def _add_compatibility_and_drops(m: _Model) -> None:
    p, routing, manager = m.problem, m.routing, m.manager
    for node in range(1, len(m.node_loc)):
        idx = manager.NodeToIndex(node)
        k = m.node_point[node]
        if k >= 0:
            allowed = [vi for vi, v in enumerate(p.vehicles) if v.can_serve(p.points[k])]
            if not allowed:
                raise InputError(f"point {p.points[k].id}: no available truck can serve it")
            banned = [vi for vi in range(len(p.vehicles)) if vi not in set(allowed)]
            if banned:
                # SetAllowedVehiclesForIndex's SWIG binding rejects Python lists in ortools 9.15.
                routing.VehicleVar(idx).RemoveValues(banned)
            routing.AddDisjunction([idx], int(m.params.drop_penalty))
        else:
            routing.AddDisjunction([idx], 0)


def _search_parameters(params: SolverParams) -> Any:
    sp = pywrapcp.DefaultRoutingSearchParameters()
    try:
        sp.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, params.first_solution)
        sp.local_search_metaheuristic = getattr(
            routing_enums_pb2.LocalSearchMetaheuristic, params.local_search
        )
    except AttributeError as exc:
        msg = (
            f"unknown search strategy {exc.args[0] if exc.args else ''}; first_solution is e.g. "
            "PATH_CHEAPEST_ARC, PARALLEL_CHEAPEST_INSERTION, LOCAL_CHEAPEST_INSERTION, SAVINGS; "
            "local_search is GUIDED_LOCAL_SEARCH, SIMULATED_ANNEALING, TABU_SEARCH or GREEDY_DESCENT"
        )
        raise InputError(msg) from None
    sec = math.floor(params.time_limit_s)
    sp.time_limit.CopyFrom(Duration(seconds=sec, nanos=int((params.time_limit_s - sec) * 1e9)))
    if params.solution_limit:
        sp.solution_limit = int(params.solution_limit)
    sp.log_search = bool(params.log_search)
    return sp


_STATUS = {
    0: "not solved", 1: "solved (search limit reached)", 2: "solved (stopped before a local optimum)",
    3: "no solution found", 4: "time limit, no solution", 5: "invalid model", 6: "infeasible",
    7: "solved (optimal)",
}


def solve(problem: ProblemData, params: SolverParams | None = None) -> Solution:
    """Solve the day's problem and return a checked-out :class:`Solution`.

    Raises
    ------
    InfeasibleError
        If OR-Tools finds no solution at all within the limits.
    """
    params = params or SolverParams()
    t0 = time.perf_counter()
    m = _build(problem, params)
    log.info(
        "model: %d points, %d landfill copies, %d trucks; searching up to %.0f s (%s + %s)",
        len(problem.points), len(m.landfill_nodes), len(problem.vehicles), params.time_limit_s,
        params.first_solution, params.local_search,
    )
    assignment = m.routing.SolveWithParameters(_search_parameters(params))
    status = _STATUS.get(m.routing.status(), str(m.routing.status()))
    if assignment is None:
        msg = (
            f"OR-Tools found no plan ({status}); the shift, landfill hours or break window may be "
            "impossible to meet; check the fleet and facilities settings or raise the time limit"
        )
        raise InfeasibleError(msg)
    sol = _extract(m, assignment, status, time.perf_counter() - t0)
    log.info("solved: objective %d, %d unassigned, in %.1f s", sol.objective, len(sol.unassigned), sol.solve_s)
    return sol


def _extract(m: _Model, assignment: Any, status: str, seconds: float) -> Solution:
    p, routing, manager = m.problem, m.routing, m.manager
    dim = routing.GetDimensionOrDie("time")
    routes = []
    served: set[int] = set()
    for vi, v in enumerate(p.vehicles):
        idx = routing.Start(vi)
        seq: list[tuple[int, int]] = []
        while True:
            node = manager.IndexToNode(idx)
            seq.append((m.node_loc[node], assignment.Value(dim.CumulVar(idx))))
            if m.node_point[node] >= 0:
                served.add(m.node_point[node])
            if routing.IsEnd(idx):
                break
            idx = assignment.Value(routing.NextVar(idx))
        brk = None
        if vi in m.breaks:
            iv = m.breaks[vi]
            brk = Break(int(assignment.StartValue(iv)), int(assignment.DurationValue(iv)))
        seq = _without_empty_unloads(p, seq)
        if len(seq) <= 2:
            seq = [seq[0], (0, seq[0][1])]
        routes.append(Route(v, build_visits(p, v, seq), brk))
    unassigned = dict(p.reasons)
    for k, pt in enumerate(p.points):
        if k not in served:
            unassigned[pt.id] = _drop_reason(p, k)
    return Solution(
        problem=p, routes=tuple(routes), unassigned=unassigned, objective=int(assignment.ObjectiveValue()),
        status=status, solve_s=seconds, params=m.params,
    )


def _without_empty_unloads(p: ProblemData, seq: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Remove landfill visits reached with an empty truck (they carry nothing to unload)."""
    n_lf = len(p.landfills)
    out: list[tuple[int, int]] = []
    loaded = False
    for loc, t in seq:
        if 1 <= loc <= n_lf:
            if not loaded:
                continue
            loaded = False
        elif loc > n_lf:
            loaded = True
        out.append((loc, t))
    return out


def _drop_reason(p: ProblemData, k: int) -> str:
    pt = p.points[k]
    kind_trucks = [v for v in p.vehicles if v.can_serve(pt)]
    cap = sum(v.capacity_l * v.max_trips for v in kind_trucks) / 1000
    due = sum(q.volume_m3 for q in p.points if q.kind in kind_trucks[0].serves) if kind_trucks else 0.0
    if due > cap:
        return (
            f"fleet exhausted: {due:.0f} m³ of this kind is due but the available trucks can haul "
            f"{cap:.0f} m³ in their landfill trips; add trucks or trips"
        )
    return (
        "fleet exhausted: no truck had time left in its shift for this point after the others; "
        "add a truck, a second shift, or widen the window"
    )
