"""Solve an :class:`Instance` with our model (wasteroute), PyVRP or VROOM on equal budgets.

Every adapter returns a :class:`Run`: routes as location sequences without the depot at either
end (landfill/reload visits included), so that one checker and one objective serve all three.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

import numpy as np

from wasteroute.config import Facility, Shift, SolverParams
from wasteroute.errors import ValidationError
from wasteroute.problem import PointData, ProblemData, VehicleData

from .instances import Instance


@dataclass
class Run:
    """One solver's answer on one instance."""

    routes: list[list[int]]
    seconds: float
    notes: list[str] = field(default_factory=list)
    validate_errors: list[str] = field(default_factory=list)  # Solution.validate (ours only)


# ----------------------------------------------------------------------------- our model
def to_problem(inst: Instance) -> ProblemData:
    """The instance as our product's ``ProblemData`` (one 'landfill' at the depot where none)."""
    points = tuple(
        PointData(id=f"c{k}", name=f"c{k}", kind="waste", volume_m3=float(inst.demand[k]) / 1000,
                  demand_l=int(inst.demand[k]), service_s=int(inst.service[k]), ready_s=int(inst.ready[k]),
                  latest_s=int(inst.due[k]), lon=0.0, lat=0.0, release_s=int(inst.release[k]))
        for k in range(inst.n_clients)
    )
    if inst.lunch:
        e, lt, dur = inst.lunch
        shift = Shift(start_s=inst.depot_tw[0], end_s=inst.depot_tw[1], break_duration_s=dur,
                      break_earliest_s=e, break_latest_s=lt)
    else:
        shift = Shift(start_s=inst.depot_tw[0], end_s=inst.depot_tw[1], break_duration_s=0)
    vehicles = tuple(
        VehicleData(id=f"v{i}", type_name="truck", label=f"v{i}", serves=("waste",), capacity_l=inst.capacity,
                    containers_per_trip=None, max_trips=inst.max_trips, shift=shift, fuel_km_per_l=4.0,
                    idle_l_per_h=1.5, max_stops=inst.max_stops, max_daily_load_l=inst.daily_capacity)
        for i in range(inst.num_vehicles)
    )
    landfills = tuple(
        Facility(f"L{j}", f"landfill {j}", 0.0, 0.0, opens_s=lf.opens, closes_s=lf.closes + lf.unload,
                 unload_s=lf.unload)
        for j, lf in enumerate(inst.landfills)
    )
    return ProblemData(points=points, vehicles=vehicles, depot=Facility("D", "depot", 0.0, 0.0),
                       landfills=landfills, time_s=inst.time, dist_m=inst.dist, date=dt.date(2026, 1, 1))


def our_params(inst: Instance, budget: float, seed: int = 0, **overrides: object) -> SolverParams:
    """Distance objective; vehicles first where the set ranks them first (Kim): the fewest
    trucks search (``minimise_trucks``), without a fixed cost inside each attempt."""
    kim = inst.family == "kim"
    kw: dict = dict(time_limit_s=budget, seed=seed, time_weight=0, distance_weight=1,
                    vehicle_fixed_cost=0, drop_penalty=10**10, minimise_trucks=kim)
    kw.update(overrides)
    return SolverParams(**kw)


#: Model versions in the results (the current defaults are v4):
#: v1 = as first benchmarked: one landfill copy per truck trip at every landfill, only optional
#: copies, one search from the first strategy; v2 = fewer copies with several landfills +
#: first-solution fallback on large models; v3 = v2 + a mandatory final unload node per truck;
#: v4 = v3 + release dates as an element constraint (mtvrptwr schedules now hold them) + for
#: Kim the fewest-trucks search instead of a fixed cost of 10^7 per truck.
KIM_FIXED: dict[str, object] = {"vehicle_fixed_cost": 10**7, "minimise_trucks": False}
#: v5 = v4 with the hybrid engine (PyVRP's search, then OR-Tools): the default since 2026-11-30;
#: every earlier label runs the OR-Tools engine alone, as it did when it was measured.
ORTOOLS: dict[str, object] = {"engine": "ortools"}
V1: dict[str, object] = {"landfill_copies": "all", "first_solution_fallback": None, "final_unload": "optional",
                         **ORTOOLS}
