"""A planned week as one folder, written whole or not at all: ``out/week-<monday>/``.

| file | what |
| --- | --- |
| ``<date>/`` | one folder per day, as a day's run writes it (plan.json, CSV, maps, sheets, GPX); a day the landfill is closed holds only ``summary.txt`` saying so |
| ``summary.txt`` | the week's summary (also printed) |
| ``week_summary.csv``, ``week_summary.md`` | per day: points, trucks, km, hours, m³, landfill trips, litres; the spread between the days |
| ``schedule.csv`` | per point: its days, usual truck and time window, m³ per day |
| ``boards/boards.pdf``, ``boards/<id>.pdf`` | schedule boards to hang at each TPS and container (A5, Bahasa Indonesia) |
| ``week.json`` | all of the above for systems (the web app) |

Every figure is the day plans' own (``Solution.fleet_kpis``), so the week files agree with the
day folders. The folder is staged and swapped in like a day's folder (:mod:`.folder`).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..solution import GENERATED_NOTICE, csv_safe_frame
from .day_folder import write_day_into
from .folder import check_target, lock_target, staged

if TYPE_CHECKING:
    from ..week import WeekPlan

log = logging.getLogger("wasteroute")

#: The file that marks a week folder (a folder holding files but not this one is never replaced).
WEEK_FILE = "week.json"


def week_folder_name(week: WeekPlan) -> str:
    """``week-2026-12-07``: the folder name of a week under ``--out``."""
    return f"week-{week.monday.isoformat()}"


def write_week_folder(week: WeekPlan, out_dir: str | Path, *, maps: bool = True, sheets: bool = True,
                      boards: bool = True, language: str | None = None) -> list[Path]:
    """Write the week's day folders, summaries, schedule and boards as the folder ``out_dir``.

    Raises
    ------
    InputError
        If ``out_dir`` cannot be written, holds files that are not a week's, or another run is writing it.

    Returns
    -------
    list[Path]
        The files written, at their final place in ``out_dir``.
    """
    out_dir = Path(out_dir)
    language = language or str(week.meta.get("language", "id"))
    check_target(out_dir, plan_file=WEEK_FILE)
    with lock_target(out_dir), staged(out_dir) as tmp:
        written = _write_into(week, tmp, maps=maps, sheets=sheets, boards=boards, language=language)
    return [out_dir / p.relative_to(tmp) if p.is_relative_to(tmp) else p for p in written]


def _write_into(week: WeekPlan, out: Path, *, maps: bool, sheets: bool, boards: bool,
                language: str) -> list[Path]:
    written: list[Path] = []
    for day in week.days:
        folder = out / day.date.isoformat()
        if day.solution is None:
            folder.mkdir(parents=True)
            note = folder / "summary.txt"
            note.write_text(f"{day.date.isoformat()}: {day.note}\n", encoding="utf-8")
            written.append(note)
            continue
        folder.mkdir(parents=True)
        written += write_day_into(day.solution, folder, maps=maps, sheets=sheets, language=language)
    log.info("week %s: %d day folders written", week.monday, len(week.days))
    table = week.day_table()
    schedule = week.schedule_frame()
    notice = GENERATED_NOTICE if week.meta.get("synthetic_network") else ""
    summary = out / "summary.txt"
    summary.write_text(("NOTICE: " + notice + "\n\n" if notice else "") + week.summary() + "\n", encoding="utf-8")
    csv_path = out / "week_summary.csv"
    csv_safe_frame(table).to_csv(csv_path, index=False)
    md = out / "week_summary.md"
    md.write_text(week_markdown(week, notice=notice), encoding="utf-8")
    sched = out / "schedule.csv"
    csv_safe_frame(schedule).to_csv(sched, index=False)
    doc = out / WEEK_FILE
    doc.write_text(json.dumps(week_dict(week, notice=notice), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    written += [summary, csv_path, md, sched, doc]
    if boards:
        from .boards import write_boards

        written += write_boards(schedule, out / "boards", monday=week.monday, channel=week.params.complaint_channel,
                                synthetic=bool(week.meta.get("synthetic_network")),
                                language=language if language in ("id", "en") else "id",
                                kind_names=next((d.solution.problem.kind_names for d in week.days
                                                 if d.solution is not None), None))
    return written


def week_markdown(week: WeekPlan, *, notice: str = "") -> str:
    """The week summary as Markdown: a row per day, then the week and its spread."""
    t = week.day_table()
    s = week.spread()
    cols = ["date", "day", "points_due", "served", "unassigned", "trucks", "km", "hours", "m3",
            "landfill_trips", "fuel_l"]
    lines = [f"# Week of {week.monday.isoformat()} ({week.scenario})", ""]
    if notice:
        lines += [f"**NOTICE:** {notice}", ""]
    lines += ["| " + " | ".join(cols) + " |", "|" + " --- |" * len(cols)]
    for r in t.to_dict("records"):
        lines.append("| " + " | ".join(str(r[c]) for c in cols) + " |")
    lines += [
        "",
        f"- week: {s['km']} km, {s['hours']} truck-hours, {s['m3']} m³, {s['landfill_trips']} landfill trips, "
        f"{s['fuel_l']} L diesel, {s['unassigned']} unassigned",
        f"- busiest ÷ quietest day: truck-hours {s['hours_ratio']} ({s['hours_max']} h ÷ {s['hours_min']} h), "
        f"m³ {s['m3_ratio']}, trucks {s['trucks_ratio']}",
        f"- same truck on all days: {100 * s['same_truck_share']:.1f} % of the points collected more than once",
        f"- patterns: {week.pattern_status}",
    ]
    lines += [f"- {d.date} {d.note}" for d in week.days if d.note]
    return "\n".join(lines) + "\n"


def week_dict(week: WeekPlan, *, notice: str = "") -> dict[str, Any]:
    """The week for systems: per-day figures, spread and the schedule of every point."""
    return {
        "monday": week.monday.isoformat(),
        "scenario": week.scenario,
        "notice": notice,
        "patterns": week.pattern_status,
        "landfill_closed": [d.isoformat() for d in week.changes.landfill_closed],
        "spread": week.spread(),
        "days": week.day_table().to_dict("records"),
        "schedule": week.schedule_frame().to_dict("records"),
    }


__all__ = ["WEEK_FILE", "week_dict", "week_folder_name", "week_markdown", "write_week_folder"]
