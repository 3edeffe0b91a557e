"""Settings as frozen dataclasses with defaults, checked in ``__post_init__``, loaded from TOML.

An empty TOML table gives the defaults. Every number the domain knows only roughly
(speeds, loading times, fuel economy, ...) is a setting here, never a constant in code.
Defaults follow ``shared/domain.md`` for Kota Kupang.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from .errors import InputError
from .units import parse_hhmm

T = TypeVar("T")

#: Kinds of collection point and the vehicle kinds that can serve them.
POINT_KINDS: tuple[str, ...] = ("container", "bak", "roadside")

#: Free-flow speeds per OSM highway class in km/h, for a small Indonesian city before 07:00.
DEFAULT_SPEEDS_KPH: dict[str, float] = {
    "motorway": 60.0,
    "trunk": 40.0,
    "primary": 35.0,
    "secondary": 30.0,
    "tertiary": 25.0,
    "unclassified": 20.0,
    "residential": 18.0,
    "living_street": 10.0,
    "service": 12.0,
    "road": 18.0,
    "track": 10.0,
}


def _time(value: Any, where: str) -> int:
    try:
        return parse_hhmm(value)
    except ValueError as exc:
        raise InputError(f"{where}: {exc}") from None


def _build(cls: type[T], table: Mapping[str, Any], where: str, **overrides: Any) -> T:
    """Build a dataclass from a TOML table, rejecting unknown keys with a clear message."""
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(table) - names)
    if unknown:
        msg = (
            f"{where}: unknown setting(s) {', '.join(unknown)}; "
            f"known settings are {', '.join(sorted(names))}"
        )
        raise InputError(msg)
    values = {**table, **overrides}
    try:
        return cls(**values)
    except TypeError as exc:
        raise InputError(f"{where}: {exc}") from None


@dataclass(frozen=True)
class NetworkSettings:
    """How the road graph is obtained and how fast trucks drive on it.

    ``synthetic_osm_file`` is the generated offline network shipped for a city without a
    real extract here; ``osm_file`` (a real extract) and a cached download both win over it.
    """

    osm_file: str | None = None
    synthetic_osm_file: str | None = None
    place: str | None = None
    boundary_file: str | None = None
    cache_dir: str = "~/.cache/wasteroute"
    cache_parsed: bool = False
    overpass_url: str | None = None
    network_type: str = "drive"
    speeds_kph: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_SPEEDS_KPH))
    default_speed_kph: float = 22.0
    use_maxspeed: bool = True
    max_snap_m: float = 300.0

    def __post_init__(self) -> None:
        bad = {k: v for k, v in self.speeds_kph.items() if not (0 < float(v) <= 130)}
        if bad:
            raise InputError(f"network speeds must be in (0, 130] km/h; fix {bad}")
        if not 0 < self.default_speed_kph <= 130:
            raise InputError(f"default_speed_kph {self.default_speed_kph} must be in (0, 130]")
        if self.max_snap_m <= 0:
            raise InputError(f"max_snap_m {self.max_snap_m} must be positive")


@dataclass(frozen=True)
class Shift:
    """A working shift with one break inside a window (all times seconds after midnight)."""

    start_s: int = 5 * 3600
    end_s: int = 12 * 3600
    break_duration_s: int = 30 * 60
    break_earliest_s: int = 8 * 3600
    break_latest_s: int = 10 * 3600 + 30 * 60

    def __post_init__(self) -> None:
        if self.start_s >= self.end_s:
            raise InputError(
                f"shift start {self.start_s} s is not before its end {self.end_s} s; fix the shift"
            )
        if self.break_duration_s < 0:
            raise InputError("shift break duration must be >= 0")
        if self.break_duration_s and not (
            self.start_s <= self.break_earliest_s <= self.break_latest_s <= self.end_s
        ):
            raise InputError(
                "shift break window must lie inside the shift with earliest <= latest; "
                f"got earliest {self.break_earliest_s} s, latest {self.break_latest_s} s"
            )

    @classmethod
    def from_table(cls, table: Mapping[str, Any], where: str = "shift") -> Shift:
        """Build from a TOML table with ``start``, ``end`` (HH:MM), ``break_minutes``,
        ``break_earliest`` and ``break_latest``."""
        known = {"start", "end", "break_minutes", "break_earliest", "break_latest"}
        unknown = sorted(set(table) - known)
        if unknown:
            raise InputError(f"{where}: unknown setting(s) {', '.join(unknown)}; known: {sorted(known)}")
        d = cls()
        return cls(
            start_s=_time(table.get("start", d.start_s), f"{where}.start"),
            end_s=_time(table.get("end", d.end_s), f"{where}.end"),
            break_duration_s=int(round(float(table.get("break_minutes", d.break_duration_s / 60)) * 60)),
            break_earliest_s=_time(table.get("break_earliest", d.break_earliest_s), f"{where}.break_earliest"),
            break_latest_s=_time(table.get("break_latest", d.break_latest_s), f"{where}.break_latest"),
        )


@dataclass(frozen=True)
class VehicleType:
    """A class of truck. ``serves`` lists the collection-point kinds it can empty."""

    name: str
    count: int
    capacity_m3: float
    serves: tuple[str, ...]
    id_prefix: str = ""
    label: str = ""
    containers_per_trip: int | None = None
    max_landfill_trips: int = 3
    max_stops: int | None = None
    fuel_km_per_l: float = 4.0
    idle_l_per_h: float = 1.5
    fixed_cost_s: int = 0
    speed_factor: float = 1.0
    shift: Shift = field(default_factory=Shift)

    def __post_init__(self) -> None:
        where = f"vehicle type {self.name!r}"
        if self.count < 0:
            raise InputError(f"{where}: count {self.count} must be >= 0")
        if self.capacity_m3 <= 0:
            raise InputError(f"{where}: capacity_m3 {self.capacity_m3} must be positive")
        unknown = sorted(set(self.serves) - set(POINT_KINDS))
        if unknown or not self.serves:
            raise InputError(
                f"{where}: serves {list(self.serves)} must be a non-empty list of {list(POINT_KINDS)}"
            )
        if self.containers_per_trip is not None and self.containers_per_trip < 1:
            raise InputError(f"{where}: containers_per_trip must be >= 1 or left out")
        if self.max_landfill_trips < 1:
            raise InputError(f"{where}: max_landfill_trips must be >= 1")
        if self.max_stops is not None and self.max_stops < 1:
            raise InputError(f"{where}: max_stops must be >= 1 or left out")
        if self.fuel_km_per_l <= 0 or self.idle_l_per_h < 0:
            raise InputError(f"{where}: fuel_km_per_l must be > 0 and idle_l_per_h >= 0")
        if not 0.2 <= self.speed_factor <= 2.0:
            raise InputError(f"{where}: speed_factor {self.speed_factor} must be in [0.2, 2]")


@dataclass(frozen=True)
class Truck:
    """One physical truck of a vehicle type."""

    id: str
    type: VehicleType


@dataclass(frozen=True)
class Fleet:
    """The trucks available for a day."""

    types: tuple[VehicleType, ...]
    unavailable: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.types:
            raise InputError("fleet has no vehicle type; add at least one [[vehicle_type]]")
        names = [t.name for t in self.types]
        if len(set(names)) != len(names):
            raise InputError(f"fleet: duplicate vehicle type names in {names}")
        all_ids = {t.id for t in self.all_trucks()}
        unknown = sorted(set(self.unavailable) - all_ids)
        if unknown:
            raise InputError(
                f"fleet: unavailable truck(s) {', '.join(unknown)} do not exist; "
                f"truck ids look like {sorted(all_ids)[:3]}"
            )

    def all_trucks(self) -> list[Truck]:
        """Every truck of the fleet, available or not, in a stable order."""
        trucks: list[Truck] = []
        for vt in self.types:
            prefix = vt.id_prefix or vt.name.upper()
            trucks.extend(Truck(f"{prefix}-{i:02d}", vt) for i in range(1, vt.count + 1))
        return trucks

    def trucks(self) -> list[Truck]:
        """The trucks available today."""
        off = set(self.unavailable)
        return [t for t in self.all_trucks() if t.id not in off]

    def with_unavailable(self, truck_ids: tuple[str, ...] | list[str]) -> Fleet:
        """Return a copy with these trucks (also) marked unavailable."""
        merged = tuple(dict.fromkeys([*self.unavailable, *truck_ids]))
        return dataclasses.replace(self, unavailable=merged)

    def with_available(self, n: int) -> Fleet:
        """Return a copy where only the first ``n`` trucks, spread over the types, are available.

        Trucks are taken off in proportion to each type's size, largest type first, as a planner
        would model breakdowns.
        """
        trucks = self.trucks()
        if not 0 <= n <= len(trucks):
            raise InputError(f"fleet has {len(trucks)} available trucks; cannot keep {n}")
        by_type: dict[str, list[Truck]] = {}
        for t in trucks:
            by_type.setdefault(t.type.name, []).append(t)
        keep = {name: len(ts) for name, ts in by_type.items()}
        while sum(keep.values()) > n:
            name = max(keep, key=lambda k: (keep[k] / len(by_type[k]), keep[k]))
            keep[name] -= 1
        off = [t.id for name, ts in by_type.items() for t in ts[keep[name]:]]
        return self.with_unavailable(off)

    def with_second_shift(self, start: str, end: str, *, break_minutes: int = 0) -> Fleet:
        """Return a copy where every type also works a second shift ``start``-``end``.

        Each type gets a twin (name suffix ``_pm``, truck ids ``<prefix>-PM-NN``) with that
        shift; a truck unavailable today is unavailable in both shifts.
        """
        start_s, end_s = parse_hhmm(start), parse_hhmm(end)
        brk = int(break_minutes) * 60
        shift = Shift(start_s=start_s, end_s=end_s, break_duration_s=brk,
                      break_earliest_s=start_s, break_latest_s=max(start_s, end_s - brk))
        twins = []
        for vt in self.types:
            prefix = vt.id_prefix or vt.name.upper()
            twins.append(dataclasses.replace(vt, name=f"{vt.name}_pm", id_prefix=f"{prefix}-PM",
                                             label=f"{vt.label or vt.name} (afternoon)", shift=shift))
        off = list(self.unavailable)
        for vt in self.types:
            prefix = vt.id_prefix or vt.name.upper()
            off += [u.replace(f"{prefix}-", f"{prefix}-PM-", 1) for u in self.unavailable if u.startswith(f"{prefix}-")]
        return Fleet(types=(*self.types, *twins), unavailable=tuple(off))

    @classmethod
    def from_toml(cls, path: str | Path) -> Fleet:
        """Read a fleet file (see ``data/kupang/fleet.toml``).

        Raises
        ------
        InputError
            If the file is missing or a setting is wrong.
        """
        table = _read_toml(path)
        return cls.from_table(table, where=str(path))

    @classmethod
    def from_table(cls, table: Mapping[str, Any], where: str = "fleet") -> Fleet:
        """Build from a parsed TOML table."""
        shift = Shift.from_table(table.get("shift", {}), where=f"{where} [shift]")
        types = []
        for i, vt in enumerate(table.get("vehicle_type", [])):
            vt = dict(vt)
            vshift = Shift.from_table(vt.pop("shift"), f"{where} vehicle_type[{i}].shift") if "shift" in vt else shift
            vt["serves"] = tuple(vt.get("serves", ()))
            types.append(_build(VehicleType, vt, f"{where} vehicle_type[{i}]", shift=vshift))
        unknown = sorted(set(table) - {"shift", "vehicle_type", "unavailable", "description"})
        if unknown:
            raise InputError(f"{where}: unknown setting(s) {', '.join(unknown)}")
        return cls(types=tuple(types), unavailable=tuple(table.get("unavailable", ())))


@dataclass(frozen=True)
class Facility:
    """A depot or landfill. ``approximate`` marks a location that is not published."""

    id: str
    name: str
    lon: float
    lat: float
    approximate: bool = False
    opens_s: int = 0
    closes_s: int = 24 * 3600
    unload_s: int = 0
    note: str = ""

    def __post_init__(self) -> None:
        if not (-180 <= self.lon <= 180 and -90 <= self.lat <= 90):
            raise InputError(f"facility {self.id!r}: lon/lat ({self.lon}, {self.lat}) out of range")
        if self.opens_s > self.closes_s:
            raise InputError(f"facility {self.id!r}: opens after it closes; fix opens/closes")


@dataclass(frozen=True)
class Facilities:
    """One depot and one or more landfills."""

    depot: Facility
    landfills: tuple[Facility, ...]

    def __post_init__(self) -> None:
        if not self.landfills:
            raise InputError("facilities: no landfill; add a [[landfill]] table")
        ids = [self.depot.id, *(f.id for f in self.landfills)]
        if len(set(ids)) != len(ids):
            raise InputError(f"facilities: duplicate ids in {ids}")

    @classmethod
    def from_toml(cls, path: str | Path) -> Facilities:
        """Read a facilities file (see ``data/kupang/facilities.toml``)."""
        table = _read_toml(path)
        return cls.from_table(table, where=str(path))

    @classmethod
    def from_table(cls, table: Mapping[str, Any], where: str = "facilities") -> Facilities:
        """Build from a parsed TOML table with ``[depot]`` and ``[[landfill]]``."""
        if "depot" not in table:
            raise InputError(f"{where}: no [depot] table; add one with id, name, lon, lat")

        def fac(t: Mapping[str, Any], w: str) -> Facility:
            t = dict(t)
            extra: dict[str, Any] = {}
            if "opens" in t:
                extra["opens_s"] = _time(t.pop("opens"), f"{w}.opens")
            if "closes" in t:
                extra["closes_s"] = _time(t.pop("closes"), f"{w}.closes")
            if "unload_minutes" in t:
                extra["unload_s"] = int(round(float(t.pop("unload_minutes")) * 60))
            return _build(Facility, t, w, **extra)

        depot = fac(table["depot"], f"{where} [depot]")
        landfills = tuple(fac(t, f"{where} landfill[{i}]") for i, t in enumerate(table.get("landfill", [])))
        return cls(depot=depot, landfills=landfills)

    def with_landfill_hours(self, *, opens_s: int | None = None, closes_s: int | None = None) -> Facilities:
        """Return a copy with every landfill's opening hours changed (e.g. closed until 09:00)."""
        lfs = tuple(
            dataclasses.replace(
                f,
                opens_s=f.opens_s if opens_s is None else opens_s,
                closes_s=f.closes_s if closes_s is None else closes_s,
            )
            for f in self.landfills
        )
        return dataclasses.replace(self, landfills=lfs)


