"""One truck's day: its visits, trips, break and route, rebuilt from the problem alone.

:func:`build_visits` turns a route's ``(location, service start)`` sequence into its
:class:`Visit` steps (legs, loads, arrivals and the break on the way) from the
:class:`~wasteroute.problem.ProblemData`; the engines, plan.json reading and the rounds as
driven all build routes with it. :class:`~wasteroute.solution.Solution` holds the day's routes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .problem import PointData, ProblemData, VehicleData
from .units import LITRES_PER_M3, format_hhmm


@dataclass(frozen=True)
class Visit:
    """A stop on a route: the depot, a collection point or a landfill.

    ``arrival_s`` is when the truck gets there, ``start_s`` when service starts (after any
    wait), ``departure_s`` when it leaves. ``leg_*`` describe the drive from the previous stop.
    """

    kind: str  # "depot" | "point" | "landfill"
    id: str
    name: str
    location: int
    lon: float
    lat: float
    arrival_s: int
    start_s: int
    departure_s: int
    service_s: int
    load_after_l: int
    leg_distance_m: int
    leg_time_s: int
    point: PointData | None = None

    @property
    def wait_s(self) -> int:
        """Time waiting for the point's window or the landfill to open."""
        return self.start_s - self.arrival_s

    @property
    def load_after_m3(self) -> float:
        """Load on the truck after this stop, in m³."""
        return self.load_after_l / LITRES_PER_M3


@dataclass(frozen=True)
class Break:
    """The crew's break: start time and duration (s)."""

    start_s: int
    duration_s: int

    @property
    def end_s(self) -> int:
        """When the break ends."""
        return self.start_s + self.duration_s


@dataclass(frozen=True)
class Trip:
    """Collection stops followed by one landfill visit (one load)."""

    number: int
    stops: tuple[Visit, ...]
    landfill: Visit

    @property
    def volume_m3(self) -> float:
        """Volume collected on this trip."""
        return sum(v.point.volume_m3 for v in self.stops if v.point is not None)


@dataclass(frozen=True)
class Route:
    """One truck's day: depot, trips, depot."""

    vehicle: VehicleData
    visits: tuple[Visit, ...]
    break_: Break | None = None
    #: A re-plan's broken-down truck: out of service from this time on; its route ends at its
    #: last stop (with what it collected on board), not at a landfill and the depot.
    out_of_service_s: int | None = None

    @property
    def used(self) -> bool:
        """Whether the truck serves any point."""
        return any(v.kind == "point" for v in self.visits)

    @property
    def stops(self) -> list[Visit]:
        """Collection-point visits in order."""
        return [v for v in self.visits if v.kind == "point"]

    @property
    def trips(self) -> list[Trip]:
        """The loads of the day, each ending at a landfill."""
        trips: list[Trip] = []
        pending: list[Visit] = []
        for v in self.visits:
            if v.kind == "point":
                pending.append(v)
            elif v.kind == "landfill":
                trips.append(Trip(len(trips) + 1, tuple(pending), v))
                pending = []
        return trips

    @property
    def start_s(self) -> int:
        """Departure from the depot."""
        return self.visits[0].departure_s

    @property
    def end_s(self) -> int:
        """Return to the depot."""
        return self.visits[-1].arrival_s

    @property
    def distance_m(self) -> int:
        """Total driven distance."""
        return sum(v.leg_distance_m for v in self.visits)

    @property
    def drive_s(self) -> int:
        """Total driving time."""
        return sum(v.leg_time_s for v in self.visits)

    @property
    def duration_s(self) -> int:
        """Depot departure to return, including waits and the break."""
        return self.end_s - self.start_s if self.used else 0

    @property
    def volume_m3(self) -> float:
        """Volume collected."""
        return sum(v.point.volume_m3 for v in self.stops if v.point is not None)

    def fuel_l(self) -> float:
        """Diesel: driving at the type's km/L plus idling while loading and unloading."""
        if not self.used:
            return 0.0
        handling_h = sum(v.service_s for v in self.visits if v.kind != "depot") / 3600
        return self.distance_m / 1000 / self.vehicle.fuel_km_per_l + handling_h * self.vehicle.idle_l_per_h


def break_dict(b: Break) -> dict[str, Any]:
    """A break for plan.json: exact seconds (a plan reads back exactly) and HH:MM for people."""
    return {"start": format_hhmm(b.start_s), "end": format_hhmm(b.end_s), "start_s": b.start_s,
            "end_s": b.end_s, "duration_s": b.duration_s, "minutes": round(b.duration_s / 60)}


