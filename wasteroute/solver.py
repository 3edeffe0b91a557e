"""The OR-Tools model and search; the only module that imports ``ortools``.

Model (one small function per dimension or constraint):

* nodes: ``0`` depot; one node per servable point; for every landfill, optional copies so a
  truck can unload several times (``_landfill_copies``: with one landfill as many as the trucks'
  trips add up to; with several, only the trips that plausibly use each one), and with one
  landfill (``final_unload``) one mandatory final unload node per truck, so that an empty truck
  takes its first point in a one-node move (``_final_unload_vehicles``; fixed costs then sit on
  the arcs out of the depot and the unused trucks' empty runs are taken off the objective);
* ``time``: travel + service per vehicle type (speed factor), point windows, landfill hours,
  shift start/end, one break per shift inside its window;
* ``load`` (litres): points add their volume, a landfill visit empties the truck (negative
  demand plus free slack, the classic reload trick), every route must end empty, so the last
  stop before the depot is a landfill;
* ``items``: at most ``containers_per_trip`` containers per trip for arm-roll trucks;
* ``trips``: at most ``max_trips`` landfill visits per truck; visits back to back at one landfill
  are one unload in time and cost (``_free_unload_chains``);
* compatibility: each point only on trucks whose type serves its kind;
* dropping a point costs ``drop_penalty``: far above any route cost, so it is the last resort;
* objective: ``time_weight * travel s + distance_weight * m`` + fixed vehicle cost + balance
  terms (global span of the time dimension and/or a soft bound on each route's duration).

Search: ``first_solution`` then ``local_search``; when the first strategy has no plan after
``first_solution_timeout_s`` the search restarts from ``first_solution_fallback``
(``_solve_with_fallback``). ``solve(..., initial_routes=...)`` starts instead from given routes
(warm start, e.g. another solver's plan; ``_warm_start``).

Re-plans during the day (:func:`continue_routes`): each truck starts where it is
(:class:`VehicleStart`: its own start node at a road node of the matrices, at its time, with its
load, containers, landfill trips, stops and daily load so far and its break taken or not), the
routes end at the depot as usual, and an optional ``moves`` dimension charges ``move_cost``
for every point served by another truck than its ``home`` truck (plan stability).

OR-Tools' routing search has no random seed; ``SolverParams.seed`` permutes the order in which
points enter the model (seed 0 keeps the input order), which changes tie-breaking and so gives
a different but reproducible search.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from google.protobuf.duration_pb2 import Duration
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from .config import SolverParams
from .diagnose import drop_reasons
from .errors import InfeasibleError, InputError
from .problem import ProblemData
from .solution import Break, Route, Solution, build_visits
from .units import format_hhmm

log = logging.getLogger("wasteroute")

_HORIZON = 48 * 3600
#: Models at least this large (points + landfill copies) watch the first strategy's time.
_FALLBACK_MIN_NODES = 800
#: From this size PARALLEL_CHEAPEST_INSERTION is not tried at all (measured: > 60 s at 2000 nodes).
_FALLBACK_FIRST_NODES = 1500
#: Largest model (routing nodes) whose arc values go to OR-Tools as whole matrices: fastest to
#: search (OR-Tools 9.15 does not cache Python callbacks), but nodes² Python ints while built
#: (3000 nodes: about 0.3 GB for a moment). Above it, callbacks read the distinct-node matrices.
_DENSE_TRANSIT_MAX_NODES = 3000
#: Seconds the last resort (:func:`_from_nothing`) gets at least, even past the budget: its
#: first plan (no point served) is immediate, but it must be found and checked.
_LAST_RESORT_S = 1.0
#: ... and one more second per this many routing nodes (its first plan has to be checked: Kim
#: 1932 stops, 2362 nodes, found none in 1 s on a busy machine).
_LAST_RESORT_NODES_PER_S = 500
#: Seconds a search from routes that had to be cut back gets at least, to insert what was cut.
_REPAIR_S = 1.0


@dataclass
class _Progress:
    """Solutions found by the current search of a model (reset by :func:`_searching`)."""

    found: int = 0
    #: Objective of the routes a warm start read (None: no warm start).
    start_objective: int | None = None
    #: Whether the warm start read the given routes whole (nothing cut back, no point left out).
    start_complete: bool = False


@dataclass(frozen=True)
class VehicleStart:
    """Where and how a truck continues in a re-plan (:func:`continue_routes`).

    ``node`` is the row of the truck's position in ``problem.node_time_s``/``node_dist_m``
    (any distinct road node the matrices hold, not only a location of ``problem``); the truck
    leaves it at ``time_s``. The other fields are what the day has used up so far.
    """

    node: int
    time_s: int
    load_l: int = 0
    items: int = 0
    trips: int = 0
    stops: int = 0
    daily_load_l: int = 0
    break_taken: bool = False


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
    final_nodes: dict[int, int]  # vehicle -> its own mandatory final landfill node
    callbacks: list[Any] = dataclasses.field(default_factory=list)  # Python transit callbacks
    progress: _Progress = dataclasses.field(default_factory=lambda: _Progress())
    starts: tuple[VehicleStart, ...] = ()  # per vehicle, in a re-plan
    start_rows: dict[int, int] = dataclasses.field(default_factory=dict)  # start node -> node-matrix row


def _node_layout(
    problem: ProblemData, params: SolverParams, starts: tuple[VehicleStart, ...] = ()
) -> tuple[list[int], list[int], list[int], list[int], dict[int, int]]:
    order = np.arange(len(problem.points))
    if params.seed:
        order = np.random.default_rng(params.seed).permutation(order)
    node_loc, node_point, node_service = [0], [-1], [0]
    for k in order:
        node_loc.append(problem.point_location(int(k)))
        node_point.append(int(k))
        node_service.append(problem.points[int(k)].service_s)
    final_lf = _final_landfill(problem, params)
    finals = _final_unload_vehicles(problem, final_lf, starts) if final_lf is not None else []
    copies = _landfill_copies(problem, params.landfill_copies)
    if final_lf is not None:  # each such truck's last unload is its own node
        copies[final_lf] = max(0, copies[final_lf] - len(finals))
    landfill_nodes, final_nodes = [], {}
    for li, lf in enumerate(problem.landfills):
        mine = finals if li == final_lf else []
        for i in range(copies[li] + len(mine)):
            if i >= copies[li]:
                final_nodes[mine[i - copies[li]]] = len(node_loc)
            landfill_nodes.append(len(node_loc))
            node_loc.append(problem.landfill_location(li))
            node_point.append(-1)
            node_service.append(lf.unload_s)
    return node_loc, node_point, node_service, landfill_nodes, final_nodes


def _final_landfill(problem: ProblemData, params: SolverParams) -> int | None:
    """The landfill of the trucks' own final unload nodes, or None for optional copies only.

    "auto": the landfill when there is only one and trucks have no fixed cost; "nearest": the
    one with the shortest depot -> landfill -> depot round trip, also with several landfills
    (every route then ends there) and fixed costs.
    """
    mode = params.final_unload
    fixed = params.vehicle_fixed_cost or any(v.fixed_cost for v in problem.vehicles)
    if mode == "optional" or (mode == "auto" and (len(problem.landfills) != 1 or fixed)):
        # "auto" also keeps the optional model when trucks have a fixed cost: on the arcs out of
        # the depot it is penalised by guided local search and the plans used more trucks
        # (Kim 277/444 stops: 5 and 13 trucks instead of 3 and 11).
        return None
    n_lf = len(problem.landfills)
    loop = [int(problem.time_s[0, 1 + li]) + int(problem.time_s[1 + li, 0]) for li in range(n_lf)]
    return int(np.argmin(loop))


def _final_unload_vehicles(problem: ProblemData, li: int, starts: tuple[VehicleStart, ...] = ()) -> list[int]:
    """The trucks that get their own mandatory final unload node at landfill ``li``.

    With optional landfill copies only, an empty truck can take a first point only together
    with a landfill visit (its route must end empty), a two-node move that OR-Tools' first
    solutions (PATH_CHEAPEST_ARC, LOCAL_CHEAPEST_INSERTION) and local search operators do not
    make. A mandatory final unload per truck (depot -> landfill -> depot when unused, a
    constant) turns opening a route into a one-node insertion. Only trucks whose shift can
    fit that empty run (landfill hours, break) get one; the others keep optional copies.
    """
    lf, loc = problem.landfills[li], 1 + li
    out = []
    for vi, v in enumerate(problem.vehicles):
        sh = v.shift
        time_s = problem.time_for(v)
        there = math.ceil(time_s[0, loc] / v.speed_factor)
        back = math.ceil(time_s[loc, 0] / v.speed_factor)
        leave = sh.start_s
        if starts:  # a re-plan: from where the truck is, when it is free
            st = starts[vi]
            there = math.ceil(int(time_s.values[st.node, problem.loc_node[loc]]) / v.speed_factor)
            leave = st.time_s
        unload_start = max(leave + there, lf.opens_s)
        fits = unload_start <= lf.closes_s - lf.unload_s and unload_start + lf.unload_s + back <= sh.end_s
        if sh.break_duration_s and not (starts and starts[vi].break_taken):
            fits = fits and sh.break_latest_s >= sh.start_s and sh.break_earliest_s + sh.break_duration_s <= sh.end_s
            fits = fits and there + lf.unload_s + back + sh.break_duration_s <= sh.end_s - sh.start_s
        if fits:
            out.append(vi)
    return out


def _landfill_copies(problem: ProblemData, mode: str) -> list[int]:
    """How many optional visit nodes each landfill gets.

    No truck unloads more than ``max_trips`` times, so ``trips`` copies per landfill always
    suffice ("all"). With several landfills most of these are never plausible: "auto" gives a
    landfill the share of the trips equal to the share of the day's volume for which it is
    one of the two nearest landfills (rounded up), plus one final visit per truck, and never
    more than ``trips``. A single landfill keeps ``trips`` copies.
    """
    trips = sum(v.max_trips for v in problem.vehicles)
    n_lf = len(problem.landfills)
    if mode == "all" or n_lf == 1:
        return [trips] * n_lf
    locs = [problem.point_location(k) for k in range(len(problem.points))]
    to_lf = problem.time_s[np.ix_(locs, range(1, 1 + n_lf))]
    nearest = np.argsort(to_lf, axis=1, kind="stable")[:, :2]
    weight = np.array([max(p.demand_l, 1) for p in problem.points], dtype=np.float64)
    share = np.zeros(n_lf)
    for col in range(nearest.shape[1]):
        np.add.at(share, nearest[:, col], weight)
    share /= weight.sum() if len(weight) else 1.0
    n_veh = len(problem.vehicles)
    return [min(trips, math.ceil(trips * s) + n_veh) if s > 0 else min(trips, n_veh) for s in share]


def _build(problem: ProblemData, params: SolverParams, *, starts: tuple[VehicleStart, ...] = (),
           home: dict[str, int] | None = None, move_cost: int = 0,
           penalties: dict[str, int] | None = None) -> _Model:
    node_loc, node_point, node_service, lf_nodes, finals = _node_layout(problem, params, starts)
    n_veh = len(problem.vehicles)
    start_rows: dict[int, int] = {}
    if starts:
        if len(starts) != n_veh:
            raise InputError(f"{len(starts)} vehicle starts for {n_veh} vehicles")
        for st in starts:  # each truck's own start node, at its position (see _node_index)
            start_rows[len(node_loc)] = int(st.node)
            node_loc.append(0)
            node_point.append(-1)
            node_service.append(0)
        manager = pywrapcp.RoutingIndexManager(len(node_loc), n_veh, list(start_rows), [0] * n_veh)
    else:
        manager = pywrapcp.RoutingIndexManager(len(node_loc), n_veh, 0)
    routing = pywrapcp.RoutingModel(manager)
    m = _Model(problem, params, node_loc, node_point, node_service, lf_nodes, manager, routing, {}, finals,
               starts=tuple(starts), start_rows=start_rows)
    _add_costs(m)
    _add_time(m)
    _add_load(m)
    _add_items(m)
    _add_trips(m)
    _add_stops(m)
    _add_daily_load(m)
    _add_release(m)
    _add_compatibility_and_drops(m, penalties or {})
    _add_moves(m, home or {}, move_cost)
    _add_progress(m, every_s=PROGRESS_EVERY_S)
    return m


#: Seconds between the search's progress log lines (the web app's job worker asks for more often).
PROGRESS_EVERY_S = 5.0


def _add_progress(m: _Model, every_s: float = 5.0) -> None:
    """Count the search's solutions in ``m.progress`` and log the progress (solutions found, best
    cost, points left out) every few seconds. (The clock here only paces the log lines.)"""
    routing, penalty, progress = m.routing, m.params.drop_penalty, m.progress
    t0 = time.perf_counter()
    last_log, best = -every_s, -1  # the first solution is reported at once, then every few seconds

    def report() -> None:
        nonlocal last_log, best
        progress.found += 1
        cost = int(routing.CostVar().Max())
        best = cost if best < 0 else min(best, cost)
        now = time.perf_counter() - t0
        if now - last_log >= every_s:
            last_log = now
            log.info("search: %d solutions in %.0f s, best cost %d (about %d points left out)",
                     progress.found, now, best % penalty, best // penalty)

    routing.AddAtSolutionCallback(report)


def _node_index(m: _Model) -> np.ndarray:
    """Row of each routing node in the problem's distinct-node matrices (node -> location -> node row;
    a re-plan's start nodes -> the truck's position)."""
    rows = np.array(m.problem.loc_node[np.asarray(m.node_loc)])
    for node, row in m.start_rows.items():
        rows[node] = row
    return rows


def _node_matrix(m: _Model, base: np.ndarray, *, factor: float = 1.0) -> np.ndarray:
    """``base`` (over distinct road nodes) with times divided by a speed factor, in int64."""
    mat = base.astype(np.float64)
    if factor != 1.0:
        mat = np.ceil(mat / factor)
    return mat.astype(np.int64)


def _register_arcs(m: _Model, node_values: np.ndarray, extra: np.ndarray, *, fixed: int = 0, chain: int = 0) -> int:
    """Register the arc values ``node_values[node(i), node(j)] + extra[i]`` (0 when ``i == j``,
    ``chain`` between two nodes of one landfill: :func:`_free_unload_chains`), plus ``fixed`` as
    :func:`_with_fixed_cost` charges it; returns OR-Tools' callback index.

    Up to ``_DENSE_TRANSIT_MAX_NODES`` routing nodes the values go to OR-Tools as one matrix
    (searched at C++ speed); above, as a Python callback that reads the distinct-node matrix
    through index arrays, so memory grows with the distinct nodes, not with the nodes squared.
    """
    if len(m.node_loc) <= _DENSE_TRANSIT_MAX_NODES:
        nd = _node_index(m)
        dense = node_values[np.ix_(nd, nd)] + extra[:, None]
        _free_unload_chains(m, dense, chain)
        return int(m.routing.RegisterTransitMatrix(_with_fixed_cost(m, dense, fixed).tolist()))
    callback = _arc_callback(m, node_values, extra, fixed, chain)
    m.callbacks.append(callback)  # OR-Tools holds a borrowed reference: keep it alive
    return int(m.routing.RegisterTransitCallback(callback))


def _landfill_groups(m: _Model) -> list[list[int]]:
    """The landfill nodes (copies and final unload nodes) of each landfill, one list per landfill."""
    groups: dict[int, list[int]] = {}
    for node in m.landfill_nodes:
        groups.setdefault(m.node_loc[node], []).append(node)
    return list(groups.values())


def _free_unload_chains(m: _Model, dense: np.ndarray, chain: int = 0) -> None:
    """Set the arcs between two nodes of one landfill to ``chain`` and the diagonal to 0, in place.

    Landfill visits back to back at one landfill are one stop: the unloading time is charged once,
    on the arc out of the last of them, and the cost of the arcs inside the chain is ``chain`` (1
    for the cost). OR-Tools' local search leaves such chains in a route (an empty copy before the
    final unload node is a cheap place to insert the next point of a new trip); when each copy
    charged its unloading they inflated the objective. Trips still count each node
    (:func:`_add_trips`). The read-out (:func:`_without_empty_unloads`) drops the empty visits.
    """
    for group in _landfill_groups(m):
        dense[np.ix_(group, group)] = chain
    np.fill_diagonal(dense, 0)


def _arc_callback(m: _Model, node_values: np.ndarray, extra: np.ndarray, fixed: int, chain: int = 0) -> Any:
    """The arc values of :func:`_register_arcs` as a function of two routing indices."""
    manager, n_index = m.manager, m.routing.Size() + len(m.problem.vehicles)
    node_of = [manager.IndexToNode(k) for k in range(n_index)]
    nd = _node_index(m)
    row_of = [int(nd[n]) for n in node_of]
    extra_of = [int(extra[n]) for n in node_of]
    finals = set(m.final_nodes.values())
    # Fixed cost out of the depot (not into a final unload node) and out of a final node.
    fixed_out = [fixed if n in finals or n == 0 else 0 for n in node_of]
    waived = [n == 0 or (n in finals) for n in node_of]  # no fixed cost from the depot into these
    rows = node_values.tolist() if node_values.size <= 4_000_000 else None
    get = node_values.item
    lf_of = _landfill_of(m, node_of)

    def arc(i: int, j: int) -> int:
        ni, nj = node_of[i], node_of[j]
        if ni == nj:
            return 0
        if lf_of[i] >= 0 and lf_of[i] == lf_of[j]:  # one unload (see _free_unload_chains)
            value = chain
        else:
            value = (rows[row_of[i]][row_of[j]] if rows is not None else get(row_of[i], row_of[j])) + extra_of[i]
        if fixed_out[i] and nj and (ni or not waived[j]):
            value += fixed_out[i]
        return value

    return arc


def _landfill_of(m: _Model, node_of: list[int]) -> list[int]:
    """Per routing index: the location of its landfill, or -1 when it is not a landfill node."""
    landfill = set(m.landfill_nodes)
    return [m.node_loc[n] if n in landfill else -1 for n in node_of]


def _speed_groups(m: _Model) -> dict[tuple[int, float], list[int]]:
    """Trucks that share a road profile and a speed factor share their arc callbacks."""
    groups: dict[tuple[int, float], list[int]] = {}
    for vi, v in enumerate(m.problem.vehicles):
        groups.setdefault((v.profile, v.speed_factor), []).append(vi)
    return groups


def _add_costs(m: _Model) -> None:
    p, prm, routing = m.problem, m.params, m.routing
    for (profile, factor), vehicles in _speed_groups(m).items():
        node_time, node_dist = p.profile_time(profile).values, p.profile_dist(profile).values
        cost = np.zeros(node_time.shape, dtype=np.float64)
        if prm.time_weight:
            cost += prm.time_weight * np.ceil(node_time / factor)
        if prm.distance_weight:
            cost += prm.distance_weight * node_dist.astype(np.float64)
        node_cost = _node_matrix(m, cost)
        # Unloading is part of the cost of a landfill visit: an empty run to the landfill
        # is never free, so local search removes it.
        unload = np.zeros(len(m.node_loc), dtype=np.int64)
        if prm.time_weight:
            unload[m.landfill_nodes] = [prm.time_weight * m.node_service[n] for n in m.landfill_nodes]
        by_fixed: dict[int, list[int]] = {}
        for vi in vehicles:
            by_fixed.setdefault(_fixed_cost(m, vi) if vi in m.final_nodes else 0, []).append(vi)
        for fixed, group in by_fixed.items():
            cb = _register_arcs(m, node_cost, unload, fixed=fixed, chain=1)
            for vi in group:
                routing.SetArcCostEvaluatorOfVehicle(cb, vi)
    for vi in range(len(p.vehicles)):
        if vi not in m.final_nodes:
            routing.SetFixedCostOfVehicle(_fixed_cost(m, vi), vi)


def _fixed_cost(m: _Model, vi: int) -> int:
    return int(m.problem.vehicles[vi].fixed_cost + m.params.vehicle_fixed_cost)


def _with_fixed_cost(m: _Model, node_cost: np.ndarray, fixed: int) -> np.ndarray:
    """Fixed cost on the arcs out of the depot, except into a final unload node.

    A truck with its own final unload node never has an empty route in OR-Tools' sense, so
    its fixed cost is charged when it leaves the depot for anything else, and when it leaves
    the final node for anything but the depot (else visiting it first would dodge the cost).
    """
    if not fixed:
        return node_cost
    finals = list(m.final_nodes.values())
    out = node_cost.copy()
    out[0, 1:] += fixed
    out[0, finals] -= fixed
    out[finals, 1:] += fixed
    return out


def _add_time(m: _Model) -> None:
    p, prm, routing, manager = m.problem, m.params, m.routing, m.manager
    callbacks = {}
    for profile, factor in _speed_groups(m):
        service = np.asarray(m.node_service, dtype=np.int64)
        callbacks[(profile, factor)] = _register_arcs(
            m, _node_matrix(m, p.profile_time(profile).values, factor=factor), service)
    per_vehicle = [callbacks[(v.profile, v.speed_factor)] for v in p.vehicles]
    routing.AddDimensionWithVehicleTransits(per_vehicle, _HORIZON, _HORIZON, False, "time")
    dim = routing.GetDimensionOrDie("time")
    latest_shift = max(v.shift.end_s for v in p.vehicles)
    for node in range(1, len(m.node_loc)):
        if node in m.start_rows:
            continue
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
        dim.CumulVar(end).SetRange(v.shift.start_s, v.shift.end_s)
        routing.AddVariableMinimizedByFinalizer(dim.CumulVar(end))
        if m.starts:  # a re-plan: the truck is free at its position from its start time on
            dim.CumulVar(start).SetValue(int(m.starts[vi].time_s))
        else:
            dim.CumulVar(start).SetRange(v.shift.start_s, v.shift.end_s)
            # Finish as early as possible first, then leave the depot as late as that allows
            # (no pointless waiting at the first point).
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
        earliest = sh.break_earliest_s
        if m.starts:  # a re-plan: a break not taken yet comes after the truck's start
            if m.starts[vi].break_taken:
                continue
            earliest = max(earliest, m.starts[vi].time_s)
        if not sh.break_duration_s or earliest > sh.break_latest_s:
            continue
        interval = solver.FixedDurationIntervalVar(
            earliest, sh.break_latest_s, sh.break_duration_s, False, f"break {v.id}"
        )
        m.breaks[vi] = interval
        dim.SetBreakIntervalsOfVehicle([interval], vi, visit_transits)


def _reset_dimension(m: _Model, name: str, demand: list[int], capacities: list[int], reset: int) -> Any:
    """A cumulative dimension that a landfill visit empties (reload trick) and that ends at 0."""
    routing, manager = m.routing, m.manager
    cb = routing.RegisterUnaryTransitVector(demand)
    routing.AddDimensionWithVehicleCapacity(cb, reset, capacities, not m.starts, name)
    dim = routing.GetDimensionOrDie(name)
    _set_start_values(m, dim, name)
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


_START_FIELD = {"load": "load_l", "items": "items", "trips": "trips", "stops": "stops", "daily_load": "daily_load_l"}


def _set_start_values(m: _Model, dim: Any, name: str) -> None:
    """In a re-plan, each truck's dimension ``name`` starts at what it has used so far."""
    for vi, st in enumerate(m.starts):
        dim.CumulVar(m.routing.Start(vi)).SetValue(int(getattr(st, _START_FIELD[name])))


