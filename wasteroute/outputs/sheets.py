"""Printed driver sheets: one A4 PDF per truck and one for the whole fleet.

Each truck's sheet holds a header (date, truck, shift, loads, lines for the crew's names),
a map of the route drawn offline from the road graph, the stops in order with explicit
"→ TPA Alak (buang)" rows and the break, turn-by-turn directions per leg, and footer
totals with the OpenStreetMap attribution. Long routes flow onto more pages with the header
repeated on each. Texts are in Bahasa Indonesia (``language="id"``, the default) or English
(``"en"``).

Sheets are built from a :class:`~wasteroute.solution.Solution` alone: nothing is solved and
nothing is downloaded. The fonts are the DejaVu fonts shipped inside matplotlib (they cover
m³, → and Indonesian text). The map is drawn by matplotlib from the road graph, so no map
tiles are needed.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import logging
import math
import time
import weakref
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import numpy as np
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    ActionFlowable,
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from ..directions import Instruction, check_language, format_distance, leg_directions
from ..solution import GENERATED_NOTICE, Route, Solution, Visit
from ..units import format_hhmm

log = logging.getLogger("wasteroute")

ATTRIBUTION = "© OpenStreetMap contributors"
PAGE_W, PAGE_H = A4
MARGIN = 12 * mm
HEADER_H = 24 * mm
NOTICE_H = 10 * mm
FOOTER_H = 13 * mm
CONTENT_W = PAGE_W - 2 * MARGIN

#: Map on the first page: width is the text width, height follows the route's shape.
MAP_W_MM = CONTENT_W / mm
MAP_H_MM = (85.0, 170.0)
MAP_DPI = 200
STRIP_MM = 10.0  # legend strip under each map
CLOSE_UP_M_PER_MM = 15.0  # main maps at a smaller scale than 1:15,000 get a close-up per trip
TRIP_MAP_H_MM = 100.0
COLUMN_GAP = 6 * mm

FONT, FONT_BOLD, FONT_ITALIC = "DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique"

TRIP_COLOURS = ("#1c5bb8", "#d9480f", "#2b8a3e", "#862e9c", "#c2255c", "#0b7285")
RETURN_COLOUR = "#444444"

_TURN_GLYPH = {
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

# ====================================================================== texts
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


def _num(x: float, digits: int, language: str) -> str:
    text = f"{x:,.{digits}f}"
    if language == "id":  # 1.234,5
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return text


def _hours(seconds: int, t: dict[str, str]) -> str:
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


def arrival_time(route: Route, k: int) -> int:
    """When the truck reaches visit ``k``, counting a break taken on the way there.

    ``Visit.arrival_s`` is the previous departure plus the drive; when the crew takes its break
    on that leg, the truck arrives after the break.
    """
    v = route.visits[k]
    if k == 0:
        return v.departure_s
    prev, brk = route.visits[k - 1], route.break_
    arrival = v.arrival_s
    if (
        brk is not None
        and brk.duration_s
        and prev.departure_s <= brk.start_s
        and brk.end_s <= v.start_s
    ):
        arrival = min(v.start_s, arrival + brk.duration_s)
    return arrival


def _kind(kind: str, language: str) -> str:
    return _KINDS[language].get(kind, kind)


# ====================================================================== fonts
def register_fonts() -> None:
    """Register matplotlib's DejaVu Sans with reportlab (once); nothing is downloaded."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    import matplotlib

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    for name, file in (
        (FONT, "DejaVuSans.ttf"),
        (FONT_BOLD, "DejaVuSans-Bold.ttf"),
        (FONT_ITALIC, "DejaVuSans-Oblique.ttf"),
        ("DejaVuSans-BoldOblique", "DejaVuSans-BoldOblique.ttf"),
    ):
        pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic="DejaVuSans-BoldOblique"
    )


# ====================================================================== the plan of one route
@dataclass(frozen=True)
class SheetRow:
    """One row of the stop table: ``kind`` is depot_start, point, landfill, break or depot_end."""

    kind: str
    number: int  # stop number for points, trip number for landfill rows, else 0
    visit: Visit | None
    start_s: int = 0
    end_s: int = 0


def sheet_rows(route: Route) -> list[SheetRow]:
    """The rows of a truck's stop table, in driving order, with the break where it falls."""
    rows: list[SheetRow] = []
    stop_no = trip_no = 0
    last = len(route.visits) - 1
    for k, v in enumerate(route.visits):
        if v.kind == "depot":
            kind = "depot_start" if k == 0 else "depot_end"
            rows.append(SheetRow(kind, 0, v, arrival_time(route, k)))
        elif v.kind == "point":
            stop_no += 1
            rows.append(SheetRow("point", stop_no, v, arrival_time(route, k)))
        else:
            trip_no += 1
            rows.append(SheetRow("landfill", trip_no, v, arrival_time(route, k), v.departure_s))
    brk = route.break_
    if brk is not None and brk.duration_s > 0:
        pos = len(rows)
        for i, r in enumerate(rows):
            if (
                r.visit is not None
                and r.kind != "depot_start"
                and r.visit.start_s >= brk.end_s
                and i <= last
            ):
                pos = i
                break
        rows.insert(pos, SheetRow("break", 0, None, brk.start_s, brk.end_s))
    return rows


def trip_of_visit(route: Route) -> list[int]:
    """Trip number (1-based) of each visit; the depot at the end belongs to trip 0 (return)."""
    out, trip = [], 1
    for k, v in enumerate(route.visits):
        out.append(0 if (v.kind == "depot" and k > 0) else trip)
        if v.kind == "landfill":
            trip += 1
    return out


# ====================================================================== map
_CLASS_RANK = {
    "motorway": 0,
    "trunk": 0,
    "primary": 0,
    "secondary": 1,
    "tertiary": 2,
    "unclassified": 3,
    "residential": 3,
    "living_street": 4,
    "service": 4,
}
_STREET_STYLE = {
    0: (2.8, "#9c9c9c"),
    1: (2.3, "#a9a9a9"),
    2: (1.7, "#b5b5b5"),
    3: (0.9, "#c2c2c2"),
    4: (0.6, "#d2d2d2"),
}
_M_PER_DEG = 111_320.0


@dataclass
class _Streets:
    """The road graph flattened for drawing: one polyline per street piece, in lon/lat."""

    xy: np.ndarray  # all vertices, (n, 2) lon/lat
    offsets: np.ndarray  # vertex range of piece i: offsets[i]:offsets[i + 1]
    bounds: np.ndarray  # (pieces, 4) min lon, min lat, max lon, max lat
    rank: np.ndarray
    length_m: np.ndarray
    names: list[str]
    ends: list[tuple[int, int]]
    by_node: dict[int, list[int]] = field(
        default_factory=dict
    )  # named pieces at each node, for labels


_STREET_CACHE: weakref.WeakKeyDictionary[Any, _Streets] = weakref.WeakKeyDictionary()


def _street_rank(data: dict[str, Any]) -> int:
    hw = data.get("highway", "")
    if isinstance(hw, (list, tuple)):
        return min((_street_rank({"highway": h}) for h in hw), default=4)
    return _CLASS_RANK.get(str(hw).replace("_link", ""), 4)


def _street_name(data: dict[str, Any]) -> str:
    from ..directions import street_label

    return street_label(data) if data.get("name") else ""


def streets_of(graph: Any) -> _Streets:
    """Flatten ``graph`` for drawing (cached per graph, two-way streets once)."""
    cached = _STREET_CACHE.get(graph)
    if cached is not None:
        return cached
    seen: set[tuple[int, int]] = set()
    pts: list[Any] = []
    offsets, rank, length, names, ends = [0], [], [], [], []
    nodes = graph.nodes
    for u, v, data in graph.edges(data=True):
        key = (u, v) if u < v else (v, u)
        if key in seen:
            continue
        seen.add(key)
        geom = data.get("geometry")
        line = (
            np.asarray(geom.coords, dtype=float)[:, :2]
            if geom is not None
            else np.array(
                [[nodes[u]["x"], nodes[u]["y"]], [nodes[v]["x"], nodes[v]["y"]]], dtype=float
            )
        )
        if geom is not None and np.hypot(*(line[0] - [nodes[u]["x"], nodes[u]["y"]])) > 1e-7:
            line = line[::-1]
        pts.append(line)
        offsets.append(offsets[-1] + len(line))
        rank.append(_street_rank(data))
        length.append(float(data.get("length", 0.0)))
        names.append(_street_name(data))
        ends.append((u, v))
    xy = np.concatenate(pts) if pts else np.zeros((0, 2))
    off = np.asarray(offsets)
    bounds = np.array(
        [[*xy[a:b].min(axis=0), *xy[a:b].max(axis=0)] for a, b in itertools.pairwise(off)]
    ).reshape(-1, 4)
    streets = _Streets(xy, off, bounds, np.asarray(rank), np.asarray(length), names, ends)
    _STREET_CACHE[graph] = streets
    return streets


@dataclass(frozen=True)
class _View:
    """A map window in local metres around an origin (lon0, lat0)."""

    lon0: float
    lat0: float
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def kx(self) -> float:
        return _M_PER_DEG * math.cos(math.radians(self.lat0))

    def to_xy(self, lonlat: np.ndarray) -> np.ndarray:
        arr = np.asarray(lonlat, dtype=float).reshape(-1, 2)
        return np.column_stack(
            ((arr[:, 0] - self.lon0) * self.kx, (arr[:, 1] - self.lat0) * _M_PER_DEG)
        )

    def lonlat_box(self) -> tuple[float, float, float, float]:
        return (
            self.lon0 + self.x0 / self.kx,
            self.lat0 + self.y0 / _M_PER_DEG,
            self.lon0 + self.x1 / self.kx,
            self.lat0 + self.y1 / _M_PER_DEG,
        )

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    def contains(self, xy: np.ndarray, inset: float = 0.0) -> np.ndarray:
        dx, dy = self.width * inset, self.height * inset
        return (
            (xy[:, 0] >= self.x0 + dx)
            & (xy[:, 0] <= self.x1 - dx)
            & (xy[:, 1] >= self.y0 + dy)
            & (xy[:, 1] <= self.y1 - dy)
        )


