"""Start a new city: write a scenario folder, say what it still lacks, and check a points file.

``write_new_city(folder, osm_file=... | place=...)`` writes ``scenario.toml`` (every setting
listed, with its real default taken from the dataclasses of ``config``), an empty points file
with its header row, facilities and fleet templates and a README of next steps.
``missing(scenario_file)`` lists in plain words what a scenario still needs before it can plan
(``--summary`` prints it instead of a traceback). ``check_points(file)`` validates a points
CSV or GeoJSON against the shipped JSON Schema and the project's own reader, every bad row at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import math
import os
import tomllib
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from .config import (
    DEFAULT_POINT_KINDS,
    EmissionSettings,
    NetworkSettings,
    PointKind,
    ServiceSettings,
    SolverParams,
    VehicleType,
    point_kinds_from_table,
)
from .errors import InputError
from .speed_profiles import SPEED_PROFILES
from .stops import OPTIONAL_COLUMNS, REQUIRED_COLUMNS

log = logging.getLogger("wasteroute")

#: Marks a facility the template placed; ``missing`` reports it until the note is changed.
TEMPLATE_NOTE = "TEMPLATE"
#: Header of the empty points file (required columns first).
POINTS_HEADER = ("id", "name", "kelurahan", "kecamatan", "lon", "lat", "kind", "volume_m3",
                 "service_s", "ready_from", "latest", "days")
#: Numeric columns of a points row, converted from CSV text before schema validation.
_NUMERIC = ("lon", "lat", "volume_m3", "service_s", "frequency", "max_gap_days", "m3_per_day")

_TOP = {
    "volume_factor": (1.0, "scale every point's volume, e.g. 1.3 for a rainy season"),
    "density_kg_per_m3": (250.0, "loose waste density, for tonnes in the reports"),
    "dumping_window_end": ("06:00", "not set by default; every point is then ready only at this time"),
}
_NOTES: dict[str, str] = {
    "synthetic_osm_file": "a generated offline network, used when nothing real is available",
    "boundary_file": "GeoJSON polygon of the city, to download by area instead of place",
    "cache_dir": "downloads and parsed files are cached here",
    "cache_parsed": "keep a parsed copy of osm_file in cache_dir (faster second runs)",
    "overpass_url": "Overpass server for --download-network",
    "network_type": "osmnx network type",
    "speed_profile": "truck speeds per road class: " + ", ".join(SPEED_PROFILES),
    "default_speed_kph": "speed on roads of no known class; default: the profile's",
    "use_maxspeed": "a posted maxspeed below the class speed wins",
    "max_snap_m": "how far a point or facility may be from a road; default: 5 median edge lengths, 150-1000 m",
    "truck_restrictions": "keep each truck type off roads OSM closes to it (hgv, access, maxweight, maxheight ...)",
    "destination_roads_open": "trucks may use access=destination roads (they have business there)",
    "kerb_side": "true: the crew stops only on the point's side of a two-way street",
    "driving_side": '"left" (Indonesia, UK, Japan...) or "right": which side is the kerb',
    "same_place_m": "points this close along one street are one stop (m)",
    "manual_setup_s": "setup at a bak/roadside point (s)",
    "manual_s_per_m3": "hand loading per m³ (s)",
    "container_swap_s": "swap of a container by an arm-roll truck (s)",
    "co2_kg_per_l": "diesel",
    "time_limit_s": "search time (s)",
    "solution_limit": "stop after N solutions (deterministic runs)",
    "seed": "same seed and inputs, same plan",
}
_EXAMPLES: dict[str, Any] = {
    "synthetic_osm_file": "streets_synthetic.osm.bz2", "boundary_file": "boundary.geojson",
    "overpass_url": "https://overpass-api.de/api", "default_speed_kph": 22.0, "max_snap_m": 300.0,
    "solution_limit": 200, "soft_max_duration_s": 21600, "first_solution_timeout_s": 10.0,
    "decompose_above": 700, "place": "City, Country", "osm_file": "city.osm.pbf",
}


# ---------------------------------------------------------------------- writing TOML
def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML form for {value!r}")


def _line(key: str, value: Any, note: str = "", *, active: bool = False) -> str:
    text = f"{'' if active else '# '}{key} = {_toml_value(value)}"
    return f"{text.ljust(43)} # {note}" if note else text


def _section(cls: type, *, active: Mapping[str, Any] | None = None, skip: tuple[str, ...] = ()) -> list[str]:
    """Lines for every field of a settings dataclass: ``# key = default`` (or the active value)."""
    active = active or {}
    lines = []
    for f in dataclasses.fields(cls):
        if f.name in skip or isinstance(f.default, Mapping) or f.default_factory is not dataclasses.MISSING:
            continue
        note = _NOTES.get(f.name, "")
        if f.name in active:
            lines.append(_line(f.name, active[f.name], note, active=True))
        elif f.default is None:
            note = f"not set by default{'; ' + note if note else ''}"
            lines.append(_line(f.name, _EXAMPLES.get(f.name, 0), note))
        else:
            lines.append(_line(f.name, f.default, note))
    return lines


