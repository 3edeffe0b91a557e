"""Independent feasibility check of routes (location sequences) against an :class:`Instance`.

Used for every solver (ours is also checked by ``Solution.validate``). It simulates each route
with earliest service starts, waits where needed, and departs a reload place no earlier than
the release dates of the next trip. The lunch break (Kim) may start on leaving any stop (at
the earliest start of its window if that is later); every position is tried and a route is
feasible if one fits everything. (Until 2026-11-23 noon the break was placed greedily at the
first chance, which wrongly failed routes that take it later.)
"""

from __future__ import annotations

from .instances import Instance


def check_routes(inst: Instance, routes: list[list[int]]) -> list[str]:
    """Every violation found (empty list = feasible)."""
    errors: list[str] = []
    off = 1 + inst.n_landfills
    seen: dict[int, int] = {}
    for r in routes:
        for loc in r:
            if loc >= off:
                seen[loc] = seen.get(loc, 0) + 1
    missing = [k for k in range(inst.n_clients) if seen.get(off + k, 0) == 0]
    if missing:
        errors.append(f"{len(missing)} clients unserved (e.g. {missing[:3]})")
    dup = [loc for loc, c in seen.items() if c > 1]
    if dup:
        errors.append(f"{len(dup)} clients served more than once")
    if len(routes) > inst.num_vehicles and inst.fixed_fleet:
        errors.append(f"{len(routes)} routes, fleet is {inst.num_vehicles}")
    for i, r in enumerate(routes):
        errors += [f"route {i}: {e}" for e in _route(inst, r)]
    return errors


def _route(inst: Instance, r: list[int]) -> list[str]:
    errs: list[str] = []
    off = 1 + inst.n_landfills
    if not r or r[-1] >= off or r[-1] == 0:
        errs.append("does not end at a landfill before the depot")
    trips, load, total, stops = 0, 0, 0, 0
    for loc in r:
        if loc >= off:
            load += int(inst.demand[loc - off])
            total += int(inst.demand[loc - off])
            stops += 1
            if load > inst.capacity:
                errs.append(f"load {load} above capacity {inst.capacity}")
        else:
            trips += 1
            load = 0
    if trips > inst.max_trips:
        errs.append(f"{trips} trips > {inst.max_trips}")
    if inst.max_stops is not None and stops > inst.max_stops:
        errs.append(f"{stops} stops > {inst.max_stops}")
    if inst.daily_capacity is not None and total > inst.daily_capacity:
        errs.append(f"daily load {total} > {inst.daily_capacity}")
    return errs + _times(inst, r)


def _trip_release(inst: Instance, r: list[int], i: int) -> int:
    off = 1 + inst.n_landfills
    rel = 0
    for loc in r[i:]:
        if loc < off:
            break
        rel = max(rel, int(inst.release[loc - off]))
    return rel


def _times(inst: Instance, r: list[int]) -> list[str]:
    """Time violations of the route; with a lunch break, of its best break position.

    The break (one, not during service) is taken on leaving stop ``i`` (the depot is stop 0)
    at ``max(departure, earliest start)``; every position is tried and the route is feasible
    if one of them is. Taking it during a leg or a wait is the same as taking it on leaving.
    """
    if inst.lunch is None:
        return _schedule(inst, r, None)
    best: list[str] | None = None
    for pos in range(len(r) + 1):
        errs = _schedule(inst, r, pos)
        if not errs:
            return []
        if best is None or len(errs) < len(best):
            best = errs
    return best or []


def _schedule(inst: Instance, r: list[int], lunch_at: int | None) -> list[str]:
    """Earliest-start schedule with the break on leaving stop ``lunch_at`` (None: no break)."""
    errs: list[str] = []
    off = 1 + inst.n_landfills
    seq = [0, *r, 0]
    t = max(inst.depot_tw[0], _trip_release(inst, r, 0))  # departure from the depot
    for i in range(len(seq) - 1):
        a, b = seq[i], seq[i + 1]
        if inst.lunch is not None and i == lunch_at:
            start = max(t, inst.lunch[0])
            if start > inst.lunch[1]:
                errs.append("no room for the lunch break in its window")
            t = start + inst.lunch[2]
        arrive = t + int(inst.time[a, b])
        if b == 0:
            if arrive > inst.depot_tw[1]:
                errs.append(f"back at the depot at {arrive} > {inst.depot_tw[1]}")
            break
        if b >= off:
            k = b - off
            start = max(arrive, int(inst.ready[k]))
            if start > int(inst.due[k]):
                errs.append(f"client {k} served at {start} > due {int(inst.due[k])}")
            t = start + int(inst.service[k])
        else:
            lf = inst.landfills[b - 1]
            start = max(arrive, lf.opens)
            if start > lf.closes:
                errs.append(f"landfill {b} at {start} after its latest start {lf.closes}")
            # Release dates: leave the reload place no earlier than the next trip's release.
            t = max(start + lf.unload, _trip_release(inst, r, i + 1))
    return errs
