"""Read, check and snap collection points.

A points file (CSV or GeoJSON) is validated as a whole: every bad row is reported at once in
one :class:`~wasteroute.errors.InputError`, with its row number and id. Nothing is skipped
silently. Snapping attaches each point to the nearest road edge of the graph and records how
far it was; points too far from any road are reported by id and end up unassigned later.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from .config import DEFAULT_POINT_KINDS, PointKind, ServiceSettings
from .errors import InputError
from .schedule import candidate_patterns, default_max_gap, max_gap, pattern_text
from .units import parse_hhmm

log = logging.getLogger("wasteroute")

REQUIRED_COLUMNS: tuple[str, ...] = ("id", "lon", "lat", "kind", "volume_m3")
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "name", "kelurahan", "kecamatan", "service_s", "ready_from", "latest", "days",
    "frequency", "patterns", "max_gap_days", "m3_per_day",
)
#: Weekday names accepted in the ``days`` column (English and Bahasa Indonesia), Monday = 0.
WEEKDAYS: dict[str, int] = {
    "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
    "sen": 0, "sel": 1, "rab": 2, "kam": 3, "jum": 4, "sab": 5, "min": 6,
}
_DAILY = {"", "daily", "setiap hari", "all"}
#: Full weekday names; a ``days`` entry must be one of these or its first three letters or more.
_WEEKDAY_NAMES: tuple[str, ...] = (
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu",
)
#: Largest volume of one collection point; above this a value is a typo or a wrong unit.
MAX_VOLUME_M3 = 10_000.0
#: Longest service time at one point: a day.
MAX_SERVICE_S = 24 * 3600
#: How alike an unknown column name must be to a known one to be taken as a misspelling.
_CLOSE_NAME_CUTOFF = 0.75


def read_points(path: str | Path, *, service: ServiceSettings | None = None,
                kinds: Sequence[PointKind] = DEFAULT_POINT_KINDS) -> pd.DataFrame:
    """Read and validate collection points from a CSV or GeoJSON file.

    Parameters
    ----------
    path
        ``.csv`` with ``lon``/``lat`` columns, or ``.geojson``/``.json`` with Point features.
    service
        Service-time model used where the file has no ``service_s`` value.
    kinds
        The scenario's kinds of point (``[[kind]]``): a row's ``kind`` must be one of their ids,
        and its loading (by hand or a container swap) gives the default service time.

    Returns
    -------
    One row per point with the columns ``id, name, kelurahan, kecamatan, lon, lat, kind,
    volume_m3, service_s, ready_s, latest_s, days`` (``latest_s`` is ``-1`` when open-ended),
    then the weekly schedule ``frequency, patterns, max_gap_days, m3_per_day, service_given``
    (``patterns``: every allowed pattern, ``|``-separated, see :mod:`wasteroute.schedule`),
    indexed 0..n-1 in file order.

    Raises
    ------
    InputError
        If the file is missing or unreadable, or any row is invalid (all rows are listed).
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"collection points file {p} does not exist; check the path")
    suffix = p.suffix.lower()
    if suffix == ".csv":
        raw = _read_csv(p)
    elif suffix in (".geojson", ".json"):
        raw = _read_geojson(p)
    else:
        msg = f"collection points file {p} has suffix {suffix!r}; use .csv or .geojson"
        raise InputError(msg)
    return validate_points(raw, source=str(p), service=service, kinds=kinds)


def _read_csv(path: Path) -> pd.DataFrame:
    """Read a CSV as text; a file separated by semicolons or tabs gets a hint to use commas."""
    try:
        with path.open(encoding="utf-8-sig") as fh:
            header = fh.readline()
    except UnicodeDecodeError:
        msg = f"collection points file {path} is not UTF-8 text; save it as CSV UTF-8 (comma delimited)"
        raise InputError(msg) from None
    names = next(csv.reader([header]), [])
    dup = sorted({n for n in names if n and names.count(n) > 1})
    if dup:
        msg = f"collection points file {path}: column(s) {', '.join(dup)} appear twice in the header; keep one of each"
        raise InputError(msg)
    for sep, name in ((";", "semicolons (;)"), ("\t", "tabs")):
        if sep in header and "," not in header:
            msg = (
                f"collection points file {path} is separated by {name}, not commas; save it as "
                "CSV with commas (in Excel: 'CSV UTF-8 (Comma delimited)'), or replace the separator by ','"
            )
            raise InputError(msg)
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        msg = (
            f"collection points file {path} is not a readable CSV: {exc}; every row needs as many "
            "comma-separated fields as the header (put a value holding a comma in double quotes)"
        )
        raise InputError(msg) from None


