"""Many-to-many travel times and distances on the road graph.

One compiled Dijkstra per distinct source node (``scipy.sparse.csgraph.dijkstra`` on a CSR
matrix of the graph), never one networkx call per pair. Each edge carries a single combined
weight ``time_cs * SCALE + length_dm`` (centiseconds and decimetres, exact integers in float64),
so one search finds the fastest route, breaks ties by length, and yields both the travel time
and the length of that same route. Large matrices are split over the machine's cores in
forked worker processes writing into shared memory (scipy's Dijkstra holds the GIL, so threads
would not help).

Integer seconds and metres come out, stored once per distinct road node (int32) with an index
from location to node (:class:`LocationMatrix`): 20,000 points on 700 nodes hold 700 x 700
values, not 20,000 x 20,000. Unreachable pairs are reported by location id.
"""

from __future__ import annotations

import logging
import mmap
import os
import time
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from .errors import NetworkError
from .onstreet import OnEdge, Piece, Placement, combine, normalise, place_key, slots

log = logging.getLogger("wasteroute")

#: Combined weight = centiseconds * _SCALE + decimetres; paths up to 10^7 dm (1,000 km) and
#: 10^8 cs (11 days) stay exact integers in float64.
_SCALE = 10_000_000.0
#: Sentinel for unreachable pairs in the integer matrices (the largest int32: 68 years, 2.1 million km).
UNREACHABLE = int(np.iinfo(np.int32).max)