def _fit_view(
    lonlat: np.ndarray,
    lon0: float,
    lat0: float,
    aspect: float,
    *,
    margin: float = 0.08,
    min_span_m: float = 400.0,
) -> _View:
    """Smallest window with ``aspect`` (height/width) holding the points plus a margin."""
    probe = _View(lon0, lat0, 0, 0, 0, 0)
    xy = probe.to_xy(lonlat)
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    w, h = max(hi[0] - lo[0], min_span_m), max(hi[1] - lo[1], min_span_m)
    w, h = w * (1 + 2 * margin), h * (1 + 2 * margin)
    w, h = max(w, h / aspect), max(h, w * aspect)
    cx, cy = (lo + hi) / 2
    return _View(lon0, lat0, cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def _draw_streets(
    ax: Any, streets: _Streets, view: _View, *, min_rank: int = 4, scale: float = 1.0
) -> list[int]:
    """Draw the street pieces touching ``view``; return their indices."""
    b = streets.bounds
    x0, y0, x1, y1 = view.lonlat_box()
    idx = np.nonzero(
        (b[:, 2] >= x0)
        & (b[:, 0] <= x1)
        & (b[:, 3] >= y0)
        & (b[:, 1] <= y1)
        & (streets.rank <= min_rank)
    )[0]
    xy = view.to_xy(streets.xy)
    off = streets.offsets
    for rank in sorted(set(streets.rank[idx].tolist()), reverse=True):
        sel = idx[streets.rank[idx] == rank]
        width, colour = _STREET_STYLE[int(rank)]
        segs = [xy[off[i] : off[i + 1]] for i in sel]
        ax.add_collection(
            LineCollection(
                segs,
                linewidths=width * scale,
                colors=colour,
                capstyle="round",
                joinstyle="round",
                zorder=1 + (4 - rank) * 0.1,
            )
        )
    return idx.tolist()


@dataclass(frozen=True)
class MapLabel:
    """Text on the map, placed in fractions of the map box (0..1 from the lower left).

    Labels are kept apart from the raster so that the sheet can print them as sharp vector
    text (and faster), while :func:`route_map` draws the same labels with matplotlib.
    ``kind`` is street, stop, facility, depot, exit, north or watermark.
    """

    kind: str
    text: str
    x: float
    y: float
    size: float
    angle: float = 0.0
    colour: str = "#303030"
    ha: str = "center"


@dataclass
class _MapPlan:
    """A composed map: the raster figure (without text), its labels and the scale bar."""

    fig: Figure
    labels: list[MapLabel]
    trips: int
    scale_m: int
    scale_frac: float


def _frac(view: _View, x: float, y: float) -> tuple[float, float]:
    return (x - view.x0) / view.width, (y - view.y0) / view.height


def _nice_scale(view: _View) -> tuple[int, float]:
    """A round scale-bar length (m) of about a sixth of the map width, and its fraction."""
    nice = [50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000]
    length = max((n for n in nice if n <= view.width / 6), default=nice[0])
    return length, length / view.width


def _scale_text(length_m: int, t: dict[str, str]) -> str:
    if length_m < 1000:
        return f"{length_m} m"
    km = f"{length_m / 1000:g}"
    return f"{km.replace('.', t['decimal'])} km"


def _chain_points(streets: _Streets, start: int, want_m: float) -> np.ndarray:
    """Vertices of street piece ``start`` extended along pieces of the same name to ``want_m``."""
    name = streets.names[start]
    off, xy = streets.offsets, streets.xy
    pieces = [xy[off[start] : off[start + 1]]]
    total = streets.length_m[start]
    used = {start}
    by_node = streets.by_node
    if not by_node:
        for i, (u, v) in enumerate(streets.ends):
            if streets.names[i]:
                by_node.setdefault(u, []).append(i)
                by_node.setdefault(v, []).append(i)
    ends = list(streets.ends[start])
    for side in (1, 0):
        for _ in range(12):
            if total >= want_m:
                break
            node = ends[side]
            nxt = [i for i in by_node.get(node, []) if i not in used and streets.names[i] == name]
            if not nxt:
                break
            i = nxt[0]
            used.add(i)
            piece = xy[off[i] : off[i + 1]]
            u, v = streets.ends[i]
            forward = u == node
            piece = piece if forward else piece[::-1]
            ends[side] = v if forward else u
            if side == 1:
                pieces.append(piece)
            else:
                pieces.insert(0, piece[::-1])
            total += streets.length_m[i]
    return np.concatenate(pieces)


def _street_labels(
    streets: _Streets,
    view: _View,
    idx: list[int],
    blocked: list[np.ndarray],
    on_route: set[str],
    m_per_pt: float,
    *,
    max_labels: int = 22,
) -> list[MapLabel]:
    """Street names along the streets: those the route drives first, then the larger ones.

    Labels keep clear of each other, of the numbered stops and of the map edge.
    """
    max_rank = 3 if view.width < 6000 else 2
    best: dict[str, int] = {}
    for i in idx:
        name = streets.names[i]
        if name and (streets.rank[i] <= max_rank or name in on_route):
            j = best.get(name)
            if j is None or (streets.rank[i], -streets.length_m[i]) < (
                streets.rank[j],
                -streets.length_m[j],
            ):
                best[name] = i
    order = sorted(
        best, key=lambda n: (n not in on_route, streets.rank[best[n]], -streets.length_m[best[n]])
    )
    boxes = list(blocked)
    labels: list[MapLabel] = []
    for name in order:
        if len(labels) >= max_labels:
            break
        size = 6.0 if streets.rank[best[name]] <= 1 else 5.5
        w_m = pdfmetrics.stringWidth(name, FONT, size) * m_per_pt
        h_m = size * 1.2 * m_per_pt
        pose = _label_pose(view.to_xy(_chain_points(streets, best[name], w_m * 1.3)), w_m)
        if pose is None:
            continue
        (cx, cy), angle = pose
        c, s = abs(math.cos(math.radians(angle))), abs(math.sin(math.radians(angle)))
        half = np.array([(w_m * c + h_m * s) / 2, (w_m * s + h_m * c) / 2])
        box = np.array([cx - half[0], cy - half[1], cx + half[0], cy + half[1]])
        inside = view.x0 < box[0] and box[2] < view.x1 and view.y0 < box[1] and box[3] < view.y1
        if not inside or any(_overlap(box, b) for b in boxes):
            continue
        boxes.append(box)
        labels.append(MapLabel("street", name, *_frac(view, cx, cy), size, angle))
    return labels


def _label_pose(line: np.ndarray, width_m: float) -> tuple[tuple[float, float], float] | None:
    """Centre and angle (degrees, readable way up) of a label of ``width_m`` on ``line``."""
    seg = np.hypot(*np.diff(line, axis=0).T)
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    total = cum[-1]
    if total < width_m * 0.6 or total == 0:
        return None
    mid = total / 2
    a = np.array([np.interp(max(0.0, mid - width_m / 2), cum, line[:, k]) for k in (0, 1)])
    b = np.array([np.interp(min(total, mid + width_m / 2), cum, line[:, k]) for k in (0, 1)])
    centre = np.array([np.interp(mid, cum, line[:, k]) for k in (0, 1)])
    angle = math.degrees(math.atan2(b[1] - a[1], b[0] - a[0]))
    if angle > 90:
        angle -= 180
    elif angle < -90:
        angle += 180
    return (float(centre[0]), float(centre[1])), angle


def _overlap(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])


def _route_lines(sol: Solution, route: Route) -> list[tuple[int, list[tuple[float, float]]]]:
    """(trip number, lon/lat line) per leg; trip 0 is the drive back to the depot."""
    from ..geometry import leg_coords

    trips = trip_of_visit(route)
    return [
        (trips[k + 1], leg_coords(sol, a, b))
        for k, (a, b) in enumerate(zip(route.visits, route.visits[1:]))
    ]


def _draw_route(
    ax: Any,
    view: _View,
    legs: list[tuple[int, list[tuple[float, float]]]],
    *,
    lw: float = 2.2,
    arrows: bool = True,
) -> None:
    """Route lines on a white casing, one colour per trip, with arrowheads (few artists: it is faster)."""
    lines = [(trip, view.to_xy(np.asarray(line))) for trip, line in legs]
    ax.add_collection(
        LineCollection(
            [xy for _, xy in lines],
            colors="white",
            linewidths=lw + 1.6,
            capstyle="round",
            joinstyle="round",
            zorder=4,
        )
    )
    spacing = max(view.width, view.height) / 9
    for trip in sorted({t for t, _ in lines}, key=lambda t: (t == 0, t)):
        mine = [xy for t, xy in lines if t == trip]
        colour = _trip_colour(trip)
        ax.add_collection(
            LineCollection(
                mine,
                colors=colour,
                linewidths=lw,
                alpha=0.9,
                capstyle="round",
                joinstyle="round",
                zorder=5,
            )
        )
        if arrows:
            tris = [tri for xy in mine for tri in _arrowheads(xy, spacing)]
            if tris:
                from matplotlib.collections import PolyCollection

                ax.add_collection(
                    PolyCollection(
                        tris, facecolors=colour, edgecolors="white", linewidths=0.4, zorder=6
                    )
                )


def _route_street_names(sol: Solution, route: Route) -> set[str]:
    """Names (as printed) of the streets a route drives on."""
    from ..directions import street_label

    graph, matrix = sol.graph, sol.problem.matrix
    names: set[str] = set()
    if graph is None or matrix is None:
        return names
    for a, b in zip(route.visits, route.visits[1:]):
        path = matrix.node_path(matrix.position(a.id), matrix.position(b.id))
        for u, v in itertools.pairwise(path):
            data = min(graph[u][v].values(), key=lambda d: d.get("travel_time", 0.0))
            if data.get("name"):
                names.add(street_label(data))
    return names


def _trip_colour(trip: int) -> str:
    return RETURN_COLOUR if trip == 0 else TRIP_COLOURS[(trip - 1) % len(TRIP_COLOURS)]


