"""Renderers: they take a solution and its data and write files; they never solve.

``write_all`` writes everything the planner's command produces for one day.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ..solution import Solution

log = logging.getLogger("wasteroute")


def write_all(sol: Solution, out_dir: Path, *, maps: bool = True, sheets: bool = True,
              language: str = "id") -> list[Path]:
    """Write the day's exports, maps and driver sheets into ``out_dir``; return the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [
        sol.to_json(out_dir / "plan.json"),
        sol.to_csv(out_dir / "visits.csv"),
        sol.to_geojson(out_dir / "routes.geojson"),
    ]
    log.info("exports written: JSON, CSV, GeoJSON")
    if maps:
        from .maps import write_maps

        written += write_maps(sol, out_dir / "maps")
    if sheets:
        from .gpx import write_gpx
        from .sheets import write_sheets

        written += write_sheets(sol, out_dir / "sheets", language=language)
        written += write_gpx(sol, out_dir / "gpx", language=language)
        log.info("driver sheets and GPX written for %d trucks", len(sol.used_routes()))
    return written
