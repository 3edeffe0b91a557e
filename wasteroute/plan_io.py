"""Read a plan.json back: the parts of the exact plan it was written from, and the checks of its figures.

:meth:`Solution.from_json <wasteroute.solution.Solution.from_json>` is the entry point; this
module sits below :mod:`wasteroute.solution` and never imports it. A plan is read against the
:class:`~wasteroute.problem.ProblemData` of its day: every route is rebuilt from its stops and
their service start times with the same code that built it
(:func:`~wasteroute.routes.build_visits`), and every figure of the file is checked against the
rebuilt plan (:func:`check_figures`). Writing the plan read back gives the same file, byte for byte. A plan made for
another scenario, date, fleet, set of points or road network is refused with a message that
names what differs.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import InputError
from .problem import ProblemData
from .routes import Break, Route, build_visits, empty_route, step_dict

#: How many differing ids or steps a message names before it says "and N more".
_SHOW = 8


def read_plan_parts(path: str | Path, problem: ProblemData, *,
                    scenario: str | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The plan written to ``path``, rebuilt for ``problem``: the file's document and the plan's fields.

    Parameters
    ----------
    path
        A plan.json written by :meth:`Solution.to_json` (``out/<date>/plan.json``).
    problem
        The day's problem, built from the same scenario and date as the plan.
    scenario
        The scenario's name; when given, a plan that names another scenario is refused.

    Returns
    -------
    tuple[dict, dict]
        The parsed file, and the fields of the :class:`~wasteroute.solution.Solution` besides its
        problem: routes, unassigned points with reasons, objective, status, solve time (to 0.1 s,
        as written), engine, and ``meta`` with the scenario name and waste density.

    Raises
    ------
    InputError
        If the file is missing or not a wasteroute plan, or names another scenario, another date,
        other trucks, or points this problem sets aside or does not hold.
    """
    p = Path(path)
    doc = _load(p)
    _check_identity(doc, problem, p, scenario)
    summary = doc["summary"]
    fields = {
        "routes": tuple(_route(r, problem, p) for r in doc["routes"]),
        "unassigned": {u["id"]: u["reason"] for u in doc["unassigned"]},
        "objective": int(summary.get("objective", 0)), "status": str(doc.get("status", "")),
        "solve_s": float(summary.get("solve_s", 0.0)), "engine": str(summary.get("engine", "ortools")),
        "meta": {"scenario": str(doc.get("scenario", "")),
                 "density_kg_per_m3": float(doc.get("density_kg_per_m3", 250.0))},
    }
    return doc, fields


def plan_date(path: str | Path) -> dt.date:
    """The day a plan.json was made for (its summary's ``date``).

    Raises
    ------
    InputError
        If the file is missing, not a wasteroute plan, or its date is not a date.
    """
    p = Path(path)
    text = str(_load(p)["summary"].get("date", ""))
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"plan {p} has no valid date in its summary ({text!r}); give --date YYYY-MM-DD") from None


def _load(p: Path) -> dict[str, Any]:
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"plan file {p} does not exist; give the plan.json of an earlier run") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"plan file {p} cannot be read: {exc}") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"plan file {p} is not valid JSON (line {exc.lineno}: {exc.msg})") from None
    keys = ("summary", "routes", "unassigned", "not_due")
    if not isinstance(doc, dict) or doc.get("generated_by") != "wasteroute" or any(k not in doc for k in keys):
        raise InputError(f"{p} is not a wasteroute plan.json (it needs generated_by, summary, routes, "
                         "unassigned and not_due); give the plan.json of an earlier run")
    return doc


def _names(ids: set[str] | list[str]) -> str:
    items = sorted(ids)
    more = f" and {len(items) - _SHOW} more" if len(items) > _SHOW else ""
    return ", ".join(items[:_SHOW]) + more