def _arrowheads(xy: np.ndarray, spacing: float) -> list[np.ndarray]:
    """Triangles (3×2 arrays) every ``spacing`` metres along a line, pointing the driving way."""
    if len(xy) < 2:
        return []
    seg = np.hypot(*np.diff(xy, axis=0).T)
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    if cum[-1] < spacing * 0.5:
        return []
    at = np.arange(spacing / 2, cum[-1], spacing)
    k = np.clip(np.searchsorted(cum, at) - 1, 0, len(seg) - 1)
    ok = seg[k] > 0
    at, k = at[ok], k[ok]
    direction = (xy[k + 1] - xy[k]) / seg[k][:, None]
    tip = xy[k] + direction * (at - cum[k])[:, None]
    size = spacing * 0.065
    normal = np.column_stack((-direction[:, 1], direction[:, 0]))
    back = tip - direction * size * 1.6
    return list(np.stack((tip, back + normal * size * 0.7, back - normal * size * 0.7), axis=1))


def _stop_groups(
    view: _View, route: Route, m_per_pt: float
) -> list[tuple[np.ndarray, list[int], int]]:
    """Numbered stops as (xy, numbers, trip); stops whose labels would overlap share one label."""
    trips = trip_of_visit(route)
    groups: list[tuple[np.ndarray, list[int], int]] = []
    number = 0
    for k, v in enumerate(route.visits):
        if v.kind == "point":
            number += 1
            groups.append((view.to_xy(np.array([[v.lon, v.lat]]))[0], [number], trips[k]))
    merged = True
    while merged:  # join overlapping labels until none overlap (a joined label is wider)
        merged = False
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                if _overlap(_stop_box(groups[i], m_per_pt), _stop_box(groups[j], m_per_pt)):
                    gi, gj = groups[i], groups[j]
                    groups[i] = (gi[0], sorted(gi[1] + gj[1]), gi[2])
                    del groups[j]
                    merged = True
                    break
            if merged:
                break
    return groups


def _stop_box(group: tuple[np.ndarray, list[int], int], m_per_pt: float) -> np.ndarray:
    xy, numbers = group[0], group[1]
    half_w = (pdfmetrics.stringWidth(_number_label(numbers), FONT_BOLD, 6.5) / 2 + 3.5) * m_per_pt
    half_h = 5.5 * m_per_pt
    return np.array([xy[0] - half_w, xy[1] - half_h, xy[0] + half_w, xy[1] + half_h])


def _number_label(numbers: list[int]) -> str:
    """``[2, 4, 5, 6, 9]`` -> ``"2,4–6,9"``."""
    parts, k = [], 0
    while k < len(numbers):
        j = k
        while j + 1 < len(numbers) and numbers[j + 1] == numbers[j] + 1:
            j += 1
        parts.append(
            f"{numbers[k]}–{numbers[j]}" if j - k >= 2 else ",".join(map(str, numbers[k : j + 1]))
        )
        k = j + 1
    return ",".join(parts)


def _stop_labels(
    view: _View, route: Route, m_per_pt: float
) -> tuple[list[MapLabel], list[np.ndarray]]:
    """Numbered circles, and their boxes so that street names keep clear of them."""
    labels, boxes = [], []
    for group in _stop_groups(view, route, m_per_pt):
        xy, numbers, trip = group
        labels.append(
            MapLabel(
                "stop", _number_label(numbers), *_frac(view, *xy), 6.5, colour=_trip_colour(trip)
            )
        )
        boxes.append(_stop_box(group, m_per_pt))
    return labels, boxes


def _facilities(
    ax: Any, view: _View, route: Route, m_per_pt: float, *, size: float = 1.0
) -> tuple[list[MapLabel], list[np.ndarray]]:
    """Depot (black square) and landfill (red triangle) markers; their names as labels."""
    depot = route.visits[0]
    landfills = {v.id: v for v in route.visits if v.kind == "landfill"}
    labels, boxes = [], []
    for v, marker, colour in [
        (depot, "s", "#111111"),
        *((lf, "^", "#c92a2a") for lf in landfills.values()),
    ]:
        xy = view.to_xy(np.array([[v.lon, v.lat]]))[0]
        ax.plot(
            xy[0], xy[1], marker=marker, ms=11 * size, mfc=colour, mec="white", mew=1.2, zorder=7
        )
        if marker == "s":
            labels.append(MapLabel("depot", "P", *_frac(view, *xy), 6.5 * size, colour="#ffffff"))
        text_w = pdfmetrics.stringWidth(v.name, FONT_BOLD, 6.5) * m_per_pt
        left = xy[0] + 9 * m_per_pt + text_w > view.x1  # no room on the right: write it on the left
        x = xy[0] + (-9 if left else 9) * m_per_pt
        labels.append(
            MapLabel(
                "facility",
                v.name,
                *_frac(view, x, xy[1]),
                6.5,
                colour=colour,
                ha="right" if left else "left",
            )
        )
        r = 8 * m_per_pt
        x0, x1 = (xy[0] - r - text_w, xy[0] + r) if left else (xy[0] - r, xy[0] + r + text_w)
        boxes.append(np.array([x0, xy[1] - r, x1, xy[1] + r]))
    return labels, boxes


def _exit_labels(
    view: _View,
    route: Route,
    legs: list[tuple[int, list[tuple[float, float]]]],
    t: dict[str, str],
    language: str,
) -> list[MapLabel]:
    """Where the route leaves a close-up map towards a landfill or the depot, say where it goes."""
    done: list[np.ndarray] = []
    labels = []
    for (trip, line), b in zip(legs, route.visits[1:]):
        if b.kind == "point":
            continue
        xy = view.to_xy(np.asarray(line))
        inside = view.contains(xy, inset=0.04)
        if inside.all() or not inside.any():
            continue
        first_in = int(np.argmax(inside))
        k = first_in + int(np.argmin(inside[first_in:])) - 1  # last point inside before leaving
        p = xy[max(k, 0)]
        if any(np.hypot(*(p - q)) < view.width * 0.08 for q in done):
            continue
        done.append(p)
        name = b.name if b.kind == "landfill" else route.visits[0].name
        dist = format_distance(float(np.hypot(*np.diff(xy[k:], axis=0).T).sum()), language=language)
        fx, fy = _frac(view, *p)
        labels.append(
            MapLabel(
                "exit",
                f"{t['to_landfill'].format(name=name)} ({dist})",
                min(max(fx, 0.1), 0.9),
                min(max(fy, 0.04), 0.96),
                6,
                colour=_trip_colour(trip),
            )
        )
    return labels


def _lonlat(visits: Iterable[Visit]) -> np.ndarray:
    return np.array([(v.lon, v.lat) for v in visits], dtype=float).reshape(-1, 2)


def _span_m(lonlat: np.ndarray) -> float:
    """Largest side (m) of the box around some lon/lat points."""
    if len(lonlat) == 0:
        return 0.0
    lo, hi = lonlat.min(axis=0), lonlat.max(axis=0)
    kx = _M_PER_DEG * math.cos(math.radians(float(lonlat[:, 1].mean())))
    return float(max((hi[0] - lo[0]) * kx, (hi[1] - lo[1]) * _M_PER_DEG))


def _zoomed(route: Route, line_pts: np.ndarray) -> bool:
    """Whether the main map should show the collection area (the day's drive is much larger)."""
    return max(_span_m(_lonlat(route.stops)), 400.0) * 2.2 < _span_m(line_pts)


def trips_needing_maps(sol: Solution, route: Route) -> list[int]:
    """Trips whose stops are crowded on the main map and get a close-up map of their own.

    That is when the main map is smaller in scale than about 1:15,000 (:data:`CLOSE_UP_M_PER_MM`)
    and the trip's stops cover less than half of it.
    """
    pts = np.array([p for _, line in _route_lines(sol, route) for p in line]).reshape(-1, 2)
    main = max(_span_m(_lonlat(route.stops)), 400.0) if _zoomed(route, pts) else _span_m(pts)
    if main / MAP_W_MM < CLOSE_UP_M_PER_MM:
        return []
    return [
        trip.number
        for trip in route.trips
        if trip.stops and max(_span_m(_lonlat(trip.stops)), 400.0) * 2 < main
    ]


def _compose_map(
    sol: Solution,
    route: Route,
    fig: Figure,
    rect: tuple[float, float, float, float],
    *,
    language: str,
    trip: int | None,
) -> _MapPlan:
    """Draw streets, route and markers into ``rect`` of ``fig``; return the labels to write."""
    register_fonts()  # label sizes are measured with the PDF fonts
    t = TEXTS[check_language(language)]
    legs = _route_lines(sol, route)
    all_pts = np.array(
        [p for _, line in legs for p in line] or [(route.visits[0].lon, route.visits[0].lat)]
    )
    lon0, lat0 = (float(c) for c in all_pts.mean(axis=0))
    zoom = _zoomed(route, all_pts) or trip is not None
    focus = _lonlat(route.stops) if zoom and route.stops else all_pts
    if trip is not None:
        chosen = route.trips[trip - 1]
        focus = _lonlat(chosen.stops or (chosen.landfill,))
    ax = fig.add_axes(rect)
    aspect = rect[3] * fig.get_figheight() / (rect[2] * fig.get_figwidth())
    view = _fit_view(focus, lon0, lat0, aspect, margin=0.12 if zoom else 0.06)
    m_per_pt = view.width / (rect[2] * fig.get_figwidth() * 72)
    streets = streets_of(sol.graph) if sol.graph is not None else None
    idx = _draw_streets(ax, streets, view) if streets is not None else []
    _draw_route(ax, view, legs)
    stop_labels, boxes = _stop_labels(view, route, m_per_pt)
    fac_labels, fac_boxes = _facilities(ax, view, route, m_per_pt)
    labels = [*fac_labels, *stop_labels]
    if streets is not None:
        names = _street_labels(
            streets, view, idx, boxes + fac_boxes, _route_street_names(sol, route), m_per_pt
        )
        labels = names + labels
    if zoom:
        labels += _exit_labels(view, route, legs, t, language)
    if zoom and trip is None:
        _overview(fig, ax, route, legs, _fit_view(all_pts, lon0, lat0, 1.0), view, streets)
    _finish_axes(ax, view)
    labels.append(MapLabel("north", t["north"], 0.97, 0.88, 9))
    if sol.problem.synthetic_network:
        labels.insert(
            0, MapLabel("watermark", t["watermark"], 0.5, 0.5, 30, angle=25, colour="#c92a2a")
        )
    return _MapPlan(fig, labels, len(route.trips), *_nice_scale(view))


