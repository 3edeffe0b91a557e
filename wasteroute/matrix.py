"""Many-to-many travel times and distances on the road graph.

One compiled Dijkstra per distinct source node (``scipy.sparse.csgraph.dijkstra`` on a CSR
matrix of the graph), never one networkx call per pair. Each edge carries a single combined
weight ``time_cs * SCALE + length_dm`` (centiseconds and decimetres, exact integers in float64),
so one search finds the fastest route, breaks ties by length, and yields both the travel time
and the length of that same route. Large matrices are split over the machine's cores in
forked worker processes writing into shared memory (scipy's Dijkstra holds the GIL, so threads
would not help).

Integer seconds and metres come out; unreachable pairs are reported by location id.
"""

from __future__ import annotations

import logging
import mmap
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from .errors import NetworkError

log = logging.getLogger("wasteroute")

#: Combined weight = centiseconds * _SCALE + decimetres; paths up to 10^7 dm (1,000 km) and
#: 10^8 cs (11 days) stay exact integers in float64.
_SCALE = 10_000_000.0
#: Sentinel for unreachable pairs in the integer matrices.
UNREACHABLE = np.iinfo(np.int64).max // 4


@dataclass(frozen=True)
class GraphIndex:
    """A road graph as a CSR matrix with the node order, built once and reused."""

    nodes: np.ndarray
    position: dict[int, int]
    csr: sp.csr_matrix
    time_s: sp.csr_matrix
    length_m: sp.csr_matrix

    @classmethod
    def from_graph(cls, graph: nx.MultiDiGraph) -> GraphIndex:
        """Index ``graph``: for parallel edges keep the fastest one.

        Raises
        ------
        NetworkError
            If an edge lacks ``travel_time`` or ``length`` or has a negative or NaN value.
        """
        nodes = np.fromiter(graph.nodes, dtype=np.int64, count=graph.number_of_nodes())
        pos = {int(n): i for i, n in enumerate(nodes)}
        m = graph.number_of_edges()
        u = np.empty(m, np.int64)
        v = np.empty(m, np.int64)
        t = np.empty(m, np.float64)
        ln = np.empty(m, np.float64)
        for k, (a, b, d) in enumerate(graph.edges(data=True)):
            u[k], v[k] = pos[a], pos[b]
            t[k] = d.get("travel_time", np.nan)
            ln[k] = d.get("length", np.nan)
        bad = ~(np.isfinite(t) & np.isfinite(ln) & (t >= 0) & (ln >= 0))
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            msg = (
                f"edge {nodes[u[k]]}->{nodes[v[k]]} has travel_time {t[k]} and length {ln[k]}; "
                "every edge needs finite, non-negative values (load the graph with wasteroute.network)"
            )
            raise NetworkError(msg)
        # Integer units per edge; zero-weight edges get 1 dm so scipy keeps them (0 means no edge).
        t_cs = np.round(t * 100.0)
        l_dm = np.maximum(np.round(ln * 10.0), 1.0)
        w = t_cs * _SCALE + l_dm
        order = np.lexsort((w, v, u))  # keep the lightest of parallel edges
        u, v, w, t, ln = u[order], v[order], w[order], t[order], ln[order]
        first = np.ones(len(u), bool)
        first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
        u, v, w, t, ln = u[first], v[first], w[first], t[first], ln[first]
        n = len(nodes)
        csr = sp.csr_matrix((w, (u, v)), shape=(n, n))
        return cls(
            nodes=nodes,
            position=pos,
            csr=csr,
            time_s=sp.csr_matrix((t, (u, v)), shape=(n, n)),
            length_m=sp.csr_matrix((ln, (u, v)), shape=(n, n)),
        )

    def positions(self, nodes: Sequence[int]) -> np.ndarray:
        """Matrix positions of graph node ids.

        Raises
        ------
        NetworkError
            If a node is not in the graph.
        """
        try:
            return np.array([self.position[int(n)] for n in nodes], dtype=np.int64)
        except KeyError as exc:
            raise NetworkError(f"node {exc.args[0]} is not in the road graph; snap points to this graph") from None