def _add_load(m: _Model) -> None:
    p = m.problem
    caps = [v.capacity_l for v in p.vehicles]
    reset = max(caps)
    demand = [0] * len(m.node_loc)
    for node, k in enumerate(m.node_point):
        if k >= 0:
            # At least 1 L, so that a truck that served anything still ends at a landfill
            # (Kim 804/1932 have points of zero load).
            demand[node] = max(1, p.points[k].demand_l)
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
    """At most ``max_trips`` landfill visits per truck, each landfill node counting one.

    Back-to-back visits at one landfill count one each here, although time and cost take them as
    one unload (:func:`_free_unload_chains`): counted once, the first-solution heuristics park
    every optional copy in such chains at the routes' ends (Kupang: 131 points left with no copy
    to unload between loads), bounded only by the trips limit when each counts.
    """
    demand = [0] * len(m.node_loc)
    for node in m.landfill_nodes:
        demand[node] = 1
    cb = m.routing.RegisterUnaryTransitVector(demand)
    m.routing.AddDimensionWithVehicleCapacity(cb, 0, [v.max_trips for v in m.problem.vehicles], not m.starts, "trips")
    _set_start_values(m, m.routing.GetDimensionOrDie("trips"), "trips")


def _add_stops(m: _Model) -> None:
    """At most ``max_stops`` collection points per truck per day, where set."""
    vehicles = m.problem.vehicles
    if all(v.max_stops is None for v in vehicles):
        return
    demand = [1 if k >= 0 else 0 for k in m.node_point]
    caps = [v.max_stops if v.max_stops is not None else len(m.problem.points) for v in vehicles]
    cb = m.routing.RegisterUnaryTransitVector(demand)
    m.routing.AddDimensionWithVehicleCapacity(cb, 0, caps, not m.starts, "stops")
    _set_start_values(m, m.routing.GetDimensionOrDie("stops"), "stops")