def _read_geojson(path: Path) -> pd.DataFrame:
    """Read Point features into a text table; every malformed feature is reported at once."""
    import json

    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"collection points file {path} is not valid JSON: {exc}") from None
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list):
        msg = (
            f"collection points file {path} is not a GeoJSON FeatureCollection: it needs "
            '{"type": "FeatureCollection", "features": [...]} with a list of Point features, '
            f"got features = {type(features).__name__ if features is not None else 'nothing'}"
        )
        raise InputError(msg)
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    for i, feat in enumerate(features):
        row = _feature_row(i, feat, problems)
        if row is not None:
            rows.append(row)
    if problems:
        raise InputError(f"collection points file {path}: {len(problems)} malformed feature(s)", problems)
    return pd.DataFrame(rows).fillna("")


def _feature_row(i: int, feat: Any, problems: list[str]) -> dict[str, str] | None:
    if not isinstance(feat, dict):
        problems.append(f"feature {i} is {type(feat).__name__} {str(feat)[:40]!r}, not a Feature object")
        return None
    props_in = feat.get("properties") or {}
    geom = feat.get("geometry") or {}
    if not isinstance(props_in, dict) or not isinstance(geom, dict):
        problems.append(f"feature {i}: properties and geometry must be JSON objects")
        return None
    props = dict(props_in)
    coords = geom.get("coordinates")
    if geom.get("type") == "Point" and isinstance(coords, list) and len(coords) >= 2:
        props["lon"], props["lat"] = coords[0], coords[1]
    else:
        props.setdefault("lon", "")
        props.setdefault("lat", "")
        props["_geometry_problem"] = f"feature {i} has no Point geometry"
    return {str(k): "" if v is None else str(v) for k, v in props.items()}


def _column_problems(columns: list[str]) -> list[str]:
    """Unknown columns close to a known name (``dayz``, ``lastest``): taken as misspellings, not ignored."""
    known = [*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS]
    problems = []
    for col in columns:
        if col in known or col.startswith("_"):
            continue
        close = difflib.get_close_matches(col.strip().lower(), known, n=1, cutoff=_CLOSE_NAME_CUTOFF)
        if close:
            problems.append(
                f"column {col!r} is not a known column but is close to {close[0]!r}; "
                f"rename it to {close[0]} (or to a name not like any known column to keep it as extra data)"
            )
    return problems


def validate_points(
    raw: pd.DataFrame, *, source: str = "points", service: ServiceSettings | None = None,
    kinds: Sequence[PointKind] = DEFAULT_POINT_KINDS,
) -> pd.DataFrame:
    """Check every row of a raw points table (``kind`` one of ``kinds``) and return the typed table.

    Raises
    ------
    InputError
        Listing every problem with its row number (1 = first data row) and id.
    """
    service = service or ServiceSettings()
    columns = [str(c) for c in raw.columns]
    misspelt = _column_problems(columns)
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        msg = (
            f"{source}: missing column(s) {', '.join(missing)}; "
            f"a points file needs {', '.join(REQUIRED_COLUMNS)}"
        )
        raise InputError(msg, misspelt)
    if misspelt:
        raise InputError(f"{source}: {len(misspelt)} column name(s) look misspelt", misspelt)
    problems: list[str] = []
    loading = {k.id: k.loading for k in kinds}
    rows = [_check_row(i + 1, row, service, problems, loading) for i, row in enumerate(raw.to_dict("records"))]
    ids = [r["id"] for r in rows]
    seen: dict[str, int] = {}
    for i, pid in enumerate(ids, start=1):
        if pid and pid in seen:
            problems.append(f"row {i} (id {pid}): duplicate id, first used on row {seen[pid]}; make ids unique")
        seen.setdefault(pid, i)
    if problems:
        raise InputError(f"{source}: {len(problems)} problem(s) in the collection points", problems)
    if not rows:
        raise InputError(f"{source}: no collection points; the file has a header but no rows")
    return pd.DataFrame(rows)