def route_map(
    sol: Solution,
    route: Route,
    *,
    fig: Figure | None = None,
    language: str = "id",
    height_mm: float | None = None,
    trip: int | None = None,
) -> Figure:
    """Draw a truck's route on its streets: numbered stops, depot, landfill, names, scale, north.

    When the landfill or depot lies far from the collection area, the map shows the collection
    area and a small overview in a corner shows the whole day.

    Parameters
    ----------
    sol
        The plan, with its road graph in ``sol.graph``.
    route
        One used route of ``sol``.
    fig
        Figure to draw on; a new one the width of an A4 text block is made when ``None``.
    language
        ``"id"`` or ``"en"`` for the legend and labels.
    height_mm
        Height of a new figure (map and legend); by default it follows the shape of the route.
    trip
        Show the stops of this trip (1-based) close up instead of the whole day.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if fig is None:
        fig = Figure(figsize=(MAP_W_MM / 25.4, (height_mm or 130.0) / 25.4), dpi=MAP_DPI)
    strip = STRIP_MM / (fig.get_figheight() * 25.4)
    plan = _compose_map(
        sol, route, fig, (0.0, strip, 1.0, 1.0 - strip), language=language, trip=trip
    )
    _mpl_labels(fig.axes[0], plan.labels)
    _mpl_legend(fig, strip, plan, TEXTS[language])
    return fig


def _finish_axes(ax: Any, view: _View) -> None:
    ax.set_xlim(view.x0, view.x1)
    ax.set_ylim(view.y0, view.y1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for s in ax.spines.values():
        s.set_linewidth(0.8)


def _overview(
    fig: Figure,
    ax: Any,
    route: Route,
    legs: list[tuple[int, list[tuple[float, float]]]],
    view: _View,
    detail: _View,
    streets: _Streets | None,
) -> None:
    """Small map of the whole day in the emptiest corner of the main map (not under the north arrow)."""
    pos = ax.get_position()
    fw, fh = fig.get_figwidth(), fig.get_figheight()
    side_in = min(fw * pos.width, fh * pos.height) * 0.34
    w, h = side_in / fw, side_in / fh
    stops = detail.to_xy(_lonlat(route.stops))
    corners = {
        (0, 1): (pos.x0 + 0.005, pos.y1 - h - 0.007),
        (0, 0): (pos.x0 + 0.005, pos.y0 + 0.007),
        (1, 0): (pos.x1 - w - 0.005, pos.y0 + 0.007),
    }

    def crowd(c: tuple[int, int]) -> int:
        fx = (stops[:, 0] - detail.x0) / detail.width
        fy = (stops[:, 1] - detail.y0) / detail.height
        inx = fx > 1 - 0.4 if c[0] else fx < 0.4
        iny = fy > 1 - 0.45 if c[1] else fy < 0.45
        return int((inx & iny).sum())

    corner = min(corners, key=lambda c: (crowd(c), c != (0, 1)))
    ov = fig.add_axes((*corners[corner], w, h))
    if streets is not None:
        _draw_streets(ov, streets, view, min_rank=2, scale=0.45)
    _draw_route(ov, view, legs, lw=1.0, arrows=False)
    _facilities(ov, view, route, view.width / (side_in * 72), size=0.6)
    ov.add_patch(
        Rectangle(
            (detail.x0, detail.y0),
            detail.width,
            detail.height,
            fill=False,
            ec="black",
            lw=0.9,
            ls="--",
            zorder=9,
        )
    )
    _finish_axes(ov, view)
    ov.set_facecolor("white")
    ov.set_zorder(20)


def _mpl_labels(ax: Any, labels: list[MapLabel]) -> None:
    """Write the labels with matplotlib (the stand-alone figure)."""
    halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
    tr = ax.transAxes
    for lab in labels:
        kw: dict[str, Any] = {
            "transform": tr,
            "fontsize": lab.size,
            "color": lab.colour,
            "ha": lab.ha,
            "va": "center",
            "rotation": lab.angle,
            "rotation_mode": "anchor",
            "zorder": 8,
            "clip_on": True,
        }
        if lab.kind == "street":
            ax.text(lab.x, lab.y, lab.text, path_effects=halo, **kw)
        elif lab.kind == "stop":
            box = {
                "boxstyle": "circle,pad=0.25" if len(lab.text) <= 2 else "round,pad=0.25",
                "fc": "white",
                "ec": lab.colour,
                "lw": 1.4,
            }
            ax.text(lab.x, lab.y, lab.text, **{**kw, "color": "black"}, fontweight="bold", bbox=box)
        elif lab.kind in ("facility", "depot"):
            ax.text(
                lab.x,
                lab.y,
                lab.text,
                fontweight="bold",
                path_effects=halo if lab.kind == "facility" else None,
                **kw,
            )
        elif lab.kind == "exit":
            ax.text(
                lab.x,
                lab.y,
                lab.text,
                fontweight="bold",
                **kw,
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": lab.colour, "lw": 0.8},
            )
        elif lab.kind == "north":
            ax.annotate(
                lab.text,
                xy=(lab.x, lab.y + 0.1),
                xytext=(lab.x, lab.y - 0.02),
                xycoords=tr,
                textcoords=tr,
                ha="center",
                va="center",
                fontsize=lab.size,
                fontweight="bold",
                zorder=9,
                arrowprops={
                    "arrowstyle": "-|>,head_width=0.35,head_length=0.7",
                    "lw": 1.5,
                    "color": "black",
                },
                path_effects=[patheffects.withStroke(linewidth=2.5, foreground="white")],
            )
        elif lab.kind == "watermark":
            ax.text(lab.x, lab.y, lab.text, alpha=0.13, fontweight="bold", **{**kw, "zorder": 2})


def _mpl_legend(fig: Figure, strip: float, plan: _MapPlan, t: dict[str, str]) -> None:
    """Two lines under the map: symbols and trip colours; scale bar and attribution."""
    from matplotlib.lines import Line2D

    handles = [
        Line2D(
            [],
            [],
            ls="",
            marker="o",
            ms=7,
            mfc="white",
            mec="black",
            mew=1.2,
            label=t["legend_stop"],
        ),
        Line2D(
            [], [], ls="", marker="s", ms=7, mfc="#111111", mec="white", label=t["legend_depot"]
        ),
        Line2D(
            [], [], ls="", marker="^", ms=8, mfc="#c92a2a", mec="white", label=t["legend_landfill"]
        ),
        *[
            Line2D([], [], color=_trip_colour(k), lw=2.2, label=t["legend_trip"].format(k=k))
            for k in range(1, plan.trips + 1)
        ],
        Line2D([], [], color=RETURN_COLOUR, lw=2.2, label=t["legend_return"]),
    ]
    fig.legend(
        handles=handles,
        loc="center left",
        bbox_to_anchor=(0.0, strip * 0.72),
        ncol=len(handles),
        frameon=False,
        fontsize=6.5,
        handlelength=1.8,
        columnspacing=1.4,
        handletextpad=0.5,
        borderaxespad=0.0,
        borderpad=0.0,
    )
    y, h = strip * 0.25, 1.3 / (fig.get_figheight() * 25.4)
    for k in range(2):
        fig.add_artist(
            Rectangle(
                (0.005 + k * plan.scale_frac / 2, y - h / 2),
                plan.scale_frac / 2,
                h,
                transform=fig.transFigure,
                fc="black" if k == 0 else "white",
                ec="black",
                lw=0.6,
            )
        )
    fig.text(0.013 + plan.scale_frac, y, _scale_text(plan.scale_m, t), fontsize=6.5, va="center")
    fig.text(0.995, y, ATTRIBUTION, fontsize=6.5, va="center", ha="right", color="#333333")


def map_image(
    sol: Solution,
    route: Route,
    *,
    language: str = "id",
    height_mm: float | None = None,
    trip: int | None = None,
) -> Any:
    """The stand-alone route map (:func:`route_map`) rasterised at :data:`MAP_DPI` as a PIL image."""
    return _raster(route_map(sol, route, language=language, height_mm=height_mm, trip=trip))


def map_png(
    sol: Solution,
    route: Route,
    *,
    language: str = "id",
    height_mm: float | None = None,
    trip: int | None = None,
) -> bytes:
    """The stand-alone route map as PNG bytes (for a web page or a quick look)."""
    buf = io.BytesIO()
    map_image(sol, route, language=language, height_mm=height_mm, trip=trip).save(buf, format="PNG")
    return buf.getvalue()


def _raster(fig: Figure) -> Any:
    from PIL import Image as PILImage  # pillow is a dependency of matplotlib

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return PILImage.fromarray(np.asarray(canvas.buffer_rgba())[:, :, :3].copy())


def sheet_map(
    sol: Solution, route: Route, height_mm: float, *, language: str = "id", trip: int | None = None
) -> _MapFlowable:
    """The map of a sheet: streets and route as a JPEG, names and numbers as vector text.

    A JPEG goes into the PDF as it is (reportlab would inflate and re-compress a PNG for every
    document); at 200 dpi, quality 92 and no chroma subsampling the lines stay sharp.
    """
    map_h = height_mm - STRIP_MM
    fig = Figure(figsize=(MAP_W_MM / 25.4, map_h / 25.4), dpi=MAP_DPI)
    plan = _compose_map(sol, route, fig, (0.0, 0.0, 1.0, 1.0), language=language, trip=trip)
    buf = io.BytesIO()
    _raster(fig).save(buf, format="JPEG", quality=92, subsampling=0)
    return _MapFlowable(
        buf.getvalue(),
        plan.labels,
        plan.trips,
        plan.scale_m,
        plan.scale_frac,
        CONTENT_W,
        height_mm * mm,
        TEXTS[language],
    )


class _MapFlowable(Flowable):
    """A sheet map: the raster, its labels as PDF text, and the legend strip under it."""

    def __init__(
        self,
        jpeg: bytes,
        labels: list[MapLabel],
        trips: int,
        scale_m: int,
        scale_frac: float,
        width: float,
        height: float,
        t: dict[str, str],
    ) -> None:
        super().__init__()
        self.jpeg, self.labels, self.trips = jpeg, labels, trips
        self.scale_m, self.scale_frac = scale_m, scale_frac
        self.width, self.height, self.t = width, height, t

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        from reportlab.lib.utils import ImageReader

        canv, strip = self.canv, STRIP_MM * mm
        map_h = self.height - strip
        canv.drawImage(ImageReader(io.BytesIO(self.jpeg)), 0, strip, self.width, map_h)
        canv.saveState()
        path = canv.beginPath()
        path.rect(0, strip, self.width, map_h)
        canv.clipPath(path, stroke=0, fill=0)
        for lab in self.labels:
            _pdf_label(canv, lab, lab.x * self.width, strip + lab.y * map_h)
        canv.restoreState()
        _pdf_legend(canv, self.width, strip, self)


def _pdf_text(
    canv: Canvas,
    text: str,
    x: float,
    y: float,
    font: str,
    size: float,
    colour: Any,
    *,
    ha: str = "center",
    halo: float = 0.0,
) -> None:
    """Text centred vertically on ``y``; with a white halo when ``halo`` > 0."""
    width = pdfmetrics.stringWidth(text, font, size)
    x0 = x - width / 2 if ha == "center" else (x - width if ha == "right" else x)
    y0 = y - size * 0.36
    if halo:
        canv.saveState()  # the render mode is graphics state: keep the stroke mode inside
        canv.setStrokeColor(colors.white)
        canv.setLineWidth(halo)
        canv.setLineJoin(1)
        obj = canv.beginText(x0, y0)
        obj.setFont(font, size)
        obj.setTextRenderMode(1)
        obj.textOut(text)
        canv.drawText(obj)
        canv.restoreState()
    canv.setFillColor(colour)
    canv.setFont(font, size)
    canv.drawString(x0, y0, text)


def _pdf_label(canv: Canvas, lab: MapLabel, x: float, y: float) -> None:
    """Write one map label into the PDF at (x, y) points."""
    colour = colors.HexColor(lab.colour)
    canv.saveState()
    canv.translate(x, y)
    canv.rotate(lab.angle)
    if lab.kind == "street":
        _pdf_text(canv, lab.text, 0, 0, FONT, lab.size, colour, halo=2.0)
    elif lab.kind == "stop":
        width = pdfmetrics.stringWidth(lab.text, FONT_BOLD, lab.size)
        canv.setFillColor(colors.white)
        canv.setStrokeColor(colour)
        canv.setLineWidth(1.2)
        r = lab.size * 0.78
        if len(lab.text) <= 2:
            canv.circle(0, 0, max(r, width / 2 + 1.5), stroke=1, fill=1)
        else:
            canv.roundRect(-width / 2 - 2, -r, width + 4, 2 * r, r * 0.6, stroke=1, fill=1)
        _pdf_text(canv, lab.text, 0, 0, FONT_BOLD, lab.size, colors.black)
    elif lab.kind in ("facility", "depot"):
        _pdf_text(
            canv,
            lab.text,
            0,
            0,
            FONT_BOLD,
            lab.size,
            colour,
            ha=lab.ha,
            halo=2.2 if lab.kind == "facility" else 0.0,
        )
    elif lab.kind == "exit":
        width = pdfmetrics.stringWidth(lab.text, FONT_BOLD, lab.size)
        canv.setFillColor(colors.white)
        canv.setStrokeColor(colour)
        canv.setLineWidth(0.8)
        canv.roundRect(
            -width / 2 - 2, -lab.size * 0.7, width + 4, lab.size * 1.4, 2, stroke=1, fill=1
        )
        _pdf_text(canv, lab.text, 0, 0, FONT_BOLD, lab.size, colour)
    elif lab.kind == "north":
        _pdf_north(canv, lab)
    elif lab.kind == "watermark":  # the colour's own alpha: setFillColor would reset a separate one
        faint = colors.Color(colour.red, colour.green, colour.blue, alpha=0.12)
        _pdf_text(canv, lab.text, 0, 0, FONT_BOLD, lab.size, faint)
    canv.restoreState()


def _pdf_north(canv: Canvas, lab: MapLabel) -> None:
    canv.setStrokeColor(colors.black)
    canv.setFillColor(colors.black)
    canv.setLineWidth(1.5)
    canv.line(0, 2, 0, 24)
    path = canv.beginPath()
    path.moveTo(-3.5, 20)
    path.lineTo(0, 28)
    path.lineTo(3.5, 20)
    path.close()
    canv.drawPath(path, stroke=0, fill=1)
    _pdf_text(canv, lab.text, 0, -4, FONT_BOLD, lab.size, colors.black, halo=2.5)


def _pdf_legend(canv: Canvas, width: float, strip: float, m: _MapFlowable) -> None:
    """The strip under the map: symbols and trip colours; scale bar and attribution."""
    t, size = m.t, 6.5
    y = strip * 0.7
    x = 1.0
    items: list[tuple[str, Any, str]] = [
        ("stop", colors.black, t["legend_stop"]),
        ("depot", colors.HexColor("#111111"), t["legend_depot"]),
        ("landfill", colors.HexColor("#c92a2a"), t["legend_landfill"]),
        *(
            ("line", colors.HexColor(_trip_colour(k)), t["legend_trip"].format(k=k))
            for k in range(1, m.trips + 1)
        ),
        ("line", colors.HexColor(RETURN_COLOUR), t["legend_return"]),
    ]
    for kind, colour, label in items:
        canv.setStrokeColor(colour)
        canv.setFillColor(colour)
        if kind == "stop":
            canv.setFillColor(colors.white)
            canv.setLineWidth(1.0)
            canv.circle(x + 4, y, 3.2, stroke=1, fill=1)
        elif kind == "depot":
            canv.rect(x + 1, y - 3, 6, 6, stroke=0, fill=1)
        elif kind == "landfill":
            path = canv.beginPath()
            path.moveTo(x + 0.5, y - 3)
            path.lineTo(x + 7.5, y - 3)
            path.lineTo(x + 4, y + 3.5)
            path.close()
            canv.drawPath(path, stroke=0, fill=1)
        else:
            canv.setLineWidth(2.2)
            canv.line(x, y, x + 12, y)
        x += 15 if kind == "line" else 11
        _pdf_text(canv, label, x, y, FONT, size, colors.black, ha="left")
        x += pdfmetrics.stringWidth(label, FONT, size) + 10
    y = strip * 0.25
    bar = m.scale_frac * width
    canv.setStrokeColor(colors.black)
    canv.setLineWidth(0.6)
    for k in range(2):
        canv.setFillColor(colors.black if k == 0 else colors.white)
        canv.rect(1 + k * bar / 2, y - 1.8, bar / 2, 3.6, stroke=1, fill=1)
    _pdf_text(canv, _scale_text(m.scale_m, t), bar + 5, y, FONT, size, colors.black, ha="left")
    _pdf_text(canv, ATTRIBUTION, width - 1, y, FONT, size, colors.HexColor("#333333"), ha="right")


# ====================================================================== page furniture
@dataclass
class _TruckHeader:
    """What the header and footer of a truck's pages say."""

    truck: str
    title: str
    date: str
    shift: str
    totals: str