def _add_daily_load(m: _Model) -> None:
    """At most ``max_daily_load_l`` collected per truck over the whole day, where set."""
    vehicles = m.problem.vehicles
    if all(v.max_daily_load_l is None for v in vehicles):
        return
    total = sum(p.demand_l for p in m.problem.points)
    demand = [m.problem.points[k].demand_l if k >= 0 else 0 for k in m.node_point]
    caps = [v.max_daily_load_l if v.max_daily_load_l is not None else total for v in vehicles]
    cb = m.routing.RegisterUnaryTransitVector(demand)
    m.routing.AddDimensionWithVehicleCapacity(cb, 0, caps, not m.starts, "daily_load")
    _set_start_values(m, m.routing.GetDimensionOrDie("daily_load"), "daily_load")


def _add_release(m: _Model) -> None:
    """Release dates: a trip leaves its depot/landfill no earlier than its points' ``release_s``.

    A zero-transit dimension ``release`` stays constant along a trip (no slack at points) and
    may only step up at the depot or a landfill (free slack); each point needs it at least at
    its release. The truck leaves a reload place no earlier than the ``release`` value of the
    node it goes to next: an element constraint on the reload's ``NextVar``. (Stating it as
    ``time >= release cumul + slack`` at the reload itself propagates too weakly: both terms
    stay unbound and OR-Tools returned schedules that ignored it.)
    """
    p, routing, manager = m.problem, m.routing, m.manager
    if all(pt.release_s <= 0 for pt in p.points):
        return
    cb = routing.RegisterUnaryTransitVector([0] * len(m.node_loc))
    routing.AddDimension(cb, _HORIZON, _HORIZON, False, "release")
    rel, time_dim = routing.GetDimensionOrDie("release"), routing.GetDimensionOrDie("time")
    solver = routing.solver()
    for node, k in enumerate(m.node_point):
        if k >= 0:
            idx = manager.NodeToIndex(node)
            rel.SlackVar(idx).SetValue(0)
            rel.CumulVar(idx).SetMin(p.points[k].release_s)
    cumuls = [rel.CumulVar(i) for i in range(routing.Size() + routing.vehicles())]
    reloads = [manager.NodeToIndex(n) for n in m.landfill_nodes]
    reloads += [routing.Start(vi) for vi in range(len(p.vehicles))]
    for idx in reloads:
        service = m.node_service[manager.IndexToNode(idx)]
        # Waiting after unloading can always move before it, so the trip leaves at cumul + service.
        solver.Add(time_dim.CumulVar(idx) + service >= solver.Element(cumuls, routing.NextVar(idx)))


