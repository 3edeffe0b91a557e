"""Pages: plan a day, follow a job, the plan, its files, history and comparison, language, login."""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.background import BackgroundTask

from ..errors import InputError
from .render import LANG_COOKIE, render
from .db import DONE, FINAL, QUEUED, Job
from .i18n import LANGUAGES
from .jobkinds import search_note
from .security import LOGIN_COOKIE, LOGIN_MAX_AGE_S, inside, require_csrf, token_matches

router = APIRouter()
csrf = [Depends(require_csrf)]
#: Files a plan folder may hand out, by suffix.
SERVED = {".pdf": "application/pdf", ".html": "text/html; charset=utf-8", ".gpx": "application/gpx+xml",
          ".csv": "text/csv; charset=utf-8", ".json": "application/json", ".geojson": "application/geo+json",
          ".txt": "text/plain; charset=utf-8"}
EXPORTS = ("plan.json", "visits.csv", "routes.geojson", "summary.txt", "changes.txt", "changes.csv")
KPI_KEYS = ("trucks_used", "points_served", "points_unassigned", "points_not_due", "landfill_trips", "km",
            "hours", "m3", "tonnes", "tonnes_per_trip", "fuel_l", "co2_kg")


# ---------------------------------------------------------------------- plan a day
def tomorrow(request: Request) -> dt.date:
    """The day after today in the scenario's city time (as the command line plans)."""
    return (dt.datetime.now(ZoneInfo(request.app.state.scenario.timezone)) + dt.timedelta(days=1)).date()


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/plan", status_code=303)


@router.get("/plan")
def plan_form(request: Request) -> Response:
    sc = request.app.state.scenario
    return render(request, "plan_form.html", day=tomorrow(request).isoformat(),
                  trucks=sc.fleet.all_trucks(), off=set(sc.fleet.unavailable),
                  volume_factor=sc.volume_factor, budget=sc.solver.time_limit_s,
                  waiting=len(request.app.state.store.waiting(str(sc_path(request)))))


def sc_path(request: Request) -> Path:
    return Path(request.app.state.settings.scenario).resolve()


def parse_plan_form(request: Request, form: Any) -> dict[str, Any]:
    """The form's settings, checked; the date as text.

    Raises
    ------
    InputError
        Naming the field and the fix.
    """
    sc, settings = request.app.state.scenario, request.app.state.settings
    try:
        day = dt.date.fromisoformat(str(form.get("date", "")))
    except ValueError:
        raise InputError(f"date {form.get('date')!r} is not a date; pick one from the calendar (YYYY-MM-DD)") from None
    ids = {t.id for t in sc.fleet.all_trucks()}
    out = [str(v) for v in form.getlist("unavailable")]
    unknown = sorted(set(out) - ids)
    if unknown:
        raise InputError(f"truck(s) {', '.join(unknown)} are not in the fleet")
    factor = number_in(form.get("volume_factor"), "rainy-season factor", 0, 100)
    budget = number_in(form.get("time_limit_s"), "search time", 0, settings.max_time_limit_s)
    lang = str(form.get("language") or sc.language)
    if lang not in LANGUAGES:
        raise InputError(f"language {lang!r} is not available; use id or en")
    return {"date": day.isoformat(), "unavailable": sorted(out), "volume_factor": factor,
            "time_limit_s": budget, "language": lang}


def number_in(text: Any, what: str, low: float, high: float) -> float:
    """``text`` as a number in (``low``, ``high``].

    Raises
    ------
    InputError
        Naming ``what`` and the range.
    """
    try:
        value = float(str(text).replace(",", "."))
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and low < value <= high):
        raise InputError(f"{what} {text!r} must be a number above {low:g} and at most {high:g}")
    return value


@router.post("/plan", dependencies=csrf)
async def plan_submit(request: Request) -> Response:
    form = await request.form()
    try:
        settings = parse_plan_form(request, form)
    except InputError as exc:
        return render(request, "error.html", status_code=400, status=400, detail=str(exc))
    job = request.app.state.runner.submit(kind="plan", scenario=str(sc_path(request)),
                                          plan_date=settings.pop("date"), settings=settings)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


