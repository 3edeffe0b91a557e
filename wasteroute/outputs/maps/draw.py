"""Folium maps of a day's plan that people can read, and that work with no internet connection.

``overview_map`` draws the whole fleet (one layer per truck), ``truck_map`` one truck's day
(one layer per landfill trip, with direction arrows), and ``write_maps`` writes both kinds
to HTML files. Words are Bahasa Indonesia unless ``language="en"`` (the scenario's setting).

Where to look (the package :mod:`wasteroute.outputs.maps` names the entry points):

- this module: the layers, markers, popups and legend, and the page's offline assets;
- :mod:`~wasteroute.outputs.maps.palette`: a colour per truck, unlike for trucks working side by side;
- :mod:`~wasteroute.outputs.maps.browser`: the style sheet and our one script (stop numbers that appear
  only where they have room, landfill badges placed clear of the stops with a leader line, the
  legend's show-one-truck and highlight);
- :mod:`~wasteroute.outputs.maps.text`: the words in both languages.

Every file is self-contained: Leaflet and jQuery (folium's own popups call ``$``, so folium
elements added to these maps keep working) are read from the installed XStatic packages and
embedded inline in place of folium's CDN links, Leaflet's images become data: URLs,
and the depot and landfill icons are Font Awesome SVGs from XStatic-Font-Awesome put straight
into the markers. A browser fetches nothing but the optional OpenStreetMap tiles, and when
those fail (offline) the street network, drawn from the plan's road graph as a light base
layer, still shows where everything is.

Markers are drawn by one small script loop per layer over a JSON array rather than as one
folium element each: a city day has hundreds of stops, and folium compiles a template per
element.
"""

from __future__ import annotations

import base64
import functools
import html
import importlib
import itertools
import json
import logging
import math
import re
import weakref
from collections.abc import Iterable, Iterator, Sequence
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, cast

import folium
import networkx as nx
import numpy as np
import shapely
from branca.element import Element, Figure, MacroElement
from folium.map import FitBounds, Layer
from folium.template import Template

from ...config import Facility
from ...geometry import leg_coords
from ...solution import Route, Solution, Trip, Visit
from ...units import format_hhmm
from ..sheets.text import kind_name, long_date
from .browser import BEHAVIOUR_JS, MAP_CSS, Behaviour
from .palette import PALETTE, assign_colors, text_color
from .text import num, words

log = logging.getLogger("wasteroute")

__all__ = ["OSM_ATTRIBUTION", "PALETTE", "TRIP_DASHES", "external_assets", "overview_map",
           "truck_colors", "truck_map", "write_maps"]

OSM_ATTRIBUTION = "© OpenStreetMap contributors"
_OSM_ATTRIBUTION_HTML = (
    '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors')
_OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"

#: Stroke dash pattern of trip 1, 2, 3, ... (cycled): solid, dashed, dotted, dash-dot.
TRIP_DASHES = (None, "10 7", "2 7", "14 5 2 5")
_RETURN_DASH = "4 8"
_MAJOR_ROADS = frozenset({"motorway", "trunk", "primary", "secondary", "tertiary",
                          "motorway_link", "trunk_link", "primary_link", "secondary_link"})
_ARROW_EVERY_M = 400.0
_STREET_MARGIN = 0.15  # streets drawn this share of the map's extent beyond its edges
#: The overview numbers its stops from this zoom on (street level); below it they are dots.
#: A truck's own map numbers them at any zoom where they have room.
NUMBERS_FROM_ZOOM = 15
_CHIPS_PER_ROW = 5  # trucks per legend row on a wide screen (for the map's bottom padding)

Bounds = tuple[float, float, float, float]  # west, south, east, north
LonLat = tuple[float, float]


