"""Ways of the synthetic network: strokes, names, one-way pairs and bends.

Part of :mod:`wasteroute.synthetic.streets` (steps 6-7 of its method).
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from scipy.spatial import cKDTree
from shapely.geometry import MultiPolygon, Polygon

from .street_params import StreetParams, VALUE_DECIMALS, _ALLEY_WORDS, _ROMAN, _THEMES, _rc
from .city import City
from .main_roads import Network


# ------------------------------------------------------------------- strokes


def strokes(
    xy: np.ndarray, edges: Sequence[tuple[int, int]], max_deflection_deg: float = 40.0
) -> list[list[int]]:
    """Chain edges into strokes that run straight on through junctions."""
    inc: dict[int, list[int]] = {}
    for k, (u, v) in enumerate(edges):
        inc.setdefault(u, []).append(k)
        inc.setdefault(v, []).append(k)
    partner: dict[tuple[int, int], int] = {}  # (node, edge) -> edge continuing through node
    limit = math.radians(max_deflection_deg)
    for node in sorted(inc):
        ks = inc[node]
        pairs = []
        for i in range(len(ks)):
            for j in range(i + 1, len(ks)):
                dev = _deflection(xy, node, edges[ks[i]], edges[ks[j]])
                if dev <= limit:
                    pairs.append((round(dev, VALUE_DECIMALS), ks[i], ks[j]))
        used: set[int] = set()
        for _, a, b in sorted(pairs):
            if a not in used and b not in used:
                partner[(node, a)] = b
                partner[(node, b)] = a
                used |= {a, b}
    done = np.zeros(len(edges), dtype=bool)
    out = []
    for k in range(len(edges)):
        if done[k]:
            continue
        done[k] = True
        u, v = edges[k]
        fwd = _extend(v, k, edges, partner, done)
        back = _extend(u, k, edges, partner, done)
        line = back[::-1] + [u, v] + fwd if (not fwd or fwd[-1] != u) else [u, v] + fwd
        out.append(line)
    return out


def _other(edge: tuple[int, int], node: int) -> int:
    return edge[1] if edge[0] == node else edge[0]


def _deflection(xy: np.ndarray, node: int, e1: tuple[int, int], e2: tuple[int, int]) -> float:
    a, b = xy[_other(e1, node)] - xy[node], xy[_other(e2, node)] - xy[node]
    cos = float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-12))
    return math.pi - math.acos(max(-1.0, min(1.0, cos)))


def _extend(
    node: int,
    k: int,
    edges: Sequence[tuple[int, int]],
    partner: dict[tuple[int, int], int],
    done: np.ndarray,
) -> list[int]:
    """Follow partners from edge k through ``node``; return the nodes beyond ``node``."""
    out: list[int] = []
    while (node, k) in partner and not done[partner[(node, k)]]:
        k = partner[(node, k)]
        done[k] = True
        node = _other(edges[k], node)
        out.append(node)
    return out


# ---------------------------------------------------------------- naming


@dataclass
class _Namer:
    """Hands out Indonesian-style street names from a theme per kelurahan."""

    rng: np.random.Generator
    themes: dict[str, list[str]] = field(default_factory=dict)
    used: dict[tuple[str, str], int] = field(default_factory=dict)

    def _theme(self, kel: str) -> list[str]:
        """Return the kelurahan's word pool (two themes, drawn on first use)."""
        if kel not in self.themes:
            picks = self.rng.choice(len(_THEMES), size=2, replace=False)
            words = [w for t in sorted(int(p) for p in picks) for w in _THEMES[t]]
            self.themes[kel] = [words[i] for i in self.rng.permutation(len(words))]
        return self.themes[kel]

    def street(self, kel: str) -> str:
        """Name a street "Jl. <word>", numbered I, II, III ... when the word repeats."""
        pool = self._theme(kel)
        word = pool[int(self.rng.integers(len(pool)))]
        n = self.used.get((kel, word), 0)
        self.used[(kel, word)] = n + 1
        return f"Jl. {word}{_ROMAN[n % len(_ROMAN)]}"

    def alley(self, kel: str) -> str:
        """Name an alley "Gg. <word> <n>" from the kelurahan's words or a civic word."""
        pool = self._theme(kel) if self.rng.uniform() < 0.6 else list(_ALLEY_WORDS)
        word = pool[int(self.rng.integers(len(pool)))]
        n = self.used.get((kel, "Gg. " + word), 0) + 1
        self.used[(kel, "Gg. " + word)] = n
        return f"Gg. {word} {n}"


def _kelurahan_of(points: np.ndarray, city: City) -> list[str]:
    """Return the kelurahan name of each point (nearest polygon)."""
    polys = [k.polygon for k in city.kelurahan]
    tree = shapely.STRtree(polys)
    idx = tree.query_nearest(shapely.points(points), all_matches=False)[1]
    return [city.kelurahan[int(i)].name for i in idx]


