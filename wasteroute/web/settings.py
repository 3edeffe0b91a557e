"""The web app's settings: which scenario, where plans and the database live, who may log in.

Read from an optional TOML file (``wasteroute serve --config web.toml``) and the environment
(``WASTEROUTE_WEB_TOKEN``, ``WASTEROUTE_WEB_DATA``, ``WASTEROUTE_WEB_DB``); the command line's
``--scenario``, ``--host`` and ``--port`` override both. An empty file gives the defaults.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError

#: The bundled scenario (a source checkout); the same default as the command line's.
DEFAULT_SCENARIO = Path(__file__).resolve().parents[2] / "data" / "kupang" / "scenario.toml"
DEFAULT_DATA_DIR = Path("wasteroute-web")
_KEYS = {"scenario", "data_dir", "database_url", "token", "host", "port", "max_upload_mb",
         "max_time_limit_s"}


@dataclass(frozen=True)
class WebSettings:
    """Settings of one running web app.

    Parameters
    ----------
    scenario
        The scenario TOML the office plans with.
    data_dir
        Plans (one folder per plan), uploads, the secret key and, by default, the SQLite database.
    database_url
        SQLAlchemy URL of the history database; ``sqlite:///<data_dir>/wasteroute.db`` when empty.
    token
        Password asked at the login page; required when ``host`` is not a loopback address.
    max_upload_mb
        Largest file accepted by any upload form.
    max_time_limit_s
        Largest time budget the plan form accepts.
    """

    scenario: Path = DEFAULT_SCENARIO
    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str = ""
    token: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    max_upload_mb: float = 10.0
    max_time_limit_s: float = 3600.0

    def __post_init__(self) -> None:
        if not 0 < self.max_upload_mb <= 1024:
            raise InputError(f"web settings: max_upload_mb {self.max_upload_mb} must be above 0 and at most 1024")
        if not 0 < self.max_time_limit_s <= 86400:
            raise InputError(f"web settings: max_time_limit_s {self.max_time_limit_s} must be in (0, 86400]")
        if not 0 < self.port < 65536:
            raise InputError(f"web settings: port {self.port} must be between 1 and 65535")

    @classmethod
    def load(cls, path: Path | None = None, **overrides: Any) -> WebSettings:
        """Read ``path`` (TOML, optional) and the environment, then apply ``overrides`` (not None).

        Raises
        ------
        InputError
            If the file is missing or unreadable, or holds an unknown key.
        """
        values: dict[str, Any] = {}
        if path is not None:
            values |= _read(Path(path))
        env = {"token": "WASTEROUTE_WEB_TOKEN", "data_dir": "WASTEROUTE_WEB_DATA", "database_url": "WASTEROUTE_WEB_DB"}
        values |= {k: os.environ[v] for k, v in env.items() if os.environ.get(v)}
        values |= {k: v for k, v in overrides.items() if v is not None}
        for key in ("scenario", "data_dir"):
            if key in values:
                values[key] = Path(values[key])
        return cls(**values)

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'wasteroute.db').resolve()}"

    def check_exposure(self) -> None:
        """Refuse to listen beyond this machine without a password.

        Raises
        ------
        InputError
            If ``host`` is not a loopback address and no token is set.
        """
        if not is_loopback(self.host) and not self.token:
            msg = (f"serving on {self.host} lets other machines reach the planner, so it needs a password: "
                   "set token = \"...\" in the file given with --config, or the environment variable "
                   "WASTEROUTE_WEB_TOKEN; or keep the default --host 127.0.0.1")
            raise InputError(msg)

    def secret_key(self) -> str:
        """The key that signs forms and logins, made once and kept in ``data_dir/secret.key``."""
        path = self.data_dir / "secret.key"
        if not path.is_file():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
        return path.read_text(encoding="utf-8").strip()

    def replace(self, **changes: Any) -> WebSettings:
        return dataclasses.replace(self, **changes)


def is_loopback(host: str) -> bool:
    """Whether ``host`` reaches only this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _read(path: Path) -> dict[str, Any]:
    try:
        values = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"web settings file {path} does not exist; check --config") from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"web settings file {path} cannot be read: {exc}") from None
    unknown = sorted(set(values) - _KEYS)
    if unknown:
        raise InputError(f"{path}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(_KEYS))}")
    if "scenario" in values:  # relative to the settings file, like a scenario's own paths
        values["scenario"] = (path.parent / values["scenario"]).resolve()
    if "data_dir" in values:
        values["data_dir"] = (path.parent / values["data_dir"]).resolve()
    return values
