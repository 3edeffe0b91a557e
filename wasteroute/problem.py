"""``ProblemData``: everything the solver needs for one day, and nothing it does not.

Immutable, in integer units (seconds, metres, litres), validated when built. Points that
cannot be planned at all (too far from a road, unreachable, no truck of their kind today, a
window no truck can meet) are set aside here with their reason, so the solver only sees
servable points and nothing is lost.

Location order in the matrices: ``0`` depot, ``1..L`` landfills, then the servable points.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .config import EmissionSettings, Facilities, Facility, Fleet, Shift
from .errors import InputError
from .matrix import UNREACHABLE, LocationMatrix, TravelMatrix, unreachable_locations
from .road_profiles import RoadProfiles
from .units import format_hhmm, m3_to_litres

#: Travel time (s) and distance (m) to or from a point on a road profile that cannot reach it:
#: longer than any shift, so a truck of that profile never takes it (it is also forbidden).
BLOCKED_S = 7 * 86_400
BLOCKED_M = 10_000_000


@dataclass(frozen=True)
class PointData:
    """One collection point as the solver sees it."""

    id: str
    name: str
    kind: str
    volume_m3: float
    demand_l: int
    service_s: int
    ready_s: int
    latest_s: int
    lon: float
    lat: float
    kelurahan: str = ""
    kecamatan: str = ""
    node: int = -1
    snap_m: float = 0.0
    #: Earliest departure of the trip that collects it from its depot/landfill (release date; 0 = none).
    release_s: int = 0
    #: Waste beyond a container's size, left at the site (a container is lifted whole; 0 = none).
    #: ``volume_m3`` is then what the truck takes away: the container's size.
    overflow_m3: float = 0.0
    #: Trucks allowed to serve it (ids; empty = any truck of its kind). The week planner keeps a
    #: point on its territory's truck this way (:mod:`wasteroute.week`); the OR-Tools model obeys it.
    vehicles: tuple[str, ...] = ()
    #: Road profiles (``VehicleData.profile``) on which the point cannot be reached: restricted roads.
    blocked_profiles: tuple[int, ...] = ()


@dataclass(frozen=True)
class VehicleData:
    """One available truck with its type's limits."""

    id: str
    type_name: str
    label: str
    serves: tuple[str, ...]
    capacity_l: int
    containers_per_trip: int | None
    max_trips: int
    shift: Shift
    fuel_km_per_l: float
    idle_l_per_h: float
    fixed_cost: int = 0
    speed_factor: float = 1.0
    max_stops: int | None = None
    #: Most load a truck may collect in the whole day over all its trips (route capacity; None = no limit).
    max_daily_load_l: int | None = None
    #: Road profile: which travel matrix this truck drives on (0 = ``ProblemData.time_s``; see
    #: ``road_profiles``): the roads its type may use under OSM truck restrictions.
    profile: int = 0

    def can_serve(self, point: PointData) -> bool:
        """Whether this truck can empty ``point`` (kind, size, the roads it may use, and the
        point's allowed trucks if any)."""
        return (point.kind in self.serves and point.demand_l <= self.capacity_l
                and self.profile not in point.blocked_profiles
                and (not point.vehicles or self.id in point.vehicles))