# ---------------------------------------------------------------------- jobs
def get_job(request: Request, job_id: int, kind: str | None = None) -> Job:
    job = request.app.state.store.get(job_id)
    if job is None or (kind is not None and job.kind != kind):
        raise HTTPException(404, f"no {kind or 'job'} number {job_id}")
    return job


def job_state(request: Request, job: Job) -> dict[str, Any]:
    """The job for the progress page and API: state, stage, counts, place in the queue."""
    state = job.as_dict()
    waiting = request.app.state.store.waiting(job.scenario)
    ids = [j.id for j in waiting]
    state["ahead"] = ids.index(job.id) if job.status == QUEUED and job.id in ids else 0
    state["result_url"] = result_url(job) if job.status == DONE else None
    budget = job.settings.get("time_limit_s")
    state["search_note"] = search_note(request.app.state.scenario.solver, float(budget)) \
        if job.kind == "plan" and budget else ""
    return state


def result_url(job: Job) -> str:
    return {"plan": f"/plans/{job.id}", "evaluate": f"/evaluations/{job.id}", "replan": f"/plans/{job.id}",
            "week": f"/weeks/{job.id}"}[job.kind]


@router.get("/jobs/{job_id}")
def job_page(request: Request, job_id: int) -> Response:
    job = get_job(request, job_id)
    return render(request, "job.html", job=job, state=job_state(request, job))


@router.get("/api/jobs/{job_id}")
def job_api(request: Request, job_id: int) -> JSONResponse:
    return JSONResponse(job_state(request, get_job(request, job_id)))


@router.post("/jobs/{job_id}/cancel", dependencies=csrf)
def job_cancel(request: Request, job_id: int) -> Response:
    get_job(request, job_id)
    request.app.state.runner.cancel(job_id)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


# ---------------------------------------------------------------------- the plan
def plan_folder(request: Request, job: Job) -> Path:
    folder = request.app.state.runner.folder(job.id)
    if job.status != DONE or not folder.is_dir():
        raise HTTPException(404, f"plan {job.id} has no files (state: {job.status})")
    return folder


def truck_files(folder: Path, truck: str) -> dict[str, str]:
    """Relative paths of a truck's sheet, map and GPX (the writers' own file names)."""
    names = {"".join(c if c.isalnum() or c in "-_." else "_" for c in truck),
             "".join(c if (c.isascii() and c.isalnum()) or c in "-_." else "_" for c in truck)}
    found = {}
    for key, sub, suffix in (("sheet", "sheets", ".pdf"), ("map", "maps", ".html"), ("gpx", "gpx", ".gpx")):
        for name in names:
            if (folder / sub / f"truck_{name}{suffix}").is_file():
                found[key] = f"{sub}/truck_{name}{suffix}"
    return found


@router.get("/plans/{job_id}")
def plan_page(request: Request, job_id: int) -> Response:
    job = get_job(request, job_id)
    if job.kind not in ("plan", "replan"):
        raise HTTPException(404, f"job {job_id} is not a plan")
    sub = str(job.kpis.get("folder", "")) if job.kind == "replan" else ""
    return render_plan(request, job, sub, title=job.plan_date + (f" · {job.kpis.get('at', '')}" if sub else ""))


def render_plan(request: Request, job: Job, sub: str, *, title: str) -> Response:
    """The plan page for the day plan in ``<job folder>/<sub>`` (a re-plan's or a week day's folder)."""
    root = plan_folder(request, job)
    folder = inside(root, f"{sub}/plan.json" if sub else "plan.json").parent
    doc = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    routes = [r for r in doc["routes"] if r.get("used")]
    files = {r["truck"]: truck_files(folder, r["truck"]) for r in routes}
    base = f"/plans/{job.id}/files/" + (f"{sub}/" if sub else "")
    return render(request, "plan.html", job=job, doc=doc, routes=routes, files=files, kpi_keys=KPI_KEYS,
                  fleet_pdf=(folder / "sheets" / "fleet.pdf").is_file(), base=base, title=title,
                  exports=[n for n in EXPORTS if (folder / n).is_file()],
                  extra=_replan_extra(folder))