class _PagedCanvas(Canvas):
    """Canvas that numbers pages per truck ("Halaman 2/3") once the whole document is laid out."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []
        self.page_labels: list[tuple[str, int] | None] = []
        self.page_text = "{k}/{n}"

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        totals = Counter(lab[0] for lab in self.page_labels if lab)
        for k, state in enumerate(self._pages):
            self.__dict__.update(state)
            lab = self.page_labels[k] if k < len(self.page_labels) else None
            if lab:
                self.setFont(FONT, 8)
                self.drawRightString(
                    PAGE_W - MARGIN,
                    PAGE_H - MARGIN - 19 * mm,
                    self.page_text.format(k=lab[1], n=totals[lab[0]]),
                )
            super().showPage()
        super().save()


class _SheetDoc(BaseDocTemplate):
    """A4 document whose pages carry the current truck's header, notice and footer."""

    def __init__(self, target: Any, ctx: _Context, *, first: str = "main", **kwargs: Any) -> None:
        super().__init__(
            target,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN,
            title=kwargs.pop("title", "wasteroute"),
            author="wasteroute",
            creator="wasteroute (reportlab)",
            **kwargs,
        )
        self.ctx = ctx
        self.header: _TruckHeader | None = None
        self.page_in_truck = 0
        top = PAGE_H - MARGIN - HEADER_H - (NOTICE_H if ctx.synthetic else 0)
        bottom = MARGIN + FOOTER_H
        one = Frame(
            MARGIN,
            bottom,
            CONTENT_W,
            top - bottom,
            id="one",
            leftPadding=0,
            rightPadding=0,
            topPadding=2,
            bottomPadding=0,
        )
        cover = Frame(
            MARGIN,
            bottom,
            CONTENT_W,
            PAGE_H - MARGIN - bottom - (NOTICE_H if ctx.synthetic else 0),
            id="cover",
            leftPadding=0,
            rightPadding=0,
        )
        templates = [
            PageTemplate("main", [one], onPageEnd=self._truck_page),
            PageTemplate("cover", [cover], onPageEnd=self._cover_page),
        ]
        # The first template in the list lays out the first page.
        self.addPageTemplates(sorted(templates, key=lambda pt: pt.id != first))

    def handle_setTruck(self, header: _TruckHeader) -> None:
        self.header = header
        self.page_in_truck = 0

    def _truck_page(self, canv: Canvas, doc: Any) -> None:
        self.page_in_truck += 1
        h = self.header
        if h is None:
            return
        canv.page_labels.append((h.truck, self.page_in_truck))
        _draw_header(canv, h, self.ctx)
        if self.ctx.synthetic:
            _draw_notice(canv, PAGE_H - MARGIN - HEADER_H - NOTICE_H + 1.5 * mm, self.ctx)
        _draw_footer(canv, h.totals, self.ctx)

    def _cover_page(self, canv: Canvas, doc: Any) -> None:
        canv.page_labels.append(None)
        if self.ctx.synthetic:
            _draw_notice(canv, PAGE_H - MARGIN - NOTICE_H + 1.5 * mm, self.ctx)
        _draw_footer(canv, "", self.ctx)