def _add_compatibility_and_drops(m: _Model, penalties: dict[str, int]) -> None:
    p, routing, manager = m.problem, m.routing, m.manager
    finals = {node: vi for vi, node in m.final_nodes.items()}
    for node in range(1, len(m.node_loc)):
        if node in m.start_rows:
            continue
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
            routing.AddDisjunction([idx], int(penalties.get(p.points[k].id, m.params.drop_penalty)))
        elif node in finals:
            routing.VehicleVar(idx).SetValue(finals[node])  # mandatory, on its own truck
        else:
            routing.AddDisjunction([idx], 0)


def _add_moves(m: _Model, home: dict[str, int], move_cost: int) -> None:
    """Plan stability in a re-plan: ``move_cost`` for each point a truck serves whose ``home``
    truck (vehicle index) is another one. A per-vehicle unary dimension counts those points and
    its span cost charges them; points without a home truck (new ones) move for free."""
    if not home or move_cost <= 0:
        return
    routing = m.routing
    callbacks = []
    for vi in range(len(m.problem.vehicles)):
        moved = [0] * len(m.node_loc)
        for node, k in enumerate(m.node_point):
            if k >= 0 and home.get(m.problem.points[k].id, vi) != vi:
                moved[node] = 1
        callbacks.append(routing.RegisterUnaryTransitVector(moved))
    routing.AddDimensionWithVehicleTransits(callbacks, 0, len(m.problem.points) + 1, True, "moves")
    dim = routing.GetDimensionOrDie("moves")
    for vi in range(len(m.problem.vehicles)):
        dim.SetSpanCostCoefficientForVehicle(int(move_cost), vi)


