"""Turn-by-turn directions (wasteroute.directions) on tiny hand-made graphs and one real plan."""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import pytest
from shapely.geometry import LineString

from wasteroute.directions import (
    Instruction,
    compass_name,
    directions,
    format_distance,
    leg_directions,
    street_label,
    turn_category,
)

SCENARIO = Path(__file__).parent / "data" / "aguascalientes" / "scenario.toml"
M_PER_DEG = 111_320.0


def grid_graph(
    lat0: float, points: dict[str, tuple[float, float]], edges: list[tuple[str, str, dict]]
) -> nx.MultiDiGraph:
    """A graph in lon/lat around (0, lat0); node positions are given in metres east/north.

    Edge lengths are the straight distance unless the edge sets its own.
    """
    g = nx.MultiDiGraph(crs="epsg:4326")
    kx = M_PER_DEG * math.cos(math.radians(lat0))
    ids = {name: k for k, name in enumerate(points)}
    for name, (east, north) in points.items():
        g.add_node(ids[name], x=east / kx, y=lat0 + north / M_PER_DEG)
    for u, v, data in edges:
        (x1, y1), (x2, y2) = points[u], points[v]
        length = data.pop("length", math.hypot(x2 - x1, y2 - y1))
        g.add_edge(ids[u], ids[v], length=length, travel_time=length / 8.0, **data)
    g.graph["ids"] = ids
    return g


def path(g: nx.MultiDiGraph, *names: str) -> list[int]:
    return [g.graph["ids"][n] for n in names]


@pytest.mark.parametrize("lat0", [21.9, -10.17])  # Aguascalientes (north) and Kupang (south)
@pytest.mark.parametrize(
    ("east", "turn", "word_id", "word_en"),
    [
        (200.0, "right", "Belok kanan", "Turn right"),
        (-200.0, "left", "Belok kiri", "Turn left"),
    ],
)
def test_right_angle_turn_in_both_hemispheres(
    lat0: float, east: float, turn: str, word_id: str, word_en: str
) -> None:
    """Drive 300 m north on Jalan Timor Raya, then 200 m east (right) or west (left) on Jl. Sudirman."""
    g = grid_graph(
        lat0,
        {"a": (0, 0), "b": (0, 300), "c": (east, 300)},
        [
            ("a", "b", {"name": "Jalan Timor Raya", "highway": "primary"}),
            ("b", "c", {"name": "Jl. Sudirman", "highway": "secondary"}),
        ],
    )
    steps = directions(g, path(g, "a", "b", "c"), destination="TPS Oebobo")
    assert [s.turn for s in steps] == ["depart", turn, "arrive"]
    assert steps[0].text == "Berangkat ke arah utara di Jl. Timor Raya, 300 m"
    assert steps[1].text == f"{word_id} ke Jl. Sudirman, 200 m"
    assert steps[2].text == "Tiba di TPS Oebobo"
    english = directions(g, path(g, "a", "b", "c"), language="en")
    assert english[1].text == f"{word_en} onto Jl. Sudirman, 200 m"
    assert english[-1].text == "Arrive at the destination"


def test_heading_south_then_east_is_a_left_turn() -> None:
    """Bearings are compass bearings: going south, east lies to the driver's left."""
    g = grid_graph(
        -10.17,
        {"a": (0, 0), "b": (0, -250), "c": (150, -250)},
        [
            ("a", "b", {"name": "Jl. A", "highway": "residential"}),
            ("b", "c", {"name": "Jl. B", "highway": "residential"}),
        ],
    )
    steps = directions(g, path(g, "a", "b", "c"))
    assert steps[0].phrase == "Berangkat ke arah selatan di Jl. A"
    assert steps[1].turn == "left"


def test_straight_run_along_one_street_is_one_line() -> None:
    """Three edges of Jl. El Tari in a slight zigzag (< 20°) merge into one 1.2 km line."""
    g = grid_graph(
        -10.17,
        {"a": (0, 0), "b": (400, 30), "c": (800, 0), "d": (1200, 20)},
        [
            ("a", "b", {"name": "Jalan El Tari", "highway": "primary"}),
            ("b", "c", {"name": "Jalan El Tari", "highway": "primary"}),
            ("c", "d", {"name": ["Jalan El Tari", "Jalan Frans Seda"], "highway": "primary"}),
        ],
    )
    steps = directions(g, path(g, "a", "b", "c", "d"), language="en", destination="Pasar Oebobo")
    assert [s.turn for s in steps] == ["depart", "arrive"]
    assert steps[0].street == "Jl. El Tari"
    assert steps[0].text == "Head east on Jl. El Tari, 1.2 km"
    assert steps[0].distance_m == pytest.approx(
        sum(d["length"] for _, _, d in g.edges(data=True)), abs=0.1
    )


