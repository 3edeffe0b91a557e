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
    from ..evaluate import run_evaluate as evaluate_rounds

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
