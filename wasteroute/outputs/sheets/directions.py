"""The directions pages of a truck's sheet: per trip, each leg's turn-by-turn steps in two
columns, with a close-up map where the stops are crowded."""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from ...directions import Instruction, format_distance, leg_directions
from ...solution import Route, Visit
from .columns import Columns, Unbreakable
from .doc import Context, para
from .map import trips_needing_maps
from .map_pdf import cached_map, route_legs
from .rows import sheet_rows, trip_number, trip_of_visit
from .style import CONTENT_W, FONT, FONT_BOLD, trip_colour
from .text import TURN_GLYPH, display_name

TRIP_MAP_H_MM = 100.0  # close-up map of a trip whose stops are crowded on the main map
COLUMN_GAP = 6 * mm


def directions_story(ctx: Context, route: Route) -> list[Flowable]:
    """Directions in two columns, one section per trip, with a close-up map when stops are crowded."""
    t, s = ctx.t, ctx.styles
    intro: list[Flowable] = [
        para(escape(t["directions"]), s["h2"]),
        para(escape(t["directions_note"]), s["small"]),
    ]
    trips = trip_of_visit(route)
    legs = list(zip(route.visits, route.visits[1:], trips[1:]))
    numbers = {id(r.visit): r.number for r in sheet_rows(route) if r.visit is not None}
    with_map = set(trips_needing_maps(ctx.sol, route, legs=route_legs(ctx, route)))
    story: list[Flowable] = []
    for k in [*range(1, len(route.trips) + 1), 0]:
        blocks = [
            f for a, b, trip in legs if trip == k for f in _leg_block(ctx, route, a, b, numbers)
        ]
        if not blocks:
            continue
        head: list[Flowable] = [*intro, para(escape(_section_title(ctx, route, k)), s["h3"])]
        intro = []
        if k in with_map:
            head += [cached_map(ctx, route, TRIP_MAP_H_MM, trip=k), Spacer(1, 2 * mm)]
        story.append(Columns(blocks, gap=COLUMN_GAP, head=Unbreakable(head)))
    return story


def _section_title(ctx: Context, route: Route, k: int) -> str:
    """The heading of a directions section: trip ``k``'s stop numbers, or the way back."""
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
    ctx: Context, route: Route, a: Visit, b: Visit, numbers: dict[int, int]
) -> list[Flowable]:
    """Heading and steps of one leg; short legs stay in one piece."""
    t, s, lang = ctx.t, ctx.styles, ctx.language
    if b.kind == "point":
        title = t["leg_point"].format(n=numbers[id(b)], name=display_name(b))
    elif b.kind == "landfill":
        title = t["leg_landfill"].format(name=b.name, k=numbers[id(b)])
    else:
        title = t["leg_depot"].format(name=b.name)
    if b.leg_distance_m == 0 and not _leg_steps(ctx, a, b)[:-1]:
        info = t["same_place"]  # the same spot on the street: the truck does not move
    else:
        info = t["leg_info"].format(
            dist=format_distance(b.leg_distance_m, language=lang), min=max(1, round(b.leg_time_s / 60))
        )
    colour = trip_colour(trip_number(route, b))
    head = para(
        f"<font color='{colour}'>■</font> {escape(title)} "
        f"<font name='{FONT}' size=7 color='#555555'>({escape(info)})</font>",
        s["leg"],
    )
    steps = _leg_steps(ctx, a, b, route)
    if len(steps) <= 14:
        return [Unbreakable([head, _steps_table(ctx, steps)])]
    # A long leg may continue in the next column, in chunks; its heading stays with the first.
    chunks = [steps[k : k + 10] for k in range(0, len(steps), 10)]
    return [
        Unbreakable([head, _steps_table(ctx, chunks[0])]),
        *(Unbreakable([_steps_table(ctx, c)]) for c in chunks[1:]),
    ]


def _leg_steps(ctx: Context, a: Visit, b: Visit, route: Route) -> list[Instruction]:
    """Turn-by-turn steps from ``a`` to ``b`` on ``route``'s truck's roads, worked out once per context."""
    key = (id(a), id(b))
    steps = ctx.steps.get(key)
    if steps is None:
        steps = ctx.steps[key] = leg_directions(
            ctx.sol, a, b, language=ctx.language, destination=display_name(b), vehicle=route.vehicle
        )
    return steps


def _steps_table(ctx: Context, steps: list[Instruction]) -> Table:
    """A leg's steps as a table: turn arrow, instruction, distance."""
    s, lang = ctx.styles, ctx.language
    col = (CONTENT_W - COLUMN_GAP) / 2
    text_w = col - 21 * mm
    data = []
    for ins in steps:
        dist = "" if ins.turn == "arrive" else format_distance(ins.distance_m, language=lang)
        phrase = ins.phrase or ins.text
        # Plain strings lay out far faster than paragraphs; wrap only the long lines.
        fits = pdfmetrics.stringWidth(phrase, FONT, 7.6) <= text_w - 2
        data.append(
            [
                TURN_GLYPH.get(ins.turn, "•"),
                phrase if fits else para(escape(phrase), s["dir"]),
                dist,
            ]
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
