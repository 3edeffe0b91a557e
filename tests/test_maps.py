"""Folium maps: offline HTML, attribution, notice, layers, popups; and a headless-browser check.

The plan is the Aguascalientes test scenario (a real OSM extract with generated points, four
trucks, two points set aside because the fleet cannot haul them), solved once for the module.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import folium
import networkx as nx
import pytest
import shapely

from wasteroute.errors import InputError
from wasteroute.outputs import maps
from wasteroute.outputs.map_text import WORDS, num
from wasteroute.scenario import Scenario
from wasteroute.solution import GENERATED_NOTICE, Solution
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
    return maps.overview_map(sol)


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
    truck_html = maps.truck_map(sol, sol.used_routes()[0].vehicle.id).get_root().render()
    for text in (overview_html, truck_html):
        assert maps.external_assets(text) == []
        assert not re.search(r"<script[^>]*\ssrc=", text)
        assert not re.search(r"<link[^>]*stylesheet", text)
        assert "Leaflet 1.9.3" in text and "jQuery v3" in text  # inlined from the XStatic packages
        assert "url(data:image/png;base64," in text  # Leaflet's layer-control icon
        assert "sourceMappingURL" not in text


def test_external_assets_sees_folium_cdn_links() -> None:
    """The checker itself: a plain folium map loads Leaflet and Bootstrap from CDNs."""
    found = maps.external_assets(folium.Map().get_root().render())
    assert any("leaflet" in u for u in found) and any("bootstrap" in u for u in found)
    assert maps.external_assets('<a href="https://osm.org">x</a><style>a{}</style>') == []
    css = "<style>@import 'https://x.org/a.css';</style>"
    assert maps.external_assets(css) == ["https://x.org/a.css"]


def test_folium_defaults_stay_unchanged_for_other_maps(overview: folium.Map) -> None:
    assert overview.default_js == [] and overview.default_css == []
    assert any(name == "leaflet" for name, _ in folium.Map.default_js)


def test_script_json_cannot_end_the_script_or_open_a_comment() -> None:
    text = maps._script_json(["</script><!-- x", "m³"])
    assert "</" not in text and "<!--" not in text and "m³" in text
    assert json.loads(text) == ["</script><!-- x", "m³"]


# ---------------------------------------------------------------------------- honesty
def test_osm_attribution_is_on_every_map(sol: Solution, overview_html: str) -> None:
    truck_html = maps.truck_map(sol, sol.used_routes()[-1].vehicle.id).get_root().render()
    for text in (overview_html, truck_html):
        assert maps.OSM_ATTRIBUTION in text
        assert "attributionControl.addAttribution(" in text  # stays when the tiles are off


def test_generated_notice_iff_synthetic_network(sol: Solution, overview_html: str) -> None:
    """In the map's language: Bahasa Indonesia by default, the plan's own English notice in English."""
    notice_id = html.escape(WORDS["id"]["notice"])
    assert notice_id not in overview_html and 'class="wr-notice"' not in overview_html
    fake = _synthetic(sol)
    truck = sol.used_routes()[0].vehicle.id
    for m in (maps.overview_map(fake), maps.truck_map(fake, truck)):
        text = m.get_root().render()
        assert notice_id in text and 'class="wr-notice"' in text and "SINTETIS" in text
    english = maps.truck_map(fake, truck, language="en").get_root().render()
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
    colors = maps.truck_colors(sol)
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
    text = maps.truck_map(sol, r.vehicle.id, language="en").get_root().render()
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
    colors = maps.truck_colors(sol)
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
        maps.truck_map(sol, "XX-99")


def test_renderer_draws_on_a_given_map(sol: Solution) -> None:
    m = folium.Map(tiles=None)
    assert maps.overview_map(sol, m=m) is m
    assert maps.external_assets(m.get_root().render()) == []


def test_without_a_road_graph_lines_are_straight_and_no_streets(sol: Solution) -> None:
    text = maps.overview_map(dataclasses.replace(sol, graph=None)).get_root().render()
    assert "L.geoJSON(" not in text
    assert _route_lines(text) == sum(len(r.trips) + 1 for r in sol.used_routes())


def test_write_maps_writes_overview_and_truck_files(sol: Solution, tmp_path: Path) -> None:
    paths = maps.write_maps(sol, tmp_path / "maps")
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
    doc = json.loads(maps._streets_geojson(g, (9.0, -11.0, 11.0, -9.0)))
    minor, major = doc["features"]
    assert minor["properties"] == {"major": False} and major["properties"] == {"major": True}
    assert minor["geometry"]["coordinates"] == [[[10.12346, -10.0], [10.0, -10.0]]]
    # The middle point of the straight primary road is simplified away.
    assert major["geometry"]["coordinates"] == [[[10.0, -10.0], [10.0, -10.01]]]
    far = json.loads(maps._streets_geojson(g, (50.0, 50.0, 51.0, 51.0)))
    assert all(f["geometry"]["coordinates"] == [] for f in far["features"])


def test_arrow_points_every_400_m_pointing_along_the_line() -> None:
    """A 1 km line due north (about 0.009046° of latitude): arrows at 200 m and 600 m."""
    north = maps._arrow_points([(0.0, 0.0), (0.0, 1000 / 110_540)], 400)
    assert [round(lat * 110_540) for _, lat, _ in north] == [200, 600]
    assert all(b == pytest.approx(0.0) for *_, b in north)
    east = maps._arrow_points([(0.0, 0.0), (1000 / 111_320, 0.0)], 400)
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
    text = maps.overview_map(_synthetic(sol)).get_root().render()
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
    assert maps.OSM_ATTRIBUTION in seen["attribution"]
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
    pages = {"overview": maps.overview_map(evil).get_root().render(),
             "truck": maps.truck_map(evil, _EVIL_ID).get_root().render()}
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
