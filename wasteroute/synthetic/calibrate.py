"""Measure a street network against real Kupang figures and print a markdown table.

``python -m wasteroute.synthetic.calibrate data/kupang/kupang_synthetic_streets.osm.bz2``

The file is loaded as the planner would load it: ``osmnx.graph_from_xml(path,
simplify=True, retain_all=False)`` with ``synthetic`` added to the useful way tags.
Figures are measured on the **whole city** (every node the file holds), and compared with

* the OSMnx indicators of the real drivable network of the GHSL urban centre "Kupang"
  (Boeing 2020; ``sources/kupang_street_network_indicators_boeing2020.csv``), and
* the real road distances (OpenRouteService on OpenStreetMap) between 12 Kupang hospitals
  (``sources/hospitals_ors_matrix/``): each hospital is snapped to its nearest graph node
  and the shortest path by length is taken in both directions (132 ordered pairs).
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

logger = logging.getLogger("wasteroute")

SOURCES_DIR = Path(__file__).resolve().parents[2] / "data" / "kupang" / "sources"
_INDICATORS = "kupang_street_network_indicators_boeing2020.csv"
_HOSPITALS = Path("hospitals_ors_matrix")
_EARTH_RADIUS_M = 6_371_009.0


@dataclass(frozen=True)
class Measures:
    """Street-network figures of one graph, as the real indicators define them."""

    nodes: int
    edges: int  # undirected edges of the simplified graph
    mean_edge_m: float
    dead_end_share: float
    three_way_share: float
    four_way_share: float
    circuity: float
    total_km: float
    strongly_connected_share: float
    oneway_edge_share: float


def load_graph(path: Path | str) -> nx.MultiDiGraph:
    """Load an OSM XML file as the planner does (simplified, largest component)."""
    import osmnx as ox

    if "synthetic" not in ox.settings.useful_tags_way:
        ox.settings.useful_tags_way = [*ox.settings.useful_tags_way, "synthetic"]
    return ox.graph_from_xml(path, simplify=True, retain_all=False)


def measure(graph: nx.MultiDiGraph) -> Measures:
    """Compute node and edge counts, lengths, junction shares and circuity."""
    import osmnx as ox

    und = ox.convert.to_undirected(graph)
    lengths = np.array([d["length"] for _, _, d in und.edges(data=True)])
    straight = np.array([_haversine(und.nodes[u], und.nodes[v]) for u, v in und.edges()])
    counts = ox.stats.count_streets_per_node(graph)
    streets = np.array([counts[v] for v in graph.nodes])
    largest_scc = max((len(c) for c in nx.strongly_connected_components(graph)), default=0)
    oneway = sum(1 for _, _, d in graph.edges(data=True) if d.get("oneway") is True)
    n = graph.number_of_nodes()
    return Measures(
        nodes=n,
        edges=und.number_of_edges(),
        mean_edge_m=float(lengths.mean()),
        dead_end_share=float(np.mean(streets == 1)),
        three_way_share=float(np.mean(streets == 3)),
        four_way_share=float(np.mean(streets == 4)),
        circuity=float(lengths.sum() / straight.sum()),
        total_km=float(lengths.sum() / 1000),
        strongly_connected_share=largest_scc / max(n, 1),
        oneway_edge_share=oneway / max(graph.number_of_edges(), 1),
    )


def _haversine(a: dict, b: dict) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a["y"], a["x"], b["y"], b["x"]))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * _EARTH_RADIUS_M * math.asin(math.sqrt(h))


def real_indicators(sources_dir: Path = SOURCES_DIR) -> dict[str, float]:
    """Read the real OSMnx indicators of the Kupang urban centre."""
    with (sources_dir / _INDICATORS).open(encoding="utf-8") as fh:
        row = next(csv.DictReader(fh))
    return {
        k: float(row[k])
        for k in (
            "n",
            "m",
            "length_mean",
            "prop_deadend",
            "prop_3way",
            "prop_4way",
            "circuity",
            "area",
        )
    }


@dataclass(frozen=True)
class HospitalCheck:
    """Synthetic versus real road distances between the 12 hospitals."""

    ratios: np.ndarray  # synthetic / real, ordered pairs
    detour: np.ndarray  # synthetic / straight line
    real_detour: np.ndarray  # real / straight line
    snap_m: np.ndarray  # snap distance of each hospital


def hospital_check(graph: nx.MultiDiGraph, sources_dir: Path = SOURCES_DIR) -> HospitalCheck:
    """Compare shortest-path lengths on the graph with the real ORS road distances."""
    folder = sources_dir / _HOSPITALS
    with (folder / "dataset_with_matrix.json").open(encoding="utf-8") as fh:
        hosp = json.load(fh)["hospitals"]
    keys = sorted(hosp, key=int)
    lonlat = np.array([[hosp[k]["lng"], hosp[k]["lat"]] for k in keys])
    with (folder / "distance_matrix.csv").open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))[1:]
    real = np.array([[float(v) for v in r[1:]] for r in rows])
    nodes = list(graph.nodes)
    xy = _local_xy(np.array([[graph.nodes[v]["x"], graph.nodes[v]["y"]] for v in nodes]), lonlat)
    hxy = _local_xy(lonlat, lonlat)
    snap_m, idx = cKDTree(xy).query(hxy)
    dist = _shortest(graph, nodes, idx)
    straight = np.hypot(*(hxy[:, None, :] - hxy[None, :, :]).transpose(2, 0, 1))
    off = ~np.eye(len(keys), dtype=bool)
    return HospitalCheck(
        ratios=dist[off] / real[off],
        detour=dist[off] / straight[off],
        real_detour=real[off] / straight[off],
        snap_m=snap_m,
    )


def _local_xy(lonlat: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Equirectangular metres around the mean of ``ref`` (fine over a city)."""
    lon0, lat0 = ref.mean(axis=0)
    k = math.pi / 180 * _EARTH_RADIUS_M
    return np.column_stack(
        [(lonlat[:, 0] - lon0) * k * math.cos(math.radians(lat0)), (lonlat[:, 1] - lat0) * k]
    )


