"""The app factory: ``create_app(settings)`` wires settings, database, job runner, templates,
security (login, CSRF, headers, upload size) and the pages. It is the top of the web package:
the page modules render through :mod:`.render` and never import this module.

Why FastAPI: a maintained ASGI framework with typed request parsing (forms, uploads), a test
client that needs no server, Jinja2 templates (auto-escaped) and a small footprint; uvicorn
serves it. The solver runs in worker processes (:mod:`.jobs`), so the server stays responsive.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..scenario import Scenario
from . import pages, pages_data, pages_ops
from .db import Store
from .jobs import Runner
from .render import render
from .security import LOGIN_COOKIE, MAP_CSP, PAGE_CSP, Signer
from .settings import WebSettings

log = logging.getLogger("wasteroute")
HERE = Path(__file__).resolve().parent
#: Paths reachable without logging in (when a password is set).
OPEN_PATHS = ("/login", "/static/")


def create_app(settings: WebSettings) -> FastAPI:
    """The web app for ``settings`` (the scenario is read now: a bad one fails here).

    Raises
    ------
    InputError
        If the scenario cannot be read.
    """
    scenario = Scenario.from_toml(settings.scenario)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(settings.db_url)
    interrupted = store.recover()
    if interrupted:
        log.warning("marked %d job(s) left by a stopped server as interrupted: %s",
                    len(interrupted), ", ".join(map(str, interrupted)))
    runner = Runner(store, settings.data_dir)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        runner.shutdown()
        store.close()

    app = FastAPI(title="wasteroute", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings, app.state.store, app.state.runner = settings, store, runner
    app.state.scenario = scenario
    app.state.signer = Signer(settings.secret_key())
    # Every template escapes what it prints, whatever its file name.
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True)
    app.state.templates = Jinja2Templates(env=env)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    _add_middleware(app, settings)
    app.add_exception_handler(StarletteHTTPException, _http_error)

    app.include_router(pages.router)
    app.include_router(pages_data.router)
    app.include_router(pages_ops.router)
    return app


def _add_middleware(app: FastAPI, settings: WebSettings) -> None:
    limit = settings.max_upload_bytes + 64 * 1024  # the form's other fields beside the file

    @app.middleware("http")
    async def guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if settings.token and not request.url.path.startswith(OPEN_PATHS) \
                and not app.state.signer.logged_in(request.cookies.get(LOGIN_COOKIE)):
            if request.method == "GET" and not request.url.path.startswith("/api/"):
                return RedirectResponse("/login", status_code=303)
            return PlainTextResponse("log in first", status_code=401)
        response = await call_next(request)
        is_map = request.url.path.endswith(".html") and "/files/" in request.url.path
        response.headers.setdefault("Content-Security-Policy", MAP_CSP if is_map else PAGE_CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    app.add_middleware(_BodyLimit, limit=limit)


class _BodyLimit:
    """Refuse a request body above ``limit`` bytes (413) before it is read into a form."""

    def __init__(self, app: Any, *, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            await PlainTextResponse(_too_large(self.limit), status_code=413)(scope, receive, send)
            return
        seen = 0

        async def counted() -> Any:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise StarletteHTTPException(413, _too_large(self.limit))
            return message

        await self.app(scope, counted, send)


def _too_large(limit: int) -> str:
    return f"the upload is larger than {limit / 1024 / 1024:.0f} MB; send a smaller file"


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    """Errors as a page in the app's language (JSON routes keep the plain answer)."""
    if request.url.path.startswith("/api/") or request.method != "GET" and exc.status_code == 413:
        return await http_exception_handler(request, exc)
    return render(request, "error.html", status_code=exc.status_code, status=exc.status_code, detail=exc.detail)
