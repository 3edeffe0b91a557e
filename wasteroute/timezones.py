"""Which time zone a city plans in: the scenario's ``timezone``, else found from its facilities.

A city outside Kupang must never plan silently in Kupang time, so there is no fallback zone:
without a ``timezone`` setting the zone is looked up offline from the depot's and landfills'
coordinates with ``timezonefinder`` (when installed), and otherwise the scenario is refused
with a message that says what to write.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import InputError

log = logging.getLogger("wasteroute")


def check_timezone(name: str, where: str) -> str:
    """Return ``name`` if it is an IANA time zone such as ``Asia/Makassar``.

    Raises
    ------
    InputError
        Naming the value and an example of a valid zone.
    """
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        msg = (
            f"{where}: timezone {name!r} is not a known IANA time zone; "
            "use a name such as \"Asia/Makassar\" (Kupang) or \"America/Mexico_City\""
        )
        raise InputError(msg) from None
    return name


def _lookup(lonlats: Sequence[tuple[str, float, float]]) -> dict[str, str | None]:
    """Facility id -> time zone found by ``timezonefinder`` (ImportError if it is not installed)."""
    from timezonefinder import TimezoneFinder  # optional dependency, offline data

    finder = TimezoneFinder()
    return {fid: finder.timezone_at(lng=lon, lat=lat) for fid, lon, lat in lonlats}


def resolve_timezone(
    configured: str | None, facilities: Sequence[tuple[str, float, float]], *, where: str
) -> str:
    """Return the time zone to plan in, and log which one and why.

    Parameters
    ----------
    configured
        The scenario's ``timezone`` setting, or None when it has none.
    facilities
        ``(id, lon, lat)`` of the depot and landfills.
    where
        The scenario file, for messages.

    Raises
    ------
    InputError
        If the setting is not a time zone; if it is absent and ``timezonefinder`` is not
        installed or finds no zone; or if the facilities lie in different zones.
    """
    if configured is not None:
        log.info("timezone %s (from the scenario's timezone setting)", configured)
        return check_timezone(configured, where)
    ids = ", ".join(f for f, _, _ in facilities)
    try:
        found = _lookup(facilities)
    except ImportError:
        msg = (
            f"{where}: no timezone setting, and the package timezonefinder that would find it from "
            f"the facilities ({ids}) is not installed; add a line such as "
            "timezone = \"America/Mexico_City\" at the top of the scenario file"
        )
        raise InputError(msg) from None
    zones = sorted({z for z in found.values() if z})
    if len(zones) != 1 or None in found.values():
        said = ", ".join(f"{k}: {v or 'no zone'}" for k, v in found.items())
        msg = (
            f"{where}: no timezone setting, and the facilities' coordinates give {said}; "
            "add a line such as timezone = \"Asia/Makassar\" at the top of the scenario file"
        )
        raise InputError(msg)
    log.info("timezone %s (no timezone setting: found from the coordinates of %s)", zones[0], ids)
    return zones[0]
