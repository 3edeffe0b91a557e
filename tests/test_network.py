"""Tests of ``wasteroute.network``: files, download and cache, speeds, the routable part.

The download path runs against a stand-in Overpass server on 127.0.0.1; nothing here
touches the internet.
"""

from __future__ import annotations

import json
import logging
import math
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import osmium
import osmnx as ox
import pytest
import shapely
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st
from shapely.geometry import box

from wasteroute.config import NetworkSettings
from wasteroute.errors import InputError, NetworkError
from wasteroute.network import (
    LoadedNetwork,
    RoutableReport,
    add_speeds_and_times,
    cache_folder,
    download_cache_path,
    download_graph,
    graph_from_file,
    keep_routable,
    load_network,
    nearest_nodes,
    parse_maxspeed_kph,
    way_passes,
)

OSM_DATA = Path(__file__).parent / "data" / "osm"
WEST_OAKLAND = OSM_DATA / "west_oakland_us.osm.bz2"
CAMPO_GRANDE = OSM_DATA / "campo_grande_br_clean.osm.bz2"

#: Great-circle length of 0.001 degree along the equator or a meridian (osmnx's earth radius).
STEP_M = 6_371_009 * math.radians(0.001)
MPH_30_KPH = 30 * 1.609344
MPH_10_KPH = 10 * 1.609344
DRIVE_CLASSES = {
    "motorway", "trunk", "primary", "secondary", "tertiary", "unclassified", "residential",
    "living_street", "road", "busway",
}  # fmt: skip


# --------------------------------------------------------------------------- tiny fixture

TINY_OSM = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="hand">
  <node id="1" lat="0.000" lon="0.000" version="1"/>
  <node id="2" lat="0.000" lon="0.001" version="1"/>
  <node id="3" lat="0.000" lon="0.002" version="1"/>
  <node id="4" lat="0.001" lon="0.002" version="1"/>
  <node id="5" lat="0.001" lon="0.001" version="1"/>
  <node id="6" lat="0.000" lon="0.003" version="1"/>
  <node id="7" lat="-0.001" lon="0.001" version="1"/>
  <node id="8" lat="0.001" lon="0.000" version="1"/>
  <way id="10" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="residential"/><tag k="name" v="Jalan A"/><tag k="maxspeed" v="10 mph"/>{syn}
  </way>
  <way id="11" version="1"><nd ref="3"/><nd ref="4"/>
    <tag k="highway" v="tertiary"/><tag k="name" v="Jalan B"/><tag k="oneway" v="yes"/>
    <tag k="maxspeed" v="fast"/>{syn}
  </way>
  <way id="12" version="1"><nd ref="4"/><nd ref="5"/><nd ref="2"/>
    <tag k="highway" v="residential"/><tag k="name" v="Jalan C"/>{syn}
  </way>
  <way id="13" version="1"><nd ref="6"/><nd ref="3"/>
    <tag k="highway" v="unclassified"/><tag k="oneway" v="-1"/>{syn}
  </way>
  <way id="14" version="1"><nd ref="2"/><nd ref="7"/>
    <tag k="highway" v="footway"/>{syn}
  </way>
  <way id="15" version="1"><nd ref="1"/><nd ref="8"/>
    <tag k="highway" v="residential"/><tag k="access" v="private"/>{syn}
  </way>
