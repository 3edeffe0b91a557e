"""What each kind of background job does, inside the worker process (:mod:`.worker`).

Each ``run_<kind>(spec, send)`` builds the scenario variant the form asked for, calls the
library (the same calls as the command line) and returns what the history keeps (KPIs).
``send(event, **values)`` reports progress: ``send("stage", stage="search")``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

Send = Callable[..., None]


def scenario_for(spec: dict[str, Any]) -> Any:
    """The scenario with the form's date, trucks out of service, volume factor and budget."""
    from ..scenario import Scenario

    sc = Scenario.from_toml(spec["scenario"]).replace(date=dt.date.fromisoformat(spec["date"]))
    if spec.get("unavailable"):
        sc = sc.with_unavailable(list(spec["unavailable"]))
    if spec.get("volume_factor") is not None:
        sc = sc.replace(volume_factor=float(spec["volume_factor"]))
    solver: dict[str, Any] = {}
    if spec.get("time_limit_s") is not None:
        solver["time_limit_s"] = float(spec["time_limit_s"])
        solver["solution_limit"] = None  # the office gives a time budget; the scenario's limit would cut it
    if solver:
        sc = sc.with_solver(**solver)
    return sc


def plan_kpis(folder: Path) -> dict[str, Any]:
    """The figures the history lists, read from the plan.json just written (the file's own numbers)."""
    doc = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    return {**doc["summary"], "status": doc.get("status", ""), "notice": doc.get("notice", ""),
            "unassigned_ids": [u["id"] for u in doc.get("unassigned", [])]}


def search_note(params: Any, budget: float) -> str:
    """What a day's search does with ``budget`` seconds, for the progress page: PyVRP's phase
    reports no solution count, so the page says what runs."""
    if params.engine == "ortools":
        return f"OR-Tools search, up to {budget:.0f} s"
    share = 0.95 if params.engine == "pyvrp" else float(params.pyvrp_share)
    return (f"PyVRP search for about {share * budget:.0f} s, then OR-Tools repairs and polishes "
            f"(up to {budget:.0f} s in all)")


def run_plan(spec: dict[str, Any], send: Send) -> dict[str, Any]:
    """Plan a day and write its folder: ``spec["out"]`` gets plan.json, maps, sheets, exports."""
    from .. import search  # noqa: F401 - the engines load now, not in the middle of a Cancel
    from ..outputs import write_all

    send("stage", stage="loading")
    sc = scenario_for(spec)
    sc.build()  # network, points, matrix: cached for the solve below
    send("stage", stage="search")
    sol = sc.solve()
    send("stage", stage="checking")
    sol.validate()
    send("stage", stage="writing")
    out = Path(spec["out"])
    write_all(sol, out, language=spec.get("language") or sc.language)
    return plan_kpis(out)


def run_evaluate(spec: dict[str, Any], send: Send) -> dict[str, Any]:
    """Check the uploaded rounds (and compare them with a plan) into ``spec["out"]``."""
    from ..evaluate_run import run_evaluate as evaluate_rounds

    send("stage", stage="loading")
    sc = scenario_for(spec)
    out = Path(spec["out"])
    compare: bool | str = spec.get("compare_plan") or bool(spec.get("compare"))
    if compare is True:
        send("stage", stage="search")
    evaluate_rounds(sc, Path(spec["rounds"]), out=out, compare=compare, language=spec.get("language") or sc.language)
    day = out / spec["date"]
    findings = (day / "evaluate" / "findings.csv").read_text(encoding="utf-8").count("\n") - 1
    return {"findings": max(findings, 0), "compared": bool(compare)}


def run_replan(spec: dict[str, Any], send: Send) -> dict[str, Any]:
    """Re-plan a finished plan at a time: broken trucks, complaint pickups; ``out/replan-HHMM/``."""
    import dataclasses

    from .. import search  # noqa: F401 - the engines load now, not in the middle of a Cancel
    from ..solution import Solution
    from ..outputs.replan import write_replan_folder
    from ..replan import replan

    send("stage", stage="loading")
    sc = scenario_for({**spec, "time_limit_s": None})
    if spec.get("time_limit_s") is not None:
        sc = sc.with_solver(replan_time_limit_s=float(spec["time_limit_s"]))
    problem = sc.build()
    morning = dataclasses.replace(Solution.from_json(spec["morning_plan"], problem, scenario=sc.name),
                                  graph=sc.load_network().graph, params=sc.solver)
    send("stage", stage="search")
    language = spec.get("language") or sc.language
    result = replan(problem, morning, spec["at"], broken=list(spec.get("broken") or ()),
                    added=spec.get("complaints") or (), params=sc.solver, language=language)
    send("stage", stage="checking")
    result.validate()
    send("stage", stage="writing")
    folder = write_replan_folder(result, Path(spec["out"]), language=language)
    return {**plan_kpis(folder), "folder": folder.name, "at": result.at,
            "changed_trucks": list(result.changed_trucks), "added": list(result.added),
            "broken": list(result.broken)}


def run_week(spec: dict[str, Any], send: Send) -> dict[str, Any]:
    """Plan the week starting ``spec["date"]`` (a Monday) into ``spec["out"]``: days, summary, boards."""
    from .. import search  # noqa: F401 - the engines load now, not in the middle of a Cancel
    from ..errors import ValidationError
    from ..outputs.week_folder import write_week_folder
    from ..week import WeekChanges, WeekParams, _check_week

    monday = dt.date.fromisoformat(spec["date"])
    changes = WeekChanges(landfill_closed=tuple(dt.date.fromisoformat(d) for d in spec.get("landfill_closed") or ()))
    _check_week(monday, changes)
    send("stage", stage="loading")
    sc = scenario_for({**spec, "time_limit_s": None})
    params = WeekParams(day_time_limit_s=spec.get("time_limit_s"), fixed_days=bool(spec.get("fixed_days")))
    send("stage", stage="search")
    week = sc.plan_week(monday, params, changes=changes)
    send("stage", stage="checking")
    for day in week.days:
        if day.solution is not None:
            day.solution.validate()
    broken = week.check()
    if broken:
        raise ValidationError(f"the week plan breaks {len(broken)} rule(s)", broken)
    send("stage", stage="writing")
    out = Path(spec["out"])
    write_week_folder(week, out, language=spec.get("language") or sc.language)
    doc = json.loads((out / "week.json").read_text(encoding="utf-8"))
    return {**doc["spread"], "points_unassigned": doc["spread"]["unassigned"], "notice": doc.get("notice", ""),
            "patterns": doc.get("patterns", "")}
