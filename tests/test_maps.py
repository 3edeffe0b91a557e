"""Folium maps: offline HTML, attribution, notice, layers, popups; and a headless-browser check.

The plan is the Aguascalientes test scenario (a real OSM extract with generated points, four
trucks, two points set aside because the fleet cannot haul them), solved once for the module.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import folium
import networkx as nx
import numpy as np
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st

from wasteroute.errors import InputError
from wasteroute.outputs.maps import draw, palette
from wasteroute.outputs.maps.text import WORDS, num
from wasteroute.scenario import Scenario
from wasteroute.solution import GENERATED_NOTICE, Route, Solution
from wasteroute.units import format_hhmm

SCENARIO = Path(__file__).parent / "data" / "aguascalientes" / "scenario.toml"


@pytest.fixture(scope="module")
def sol() -> Solution:
    """The test scenario's plan for a Tuesday."""
    plan = Scenario.from_toml(SCENARIO).replace(date=dt.date(2026, 11, 24)).solve()
    assert plan.used_routes() and plan.unassigned, "the fixture needs routes and unassigned points"
    return plan


@pytest.fixture(scope="module")
def overview(sol: Solution) -> folium.Map:
    return draw.overview_map(sol)


@pytest.fixture(scope="module")
def overview_html(overview: folium.Map) -> str:
    return overview.get_root().render()


def _synthetic(sol: Solution) -> Solution:
    return dataclasses.replace(sol, problem=sol.problem.replace(synthetic_network=True))


def _markers(text: str) -> list[dict[str, Any]]:
    """The HTML markers of a page: each layer draws its markers from one JSON array."""
    arrays = re.findall(r"^\s*(\[.*\])\.forEach\(function \(d\) \{$", text, re.MULTILINE)
    return [item for a in arrays for item in json.loads(a)]


def _with_class(text: str, css_class: str) -> list[dict[str, Any]]:
    return [d for d in _markers(text) if f'class="{css_class}' in d["icon"]]


def _route_lines(text: str) -> int:
    return text.count('"className": "wr-route ')


# ---------------------------------------------------------------------------- offline
def test_maps_fetch_no_script_or_style_from_the_web(sol: Solution, overview_html: str) -> None:
    truck_html = draw.truck_map(sol, sol.used_routes()[0].vehicle.id).get_root().render()
    for text in (overview_html, truck_html):
        assert draw.external_assets(text) == []
        assert not re.search(r"<script[^>]*\ssrc=", text)
        assert not re.search(r"<link[^>]*stylesheet", text)
        assert "Leaflet 1.9.3" in text and "jQuery v3" in text  # inlined from the XStatic packages
        assert "url(data:image/png;base64," in text  # Leaflet's layer-control icon
        assert "sourceMappingURL" not in text


def test_external_assets_sees_folium_cdn_links() -> None:
    """The checker itself: a plain folium map loads Leaflet and Bootstrap from CDNs."""
    found = draw.external_assets(folium.Map().get_root().render())
    assert any("leaflet" in u for u in found) and any("bootstrap" in u for u in found)
    assert draw.external_assets('<a href="https://osm.org">x</a><style>a{}</style>') == []
    css = "<style>@import 'https://x.org/a.css';</style>"
    assert draw.external_assets(css) == ["https://x.org/a.css"]


def test_folium_defaults_stay_unchanged_for_other_maps(overview: folium.Map) -> None:
    assert overview.default_js == [] and overview.default_css == []
    assert any(name == "leaflet" for name, _ in folium.Map.default_js)


def test_script_json_cannot_end_the_script_or_open_a_comment() -> None:
    text = draw._script_json(["</script><!-- x", "m³"])
    assert "</" not in text and "<!--" not in text and "m³" in text
    assert json.loads(text) == ["</script><!-- x", "m³"]


# ---------------------------------------------------------------------------- honesty
def test_osm_attribution_is_on_every_map(sol: Solution, overview_html: str) -> None:
    truck_html = draw.truck_map(sol, sol.used_routes()[-1].vehicle.id).get_root().render()
    for text in (overview_html, truck_html):
        assert draw.OSM_ATTRIBUTION in text
        assert "attributionControl.addAttribution(" in text  # stays when the tiles are off


def test_generated_notice_iff_synthetic_network(sol: Solution, overview_html: str) -> None:
    """In the map's language: Bahasa Indonesia by default, the plan's own English notice in English."""
    notice_id = html.escape(WORDS["id"]["notice"])
    assert notice_id not in overview_html and 'class="wr-notice"' not in overview_html
    fake = _synthetic(sol)
    truck = sol.used_routes()[0].vehicle.id
    for m in (draw.overview_map(fake), draw.truck_map(fake, truck)):
        text = m.get_root().render()
        assert notice_id in text and 'class="wr-notice"' in text and "SINTETIS" in text
    english = draw.truck_map(fake, truck, language="en").get_root().render()
    assert html.escape(GENERATED_NOTICE) in english and "<b>NOTICE</b>" in english


