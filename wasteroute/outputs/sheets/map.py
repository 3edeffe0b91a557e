"""The route map of a driver sheet, drawn offline by matplotlib from the road graph.

:func:`compose_map` draws streets, route and markers and returns the labels apart, so that the
PDF can print them as vector text (:mod:`.map_pdf`); :func:`route_map` is the stand-alone
figure with the labels and legend drawn by matplotlib.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from reportlab.lib.units import mm

from ...directions import check_language
from ...solution import Route, Solution
from .marks import (
    draw_route,
    exit_labels,
    facilities,
    lonlat_of,
    route_lines,
    route_street_names,
    span_m,
    stop_labels,
    zoomed,
)
from .streets import Streets, draw_streets, street_labels, streets_of
from .style import (
    ATTRIBUTION,
    CONTENT_W,
    DEPOT_COLOUR,
    LANDFILL_COLOUR,
    RETURN_COLOUR,
    register_fonts,
    trip_colour,
)
from .text import TEXTS, scale_text
from .view import MapLabel, View, fit_view

#: Maps are as wide as the text on the page.
MAP_W_MM = CONTENT_W / mm
MAP_DPI = 200
STRIP_MM = 10.0  # legend strip under each map
CLOSE_UP_M_PER_MM = 15.0  # main maps at a smaller scale than 1:15,000 get a close-up per trip


@dataclass
class MapPlan:
    """A composed map's labels (drawn apart from the raster), its trips and its scale bar."""

    labels: list[MapLabel]
    trips: int
    scale_m: int
    scale_frac: float


def _nice_scale(view: View) -> tuple[int, float]:
    """A round scale-bar length (m) of about a sixth of the map width, and its fraction."""
    nice = [50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000]
    length = max((n for n in nice if n <= view.width / 6), default=nice[0])
    return length, length / view.width


def trips_needing_maps(
    sol: Solution, route: Route, *, legs: list[tuple[int, list[tuple[float, float]]]] | None = None
) -> list[int]:
    """Trips whose stops are crowded on the main map and get a close-up map of their own.

    That is when the main map is smaller in scale than about 1:15,000 (:data:`CLOSE_UP_M_PER_MM`)
    and the trip's stops cover less than half of it.
    """
    legs = route_lines(sol, route) if legs is None else legs
    pts = np.array([p for _, line in legs for p in line]).reshape(-1, 2)
    main = max(span_m(lonlat_of(route.stops)), 400.0) if zoomed(route, pts) else span_m(pts)
    if main / MAP_W_MM < CLOSE_UP_M_PER_MM:
        return []
    return [
        trip.number
        for trip in route.trips
        if trip.stops and max(span_m(lonlat_of(trip.stops)), 400.0) * 2 < main
    ]


def compose_map(
    sol: Solution,
    route: Route,
    fig: Figure,
    rect: tuple[float, float, float, float],
    *,
    language: str,
    trip: int | None,
    legs: list[tuple[int, list[tuple[float, float]]]] | None = None,
) -> MapPlan:
    """Draw streets, route and markers into ``rect`` of ``fig``; return the labels to write.

    ``legs`` are the route's lines (:func:`route_lines`) when the caller already has them.
    """
    register_fonts()  # label sizes are measured with the PDF fonts
    t = TEXTS[check_language(language)]
    legs = route_lines(sol, route) if legs is None else legs
    all_pts = np.array(
        [p for _, line in legs for p in line] or [(route.visits[0].lon, route.visits[0].lat)]
    )
    lon0, lat0 = (float(c) for c in all_pts.mean(axis=0))
    zoom = zoomed(route, all_pts) or trip is not None
    focus = lonlat_of(route.stops) if zoom and route.stops else all_pts
    if trip is not None:
        chosen = route.trips[trip - 1]
        focus = lonlat_of(chosen.stops or (chosen.landfill,))
    ax = fig.add_axes(rect)
    aspect = rect[3] * fig.get_figheight() / (rect[2] * fig.get_figwidth())
    view = fit_view(focus, lon0, lat0, aspect, margin=0.12 if zoom else 0.06)
    m_per_pt = view.width / (rect[2] * fig.get_figwidth() * 72)
    streets = streets_of(sol.graph) if sol.graph is not None else None
    idx = draw_streets(ax, streets, view) if streets is not None else []
    draw_route(ax, view, legs)
    stop_texts, boxes = stop_labels(view, route, m_per_pt)
    fac_labels, fac_boxes = facilities(ax, view, route, m_per_pt)
    labels = [*fac_labels, *stop_texts]
    if streets is not None:
        names = street_labels(
            streets, view, idx, boxes + fac_boxes, route_street_names(sol, route), m_per_pt
        )
        labels = names + labels
    if zoom:
        labels += exit_labels(view, route, legs, t, language)
    if zoom and trip is None:
        _overview(fig, ax, route, legs, fit_view(all_pts, lon0, lat0, 1.0), view, streets)
    _finish_axes(ax, view)
    labels.append(MapLabel("north", t["north"], 0.97, 0.88, 9))
    if sol.problem.synthetic_network:
        labels.insert(
            0, MapLabel("watermark", t["watermark"], 0.5, 0.5, 30, angle=25, colour="#c92a2a")
        )
    return MapPlan(labels, len(route.trips), *_nice_scale(view))


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
    plan = compose_map(
        sol, route, fig, (0.0, strip, 1.0, 1.0 - strip), language=language, trip=trip
    )
    _mpl_labels(fig.axes[0], plan.labels)
    _mpl_legend(fig, strip, plan, TEXTS[language])
    return fig