def scenario_text(name: str, *, osm_file: str | None, place: str | None, timezone: str | None) -> str:
    """The text of a new scenario file: every setting listed, defaults from the dataclasses."""
    today = dt.date.today().isoformat()
    profile = SPEED_PROFILES[NetworkSettings().speed_profile]
    lines = [
        f"# {name}: scenario written by `run_routes.py --new-city` on {today}.",
        "# Every setting is listed. A line `# key = value` shows the default: remove the `# ` to change it.",
        "# Paths are relative to this file. Next steps: README.md beside this file.",
        _line("name", name, active=True),
        _line("timezone", timezone, "IANA zone; found from the facilities if timezonefinder is installed",
              active=True) if timezone else
        _line("timezone", "Area/City", "REQUIRED: IANA zone, e.g. \"America/Mexico_City\""),
        _line("language", "en", 'driver sheets: "en" English or "id" Bahasa Indonesia (default "id")',
              active=True),
    ]
    lines += [_line(k, v, note) for k, (v, note) in _TOP.items()]
    source = {"osm_file": osm_file} if osm_file else {"place": place}
    lines += ["", "[network]", *_section(NetworkSettings, active=source)]
    lines += ["", f"# [network.speeds_kph]  # replaces the profile's class speeds; {profile.name} gives:"]
    lines += [_line(k, v) for k, v in profile.speeds_kph.items()]
    lines += ["", "[points]", _line("file", "points.csv", active=True),
              "", "[facilities]", _line("file", "facilities.toml", active=True),
              "", "[fleet]", _line("file", "fleet.toml", active=True)]
    lines += ["", "[service]", *_section(ServiceSettings)]
    lines += ["", "[emissions]", *_section(EmissionSettings)]
    lines += ["", "[solver]", *_section(SolverParams)]
    lines += ["", "# Kinds of collection point: the `kind` column of the points file must be one of these ids,",
              "# and each vehicle type's `serves` in fleet.toml lists ids from here. loading = \"swap\": a",
              "# container lifted whole (service.container_swap_s); \"manual\": loaded by hand",
              "# (service.manual_setup_s + manual_s_per_m3). name_id/name_en are printed on sheets, maps, GPX.",
              "# These three are the defaults (Kupang's); rename, add or remove kinds to match the city."]
    for k in DEFAULT_POINT_KINDS:
        lines += ["", "[[kind]]", _line("id", k.id, active=True), _line("loading", k.loading, active=True),
                  _line("name_id", k.name_id, "name in Bahasa Indonesia", active=True),
                  _line("name_en", k.name_en, "name in English", active=True)]
    return "\n".join(lines) + "\n"


