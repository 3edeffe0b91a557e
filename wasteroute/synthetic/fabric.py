"""Residential fabric of the synthetic network: ravines, faces, street grids, links, alleys.

Part of :mod:`wasteroute.synthetic.streets` (steps 4-5 of its method).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from scipy.spatial import Delaunay, QhullError
from shapely.geometry import LineString, MultiPolygon, Polygon

from .street_params import RAVINES_LONLAT, StreetParams, _rc, _rv, _to_utm
from .city import SpacingField
from .main_roads import Network


# --------------------------------------------------------------- fabric helpers


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, a: int) -> int:
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def union(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        self.parent[max(ra, rb)] = min(ra, rb)
        return True


def _angle_ok(xy: np.ndarray, dirs: list[list[float]], u: int, v: int, min_angle: float) -> bool:
    """Whether edge u-v leaves u at least ``min_angle`` away from u's other streets."""
    d = xy[v] - xy[u]
    a = math.atan2(d[1], d[0])
    for b in dirs[u]:
        diff = abs((a - b + math.pi) % (2 * math.pi) - math.pi)
        if diff < min_angle:
            return False
    return True


# --------------------------------------------------------------- ravines


def ravines(land: Polygon | MultiPolygon, rng: np.random.Generator) -> list[np.ndarray]:
    """Lay meandering ravines from inland sources to the sea, clipped to the land.

    Each runs from its source to 300 m past its mouth with a lateral meander (three sine
    terms, up to about 400 m) that vanishes at both ends.
    """
    tr = _to_utm()
    out = []
    for src, mouth in RAVINES_LONLAT:
        a, b = _rc(tr.transform(*src)), _rc(tr.transform(*mouth))
        d = b - a
        b = b + d / np.hypot(*d) * 300.0
        t = np.linspace(0.0, 1.0, 121)
        amp = rng.uniform(120.0, 260.0, 3) / np.arange(1, 4)
        phase = rng.uniform(0, 2 * math.pi, 3)
        off = (amp[None, :] * np.sin(math.pi * np.outer(t, np.arange(1, 4)) + phase)).sum(axis=1)
        off *= np.sin(math.pi * t)
        perp = np.array([-d[1], d[0]]) / np.hypot(*d)
        line = LineString(_rc(a + np.outer(t, b - a) + np.outer(off, perp)))
        for part in shapely.get_parts(line.intersection(land)):
            if part.geom_type == "LineString" and part.length > 200.0:
                out.append(_rc(part.coords))
    return out


def _segments(lines: Sequence[np.ndarray]) -> np.ndarray:
    """Split polylines into 2-point line geometries."""
    segs = [np.stack([c[:-1], c[1:]], axis=1) for c in lines if len(c) >= 2]
    return shapely.linestrings(np.vstack(segs)) if segs else np.array([], dtype=object)


# --------------------------------------------------------------- fabric


def _faces(land: Polygon | MultiPolygon, roads: Sequence[np.ndarray]) -> list[Polygon]:
    """Cut the land into the faces enclosed by main roads, ravines and the coast."""
    if not roads:
        return [p for p in shapely.get_parts(land) if p.area > 0]
    lines = [LineString(c) for c in roads if len(c) >= 2]
    noded = shapely.union_all([*lines, land.boundary])
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    out = [
        shapely.normalize(f)
        for f in faces
        if f.area > 100.0 and land.contains(f.representative_point())
    ]
    return sorted(out, key=lambda f: (round(f.centroid.x), round(f.centroid.y)))


@dataclass(frozen=True)
class FaceGrid:
    """Street points of one face on a rotated, wobbly grid, with grid indices."""

    xy: np.ndarray  # (n, 2)
    ij: np.ndarray  # (n, 2): column (along the streets), row


