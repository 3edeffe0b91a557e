"""Speed profiles: free-flow truck speeds per OSM ``highway`` class for a few road conventions.

A scenario picks one with ``[network] speed_profile = "..."``; ``[network.speeds_kph]`` then
overrides single classes and ``default_speed_kph`` the speed of roads of no known class. Every
number is an estimate for a loaded collection truck driving early in the day, not a speed limit
(a posted ``maxspeed`` still caps it, see ``network.add_speeds_and_times``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .errors import InputError


@dataclass(frozen=True)
class SpeedProfile:
    """Speeds of one road convention: per class (km/h) and for roads of no known class."""

    name: str
    description: str
    speeds_kph: Mapping[str, float] = field(default_factory=dict)
    default_speed_kph: float = 22.0


def _classes(*values: float) -> dict[str, float]:
    names = ("motorway", "trunk", "primary", "secondary", "tertiary", "unclassified",
             "residential", "living_street", "service", "road", "track")
    return dict(zip(names, values, strict=True))


#: The profiles shipped; ``id-small-city`` is the Kota Kupang default (shared/domain.md).
SPEED_PROFILES: dict[str, SpeedProfile] = {
    p.name: p
    for p in (
        SpeedProfile("id-small-city", "small Indonesian city before 07:00 (Kota Kupang defaults)",
                     _classes(60, 40, 35, 30, 25, 20, 18, 10, 12, 18, 10), 22.0),
        SpeedProfile("eu-urban", "European city, urban limits 50 km/h and 30 km/h zones",
                     _classes(80, 60, 45, 40, 35, 30, 25, 10, 15, 25, 10), 30.0),
        SpeedProfile("us-urban", "North American city, arterials 35-45 mph, residential 25 mph",
                     _classes(90, 65, 55, 50, 45, 35, 30, 15, 15, 30, 15), 35.0),
        SpeedProfile("latam-urban", "Latin American city, dense grid, arterials 40-60 km/h",
                     _classes(70, 50, 40, 35, 30, 25, 20, 10, 12, 20, 10), 25.0),
    )
}
#: Profile of a scenario that names none.
DEFAULT_PROFILE = "id-small-city"


def speed_profile(name: str) -> SpeedProfile:
    """Return the shipped profile called ``name``.

    Raises
    ------
    InputError
        If no profile has that name (the message lists the known ones).
    """
    if name not in SPEED_PROFILES:
        msg = (
            f"[network] speed_profile {name!r} is not known; use one of "
            f"{', '.join(SPEED_PROFILES)}, or give your own [network.speeds_kph] table"
        )
        raise InputError(msg)
    return SPEED_PROFILES[name]
