"""The words on the driver sheets: texts in Bahasa Indonesia and English, and how numbers,
dates, durations and stop names are written."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ...solution import GENERATED_NOTICE, Visit

#: The arrow printed before each turn-by-turn step.
TURN_GLYPH = {
    "depart": "↑",
    "straight": "↑",
    "slight_left": "↖",
    "slight_right": "↗",
    "left": "←",
    "right": "→",
    "sharp_left": "↙",
    "sharp_right": "↘",
    "uturn": "↺",
    "roundabout": "○",
    "arrive": "⚑",
}

TEXTS: dict[str, dict[str, str]] = {
    "id": {
        "title": "RUTE TRUK {truck}",
        "decimal": ",",
        "shift": "Shift {start}–{end}  ·  berangkat {dep}  ·  kembali ± {ret}  ·  "
        "{trips} rit ke {landfill}  ·  {stops} titik angkut",
        "driver": "Sopir:",
        "crew": "Kru:",
        "page": "Halaman {k}/{n}",
        "no": "No",
        "name": "Nama / patokan",
        "kelurahan": "Kelurahan",
        "kind": "Jenis",
        "m3": "m³",
        "earliest": "Paling awal",
        "arrival": "Rencana tiba",
        "dist": "Jarak",
        "done": "✓",
        "depart_row": "Berangkat dari {name}",
        "return_row": "Kembali ke {name}",
        "landfill_row": "→ {name} (buang)",
        "trip": "rit {k}",
        "break_row": "Istirahat {min} mnt",
        "wait": "tunggu {min} mnt, mulai {start}",
        "latest": "paling lambat {time}",
        "total_row": "Total: {stops} titik, {trips} rit",
        "totals": "Total: {stops} titik  ·  {m3} m³  ·  {km} km  ·  {hours}  ·  ± {fuel} L solar  ·  {trips} rit",
        "made": "Rencana wasteroute {date}, dibuat {made}",
        "approx": "lokasi perkiraan",
        "same_place": "lokasi sama",
        "directions": "Petunjuk arah",
        "directions_note": "Jarak dibulatkan. Nama jalan dari OpenStreetMap; jalan tanpa nama disebut "
        "menurut kelasnya (jalan lingkungan, jalan kolektor, …).",
        "section_trip": "Rit {k}: no. {a}–{b}, lalu ke {landfill}",
        "section_trip_one": "Rit {k}: no. {a}, lalu ke {landfill}",
        "section_empty": "Rit {k}: langsung ke {landfill}",
        "section_return": "Kembali ke {name}",
        "leg_point": "Ke no. {n}: {name}",
        "leg_landfill": "Ke {name} (buang, rit {k})",
        "leg_depot": "Kembali ke {name}",
        "leg_info": "{dist}, ± {min} mnt",
        "legend_stop": "titik angkut (no. urut)",
        "legend_depot": "pool truk",
        "legend_landfill": "TPA (buang)",
        "legend_trip": "rit {k}",
        "legend_return": "kembali",
        "north": "U",
        "to_landfill": "ke {name}",
        "watermark": "JALAN SINTETIS",
        "notice": "Jaringan jalan SINTETIS (dibuat, bukan data OpenStreetMap asli): jarak, waktu, nama jalan "
        "dan arah hanya perkiraan. Ambil jaringan asli saat online: python run_routes.py --download-network",
        "hours": "{h} jam {m:02d} mnt",
        "minutes": "{m} mnt",
        "cover_title": "Rencana pengangkutan sampah",
        "cover_trucks": "Truk hari ini",
        "truck": "Truk",
        "type": "Jenis",
        "start": "Berangkat",
        "end": "Kembali",
        "stops": "Titik",
        "trips": "Rit",
        "km": "km",
        "fuel": "Solar (L)",
        "pages": "Lembar",
        "unassigned": "Titik yang TIDAK terlayani hari ini: {n}",
        "reason": "Alasan",
        "all_served": "Semua titik yang dijadwalkan hari ini terlayani.",
        "idle": "Truk tidak dipakai: {ids}",
        "no_routes": "Tidak ada truk yang berangkat hari ini.",
    },
    "en": {
        "title": "TRUCK ROUTE {truck}",
        "decimal": ".",
        "shift": "Shift {start}–{end}  ·  leave {dep}  ·  back ± {ret}  ·  "
        "{trips} loads to {landfill}  ·  {stops} pickup points",
        "driver": "Driver:",
        "crew": "Crew:",
        "page": "Page {k}/{n}",
        "no": "No",
        "name": "Name / landmark",
        "kelurahan": "Kelurahan",
        "kind": "Kind",
        "m3": "m³",
        "earliest": "Earliest",
        "arrival": "Planned arrival",
        "dist": "Dist.",
        "done": "✓",
        "depart_row": "Leave {name}",
        "return_row": "Return to {name}",
        "landfill_row": "→ {name} (unload)",
        "trip": "load {k}",
        "break_row": "Break {min} min",
        "wait": "wait {min} min, start {start}",
        "latest": "at the latest {time}",
        "total_row": "Total: {stops} points, {trips} loads",
        "totals": "Total: {stops} points  ·  {m3} m³  ·  {km} km  ·  {hours}  ·  ± {fuel} L diesel  ·  {trips} loads",
        "made": "wasteroute plan for {date}, made {made}",
        "approx": "approximate location",
        "same_place": "same place",
        "directions": "Directions",
        "directions_note": "Distances are rounded. Street names from OpenStreetMap; unnamed streets are "
        "described by their class (residential street, collector road, …).",
        "section_trip": "Load {k}: no. {a}–{b}, then {landfill}",
        "section_trip_one": "Load {k}: no. {a}, then {landfill}",
        "section_empty": "Load {k}: straight to {landfill}",
        "section_return": "Back to {name}",
        "leg_point": "To no. {n}: {name}",
        "leg_landfill": "To {name} (unload, load {k})",
        "leg_depot": "Back to {name}",
        "leg_info": "{dist}, ± {min} min",
        "legend_stop": "pickup point (order)",
        "legend_depot": "truck depot",
        "legend_landfill": "landfill (unload)",
        "legend_trip": "load {k}",
        "legend_return": "return",
        "north": "N",
        "to_landfill": "to {name}",
        "watermark": "SYNTHETIC STREETS",
        "notice": GENERATED_NOTICE,
        "hours": "{h} h {m:02d} min",
        "minutes": "{m} min",
        "cover_title": "Waste collection plan",
        "cover_trucks": "Trucks today",
        "truck": "Truck",
        "type": "Type",
        "start": "Leave",
        "end": "Back",
        "stops": "Points",
        "trips": "Loads",
        "km": "km",
        "fuel": "Diesel (L)",
        "pages": "Pages",
        "unassigned": "Points NOT served today: {n}",
        "reason": "Reason",
        "all_served": "Every point due today is served.",
        "idle": "Trucks not used: {ids}",
        "no_routes": "No truck goes out today.",
    },
}

_KINDS = {
    "id": {"bak": "bak", "roadside": "tepi jalan", "container": "kontainer"},
    "en": {"bak": "bin (bak)", "roadside": "roadside", "container": "container"},
}
_DAYS = {
    "id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS = {
    "id": (
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}


def long_date(day: dt.date, language: str) -> str:
    """``"Selasa, 24 November 2026"`` / ``"Tuesday, 24 November 2026"``."""
    return (
        f"{_DAYS[language][day.weekday()]}, {day.day} {_MONTHS[language][day.month - 1]} {day.year}"
    )


def format_number(x: float, digits: int, language: str) -> str:
    """``1234.5`` as ``"1.234,5"`` (Indonesian) or ``"1,234.5"`` (English)."""
    text = f"{x:,.{digits}f}"
    if language == "id":  # 1.234,5
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return text


def format_hours(seconds: int, t: dict[str, str]) -> str:
    """A duration as ``"3 jam 59 mnt"`` / ``"3 h 59 min"``, or minutes alone under an hour."""
    total = round(seconds / 60)
    if total < 60:
        return t["minutes"].format(m=total)
    return t["hours"].format(h=total // 60, m=total % 60)


def display_name(visit: Visit) -> str:
    """A stop's name as printed: without a leading ``"<kelurahan> - "`` (the kelurahan has its own column)."""
    p = visit.point
    if p is not None and p.kelurahan:
        for sep in (" - ", " – ", ": ", ", "):
            prefix = p.kelurahan + sep
            if visit.name.startswith(prefix) and len(visit.name) > len(prefix):
                return visit.name[len(prefix) :]
    return visit.name


def kind_name(kind: str, language: str, problem: Any = None) -> str:
    """The printed name of a collection point's kind: the scenario's (``[[kind]]``, carried by
    ``problem``), else the built-in name of Kupang's kinds (bak, roadside, container), else the id."""
    named = problem.kind_name(kind, language) if problem is not None and hasattr(problem, "kind_name") else ""
    return named or _KINDS[language].get(kind, kind)


def scale_text(length_m: int, t: dict[str, str]) -> str:
    """The scale bar's length: ``"500 m"``, ``"2,5 km"``."""
    if length_m < 1000:
        return f"{length_m} m"
    km = f"{length_m / 1000:g}"
    return f"{km.replace('.', t['decimal'])} km"