def _finish_axes(ax: Any, view: View) -> None:
    """Fit the axes to ``view``, with equal scales and no ticks."""
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
    view: View,
    detail: View,
    streets: Streets | None,
) -> None:
    """Small map of the whole day in the emptiest corner of the main map (not under the north arrow)."""
    pos = ax.get_position()
    fw, fh = fig.get_figwidth(), fig.get_figheight()
    side_in = min(fw * pos.width, fh * pos.height) * 0.34
    w, h = side_in / fw, side_in / fh
    stops = detail.to_xy(lonlat_of(route.stops))
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
        draw_streets(ov, streets, view, min_rank=2, scale=0.45)
    draw_route(ov, view, legs, lw=1.0, arrows=False)
    facilities(ov, view, route, view.width / (side_in * 72), size=0.6)
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
    for lab in labels:
        if lab.kind == "north":
            _mpl_north(ax, lab)
            continue
        kw: dict[str, Any] = {
            "transform": ax.transAxes,
            "fontsize": lab.size,
            "color": lab.colour,
            "ha": lab.ha,
            "va": "center",
            "rotation": lab.angle,
            "rotation_mode": "anchor",
            "zorder": 8,
            "clip_on": True,
        }
        ax.text(lab.x, lab.y, lab.text, **{**kw, **_mpl_style(lab, halo)})


def _mpl_style(lab: MapLabel, halo: list[Any]) -> dict[str, Any]:
    """What sets a label of this kind apart: weight, halo, box, colour, transparency."""
    if lab.kind == "street":
        return {"path_effects": halo}
    if lab.kind == "stop":
        shape = "circle,pad=0.25" if len(lab.text) <= 2 else "round,pad=0.25"
        box = {"boxstyle": shape, "fc": "white", "ec": lab.colour, "lw": 1.4}
        return {"color": "black", "fontweight": "bold", "bbox": box}
    if lab.kind in ("facility", "depot"):
        return {"fontweight": "bold", "path_effects": halo if lab.kind == "facility" else None}
    if lab.kind == "exit":
        box = {"boxstyle": "round,pad=0.2", "fc": "white", "ec": lab.colour, "lw": 0.8}
        return {"fontweight": "bold", "bbox": box}
    return {"alpha": 0.13, "fontweight": "bold", "zorder": 2}  # the watermark


def _mpl_north(ax: Any, lab: MapLabel) -> None:
    """The north arrow with its letter."""
    tr = ax.transAxes
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


def legend_items(trips: int, t: dict[str, str]) -> list[tuple[str, str, str]]:
    """The legend under a map as (symbol, colour, text): stop, depot, landfill, trips, return."""
    return [
        ("stop", "#000000", t["legend_stop"]),
        ("depot", DEPOT_COLOUR, t["legend_depot"]),
        ("landfill", LANDFILL_COLOUR, t["legend_landfill"]),
        *(("line", trip_colour(k), t["legend_trip"].format(k=k)) for k in range(1, trips + 1)),
        ("line", RETURN_COLOUR, t["legend_return"]),
    ]


def _legend_handle(symbol: str, colour: str, text: str) -> Line2D:
    """The matplotlib legend handle of one legend entry."""
    if symbol == "line":
        return Line2D([], [], color=colour, lw=2.2, label=text)
    if symbol == "stop":
        return Line2D([], [], ls="", marker="o", ms=7, mfc="white", mec=colour, mew=1.2, label=text)
    marker, size = ("s", 7) if symbol == "depot" else ("^", 8)
    return Line2D([], [], ls="", marker=marker, ms=size, mfc=colour, mec="white", label=text)


def _mpl_legend(fig: Figure, strip: float, plan: MapPlan, t: dict[str, str]) -> None:
    """Two lines under the map: symbols and trip colours; scale bar and attribution."""
    handles = [_legend_handle(*item) for item in legend_items(plan.trips, t)]
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
    fig.text(0.013 + plan.scale_frac, y, scale_text(plan.scale_m, t), fontsize=6.5, va="center")
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
    return raster(route_map(sol, route, language=language, height_mm=height_mm, trip=trip))


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


def raster(fig: Figure) -> Any:
    """Render ``fig`` with Agg and return it as an RGB PIL image."""
    from PIL import Image as PILImage  # pillow is a dependency of matplotlib

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return PILImage.fromarray(np.asarray(canvas.buffer_rgba())[:, :, :3].copy())