# ---------------------------------------------------------------------------- content
def test_one_layer_per_used_truck(sol: Solution, overview: folium.Map, overview_html: str) -> None:
    groups = [c for c in overview._children.values() if isinstance(c, folium.FeatureGroup)]
    names = [g.layer_name for g in groups]
    used = [r.vehicle.id for r in sol.used_routes()]
    for vid in used:
        assert sum(f" {vid} · " in n for n in names) == 1
        assert f"wr-truck-{vid}" in overview_html
        assert f'data-k="wr-k{[r.vehicle.id for r in sol.routes].index(vid)}"' in overview_html
    colors = draw.truck_colors(sol)
    assert len({colors[v] for v in used}) == len(used)


def test_route_lines_one_per_trip_and_one_home(sol: Solution, overview_html: str) -> None:
    assert _route_lines(overview_html) == sum(len(r.trips) + 1 for r in sol.used_routes())
    assert '"dashArray": "10 7"' in overview_html  # trip 2 is dashed


def test_unassigned_points_are_drawn_with_their_reason(sol: Solution, overview_html: str) -> None:
    dots = _with_class(overview_html, "wr-unassigned")
    assert len(dots) == len(sol.unassigned)
    for p in sol.unassigned_points():
        dot = next(d for d in dots if (d["lat"], d["lon"]) == (round(p.lat, 6), round(p.lon, 6)))
        assert html.escape(p.id) in dot["popup"]
        assert html.escape(sol.unassigned[p.id]) in dot["popup"]
    assert f"Tidak terlayani ({len(sol.unassigned)})" in overview_html


def test_numbered_stop_popups(sol: Solution, overview_html: str) -> None:
    """Name, kelurahan, kind, volume, arrival, load after and truck are in each stop's popup,
    in Bahasa Indonesia with decimal commas; every stop marker is a "stop" for the browser script."""
    stops = _with_class(overview_html, "wr-stop")
    assert len(stops) == sum(len(r.stops) for r in sol.used_routes())
    assert all(d["kind"] == "stop" and d["cls"].startswith("wr-t wr-k") for d in stops)
    r = sol.used_routes()[0]
    v = r.stops[1]
    assert v.point is not None
    head = f'<div class="wr-popup"><b>2. {html.escape(v.name)}</b>'
    popup = next(d["popup"] for d in stops if d["popup"].startswith(head))
    for text in (v.point.kelurahan, f"{num(v.point.volume_m3, 2, 'id')} m³", "Muatan sesudahnya",
                 format_hhmm(v.arrival_s), f"{num(v.load_after_m3, 2, 'id')} dari", f"{r.vehicle.id}, rit "):
        assert html.escape(text) in popup


def test_landfill_visits_are_labelled_with_trip_and_time(sol: Solution) -> None:
    """One badge per landfill the truck visits, a line per trip, a leader line back to the landfill."""
    r = sol.used_routes()[0]
    text = draw.truck_map(sol, r.vehicle.id, language="en").get_root().render()
    badges = [d for d in _markers(text) if d.get("kind") == "badge"]
    assert len(badges) == len({t.landfill.id for t in r.trips}) == 1
    badge = badges[0]
    assert '<svg class="wr-leader"' in badge["icon"] and badge["anchor"] == [0, 0]
    for t in r.trips:
        assert f"trip {t.number} {format_hhmm(t.landfill.arrival_s)}" in badge["icon"]
        assert f"{t.volume_m3:.1f} m³" in badge["popup"]
    assert len(_with_class(text, "wr-fac wr-landfill")) == 1
    assert len(_with_class(text, "wr-fac wr-depot")) == 1


def test_legend_lists_each_used_truck_with_km(sol: Solution, overview_html: str) -> None:
    """A button per truck: its colour, id and km, its day's figures in the tooltip."""
    legend = overview_html[overview_html.index('class="wr-legend"'):]
    colors = draw.truck_colors(sol)
    for r in sol.used_routes():
        km = num(r.distance_m / 1000, 1, "id")
        chip = re.search(rf'<button type="button" class="wr-chip" data-k="wr-k\d+" aria-pressed="false" '
                         rf'title="([^"]*)"><span class="wr-swatch" style="background:{colors[r.vehicle.id]}">'
                         rf"</span>{re.escape(r.vehicle.id)} <small>{re.escape(km)} km</small></button>", legend)
        assert chip, r.vehicle.id
        assert f"{len(r.stops)} titik" in chip.group(1) and f"{len(r.trips)} rit" in chip.group(1)
    assert '<button type="button" class="wr-all">Semua</button>' in legend


