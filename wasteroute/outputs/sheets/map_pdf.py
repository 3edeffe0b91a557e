"""The route map on a PDF page: the map as a JPEG, its labels as vector text, and the legend."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from matplotlib.figure import Figure
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from ...solution import Route, Solution
from .map import MAP_DPI, MAP_W_MM, STRIP_MM, MapPlan, compose_map, legend_items, raster
from .marks import route_lines
from .style import ATTRIBUTION, CONTENT_W, FONT, FONT_BOLD
from .text import TEXTS, scale_text
from .view import MapLabel

if TYPE_CHECKING:
    from .doc import Context


def map_flowable(
    sol: Solution,
    route: Route,
    height_mm: float,
    *,
    language: str = "id",
    trip: int | None = None,
    legs: list[tuple[int, list[tuple[float, float]]]] | None = None,
) -> MapFlowable:
    """The map of a sheet: streets and route as a JPEG, names and numbers as vector text.

    A JPEG goes into the PDF as it is (reportlab would inflate and re-compress a PNG for every
    document); at 200 dpi, quality 92 and no chroma subsampling the lines stay sharp.
    """
    map_h = height_mm - STRIP_MM
    fig = Figure(figsize=(MAP_W_MM / 25.4, map_h / 25.4), dpi=MAP_DPI)
    plan = compose_map(
        sol, route, fig, (0.0, 0.0, 1.0, 1.0), language=language, trip=trip, legs=legs
    )
    buf = io.BytesIO()
    raster(fig).save(buf, format="JPEG", quality=92, subsampling=0)
    return MapFlowable(buf.getvalue(), plan, CONTENT_W, height_mm * mm, TEXTS[language])


class MapFlowable(Flowable):
    """A sheet map: the raster, its labels as PDF text, and the legend strip under it."""

    def __init__(
        self, jpeg: bytes, plan: MapPlan, width: float, height: float, t: dict[str, str]
    ) -> None:
        super().__init__()
        self.jpeg, self.plan = jpeg, plan
        self.width, self.height, self.t = width, height, t

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canv, strip = self.canv, STRIP_MM * mm
        map_h = self.height - strip
        canv.drawImage(_JpegReader(self.jpeg), 0, strip, self.width, map_h)
        canv.saveState()
        path = canv.beginPath()
        path.rect(0, strip, self.width, map_h)
        canv.clipPath(path, stroke=0, fill=0)
        for lab in self.plan.labels:
            _pdf_label(canv, lab, lab.x * self.width, strip + lab.y * map_h)
        canv.restoreState()
        _pdf_legend(canv, self.width, strip, self.plan, self.t)


class _JpegReader(ImageReader):
    """A JPEG for ``drawImage``, named by a digest of its bytes.

    reportlab names an image by a digest of :meth:`getRGBData`, which decodes the whole map
    only to hash it (a tenth of a sheet's time); a JPEG goes into the PDF undecoded, so its own
    bytes identify it as well.
    """

    def __init__(self, jpeg: bytes) -> None:
        super().__init__(io.BytesIO(jpeg))
        self._jpeg = jpeg
        self._dataA = None  # no transparency (getRGBData sets it in the base class)

    def getRGBData(self) -> bytes:  # noqa: N802 (reportlab's name)
        return self._jpeg


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
    """The north arrow with its letter, at the origin of the canvas."""
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


def _pdf_legend(canv: Canvas, width: float, strip: float, plan: MapPlan, t: dict[str, str]) -> None:
    """The strip under the map: symbols and trip colours; scale bar and attribution."""
    size, y, x = 6.5, strip * 0.7, 1.0
    for symbol, colour, label in legend_items(plan.trips, t):
        _pdf_symbol(canv, symbol, colors.HexColor(colour), x, y)
        x += 15 if symbol == "line" else 11
        _pdf_text(canv, label, x, y, FONT, size, colors.black, ha="left")
        x += pdfmetrics.stringWidth(label, FONT, size) + 10
    y = strip * 0.25
    bar = plan.scale_frac * width
    canv.setStrokeColor(colors.black)
    canv.setLineWidth(0.6)
    for k in range(2):
        canv.setFillColor(colors.black if k == 0 else colors.white)
        canv.rect(1 + k * bar / 2, y - 1.8, bar / 2, 3.6, stroke=1, fill=1)
    _pdf_text(canv, scale_text(plan.scale_m, t), bar + 5, y, FONT, size, colors.black, ha="left")
    _pdf_text(canv, ATTRIBUTION, width - 1, y, FONT, size, colors.HexColor("#333333"), ha="right")


def _pdf_symbol(canv: Canvas, symbol: str, colour: Any, x: float, y: float) -> None:
    """A legend symbol at (x, y): stop circle, depot square, landfill triangle or a trip's line."""
    canv.setStrokeColor(colour)
    canv.setFillColor(colour)
    if symbol == "stop":
        canv.setFillColor(colors.white)
        canv.setLineWidth(1.0)
        canv.circle(x + 4, y, 3.2, stroke=1, fill=1)
    elif symbol == "depot":
        canv.rect(x + 1, y - 3, 6, 6, stroke=0, fill=1)
    elif symbol == "landfill":
        path = canv.beginPath()
        path.moveTo(x + 0.5, y - 3)
        path.lineTo(x + 7.5, y - 3)
        path.lineTo(x + 4, y + 3.5)
        path.close()
        canv.drawPath(path, stroke=0, fill=1)
    else:
        canv.setLineWidth(2.2)
        canv.line(x, y, x + 12, y)


def cached_map(
    ctx: Context, route: Route, height_mm: float, *, trip: int | None = None
) -> Flowable:
    """The sheet map of ``route`` (or of one trip), drawn once per document context."""
    key = (route.vehicle.id, round(height_mm, 1), trip or 0)
    flow = ctx.maps.get(key)
    if flow is None:
        flow = ctx.maps[key] = map_flowable(
            ctx.sol, route, height_mm, language=ctx.language, trip=trip, legs=route_legs(ctx, route)
        )
    return flow


def route_legs(ctx: Context, route: Route) -> list[tuple[int, list[tuple[float, float]]]]:
    """``route``'s lines along the streets, found once per truck for all its maps."""
    legs = ctx.legs.get(route.vehicle.id)
    if legs is None:
        legs = ctx.legs[route.vehicle.id] = route_lines(ctx.sol, route)
    return legs
