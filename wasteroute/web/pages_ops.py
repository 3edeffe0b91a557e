"""Pages of the operations during and across days: re-plan at a time, and plan a week."""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from ..errors import InputError
from .render import render
from .db import DONE
from .i18n import LANGUAGES
from .pages import get_job, number_in, parse_plan_form, plan_folder, render_plan, sc_path, tomorrow
from .pages_data import read_upload
from .security import inside, require_csrf
from .uploads import kind_of

router = APIRouter()
csrf = [Depends(require_csrf)]
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


# ---------------------------------------------------------------------- re-plan
@router.get("/replan")
def replan_form(request: Request) -> Response:
    plans = [j for j in request.app.state.store.jobs(kind="plan") if j.status == DONE]
    now = dt.datetime.now(dt.UTC).astimezone(_zone(request)).strftime("%H:%M")
    return render(request, "replan_form.html", plans=plans, now=now,
                  trucks=request.app.state.scenario.fleet.all_trucks(),
                  budget=request.app.state.scenario.solver.replan_time_limit_s)


def _zone(request: Request) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(request.app.state.scenario.timezone)


@router.post("/replan", dependencies=csrf)
async def replan_submit(request: Request) -> Response:
    form = await request.form()
    try:
        settings, spec = await _replan_settings(request, form)
    except InputError as exc:
        return render(request, "error.html", status_code=400, status=400, detail=str(exc))
    morning = request.app.state.store.get(settings["morning_job"])
    job = request.app.state.runner.submit(kind="replan", scenario=str(sc_path(request)), plan_date=morning.plan_date,
                                          settings=settings, spec=spec)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


async def _replan_settings(request: Request, form: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The form's settings (kept in the history) and the worker's extra inputs.

    Raises
    ------
    InputError
        For a plan that is not finished, a bad time, an unknown truck, a bad complaints file.
    """
    store, sc = request.app.state.store, request.app.state.scenario
    choice = str(form.get("plan") or "")
    morning = store.get(int(choice)) if choice.isdigit() else None
    if morning is None or morning.kind != "plan" or morning.status != DONE:
        raise InputError("choose a finished plan of the day to re-plan from (Riwayat / History)")
    at = str(form.get("at") or "")
    if not _HHMM.match(at):
        raise InputError(f"time {at!r} is not a time of day; write it as HH:MM, e.g. 08:40")
    ids = {t.id for t in sc.fleet.all_trucks()}
    broken = sorted({str(v) for v in form.getlist("broken")})
    if set(broken) - ids:
        raise InputError(f"truck(s) {', '.join(sorted(set(broken) - ids))} are not in the fleet")
    budget = number_in(form.get("time_limit_s"), "search time", 0, request.app.state.settings.max_time_limit_s)
    language = str(form.get("language") or sc.language)
    if language not in LANGUAGES:
        raise InputError(f"language {language!r} is not available; use id or en")
    settings = {"morning_job": morning.id, "at": at, "broken": broken, "time_limit_s": budget,
                "language": language, "unavailable": morning.settings.get("unavailable", []),
                "volume_factor": morning.settings.get("volume_factor")}
    spec: dict[str, Any] = {"morning_plan": str(plan_folder(request, morning) / "plan.json")}
    upload = form.get("complaints")
    if getattr(upload, "filename", ""):
        data, name = await read_upload(request, upload)
        kind_of(name, data, ("csv",))
        spec["complaints"] = str(_checked_complaints(request, data))
        settings["complaints"] = name[:80]
    return settings, spec


def _checked_complaints(request: Request, data: bytes) -> Any:
    """Save the complaints under our own name and check every row now (errors inline, not later)."""
    from ..replan_inputs import read_complaints

    folder = request.app.state.settings.data_dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"complaints-{secrets.token_hex(8)}.csv"
    path.write_bytes(data)
    try:
        read_complaints(path)
    except InputError as exc:
        path.unlink(missing_ok=True)
        raise InputError(str(exc).splitlines()[0].replace(str(path), "the complaints file"),
                         [p.replace(str(path), "the complaints file") for p in exc.problems]) from None
    return path


# ---------------------------------------------------------------------- week
def next_monday(request: Request) -> dt.date:
    day = tomorrow(request)
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


@router.get("/week")
def week_form(request: Request) -> Response:
    sc = request.app.state.scenario
    return render(request, "week_form.html", monday=next_monday(request).isoformat(), trucks=sc.fleet.all_trucks(),
                  off=set(sc.fleet.unavailable), volume_factor=sc.volume_factor, budget=sc.solver.time_limit_s)


@router.post("/week", dependencies=csrf)
async def week_submit(request: Request) -> Response:
    form = await request.form()
    try:
        settings = parse_plan_form(request, form)
        monday = dt.date.fromisoformat(settings["date"])
        if monday.weekday() != 0:
            raise InputError(f"the week must start on a Monday; {monday.isoformat()} is not one: use "
                             f"{(monday - dt.timedelta(days=monday.weekday())).isoformat()}")
        closed = sorted({int(v) for v in form.getlist("closed") if str(v).isdigit() and 0 <= int(v) < 7})
    except InputError as exc:
        return render(request, "error.html", status_code=400, status=400, detail=str(exc))
    settings["landfill_closed"] = [(monday + dt.timedelta(days=i)).isoformat() for i in closed]
    settings["fixed_days"] = form.get("fixed_days") == "1"
    job = request.app.state.runner.submit(kind="week", scenario=str(sc_path(request)), plan_date=settings.pop("date"),
                                          settings=settings)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/weeks/{job_id}")
def week_page(request: Request, job_id: int) -> Response:
    job = get_job(request, job_id, "week")
    folder = plan_folder(request, job)
    doc = json.loads((folder / "week.json").read_text(encoding="utf-8"))
    days = [{**d, "has_plan": (folder / str(d["date"]) / "plan.json").is_file()} for d in doc["days"]]
    boards = sorted(p.name for p in (folder / "boards").glob("*.pdf") if p.name != "boards.pdf")
    return render(request, "week.html", job=job, doc=doc, days=days, boards=boards,
                  summary=(folder / "summary.txt").read_text(encoding="utf-8"),
                  all_boards=(folder / "boards" / "boards.pdf").is_file())


@router.get("/weeks/{job_id}/days/{day}")
def week_day(request: Request, job_id: int, day: str) -> Response:
    job = get_job(request, job_id, "week")
    try:
        date = dt.date.fromisoformat(day).isoformat()
    except ValueError:
        raise HTTPException(404, "no such day") from None
    inside(plan_folder(request, job), f"{date}/plan.json")
    return render_plan(request, job, date, title=date)


__all__ = ["router"]