V2: dict[str, object] = {"final_unload": "optional", **ORTOOLS}


def solve_ours(inst: Instance, budget: float, seed: int = 0, *, initial_routes: list[list[str]] | None = None,
               **overrides: object) -> Run:
    """Solve through ``wasteroute.search.solve`` (the planner's front door: strategies and the
    engine ``overrides`` may name, hybrid by default) and re-check with ``Solution.validate``."""
    from wasteroute.search import solve

    t0 = time.perf_counter()
    problem = to_problem(inst)
    sol = solve(problem, our_params(inst, budget, seed, **overrides), initial_routes=initial_routes)
    secs = time.perf_counter() - t0
    errors: list[str] = []
    try:
        sol.validate()
    except ValidationError as exc:
        errors = str(exc).splitlines()[1:]
    routes = [[v.location for v in r.visits[1:-1]] for r in sol.used_routes()]
    notes = [f"{len(sol.unassigned)} unassigned"] if sol.unassigned else []
    return Run(routes, secs, notes, errors)


def solve_warm(inst: Instance, budget: float, seed: int = 0) -> Run:
    """PyVRP for half the budget, then our model from PyVRP's routes for the other half.

    PyVRP's routes are given as point/landfill ids per vehicle; routes that break a rule
    PyVRP relaxes (Kim: lunch, route capacity per day, max stops) are cut back by the warm
    start to their longest feasible beginning and the rest is inserted by our search.
    """
    first = solve_pyvrp(inst, budget / 2, seed)
    off = 1 + inst.n_landfills
    routes = [[f"c{loc - off}" if loc >= off else f"L{loc - 1}" for loc in r] for r in first.routes]
    routes = routes[: inst.num_vehicles]
    run = solve_ours(inst, budget / 2, seed, initial_routes=routes, **(KIM_FIXED if inst.family == "kim" else {}))
    run.seconds += first.seconds
    run.notes.insert(0, f"PyVRP {budget / 2:g} s then ours {budget / 2:g} s from its {len(routes)} routes")
    return run


# ----------------------------------------------------------------------------- vrp-cli
def solve_vrpcli_peer(inst: Instance, budget: float, seed: int = 0) -> Run:
    """vrp-cli (pragmatic format) on the instance as our ``ProblemData`` (:mod:`.vrpcli_peer`):
    lunch, stops per day and landfill hours natively; trips and route capacity per day relaxed.
    Distance objective; for Kim the fewest trucks first."""
    from .vrpcli_peer import solve_vrpcli

    problem = to_problem(inst)
    res = solve_vrpcli(problem, budget, seed, distance=True, fewest_trucks=inst.family == "kim")
    loc = {p.id: problem.point_location(k) for k, p in enumerate(problem.points)}
    loc |= {f.id: problem.landfill_location(j) for j, f in enumerate(problem.landfills)}
    routes = [[loc[i] for i in ids] for ids in res.routes.values() if ids]
    notes = list(res.notes) + ([f"{len(res.unassigned)} unassigned"] if res.unassigned else [])
    return Run(routes, res.seconds, notes)


