"""The words on the Folium maps, in Bahasa Indonesia (the default) and English.

The maps follow the scenario's ``language`` setting, like the driver sheets; numbers are written
as on the sheets (decimal comma in Bahasa Indonesia).
"""

from __future__ import annotations

from ...errors import InputError
from ...solution import GENERATED_NOTICE
from ..sheets.text import format_number

LANGUAGES = ("id", "en")

WORDS: dict[str, dict[str, str]] = {
    "id": {
        "fleet": "armada",
        "trip": "rit {k}",
        "trip_stops": "rit {k}, {n} titik",
        "home": "kembali ke pool",
        "numbered_stops": "Titik bernomor",
        "facilities": "Pool dan TPA",
        "unassigned_layer": "Tidak terlayani ({n})",
        "unassigned_tip": "Tidak terlayani: {name}",
        "unassigned_title": "TIDAK TERLAYANI: {name}",
        "unassigned_key": "tidak terlayani: {n}",
        "streets": "Jalan",
        "tiles": "Ubin peta OpenStreetMap (hanya online)",
        "id": "Kode",
        "kelurahan": "Kelurahan",
        "kind": "Jenis",
        "volume": "Volume",
        "arrival": "Tiba",
        "wait": " (tunggu sampai {time})",
        "leaves": "Berangkat",
        "load_after": "Muatan sesudahnya",
        "load_of": "{load} dari {cap} m³",
        "truck": "Truk",
        "truck_trip": "{truck}, rit {k}",
        "reason": "Alasan",
        "depot": "pool truk",
        "depot_title": "Pool: {name}",
        "landfill": "TPA (buang)",
        "landfill_title": "TPA: {name}",
        "hours": "Jam buka",
        "location": "Lokasi",
        "approximate": "perkiraan",
        "out_back": "berangkat {out}, kembali {back}",
        "visit": "rit {k}: {time}, {m3} m³",
        "at_landfill": "{truck} di {name}",
        "unload": "tiba {arrive}, buang {start}–{end}, {m3} m³ dari {n} titik",
        "trip_title": "Rit {k}",
        "badge": "rit {k} {time}",
        "to_depot": "ke pool",
        "notice_label": "PERHATIAN",
        "notice": "Jaringan jalan SINTETIS (dibuat, bukan data OpenStreetMap asli): jarak dan waktu hanya "
        "perkiraan. Ambil jaringan asli saat online: python run_routes.py --download-network",
        "show_all": "Semua",
        "legend_help": "Arahkan ke truk untuk menyorot, klik untuk menampilkan sendiri",
        "chip_title": "{truck} · {label} · {km} km · {hours} jam · {trips} rit · {stops} titik · "
        "{m3} m³ · {start}–{end}",
        "streets_credit": "Jalan",
        "km": "{km} km",
    },
    "en": {
        "fleet": "fleet",
        "trip": "trip {k}",
        "trip_stops": "trip {k}, {n} stops",
        "home": "back to the depot",
        "numbered_stops": "Numbered stops",
        "facilities": "Depot and landfill",
        "unassigned_layer": "Unassigned ({n})",
        "unassigned_tip": "Unassigned: {name}",
        "unassigned_title": "NOT SERVED: {name}",
        "unassigned_key": "unassigned: {n}",
        "streets": "Streets",
        "tiles": "OpenStreetMap tiles (online only)",
        "id": "Id",
        "kelurahan": "Kelurahan",
        "kind": "Kind",
        "volume": "Volume",
        "arrival": "Arrival",
        "wait": " (wait until {time})",
        "leaves": "Leaves",
        "load_after": "Load after",
        "load_of": "{load} of {cap} m³",
        "truck": "Truck",
        "truck_trip": "{truck}, trip {k}",
        "reason": "Reason",
        "depot": "depot",
        "depot_title": "Depot: {name}",
        "landfill": "landfill",
        "landfill_title": "Landfill: {name}",
        "hours": "Hours",
        "location": "Location",
        "approximate": "approximate",
        "out_back": "out {out}, back {back}",
        "visit": "trip {k}: {time}, {m3} m³",
        "at_landfill": "{truck} at {name}",
        "unload": "arrive {arrive}, unload {start}–{end}, {m3} m³ from {n} stops",
        "trip_title": "Trip {k}",
        "badge": "trip {k} {time}",
        "to_depot": "to depot",
        "notice_label": "NOTICE",
        "notice": GENERATED_NOTICE,
        "show_all": "All",
        "legend_help": "Point at a truck to highlight it, click to show it alone",
        "chip_title": "{truck} · {label} · {km} km · {hours} h · {trips} loads · {stops} stops · "
        "{m3} m³ · {start}–{end}",
        "streets_credit": "Streets",
        "km": "{km} km",
    },
}


def words(language: str) -> dict[str, str]:
    """The map words of ``language`` ("id" or "en").

    Raises
    ------
    InputError
        If ``language`` is neither.
    """
    if language not in WORDS:
        msg = f"map language {language!r} is not available; use one of {', '.join(LANGUAGES)}"
        raise InputError(msg)
    return WORDS[language]


def num(x: float, digits: int, language: str) -> str:
    """``x`` with ``digits`` decimals, written as on the driver sheets of ``language``."""
    return format_number(x, digits, language)
