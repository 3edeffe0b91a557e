"""Render a page: a template with the language, its words, the CSRF token and the navigation.

The page modules (:mod:`.pages`, :mod:`.pages_data`, :mod:`.pages_ops`) and the app's error
handler all render through :func:`render`; it reads what it needs from ``request.app.state``,
which :func:`wasteroute.web.app.create_app` fills.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response

from ..outputs.maps.text import words as map_words
from ..solution import GENERATED_NOTICE
from .i18n import DEFAULT, LANGUAGES, translator
from .security import CSRF_COOKIE, CSRF_FIELD

#: The cookie that keeps the page language.
LANG_COOKIE = "wr_lang"


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    """A page from ``templates/name`` with the language, words, CSRF token and nav filled in."""
    app = request.app
    lang = language(request)
    raw, token = app.state.signer.csrf_pair(request)
    ctx = {"t": translator(lang), "lang": lang, "csrf_field": CSRF_FIELD, "csrf_token": token,
           "notice_text": lambda notice: notice_text(notice, lang),
           "scenario": app.state.scenario, "logged_in": bool(app.state.settings.token),
           "path": request.url.path, "nav": nav_items(app), **context}
    response = app.state.templates.TemplateResponse(request, name, ctx, status_code=status_code)
    if request.cookies.get(CSRF_COOKIE) != raw:
        response.set_cookie(CSRF_COOKIE, raw, httponly=True, samesite="strict")
    return response


def notice_text(notice: str, lang: str) -> str:
    """A plan's notice in the page's language: the generated-network notice is translated (the
    maps and sheets say the same words); any other notice is shown as written."""
    return map_words(lang)["notice"] if notice == GENERATED_NOTICE else notice


def nav_items(app: FastAPI) -> list[tuple[str, str]]:
    """(path, word key) of the navigation."""
    return [("/plan", "nav.plan"), ("/history", "nav.history"), ("/data", "nav.data"),
            ("/evaluate", "nav.evaluate"), ("/replan", "nav.replan"), ("/week", "nav.week")]


def language(request: Request) -> str:
    lang = request.cookies.get(LANG_COOKIE, DEFAULT)
    return lang if lang in LANGUAGES else DEFAULT
