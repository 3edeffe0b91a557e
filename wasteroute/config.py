"""Settings as frozen dataclasses with defaults, checked in ``__post_init__``, loaded from TOML.

An empty TOML table gives the defaults. Every number the domain knows only roughly
(speeds, loading times, fuel economy, ...) is a setting here, never a constant in code.
Defaults follow ``shared/domain.md`` for Kota Kupang.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
import tomllib
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from .errors import InputError
from .speed_profiles import DEFAULT_PROFILE, SPEED_PROFILES, speed_profile
from .units import format_hhmm, parse_hhmm

T = TypeVar("T")

#: Kinds of collection point and the vehicle kinds that can serve them (Kupang's; a scenario
#: may name its own with ``[[kind]]``, see :class:`PointKind`).
POINT_KINDS: tuple[str, ...] = ("container", "bak", "roadside")
#: How a point of a kind is loaded: by hand (``ServiceSettings.manual_*``) or as a container
#: lifted whole by an arm-roll truck (``ServiceSettings.container_swap_s``).
LOADINGS: tuple[str, ...] = ("manual", "swap")
_KIND_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True)
class PointKind:
    """A kind of collection point: its id in the points file, how it is loaded, its printed names.

    ``name_id``/``name_en`` are what driver sheets, GPX files and maps print (Bahasa Indonesia,
    English); empty means the id itself.
    """

    id: str
    loading: str = "manual"
    name_id: str = ""
    name_en: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not _KIND_ID.match(self.id):
            raise InputError(f"kind id {self.id!r} must be lower-case letters, digits, _ or -, e.g. \"glass\"")
        if self.loading not in LOADINGS:
            raise InputError(f"kind {self.id!r}: loading {self.loading!r} must be one of {', '.join(LOADINGS)}")

    def name(self, language: str) -> str:
        """The printed name in ``language`` (``"id"`` or ``"en"``)."""
        return (self.name_id if language == "id" else self.name_en) or self.id


#: Kupang's kinds: steel containers (arm-roll), masonry bins and roadside points (dump trucks).
DEFAULT_POINT_KINDS: tuple[PointKind, ...] = (
    PointKind("container", "swap", "kontainer", "container"),
    PointKind("bak", "manual", "bak", "bin (bak)"),
    PointKind("roadside", "manual", "tepi jalan", "roadside"),
)


def point_kinds_from_table(items: Any, where: str) -> tuple[PointKind, ...]:
    """The ``[[kind]]`` tables of a scenario (each ``id``, ``loading``, ``name_id``, ``name_en``);
    Kupang's kinds when there are none.

    Raises
    ------
    InputError
        If a table has unknown or wrongly typed settings, an id repeats, or a value is invalid.
    """
    if items is None:
        return DEFAULT_POINT_KINDS
    tables = _array_of_tables(items, where, "kind")
    for i, t in enumerate(tables):
        if isinstance(t, Mapping) and "id" not in t:
            raise InputError(f"{where} kind[{i}]: no id; add e.g. id = \"glass\" (the kind as the points file writes it)")
    kinds = tuple(_build(PointKind, t, f"{where} kind[{i}]", section="kind") for i, t in enumerate(tables))
    if not kinds:
        raise InputError(f"{where}: [[kind]] is empty; name at least one kind of collection point or leave it out")
    ids = [k.id for k in kinds]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise InputError(f"{where}: kind id(s) {', '.join(dup)} given twice; give each [[kind]] its own id")
    return kinds

#: Free-flow speeds per OSM highway class in km/h, for a small Indonesian city before 07:00
#: (the ``id-small-city`` speed profile; see ``speed_profiles``).
DEFAULT_SPEEDS_KPH: dict[str, float] = dict(SPEED_PROFILES[DEFAULT_PROFILE].speeds_kph)


def _time(value: Any, where: str) -> int:
    try:
        return parse_hhmm(value)
    except ValueError as exc:
        raise InputError(f"{where}: {exc}") from None


def _describe(value: Any) -> str:
    """Say what a TOML value is, for messages: "the string '5'", "a list", ..."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, (list, tuple)):
        return f"the list {list(value)!r}"
    return f"a {type(value).__name__}"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _hint(value: Any, kind: str) -> str:
    """How to write ``value`` as ``kind`` in TOML."""
    if isinstance(value, str) and kind in ("number", "whole number") and _looks_numeric(value.strip()):
        return f"write {value.strip()} without quotes"
    if isinstance(value, str) and kind == "true or false" and value.strip().lower() in ("true", "false"):
        return f"write {value.strip().lower()} without quotes"
    if isinstance(value, str) and kind == "list of strings":
        items = [v.strip() for v in value.split(",") if v.strip()]
        return "write it as a list: [" + ", ".join(f'"{v}"' for v in items) + "]"
    if kind == "string" and not isinstance(value, (Mapping, list)):
        return f'write it in quotes: "{value}"'
    return "write true or false" if kind == "true or false" else f"write a {kind}"