@dataclass(frozen=True)
class ProblemData:
    """A day's routing problem in integer units.

    ``time_s``/``dist_m`` are square over ``[depot, *landfills, *points]``: read-only
    :class:`~wasteroute.matrix.LocationMatrix` views (``time_s[i, j]``, slices, index arrays,
    ``np.ix_``) of the matrices kept per distinct road node (``node_time_s``/``node_dist_m``,
    int32, indexed through ``loc_node``). A plain square array given here is wrapped as one
    node per location.
    ``excluded`` holds the points set aside before solving, with ``reasons`` by id;
    ``not_due`` the points not scheduled on ``date``.

    Road profiles: a truck drives on ``time_for(v)``/``dist_for(v)``, profile ``v.profile``;
    profile 0 is ``time_s``/``dist_m``, profiles 1.. are ``profile_time_s``/``profile_dist_m``
    (same locations and node index; entries to or from a point a profile cannot reach hold
    :data:`BLOCKED_S`/:data:`BLOCKED_M`, and such a point lists the profile in its
    ``blocked_profiles``). ``restricted`` says, by point id, which truck types may not reach a
    point and why (the OSM tag and street), also when another type serves it.
    """

    points: tuple[PointData, ...]
    vehicles: tuple[VehicleData, ...]
    depot: Facility
    landfills: tuple[Facility, ...]
    time_s: LocationMatrix = field(repr=False)
    dist_m: LocationMatrix = field(repr=False)
    date: dt.date = field(default_factory=dt.date.today)
    excluded: tuple[PointData, ...] = ()
    reasons: Mapping[str, str] = field(default_factory=dict)
    not_due: tuple[PointData, ...] = ()
    co2_kg_per_l: float = 2.68
    network_note: str = ""
    synthetic_network: bool = False
    matrix: TravelMatrix | None = field(default=None, repr=False, compare=False)
    profile_time_s: tuple[LocationMatrix, ...] = field(default=(), repr=False)
    profile_dist_m: tuple[LocationMatrix, ...] = field(default=(), repr=False)
    profile_matrices: tuple[TravelMatrix, ...] = field(default=(), repr=False, compare=False)
    restricted: Mapping[str, str] = field(default_factory=dict)
    #: Printed name of each point kind by language (``{"bak": {"id": "bak", "en": "bin (bak)"}}``),
    #: from the scenario's ``[[kind]]``; outputs fall back to their own names, then the id.
    kind_names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("time_s", "dist_m"):
            value = getattr(self, name)
            if not isinstance(value, LocationMatrix):
                object.__setattr__(self, name, LocationMatrix.from_dense(np.asarray(value)))
        for name in ("profile_time_s", "profile_dist_m"):
            wrapped = tuple(v if isinstance(v, LocationMatrix) else LocationMatrix.from_dense(np.asarray(v))
                            for v in getattr(self, name))
            object.__setattr__(self, name, wrapped)
        n = 1 + len(self.landfills) + len(self.points)
        if self.time_s.shape != (n, n) or self.dist_m.shape != (n, n):
            raise InputError(f"problem matrices are {self.time_s.shape}, expected {(n, n)}")
        if not np.array_equal(self.time_s.loc_node, self.dist_m.loc_node):
            raise InputError("problem matrices time_s and dist_m must index the same nodes")
        if len(self.profile_time_s) != len(self.profile_dist_m):
            raise InputError("problem: one profile_dist_m per profile_time_s")
        for m in (*self.profile_time_s, *self.profile_dist_m):
            if m.shape != (n, n) or not np.array_equal(m.loc_node, self.time_s.loc_node):
                raise InputError("problem: every road profile's matrix must cover the same locations and nodes")
        bad = [v.id for v in self.vehicles if not 0 <= v.profile <= len(self.profile_time_s)]
        if bad:
            raise InputError(f"problem: vehicle(s) {', '.join(bad)} on a road profile that has no matrix")
        if not self.vehicles:
            raise InputError("problem has no available vehicle; mark fewer trucks unavailable")
        if not self.landfills:
            raise InputError("problem has no landfill; add one to the facilities file")
        ids = [p.id for p in self.points]
        if len(set(ids)) != len(ids):
            raise InputError("problem: duplicate point ids")

    @property
    def node_time_s(self) -> np.ndarray:
        """Travel times (s) between the distinct road nodes of the locations (int32)."""
        return self.time_s.values

    @property
    def node_dist_m(self) -> np.ndarray:
        """Distances (m) between the distinct road nodes of the locations (int32)."""
        return self.dist_m.values

    @property
    def loc_node(self) -> np.ndarray:
        """Row/column in ``node_time_s``/``node_dist_m`` of each location."""
        return self.time_s.loc_node

    @property
    def num_locations(self) -> int:
        """Depot + landfills + points."""
        return 1 + len(self.landfills) + len(self.points)

    @property
    def num_profiles(self) -> int:
        """Road profiles (travel matrices): 1 + ``len(profile_time_s)``."""
        return 1 + len(self.profile_time_s)

    def profile_time(self, profile: int) -> LocationMatrix:
        """Travel times (s) of road profile ``profile``."""
        return self.time_s if profile == 0 else self.profile_time_s[profile - 1]

    def profile_dist(self, profile: int) -> LocationMatrix:
        """Distances (m) of road profile ``profile``."""
        return self.dist_m if profile == 0 else self.profile_dist_m[profile - 1]

    def time_for(self, vehicle: VehicleData) -> LocationMatrix:
        """Travel times (s) on the roads ``vehicle`` may use (before its speed factor)."""
        return self.profile_time(vehicle.profile)

    def dist_for(self, vehicle: VehicleData) -> LocationMatrix:
        """Distances (m) on the roads ``vehicle`` may use."""
        return self.profile_dist(vehicle.profile)

    def matrix_for(self, vehicle: VehicleData | None) -> TravelMatrix | None:
        """The :class:`TravelMatrix` (for drawing paths) of ``vehicle``'s roads; the base one for None."""
        if vehicle is None or vehicle.profile == 0 or not self.profile_matrices:
            return self.matrix
        return self.profile_matrices[vehicle.profile - 1]

    def kind_name(self, kind: str, language: str) -> str:
        """The scenario's printed name of point kind ``kind`` in ``language``, or ``""`` if it names none."""
        return self.kind_names.get(kind, {}).get(language, "")

    def point_location(self, k: int) -> int:
        """Matrix row of point ``k``."""
        return 1 + len(self.landfills) + k

    def landfill_location(self, k: int) -> int:
        """Matrix row of landfill ``k``."""
        return 1 + k

    def replace(self, **changes: Any) -> ProblemData:
        """Return a copy with some fields replaced (a what-if variant)."""
        return dataclasses.replace(self, **changes)

    @property
    def all_point_ids(self) -> list[str]:
        """Every point of the day: served candidates, set aside and not due."""
        return [p.id for p in (*self.points, *self.excluded, *self.not_due)]


