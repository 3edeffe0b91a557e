"""Roads a truck may not use (issue 16 §2, network level): OSM tags kept on edges, units parsed,
the edges each vehicle type may not use with their reasons.

Fixtures: the hand-made files in ``tests/data/osm/restrictions`` (one tag each: a short way that
may be closed and a detour) and the real extracts in ``tests/data/osm``.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import networkx as nx
import pytest

from wasteroute.config import Fleet, VehicleType
from wasteroute.network import RESTRICTION_TAGS, graph_from_file
from wasteroute.restrictions import (
    edge_restriction,
    parse_length_m,
    parse_weight_t,
    vehicle_restrictions,
    vehicle_subgraph,
)

HERE = Path(__file__).parent / "data" / "osm" / "restrictions"
OSM = Path(__file__).parent / "data" / "osm"
TRUCK = VehicleType(name="dump", count=1, capacity_m3=6.0, serves=("bak",))  # Kupang defaults
VAN = dataclasses.replace(TRUCK, name="van", height_m=2.5, weight_t=3.0, length_m=5.0, axle_load_t=2.0)


@pytest.mark.parametrize(("text", "tonnes"), [
    ("3.5", 3.5), ("3.5 t", 3.5), ("7500 kg", 7.5), ("12 st", 12 * 0.90718474), ("10000 lbs", 4.5359237),
    ("3,5 t", 3.5), ("5;7.5", 5.0), (["8", "6 t"], 6.0), ("none", None), ("", None), (None, None),
])
def test_weights(text: object, tonnes: float | None) -> None:
    assert parse_weight_t(text) == (pytest.approx(tonnes) if tonnes is not None else None)


@pytest.mark.parametrize(("text", "metres"), [
    ("4", 4.0), ("4 m", 4.0), ("4,2 m", 4.2), ("420 cm", 4.2), ("12'6\"", 12 * 0.3048 + 6 * 0.0254),
    ("13'", 13 * 0.3048), ("13 ft", 13 * 0.3048), ("default", None), ("below_default", None), ("none", None),
])
def test_lengths(text: object, metres: float | None) -> None:
    assert parse_length_m(text) == (pytest.approx(metres) if metres is not None else None)


@pytest.mark.parametrize(("tags", "reason"), [
    ({"hgv": "no"}, "hgv=no"),
    ({"hgv": "yes", "access": "no"}, None),  # the most specific key wins
    ({"hgv": "no", "access": "yes"}, "hgv=no"),
    ({"access": "private"}, "access=private"),
    ({"access": "destination"}, None),
    ({"motor_vehicle": "no"}, "motor_vehicle=no"),
    ({"maxweight": "10 t"}, "maxweight 10.00 t < truck weight 12 t"),
    ({"maxaxleload": "6"}, "maxaxleload 6.00 t < truck axle load 8 t"),
    ({"maxheight": "3 m"}, "maxheight 3.00 m < truck height 3.2 m"),
    ({"maxlength": "6"}, "maxlength 6.00 m < truck length 7.5 m"),
    ({"maxheight": "4.5", "maxweight": "20"}, None),
])
def test_edge_restriction_reasons(tags: dict[str, str], reason: str | None) -> None:
    assert edge_restriction(tags, TRUCK) == reason


def test_hgv_applies_only_to_heavy_vehicles_and_destination_is_a_choice() -> None:
    assert edge_restriction({"hgv": "no"}, VAN) is None
    assert edge_restriction({"access": "destination"}, TRUCK, allow_destination=False) == (
        "access=destination (no through traffic)")


def test_vehicle_sizes_are_fleet_settings() -> None:
    fleet = Fleet.from_table({"vehicle_type": [{"name": "big", "count": 1, "capacity_m3": 10.0,
                                                "serves": ["bak"], "height_m": 3.9, "weight_t": 26}]})
    vt = fleet.types[0]
    assert (vt.height_m, vt.weight_t, vt.length_m, vt.axle_load_t) == (3.9, 26.0, 7.5, 8.0)
    from wasteroute.errors import InputError
    with pytest.raises(InputError, match="height_m 0 must be a finite number in"):
        dataclasses.replace(vt, height_m=0)


@pytest.mark.parametrize(("name", "closed_for_truck", "closed_for_van"), [
    ("hgv_no", "hgv=no", None),
    ("hgv_yes_access_no", None, "access=no"),
    ("access_no", "access=no", "access=no"),
    ("access_destination", None, None),
    ("motor_vehicle_destination", None, None),
    ("maxweight_3.5t", "maxweight 3.50 t < truck weight 12 t", None),
    ("maxweight_kg", "maxweight 7.50 t < truck weight 12 t", None),
    ("maxaxleload", "maxaxleload 6.00 t < truck axle load 8 t", None),
    ("maxheight_m", "maxheight 3.00 m < truck height 3.2 m", None),
    ("maxheight_feet", None, None),  # 10'6" = 3.2004 m: a 3.2 m truck fits
    ("maxlength", "maxlength 6.00 m < truck length 7.5 m", None),
    ("maxheight_ok", None, None),
])
def test_each_tag_on_a_hand_made_file(name: str, closed_for_truck: str | None, closed_for_van: str | None) -> None:
    G = graph_from_file(HERE / f"{name}.osm")
    short = [(u, v, k) for u, v, k, d in G.edges(keys=True, data=True) if d.get("name") == "Short street"]
    assert len(short) == 2  # both directions of the short way are in the graph, tags kept
    for vehicle, expected in ((TRUCK, closed_for_truck), (VAN, closed_for_van)):
        H, closed = vehicle_subgraph(G, vehicle)
        assert {closed.get(e) for e in short} == {expected}
        length = nx.shortest_path_length(H, 1, 3, weight="length")
        assert (length > 300) == (expected is not None)  # the detour when the short way is closed


def test_feet_and_inches_are_compared_exactly() -> None:
    """10'6" is 3.2004 m: a 3.2 m truck fits, a 3.21 m truck does not."""
    G = graph_from_file(HERE / "maxheight_feet.osm")
    assert vehicle_restrictions(G, dataclasses.replace(TRUCK, height_m=3.2)) == {}
    closed = vehicle_restrictions(G, dataclasses.replace(TRUCK, height_m=3.21))
    assert set(closed.values()) == {"maxheight 3.20 m < truck height 3.21 m"}