def _face_grid(
    face: Polygon, spacing: SpacingField, rng: np.random.Generator, params: StreetParams
) -> FaceGrid:
    """Lay a rotated grid of street points over a face: rows of streets and cross links.

    Rows run along the face's long axis ``row_factor`` spacings apart; points along a row
    are ``along_factor`` spacings apart. Rows wobble (low sine waves) and points jitter,
    so streets curve gently instead of forming a chessboard.
    """
    rep = face.representative_point()
    r = float(spacing(np.array([[rep.x, rep.y]]))[0])
    theta = _long_axis(face) + rng.normal(0.0, params.grid_twist)
    a, b = r * params.along_factor, r * params.row_factor
    c, s = math.cos(theta), math.sin(theta)
    # rotate about the face's corner, not the UTM origin 8,900 km away: there a change of
    # the angle in its last bits would move the whole grid by metres
    x0, y0 = (float(q) for q in _rc(face.bounds[:2]))
    ext = np.asarray(face.exterior.coords) - np.array([x0, y0])
    u, v = ext @ np.array([c, s]), ext @ np.array([-s, c])
    us = np.arange(u.min() - a * rng.uniform(), u.max() + a, a)
    vs = np.arange(v.min() - b * rng.uniform(), v.max() + b, b)
    gu, gv = np.meshgrid(us, vs)
    lam_u, lam_v = rng.uniform(5, 10) * a, rng.uniform(3, 6) * b
    ph = rng.uniform(0, 2 * math.pi, 2)
    gv = gv + params.wobble * b * np.sin(2 * math.pi * gu / lam_u + ph[0])
    gu = gu + params.wobble * a * np.sin(2 * math.pi * gv / lam_v + ph[1])
    gu = gu + rng.uniform(-params.jitter, params.jitter, gu.shape) * a
    gv = gv + rng.uniform(-params.jitter, params.jitter, gv.shape) * b
    x, y = _rc(x0 + gu * c - gv * s), _rc(y0 + gu * s + gv * c)
    inner = face.buffer(-0.45 * r)
    ok = shapely.contains_xy(inner, x, y) if not inner.is_empty else np.zeros(x.shape, bool)
    pts = np.column_stack([x[ok], y[ok]])
    if len(pts):
        ok2 = spacing.is_settled(pts)
        rows, cols = np.nonzero(ok)
        return FaceGrid(pts[ok2], np.column_stack([cols, rows])[ok2])
    return FaceGrid(np.zeros((0, 2)), np.zeros((0, 2), dtype=int))


def _long_axis(face: Polygon) -> float:
    """Direction (radians, in [0, pi)) of the long side of the face's smallest-area rectangle.

    Computed here from the convex hull rather than by GEOS, whose rectangle (and its vertex
    order) changed between versions: one of the hull's edge directions, ties to the first.
    """
    hull = _rc(np.asarray(shapely.normalize(face.convex_hull).exterior.coords))
    edge = np.diff(hull, axis=0)
    angles = np.unique(_rv(np.mod(np.arctan2(edge[:, 1], edge[:, 0]), math.pi / 2)))
    best: tuple[float, float] | None = None
    for a in angles:
        c, s = math.cos(a), math.sin(a)
        u, v = hull @ np.array([c, s]), hull @ np.array([-s, c])
        du, dv = float(np.ptp(u)), float(np.ptp(v))
        area = round(du * dv, 2)
        axis = a if du >= dv else a + math.pi / 2
        if best is None or area < best[0]:
            best = (area, axis)
    return float(best[1]) % math.pi if best is not None else 0.0