def _point_from_row(row: Mapping[str, Any], volume_factor: float) -> PointData:
    vol = float(row["volume_m3"]) * volume_factor
    return PointData(
        id=str(row["id"]),
        name=str(row.get("name", row["id"])),
        kind=str(row["kind"]),
        volume_m3=round(vol, 3),
        # A zero-volume point still counts as a pickup so that every route ends at the landfill.
        demand_l=max(1, m3_to_litres(vol)),
        service_s=int(row["service_s"]),
        ready_s=int(row["ready_s"]),
        latest_s=int(row["latest_s"]),
        lon=float(row["lon"]),
        lat=float(row["lat"]),
        kelurahan=str(row.get("kelurahan", "")),
        kecamatan=str(row.get("kecamatan", "")),
        node=int(row.get("node", -1)),
        snap_m=float(row.get("snap_m", 0.0)),
    )


def vehicles_from_fleet(fleet: Fleet) -> tuple[VehicleData, ...]:
    """The available trucks of ``fleet`` in solver units."""
    return tuple(
        VehicleData(
            id=t.id,
            type_name=t.type.name,
            label=t.type.label or t.type.name,
            serves=tuple(t.type.serves),
            capacity_l=m3_to_litres(t.type.capacity_m3),
            containers_per_trip=t.type.containers_per_trip,
            max_trips=t.type.max_landfill_trips,
            shift=t.type.shift,
            max_stops=t.type.max_stops,
            fuel_km_per_l=t.type.fuel_km_per_l,
            idle_l_per_h=t.type.idle_l_per_h,
            fixed_cost=t.type.fixed_cost_s,
            speed_factor=t.type.speed_factor,
        )
        for t in fleet.trucks()
    )


