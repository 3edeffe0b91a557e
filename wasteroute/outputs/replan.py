"""Write a re-plan's folder ``out/<date>/replan-HHMM/`` beside the morning plan.

plan.json (the whole day as re-planned), ``changes.txt`` and ``changes.csv`` (what changed, per
truck, in the driver's language), ``summary.txt``, updated maps of every truck, and driver sheets
and GPX only for the trucks whose routes changed (a broken-down truck drives no more). The folder
is written whole into a hidden folder and swapped in (:mod:`wasteroute.outputs.folder`) while the
day's folder is locked, so a re-plan never mixes with a run of the day; re-running the day keeps
the ``replan-*`` folders.
"""

from __future__ import annotations

import csv
import dataclasses
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from ..solution import GENERATED_NOTICE, csv_safe_frame
from .folder import check_target, lock_target, staged

if TYPE_CHECKING:
    from ..replan import Replan

log = logging.getLogger("wasteroute")


def replan_folder_name(result: Replan) -> str:
    """``replan-HHMM`` for a re-plan at HH:MM."""
    return "replan-" + result.at.replace(":", "")


def write_replan_folder(result: Replan, day_folder: str | Path, *, language: str | None = None,
                        maps: bool = True, sheets: bool = True) -> Path:
    """Write ``day_folder/replan-HHMM/`` whole; return its path.

    ``language`` defaults to the re-plan's own (``result.language``).

    Raises
    ------
    InputError
        If the folder cannot be written or another run holds the day's folder.
    """
    day_folder = Path(day_folder)
    target = day_folder / replan_folder_name(result)
    check_target(target)
    with lock_target(day_folder), staged(target) as tmp:
        _write_into(result, tmp, language=language or result.language, maps=maps, sheets=sheets)
    log.info("re-plan written to %s", target)
    return target


def _write_into(result: Replan, out: Path, *, language: str, maps: bool, sheets: bool) -> None:
    sol = result.solution
    sol.to_json(out / "plan.json")
    sol.to_csv(out / "visits.csv")
    notice = f"NOTICE: {GENERATED_NOTICE}\n\n" if sol.problem.synthetic_network else ""
    (out / "changes.txt").write_text(notice + result.report(language) + "\n", encoding="utf-8")
    frame = result.changes_frame()
    frame["text"] = [ch.text(language) for ch in result.changes]
    with (out / "changes.csv").open("w", encoding="utf-8", newline="") as fh:
        csv_safe_frame(frame).to_csv(fh, index=False, quoting=csv.QUOTE_MINIMAL)
    (out / "summary.txt").write_text(sol.summary() + "\n", encoding="utf-8")
    if maps:
        from .maps.draw import write_maps

        write_maps(sol, out / "maps", language=language)
    changed = set(result.changed_trucks)
    if sheets and changed:
        from .gpx import write_gpx
        from .sheets import write_sheets

        only = dataclasses.replace(sol, routes=tuple(r for r in sol.routes if r.vehicle.id in changed))
        write_sheets(only, out / "sheets", language=language)
        write_gpx(only, out / "gpx", language=language)


__all__ = ["replan_folder_name", "write_replan_folder"]
