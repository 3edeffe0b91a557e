"""Turn-by-turn directions from a node path: street names, turns, distances.

A path through the road graph becomes a short list of :class:`Instruction` lines that a
driver can follow from paper: a straight run along one street is one line, a turn is named
from the change of bearing at the junction (bearings are taken from the edge geometry, not
from the node positions), unnamed streets are described by their class, and roundabouts say
which exit to take. Texts exist in Bahasa Indonesia (``"id"``, the default) and English
(``"en"``).

Example (``a`` and ``b`` are two visits of a solved plan)::

    for ins in leg_directions(sol, a, b):
        print(ins.text)
    # Berangkat ke arah utara di Jl. Timor Raya, 350 m
    # Belok kiri ke jalan lingkungan, 120 m
    # Tiba di TPS Pasar Oebobo
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from .geometry import piece_coords
from .onstreet import Piece

LANGUAGES = ("id", "en")

#: Turn codes, from the signed change of bearing at a junction (right is positive).
TURNS = (
    "depart",
    "straight",
    "slight_left",
    "slight_right",
    "left",
    "right",
    "sharp_left",
    "sharp_right",
    "uturn",
    "roundabout",
    "arrive",
)

#: Upper bounds (degrees of absolute bearing change) of the turn categories.
STRAIGHT_MAX_DEG = 20.0
SLIGHT_MAX_DEG = 45.0
TURN_MAX_DEG = 135.0
SHARP_MAX_DEG = 170.0

#: How far along an edge the bearing is measured, so a tiny first vertex does not decide it.
PROBE_M = 20.0

#: Short unnamed pieces between two parts of the same street are folded into it.
SHORT_GAP_M = 30.0

_CLASS_LABELS: dict[str, tuple[str, str]] = {
    "motorway": ("jalan tol", "motorway"),
    "trunk": ("jalan nasional", "trunk road"),
    "primary": ("jalan arteri", "main road"),
    "secondary": ("jalan arteri sekunder", "secondary road"),
    "tertiary": ("jalan kolektor", "collector road"),
    "unclassified": ("jalan lokal", "minor road"),
    "residential": ("jalan lingkungan", "residential street"),
    "living_street": ("gang", "living street"),
    "service": ("jalan kecil/servis", "service road"),
    "track": ("jalan tanah", "track"),
    "link": ("jalan penghubung", "slip road"),
    "roundabout": ("bundaran", "roundabout"),
}
_UNKNOWN_CLASS = ("jalan tanpa nama", "unnamed road")

_COMPASS = {
    "id": (
        "utara",
        "timur laut",
        "timur",
        "tenggara",
        "selatan",
        "barat daya",
        "barat",
        "barat laut",
    ),
    "en": ("north", "northeast", "east", "southeast", "south", "southwest", "west", "northwest"),
}

_PHRASES = {
    "id": {
        "depart": "Berangkat ke arah {dir} di {street}",
        "straight": "Lurus terus ke {street}",
        "slight_left": "Sedikit ke kiri ke {street}",
        "slight_right": "Sedikit ke kanan ke {street}",
        "left": "Belok kiri ke {street}",
        "right": "Belok kanan ke {street}",
        "sharp_left": "Belok tajam ke kiri ke {street}",
        "sharp_right": "Belok tajam ke kanan ke {street}",
        "uturn": "Putar balik ke {street}",
        "roundabout": "Di bundaran, ambil jalan keluar ke-{exit} ke {street}",
        "arrive": "Tiba di {dest}",
        "arrive_here": "Tiba di {dest} (lokasi yang sama)",
        "dest": "tujuan",
    },
    "en": {
        "depart": "Head {dir} on {street}",
        "straight": "Continue straight onto {street}",
        "slight_left": "Bear left onto {street}",
        "slight_right": "Bear right onto {street}",
        "left": "Turn left onto {street}",
        "right": "Turn right onto {street}",
        "sharp_left": "Turn sharp left onto {street}",
        "sharp_right": "Turn sharp right onto {street}",
        "uturn": "Make a U-turn onto {street}",
        "roundabout": "At the roundabout, take exit {exit} onto {street}",
        "arrive": "Arrive at {dest}",
        "arrive_here": "Arrive at {dest} (same place)",
        "dest": "the destination",
    },
}


@dataclass(frozen=True)
class Instruction:
    """One line of directions.

    ``text`` is the whole sentence with the distance ("Belok kiri ke Jl. Sudirman, 350 m"),
    ``phrase`` the same without the distance; ``distance_m`` is driven after the manoeuvre
    (0 for the arrival); ``turn`` is one of :data:`TURNS`; ``bearing_deg`` the compass
    heading (0 = north, clockwise) at its start.
    """

    text: str
    street: str
    distance_m: float
    turn: str
    phrase: str = ""
    bearing_deg: float = 0.0


@dataclass
class _Edge:
    u: int
    v: int
    names: frozenset[str]
    label: str  # display name: the street name, or the class label when unnamed
    roundabout: bool
    length_m: float
    start_bearing: float
    end_bearing: float


@dataclass
class _Segment:
    edges: list[_Edge]
    turn_deg: float  # signed bearing change entering this segment (right positive)
    names: dict[str, float] = field(default_factory=dict)  # metres driven on each name
    extra_m: float = 0.0  # length of folded connector pieces

    @property
    def length_m(self) -> float:
        return sum(e.length_m for e in self.edges) + self.extra_m

    @property
    def last(self) -> _Edge:
        return self.edges[-1]

    @property
    def roundabout(self) -> bool:
        return self.edges[0].roundabout

    def street(self) -> str:
        """The name driven furthest on this segment, or the class label."""
        if self.names:
            return max(self.names, key=lambda n: self.names[n])
        return self.edges[0].label

    def add(self, e: _Edge) -> None:
        self.edges.append(e)
        for n in e.names:
            self.names[n] = self.names.get(n, 0.0) + e.length_m

    def merge(self, other: _Segment) -> None:
        self.edges.extend(other.edges)
        for n, metres in other.names.items():
            self.names[n] = self.names.get(n, 0.0) + metres
        self.extra_m += other.extra_m


# ------------------------------------------------------------------ public helpers
def check_language(language: str) -> str:
    """Return ``language`` if directions and sheets exist in it.

    Raises
    ------
    ValueError
        If it is not ``"id"`` or ``"en"``.
    """
    if language not in LANGUAGES:
        msg = f"language {language!r} is not available; use one of {', '.join(LANGUAGES)}"
        raise ValueError(msg)
    return language


def format_distance(distance_m: float, *, language: str = "id") -> str:
    """Round a distance the way a driver reads it: ``"40 m"``, ``"350 m"``, ``"1,2 km"``.

    Below 300 m to 10 m, below 1 km to 50 m, below 10 km to 0.1 km (decimal comma in
    Indonesian), above that to the kilometre.
    """
    check_language(language)
    m = max(0.0, float(distance_m))
    if m < 295:
        return f"{max(10, round(m / 10.0) * 10)} m"
    if m < 975:
        return f"{round(m / 50.0) * 50} m"
    if m < 9950:
        text = f"{m / 1000:.1f} km"
        return text.replace(".", ",") if language == "id" else text
    return f"{round(m / 1000)} km"


def compass_name(bearing_deg: float, *, language: str = "id") -> str:
    """Name of the nearest of the eight compass points (0° = north, clockwise)."""
    names = _COMPASS[check_language(language)]
    return names[int(((bearing_deg % 360) + 22.5) // 45) % 8]


def turn_category(delta_deg: float) -> str:
    """Turn code of a signed bearing change in degrees (positive = clockwise = right)."""
    d = (delta_deg + 180.0) % 360.0 - 180.0
    a = abs(d)
    side = "right" if d > 0 else "left"
    if a < STRAIGHT_MAX_DEG:
        return "straight"
    if a < SLIGHT_MAX_DEG:
        return f"slight_{side}"
    if a < TURN_MAX_DEG:
        return side
    if a < SHARP_MAX_DEG:
        return f"sharp_{side}"
    return "uturn"


def street_label(data: dict[str, Any], *, language: str = "id") -> str:
    """How a driver would call an edge: its name (``Jalan`` shortened to ``Jl.``) or its class."""
    names = _names(data)
    if names:
        return min(names)
    return _class_label(data, language)


# ------------------------------------------------------------------ directions
def directions(
    graph: nx.MultiDiGraph,
    node_path: Sequence[int],
    *,
    language: str = "id",
    destination: str | None = None,
) -> list[Instruction]:
    """Turn-by-turn instructions for driving ``node_path`` through ``graph``.

    Parameters
    ----------
    graph
        Road graph with node ``x``/``y`` (lon/lat or projected metres) and edge ``length``;
        ``name``, ``highway``, ``junction`` and ``geometry`` are used when present.
    node_path
        Graph nodes in driving order, as given by :meth:`TravelMatrix.node_path`.
    language
        ``"id"`` (Bahasa Indonesia) or ``"en"``.
    destination
        Name used in the last line ("Tiba di …"); without it the last line says "tujuan".

    Returns
    -------
    list of Instruction
        Depart, one line per street or turn, arrive. Empty when ``node_path`` is empty
        (no route).

    Raises
    ------
    ValueError
        If ``language`` is unknown or two consecutive nodes are not joined by an edge.
    """
    check_language(language)
    if not node_path:
        return []
    pieces = [Piece(u, v, None, 0.0, 1.0, float(_edge_data(graph, u, v).get("length", 0.0)), 0.0)
              for u, v in itertools.pairwise(node_path)]
    return piece_directions(graph, pieces, language=language, destination=destination)


def piece_directions(
    graph: nx.MultiDiGraph,
    pieces: Sequence[Piece],
    *,
    language: str = "id",
    destination: str | None = None,
) -> list[Instruction]:
    """Turn-by-turn instructions for driving ``pieces`` (parts of edges, :meth:`TravelMatrix.leg`).

    The first and last pieces may be parts of their edges (a stop along a street); their
    distances are the parts driven, so the lines add up to the leg's length. No pieces means
    the destination is at the same spot: one arrival line saying so.

    Raises
    ------
    ValueError
        If ``language`` is unknown or a piece's edge is not in ``graph``.
    """
    check_language(language)
    geographic = _is_geographic(graph)
    edges = [_edge(graph, p, language, geographic) for p in pieces]
    segments = _fold_short_gaps(_segments(edges))
    out = _instructions(graph, segments, language)
    out.append(_arrival(destination, language, same_place=not edges))
    return out


def leg_directions(
    sol: Any, a: Any, b: Any, *, language: str = "id", destination: str | None = None, vehicle: Any = None
) -> list[Instruction]:
    """Directions for the drive between two visits of a plan (``Visit`` objects).

    ``destination`` names ``b`` in the arrival line (default ``b.name``). Falls back to a
    single arrival line when the plan carries no road graph or no path.

    Raises
    ------
    ValueError
        If ``language`` is unknown.
    """
    dest = destination or b.name
    graph = getattr(sol, "graph", None)
    problem = sol.problem
    matrix = problem.matrix_for(vehicle) if hasattr(problem, "matrix_for") else getattr(problem, "matrix", None)
    if graph is None or matrix is None:
        return [_arrival(dest, check_language(language), same_place=False)]
    i, j = matrix.position(a.id), matrix.position(b.id)
    pieces = matrix.leg(i, j)
    if not pieces:
        same = bool(matrix.loc_node[i] == matrix.loc_node[j])
        return [_arrival(dest, check_language(language), same_place=same)]
    return piece_directions(graph, pieces, language=language, destination=dest)


# ------------------------------------------------------------------ internals
def _names(data: dict[str, Any]) -> frozenset[str]:
    raw = data.get("name")
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return frozenset()
    items = raw if isinstance(raw, (list, tuple, set)) else [raw]
    return frozenset(_short_name(str(n)) for n in items if str(n).strip())


def _short_name(name: str) -> str:
    name = " ".join(name.split())
    for long in ("Jalan ", "jalan ", "JALAN "):
        if name.startswith(long):
            return "Jl. " + name[len(long) :]
    return name


def _highway(data: dict[str, Any]) -> str:
    raw = data.get("highway", "")
    if isinstance(raw, (list, tuple)):
        raw = raw[0] if raw else ""
    return str(raw or "")


def _is_roundabout(data: dict[str, Any]) -> bool:
    raw = data.get("junction", "")
    items = raw if isinstance(raw, (list, tuple)) else [raw]
    return any(str(j) in ("roundabout", "circular") for j in items)


def _class_label(data: dict[str, Any], language: str) -> str:
    idx = 0 if language == "id" else 1
    if _is_roundabout(data):
        return _CLASS_LABELS["roundabout"][idx]
    hw = _highway(data)
    key = "link" if hw.endswith("_link") else hw
    return _CLASS_LABELS.get(key, _UNKNOWN_CLASS)[idx]


def _is_geographic(graph: nx.MultiDiGraph) -> bool:
    crs = str(graph.graph.get("crs", "epsg:4326")).lower()
    return "4326" in crs or "wgs" in crs or crs in ("", "none")


def _edge_data(graph: nx.MultiDiGraph, u: int, v: int) -> dict[str, Any]:
    try:
        options = graph[u][v]
    except KeyError as exc:
        msg = f"no street from node {u} to node {v}; the path does not belong to this graph"
        raise ValueError(msg) from exc
    return min(options.values(), key=lambda d: d.get("travel_time", d.get("length", 0.0)))


def _local_xy(
    p: tuple[float, float], origin: tuple[float, float], geographic: bool
) -> tuple[float, float]:
    if not geographic:
        return p[0] - origin[0], p[1] - origin[1]
    k = 111_320.0
    return (p[0] - origin[0]) * k * math.cos(math.radians(origin[1])), (p[1] - origin[1]) * k


def _probe_bearing(pts: list[tuple[float, float]], geographic: bool) -> float:
    """Compass bearing from ``pts[0]`` to the point about PROBE_M along the line."""
    origin = pts[0]
    far = pts[-1]
    for p in pts[1:]:
        x, y = _local_xy(p, origin, geographic)
        if math.hypot(x, y) >= PROBE_M:
            far = p
            break
    x, y = _local_xy(far, origin, geographic)
    if x == 0 and y == 0:
        return 0.0
    return math.degrees(math.atan2(x, y)) % 360.0


def _edge(graph: nx.MultiDiGraph, piece: Piece, language: str, geographic: bool) -> _Edge:
    u, v = piece.u, piece.v
    data = graph[u][v][piece.key] if piece.key is not None and graph.has_edge(u, v, piece.key) else _edge_data(graph, u, v)
    pts = piece_coords(graph, piece)
    start = _probe_bearing(pts, geographic)
    # The heading on arrival is the reverse of the bearing from the end back along the line.
    end = (_probe_bearing(pts[::-1], geographic) + 180.0) % 360.0
    names = _names(data)
    label = min(names) if names else _class_label(data, language)
    return _Edge(u, v, names, label, _is_roundabout(data), float(piece.length_m), start, end)


def _signed_delta(a: float, b: float) -> float:
    return (b - a + 180.0) % 360.0 - 180.0


def _same_street(seg: _Segment, e: _Edge) -> bool:
    last = seg.last
    if last.roundabout or e.roundabout:
        return last.roundabout and e.roundabout
    if last.names or e.names:
        return bool(last.names & e.names)
    return last.label == e.label


def _segments(edges: list[_Edge]) -> list[_Segment]:
    segs: list[_Segment] = []
    for e in edges:
        if segs:
            delta = _signed_delta(segs[-1].last.end_bearing, e.start_bearing)
            # Staying on one street merges, unless the driver has to turn sharply or go back.
            if _same_street(segs[-1], e) and abs(delta) < TURN_MAX_DEG:
                segs[-1].add(e)
                continue
        else:
            delta = 0.0
        seg = _Segment([], delta)
        seg.add(e)
        segs.append(seg)
    return segs


def _fold_short_gaps(segs: list[_Segment]) -> list[_Segment]:
    """Fold short connector pieces into the turn they belong to.

    Divided roads and big junctions split one manoeuvre into several tiny edges: the link across
    a median, a few metres of the other carriageway. A piece shorter than :data:`SHORT_GAP_M`
    that is unnamed, or that sits between two parts of one street, or that is the start of the
    street that follows, is dropped as a separate line; the turn is then measured from the
    street before to the street after (a left across the median plus a left is a U-turn).
    """
    segs = list(segs)
    changed = True
    while changed:
        changed = False
        for i in range(1, len(segs) - 1):
            prev, cur, nxt = segs[i - 1], segs[i], segs[i + 1]
            if cur.roundabout or prev.roundabout or nxt.roundabout or cur.length_m >= SHORT_GAP_M:
                continue
            shared = set(prev.last.names) & set(nxt.edges[0].names)
            if cur.names and not shared and not (set(cur.last.names) & set(nxt.edges[0].names)):
                continue
            nxt.extra_m += cur.length_m
            nxt.turn_deg = _signed_delta(prev.last.end_bearing, nxt.edges[0].start_bearing)
            del segs[i]
            if _same_street(prev, nxt.edges[0]) and abs(nxt.turn_deg) < SLIGHT_MAX_DEG:
                prev.merge(nxt)
                del segs[i]
            changed = True
            break
    return segs


def _exit_number(graph: nx.MultiDiGraph, seg: _Segment) -> int:
    """Which exit of a roundabout the path takes: count junctions with a way out."""
    count = 0
    for k, e in enumerate(seg.edges):
        node = e.v
        nxt = seg.edges[k + 1].v if k + 1 < len(seg.edges) else None
        exits = [
            w
            for w in graph.successors(node)
            if w != nxt and not any(_is_roundabout(d) for d in graph[node][w].values())
        ]
        if exits or nxt is None:
            count += 1
    return max(1, count)


def _instructions(graph: nx.MultiDiGraph, segs: list[_Segment], language: str) -> list[Instruction]:
    out: list[Instruction] = []
    carry_m, exit_no = 0.0, 0
    for k, seg in enumerate(segs):
        if seg.roundabout and k + 1 < len(segs):
            # Announce the roundabout with the street it leads to, in one line.
            exit_no, carry_m = _exit_number(graph, seg), seg.length_m
            continue
        if k == 0:
            turn = "depart"
        elif exit_no:
            turn = "roundabout"
        else:
            turn = turn_category(seg.turn_deg)
        out.append(
            _make(
                turn,
                seg.street(),
                seg.length_m + carry_m,
                seg.edges[0].start_bearing,
                language,
                exit_no=exit_no,
            )
        )
        carry_m, exit_no = 0.0, 0
    return out


def _make(
    turn: str, street: str, distance_m: float, bearing: float, language: str, *, exit_no: int = 0
) -> Instruction:
    phrase = _PHRASES[language][turn].format(
        street=street, dir=compass_name(bearing, language=language), exit=exit_no
    )
    text = f"{phrase}, {format_distance(distance_m, language=language)}"
    return Instruction(text, street, round(distance_m, 1), turn, phrase, round(bearing, 1))


def _arrival(destination: str | None, language: str, *, same_place: bool) -> Instruction:
    words = _PHRASES[language]
    dest = destination or words["dest"]
    phrase = words["arrive_here" if same_place else "arrive"].format(dest=dest)
    return Instruction(phrase, dest, 0.0, "arrive", phrase, 0.0)
