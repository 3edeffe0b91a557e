"""Forms, logins and files: CSRF tokens, the password gate, safe downloads, response headers.

* CSRF: a signed double-submit token. Each browser gets a random value in a cookie; every
  form carries that value signed with the app's secret key (itsdangerous), and every POST
  must bring both, matching, or it is refused (403). A script on another site can neither
  read the cookie nor make the signature.
* Password: when a token is configured, every page but the login page needs a signed login
  cookie, obtained by typing the token.
* Files: a download path is resolved and must lie inside the folder it is served from
  (``resolve`` + ``is_relative_to``); an upload's own file name is never used as a path.
"""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path

from fastapi import HTTPException, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

CSRF_COOKIE = "wr_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
LOGIN_COOKIE = "wr_login"
LOGIN_MAX_AGE_S = 12 * 3600
#: Content Security Policy of the app's own pages: nothing from elsewhere, no inline script.
PAGE_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'")
#: The Folium maps carry their scripts inline (they are self-contained files) and may show
#: OpenStreetMap tiles when online; nothing else.
MAP_CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
           "img-src data: https://tile.openstreetmap.org; font-src data:; frame-ancestors 'self'")


class Signer:
    """Signs and checks the CSRF and login values with the app's secret key."""

    def __init__(self, secret: str) -> None:
        self.csrf = URLSafeTimedSerializer(secret, salt="wasteroute-csrf")
        self.login = URLSafeTimedSerializer(secret, salt="wasteroute-login")

    def csrf_pair(self, request: Request) -> tuple[str, str]:
        """(cookie value, form token) for this browser; a new cookie value when it has none."""
        raw = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
        return raw, self.csrf.dumps(raw)

    def check_csrf(self, cookie: str | None, token: str | None) -> bool:
        if not cookie or not token:
            return False
        try:
            signed = self.csrf.loads(token, max_age=LOGIN_MAX_AGE_S)
        except BadSignature:
            return False
        return isinstance(signed, str) and hmac.compare_digest(signed, cookie)

    def login_value(self) -> str:
        return self.login.dumps("ok")

    def logged_in(self, value: str | None) -> bool:
        if not value:
            return False
        try:
            return self.login.loads(value, max_age=LOGIN_MAX_AGE_S) == "ok"
        except BadSignature:
            return False


def token_matches(given: str, token: str) -> bool:
    """Whether the typed password is the configured one (constant time)."""
    return bool(token) and hmac.compare_digest(given.encode(), token.encode())


async def require_csrf(request: Request) -> None:
    """FastAPI dependency of every POST: the form field or header must match the cookie.

    Raises
    ------
    HTTPException
        403 when the token is missing, forged or stale.
    """
    signer: Signer = request.app.state.signer
    token = request.headers.get(CSRF_HEADER)
    if token is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()  # parsed once per request; the route reads the same form
        value = form.get(CSRF_FIELD)
        token = value if isinstance(value, str) else None
    if not signer.check_csrf(request.cookies.get(CSRF_COOKIE), token):
        raise HTTPException(403, "form expired or not from this site: reload the page and try again")


def inside(root: Path, relative: str) -> Path:
    """``root/relative`` if it is a file inside ``root`` (after resolving links and ``..``).

    Raises
    ------
    HTTPException
        404 for anything outside ``root`` or missing.
    """
    base = root.resolve()
    target = (base / relative).resolve()
    if not target.is_relative_to(base) or not target.is_file():
        raise HTTPException(404, "no such file")
    return target