def step_dict(v: Visit) -> dict[str, Any]:
    """A visit as one step of plan.json and one row of visits.csv."""
    p = v.point
    return {
        "kind": v.kind,
        "id": v.id,
        "name": v.name,
        "kelurahan": p.kelurahan if p else "",
        "point_kind": p.kind if p else "",
        "lon": round(v.lon, 6),
        "lat": round(v.lat, 6),
        "arrival": format_hhmm(v.arrival_s),
        "start": format_hhmm(v.start_s),
        "departure": format_hhmm(v.departure_s),
        "arrival_s": v.arrival_s,
        "start_s": v.start_s,
        "departure_s": v.departure_s,
        "volume_m3": round(p.volume_m3, 2) if p else 0.0,
        "overflow_m3": round(p.overflow_m3, 2) if p else 0.0,
        "load_after_m3": round(v.load_after_m3, 3),
        "leg_distance_m": v.leg_distance_m,
        "leg_time_s": v.leg_time_s,
        # How far the point is from its spot on the street, where the truck stops (m).
        "snap_m": round(p.snap_m, 1) if p else None,
    }


def empty_route(problem: ProblemData, vehicle: VehicleData) -> Route:
    """The route of a truck that stays at the depot (depot -> depot at its shift start)."""
    start = vehicle.shift.start_s
    return Route(vehicle, build_visits(problem, vehicle, [(0, start), (0, start)]), None)


def build_visits(
    problem: ProblemData, vehicle: VehicleData, sequence: list[tuple[int, int]], *, break_: Break | None = None
) -> tuple[Visit, ...]:
    """Visits of one route from ``(location, service_start_s)`` pairs, depot first and last.

    Loads and legs are derived from the problem. Arrival is the previous departure plus the
    drive; when ``break_`` starts during that drive, the crew stops for it on the way and
    arrives ``break_.duration_s`` later (:func:`leg_arrival_s`). A break that starts after the
    drive ends is taken at the stop, while waiting for service to start.
    """
    visits: list[Visit] = []
    load = 0
    prev_loc, prev_dep = None, 0
    n_lf = len(problem.landfills)
    for k, (loc, start) in enumerate(sequence):
        if loc == 0:
            kind, ident, name, lon, lat, svc, point = ("depot", problem.depot.id, problem.depot.name,
                                                         problem.depot.lon, problem.depot.lat, 0, None)
        elif loc <= n_lf:
            lf = problem.landfills[loc - 1]
            kind, ident, name, lon, lat, svc, point = "landfill", lf.id, lf.name, lf.lon, lf.lat, lf.unload_s, None
        else:
            point = problem.points[loc - 1 - n_lf]
            kind, ident, name, lon, lat, svc = "point", point.id, point.name, point.lon, point.lat, point.service_s
        if prev_loc is None:
            leg_t = leg_d = 0
            arrival = start
        else:
            leg_t = int(math.ceil(problem.time_for(vehicle)[prev_loc, loc] / vehicle.speed_factor))
            leg_d = int(problem.dist_for(vehicle)[prev_loc, loc])
            arrival = leg_arrival_s(prev_dep, leg_t, start, break_)
        if kind == "point":
            load += point.demand_l  # type: ignore[union-attr]
        elif kind == "landfill":
            load = 0
        is_end = k == len(sequence) - 1
        departure = start + svc if not (kind == "depot" and is_end) else start
        visits.append(Visit(kind, ident, name, loc, lon, lat, min(arrival, start), start, departure,
                            svc, load, leg_d, leg_t, point))
        prev_loc, prev_dep = loc, departure
    return tuple(visits)


def leg_arrival_s(departure_s: int, leg_time_s: int, start_s: int, break_: Break | None) -> int:
    """When a truck that leaves at ``departure_s`` and drives ``leg_time_s`` reaches the next stop.

    A break on this leg (it starts at or after the departure and ends by ``start_s``) that
    begins at the departure or before the drive would end comes before the arrival: the truck
    arrives after the break.
    """
    arrival = departure_s + leg_time_s
    if (
        break_ is not None
        and break_.duration_s
        and (break_.start_s == departure_s or departure_s < break_.start_s < arrival)
        and break_.end_s <= start_s
    ):
        arrival += break_.duration_s
    return arrival