def test_truck_map_of_unknown_truck_raises(sol: Solution) -> None:
    with pytest.raises(KeyError, match="no truck 'XX-99'"):
        draw.truck_map(sol, "XX-99")


def test_renderer_draws_on_a_given_map(sol: Solution) -> None:
    m = folium.Map(tiles=None)
    assert draw.overview_map(sol, m=m) is m
    assert draw.external_assets(m.get_root().render()) == []


def test_without_a_road_graph_lines_are_straight_and_no_streets(sol: Solution) -> None:
    text = draw.overview_map(dataclasses.replace(sol, graph=None)).get_root().render()
    assert "L.geoJSON(" not in text
    assert _route_lines(text) == sum(len(r.trips) + 1 for r in sol.used_routes())


def test_write_maps_writes_overview_and_truck_files(sol: Solution, tmp_path: Path) -> None:
    paths = draw.write_maps(sol, tmp_path / "maps")
    names = [p.name for p in paths]
    assert names == ["overview.html"] + [f"truck_{r.vehicle.id}.html" for r in sol.used_routes()]
    assert all(p.stat().st_size < 2_000_000 for p in paths)


# ---------------------------------------------------------------------------- helpers
def test_streets_two_way_once_rounded_and_by_class() -> None:
    """Three nodes: a two-way residential street A-B (both directions) and a primary road B-C."""
    g = nx.MultiDiGraph()
    g.add_node(1, x=10.1234567, y=-10.0)
    g.add_node(2, x=10.0, y=-10.0)
    g.add_node(3, x=10.0, y=-10.01)
    g.add_edge(1, 2, highway="residential")
    g.add_edge(2, 1, highway="residential")
    g.add_edge(2, 3, highway=["primary", "secondary"],
               geometry=shapely.LineString([(10.0, -10.0), (10.0, -10.005), (10.0, -10.01)]))
    doc = json.loads(draw._streets_geojson(g, (9.0, -11.0, 11.0, -9.0)))
    minor, major = doc["features"]
    assert minor["properties"] == {"major": False} and major["properties"] == {"major": True}
    assert minor["geometry"]["coordinates"] == [[[10.12346, -10.0], [10.0, -10.0]]]
    # The middle point of the straight primary road is simplified away.
    assert major["geometry"]["coordinates"] == [[[10.0, -10.0], [10.0, -10.01]]]
    far = json.loads(draw._streets_geojson(g, (50.0, 50.0, 51.0, 51.0)))
    assert all(f["geometry"]["coordinates"] == [] for f in far["features"])


def test_arrow_points_every_400_m_pointing_along_the_line() -> None:
    """A 1 km line due north (about 0.009046° of latitude): arrows at 200 m and 600 m."""
    north = draw._arrow_points([(0.0, 0.0), (0.0, 1000 / 110_540)], 400)
    assert [round(lat * 110_540) for _, lat, _ in north] == [200, 600]
    assert all(b == pytest.approx(0.0) for *_, b in north)
    east = draw._arrow_points([(0.0, 0.0), (1000 / 111_320, 0.0)], 400)
    assert all(b == pytest.approx(90.0) for *_, b in east)


# ---------------------------------------------------------------------------- browser
# Put first in <head>: records script errors and failed downloads, then after load writes
# what the page shows into <pre id="wr-probe"> for --dump-dom to hand back.
_PROBE = """<script>
var wrSeen = {errors: [], failed: []};
window.addEventListener("error", function (e) {
  var t = e.target;
  if (t && t !== window && (t.src || t.href)) { wrSeen.failed.push(t.src || t.href); }
  else { wrSeen.errors.push(e.message + " at " + e.filename + ":" + e.lineno); }
}, true);
window.addEventListener("unhandledrejection", function (e) {
  wrSeen.errors.push("rejection: " + e.reason);
});
window.addEventListener("load", function () { setTimeout(function () {
  var q = function (s) { return document.querySelectorAll(s); };
  var trucks = Array.from(q("path.wr-route")).map(function (p) {
    return Array.from(p.classList).filter(function (c) { return c.indexOf("wr-truck-") === 0; })[0];
  });
  var pre = document.createElement("pre");
  pre.id = "wr-probe";
  pre.textContent = JSON.stringify({errors: wrSeen.errors, failed: wrSeen.failed,
    maps: q(".leaflet-container").length, routes: q("path.wr-route").length,
    trucks: Array.from(new Set(trucks)).sort(), stops: q(".wr-stop").length,
    unassigned: q(".wr-unassigned").length, legend: q(".wr-legend.leaflet-control").length,
    notice: q(".wr-notice.leaflet-control").length, tiles: q("img.leaflet-tile").length,
    attribution: (q(".leaflet-control-attribution")[0] || {}).textContent || ""});
  document.body.appendChild(pre);
}, 300); });
</script>"""