def build_problem(
    points: pd.DataFrame,
    facilities: Facilities,
    fleet: Fleet,
    matrix: TravelMatrix,
    *,
    date: dt.date,
    snap_issues: Mapping[str, str] | None = None,
    not_due: pd.DataFrame | None = None,
    volume_factor: float = 1.0,
    emissions: EmissionSettings | None = None,
    network_note: str = "",
    synthetic_network: bool = False,
    profiles: RoadProfiles | None = None,
    kind_names: Mapping[str, Mapping[str, str]] | None = None,
) -> ProblemData:
    """Assemble and check the day's problem.

    ``matrix`` must cover the depot, every landfill and every point with a snapped node, by id.
    With ``profiles`` (``road_profiles.build_profiles``; ``matrix`` is its base) each truck
    drives on its type's roads. Points are set aside with a reason when: too far from a road
    (``snap_issues``), unreachable from or back to depot/landfill, no available truck can
    serve their kind, every truck of their kind is kept off the only roads to them (OSM truck
    restrictions, named with their street), or no truck could reach them inside their window
    and still unload and return within its shift.

    Raises
    ------
    InputError
        If a point's kind is served by no vehicle type of the fleet at all, or a point is larger
        than every truck that serves its kind (both are data errors, not daily conditions).
    """
    if volume_factor <= 0:
        raise InputError(f"volume_factor {volume_factor} must be positive")
    all_types = fleet.types
    if profiles is not None and profiles.matrices[0] is not matrix:
        raise ValueError("build_problem: matrix must be profiles.matrices[0]")
    type_profile = dict(profiles.type_profile) if profiles is not None else {}
    vehicles = tuple(dataclasses.replace(v, profile=type_profile.get(v.type_name, 0))
                     for v in vehicles_from_fleet(fleet))
    emissions = emissions or EmissionSettings()
    snap_issues = dict(snap_issues or {})
    rows = _lift_containers_whole([_point_from_row(r, volume_factor) for r in points.to_dict("records")], all_types)
    # Data errors are judged on the volumes as given; an overflow caused by volume_factor (rainy
    # season) is a condition of the day and ends in `unassigned` with a capacity reason.
    _check_fleet_covers([_point_from_row(r, 1.0) for r in points.to_dict("records")], all_types)
    reasons: dict[str, str] = {}
    for p in rows:
        if p.id in snap_issues:
            reasons[p.id] = "too far from a road: " + snap_issues[p.id]
    anchors = [facilities.depot.id, *(lf.id for lf in facilities.landfills)]
    blocked, restricted = _blocked_by_profile(matrix, profiles, anchors, reasons)
    rows = [dataclasses.replace(p, blocked_profiles=tuple(sorted(blocked[p.id]))) if p.id in blocked else p
            for p in rows]
    for p in rows:
        if p.id in reasons:
            continue
        kind_trucks = [v for v in vehicles if p.kind in v.serves]
        if not kind_trucks:
            reasons[p.id] = (
                f"fleet exhausted: no available truck serves kind '{p.kind}' today "
                "(all such trucks are marked unavailable)"
            )
        elif all(v.profile in p.blocked_profiles for v in kind_trucks):
            reasons[p.id] = (f"restricted roads: every truck type of kind '{p.kind}' is kept off the roads "
                             f"to it: {restricted[p.id]}")
        elif not any(v.can_serve(p) for v in vehicles):
            reasons[p.id] = (
                f"capacity: {p.volume_m3:.2f} m³ is more than any available truck of kind "
                f"'{p.kind}' holds today"
            )
    order = [facilities.depot.id, *(lf.id for lf in facilities.landfills)]
    kept = [p for p in rows if p.id not in reasons]
    matrices = profiles.matrices if profiles is not None else (matrix,)
    for p in kept:
        why = _window_infeasible(p, vehicles, matrices, facilities)
        if why:
            reasons[p.id] = why
    kept = [p for p in kept if p.id not in reasons]
    loc_ids = [*order, *(p.id for p in kept)]
    idx = [matrix.position(i) for i in loc_ids]
    time_s = matrix.time_s.select(idx)  # over the kept locations' distinct nodes, never dense
    dist_m = matrix.dist_m.select(idx)
    if time_s.max() >= UNREACHABLE:
        raise AssertionError("unreachable pairs left among kept locations")  # guarded above
    extra = matrices[1:]
    due_off = tuple(_point_from_row(r, volume_factor) for r in (not_due.to_dict("records") if not_due is not None else []))
    return ProblemData(
        points=tuple(kept),
        vehicles=vehicles,
        depot=facilities.depot,
        landfills=tuple(facilities.landfills),
        time_s=time_s,
        dist_m=dist_m,
        date=date,
        excluded=tuple(p for p in rows if p.id in reasons),
        reasons=reasons,
        not_due=due_off,
        co2_kg_per_l=emissions.co2_kg_per_l,
        network_note=network_note,
        synthetic_network=synthetic_network,
        matrix=matrix,
        profile_time_s=tuple(blocked_select(m.time_s, idx, BLOCKED_S) for m in extra),
        profile_dist_m=tuple(blocked_select(m.dist_m, idx, BLOCKED_M) for m in extra),
        profile_matrices=tuple(extra),
        restricted={k: v for k, v in restricted.items() if k not in reasons},
        kind_names=dict(kind_names or {}),
    )


def blocked_select(m: LocationMatrix, idx: Sequence[int], blocked: int) -> LocationMatrix:
    """``m`` over the locations ``idx``, pairs that do not connect set to ``blocked`` (a road
    profile's matrix as ``ProblemData`` holds it)."""
    sel = m.select(idx)
    values = np.array(sel.values)
    values[values >= UNREACHABLE] = blocked
    return LocationMatrix(values, sel.loc_node)