def _replan_extra(folder: Path) -> str:
    """The re-plan's own report (what changed) when the folder holds one."""
    for name in ("changes.txt", "replan.txt"):
        if (folder / name).is_file():
            return (folder / name).read_text(encoding="utf-8")
    return ""


@router.get("/plans/{job_id}/files/{rel:path}")
def plan_file(request: Request, job_id: int, rel: str) -> FileResponse:
    job = get_job(request, job_id)
    path = inside(plan_folder(request, job), rel)
    kind = SERVED.get(path.suffix.lower())
    if kind is None:
        raise HTTPException(404, "no such file")
    inline = path.suffix.lower() in (".html", ".pdf", ".txt")
    return FileResponse(path, media_type=kind, filename=None if inline else path.name,
                        content_disposition_type="inline" if inline else "attachment")


@router.get("/plans/{job_id}/all.zip")
def plan_zip(request: Request, job_id: int) -> FileResponse:
    job = get_job(request, job_id)
    folder = plan_folder(request, job)
    tmp = tempfile.NamedTemporaryFile(suffix=".zip", delete=False, dir=request.app.state.settings.data_dir)
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.is_symlink():
                zf.write(path, f"{job.plan_date}/{path.relative_to(folder)}")
    tmp.close()
    return FileResponse(tmp.name, media_type="application/zip", filename=f"wasteroute-{job.plan_date}-{job.id}.zip",
                        background=BackgroundTask(Path(tmp.name).unlink, missing_ok=True))


# ---------------------------------------------------------------------- history
@router.get("/history")
def history(request: Request) -> Response:
    jobs = request.app.state.store.jobs(kind=None)
    return render(request, "history.html", jobs=[j for j in jobs if j.kind in ("plan", "replan", "week")],
                  kpi_keys=("trucks_used", "points_unassigned", "km", "hours", "landfill_trips", "fuel_l"))


@router.post("/plans/{job_id}/delete", dependencies=csrf)
def plan_delete(request: Request, job_id: int) -> Response:
    job = get_job(request, job_id)
    if job.status not in FINAL:
        raise HTTPException(409, "this job is still running or waiting: cancel it first")
    shutil.rmtree(request.app.state.runner.folder(job.id), ignore_errors=True)
    request.app.state.store.delete(job.id)
    return RedirectResponse("/history", status_code=303)


@router.get("/compare")
def compare(request: Request, a: int, b: int) -> Response:
    jobs = [get_job(request, a), get_job(request, b)]
    if any(j.status != DONE or j.kind not in ("plan", "replan") for j in jobs):
        raise HTTPException(400, "compare needs two finished plans")
    rows = []
    for key in KPI_KEYS:
        va, vb = (j.kpis.get(key) for j in jobs)
        diff = pct = None
        if isinstance(va, int | float) and isinstance(vb, int | float):
            diff = round(vb - va, 2)
            pct = round(100.0 * (vb - va) / va, 1) if va else None
        rows.append((key, va, vb, diff, pct))
    return render(request, "compare.html", jobs=jobs, rows=rows)


# ---------------------------------------------------------------------- language, login
def safe_next(text: Any) -> str:
    """A local path to go back to; anything else (another site, ``//host``) becomes ``/``."""
    path = str(text or "/")
    return path if path.startswith("/") and not path.startswith(("//", "/\\")) else "/"


@router.post("/lang", dependencies=csrf)
async def set_language(request: Request) -> Response:
    form = await request.form()
    lang = str(form.get("lang", ""))
    response = RedirectResponse(safe_next(form.get("next")), status_code=303)
    if lang in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response


@router.get("/login")
def login_form(request: Request) -> Response:
    return render(request, "login.html", bad=False)


@router.post("/login", dependencies=csrf)
def login(request: Request, token: str = Form("")) -> Response:
    if not token_matches(token, request.app.state.settings.token):
        return render(request, "login.html", status_code=401, bad=True)
    response = RedirectResponse("/plan", status_code=303)
    response.set_cookie(LOGIN_COOKIE, request.app.state.signer.login_value(), max_age=LOGIN_MAX_AGE_S,
                        httponly=True, samesite="strict")
    return response


@router.post("/logout", dependencies=csrf)
def logout() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(LOGIN_COOKIE)
    return response


__all__ = ["router"]