def _search_parameters(params: SolverParams, *, first_solution: str | None = None, time_limit_s: float | None = None,
                       solution_limit: int | None = None) -> Any:
    sp = pywrapcp.DefaultRoutingSearchParameters()
    strategy = first_solution or params.first_solution
    try:
        sp.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, strategy)
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
    limit = max(params.time_limit_s if time_limit_s is None else time_limit_s, 0.01)
    sec = math.floor(limit)
    sp.time_limit.CopyFrom(Duration(seconds=sec, nanos=int((limit - sec) * 1e9)))
    solutions = solution_limit or params.solution_limit
    if solutions:
        sp.solution_limit = int(solutions)
        # The completion of each LNS neighbourhood is cut at lns_time_limit (0.1 s) of wall
        # time: on a busy machine different neighbourhoods are cut, and the same seed and
        # solution limit gave different plans (Kupang, 469 points, seed 1, 200 solutions: four
        # runs, four plans). Lifted to the search's own cap, only counts decide (three runs
        # under load, one plan, and no more CPU).
        sp.lns_time_limit.CopyFrom(sp.time_limit)
    sp.log_search = bool(params.log_search)
    return sp


_STATUS = {
    0: "not solved", 1: "solved (search limit reached)", 2: "solved (stopped before a local optimum)",
    3: "no solution found", 4: "time limit, no solution", 5: "invalid model", 6: "infeasible",
    7: "solved (optimal)",
}


def solve(
    problem: ProblemData, params: SolverParams | None = None, *, initial_routes: list[list[str]] | None = None
) -> Solution:
    """Solve the day's problem with the OR-Tools model alone; return a checked-out :class:`Solution`.

    This is the engine, as one whole-day search: the strategies around it (PyVRP first, fewest
    trucks, by area) and the choice among them live in :mod:`wasteroute.search`, which is what
    a planner's run calls. ``params.engine``, ``minimise_trucks`` and ``decompose_above`` are
    not read here.

    Parameters
    ----------
    problem
        The day's problem.
    params
        Search settings; the defaults when left out.
    initial_routes
        A plan to start the local search from (warm start), one list per vehicle in
        ``problem.vehicles`` order, of point ids and landfill ids (a landfill id is one unload);
        a route that does not end at a landfill gets the nearest one. Routes that break a
        constraint are cut back to their longest feasible beginning; the points left out are
        inserted by the search.

    Raises
    ------
    InfeasibleError
        If OR-Tools finds no solution at all within the limits.
    """
    params = params or SolverParams()
    t0 = time.perf_counter()
    m = _build(problem, params)
    log.info(
        "model: %d points, %d landfill copies, %d trucks; searching up to %.0f s%s (%s + %s)",
        len(problem.points), len(m.landfill_nodes), len(problem.vehicles), params.time_limit_s,
        f" or {params.solution_limit} solutions" if params.solution_limit else "",
        params.first_solution, params.local_search,
    )
    if initial_routes is not None:
        assignment = _search_from(m, initial_routes, time_left(params, t0))
        left = time_left(params, t0)
        if assignment is None:
            log.warning("no search from initial_routes (not a feasible plan); searching from scratch for %.0f s", left)
            return solve(problem, dataclasses.replace(params, time_limit_s=max(left, 1.0)))
    else:
        assignment = _solve_with_fallback(m, t0)
    status = _STATUS.get(m.routing.status(), str(m.routing.status()))
    left = time_left(params, t0)
    if assignment is None and m.final_nodes and left > 0:
        # A mandatory final unload that some shift cannot fit after all: use the optional model.
        log.warning("no plan with a final unload node per truck; searching %.0f s without", left)
        fallback = dataclasses.replace(params, final_unload="optional", time_limit_s=left)
        return solve(problem, fallback, initial_routes=initial_routes)
    if assignment is None and initial_routes is None:
        assignment, m = _from_nothing(problem, params, m, t0)
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


def _from_nothing(problem: ProblemData, params: SolverParams, m: _Model, t0: float) -> tuple[Any, _Model]:
    """The last resort when no first-solution strategy gave a plan in time: start from no point
    served (ALL_UNPERFORMED, immediate) and let local search insert points for the time left
    (at least :data:`_LAST_RESORT_S`, longer on large models). Every point it cannot
    insert ends unassigned with its reason, so a large day always gets a plan near its deadline.
    A truck's mandatory final unload node cannot be left out, so this uses the optional model."""
    if m.final_nodes:
        m = _build(problem, dataclasses.replace(params, final_unload="optional"))
    seconds = max(time_left(params, t0), _LAST_RESORT_S, len(m.node_loc) / _LAST_RESORT_NODES_PER_S)
    log.warning("no first plan in time; starting from no point served and inserting points for %.1f s", seconds)
    return _run(m, _search_parameters(params, first_solution="ALL_UNPERFORMED", time_limit_s=seconds)), m


def _search_from(m: _Model, initial_routes: list[list[str]], seconds: float) -> Any:
    """Local search from the given routes for ``seconds``; None if they give no start.

    With a solution limit the whole ``seconds`` is the search's cap, however long reading
    the routes took (no decision on the clock; see :func:`time_left`).
    """
    t0 = time.perf_counter()

    def read_and_search() -> Any:
        # Reading the routes runs OR-Tools' at-solution callbacks: in the worker thread too, or a
        # Ctrl-C handled inside one of them (on the main thread) would be lost.
        start = _warm_start(m, initial_routes)
        left = seconds if m.params.solution_limit else seconds - (time.perf_counter() - t0)
        if start is None:
            return None
        m.progress.start_objective = int(start.ObjectiveValue())
        complete = m.progress.start_complete
        if left < 0.1 and complete:  # no time to search: the routes as read are the plan (feasible)
            log.info("warm start: no time left to search from the given routes; they are the plan")
            return start
        # Routes cut back left points out: they are inserted even past the budget (at least
        # _REPAIR_S), never handed on as left out for lack of time.
        sp = _search_parameters(m.params, time_limit_s=left if complete else max(left, _REPAIR_S))
        found = _timed(m, sp, lambda: m.routing.SolveFromAssignmentWithParameters(start, sp))
        if found is None:  # out of time before it re-checked the start (a busy machine)
            # The routes read (cut back where needed) are a feasible plan: better than a search
            # from scratch with no time left (Kim 1051 stops: 87 points out this way, 1,048 without).
            log.warning("warm start: no time left to search from the given routes; they are the plan%s",
                        "" if complete else " (cut back: the points cut out stay unassigned)")
            return start
        return found

    return _searching(m, read_and_search)