def _rows(csr: sp.csr_matrix, sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
    full = dijkstra(csr, directed=True, indices=sources)
    return np.asarray(full[:, targets])


def _combined_rows(csr: sp.csr_matrix, sources: np.ndarray, targets: np.ndarray, workers: int) -> np.ndarray:
    """Combined weights from each source to each target, split over ``workers`` processes.

    The parent computes the first chunk itself while forked children compute the others and
    write straight into a shared anonymous memory map: no pool to start, no results to pickle.
    """
    if workers <= 1 or len(sources) < 2 * 200 or not hasattr(os, "fork"):
        return _rows(csr, sources, targets)
    chunks = np.array_split(np.arange(len(sources)), workers)
    buf = mmap.mmap(-1, len(sources) * len(targets) * 8)
    out = np.frombuffer(buf, dtype=np.float64).reshape(len(sources), len(targets))
    children = []
    for chunk in chunks[1:]:
        pid = os.fork()
        if pid == 0:  # child: fill its rows, leave without running the parent's cleanup
            code = 0
            try:
                out[chunk] = _rows(csr, sources[chunk], targets)
            except BaseException:  # noqa: BLE001 - reported to the parent through the exit code
                code = 1
            os._exit(code)
        children.append(pid)
    out[chunks[0]] = _rows(csr, sources[chunks[0]], targets)
    failed = [pid for pid in children if os.waitpid(pid, 0)[1] != 0]
    if failed:
        raise RuntimeError(f"{len(failed)} matrix worker process(es) failed")
    result = out.copy()
    del out
    buf.close()
    return result


@dataclass(frozen=True)
class TravelMatrix:
    """Integer travel times (s) and distances (m) between named locations.

    ``time_s[i, j]`` is the fastest drive from location ``ids[i]`` to ``ids[j]`` and
    ``dist_m[i, j]`` the length of that same route. Unreachable pairs hold
    :data:`UNREACHABLE` and are listed in ``unreachable``.
    """

    ids: tuple[str, ...]
    nodes: np.ndarray
    time_s: np.ndarray
    dist_m: np.ndarray
    unreachable: tuple[tuple[str, str], ...]
    index: GraphIndex = field(repr=False)
    _pred_cache: dict[int, np.ndarray] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        n = len(self.ids)
        if self.time_s.shape != (n, n) or self.dist_m.shape != (n, n):
            raise ValueError(f"matrix shape {self.time_s.shape} does not match {n} locations")
        if np.any(np.diag(self.time_s) != 0):
            raise ValueError("travel matrix diagonal must be zero")

    def position(self, location_id: str) -> int:
        """Row/column of a location id."""
        return self.ids.index(location_id)

    def node_path(self, i: int, j: int) -> list[int]:
        """Graph node ids of the fastest route from location ``i`` to ``j`` (rows of the matrix)."""
        src = int(self.index.position[int(self.nodes[i])])
        dst = int(self.index.position[int(self.nodes[j])])
        if src == dst:
            return [int(self.nodes[i])]
        pred = self._pred_cache.get(src)
        if pred is None:
            _, pred = dijkstra(self.index.csr, directed=True, indices=src, return_predecessors=True)
            self._pred_cache[src] = pred
        path = [dst]
        while path[-1] != src:
            p = int(pred[path[-1]])
            if p < 0:
                return []
            path.append(p)
        return [int(self.index.nodes[k]) for k in reversed(path)]


def build_matrix(
    graph: nx.MultiDiGraph | GraphIndex,
    ids: Sequence[str],
    nodes: Sequence[int],
    *,
    workers: int | None = None,
) -> TravelMatrix:
    """Travel-time and distance matrices between locations snapped to graph nodes.

    Parameters
    ----------
    graph
        The road graph (or a prebuilt :class:`GraphIndex` of it).
    ids
        One id per location (points, depot, landfills), unique.
    nodes
        The graph node of each location.
    workers
        Processes to split the sources over; default: the number of CPUs.

    Raises
    ------
    NetworkError
        If a node is not in the graph.
    ValueError
        If ids and nodes differ in length or ids repeat.
    """
    if len(ids) != len(nodes):
        raise ValueError(f"{len(ids)} ids but {len(nodes)} nodes")
    if len(set(ids)) != len(ids):
        raise ValueError("location ids must be unique")
    t0 = time.perf_counter()
    index = graph if isinstance(graph, GraphIndex) else GraphIndex.from_graph(graph)
    pos = index.positions(nodes)
    uniq, inverse = np.unique(pos, return_inverse=True)
    workers = workers if workers is not None else (os.cpu_count() or 1)
    combined = _combined_rows(index.csr, uniq, uniq, workers)[np.ix_(inverse, inverse)]
    reach = np.isfinite(combined)
    safe = np.where(reach, combined, 0.0)
    t_cs = np.floor(safe / _SCALE)
    l_dm = safe - t_cs * _SCALE
    time_s = np.round(t_cs / 100.0).astype(np.int64)
    dist_m = np.round(l_dm / 10.0).astype(np.int64)
    time_s[~reach] = UNREACHABLE
    dist_m[~reach] = UNREACHABLE
    np.fill_diagonal(time_s, 0)
    np.fill_diagonal(dist_m, 0)
    bad = np.argwhere(~reach)
    unreachable = tuple((ids[a], ids[b]) for a, b in bad if a != b)
    log.info(
        "matrix %d×%d (%d distinct nodes) in %.2f s%s",
        len(ids), len(ids), len(uniq), time.perf_counter() - t0,
        f"; {len(unreachable)} unreachable pairs" if unreachable else "",
    )
    return TravelMatrix(
        ids=tuple(ids), nodes=np.asarray(nodes, dtype=np.int64), time_s=time_s, dist_m=dist_m,
        unreachable=unreachable, index=index,
    )


def unreachable_locations(matrix: TravelMatrix, anchors: Sequence[str]) -> dict[str, str]:
    """Locations that cannot be reached from, or cannot get back to, every anchor (depot, landfills).

    Returns a reason per location id.
    """
    out: dict[str, str] = {}
    a_idx = [matrix.position(a) for a in anchors]
    for i, lid in enumerate(matrix.ids):
        if lid in anchors:
            continue
        to = [matrix.ids[a] for a in a_idx if matrix.time_s[a, i] >= UNREACHABLE]
        back = [matrix.ids[a] for a in a_idx if matrix.time_s[i, a] >= UNREACHABLE]
        if to or back:
            parts = []
            if to:
                parts.append(f"cannot be reached from {', '.join(to)}")
            if back:
                parts.append(f"has no road back to {', '.join(back)}")
            out[lid] = "unreachable: " + " and ".join(parts) + " (one-way streets or a cut-off road)"
    return out
