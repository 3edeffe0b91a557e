"""Re-plan during the day: a truck breaks down, complaints come in; the rest of the plan holds.

``replan(problem, morning, "08:40", broken=["DT-03"], added=complaints)`` works out where every
truck is at that time (from the morning plan's schedule, or from a progress file of stop
check-offs or GPS fixes, :func:`read_progress`), keeps everything before it as it was, and
routes what is left: each truck continues from where it is with what it has on board, its
landfill trips, stops and break so far; a broken truck's remaining stops go to the others;
complaint pickups (:func:`read_complaints`: a latest time and a priority) are inserted. The
result, :class:`Replan`, holds the day's whole plan (a :class:`~wasteroute.solution.Solution`,
checked by :meth:`Replan.validate`) and what changed per truck, in words a driver understands.

Engine: the OR-Tools model (:func:`wasteroute.solver.continue_routes`), which takes a start node,
time and load per truck, starts from the morning's remaining routes (warm start) and charges
``replan_move_cost_s`` for every stop moved to another truck. Not PyVRP, although PyVRP 0.11+
has per-vehicle-type start depots, start times and initial loads: a stop's cost there cannot
depend on the truck that serves it, so plan stability (the moved-stop cost) has no place in its
objective, and its breaks, stops per day and daily loads would still need OR-Tools' repair;
with a 10 s answer the warm-started OR-Tools search alone is the better use of the time.

Stability also holds after the search: a truck whose remaining stops are the same set as in the
morning (and whose past is the morning's schedule) keeps its morning route exactly.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .config import SolverParams
from .diagnose import drop_reasons
from .errors import InputError, ValidationError
from .matrix import LocationMatrix, TravelMatrix, unreachable_locations
from .problem import BLOCKED_M, BLOCKED_S, PointData, ProblemData, VehicleData, blocked_select
from .replan_inputs import Complaint, ProgressRow, read_complaints, read_progress
from .solution import Break, Route, Solution, Visit, build_visits, empty_route
from .solver import VehicleStart, _route_break, continue_routes
from .units import format_hhmm, m3_to_litres, parse_hhmm

log = logging.getLogger("wasteroute")

#: Drop penalty factor of a complaint pickup by priority (1 most urgent): it is left out last.
PRIORITY_PENALTY = {1: 4, 2: 2, 3: 1}
#: Seconds kept back from a re-plan's budget for composing the routes and the change list.
_COMPOSE_S = 0.3
#: A GPS fix within this many metres of a stop counts as the truck being there.
GPS_RADIUS_M = 75.0


# ------------------------------------------------------------------ results
@dataclass(frozen=True)
class TruckChange:
    """What a re-plan changed for one truck.

    ``added`` are the stops it takes over (in route order), first after ``after``; ``removed``
    the stops it no longer serves, with ``moved_to`` the truck that took each (or "" when left
    out); ``reordered`` when only the order changed. Ends are the return to the depot (s).
    """

    truck: str
    status: str  # "broken" | "changed"
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    moved_to: tuple[str, ...] = ()
    after: str = ""
    reordered: bool = False
    end_before_s: int | None = None
    end_after_s: int | None = None
    km_before: float = 0.0
    km_after: float = 0.0
    at_s: int = 0
    #: The truck cannot be back within its shift (its crew is late): it works until ``end_after_s``.
    overtime: bool = False

    def text(self, language: str = "id") -> str:
        """One line for the driver: ``DT-05: +3 titik setelah KP-0211: KP-0412, ...; selesai 11:20``."""
        en = language == "en"
        if self.status == "broken":
            where = f" {'after' if en else 'setelah'} {self.after}" if self.after else ""
            n = len(self.removed)
            if en:
                return f"{self.truck}: broken down at {format_hhmm(self.at_s)}{where}; {n} stops to other trucks"
            return f"{self.truck}: rusak pukul {format_hhmm(self.at_s)}{where}; {n} titik ke truk lain"
        parts = []
        if self.added:
            word = "stops after" if en else "titik setelah"
            parts.append(f"+{len(self.added)} {word} {self.after}: {', '.join(self.added)}")
        by_truck: dict[str, list[str]] = {}
        for pid, dest in zip(self.removed, self.moved_to):
            by_truck.setdefault(dest, []).append(pid)
        for dest, pids in by_truck.items():
            if dest:
                parts.append(f"-{len(pids)} {'stops to' if en else 'titik ke'} {dest}: {', '.join(pids)}")
            else:
                parts.append(f"-{len(pids)} {'stops not served' if en else 'titik tidak dilayani'}: {', '.join(pids)}")
        if self.reordered and not parts:
            parts.append("order changed" if en else "urutan berubah")
        end = format_hhmm(self.end_after_s) if self.end_after_s is not None else "-"
        parts.append(f"{'back' if en else 'selesai'} {end}")
        if self.overtime:
            parts.append("OVERTIME: after the shift's end" if en else "LEMBUR: melewati akhir shift")
        return f"{self.truck}: " + "; ".join(parts)


@dataclass(frozen=True)
class Replan:
    """A re-plan at ``at_s``: the day's whole plan and what changed.

    ``prefix`` holds, per truck, the visits kept as they were (everything that began before the
    re-plan's time, and the stop a truck was driving to); ``served_before`` the points in them.
    ``reported`` names the trucks whose past came from a progress file.
    """

    solution: Solution
    morning: Solution
    at_s: int
    changes: tuple[TruckChange, ...]
    broken: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    prefix: Mapping[str, tuple[Visit, ...]] = field(default_factory=dict)
    reported: frozenset[str] = frozenset()
    language: str = "id"

    @property
    def at(self) -> str:
        """The re-plan's time, HH:MM."""
        return format_hhmm(self.at_s)

    @property
    def served_before(self) -> set[str]:
        """Points served before the re-plan's time (or on the way to at that time)."""
        return {v.id for vs in self.prefix.values() for v in vs if v.kind == "point"}

    @property
    def changed_trucks(self) -> list[str]:
        """Trucks whose route changed and that still drive (sheets and GPX are written for them)."""
        return [c.truck for c in self.changes if c.status == "changed"]

    def cost(self) -> dict[str, float]:
        """What the re-plan costs against the morning plan: fleet km, truck hours and minutes, points."""
        before, after = self.morning.fleet_kpis(), self.solution.fleet_kpis()
        hours = (sum(r.duration_s for r in self.solution.used_routes())
                 - sum(r.duration_s for r in self.morning.used_routes())) / 3600
        # What the trucks still driving take on (a broken truck's lost km are not a saving).
        others = [(a, b) for a, b in zip(self.morning.routes, self.solution.routes) if a.vehicle.id not in self.broken]
        km_others = sum(b.distance_m - a.distance_m for a, b in others) / 1000
        min_others = sum(b.duration_s - a.duration_s for a, b in others) / 60
        return {
            "km_before": before["km"], "km_after": after["km"], "km_added": round(after["km"] - before["km"], 1),
            "hours_before": before["hours"], "hours_after": after["hours"],
            "minutes_added": round(hours * 60), "km_others_added": round(km_others, 1),
            "minutes_others_added": round(min_others), "served_before": before["points_served"],
            "served_after": after["points_served"], "unassigned": after["points_unassigned"],
            "trucks_changed": len(self.changed_trucks), "solve_s": round(self.solution.solve_s, 1),
        }

    def report(self, language: str | None = None) -> str:
        """The change list and its cost as plain text."""
        lang = language or self.language
        en = lang == "en"
        c = self.cost()
        head = (f"{'Re-plan' if en else 'Rencana ulang'} {self.solution.problem.date.isoformat()} "
                f"{'at' if en else 'pukul'} {self.at}")
        lines = [head]
        if self.broken:
            lines.append(f"{'broken down' if en else 'rusak'}: {', '.join(self.broken)}")
        if self.added:
            lines.append(f"{'complaints added' if en else 'aduan ditambahkan'}: {', '.join(self.added)}")
        lines.append("")
        if self.changes:
            lines += [ch.text(lang) for ch in self.changes]
        else:
            lines.append("no route changes" if en else "tidak ada perubahan rute")
        lines.append("")
        lines.append(
            f"{'km' if en else 'km'} {c['km_before']:,.1f} -> {c['km_after']:,.1f} ({c['km_added']:+,.1f}); "
            f"{'truck hours' if en else 'jam truk'} {c['hours_before']:,.1f} -> {c['hours_after']:,.1f} "
            f"({c['minutes_added']:+,.0f} min); "
            f"{'unassigned' if en else 'tidak terlayani'} {c['unassigned']}; {c['solve_s']} s"
        )
        if self.broken:
            lines.append(f"{'trucks still driving' if en else 'truk yang masih jalan'}: "
                         f"{c['km_others_added']:+,.1f} km, {c['minutes_others_added']:+,.0f} min")
        for pid, why in sorted(self.solution.unassigned.items()):
            if pid not in self.morning.unassigned:
                lines.append(f"  {pid}: {why}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.report()

    def changes_frame(self) -> Any:
        """One row per changed truck (pandas DataFrame): status, stops added/removed, ends, km, text."""
        import pandas as pd

        cols = ["truck", "status", "added", "removed", "moved_to", "after", "end_before", "end_after",
                "km_before", "km_after", "text"]
        rows = [{"truck": ch.truck, "status": ch.status, "added": " ".join(ch.added),
                 "removed": " ".join(ch.removed), "moved_to": " ".join(d or "-" for d in ch.moved_to),
                 "after": ch.after,
                 "end_before": format_hhmm(ch.end_before_s) if ch.end_before_s is not None else "",
                 "end_after": format_hhmm(ch.end_after_s) if ch.end_after_s is not None else "",
                 "km_before": ch.km_before, "km_after": ch.km_after, "text": ch.text(self.language)}
                for ch in self.changes]
        return pd.DataFrame(rows, columns=cols)

    def check(self) -> list[str]:
        """Every problem of the re-plan (empty when it holds); see :meth:`validate`."""
        out = [str(f) for f in self.solution.check() if not self._reported_past(f)]
        morning_ids = {p.id for p in (*self.morning.problem.points, *self.morning.problem.excluded)}
        everything = morning_ids | set(self.added)
        before = self.served_before
        after = {v.id for r in self.solution.routes for v in r.stops} - before
        unassigned = set(self.solution.unassigned)
        both = (before | after) & unassigned
        if both:
            out.append(f"served and unassigned: {', '.join(sorted(both))}")
        lost = everything - before - after - unassigned
        if lost:
            out.append(f"lost in the re-plan (neither served nor unassigned): {', '.join(sorted(lost))}")
        extra = (before | after | unassigned) - everything
        if extra:
            out.append(f"neither morning points nor added: {', '.join(sorted(extra))}")
        for truck, kept in self.prefix.items():
            now = self.solution.route_of(truck).visits[:len(kept)]
            if tuple(_fixed(v) for v in now) != tuple(_fixed(v) for v in kept):
                out.append(f"{truck}: its route before {self.at} was changed")
        return out

    def validate(self) -> None:
        """Check the re-plan: every rule on every route (the past as reported excepted), morning
        points ∪ added = served before ∪ served after ∪ unassigned (with reasons), and nothing
        before the re-plan's time changed.

        Raises
        ------
        ValidationError
            Listing every problem found.
        """
        problems = self.check()
        if problems:
            raise ValidationError(f"re-plan at {self.at} breaks {len(problems)} rule(s):\n"
                                  + "\n".join(f"  - {p}" for p in problems))

    def _reported_past(self, finding: Any) -> bool:
        """A finding about what a crew did before the re-plan, as its progress file says (news, not a bug)."""
        if finding.truck not in self.reported:
            return False
        n = len(self.prefix.get(finding.truck, ()))
        return (finding.step is not None and finding.step < n) or finding.kind == "break"


def _fixed(v: Visit) -> tuple[Any, ...]:
    return (v.kind, v.id, v.arrival_s, v.start_s, v.departure_s, v.load_after_l, v.leg_distance_m, v.leg_time_s)


# ------------------------------------------------------------------ the state at a time
@dataclass
class _State:
    """One truck at the re-plan's time."""

    vehicle: VehicleData
    morning: Route
    prefix: list[tuple[int, int]]  # (location, start s) kept, ending where the truck is
    break_: Break | None = None  # taken (kept) before the truck is free
    break_taken: bool = False
    broken: bool = False
    finished: bool = False
    reported: bool = False
    at_s: int = 0
    overtime_s: int | None = None  # the shift's end extended to this (a crew running late)
    kept: tuple[Visit, ...] = ()  # visits that must stay as they were


def _parse_at(at: str | int) -> int:
    try:
        return parse_hhmm(at)
    except ValueError as exc:
        raise InputError(f"re-plan time {at!r}: {exc}") from None


def _parse_broken(broken: Iterable[str] | str, problem: ProblemData) -> dict[str, str]:
    items = [broken] if isinstance(broken, str) else list(broken)
    out: dict[str, str] = {}
    trucks = {v.id for v in problem.vehicles}
    for item in items:
        for part in str(item).split(","):
            part = part.strip()
            if not part:
                continue
            truck, _, where = part.partition("@")
            if truck not in trucks:
                raise InputError(f"--broken {part}: no truck {truck!r} in the plan; trucks are "
                                 f"{', '.join(sorted(trucks)[:8])}...")
            out[truck] = where.strip()
    if out and len(out) == len(trucks):
        raise InputError("every truck is broken down; nothing can be re-planned")
    return out


def _schedule_state(r: Route, at_s: int, broken: bool) -> _State:
    """Where ``r``'s truck is at ``at_s`` by the morning schedule."""
    v, vs = r.vehicle, r.visits
    st = _State(v, r, [])
    if not r.used:
        st.prefix = [(0, max(at_s, v.shift.start_s))]
        return st
    k = 0
    for i in range(1, len(vs)):
        # A truck that has left for a stop goes on to it (broken: only stops it began).
        began = vs[i].start_s <= at_s if broken else vs[i - 1].departure_s <= at_s
        if not began:
            break
        k = i
    if k == len(vs) - 1:  # back at the depot: done for the day (broken down or not)
        st.finished = True
        st.prefix = [(x.location, x.start_s) for x in vs]
        st.kept = vs
        return st
    if k == 0:
        brk = r.break_ if r.break_ is not None and r.break_.start_s < at_s else None
        start = max(at_s, v.shift.start_s, brk.end_s if brk else 0)
        st.prefix, st.break_, st.break_taken = [(0, start)], brk, brk is not None
        return st
    st.prefix = [(x.location, x.start_s) for x in vs[:k + 1]]
    st.kept = vs[:k + 1]
    if r.break_ is not None and r.break_.start_s < max(vs[k].departure_s, at_s):
        st.break_, st.break_taken = r.break_, True
    return st


def _reported_state(r: Route, rows: Sequence[ProgressRow], at_s: int, full: ProblemData,
                    locations: dict[str, int]) -> _State:
    """Where ``r``'s truck is at ``at_s`` by its progress rows (check-offs or matched GPS fixes)."""
    v = r.vehicle
    stops: list[tuple[int, int]] = []
    for row in rows:
        if row.time_s > at_s:
            continue
        loc = locations[row.point]
        if loc == 0 or (stops and stops[-1][0] == loc):
            continue  # the depot, or the same stop again (GPS fixes while loading)
        stops.append((loc, row.time_s))
    st = _State(v, r, [], reported=True)
    if not stops:
        st.prefix = [(0, max(at_s, v.shift.start_s))]
        return st
    first = stops[0]
    drive = int(math.ceil(full.time_for(v)[0, first[0]] / v.speed_factor))
    leave = max(v.shift.start_s, first[1] - drive)
    seq = [(0, leave)]
    visits = build_visits(full, v, seq)
    for loc, when in stops:  # times as reported, but never before the truck can get there
        prev_dep = visits[-1].departure_s
        start = max(when, prev_dep + int(math.ceil(full.time_for(v)[seq[-1][0], loc] / v.speed_factor)))
        seq.append((loc, start))
        visits = build_visits(full, v, seq)
    st.prefix = seq
    st.kept = visits
    # The break: still to come if its window is open, else taken where the crew took it.
    sh = v.shift
    if sh.break_duration_s and at_s > sh.break_latest_s:
        st.break_taken = True
    return st


def _truncate_at(st: _State, where: str, full: ProblemData) -> None:
    """A broken truck stopped after the stop ``where`` (a point id of its route so far)."""
    ids = [full.depot.id if loc == 0 else _loc_id(full, loc) for loc, _ in st.prefix]
    morning_ids = [x.id for x in st.morning.visits]
    if where in ids:
        k = ids.index(where)
    elif where in morning_ids and not st.reported:
        k = morning_ids.index(where)  # broke down later than the schedule says
        st.prefix = [(x.location, x.start_s) for x in st.morning.visits[:k + 1]]
    else:
        raise InputError(f"--broken {st.vehicle.id}@{where}: {where} is not a stop of {st.vehicle.id}'s route "
                         "so far; give the last stop it served, or leave out @")
    st.prefix = st.prefix[:k + 1]
    st.kept = build_visits(full, st.vehicle, st.prefix, break_=st.break_)


def _loc_id(p: ProblemData, loc: int) -> str:
    if loc == 0:
        return p.depot.id
    if loc <= len(p.landfills):
        return p.landfills[loc - 1].id
    return p.points[loc - 1 - len(p.landfills)].id


# ------------------------------------------------------------------ added points
def _with_added(problem: ProblemData, complaints: Sequence[Complaint], graph: Any) -> ProblemData:
    """``problem`` with the complaint pickups as new points at the end (morning locations unchanged)."""
    if not complaints:
        return problem
    known = {q.id: q for q in (*problem.points, *problem.excluded, *problem.not_due)}
    loc_of = {q.id: problem.point_location(k) for k, q in enumerate(problem.points)}
    problems, new_points, rows = [], [], []
    for c in complaints:
        if c.id in known or c.id in {problem.depot.id, *(lf.id for lf in problem.landfills)}:
            problems.append(f"complaint {c.id}: the id is already a point or facility of the day; rename it")
            continue
        base = known.get(c.point) if c.point else None
        if c.point and base is None:
            problems.append(f"complaint {c.id}: point {c.point!r} is not a collection point of this scenario; "
                            "give a point id of the day or lon/lat")
            continue
        if c.point and c.point not in loc_of:
            problems.append(f"complaint {c.id}: point {c.point} has no road location today (set aside or not "
                            "due); give its lon/lat instead")
            continue
        new_points.append(_complaint_point(c, base))
        rows.append(int(problem.loc_node[loc_of[c.point]]) if c.point else -1)
    if problems:
        raise InputError(f"{len(problems)} complaint(s) cannot be placed", problems)
    kinds = {k for v in problem.vehicles for k in v.serves}
    bad = [f"complaint {p.id}: kind {p.kind!r} is served by no truck today (kinds: {', '.join(sorted(kinds))})"
           for p in new_points if p.kind not in kinds]
    if bad:
        raise InputError("complaint kinds no truck serves", bad)
    if any(r < 0 for r in rows):
        return _with_snapped(problem, complaints, new_points, graph)
    at = [loc_of[c.point] for c in complaints]  # each pickup at its point's place, on every road profile
    return problem.replace(
        points=(*problem.points, *new_points),
        time_s=_more(problem.time_s, at), dist_m=_more(problem.dist_m, at),
        profile_time_s=tuple(_more(m, at) for m in problem.profile_time_s),
        profile_dist_m=tuple(_more(m, at) for m in problem.profile_dist_m),
        matrix=_more_tm(problem.matrix, [c.point for c in complaints], [q.id for q in new_points]),
        profile_matrices=tuple(_more_tm(tm, [c.point for c in complaints], [q.id for q in new_points])
                               for tm in problem.profile_matrices))


def _more(m: LocationMatrix, locations: Sequence[int]) -> LocationMatrix:
    """``m`` with one more location at the place of each of ``locations`` (same values)."""
    return LocationMatrix(m.values, np.concatenate([m.loc_node, m.loc_node[list(locations)]]))


def _more_tm(tm: TravelMatrix | None, at_ids: Sequence[str], new_ids: Sequence[str]) -> TravelMatrix | None:
    """A :class:`TravelMatrix` (for drawing) with the new ids at the places of ``at_ids``."""
    if tm is None:
        return None
    pos = [tm.position(i) for i in at_ids]
    return TravelMatrix(ids=(*tm.ids, *new_ids), nodes=np.concatenate([tm.nodes, tm.nodes[pos]]),
                        node_time_s=tm.node_time_s, node_dist_m=tm.node_dist_m,
                        loc_node=np.concatenate([tm.loc_node, tm.loc_node[pos]]).astype(tm.loc_node.dtype),
                        unreachable=tm.unreachable, index=tm.index,
                        places=(*tm.places, *(tm.places[k] for k in pos)))


def _with_snapped(problem: ProblemData, complaints: Sequence[Complaint], new_points: list[PointData],
                  graph: Any) -> ProblemData:
    """Complaints at lon/lat: placed on their street like the points, the matrices computed again
    (one per road profile). A complaint at a point of the day keeps that point's place.

    Raises
    ------
    InputError
        Without a road graph, or for a place too far from a road or cut off from the depot or landfill.
    """
    import pandas as pd

    from .matrix import build_matrix
    from .onstreet import street_ways
    from .stops import snap_points

    matrix = problem.matrix
    loose = [c for c in complaints if not c.point]
    if graph is None or matrix is None:
        raise InputError(f"complaints {', '.join(c.id for c in loose)} give lon/lat, but this plan has no road "
                         "graph to place them on; give the point id of the nearest TPS, or re-plan from the "
                         "scenario (CLI)")
    frame = pd.DataFrame({"id": [c.id for c in loose], "lon": [c.lon for c in loose], "lat": [c.lat for c in loose]})
    snapped, report = snap_points(frame, graph, max_snap_m=max(_snap_limit(problem), 300.0))
    if report.too_far:
        raise InputError("complaints too far from a road", [f"complaint {k}: {v}" for k, v in report.too_far.items()])
    where = {i: (int(n), float(d), w) for i, n, d, w in zip(snapped["id"], snapped["node"], snapped["snap_m"],
                                                             street_ways(snapped, graph))}
    ids, nodes = [*matrix.ids], [int(n) for n in matrix.nodes]
    ways: list[Any] = [None if isinstance(pl, int) else pl for pl in matrix.places]
    placed = []
    for c, q in zip(complaints, new_points):
        if c.point:
            pos = matrix.position(c.point)
            node, way = int(matrix.nodes[pos]), ways[pos]
        else:
            node, snap_m, way = where[c.id]
            q = dataclasses.replace(q, node=node, snap_m=snap_m)
        ids.append(q.id)
        nodes.append(node)
        ways.append(way)
        placed.append(q)
    tm, *extra = [build_matrix(m.index, ids, nodes, ways=ways) for m in (matrix, *problem.profile_matrices)]
    new_ids = {q.id for q in placed}
    bad = sorted({x for pair in tm.unreachable for x in pair if x in new_ids})
    if bad:
        raise InputError(f"complaints {', '.join(bad)} cannot be reached by road from the depot or landfill "
                         "(or back); check their lon/lat")
    anchors = [problem.depot.id, *(lf.id for lf in problem.landfills)]
    cut = [unreachable_locations(t, anchors) for t in extra]  # road profiles that cannot reach a complaint
    placed = [dataclasses.replace(q, blocked_profiles=tuple(k for k, c in enumerate(cut, 1) if q.id in c))
              for q in placed]
    points = (*problem.points, *placed)
    idx = [tm.position(i) for i in [*anchors, *(q.id for q in points)]]
    return problem.replace(points=points, time_s=tm.time_s.select(idx), dist_m=tm.dist_m.select(idx), matrix=tm,
                           profile_time_s=tuple(blocked_select(t.time_s, idx, BLOCKED_S) for t in extra),
                           profile_dist_m=tuple(blocked_select(t.dist_m, idx, BLOCKED_M) for t in extra),
                           profile_matrices=tuple(extra))


def _snap_limit(problem: ProblemData) -> float:
    """The largest snap distance among the day's points (a complaint may be as far from a road)."""
    return max((p.snap_m for p in problem.points), default=0.0)


def _complaint_point(c: Complaint, base: PointData | None) -> PointData:
    kind = c.kind or (base.kind if base is not None else "roadside")
    service = c.service_s
    if service is None:
        service = 720 if kind == "container" else 300 + int(round(c.volume_m3 / 0.1 * 60))
    lon = base.lon if base is not None else float(c.lon or 0.0)
    lat = base.lat if base is not None else float(c.lat or 0.0)
    name = c.name or (f"Aduan {c.id}: {base.name}" if base is not None else f"Aduan {c.id}")
    return PointData(id=c.id, name=name, kind=kind, volume_m3=round(c.volume_m3, 3),
                     demand_l=max(1, m3_to_litres(c.volume_m3)), service_s=int(service), ready_s=int(c.ready_s),
                     latest_s=int(c.latest_s), lon=lon, lat=lat,
                     kelurahan=base.kelurahan if base is not None else "",
                     kecamatan=base.kecamatan if base is not None else "",
                     node=base.node if base is not None else -1, snap_m=base.snap_m if base is not None else 0.0,
                     blocked_profiles=base.blocked_profiles if base is not None else ())


# ------------------------------------------------------------------ progress
def _match_progress(rows: Sequence[ProgressRow], full: ProblemData, trucks: set[str]) -> dict[str, list[ProgressRow]]:
    """Progress rows by truck with every place resolved to a point, landfill or depot id."""
    ids = {full.depot.id, *(lf.id for lf in full.landfills), *(p.id for p in full.points)}
    places = [(full.depot.id, full.depot.lon, full.depot.lat),
              *((lf.id, lf.lon, lf.lat) for lf in full.landfills),
              *((p.id, p.lon, p.lat) for p in full.points)]
    lons = np.array([x[1] for x in places])
    lats = np.array([x[2] for x in places])
    problems, out, unmatched = [], {}, 0
    for row in rows:
        if row.truck not in trucks:
            problems.append(f"row {row.row}: truck {row.truck!r} is not in the plan; use the plan's truck ids")
            continue
        point = row.point
        if point and point not in ids:
            problems.append(f"row {row.row}: {point!r} is no point, landfill or depot of the day; check the id")
            continue
        if not point:
            assert row.lon is not None and row.lat is not None
            k = 111_320.0 * math.cos(math.radians(row.lat))
            d = np.hypot((lons - row.lon) * k, (lats - row.lat) * 110_540.0)
            j = int(np.argmin(d))
            if d[j] > GPS_RADIUS_M:
                unmatched += 1  # a fix between stops: where the truck drove, not where it served
                continue
            point = places[j][0]
        out.setdefault(row.truck, []).append(dataclasses.replace(row, point=point))
    if problems:
        raise InputError(f"progress: {len(problems)} row(s) do not match the plan", problems)
    if unmatched:
        log.info("progress: %d GPS fixes farther than %.0f m from every stop (between stops) ignored",
                 unmatched, GPS_RADIUS_M)
    seen: dict[str, tuple[str, int]] = {}
    dup = []
    pids = {p.id for p in full.points}
    for truck, truck_rows in out.items():
        last = ""
        for row in truck_rows:
            if row.point in pids and row.point != last:  # repeats in a row: GPS fixes while loading
                if row.point in seen:
                    dup.append(f"row {row.row}: {row.point} was already served (row {seen[row.point][1]}, "
                               f"{seen[row.point][0]}); a point is served once a day")
                seen[row.point] = (truck, row.row)
            last = row.point
    if dup:
        raise InputError("progress: points served twice", dup)
    return out


# ------------------------------------------------------------------ the re-plan
def replan(
    problem: ProblemData,
    morning: Solution,
    at: str | int,
    *,
    broken: Iterable[str] | str = (),
    added: Sequence[Complaint] | str | Path = (),
    done: Sequence[ProgressRow] | str | Path | None = None,
    params: SolverParams | None = None,
    move_cost: int | None = None,
    language: str = "id",
    graph: Any = None,
    warm_start: bool = True,
) -> Replan:
    """Re-plan the rest of the day at ``at`` ("HH:MM" or seconds after midnight).

    Parameters
    ----------
    problem
        The day's problem, the one ``morning`` was made for (``Scenario.build()``).
    morning
        The plan in force (``Solution.from_json("out/<date>/plan.json", problem)``).
    at
        The time of the re-plan.
    broken
        Trucks broken down at ``at``: ``"DT-03"``, or ``"DT-03@KP-0211"`` when it stopped after
        that stop (default: after the last stop it began by the schedule or progress).
    added
        Complaint pickups (:func:`read_complaints`, or the path of a complaints CSV).
    done
        Progress rows (:func:`read_progress`, or a path): for the trucks they name, what they did
        instead of the schedule.
    params
        Search settings; the morning plan's (else the defaults) when left out. The search takes
        ``replan_time_limit_s`` (10 s by default) and stops earlier at ``solution_limit``.
    move_cost
        Cost per stop moved to another truck, in seconds of travel; default ``replan_move_cost_s``.
    language
        Of the change list: ``"id"`` (Bahasa Indonesia) or ``"en"``.
    graph
        Road graph for complaints given by lon/lat (default: ``morning.graph``).
    warm_start
        Start the search from the trucks' remaining morning routes (default). False: route the rest
        of the day from scratch (first-solution strategy; no home trucks, so no move cost either);
        for comparison, as in ``benchmarks/speed/replan_bench.py``.

    Raises
    ------
    InputError
        If the plan is for another problem, a truck or stop is unknown, a file is malformed.
    InfeasibleError
        If no re-plan exists (a truck cannot unload and be back within its shift).
    """
    t0 = time.perf_counter()
    at_s = _parse_at(at)
    if language not in ("id", "en"):
        raise InputError(f"language {language!r} must be 'id' or 'en'")
    _check_same_problem(problem, morning)
    complaints = tuple(read_complaints(added) if isinstance(added, (str, Path)) else added)
    rows = tuple(read_progress(done) if isinstance(done, (str, Path)) else (done or ()))
    full = _with_added(problem, complaints, graph if graph is not None else morning.graph)
    broken_at = _parse_broken(broken, problem)
    states = _states(full, morning, at_s, broken_at, rows)
    base = params or (morning.params if isinstance(morning.params, SolverParams) else None) or SolverParams()
    # The answer, not only the search, within replan_time_limit_s: the state and a matrix for
    # complaints placed by lon/lat (about 1.5 s on Kupang) come out of the search's time. A run
    # bounded by solutions keeps the whole limit as its cap (no decision on the clock).
    spent = 0.0 if base.solution_limit else time.perf_counter() - t0 + _COMPOSE_S
    sp = dataclasses.replace(base, time_limit_s=max(base.replan_time_limit_s - spent, 1.0))
    cost = base.replan_move_cost_s if move_cost is None else int(move_cost)
    if cost < 0:
        raise InputError(f"move_cost {cost} must be >= 0 (seconds per moved stop)")
    routes, unassigned, cont = _solve_rest(full, morning, states, sp, cost * max(sp.time_weight, 1),
                                           {c.id: c.priority for c in complaints}, at_s, warm_start)
    sol = Solution(problem=full, routes=tuple(routes), unassigned=unassigned, objective=cont[0], status=cont[1],
                   solve_s=cont[2], params=sp, engine="ortools",
                   meta={**morning.meta, "replan_at": format_hhmm(at_s)}, graph=morning.graph)
    prefix = {s.vehicle.id: s.kept for s in states if s.kept}
    changes = _changes(morning, sol, states, at_s, broken_at)
    result = Replan(solution=sol, morning=morning, at_s=at_s, changes=changes, broken=tuple(broken_at),
                    added=tuple(c.id for c in complaints), prefix=prefix,
                    reported=frozenset(s.vehicle.id for s in states if s.reported), language=language)
    log.info("re-plan at %s: %d trucks changed, %d unassigned, in %.1f s", result.at, len(result.changed_trucks),
             len(sol.unassigned), sol.solve_s)
    return result


def _check_same_problem(problem: ProblemData, morning: Solution) -> None:
    mp = morning.problem
    same = (mp.date == problem.date and [p.id for p in mp.points] == [p.id for p in problem.points]
            and [v.id for v in mp.vehicles] == [v.id for v in problem.vehicles])
    if not same:
        raise InputError(f"the morning plan is for {mp.date.isoformat()} with {len(mp.points)} points and "
                         f"{len(mp.vehicles)} trucks, the problem for {problem.date.isoformat()} with "
                         f"{len(problem.points)} and {len(problem.vehicles)}; read the plan with this problem "
                         "(Solution.from_json(path, problem))")


def _states(full: ProblemData, morning: Solution, at_s: int, broken_at: Mapping[str, str],
            rows: Sequence[ProgressRow]) -> list[_State]:
    by_truck = _match_progress(rows, full, {v.id for v in full.vehicles}) if rows else {}
    locations = {full.depot.id: 0, **{lf.id: 1 + i for i, lf in enumerate(full.landfills)},
                 **{p.id: full.point_location(k) for k, p in enumerate(full.points)}}
    for vid, where in broken_at.items():
        done_ids = [x.id for x in morning.route_of(vid).visits] + [r.point for r in by_truck.get(vid, [])]
        if where and where not in done_ids:
            raise InputError(f"--broken {vid}@{where}: {where} is not a stop of {vid}'s route so far; give the "
                             "last stop it served, or leave out @")
    states = []
    for r in morning.routes:
        vid = r.vehicle.id
        if vid in by_truck:
            st = _reported_state(r, by_truck[vid], at_s, full, locations)
        else:
            st = _schedule_state(r, at_s, vid in broken_at)
        st.at_s = at_s
        if vid in broken_at and not st.finished:
            st.broken = True
            if broken_at[vid]:
                _truncate_at(st, broken_at[vid], full)
        states.append(st)
    return states


def _start_of(full: ProblemData, st: _State) -> VehicleStart:
    """The solver's start for a truck: its position's road node, free time and use of the day so far."""
    v = st.vehicle
    visits = build_visits(full, v, st.prefix, break_=st.break_)
    last = visits[-1]
    items = 0
    for x in visits:
        items = items + 1 if x.kind == "point" else (0 if x.kind == "landfill" else items)
    points = [x for x in visits if x.kind == "point"]
    # A crew checked off earlier than now is on its way somewhere: free from now on.
    free = last.departure_s if len(visits) > 1 else st.prefix[0][1]
    if st.reported:
        free = max(free, st.at_s)
    return VehicleStart(node=int(full.loc_node[last.location]), time_s=int(free), load_l=int(last.load_after_l),
                        items=items, trips=sum(1 for x in visits if x.kind == "landfill"), stops=len(points),
                        daily_load_l=sum(x.point.demand_l for x in points if x.point is not None),
                        break_taken=st.break_taken)


def _solve_rest(full: ProblemData, morning: Solution, states: list[_State], sp: SolverParams, move_cost: int,
                priorities: Mapping[str, int], at_s: int, warm_start: bool = True
                ) -> tuple[list[Route], dict[str, str], tuple[int, str, float]]:
    """Route the points left after everyone's past; compose each truck's whole day."""
    served = {full.points[loc - 1 - len(full.landfills)].id for s in states for loc, _ in s.prefix
              if loc > len(full.landfills)}
    active = [s for s in states if not s.broken and not s.finished]
    left = [k for k, p in enumerate(full.points) if p.id not in served and p.id not in morning.problem.reasons]
    nobody = {full.points[k].id for k in left if not any(s.vehicle.can_serve(full.points[k]) for s in active)}
    left = [k for k in left if full.points[k].id not in nobody]
    starts = [_start_of(full, s) for s in active]
    for s, start in zip(active, starts):
        _allow_overtime(full, s, start)
    sub_locs = [0, *range(1, 1 + len(full.landfills)), *(full.point_location(k) for k in left)]
    sub = ProblemData(points=tuple(full.points[k] for k in left),
                      vehicles=tuple(dataclasses.replace(s.vehicle, fixed_cost=0) for s in active),
                      depot=full.depot, landfills=full.landfills,
                      time_s=LocationMatrix(full.node_time_s, full.loc_node[sub_locs]),
                      dist_m=LocationMatrix(full.node_dist_m, full.loc_node[sub_locs]),
                      profile_time_s=tuple(LocationMatrix(m.values, full.loc_node[sub_locs])
                                           for m in full.profile_time_s),
                      profile_dist_m=tuple(LocationMatrix(m.values, full.loc_node[sub_locs])
                                           for m in full.profile_dist_m),
                      date=full.date, co2_kg_per_l=full.co2_kg_per_l) if active else None
    left_ids = {full.points[k].id for k in left}
    conts: dict[str, Any] = {}
    result = (0, "nothing left to route", 0.0)
    if sub is not None and active:
        remaining = [_remaining_ids(s, left_ids, full) for s in active]
        home = {pid: ai for ai, ids in enumerate(remaining) for pid in ids if pid in left_ids} if warm_start else {}
        initial = remaining if warm_start else None
        penalties = {pid: sp.drop_penalty * PRIORITY_PENALTY.get(pr, 1) for pid, pr in priorities.items()}
        cont = continue_routes(sub, sp, starts=starts, initial_routes=initial, home=home, move_cost=move_cost,
                               penalties=penalties)
        to_full = {1 + len(full.landfills) + i: full.point_location(k) for i, k in enumerate(left)}
        for ai, c in enumerate(cont.routes):
            steps = [(to_full.get(loc, loc), t) for loc, t in c.steps]
            conts[active[ai].vehicle.id] = (steps, c.break_)
        result = (cont.objective, cont.status, cont.seconds)
    routes = [_compose(full, s, conts.get(s.vehicle.id), at_s) for s in states]
    on_route = {v.id for r in routes for v in r.stops}
    dropped = [k for k, p in enumerate(full.points) if p.id not in on_route and p.id not in morning.problem.reasons
               and p.id not in nobody]
    unassigned = dict(morning.problem.reasons)
    unassigned.update({pid: f"re-plan at {format_hhmm(at_s)}: no truck still out serves kind "
                            f"'{next(p.kind for p in full.points if p.id == pid)}' (its trucks are back at the "
                            "depot or broken down)" for pid in nobody})
    working = [r for r, s in zip(routes, states) if not s.broken and not s.finished]
    if dropped and working:  # why, among the trucks still out (the others cannot take it)
        why = drop_reasons(full, working, dropped)
        unassigned.update({pid: f"re-plan at {format_hhmm(at_s)}: {text}" for pid, text in why.items()})
    elif dropped:
        unassigned.update({full.points[k].id: f"re-plan at {format_hhmm(at_s)}: no truck is still out (every "
                           "truck is back at the depot or broken down)" for k in dropped})
    return routes, unassigned, result


def _allow_overtime(full: ProblemData, st: _State, start: VehicleStart) -> None:
    """Let a truck that cannot be back within its shift whatever it does (its crew is late by the
    progress file) finish its duty: unload what it carries and drive home, its shift extended to that
    earliest return (logged, and said in the change list). A truck never parks loaded."""
    v, tm = st.vehicle, full.time_for(st.vehicle).values
    sf, row, depot = v.speed_factor, start.node, int(full.loc_node[0])
    back = start.time_s + math.ceil(int(tm[row, depot]) / sf)
    if start.load_l > 0:
        back = min(max(start.time_s + math.ceil(int(tm[row, full.loc_node[1 + i]]) / sf), lf.opens_s) + lf.unload_s
                   + math.ceil(int(tm[full.loc_node[1 + i], depot]) / sf) for i, lf in enumerate(full.landfills))
    sh = v.shift
    if not start.break_taken and sh.break_duration_s and start.time_s <= sh.break_latest_s:
        back += sh.break_duration_s
    if back > sh.end_s:
        log.warning("re-plan: %s cannot be back before its shift ends at %s; it works until %s", v.id,
                    format_hhmm(sh.end_s), format_hhmm(back))
        st.vehicle = dataclasses.replace(v, shift=dataclasses.replace(sh, end_s=int(back)))
        st.overtime_s = int(back)


def _remaining_ids(st: _State, left: set[str], full: ProblemData) -> list[str]:
    """The truck's morning stops still to do (and the landfill visits between them), for the warm start."""
    lf_ids = {lf.id for lf in full.landfills}
    start = len(st.prefix) if not st.reported else 1
    ids: list[str] = []
    for x in st.morning.visits[start:-1] if st.morning.used else ():
        if x.id in left or (x.kind == "landfill" and x.id in lf_ids):
            if x.kind == "landfill" and ids and ids[-1] in lf_ids:
                continue
            ids.append(x.id)
    return ids


def _compose(full: ProblemData, st: _State, cont: tuple[list[tuple[int, int]], Break | None] | None,
             at_s: int) -> Route:
    """A truck's whole day: its past as kept, then its continuation (or its morning route when that holds)."""
    v = st.vehicle
    if st.finished:
        return st.morning
    if st.broken:
        if len(st.prefix) <= 1:
            return empty_route(full, v)
        return Route(v, build_visits(full, v, st.prefix, break_=st.break_), st.break_, out_of_service_s=at_s)
    steps, brk = cont if cont is not None else ([(0, st.prefix[-1][1])], None)
    n_lf = len(full.landfills)
    new_points = [loc for loc, _ in steps if loc > n_lf]
    if not st.reported and st.morning.used:
        old = [x.location for x in st.morning.visits[len(st.prefix):] if x.kind == "point"]
        if set(old) == set(new_points):
            return st.morning  # the same stops: keep the morning route, order and times
    if len(st.prefix) == 1 and not new_points:
        return empty_route(full, v)
    if st.break_taken:
        seq, brk = st.prefix + steps, st.break_
    else:
        tail, brk = _route_break(full, v, [st.prefix[-1], *steps], brk)
        seq = st.prefix[:-1] + tail
    return Route(v, build_visits(full, v, seq, break_=brk), brk)


def _changes(morning: Solution, sol: Solution, states: list[_State], at_s: int,
             broken_at: Mapping[str, str]) -> tuple[TruckChange, ...]:
    served_by = {v.id: r.vehicle.id for r in sol.routes for v in r.stops}
    done_before = _served_before(states)
    out = []
    for st, r in zip(states, sol.routes):
        vid, n = st.vehicle.id, len(st.kept)
        before_done = {x.id for x in st.kept if x.kind == "point"}
        before = [x.id for x in st.morning.stops if x.id not in before_done]
        after = [x.id for x in r.visits[n:] if x.kind == "point"] if not st.broken else []
        if st.broken:
            last = st.kept[-1].id if len(st.kept) > 1 else ""
            out.append(TruckChange(vid, "broken", removed=tuple(before),
                                   moved_to=tuple(served_by.get(p, "") for p in before), after=last,
                                   end_before_s=st.morning.end_s if st.morning.used else None,
                                   km_before=round(st.morning.distance_m / 1000, 1),
                                   km_after=round(r.distance_m / 1000, 1), at_s=at_s))
            continue
        added = [p for p in after if p not in set(before)]
        removed = [p for p in before if p not in set(after) and p not in done_before]
        reordered = not added and not removed and after != [p for p in before if p in set(after)]
        if not (added or removed or reordered or st.overtime_s):
            continue
        after_id = ""
        if added:
            idx = next(i for i, x in enumerate(r.visits) if x.id == added[0])
            prev = r.visits[idx - 1]
            after_id = prev.id
        out.append(TruckChange(vid, "changed", added=tuple(added), removed=tuple(removed),
                               moved_to=tuple(served_by.get(p, "") for p in removed), after=after_id,
                               reordered=reordered, overtime=st.overtime_s is not None,
                               end_before_s=st.morning.end_s if st.morning.used else None,
                               end_after_s=r.end_s if r.used else None,
                               km_before=round(st.morning.distance_m / 1000, 1),
                               km_after=round(r.distance_m / 1000, 1), at_s=at_s))
    return tuple(out)


def _served_before(states: list[_State]) -> set[str]:
    return {x.id for s in states for x in s.kept if x.kind == "point"}


__all__ = ["Complaint", "ProgressRow", "Replan", "TruckChange", "read_complaints", "read_progress", "replan"]