def _draw_header(canv: Canvas, h: _TruckHeader, ctx: _Context) -> None:
    t = ctx.t
    y = PAGE_H - MARGIN
    canv.setFillColor(colors.black)
    canv.setFont(FONT_BOLD, 11)
    canv.drawRightString(PAGE_W - MARGIN, y - 6 * mm, h.date)
    room = CONTENT_W - pdfmetrics.stringWidth(h.date, FONT_BOLD, 11) - 6 * mm
    size = 15.0
    while size > 9 and pdfmetrics.stringWidth(h.title, FONT_BOLD, size) > room:
        size -= 0.5  # a long truck type shrinks the title instead of running into the date
    canv.setFont(FONT_BOLD, size)
    canv.drawString(MARGIN, y - 6 * mm, h.title)
    canv.setFont(FONT, 8.5)
    canv.drawString(MARGIN, y - 12 * mm, h.shift)
    canv.setFont(FONT, 9)
    line_y = y - 19 * mm
    canv.drawString(MARGIN, line_y, t["driver"])
    canv.drawString(MARGIN + 68 * mm, line_y, t["crew"])
    canv.setLineWidth(0.5)
    canv.line(MARGIN + 14 * mm, line_y - 1, MARGIN + 64 * mm, line_y - 1)
    canv.line(MARGIN + 78 * mm, line_y - 1, MARGIN + 118 * mm, line_y - 1)
    canv.line(MARGIN + 122 * mm, line_y - 1, MARGIN + 162 * mm, line_y - 1)
    canv.setLineWidth(1.2)
    canv.line(MARGIN, y - HEADER_H + 2 * mm, PAGE_W - MARGIN, y - HEADER_H + 2 * mm)


def _draw_notice(canv: Canvas, y: float, ctx: _Context) -> None:
    """Red band saying the street network is generated, on every page."""
    canv.setFillColor(colors.HexColor("#fff0f0"))
    canv.setStrokeColor(colors.HexColor("#c92a2a"))
    canv.setLineWidth(1.2)
    canv.rect(MARGIN, y, CONTENT_W, NOTICE_H - 3 * mm, fill=1, stroke=1)
    para = Paragraph(escape(ctx.t["notice"]), ctx.styles["notice"])
    _, ph = para.wrap(CONTENT_W - 4 * mm, NOTICE_H)
    para.drawOn(canv, MARGIN + 2 * mm, y + (NOTICE_H - 3 * mm - ph) / 2)
    canv.setStrokeColor(colors.black)
    canv.setFillColor(colors.black)


def _draw_footer(canv: Canvas, totals: str, ctx: _Context) -> None:
    canv.setLineWidth(0.6)
    canv.line(MARGIN, MARGIN + FOOTER_H - 2 * mm, PAGE_W - MARGIN, MARGIN + FOOTER_H - 2 * mm)
    if totals:
        canv.setFont(FONT_BOLD, 9)
        canv.drawString(MARGIN, MARGIN + FOOTER_H - 6.5 * mm, totals)
    canv.setFont(FONT, 7)
    canv.setFillColor(colors.HexColor("#444444"))
    canv.drawString(MARGIN, MARGIN + 1.5 * mm, ATTRIBUTION)
    canv.drawRightString(PAGE_W - MARGIN, MARGIN + 1.5 * mm, ctx.made)
    canv.setFillColor(colors.black)


# ====================================================================== context and styles
@dataclass
class _Context:
    """Everything a sheet needs that does not change between trucks."""

    sol: Solution
    language: str
    t: dict[str, str]
    styles: dict[str, ParagraphStyle]
    synthetic: bool
    made: str
    maps: dict[tuple[str, float, int], Any]
    steps: dict[tuple[int, int], list[Instruction]]


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=8, leading=9.6)
    return {
        "cell": base,
        "cellb": ParagraphStyle("cellb", parent=base, fontName=FONT_BOLD),
        "cellc": ParagraphStyle("cellc", parent=base, fontSize=7.4, leading=8.6),
        "small": ParagraphStyle(
            "small", parent=base, fontSize=6.5, leading=7.8, textColor=colors.HexColor("#555555")
        ),
        "head": ParagraphStyle(
            "head", parent=base, fontName=FONT_BOLD, fontSize=7, leading=8.2, textColor=colors.white
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=11,
            leading=14,
            spaceBefore=2,
            spaceAfter=2,
        ),
        "h3": ParagraphStyle(
            "h3",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=9.5,
            leading=12,
            spaceBefore=6,
            spaceAfter=2,
        ),
        "leg": ParagraphStyle(
            "leg",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=8.5,
            leading=10.5,
            spaceBefore=5,
            spaceAfter=1,
        ),
        "dir": ParagraphStyle("dir", parent=base, fontSize=7.6, leading=9.0),
        "notice": ParagraphStyle(
            "notice",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=7.2,
            leading=8.4,
            textColor=colors.HexColor("#a61e1e"),
        ),
        "title": ParagraphStyle(
            "title", parent=base, fontName=FONT_BOLD, fontSize=16, leading=20, spaceAfter=4
        ),
        "warn": ParagraphStyle(
            "warn",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=10,
            leading=13,
            textColor=colors.HexColor("#a61e1e"),
            spaceBefore=8,
            spaceAfter=3,
        ),
        "body": ParagraphStyle("body", parent=base, fontSize=9, leading=12, spaceBefore=4),
    }


def _context(sol: Solution, language: str) -> _Context:
    register_fonts()
    t = dict(TEXTS[language])
    made = t["made"].format(
        date=sol.problem.date.isoformat(), made=dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    )
    return _Context(sol, language, t, _styles(), bool(sol.problem.synthetic_network), made, {}, {})


# ====================================================================== story
def _truck_header(ctx: _Context, route: Route) -> _TruckHeader:
    t, lang, v = ctx.t, ctx.language, route.vehicle
    landfills = sorted({x.name for x in route.visits if x.kind == "landfill"}) or ["TPA"]
    shift = t["shift"].format(
        start=format_hhmm(v.shift.start_s),
        end=format_hhmm(v.shift.end_s),
        dep=format_hhmm(route.start_s),
        ret=format_hhmm(route.end_s),
        trips=len(route.trips),
        landfill=" / ".join(landfills),
        stops=len(route.stops),
    )
    totals = t["totals"].format(
        stops=len(route.stops),
        m3=_num(route.volume_m3, 1, lang),
        km=_num(route.distance_m / 1000, 1, lang),
        hours=_hours(route.duration_s, t),
        fuel=_num(route.fuel_l(), 0, lang),
        trips=len(route.trips),
    )
    title = f"{t['title'].format(truck=v.id)}  ·  {v.label or v.type_name}"
    return _TruckHeader(v.id, title, long_date(ctx.sol.problem.date, lang), shift, totals)


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(text, style)


def _row_cells(ctx: _Context, row: SheetRow, route: Route, *, compact: bool = False) -> list[Any]:
    """The nine cells of a table row: No, name, kelurahan, kind, m³, earliest, time, distance, ✓."""
    s = dict(ctx.styles, cell=ctx.styles["cellc"]) if compact else ctx.styles
    v = row.visit
    dist = (
        format_distance(v.leg_distance_m, language=ctx.language) if v and v.leg_distance_m else ""
    )
    if row.kind == "point" and v is not None and v.point is not None:
        return _point_cells(ctx, s, row, route, dist)
    if row.kind == "break":
        text = ctx.t["break_row"].format(min=round((row.end_s - row.start_s) / 60))
        when = f"{format_hhmm(row.start_s)}–{format_hhmm(row.end_s)}"
        return ["", _p(f"<i>{escape(text)}</i>", s["cell"]), "", "", "", "",
                _p(f"<i>{when}</i>", s["cell"]), "", ""]  # fmt: skip
    assert v is not None
    if row.kind == "landfill":
        trip = route.trips[row.number - 1]
        name = ctx.t["landfill_row"].format(name=v.name)
        when = f"{format_hhmm(row.start_s)}–{format_hhmm(v.departure_s)}"
        return ["", _p(f"<b>{escape(name)}</b>", s["cell"]), "",
                _p(escape(ctx.t["trip"].format(k=row.number)), s["cellb"]),
                _p(f"<b>{_num(trip.volume_m3, 1, ctx.language)}</b>", s["cell"]), "",
                _p(f"<b>{when}</b>", s["cell"]), dist, ""]  # fmt: skip
    key = "depart_row" if row.kind == "depot_start" else "return_row"
    name = ctx.t[key].format(name=v.name)
    return ["", _p(f"<b>{escape(name)}</b>", s["cell"]), "", "", "", "",
            _p(f"<b>{format_hhmm(row.start_s)}</b>", s["cell"]), dist, ""]  # fmt: skip