def _num(value: Any, name: str, where: str, problems: list[str]) -> float:
    text = str(value).strip()
    try:
        x = float(text)
    except ValueError:
        problems.append(f"{where}: {name} {text!r} is not a number")
        return math.nan
    if math.isnan(x) or math.isinf(x):
        problems.append(f"{where}: {name} is {text}; give a finite number")
    return x


def _check_row(
    rowno: int, row: dict[str, Any], service: ServiceSettings, problems: list[str],
    loading: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    pid = str(row.get("id", "")).strip()
    where = f"row {rowno} (id {pid or '?'})"
    n_before = len(problems)
    if not pid:
        problems.append(f"{where}: empty id; give every point a unique id")
    if row.get("_geometry_problem"):
        problems.append(f"{where}: {row['_geometry_problem']}")
    lon = _num(row.get("lon"), "lon", where, problems)
    lat = _num(row.get("lat"), "lat", where, problems)
    if not math.isnan(lon) and not -180 <= lon <= 180:
        problems.append(f"{where}: lon {lon} is out of range [-180, 180]; are lon and lat swapped?")
    if not math.isnan(lat) and not -90 <= lat <= 90:
        problems.append(f"{where}: lat {lat} is out of range [-90, 90]; are lon and lat swapped?")
    kind = str(row.get("kind", "")).strip().lower()
    loading = loading if loading is not None else {k.id: k.loading for k in DEFAULT_POINT_KINDS}
    if kind not in loading:
        problems.append(f"{where}: unknown kind {kind!r}; use one of {', '.join(loading)}")
    vol = _num(row.get("volume_m3"), "volume_m3", where, problems)
    if math.isfinite(vol) and vol < 0:
        problems.append(f"{where}: negative volume_m3 {vol}; volumes are >= 0")
    elif math.isfinite(vol) and vol > MAX_VOLUME_M3:
        problems.append(
            f"{where}: volume_m3 {vol:g} is more than {MAX_VOLUME_M3:g} m³; give the volume in m³ (e.g. 1.5)"
        )
    svc_text = str(row.get("service_s", "")).strip()
    svc = _num(svc_text, "service_s", where, problems) if svc_text else math.nan
    if svc_text and math.isfinite(svc) and not 0 <= svc <= MAX_SERVICE_S:
        problems.append(
            f"{where}: service_s {svc:g} is not a service time between 0 and {MAX_SERVICE_S} s "
            "(a day); give it in seconds, e.g. 300, or leave it empty for the default"
        )
    ready = _time_field(row.get("ready_from", ""), "ready_from", where, problems, default=0)
    latest = _time_field(row.get("latest", ""), "latest", where, problems, default=-1)
    if latest >= 0 and ready > latest:
        problems.append(
            f"{where}: window starts ({row.get('ready_from')}) after it ends ({row.get('latest')}); "
            "fix ready_from or latest"
        )
    days = _days_field(row.get("days", ""), where, problems)
    week = _week_fields(row, days, vol, where, problems)
    if week["days"]:
        days = week.pop("days")
    else:
        week.pop("days")
    ok = len(problems) == n_before
    if ok and math.isnan(svc):
        svc = service.service_s(kind, vol, loading=loading[kind])
    return {
        "id": pid,
        "name": str(row.get("name", "") or pid),
        "kelurahan": str(row.get("kelurahan", "")),
        "kecamatan": str(row.get("kecamatan", "")),
        "lon": lon,
        "lat": lat,
        "kind": kind,
        "volume_m3": vol,
        "service_s": int(round(svc)) if ok else -1,
        "ready_s": ready,
        "latest_s": latest,
        "days": days,
        **week,
        "service_given": bool(svc_text),
    }


def _int_field(value: Any, name: str, low: int, high: int, where: str, problems: list[str]) -> int | None:
    text = str(value if value is not None else "").strip()
    if not text:
        return None
    try:
        x = float(text)
    except ValueError:
        x = math.nan
    if not (math.isfinite(x) and x == int(x) and low <= x <= high):
        problems.append(f"{where}: {name} {text!r} is not a whole number from {low} to {high}")
        return None
    return int(x)


def _pattern_of(days: str) -> tuple[int, ...]:
    """The weekdays of a checked ``days`` value (``daily`` -> all seven)."""
    if days == "daily":
        return tuple(range(7))
    return tuple(sorted({WEEKDAYS[d[:3]] for d in days.split(",")}))


def _week_fields(row: dict[str, Any], days: str, vol: float, where: str, problems: list[str]) -> dict[str, Any]:
    """``frequency``, allowed ``patterns``, ``max_gap_days`` and ``m3_per_day`` of a row (see docs/points.md).

    A row without ``frequency`` or ``patterns`` keeps its ``days`` as its only pattern. ``days``
    comes back changed only when the point has a frequency but ``days`` was left daily/empty:
    then it is the first allowed pattern (the day planner's days).
    """
    n0 = len(problems)
    freq = _int_field(row.get("frequency", ""), "frequency", 1, 7, where, problems)
    gap = _int_field(row.get("max_gap_days", ""), "max_gap_days", 1, 7, where, problems)
    rate_text = str(row.get("m3_per_day", "") or "").strip()
    rate = _num(rate_text, "m3_per_day", where, problems) if rate_text else math.nan
    if rate_text and math.isfinite(rate) and not 0 <= rate <= MAX_VOLUME_M3:
        problems.append(f"{where}: m3_per_day {rate:g} must be from 0 to {MAX_VOLUME_M3:g} m³")
    listed = _patterns_field(row.get("patterns", ""), where, problems)
    fixed = _pattern_of(days)
    if freq is None and listed:
        freq = len(listed[0])
    explicit = freq is not None
    if freq is None:
        freq = len(fixed)
    if explicit and days != "daily" and len(fixed) != freq:
        problems.append(f"{where}: days {days!r} has {len(fixed)} day(s) but frequency is {freq}; "
                        "give as many days as the frequency, or leave days empty")
    if gap is None:
        gap = max(default_max_gap(freq), *(max_gap(p) for p in listed)) if listed else (
            default_max_gap(freq) if explicit else max_gap(fixed))
    if listed:
        allowed = listed
        bad = [pattern_text(p) for p in listed if len(p) != freq or max_gap(p) > gap]
        if bad:
            problems.append(f"{where}: pattern(s) {', '.join(bad)} do not have {freq} day(s) with gaps of at "
                            f"most max_gap_days {gap}; fix patterns, frequency or max_gap_days")
    elif explicit:
        allowed = candidate_patterns(freq, gap)
    else:
        allowed = [fixed]
    if not allowed:
        problems.append(f"{where}: no {freq}-day pattern of Monday-Saturday keeps every gap within "
                        f"max_gap_days {gap}; raise max_gap_days or the frequency")
    new_days = pattern_text(allowed[0]) if (explicit and days == "daily" and allowed and freq < 7) else ""
    if len(problems) > n0:
        return {"days": "", "frequency": freq, "patterns": pattern_text(fixed), "max_gap_days": max_gap(fixed),
                "m3_per_day": 0.0}
    if math.isnan(rate):
        rate = vol / max_gap(fixed) if math.isfinite(vol) else 0.0
    return {"days": new_days, "frequency": freq, "patterns": "|".join(pattern_text(p) for p in allowed),
            "max_gap_days": gap, "m3_per_day": round(rate, 4)}


def _patterns_field(value: Any, where: str, problems: list[str]) -> list[tuple[int, ...]]:
    text = str(value if value is not None else "").strip().lower()
    if not text:
        return []
    out: list[tuple[int, ...]] = []
    for part in text.split("|"):
        sub: list[str] = []
        checked = _days_field(part, where, sub)
        if sub or checked == "daily" and part.strip() not in _DAILY:
            problems.append(f"{where}: patterns {value!r}: {part.strip()!r} is not a list of weekdays; write "
                            "patterns like mon,wed,fri|tue,thu,sat")
            return []
        out.append(_pattern_of(checked))
    if len({len(p) for p in out}) > 1:
        problems.append(f"{where}: patterns {value!r} have different numbers of days; each pattern must have "
                        "as many days as the frequency")
        return []
    return out


def _time_field(value: Any, name: str, where: str, problems: list[str], *, default: int) -> int:
    text = str(value if value is not None else "").strip()
    if not text or text.lower() == "nan":
        return default
    try:
        return parse_hhmm(text)
    except ValueError as exc:
        problems.append(f"{where}: {name}: {exc}")
        return default


def _days_field(value: Any, where: str, problems: list[str]) -> str:
    text = str(value if value is not None else "").strip().lower()
    if text in _DAILY:
        return "daily"
    names = [d.strip() for d in text.replace(";", ",").replace(" ", ",").split(",") if d.strip()]
    bad = [d for d in names if len(d) < 3 or not any(full.startswith(d) for full in _WEEKDAY_NAMES)]
    if bad:
        problems.append(
            f"{where}: days {value!r} has unknown weekday(s) {bad}; "
            "use 'daily' or names like mon,wed,fri (or sen,rab,jum)"
        )
        return "daily"
    return ",".join(names)


def is_due(days: str, date: dt.date) -> bool:
    """Whether a point with this ``days`` value is collected on ``date``."""
    if days == "daily":
        return True
    return date.weekday() in {WEEKDAYS[d[:3]] for d in days.split(",")}


def split_due(points: pd.DataFrame, date: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split points into those due on ``date`` and those not scheduled that day."""
    mask = np.array([is_due(d, date) for d in points["days"]], dtype=bool)
    return points[mask].reset_index(drop=True), points[~mask].reset_index(drop=True)


@dataclass(frozen=True)
class SnapReport:
    """Points that cannot be used, by id, with the reason (too far from a road), and how far
    the points are from their spots on the streets (metres; ``p90_snap_m`` the 90th percentile)."""

    too_far: dict[str, str]
    max_snap_m: float
    median_snap_m: float
    p90_snap_m: float = 0.0


#: Driving sides: the kerb is on the left when traffic keeps left (Indonesia, the UK, Japan...).
DRIVING_SIDES: tuple[str, ...] = ("left", "right")
#: A point nearer than this to its street's centre line is on neither side: both ways may serve it.
ON_LINE_M = 0.5


def snap_points(
    points: pd.DataFrame,
    graph: nx.MultiDiGraph,
    *,
    max_snap_m: float = 300.0,
    same_place_m: float = 0.0,
    kerb_side: bool = False,
    driving_side: str = "left",
) -> tuple[pd.DataFrame, SnapReport]:
    """Snap each point to its spot on the nearest road edge of ``graph``.

    The point sits at the foot of the perpendicular on its nearest edge ``edge_u -> edge_v``
    (``edge_key``), at fraction ``edge_frac`` of the edge's length from ``edge_u``. It is
    served along that edge, and along the reverse edge of a two-way street (``rev_key``)
    unless ``kerb_side`` asks the crew to stop on the point's side: then only the direction of
    travel that has the point on its kerb side (the left with ``driving_side = "left"``)
    serves it (``serve`` is ``forward``, ``backward`` or ``both``; a one-way street is always
    ``forward``). Points within ``same_place_m`` of each other along the same street (and, with
    ``kerb_side``, on the same side) share one spot, the mean of their positions: the truck
    stops once for them. ``snap_m`` is the distance from the point to its spot,
    ``street_lon``/``street_lat`` the spot; ``node`` the nearer end of the edge. A point further
    than ``max_snap_m`` from every road is reported (probably wrong coordinates) and keeps
    ``node = -1``.

    Raises
    ------
    InputError
        If the graph has no edges, or ``driving_side`` is not left or right.
    """
    import geopandas as gpd
    import shapely

    if graph.number_of_edges() == 0:
        raise InputError("cannot snap points: the road graph has no edges; check the network source")
    if driving_side not in DRIVING_SIDES:
        raise InputError(f"driving_side {driving_side!r} is not one of {', '.join(DRIVING_SIDES)}; fix [network] driving_side")
    edges = _edge_frame(graph)
    crs = edges.estimate_utm_crs()
    edges_p = edges.to_crs(crs)
    pts = gpd.GeoSeries(gpd.points_from_xy(points["lon"], points["lat"]), crs="EPSG:4326").to_crs(crs)
    tree = shapely.STRtree(edges_p.geometry.values)
    (pi, ei), dist = tree.query_nearest(pts.values, return_distance=True, all_matches=False)
    order = np.argsort(pi, kind="stable")
    ei, dist = ei[order], dist[order]
    geoms = edges_p.geometry.values[ei]
    frac = shapely.line_locate_point(geoms, pts.values, normalized=True)
    left = _left_of(geoms, frac, pts.values)
    u = edges["u"].to_numpy()[ei]
    v = edges["v"].to_numpy()[ei]
    key = edges["key"].to_numpy()[ei]
    rev = edges["rev"].to_numpy()[ei]
    on_line = dist < ON_LINE_M
    kerb_left = driving_side == "left"
    fwd = ~np.asarray(kerb_side & (rev >= 0) & ~on_line & (left != kerb_left), dtype=bool)
    back = (rev >= 0) & (~np.asarray(kerb_side, dtype=bool) | on_line | (left != kerb_left))
    frac = _same_places(frac, shapely.length(geoms), u, v, key, rev, fwd, back, same_place_m)
    spots = shapely.line_interpolate_point(geoms, frac, normalized=True)
    snap = shapely.distance(pts.values, spots)
    spots_ll = gpd.GeoSeries(spots, crs=crs).to_crs("EPSG:4326")
    out = points.copy()
    out["edge_u"], out["edge_v"], out["edge_key"], out["rev_key"] = u, v, key, np.where(back, rev, -1)
    out["edge_frac"] = frac
    out["serve"] = np.where(fwd & back, "both", np.where(fwd, "forward", "backward"))
    out["street_lon"], out["street_lat"] = spots_ll.x.to_numpy(), spots_ll.y.to_numpy()
    out["snap_m"] = np.round(snap, 1)
    far = dist > max_snap_m
    out["node"] = np.where(far, -1, np.where(frac <= 0.5, u, v)).astype(np.int64)
    too_far = {
        pid: f"{d:.0f} m from the nearest road (limit {max_snap_m:.0f} m); check its coordinates"
        for pid, d in zip(out.loc[far, "id"], dist[far])
    }
    near = snap[~far] if (~far).any() else snap
    report = SnapReport(too_far=too_far, max_snap_m=float(near.max()), median_snap_m=float(np.median(near)),
                        p90_snap_m=float(np.percentile(near, 90)))
    log.info(
        "snapped %d points to their spots on the streets: median %.0f m, p90 %.0f m, max %.0f m from the "
        "street; %d beyond %.0f m; %d distinct spots (same place within %.0f m along a street)",
        len(out), report.median_snap_m, report.p90_snap_m, report.max_snap_m, len(too_far), max_snap_m,
        len(set(zip(u, v, key, np.round(frac, 9)))), same_place_m,
    )
    return out, report


def _left_of(geoms: Any, frac: np.ndarray, pts: Any) -> np.ndarray:
    """Whether each point lies left of its edge's direction of travel at its foot."""
    import shapely

    eps = np.minimum(1e-3, 0.5 / np.maximum(shapely.length(geoms), 1e-9))
    ahead = shapely.get_coordinates(shapely.line_interpolate_point(geoms, np.minimum(frac + eps, 1.0), normalized=True))
    behind = shapely.get_coordinates(shapely.line_interpolate_point(geoms, np.maximum(frac - eps, 0.0), normalized=True))
    foot = shapely.get_coordinates(shapely.line_interpolate_point(geoms, frac, normalized=True))
    p = shapely.get_coordinates(pts)
    t = ahead - behind
    cross = t[:, 0] * (p[:, 1] - foot[:, 1]) - t[:, 1] * (p[:, 0] - foot[:, 0])
    return cross > 0


def _same_places(
    frac: np.ndarray, length: np.ndarray, u: np.ndarray, v: np.ndarray, key: np.ndarray, rev: np.ndarray,
    fwd: np.ndarray, back: np.ndarray, same_place_m: float,
) -> np.ndarray:
    """Fractions with points within ``same_place_m`` along one street (same ways) moved to their mean.

    Each run starts at its first point (in the street's direction) and takes the following
    points up to ``same_place_m`` from it, so no point moves more than ``same_place_m``.
    """
    if same_place_m <= 0 or len(frac) < 2:
        return frac
    frac = frac.astype(float).copy()
    # One direction per street: a two-way pair is named by its lower (u, v, key) end.
    flip = (rev >= 0) & ((v < u) | ((v == u) & (rev < key)))
    street = np.where(flip, v, u), np.where(flip, u, v), np.where(flip, rev, key)
    pos = np.where(flip, 1.0 - frac, frac) * length
    ahead, behind = np.where(flip, back, fwd), np.where(flip, fwd, back)
    groups: dict[tuple, list[int]] = {}
    for k in range(len(frac)):
        groups.setdefault((street[0][k], street[1][k], street[2][k], bool(ahead[k]), bool(behind[k])), []).append(k)
    for members in groups.values():
        if len(members) < 2:
            continue
        idx = np.array(sorted(members, key=lambda k: pos[k]))
        run = [idx[0]]
        for k in [*idx[1:], None]:
            if k is not None and pos[k] - pos[run[0]] <= same_place_m:
                run.append(k)
                continue
            if len(run) > 1:
                mean = float(np.mean(pos[run])) / max(float(length[run[0]]), 1e-9)
                for r in run:
                    frac[r] = 1.0 - mean if flip[r] else mean
            if k is not None:
                run = [k]
    return np.clip(frac, 0.0, 1.0)


def _edge_frame(graph: nx.MultiDiGraph) -> Any:
    """Edges as a GeoDataFrame (lon/lat) with ``u``, ``v``, ``key`` and ``rev`` (the key of the reverse
    edge of a two-way street, -1 on a one-way street); straight lines where no geometry."""
    import geopandas as gpd
    from shapely.geometry import LineString

    rows_u, rows_v, keys, revs, geoms = [], [], [], [], []
    for u, v, k, data in graph.edges(keys=True, data=True):
        geom = data.get("geometry")
        if geom is None:
            geom = LineString([(graph.nodes[u]["x"], graph.nodes[u]["y"]), (graph.nodes[v]["x"], graph.nodes[v]["y"])])
        rows_u.append(u)
        rows_v.append(v)
        keys.append(k)
        revs.append(_reverse_key(graph, u, v, data))
        geoms.append(geom)
    return gpd.GeoDataFrame({"u": rows_u, "v": rows_v, "key": keys, "rev": revs}, geometry=geoms, crs="EPSG:4326")


def _reverse_key(graph: nx.MultiDiGraph, u: int, v: int, data: dict[str, Any]) -> int:
    """Key of the edge ``v -> u`` that is the same street driven the other way, or -1.

    The same street: the same OSM way when both carry ``osmid``, and the same length (0.5 m or 1 %).
    """
    if u == v or not graph.has_edge(v, u):
        return -1
    length = float(data.get("length", 0.0))
    best, best_d = -1, np.inf
    for k, other in graph[v][u].items():
        if "osmid" in data and "osmid" in other and str(other["osmid"]) != str(data["osmid"]):
            continue
        d = abs(float(other.get("length", 0.0)) - length)
        if d <= max(0.5, 0.01 * length) and d < best_d:
            best, best_d = int(k), d
    return best
