"""Benchmark: many-to-many travel matrix on the real Campo Grande extract.

Times ``wasteroute.matrix.build_matrix`` (scipy's compiled Dijkstra on a CSR matrix, one search
per distinct source, split over the cores) for 1000x1000 and 2000x2000 random location sets
(fixed seed), against one networkx Dijkstra per source in the same run, checks that both agree,
and writes a markdown table to ``benchmarks/results/``.

``--profiles`` instead times the matrices of the Kupang day with one road profile (the
scenario's fleet: no street of the network closes to either truck type) against two (the same
fleet after a ``maxweight=15`` is put on every 20th street, seeded: closed to the 18 t arm-roll,
open to the 12 t dump truck), from the restriction scan to the last matrix
(``road_profiles.build_profiles``), and writes ``benchmarks/results/matrix-profiles-<date>.md``.

``--placement streets`` puts each location at a random spot along a random street edge (seeded),
served from both directions of a two-way street, as collection points are since issue 16, and
times ``build_matrix(..., ways=...)``; ``--placement nodes`` (the default) puts it at the nearer
end node of that same edge, as before. Peak memory of the build (one process, ``tracemalloc``,
numpy arrays included) is measured in both. ``--no-networkx`` skips the slow reference.

Run from the repository root::

    python -m benchmarks.speed.matrix_bench [--sizes 1000,2000] [--repeat 3] [--placement nodes|streets]
    python -m benchmarks.speed.matrix_bench --profiles [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import time
import tracemalloc
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from wasteroute.config import NetworkSettings
from wasteroute.matrix import GraphIndex, build_matrix
from wasteroute.network import graph_from_file, keep_routable

ROOT = Path(__file__).resolve().parents[2]
EXTRACT = ROOT / "tests" / "data" / "osm" / "campo_grande_br_clean.osm.bz2"


def _networkx_rows(graph: nx.MultiDiGraph, nodes: list[int]) -> tuple[float, np.ndarray]:
    t0 = time.perf_counter()
    out = np.empty((len(nodes), len(nodes)))
    for i, s in enumerate(nodes):
        lengths = nx.single_source_dijkstra_path_length(graph, s, weight="travel_time")
        out[i] = [lengths.get(t, np.inf) for t in nodes]
    return time.perf_counter() - t0, out


def _spots(graph: nx.MultiDiGraph, n: int, seed: int) -> tuple[list[int], list[Any]]:
    """``n`` random spots on random edges: the nearer end node of each, and its ways (both
    directions where the street is two-way). Without ``wasteroute.onstreet`` (the code before
    issue 16, for the comparison) the ways are None."""
    try:
        from wasteroute.onstreet import OnEdge
    except ImportError:
        OnEdge = None  # noqa: N806

    rng = np.random.default_rng(seed)
    edges = list(graph.edges(keys=True, data=True))
    nodes, ways = [], []
    for k in rng.choice(len(edges), n, replace=False):
        u, v, key, d = edges[k]
        f = float(rng.uniform(0.02, 0.98))
        if OnEdge is None:
            nodes.append(u if f <= 0.5 else v)
            ways.append(None)
            continue
        w = [OnEdge(u, v, key, f, d["travel_time"], d["length"])]
        back = [(kk, dd) for kk, dd in graph[v][u].items() if abs(dd["length"] - d["length"]) < 0.5] if graph.has_edge(v, u) else []
        if back:
            w.append(OnEdge(v, u, back[0][0], 1.0 - f, back[0][1]["travel_time"], back[0][1]["length"]))
        nodes.append(u if f <= 0.5 else v)
        ways.append(tuple(w))
    return nodes, ways


def _build(index: GraphIndex, ids: list[str], nodes: list[int], ways: list[Any] | None, workers: int) -> Any:
    if ways is None:
        return build_matrix(index, ids, nodes, workers=workers)
    return build_matrix(index, ids, nodes, ways=ways, workers=workers)


def run(sizes: list[int], repeat: int, network_type: str, placement: str, with_networkx: bool) -> str:
    graph = graph_from_file(EXTRACT, settings=NetworkSettings(network_type=network_type))
    graph, report = keep_routable(graph, [])
    rows = []
    for n in sizes:
        pick, ways = _spots(graph, n, 2026 + n)
        ways_arg = ways if placement == "streets" else None
        ids = [f"L{i}" for i in range(n)]
        t0 = time.perf_counter()
        index = GraphIndex.from_graph(graph)
        t_index = time.perf_counter() - t0
        timing = {}
        for workers in (1, os.cpu_count() or 1):
            best = np.inf
            for _ in range(repeat):
                t0 = time.perf_counter()
                m = _build(index, ids, pick, ways_arg, workers)
                best = min(best, time.perf_counter() - t0)
            timing[workers] = best
        tracemalloc.start()
        m = _build(index, ids, pick, ways_arg, 1)
        peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        spots = len(m.node_time_s)
        stored_mb = (m.node_time_s.nbytes + m.node_dist_m.nbytes) / 2**20
        t_nx, agree = np.nan, np.nan
        if with_networkx and placement == "nodes":
            t_nx, ref = _networkx_rows(graph, pick)
            agree = np.abs(np.asarray(m.time_s) - ref).max()
        rows.append((n, spots, t_index, timing, peak_mb, stored_mb, t_nx, agree))
    cores = os.cpu_count() or 1
    lines = [
        f"## Travel matrix on Campo Grande, locations at {placement} ({dt.date.today().isoformat()})",
        "",
        f"Graph: {EXTRACT.name}, network_type `{network_type}`, strongly connected part "
        f"{len(graph):,} nodes / {graph.number_of_edges():,} edges. Machine: {platform.processor() or platform.machine()}, "
        f"{cores} cores, Python {platform.python_version()}. Best of {repeat}; seeds 2026+n.",
        "",
        "| locations | distinct rows | CSR index (s) | 1 process (s) | "
        f"{cores} processes (s) | peak memory of the build (MB) | stored int32 matrices (MB) | networkx (s) | max diff (s) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, spots, t_index, timing, peak_mb, stored_mb, t_nx, agree in rows:
        lines.append(
            f"| {n}x{n} | {spots} | {t_index:.2f} | {timing[1]:.2f} | {timing[cores]:.2f} | {peak_mb:.0f} | "
            f"{stored_mb:.1f} | {'-' if np.isnan(t_nx) else f'{t_nx:.1f}'} | {'-' if np.isnan(agree) else f'{agree:.1f}'} |"
        )
    return "\n".join(lines) + "\n"


def run_profiles(repeat: int) -> str:
    """Matrix build time on Kupang with one and with two distinct road profiles (see the docstring)."""
    from wasteroute.onstreet import street_ways
    from wasteroute.road_profiles import build_profiles, restriction_groups
    from wasteroute.scenario import Scenario, _points_cached, _snap_facilities

    sc = Scenario.from_toml(ROOT / "data" / "kupang" / "scenario.toml")
    net = sc.load_network()
    snapped, _ = _points_cached(sc, net)
    fac = [sc.facilities.depot, *sc.facilities.landfills]
    import pandas as pd

    facs = _snap_facilities(sc, net.graph, pd.DataFrame({"id": [f.id for f in fac], "lon": [f.lon for f in fac],
                                                         "lat": [f.lat for f in fac]}))
    ok = snapped[snapped["node"] >= 0]
    ids, nodes = [*facs["id"], *ok["id"]], [int(n) for n in (*facs["node"], *ok["node"])]
    tagged = net.graph.copy()
    rng = np.random.default_rng(2026)
    edges = sorted({(u, v) if u < v else (v, u) for u, v in tagged.edges() if u != v})
    anchors = set(nodes[: len(fac)])
    for k in rng.choice(len(edges), len(edges) // 20, replace=False):
        u, v = edges[k]
        if u in anchors or v in anchors:
            continue  # keep the depot and landfill reachable for both types
        for a, b in ((u, v), (v, u)):
            for key in tagged[a].get(b, {}):
                tagged.edges[a, b, key]["maxweight"] = "15"
    rows = []
    for label, graph in (("Kupang fleet as is", net.graph), ("every 20th street maxweight=15", tagged)):
        best, scan, n_profiles, closed = np.inf, np.inf, 0, 0
        for _ in range(repeat):
            index = GraphIndex.from_graph(graph)
            t0 = time.perf_counter()
            restriction_groups(graph, sc.fleet.types)
            scan = min(scan, time.perf_counter() - t0)
            t0 = time.perf_counter()
            ways = [*street_ways(facs, graph), *street_ways(ok, graph)]  # points at their spots (issue 16)
            prof = build_profiles(graph, sc.fleet.types, ids, nodes, index=index, ways=ways, anchors=list(facs["id"]))
            best = min(best, time.perf_counter() - t0)
            n_profiles, closed = len(prof.matrices), sum(len(c) for c in prof.closed)
        rows.append((label, n_profiles, closed, scan, best))
    cores = os.cpu_count() or 1
    lines = [
        f"## Travel matrices per road profile, Kupang ({dt.date.today().isoformat()})",
        "",
        f"Network: {net.description} ({len(net.graph):,} nodes / {net.graph.number_of_edges():,} edges); "
        f"{len(ids)} locations ({len(set(nodes))} distinct nodes); fleet: "
        + ", ".join(f"{t.name} {t.weight_t:g} t" for t in sc.fleet.types)
        + f". Time of `road_profiles.build_profiles` (restriction scan per type + one matrix per profile), "
        f"best of {repeat}, {cores} cores ({platform.processor() or platform.machine()}, Python "
        f"{platform.python_version()}).",
        "",
        "| case | road profiles (matrices) | edges closed | restriction scan alone (s) | build, scan included (s) |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [f"| {label} | {n} | {c:,} | {sc_:.2f} | {t:.2f} |" for label, n, c, sc_, t in rows]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines += ["", f"Load average at the end: {load:.1f} on {cores} cores (a machine shared with other work "
              "makes every figure slower and noisier; compare the two rows of one run, not runs of different days)."]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profiles", action="store_true", help="Kupang: one vs two road profiles")
    ap.add_argument("--sizes", default="1000,2000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--network-type", default="drive_service",
                    help="osmnx network type for the extract (drive_service keeps service roads)")
    ap.add_argument("--placement", choices=("nodes", "streets"), default="nodes",
                    help="locations at the nearer end node of a random edge, or at a spot along it")
    ap.add_argument("--no-networkx", action="store_true", help="skip the networkx reference (slow)")
    ap.add_argument("--out", default=None, help="file to write (default benchmarks/results/matrix-<date>.md)")
    args = ap.parse_args()
    if args.profiles:
        table = run_profiles(args.repeat)
        out = ROOT / "benchmarks" / "results" / f"matrix-profiles-{dt.date.today().isoformat()}.md"
        out.write_text(table)
        print(table)
        print(f"written to {out}")
        return
    table = run([int(s) for s in args.sizes.split(",")], args.repeat, args.network_type, args.placement,
                not args.no_networkx)
    out = Path(args.out) if args.out else ROOT / "benchmarks" / "results" / f"matrix-{dt.date.today().isoformat()}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(table)
    print(table)
    print(f"written to {out}")


if __name__ == "__main__":
    main()
