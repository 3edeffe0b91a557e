"""GPX 1.1 files for phone navigation (wasteroute.outputs.gpx), parsed back with xml.etree."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from wasteroute.geometry import route_coords, spot_coords
from wasteroute.outputs.gpx import GPX_NS, route_gpx, write_gpx
from wasteroute.solution import Solution

NS = {"g": GPX_NS}


@pytest.fixture(scope="module")
def plan(ag_solution: Solution) -> Solution:
    """The Aguascalientes test day (real OSM extract, generated points), solved once per session."""
    return ag_solution


@pytest.fixture(scope="module")
def files(plan: Solution, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_gpx(plan, tmp_path_factory.mktemp("gpx"))


def test_one_file_per_used_truck(plan: Solution, files: list[Path]) -> None:
    assert [p.name for p in files] == [f"truck_{r.vehicle.id}.gpx" for r in plan.used_routes()]
    for p in files:
        assert p.read_text(encoding="utf-8").startswith("<?xml version='1.0' encoding='utf-8'?>")


def test_gpx_1_1_structure(files: list[Path]) -> None:
    """Root gpx version 1.1 in the GPX namespace; children in schema order: metadata, wpt*, trk."""
    root = ET.parse(files[0]).getroot()
    assert root.tag == f"{{{GPX_NS}}}gpx"
    assert root.get("version") == "1.1" and root.get("creator") == "wasteroute"
    tags = [child.tag.split("}")[1] for child in root]
    assert tags[0] == "metadata" and tags[-1] == "trk"
    assert set(tags[1:-1]) == {"wpt"}
    meta = root.find("g:metadata", NS)
    assert meta is not None
    assert [c.tag.split("}")[1] for c in meta] == ["name", "desc", "copyright"]
    assert meta.find("g:copyright", NS).get("author") == "OpenStreetMap contributors"  # type: ignore[union-attr]
    for wpt in root.findall("g:wpt", NS):
        assert [c.tag.split("}")[1] for c in wpt] == ["name", "desc", "type"]


def test_waypoints_are_depot_numbered_stops_and_landfill_runs(
    plan: Solution, files: list[Path]
) -> None:
    for route, path in zip(plan.used_routes(), files):
        wpts = ET.parse(path).getroot().findall("g:wpt", NS)
        names = [w.findtext("g:name", namespaces=NS) for w in wpts]
        kinds = [w.findtext("g:type", namespaces=NS) for w in wpts]
        assert kinds[0] == "depot"
        assert kinds.count("collection point") == len(route.stops)
        assert kinds.count("landfill") == len(route.trips)
        stops = [n for n, k in zip(names, kinds) if k == "collection point"]
        assert stops == [f"{k:02d} {v.name}" for k, v in enumerate(route.stops, start=1)]
        landfills = [n for n, k in zip(names, kinds) if k == "landfill"]
        assert landfills[0] == f"{route.trips[0].landfill.name} (buang, rit 1)"
        first = wpts[1]
        assert float(first.get("lat")) == pytest.approx(route.stops[0].lat, abs=1e-6)  # type: ignore[arg-type]
        assert float(first.get("lon")) == pytest.approx(route.stops[0].lon, abs=1e-6)  # type: ignore[arg-type]


def test_track_follows_the_streets(plan: Solution, files: list[Path]) -> None:
    route = plan.used_routes()[0]
    pts = ET.parse(files[0]).getroot().findall("g:trk/g:trkseg/g:trkpt", NS)
    coords = route_coords(plan, route)
    assert len(pts) == len(coords) > len(route.visits)
    lat = [float(p.get("lat")) for p in pts]  # type: ignore[arg-type]
    lon = [float(p.get("lon")) for p in pts]  # type: ignore[arg-type]
    assert (lon[0], lat[0]) == pytest.approx(coords[0], abs=1e-6)
    # The track ends where the truck stops for the depot: its spot on its street.
    assert (lon[-1], lat[-1]) == pytest.approx(spot_coords(plan, route.visits[-1]), abs=1e-6)


def test_english_names_and_synthetic_notice(plan: Solution) -> None:
    route = plan.used_routes()[0]
    root = route_gpx(plan, route, language="en").getroot()
    landfill = next(
        w for w in root.findall("g:wpt", NS) if w.findtext("g:type", namespaces=NS) == "landfill"
    )
    assert landfill.findtext("g:name", namespaces=NS).endswith("(unload, load 1)")  # type: ignore[union-attr]
    assert "SYNTHETIC" not in (root.findtext("g:metadata/g:desc", namespaces=NS) or "")
    fake = dataclasses.replace(plan, problem=plan.problem.replace(synthetic_network=True))
    desc = route_gpx(fake, route).getroot().findtext("g:metadata/g:desc", namespaces=NS) or ""
    assert "SYNTHETIC" in desc
    with pytest.raises(ValueError, match="language 'xx' is not available"):
        route_gpx(plan, route, language="xx")