def time_left(params: SolverParams, started: float) -> float:
    """Seconds the next search of a run that started at ``started`` (``time.perf_counter()``) may take.

    Without a solution limit: what is left of ``params.time_limit_s``. With one, the whole
    ``time_limit_s`` every time: the run is bounded by solutions, the time limit only caps
    each search, and no decision (a fallback, a warm start, another fleet, an area's share)
    depends on how fast the machine is today. Same seed + same solution limit = same plan.
    """
    if params.solution_limit:
        return params.time_limit_s
    return params.time_limit_s - (time.perf_counter() - started)


def _run(m: _Model, sp: Any) -> Any:
    """One search of ``m`` from scratch with search parameters ``sp``; its assignment or None.

    Raises
    ------
    KeyboardInterrupt
        On Ctrl-C during the search (see :func:`_searching`).
    """
    return _searching(m, lambda: _timed(m, sp, lambda: m.routing.SolveWithParameters(sp)))


def _timed(m: _Model, sp: Any, search: Callable[[], Any]) -> Any:
    """``search()``, then a warning if a search bounded by solutions ran into its time cap."""
    t0 = time.perf_counter()
    out = search()
    _warn_if_cut_by_time(m, time.perf_counter() - t0, sp.time_limit.ToTimedelta().total_seconds())
    return out


def _searching(m: _Model, search: Callable[[], Any]) -> Any:
    """Run ``search`` (one native OR-Tools search of ``m``) so that Ctrl-C stops it at once.

    Python runs its SIGINT handler in the main thread between bytecodes only, so during a
    native search Ctrl-C waited for the search's end (three Ctrl-C were ignored). Here the
    search runs in a worker thread (OR-Tools releases the GIL) while the main thread waits
    in short joins, where KeyboardInterrupt arrives. Then ``RoutingModel.CancelSearch()``
    (thread-safe; it also holds when the search has not started yet) stops the search, and
    KeyboardInterrupt goes on up: an interrupted search gives no plan, and every caller
    (fleet sizes, areas) stops with it. Outside the main thread, where no signal arrives,
    the search runs directly.

    Raises
    ------
    KeyboardInterrupt
        On Ctrl-C (SIGINT) during the search.
    """
    m.progress.found = 0
    if threading.current_thread() is not threading.main_thread():
        return search()
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["result"] = search()
        except BaseException as exc:  # handed to the main thread below
            box["error"] = exc

    worker = threading.Thread(target=work, name="wasteroute-search", daemon=True)
    try:
        # Started inside the try: a Ctrl-C that lands right after start() (a first solution
        # can come within microseconds) must still cancel the search.
        worker.start()
        while worker.is_alive():
            worker.join(0.1)
    except BaseException:
        _cancel(m, worker)
        log.warning("interrupted: search stopped (%d solutions found, none kept)", m.progress.found)
        raise
    if "error" in box:
        raise box["error"]
    return box.get("result")


def _cancel(m: _Model, worker: threading.Thread) -> None:
    """Stop ``m``'s search and wait for its worker; further Ctrl-C only repeat the request."""
    while worker.is_alive():
        try:
            m.routing.CancelSearch()
            worker.join(0.05)
        except KeyboardInterrupt:
            continue


def _warn_if_cut_by_time(m: _Model, seconds: float, cap_s: float) -> None:
    """Say so when a search bounded by solutions was stopped by its time cap instead."""
    limit = m.params.solution_limit
    if limit and m.progress.found < limit and seconds >= 0.95 * cap_s:
        log.warning("the time limit (%.0f s) stopped the search after %d of %d solutions: this plan "
                    "depends on the machine's speed; raise the time limit for a reproducible plan",
                    cap_s, m.progress.found, limit)


def improve(problem: ProblemData, params: SolverParams, initial_routes: list[list[str]]) -> Solution | None:
    """Search from ``initial_routes`` for ``params.time_limit_s`` on the same fleet; None if
    OR-Tools cannot start from them (unlike ``solve``, no search from scratch follows).

    Used to polish a plan assembled elsewhere (``decompose``: the merged area plans).
    """
    t0 = time.perf_counter()
    m = _build(problem, params)
    assignment = _search_from(m, initial_routes, time_left(params, t0))
    if assignment is None:
        return None
    status = _STATUS.get(m.routing.status(), str(m.routing.status()))
    sol = _extract(m, assignment, status, time.perf_counter() - t0)
    return dataclasses.replace(sol, meta={**sol.meta, "start_objective": m.progress.start_objective})


@dataclass(frozen=True)
class Continued:
    """One truck's continuation in a re-plan: the stops after its start, and its break.

    ``steps`` are ``(location, service start s)`` pairs of the problem's points and landfills,
    then the depot; ``break_`` is the break OR-Tools scheduled (None when none is due).
    """

    vehicle: int
    steps: tuple[tuple[int, int], ...]
    break_: Break | None


@dataclass(frozen=True)
class Continuation:
    """What :func:`continue_routes` found: one :class:`Continued` per vehicle, the points
    (indices into ``problem.points``) left out, and the search's objective and status."""

    routes: tuple[Continued, ...]
    dropped: tuple[int, ...]
    objective: int
    status: str
    seconds: float


def continue_routes(
    problem: ProblemData, params: SolverParams, *, starts: list[VehicleStart] | tuple[VehicleStart, ...],
    initial_routes: list[list[str]] | None = None, home: dict[str, int] | None = None, move_cost: int = 0,
    penalties: dict[str, int] | None = None,
) -> Continuation:
    """Route ``problem.points`` with every truck starting from its :class:`VehicleStart` (a re-plan).

    The engine step of :mod:`wasteroute.replan`. ``initial_routes`` (point and landfill ids per
    vehicle, e.g. the morning plan's remaining stops) start the local search (warm start; cut back
    where infeasible); without a usable start the search starts from scratch. ``home`` maps a
    point id to the vehicle index that had it and ``move_cost`` is charged (in objective units)
    for each point another truck takes. ``penalties`` overrides ``drop_penalty`` per point id
    (complaint priorities).

    Raises
    ------
    InfeasibleError
        If OR-Tools finds no plan at all within the limits.
    """
    t0 = time.perf_counter()
    m = _build(problem, params, starts=tuple(starts), home=home, move_cost=move_cost, penalties=penalties)
    if initial_routes is not None:
        assignment = _search_from(m, initial_routes, time_left(params, t0))
    else:  # from scratch: the first-solution strategy, else from empty routes (OR-Tools' strategies
        # found no plan at all for a single truck that starts loaded with its final unload to do)
        assignment = _run(m, _search_parameters(params, time_limit_s=max(time_left(params, t0), 0.5)))
        if assignment is None:
            assignment = _search_from(m, [[] for _ in starts], max(time_left(params, t0), 1.0))
    if assignment is None:
        left = max(time_left(params, t0), 0.5)
        assignment = _run(m, _search_parameters(params, time_limit_s=left))
    if assignment is None and m.final_nodes:
        log.warning("re-plan: no plan with a final unload node per truck; searching without")
        fallback = dataclasses.replace(params, final_unload="optional", time_limit_s=max(time_left(params, t0), 1.0))
        return continue_routes(problem, fallback, starts=starts, initial_routes=initial_routes, home=home,
                               move_cost=move_cost, penalties=penalties)
    status = _STATUS.get(m.routing.status(), str(m.routing.status()))
    if assignment is None:
        raise InfeasibleError(f"OR-Tools found no re-plan ({status}); a truck may be unable to unload and be "
                              "back before its shift ends; check the time given and the trucks' state")
    return _continuation(m, assignment, status, time.perf_counter() - t0)