def facilities_text(lon: float, lat: float) -> str:
    """A facilities template with the depot and one landfill at ``lon``/``lat``, marked TEMPLATE."""
    note = f"{TEMPLATE_NOTE}: placed at the middle of the map; set the real lon/lat, then change this note"
    return "\n".join([
        "# Depot and landfill(s). Replace lon/lat by the real gates (a point on the road in front),",
        "# then replace each note. Add more [[landfill]] tables for more landfills.",
        "",
        "[depot]",
        _line("id", "DEPOT", active=True),
        _line("name", "Truck depot", active=True),
        _line("lon", round(lon, 6), active=True),
        _line("lat", round(lat, 6), active=True),
        _line("approximate", True, "true until the location is surveyed", active=True),
        _line("note", note, active=True),
        "",
        "[[landfill]]",
        _line("id", "LANDFILL", active=True),
        _line("name", "Landfill", active=True),
        _line("lon", round(lon, 6), active=True),
        _line("lat", round(lat, 6), active=True),
        _line("approximate", True, active=True),
        _line("opens", "05:00", active=True),
        _line("closes", "17:00", active=True),
        _line("unload_minutes", 15, "time to unload, queue included", active=True),
        _line("note", note, active=True),
    ]) + "\n"


def fleet_text() -> str:
    """A fleet template: one dump-truck type and one arm-roll type, every vehicle setting listed."""
    example = VehicleType(name="x", count=1, capacity_m3=6.0, serves=("bak",))

    def sizes(height: float, weight: float, axle: float) -> list[str]:
        """Size and weight lines; the values are Kupang ASSUMPTIONS (config.VehicleType)."""
        return [_line(k, v, note, active=True) for k, v, note in (
            ("height_m", height, "m; roads with a lower OSM maxheight are closed to the type"),
            ("weight_t", weight, "t, loaded, gross; against maxweight (hgv=* applies above 3.5 t)"),
            ("axle_load_t", axle, "t, heaviest axle; against maxaxleload"),
            ("length_m", example.length_m, "m; against maxlength"))]

    optional = [_line(k, getattr(example, k), "") for k in (
        "max_landfill_trips", "fuel_km_per_l", "idle_l_per_h", "fixed_cost_s", "speed_factor")]

    def vtype(name: str, label: str, prefix: str, serves: list[str], extra: list[str]) -> list[str]:
        return ["", "[[vehicle_type]]", _line("name", name, active=True), _line("label", label, active=True),
                _line("id_prefix", prefix, active=True), _line("count", 1, "trucks of this type", active=True),
                _line("capacity_m3", 6.0, "body or container volume", active=True),
                _line("serves", serves, "point kinds it can empty", active=True), *extra, *optional]

    return "\n".join([
        "# The trucks. Set each type's count, capacity and size; truck ids are <id_prefix>-01, -02, ...",
        "unavailable = []                            # trucks out of service today, by id",
        "",
        "[shift]                                     # for every type without its own [vehicle_type.shift]",
        _line("start", "05:00", active=True), _line("end", "12:00", active=True),
        _line("break_minutes", 30, active=True), _line("break_earliest", "08:00", active=True),
        _line("break_latest", "10:30", active=True),
        "# Sizes and weights below are Kupang's defaults, ASSUMPTIONS (trucks weigh 10-26 t): replace",
        "# them by your trucks' figures; each type then drives only on the roads OSM allows it.",
        *vtype("dump", "Dump truck 6 m³", "DT", ["bak", "roadside"], sizes(example.height_m, example.weight_t,
                                                                          example.axle_load_t)),
        *vtype("armroll", "Arm-roll truck", "AR", ["container"],
               [_line("containers_per_trip", 1, "one container to the landfill and back", active=True),
                *sizes(3.5, 18.0, 10.0)]),
    ]) + "\n"


def readme_text(name: str, *, osm_file: str | None, place: str | None) -> str:
    """Next steps for the new folder, in order."""
    network = (f"The streets come from `{osm_file}`." if osm_file else
               f"Download the streets of {place!r} once, when online: "
               "`python run_routes.py --scenario scenario.toml --download-network --summary`.")
    return f"""# {name}: next steps

Written by `run_routes.py --new-city`. {network}

1. **Facilities**: in `facilities.toml` set the depot's and landfill's real lon/lat (a point on the
   road at the gate) and replace each `note` that starts with `{TEMPLATE_NOTE}`.
2. **Time zone**: set `timezone` in `scenario.toml` (e.g. `"America/Mexico_City"`) unless the
   package timezonefinder is installed to find it from the facilities.
3. **Points**: fill `points.csv` (format: docs/points.md of wasteroute); check it with
   `python run_routes.py --check-points points.csv`.
4. **Fleet**: set counts, capacities and sizes (height, weight, length, axle load) in `fleet.toml`.
5. **Speeds, language and kinds**: choose `[network] speed_profile` ({", ".join(SPEED_PROFILES)}),
   `language` and the `[[kind]]` tables (the kinds of collection point) in `scenario.toml`.
6. `python run_routes.py --scenario scenario.toml --summary` says what is still missing;
   when it lists nothing it prints the network, points and fleet. Then plan:
   `python run_routes.py --scenario scenario.toml`.
"""