def test_name_change_going_straight_says_continue() -> None:
    g = grid_graph(
        0.5,
        {"a": (0, 0), "b": (0, 500), "c": (10, 900)},
        [
            ("a", "b", {"name": "Jl. A", "highway": "tertiary"}),
            ("b", "c", {"name": "Jl. B", "highway": "tertiary"}),
        ],
    )
    steps = directions(g, path(g, "a", "b", "c"))
    assert steps[1].turn == "straight"
    assert steps[1].text == "Lurus terus ke Jl. B, 400 m"


def test_u_turn() -> None:
    """North 300 m, then back south along a parallel carriageway of another street."""
    g = grid_graph(
        -10.17,
        {"a": (0, 0), "b": (0, 300), "c": (8, 0)},
        [
            ("a", "b", {"name": "Jl. A", "highway": "secondary"}),
            ("b", "c", {"name": "Jl. B", "highway": "secondary"}),
        ],
    )
    steps = directions(g, path(g, "a", "b", "c"))
    assert steps[1].turn == "uturn"
    assert steps[1].phrase == "Putar balik ke Jl. B"


def test_median_crossing_folds_into_a_u_turn() -> None:
    """Left across a 12 m unnamed median link, then left again onto the same avenue: one U-turn."""
    g = grid_graph(
        21.9,
        {"a": (0, 0), "b": (0, 300), "c": (-12, 300), "d": (-12, 0)},
        [
            ("a", "b", {"name": "Avenida Uno", "highway": "primary"}),
            ("b", "c", {"highway": "primary"}),
            ("c", "d", {"name": "Avenida Uno", "highway": "primary"}),
        ],
    )
    steps = directions(g, path(g, "a", "b", "c", "d"))
    assert [s.turn for s in steps] == ["depart", "uturn", "arrive"]
    assert steps[1].distance_m == pytest.approx(312, abs=0.5)


@pytest.mark.parametrize(
    ("highway", "id_label", "en_label"),
    [
        ("residential", "jalan lingkungan", "residential street"),
        ("service", "jalan kecil/servis", "service road"),
        ("tertiary", "jalan kolektor", "collector road"),
        ("primary_link", "jalan penghubung", "slip road"),
        (["residential", "unclassified"], "jalan lingkungan", "residential street"),
        ("bridleway", "jalan tanpa nama", "unnamed road"),
    ],
)
def test_unnamed_street_is_described_by_its_class(
    highway: str | list[str], id_label: str, en_label: str
) -> None:
    g = grid_graph(
        -10.17,
        {"a": (0, 0), "b": (300, 0), "c": (300, -120)},
        [
            ("a", "b", {"name": "Jl. Moh. Hatta", "highway": "secondary"}),
            ("b", "c", {"highway": highway}),
        ],
    )
    steps = directions(g, path(g, "a", "b", "c"))
    assert steps[1].street == id_label
    assert steps[1].text == f"Belok kanan ke {id_label}, 120 m"
    assert directions(g, path(g, "a", "b", "c"), language="en")[1].street == en_label


def test_unnamed_edges_of_one_class_merge() -> None:
    g = grid_graph(
        -10.17,
        {"a": (0, 0), "b": (100, 0), "c": (200, 5)},
        [
            ("a", "b", {"highway": "residential"}),
            ("b", "c", {"highway": "residential"}),
        ],
    )
    steps = directions(g, path(g, "a", "b", "c"))
    assert len(steps) == 2
    assert steps[0].text == "Berangkat ke arah timur di jalan lingkungan, 200 m"


def test_bearing_comes_from_the_edge_geometry() -> None:
    """The edge ends north of its start but leaves eastwards along its curved geometry."""
    g = grid_graph(-10.17, {"a": (0, 0), "b": (0, 200)}, [])
    a, b = g.nodes[0], g.nodes[1]
    kx = M_PER_DEG * math.cos(math.radians(-10.17))
    # Stored reversed (from b to a), as osmnx may: directions must orient it.
    bend = LineString([(b["x"], b["y"]), (150 / kx, b["y"]), (150 / kx, a["y"]), (a["x"], a["y"])])
    g.add_edge(
        0, 1, length=500.0, travel_time=60.0, name="Jl. Kelok", highway="residential", geometry=bend
    )
    steps = directions(g, [0, 1])
    assert steps[0].phrase == "Berangkat ke arah timur di Jl. Kelok"