@pytest.mark.parametrize("name", ["access_private", "motor_vehicle_no"])
def test_ways_closed_to_all_cars_never_reach_the_graph(name: str) -> None:
    G = graph_from_file(HERE / f"{name}.osm")
    names = {n for *_, d in G.edges(data=True) for n in (d["name"] if isinstance(d["name"], list) else [d["name"]])}
    assert names == {"Detour", "East spur", "West spur"}


@pytest.mark.parametrize("city", ["aguascalientes_mx", "campo_grande_br_clean", "west_oakland_us"])
def test_real_extracts_are_open_to_the_truck_until_a_tag_closes_a_street(
    city: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Measured: none of the three extracts has a truck restriction on a drivable way (their
    access=no/private ways are footways or dropped by the drive filter), so every edge stays
    open; a maxheight put on one real street then closes it and the route goes around."""
    caplog.set_level(logging.INFO, logger="wasteroute")
    G = graph_from_file(OSM / f"{city}.osm.bz2")
    assert vehicle_restrictions(G, TRUCK) == {}
    strong = G.subgraph(max(nx.strongly_connected_components(G), key=len))
    u, v, k = next((u, v, k) for u, v, k in strong.edges(keys=True)
                   if u != v and nx.has_path(strong, u, v) and len(G[u][v]) == 1)
    direct = nx.shortest_path_length(G, u, v, weight="length")
    G.edges[u, v, k]["maxheight"] = "2.9 m"
    H, closed = vehicle_subgraph(G, TRUCK)
    assert closed == {(u, v, k): "maxheight 2.90 m < truck height 3.2 m"}
    assert f"restrictions: 1 of {G.number_of_edges()} edges closed to vehicle type dump (maxheight 1)" in caplog.text
    around = nx.shortest_path_length(H, u, v, weight="length") if nx.has_path(H, u, v) else float("inf")
    assert around > direct