# ---------------------------------------------------------------------------- public API
def overview_map(sol: Solution, *, m: folium.Map | None = None, language: str = "id") -> folium.Map:
    """Draw every used truck's route, the facilities and the unassigned points.

    Parameters
    ----------
    sol
        The day's plan.
    m
        Map to draw on; a new offline map is made when none is given.
    language
        Words in Bahasa Indonesia ("id") or English ("en").

    Returns
    -------
    folium.Map
        The map, with one layer per truck, a layer control and a legend whose trucks can be
        highlighted (pointing) or shown alone (click).

    Raises
    ------
    InputError
        If ``language`` is not available.
    """
    t = words(language)
    routes = sol.used_routes()
    colors = truck_colors(sol)
    keys = _truck_keys(sol)
    bounds = _bounds(sol, routes, with_unassigned=True)
    rows = -(-len(routes) // _CHIPS_PER_ROW)
    fit = _latlon_bounds(bounds) if m is None else None
    m = m if m is not None else _new_map(sol, bounds, title=t["fleet"], legend_rows=rows)
    _base_layers(sol, m, bounds, language=language)
    layers: dict[str, folium.FeatureGroup] = {}
    for r in routes:
        color, key = colors[r.vehicle.id], keys[r.vehicle.id]
        group = folium.FeatureGroup(name=_truck_label(r, color, language)).add_to(m)
        layers[key] = group
        for seg in _segments(sol, r):
            _route_line(seg, r, color, key, t, language).add_to(group)
        marks = _Markers(group)
        _stop_markers(r, color, key, marks, t, language, sol.problem)
        _landfill_badges(r, color, key, marks, t, language)
    _facility_markers(sol, routes, m, language=language)
    _unassigned_layer(sol, m, show=True, t=t, language=language)
    _finish(sol, m, routes, colors, keys, t, language)
    Behaviour(overview=True, numbers_from=NUMBERS_FROM_ZOOM, trucks=layers, fit=fit).add_to(m)
    return m


def truck_map(sol: Solution, truck_id: str, *, m: folium.Map | None = None,
              language: str = "id") -> folium.Map:
    """Draw one truck's day: one layer per landfill trip, numbered stops, direction arrows.

    Parameters
    ----------
    sol
        The day's plan.
    truck_id
        The truck's id, as in the fleet file.
    m
        Map to draw on; a new offline map is made when none is given.
    language
        Words in Bahasa Indonesia ("id") or English ("en").

    Returns
    -------
    folium.Map
        The map; the landfill badges sit clear of the stops, with a leader line.

    Raises
    ------
    KeyError
        If the plan has no truck ``truck_id``.
    InputError
        If ``language`` is not available.
    """
    t = words(language)
    r = sol.route_of(truck_id)
    color, key = truck_colors(sol)[truck_id], _truck_keys(sol)[truck_id]
    bounds = _bounds(sol, [r], with_unassigned=False)
    fit = _latlon_bounds(bounds) if m is None else None
    m = m if m is not None else _new_map(sol, bounds, title=truck_id, legend_rows=1)
    _base_layers(sol, m, bounds, language=language)
    for seg in _segments(sol, r):
        name = t["trip"].format(k=seg.trip) if seg.trip else t["home"]
        group = folium.FeatureGroup(name=html.escape(f"{truck_id}: {name}")).add_to(m)
        _route_line(seg, r, color, key, t, language).add_to(group)
        _arrows(seg.coords, color, _Markers(group))
    marks = _Markers(folium.FeatureGroup(name=t["numbered_stops"]).add_to(m))
    _stop_markers(r, color, key, marks, t, language, sol.problem)
    _landfill_badges(r, color, key, marks, t, language)
    _facility_markers(sol, [r], m, language=language)
    _unassigned_layer(sol, m, show=False, t=t, language=language)
    _finish(sol, m, [r] if r.used else [], {truck_id: color}, {truck_id: key}, t, language)
    Behaviour(overview=False, numbers_from=0, trucks={}, fit=fit).add_to(m)
    return m


def write_maps(sol: Solution, out_dir: Path, *, language: str = "id") -> list[Path]:
    """Write ``overview.html`` and one ``truck_<ID>.html`` per used truck.

    Parameters
    ----------
    sol
        The day's plan.
    out_dir
        Folder to write to; made if missing.
    language
        Words in Bahasa Indonesia ("id") or English ("en").

    Returns
    -------
    list of Path
        The files written, overview first.

    Raises
    ------
    InputError
        If ``language`` is not available.
    """
    words(language)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, m in _all_maps(sol, language):
        text = m.get_root().render()
        external = external_assets(text)
        if external:  # a folium element with its own CDN links slipped in: say so, don't hide it
            log.warning("%s loads %d asset(s) from the internet: %s",
                        name, len(external), ", ".join(external))
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    total_kb = sum(p.stat().st_size for p in written) / 1024
    log.info("maps written: %d files, %.0f kB, in %s", len(written), total_kb, out_dir)
    return written


def truck_colors(sol: Solution) -> dict[str, str]:
    """A colour per truck of the plan, the same on every map of the day; trucks that work side by
    side get colours that are easy to tell apart (:func:`~wasteroute.outputs.maps.palette.assign_colors`)."""
    if _last_colors[0] is not sol.routes:  # the same routes (one day's maps): the same colours
        _last_colors[:] = [sol.routes, assign_colors(sol)]
    return dict(_last_colors[1])


_last_colors: list[Any] = [None, {}]


def external_assets(text: str) -> list[str]:
    """Web URLs an HTML page loads as scripts, style sheets, images or CSS ``url()``/``@import``.

    Links (``<a href>``) and tile URL templates inside scripts are not assets and are not listed.
    """
    parser = _AssetParser()
    parser.feed(text)
    css = re.findall(r"""(?:url\(\s*["']?|@import\s+["'])((?:https?:)?//[^"')\s]+)""", text)
    return parser.urls + css


def _all_maps(sol: Solution, language: str) -> Iterator[tuple[str, folium.Map]]:
    """File name and map, one at a time (a city day has dozens of trucks)."""
    yield "overview.html", overview_map(sol, language=language)
    for r in sol.used_routes():
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", r.vehicle.id)
        yield f"truck_{name}.html", truck_map(sol, r.vehicle.id, language=language)


def _truck_keys(sol: Solution) -> dict[str, str]:
    """The CSS class of each truck's lines and markers: ``wr-k<n>`` by fleet position (ids may
    hold any character, and two ids could clean up to the same class)."""
    return {r.vehicle.id: f"wr-k{i}" for i, r in enumerate(sol.routes)}


# ---------------------------------------------------------------------------- the canvas
def _new_map(sol: Solution, bounds: Bounds, *, title: str, legend_rows: int) -> folium.Map:
    """A map fitted to ``bounds`` between notice and legend; fractional zoom lets a city fill it."""
    west, south, east, north = bounds
    m = folium.Map(location=[(south + north) / 2, (west + east) / 2], zoom_start=14, tiles=None,
                   control_scale=True, zoom_snap=0.25)
    _figure(m).title = html.escape(f"wasteroute {sol.problem.date}: {title}")  # folium writes it raw
    top = 140 if sol.problem.synthetic_network else 20  # the notice is two or three lines
    fit = FitBounds([[south, west], [north, east]], padding_top_left=(20, top),
                    padding_bottom_right=(20, min(260, 110 + 24 * legend_rows)))
    # Not animated: an opening zoom still running would move the markers under the map's script.
    fit.options["animate"] = False
    m.add_child(fit)
    return m


def _base_layers(sol: Solution, m: folium.Map, bounds: Bounds, *, language: str = "id") -> None:
    """Offline assets, the street layer and the optional OpenStreetMap tiles."""
    t = words(language)
    _make_offline(m)
    folium.TileLayer(_OSM_TILES, attr=_OSM_ATTRIBUTION_HTML, max_zoom=19,
                     name=t["tiles"], overlay=True, show=True).add_to(m)
    if sol.graph is not None:
        _StreetLayer(_streets_geojson(sol.graph, bounds), name=t["streets"]).add_to(m)


def _make_offline(m: folium.Map) -> None:
    """Replace folium's CDN links with Leaflet, jQuery, the maps' CSS and script embedded inline."""
    m.default_js = []  # instance attributes: folium's class lists stay as they are for other maps
    m.default_css = []
    header = _figure(m).header
    header.add_child(Element(f"<style>{_leaflet_css()}</style>"), name="wr_leaflet_css")
    for package, file in (("jquery", "jquery.min.js"), ("leaflet", "leaflet.js")):
        script = Element(f"<script>{_asset_text(package, file)}</script>")
        header.add_child(script, name=f"wr_{package}")
    header.add_child(Element(f"<style>{MAP_CSS}</style>"), name="wr_css")
    header.add_child(Element(f"<script>{BEHAVIOUR_JS}</script>"), name="wr_behaviour_js")


def _finish(sol: Solution, m: folium.Map, routes: Sequence[Route], colors: dict[str, str],
            keys: dict[str, str], t: dict[str, str], language: str) -> None:
    """Legend, notice, attribution and layer control: the parts every map has."""
    legend = _legend_html(sol, routes, colors, keys, t, language)
    _Control(legend, position="bottomleft", css_class="wr-legend").add_to(m)
    if sol.problem.synthetic_network:
        _Control(f"<b>{t['notice_label']}</b> {html.escape(t['notice'])}", position="topleft",
                 css_class="wr-notice").add_to(m)
    _Attribution(_OSM_ATTRIBUTION_HTML).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)


