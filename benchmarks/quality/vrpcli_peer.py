"""The vrp-cli peer: the Rust "pragmatic" format solver (PyPI ``vrp-cli``) on a ``ProblemData``.

Benchmark-only (the ``bench`` extra); never imported by ``wasteroute``. The pragmatic format
models natively what PyVRP cannot: a break with a time window per shift, skills for kinds of
points, reloads (landfill visits with opening hours and unloading time) and point windows. So
the day goes to vrp-cli nearly as it is:

* jobs: one pickup per point (``demand = [litres, 1 if lifted by a truck with a containers
  limit]``, service, window) with the point's kind as a required skill;
* vehicles: one vehicle type per truck (its own id), skills = kinds it serves, capacity =
  ``[litres, containers per trip]``, shift from the depot with its break (window for the break's
  start, ``skip-if-no-intersection``), reloads at every landfill (hours, unloading time) and
  ``tourSize`` = ``max_stops`` where set;
* the route ends at the landfill nearest the depot (as in ``wasteroute.pyvrp_model``): a pickup
  is unloaded where the tour ends, so the end is the final unload; the shift end is brought
  forward by the unloading and the drive home, and both are added to the cost afterwards.

Relaxed (not expressible): the number of landfill trips (``max_trips``; the count is reported)
and the daily load limit. The cost objective is time only (``costs.time = 1``), as ours.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass

from wasteroute.problem import ProblemData

_DAY = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def _iso(seconds: int) -> str:
    return (_DAY + dt.timedelta(seconds=int(seconds))).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class VrpCliRoutes:
    """vrp-cli's answer: per used truck its ids (points and landfills, ending at a landfill)."""

    routes: dict[str, list[str]]
    unassigned: list[str]
    seconds: float
    notes: list[str]


def problem_json(problem: ProblemData, *, distance: bool = False,
                 fewest_trucks: bool = False) -> tuple[dict, dict]:  # type: ignore[type-arg]
    """The pragmatic problem and its routing matrix for ``problem``: cost = travel time (or
    distance with ``distance``), after serving every point (and using the fewest trucks)."""
    n_lf = len(problem.landfills)
    loops = [int(problem.time_s[0, 1 + j]) + int(problem.time_s[1 + j, 0]) for j in range(n_lf)]
    end_lf = min(range(n_lf), key=lambda j: loops[j])
    limited = any(v.containers_per_trip is not None for v in problem.vehicles)
    jobs = []
    for k, p in enumerate(problem.points):
        lifted = 1 if limited and all(v.containers_per_trip is not None for v in problem.vehicles if v.can_serve(p)) \
            else 0
        place = {"location": {"index": problem.point_location(k)}, "duration": int(p.service_s)}
        late = p.latest_s if p.latest_s >= 0 else max(v.shift.end_s for v in problem.vehicles)
        place["times"] = [[_iso(p.ready_s), _iso(late)]]
        jobs.append({"id": p.id, "pickups": [{"places": [place], "demand": [int(p.demand_l), lifted]}],
                     "skills": {"allOf": [f"kind:{p.kind}"]}})
    vehicles = []
    for v in problem.vehicles:
        sh = v.shift
        lf = problem.landfills[end_lf]
        home = int(problem.time_s[1 + end_lf, 0])
        shift: dict = {"start": {"earliest": _iso(sh.start_s), "location": {"index": 0}},  # type: ignore[type-arg]
                       "end": {"latest": _iso(min(sh.end_s - home - lf.unload_s, lf.closes_s)),
                               "location": {"index": problem.landfill_location(end_lf)}},
                       "reloads": [{"location": {"index": problem.landfill_location(j)}, "duration": int(f.unload_s),
                                    "times": [[_iso(f.opens_s), _iso(max(f.opens_s, f.closes_s - f.unload_s))]],
                                    "tag": f.id} for j, f in enumerate(problem.landfills)]}
        if sh.break_duration_s:
            shift["breaks"] = [{"time": [_iso(sh.break_earliest_s), _iso(sh.break_latest_s)],
                                "places": [{"duration": int(sh.break_duration_s)}],
                                "policy": "skip-if-no-intersection"}]
        vt = {"typeId": v.id, "vehicleIds": [v.id], "profile": {"matrix": "truck", "scale": 1.0 / v.speed_factor},
              "costs": {"fixed": 0, "distance": 1 if distance else 0, "time": 0 if distance else 1}, "shifts": [shift],
              "capacity": [int(v.capacity_l), int(v.containers_per_trip or 1_000_000)],
              "skills": [f"kind:{kd}" for kd in v.serves]}
        if v.max_stops is not None:
            vt["limits"] = {"tourSize": int(v.max_stops)}
        vehicles.append(vt)
    prob = {"plan": {"jobs": jobs}, "fleet": {"vehicles": vehicles, "profiles": [{"name": "truck"}]},
            "objectives": [[{"type": "minimize-unassigned"}],
                           *([[{"type": "minimize-tours"}]] if fewest_trucks else []),
                           [{"type": "minimize-cost"}]]}
    n = problem.time_s.shape[0]
    times = [int(problem.time_s[i, j]) for i in range(n) for j in range(n)]
    dists = [int(problem.dist_m[i, j]) for i in range(n) for j in range(n)]
    return prob, {"profile": "truck", "travelTimes": times, "distances": dists}


def solve_vrpcli(problem: ProblemData, budget: float, seed: int = 0, *, distance: bool = False,
                 fewest_trucks: bool = False) -> VrpCliRoutes:
    """vrp-cli on ``problem`` for ``budget`` seconds, one thread.

    (vrp-cli 1.22 takes no seed in its configuration: runs are not reproducible; ``seed`` is
    kept for the same call shape as the other peers.)
    """
    import vrp_cli

    prob, matrix = problem_json(problem, distance=distance, fewest_trucks=fewest_trucks)
    config = {"termination": {"maxTime": int(budget)},
              "environment": {"parallelism": {"numThreadPools": 1, "threadsPerPool": 1}}}
    t0 = time.perf_counter()
    raw = vrp_cli.solve_pragmatic(json.dumps(prob), [json.dumps(matrix)], json.dumps(config))
    secs = time.perf_counter() - t0
    sol = json.loads(raw)
    lf_at = {problem.landfill_location(j): f.id for j, f in enumerate(problem.landfills)}
    routes: dict[str, list[str]] = {}
    for tour in sol.get("tours", []):
        ids: list[str] = []
        for stop in tour["stops"]:
            for act in stop["activities"]:
                if act["type"] == "pickup":
                    ids.append(act["jobId"])
                elif act["type"] in ("reload", "arrival"):
                    loc = stop["location"]["index"]
                    if loc in lf_at:
                        ids.append(lf_at[loc])
        routes[tour["vehicleId"]] = ids
    unassigned = [u["jobId"] for u in sol.get("unassigned", []) or []]
    trips = {vid: sum(1 for i in ids if i in lf_at.values()) for vid, ids in routes.items()}
    over = [vid for vid, n in trips.items() if n > next(v.max_trips for v in problem.vehicles if v.id == vid)]
    notes = ["relaxed: landfill trips per truck, daily load"]
    if over:
        notes.append(f"{len(over)} trucks over their landfill trips")
    return VrpCliRoutes(routes, unassigned, secs, notes)