def _point_cells(
    ctx: _Context, s: dict[str, ParagraphStyle], row: SheetRow, route: Route, dist: str
) -> list[Any]:
    """A collection point's row, with a red note for a wait or a deadline."""
    t, lang = ctx.t, ctx.language
    v = row.visit
    assert v is not None and v.point is not None
    p = v.point
    notes = []
    wait = v.start_s - row.start_s
    if wait >= 60:
        notes.append(t["wait"].format(min=round(wait / 60), start=format_hhmm(v.start_s)))
    if p.latest_s >= 0:
        notes.append(t["latest"].format(time=format_hhmm(p.latest_s)))
    name = f"<b>{escape(display_name(v))}</b>" + "".join(
        f"<br/><font size=6.5 color='#a61e1e'>{escape(n)}</font>" for n in notes
    )
    earliest = format_hhmm(p.ready_s) if p.ready_s > route.start_s else ""
    return [
        _p(f"<b>{row.number}</b>", s["cell"]),
        _p(name, s["cell"]),
        _p(escape(p.kelurahan), s["cell"]),
        _p(escape(_kind(p.kind, lang)), s["cell"]),
        _num(p.volume_m3, 1, lang),
        earliest,
        _p(f"<b>{format_hhmm(row.start_s)}</b>", s["cell"]),
        dist,
        "",
    ]


def _stop_table(ctx: _Context, route: Route, *, compact: bool = False) -> Table:
    t, s, lang = ctx.t, ctx.styles, ctx.language
    head = [
        _p(escape(t[k]), s["head"])
        for k in ("no", "name", "kelurahan", "kind", "m3", "earliest", "arrival", "dist", "done")
    ]
    rows = sheet_rows(route)
    data = [head] + [_row_cells(ctx, r, route, compact=compact) for r in rows]
    data.append(
        [
            "",
            _p(
                "<b>"
                + escape(t["total_row"].format(stops=len(route.stops), trips=len(route.trips)))
                + "</b>",
                s["cell"],
            ),
            "",
            "",
            _p(f"<b>{_num(route.volume_m3, 1, lang)}</b>", s["cell"]),
            "",
            "",
            _p(f"<b>{format_distance(route.distance_m, language=lang)}</b>", s["cell"]),
            "",
        ]
    )
    widths = [7, 77, 22, 16, 10, 13, 24, 12, 5]
    scale = CONTENT_W / (sum(widths) * mm)
    table = Table(data, colWidths=[w * mm * scale for w in widths], repeatRows=1)
    table.setStyle(
        TableStyle(_table_style(rows, pad=0.7 if compact else 2, size=7.4 if compact else 8))
    )
    return table


def _table_style(rows: list[SheetRow], *, pad: float = 2, size: float = 8) -> list[tuple[Any, ...]]:
    style: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT, size),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#343a40")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (4, 1), (4, -1), "RIGHT"),
        ("ALIGN", (0, 1), (0, -1), "CENTER"),
        ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#adb5bd")),
        ("TOPPADDING", (0, 0), (-1, -1), pad),
        ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (0, -1), 1.5),
        ("RIGHTPADDING", (0, 0), (0, -1), 1.5),
        ("LINEABOVE", (0, -1), (-1, -1), 1.0, colors.black),
        ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#f1f3f5")),
    ]
    fills = {
        "landfill": "#ffe8cc",
        "break": "#e7f5ff",
        "depot_start": "#e9ecef",
        "depot_end": "#e9ecef",
    }
    for i, r in enumerate(rows, start=1):
        if r.kind in fills:
            style.append(("BACKGROUND", (0, i), (-1, i), colors.HexColor(fills[r.kind])))
        elif r.number % 2 == 0:
            style.append(("BACKGROUND", (0, i), (-1, i), colors.HexColor("#f8f9fa")))
        if r.kind == "landfill":
            style.append(("LINEABOVE", (0, i), (-1, i), 1.0, colors.HexColor("#d9480f")))
            style.append(("LINEBELOW", (0, i), (-1, i), 1.0, colors.HexColor("#d9480f")))
    return style


def _directions_story(ctx: _Context, route: Route) -> list[Flowable]:
    """Directions in two columns, one section per trip, with a close-up map when stops are crowded."""
    t, s = ctx.t, ctx.styles
    intro: list[Flowable] = [
        _p(escape(t["directions"]), s["h2"]),
        _p(escape(t["directions_note"]), s["small"]),
    ]
    trips = trip_of_visit(route)
    legs = list(zip(route.visits, route.visits[1:], trips[1:]))
    numbers = {id(r.visit): r.number for r in sheet_rows(route) if r.visit is not None}
    with_map = set(trips_needing_maps(ctx.sol, route))
    story: list[Flowable] = []
    for k in [*range(1, len(route.trips) + 1), 0]:
        blocks = [
            f for a, b, trip in legs if trip == k for f in _leg_block(ctx, route, a, b, numbers)
        ]
        if not blocks:
            continue
        head: list[Flowable] = [*intro, _p(escape(_section_title(ctx, route, k)), s["h3"])]
        intro = []
        if k in with_map:
            head += [_map_flowable(ctx, route, TRIP_MAP_H_MM, trip=k), Spacer(1, 2 * mm)]
        story.append(_Columns(blocks, gap=COLUMN_GAP, head=_Unbreakable(head)))
    return story


def _section_title(ctx: _Context, route: Route, k: int) -> str:
    t = ctx.t
    if k == 0:
        return t["section_return"].format(name=route.visits[-1].name)
    trip = route.trips[k - 1]
    first = sum(len(x.stops) for x in route.trips[: k - 1]) + 1
    last = first + len(trip.stops) - 1
    if not trip.stops:
        return t["section_empty"].format(k=k, landfill=trip.landfill.name)
    key = "section_trip" if last > first else "section_trip_one"
    return t[key].format(k=k, a=first, b=last, landfill=trip.landfill.name)


def _leg_block(
    ctx: _Context, route: Route, a: Visit, b: Visit, numbers: dict[int, int]
) -> list[Flowable]:
    """Heading and steps of one leg; short legs stay in one piece."""
    t, s, lang = ctx.t, ctx.styles, ctx.language
    if b.kind == "point":
        title = t["leg_point"].format(n=numbers[id(b)], name=display_name(b))
    elif b.kind == "landfill":
        title = t["leg_landfill"].format(name=b.name, k=numbers[id(b)])
    else:
        title = t["leg_depot"].format(name=b.name)
    info = t["leg_info"].format(
        dist=format_distance(b.leg_distance_m, language=lang), min=max(1, round(b.leg_time_s / 60))
    )
    colour = _trip_colour(_trip_number(route, b))
    head = _p(
        f"<font color='{colour}'>■</font> {escape(title)} "
        f"<font name='{FONT}' size=7 color='#555555'>({escape(info)})</font>",
        s["leg"],
    )
    steps = _leg_steps(ctx, a, b)
    if len(steps) <= 14:
        return [_Unbreakable([head, _steps_table(ctx, steps)])]
    # A long leg may continue in the next column, in chunks; its heading stays with the first.
    chunks = [steps[k : k + 10] for k in range(0, len(steps), 10)]
    return [
        _Unbreakable([head, _steps_table(ctx, chunks[0])]),
        *(_Unbreakable([_steps_table(ctx, c)]) for c in chunks[1:]),
    ]


class _Columns(Flowable):
    """A full-width heading, then unbreakable blocks in two columns, split across pages.

    Columns are balanced when everything fits. The heading goes with the first part and never
    ends a page alone. A small replacement for reportlab's ``BalancedColumns``, which tries
    many splits (slow with hundreds of directions) and cannot hold ``KeepTogether``.
    """

    def __init__(self, blocks: list[Flowable], *, gap: float, head: Flowable | None = None) -> None:
        super().__init__()
        self.blocks, self.gap, self.head = blocks, gap, head
        self._heights: list[float] = []
        self._head_h = 0.0
        self._cols: tuple[int, int] = (0, 0)  # blocks in column 1, in both columns

    def _measure(self, col_w: float) -> list[float]:
        if len(self._heights) != len(self.blocks):
            self._heights = [
                b.wrapOn(self.canv, col_w, 1e6)[1] + b.getSpaceBefore() for b in self.blocks
            ]
        return self._heights

    def _pack(self, col_w: float, avail: float) -> tuple[int, int]:
        h = self._measure(col_w)
        total, run = sum(h), 0.0
        best: tuple[float, int] | None = None
        for k in range(len(h) + 1):  # everything fits: the split with the shortest columns
            if (
                run <= avail
                and total - run <= avail
                and (best is None or max(run, total - run) <= best[0])
            ):
                best = (max(run, total - run), k)
            run += h[k] if k < len(h) else 0.0
        if best is not None:
            return best[1], len(h)
        k1 = _fill(h, 0, avail)
        return k1, _fill(h, k1, avail)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        col_w = (avail_width - self.gap) / 2
        h = self._measure(col_w)
        self._head_h = self.head.wrapOn(self.canv, avail_width, 1e6)[1] if self.head else 0.0
        k1, k2 = self._cols = self._pack(col_w, avail_height - self._head_h)
        self.width = avail_width
        if k2 < len(h):
            return avail_width, avail_height + 1  # ask to be split
        self.height = self._head_h + max(sum(h[:k1]), sum(h[k1:k2]))
        return avail_width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        self.wrap(avail_width, avail_height)
        _, k2 = self._cols
        if k2 == 0:
            return []  # not even the heading and one block: all to the next page
        return [
            _Columns(self.blocks[:k2], gap=self.gap, head=self.head),
            _Columns(self.blocks[k2:], gap=self.gap),
        ]

    def draw(self) -> None:
        col_w = (self.width - self.gap) / 2
        k1, k2 = self._cols
        top = self.height - self._head_h
        if self.head is not None:
            self.head.drawOn(self.canv, 0, top)
        for col, (lo, hi) in enumerate(((0, k1), (k1, k2))):
            y = top
            for b, h in zip(self.blocks[lo:hi], self._heights[lo:hi]):
                y -= h
                b.wrapOn(self.canv, col_w, 1e6)
                b.drawOn(self.canv, col * (col_w + self.gap), y)


def _fill(heights: list[float], start: int, avail: float) -> int:
    """Index after the last block from ``start`` that fits in ``avail``."""
    run, k = 0.0, start
    while k < len(heights) and run + heights[k] <= avail:
        run += heights[k]
        k += 1
    return k