</osm>
"""


def write_tiny_osm(path: Path, *, synthetic: bool = False) -> Path:
    """Write the tiny network, 0.001 degree (111.2 m) per grid step at the equator.

    ::

        8        5 ------- 4         8: private road 1-8 (dropped)
        :        |         ^         4-5-2: residential "Jalan C", two-way (5 is simplified away)
        :        |         | one-way 3->4: tertiary "Jalan B", maxspeed "fast" (garbage)
        1 ------ 2 ------- 3 ----> 6   1-2-3: residential "Jalan A", maxspeed "10 mph", two-way
                 :                     3->6: unclassified, oneway=-1 drawn 6->3: a dead end
                 7                     2-7: footway (dropped)

    Drivable graph: nodes 1, 2, 3, 4, 6 and 8 edges; 6 can be reached but not left,
    so the routable part is nodes 1-4 with 7 edges.
    """
    syn = '<tag k="synthetic" v="yes"/>' if synthetic else ""
    path.write_text(TINY_OSM.format(syn=syn), encoding="utf-8")
    return path


@pytest.fixture
def tiny(tmp_path: Path) -> nx.MultiDiGraph:
    return graph_from_file(write_tiny_osm(tmp_path / "tiny.osm"))


# --------------------------------------------------------------------------- files


def test_tiny_network_keeps_drivable_ways_and_one_way_directions(tiny: nx.MultiDiGraph) -> None:
    assert sorted(tiny.nodes) == [1, 2, 3, 4, 6]
    assert sorted((u, v) for u, v, _ in tiny.edges) == sorted(
        [(1, 2), (2, 1), (2, 3), (3, 2), (3, 4), (2, 4), (4, 2), (3, 6)]
    )
    assert tiny.graph["crs"] == "epsg:4326"
    assert tiny.graph["synthetic"] is False
    assert tiny.graph["source_description"].startswith("real OSM extract")


def test_tiny_network_speeds_and_travel_times(tiny: nx.MultiDiGraph) -> None:
    def edge(u: int, v: int) -> dict[str, Any]:
        return tiny.edges[u, v, 0]

    expected = {  # (u, v): (length m, speed km/h)
        (1, 2): (STEP_M, MPH_10_KPH),  # maxspeed "10 mph" is below the class speed
        (3, 4): (STEP_M, 25.0),  # maxspeed "fast" ignored: tertiary default
        (2, 4): (2 * STEP_M, 18.0),  # residential default, via node 5
        (3, 6): (STEP_M, 20.0),  # unclassified default
    }
    for (u, v), (length_m, speed_kph) in expected.items():
        data = edge(u, v)
        assert data["length"] == pytest.approx(length_m, rel=1e-4)
        assert data["speed_kph"] == pytest.approx(speed_kph)
        assert data["travel_time"] == pytest.approx(length_m / (speed_kph / 3.6), rel=1e-4)
    assert edge(1, 2)["travel_time"] == pytest.approx(24.873, abs=1e-3)
    assert edge(1, 2)["name"] == "Jalan A"
    assert edge(3, 4)["highway"] == "tertiary"


def test_keep_routable_drops_the_dead_end(
    tiny: nx.MultiDiGraph, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="wasteroute")
    anchors = [(0.0001, 0.00002), (0.00195, 0.00101)]  # next to node 1 and node 4
    kept, report = keep_routable(tiny, anchors, names=["depot", "landfill"])
    assert report == RoutableReport(kept_nodes=4, kept_edges=7, dropped_nodes=1, dropped_edges=1)
    assert sorted(kept.nodes) == [1, 2, 3, 4]
    assert len(tiny) == 5  # input unchanged
    assert nx.is_strongly_connected(kept)
    expected = (
        "network: kept 4 nodes / 7 edges routable to and from depot, landfill; "
        "dropped 1 nodes / 1 edges"
    )
    assert caplog.messages == [expected]


def test_keep_routable_moves_an_anchor_off_a_dead_end(
    tiny: nx.MultiDiGraph, caplog: pytest.LogCaptureFixture
) -> None:
    anchors = [(0.0, 0.0), (0.0031, 0.0)]  # the landfill is next to dead-end node 6
    kept, report = keep_routable(tiny, anchors, names=["depot", "landfill"])
    assert report.kept_nodes == 4
    assert nearest_nodes(kept, 0.0031, 0.0).tolist() == [3]
    assert any("landfill is nearest to a road cut off" in m for m in caplog.messages)
    with pytest.raises(
        NetworkError, match=r"landfill is 122 m from the nearest road .* \(limit 100 m\)"
    ):
        keep_routable(tiny, anchors, names=["depot", "landfill"], max_move_m=100)


def test_keep_routable_without_anchors_keeps_largest_component(tiny: nx.MultiDiGraph) -> None:
    _, report = keep_routable(tiny, [])
    assert (report.kept_nodes, report.dropped_nodes) == (4, 1)


def test_keep_routable_wants_one_name_per_anchor(tiny: nx.MultiDiGraph) -> None:
    with pytest.raises(InputError, match="got 1 names for 2 anchors"):
        keep_routable(tiny, [(0.0, 0.0), (0.002, 0.001)], names=["depot"])


def test_keep_routable_rejects_an_empty_graph() -> None:
    with pytest.raises(NetworkError, match="road graph is empty"):
        keep_routable(nx.MultiDiGraph(crs="epsg:4326"), [(0.0, 0.0)])


def test_synthetic_tag_marks_the_graph(tmp_path: Path) -> None:
    G = graph_from_file(write_tiny_osm(tmp_path / "fake.osm", synthetic=True))
    assert G.graph["synthetic"] is True
    assert G.graph["source_description"].startswith("SYNTHETIC streets")
    assert {d.get("synthetic") for *_, d in G.edges(data=True)} == {"yes"}
    assert "synthetic" not in ox.settings.useful_tags_way  # restored after loading


def test_west_oakland_keeps_only_drivable_roads() -> None:
    G = graph_from_file(WEST_OAKLAND)
    everything = ox.graph_from_xml(WEST_OAKLAND, retain_all=True)
    assert 0 < len(G) < len(everything)
    classes = {h for *_, d in G.edges(data=True) for h in np.atleast_1d(d["highway"])}
    assert classes <= DRIVE_CLASSES
    assert all(d["travel_time"] > 0 for *_, d in G.edges(data=True))


def test_campo_grande_travel_times_are_finite_and_positive() -> None:
    G = graph_from_file(CAMPO_GRANDE)
    times = np.array([d["travel_time"] for *_, d in G.edges(data=True)])
    speeds = np.array([d["speed_kph"] for *_, d in G.edges(data=True)])
    assert len(G) > 5000
    assert np.isfinite(times).all() and (times > 0).all()
    assert ((speeds > 0) & (speeds <= 130)).all()


def _write_pbf(source: Path, target: Path) -> None:
    writer = osmium.SimpleWriter(str(target))
    try:
        for obj in osmium.FileProcessor(source):
            writer.add(obj)
    finally:
        writer.close()


def test_pbf_gives_the_same_graph_as_xml(tmp_path: Path) -> None:
    pbf = tmp_path / "west_oakland.osm.pbf"
    _write_pbf(WEST_OAKLAND, pbf)
    from_xml, from_pbf = graph_from_file(WEST_OAKLAND), graph_from_file(pbf)
    assert set(from_pbf.nodes) == set(from_xml.nodes)
    assert from_pbf.number_of_edges() == from_xml.number_of_edges()
    total = [sum(d["travel_time"] for *_, d in g.edges(data=True)) for g in (from_xml, from_pbf)]
    assert total[1] == pytest.approx(total[0])


def test_graphml_round_trip_recomputes_speeds(tmp_path: Path) -> None:
    G = graph_from_file(WEST_OAKLAND)
    ox.save_graphml(G, tmp_path / "wo.graphml")
    slow = NetworkSettings(
        speeds_kph={"residential": 9.0}, default_speed_kph=9.0, use_maxspeed=False
    )
    H = graph_from_file(tmp_path / "wo.graphml", settings=slow)
    assert (len(H), H.number_of_edges()) == (len(G), G.number_of_edges())
    assert {d["speed_kph"] for *_, d in H.edges(data=True)} == {9.0}
    assert H.graph["synthetic"] is False


# --------------------------------------------------------------------------- file errors


def test_missing_file_names_path_and_fix(tmp_path: Path) -> None:
    with pytest.raises(
        NetworkError, match=r"nowhere\.osm\.pbf does not exist; check \[network\] osm_file"
    ):
        graph_from_file(tmp_path / "nowhere.osm.pbf")


def test_unsupported_extension(tmp_path: Path) -> None:
    path = tmp_path / "roads.csv"
    path.write_text("a,b\n")
    with pytest.raises(
        InputError, match=r"roads\.csv has an unsupported type; use one of \.osm\.pbf"
    ):
        graph_from_file(path)


def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.osm"
    path.write_text("this is not xml <osm")
    with pytest.raises(NetworkError, match=r"cannot read road network file .*broken\.osm"):
        graph_from_file(path)


def test_file_without_drivable_roads(tmp_path: Path) -> None:
    path = tmp_path / "paths.osm"
    path.write_text(
        '<osm version="0.6"><node id="1" lat="0" lon="0"/><node id="2" lat="0" lon="0.001"/>'
        '<way id="3"><nd ref="1"/><nd ref="2"/><tag k="highway" v="footway"/></way></osm>'
    )
    with pytest.raises(
        NetworkError, match=r"paths\.osm has no 'drive' roads \(1 highway ways read\)"
    ):
        graph_from_file(path)


def test_unknown_network_type(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="network_type 'truck' is not known"):
        graph_from_file(
            write_tiny_osm(tmp_path / "t.osm"), settings=NetworkSettings(network_type="truck")
        )


def test_clipped_way_keeps_its_longest_complete_stretch(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "clipped.osm"
    path.write_text(
        '<osm version="0.6"><node id="1" lat="0" lon="0"/><node id="2" lat="0" lon="0.001"/>'
        '<node id="3" lat="0" lon="0.002"/>'
        '<way id="9"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="99"/>'
        '<tag k="highway" v="primary"/></way></osm>'
    )
    G = graph_from_file(path)
    assert sorted(G.nodes) == [1, 3]
    assert any("1 ways in" in m and "missing from the file" in m for m in caplog.messages)


# --------------------------------------------------------------------------- filter and speeds


@pytest.mark.parametrize(
    ("tags", "kept"),
    [
        ({"highway": "residential"}, True),
        ({"highway": "primary_link"}, True),
        ({"highway": "footway"}, False),
        ({"highway": "path"}, False),
        ({"highway": "steps"}, False),
        ({"highway": "cycleway"}, False),
        ({"highway": "construction"}, False),
        ({"highway": "service"}, False),  # osmnx "drive" leaves out service roads
        ({"highway": "residential", "access": "private"}, False),
        ({"highway": "residential", "motor_vehicle": "no"}, False),
        ({"highway": "pedestrian", "area": "yes"}, False),
        ({"building": "yes"}, False),
    ],
)
def test_drive_filter_follows_osmnx(tags: dict[str, str], kept: bool) -> None:
    assert way_passes(tags) is kept


def test_drive_service_keeps_service_roads_but_not_parking_aisles() -> None:
    assert way_passes({"highway": "service"}, network_type="drive_service")
    assert not way_passes(
        {"highway": "service", "service": "parking_aisle"}, network_type="drive_service"
    )


@pytest.mark.parametrize(
    ("value", "kph"),
    [
        ("50", 50.0),
        ("50 km/h", 50.0),
        ("40kmh", 40.0),
        ("30 mph", MPH_30_KPH),
        ("60;40", 50.0),
        (["50", "30"], 40.0),
        (["50", "signals"], 50.0),
        (70, 70.0),
        ("none", None),
        ("signals", None),
        ("walk", None),
        ("BR:urban", None),
        ("fast", None),
        ("0", None),
        ("999", None),
        (None, None),
        (float("nan"), None),
        (["none", "walk"], None),
    ],
)
def test_parse_maxspeed(value: Any, kph: float | None) -> None:
    assert parse_maxspeed_kph(value) == (None if kph is None else pytest.approx(kph))


@given(st.one_of(st.text(max_size=12), st.lists(st.text(max_size=8), max_size=3), st.floats()))
@hyp_settings(max_examples=200, deadline=None)
def test_parse_maxspeed_never_gives_an_unusable_speed(value: Any) -> None:
    kph = parse_maxspeed_kph(value)
    assert kph is None or (math.isfinite(kph) and 0 < kph <= 130)


def test_add_speeds_handles_lists_and_unknown_classes() -> None:
    G = nx.MultiDiGraph(crs="epsg:4326")
    G.add_edge(1, 2, length=100.0, highway=["footway", "primary_link"])  # first known: primary
    G.add_edge(2, 3, length=100.0, highway="mystery")  # unknown: default
    G.add_edge(3, 4, length=0.0, highway=None, maxspeed=["10", "junk"])  # slower sign wins
    G.add_edge(4, 5, length=100.0, highway="primary", maxspeed="80")  # faster sign: class speed
    add_speeds_and_times(
        G, speeds_kph={"primary": 36.0}, default_speed_kph=18.0, use_maxspeed=False
    )
    speeds = [d["speed_kph"] for *_, d in G.edges(data=True)]
    assert speeds == [36.0, 18.0, 18.0, 36.0]
    add_speeds_and_times(G, speeds_kph={"primary": 36.0}, default_speed_kph=18.0)
    assert [d["speed_kph"] for *_, d in G.edges(data=True)] == [36.0, 18.0, 10.0, 36.0]
    assert [d["travel_time"] for *_, d in G.edges(data=True)] == pytest.approx(
        [10.0, 20.0, 0.0, 10.0]
    )


def test_add_speeds_rejects_missing_lengths() -> None:
    G = nx.MultiDiGraph()
    G.add_edge(1, 2, highway="primary")
    G.add_edge(2, 3, highway="primary", length=float("nan"))
    with pytest.raises(NetworkError, match=r"2 edges have no valid length .*\(1, 2\), \(2, 3\)"):
        add_speeds_and_times(G, speeds_kph={}, default_speed_kph=20.0)


# --------------------------------------------------------------------------- nearest nodes


def test_nearest_nodes_matches_brute_force() -> None:
    G = graph_from_file(WEST_OAKLAND)
    rng = np.random.default_rng(7)
    xs = np.array([d["x"] for _, d in G.nodes(data=True)])
    ys = np.array([d["y"] for _, d in G.nodes(data=True)])
    lons = rng.uniform(xs.min(), xs.max(), 200)
    lats = rng.uniform(ys.min(), ys.max(), 200)
    found, dist_m = nearest_nodes(G, lons, lats, return_dist=True)
    ids = np.array(list(G.nodes))
    for lon, lat, node, d in zip(lons, lats, found, dist_m, strict=True):
        all_d = ox.distance.great_circle(lat, lon, ys, xs)
        assert d == pytest.approx(all_d.min(), abs=0.5)  # exact node up to sub-metre ties
        assert node == ids[np.argmin(all_d)] or d - all_d.min() < 0.5


def test_nearest_nodes_scalar_and_bad_input(tiny: nx.MultiDiGraph) -> None:
    assert nearest_nodes(tiny, 0.0021, 0.0009).tolist() == [4]
    with pytest.raises(InputError, match="as many longitudes as latitudes"):
        nearest_nodes(tiny, [0.0, 0.1], [0.0])
    with pytest.raises(InputError, match=r"points \[1\] have no valid lon/lat"):
        nearest_nodes(tiny, [0.0, 200.0], [0.0, 0.0])


# ------------------------------------------------------------------ download, cache, fallback


STATUS_TEXT = (
    "Connected as: 1\nCurrent time: 2026-01-01T00:00:00Z\nAnnounced endpoint: none\n"
    "Rate limit: 2\n2 slots available now.\n"
)


def _overpass_elements(path: Path) -> list[dict[str, Any]]:
    """Drivable ways of an extract and their nodes, as an Overpass JSON answer would hold them."""
    ways: list[dict[str, Any]] = []
    for w in osmium.FileProcessor(path, osmium.osm.WAY):
        tags = {t.k: t.v for t in w.tags}
        if isinstance(w, osmium.osm.Way) and way_passes(tags):
            ways.append(
                {"type": "way", "id": w.id, "nodes": [n.ref for n in w.nodes], "tags": tags}
            )
    used = {n for w in ways for n in w["nodes"]}
    nodes: list[dict[str, Any]] = []
    for n in osmium.FileProcessor(path, osmium.osm.NODE):
        if isinstance(n, osmium.osm.Node) and n.id in used:
            lon, lat = n.location.lon, n.location.lat
            tags = {t.k: t.v for t in n.tags}
            nodes.append({"type": "node", "id": n.id, "lat": lat, "lon": lon, "tags": tags})
    return nodes + ways


class OverpassStub:
    """A stand-in Overpass server on 127.0.0.1 answering every query with the same elements.

    ``mode`` is ``"ok"`` or ``"fail"`` (HTTP 500 on /interpreter); ``stop()`` shuts it down so
    that connections are refused.
    """

    def __init__(self, elements: list[dict[str, Any]]) -> None:
        self.payload = json.dumps({"version": 0.6, "elements": elements}).encode()
        self.mode = "ok"
        self.queries = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.endswith("/status"):
                    self._reply(200, STATUS_TEXT.encode(), "text/plain")
                else:
                    self._interpreter()

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self._interpreter()

            def _interpreter(self) -> None:
                stub.queries += 1
                if stub.mode == "fail":
                    self._reply(500, b"runtime error: out of memory", "text/plain")
                else:
                    self._reply(200, stub.payload, "application/json")

            def _reply(self, code: int, body: bytes, kind: str) -> None:
                self.send_response(code)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def oakland_elements() -> list[dict[str, Any]]:
    return _overpass_elements(WEST_OAKLAND)


@pytest.fixture
def overpass(
    oakland_elements: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> Iterator[OverpassStub]:
    monkeypatch.setattr(ox.settings, "requests_timeout", 10)
    monkeypatch.setattr(socket, "getaddrinfo", socket.getaddrinfo)  # osmnx patches it
    stub = OverpassStub(oakland_elements)
    yield stub
    stub.stop()


@pytest.fixture
def area(oakland_elements: list[dict[str, Any]]) -> Any:
    """A box around every node of the West Oakland extract."""
    lons = [e["lon"] for e in oakland_elements if e["type"] == "node"]
    lats = [e["lat"] for e in oakland_elements if e["type"] == "node"]
    return box(min(lons) - 0.005, min(lats) - 0.005, max(lons) + 0.005, max(lats) + 0.005)


def _settings(stub: OverpassStub, tmp_path: Path, **changes: Any) -> NetworkSettings:
    return NetworkSettings(overpass_url=stub.url, cache_dir=str(tmp_path / "cache"), **changes)


def _info_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "wasteroute" and r.levelno == logging.INFO
    ]


def test_download_writes_cache_and_matches_the_file(
    overpass: OverpassStub, area: Any, tmp_path: Path
) -> None:
    settings = _settings(overpass, tmp_path)
    before = (ox.settings.overpass_url, ox.settings.use_cache)
    G = download_graph(polygon=area, settings=settings)
    cache = Path(G.graph["cache_path"])
    assert cache == download_cache_path(
        place=None, polygon=area, network_type="drive", cache_dir=tmp_path / "cache"
    )
    assert cache.is_file() and cache.name.startswith("network-polygon-drive-")
    assert cache.name.endswith(".json.gz")
    assert overpass.queries == 1
    from_file = graph_from_file(WEST_OAKLAND, settings=settings)
    assert (len(G), G.number_of_edges()) == (len(from_file), from_file.number_of_edges())
    assert all(math.isfinite(d["travel_time"]) for *_, d in G.edges(data=True))
    assert not Path(ox.settings.cache_folder).exists()  # osmnx's HTTP cache stays off
    assert (ox.settings.overpass_url, ox.settings.use_cache) == before  # restored


def test_load_network_downloads_then_falls_back_to_cache(
    overpass: OverpassStub, area: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="wasteroute")
    settings = _settings(overpass, tmp_path)
    first = load_network(settings, base_dir=tmp_path, boundary=area, download=True)
    assert (first.source, first.synthetic) == ("download", False)
    assert first.description.startswith(
        "OSM download of the boundary polygon from http://127.0.0.1"
    )

    overpass.stop()
    caplog.clear()
    second = load_network(settings, base_dir=tmp_path, boundary=area, download=True)
    assert isinstance(second, LoadedNetwork)
    assert (second.source, second.synthetic) == ("cache", False)
    assert len(second.graph) == len(first.graph)
    assert second.graph.number_of_edges() == first.graph.number_of_edges()
    [line] = _info_lines(caplog)
    assert line.startswith("network: download failed (cannot reach Overpass at http://127.0.0.1")
    assert f"using cached OSM download {tmp_path / 'cache'}" in line


def test_load_network_uses_cache_without_asking_the_server(
    overpass: OverpassStub, area: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = _settings(overpass, tmp_path)
    download_graph(polygon=area, settings=settings)
    caplog.set_level(logging.INFO, logger="wasteroute")
    loaded = load_network(settings, base_dir=tmp_path, boundary=area)
    assert loaded.source == "cache"
    assert overpass.queries == 1
    [line] = _info_lines(caplog)
    assert line.startswith("network: using cached OSM download")


def test_load_network_falls_back_to_synthetic_when_the_server_fails(
    overpass: OverpassStub, area: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="wasteroute")
    overpass.mode = "fail"
    write_tiny_osm(tmp_path / "synthetic_streets.osm", synthetic=True)
    settings = _settings(
        overpass, tmp_path, osm_file="real.osm.pbf", synthetic_osm_file="synthetic_streets.osm"
    )
    loaded = load_network(settings, base_dir=tmp_path, boundary=area, download=True)
    assert (loaded.source, loaded.synthetic) == ("synthetic", True)
    assert loaded.description == "SYNTHETIC streets synthetic_streets.osm"
    assert loaded.graph.graph["synthetic"] is True
    assert overpass.queries == 1
    [line] = _info_lines(caplog)
    assert line.startswith("network: using SYNTHETIC streets")
    assert "real.osm.pbf not found" in line
    assert "download failed (downloading the boundary polygon from http://127.0.0.1" in line
    assert "HTTP status code 500" in line or "500" in line
    assert "run `python run_routes.py --download-network` when online" in line


def test_load_network_prefers_the_osm_file(
    overpass: OverpassStub, area: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="wasteroute")
    settings = _settings(overpass, tmp_path, osm_file=str(WEST_OAKLAND))
    loaded = load_network(settings, base_dir=tmp_path, boundary=area, download=True)
    assert (loaded.source, loaded.synthetic) == ("osm_file", False)
    assert overpass.queries == 0
    [line] = _info_lines(caplog)
    assert line.startswith(f"network: using real OSM extract {WEST_OAKLAND}")


def test_load_network_without_any_source(tmp_path: Path) -> None:
    settings = NetworkSettings(osm_file="missing.osm.pbf", cache_dir=str(tmp_path / "cache"))
    with pytest.raises(
        NetworkError,
        match=r"no road network available \(osm_file .*missing\.osm\.pbf not found\); "
        r"set \[network\] osm_file",
    ):
        load_network(settings, base_dir=tmp_path)


def test_download_needs_an_area() -> None:
    with pytest.raises(InputError, match="set \\[network\\] place or boundary_file"):
        download_graph(settings=NetworkSettings())


def test_parse_cache_reuses_and_invalidates(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """With cache_parsed, the second load reads the cache; changed bytes are parsed again."""
    import bz2
    import shutil

    src = tmp_path / "wo.osm.bz2"
    shutil.copy(WEST_OAKLAND, src)
    settings = NetworkSettings(cache_dir=str(tmp_path / "cache"), cache_parsed=True)
    first = graph_from_file(src, settings=settings)
    cached = list((tmp_path / "cache").glob("parsed-wo.osm.bz2-*.json.gz"))
    assert len(cached) == 1
    second = graph_from_file(src, settings=settings)
    assert second.graph.pop("parse_cache") == str(cached[0])
    assert sorted(second.nodes) == sorted(first.nodes)
    assert second.number_of_edges() == first.number_of_edges()
    assert nx.utils.graphs_equal(second, first)  # every attribute, geometries included
    src.touch()  # a new date alone is the same source
    graph_from_file(src, settings=settings)
    assert len(list((tmp_path / "cache").glob("parsed-*"))) == 1
    src.write_bytes(bz2.compress(write_tiny_osm(tmp_path / "tiny.osm").read_bytes()))  # new bytes
    graph_from_file(src, settings=settings)
    assert len(list((tmp_path / "cache").glob("parsed-*"))) == 2
    fresh = graph_from_file(src, settings=NetworkSettings(cache_dir=str(tmp_path / "other")))
    assert not (tmp_path / "other").exists() and len(fresh) == 5
    assert not [m for m in caplog.messages if "cache" in m and "not used" in m]


# ------------------------------------------------------------ caches: data only, keyed, verified


class _Hostile:
    """Unpickling this runs ``touch <marker>``: what a planted pickle would do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        import os

        return (os.system, (f"touch {self.marker}",))