# ---------------------------------------------------------------------------- assets
def _xstatic_dir(package: str) -> Path:
    return Path(importlib.import_module(f"xstatic.pkg.{package}").BASE_DIR)


@functools.cache
def _asset_text(package: str, name: str) -> str:
    """A JS or CSS file of an XStatic package, without its source-map comment."""
    text = (_xstatic_dir(package) / name).read_text(encoding="utf-8")
    text = re.sub(r"^\s*/[/*]# sourceMappingURL=\S*(\s*\*/)?\s*$", "", text, flags=re.MULTILINE)
    # "</script" inside the code would end the inline <script> early.
    return re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE)


@functools.cache
def _leaflet_css() -> str:
    """Leaflet's CSS with its images (layer-control icon, default marker) as data: URLs."""
    images = _xstatic_dir("leaflet") / "images"

    def inline(match: re.Match[str]) -> str:
        data = base64.b64encode((images / match.group(1)).read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    return re.sub(r"url\(images/([\w.-]+\.png)\)", inline, _asset_text("leaflet", "leaflet.css"))


@functools.cache
def _fa_svg(name: str) -> str:
    """A Font Awesome Free solid icon (CC BY 4.0, credit kept in its comment) as SVG markup."""
    path = _xstatic_dir("font_awesome") / "svgs" / "solid" / f"{name}.svg"
    return path.read_text(encoding="utf-8").strip()


def _script_json(value: Any) -> str:
    """JSON that is safe inside an inline ``<script>``."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "<\\u0021--")


# ---------------------------------------------------------------------------- routes
class _Segment:
    """Part of a route drawn in one style: a trip up to its landfill, or the drive home."""

    def __init__(self, trip: int, visits: Sequence[Visit], coords: list[LonLat]) -> None:
        self.trip = trip  # 0 for the drive back to the depot
        self.visits = tuple(visits)
        self.coords = coords


def _segments(sol: Solution, r: Route) -> list[_Segment]:
    """Cut a route at its landfill visits: trip 1, trip 2, ..., and the drive home."""
    if not r.used:
        return []
    cuts = [0] + [k for k, v in enumerate(r.visits) if v.kind == "landfill"] + [len(r.visits) - 1]
    segs = []
    for n, (a, b) in enumerate(itertools.pairwise(cuts), start=1):
        if b <= a:  # a broken-down truck (re-plan) whose route ends at the landfill: no drive home
            continue
        visits = r.visits[a:b + 1]
        coords: list[LonLat] = []
        for x, y in itertools.pairwise(visits):
            leg = leg_coords(sol, x, y, r.vehicle)
            coords.extend(leg if not coords else leg[1:])
        segs.append(_Segment(n if visits[-1].kind == "landfill" else 0, visits, coords))
    return segs


def _route_line(seg: _Segment, r: Route, color: str, key: str, t: dict[str, str],
                language: str) -> folium.PolyLine:
    first, last = seg.visits[0], seg.visits[-1]
    km = num(sum(v.leg_distance_m for v in seg.visits[1:]) / 1000, 1, language)
    what = t["trip_stops"].format(k=seg.trip, n=len(seg.visits) - 2) if seg.trip else t["home"]
    when = f"{format_hhmm(first.departure_s)}–{format_hhmm(last.arrival_s)}"
    tip = f"{r.vehicle.id} {what}: {km} km, {when}"
    dash = TRIP_DASHES[(seg.trip - 1) % len(TRIP_DASHES)] if seg.trip else _RETURN_DASH
    return folium.PolyLine(_latlon(seg.coords), color=color, weight=4 if seg.trip else 2.5,
                           opacity=0.85, dash_array=dash, tooltip=_template_literal_safe(tip),
                           class_name=f"wr-route wr-t {key} wr-truck-{_css_safe(r.vehicle.id)}")


def _stop_markers(r: Route, color: str, key: str, marks: _Markers, t: dict[str, str],
                  language: str, problem: Any = None) -> None:
    """Numbered markers for the collection points, in the order of the day (dots until zoomed in)."""
    trip_of = {v.id: tr.number for tr in r.trips for v in tr.stops}
    ink = text_color(color)
    for n, v in enumerate(r.stops, start=1):
        marks.add(v.lat, v.lon, f'<div class="wr-stop" style="background:{color};color:{ink}">{n}</div>',
                  size=(22, 22), anchor=(11, 11), tip=html.escape(f"{n}. {v.name}"),
                  popup=_stop_popup(n, v, r, trip_of.get(v.id, 0), t, language, problem),
                  cls=f"wr-t {key}", kind="stop")


def _stop_popup(n: int, v: Visit, r: Route, trip: int, t: dict[str, str], language: str,
                problem: Any = None) -> str:
    p = v.point
    wait = t["wait"].format(time=format_hhmm(v.start_s)) if v.wait_s else ""
    load = t["load_of"].format(load=num(v.load_after_m3, 2, language),
                               cap=num(r.vehicle.capacity_l / 1000, 1, language))
    return _popup(f"{n}. {v.name}", [
        (t["id"], v.id),
        (t["kelurahan"], p.kelurahan if p else ""),
        (t["kind"], kind_name(p.kind, language, problem) if p else ""),
        (t["volume"], f"{num(p.volume_m3, 2, language)} m³" if p else ""),
        (t["arrival"], format_hhmm(v.arrival_s) + wait),
        (t["leaves"], format_hhmm(v.departure_s)),
        (t["load_after"], load),
        (t["truck"], t["truck_trip"].format(truck=r.vehicle.id, k=trip)),
    ])


def _arrows(coords: Sequence[LonLat], color: str, marks: _Markers) -> None:
    """Small arrowheads along a line, every few hundred metres, in the driving direction."""
    for lon, lat, bearing in _arrow_points(coords, _ARROW_EVERY_M):
        svg = (f'<svg viewBox="0 0 12 12" width="12" height="12" '
               f'style="transform:rotate({bearing:.0f}deg)">'
               f'<path d="M6 0L12 12L6 9L0 12Z" fill="{color}" stroke="#fff"/></svg>')
        marks.add(lat, lon, svg, size=(12, 12), anchor=(6, 6))


def _arrow_points(coords: Sequence[LonLat], every_m: float) -> list[tuple[float, float, float]]:
    """(lon, lat, bearing°) every ``every_m`` metres along a line, the first half a step in."""
    out = []
    next_at, walked = every_m / 2, 0.0
    for (x0, y0), (x1, y1) in itertools.pairwise(coords):
        dx = (x1 - x0) * 111_320 * math.cos(math.radians(y0))
        dy = (y1 - y0) * 110_540
        step = math.hypot(dx, dy)
        while step > 0 and walked + step > next_at:
            f = (next_at - walked) / step
            bearing = math.degrees(math.atan2(dx, dy)) % 360
            out.append((x0 + f * (x1 - x0), y0 + f * (y1 - y0), bearing))
            next_at += every_m
        walked += step
    return out


# ---------------------------------------------------------------------------- facilities
def _facility_markers(sol: Solution, routes: Sequence[Route], m: folium.Map, *,
                      language: str = "id") -> None:
    """Depot and landfill icons, with each truck's times there in the popup."""
    t = words(language)
    marks = _Markers(folium.FeatureGroup(name=t["facilities"]).add_to(m))
    d = sol.problem.depot
    rows = [(r.vehicle.id, t["out_back"].format(out=format_hhmm(r.start_s), back=format_hhmm(r.end_s)))
            for r in routes]
    _facility_icon(marks, d, "warehouse", "wr-depot",
                   _popup(t["depot_title"].format(name=d.name), _approx(d, t) + rows))
    for lf in sol.problem.landfills:
        trips = sorted(((r.vehicle.id, tr) for r in routes for tr in r.trips
                        if tr.landfill.id == lf.id), key=lambda x: x[1].landfill.arrival_s)
        rows = [(t["hours"], f"{format_hhmm(lf.opens_s)}–{format_hhmm(lf.closes_s)}"), *_approx(lf, t)]
        rows += [(vid, _visit_text(tr, t, language)) for vid, tr in trips]
        _facility_icon(marks, lf, "dumpster", "wr-landfill",
                       _popup(t["landfill_title"].format(name=lf.name), rows))


def _visit_text(tr: Trip, t: dict[str, str], language: str) -> str:
    return t["visit"].format(k=tr.number, time=format_hhmm(tr.landfill.arrival_s),
                             m3=num(tr.volume_m3, 1, language))


def _facility_icon(marks: _Markers, fac: Facility, icon: str, css_class: str, popup: str) -> None:
    marks.add(fac.lat, fac.lon, f'<div class="wr-fac {css_class}">{_fa_svg(icon)}</div>',
              size=(30, 30), anchor=(15, 15), tip=html.escape(fac.name), popup=popup, z=1000,
              kind="facility")


def _approx(fac: Facility, t: dict[str, str]) -> list[tuple[str, str]]:
    if not fac.approximate:
        return []
    return [(t["location"], t["approximate"] + (f": {fac.note}" if fac.note else ""))]


def _landfill_badges(r: Route, color: str, key: str, marks: _Markers, t: dict[str, str],
                     language: str) -> None:
    """One label per landfill the truck visits: its trips there and their arrival times.

    The browser script places each label clear of the stop markers, with a leader line back to
    the landfill (:mod:`~wasteroute.outputs.maps.browser`); on the overview only the label of a
    truck shown alone appears.
    """
    by_landfill: dict[str, list[Trip]] = {}
    for tr in r.trips:
        by_landfill.setdefault(tr.landfill.id, []).append(tr)
    for trips in by_landfill.values():
        lines = "<br>".join(html.escape(t["badge"].format(k=tr.number, time=format_hhmm(tr.landfill.arrival_s)))
                            for tr in trips)
        lf = trips[0].landfill
        icon = ('<svg class="wr-leader" width="1" height="1"><line x1="0" y1="0" x2="26" y2="0"/></svg>'
                f'<div class="wr-badge" style="border-left-color:{color}"><b>{html.escape(r.vehicle.id)}'
                f"</b><br>{lines}</div>")
        marks.add(lf.lat, lf.lon, icon, anchor=(0, 0), popup=_landfill_popup(r, trips, t, language),
                  z=3000, cls=f"wr-badge-pin wr-t {key}", kind="badge")


def _landfill_popup(r: Route, trips: Sequence[Trip], t: dict[str, str], language: str) -> str:
    rows = []
    for tr in trips:
        lf = tr.landfill
        text = t["unload"].format(arrive=format_hhmm(lf.arrival_s), start=format_hhmm(lf.start_s),
                                  end=format_hhmm(lf.departure_s), m3=num(tr.volume_m3, 1, language),
                                  n=len(tr.stops))
        rows.append((t["trip_title"].format(k=tr.number), text))
    return _popup(t["at_landfill"].format(truck=r.vehicle.id, name=trips[0].landfill.name), rows)


# ---------------------------------------------------------------------------- unassigned
def _unassigned_layer(sol: Solution, m: folium.Map, *, show: bool, t: dict[str, str],
                      language: str) -> None:
    """Grey dots for the points no truck serves, with the reason in the popup."""
    points = sol.unassigned_points()
    if not points:
        return
    group = folium.FeatureGroup(name=t["unassigned_layer"].format(n=len(points)), show=show).add_to(m)
    marks = _Markers(group)
    for p in points:
        rows = [(t["id"], p.id), (t["kelurahan"], p.kelurahan),
                (t["kind"], kind_name(p.kind, language, sol.problem)),
                (t["volume"], f"{num(p.volume_m3, 2, language)} m³"), (t["reason"], sol.unassigned[p.id])]
        marks.add(p.lat, p.lon, '<div class="wr-unassigned"></div>', size=(16, 16), anchor=(8, 8),
                  tip=html.escape(t["unassigned_tip"].format(name=p.name)),
                  popup=_popup(t["unassigned_title"].format(name=p.name), rows))


# ---------------------------------------------------------------------------- streets
_StreetLines = list[tuple[bool, Bounds, str]]  # major road?, bounding box, JSON of the coordinates
_street_cache: weakref.WeakKeyDictionary[nx.MultiDiGraph, _StreetLines] = (
    weakref.WeakKeyDictionary())


def _street_lines(graph: nx.MultiDiGraph) -> _StreetLines:
    """The streets as merged, simplified lines (each two-way street once); cached per graph."""
    if graph not in _street_cache:
        lines: dict[bool, list[Any]] = {True: [], False: []}
        seen: set[tuple[Any, Any, Any]] = set()
        for u, v, k, d in graph.edges(keys=True, data=True):
            if (v, u, k) in seen:
                continue
            seen.add((u, v, k))
            geom = d.get("geometry")
            ends = (graph.nodes[u], graph.nodes[v])
            coords = geom.coords if geom is not None else [(n["x"], n["y"]) for n in ends]
            lines[_is_major(d.get("highway"))].append(shapely.LineString(coords))
        out: _StreetLines = []
        for major, group in lines.items():
            merged = shapely.simplify(shapely.line_merge(shapely.MultiLineString(group)), 1e-5)
            for g in getattr(merged, "geoms", [merged]):
                c = np.round(np.asarray(g.coords), 5)
                if len(c) > 1:
                    box = (float(c[:, 0].min()), float(c[:, 1].min()),
                           float(c[:, 0].max()), float(c[:, 1].max()))
                    out.append((major, box, _script_json(c.tolist())))
        _street_cache[graph] = out
    return _street_cache[graph]


def _is_major(highway: Any) -> bool:
    values = highway if isinstance(highway, (list, tuple, set)) else [highway]
    return any(str(h) in _MAJOR_ROADS for h in values)


def _streets_geojson(graph: nx.MultiDiGraph, bounds: Bounds) -> str:
    """Compact GeoJSON of the streets near ``bounds``: a minor and a major MultiLineString."""
    west, south, east, north = bounds
    mx, my = (east - west) * _STREET_MARGIN + 0.005, (north - south) * _STREET_MARGIN + 0.005
    feats = []
    for major in (False, True):
        parts = ",".join(text for mj, (x0, y0, x1, y1), text in _street_lines(graph)
                         if mj == major and x1 >= west - mx and x0 <= east + mx
                         and y1 >= south - my and y0 <= north + my)
        feats.append(f'{{"type":"Feature","properties":{{"major":{str(major).lower()}}},'
                     f'"geometry":{{"type":"MultiLineString","coordinates":[{parts}]}}}}')
    return f'{{"type":"FeatureCollection","features":[{",".join(feats)}]}}'


# ---------------------------------------------------------------------------- legend
def _legend_html(sol: Solution, routes: Sequence[Route], colors: dict[str, str],
                 keys: dict[str, str], t: dict[str, str], language: str) -> str:
    """Title, one button per truck (several per row), line and symbol keys, the OSM credit."""
    name = sol.meta.get("scenario", "wasteroute")
    title = html.escape(f"{name} · {long_date(sol.problem.date, language)}")
    chips = "".join(_chip(r, colors[r.vehicle.id], keys[r.vehicle.id], t, language) for r in routes)
    if len(routes) > 1:
        trucks = (f'<div class="wr-help">{html.escape(t["legend_help"])}'
                  f'<button type="button" class="wr-all">{html.escape(t["show_all"])}</button></div>'
                  f'<div class="wr-chips">{chips}</div>')
    else:
        trucks = "".join(f'<div class="wr-kpi"><span class="wr-swatch" style="background:{colors[r.vehicle.id]}">'
                         f"</span>{html.escape(_chip_title(r, t, language))}</div>" for r in routes)
    lines = "".join(_line_key(dash, t["trip"].format(k=n), 3)
                    for n, dash in enumerate(TRIP_DASHES[:3], start=1))
    facilities = (("wr-depot", "warehouse", t["depot"]), ("wr-landfill", "dumpster", t["landfill"]))
    icons = "".join(f'<span class="wr-key"><span class="wr-fac {cls} wr-mini">'
                    f"{_fa_svg(icon)}</span> {html.escape(label)}</span>" for cls, icon, label in facilities)
    icons += (f'<span class="wr-key"><span class="wr-dot"></span> '
              f"{html.escape(t['unassigned_key'].format(n=len(sol.unassigned)))}</span>")
    return (f'<details open><summary class="wr-legend-title">{title}</summary>{trucks}'
            f"<div>{lines}{_line_key(_RETURN_DASH, t['to_depot'], 2)}</div><div>{icons}</div>"
            f'<div class="wr-attrib">{html.escape(t["streets_credit"])}: {OSM_ATTRIBUTION}</div></details>')


def _chip(r: Route, color: str, key: str, t: dict[str, str], language: str) -> str:
    """A truck's legend button: swatch, id and km; its figures in the button's tooltip."""
    return (f'<button type="button" class="wr-chip" data-k="{key}" aria-pressed="false" '
            f'title="{html.escape(_chip_title(r, t, language))}">{_chip_body(r, color, language)}</button>')


def _chip_body(r: Route, color: str, language: str) -> str:
    return (f'<span class="wr-swatch" style="background:{color}"></span>{html.escape(r.vehicle.id)} '
            f"<small>{num(r.distance_m / 1000, 1, language)} km</small>")


def _chip_title(r: Route, t: dict[str, str], language: str) -> str:
    return t["chip_title"].format(
        truck=r.vehicle.id, label=r.vehicle.label, km=num(r.distance_m / 1000, 1, language),
        hours=num(r.duration_s / 3600, 1, language), trips=len(r.trips), stops=len(r.stops),
        m3=num(r.volume_m3, 1, language), start=format_hhmm(r.start_s), end=format_hhmm(r.end_s))


def _line_key(dash: str | None, label: str, width: int) -> str:
    return (f'<span class="wr-key"><svg width="30" height="8"><line x1="1" y1="4" x2="29" y2="4" '
            f'stroke="#333" stroke-width="{width}" stroke-dasharray="{dash or "none"}"/></svg> '
            f"{html.escape(label)}</span>")


# ---------------------------------------------------------------------------- small helpers
def _popup(title: str, rows: Iterable[tuple[str, str]]) -> str:
    body = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
                   for k, v in rows if v != "")
    return f'<div class="wr-popup"><b>{html.escape(title)}</b><table>{body}</table></div>'


