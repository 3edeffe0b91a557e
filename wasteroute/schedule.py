"""Weekly collection patterns: which days of the week a point is collected, and how much waits.

A *pattern* is a set of weekdays, Monday = 0 ... Sunday = 6, written ``"mon,wed,fri"``. A
point collected ``frequency`` times a week may use any allowed pattern (listed in its
``patterns`` column, or every set of ``frequency`` days of Monday-Saturday, Monday-Sunday
when daily, whose longest gap is at most ``max_gap_days``). Waste accumulates: a visit
collects ``m3_per_day`` x the days since the previous collection of the same pattern
(the week repeats, so Friday -> Monday is 3 days).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence

#: Canonical weekday names, Monday = 0.
DAY_NAMES: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: Weekday names in Bahasa Indonesia, Monday = 0 (for boards and sheets).
DAY_NAMES_ID: tuple[str, ...] = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
#: Days a non-daily point may be collected on unless its ``patterns`` say otherwise.
WORKING_DAYS: tuple[int, ...] = (0, 1, 2, 3, 4, 5)

Pattern = tuple[int, ...]


def pattern_text(pattern: Iterable[int]) -> str:
    """``(0, 2, 4)`` -> ``"mon,wed,fri"``; all seven days -> ``"daily"``."""
    days = sorted(set(pattern))
    return "daily" if len(days) == 7 else ",".join(DAY_NAMES[d] for d in days)


def parse_pattern(text: str) -> Pattern:
    """``"mon,wed,fri"`` (or ``"daily"``) -> ``(0, 2, 4)``; names as :func:`pattern_text` writes them.

    Raises
    ------
    ValueError
        If a name is not a canonical weekday.
    """
    text = text.strip().lower()
    if text == "daily":
        return tuple(range(7))
    days = []
    for name in text.split(","):
        if name.strip()[:3] not in DAY_NAMES:
            raise ValueError(f"{name!r} is not a weekday; use mon, tue, wed, thu, fri, sat, sun")
        days.append(DAY_NAMES.index(name.strip()[:3]))
    return tuple(sorted(set(days)))


def gaps(pattern: Sequence[int]) -> list[int]:
    """Days since the previous collection for each day of ``pattern`` (sorted), the week repeating."""
    days = sorted(pattern)
    return [d - p if d > p else d + 7 - p for p, d in zip([days[-1], *days[:-1]], days, strict=True)]


def max_gap(pattern: Sequence[int]) -> int:
    """The longest wait between two collections of ``pattern`` (1 for daily, 7 for once a week)."""
    return max(gaps(pattern))


def default_max_gap(frequency: int) -> int:
    """The longest gap a point collected ``frequency`` times a week may have by default: ceil(7 / f)."""
    return math.ceil(7 / frequency)


def candidate_patterns(frequency: int, max_gap_days: int) -> list[Pattern]:
    """Every evenly spread set of ``frequency`` days of Monday-Saturday (all seven when daily).

    Evenly spread: no gap above ``max_gap_days`` and none below ``7 // frequency`` days (three
    a week gives Mon-Wed-Fri, Tue-Thu-Sat, Mon-Wed-Sat and Mon-Thu-Sat, never Mon-Tue-Fri).
    """
    if frequency >= 7:
        return [tuple(range(7))]
    pool = WORKING_DAYS if frequency <= len(WORKING_DAYS) else tuple(range(7))
    shortest = 7 // frequency
    return [c for c in itertools.combinations(pool, frequency)
            if max_gap(c) <= max_gap_days and min(gaps(c)) >= min(shortest, max_gap_days)]


def visit_volumes(pattern: Sequence[int], m3_per_day: float) -> dict[int, float]:
    """Weekday -> m³ waiting at a point on that collection day (``m3_per_day`` x days since the last)."""
    days = sorted(pattern)
    return {d: m3_per_day * g for d, g in zip(days, gaps(days), strict=True)}


__all__ = [
    "DAY_NAMES", "DAY_NAMES_ID", "WORKING_DAYS", "Pattern", "candidate_patterns", "default_max_gap",
    "gaps", "max_gap", "parse_pattern", "pattern_text", "visit_volumes",
]