def _continuation(m: _Model, assignment: Any, status: str, seconds: float) -> Continuation:
    p, routing = m.problem, m.routing
    out, served = [], set()
    for vi in range(len(p.vehicles)):
        seq = _walk(m, assignment, assignment.Value(routing.NextVar(routing.Start(vi))), served)
        seq = _without_empty_unloads(p, seq, loaded=m.starts[vi].load_l > 0)
        brk = None
        if vi in m.breaks and assignment.PerformedValue(m.breaks[vi]):
            iv = m.breaks[vi]
            brk = Break(int(assignment.StartValue(iv)), int(assignment.DurationValue(iv)))
        out.append(Continued(vi, tuple(seq), brk))
    dropped = tuple(k for k in range(len(p.points)) if k not in served)
    return Continuation(tuple(out), dropped, int(assignment.ObjectiveValue()), status, seconds)


def _solve_with_fallback(m: _Model, t0: float) -> Any:
    """Search from ``first_solution``; if it has no plan after ``first_solution_timeout_s``, stop
    and search again from ``first_solution_fallback`` with the time that is left.

    The check is a custom search limit, a Python callback that the search calls very often: it
    slowed the local search on Kupang (563 nodes) by about 12 % in objective at 30 s. So it is
    armed only for models of ``_FALLBACK_MIN_NODES`` nodes or more (where the first strategy
    may take minutes), or when ``first_solution_timeout_s`` is set explicitly. The limit is
    only consulted between insertions, so PARALLEL_CHEAPEST_INSERTION overruns it on very large
    models (Kim 1932/2100 stops: past 60 s); from ``_FALLBACK_FIRST_NODES`` nodes it is skipped.

    With a solution limit no clock decides: the first strategy runs to its first plan, and
    only when it ends without one does the fallback strategy search (:func:`_bounded_fallback`).
    """
    prm, routing = m.params, m.routing
    small = len(m.node_loc) < _FALLBACK_MIN_NODES and prm.first_solution_timeout_s is None
    if small or not prm.first_solution_fallback or prm.first_solution_fallback == prm.first_solution:
        return _run(m, _search_parameters(prm))
    if len(m.node_loc) >= _FALLBACK_FIRST_NODES and prm.first_solution == "PARALLEL_CHEAPEST_INSERTION":
        log.warning("%d nodes: starting from %s (PARALLEL_CHEAPEST_INSERTION takes minutes here)",
                    len(m.node_loc), prm.first_solution_fallback)
        return _run(m, _search_parameters(prm, first_solution=prm.first_solution_fallback))
    if prm.solution_limit:
        return _bounded_fallback(m)
    deadline = t0 + (prm.first_solution_timeout_s or prm.time_limit_s / 3)
    state = {"found": False, "gave_up": False}

    def _at_solution() -> None:
        state["found"] = True

    def _give_up() -> bool:
        if not state["found"] and time.perf_counter() > deadline:
            state["gave_up"] = True
        return state["gave_up"]

    routing.AddAtSolutionCallback(_at_solution)
    routing.AddSearchMonitor(routing.solver().CustomLimit(_give_up))
    assignment = _run(m, _search_parameters(prm))
    if not state["gave_up"]:
        return assignment
    # Stopped inside the first strategy: what it returns (if anything) leaves the rest unassigned.
    left = prm.time_limit_s - (time.perf_counter() - t0)
    log.warning("%s found no first plan in %.1f s; trying %s for the %.1f s left",
                prm.first_solution, deadline - t0, prm.first_solution_fallback, left)
    state["gave_up"], deadline = False, math.inf
    fallback = _run(m, _search_parameters(prm, first_solution=prm.first_solution_fallback, time_limit_s=left))
    return fallback or assignment


def _bounded_fallback(m: _Model) -> Any:
    """A search bounded by solutions: ``first_solution``, then ``first_solution_fallback`` only if
    the first ended with no plan at all (each capped by the whole time limit, see :func:`time_left`)."""
    prm = m.params
    assignment = _run(m, _search_parameters(prm))
    if assignment is not None:
        return assignment
    log.warning("%s found no first plan; trying %s", prm.first_solution, prm.first_solution_fallback)
    return _run(m, _search_parameters(prm, first_solution=prm.first_solution_fallback))


def _warm_start(m: _Model, initial_routes: list[list[str]]) -> Any:
    """The given routes as an assignment, each cut back to its longest feasible beginning."""
    p, routing = m.problem, m.routing
    if len(initial_routes) > len(p.vehicles):
        raise InputError(f"initial_routes has {len(initial_routes)} routes for {len(p.vehicles)} vehicles")
    routes, free = _routes_as_indices(m, initial_routes)
    whole = []
    spare = {lid: list(nodes) for lid, nodes in free.items()}
    for vi in range(len(p.vehicles)):
        closed, taken = _closed(m, vi, routes[vi] if vi < len(routes) else [], spare)
        whole.append(closed)
        if taken is not None:
            spare[p.landfills[m.node_loc[taken] - 1].id].remove(taken)
    start = routing.ReadAssignmentFromRoutes(whole, True)
    m.progress.start_complete = start is not None
    if start is not None:  # the usual case (a feasible plan): no cutting needed
        return start
    kept = [_closed(m, vi, [], free)[0] for vi in range(len(p.vehicles))]
    for vi, route in enumerate(routes):
        lo, hi = 0, len(route)  # a feasible length, the longest one still to try
        while lo < hi:
            mid = (lo + hi + 1) // 2
            kept[vi] = _closed(m, vi, route[:mid], free)[0]
            if routing.ReadAssignmentFromRoutes(kept, True) is not None:
                lo = mid
            else:
                hi = mid - 1
        kept[vi], taken = _closed(m, vi, route[:lo], free)
        if lo and routing.ReadAssignmentFromRoutes(kept, True) is None:
            (kept[vi], taken), lo = _closed(m, vi, [], free), 0  # prefixes were not monotone
        if taken is not None:  # the closing landfill copy is now in use
            free[p.landfills[m.node_loc[taken] - 1].id].remove(taken)
        if lo < len(route):
            log.info("warm start: vehicle %s keeps %d of %d visits", p.vehicles[vi].id, lo, len(route))
    return routing.ReadAssignmentFromRoutes(kept, True)


