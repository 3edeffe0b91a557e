"""Renderers: they take a solution and its data and write files; they never solve.

``write_all`` writes everything the planner's command produces for one day, as one folder
that is written whole or not at all (:mod:`wasteroute.outputs.day_folder`); ``write_week_folder``
does the same for a planned week (:mod:`wasteroute.outputs.week_folder`).
"""

from __future__ import annotations

from .day_folder import write_all
from .week_folder import write_week_folder

__all__ = ["write_all", "write_week_folder"]
