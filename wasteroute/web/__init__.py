"""The planning office's web app: plan a day, look at it, print it, keep its history.

``wasteroute serve`` (or ``run_routes.py serve``) starts it; :func:`create_app` builds it from
:class:`WebSettings`. Pages are in Bahasa Indonesia by default, English by a switch. Solves run
one at a time per scenario in worker processes (:mod:`.jobs`); plans are folders under the
data folder, their history a database (SQLite by default). Needs the ``web`` extra:
``pip install "wasteroute[web]"``.
"""

from __future__ import annotations

from typing import Any

from .settings import WebSettings

__all__ = ["WebSettings", "create_app"]


def create_app(settings: WebSettings) -> Any:
    """The FastAPI app for ``settings`` (see :func:`wasteroute.web.app.create_app`)."""
    from .app import create_app as _create

    return _create(settings)
