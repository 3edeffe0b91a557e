"""Pages that take files: the points data (check, replace, download) and evaluating rounds."""

from __future__ import annotations

import csv
import datetime as dt
import secrets
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from starlette.datastructures import UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response

from ..errors import InputError
from .render import render
from .db import DONE
from .i18n import LANGUAGES
from .pages import get_job, plan_folder, sc_path, tomorrow
from .security import require_csrf
from .uploads import kind_of, replace_points

router = APIRouter()
csrf = [Depends(require_csrf)]


async def read_upload(request: Request, upload: Any) -> tuple[bytes, str]:
    """The uploaded file's bytes (at most the configured size) and the name it came with.

    Raises
    ------
    InputError
        If no file was chosen or it is too large.
    """
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InputError("choose a file first")
    limit = request.app.state.settings.max_upload_bytes
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise InputError(f"the file is larger than {limit / 1024 / 1024:.0f} MB; send a smaller file")
    return data, upload.filename


# ---------------------------------------------------------------------- points data
def _points_info(request: Request) -> dict[str, Any]:
    path = Path(request.app.state.scenario.points_file)
    info: dict[str, Any] = {"name": path.name, "exists": path.is_file()}
    if info["exists"]:
        stat = path.stat()
        info["size_kb"] = round(stat.st_size / 1024, 1)
        info["modified"] = dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        with path.open(encoding="utf-8-sig") as fh:
            info["rows"] = max(sum(1 for _ in csv.reader(fh)) - 1, 0) if path.suffix.lower() == ".csv" else None
    return info


@router.get("/data")
def data_page(request: Request) -> Response:
    return render(request, "data.html", info=_points_info(request), result=None)


@router.post("/data", dependencies=csrf)
async def data_upload(request: Request) -> Response:
    form = await request.form()
    try:
        data, name = await read_upload(request, form.get("file"))
        n = replace_points(data, name, request.app.state.scenario, request.app.state.settings.data_dir)
    except InputError as exc:
        result = {"ok": False, "message": str(exc).splitlines()[0], "problems": exc.problems}
        return render(request, "data.html", status_code=400, info=_points_info(request), result=result)
    return render(request, "data.html", info=_points_info(request), result={"ok": True, "n": n})


@router.get("/data/points")
def data_download(request: Request) -> FileResponse:
    path = Path(request.app.state.scenario.points_file)
    if not path.is_file():
        raise HTTPException(404, "the scenario has no points file yet")
    media = "text/csv; charset=utf-8" if path.suffix.lower() == ".csv" else "application/geo+json"
    return FileResponse(path, media_type=media, filename=path.name)


# ---------------------------------------------------------------------- evaluate rounds
@router.get("/evaluate")
def evaluate_form(request: Request) -> Response:
    plans = [j for j in request.app.state.store.jobs(kind="plan") if j.status == DONE]
    return render(request, "evaluate_form.html", day=tomorrow(request).isoformat(), plans=plans)


@router.post("/evaluate", dependencies=csrf)
async def evaluate_submit(request: Request) -> Response:
    form = await request.form()
    try:
        day = dt.date.fromisoformat(str(form.get("date", "")))
    except ValueError:
        return render(request, "error.html", status_code=400, status=400, detail="pick a date (YYYY-MM-DD)")
    try:
        data, name = await read_upload(request, form.get("file"))
        kind_of(name, data, ("csv",))
        settings = _evaluate_settings(request, form, day)
    except InputError as exc:
        return render(request, "error.html", status_code=400, status=400, detail=str(exc))
    folder = request.app.state.settings.data_dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    rounds = folder / f"rounds-{secrets.token_hex(8)}.csv"  # our own name, never the upload's
    rounds.write_bytes(data)
    job = request.app.state.runner.submit(kind="evaluate", scenario=str(sc_path(request)), plan_date=day.isoformat(),
                                          settings=settings, spec={"rounds": str(rounds)})
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


def _evaluate_settings(request: Request, form: Any, day: dt.date) -> dict[str, Any]:
    """Compare with nothing, a new plan solved now, or a finished plan of the same day.

    Raises
    ------
    InputError
        If the plan chosen is not a finished plan of that day.
    """
    lang = str(form.get("language") or request.app.state.scenario.language)
    settings: dict[str, Any] = {"language": lang if lang in LANGUAGES else "id", "compare": False}
    choice = str(form.get("compare") or "")
    if choice == "solve":
        settings["compare"] = True
    elif choice.isdigit():
        job = request.app.state.store.get(int(choice))
        if job is None or job.kind != "plan" or job.status != DONE or job.plan_date != day.isoformat():
            raise InputError(f"plan {choice} is not a finished plan of {day.isoformat()}; choose a plan of that day")
        settings["compare"] = True
        settings["compare_plan"] = str(plan_folder(request, job) / "plan.json")
        settings["compare_job"] = job.id
    return settings


@router.get("/evaluations/{job_id}")
def evaluation_page(request: Request, job_id: int) -> Response:
    job = get_job(request, job_id, "evaluate")
    folder = plan_folder(request, job) / job.plan_date
    report = (folder / "evaluate" / "evaluation.txt").read_text(encoding="utf-8")
    with (folder / "evaluate" / "findings.csv").open(encoding="utf-8") as fh:
        findings = list(csv.DictReader(fh))
    compare = None
    if (folder / "compare" / "compare.txt").is_file():
        compare = (folder / "compare" / "compare.txt").read_text(encoding="utf-8")
    return render(request, "evaluation.html", job=job, report=report, findings=findings, compare=compare,
                  base=f"/plans/{job.id}/files/{job.plan_date}")


__all__ = ["router"]
