"""GPX 1.1 files for phone navigation apps: one per truck.

Each file holds the day's route as a track drawn along the streets and the stops as
waypoints: the depot, the collection points numbered in driving order (``"01 TPS Pasar
Oebobo"``) and every landfill visit. Apps such as OsmAnd or Organic Maps show them offline.
Only the standard library is used.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from ..directions import check_language
from ..solution import GENERATED_NOTICE, Route, Solution, Visit
from ..units import format_hhmm

log = logging.getLogger("wasteroute")

GPX_NS = "http://www.topografix.com/GPX/1/1"
ODBL = "https://opendatacommons.org/licenses/odbl/"

_WORDS: dict[str, dict[str, Any]] = {
    "id": {
        "landfill": "{name} (buang, rit {k})",
        "depot": "{name} (pool)",
        "arrive": "tiba",
        "leave": "berangkat",
        "volume": "m³",
        "route": "Rute {truck} {date}",
        "kind": {"bak": "bak", "roadside": "pinggir jalan", "container": "kontainer"},
    },
    "en": {
        "landfill": "{name} (unload, load {k})",
        "depot": "{name} (depot)",
        "arrive": "arrive",
        "leave": "leave",
        "volume": "m³",
        "route": "Route {truck} {date}",
        "kind": {"bak": "masonry bin", "roadside": "roadside", "container": "container"},
    },
}


def route_gpx(sol: Solution, route: Route, *, language: str = "id") -> ET.ElementTree:
    """Build the GPX document of one truck's route.

    Raises
    ------
    ValueError
        If ``language`` is unknown.
    """
    from ..geometry import route_coords

    words = _WORDS[check_language(language)]
    ET.register_namespace("", GPX_NS)
    root = ET.Element(_q("gpx"), {"version": "1.1", "creator": "wasteroute"})
    title = words["route"].format(truck=route.vehicle.id, date=sol.problem.date.isoformat())
    _metadata(root, sol, title)
    names = {k: sol.problem.kind_name(k, language) for k in sol.problem.kind_names}
    for name, desc, kind, v in _waypoints(route, {**words, "kind": {**words["kind"], **{k: n for k, n in names.items() if n}}}):
        wpt = ET.SubElement(root, _q("wpt"), {"lat": f"{v.lat:.6f}", "lon": f"{v.lon:.6f}"})
        _text(wpt, "name", name)
        _text(wpt, "desc", desc)
        _text(wpt, "type", kind)
    trk = ET.SubElement(root, _q("trk"))
    _text(trk, "name", title)
    seg = ET.SubElement(trk, _q("trkseg"))
    for lon, lat in route_coords(sol, route):
        ET.SubElement(seg, _q("trkpt"), {"lat": f"{lat:.6f}", "lon": f"{lon:.6f}"})
    ET.indent(root, space=" ")
    return ET.ElementTree(root)


def write_gpx(sol: Solution, out_dir: str | Path, *, language: str = "id") -> list[Path]:
    """Write ``truck_<id>.gpx`` for every used truck into ``out_dir``; return the paths."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for r in sol.used_routes():
        path = folder / f"truck_{_safe(r.vehicle.id)}.gpx"
        route_gpx(sol, r, language=language).write(path, encoding="utf-8", xml_declaration=True)
        paths.append(path)
    log.info("GPX: %d trucks written to %s", len(paths), folder)
    return paths


def _q(tag: str) -> str:
    return f"{{{GPX_NS}}}{tag}"


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    el = ET.SubElement(parent, _q(tag))
    el.text = text
    return el


def _metadata(root: ET.Element, sol: Solution, title: str) -> None:
    meta = ET.SubElement(root, _q("metadata"))
    _text(meta, "name", title)
    desc = "Route along OpenStreetMap streets, planned by wasteroute."
    if sol.problem.synthetic_network:
        desc = "NOTICE: " + GENERATED_NOTICE
    _text(meta, "desc", desc)
    copyright_ = ET.SubElement(meta, _q("copyright"), {"author": "OpenStreetMap contributors"})
    _text(copyright_, "license", ODBL)


def _waypoints(route: Route, words: dict[str, Any]) -> list[tuple[str, str, str, Visit]]:
    """(name, description, type, visit) of the depot, the numbered stops and each landfill visit."""
    out: list[tuple[str, str, str, Visit]] = []
    width = max(2, len(str(len(route.stops))))
    stop = trip = 0
    for k, v in enumerate(route.visits):
        when = (
            f"{words['leave']} {format_hhmm(v.departure_s)}"
            if k == 0
            else f"{words['arrive']} {format_hhmm(v.arrival_s)}"
        )
        if v.kind == "depot":
            if k == 0:
                out.append((words["depot"].format(name=v.name), when, "depot", v))
        elif v.kind == "point":
            stop += 1
            p = v.point
            extra = (
                f"{p.kelurahan} · {words['kind'].get(p.kind, p.kind)} · {p.volume_m3:.1f} {words['volume']}"
                if p is not None
                else ""
            )
            out.append(
                (f"{stop:0{width}d} {v.name}", f"{when} · {v.id} · {extra}", "collection point", v)
            )
        else:
            trip += 1
            out.append((words["landfill"].format(name=v.name, k=trip), when, "landfill", v))
    return out


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