def _check_identity(doc: dict[str, Any], problem: ProblemData, p: Path, scenario: str | None) -> None:
    """Scenario, date, trucks, facilities and point ids of the plan against the problem's."""
    planned = str(doc.get("scenario", ""))
    if scenario is not None and planned and planned != scenario:
        raise InputError(f"plan {p} was made for scenario '{planned}', not '{scenario}'; "
                         "read it with that scenario")
    date = str(doc["summary"].get("date", ""))
    if date != problem.date.isoformat():
        raise InputError(f"plan {p} is for {date}, but this problem is for {problem.date.isoformat()}; "
                         f"read it with --date {date}")
    problems: list[str] = []
    plan_trucks = {str(r["truck"]) for r in doc["routes"]}
    have = {v.id for v in problem.vehicles}
    if plan_trucks != have:
        if plan_trucks - have:
            problems.append(f"trucks in the plan but not available in this problem: {_names(plan_trucks - have)}")
        if have - plan_trucks:
            problems.append(f"trucks available in this problem but not in the plan: {_names(have - plan_trucks)}")
    facilities = {problem.depot.id, *(lf.id for lf in problem.landfills)}
    steps = [s for r in doc["routes"] for s in r["steps"]]
    other = {str(s["id"]) for s in steps if s["kind"] != "point"} - facilities
    if other:
        problems.append(f"depot or landfill ids not in this problem: {_names(other)}")
    in_plan = {str(s["id"]) for s in steps if s["kind"] == "point"} | {str(u["id"]) for u in doc["unassigned"]}
    due = {q.id for q in (*problem.points, *problem.excluded)}
    if in_plan - due:
        problems.append(f"points in the plan that are not due in this problem: {_names(in_plan - due)}")
    if due - in_plan:
        problems.append(f"points due in this problem that the plan does not mention: {_names(due - in_plan)}")
    not_due = {str(x) for x in doc["not_due"]}
    if not_due != {q.id for q in problem.not_due}:
        problems.append(f"points not due that day differ: {_names(not_due ^ {q.id for q in problem.not_due})}")
    if problems:
        raise InputError(f"plan {p} was made for another scenario, fleet or set of points than this "
                         f"problem ({problem.date.isoformat()}); plan the day again or read it with the "
                         "scenario and options it was made with", problems)


def _route(r: dict[str, Any], problem: ProblemData, p: Path) -> Route:
    vehicle = next(v for v in problem.vehicles if v.id == r["truck"])  # checked in _check_identity
    if not r["steps"]:
        return empty_route(problem, vehicle)
    brk = r.get("break")
    break_ = Break(int(brk["start_s"]), int(brk["duration_s"])) if brk else None
    locations = _locations(problem)
    try:
        seq = [(locations[(s["kind"], s["id"])], int(s["start_s"])) for s in r["steps"]]
    except KeyError as exc:
        raise InputError(f"plan {p}: truck {vehicle.id} stops at {exc.args[0][1]}, which this problem "
                         "sets aside or does not hold; plan the day again") from None
    stopped = r.get("out_of_service_s")
    return Route(vehicle, build_visits(problem, vehicle, seq, break_=break_), break_,
                 int(stopped) if stopped is not None else None)


def _locations(problem: ProblemData) -> dict[tuple[str, str], int]:
    out = {("depot", problem.depot.id): 0}
    out.update({("landfill", lf.id): problem.landfill_location(k) for k, lf in enumerate(problem.landfills)})
    out.update({("point", q.id): problem.point_location(k) for k, q in enumerate(problem.points)})
    return out


def check_figures(doc: dict[str, Any], routes: Sequence[Route], written: dict[str, Any], path: str | Path) -> None:
    """Every step, truck type, break and total of the file ``doc`` against the rebuilt plan.

    ``routes`` are the plan's rebuilt routes and ``written`` is what writing it gives
    (:meth:`Solution.to_dict <wasteroute.solution.Solution.to_dict>`).

    Raises
    ------
    InputError
        If a figure differs (another road network, volume factor or point file), naming them.
    """
    p = Path(path)
    problems: list[str] = []
    for stored, route in zip(doc["routes"], routes):
        problems += _route_differences(stored, route)
    if not problems:
        again = json.loads(json.dumps(written, ensure_ascii=False))
        for key in ("synthetic_network", "summary", "unassigned"):
            if again.get(key) != doc.get(key):
                problems.append(f"{key}: the file says {_short(doc.get(key))}, the plan read back gives "
                                f"{_short(again.get(key))}")
    if problems:
        shown = problems[:_SHOW] + ([f"... and {len(problems) - _SHOW} more"] if len(problems) > _SHOW else [])
        raise InputError(f"plan {p} does not match this problem: its times, distances or points differ "
                         "(another road network, volume factor or point file?); plan the day again", shown)


def _route_differences(stored: dict[str, Any], route: Route) -> list[str]:
    vid, out = route.vehicle.id, []
    if stored.get("type") != route.vehicle.type_name:
        out.append(f"{vid}: type '{stored.get('type')}' in the plan, '{route.vehicle.type_name}' in this problem")
    if not stored["steps"]:
        return out
    for k, (s, v) in enumerate(zip(stored["steps"], route.visits)):
        again = step_dict(v)
        diff = [f"{key} {s.get(key)!r} in the plan, {again[key]!r} here" for key in again
                if s.get(key) != again[key]]
        if diff:
            out.append(f"{vid} step {k} ({v.id}): " + "; ".join(diff[:3]))
    return out


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "..."

