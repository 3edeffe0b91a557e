"""Read the files a re-plan during the day starts from: complaint pickups and the trucks' progress.

Both are CSV files (formats in ``docs/rounds.md``, "Complaints" and "Progress"). Every row is
checked and every bad row is reported at once, each with its row number and the fix, as one
:class:`~wasteroute.errors.InputError`.

* complaints: ``id, latest, priority`` and where: ``point`` (a collection point of the day, e.g.
  an overflowing TPS) or ``lon, lat``; optional ``name, kind, volume_m3, ready, service_min,
  reported``;
* progress: ``truck, time`` and ``point`` (a stop checked off: a point, landfill or depot id) or
  ``lon, lat`` (a GPS export: one fix per row).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .units import parse_hhmm

#: Priority words a complaint file may use, and their number (1 = most urgent).
PRIORITIES = {"1": 1, "2": 2, "3": 3, "tinggi": 1, "high": 1, "sedang": 2, "normal": 2, "medium": 2,
              "rendah": 3, "low": 3}


@dataclass(frozen=True)
class Complaint:
    """A pickup asked for during the day (a resident's report through Qlue or the call centre).

    ``point`` names a collection point of the day where the pickup is (its road node is used);
    otherwise ``lon``/``lat`` say where. ``latest_s`` is the latest time the crew may start
    loading; ``priority`` 1 (most urgent) to 3. ``volume_m3`` and ``service_s`` of None take the
    named point's kind and the loading rule (5 min + 1 min per 0.1 m³).
    """

    id: str
    latest_s: int
    priority: int = 2
    point: str = ""
    lon: float | None = None
    lat: float | None = None
    name: str = ""
    kind: str = ""
    volume_m3: float = 1.0
    ready_s: int = 0
    service_s: int | None = None
    reported_s: int | None = None


@dataclass(frozen=True)
class ProgressRow:
    """One line of a progress file: truck ``truck`` was at ``point`` (or at ``lon``/``lat``) at ``time_s``."""

    truck: str
    time_s: int
    point: str = ""
    lon: float | None = None
    lat: float | None = None
    row: int = 0


def _read_rows(path: str | Path, what: str, required: tuple[str, ...]) -> tuple[Path, list[dict[str, str]]]:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{what} file {p} does not exist; give the path of the CSV file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{what} file {p} cannot be read as UTF-8 text: {exc}") from None
    numbered = [(n, ln) for n, ln in enumerate(text.splitlines(), start=1)
                if ln.strip() and not ln.lstrip().startswith("#")]  # '#' lines: notes, e.g. "generated"
    if not numbered:
        raise InputError(f"{what} file {p} is empty; it needs a header row with {', '.join(required)}")
    reader = csv.DictReader(ln for _, ln in numbered)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if len(header) == 1 and (";" in numbered[0][1] or "\t" in numbered[0][1]):
        raise InputError(f"{what} file {p} is not comma-separated; save it as CSV with commas")
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(f"{what} file {p} lacks the column(s) {', '.join(missing)}; its header is "
                         f"{', '.join(header) or '(empty)'}; see docs/rounds.md")
    rows = []
    for (n, _), r in zip(numbered[1:], reader):  # one line per row (no line breaks inside fields)
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in r.items() if k is not None}
        row["_line"] = str(n)
        rows.append(row)
    return p, rows


def _where(row: dict[str, str], n: int, problems: list[str]) -> tuple[str, float | None, float | None]:
    """``point`` or ``lon``/``lat`` of row ``n``; a problem is added when neither is usable."""
    point = row.get("point", "")
    lon_t, lat_t = row.get("lon", ""), row.get("lat", "")
    if point:
        return point, None, None
    if not lon_t and not lat_t:
        problems.append(f"row {n}: no point id and no lon/lat; give one of them")
        return "", None, None
    try:
        lon, lat = float(lon_t), float(lat_t)
    except ValueError:
        problems.append(f"row {n}: lon/lat {lon_t!r}/{lat_t!r} are not numbers; write decimal degrees, "
                        "e.g. 123.5912, -10.1700")
        return "", None, None
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        problems.append(f"row {n}: lon/lat {lon}/{lat} out of range; lon is -180..180 and lat -90..90 "
                        "(swapped?)")
        return "", None, None
    return "", lon, lat


def _time(text: str, n: int, name: str, problems: list[str], *, required: bool = True) -> int | None:
    if not text:
        if required:
            problems.append(f"row {n}: {name} is empty; write it as HH:MM, e.g. 10:30")
        return None
    try:
        if "T" in text or ("-" in text and " " in text):  # a GPS export's timestamp: its time of day
            when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            return when.hour * 3600 + when.minute * 60 + when.second
        return parse_hhmm(text)
    except ValueError:
        problems.append(f"row {n}: {name} {text!r} is not a time; write it as HH:MM, e.g. 10:30 "
                        "(or a timestamp 2026-11-24T08:12:05)")
        return None


def read_complaints(path: str | Path) -> tuple[Complaint, ...]:
    """Read a complaints CSV (``docs/rounds.md``, "Complaints").

    Raises
    ------
    InputError
        Listing every bad row with its number and the fix (missing place, bad time or priority,
        repeated id, negative volume).
    """
    p, rows = _read_rows(path, "complaints", ("id", "latest", "priority"))
    out, problems, seen = [], [], set()
    for row in rows:
        n = int(row["_line"])
        cid = row.get("id", "")
        if not cid:
            problems.append(f"row {n}: id is empty; give each complaint an id, e.g. Q-0001")
        elif cid in seen:
            problems.append(f"row {n}: id {cid} repeats; give each complaint its own id")
        seen.add(cid)
        point, lon, lat = _where(row, n, problems)
        latest = _time(row.get("latest", ""), n, "latest", problems)
        ready = _time(row.get("ready", ""), n, "ready", problems, required=False)
        reported = _time(row.get("reported", ""), n, "reported", problems, required=False)
        prio = PRIORITIES.get(row.get("priority", "").lower())
        if prio is None:
            problems.append(f"row {n}: priority {row.get('priority', '')!r} is not 1, 2 or 3 (or tinggi/sedang/"
                            "rendah, high/normal/low)")
        volume, service = _complaint_amounts(row, n, problems)
        if ready is not None and latest is not None and ready > latest:
            problems.append(f"row {n}: ready {row['ready']} is after latest {row['latest']}; swap them")
        if not problems:
            out.append(Complaint(id=cid, latest_s=int(latest or 0), priority=int(prio or 2), point=point, lon=lon,
                                 lat=lat, name=row.get("name", ""), kind=row.get("kind", ""), volume_m3=volume,
                                 ready_s=int(ready or 0), service_s=service, reported_s=reported))
    if problems:
        raise InputError(f"complaints file {p}: {len(problems)} problem(s)", problems)
    return tuple(out)


def _complaint_amounts(row: dict[str, str], n: int, problems: list[str]) -> tuple[float, int | None]:
    volume, service = 1.0, None
    try:
        if row.get("volume_m3", ""):
            volume = float(row["volume_m3"])
            if not (math.isfinite(volume) and 0 <= volume <= 100):
                raise ValueError
    except ValueError:
        problems.append(f"row {n}: volume_m3 {row['volume_m3']!r} must be a number of m³ from 0 to 100, e.g. 1.5")
    try:
        if row.get("service_min", ""):
            minutes = float(row["service_min"])
            if not (math.isfinite(minutes) and 0 <= minutes <= 240):
                raise ValueError
            service = int(round(minutes * 60))
    except ValueError:
        problems.append(f"row {n}: service_min {row['service_min']!r} must be minutes from 0 to 240, e.g. 10")
    return volume, service


def read_progress(path: str | Path) -> tuple[ProgressRow, ...]:
    """Read a progress CSV: stop check-offs or a GPS export (``docs/rounds.md``, "Progress").

    Rows are returned sorted by truck and time (a GPS export is often not).

    Raises
    ------
    InputError
        Listing every bad row with its number and the fix (no truck, bad time, no place).
    """
    p, rows = _read_rows(path, "progress", ("truck", "time"))
    out, problems = [], []
    for row in rows:
        n = int(row["_line"])
        truck = row.get("truck", "")
        if not truck:
            problems.append(f"row {n}: truck is empty; give the truck id, e.g. DT-05")
        when = _time(row.get("time", ""), n, "time", problems)
        point, lon, lat = _where(row, n, problems)
        if when is not None and truck and (point or lon is not None):
            out.append(ProgressRow(truck, when, point, lon, lat, n))
    if problems:
        raise InputError(f"progress file {p}: {len(problems)} problem(s)", problems)
    return tuple(sorted(out, key=lambda r: (r.truck, r.time_s, r.row)))


__all__ = ["PRIORITIES", "Complaint", "ProgressRow", "read_complaints", "read_progress"]
