"""A solved day: its routes, unassigned points with reasons, KPIs, checks, exports, and plan.json both ways.

A :class:`Solution` is built from the solver's visit sequences and the
:class:`~wasteroute.problem.ProblemData` alone; the routes' visits, legs and loads are derived in
:mod:`wasteroute.routes` (re-exported here), the KPIs here, and :meth:`Solution.validate`
re-checks every constraint without OR-Tools. :meth:`Solution.to_json` writes plan.json and
:meth:`Solution.from_json` reads it back (:mod:`wasteroute.plan_io`); :meth:`Solution.to_geojson`
draws the routes along the streets (:mod:`wasteroute.geometry`).
"""

from __future__ import annotations

import csv
import json
import logging
import math
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import ValidationError
from .geometry import route_coords
from .plan_io import check_figures, read_plan_parts
from .problem import PointData, ProblemData, VehicleData
# The parts of a route live one floor down (routes.py); they are re-exported here, where users look.
from .routes import Break, Route, Trip, Visit, break_dict, build_visits, empty_route, leg_arrival_s, step_dict
from .units import LITRES_PER_M3, format_hhmm

log = logging.getLogger("wasteroute")

GENERATED_NOTICE = (
    "Street network is SYNTHETIC (generated, not real OpenStreetMap data): distances and times "
    "are estimates. Get the real network when online: python run_routes.py --download-network"
)