class _Unbreakable(Flowable):
    """Flowables stacked as one block that moves to the next column instead of splitting.

    (``KeepTogether`` cannot be used inside ``BalancedColumns``.)
    """

    def __init__(self, parts: list[Flowable]) -> None:
        super().__init__()
        self.parts = parts
        self._sizes: list[tuple[float, float, float]] = []

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self._sizes = []
        for k, part in enumerate(self.parts):
            w, h = part.wrapOn(self.canv, avail_width, avail_height)
            self._sizes.append((w, h, part.getSpaceBefore() if k else 0.0))
        self.width = avail_width
        self.height = sum(h + gap for _, h, gap in self._sizes)
        return self.width, self.height

    def getSpaceBefore(self) -> float:
        return self.parts[0].getSpaceBefore()

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        return []

    def draw(self) -> None:
        y = self.height
        for part, (_, h, gap) in zip(self.parts, self._sizes):
            y -= h + gap
            part.drawOn(self.canv, 0, y)


def _leg_steps(ctx: _Context, a: Visit, b: Visit) -> list[Instruction]:
    key = (id(a), id(b))
    steps = ctx.steps.get(key)
    if steps is None:
        steps = ctx.steps[key] = leg_directions(
            ctx.sol, a, b, language=ctx.language, destination=display_name(b)
        )
    return steps


def _trip_number(route: Route, visit: Visit) -> int:
    trips = trip_of_visit(route)
    for k, v in enumerate(route.visits):
        if v is visit:
            return trips[k]
    return 0


def _steps_table(ctx: _Context, steps: list[Instruction]) -> Table:
    s, lang = ctx.styles, ctx.language
    col = (CONTENT_W - 6 * mm) / 2
    text_w = col - 21 * mm
    data = []
    for ins in steps:
        dist = "" if ins.turn == "arrive" else format_distance(ins.distance_m, language=lang)
        phrase = ins.phrase or ins.text
        # Plain strings lay out far faster than paragraphs; wrap only the long lines.
        fits = pdfmetrics.stringWidth(phrase, FONT, 7.6) <= text_w - 2
        data.append(
            [_TURN_GLYPH.get(ins.turn, "•"), phrase if fits else _p(escape(phrase), s["dir"]), dist]
        )
    table = Table(data, colWidths=[6 * mm, text_w, 15 * mm], repeatRows=0)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (0, -1), FONT_BOLD, 10),
                ("FONT", (1, 0), (1, -1), FONT, 7.6),
                ("FONT", (2, 0), (2, -1), FONT, 7.6),
                ("ALIGN", (2, 0), (2, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 0.6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0.6),
                ("LEFTPADDING", (0, 0), (-1, -1), 1),
                ("RIGHTPADDING", (0, 0), (-1, -1), 1),
                ("LINEBELOW", (0, 0), (-1, -2), 0.25, colors.HexColor("#dee2e6")),
            ]
        )
    )
    return table


def _map_flowable(
    ctx: _Context, route: Route, height_mm: float, *, trip: int | None = None
) -> Flowable:
    key = (route.vehicle.id, round(height_mm, 1), trip or 0)
    flow = ctx.maps.get(key)
    if flow is None:
        flow = ctx.maps[key] = sheet_map(
            ctx.sol, route, height_mm, language=ctx.language, trip=trip
        )
    return flow


def _first_page(ctx: _Context, route: Route) -> list[Flowable]:
    """Map and stop table, the map as tall as the room the table leaves on the first page."""
    room = (_frame_height(ctx) - 4 * mm) / mm
    table, height = None, 0.0
    for compact in (False, True):
        table = _stop_table(ctx, route, compact=compact)
        height = table.wrap(CONTENT_W, 10_000)[1] / mm
        if room - height >= MAP_H_MM[0]:
            break
    map_h = float(np.clip(room - height, MAP_H_MM[0], MAP_H_MM[1]))
    if room - height < MAP_H_MM[0]:  # the table flows on anyway: give the map a good size
        map_h = 125.0
    assert table is not None
    return [_map_flowable(ctx, route, map_h), Spacer(1, 3 * mm), table]


def _frame_height(ctx: _Context) -> float:
    return PAGE_H - 2 * MARGIN - HEADER_H - FOOTER_H - (NOTICE_H if ctx.synthetic else 0) - 2


def _truck_story(ctx: _Context, route: Route) -> list[Flowable]:
    """The flowables of one truck's sheet (map, stops, directions), starting on a new page."""
    return [
        ActionFlowable(("setTruck", _truck_header(ctx, route))),
        *_first_page(ctx, route),
        Spacer(1, 3 * mm),
        *_directions_story(ctx, route),
    ]


def _cover_story(ctx: _Context) -> list[Flowable]:
    """First page of the fleet PDF: the day's trucks and every point left unserved."""
    sol, t, s, lang = ctx.sol, ctx.t, ctx.styles, ctx.language
    story: list[Flowable] = [
        _p(escape(f"{t['cover_title']} — {long_date(sol.problem.date, lang)}"), s["title"]),
        _p(escape(t["cover_trucks"]), s["h2"]),
    ]
    used = sol.used_routes()
    if not used:
        story.append(_p(escape(t["no_routes"]), s["body"]))
    else:
        head = [
            t[k] for k in ("truck", "type", "start", "end", "stops", "trips", "km", "m3", "fuel")
        ]
        rows = [
            [
                r.vehicle.id,
                r.vehicle.label or r.vehicle.type_name,
                format_hhmm(r.start_s),
                format_hhmm(r.end_s),
                str(len(r.stops)),
                str(len(r.trips)),
                _num(r.distance_m / 1000, 1, lang),
                _num(r.volume_m3, 1, lang),
                _num(r.fuel_l(), 0, lang),
            ]
            for r in used
        ]
        table = Table([head, *rows], repeatRows=1, hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), FONT, 8),
                    ("FONT", (0, 0), (-1, 0), FONT_BOLD, 8),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dee2e6")),
                    ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#adb5bd")),
                    ("ALIGN", (4, 1), (-1, -1), "RIGHT"),
                ]
            )
        )
        story.append(table)
    idle = [r.vehicle.id for r in sol.routes if not r.used]
    if idle:
        story.append(_p(escape(t["idle"].format(ids=", ".join(idle))), s["body"]))
    story += _unassigned_story(ctx)
    return story


def _unassigned_story(ctx: _Context) -> list[Flowable]:
    sol, t, s = ctx.sol, ctx.t, ctx.styles
    if not sol.unassigned:
        return [_p(escape(t["all_served"]), s["body"])]
    rows = [
        [
            p.id,
            _p(escape(p.name), s["cell"]),
            _p(escape(p.kelurahan), s["cell"]),
            _p(escape(sol.unassigned[p.id]), s["small"]),
        ]
        for p in sol.unassigned_points()
    ]
    table = Table(
        [[t["no"], t["name"], t["kelurahan"], t["reason"]], *rows],
        repeatRows=1,
        colWidths=[20 * mm, 50 * mm, 30 * mm, CONTENT_W - 100 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 8),
                ("FONT", (0, 0), (-1, 0), FONT_BOLD, 8),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#ffe3e3")),
                ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#adb5bd")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return [_p(escape(t["unassigned"].format(n=len(sol.unassigned))), s["warn"]), table]


def _build(ctx: _Context, story: list[Flowable], target: Any, *, title: str, first: str) -> int:
    """Lay out ``story`` into ``target``; return the number of pages."""
    from reportlab import rl_config

    doc = _SheetDoc(target, ctx, title=title, first=first)
    page_text = ctx.t["page"]

    def canvasmaker(*args: Any, **kwargs: Any) -> _PagedCanvas:
        canv = _PagedCanvas(*args, **kwargs)
        canv.page_text = page_text
        return canv

    # Binary streams: reportlab's ASCII85 step runs in pure Python without its C accelerator
    # and would triple the time spent on each map image.
    saved, rl_config.useA85 = rl_config.useA85, 0
    try:
        doc.build(story, canvasmaker=canvasmaker)
    finally:
        rl_config.useA85 = saved
    return int(doc.page)


# ====================================================================== entry points
def sheet_pdf(sol: Solution, route: Route, path: str | Path, *, language: str = "id") -> Path:
    """Write one truck's sheet as an A4 PDF and return its path.

    Raises
    ------
    ValueError
        If ``language`` is unknown or the truck serves no point.
    """
    ctx = _context(sol, check_language(language))
    return _write_truck(ctx, route, Path(path))


def _write_truck(ctx: _Context, route: Route, path: Path) -> Path:
    if not route.used:
        msg = f"truck {route.vehicle.id} serves no point today; there is no sheet to print"
        raise ValueError(msg)
    title = f"{ctx.t['title'].format(truck=route.vehicle.id)} {ctx.sol.problem.date.isoformat()}"
    _build(ctx, _truck_story(ctx, route), str(path), title=title, first="main")
    return path


def write_sheets(sol: Solution, out_dir: str | Path, *, language: str = "id") -> list[Path]:
    """Write one PDF per used truck and one combined PDF for the fleet; return their paths.

    Parameters
    ----------
    sol
        The day's plan (with ``sol.graph`` for maps and directions).
    out_dir
        Folder for ``truck_<id>.pdf`` and ``fleet.pdf``; created if missing.
    language
        ``"id"`` (Bahasa Indonesia, default) or ``"en"``.

    Returns
    -------
    list of Path
        The truck sheets in fleet order, then the combined PDF.

    Raises
    ------
    ValueError
        If ``language`` is unknown.
    """
    ctx = _context(sol, check_language(language))
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    paths = [
        _write_truck(ctx, r, folder / f"truck_{_safe(r.vehicle.id)}.pdf") for r in sol.used_routes()
    ]
    story = _cover_story(ctx)
    for r in sol.used_routes():
        story += [NextPageTemplate("main"), PageBreak(), *_truck_story(ctx, r)]
    fleet = folder / "fleet.pdf"
    _build(
        ctx, story, str(fleet), title=f"wasteroute {sol.problem.date.isoformat()}", first="cover"
    )
    log.info(
        "driver sheets: %d trucks in %.1f s (%s)", len(paths), time.perf_counter() - t0, folder
    )
    return [*paths, fleet]


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
