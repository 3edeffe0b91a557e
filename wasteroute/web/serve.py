"""``wasteroute serve``: parse the server's options and run the app with uvicorn."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from ..errors import InputError

log = logging.getLogger("wasteroute")


def build_parser() -> argparse.ArgumentParser:
    """The ``serve`` command's options."""
    p = argparse.ArgumentParser(
        prog="run_routes.py serve",
        description="Start the planning office's web app (Bahasa Indonesia by default; English by a switch).",
    )
    p.add_argument("--scenario", type=Path, default=None,
                   help="scenario TOML file (default: the bundled Kota Kupang scenario)")
    p.add_argument("--host", default=None,
                   help="address to listen on (default 127.0.0.1, this machine only; any other needs a password)")
    p.add_argument("--port", type=int, default=None, help="port (default 8000)")
    p.add_argument("--config", type=Path, default=None, metavar="FILE",
                   help="web settings TOML: data_dir, database_url, token (the password), max_upload_mb, ...")
    p.add_argument("--data-dir", type=Path, default=None, metavar="DIR",
                   help="where plans, uploads and the history database live (default ./wasteroute-web)")
    return p


def serve(argv: list[str]) -> int:
    """Run the server until Ctrl-C; the exit code.

    Raises
    ------
    InputError
        For a bad setting, a scenario that cannot be read, or a non-local address without password.
    """
    args = build_parser().parse_args(argv)
    from .settings import WebSettings

    settings = WebSettings.load(args.config, scenario=args.scenario, host=args.host, port=args.port,
                                data_dir=args.data_dir)
    settings.check_exposure()
    try:
        import uvicorn
    except ImportError:
        raise InputError('the web app needs its extra packages: pip install "wasteroute[web]"') from None
    from . import create_app

    app = create_app(settings)
    where = f"http://{settings.host}:{settings.port}/"
    print(f"wasteroute web: {where}  (scenario {settings.scenario}, data {settings.data_dir.resolve()}"
          f"{', password required' if settings.token else ''}); Ctrl-C stops it", file=sys.stderr)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")
    return 0