@dataclass(frozen=True)
class ServiceSettings:
    """Time spent at a collection point, when the points file gives no ``service_s``."""

    manual_setup_s: int = 5 * 60
    manual_s_per_m3: int = 600
    container_swap_s: int = 12 * 60

    def service_s(self, kind: str, volume_m3: float) -> int:
        """Service time at a point of this kind and volume."""
        if kind == "container":
            return self.container_swap_s
        return int(round(self.manual_setup_s + self.manual_s_per_m3 * volume_m3))


@dataclass(frozen=True)
class EmissionSettings:
    """Diesel CO₂ factor."""

    co2_kg_per_l: float = 2.68


@dataclass(frozen=True)
class SolverParams:
    """Search settings and objective weights for the OR-Tools model.

    The objective is ``time_weight * travel time (s) + distance_weight * distance (m)
    + vehicle fixed costs + balance terms``; dropping a point costs ``drop_penalty``,
    which is set far above any route cost so that serving is always preferred.
    """

    time_limit_s: float = 30.0
    solution_limit: int | None = None
    first_solution: str = "PARALLEL_CHEAPEST_INSERTION"
    local_search: str = "GUIDED_LOCAL_SEARCH"
    seed: int = 0
    time_weight: int = 1
    distance_weight: int = 0
    vehicle_fixed_cost: int = 0
    span_cost_coefficient: int = 0
    soft_max_duration_s: int | None = None
    soft_max_duration_cost: int = 10
    drop_penalty: int = 10_000_000
    trip_slack: int = 1
    log_search: bool = False
    num_workers: int = 1
    #: Landfill copies in the model: "auto" gives each landfill only as many copies as the
    #: trips that plausibly use it (the points for which it is one of the two nearest);
    #: "all" gives every landfill one copy per truck trip (the v1 model, large with many landfills).
    landfill_copies: str = "auto"
    #: "auto": with one landfill and no fixed truck costs, every truck gets its own mandatory
    #: final unload node, so that opening a route is a one-point move for the search;
    #: "nearest": the same also with several landfills (at the one nearest the depot, where
    #: every route then ends) and fixed costs; "optional": only optional copies (the v1 model).
    final_unload: str = "auto"
    #: Strategy tried when ``first_solution`` finds no plan within ``first_solution_timeout_s``
    #: (None: no fallback); armed for models of 800+ nodes or when the timeout is set. SAVINGS because it is the quickest to give a plan on 2000 stops;
    #: PATH_CHEAPEST_ARC and LOCAL_CHEAPEST_INSERTION leave almost every point unassigned here
    #: (a single inserted point cannot end its route empty without a landfill visit).
    first_solution_fallback: str | None = "SAVINGS"
    #: Time for the first strategy before the fallback; None = a third of ``time_limit_s``
    #: (and the fallback only for large models).
    first_solution_timeout_s: float | None = None
    #: Serve every point with as few trucks as the search finds (``fleet_size``): the fleet
    #: grows from a lower bound, trucks in fleet order; the others stay at the depot.
    minimise_trucks: bool = False
    #: Days with more points than this are solved area by area (``decompose``: compact areas
    #: of at most ``area_max_points`` points, each with its share of the fleet, then a
    #: whole-day search from the merged plan); None = never. 700: Kim 804/1051 stops were
    #: better by area (618.8 vs 715.4 miles; 17 vs 18 trucks), Kupang-size days stay whole.
    decompose_above: int | None = 700
    area_max_points: int = 250

    def __post_init__(self) -> None:
        if self.time_limit_s <= 0:
            raise InputError(f"solver time_limit_s {self.time_limit_s} must be positive")
        if self.solution_limit is not None and self.solution_limit < 1:
            raise InputError("solver solution_limit must be >= 1 or left out")
        for name in ("time_weight", "distance_weight", "vehicle_fixed_cost", "span_cost_coefficient"):
            if getattr(self, name) < 0:
                raise InputError(f"solver {name} must be >= 0")
        if self.drop_penalty <= 0:
            raise InputError("solver drop_penalty must be positive")
        if self.landfill_copies not in ("auto", "all"):
            raise InputError(f"solver landfill_copies {self.landfill_copies!r} must be 'auto' or 'all'")
        if self.final_unload not in ("auto", "nearest", "optional"):
            raise InputError(f"solver final_unload {self.final_unload!r} must be 'auto', 'nearest' or 'optional'")
        if self.decompose_above is not None and self.decompose_above < 1:
            raise InputError("solver decompose_above must be >= 1 (points) or left out")
        if self.area_max_points < 1:
            raise InputError("solver area_max_points must be >= 1")
        if self.first_solution_timeout_s is not None and self.first_solution_timeout_s <= 0:
            raise InputError("solver first_solution_timeout_s must be positive or left out")

    @classmethod
    def from_toml(cls, path: str | Path) -> SolverParams:
        """Read solver settings from a TOML file (its ``[solver]`` table if present)."""
        table = _read_toml(path)
        return cls.from_table(table.get("solver", table), where=str(path))

    @classmethod
    def from_table(cls, table: Mapping[str, Any], where: str = "solver") -> SolverParams:
        """Build from a parsed TOML table."""
        return _build(cls, table, where)


def _read_toml(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    if not p.is_file():
        raise InputError(f"settings file {p} does not exist; check the path")
    try:
        with p.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"settings file {p} is not valid TOML: {exc}") from None