@dataclass(frozen=True)
class Solution:
    """A day's plan.

    ``unassigned`` maps every point that is in no route to its reason (set aside before solving,
    or dropped by the solver); ``not_due`` lists points not scheduled on this day.
    """

    problem: ProblemData
    routes: tuple[Route, ...]
    unassigned: dict[str, str]
    objective: int = 0
    status: str = ""
    solve_s: float = 0.0
    params: Any = None
    #: The search engine that made the plan ("ortools", "hybrid", "pyvrp", "rounds" as driven).
    engine: str = "ortools"
    meta: dict[str, Any] = field(default_factory=dict)
    graph: Any = field(default=None, repr=False, compare=False)

    # ---------------------------------------------------------------- access
    def used_routes(self) -> list[Route]:
        """Routes that serve at least one point."""
        return [r for r in self.routes if r.used]

    def route_of(self, vehicle_id: str) -> Route:
        """The route of a truck.

        Raises
        ------
        KeyError
            If no such truck is in the plan.
        """
        for r in self.routes:
            if r.vehicle.id == vehicle_id:
                return r
        raise KeyError(f"no truck {vehicle_id!r} in this plan")

    def unassigned_points(self) -> list[PointData]:
        """The points of ``unassigned`` as PointData, in id order."""
        by_id = {p.id: p for p in (*self.problem.points, *self.problem.excluded)}
        return [by_id[i] for i in sorted(self.unassigned)]

    def unassigned_frame(self) -> pd.DataFrame:
        """One row per unassigned point, in id order: where it is, its volume and the reason."""
        cols = ["id", "name", "kind", "kelurahan", "kecamatan", "volume_m3", "lon", "lat", "reason"]
        rows = [
            {"id": p.id, "name": p.name, "kind": p.kind, "kelurahan": p.kelurahan, "kecamatan": p.kecamatan,
             "volume_m3": p.volume_m3, "lon": p.lon, "lat": p.lat, "reason": self.unassigned[p.id]}
            for p in self.unassigned_points()
        ]
        return pd.DataFrame(rows, columns=cols)

    def trips_frame(self) -> pd.DataFrame:
        """One row per landfill trip (load) of every used truck: stops, m³, fill, unloading time."""
        cols = ["truck", "type", "trip", "stops", "m3", "capacity_m3", "fill", "landfill", "unload_at"]
        rows = []
        for r in self.used_routes():
            cap = r.vehicle.capacity_l / LITRES_PER_M3
            for t in r.trips:
                rows.append(
                    {"truck": r.vehicle.id, "type": r.vehicle.type_name, "trip": t.number, "stops": len(t.stops),
                     "m3": round(t.volume_m3, 2), "capacity_m3": cap, "fill": round(t.volume_m3 / cap, 3),
                     "landfill": t.landfill.id, "unload_at": format_hhmm(t.landfill.start_s)}
                )
        return pd.DataFrame(rows, columns=cols)

    @property
    def route_cost(self) -> int:
        """The objective without the penalties paid for points the solver left out.

        Comparable between runs of one scenario even when one of them drops points (each
        dropped point adds ``drop_penalty``, which would swamp every route cost).
        """
        dropped = sum(1 for pid in self.unassigned if pid not in self.problem.reasons)
        penalty = getattr(self.params, "drop_penalty", 0) or 0
        return int(self.objective - dropped * penalty)

    # ---------------------------------------------------------------- KPIs
    def kpis(self) -> pd.DataFrame:
        """One row per truck: km, hours, landfill trips, stops, m³, tonnes, litres, kg CO₂."""
        density = self.meta.get("density_kg_per_m3", 250.0)
        rows = []
        for r in self.routes:
            fuel = r.fuel_l()
            rows.append(
                {
                    "truck": r.vehicle.id,
                    "type": r.vehicle.type_name,
                    "used": r.used,
                    "start": format_hhmm(r.start_s) if r.used else "",
                    "end": format_hhmm(r.end_s) if r.used else "",
                    "stops": len(r.stops),
                    "trips": len(r.trips),
                    "km": round(r.distance_m / 1000, 2),
                    "hours": round(r.duration_s / 3600, 2),
                    "drive_hours": round(r.drive_s / 3600, 2),
                    "m3": round(r.volume_m3, 2),
                    "tonnes": round(r.volume_m3 * density / 1000, 2),
                    "fuel_l": round(fuel, 1),
                    "co2_kg": round(fuel * self.problem.co2_kg_per_l, 1),
                }
            )
        return pd.DataFrame(rows)

    def fleet_kpis(self) -> dict[str, Any]:
        """Totals for the fleet."""
        k = self.kpis()
        used = k[k["used"]]
        trips = int(used["trips"].sum())
        return {
            "date": self.problem.date.isoformat(),
            "trucks_available": len(self.routes),
            "trucks_used": int(len(used)),
            "points_due": len(self.problem.points) + len(self.problem.excluded),
            "points_served": int(used["stops"].sum()),
            "points_unassigned": len(self.unassigned),
            "points_not_due": len(self.problem.not_due),
            "landfill_trips": trips,
            # From the exact metres and seconds, not the sum of per-truck figures rounded already
            # (34 roundings can add up to more than the 0.1 km shown).
            "km": round(sum(r.distance_m for r in self.used_routes()) / 1000, 1),
            "hours": round(sum(r.duration_s for r in self.used_routes()) / 3600, 1),
            "m3": round(float(used["m3"].sum()), 1),
            "overflow_m3": round(sum(v.point.overflow_m3 for r in self.routes for v in r.stops
                                     if v.point is not None), 1),
            "tonnes": round(float(used["tonnes"].sum()), 1),
            "tonnes_per_trip": round(float(used["tonnes"].sum()) / trips, 2) if trips else 0.0,
            "fuel_l": round(float(used["fuel_l"].sum()), 1),
            "co2_kg": round(float(used["co2_kg"].sum()), 1),
            "max_hours": round(float(used["hours"].max()), 2) if len(used) else 0.0,
            "min_hours": round(float(used["hours"].min()), 2) if len(used) else 0.0,
            "objective": self.objective,
            "solve_s": round(self.solve_s, 1),
            "engine": self.engine,
        }

    def summary(self) -> str:
        """An aligned plain-text summary: warnings and unassigned first, then fleet and trucks."""
        f = self.fleet_kpis()
        lines: list[str] = []
        if self.problem.synthetic_network:
            lines += ["NOTICE: " + GENERATED_NOTICE, ""]
        lines.append(f"wasteroute plan for {f['date']}  ({self.engine}: {self.status}, {f['solve_s']} s)")
        if self.problem.network_note:
            lines.append(f"network: {self.problem.network_note}")
        lines.append(
            f"points due {f['points_due']}: served {f['points_served']}, "
            f"UNASSIGNED {f['points_unassigned']}; not due today {f['points_not_due']}"
        )
        if self.unassigned:
            reasons = Counter(r.split(":")[0] for r in self.unassigned.values())
            lines.append("unassigned by reason: " + ", ".join(f"{k} {n}" for k, n in sorted(reasons.items())))
            for pid in sorted(self.unassigned)[:20]:
                lines.append(f"  {pid:<10} {self.unassigned[pid]}")
            if len(self.unassigned) > 20:
                lines.append(f"  ... and {len(self.unassigned) - 20} more (see the JSON/CSV export)")
        lines.append(
            f"trucks used {f['trucks_used']}/{f['trucks_available']}, landfill trips {f['landfill_trips']}, "
            f"{f['km']} km, {f['hours']} h, {f['m3']} m³ ({f['tonnes']} t, {f['tonnes_per_trip']} t/trip), "
            f"{f['fuel_l']} L diesel, {f['co2_kg']} kg CO₂"
        )
        overflow = [v for r in self.routes for v in r.stops if v.point is not None and v.point.overflow_m3 > 0]
        if overflow:
            lines.append(
                f"OVERFLOW: {f['overflow_m3']} m³ left at {len(overflow)} container(s) filled beyond their size "
                "(each is lifted whole; see overflow_m3 in visits.csv)"
            )
        lines.append("")
        k = self.kpis()
        cols = ["truck", "type", "start", "end", "stops", "trips", "km", "hours", "m3", "fuel_l"]
        lines.append(k[k["used"]][cols].to_string(index=False))
        idle = k[~k["used"]]["truck"].tolist()
        if idle:
            lines.append(f"not used: {', '.join(idle)}")
        return "\n".join(lines)

    # ---------------------------------------------------------------- checks
    def check(self) -> list[Finding]:
        """Every broken rule, re-checked independently of the solver (empty when the plan holds).

        Unlike :meth:`validate` this never raises: it is how given rounds are judged
        (:mod:`wasteroute.evaluate`), where broken rules are the news, not a bug.
        """
        return _Checker(self).run()

    def validate(self) -> None:
        """Re-check every constraint independently of the solver.

        Raises
        ------
        ValidationError
            Listing every violation found.
        """
        problems = self.check()
        if problems:
            msg = f"plan breaks {len(problems)} constraint(s):\n" + "\n".join(f"  - {p}" for p in problems)
            raise ValidationError(msg)

    # ---------------------------------------------------------------- exports
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready plan: summary, routes with steps, unassigned with reasons.

        Every point record (a route step, an unassigned point) carries ``snap_m``: how far the
        point is from its spot on the street, where the truck stops.
        """
        snap = {p.id: round(p.snap_m, 1) for p in (*self.problem.points, *self.problem.excluded)}
        routes = []
        for r in self.routes:
            routes.append(
                {
                    "truck": r.vehicle.id,
                    "type": r.vehicle.type_name,
                    "used": r.used,
                    "break": break_dict(r.break_) if r.break_ and r.used else None,
                    "steps": [step_dict(v) for v in r.visits] if r.used else [],
                }
            )
            if r.out_of_service_s is not None:  # only in re-plans: other plans' files are unchanged
                routes[-1]["out_of_service_s"] = r.out_of_service_s
        return {
            "generated_by": "wasteroute",
            "synthetic_network": self.problem.synthetic_network,
            "notice": GENERATED_NOTICE if self.problem.synthetic_network else "",
            "attribution": "© OpenStreetMap contributors",
            # What the plan was made for and with, so that it reads back exactly (plan_io).
            "scenario": str(self.meta.get("scenario", "")),
            "status": self.status,
            "density_kg_per_m3": float(self.meta.get("density_kg_per_m3", 250.0)),
            "summary": self.fleet_kpis(),
            "routes": routes,
            "unassigned": [{"id": k, "reason": v, **({"snap_m": snap[k]} if k in snap else {})}
                           for k, v in sorted(self.unassigned.items())],
            "not_due": [p.id for p in self.problem.not_due],
        }

    def to_json(self, path: str | Path) -> Path:
        """Write the plan as JSON (read it back with :meth:`from_json`)."""
        p = Path(path)
        p.write_text(json.dumps(self.to_dict(), indent=1, ensure_ascii=False), encoding="utf-8")
        return p

    @classmethod
    def from_json(cls, path: str | Path, problem: ProblemData, *, scenario: str | None = None) -> Solution:
        """Read a plan.json written by :meth:`to_json` back into the exact plan for ``problem``.

        Every route is rebuilt from its stops and service start times with the same code that built
        it, and every figure of the file is checked against the rebuilt plan
        (:mod:`wasteroute.plan_io` documents the checks). ``params`` and the road graph are not
        stored in the file and are ``None``; the solve time is the file's (to 0.1 s).

        Raises
        ------
        InputError
            If the file is missing or not a wasteroute plan, or names another scenario, another date,
            other trucks, other points, or steps whose times and distances this problem does not give.
        """
        p = Path(path)
        doc, fields = read_plan_parts(p, problem, scenario=scenario)
        sol = cls(problem=problem, **fields)
        check_figures(doc, sol.routes, sol.to_dict(), p)
        log.info("plan read back from %s: %d trucks used, %d points served", p, len(sol.used_routes()),
                 sum(len(r.stops) for r in sol.routes))
        return sol

    def visits_frame(self) -> pd.DataFrame:
        """One row per visit of every used route."""
        rows = []
        for r in self.used_routes():
            for seq, v in enumerate(r.visits):
                rows.append({"truck": r.vehicle.id, "seq": seq, **step_dict(v)})
        return pd.DataFrame(rows)

    def to_csv(self, path: str | Path) -> Path:
        """Write one row per visit as a plain table.

        The synthetic-network notice is the ``data_notice`` column (empty on real data), not a
        comment line, so a spreadsheet or ``pandas.read_csv`` reads the header as the header.
        Text cells that a spreadsheet would take as a formula are neutralised
        (:func:`csv_safe_frame`).
        """
        p = Path(path)
        df = self.visits_frame()
        df["data_notice"] = GENERATED_NOTICE if self.problem.synthetic_network else ""
        with p.open("w", encoding="utf-8", newline="") as fh:
            csv_safe_frame(df).to_csv(fh, index=False, quoting=csv.QUOTE_MINIMAL)
        return p

    def to_geojson(self, path: str | Path) -> Path:
        """Write route lines drawn along the streets and the points (served and unassigned)."""
        from .geometry import route_coords

        p = Path(path)
        doc = {
            "type": "FeatureCollection",
            "properties": {
                "attribution": "© OpenStreetMap contributors",
                "synthetic_network": self.problem.synthetic_network,
                "notice": GENERATED_NOTICE if self.problem.synthetic_network else "",
            },
            "features": _features(self),
        }
        p.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        return p


def compare(solutions: Mapping[str, Solution]) -> pd.DataFrame:
    """One row per named plan with the fleet KPIs, for what-if and tuning tables.

    Parameters
    ----------
    solutions
        Plans by a name of your choice, e.g. ``{"34 trucks": sol, "30 trucks": sol30}``;
        the row order follows the mapping.

    Returns
    -------
    pandas.DataFrame
        Indexed by name; the columns of :meth:`Solution.fleet_kpis` plus ``route_cost``
        (the objective without drop penalties) and ``hours_std`` (standard deviation of the
        used trucks' hours, a workload-balance measure; 0 with fewer than two trucks).
    """
    rows = {}
    for name, sol in solutions.items():
        k = sol.kpis()
        hours = k.loc[k["used"], "hours"]
        std = float(hours.std()) if len(hours) > 1 else 0.0
        rows[name] = {**sol.fleet_kpis(), "route_cost": sol.route_cost, "hours_std": round(std, 2)}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "scenario"
    return frame


def _features(sol: Solution) -> list[dict[str, Any]]:
    """GeoJSON features: one LineString per used route, one Point per stop and unassigned point."""
    feats: list[dict[str, Any]] = []
    for r in sol.used_routes():
        feats.append({
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [[round(x, 6), round(y, 6)] for x, y in route_coords(sol, r)]},
            "properties": {"truck": r.vehicle.id, "type": r.vehicle.type_name, "km": round(r.distance_m / 1000, 2),
                           "trips": len(r.trips), "stops": len(r.stops)},
        })
        for seq, v in enumerate(r.stops, start=1):
            feats.append({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(v.lon, 6), round(v.lat, 6)]},
                "properties": {"id": v.id, "name": v.name, "truck": r.vehicle.id, "seq": seq,
                               "status": "served", "arrival_s": v.arrival_s, "load_after_m3": round(v.load_after_m3, 3)},
            })
    for p in sol.unassigned_points():
        feats.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(p.lon, 6), round(p.lat, 6)]},
            "properties": {"id": p.id, "name": p.name, "status": "unassigned", "reason": sol.unassigned[p.id]},
        })
    return feats


#: First characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """A text cell that cannot run as a spreadsheet formula: a leading apostrophe when it starts
    with ``= + - @``, a tab or a carriage return; other values unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell passed through :func:`csv_safe`."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(csv_safe)
    return out


@dataclass(frozen=True)
class Finding:
    """One broken rule found by the independent check of a plan.

    ``kind`` names the rule (one of :data:`FINDING_KINDS`), ``truck`` and ``step`` (index in the
    route's visits) say where, ``point`` the collection point or facility concerned, and
    ``message`` says it in words.
    """

    kind: str
    message: str
    truck: str = ""
    step: int | None = None
    point: str = ""

    def __str__(self) -> str:
        return self.message


#: Every rule the check knows, in the order a report lists them.
FINDING_KINDS = (
    "unknown_point", "missing_point", "served_twice", "served_and_unassigned", "no_reason", "route_shape",
    "truck_kind", "restricted_road", "capacity", "containers", "empty_unload", "stops", "landfill_trips", "daily_load",
    "release", "shift_start", "shift_end", "travel", "window", "landfill_hours", "break", "schedule", "kpi",
)


class _Checker:
    """Independent re-check of a solution against its problem."""

    def __init__(self, sol: Solution) -> None:
        self.sol = sol
        self.p = sol.problem
        self.errors: list[Finding] = []

    def _add(self, kind: str, message: str, *, truck: str = "", step: int | None = None, point: str = "") -> None:
        self.errors.append(Finding(kind, message, truck, step, point))

    def run(self) -> list[Finding]:
        self._coverage()
        for r in self.sol.routes:
            if r.used:
                self._route(r)
        if not self.errors:  # KPIs are sums of the checked figures: only then is a difference news
            self._kpis()
        return self.errors

    def _coverage(self) -> None:
        seen = Counter(v.id for r in self.sol.routes for v in r.visits if v.kind == "point")
        for pid, n in seen.items():
            if n > 1:
                self._add("served_twice", f"point {pid} is visited {n} times", point=pid)
        for pid in seen:
            if pid in self.sol.unassigned:
                self._add("served_and_unassigned", f"point {pid} is both in a route and unassigned", point=pid)
        due = {p.id for p in (*self.p.points, *self.p.excluded)}
        missing = due - set(seen) - set(self.sol.unassigned)
        for pid in sorted(missing):
            self._add("missing_point", f"point {pid} is neither in a route nor in unassigned", point=pid)
        extra = (set(seen) | set(self.sol.unassigned)) - due
        for pid in sorted(extra):
            self._add("unknown_point", f"{pid} is in the plan but not a point due today", point=pid)
        for pid, why in self.sol.unassigned.items():
            if not why:
                self._add("no_reason", f"unassigned point {pid} has no reason", point=pid)

    def _route(self, r: Route) -> None:
        vid = r.vehicle.id
        vs = r.visits
        if r.out_of_service_s is not None:  # broken down: from the depot to where it stopped
            self._out_of_service(r)
            return
        if vs[0].kind != "depot" or vs[-1].kind != "depot":
            self._add("route_shape", f"{vid}: route does not start and end at the depot", truck=vid)
        inner = list(vs[1:-1])
        if inner and inner[-1].kind != "landfill":
            self._add("route_shape", f"{vid}: last stop before the depot is {inner[-1].id}, not a landfill",
                      truck=vid, step=len(vs) - 2, point=inner[-1].id)
        for k, x in enumerate(inner, start=1):
            if x.kind == "depot":
                self._add("route_shape", f"{vid}: passes the depot mid-route", truck=vid, step=k, point=x.id)
                break
        self._derived(r)
        self._loads(r)
        self._times(r)
        self._daily_load_and_release(r)

    def _out_of_service(self, r: Route) -> None:
        """A truck out of service from ``out_of_service_s``: it left the depot and stopped after
        its last visit, which began before that time; every step up to there holds every rule."""
        vid, vs = r.vehicle.id, r.visits
        if vs[0].kind != "depot" or any(x.kind == "depot" for x in vs[1:]):
            self._add("route_shape", f"{vid}: a broken-down truck's route starts at the depot and never "
                      "returns to it", truck=vid)
        if vs[-1].start_s > int(r.out_of_service_s or 0):
            self._add("route_shape", f"{vid}: serves {vs[-1].id} at {format_hhmm(vs[-1].start_s)}, after it "
                      f"broke down at {format_hhmm(int(r.out_of_service_s or 0))}", truck=vid, point=vs[-1].id)
        self._derived(r)
        self._loads(r)
        self._daily_load_and_release(r)

    def _loads(self, r: Route) -> None:
        v, vid = r.vehicle, r.vehicle.id
        load, items = 0, 0
        for k, x in enumerate(r.visits):
            if x.kind == "point":
                p = x.point
                assert p is not None
                if p.kind not in v.serves:
                    self._add("truck_kind", f"{vid}: serves {p.id} of kind {p.kind}, which it cannot",
                              truck=vid, step=k, point=p.id)
                if v.profile in p.blocked_profiles:
                    why = self.p.restricted.get(p.id, "no road its type may use leads there")
                    self._add("restricted_road", f"{vid}: serves {p.id}, which its type may not reach: {why}",
                              truck=vid, step=k, point=p.id)
                load += p.demand_l
                items += 1
                if load > v.capacity_l:
                    self._add("capacity", f"{vid}: load {load / 1000:.2f} m³ above capacity at {p.id}",
                              truck=vid, step=k, point=p.id)
                if v.containers_per_trip is not None and items > v.containers_per_trip:
                    self._add("containers", f"{vid}: {items} containers on one trip at {p.id}",
                              truck=vid, step=k, point=p.id)
            elif x.kind == "landfill":
                if items == 0:
                    self._add("empty_unload",
                              f"{vid}: goes to {x.id} at {format_hhmm(x.start_s)} with an empty truck",
                              truck=vid, step=k, point=x.id)
                load, items = 0, 0
        if v.max_stops is not None and len(r.stops) > v.max_stops:
            self._add("stops", f"{vid}: {len(r.stops)} stops, more than {v.max_stops}", truck=vid)
        if len(r.trips) > v.max_trips:
            self._add("landfill_trips", f"{vid}: {len(r.trips)} landfill trips, more than {v.max_trips}", truck=vid)

    def _daily_load_and_release(self, r: Route) -> None:
        """Route capacity per day and release dates (latest possible departure of each trip)."""
        v, vid = r.vehicle, r.vehicle.id
        total = sum(x.point.demand_l for x in r.stops if x.point is not None)
        if v.max_daily_load_l is not None and total > v.max_daily_load_l:
            self._add("daily_load", f"{vid}: collects {total / 1000:.2f} m³ in the day, more than "
                      f"{v.max_daily_load_l / 1000:.2f} m³", truck=vid)
        vs = r.visits
        for i, x in enumerate(vs[:-1]):
            if x.kind == "point":
                continue
            trip: list[Visit] = []
            for y in vs[i + 1:]:
                if y.kind != "point":
                    break
                trip.append(y)
            if not trip:
                continue
            release = max(y.point.release_s for y in trip if y.point is not None)
            leave_by = trip[0].start_s - trip[0].leg_time_s
            if release > leave_by:
                self._add("release", f"{vid}: trip from {x.id} leaves by {format_hhmm(leave_by)}, before "
                          f"its points are released at {format_hhmm(release)}", truck=vid, step=i, point=x.id)

    def _times(self, r: Route) -> None:
        v, vid, vs = r.vehicle, r.vehicle.id, r.visits
        sh = v.shift
        if vs[0].departure_s < sh.start_s:
            self._add("shift_start", f"{vid}: leaves the depot at {format_hhmm(vs[0].departure_s)}, before the shift",
                      truck=vid, step=0, point=vs[0].id)
        if vs[-1].arrival_s > sh.end_s:
            self._add("shift_end", f"{vid}: back at {format_hhmm(vs[-1].arrival_s)}, after the shift ends",
                      truck=vid, step=len(vs) - 1, point=vs[-1].id)
        for k, (a, b) in enumerate(zip(vs, vs[1:]), start=1):
            drive = int(math.ceil(self.p.time_for(v)[a.location, b.location] / v.speed_factor))
            if b.start_s < a.departure_s + drive - 1:
                self._add("travel", f"{vid}: starts at {b.id} at {format_hhmm(b.start_s)}, before it can arrive",
                          truck=vid, step=k, point=b.id)
        for k, x in enumerate(vs):
            if x.kind == "point" and x.point is not None:
                p = x.point
                latest = p.latest_s if p.latest_s >= 0 else sh.end_s
                if x.start_s < p.ready_s or x.start_s > latest:
                    self._add("window", f"{vid}: serves {p.id} at {format_hhmm(x.start_s)}, outside "
                              f"{format_hhmm(p.ready_s)}-{format_hhmm(latest)}", truck=vid, step=k, point=p.id)
            if x.kind == "landfill":
                lf = next(f for f in self.p.landfills if f.id == x.id)
                if x.start_s < lf.opens_s or x.start_s + lf.unload_s > lf.closes_s:
                    self._add("landfill_hours", f"{vid}: unloads at {lf.id} at {format_hhmm(x.start_s)}, "
                              "outside its hours", truck=vid, step=k, point=lf.id)
        self._break(r)

    def _break(self, r: Route) -> None:
        """A route whose work reaches its break window holds its break, inside the window, on a
        leg with room for it (or at the depot before leaving); a route that ends before the
        window opens has no break."""
        vid, sh, brk, vs = r.vehicle.id, r.vehicle.shift, r.break_, r.visits
        window = f"{format_hhmm(sh.break_earliest_s)}-{format_hhmm(sh.break_latest_s)}"
        needs = bool(sh.break_duration_s) and r.end_s > sh.break_earliest_s

        def add(message: str) -> None:
            self._add("break", message, truck=vid)

        if brk is None or not brk.duration_s:
            if needs:
                add(f"{vid}: works until {format_hhmm(r.end_s)}, into its break window {window}, but takes no break")
            return
        if not needs:
            add(f"{vid}: back at {format_hhmm(r.end_s)}, before its break window {window}, "
                f"yet has a break at {format_hhmm(brk.start_s)}")
            return
        if brk.duration_s != sh.break_duration_s:
            add(f"{vid}: break of {brk.duration_s} s, but its shift has {sh.break_duration_s} s")
        if not sh.break_earliest_s <= brk.start_s <= sh.break_latest_s:
            add(f"{vid}: break at {format_hhmm(brk.start_s)} outside its window {window}")
        if brk.start_s >= r.end_s:
            add(f"{vid}: break at {format_hhmm(brk.start_s)}, after the truck is back at the "
                f"depot at {format_hhmm(r.end_s)}")
            return
        if brk.end_s <= r.start_s:
            return  # at the depot before leaving
        for a, b in zip(vs, vs[1:]):
            if a.departure_s <= brk.start_s and brk.end_s <= b.start_s:
                if a.departure_s + b.leg_time_s + brk.duration_s > b.start_s:
                    add(f"{vid}: no room for the {brk.duration_s // 60}-minute break between {a.id} and {b.id}")
                return
        add(f"{vid}: break {format_hhmm(brk.start_s)}-{format_hhmm(brk.end_s)} overlaps work "
            "(a service or an unload)")

    def _derived(self, r: Route) -> None:
        """Kinds, ids, service, legs, loads and times of every step, re-derived from the matrices."""
        p, v, vid = self.p, r.vehicle, r.vehicle.id
        n_lf = len(p.landfills)
        load, prev = 0, None
        for k, x in enumerate(r.visits):
            where = f"{vid} step {k} ({x.id})"

            def add(message: str, x: Visit = x, k: int = k) -> None:
                self._add("schedule", message, truck=vid, step=k, point=x.id)

            if not 0 <= x.location < p.num_locations:
                add(f"{where}: location {x.location} is not in the problem")
                return
            if x.location == 0:
                kind, ident, svc, point = "depot", p.depot.id, 0, None
            elif x.location <= n_lf:
                lf = p.landfills[x.location - 1]
                kind, ident, svc, point = "landfill", lf.id, lf.unload_s, None
            else:
                point = p.points[x.location - 1 - n_lf]
                kind, ident, svc = "point", point.id, point.service_s
            if (x.kind, x.id) != (kind, ident):
                add(f"{where}: is a {x.kind} {x.id} at location {x.location}, which is {kind} {ident}")
            if x.point != point:
                add(f"{where}: carries point data that differ from the problem's")
            if x.service_s != svc:
                add(f"{where}: service {x.service_s} s, but the problem says {svc} s")
            load = load + point.demand_l if point is not None else (0 if kind == "landfill" else load)
            if x.load_after_l != load:
                add(f"{where}: load after {x.load_after_l / LITRES_PER_M3:.3f} m³, but its "
                    f"stops add up to {load / LITRES_PER_M3:.3f} m³")
            if prev is None:
                leg_t = leg_d = 0
                arrival = x.start_s
            else:
                leg_t = int(math.ceil(p.time_for(v)[prev.location, x.location] / v.speed_factor))
                leg_d = int(p.dist_for(v)[prev.location, x.location])
                arrival = min(x.start_s, leg_arrival_s(prev.departure_s, leg_t, x.start_s, r.break_))
            if x.leg_distance_m != leg_d:
                add(f"{where}: leg distance {x.leg_distance_m / 1000:,.3f} km, but the matrix "
                    f"gives {leg_d / 1000:,.3f} km")
            if x.leg_time_s != leg_t:
                add(f"{where}: leg time {x.leg_time_s} s, but the matrix gives {leg_t} s")
            if x.arrival_s != arrival:
                add(f"{where}: arrival {format_hhmm(x.arrival_s)} ({x.arrival_s} s), but the "
                    f"drive gives {format_hhmm(arrival)} ({arrival} s)")
            last = k == len(r.visits) - 1
            departure = x.start_s if (last or prev is None) and kind == "depot" else x.start_s + svc
            if x.departure_s != departure:
                add(f"{where}: departure {format_hhmm(x.departure_s)} ({x.departure_s} s), "
                    f"but start + service gives {departure} s")
            prev = x

    def _kpis(self) -> None:
        """The per-truck and fleet KPIs, against sums taken straight from the matrices."""
        k = self.sol.kpis().set_index("truck")
        total_km = 0.0
        for r in self.sol.routes:
            if not r.used:
                continue
            locs = [x.location for x in r.visits]
            dist = self.p.dist_for(r.vehicle)
            km = sum(int(dist[a, b]) for a, b in zip(locs, locs[1:])) / 1000
            m3 = sum(self.p.points[x.location - 1 - len(self.p.landfills)].volume_m3 for x in r.stops
                     if x.location > len(self.p.landfills))
            total_km += km
            row = k.loc[r.vehicle.id]
            for name, got, want, tol in (("km", row["km"], km, 0.006), ("m3", row["m3"], m3, 0.006),
                                         ("stops", row["stops"], len(r.stops), 0),
                                         ("hours", row["hours"], (r.visits[-1].arrival_s - r.visits[0].departure_s)
                                          / 3600, 0.006)):
                if abs(float(got) - want) > tol:
                    self._add("kpi", f"{r.vehicle.id}: KPI {name} is {got}, but its route gives {want:,.2f}",
                              truck=r.vehicle.id)
        fleet_km = self.sol.fleet_kpis()["km"]
        if abs(fleet_km - total_km) > 0.06:
            self._add("kpi", f"fleet KPI km is {fleet_km:,.1f}, but the routes drive {total_km:,.1f} km")


def iter_legs(sol: Solution) -> Iterator[tuple[Route, Visit, Visit]]:
    """Every driven leg of the used routes: (route, from, to)."""
    for r in sol.used_routes():
        for a, b in zip(r.visits, r.visits[1:]):
            yield r, a, b