def _chromium(exe: str, profile: Path, page: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium on a file, with every network request refused by a dead proxy."""
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={profile}", "--proxy-server=127.0.0.1:9",
           "--proxy-bypass-list=<-loopback>", "--enable-logging=stderr", "--v=0",
           "--window-size=1400,900", "--virtual-time-budget=3000", *args, page.as_uri()]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=True)


@pytest.mark.browser
def test_overview_renders_offline_in_headless_chromium(sol: Solution, tmp_path: Path) -> None:
    """No script errors or console messages; map, routes, stops, legend, notice, attribution."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.skip("needs Chromium (Debian package chromium)")
    text = draw.overview_map(_synthetic(sol)).get_root().render()
    page, probed = tmp_path / "overview.html", tmp_path / "probed.html"
    page.write_text(text, encoding="utf-8")
    probed.write_text(text.replace("<head>", "<head>" + _PROBE, 1), encoding="utf-8")

    run = _chromium(exe, tmp_path / "profile", probed, "--dump-dom")
    found = re.search(r'<pre id="wr-probe">(.*?)</pre>', run.stdout, re.DOTALL)
    assert found, "the page did not finish loading"
    seen = json.loads(html.unescape(found.group(1)))
    console = [line for line in run.stderr.splitlines() if ":CONSOLE" in line]
    assert seen["errors"] == [] and console == []
    used = sol.used_routes()
    assert seen["maps"] == 1 and seen["legend"] == 1 and seen["notice"] == 1
    assert seen["routes"] == sum(len(r.trips) + 1 for r in used)
    assert seen["trucks"] == sorted(f"wr-truck-{r.vehicle.id}" for r in used)
    assert seen["stops"] == sum(len(r.stops) for r in used)
    assert seen["unassigned"] == len(sol.unassigned)
    assert draw.OSM_ATTRIBUTION in seen["attribution"]
    assert seen["tiles"] > 0  # the tile layer tried, and failing offline raised no error
    assert all(u.startswith("https://tile.openstreetmap.org/") for u in seen["failed"])

    # For a person to look at: WASTEROUTE_SCREENSHOT_DIR=/some/dir pytest -m browser
    shot = Path(os.environ.get("WASTEROUTE_SCREENSHOT_DIR", tmp_path)) / "overview_offline.png"
    _chromium(exe, tmp_path / "profile", page, f"--screenshot={shot}")
    assert shot.stat().st_size > 20_000


# ---------------------------------------------------------------------------- hostile names
_EVIL_ID = 'DT-01"><script>alert(1)</script>`${alert(2)}`\\'
_EVIL_NAME = '<script>alert("x")</script>"'


def _hostile(sol: Solution) -> Solution:
    """The plan with its first used truck renamed ``_EVIL_ID`` and every point called ``_EVIL_NAME``."""
    first = sol.used_routes()[0].vehicle.id
    routes = []
    for r in sol.routes:
        vehicle = dataclasses.replace(r.vehicle, id=_EVIL_ID, label=_EVIL_NAME) if r.vehicle.id == first else r.vehicle
        visits = tuple(dataclasses.replace(v, name=_EVIL_NAME) if v.kind == "point" else v for v in r.visits)
        routes.append(dataclasses.replace(r, vehicle=vehicle, visits=visits))
    excluded = tuple(dataclasses.replace(p, name=_EVIL_NAME) for p in sol.problem.excluded)
    return dataclasses.replace(sol, routes=tuple(routes), problem=sol.problem.replace(excluded=excluded))


def test_truck_id_and_point_names_are_escaped_everywhere(sol: Solution) -> None:
    """A truck id and point names holding markup, quotes, a backquote and ``${`` stay text in the
    <title>, the legend, the layer names, the route tooltips (JavaScript template literals) and
    the marker tooltips and popups of both the overview and the truck's own map."""
    evil = _hostile(sol)
    pages = {"overview": draw.overview_map(evil).get_root().render(),
             "truck": draw.truck_map(evil, _EVIL_ID).get_root().render()}
    title = re.search(r"<title>(.*?)</title>", pages["truck"], re.DOTALL)
    assert title is not None and html.escape(_EVIL_ID) in title.group(1)
    for text in pages.values():
        assert "<script>alert" not in text  # (``${`` is harmless inside JSON strings)
        tooltips = re.findall(r"bindTooltip\(\s*`(.*?)`,", text, re.DOTALL)
        assert tooltips and any("DT-01&quot;&gt;&lt;script&gt;" in t for t in tooltips)
        assert all("`" not in t and "${" not in t and "\\" not in t for t in tooltips)
        for d in _markers(text):
            for key in ("tip", "popup"):
                assert _EVIL_NAME not in d.get(key, "") and "<script" not in d.get(key, "")
        assert any(html.escape(_EVIL_NAME) in d.get("popup", "") for d in _markers(text))
    legend = pages["overview"][pages["overview"].index('class="wr-legend"'):]
    assert f"</span>{html.escape(_EVIL_ID)} <small>" in legend
    assert 'data-k="wr-k' in legend and "wr-truck-DT-01__" in pages["overview"]


# ---------------------------------------------------------------------------- palette
def test_palette_colours_are_unlike_for_every_kind_of_vision() -> None:
    """The first eight (Okabe-Ito) stay at least ΔE 15 apart in normal, protan and deutan vision."""
    de = palette.worst_delta_e(palette.PALETTE)
    assert de.shape == (16, 16) and np.allclose(de, de.T) and np.allclose(np.diag(de), 0)
    first = de[:8, :8] + np.eye(8) * 1e9
    assert first.min() > 15
    assert len(set(palette.PALETTE)) == len(palette.PALETTE)


def test_proximity_is_the_share_of_stops_near_the_other_truck() -> None:
    """Truck A: two stops 100 m apart; B: one stop 50 m east of A's first; C: 5 km away."""
    m = 1 / 111_320  # degrees of longitude per metre at the equator
    a = np.array([(0.0, 0.0), (100 * m, 0.0)])
    b = np.array([(-50 * m, 0.0)])
    c = np.array([(5000 * m, 0.0)])
    w = palette.proximity([a, b, c, np.empty((0, 2))], near_m=80)
    assert w[0, 1] == w[1, 0] == pytest.approx(2 / 3)  # A's first stop and B's stop
    assert w[0, 2] == w[1, 2] == w[2, 3] == 0 and np.all(np.diag(w) == 0)


@given(st.lists(st.lists(st.integers(0, 11), min_size=0, max_size=5), min_size=1, max_size=14))
def test_greedy_colouring_gives_neighbours_different_colours(adjacency: list[list[int]]) -> None:
    """Any proximity graph whose trucks have fewer neighbours than the palette has colours."""
    n = len(adjacency)
    w = np.zeros((n, n))
    for i, near in enumerate(adjacency):
        for j in near:
            if j < n and j != i:
                w[i, j] = w[j, i] = 0.1 + 0.05 * ((i + j) % 5)
    likeness = palette.palette_distance(palette.PALETTE)
    picks = palette.color_graph(w, likeness)
    assert len(picks) == n and all(0 <= p < len(palette.PALETTE) for p in picks)
    for i in range(n):
        for j in range(i + 1, n):
            if w[i, j] > 0:
                assert picks[i] != picks[j]


def test_trucks_side_by_side_get_unlike_colours() -> None:
    """Two trucks working the same streets never get colours that one kind of vision confuses,
    though a third, far away, may share a colour with one of them."""
    likeness = palette.palette_distance(palette.PALETTE)
    w = np.array([[0, 0.9, 0], [0.9, 0, 0], [0, 0, 0]], dtype=float)
    picks = palette.color_graph(w, likeness)
    pal = [palette.PALETTE[k] for k in picks]
    assert palette.worst_delta_e(pal)[0, 1] >= palette.UNLIKE_DE


def test_truck_colours_are_the_same_on_every_map(sol: Solution, overview_html: str) -> None:
    """The overview's line colour of each truck is its colour on its own map and in the legend."""
    colors = draw.truck_colors(sol)
    assert draw.truck_colors(sol) == colors and set(colors) == {r.vehicle.id for r in sol.routes}
    for r in sol.used_routes():
        text = draw.truck_map(sol, r.vehicle.id).get_root().render()
        assert f'"color": "{colors[r.vehicle.id]}"' in text
        assert f'background:{colors[r.vehicle.id]}' in overview_html


def test_text_colour_reads_on_light_and_dark_markers() -> None:
    assert palette.text_color("#e69f00") == "#000" and palette.text_color("#332288") == "#fff"


# ---------------------------------------------------------------------------- language
def test_maps_speak_english_when_asked_and_refuse_unknown_languages(sol: Solution, tmp_path: Path) -> None:
    r = sol.used_routes()[0]
    text = draw.overview_map(sol, language="en").get_root().render()
    assert "Point at a truck to highlight it" in text and ">All</button>" in text
    assert f"Unassigned ({len(sol.unassigned)})" in text and "Arahkan" not in text
    truck = draw.truck_map(sol, r.vehicle.id, language="en").get_root().render()
    assert f"{r.vehicle.id}: trip 1" in truck and "Numbered stops" in truck
    with pytest.raises(InputError, match="map language 'fr' is not available; use one of id, en"):
        draw.write_maps(sol, tmp_path, language="fr")
    assert not list(tmp_path.iterdir())


# ---------------------------------------------------------------------------- what a user sees
# The bundled Kupang day (34 trucks, about 470 stops on the generated street network) in a real
# headless Chromium driven by Selenium, with every network request refused by a dead proxy.
# WASTEROUTE_SCREENSHOT_DIR=docs/img pytest -m browser -k kupang  rewrites the pictures in docs/img.
KUPANG = Path(__file__).parents[1] / "data" / "kupang" / "scenario.toml"
_CITY_ZOOM_MAX = 13.5  # the overview of the whole city opens at about 12
_STREET_ZOOM = 16.0
_ERRORS_PROBE = """window.wrErrors = [];
window.addEventListener("error", function (e) {
  if (!(e.target && e.target !== window && (e.target.src || e.target.href))) {
    window.wrErrors.push(e.message + " at " + e.filename + ":" + e.lineno);
  }
}, true);
window.addEventListener("unhandledrejection", function (e) { window.wrErrors.push("rejection: " + e.reason); });"""
# Screen rectangles (left, top, right, bottom) of the elements a selector finds, on screen only.
_RECTS_JS = """return Array.from(document.querySelectorAll(arguments[0])).map(function (e) {
  var r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom];
}).filter(function (r) { return r[2] > r[0] && r[3] > 0 && r[1] < innerHeight && r[2] > 0 && r[0] < innerWidth; });"""


@pytest.fixture(scope="module")
def kupang_maps(tmp_path_factory: pytest.TempPathFactory) -> tuple[Solution, Path]:
    """The Kupang day's maps as ``write_maps`` writes them (first solution: quick, all 34 trucks)."""
    sc = Scenario.from_toml(KUPANG).replace(date=dt.date(2026, 11, 24))
    plan = sc.replace(solver=dataclasses.replace(sc.solver, solution_limit=1, time_limit_s=120)).solve()
    assert len(plan.used_routes()) >= 30 and plan.problem.synthetic_network
    folder = tmp_path_factory.mktemp("kupang_maps")
    draw.write_maps(plan, folder)
    return plan, folder


@pytest.fixture(scope="module")
def browser() -> Any:
    """Headless Chromium from Debian's packages, through its chromedriver (nothing downloaded)."""
    exe, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if exe is None or driver is None:
        pytest.skip("needs Chromium and chromedriver (Debian packages chromium, chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    opts = Options()
    opts.binary_location = exe
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                 "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>", "--window-size=1400,900"):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    d = webdriver.Chrome(service=Service(driver), options=opts)
    d.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _ERRORS_PROBE})
    yield d
    d.quit()


