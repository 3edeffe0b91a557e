"""One travel matrix per set of roads: each vehicle type drives only on the roads it may use.

``restrictions.vehicle_restrictions`` names the edges a vehicle type may not use (OSM ``hgv``,
``access``, ``maxweight`` ... against the type's height, weight, axle load and length). Types
whose closed edges are the same on this graph share one *road profile* and one matrix, so a
fleet of 12 t dump trucks and 16 t arm-rolls on a graph without a weight limit between 12 and
16 t builds one matrix, not two.

Profile 0 is the problem's base matrix (``ProblemData.time_s``): with a single profile it is
that profile's; with several it is the matrix of every road (a lower bound for every truck,
used by the heuristics that look at the whole fleet), and the types whose closed edges differ
get profiles 1, 2, ... The depot and every landfill must be reachable both ways for each
type, else :class:`InputError` names the type, the facility, the closed road and the fix.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
from scipy.sparse.csgraph import dijkstra

from .config import VehicleType
from .errors import InputError
from .matrix import UNREACHABLE, GraphIndex, TravelMatrix, build_matrix
from .onstreet import OnEdge
from .restrictions import vehicle_restrictions

log = logging.getLogger("wasteroute")

Edge = tuple[Any, Any, int]


@dataclass(frozen=True)
class RoadProfiles:
    """The travel matrices of a fleet's road profiles over the same locations.

    ``matrices[0]`` is the base (see the module docstring); ``type_profile`` maps each vehicle
    type name to its profile; ``closed[k]`` holds the edges closed in profile ``k`` with their
    reasons; ``graph`` is the full road graph (for naming the street a restriction sits on).
    """

    matrices: tuple[TravelMatrix, ...]
    type_profile: Mapping[str, int]
    closed: tuple[Mapping[Edge, str], ...]
    graph: nx.MultiDiGraph = field(repr=False, compare=False)
    full: GraphIndex = field(repr=False, compare=False)

    def types_of(self, profile: int) -> list[str]:
        """The vehicle type names that drive on profile ``profile``."""
        return [t for t, k in self.type_profile.items() if k == profile]

    def blocked_reason(self, profile: int, location_id: str, anchors: Sequence[str]) -> str:
        """Why ``location_id`` cannot be reached from or back to ``anchors`` on profile ``profile``.

        Names the restriction and its street on the fastest drive over every road, e.g.
        ``"maxweight 7.00 t < truck weight 16 t on Jembatan Liliba"``; a generic reason when
        the location is cut off on every road too.
        """
        return _blocked_reason(self, profile, location_id, anchors)


def restriction_groups(
    graph: nx.MultiDiGraph, types: Sequence[VehicleType], *, allow_destination: bool = True
) -> tuple[list[list[str]], list[dict[Edge, str]]]:
    """Vehicle types grouped by the set of edges closed to them (fleet order), with those edges."""
    groups: list[list[str]] = []
    closed_sets: list[dict[Edge, str]] = []
    keys: list[frozenset[Edge]] = []
    for vt in types:
        closed = vehicle_restrictions(graph, vt, allow_destination=allow_destination)
        key = frozenset(closed)
        if key in keys:
            groups[keys.index(key)].append(vt.name)
        else:
            keys.append(key)
            groups.append([vt.name])
            closed_sets.append(closed)
    return groups, closed_sets


def build_profiles(
    graph: nx.MultiDiGraph,
    types: Sequence[VehicleType],
    ids: Sequence[str],
    nodes: Sequence[int],
    *,
    index: GraphIndex | None = None,
    ways: Sequence[tuple[OnEdge, ...] | None] | None = None,
    allow_destination: bool = True,
    enabled: bool = True,
    anchors: Sequence[str] = (),
    workers: int | None = None,
) -> RoadProfiles:
    """Build the travel matrix of each distinct road profile of ``types`` over the locations.

    Parameters
    ----------
    graph
        The full road graph, restriction tags on its edges.
    types
        The fleet's vehicle types.
    ids, nodes
        The locations (depot, landfills, points) and their graph nodes, as for ``build_matrix``.
    index
        A prebuilt :class:`GraphIndex` of ``graph`` (reused for the base matrix).
    ways
        Each location's ways along its street (``build_matrix``); on a profile a way over a
        closed edge is dropped, and a location whose every way is closed is unreachable.
    allow_destination
        Whether ``access=destination`` roads are open to the trucks (they have business there).
    enabled
        False ignores every restriction: one matrix on every road.
    anchors
        The facility ids (depot first) every type must reach and get back from.

    Raises
    ------
    InputError
        If a facility cannot be reached, or left, by a vehicle type on the roads it may use.
    """
    t0 = time.perf_counter()
    if enabled:
        groups, closed_sets = restriction_groups(graph, types, allow_destination=allow_destination)
    else:
        groups, closed_sets = [[vt.name for vt in types]], [{}]
    full = index if index is not None else GraphIndex.from_graph(graph)
    if len(groups) == 1:
        plan: list[tuple[list[str], dict[Edge, str]]] = [(groups[0], closed_sets[0])]
    else:  # the base is every road; each distinct non-empty set of closed edges gets its own profile
        empty = [g for g, c in zip(groups, closed_sets, strict=True) if not c]
        plan = [(empty[0] if empty else [], {})]
        plan += [(g, c) for g, c in zip(groups, closed_sets, strict=True) if c]
    matrices = []
    for _names, closed in plan:
        sub = full if not closed else GraphIndex.from_graph(graph, closed=closed)
        open_ways = None if ways is None else [
            w if w is None else tuple(x for x in w if (x.u, x.v, x.key) not in closed) for w in ways]
        matrices.append(build_matrix(sub, ids, nodes, ways=open_ways, workers=workers))
    type_profile = {name: k for k, (names, _) in enumerate(plan) for name in names}
    profiles = RoadProfiles(tuple(matrices), type_profile, tuple(c for _, c in plan), graph, full)
    if len(plan) > 1 or plan[0][1]:
        log.info("road profiles: %s in %.2f s", "; ".join(
            f"{', '.join(names) or 'every road (base)'}: {len(c)} edges closed" for names, c in plan),
            time.perf_counter() - t0)
    if anchors:
        check_facilities(profiles, anchors)
    return profiles


def check_facilities(profiles: RoadProfiles, anchors: Sequence[str]) -> None:
    """Raise if a vehicle type cannot drive between the depot and a landfill on its roads.

    Raises
    ------
    InputError
        Naming the vehicle type, the facility, the restriction on the way and the fix.
    """
    problems = []
    for k, matrix in enumerate(profiles.matrices):
        names = profiles.types_of(k)
        if not names:
            continue  # the base of every road when no type drives on it
        pos = [matrix.position(a) for a in anchors]
        sub = np.asarray(matrix.time_s[np.ix_(pos, pos)])
        for j, fac in enumerate(anchors[1:], start=1):
            if sub[0, j] < UNREACHABLE and sub[j, 0] < UNREACHABLE:
                continue
            why = profiles.blocked_reason(k, fac, [anchors[0]])
            problems.append(
                f"vehicle type(s) {', '.join(names)} cannot drive between depot {anchors[0]} and facility "
                f"{fac} on the roads they may use ({why}); check the type's height_m/weight_t/axle_load_t/"
                "length_m in the fleet file, move the facility to a gate the trucks can reach, or set "
                "[network] truck_restrictions = false if the OSM tag is wrong"
            )
    if problems:
        raise InputError(f"{len(problems)} facility(ies) closed to a vehicle type", problems)


def _street(graph: nx.MultiDiGraph, u: Any, v: Any, k: int) -> str:
    data = graph.edges[u, v, k]
    name = data.get("name")
    if isinstance(name, list):
        name = " / ".join(sorted(str(n) for n in name))
    if name:
        return str(name)
    hw = data.get("highway")
    hw = hw[0] if isinstance(hw, list) else hw
    return f"an unnamed {hw or 'road'} ({u}->{v})"


def _blocked_reason(profiles: RoadProfiles, profile: int, location_id: str, anchors: Sequence[str]) -> str:
    """The closed edge where the fastest every-road drive leaves the part the truck can reach.

    Going there: the nodes the truck reaches from the anchor on its roads; the first edge of
    the every-road path out of them is closed (an open one would lead on). Coming back: the
    nodes from which it reaches the anchor; the last edge of the path into them is closed.
    """
    closed = profiles.closed[profile]
    generic = "unreachable: cut off from the depot or landfill on every road (one-way streets or a cut-off road)"
    if not closed:
        return generic
    graph, matrix = profiles.graph, profiles.matrices[profile]
    sub = matrix.index.csr
    target = int(matrix.nodes[matrix.position(location_id)])
    found: dict[str, None] = {}
    any_path = False
    for a in anchors:
        src = int(matrix.nodes[matrix.position(a)])
        s_pos = matrix.index.position[src]
        there = _path(profiles.full, src, target)
        reach = np.isfinite(dijkstra(sub, directed=True, indices=s_pos))
        edge = next(((u, v) for u, v in zip(there, there[1:])
                     if reach[matrix.index.position[u]] and not reach[matrix.index.position[v]]), None)
        back = _path(profiles.full, target, src)
        home = np.isfinite(dijkstra(sub.T.tocsr(), directed=True, indices=s_pos))
        edge_back = next(((u, v) for u, v in reversed(list(zip(back, back[1:])))
                          if not home[matrix.index.position[u]] and home[matrix.index.position[v]]), None)
        any_path = any_path or bool(there) or bool(back)
        for e in (edge, edge_back):
            if e is not None:
                found[_edge_reason(graph, closed, *e)] = None
    if not any_path:
        return generic
    if not found:
        return "unreachable on the roads this truck may use: " + "; ".join(sorted(set(closed.values()))[:3])
    return "; ".join(list(found)[:3])


def _edge_reason(graph: nx.MultiDiGraph, closed: Mapping[Edge, str], u: Any, v: Any) -> str:
    """``"<reason> on <street>"`` for the (fastest closed) edge ``u -> v``."""
    keys = [k for k in graph[u][v] if (u, v, k) in closed]
    if not keys:
        return f"no open road from {u} to {v}"
    key = min(keys, key=lambda kk: graph.edges[u, v, kk].get("travel_time", 0.0))
    return f"{closed[(u, v, key)]} on {_street(graph, u, v, key)}"


def _path(index: GraphIndex, s: int, t: int) -> list[int]:
    """Node ids of the fastest path from ``s`` to ``t`` on ``index`` (empty if none)."""
    a, b = index.position[s], index.position[t]
    if a == b:
        return [s]
    _, pred = dijkstra(index.csr, directed=True, indices=a, return_predecessors=True)
    path = [b]
    while path[-1] != a:
        p = int(pred[path[-1]])
        if p < 0:
            return []
        path.append(p)
    return [int(index.nodes[k]) for k in reversed(path)]