def name_strokes(
    xy: np.ndarray,
    lines: Sequence[list[int]],
    deg: np.ndarray,
    city: City,
    spacing: np.ndarray,
    rng: np.random.Generator,
    params: StreetParams,
) -> list[dict[str, str]]:
    """Tag each stroke: highway class, and a name for most of them."""
    if not lines:
        return []
    mids = np.array([xy[line[len(line) // 2]] for line in lines])
    kels = _kelurahan_of(mids, city)
    namer = _Namer(rng)
    tags = []
    for line, kel in zip(lines, kels):
        length = float(np.sum(np.hypot(*np.diff(xy[line], axis=0).T)))
        sparse = (
            float(np.mean(spacing[line]))
            > 0.5 * (params.spacing_max_m + params.spacing_min_m) * params.density_scale
        )
        dead = deg[line[0]] == 1 or deg[line[-1]] == 1
        t = {"highway": "unclassified" if sparse and length > 400 else "residential"}
        u = rng.uniform()
        if u < params.unnamed_share * (2.0 if sparse else 1.0):
            pass
        elif dead and length < 300 and not sparse:
            t["name"] = namer.alley(kel)
        else:
            t["name"] = namer.street(kel)
        tags.append(t)
    return tags


# ---------------------------------------------------------------- one-ways


def _way_adjacency(
    n: int, ways: Sequence[tuple[list[int], dict[str, str]]]
) -> list[dict[int, int]]:
    """Directed multiplicity adjacency of the ways (all two-way at first)."""
    adj: list[dict[int, int]] = [{} for _ in range(n)]
    for nodes, _ in ways:
        for a, b in itertools.pairwise(nodes):
            adj[a][b] = adj[a].get(b, 0) + 1
            adj[b][a] = adj[b].get(a, 0) + 1
    return adj


def _reaches(adj: list[dict[int, int]], src: int, dst: int) -> bool:
    seen = {src}
    queue = deque([src])
    while queue:
        a = queue.popleft()
        if a == dst:
            return True
        for b, k in adj[a].items():
            if k > 0 and b not in seen:
                seen.add(b)
                queue.append(b)
    return False


def choose_oneways(
    xy: np.ndarray,
    ways: list[tuple[list[int], dict[str, str]]],
    first_fabric: int,
    spacing: np.ndarray,
    rng: np.random.Generator,
    params: StreetParams,
) -> int:
    """Make pairs of nearby, nearly parallel dense streets one-way in opposite directions.

    A way becomes one-way only if its last node can still reach its first without it, so the
    network stays strongly connected. Returns the number of one-way ways.
    """
    cands = []
    dense_limit = float(np.quantile(spacing, 0.4))
    for w in range(first_fabric, len(ways)):
        nodes, tags = ways[w]
        length = float(np.sum(np.hypot(*np.diff(xy[nodes], axis=0).T)))
        if 120 < length < 900 and float(np.mean(spacing[nodes])) <= dense_limit and "name" in tags:
            cands.append(w)
    if not cands:
        return 0
    mids = np.array([xy[ways[w][0]].mean(axis=0) for w in cands])
    vec = np.array([xy[ways[w][0][-1]] - xy[ways[w][0][0]] for w in cands])
    vec /= np.linalg.norm(vec, axis=1)[:, None] + 1e-9
    tree = cKDTree(mids)
    adj = _way_adjacency(len(xy), ways)
    goal = int(params.oneway_share * len(ways))
    made = 0
    taken: set[int] = set()
    for i in rng.permutation(len(cands)):
        if made >= goal:
            break
        if i in taken:
            continue
        for j in sorted(tree.query_ball_point(mids[i], 320.0)):
            cos = float(np.dot(vec[i], vec[j]))
            if j == i or j in taken or abs(cos) < 0.85 or np.hypot(*(mids[i] - mids[j])) < 50:
                continue
            wi, wj = cands[i], cands[j]
            if _try_oneway(adj, ways[wi][0], forward=True):
                if _try_oneway(adj, ways[wj][0], forward=cos < 0):
                    _mark_oneway(ways, wi, True)
                    _mark_oneway(ways, wj, cos < 0)
                    taken |= {i, j}
                    made += 2
                    break
                _undo_oneway(adj, ways[wi][0], forward=True)
    return made


def _try_oneway(adj: list[dict[int, int]], nodes: list[int], *, forward: bool) -> bool:
    """Drop the reverse direction of a way if the network stays strongly connected."""
    seq = nodes if forward else nodes[::-1]
    for a, b in itertools.pairwise(seq):
        adj[b][a] -= 1
    if _reaches(adj, seq[-1], seq[0]):
        return True
    _undo_oneway(adj, nodes, forward=forward)
    return False


def _undo_oneway(adj: list[dict[int, int]], nodes: list[int], *, forward: bool) -> None:
    seq = nodes if forward else nodes[::-1]
    for a, b in itertools.pairwise(seq):
        adj[b][a] += 1


def _mark_oneway(ways: list[tuple[list[int], dict[str, str]]], w: int, forward: bool) -> None:
    nodes, tags = ways[w]
    ways[w] = (nodes if forward else nodes[::-1], {**tags, "oneway": "yes"})


# ---------------------------------------------------------------- bends


def add_bends(
    net: Network,
    land: Polygon | MultiPolygon,
    first_fabric: int,
    rng: np.random.Generator,
    params: StreetParams,
) -> None:
    """Give a share of fabric edges a gentle bend through a new shape vertex."""
    shapely.prepare(land)
    for w in range(first_fabric, len(net.ways)):
        nodes, tags = net.ways[w]
        out = [nodes[0]]
        for a, b in itertools.pairwise(nodes):
            draw_bend, draw_off = rng.uniform(), rng.normal(0.0, params.bend_sigma)
            if draw_bend < params.bend_share:
                pa, pb = np.asarray(net.xy[a]), np.asarray(net.xy[b])
                d = pb - pa
                off = float(np.clip(draw_off, -0.3, 0.3))
                mid = _rc((pa + pb) / 2 + off * np.array([-d[1], d[0]]))
                if shapely.contains_xy(land, mid[0], mid[1]):
                    out.append(net.vertex(float(mid[0]), float(mid[1])))
            out.append(b)
        net.ways[w] = (out, tags)