def _parse_cached(src: Path, cache_dir: Path) -> nx.MultiDiGraph:
    return graph_from_file(
        src, settings=NetworkSettings(cache_dir=str(cache_dir), cache_parsed=True)
    )


def _one_cache_file(folder: Path, prefix: str = "parsed-") -> Path:
    [path] = [p for p in folder.iterdir() if p.name.startswith(prefix)]
    return path


def _cache_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "wasteroute" and r.levelno == logging.WARNING and "cache" in r.getMessage()
    ]


def _tiny_without_dead_end(path: Path) -> Path:
    """The tiny network without way 13 (3 -> 6): nodes 1-4 only, a different source."""
    import re

    text = re.sub(r'<way id="13".*?</way>', "", TINY_OSM.format(syn=""), flags=re.DOTALL)
    path.write_text(text, encoding="utf-8")
    return path


def test_hostile_pickle_in_the_parse_cache_is_never_run(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A pickle planted at the cache path is data to reject, not code to run; it is rebuilt."""
    import pickle

    src, cache_dir = write_tiny_osm(tmp_path / "tiny.osm"), tmp_path / "c"
    marker = tmp_path / "pwned"
    _parse_cached(src, cache_dir)
    cache = _one_cache_file(cache_dir)
    cache.write_bytes(pickle.dumps(_Hostile(marker)))
    caplog.set_level(logging.INFO, logger="wasteroute")
    G = _parse_cached(src, cache_dir)
    assert not marker.exists()
    assert sorted(G.nodes) == [1, 2, 3, 4, 6]
    [line] = _cache_warnings(caplog)
    assert str(cache) in line and "parsing" in line
    assert _one_cache_file(cache_dir).read_bytes()[:2] == b"\x1f\x8b"  # rebuilt, gzip data


@pytest.mark.parametrize(
    "payload",
    [b"", b"garbage, not a cache", b"\x1f\x8b\x08\x00garbled gzip", b"cos\nsystem\n(S'true'\ntR."],
    ids=["empty", "text", "bad-gzip", "pickle-opcodes"],
)
def test_garbage_in_the_parse_cache_is_rebuilt(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, payload: bytes
) -> None:
    src, cache_dir = write_tiny_osm(tmp_path / "tiny.osm"), tmp_path / "c"
    first = _parse_cached(src, cache_dir)
    cache = _one_cache_file(cache_dir)
    cache.write_bytes(payload)
    caplog.set_level(logging.INFO, logger="wasteroute")
    G = _parse_cached(src, cache_dir)
    assert sorted(G.nodes) == sorted(first.nodes)
    [line] = _cache_warnings(caplog)
    assert str(cache) in line
    caplog.clear()
    _parse_cached(src, cache_dir)  # the rebuilt cache is used silently
    assert _cache_warnings(caplog) == []


def test_truncated_parse_cache_rebuilds_with_one_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    src, cache_dir = write_tiny_osm(tmp_path / "tiny.osm"), tmp_path / "c"
    _parse_cached(src, cache_dir)
    cache = _one_cache_file(cache_dir)
    data = cache.read_bytes()
    cache.write_bytes(data[: len(data) // 2])
    caplog.set_level(logging.INFO, logger="wasteroute")
    G = _parse_cached(src, cache_dir)
    assert sorted(G.nodes) == [1, 2, 3, 4, 6]
    [line] = _cache_warnings(caplog)
    assert str(cache) in line
    assert _one_cache_file(cache_dir).read_bytes() == data  # rebuilt whole


def test_parse_cache_of_another_file_is_not_used_even_under_its_name(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A cache written for file A, renamed to file B's cache name, is not B's network."""
    a = write_tiny_osm(tmp_path / "a.osm")
    b = _tiny_without_dead_end(tmp_path / "b.osm")
    _parse_cached(a, tmp_path / "ca")
    _parse_cached(b, tmp_path / "cb")
    cache_b = _one_cache_file(tmp_path / "cb")
    cache_b.write_bytes(_one_cache_file(tmp_path / "ca").read_bytes())
    caplog.set_level(logging.INFO, logger="wasteroute")
    G = _parse_cached(b, tmp_path / "cb")
    assert sorted(G.nodes) == [1, 2, 3, 4]
    assert G.graph["source_description"] == f"real OSM extract {b}"
    [line] = _cache_warnings(caplog)
    assert str(cache_b) in line and "another source" in line


def test_parse_cache_of_a_same_content_file_names_the_file_used(tmp_path: Path) -> None:
    """Two files with the same bytes share a parse; the description names the file asked for."""
    a = write_tiny_osm(tmp_path / "a.osm")
    b = write_tiny_osm(tmp_path / "b.osm", synthetic=False)
    b.rename(tmp_path / "a2.osm")
    a2 = tmp_path / "a2.osm"
    cache_dir = tmp_path / "c"
    _parse_cached(a, cache_dir)
    G = _parse_cached(a2, cache_dir)
    assert G.graph["source_description"] == f"real OSM extract {a2}"


def _graph_cache_json(cache: Path) -> dict[str, Any]:
    import gzip

    with gzip.open(cache, "rt", encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def _write_gzip_json(path: Path, value: Any) -> None:
    import gzip

    with gzip.open(path, "wt", encoding="utf-8") as fh:
        json.dump(value, fh)


@pytest.mark.parametrize(
    "kind",
    [
        "pickled-dict", "pickled-graph", "json-dict", "json-list",
        "no-description", "bad-node", "node-without-x", "bad-geometry", "other-version",
    ],  # fmt: skip
)
def test_parse_cache_of_the_wrong_shape_rebuilds_without_a_traceback(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, kind: str
) -> None:
    """A dict, a bare graph, or a graph cache without its description is rebuilt, said in a line."""
    import pickle

    src, cache_dir = write_tiny_osm(tmp_path / "tiny.osm"), tmp_path / "c"
    _parse_cached(src, cache_dir)
    cache = _one_cache_file(cache_dir)
    bare = nx.MultiDiGraph(crs="epsg:4326")
    bare.add_edge(1, 2, length=1.0)
    if kind == "pickled-dict":
        cache.write_bytes(pickle.dumps({"nodes": []}))
    elif kind == "pickled-graph":
        cache.write_bytes(pickle.dumps(bare))
    elif kind == "json-dict":
        _write_gzip_json(cache, nx.node_link_data(bare, edges="edges"))
    elif kind == "json-list":
        _write_gzip_json(cache, [1, 2, 3])
    else:
        data = _graph_cache_json(cache)
        if kind == "no-description":
            del data["description"]
        elif kind == "bad-node":
            data["nodes"][0] = ["1", "not a mapping"]
        elif kind == "node-without-x":
            del data["nodes"][0][1]["x"]
        elif kind == "bad-geometry":
            data["edges"][0][3]["geometry"] = {"$wkb": "00ff"}
        else:
            data["version"] = 0
        _write_gzip_json(cache, data)
    caplog.set_level(logging.INFO, logger="wasteroute")
    G = _parse_cached(src, cache_dir)
    assert sorted(G.nodes) == [1, 2, 3, 4, 6]
    [line] = _cache_warnings(caplog)
    assert str(cache) in line


def test_relative_cache_dir_is_relative_to_the_scenario_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One rule: a relative cache_dir, like osm_file, is relative to base_dir, not the cwd."""
    scenario, elsewhere = tmp_path / "scenario", tmp_path / "elsewhere"
    scenario.mkdir()
    elsewhere.mkdir()
    write_tiny_osm(scenario / "tiny.osm")
    monkeypatch.chdir(elsewhere)
    settings = NetworkSettings(osm_file="tiny.osm", cache_dir="cache", cache_parsed=True)
    load_network(settings, base_dir=scenario)
    assert _one_cache_file(scenario / "cache").name.startswith("parsed-tiny")
    assert not (elsewhere / "cache").exists()


def test_cache_folder_rule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    scenario = tmp_path / "scenario"
    assert cache_folder(NetworkSettings(cache_dir="c"), base_dir=scenario) == scenario / "c"
    assert cache_folder(NetworkSettings(cache_dir="c")) == tmp_path / "c"  # library call: cwd
    home = cache_folder(NetworkSettings(), base_dir=scenario)
    assert home == tmp_path / "home" / ".cache" / "wasteroute"
    absolute = NetworkSettings(cache_dir=str(tmp_path / "abs"))
    assert cache_folder(absolute, base_dir=scenario) == tmp_path / "abs"
    with pytest.raises(InputError, match=r"\[network\] cache_dir is empty"):
        cache_folder(NetworkSettings(cache_dir=""), base_dir=scenario)


def test_download_cache_of_another_area_is_not_used(
    overpass: OverpassStub, area: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A download cached for one area and copied to another area's cache name is not used."""
    other = box(*area.buffer(0.001).bounds)  # another query over the same roads
    settings = _settings(overpass, tmp_path)
    load_network(settings, base_dir=tmp_path, boundary=area, download=True)
    own = _one_cache_file(tmp_path / "cache", "network-")
    load_network(settings, base_dir=tmp_path, boundary=other, download=True)
    [theirs] = [p for p in (tmp_path / "cache").glob("network-*") if p != own]
    theirs.write_bytes(own.read_bytes())
    overpass.stop()
    caplog.set_level(logging.INFO, logger="wasteroute")
    with pytest.raises(NetworkError, match="another source") as err:
        load_network(settings, base_dir=tmp_path, boundary=other)
    assert str(theirs) in str(err.value)


def test_broken_download_cache_falls_through_and_says_why(
    overpass: OverpassStub, area: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A truncated download cache is not used; the one log line names it and the reason."""
    write_tiny_osm(tmp_path / "synthetic_streets.osm", synthetic=True)
    settings = _settings(overpass, tmp_path, synthetic_osm_file="synthetic_streets.osm")
    G = download_graph(polygon=area, settings=settings, base_dir=tmp_path)
    cache = Path(G.graph["cache_path"])
    cache.write_bytes(cache.read_bytes()[:100])
    caplog.set_level(logging.INFO, logger="wasteroute")
    loaded = load_network(settings, base_dir=tmp_path, boundary=area)
    assert loaded.source == "synthetic"
    [line] = _info_lines(caplog)
    assert f"cached download {cache} not used (unreadable or truncated" in line


def test_old_graphml_download_cache_is_named_not_read(
    area: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import hashlib

    write_tiny_osm(tmp_path / "synthetic_streets.osm", synthetic=True)
    settings = NetworkSettings(cache_dir="cache", synthetic_osm_file="synthetic_streets.osm")
    query = f"polygon={shapely.to_wkt(area, rounding_precision=6)}|network_type=drive"
    digest = hashlib.sha256(query.encode()).hexdigest()[:16]
    old = tmp_path / "cache" / f"network-polygon-drive-{digest}.graphml"
    old.parent.mkdir()
    old.write_text("<graphml/>")
    caplog.set_level(logging.INFO, logger="wasteroute")
    assert load_network(settings, base_dir=tmp_path, boundary=area).source == "synthetic"
    [line] = _info_lines(caplog)
    assert f"the older GraphML cache {old} is not read" in line


def test_scenario_cache_dir_is_relative_to_the_scenario_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through ``Scenario.from_toml``: ``cache_dir = "cache"`` lands beside the scenario file."""
    import shutil

    from wasteroute.scenario import Scenario, clear_caches

    folder = tmp_path / "city"
    shutil.copytree(Path(__file__).parent / "data" / "aguascalientes", folder)
    shutil.copy(OSM_DATA / "aguascalientes_mx.osm.bz2", tmp_path / "ags.osm.bz2")
    toml = (folder / "scenario.toml").read_text(encoding="utf-8")
    toml = toml.replace(
        'osm_file = "../osm/aguascalientes_mx.osm.bz2"',
        'osm_file = "../ags.osm.bz2"\ncache_dir = "cache"\ncache_parsed = true',
    )
    (folder / "scenario.toml").write_text(toml, encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    clear_caches()
    try:
        Scenario.from_toml(folder / "scenario.toml").load_network()
    finally:
        clear_caches()
    assert _one_cache_file(folder / "cache").name.startswith("parsed-ags.osm.bz2-")
    assert not (elsewhere / "cache").exists()