def _centre(osm_file: Path) -> tuple[float, float]:
    """Middle of the bounding box of the nodes of an OSM file (lon, lat).

    Raises
    ------
    InputError
        If the file does not exist or holds no nodes.
    """
    import osmium

    if not osm_file.is_file():
        raise InputError(f"--osm-file {osm_file} does not exist; give the path of an OSM extract")
    lons: list[float] = []
    lats: list[float] = []
    try:
        for obj in osmium.FileProcessor(str(osm_file), osmium.osm.NODE):
            lons.append(obj.location.lon)
            lats.append(obj.location.lat)
    except RuntimeError as exc:
        raise InputError(f"--osm-file {osm_file} is not a readable OSM file: {exc}") from None
    if not lons:
        raise InputError(f"--osm-file {osm_file} holds no nodes; give an extract of the city's streets")
    return (min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2


def _timezone_at(lon: float, lat: float) -> str | None:
    try:
        from timezonefinder import TimezoneFinder
    except ImportError:
        return None
    return TimezoneFinder().timezone_at(lng=lon, lat=lat)


def write_new_city(folder: str | Path, *, osm_file: str | Path | None = None,
                   place: str | None = None) -> list[Path]:
    """Write a new scenario folder for a city and return the files written.

    Parameters
    ----------
    folder
        The folder to create (it may exist but must not hold a ``scenario.toml``).
    osm_file
        An OSM extract of the city; referenced from the scenario by a relative path.
    place
        A place name for ``--download-network``, when there is no extract.

    Raises
    ------
    InputError
        If neither or both sources are given, the extract is unreadable, or the folder
        already holds a scenario.
    """
    if (osm_file is None) == (place is None):
        raise InputError("--new-city needs exactly one of --osm-file FILE or --place \"City, Country\"")
    out = Path(folder)
    if (out / "scenario.toml").exists():
        raise InputError(f"{out / 'scenario.toml'} already exists; choose a new folder for --new-city")
    lon = lat = 0.0
    rel = None
    if osm_file is not None:
        src = Path(osm_file).resolve()
        lon, lat = _centre(src)
        out.mkdir(parents=True, exist_ok=True)
        rel = os.path.relpath(src, out.resolve())
        rel = str(src) if rel.startswith(os.pardir * 1 + os.sep + os.pardir + os.sep + os.pardir) else rel
    out.mkdir(parents=True, exist_ok=True)
    name = out.resolve().name.replace("_", " ").replace("-", " ").title()
    tz = _timezone_at(lon, lat) if osm_file is not None else None
    files = {
        "scenario.toml": scenario_text(name, osm_file=rel, place=place, timezone=tz),
        "points.csv": ",".join(POINTS_HEADER) + "\n",
        "facilities.toml": facilities_text(lon, lat),
        "fleet.toml": fleet_text(),
        "README.md": readme_text(name, osm_file=rel, place=place),
    }
    written = []
    for fname, text in files.items():
        (out / fname).write_text(text, encoding="utf-8")
        written.append(out / fname)
    log.info("new city %s: wrote %s in %s", name, ", ".join(files), out)
    return written


# ---------------------------------------------------------------------- what is missing
def _toml(path: Path) -> dict[str, Any] | None:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return None


def _missing_points(path: Path) -> list[str]:
    if not path.is_file():
        return [f"points: {path} does not exist; create it (format: docs/points.md)"]
    rows = [ln for ln in path.read_text(encoding="utf-8-sig", errors="replace").splitlines()[1:] if ln.strip()]
    if path.suffix.lower() == ".csv" and not rows:
        return [f"points: {path} has a header but no points yet; add one row per collection point"]
    return []


def _missing_facilities(path: Path) -> list[str]:
    table = _toml(path)
    if table is None:
        return [f"facilities: {path} is missing or not valid TOML"]
    facs = [("depot", table.get("depot", {})), *(("landfill", t) for t in table.get("landfill", []))]
    return [f"facilities: {kind} {t.get('id', '?')} still has the template's lon/lat "
            f"({t.get('lon')}, {t.get('lat')}); set its real location in {path.name} and change its note"
            for kind, t in facs if isinstance(t, dict) and str(t.get("note", "")).startswith(TEMPLATE_NOTE)]


def _missing_network(base: Path, net: Mapping[str, Any]) -> list[str]:
    osm = net.get("osm_file")
    if osm and (base / Path(osm).expanduser()).is_file():
        return []
    if net.get("place") or net.get("boundary_file") or net.get("synthetic_osm_file"):
        return []  # a download or cache may serve it; load_network says which when it runs
    said = f"osm_file {osm} does not exist" if osm else "no osm_file or place"
    return [f"network: {said}; set [network] osm_file to an OSM extract of the city"]


def missing(scenario_file: str | Path) -> list[str]:
    """Say in plain words what a scenario still needs before it can plan (empty: nothing).

    Checks what a new-city folder starts without: points, real facility locations, a time
    zone (or timezonefinder) and a road network source. Settings errors are left to the
    scenario reader, which names them.
    """
    path = Path(scenario_file)
    table = _toml(path)
    if table is None:
        return []  # the scenario reader reports a missing or broken file precisely
    base = path.resolve().parent
    gaps: list[str] = []
    gaps += _missing_network(base, table.get("network", {}) if isinstance(table.get("network"), dict) else {})
    if isinstance(table.get("facilities"), dict) and "file" in table["facilities"]:
        gaps += _missing_facilities(base / str(table["facilities"]["file"]))
    if "timezone" not in table and not _has_timezonefinder():
        gaps.append("timezone: not set; add e.g. timezone = \"America/Mexico_City\" to the scenario "
                    "(or install timezonefinder to find it from the facilities)")
    if isinstance(table.get("points"), dict) and "file" in table["points"]:
        gaps += _missing_points(base / str(table["points"]["file"]))
    return gaps


def _has_timezonefinder() -> bool:
    try:
        import timezonefinder  # noqa: F401
    except ImportError:
        return False
    return True


# ---------------------------------------------------------------------- checking points
def points_schema(kinds: Sequence[str] | None = None) -> dict[str, Any]:
    """The JSON Schema of one collection point (shipped as ``wasteroute/schemas/points.schema.json``);
    with ``kinds``, a scenario's own ``[[kind]]`` ids replace Kupang's in the ``kind`` enum."""
    text = resources.files("wasteroute").joinpath("schemas/points.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    if kinds is not None:
        schema["properties"]["kind"]["enum"] = list(kinds)
    return schema


def _record(row: Mapping[str, Any]) -> dict[str, Any]:
    """A raw text row as the schema sees it: numbers parsed, empty optional cells left out."""
    rec: dict[str, Any] = {}
    for key, value in row.items():
        text = str(value).strip()
        if key.startswith("_") or (text == "" and key not in REQUIRED_COLUMNS):
            continue
        if key in _NUMERIC:
            try:
                number = float(text)
            except ValueError:
                number = math.nan
            if key in ("frequency", "max_gap_days") and math.isfinite(number) and number == int(number):
                number = int(number)  # the schema's integer: 3.0 from the CSV text "3" is 3
            rec[key] = number if math.isfinite(number) else text
        elif key in ("kind", "days", "patterns"):
            rec[key] = text.lower()
        else:
            rec[key] = text
    return rec


def schema_problems(rows: list[Mapping[str, Any]], kinds: Sequence[str] | None = None) -> dict[int, list[str]]:
    """Row number (1 = first data row) -> what the JSON Schema finds wrong in it.

    Raises
    ------
    ImportError
        If the ``jsonschema`` package is not installed.
    """
    import jsonschema

    validator = jsonschema.Draft202012Validator(points_schema(kinds))
    found: dict[int, list[str]] = {}
    for i, row in enumerate(rows, start=1):
        errors = sorted(validator.iter_errors(_record(row)), key=lambda e: list(e.path))
        if errors:
            where = f"row {i} (id {str(row.get('id', '')).strip() or '?'})"
            found[i] = [f"{where}: {'.'.join(map(str, e.path)) or 'row'}: {e.message}" for e in errors]
    return found


def _raw_rows(path: Path) -> list[dict[str, Any]]:
    from .stops import _read_csv, _read_geojson  # the reader's own parsing, errors included

    if path.suffix.lower() == ".csv":
        frame = _read_csv(path)
    elif path.suffix.lower() in (".geojson", ".json"):
        frame = _read_geojson(path)
    else:
        raise InputError(f"collection points file {path} has suffix {path.suffix!r}; use .csv or .geojson")
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]


def check_points(path: str | Path, kinds: Sequence[PointKind] = DEFAULT_POINT_KINDS) -> int:
    """Validate a points file against the scenario's ``kinds``; return the number of points.

    Every row is checked against the JSON Schema (when ``jsonschema`` is installed) and by the
    project's reader (ids unique, windows in order, ...); all problems come in one error.

    Raises
    ------
    InputError
        Listing every bad row, or if the file is missing, unreadable or empty.
    """
    from .stops import read_points

    p = Path(path)
    if not p.is_file():
        raise InputError(f"collection points file {p} does not exist; check the path")
    rows = _raw_rows(p)
    try:
        by_schema = schema_problems(rows, [k.id for k in kinds])
    except ImportError:
        log.info("jsonschema is not installed: %s checked by the reader only", p)
        by_schema = {}
    try:
        n = len(read_points(p, kinds=kinds))
    except InputError as exc:
        flagged = {i for i in by_schema if any(s.startswith(f"row {i} ") for s in exc.problems)}
        extra = [m for i, ms in by_schema.items() if i not in flagged for m in ms]
        headline = str(exc).splitlines()[0]
        raise InputError(headline, [*exc.problems, *extra]) from None
    if by_schema:
        problems = [m for ms in by_schema.values() for m in ms]
        raise InputError(f"{p}: {len(problems)} problem(s) against the points schema", problems)
    return n


# ---------------------------------------------------------------------- command line
def scenario_kinds(scenario: str | Path | None) -> tuple[PointKind, ...]:
    """The point kinds of a scenario file (its ``[[kind]]``), Kupang's when it has none or is absent.

    Raises
    ------
    InputError
        If the scenario's ``[[kind]]`` tables are wrong.
    """
    t = _toml(Path(scenario)) if scenario is not None else None
    if not t:
        return DEFAULT_POINT_KINDS
    return point_kinds_from_table(t.get("kind"), str(scenario))


def dispatch(args: Any) -> int | None:
    """Run ``--new-city``, ``--check-points`` or the missing-things part of ``--summary``.

    Returns the exit code, or None when the command line asks for none of these (or
    ``--summary`` finds nothing missing, so the normal summary follows).

    Raises
    ------
    InputError
        From :func:`write_new_city` or :func:`check_points`.
    """
    if getattr(args, "new_city", None) is not None:
        written = write_new_city(args.new_city, osm_file=args.osm_file, place=args.place)
        print(f"wrote {len(written)} files to {args.new_city}/: {', '.join(p.name for p in written)}")
        print(f"next steps: {Path(args.new_city) / 'README.md'}")
        return 0
    if getattr(args, "osm_file", None) is not None or getattr(args, "place", None) is not None:
        raise InputError("--osm-file and --place go with --new-city DIR; to plan, set them in the scenario's [network]")
    if getattr(args, "check_points", None) is not None:
        print(f"ok: {check_points(args.check_points, scenario_kinds(getattr(args, 'scenario', None)))} points")
        return 0
    if getattr(args, "summary", False):
        gaps = missing(args.scenario)
        if gaps:
            print(f"{args.scenario} is not ready to plan; still missing:")
            print("\n".join(f"  - {g}" for g in gaps))
            return InputError.exit_code
    return None
