"""Where a location sits on its street, and travel to and from that spot.

A collection point is not at a junction: it is at some position along a road edge. A truck
reaches it by driving to the edge's start node and then along the edge up to the point, and
leaves it by driving the rest of the edge to its end node. A one-way street is driven only in
its direction; a two-way street is two directed edges, and a point on it can be served from
either (or, when the crew must stop on the point's side, only from the one that has the
point on its kerb side). :class:`OnEdge` is one such directed way to a location.

The travel matrix stays a set of node-to-node searches: :func:`combine` adds the offsets to
the node-to-node weights of the distinct edge ends (vectorised over locations), and two
locations on the same directed edge are also joined directly along it when the second lies
ahead of the first. Weights are the matrix module's combined integers (centiseconds x SCALE +
decimetres), split along an edge so that the two parts always add up to the whole edge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class OnEdge:
    """A location at fraction ``frac`` (0 at ``u``, 1 at ``v``) of the directed edge ``u -> v`` (``key``).

    ``time_s`` and ``length_m`` are the whole edge's; the parts before and after the location
    are split from them in integer centiseconds and decimetres (:meth:`split`).
    """

    u: int
    v: int
    key: int
    frac: float
    time_s: float
    length_m: float

    def totals(self) -> tuple[int, int]:
        """The whole edge in integer centiseconds and decimetres (as the road graph's index rounds it)."""
        return int(round(self.time_s * 100.0)), int(max(round(self.length_m * 10.0), 1))

    def split(self) -> tuple[int, int, int, int]:
        """``(in_cs, in_dm, out_cs, out_dm)``: from ``u`` to the location, and from it on to ``v``."""
        t_cs, l_dm = self.totals()
        f = min(max(float(self.frac), 0.0), 1.0)
        in_cs, in_dm = int(round(f * t_cs)), int(round(f * l_dm))
        return in_cs, in_dm, t_cs - in_cs, l_dm - in_dm

    def at_node(self) -> int | None:
        """The end node the location coincides with (nothing of the edge before or after it), else None."""
        in_cs, in_dm, out_cs, out_dm = self.split()
        if in_cs == 0 and in_dm == 0:
            return self.u
        if out_cs == 0 and out_dm == 0:
            return self.v
        return None


#: How a location is placed: a graph node, or one or two directed ways along its street.
Placement = int | tuple[OnEdge, ...]


@dataclass(frozen=True)
class Piece:
    """Part of one directed edge driven on a leg, from fraction ``f0`` to ``f1``.

    ``length_m``/``time_s`` are the matrix's own integer parts of that edge (decimetres and
    centiseconds converted), so the pieces of a leg add up to the leg's figures.
    """

    u: int
    v: int
    key: int | None
    f0: float
    f1: float
    length_m: float
    time_s: float


def normalise(place: Placement) -> Placement:
    """A placement with ways that coincide with a node replaced by that node.

    No ways at all (every way to it closed to the vehicle) stays ``()``: the location cannot be
    reached or left.

    Raises
    ------
    ValueError
        If a location has more than two ways.
    """
    if isinstance(place, (int, np.integer)):
        return int(place)
    ways = tuple(place)
    if len(ways) > 2:
        raise ValueError(f"a location is served from at most two ways (its street's two directions), not {len(ways)}")
    for w in ways:
        node = w.at_node()
        if node is not None:
            return int(node)
    return ways


def place_key(place: Placement) -> tuple:
    """A hashable key: two locations with the same key are the same spot for the matrix."""
    if isinstance(place, int):
        return ("node", place)
    return tuple(sorted((w.u, w.v, w.key, *w.split()) for w in place))


@dataclass(frozen=True)
class Slots:
    """Two entry and two exit options per distinct spot (a single option repeated twice).

    ``ent_node``/``ex_node`` are positions in the graph index; ``ent_w``/``ex_w`` the combined
    weights along the edge; ``edge`` an integer id of the directed edge (-1 at a node) and
    ``ent_w`` doubles as the spot's position along that edge for direct travel.
    """

    ent_node: np.ndarray  # (R, 2) int64
    ent_w: np.ndarray  # (R, 2) float64
    ex_node: np.ndarray  # (R, 2) int64
    ex_w: np.ndarray  # (R, 2) float64
    edge: np.ndarray  # (R, 2) int64


def slots(places: Sequence[Placement], position: dict[int, int], scale: float) -> Slots:
    """Entry/exit options of each distinct spot (``places`` already normalised and deduplicated).

    Raises
    ------
    KeyError
        If a node of a place is not in ``position`` (the graph index).
    """
    r = len(places)
    ent_node = np.zeros((r, 2), np.int64)
    ex_node = np.zeros((r, 2), np.int64)
    ent_w = np.zeros((r, 2))
    ex_w = np.zeros((r, 2))
    edge = np.full((r, 2), -1, np.int64)
    edge_ids: dict[tuple[int, int, int], int] = {}
    for k, place in enumerate(places):
        if isinstance(place, int):
            ent_node[k] = ex_node[k] = position[place]
            continue
        if not place:  # closed: no way in or out
            ent_w[k] = ex_w[k] = np.inf
            continue
        ways = list(place) * (2 // len(place))
        for s, w in enumerate(ways[:2]):
            in_cs, in_dm, out_cs, out_dm = w.split()
            ent_node[k, s], ex_node[k, s] = position[w.u], position[w.v]
            ent_w[k, s] = in_cs * scale + in_dm
            ex_w[k, s] = out_cs * scale + out_dm
            edge[k, s] = edge_ids.setdefault((w.u, w.v, w.key), len(edge_ids))
    return Slots(ent_node, ent_w, ex_node, ex_w, edge)


def combine(node_w: np.ndarray, src: np.ndarray, tgt: np.ndarray, sl: Slots, *, block: int = 1 << 22) -> np.ndarray:
    """Combined weights between every pair of spots: leave along the edge, drive, arrive along the edge.

    ``node_w[a, b]`` is the node-to-node weight from ``src[a]`` to ``tgt[b]`` (graph index
    positions); every exit node of ``sl`` is in ``src`` and every entry node in ``tgt``.
    ``w[p, q] = min over p's exits and q's entries of exit + node_w + entry``, and, when p and
    q lie on the same directed edge with q ahead of p, the drive along that edge between them.
    The diagonal is zero. Rows are done in blocks of about ``block`` values to bound memory.
    """
    r = len(sl.edge)
    ex_row = np.searchsorted(src, sl.ex_node)
    ent_col = np.searchsorted(tgt, sl.ent_node)
    out = np.empty((r, r))
    step = max(1, block // max(r, 1))
    for a in range(0, r, step):
        b = min(r, a + step)
        best = np.full((b - a, r), np.inf)
        for s in range(2):
            rows = node_w[ex_row[a:b, s]]  # (B, T)
            for t in range(2):
                cand = sl.ex_w[a:b, s, None] + rows[:, ent_col[:, t]] + sl.ent_w[None, :, t]
                np.minimum(best, cand, out=best)
        out[a:b] = best
    _direct(out, sl)
    np.fill_diagonal(out, 0.0)
    return out


def _direct(out: np.ndarray, sl: Slots) -> None:
    """Lower ``out[p, q]`` to the drive along a shared directed edge where q is ahead of p."""
    rows = np.repeat(np.arange(len(sl.edge)), 2)
    edge, pos = sl.edge.reshape(-1), sl.ent_w.reshape(-1)
    keep = edge >= 0
    rows, edge, pos = rows[keep], edge[keep], pos[keep]
    uniq = np.unique(np.stack([edge, rows]), axis=1)  # a single way is stored twice: once is enough
    edge, rows = uniq[0], uniq[1]
    order = np.lexsort((rows, edge))
    edge, rows = edge[order], rows[order]
    pos = np.array([_pos_on(sl, int(p), int(e)) for p, e in zip(rows, edge)]) if len(rows) else np.zeros(0)
    starts = np.flatnonzero(np.r_[True, edge[1:] != edge[:-1]]) if len(edge) else np.zeros(0, int)
    ends = np.r_[starts[1:], len(edge)] if len(edge) else np.zeros(0, int)
    for a, b in zip(starts, ends):
        if b - a < 2:
            continue
        p, w = rows[a:b], pos[a:b]
        gap = w[None, :] - w[:, None]  # from p (row) ahead to q (column)
        sub = out[np.ix_(p, p)]
        better = (gap >= 0) & (gap < sub)
        sub[better] = gap[better]
        out[np.ix_(p, p)] = sub


def _pos_on(sl: Slots, row: int, edge: int) -> float:
    s = 0 if sl.edge[row, 0] == edge else 1
    return float(sl.ent_w[row, s])


def street_ways(frame: Any, graph: Any) -> list[tuple[OnEdge, ...] | None]:
    """The ways of each snapped row (``edge_u``, ``edge_v``, ``edge_key``, ``edge_frac``, ``rev_key``,
    ``serve`` from :func:`wasteroute.stops.snap_points`); None for a row without a street.

    Raises
    ------
    KeyError
        If a row's edge is not in ``graph``.
    """
    out: list[tuple[OnEdge, ...] | None] = []
    cols = ("edge_u", "edge_v", "edge_key", "edge_frac", "rev_key", "serve")
    if any(c not in frame.columns for c in cols):
        return [None] * len(frame)
    for u, v, key, frac, rev, serve in zip(*(frame[c].to_numpy() for c in cols)):
        u, v, key, rev = int(u), int(v), int(key), int(rev)
        ways = []
        if serve in ("forward", "both"):
            d = graph[u][v][key]
            ways.append(OnEdge(u, v, key, float(frac), float(d["travel_time"]), float(d["length"])))
        if serve in ("backward", "both") and rev >= 0:
            d = graph[v][u][rev]
            ways.append(OnEdge(v, u, rev, 1.0 - float(frac), float(d["travel_time"]), float(d["length"])))
        out.append(tuple(ways) or None)
    return out
