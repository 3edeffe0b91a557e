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

Run from the repository root::

    python -m benchmarks.speed.matrix_bench [--sizes 1000,2000] [--repeat 3]
    python -m benchmarks.speed.matrix_bench --profiles [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import time
from pathlib import Path

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


def run(sizes: list[int], repeat: int, network_type: str) -> str:
    graph = graph_from_file(EXTRACT, settings=NetworkSettings(network_type=network_type))
    graph, report = keep_routable(graph, [])
    nodes = sorted(graph.nodes)
    rows = []
    for n in sizes:
        rng = np.random.default_rng(2026 + n)
        pick = [nodes[i] for i in rng.choice(len(nodes), n, replace=False)]
        ids = [f"L{i}" for i in range(n)]
        t0 = time.perf_counter()
        index = GraphIndex.from_graph(graph)
        t_index = time.perf_counter() - t0
        timing = {}
        for workers in (1, os.cpu_count() or 1):
            best = np.inf
            for _ in range(repeat):
                t0 = time.perf_counter()
                m = build_matrix(index, ids, pick, workers=workers)
                best = min(best, time.perf_counter() - t0)
            timing[workers] = best
        t_nx, ref = _networkx_rows(graph, pick)
        agree = np.abs(np.asarray(m.time_s) - ref).max()
        rows.append((n, t_index, timing, t_nx, agree))
    cores = os.cpu_count() or 1
    lines = [
        f"## Travel matrix on Campo Grande ({dt.date.today().isoformat()})",
        "",
        f"Graph: {EXTRACT.name}, network_type `{network_type}`, strongly connected part "
        f"{len(graph):,} nodes / {graph.number_of_edges():,} edges. Machine: {platform.processor() or platform.machine()}, "
        f"{cores} cores, Python {platform.python_version()}. Best of {repeat}; seeds 2026+n.",
        "",
        "| locations | CSR index (s, once per graph) | scipy, 1 process (s) | "
        f"scipy, {cores} processes (s) | networkx, 1 Dijkstra per source (s) | speed-up vs networkx | max diff (s) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, t_index, timing, t_nx, agree in rows:
        best = min(timing.values())
        lines.append(
            f"| {n}x{n} | {t_index:.2f} | {timing[1]:.2f} | {timing[cores]:.2f} | {t_nx:.1f} | "
            f"{t_nx / best:.0f}x | {agree:.1f} |"
        )
    return "\n".join(lines) + "\n"


def run_profiles(repeat: int) -> str:
    """Matrix build time on Kupang with one and with two distinct road profiles (see the docstring)."""
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
            prof = build_profiles(graph, sc.fleet.types, ids, nodes, index=index, anchors=list(facs["id"]))
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
    args = ap.parse_args()
    if args.profiles:
        table = run_profiles(args.repeat)
        out = ROOT / "benchmarks" / "results" / f"matrix-profiles-{dt.date.today().isoformat()}.md"
        out.write_text(table)
        print(table)
        print(f"written to {out}")
        return
    table = run([int(s) for s in args.sizes.split(",")], args.repeat, args.network_type)
    out = ROOT / "benchmarks" / "results" / f"matrix-{dt.date.today().isoformat()}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(table)
    print(table)
    print(f"written to {out}")


if __name__ == "__main__":
    main()