def _shortest(graph: nx.MultiDiGraph, nodes: list, sources: np.ndarray) -> np.ndarray:
    """Directed shortest-path lengths between the given node positions."""
    pos = {v: i for i, v in enumerate(nodes)}
    best: dict[tuple[int, int], float] = {}
    for u, v, d in graph.edges(data=True):
        key = (pos[u], pos[v])
        best[key] = min(best.get(key, math.inf), float(d["length"]))
    ij = np.array(list(best), dtype=int)
    mat = csr_matrix(
        (np.array(list(best.values())), (ij[:, 0], ij[:, 1])), shape=(len(nodes), len(nodes))
    )
    full = dijkstra(mat, directed=True, indices=sources)
    return full[:, sources]


def urban_centre_proxy(
    graph: nx.MultiDiGraph, area_km2: float, sources_dir: Path = SOURCES_DIR
) -> tuple[int, float, float]:
    """Count nodes and mean edge length inside an urban-centre proxy.

    The proxy is the union of the densest kelurahan (by the generator's voters-per-km²
    proxy) until their area reaches ``area_km2`` (the real GHSL urban centre: 71 km²).
    Returns the node count, the mean length of edges with both ends inside, and the area.
    """
    import osmnx as ox
    import shapely

    from .streets import _to_lonlat, load_city

    city = load_city(sources_dir)
    chosen, area = [], 0.0
    for k in sorted(city.kelurahan, key=lambda k: -k.density):
        if area >= area_km2:
            break
        chosen.append(k.polygon)
        area += k.polygon.area / 1e6
    tr = _to_lonlat()
    zone = shapely.transform(
        shapely.union_all(chosen), lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1]))
    )
    nodes = list(graph.nodes)
    inside = shapely.contains_xy(
        zone, [graph.nodes[v]["x"] for v in nodes], [graph.nodes[v]["y"] for v in nodes]
    )
    keep = {v for v, ok in zip(nodes, inside) if ok}
    und = ox.convert.to_undirected(graph)
    lengths = [d["length"] for u, v, d in und.edges(data=True) if u in keep and v in keep]
    return len(keep), float(np.mean(lengths)) if lengths else math.nan, area