# ----------------------------------------------------------------------------- PyVRP
def solve_pyvrp(inst: Instance, budget: float, seed: int = 0) -> Run:
    """PyVRP on the same integer matrices; landfills are reload depots.

    Cannot model: the lunch break, the route capacity per day and the maximum stops per day
    (relaxed), and the final landfill visit before the depot (added afterwards: the cheapest
    landfill detour, included in the cost and in the check).
    """
    import pyvrp
    from pyvrp.stop import MaxRuntime

    n_l = inst.n_landfills if inst.max_trips > 1 or inst.family == "kim" else 0
    keep = [0, *range(1, 1 + n_l), *range(1 + inst.n_landfills, len(inst.xy))]
    locs = [pyvrp.Location(float(inst.xy[i, 0]), float(inst.xy[i, 1])) for i in keep]
    depots = [pyvrp.Depot(0, tw_early=inst.depot_tw[0], tw_late=inst.depot_tw[1])]
    depots += [pyvrp.Depot(1 + j, tw_early=lf.opens, tw_late=lf.closes, service_duration=lf.unload)
               for j, lf in enumerate(inst.landfills[:n_l])]
    off = 1 + n_l
    clients = [pyvrp.Client(off + k, delivery=[int(inst.demand[k])], service_duration=int(inst.service[k]),
                            tw_early=int(inst.ready[k]), tw_late=int(inst.due[k]), release_time=int(inst.release[k]))
               for k in range(inst.n_clients)]
    fixed = 10**7 if inst.family == "kim" else 0
    reloads = list(range(1, 1 + n_l)) if n_l else []
    max_reloads = max(0, inst.max_trips - (1 if inst.family == "kim" else 1)) if reloads else 0
    vt = pyvrp.VehicleType(inst.num_vehicles, capacity=[inst.capacity], tw_early=inst.depot_tw[0],
                           tw_late=inst.depot_tw[1], fixed_cost=fixed, reload_depots=reloads,
                           max_reloads=max_reloads)
    idx = np.asarray(keep)
    dist = np.ascontiguousarray(inst.dist[np.ix_(idx, idx)])
    dur = np.ascontiguousarray(inst.time[np.ix_(idx, idx)])
    data = pyvrp.ProblemData(locs, clients, depots, [vt], [dist], [dur])
    t0 = time.perf_counter()
    res = pyvrp.solve(data, stop=MaxRuntime(budget), seed=seed, display=False)
    secs = time.perf_counter() - t0
    notes = [] if res.best.is_feasible() else ["PyVRP best solution infeasible"]
    routes = []
    for r in res.best.routes():
        seq = []
        sched = r.schedule()
        for s in sched[1:-1]:
            seq.append(int(s.idx) + (1 + inst.n_landfills if not s.is_depot() else 0))
        routes.append(_close_with_landfill(inst, seq))
    if inst.family == "kim":
        notes.append("relaxed: lunch break, route capacity/day, max stops; final landfill added after")
    return Run(routes, secs, notes)


def _close_with_landfill(inst: Instance, seq: list[int]) -> list[int]:
    """End the route at a landfill (cheapest detour) unless it already does."""
    if seq and 1 <= seq[-1] <= inst.n_landfills:
        return seq
    last = seq[-1] if seq else 0
    best = min(range(1, 1 + inst.n_landfills), key=lambda j: inst.dist[last, j] + inst.dist[j, 0])
    return [*seq, best]


# ----------------------------------------------------------------------------- VROOM
def vroom_fits(inst: Instance) -> str:
    """Empty if VROOM can model the instance, else why not."""
    if inst.family == "kim":
        return "VROOM has no reloads (intermediate landfill visits)"
    if inst.family == "mtvrptwr":
        return "VROOM has no reloads (multi-trip) nor release dates"
    return ""


def solve_vroom(inst: Instance, budget: float, exploration: int = 5) -> Run:
    """VROOM via pyvroom, one thread, exploration level 5, timeout = budget."""
    import vroom

    n = len(inst.xy)
    problem = vroom.Input()
    problem.set_durations_matrix(profile="car", matrix_input=inst.time.astype(np.uint32))
    problem.set_costs_matrix(profile="car", matrix_input=inst.dist.astype(np.uint32))
    for i in range(inst.num_vehicles):
        problem.add_vehicle(vroom.Vehicle(i + 1, start=0, end=0, capacity=[inst.capacity],
                                          time_window=vroom.TimeWindow(*inst.depot_tw)))
    off = 1 + inst.n_landfills
    for k in range(inst.n_clients):
        problem.add_job(vroom.Job(k + 1, location=off + k, default_service=int(inst.service[k]),
                                  delivery=[int(inst.demand[k])],
                                  time_windows=[vroom.TimeWindow(int(inst.ready[k]), int(inst.due[k]))]))
    assert n > off
    t0 = time.perf_counter()
    sol = problem.solve(exploration_level=exploration, nb_threads=1, timeout=dt.timedelta(seconds=budget))
    secs = time.perf_counter() - t0
    df = sol.routes
    routes = []
    for _, grp in df.groupby("vehicle_id"):
        jobs = grp[grp["type"] == "job"]
        seq = [off + int(j) - 1 for j in jobs["id"]]
        if seq:
            routes.append(_close_with_landfill(inst, seq))
    notes: list[str] = []
    return Run(routes, secs, notes)
