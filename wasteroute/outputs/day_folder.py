"""A planned day as one folder, written whole or not at all: ``out/<date>/``.

plan.json, visits.csv, routes.geojson, summary.txt, the maps, the driver sheets and the GPX
tracks of one day. The files go to a hidden folder that is swapped in only once all are
written (:mod:`.folder`); a week's folder writes each of its days with :func:`write_day_into`.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
from pathlib import Path

from ..solution import Solution
from .folder import check_target, lock_target, staged

log = logging.getLogger("wasteroute")


def write_all(sol: Solution, out_dir: Path, *, maps: bool = True, sheets: bool = True,
              language: str = "id") -> list[Path]:
    """Write the day's exports, summary, maps and driver sheets as the folder ``out_dir``.

    The files go to a hidden folder beside ``out_dir`` that replaces ``out_dir`` only once all
    are written: the previous contents of ``out_dir`` are replaced, never mixed with the new
    plan, and stay as they were if writing fails or is interrupted.

    Raises
    ------
    InputError
        If ``out_dir`` cannot be written (see :func:`~wasteroute.outputs.folder.check_target`)
        or another run is writing it.

    Returns
    -------
    list[Path]
        The files written, at their final place in ``out_dir``.
    """
    out_dir = Path(out_dir)
    check_target(out_dir)
    with lock_target(out_dir), staged(out_dir) as tmp:
        written = write_day_into(sol, tmp, maps=maps, sheets=sheets, language=language)
    paths = [Path(p) for p in written]
    return [out_dir / p.relative_to(tmp) if p.is_relative_to(tmp) else p for p in paths]


def write_day_into(sol: Solution, out_dir: Path, *, maps: bool, sheets: bool,
                language: str) -> list[Path]:
    """Every file of the day into ``out_dir`` (the hidden folder :func:`write_all` swaps in)."""
    written = [
        sol.to_json(out_dir / "plan.json"),
        sol.to_csv(out_dir / "visits.csv"),
        sol.to_geojson(out_dir / "routes.geojson"),
    ]
    summary = out_dir / "summary.txt"
    summary.write_text(sol.summary() + "\n", encoding="utf-8")
    written.append(summary)
    log.info("exports written: JSON, CSV, GeoJSON")
    from .sheets import SheetJob

    # Worker processes lay out the sheets while this one draws the maps (issue 10).
    with SheetJob(sol, out_dir / "sheets", language=language) if sheets else nullcontext() as job:
        if maps:
            from .maps.draw import write_maps

            written += write_maps(sol, out_dir / "maps", language=language)
        if job is not None:
            written += job.wait()
    if sheets:
        from .gpx import write_gpx

        written += write_gpx(sol, out_dir / "gpx", language=language)
        log.info("driver sheets and GPX written for %d trucks", len(sol.used_routes()))
    return written