@dataclass(frozen=True)
class GraphIndex:
    """A road graph as a CSR matrix with the node order, built once and reused."""

    nodes: np.ndarray
    position: dict[int, int]
    csr: sp.csr_matrix
    time_s: sp.csr_matrix
    length_m: sp.csr_matrix
    #: The key of the graph edge kept for each entry of ``csr`` (same order as ``csr.data``).
    keys: tuple[Any, ...] = ()

    @classmethod
    def from_graph(cls, graph: nx.MultiDiGraph, *, closed: Collection[tuple[Any, Any, int]] = ()) -> GraphIndex:
        """Index ``graph``: for parallel edges keep the fastest one.

        ``closed`` edges ``(u, v, key)`` are left out (the roads a vehicle type may not use,
        see ``road_profiles``); the nodes and their order stay those of ``graph``.

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
        gone = set(closed)
        keys: list[Any] = []
        k = 0
        for a, b, key, d in graph.edges(keys=True, data=True):
            if gone and (a, b, key) in gone:
                continue
            u[k], v[k] = pos[a], pos[b]
            keys.append(key)
            t[k] = d.get("travel_time", np.nan)
            ln[k] = d.get("length", np.nan)
            k += 1
        u, v, t, ln = u[:k], v[:k], t[:k], ln[:k]
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
        kept = tuple(keys[k] for k in order[first])
        n = len(nodes)
        csr = sp.csr_matrix((w, (u, v)), shape=(n, n))
        if not (csr.has_sorted_indices and len(csr.data) == len(kept)):
            raise AssertionError("CSR entries must keep the (u, v) order of the kept edges")
        return cls(
            nodes=nodes,
            position=pos,
            csr=csr,
            time_s=sp.csr_matrix((t, (u, v)), shape=(n, n)),
            length_m=sp.csr_matrix((ln, (u, v)), shape=(n, n)),
            keys=kept,
        )

    def edge_key(self, a: int, b: int) -> Any:
        """Key of the graph edge the index keeps from position ``a`` to position ``b`` (None if no edge)."""
        lo, hi = self.csr.indptr[a], self.csr.indptr[a + 1]
        k = lo + int(np.searchsorted(self.csr.indices[lo:hi], b))
        if k < hi and self.csr.indices[k] == b and self.keys:
            return self.keys[k]
        return None

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


class LocationMatrix:
    """A read-only location x location matrix stored once per distinct road node.

    Many locations share a road node (points along one street snap to the same node), so the
    values are kept as a square ``values`` array over distinct nodes and ``loc_node[i]`` names
    the row/column of location ``i``: ``m[i, j] == values[loc_node[i], loc_node[j]]``. Indexing
    follows numpy's rules for ints, slices, index arrays and ``m[np.ix_(a, b)]``, so callers
    use it like the dense array it stands for without that array ever being built. Results are
    widened (int64 arrays, Python ints) so that arithmetic on them cannot overflow int32.

    Parameters
    ----------
    values
        Square matrix over distinct nodes (int32 for travel matrices).
    loc_node
        For each location, its row/column in ``values``.

    Raises
    ------
    ValueError
        If ``values`` is not square or ``loc_node`` points outside it.
    """

    __slots__ = ("values", "loc_node")

    def __init__(self, values: np.ndarray, loc_node: np.ndarray) -> None:
        values = np.asarray(values)
        loc_node = np.asarray(loc_node, dtype=np.intp).reshape(-1)
        if values.ndim != 2 or values.shape[0] != values.shape[1]:
            raise ValueError(f"node matrix must be square, not {values.shape}")
        if len(loc_node) and (loc_node.min() < 0 or loc_node.max() >= values.shape[0]):
            raise ValueError(f"location index out of range for a {values.shape[0]}-node matrix")
        values = values.view()
        values.flags.writeable = False
        loc_node = loc_node.view()
        loc_node.flags.writeable = False
        self.values = values
        self.loc_node = loc_node

    @classmethod
    def from_dense(cls, array: np.ndarray) -> LocationMatrix:
        """One node per location (the identity index); integers that fit are stored as int32.

        Raises
        ------
        ValueError
            If ``array`` is not square.
        """
        a = np.asarray(array)
        if a.ndim != 2 or a.shape[0] != a.shape[1]:
            raise ValueError(f"matrix must be square, not {a.shape}")
        if a.dtype.kind in "iub" and a.size and a.min() >= np.iinfo(np.int32).min and a.max() <= UNREACHABLE:
            a = a.astype(np.int32)
        return cls(a, np.arange(a.shape[0]))

    # ------------------------------------------------------------------ array-like
    @property
    def shape(self) -> tuple[int, int]:
        """``(locations, locations)``."""
        return (len(self.loc_node), len(self.loc_node))

    @property
    def dtype(self) -> np.dtype:
        """The stored type (int32 for travel matrices)."""
        return self.values.dtype

    ndim = 2

    def __len__(self) -> int:
        return len(self.loc_node)

    def __repr__(self) -> str:
        return f"LocationMatrix({len(self)}×{len(self)} over {self.values.shape[0]} nodes, {self.dtype})"

    def __getitem__(self, key: Any) -> Any:
        if not isinstance(key, tuple):
            key = (key, slice(None))
        if len(key) != 2:
            raise IndexError(f"a location matrix takes two indices, not {len(key)}")
        a, b = key
        rows, cols = self.loc_node[a], self.loc_node[b]
        if isinstance(a, slice):  # numpy: a slice keeps its axis in place, as an outer product
            out = self.values[rows][:, cols]
        elif isinstance(b, slice):
            out = self.values[:, cols][rows]
        else:
            out = self.values[rows, cols]
        return _widen(out)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """The dense matrix (for small cases and tests: it is locations x locations)."""
        out = _widen(self.values[np.ix_(self.loc_node, self.loc_node)])
        return out if dtype is None else out.astype(dtype)

    def tolist(self) -> list[list[Any]]:
        """The dense matrix as nested lists (small cases and tests)."""
        return np.asarray(self).tolist()

    # ------------------------------------------------------------------ on the nodes only
    def _used(self) -> np.ndarray:
        return np.unique(self.loc_node)

    def max(self) -> Any:
        """Largest value between any two locations."""
        u = self._used()
        return _widen(self.values[np.ix_(u, u)].max()) if len(u) else _widen(self.values.dtype.type(0))

    def min(self) -> Any:
        """Smallest value between any two locations."""
        u = self._used()
        return _widen(self.values[np.ix_(u, u)].min()) if len(u) else _widen(self.values.dtype.type(0))

    def sum(self, axis: int | None = None) -> Any:
        """Sum over all locations (``axis=None``), over columns (1) or over rows (0)."""
        count = np.bincount(self.loc_node, minlength=self.values.shape[0])
        wide = self.values.astype(np.float64 if self.values.dtype.kind == "f" else np.int64)
        if axis is None:
            return _widen(count @ wide @ count)
        if axis in (1, -1):
            return (wide @ count)[self.loc_node]
        if axis == 0:
            return (count @ wide)[self.loc_node]
        raise ValueError(f"axis {axis} is out of range for a 2-D location matrix")

    def mean(self, axis: int | None = None) -> Any:
        """Mean over all locations, over columns (1) or over rows (0)."""
        n = len(self)
        return self.sum(axis) / (n * n if axis is None else n)

    def select(self, locations: Any) -> LocationMatrix:
        """The matrix restricted to ``locations`` (in that order), over their nodes only."""
        nodes = self.loc_node[np.asarray(locations, dtype=np.intp)]
        uniq, inverse = np.unique(nodes, return_inverse=True)
        return LocationMatrix(self.values[np.ix_(uniq, uniq)], inverse)

    def smallest_to_others(self, k: int) -> np.ndarray:
        """For each location ``i``, the ``k`` smallest ``m[i, j]`` over the other locations ``j``, sorted.

        Equals sorting each row of the dense matrix without its diagonal and keeping ``k``
        columns (fewer when there are fewer other locations), computed on the nodes.
        """
        n = len(self)
        k = min(k, n - 1)
        if k <= 0:
            return np.zeros((n, 0))
        uniq, inverse = np.unique(self.loc_node, return_inverse=True)
        vals = self.values[np.ix_(uniq, uniq)].astype(np.float64)
        count = np.bincount(inverse, minlength=len(uniq))
        # Row u holds node v (count[v] times, once fewer on its own node): the k smallest
        # values are among the k smallest distinct entries of the row.
        mult = np.broadcast_to(count, vals.shape).copy()
        np.fill_diagonal(mult, count - 1)
        vals[mult == 0] = np.inf
        take = min(k, len(uniq))
        part = np.argpartition(vals, take - 1, axis=1)[:, :take]
        pv = np.take_along_axis(vals, part, axis=1)
        pm = np.take_along_axis(mult, part, axis=1)
        order = np.argsort(pv, axis=1, kind="stable")
        pv, pm = np.take_along_axis(pv, order, axis=1), np.take_along_axis(pm, order, axis=1)
        out = np.empty((len(uniq), k))
        for r in range(len(uniq)):
            out[r] = np.repeat(pv[r], np.minimum(pm[r], k))[:k]
        return out[inverse]

    def smallest_from_others(self, locations: Any) -> np.ndarray:
        """For each location ``j`` of ``locations``, the smallest ``m[i, j]`` over all locations ``i != j``
        (``inf`` if there is none)."""
        count = np.bincount(self.loc_node, minlength=self.values.shape[0])
        vals = self.values.astype(np.float64)
        vals[count == 0, :] = np.inf
        own = np.diag(vals).copy()
        np.fill_diagonal(vals, np.inf)
        best = vals.min(axis=0) if len(vals) else np.zeros(0)
        best = np.where(count >= 2, np.minimum(best, own), best)
        return best[self.loc_node[np.asarray(locations, dtype=np.intp)]]


def _widen(x: Any) -> Any:
    """int64/float64 arrays and Python scalars out of an int32/float32 store."""
    if isinstance(x, np.ndarray):
        return x.astype(np.float64 if x.dtype.kind == "f" else np.int64, copy=False)
    return x.item() if isinstance(x, np.generic) else x


@dataclass(frozen=True)
class TravelMatrix:
    """Integer travel times (s) and distances (m) between named locations.

    Stored once per distinct spot: ``node_time_s[r, c]`` / ``node_dist_m[r, c]`` (int32)
    between the distinct spots (a road node, or a position along a street,
    :mod:`wasteroute.onstreet`), and ``loc_node[i]`` the row of location ``ids[i]``. The
    properties ``time_s`` and ``dist_m`` read them by location (``time_s[i, j]`` is the
    fastest drive from ``ids[i]`` to ``ids[j]``, ``dist_m[i, j]`` the length of that same
    route) without expanding them. Unreachable pairs hold :data:`UNREACHABLE` and are listed
    in ``unreachable``. ``places[i]`` is where location ``i`` sits (a node id, or its ways
    along its street); ``nodes[i]`` a graph node near it (the node itself, or the nearer end
    of its street edge).
    """

    ids: tuple[str, ...]
    nodes: np.ndarray
    node_time_s: np.ndarray = field(repr=False)
    node_dist_m: np.ndarray = field(repr=False)
    loc_node: np.ndarray = field(repr=False)
    unreachable: tuple[tuple[str, str], ...]
    index: GraphIndex = field(repr=False)
    places: tuple[Placement, ...] = field(default=(), repr=False)
    _pred_cache: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False, compare=False)
    _positions: dict[str, int] = field(default_factory=dict, repr=False, compare=False)
    _views: dict[str, LocationMatrix] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        n, k = len(self.ids), len(self.node_time_s)
        if self.node_time_s.shape != (k, k) or self.node_dist_m.shape != (k, k) or len(self.loc_node) != n:
            raise ValueError(f"node matrices {self.node_time_s.shape} do not match {n} locations")
        if np.any(np.diag(self.node_time_s) != 0):
            raise ValueError("travel matrix diagonal must be zero")
        if not self.places:
            object.__setattr__(self, "places", tuple(int(x) for x in self.nodes))
        if len(self.places) != n:
            raise ValueError(f"{len(self.places)} places for {n} locations")
        self._positions.update((lid, i) for i, lid in enumerate(self.ids))
        self._views["time_s"] = LocationMatrix(self.node_time_s, self.loc_node)
        self._views["dist_m"] = LocationMatrix(self.node_dist_m, self.loc_node)

    @property
    def time_s(self) -> LocationMatrix:
        """Travel times (s) by location, a read-only view of ``node_time_s``."""
        return self._views["time_s"]

    @property
    def dist_m(self) -> LocationMatrix:
        """Distances (m) by location, a read-only view of ``node_dist_m``."""
        return self._views["dist_m"]

    def position(self, location_id: str) -> int:
        """Row/column of a location id.

        Raises
        ------
        ValueError
            If the id is not a location of this matrix.
        """
        try:
            return self._positions[location_id]
        except KeyError:
            raise ValueError(f"location {location_id!r} is not in the travel matrix") from None

    def _search(self, src: int) -> tuple[np.ndarray, np.ndarray]:
        found = self._pred_cache.get(src)
        if found is None:
            dist, pred = dijkstra(self.index.csr, directed=True, indices=src, return_predecessors=True)
            found = self._pred_cache[src] = (dist, pred)
        return found

    def leg(self, i: int, j: int) -> list[Piece]:
        """The drive from location ``i`` to ``j`` as pieces of directed edges, in driving order.

        The first piece starts at ``i``'s position on its street and the last ends at ``j``'s;
        whole edges between are the matrix's fastest path. Empty when both are the same spot
        or there is no route. The pieces' lengths and times add up to the matrix's figures
        (to the rounding of whole seconds and metres).
        """
        if self.loc_node[i] == self.loc_node[j]:
            return []
        a, b = self.places[i], self.places[j]
        best: tuple[float, list[Piece]] | None = None
        direct = _direct_piece(a, b)
        if direct is not None:
            best = direct
        for ex_node, ex_w, ex_piece in _exits(a):
            dist, pred = self._search(self.index.position[ex_node])
            for ent_node, ent_w, ent_piece in _entries(b):
                tgt = self.index.position[ent_node]
                total = ex_w + float(dist[tgt]) + ent_w
                if np.isfinite(total) and (best is None or total < best[0]):
                    path = self._node_pieces(pred, self.index.position[ex_node], tgt)
                    if path is None:
                        continue
                    best = (total, [*ex_piece, *path, *ent_piece])
        return [] if best is None else best[1]

    def _node_pieces(self, pred: np.ndarray, src: int, dst: int) -> list[Piece] | None:
        path = [dst]
        while path[-1] != src:
            p = int(pred[path[-1]])
            if p < 0:
                return None
            path.append(p)
        path.reverse()
        out = []
        for x, y in zip(path, path[1:]):
            t = float(self.index.time_s[x, y])
            ln = float(self.index.length_m[x, y])
            t_cs, l_dm = round(t * 100.0), max(round(ln * 10.0), 1)
            out.append(Piece(int(self.index.nodes[x]), int(self.index.nodes[y]), self.index.edge_key(x, y),
                             0.0, 1.0, l_dm / 10.0, t_cs / 100.0))
        return out

    def node_path(self, i: int, j: int) -> list[int]:
        """Graph nodes passed on the drive from location ``i`` to ``j`` (ends of the pieces of :meth:`leg`).

        A location on a street adds the end of its edge it leaves by or arrives from. One node
        when both are the same spot at a node; empty when there is no route.
        """
        pieces = self.leg(i, j)
        if not pieces:
            if self.loc_node[i] == self.loc_node[j]:
                place = self.places[i]
                return [place] if isinstance(place, int) else [int(self.nodes[i])]
            return []
        out = [p.u for p in pieces] + [pieces[-1].v]
        if pieces[0].f0 > 0:
            out = out[1:]
        if pieces[-1].f1 < 1:
            out = out[:-1]
        return out


def _exits(place: Placement) -> list[tuple[int, float, list[Piece]]]:
    """(node, combined weight, piece) for each way of leaving ``place``."""
    if isinstance(place, int):
        return [(place, 0.0, [])]
    out = []
    for w in place:
        in_cs, in_dm, out_cs, out_dm = w.split()
        out.append((w.v, out_cs * _SCALE + out_dm, [Piece(w.u, w.v, w.key, w.frac, 1.0, out_dm / 10, out_cs / 100)]))
    return out


def _entries(place: Placement) -> list[tuple[int, float, list[Piece]]]:
    """(node, combined weight, piece) for each way of arriving at ``place``."""
    if isinstance(place, int):
        return [(place, 0.0, [])]
    out = []
    for w in place:
        in_cs, in_dm, _, _ = w.split()
        out.append((w.u, in_cs * _SCALE + in_dm, [Piece(w.u, w.v, w.key, 0.0, w.frac, in_dm / 10, in_cs / 100)]))
    return out


def _direct_piece(a: Placement, b: Placement) -> tuple[float, list[Piece]] | None:
    """The drive along a directed edge both lie on, from ``a`` ahead to ``b``, if any."""
    if isinstance(a, int) or isinstance(b, int):
        return None
    best = None
    for wa in a:
        for wb in b:
            if (wa.u, wa.v, wa.key) != (wb.u, wb.v, wb.key):
                continue
            ia_cs, ia_dm, _, _ = wa.split()
            ib_cs, ib_dm, _, _ = wb.split()
            if ib_cs < ia_cs or ib_dm < ia_dm:
                continue
            w = (ib_cs - ia_cs) * _SCALE + (ib_dm - ia_dm)
            if best is None or w < best[0]:
                piece = Piece(wa.u, wa.v, wa.key, wa.frac, wb.frac, (ib_dm - ia_dm) / 10, (ib_cs - ia_cs) / 100)
                best = (w, [piece])
    return best


def build_matrix(
    graph: nx.MultiDiGraph | GraphIndex,
    ids: Sequence[str],
    nodes: Sequence[int],
    *,
    ways: Sequence[tuple[OnEdge, ...] | None] | None = None,
    workers: int | None = None,
) -> TravelMatrix:
    """Travel-time and distance matrices between locations at graph nodes or along streets.

    A location with ``ways`` sits on its street (:mod:`wasteroute.onstreet`): it is reached
    along one of its directed edges from the edge's start node and left along it to the end
    node. Without ``ways`` (or with ``None`` for it) a location is at its node. One search per
    distinct edge end (node); the matrices stay per distinct spot (int32), however many
    locations share one (see :class:`TravelMatrix`).

    Parameters
    ----------
    graph
        The road graph (or a prebuilt :class:`GraphIndex` of it).
    ids
        One id per location (points, depot, landfills), unique.
    nodes
        The graph node of each location (for a location on a street: a node near it, kept
        for reference).
    ways
        For each location, the directed ways it can be served from (one or two), or None.
    workers
        Processes to split the sources over; default: the number of CPUs.

    Raises
    ------
    NetworkError
        If a node is not in the graph, or a route is too long for the integer matrices.
    ValueError
        If ids, nodes and ways differ in length or ids repeat.
    """
    if len(ids) != len(nodes) or (ways is not None and len(ways) != len(ids)):
        raise ValueError(f"{len(ids)} ids but {len(nodes)} nodes{'' if ways is None else f' and {len(ways)} ways'}")
    if len(set(ids)) != len(ids):
        dup = sorted(k for k, c in Counter(ids).items() if c > 1)
        raise ValueError(f"location ids must be unique; {', '.join(map(repr, dup[:5]))} repeat(s)")
    t0 = time.perf_counter()
    index = graph if isinstance(graph, GraphIndex) else GraphIndex.from_graph(graph)
    index.positions(nodes)  # every node must be in the graph
    places = [normalise(int(n) if ways is None or ways[k] is None else ways[k]) for k, n in enumerate(nodes)]  # type: ignore[arg-type]
    keys = [place_key(p) if p != () else ("closed", k) for k, p in enumerate(places)]
    row_of: dict[tuple, int] = {}
    inverse = np.array([row_of.setdefault(k, len(row_of)) for k in keys], dtype=np.int64)
    distinct = [places[k] for k in np.unique(inverse, return_index=True)[1]]
    try:
        sl = slots(distinct, index.position, _SCALE)
    except KeyError as exc:
        raise NetworkError(f"node {exc.args[0]} is not in the road graph; snap points to this graph") from None
    workers = workers if workers is not None else (os.cpu_count() or 1)
    src, tgt = np.unique(sl.ex_node), np.unique(sl.ent_node)
    combined = combine(_combined_rows(index.csr, src, tgt, workers), src, tgt, sl)
    node_time, node_dist, reach = _node_matrices(combined)
    unreachable = _unreachable_pairs(ids, inverse, reach)
    log.info(
        "matrix %d×%d on %d distinct spots (%d edge ends searched) in %.2f s%s",
        len(ids), len(ids), len(distinct), len(src), time.perf_counter() - t0,
        f"; {len(unreachable)} unreachable pairs" if unreachable else "",
    )
    return TravelMatrix(
        ids=tuple(ids), nodes=np.asarray(nodes, dtype=np.int64), node_time_s=node_time, node_dist_m=node_dist,
        loc_node=inverse.astype(np.int32), unreachable=unreachable, index=index, places=tuple(places),
    )


def _node_matrices(combined: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Integer seconds and metres (int32) out of the combined weights, and which pairs connect.

    Raises
    ------
    NetworkError
        If a route is too long for int32 (over 2 million km or 68 years).
    """
    reach = np.isfinite(combined)
    safe = np.where(reach, combined, 0.0)
    t_cs = np.floor(safe / _SCALE)
    l_dm = safe - t_cs * _SCALE
    out = []
    for values in (np.round(t_cs / 100.0), np.round(l_dm / 10.0)):
        if values.size and values.max() >= UNREACHABLE:
            raise NetworkError("a route is too long for the travel matrix; check the graph's lengths and speeds")
        m = values.astype(np.int32)
        m[~reach] = UNREACHABLE
        np.fill_diagonal(m, 0)
        out.append(m)
    return out[0], out[1], reach