def _template_literal_safe(text: str) -> str:
    """``text`` escaped for HTML inside a JavaScript template literal (folium's tooltips are
    `...` strings, where a backquote, ``${`` or a backslash would end or break the string)."""
    return html.escape(text).replace("\\", "&#92;").replace("`", "&#96;").replace("$", "&#36;")


def _truck_label(r: Route, color: str, language: str) -> str:
    return (f'<span class="wr-swatch" style="background:{color}"></span> '
            f"{html.escape(r.vehicle.id)} · {html.escape(r.vehicle.label)} · "
            f"{num(r.distance_m / 1000, 1, language)} km")


def _bounds(sol: Solution, routes: Sequence[Route], *, with_unassigned: bool) -> Bounds:
    pts = [(f.lon, f.lat) for f in (sol.problem.depot, *sol.problem.landfills)]
    pts += [(v.lon, v.lat) for r in routes for v in r.visits]
    if with_unassigned:
        pts += [(p.lon, p.lat) for p in sol.unassigned_points()]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return min(xs), min(ys), max(xs), max(ys)


def _latlon_bounds(bounds: Bounds) -> list[list[float]]:
    west, south, east, north = bounds
    return [[south, west], [north, east]]


def _latlon(coords: Iterable[LonLat]) -> list[tuple[float, float]]:
    """Folium wants (lat, lon); the package keeps (lon, lat) everywhere else. 5 decimals ≈ 1 m."""
    return [(round(y, 5), round(x, 5)) for x, y in coords]


