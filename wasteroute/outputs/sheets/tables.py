"""The tables of the sheets: a truck's stops in driving order, and the fleet cover (the day's
trucks and the points left unserved)."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Table, TableStyle

from ...directions import format_distance
from ...solution import Route
from ...units import format_hhmm
from .doc import Context, para
from .rows import SheetRow, sheet_rows
from .style import CONTENT_W, FONT, FONT_BOLD
from .text import display_name, format_number, kind_name, long_date


def _row_cells(ctx: Context, row: SheetRow, route: Route, *, compact: bool = False) -> list[Any]:
    """The nine cells of a table row: No, name, kelurahan, kind, m³, earliest, time, distance, ✓."""
    s = dict(ctx.styles, cell=ctx.styles["cellc"]) if compact else ctx.styles
    v = row.visit
    dist = (
        format_distance(v.leg_distance_m, language=ctx.language) if v and v.leg_distance_m else ""
    )
    if v is not None and not v.leg_distance_m and _same_spot(ctx, route, v):
        # 0 m only between points that share one spot on the street (within [network] same_place_m)
        dist = ctx.t["same_place"]
    if row.kind == "point" and v is not None and v.point is not None:
        return _point_cells(ctx, s, row, route, dist)
    if row.kind == "break":
        text = ctx.t["break_row"].format(min=round((row.end_s - row.start_s) / 60))
        when = f"{format_hhmm(row.start_s)}–{format_hhmm(row.end_s)}"
        return ["", para(f"<i>{escape(text)}</i>", s["cell"]), "", "", "", "",
                para(f"<i>{when}</i>", s["cell"]), "", ""]  # fmt: skip
    assert v is not None
    if row.kind == "landfill":
        trip = route.trips[row.number - 1]
        name = ctx.t["landfill_row"].format(name=v.name)
        when = f"{format_hhmm(row.start_s)}–{format_hhmm(v.departure_s)}"
        return ["", para(f"<b>{escape(name)}</b>", s["cell"]), "",
                para(escape(ctx.t["trip"].format(k=row.number)), s["cellb"]),
                para(f"<b>{format_number(trip.volume_m3, 1, ctx.language)}</b>", s["cell"]), "",
                para(f"<b>{when}</b>", s["cell"]), dist, ""]  # fmt: skip
    key = "depart_row" if row.kind == "depot_start" else "return_row"
    name = ctx.t[key].format(name=v.name)
    return ["", para(f"<b>{escape(name)}</b>", s["cell"]), "", "", "", "",
            para(f"<b>{format_hhmm(row.start_s)}</b>", s["cell"]), dist, ""]  # fmt: skip


def _same_spot(ctx: Context, route: Route, v: Any) -> bool:
    """Whether visit ``v`` is at the very spot of the visit before it (the truck does not move)."""
    k = next((i for i, x in enumerate(route.visits) if x is v), 0)
    matrix = ctx.sol.problem.matrix
    if k == 0 or v.kind != "point" or matrix is None:
        return False
    prev = route.visits[k - 1]
    return bool(matrix.loc_node[matrix.position(prev.id)] == matrix.loc_node[matrix.position(v.id)])


def _point_cells(
    ctx: Context, s: dict[str, ParagraphStyle], row: SheetRow, route: Route, dist: str
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
        para(f"<b>{row.number}</b>", s["cell"]),
        para(name, s["cell"]),
        para(escape(p.kelurahan), s["cell"]),
        para(escape(kind_name(p.kind, lang, ctx.sol.problem)), s["cell"]),
        format_number(p.volume_m3, 1, lang),
        earliest,
        para(f"<b>{format_hhmm(row.start_s)}</b>", s["cell"]),
        dist,
        "",
    ]


def stop_table(ctx: Context, route: Route, *, compact: bool = False) -> Table:
    """A truck's stop table: a head row, one row per stop, landfill run and break, a total."""
    t, s, lang = ctx.t, ctx.styles, ctx.language
    head = [
        para(escape(t[k]), s["head"])
        for k in ("no", "name", "kelurahan", "kind", "m3", "earliest", "arrival", "dist", "done")
    ]
    rows = sheet_rows(route)
    data = [head] + [_row_cells(ctx, r, route, compact=compact) for r in rows]
    data.append(
        [
            "",
            para(
                "<b>"
                + escape(t["total_row"].format(stops=len(route.stops), trips=len(route.trips)))
                + "</b>",
                s["cell"],
            ),
            "",
            "",
            para(f"<b>{format_number(route.volume_m3, 1, lang)}</b>", s["cell"]),
            "",
            "",
            para(f"<b>{format_distance(route.distance_m, language=lang)}</b>", s["cell"]),
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
    """The stop table's style: shaded head, zebra rows, landfill and break rows marked."""
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


def cover_story(ctx: Context) -> list[Flowable]:
    """First page of the fleet PDF: the day's trucks and every point left unserved."""
    sol, t, s, lang = ctx.sol, ctx.t, ctx.styles, ctx.language
    story: list[Flowable] = [
        para(escape(f"{t['cover_title']} — {long_date(sol.problem.date, lang)}"), s["title"]),
        para(escape(t["cover_trucks"]), s["h2"]),
    ]
    used = sol.used_routes()
    story.append(_trucks_table(ctx, used) if used else para(escape(t["no_routes"]), s["body"]))
    idle = [r.vehicle.id for r in sol.routes if not r.used]
    if idle:
        story.append(para(escape(t["idle"].format(ids=", ".join(idle))), s["body"]))
    story += _unassigned_story(ctx)
    return story


def _trucks_table(ctx: Context, used: list[Route]) -> Table:
    """One row per truck that goes out: type, times, stops, trips, km, m³ and fuel."""
    t, lang = ctx.t, ctx.language
    head = [t[k] for k in ("truck", "type", "start", "end", "stops", "trips", "km", "m3", "fuel")]
    rows = [
        [
            r.vehicle.id,
            r.vehicle.label or r.vehicle.type_name,
            format_hhmm(r.start_s),
            format_hhmm(r.end_s),
            str(len(r.stops)),
            str(len(r.trips)),
            format_number(r.distance_m / 1000, 1, lang),
            format_number(r.volume_m3, 1, lang),
            format_number(r.fuel_l(), 0, lang),
        ]
        for r in used
    ]
    table = Table([head, *rows], repeatRows=1, hAlign="LEFT")
    table.setStyle(_cover_style("#dee2e6", ("ALIGN", (4, 1), (-1, -1), "RIGHT")))
    return table


def _unassigned_story(ctx: Context) -> list[Flowable]:
    """Every point left unserved with its reason, or a line saying all are served."""
    sol, t, s = ctx.sol, ctx.t, ctx.styles
    if not sol.unassigned:
        return [para(escape(t["all_served"]), s["body"])]
    rows = [
        [
            p.id,
            para(escape(p.name), s["cell"]),
            para(escape(p.kelurahan), s["cell"]),
            para(escape(sol.unassigned[p.id]), s["small"]),
        ]
        for p in sol.unassigned_points()
    ]
    table = Table(
        [[t["no"], t["name"], t["kelurahan"], t["reason"]], *rows],
        repeatRows=1,
        colWidths=[20 * mm, 50 * mm, 30 * mm, CONTENT_W - 100 * mm],
    )
    table.setStyle(_cover_style("#ffe3e3", ("VALIGN", (0, 0), (-1, -1), "TOP")))
    return [para(escape(t["unassigned"].format(n=len(sol.unassigned))), s["warn"]), table]


def _cover_style(head_colour: str, *extra: tuple[Any, ...]) -> TableStyle:
    """The look of the cover's tables: small text, a shaded bold head row, a thin grey grid."""
    return TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), FONT, 8),
            ("FONT", (0, 0), (-1, 0), FONT_BOLD, 8),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(head_colour)),
            ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#adb5bd")),
            *extra,
        ]
    )