def _grid_edges(
    grid: FaceGrid, ids: Sequence[int], rng: np.random.Generator, params: StreetParams
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return a face grid's row edges, its chosen cross links, and its spare cross links.

    Cross links follow a staggered brick bond: between rows j and j+1 at every
    ``period``-th column, shifted from row to row so that most junctions are T junctions
    (with probability ``p_aligned`` a row keeps the previous shift: crossroads).
    """
    index = {(int(i), int(j)): ids[k] for k, (i, j) in enumerate(grid.ij)}
    period = 2 if rng.uniform() < params.p_period2 else 3
    rows = sorted({j for _, j in index})
    shift: dict[int, int] = {}
    prev = int(rng.integers(period))
    for j in rows:
        same = rng.uniform() < params.p_aligned
        prev = prev if same else (prev + 1 + int(rng.integers(period - 1))) % period
        shift[j] = prev
    along: list[tuple[int, int]] = []
    links: list[tuple[int, int]] = []
    spare: list[tuple[int, int]] = []
    for (i, j), k in sorted(index.items()):
        if (i + 1, j) in index:
            along.append((k, index[(i + 1, j)]))
        if (i, j + 1) in index:
            brick = (i + shift[j]) % period == 0
            (links if brick and rng.uniform() >= params.p_link_drop else spare).append(
                (k, index[(i, j + 1)])
            )
    return _pairs(along), _pairs(links), _pairs(spare)


def _pairs(edges: list[tuple[int, int]]) -> np.ndarray:
    return np.asarray(edges, dtype=int).reshape(-1, 2)


def _valid_edges(
    xy: np.ndarray, e: np.ndarray, land: Polygon | MultiPolygon, fixed_lines: np.ndarray | None
) -> np.ndarray:
    """Mask of edges that stay on land and do not cross any of ``fixed_lines``."""
    if not len(e):
        return np.zeros(0, dtype=bool)
    lines = shapely.linestrings(np.stack([xy[e[:, 0]], xy[e[:, 1]]], axis=1))
    tol = land.buffer(0.5)
    shapely.prepare(tol)
    ok = shapely.covers(tol, lines)
    if fixed_lines is not None and len(fixed_lines):
        ok[shapely.STRtree(fixed_lines).query(lines, predicate="crosses")[0]] = False
    return ok


def _delaunay_edges(xy: np.ndarray) -> np.ndarray:
    """Edges of the Delaunay triangulation (all pairs when there are too few points)."""
    if len(xy) < 4:
        return np.array(
            [(i, j) for i in range(len(xy)) for j in range(i + 1, len(xy))], dtype=int
        ).reshape(-1, 2)
    try:
        s = Delaunay(xy).simplices
    except QhullError:  # e.g. all points on one line
        return np.array([(i, i + 1) for i in range(len(xy) - 1)], dtype=int).reshape(-1, 2)
    e = np.vstack([s[:, [0, 1]], s[:, [1, 2]], s[:, [0, 2]]])
    return np.unique(np.sort(e, axis=1), axis=0)


@dataclass
class _Builder:
    """Degree and direction bookkeeping while streets are chosen."""

    xy: np.ndarray
    uf: _UnionFind
    deg: np.ndarray
    dirs: list[list[float]]
    chosen: list[tuple[int, int]] = field(default_factory=list)

    @classmethod
    def new(cls, xy: np.ndarray) -> _Builder:
        n = len(xy)
        return cls(xy, _UnionFind(n), np.zeros(n, dtype=int), [[] for _ in range(n)])

    def add(self, u: int, v: int, *, fabric: bool = True) -> None:
        self.uf.union(u, v)
        self.deg[u] += 1
        self.deg[v] += 1
        for a, b in ((u, v), (v, u)):
            d = self.xy[b] - self.xy[a]
            self.dirs[a].append(math.atan2(d[1], d[0]))
        if fabric:
            self.chosen.append((u, v))

    def angle_ok(self, u: int, v: int, min_angle: float) -> bool:
        return _angle_ok(self.xy, self.dirs, u, v, min_angle) and _angle_ok(
            self.xy, self.dirs, v, u, min_angle
        )


def select_streets(
    xy: np.ndarray,
    along: np.ndarray,
    links: np.ndarray,
    spare: np.ndarray,
    n_fixed: int,
    fixed_edges: set[tuple[int, int]],
    land: Polygon | MultiPolygon,
    barrier_lines: np.ndarray,
    spacing: np.ndarray,
    rng: np.random.Generator,
    params: StreetParams,
) -> list[tuple[int, int]]:
    """Choose the residential streets among grid edges, then connect everything.

    Rows are kept except for random breaks (``p_break``, dead ends); the brick-bond cross
    links are kept; loose points next to a main road join it with probability
    ``p_connect``. No residential street crosses a main road or a ravine
    (``barrier_lines``). Finally Kruskal over the remaining on-land edges (shortest first)
    joins any part left apart, bridging a ravine only as a last resort.
    """
    fe = np.array(sorted(fixed_edges), dtype=int).reshape(-1, 2)
    road_lines = (
        shapely.linestrings(np.stack([xy[fe[:, 0]], xy[fe[:, 1]]], axis=1))
        if len(fe)
        else np.array([], dtype=object)
    )
    barriers = np.concatenate([road_lines, barrier_lines])
    along = along[_valid_edges(xy, along, land, barriers)]
    links = links[_valid_edges(xy, links, land, barriers)]
    spare = spare[_valid_edges(xy, spare, land, barriers)]
    b = _Builder.new(xy)
    for u, v in fe:
        b.add(int(u), int(v), fabric=False)
    keep_along = rng.uniform(size=len(along)) >= params.p_break
    for u, v in np.vstack([along[keep_along], links]):
        b.add(int(u), int(v))
    dl = _delaunay_edges(xy)
    dl_roads = dl[_valid_edges(xy, dl, land, road_lines)]  # may bridge a ravine
    dl = dl[_valid_edges(xy, dl, land, barriers)]
    _connect_to_roads(b, dl, n_fixed, spacing, rng, params)
    _join_components(b, [np.vstack([along[~keep_along], spare]), dl, dl_roads], rng)
    return b.chosen


def add_spurs(
    net: Network,
    edges: list[tuple[int, int]],
    land: Polygon | MultiPolygon,
    barrier_lines: np.ndarray,
    rng: np.random.Generator,
    params: StreetParams,
) -> list[tuple[int, int]]:
    """Add short dead-end alleys (gang) off the middle of residential street edges.

    With probability ``p_spur`` an edge is split at a point near its middle, and a stub
    of 35-60 % of the edge's length leaves that point at a right angle, to one side.
    A stub that would leave the land or touch a street or a ravine is not added.
    """
    xy = np.asarray(net.xy, dtype=float).reshape(-1, 2)
    plans = []
    for u, v in edges:
        draw, at, side, frac = (
            rng.uniform(),
            rng.uniform(0.35, 0.65),
            rng.choice([-1.0, 1.0]),
            rng.uniform(0.35, 0.6),
        )
        d = xy[v] - xy[u]
        norm = float(np.hypot(*d))
        if draw < params.p_spur and norm > 0:
            mid = _rc(xy[u] + at * d)
            plans.append(((u, v), mid, _rc(mid + side * frac * np.array([-d[1], d[0]]))))
    if not plans:
        return list(edges)
    lines = shapely.linestrings([[mid, end] for _, mid, end in plans])
    ends = np.array([[xy[u], xy[v]] for u, v in edges])
    existing = np.concatenate([shapely.linestrings(ends), barrier_lines])
    ok = shapely.covers(land, lines)
    ok[shapely.STRtree(existing).query(lines, predicate="intersects")[0]] = False
    split = {}
    for (edge, mid, end), good in zip(plans, ok):
        if good:
            split[edge] = (
                net.vertex(float(mid[0]), float(mid[1])),
                net.vertex(float(end[0]), float(end[1])),
            )
    out = []
    for u, v in edges:
        if (u, v) in split:
            m, e = split[(u, v)]
            out += [(u, m), (m, v), (m, e)]
        else:
            out.append((u, v))
    return out


def _connect_to_roads(
    b: _Builder,
    dl: np.ndarray,
    n_fixed: int,
    spacing: np.ndarray,
    rng: np.random.Generator,
    params: StreetParams,
) -> None:
    """Join grid points next to a main road to it (T junctions), shortest links first."""
    one_fixed = (dl[:, 0] < n_fixed) != (dl[:, 1] < n_fixed)
    e = dl[one_fixed]
    length = _rv(np.hypot(*(b.xy[e[:, 0]] - b.xy[e[:, 1]]).T))
    e = e[np.argsort(length, kind="stable")]
    draws = rng.uniform(size=len(e))
    min_angle = math.radians(params.min_angle_deg)
    for (u, v), draw in zip(e, draws):
        u, v = int(u), int(v)
        road, pt = (u, v) if u < n_fixed else (v, u)
        if b.deg[pt] > 2 or b.deg[road] >= 4 or draw >= params.p_connect:
            continue
        if np.hypot(*(b.xy[u] - b.xy[v])) > 1.3 * spacing[pt]:
            continue
        if b.angle_ok(road, pt, min_angle):
            b.add(road, pt)


def _join_components(b: _Builder, pools: Sequence[np.ndarray], rng: np.random.Generator) -> None:
    """Kruskal over each pool of edges in turn (shortest first) to connect every part."""
    for pool in pools:
        if not len(pool):
            continue
        length = np.hypot(*(b.xy[pool[:, 0]] - b.xy[pool[:, 1]]).T)
        weight = _rv(length * rng.uniform(0.9, 1.1, len(pool)))
        for k in np.argsort(weight, kind="stable"):
            u, v = int(pool[k, 0]), int(pool[k, 1])
            if b.uf.find(u) != b.uf.find(v):
                b.add(u, v)
