"""The pages of a sheet PDF: what every truck's page carries (header, notice, footer, page
numbers), the paragraph styles, and laying out a story into a document."""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph

from ...directions import Instruction
from ...solution import Solution
from .style import (
    ATTRIBUTION,
    CONTENT_W,
    FONT,
    FONT_BOLD,
    FOOTER_H,
    HEADER_H,
    MARGIN,
    NOTICE_H,
    PAGE_H,
    PAGE_W,
    register_fonts,
)
from .text import TEXTS

log = logging.getLogger("wasteroute")


@dataclass
class Context:
    """Everything a sheet needs that does not change between trucks."""

    sol: Solution
    language: str
    t: dict[str, str]
    styles: dict[str, ParagraphStyle]
    synthetic: bool
    made: str
    maps: dict[tuple[str, float, int], Any]
    steps: dict[tuple[int, int], list[Instruction]]
    legs: dict[str, Any] = field(default_factory=dict)  # route lines by truck, for its maps


def _styles() -> dict[str, ParagraphStyle]:
    """The paragraph styles of the sheets, by name."""
    base = ParagraphStyle("base", fontName=FONT, fontSize=8, leading=9.6)
    red = colors.HexColor("#a61e1e")
    return {
        "cell": base,
        "cellb": ParagraphStyle("cellb", parent=base, fontName=FONT_BOLD),
        "cellc": ParagraphStyle("cellc", parent=base, fontSize=7.4, leading=8.6),
        "small": ParagraphStyle(
            "small", parent=base, fontSize=6.5, leading=7.8, textColor=colors.HexColor("#555555")
        ),
        "head": _bold("head", base, 7, 8.2, textColor=colors.white),
        "h2": _bold("h2", base, 11, 14, spaceBefore=2, spaceAfter=2),
        "h3": _bold("h3", base, 9.5, 12, spaceBefore=6, spaceAfter=2),
        "leg": _bold("leg", base, 8.5, 10.5, spaceBefore=5, spaceAfter=1),
        "dir": ParagraphStyle("dir", parent=base, fontSize=7.6, leading=9.0),
        "notice": _bold("notice", base, 7.2, 8.4, textColor=red),
        "title": _bold("title", base, 16, 20, spaceAfter=4),
        "warn": _bold("warn", base, 10, 13, textColor=red, spaceBefore=8, spaceAfter=3),
        "body": ParagraphStyle("body", parent=base, fontSize=9, leading=12, spaceBefore=4),
    }


def _bold(
    name: str, base: ParagraphStyle, size: float, leading: float, **extra: Any
) -> ParagraphStyle:
    """A bold style of ``size`` on ``leading``; ``extra`` sets its spacing or colour."""
    return ParagraphStyle(
        name, parent=base, fontName=FONT_BOLD, fontSize=size, leading=leading, **extra
    )


def para(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of reportlab markup (the caller escapes plain text)."""
    return Paragraph(text, style)


def made_at() -> dt.datetime:
    """When the sheets are made: now, or ``SOURCE_DATE_EPOCH`` (seconds since 1970, UTC) when it is
    set, so that two runs of the same plan can give the same files (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
        except (ValueError, OverflowError, OSError):
            log.warning("SOURCE_DATE_EPOCH=%r is not whole seconds since 1970; using now", epoch)
    return dt.datetime.now()


def new_context(sol: Solution, language: str) -> Context:
    """A context for sheets of ``sol`` in ``language`` (a checked language code)."""
    register_fonts()
    t = dict(TEXTS[language])
    made = t["made"].format(
        date=sol.problem.date.isoformat(), made=made_at().strftime("%Y-%m-%d %H:%M")
    )
    return Context(sol, language, t, _styles(), bool(sol.problem.synthetic_network), made, {}, {})


@dataclass
class TruckHeader:
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

    def __init__(self, target: Any, ctx: Context, *, first: str = "main", **kwargs: Any) -> None:
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
            # A fixed creation date and document id: the same plan gives the same bytes.
            invariant=1,
            **kwargs,
        )
        self.ctx = ctx
        self.header: TruckHeader | None = None
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

    def handle_setTruck(self, header: TruckHeader) -> None:
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


def _draw_header(canv: Canvas, h: TruckHeader, ctx: Context) -> None:
    """Title, date, shift line and lines for the crew's names."""
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


def _draw_notice(canv: Canvas, y: float, ctx: Context) -> None:
    """Red band saying the street network is generated, on every page."""
    canv.setFillColor(colors.HexColor("#fff0f0"))
    canv.setStrokeColor(colors.HexColor("#c92a2a"))
    canv.setLineWidth(1.2)
    canv.rect(MARGIN, y, CONTENT_W, NOTICE_H - 3 * mm, fill=1, stroke=1)
    text = Paragraph(escape(ctx.t["notice"]), ctx.styles["notice"])
    _, ph = text.wrap(CONTENT_W - 4 * mm, NOTICE_H)
    text.drawOn(canv, MARGIN + 2 * mm, y + (NOTICE_H - 3 * mm - ph) / 2)
    canv.setStrokeColor(colors.black)
    canv.setFillColor(colors.black)


def _draw_footer(canv: Canvas, totals: str, ctx: Context) -> None:
    """The truck's totals (when given), the attribution and when the plan was made."""
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


def build(ctx: Context, story: list[Flowable], target: Any, *, title: str, first: str) -> int:
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