def _blocked_by_profile(
    matrix: TravelMatrix, profiles: RoadProfiles | None, anchors: list[str], reasons: dict[str, str]
) -> tuple[dict[str, set[int]], dict[str, str]]:
    """Points each road profile cannot reach (and get back from), and why, per point id.

    A point cut off on profile 0 is set aside in ``reasons`` (on every road, or, when the base
    is the one profile of the whole fleet, on that profile's roads with the restriction named).
    Points cut off on a profile >= 1 get it in their blocked set; the text says which truck
    types, which tag and which street.
    """
    blocked: dict[str, set[int]] = {}
    texts: dict[str, list[str]] = {}
    matrices = profiles.matrices if profiles is not None else (matrix,)
    for k, m in enumerate(matrices):
        cut = {pid: why for pid, why in unreachable_locations(m, anchors).items() if pid not in reasons}
        for pid, why in cut.items():
            if profiles is None or not profiles.closed[k]:
                reasons[pid] = why  # cut off on every road
                continue
            names = ", ".join(profiles.types_of(k))
            text = f"closed to {names}: {profiles.blocked_reason(k, pid, anchors)}"
            if k == 0:
                reasons[pid] = f"restricted roads: {text}"
            else:
                blocked.setdefault(pid, set()).add(k)
                texts.setdefault(pid, []).append(text)
    return blocked, {pid: "; ".join(t) for pid, t in texts.items() if pid not in reasons}


def _lift_containers_whole(rows: list[PointData], types: tuple[Any, ...]) -> list[PointData]:
    """Cap a container's load at the container's size; the rest is overflow left at the site.

    A point is a container when every vehicle type that serves its kind lifts containers
    (``containers_per_trip`` set); its size is the largest such type's capacity. An arm-roll
    truck lifts the container whole whatever lies on and around it, so a container filled
    beyond its size (``volume_factor`` in the rainy season) is still served, and the m³ beyond
    its size are reported as ``overflow_m3``, not as a point no truck can serve.
    """
    out = []
    for p in rows:
        serving = [t for t in types if p.kind in t.serves]
        if not serving or any(t.containers_per_trip is None for t in serving):
            out.append(p)
            continue
        size_m3 = max(float(t.capacity_m3) for t in serving)
        if p.volume_m3 <= size_m3 + 1e-9:
            out.append(p)
            continue
        out.append(dataclasses.replace(p, volume_m3=round(size_m3, 3), demand_l=m3_to_litres(size_m3),
                                       overflow_m3=round(p.volume_m3 - size_m3, 3)))
    return out


def _check_fleet_covers(rows: list[PointData], types: tuple[Any, ...]) -> None:
    problems = []
    for p in rows:
        serving = [t for t in types if p.kind in t.serves]
        if not serving:
            problems.append(
                f"collection point `{p.id}` is of kind '{p.kind}' but no vehicle type serves it; "
                "add that kind to a vehicle type's `serves` or fix the point's kind"
            )
        elif p.volume_m3 > max(t.capacity_m3 for t in serving) + 1e-9:
            cap = max(t.capacity_m3 for t in serving)
            problems.append(
                f"collection point `{p.id}` needs {p.volume_m3:.2f} m³ but the largest vehicle for "
                f"'{p.kind}' holds {cap:.1f} m³; split it or add a larger vehicle"
            )
    if problems:
        raise InputError(f"{len(problems)} collection point(s) no truck type can serve", problems)


def _window_infeasible(
    p: PointData, vehicles: tuple[VehicleData, ...], matrices: tuple[TravelMatrix, ...], facilities: Facilities
) -> str:
    """A reason if no truck could serve ``p`` alone within its window and shift, else ``""``."""
    best_late = None
    for v in vehicles:
        if not v.can_serve(p):
            continue
        matrix = matrices[v.profile]
        i = matrix.position(p.id)
        d = matrix.position(facilities.depot.id)
        arrive = v.shift.start_s + int(matrix.time_s[d, i] / v.speed_factor)
        start = max(arrive, p.ready_s)
        latest = p.latest_s if p.latest_s >= 0 else v.shift.end_s
        if start > latest:
            best_late = start if best_late is None else min(best_late, start)
            continue
        for lf in facilities.landfills:
            li = matrix.position(lf.id)
            at_lf = max(start + p.service_s + int(matrix.time_s[i, li] / v.speed_factor), lf.opens_s)
            if at_lf > lf.closes_s:
                continue
            back = at_lf + lf.unload_s + int(matrix.time_s[li, d] / v.speed_factor)
            if back <= v.shift.end_s:
                return ""
    if best_late is not None:
        return (
            f"window: the earliest a truck can get there is {format_hhmm(best_late)}, after its "
            f"latest time {format_hhmm(p.latest_s)}; widen the window or start a shift earlier"
        )
    return (
        "window: no truck can collect it, unload at an open landfill and be back before its shift "
        "ends; check the point's window, the landfill hours and the shift"
    )