def _unwrap_optional(hint: Any) -> Any:
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if typing.get_origin(hint) in (typing.Union, types.UnionType) and len(args) == 1:
        return args[0]
    return hint


def _kind_of(hint: Any) -> str | None:
    """The TOML kind a dataclass field of this type needs, or None when not checked here."""
    hint = _unwrap_optional(hint)
    origin = typing.get_origin(hint)
    if hint is bool:
        return "true or false"
    if hint is int:
        return "whole number"
    if hint is float:
        return "number"
    if hint is str:
        return "string"
    if origin is tuple:
        return "list of strings"
    if origin in (Mapping, dict):
        return "table of numbers"
    return None


def _matches(value: Any, kind: str) -> bool:
    if kind == "true or false":
        return isinstance(value, bool)
    if kind == "whole number":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if kind == "number":
        return _is_number(value)
    if kind == "string":
        return isinstance(value, str)
    if kind == "list of strings":
        return isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)
    if kind == "table of numbers":
        return isinstance(value, Mapping) and all(_is_number(v) for v in value.values())
    return True


def check_type(value: Any, kind: str, name: str) -> str | None:
    """Return a message if ``value`` is not of ``kind`` (see :func:`_kind_of`), else None.

    Numbers must also be finite: TOML accepts ``inf`` and ``nan``, no setting does.
    """
    if not _matches(value, kind):
        article = "" if kind == "true or false" else "a "
        return f"{name} must be {article}{kind}, got {_describe(value)}; {_hint(value, kind)}"
    if _is_number(value) and not math.isfinite(value):
        return f"{name} must be a finite number, got {value!r}; write a number such as 1 or 2.5"
    if kind == "table of numbers":
        bad = [k for k, v in value.items() if not math.isfinite(v)]
        if bad:
            return f"{name}.{bad[0]} must be a finite number, got {value[bad[0]]!r}"
    return None


def _check_table(table: Any, where: str, section: str) -> Mapping[str, Any]:
    if not isinstance(table, Mapping):
        msg = f"{where}: {section} must be a table ([{section}] with key = value lines), got {_describe(table)}"
        raise InputError(msg)
    return table


def _build(cls: type[T], table: Mapping[str, Any], where: str, *, section: str = "", **overrides: Any) -> T:
    """Build a dataclass from a TOML table, rejecting unknown keys and wrong types with a clear message.

    Raises
    ------
    InputError
        Naming every unknown setting (with the closest known name) and every value of the wrong type.
    """
    section = section or cls.__name__
    _check_table(table, where, section)
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(table) - names)
    if unknown:
        close = {u: difflib.get_close_matches(u, sorted(names), n=1) for u in unknown}
        said = ", ".join(f"{u} (did you mean {close[u][0]}?)" if close[u] else u for u in unknown)
        msg = f"{where}: unknown setting(s) {said}; known settings are {', '.join(sorted(names))}"
        raise InputError(msg)
    hints = typing.get_type_hints(cls)
    problems = []
    values = dict(table)
    for key, value in table.items():
        kind = _kind_of(hints.get(key))
        problem = None if kind is None else check_type(value, kind, f"{section}.{key}")
        if problem:
            problems.append(problem)
        elif kind == "whole number":
            values[key] = int(value)
        elif kind == "list of strings":
            values[key] = tuple(value)
    if len(problems) == 1:
        raise InputError(f"{where}: {problems[0]}")
    if problems:
        raise InputError(f"{where}: {len(problems)} settings of the wrong type", problems)
    try:
        return cls(**{**values, **overrides})
    except TypeError as exc:
        raise InputError(f"{where}: {exc}") from None


