"""Main roads of the synthetic network: lattice routing, smoothing, noding, resampling.

Part of :mod:`wasteroute.synthetic.streets` (step 3 of its method), with the vertex
registry :class:`Network` every later step adds to.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import Delaunay, QhullError, cKDTree
from shapely.geometry import LineString, MultiPolygon, Point, Polygon

from .street_params import (
    COORD_DECIMALS,
    StreetParams,
    VALUE_DECIMALS,
    _ARTERIALS,
    _COLLECTOR_NAMES,
    _ROMAN,
    _rc,
    _rv,
)
from .city import City, SpacingField, _noise_field

logger = logging.getLogger("wasteroute")


# ------------------------------------------------------------------ main roads


@dataclass
class Lattice:
    """A 16-neighbour lattice over the land; main roads are least-cost paths on it."""

    xy: np.ndarray
    graph: csr_matrix
    tree: cKDTree

    def nearest(self, point: tuple[float, float]) -> int:
        """Return the lattice node nearest to a point."""
        return int(self.tree.query(point)[1])

    def route(self, src: int, dst: int) -> list[int]:
        """Return the least-cost node path from ``src`` to ``dst`` (empty if unreachable)."""
        _, pred = dijkstra(self.graph, indices=src, return_predecessors=True)
        if src != dst and pred[dst] < 0:
            return []
        path = [dst]
        while path[-1] != src:
            path.append(int(pred[path[-1]]))
        return path[::-1]

    def discount(self, path: Sequence[int], factor: float, floor: float) -> None:
        """Make the edges of a path cheaper for later routes (both directions)."""
        g = self.graph
        for a, b in itertools.pairwise(path):
            for u, v in ((a, b), (b, a)):
                lo, hi = g.indptr[u], g.indptr[u + 1]
                pos = lo + int(np.searchsorted(g.indices[lo:hi], v))
                g.data[pos] = round(
                    max(g.data[pos] * factor, floor * _edge_len(self.xy, u, v)), VALUE_DECIMALS
                )


def _edge_len(xy: np.ndarray, u: int, v: int) -> float:
    return float(np.hypot(*(xy[u] - xy[v])))


def build_lattice(
    land: Polygon | MultiPolygon, rng: np.random.Generator, params: StreetParams
) -> Lattice:
    """Lay the routing lattice 60 m inside the land, with curving random costs."""
    step = params.lattice_m
    inner = land.buffer(-60.0)
    minx, miny, maxx, maxy = land.bounds
    xs = _rc(np.arange(minx, maxx + step, step))
    ys = _rc(np.arange(miny, maxy + step, step))
    gx, gy = np.meshgrid(xs, ys)
    inside = shapely.contains_xy(inner, gx, gy)
    ids = np.full(gx.shape, -1)
    ids[inside] = np.arange(int(inside.sum()))
    xy = np.column_stack([gx[inside], gy[inside]])
    noise = _noise_field(rng, land.bounds)
    rows, cols, costs = [], [], []
    ny, nx = gx.shape
    for di, dj in ((0, 1), (1, 0), (1, 1), (1, -1), (1, 2), (2, 1), (1, -2), (2, -1)):
        a = ids[0 : ny - di, max(0, -dj) : nx - max(0, dj)]
        b = ids[di:ny, max(0, dj) : nx - max(0, -dj)]
        ok = (a >= 0) & (b >= 0)
        u, v = a[ok], b[ok]
        mid = (xy[u] + xy[v]) / 2
        keep = shapely.contains_xy(inner, mid[:, 0], mid[:, 1])
        u, v, mid = u[keep], v[keep], mid[keep]
        length = np.hypot(*(xy[u] - xy[v]).T)
        cost = _rv(length * (1.0 + params.route_noise * noise(mid) ** 2))
        rows += [u, v]
        cols += [v, u]
        costs += [cost, cost]
    n = len(xy)
    graph = csr_matrix(
        (np.concatenate(costs), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n)
    )
    graph.sort_indices()
    return Lattice(xy, graph, cKDTree(xy))


@dataclass(frozen=True)
class Route:
    """A named main road as a lattice path."""

    name: str
    highway: str
    rank: int
    path: tuple[int, ...]


def _collector_links(city: City, params: StreetParams) -> list[tuple[str, str]]:
    """Pairs of neighbouring kelurahan centres (Delaunay) that a collector links."""
    names = sorted(k for k in city.key_points if k.startswith("DESA:"))
    if len(names) < 3:
        return [(a, b) for i, a in enumerate(names) for b in names[i + 1 :]]
    pts = np.array([city.key_points[n] for n in names])
    try:
        tri = Delaunay(pts)
    except QhullError:  # centres on one line
        return list(itertools.pairwise(names))
    pairs = sorted(
        {tuple(sorted((int(s[i]), int(s[(i + 1) % 3])))) for s in tri.simplices for i in range(3)}
    )
    out = []
    for i, j in pairs:
        seg = LineString([pts[i], pts[j]])
        if (
            seg.length <= params.collector_max_m
            and seg.intersection(city.land).length > 0.9 * seg.length
        ):
            out.append((names[i], names[j]))
    return out


def route_main_roads(
    city: City, lattice: Lattice, rng: np.random.Generator, params: StreetParams
) -> list[Route]:
    """Route the arterials, then the collectors, on the lattice."""
    plans: list[tuple[str, str, tuple[str, ...]]] = []
    for name, hwy, way in _ARTERIALS:
        pts = tuple(w for w in way if w in city.key_points)
        if len(pts) >= 2:
            plans.append((name, hwy, pts))
    links = _collector_links(city, params)
    order = rng.permutation(len(_COLLECTOR_NAMES))
    for i, (a, b) in enumerate(links):
        name = "Jl. " + _COLLECTOR_NAMES[order[i % len(order)]] + _ROMAN[i // len(order) % 10]
        plans.append((name, "tertiary", (a, b)))
    routes = []
    for rank, (name, hwy, way) in enumerate(plans):
        nodes = [lattice.nearest(city.key_points[w]) for w in way]
        path: list[int] = []
        for src, dst in itertools.pairwise(nodes):
            leg = lattice.route(src, dst)
            path += leg[1:] if path else leg
        if len(path) < 2:
            continue
        lattice.discount(path, params.route_discount, 0.25)
        routes.append(Route(name, hwy, rank, tuple(path)))
    logger.info("main roads: %d arterials/collectors routed", len(routes))
    return routes


_HIGHWAY_RANK = {"primary": 0, "secondary": 1, "tertiary": 2, "unclassified": 3, "residential": 4}


@dataclass(frozen=True)
class Chain:
    """A stretch of main road between junctions, as smoothed coordinates."""

    coords: np.ndarray
    name: str
    highway: str


def _route_chains(routes: Sequence[Route], lattice: Lattice, key_nodes: set[int]) -> list[Chain]:
    """Cut the union of routes at junctions and smooth each stretch."""
    owner: dict[tuple[int, int], Route] = {}
    adj: dict[int, set[int]] = {}
    for r in routes:  # routes are in rank order: the first owner of an edge keeps it
        for a, b in zip(r.path[:-1], r.path[1:]):
            key = (min(a, b), max(a, b))
            if key not in owner or _HIGHWAY_RANK[r.highway] < _HIGHWAY_RANK[owner[key].highway]:
                owner[key] = r
            adj.setdefault(a, set()).add(b)
            adj.setdefault(b, set()).add(a)
    stops = {n for n, nb in adj.items() if len(nb) != 2} | (key_nodes & set(adj))
    seen: set[tuple[int, int]] = set()
    chains = []
    for start in sorted(adj):
        for nxt in sorted(adj[start]):
            if (min(start, nxt), max(start, nxt)) in seen:
                continue
            if start not in stops and not _is_cycle_start(start, stops, adj):
                continue
            path = _walk(start, nxt, adj, stops, owner, seen)
            first = owner[(min(path[0], path[1]), max(path[0], path[1]))]
            coords = _rc(_chaikin(lattice.xy[path], 3))
            chains.append(Chain(coords, first.name, first.highway))
    return chains


def _is_cycle_start(node: int, stops: set[int], adj: dict[int, set[int]]) -> bool:
    """Whether ``node`` is the smallest node of a cycle with no junction (never cut)."""
    prev, cur = node, min(adj[node])
    while cur != node:
        if cur in stops:
            return False
        if cur < node:
            return False
        prev, cur = cur, next(n for n in sorted(adj[cur]) if n != prev)
    return True


def _walk(
    start: int,
    nxt: int,
    adj: dict[int, set[int]],
    stops: set[int],
    owner: dict[tuple[int, int], Route],
    seen: set[tuple[int, int]],
) -> list[int]:
    """Follow lattice edges from ``start`` until a junction, a name change or a loop."""
    path = [start, nxt]
    seen.add((min(start, nxt), max(start, nxt)))
    name = owner[(min(start, nxt), max(start, nxt))].name
    while path[-1] not in stops and path[-1] != start:
        cur, prev = path[-1], path[-2]
        step = next(n for n in sorted(adj[cur]) if n != prev)
        key = (min(cur, step), max(cur, step))
        if owner[key].name != name:
            stops.add(cur)
            break
        seen.add(key)
        path.append(step)
    return path


def _chaikin(coords: np.ndarray, iterations: int) -> np.ndarray:
    """Smooth a polyline by corner cutting, keeping both ends."""
    for _ in range(iterations):
        if len(coords) < 3:
            return coords
        q = 0.75 * coords[:-1] + 0.25 * coords[1:]
        r = 0.25 * coords[:-1] + 0.75 * coords[1:]
        mid = np.empty((2 * len(q), 2))
        mid[0::2], mid[1::2] = q, r
        coords = np.vstack([coords[:1], mid[1:-1], coords[-1:]])
    return coords


# ------------------------------------------------------------------ registry


@dataclass
class Network:
    """Vertices (UTM metres) and ways under construction."""

    xy: list[tuple[float, float]] = field(default_factory=list)
    index: dict[tuple[int, int], int] = field(default_factory=dict)
    ways: list[tuple[list[int], dict[str, str]]] = field(default_factory=list)

    def vertex(self, x: float, y: float) -> int:
        """Return the id of the vertex at (x, y) rounded to 1 cm, adding it if new."""
        key = (round(x * 100), round(y * 100))
        if key not in self.index:
            self.index[key] = len(self.xy)
            self.xy.append((key[0] / 100, key[1] / 100))
        return self.index[key]


def _crossings(chains: Sequence[Chain]) -> list[list[float]]:
    """For each chain, the distances along it where another chain crosses it."""
    if not chains:
        return []
    lines = [LineString(c.coords) for c in chains]
    tree = shapely.STRtree(lines)
    pairs = tree.query(lines, predicate="intersects")
    cuts: list[list[float]] = [[] for _ in chains]
    for i, j in zip(*pairs):
        if i >= j:
            continue
        inter = lines[i].intersection(lines[j])
        for g in getattr(inter, "geoms", [inter]):
            if g.geom_type != "Point":
                continue
            ends = [
                Point(lines[i].coords[0]),
                Point(lines[i].coords[-1]),
                Point(lines[j].coords[0]),
                Point(lines[j].coords[-1]),
            ]
            if min(g.distance(e) for e in ends) < 1.0:
                continue
            cuts[i].append(round(lines[i].project(g), COORD_DECIMALS))
            cuts[j].append(round(lines[j].project(g), COORD_DECIMALS))
    return cuts


def _resample(
    coords: np.ndarray, cuts: Iterable[float], spacing: SpacingField, factor: float
) -> np.ndarray:
    """Resample a polyline at the local spacing, keeping its ends and cut points."""
    seg = np.hypot(*np.diff(coords, axis=0).T)
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    anchors = sorted({0.0, float(cum[-1]), *[float(c) for c in cuts]})
    out = [0.0]
    for a, b in itertools.pairwise(anchors):
        mid = np.array(
            [[np.interp((a + b) / 2, cum, coords[:, 0]), np.interp((a + b) / 2, cum, coords[:, 1])]]
        )
        n = max(1, round((b - a) / (float(spacing(mid)[0]) * factor)))
        out += list(np.linspace(a, b, n + 1)[1:])
    d = np.asarray(out)
    return np.column_stack([np.interp(d, cum, coords[:, 0]), np.interp(d, cum, coords[:, 1])])


def add_main_roads(net: Network, chains: Sequence[Chain], spacing: SpacingField) -> list[list[int]]:
    """Add the main-road chains as ways; return each chain's vertex ids."""
    cuts = _crossings(chains)
    out = []
    for chain, cut in zip(chains, cuts):
        pts = _resample(chain.coords, cut, spacing, 1.0)
        ids = [net.vertex(float(x), float(y)) for x, y in pts]
        ids = [v for i, v in enumerate(ids) if i == 0 or v != ids[i - 1]]
        if len(ids) < 2:
            continue
        net.ways.append((ids, {"highway": chain.highway, "name": chain.name}))
        out.append(ids)
    return out