def _pct(values: np.ndarray) -> str:
    q = np.quantile(values, [0.0, 0.1, 0.5, 0.9, 1.0])
    return " / ".join(f"{v:.2f}" for v in q)


def report(path: Path | str, sources_dir: Path = SOURCES_DIR) -> str:
    """Return the calibration table of a street-network file as markdown."""
    graph = load_graph(path)
    m = measure(graph)
    real = real_indicators(sources_dir)
    h = hospital_check(graph, sources_dir)
    uc_nodes, uc_mean, uc_area = urban_centre_proxy(graph, real["area"], sources_dir)
    rows = [
        ("nodes", f"{m.nodes:,}", f"{real['n']:,.0f}", _dev(m.nodes, real["n"])),
        ("undirected edges", f"{m.edges:,}", f"{real['m']:,.0f}", _dev(m.edges, real["m"])),
        (
            "mean edge length (m)",
            f"{m.mean_edge_m:.1f}",
            f"{real['length_mean']:.1f}",
            _dev(m.mean_edge_m, real["length_mean"]),
        ),
        ("dead-end share", f"{m.dead_end_share:.3f}", f"{real['prop_deadend']:.3f}", ""),
        ("3-way share", f"{m.three_way_share:.3f}", f"{real['prop_3way']:.3f}", ""),
        ("4-way share", f"{m.four_way_share:.3f}", f"{real['prop_4way']:.3f}", ""),
        ("circuity", f"{m.circuity:.3f}", f"{real['circuity']:.3f}", ""),
        (
            "total street length (km)",
            f"{m.total_km:,.0f}",
            f"{real['m'] * real['length_mean'] / 1000:,.0f}",
            "",
        ),
        (
            f"nodes in the urban-centre proxy ({uc_area:.0f} km², densest kelurahan)",
            f"{uc_nodes:,}",
            f"{real['n']:,.0f}",
            _dev(uc_nodes, real["n"]),
        ),
        (
            "mean edge length in the urban-centre proxy (m)",
            f"{uc_mean:.1f}",
            f"{real['length_mean']:.1f}",
            _dev(uc_mean, real["length_mean"]),
        ),
        ("nodes in largest strongly connected part", f"{m.strongly_connected_share:.1%}", "", ""),
        ("directed edges that are one-way", f"{m.oneway_edge_share:.1%}", "", ""),
        (
            "hospital pairs: synthetic / real road distance, min / p10 / median / p90 / max",
            _pct(h.ratios),
            "1.00",
            f"median {np.median(h.ratios) - 1:+.1%}",
        ),
        (
            "hospital pairs: road / straight-line distance, min / p10 / median / p90 / max",
            _pct(h.detour),
            _pct(h.real_detour),
            "",
        ),
        ("hospital snap distance to nearest node (m), max", f"{h.snap_m.max():.0f}", "", ""),
    ]
    lines = [
        (
            f"Calibration of `{Path(path).name}` (whole city; real figures: OSM drivable network "
            f"of the {real['area']:.0f} km² GHSL urban centre, and ORS road distances)"
        ),
        "",
        "| measure | synthetic | real | deviation |",
        "| --- | ---: | ---: | ---: |",
    ]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return "\n".join(lines)


def _dev(value: float, ref: float) -> str:
    return f"{value / ref - 1:+.1%}"


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print the calibration table of a street-network file."""
    ap = argparse.ArgumentParser(
        prog="python -m wasteroute.synthetic.calibrate",
        description="Measure a street network against real Kupang figures.",
    )
    ap.add_argument(
        "path", type=Path, nargs="?", default=Path("data/kupang/kupang_synthetic_streets.osm.bz2")
    )
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    print(report(args.path))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