def _unreachable_pairs(ids: Sequence[str], inverse: np.ndarray, reach: np.ndarray) -> tuple[tuple[str, str], ...]:
    """Location id pairs ``(a, b)``, ``a != b``, whose nodes do not connect, in location order."""
    bad = np.argwhere(~reach)
    if not len(bad):
        return ()
    members = [np.flatnonzero(inverse == u) for u in range(reach.shape[0])]
    pairs = np.concatenate([
        np.stack(np.meshgrid(members[u], members[v], indexing="ij"), axis=-1).reshape(-1, 2) for u, v in bad
    ])
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    return tuple((ids[a], ids[b]) for a, b in pairs if a != b)


def unreachable_locations(matrix: TravelMatrix, anchors: Sequence[str]) -> dict[str, str]:
    """Locations that cannot be reached from, or cannot get back to, every anchor (depot, landfills).

    Returns a reason per location id.
    """
    out: dict[str, str] = {}
    a_idx = np.array([matrix.position(a) for a in anchors], dtype=np.intp)
    every = np.arange(len(matrix.ids))
    to_bad = matrix.time_s[np.ix_(a_idx, every)] >= UNREACHABLE  # anchors x locations
    back_bad = matrix.time_s[np.ix_(every, a_idx)] >= UNREACHABLE  # locations x anchors
    for i in np.flatnonzero(to_bad.any(axis=0) | back_bad.any(axis=1)):
        lid = matrix.ids[i]
        if lid in anchors:
            continue
        to = [anchors[k] for k in np.flatnonzero(to_bad[:, i])]
        back = [anchors[k] for k in np.flatnonzero(back_bad[i])]
        parts = []
        if to:
            parts.append(f"cannot be reached from {', '.join(to)}")
        if back:
            parts.append(f"has no road back to {', '.join(back)}")
        out[lid] = "unreachable: " + " and ".join(parts) + " (one-way streets or a cut-off road)"
    return out