def _open(d: Any, page: Path) -> str:
    """Load ``page``, wait for the map's script, return the map's JavaScript name."""
    from selenium.webdriver.support.ui import WebDriverWait

    d.get_log("browser")  # forget the previous page's messages
    d.get(page.as_uri())
    WebDriverWait(d, 30).until(lambda drv: drv.execute_script(
        "return document.readyState === 'complete' && Object.keys(window).some(function (k) {"
        " return k.indexOf('map_') === 0 && window[k] && window[k].wr && !window[k]._animatingZoom; });"))
    return str(d.execute_script(
        "return Object.keys(window).filter(function (k) { return k.indexOf('map_') === 0 && window[k].wr; })[0];"))


def _errors(d: Any) -> list[str]:
    """Script errors and console messages; the refused OpenStreetMap tiles are expected offline."""
    logged = [e["message"] for e in d.get_log("browser")
              if not (e.get("source") == "network" and "tile.openstreetmap.org/" in e["message"])]
    return list(d.execute_script("return window.wrErrors;")) + logged


def _settle(d: Any, name: str, js: str) -> None:
    """Run ``js`` on the map ``m``, then let two frames pass and the map's script catch up."""
    d.execute_script(f"var m = window[{json.dumps(name)}]; {js};")
    d.execute_async_script(
        "var done = arguments[arguments.length - 1]; requestAnimationFrame(function () {"
        f" requestAnimationFrame(function () {{ window[{json.dumps(name)}].wr.refresh(); done(); }}); }});")