def test_roundabout_says_which_exit() -> None:
    """Enter a one-way ring at s, pass the exit at e (not taken), leave at w onto Jl. Barat."""
    g = grid_graph(
        -10.17,
        {
            "in": (0, -200),
            "s": (0, -20),
            "e": (20, 0),
            "n": (0, 20),
            "w": (-20, 0),
            "east": (200, 0),
            "out": (-200, 0),
        },
        [
            ("in", "s", {"name": "Jl. Selatan", "highway": "secondary"}),
            ("s", "e", {"junction": "roundabout", "highway": "secondary"}),
            ("e", "n", {"junction": "roundabout", "highway": "secondary"}),
            ("n", "w", {"junction": "roundabout", "highway": "secondary"}),
            ("w", "s", {"junction": "roundabout", "highway": "secondary"}),
            ("e", "east", {"name": "Jl. Timur", "highway": "secondary"}),
            ("w", "out", {"name": "Jl. Barat", "highway": "secondary"}),
        ],
    )
    steps = directions(g, path(g, "in", "s", "e", "n", "w", "out"))
    assert [s.turn for s in steps] == ["depart", "roundabout", "arrive"]
    assert steps[1].phrase == "Di bundaran, ambil jalan keluar ke-2 ke Jl. Barat"


def test_empty_and_one_node_paths() -> None:
    g = grid_graph(0.0, {"a": (0, 0)}, [])
    assert directions(g, []) == []
    only = directions(g, [0], destination="TPS Kuanino")
    assert only == [
        Instruction(
            "Tiba di TPS Kuanino (lokasi yang sama)",
            "TPS Kuanino",
            0.0,
            "arrive",
            "Tiba di TPS Kuanino (lokasi yang sama)",
            0.0,
        )
    ]


def test_errors_say_what_is_wrong() -> None:
    g = grid_graph(0.0, {"a": (0, 0), "b": (0, 100)}, [])
    with pytest.raises(ValueError, match="language 'fr' is not available; use one of id, en"):
        directions(g, [0], language="fr")
    with pytest.raises(ValueError, match="no street from node 0 to node 1"):
        directions(g, [0, 1])


@pytest.mark.parametrize(
    ("metres", "id_text", "en_text"),
    [
        (3, "10 m", "10 m"),
        (44, "40 m", "40 m"),
        (287, "290 m", "290 m"),
        (348, "350 m", "350 m"),
        (980, "1,0 km", "1.0 km"),
        (1234, "1,2 km", "1.2 km"),
        (12_400, "12 km", "12 km"),
    ],
)
def test_format_distance(metres: float, id_text: str, en_text: str) -> None:
    assert format_distance(metres) == id_text
    assert format_distance(metres, language="en") == en_text


@pytest.mark.parametrize(
    ("delta", "turn"),
    [
        (0, "straight"),
        (-19, "straight"),
        (25, "slight_right"),
        (-44, "slight_left"),
        (90, "right"),
        (-120, "left"),
        (150, "sharp_right"),
        (-165, "sharp_left"),
        (178, "uturn"),
        (-180, "uturn"),
        (270, "left"),
    ],
)
def test_turn_categories(delta: float, turn: str) -> None:
    assert turn_category(delta) == turn


def test_compass_and_street_label() -> None:
    assert compass_name(0) == "utara"
    assert compass_name(135, language="en") == "southeast"
    assert compass_name(350) == "utara"
    assert street_label({"name": "Jalan  Adisucipto"}) == "Jl. Adisucipto"
    assert street_label({"highway": "living_street"}, language="en") == "living street"


@pytest.fixture(scope="module")
def plan(ag_solution):  # type: ignore[no-untyped-def]
    """The Aguascalientes test day (real OSM extract, generated points), solved once per session."""
    return ag_solution


def test_every_leg_of_a_real_plan_has_directions(plan) -> None:
    """Each leg ends with the arrival at its stop, and the lines add up to the leg's length."""
    legs = 0
    for route in plan.used_routes():
        for a, b in zip(route.visits, route.visits[1:]):
            steps = leg_directions(plan, a, b)
            legs += 1
            assert steps[-1].turn == "arrive"
            assert steps[-1].text.startswith("Tiba di ")
            assert steps[-1].street == b.name
            assert sum(s.distance_m for s in steps) == pytest.approx(b.leg_distance_m, abs=2.0)
            assert all(s.turn in ("depart",) for s in steps[:1] if len(steps) > 1)
            assert all(s.street for s in steps)
    assert legs > 10
