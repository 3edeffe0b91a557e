"""Roads a truck may not use: OSM access and size/weight tags read against a vehicle type.

The tags (``network.RESTRICTION_TAGS``) are kept on every edge when the graph is built.
``vehicle_restrictions(G, vehicle)`` returns the edges a vehicle type may not use, each with
its reason ("maxheight 3.0 m < truck height 3.2 m"); ``vehicle_subgraph`` is the graph
without them. Access follows OSM's rule that the most specific key wins: ``hgv`` (for trucks
over 3.5 t), then ``motor_vehicle``, then ``access``. Units are parsed as OSM writes them:
``3.5``, ``3.5 t``, ``7500 kg``, ``12 st``, ``4 m``, ``12'6"``, ``13 ft``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

import networkx as nx

from .config import VehicleType

log = logging.getLogger("wasteroute")

#: OSM's threshold for a heavy goods vehicle (``hgv=*`` applies above it).
HGV_MIN_WEIGHT_T = 3.5
#: Access values that close a road to the vehicle; ``destination`` closes it to through traffic.
_CLOSED = {"no", "private", "agricultural", "forestry", "discouraged_no", "use_sidepath"}
_OPEN = {"yes", "designated", "permissive", "delivery", "official", "customers"}
_NUMBER = r"(\d+(?:[.,]\d+)?)"
_WEIGHT = re.compile(rf"^{_NUMBER}\s*(t|kg|st|lbs?|tons?)?$", re.IGNORECASE)
_METRIC = re.compile(rf"^{_NUMBER}\s*(m|cm)?$", re.IGNORECASE)
_FEET = re.compile(r"^(\d+(?:\.\d+)?)\s*(?:'|ft|feet)\s*(?:(\d+(?:\.\d+)?)\s*(?:\"|in|inch|inches)?)?$", re.IGNORECASE)
_TONNES = {"t": 1.0, "": 1.0, "tons": 1.0, "ton": 1.0, "kg": 0.001, "st": 0.90718474, "lb": 0.00045359237,
           "lbs": 0.00045359237}


def _values(value: Any) -> list[str]:
    """The text values of a tag: osmnx keeps a list when it merged ways; ``;`` separates alternatives."""
    items = value if isinstance(value, list) else [value]
    return [part.strip() for v in items if v is not None for part in str(v).split(";") if part.strip()]


def parse_weight_t(value: Any) -> float | None:
    """Return the smallest weight limit in tonnes of a ``maxweight``/``maxaxleload`` value, or None.

    ``"3.5"``, ``"3.5 t"``, ``"7500 kg"``, ``"12 st"`` (short tons), ``"10000 lbs"``; ``"none"``,
    conditional or unreadable values give None (no limit known).
    """
    found = []
    for text in _values(value):
        m = _WEIGHT.match(text)
        if m:
            found.append(float(m[1].replace(",", ".")) * _TONNES[(m[2] or "").lower()])
    return min(found) if found else None


def parse_length_m(value: Any) -> float | None:
    """Return the smallest limit in metres of a ``maxheight``/``maxlength`` value, or None.

    ``"4"``, ``"4 m"``, ``"4,2 m"``, ``"420 cm"``, ``"12'6\\""``, ``"13 ft"``; ``"none"``,
    ``"default"``, ``"below_default"`` and unreadable values give None (no number to compare).
    """
    found = []
    for text in _values(value):
        m = _METRIC.match(text)
        if m:
            number = float(m[1].replace(",", "."))
            found.append(number / 100 if (m[2] or "").lower() == "cm" else number)
            continue
        f = _FEET.match(text)
        if f:
            found.append(float(f[1]) * 0.3048 + float(f[2] or 0) * 0.0254)
    return min(found) if found else None


def _access_reason(data: Mapping[str, Any], vehicle: VehicleType, allow_destination: bool) -> str | None:
    keys = ("hgv", "motor_vehicle", "access") if vehicle.weight_t > HGV_MIN_WEIGHT_T else ("motor_vehicle", "access")
    for key in keys:
        values = {v.lower() for v in _values(data.get(key))}
        if not values:
            continue
        closed = sorted(values & _CLOSED)
        if closed:
            return f"{key}={closed[0]}"
        if "destination" in values and not allow_destination:
            return f"{key}=destination (no through traffic)"
        if values & (_OPEN | {"destination"}):
            return None  # the most specific key that is set decides
    return None


def edge_restriction(
    data: Mapping[str, Any], vehicle: VehicleType, *, allow_destination: bool = True
) -> str | None:
    """Return why ``vehicle`` may not use an edge with these tags, or None if it may.

    Parameters
    ----------
    data
        The edge's attributes (OSM tags as osmnx keeps them).
    vehicle
        The vehicle type, with ``height_m``, ``weight_t``, ``length_m``, ``axle_load_t``.
    allow_destination
        Whether ``destination`` roads are open: a collection truck has business on them.
    """
    reason = _access_reason(data, vehicle, allow_destination)
    if reason:
        return reason
    checks = (("maxweight", parse_weight_t, vehicle.weight_t, "t", "weight"),
              ("maxaxleload", parse_weight_t, vehicle.axle_load_t, "t", "axle load"),
              ("maxheight", parse_length_m, vehicle.height_m, "m", "height"),
              ("maxlength", parse_length_m, vehicle.length_m, "m", "length"))
    for tag, parse, own, unit, what in checks:
        limit = parse(data.get(tag))
        if limit is not None and limit < own:
            return f"{tag} {limit:.2f} {unit} < truck {what} {own:g} {unit}"
    return None


def vehicle_restrictions(
    G: nx.MultiDiGraph, vehicle: VehicleType, *, allow_destination: bool = True
) -> dict[tuple[Any, Any, int], str]:
    """Return the edges ``(u, v, key)`` that ``vehicle`` may not use, each with its reason.

    Logs how many edges are closed to the vehicle type and the commonest reasons.
    """
    closed = {}
    tags = ("hgv", "motor_vehicle", "access", "maxweight", "maxaxleload", "maxheight", "maxlength")
    for u, v, k, data in G.edges(keys=True, data=True):
        if not any(t in data for t in tags):
            continue  # most streets carry no restriction tag at all
        reason = edge_restriction(data, vehicle, allow_destination=allow_destination)
        if reason is not None:
            closed[(u, v, k)] = reason
    if closed:
        counts: dict[str, int] = {}
        for reason in closed.values():
            tag = reason.split("=")[0].split(" ")[0]
            counts[tag] = counts.get(tag, 0) + 1
        log.info("restrictions: %d of %d edges closed to vehicle type %s (%s)", len(closed),
                 G.number_of_edges(), vehicle.name, ", ".join(f"{t} {n}" for t, n in sorted(counts.items())))
    return closed


def vehicle_subgraph(
    G: nx.MultiDiGraph, vehicle: VehicleType, *, allow_destination: bool = True
) -> tuple[nx.MultiDiGraph, dict[tuple[Any, Any, int], str]]:
    """Return the graph of the roads ``vehicle`` may use (a copy) and the removed edges with reasons."""
    closed = vehicle_restrictions(G, vehicle, allow_destination=allow_destination)
    H = G.copy()
    H.remove_edges_from(closed)
    return H, closed