def _overlaps(a: list[float], b: list[float]) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > 0.5 and min(a[3], b[3]) - max(a[1], b[1]) > 0.5


def _shot(d: Any, name: str) -> None:
    folder = os.environ.get("WASTEROUTE_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        assert d.save_screenshot(str(Path(folder) / name))


def _densest_stop(sol: Solution) -> tuple[float, float]:
    """(lat, lon) of the stop with the most other stops within 300 m: the dense centre."""
    xy = np.array([(v.lon * 109_600, v.lat * 110_540) for r in sol.used_routes() for v in r.stops])
    near = (np.linalg.norm(xy[:, None] - xy[None], axis=2) < 300).sum(axis=1)
    lon, lat = xy[int(near.argmax())] / (109_600, 110_540)
    return float(lat), float(lon)


@pytest.mark.browser
def test_kupang_overview_at_city_zoom_is_calm_and_its_legend_fits(browser: Any, kupang_maps: Any) -> None:
    """Opened as is: no script errors, dots without numbers, every truck in a legend that needs
    no scrolling and sits inside the window, the OSM credit and the generated-data notice shown."""
    sol, folder = kupang_maps
    d = browser
    name = _open(d, folder / "overview.html")
    assert d.execute_script(f"return window[{json.dumps(name)}].getZoom();") <= _CITY_ZOOM_MAX
    seen = d.execute_script("""var q = function (s) { return document.querySelectorAll(s); };
      var legend = q(".wr-legend")[0], r = legend.getBoundingClientRect();
      return {stops: q(".wr-stop").length, numbered: q(".wr-num").length, chips: q(".wr-chip").length,
              scroll: [legend.scrollHeight, legend.clientHeight, legend.scrollWidth, legend.clientWidth],
              rect: [r.left, r.top, r.right, r.bottom], view: [innerWidth, innerHeight],
              notice: (q(".wr-notice")[0] || {}).textContent || "",
              attribution: q(".leaflet-control-attribution")[0].textContent};""")
    assert _errors(d) == []
    assert seen["stops"] == sum(len(r.stops) for r in sol.used_routes())
    assert seen["numbered"] == 0  # a city of dots, not a pile of numbers
    assert seen["chips"] == len(sol.used_routes())
    height, client_h, width, client_w = seen["scroll"]
    assert height <= client_h and width <= client_w, "the legend needs scrolling"
    left, top, right, bottom = seen["rect"]
    assert left >= 0 and top >= 0 and right <= seen["view"][0] and bottom <= seen["view"][1]
    assert draw.OSM_ATTRIBUTION in seen["attribution"] and "SINTETIS" in seen["notice"]
    _shot(d, "map-city.png")


@pytest.mark.browser
def test_kupang_overview_at_street_zoom_numbers_stops_without_overlap(browser: Any, kupang_maps: Any) -> None:
    """Zoomed to the street in the densest part of the city: most stops in view carry their number,
    and no two numbered markers overlap."""
    sol, folder = kupang_maps
    d = browser
    name = _open(d, folder / "overview.html")
    lat, lon = _densest_stop(sol)
    _settle(d, name, f"m.setView([{lat}, {lon}], {_STREET_ZOOM}, {{animate: false}})")
    numbered = d.execute_script(_RECTS_JS, ".wr-num .wr-stop")
    dots = d.execute_script(_RECTS_JS, ".wr-divicon:not(.wr-num) .wr-stop")
    assert _errors(d) == []
    assert len(numbered) >= 5 and len(numbered) >= 3 * len(dots)
    assert not any(_overlaps(a, b) for i, a in enumerate(numbered) for b in numbered[i + 1:])
    texts = d.execute_script("return Array.from(document.querySelectorAll('.wr-num .wr-stop'))"
                             ".map(function (e) { return e.textContent; });")
    assert all(t.isdigit() for t in texts)
    _shot(d, "map-street.png")


@pytest.mark.browser
def test_kupang_legend_shows_one_truck_alone_and_all_again(browser: Any, kupang_maps: Any) -> None:
    """Pointing at a truck dims the others; clicking it removes the other trucks' layers (lines,
    stops) and shows its landfill badge clear of its stops; "Semua" brings every truck back."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    sol, folder = kupang_maps
    d = browser
    _open(d, folder / "overview.html")
    keys = {r.vehicle.id: f"wr-k{i}" for i, r in enumerate(sol.routes)}
    r = max(sol.used_routes(), key=lambda x: len(x.stops))
    key = keys[r.vehicle.id]
    chip = d.find_element(By.CSS_SELECTOR, f'.wr-chip[data-k="{key}"]')
    count = "return document.querySelectorAll(arguments[0]).length;"
    others = f".wr-t:not(.{key})"
    ActionChains(d).move_to_element(chip).perform()
    opacity = d.execute_script(f"return getComputedStyle(document.querySelector('{others}')).opacity;")
    mine = d.execute_script(f"return getComputedStyle(document.querySelector('.wr-t.{key}')).opacity;")
    assert float(opacity) < 0.3 and float(mine) == 1.0
    assert d.execute_script(_RECTS_JS, ".wr-badge") == []  # all trucks' badges at once would be a wall

    chip.click()
    assert d.execute_script(count, others) == 0
    assert d.execute_script(count, f"path.wr-route.{key}") == len(r.trips) + 1
    assert d.execute_script(count, f".{key} .wr-stop") == len(r.stops)
    assert chip.get_attribute("aria-pressed") == "true"
    badges = d.execute_script(_RECTS_JS, ".wr-badge")
    assert len(badges) == len({t.landfill.id for t in r.trips})
    stops = d.execute_script(_RECTS_JS, ".wr-stop")
    assert not any(_overlaps(b, s) for b in badges for s in stops)

    d.find_element(By.CSS_SELECTOR, ".wr-all").click()
    assert d.execute_script(count, "path.wr-route") == sum(len(x.trips) + 1 for x in sol.used_routes())
    chip.click()
    chip.click()  # a second click on the same truck shows all again
    assert d.execute_script(count, ".wr-stop") == sum(len(x.stops) for x in sol.used_routes())
    assert _errors(d) == []


@pytest.mark.browser
def test_kupang_truck_maps_badges_never_cover_stops(browser: Any, kupang_maps: Any) -> None:
    """On the maps of the trucks with stops nearest the landfill, opened as is and zoomed to the
    landfill at street level, no landfill badge covers a stop marker, the depot or the landfill."""
    sol, folder = kupang_maps
    d = browser
    lf = sol.problem.landfills[0]

    def nearest_m(r: Route) -> float:
        return min(math.hypot((v.lon - lf.lon) * 109_600, (v.lat - lf.lat) * 110_540) for v in r.stops)

    hardest = sorted(sol.used_routes(), key=nearest_m)[:4]
    for r in hardest:
        name = _open(d, folder / f"truck_{r.vehicle.id}.html")
        for zoom in (None, 15.0, _STREET_ZOOM):
            if zoom is not None:
                _settle(d, name, f"m.setView([{lf.lat}, {lf.lon}], {zoom}, {{animate: false}})")
            badges = d.execute_script(_RECTS_JS, ".wr-badge")
            assert badges, (r.vehicle.id, zoom)
            covered = d.execute_script(_RECTS_JS, ".wr-stop, .wr-fac:not(.wr-mini)")
            assert not any(_overlaps(b, s) for b in badges for s in covered), (r.vehicle.id, zoom)
            line = d.execute_script("var l = document.querySelector('.wr-leader line');"
                                    "return [+l.getAttribute('x2'), +l.getAttribute('y2')];")
            assert math.hypot(*line) > 0  # the leader line reaches the badge
            if r is hardest[0] and zoom is None:
                _shot(d, "map-truck.png")
        assert _errors(d) == []


@pytest.mark.browser
def test_kupang_overview_in_a_small_frame_folds_the_legend(browser: Any, kupang_maps: Any) -> None:
    """In a window the size of the web app's map frame, the legend folds to its title so the city
    fills the map; opened, it still fits without scrolling."""
    from selenium.webdriver.common.by import By

    sol, folder = kupang_maps
    d = browser
    d.set_window_size(900, 700)
    try:
        _open(d, folder / "overview.html")
        state = "var l = document.querySelector('.wr-legend'), r = l.getBoundingClientRect(); " \
                "return [l.querySelector('details').open, l.scrollHeight <= l.clientHeight, " \
                "r.top >= 0 && r.bottom <= innerHeight && r.right <= innerWidth];"
        assert d.execute_script(state) == [False, True, True]
        stops = d.execute_script(_RECTS_JS, ".wr-stop")
        assert len(stops) == sum(len(r.stops) for r in sol.used_routes())
        height = max(s[3] for s in stops) - min(s[1] for s in stops)
        assert height >= 0.5 * d.execute_script("return innerHeight;")
        d.find_element(By.CSS_SELECTOR, ".wr-legend summary").click()
        assert d.execute_script(state) == [True, True, True]
        assert _errors(d) == []
    finally:
        d.set_window_size(1400, 900)


def test_the_entry_points_load_their_module_on_first_use() -> None:
    """The package names its entry points but loads folium only when one is used: the web
    pages share the maps' words (maps.text) without it."""
    code = (
        "import sys\n"
        "import wasteroute.outputs.maps, wasteroute.outputs.maps.text\n"
        "print(sorted(m for m in ('folium', 'wasteroute.outputs.maps.draw') if m in sys.modules))\n"
        "from wasteroute.outputs.maps import overview_map, write_maps\n"
        "print(overview_map.__module__, write_maps.__module__, 'folium' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1]).stdout.splitlines()
    assert out == ["[]", "wasteroute.outputs.maps.draw wasteroute.outputs.maps.draw True"]