def _figure(m: folium.Map) -> Figure:
    return cast(Figure, m.get_root())


def _css_safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)


class _AssetParser(HTMLParser):
    """Collect web URLs of ``<script src>``, ``<img src>``, ``<iframe src>`` and ``<link href>``."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        url = a.get("src") if tag in ("script", "img", "iframe") else None
        url = a.get("href") if tag == "link" else url
        if url and re.match(r"(?:https?:)?//", url.strip()):
            self.urls.append(url)


# ---------------------------------------------------------------------------- folium elements
class _Markers(MacroElement):  # type: ignore[misc]
    """Many HTML (DivIcon) markers on ``layer``, drawn by one loop over a JSON array."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this.data() }}.forEach(function (d) {
            var mk = L.marker([d.lat, d.lon], {
                icon: L.divIcon({html: d.icon, className: "wr-divicon" + (d.cls ? " " + d.cls : ""),
                                 iconSize: d.size || null, iconAnchor: d.anchor}),
                interactive: Boolean(d.tip || d.popup), keyboard: false, zIndexOffset: d.z || 0,
                wrKind: d.kind || null});
            if (d.tip) { mk.bindTooltip(d.tip); }
            if (d.popup) { mk.bindPopup(d.popup, {maxWidth: 340}); }
            mk.addTo({{ this._parent.get_name() }});
        });
        {% endmacro %}
        """)

    def __init__(self, layer: Element) -> None:
        super().__init__()
        self._name = "Markers"
        self.items: list[dict[str, Any]] = []
        self.add_to(layer)

    def add(self, lat: float, lon: float, icon: str, *, anchor: tuple[int, int],
            size: tuple[int, int] | None = None, tip: str = "", popup: str = "",
            z: int = 0, cls: str = "", kind: str = "") -> None:
        """Add a marker; ``icon``, ``tip`` and ``popup`` are HTML, already escaped.

        ``cls`` adds CSS classes to the marker's element; ``kind`` ("stop", "badge") tells the
        browser script which markers to number or place.
        """
        item = {"lat": round(lat, 6), "lon": round(lon, 6), "icon": icon, "anchor": anchor}
        options = {"size": size, "tip": tip, "popup": popup, "z": z, "cls": cls, "kind": kind}
        self.items.append(item | {k: v for k, v in options.items() if v})

    def data(self) -> str:
        return _script_json(self.items)


class _StreetLayer(Layer):  # type: ignore[misc]
    """The road graph as thin grey lines in a pane between the tiles and the routes, not clickable.

    Its own pane keeps the streets under the routes when the layer is switched off and on.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        if (!{{ this._parent.get_name() }}.getPane("wrStreets")) {
            {{ this._parent.get_name() }}.createPane("wrStreets").style.zIndex = 350;
        }
        var {{ this.get_name() }} = L.geoJSON({{ this.data }}, {
            interactive: false, pane: "wrStreets",
            style: function (f) { return f.properties.major
                ? {color: "#8c8c8c", weight: 2.5, opacity: 0.9}
                : {color: "#a9a9a9", weight: 1.2, opacity: 0.9}; }
        });
        {% endmacro %}
        """)

    def __init__(self, data: str, *, name: str) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "StreetLayer"
        self.data = data


class _Control(MacroElement):  # type: ignore[misc]
    """Static HTML, literal in the page, shown as a Leaflet control in a corner of the map."""

    _template = Template("""
        {% macro html(this, kwargs) %}
        <div id="{{ this.get_name() }}" class="{{ this.css_class }}">{{ this.content }}</div>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }}_ctl = L.control({position: {{ this.position|tojson }}});
        {{ this.get_name() }}_ctl.onAdd = function () {
            var div = document.getElementById({{ this.get_name()|tojson }});
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
        };
        {{ this.get_name() }}_ctl.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """)

    def __init__(self, content: str, *, position: str, css_class: str) -> None:
        super().__init__()
        self._name = "Control"
        self.content = content
        self.position = position
        self.css_class = css_class


class _Attribution(MacroElement):  # type: ignore[misc]
    """An attribution that stays when the tile layer is off (the streets are OSM data too)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.text|tojson }});
        {% endmacro %}
        """)

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Attribution"
        self.text = text
