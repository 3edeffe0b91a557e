"""The one place that fixes units.

After the matrix stage every duration is an integer number of seconds and every
length an integer number of metres. Times of day are seconds after local midnight
(Kupang: WITA, UTC+8). Volumes enter the solver as integer litres.
"""

from __future__ import annotations

import math

#: Volumes are given in m³ and handed to the solver in litres (integer dimension).
LITRES_PER_M3 = 1000
SECONDS_PER_HOUR = 3600
METRES_PER_KM = 1000


def kph_to_mps(speed_kph: float) -> float:
    """Convert km/h to m/s."""
    return speed_kph * METRES_PER_KM / SECONDS_PER_HOUR


def m3_to_litres(volume_m3: float) -> int:
    """Convert a volume in m³ to integer litres, rounding up so a load is never understated."""
    return int(math.ceil(round(volume_m3 * LITRES_PER_M3, 6)))


def litres_to_m3(litres: float) -> float:
    """Convert litres to m³."""
    return litres / LITRES_PER_M3


#: Latest time of day accepted: times of the next day may be written up to ``47:59``.
MAX_TIME_OF_DAY_S = 48 * SECONDS_PER_HOUR


def parse_hhmm(text: str | int | float) -> int:
    """Parse a time of day ``"HH:MM"`` or ``"HH:MM:SS"`` (or seconds) into seconds after midnight.

    Times past midnight of the next day may be written ``"26:00"``; hours from 48 on are
    rejected (``"99:00"`` is a typo, not a time).

    Raises
    ------
    ValueError
        If the text is not a time of day.
    """
    if isinstance(text, bool):
        raise ValueError(f"time {text!r} is not a time of day; write it as HH:MM, e.g. \"05:30\"")
    if isinstance(text, (int, float)):
        if not math.isfinite(text) or not 0 <= text < MAX_TIME_OF_DAY_S:
            msg = f"time {text!r} is not a time of day in seconds (0 to {MAX_TIME_OF_DAY_S - 1}); write it as HH:MM"
            raise ValueError(msg)
        return int(text)
    parts = str(text).strip().split(":")
    if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
        raise ValueError(f"time {text!r} is not a time of day; write it as HH:MM, e.g. \"05:30\"")
    h, m = int(parts[0]), int(parts[1])
    s = int(parts[2]) if len(parts) == 3 else 0
    if m >= 60 or s >= 60:
        raise ValueError(f"time {text!r} has minutes or seconds above 59; write it as HH:MM")
    if h >= MAX_TIME_OF_DAY_S // SECONDS_PER_HOUR:
        msg = (f"time {text!r} has hour {h}, past the next day; write a time of day as HH:MM "
               "(00:00-23:59, or up to 47:59 for the next day)")
        raise ValueError(msg)
    return h * 3600 + m * 60 + s


def format_hhmm(seconds: float) -> str:
    """Format seconds after midnight as ``HH:MM`` (rounded to the minute)."""
    total = int(round(seconds / 60.0))
    return f"{total // 60:02d}:{total % 60:02d}"