def _routes_as_indices(m: _Model, initial_routes: list[list[str]]) -> tuple[list[list[int]], dict[str, list[int]]]:
    """Point and landfill ids -> routing indices (each landfill visit takes a free copy)."""
    p, manager = m.problem, m.manager
    point_node = {p.points[k].id: n for n, k in enumerate(m.node_point) if k >= 0}
    free: dict[str, list[int]] = {lf.id: [] for lf in p.landfills}
    finals = set(m.final_nodes.values())
    for n in reversed(m.landfill_nodes):
        if n not in finals:
            free[p.landfills[m.node_loc[n] - 1].id].append(n)
    out = []
    for vi, route in enumerate(initial_routes):
        if vi in m.final_nodes:  # the final unload is the truck's own node: no copy for it
            route = list(route)
            while route and route[-1] in free:
                route.pop()
        idx = []
        for pos, ident in enumerate(route):
            if ident in free and (pos == 0 or route[pos - 1] in free):
                continue  # an unload with nothing to unload: it would only use up a trip
            if ident in point_node:
                idx.append(manager.NodeToIndex(point_node.pop(ident)))
            elif free.get(ident):
                idx.append(manager.NodeToIndex(free[ident].pop()))
            elif ident not in free:
                raise InputError(f"initial_routes: {ident!r} is neither a point nor a landfill id (or repeats)")
            elif pos < len(route) - 1:  # a final unload is added by _closed anyway
                log.warning("initial_routes: no landfill copy of %s left for this visit; the route is cut", ident)
        out.append(idx)
    return out, free


def _closed(m: _Model, vi: int, route: list[int], free: dict[str, list[int]]) -> tuple[list[int], int | None]:
    """``route`` ending at a landfill, and the free copy that this took (if one).

    A truck with its own final unload node ends there (trailing landfill visits are folded
    into it); otherwise the nearest free copy follows the last point when needed.
    """
    manager = m.manager
    if vi in m.final_nodes:
        while route and m.node_point[manager.IndexToNode(route[-1])] < 0:
            route = route[:-1]
        return [*route, manager.NodeToIndex(m.final_nodes[vi])], None
    loaded_start = not route and bool(m.starts) and m.starts[vi].load_l > 0  # a re-plan: unload what is on board
    if not loaded_start and (not route or m.node_point[manager.IndexToNode(route[-1])] < 0):
        return route, None
    rows = _node_index(m)
    last = m.starts[vi].node if loaded_start else int(rows[manager.IndexToNode(route[-1])])
    node_time = m.problem.time_for(m.problem.vehicles[vi]).values
    options = [(int(node_time[last, rows[nodes[-1]]]), lid) for lid, nodes in free.items() if nodes]
    if not options:
        return route, None
    node = free[min(options)[1]][-1]
    return [*route, manager.NodeToIndex(node)], node


def _walk(m: _Model, assignment: Any, idx: int, served: set[int]) -> list[tuple[int, int]]:
    """(location, arrival s) from routing index ``idx`` to its route's end; adds the points met
    to ``served``."""
    routing, manager = m.routing, m.manager
    dim = routing.GetDimensionOrDie("time")
    seq: list[tuple[int, int]] = []
    while True:
        node = manager.IndexToNode(idx)
        seq.append((m.node_loc[node], assignment.Value(dim.CumulVar(idx))))
        if m.node_point[node] >= 0:
            served.add(m.node_point[node])
        if routing.IsEnd(idx):
            return seq
        idx = assignment.Value(routing.NextVar(idx))


def _extract(m: _Model, assignment: Any, status: str, seconds: float) -> Solution:
    p, routing = m.problem, m.routing
    routes = []
    served: set[int] = set()
    for vi, v in enumerate(p.vehicles):
        seq = _walk(m, assignment, routing.Start(vi), served)
        brk = None
        if vi in m.breaks:
            iv = m.breaks[vi]
            brk = Break(int(assignment.StartValue(iv)), int(assignment.DurationValue(iv)))
        seq = _without_empty_unloads(p, seq)
        if len(seq) <= 2:
            seq = [seq[0], (0, seq[0][1])]
        seq, brk = _route_break(p, v, seq, brk)
        routes.append(Route(v, build_visits(p, v, seq, break_=brk), brk))
    unassigned = dict(p.reasons)
    unassigned.update(drop_reasons(p, routes, [k for k in range(len(p.points)) if k not in served]))
    return Solution(
        problem=p, routes=tuple(routes), unassigned=unassigned, objective=_objective(m, assignment),
        status=status, solve_s=seconds, params=m.params,
    )


def _objective(m: _Model, assignment: Any) -> int:
    """OR-Tools' objective without the empty runs of unused trucks to their final unload node."""
    routing, total = m.routing, int(assignment.ObjectiveValue())
    for vi, node in m.final_nodes.items():
        start, final = routing.Start(vi), m.manager.NodeToIndex(node)
        if assignment.Value(routing.NextVar(start)) == final and routing.IsEnd(assignment.Value(routing.NextVar(final))):
            total -= routing.GetArcCostForVehicle(start, final, vi) + routing.GetArcCostForVehicle(final, routing.End(vi), vi)
    return total


def _without_empty_unloads(p: ProblemData, seq: list[tuple[int, int]], *, loaded: bool = False
                           ) -> list[tuple[int, int]]:
    """Remove landfill visits reached with an empty truck (they carry nothing to unload);
    ``loaded``: the truck starts with a load (a re-plan)."""
    n_lf = len(p.landfills)
    out: list[tuple[int, int]] = []
    for loc, t in seq:
        if 1 <= loc <= n_lf:
            if not loaded:
                continue
            loaded = False
        elif loc > n_lf:
            loaded = True
        out.append((loc, t))
    return out


def _route_break(
    p: ProblemData, v: Any, seq: list[tuple[int, int]], brk: Break | None
) -> tuple[list[tuple[int, int]], Break | None]:
    """The route's visits and its break as the plan states them, from what OR-Tools scheduled.

    OR-Tools lets a break lie after the route's end. A truck back by the time its window opens
    takes no break. A route whose work reaches the window holds its break: where OR-Tools put
    it after the return, it goes to the first leg with room for it inside the window, else onto
    the drive home from the last landfill (the return is then later by the break; the objective,
    travel time, is unchanged). (A model constraint that forbids such breaks made the search four
    times slower on the test day.) A break on a leg starts as early as the leg and the window
    allow: right after the previous stop, or when the window opens during the drive.
    """
    if brk is None or not brk.duration_s or len(seq) <= 2:
        return seq, None
    sh, dur = v.shift, brk.duration_s
    visits = build_visits(p, v, seq)  # departures and starts do not depend on the break
    end = visits[-1].arrival_s  # back at the depot (its cumul may hold idle slack after that)
    if end <= sh.break_earliest_s:
        return seq, None
    if brk.end_s <= visits[0].departure_s:
        return seq, brk  # at the depot before leaving
    after_end = brk.start_s >= end
    for a, b in zip(visits, visits[1:]):
        start = max(a.departure_s, sh.break_earliest_s)
        on_leg = a.departure_s <= brk.start_s and brk.end_s <= b.start_s
        fits = start <= sh.break_latest_s and a.departure_s + b.leg_time_s + dur <= b.start_s and start + dur <= b.start_s
        if (on_leg and not after_end) or (after_end and fits):
            return seq, Break(start, dur)
    last = visits[-2]  # the final landfill
    start = max(last.departure_s, sh.break_earliest_s)
    if end + dur <= sh.end_s and start <= sh.break_latest_s:
        return [*seq[:-1], (seq[-1][0], end + dur)], Break(start, dur)
    log.warning("%s: no room for its %d-minute break before the shift ends at %s", v.id, dur // 60,
                format_hhmm(sh.end_s))
    return seq, brk
