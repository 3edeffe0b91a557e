"""Renderers: they take a solution and its data and write files; they never solve.

``write_all`` writes everything the planner's command produces for one day.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
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
    from .sheets import SheetJob

    # Worker processes lay out the sheets while this one draws the maps (issue 10).
    with SheetJob(sol, out_dir / "sheets", language=language) if sheets else nullcontext() as job:
        if maps:
            from .maps import write_maps

            written += write_maps(sol, out_dir / "maps")
        if job is not None:
            written += job.wait()
    if sheets:
        from .gpx import write_gpx

        written += write_gpx(sol, out_dir / "gpx", language=language)
        log.info("driver sheets and GPX written for %d trucks", len(sol.used_routes()))
    return written
