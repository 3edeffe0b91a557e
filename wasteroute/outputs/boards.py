"""Schedule boards: one printable A5 page per collection point, to hang at the TPS or container.

In Bahasa Indonesia by default ("Diangkut: Senin, Rabu, Jumat, sekitar 05:30-06:30"), with the
point's name, kelurahan and kecamatan, its usual truck, the complaint channel and, when the
plan was made on a generated street network, that notice. Built from a week's schedule
(:meth:`wasteroute.week.WeekPlan.schedule_frame`), with the fonts of the driver sheets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pandas as pd
from reportlab.lib import colors
from reportlab.lib.pagesizes import A5, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Frame, Paragraph

from ..schedule import DAY_NAMES_ID, parse_pattern
from .sheets.style import FONT, FONT_BOLD, register_fonts

PAGE = landscape(A5)
MARGIN = 12 * mm

TEXTS: dict[str, dict[str, Any]] = {
    "id": {
        "title": "JADWAL PENGANGKUTAN SAMPAH",
        "kinds": {"container": "Kontainer", "bak": "TPS (bak sampah)", "roadside": "TPS (pinggir jalan)"},
        "collected": "Diangkut: {days}",
        "around": ", sekitar {window}",
        "daily": "setiap hari",
        "place": "Kelurahan {kelurahan}, Kecamatan {kecamatan}",
        "truck": "Truk: {truck}",
        "complaint": "Sampah tidak diangkut atau meluap? Laporkan lewat {channel}.",
        "footer": "Titik {id} · berlaku mulai minggu {monday} · jadwal dari wasteroute",
        "synthetic": "CONTOH: jadwal dibuat dari jaringan jalan SINTETIS; waktu hanya perkiraan.",
        "days": DAY_NAMES_ID,
    },
    "en": {
        "title": "WASTE COLLECTION SCHEDULE",
        "kinds": {"container": "Container", "bak": "Collection point (bin)", "roadside": "Collection point (kerbside)"},
        "collected": "Collected: {days}",
        "around": ", around {window}",
        "daily": "every day",
        "place": "Kelurahan {kelurahan}, Kecamatan {kecamatan}",
        "truck": "Truck: {truck}",
        "complaint": "Not collected or overflowing? Report it via {channel}.",
        "footer": "Point {id} · valid from the week of {monday} · schedule by wasteroute",
        "synthetic": "SAMPLE: schedule made on a SYNTHETIC street network; times are estimates.",
        "days": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    },
}


def collected_line(days: str, window: str, *, language: str = "id") -> str:
    """``"Diangkut: Senin, Rabu, Jumat, sekitar 05:30-06:30"`` for ``days = "mon,wed,fri"``."""
    t = TEXTS[language]
    if days == "daily":
        names = t["daily"]
    else:
        names = ", ".join(t["days"][d] for d in parse_pattern(days))
    line = t["collected"].format(days=names)
    return line + (t["around"].format(window=window) if window else "")


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("b", fontName=FONT, fontSize=12, leading=15)
    return {
        "title": ParagraphStyle("t", parent=base, fontName=FONT_BOLD, fontSize=15, leading=19,
                                textColor=colors.HexColor("#1c5bb8"), spaceAfter=4),
        "name": ParagraphStyle("n", parent=base, fontName=FONT_BOLD, fontSize=17, leading=21, spaceAfter=2),
        "place": ParagraphStyle("p", parent=base, fontSize=12, leading=15, spaceAfter=10),
        "days": ParagraphStyle("d", parent=base, fontName=FONT_BOLD, fontSize=22, leading=27, spaceAfter=10),
        "body": base,
        "small": ParagraphStyle("s", parent=base, fontSize=8, leading=10, textColor=colors.HexColor("#555555")),
        "notice": ParagraphStyle("x", parent=base, fontName=FONT_BOLD, fontSize=9, leading=11,
                                 textColor=colors.HexColor("#a61e1e"), spaceBefore=6),
    }


def _draw_board(canvas: Any, row: Mapping[str, Any], *, monday: dt.date, channel: str, synthetic: bool,
                language: str, styles: dict[str, ParagraphStyle],
                kind_names: Mapping[str, Mapping[str, str]] | None = None) -> None:
    """One board on the current page of ``canvas``."""
    t = TEXTS[language]
    w, h = PAGE
    canvas.setStrokeColor(colors.HexColor("#1c5bb8"))
    canvas.setLineWidth(3)
    canvas.rect(MARGIN / 2, MARGIN / 2, w - MARGIN, h - MARGIN)
    # The board's own wording for Kupang's kinds, else the scenario's name ([[kind]]), else the id.
    kind = t["kinds"].get(str(row["kind"])) or (kind_names or {}).get(str(row["kind"]), {}).get(language) \
        or str(row["kind"])
    story = [
        Paragraph(escape(t["title"]), styles["title"]),
        Paragraph(escape(f"{kind}: {row['name']}"), styles["name"]),
        Paragraph(escape(t["place"].format(kelurahan=row["kelurahan"] or "-", kecamatan=row["kecamatan"] or "-")),
                  styles["place"]),
        Paragraph(escape(collected_line(str(row["days"]), str(row["window"]), language=language)), styles["days"]),
    ]
    if row.get("truck"):
        story.append(Paragraph(escape(t["truck"].format(truck=row["truck"])), styles["body"]))
    story.append(Paragraph(escape(t["complaint"].format(channel=channel)), styles["body"]))
    if synthetic:
        story.append(Paragraph(escape(t["synthetic"]), styles["notice"]))
    frame = Frame(MARGIN, MARGIN + 8 * mm, w - 2 * MARGIN, h - 2 * MARGIN - 8 * mm, showBoundary=0)
    frame.addFromList(story, canvas)
    canvas.setFont(FONT, 8)
    canvas.setFillColor(colors.HexColor("#555555"))
    canvas.drawString(MARGIN, MARGIN, t["footer"].format(id=row["point"], monday=monday.isoformat()))


def write_boards(schedule: pd.DataFrame, out_dir: Path, *, monday: dt.date, channel: str,
                 synthetic: bool = False, language: str = "id", per_point: bool = True,
                 kind_names: Mapping[str, Mapping[str, str]] | None = None) -> list[Path]:
    """Write ``boards.pdf`` (every board, one A5 landscape page each) and, with ``per_point``,
    ``<point id>.pdf`` per point into ``out_dir``.

    ``schedule`` has the columns of :meth:`wasteroute.week.WeekPlan.schedule_frame`
    (``point, name, kind, kelurahan, kecamatan, days, window, truck``); ``kind_names`` (the
    scenario's ``[[kind]]`` names, ``ProblemData.kind_names``) name kinds the boards have no words for.

    Raises
    ------
    ValueError
        If ``language`` has no board texts.
    """
    from reportlab.pdfgen.canvas import Canvas

    if language not in TEXTS:
        raise ValueError(f"no board texts in {language!r}; use one of {', '.join(TEXTS)}")
    register_fonts()
    styles = _styles()
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = schedule.to_dict("records")
    kw = {"monday": monday, "channel": channel, "synthetic": synthetic, "language": language, "styles": styles,
          "kind_names": kind_names}
    written = []
    every = out_dir / "boards.pdf"
    c = Canvas(str(every), pagesize=PAGE, invariant=True)
    c.setTitle(TEXTS[language]["title"])
    for row in rows:
        _draw_board(c, row, **kw)
        c.showPage()
    c.save()
    written.append(every)
    if per_point:
        for row in rows:
            path = out_dir / f"{_safe(str(row['point']))}.pdf"
            one = Canvas(str(path), pagesize=PAGE, invariant=True)
            one.setTitle(f"{TEXTS[language]['title']} {row['point']}")
            _draw_board(one, row, **kw)
            one.showPage()
            one.save()
            written.append(path)
    return written


def _safe(name: str) -> str:
    """A point id as a file name: letters, digits, ``-`` and ``_`` kept, anything else ``_``."""
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name) or "point"


__all__ = ["collected_line", "write_boards"]