def _number_in(value: float, name: str, where: str, *, low: float, high: float = math.inf,
               low_open: bool = False) -> None:
    """Check ``low <= value <= high`` (``low < value`` when ``low_open``) and finiteness.

    Raises
    ------
    InputError
        Naming the setting, its value and the range.
    """
    ok = math.isfinite(value) and (value > low if low_open else value >= low) and value <= high
    if not ok:
        left = "(" if low_open else "["
        right = f"{high:g}]" if math.isfinite(high) else "inf)"
        raise InputError(f"{where}: {name} {value!r} must be a finite number in {left}{low:g}, {right}")


@dataclass(frozen=True)
class NetworkSettings:
    """How the road graph is obtained and how fast trucks drive on it.

    ``synthetic_osm_file`` is the generated offline network shipped for a city without a
    real extract here; ``osm_file`` (a real extract) and a cached download both win over it.
    Relative paths here, ``cache_dir`` included, are relative to the scenario file's folder
    (``~`` is expanded); ``wasteroute.network.cache_folder`` applies that rule for every cache.
    Caches hold data only and are checked against their source on every read.
    ``speed_profile`` names the shipped speeds per road class (``speed_profiles``); a
    ``speeds_kph`` table replaces the profile's classes (list every class you drive on).
    ``max_snap_m`` None scales the snap limit with the graph (``network.snap_limit_m``).
    ``truck_restrictions`` keeps each vehicle type off the roads OSM closes to it (``hgv``,
    ``access``, ``maxweight``, ``maxaxleload``, ``maxheight``, ``maxlength``, ``motor_vehicle``;
    see ``road_profiles``); ``destination_roads_open`` lets trucks use ``access=destination``
    roads (a collection truck has business there).
    A point sits at its spot on its nearest street (docs/network.md): ``kerb_side`` true makes
    the crew stop on the point's side of a two-way street (the truck then passes it only in
    the direction that has it on the kerb, the left where ``driving_side`` is ``"left"``, as
    in Indonesia); points within ``same_place_m`` along one street are one stop.
    """

    osm_file: str | None = None
    synthetic_osm_file: str | None = None
    place: str | None = None
    boundary_file: str | None = None
    cache_dir: str = "~/.cache/wasteroute"
    cache_parsed: bool = False
    overpass_url: str | None = None
    network_type: str = "drive"
    speed_profile: str = DEFAULT_PROFILE
    speeds_kph: Mapping[str, float] = field(default_factory=dict)
    default_speed_kph: float | None = None
    use_maxspeed: bool = True
    max_snap_m: float | None = None
    truck_restrictions: bool = True
    destination_roads_open: bool = True
    kerb_side: bool = False
    driving_side: str = "left"
    same_place_m: float = 10.0

    def __post_init__(self) -> None:
        speed_profile(self.speed_profile)
        if self.driving_side not in ("left", "right"):
            raise InputError(f"[network] driving_side {self.driving_side!r} must be \"left\" or \"right\"")
        if not isinstance(self.kerb_side, bool):
            raise InputError(f"[network] kerb_side {self.kerb_side!r} must be true or false")
        _number_in(self.same_place_m, "same_place_m", "network", low=0, high=100)
        bad = {k: v for k, v in self.speeds_kph.items() if not (0 < float(v) <= 130)}
        if bad:
            raise InputError(f"network speeds must be in (0, 130] km/h; fix {bad}")
        if self.default_speed_kph is not None:
            _number_in(self.default_speed_kph, "default_speed_kph", "network", low=0, high=130, low_open=True)
        if self.max_snap_m is not None:
            _number_in(self.max_snap_m, "max_snap_m", "network", low=0, low_open=True)

    def class_speeds_kph(self) -> dict[str, float]:
        """Speed per highway class: ``speeds_kph`` when given (it replaces the whole table), else the profile's."""
        return dict(self.speeds_kph or speed_profile(self.speed_profile).speeds_kph)

    def fallback_speed_kph(self) -> float:
        """Speed of a road of no known class: ``default_speed_kph``, else the profile's."""
        if self.default_speed_kph is not None:
            return self.default_speed_kph
        return speed_profile(self.speed_profile).default_speed_kph


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
                f"shift start {format_hhmm(self.start_s)} is not before its end "
                f"{format_hhmm(self.end_s)}; fix the shift"
            )
        if not 0 <= self.break_duration_s < self.end_s - self.start_s:
            raise InputError(
                f"shift break of {self.break_duration_s / 60:g} minutes must be >= 0 and shorter "
                "than the shift; fix break_minutes"
            )
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
        _check_table(table, where, "shift")
        unknown = sorted(set(table) - known)
        if unknown:
            raise InputError(f"{where}: unknown setting(s) {', '.join(unknown)}; known: {sorted(known)}")
        d = cls()
        minutes = table.get("break_minutes", d.break_duration_s / 60)
        problem = check_type(minutes, "number", "shift.break_minutes")
        if problem:
            raise InputError(f"{where}: {problem}")
        return cls(
            start_s=_time(table.get("start", d.start_s), f"{where}.start"),
            end_s=_time(table.get("end", d.end_s), f"{where}.end"),
            break_duration_s=int(round(minutes * 60)),
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
    #: Size and weight checked against OSM ``maxheight``, ``maxweight`` (gross, loaded),
    #: ``maxlength`` and ``maxaxleload``; ``weight_t`` above 3.5 t also makes ``hgv=*`` apply.
    #: Defaults: a loaded 6 m³ dump truck of Kupang. ASSUMPTIONS, not published figures: waste
    #: trucks weigh 10-26 t (domain.md); 12 t gross and 8 t on the rear axle (the heaviest axle
    #: Indonesian class II/III roads allow, UU 22/2009 art. 19), 3.2 m high with the body,
    #: 7.5 m long. Set the real figures per vehicle type in the fleet file.
    height_m: float = 3.2
    weight_t: float = 12.0
    length_m: float = 7.5
    axle_load_t: float = 8.0
    shift: Shift = field(default_factory=Shift)

    def __post_init__(self) -> None:
        where = f"vehicle type {self.name!r}"
        if not 0 <= self.count <= 10_000:
            raise InputError(f"{where}: count {self.count} must be between 0 and 10000")
        _number_in(self.capacity_m3, "capacity_m3", where, low=0, high=1e4, low_open=True)
        if not self.serves:
            raise InputError(f"{where}: serves {list(self.serves)} must be a non-empty list of point kinds")
        if self.containers_per_trip is not None and self.containers_per_trip < 1:
            raise InputError(f"{where}: containers_per_trip must be >= 1 or left out")
        if self.max_landfill_trips < 1:
            raise InputError(f"{where}: max_landfill_trips must be >= 1")
        if self.max_stops is not None and self.max_stops < 1:
            raise InputError(f"{where}: max_stops must be >= 1 or left out")
        _number_in(self.fuel_km_per_l, "fuel_km_per_l", where, low=0, low_open=True)
        _number_in(self.idle_l_per_h, "idle_l_per_h", where, low=0)
        if self.fixed_cost_s < 0:
            raise InputError(f"{where}: fixed_cost_s {self.fixed_cost_s} must be >= 0")
        if not 0.2 <= self.speed_factor <= 2.0:
            raise InputError(f"{where}: speed_factor {self.speed_factor} must be in [0.2, 2]")
        for name, high in (("height_m", 10.0), ("weight_t", 100.0), ("length_m", 40.0), ("axle_load_t", 50.0)):
            _number_in(getattr(self, name), name, where, low=0, high=high, low_open=True)


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
            dup = sorted({n for n in names if names.count(n) > 1})
            raise InputError(f"fleet: vehicle type name(s) {', '.join(dup)} used twice; give each type its own name")
        _check_truck_ids(self.all_trucks())
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
        start_s, end_s = _time(start, "second shift start"), _time(end, "second shift end")
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
    def from_toml(cls, path: str | Path, *, kinds: Sequence[str] = POINT_KINDS) -> Fleet:
        """Read a fleet file (see ``data/kupang/fleet.toml``).

        Raises
        ------
        InputError
            If the file is missing or a setting is wrong.
        """
        table = _read_toml(path)
        return cls.from_table(table, where=str(path), kinds=kinds)

    @classmethod
    def from_table(cls, table: Mapping[str, Any], where: str = "fleet", *,
                   kinds: Sequence[str] = POINT_KINDS) -> Fleet:
        """Build from a parsed TOML table; every ``serves`` entry must be one of ``kinds``.

        Raises
        ------
        InputError
            If a setting is unknown, of the wrong type or out of range, a type serves an unknown
            kind, or two trucks share an id.
        """
        known = ["description", "shift", "unavailable", "vehicle_type"]
        unknown = sorted(set(table) - set(known))
        if unknown:
            close = {u: difflib.get_close_matches(u, known, n=1) for u in unknown}
            said = ", ".join(f"{u} (did you mean {close[u][0]}?)" if close[u] else u for u in unknown)
            raise InputError(f"{where}: unknown setting(s) {said}; known settings are {', '.join(known)}")
        shift = Shift.from_table(table.get("shift", {}), where=f"{where} [shift]")
        vtypes = _array_of_tables(table.get("vehicle_type", []), where, "vehicle_type")
        types = []
        for i, vt in enumerate(vtypes):
            vt = dict(vt)
            vshift = Shift.from_table(vt.pop("shift"), f"{where} vehicle_type[{i}].shift") if "shift" in vt else shift
            if "serves" not in vt:
                raise InputError(f"{where} vehicle_type[{i}]: no serves; add e.g. serves = [\"bak\", \"roadside\"]")
            types.append(_build(VehicleType, vt, f"{where} vehicle_type[{i}]", section="vehicle_type", shift=vshift))
        check_serves(types, kinds, where)
        unavailable = table.get("unavailable", [])
        problem = check_type(unavailable, "list of strings", "unavailable")
        if problem:
            raise InputError(f"{where}: {problem}")
        return cls(types=tuple(types), unavailable=tuple(unavailable))


def check_serves(types: Sequence[VehicleType], kinds: Sequence[str], where: str) -> None:
    """Raise if a vehicle type serves a kind that is not one of ``kinds``.

    Raises
    ------
    InputError
        Naming the type, the unknown kinds and the known ones.
    """
    bad = [f"vehicle type {vt.name!r}: serves {list(vt.serves)} must be a non-empty list of {list(kinds)}"
           for vt in types if set(vt.serves) - set(kinds)]
    if bad:
        raise InputError(f"{where}: {bad[0]}" if len(bad) == 1 else f"{where}: {len(bad)} vehicle types serve "
                         "unknown kinds; add the kinds as [[kind]] in the scenario or fix serves", bad)


def _check_truck_ids(trucks: list[Truck]) -> None:
    """Raise if two trucks share an id (two types with the same ``id_prefix``): one would hide the other."""
    owners: dict[str, list[str]] = {}
    for t in trucks:
        owners.setdefault(t.id, []).append(t.type.name)
    dup = {tid: names for tid, names in owners.items() if len(names) > 1}
    if dup:
        tid, names = next(iter(dup.items()))
        prefix = tid.rsplit("-", 1)[0]
        msg = (
            f"fleet: {len(dup)} truck id(s) used twice, e.g. {tid} by vehicle types "
            f"{' and '.join(repr(n) for n in names)} (id prefix {prefix!r}); "
            "give each [[vehicle_type]] its own id_prefix"
        )
        raise InputError(msg)


def _array_of_tables(value: Any, where: str, name: str) -> list[Mapping[str, Any]]:
    """Check an array of tables (``[[name]]``) and return it as a list."""
    if isinstance(value, Mapping):
        raise InputError(f"{where}: [{name}] must be written [[{name}]] (double brackets), one per item")
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise InputError(f"{where}: {name} must be [[{name}]] tables, got {_describe(value)}")
    return value


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
        if not self.id.strip():
            raise InputError(f"facility {self.name!r}: empty id; give it an id such as \"DEPOT\"")
        if not (-180 <= self.lon <= 180 and -90 <= self.lat <= 90):
            raise InputError(
                f"facility {self.id!r}: lon/lat ({self.lon}, {self.lat}) out of range; "
                "lon is in [-180, 180], lat in [-90, 90] (are they swapped?)"
            )
        if self.unload_s < 0:
            raise InputError(f"facility {self.id!r}: unload time must be >= 0")
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
            dup = sorted({i for i in ids if ids.count(i) > 1})
            raise InputError(f"facilities: id(s) {', '.join(dup)} used twice; give the depot and each landfill its own id")

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

        def fac(t: Mapping[str, Any], w: str, section: str) -> Facility:
            t = dict(_check_table(t, w, section))
            missing = [k for k in ("id", "name", "lon", "lat") if k not in t]
            if missing:
                raise InputError(f"{w}: missing {', '.join(missing)}; a facility needs id, name, lon, lat")
            extra: dict[str, Any] = {}
            if "opens" in t:
                extra["opens_s"] = _time(t.pop("opens"), f"{w}.opens")
            if "closes" in t:
                extra["closes_s"] = _time(t.pop("closes"), f"{w}.closes")
            if "unload_minutes" in t:
                minutes = t.pop("unload_minutes")
                problem = check_type(minutes, "number", f"{section}.unload_minutes")
                if problem:
                    raise InputError(f"{w}: {problem}")
                if not 0 <= minutes < 24 * 60:
                    raise InputError(f"{w}: unload_minutes {minutes} must be >= 0 and less than a day (1440)")
                extra["unload_s"] = int(round(minutes * 60))
            return _build(Facility, t, w, section=section, **extra)

        depot = fac(table["depot"], f"{where} [depot]", "depot")
        lf_tables = _array_of_tables(table.get("landfill", []), where, "landfill")
        landfills = tuple(fac(t, f"{where} landfill[{i}]", "landfill") for i, t in enumerate(lf_tables))
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

    def __post_init__(self) -> None:
        for name in ("manual_setup_s", "manual_s_per_m3", "container_swap_s"):
            value = getattr(self, name)
            if not 0 <= value < 24 * 3600:
                raise InputError(f"service.{name} {value} must be >= 0 s and less than a day (86400 s)")

    def service_s(self, kind: str, volume_m3: float, *, loading: str | None = None) -> int:
        """Service time at a point of this kind and volume; ``loading`` ("swap" or "manual",
        :class:`PointKind`) decides, else a ``container`` is swapped and any other kind loaded by hand."""
        if (loading or ("swap" if kind == "container" else "manual")) == "swap":
            return self.container_swap_s
        return int(round(self.manual_setup_s + self.manual_s_per_m3 * volume_m3))


@dataclass(frozen=True)
class EmissionSettings:
    """Diesel CO₂ factor."""

    co2_kg_per_l: float = 2.68

    def __post_init__(self) -> None:
        _number_in(self.co2_kg_per_l, "co2_kg_per_l", "emissions", low=0)


#: The search engines ``SolverParams.engine`` may name (see ``wasteroute.search``).
ENGINES = ("hybrid", "ortools", "pyvrp")


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
    #: Search engine: "hybrid" (PyVRP's population search for ``pyvrp_share`` of the budget,
    #: then OR-Tools repairs, places breaks and polishes: the default), "ortools" (the OR-Tools
    #: model alone) or "pyvrp" (PyVRP for nearly all of the budget, OR-Tools only to repair).
    #: Every plan is OR-Tools' and holds every rule; ``Solution.engine`` says which made it.
    engine: str = "hybrid"
    #: Share of the time budget that the hybrid engine gives PyVRP (the rest: OR-Tools).
    #: 0.85: on Kupang's day at 30 s (seeds 0-2) the plans cost 206,450 s on average, against
    #: 207,157 with 0.7 and 208,566 with 0.5 (benchmarks/results/kupang-engines-2026-11-30.md).
    #: On a day PyVRP's model holds exactly (no breaks, stops or daily load limits, one landfill,
    #: no balance terms) PyVRP gets at least 0.95 (``pyvrp_model.relaxed_rules``).
    pyvrp_share: float = 0.85
    #: PyVRP iterations when a run is bounded by ``solution_limit`` (no clock decides then).
    pyvrp_iterations: int = 1000
    #: Search budget of a re-plan during the day (``--replan``; ``wasteroute.replan``): a
    #: dispatcher waits for the answer, so seconds, not the morning plan's half minute.
    replan_time_limit_s: float = 10.0
    #: Cost, in seconds of travel, of each stop a re-plan moves to another truck: a truck's
    #: remaining route changes only when that saves more than this per stop (plan stability).
    replan_move_cost_s: int = 600

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise InputError(f"solver engine {self.engine!r} must be one of {', '.join(ENGINES)}")
        if not (math.isfinite(self.pyvrp_share) and 0 < self.pyvrp_share < 1):
            raise InputError(f"solver pyvrp_share {self.pyvrp_share} must lie between 0 and 1, e.g. 0.5")
        if self.pyvrp_iterations < 1:
            raise InputError(f"solver pyvrp_iterations {self.pyvrp_iterations} must be >= 1")
        if not (math.isfinite(self.replan_time_limit_s) and self.replan_time_limit_s > 0):
            raise InputError(f"solver replan_time_limit_s {self.replan_time_limit_s} must be positive (seconds)")
        if self.replan_move_cost_s < 0:
            raise InputError(f"solver replan_move_cost_s {self.replan_move_cost_s} must be >= 0 (seconds)")
        if not (math.isfinite(self.time_limit_s) and self.time_limit_s > 0):
            raise InputError(f"solver time_limit_s {self.time_limit_s} must be positive and finite (seconds)")
        if self.seed < 0:
            raise InputError(f"solver seed {self.seed} must be >= 0")
        if self.num_workers < 1:
            raise InputError(f"solver num_workers {self.num_workers} must be >= 1")
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
        timeout = self.first_solution_timeout_s
        if timeout is not None and not (math.isfinite(timeout) and timeout > 0):
            raise InputError("solver first_solution_timeout_s must be positive or left out")

    @classmethod
    def from_toml(cls, path: str | Path) -> SolverParams:
        """Read solver settings from a TOML file (its ``[solver]`` table if present)."""
        table = _read_toml(path)
        return cls.from_table(_check_table(table.get("solver", table), str(path), "solver"), where=str(path))

    @classmethod
    def from_table(cls, table: Mapping[str, Any], where: str = "solver") -> SolverParams:
        """Build from a parsed TOML table.

        Raises
        ------
        InputError
            If a setting is unknown, of the wrong type or out of range.
        """
        return _build(cls, table, where, section="solver")


def _read_toml(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    if not p.is_file():
        raise InputError(f"settings file {p} does not exist; check the path")
    try:
        with p.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"settings file {p} is not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise InputError(f"settings file {p} is not UTF-8 text; save it as UTF-8 TOML") from None
