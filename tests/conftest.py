"""Shared test fixtures.

Keep this small: fixtures used by one test module belong in that module.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import osmnx as ox
import pytest


@pytest.fixture(autouse=True, scope="session")
def _osmnx_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Point osmnx's cache, data, image and log folders into a temporary folder.

    osmnx writes HTTP responses to ``./cache`` by default; no test may write there or to
    the user's home.
    """
    root = tmp_path_factory.mktemp("osmnx")
    names = ("cache_folder", "data_folder", "imgs_folder", "logs_folder", "log_file", "log_console")
    saved = {name: getattr(ox.settings, name) for name in names}
    ox.settings.cache_folder = root / "cache"
    ox.settings.data_folder = root / "data"
    ox.settings.imgs_folder = root / "images"
    ox.settings.logs_folder = root / "logs"
    ox.settings.log_file = False
    ox.settings.log_console = False
    yield
    for name, value in saved.items():
        setattr(ox.settings, name, value)


@pytest.fixture(autouse=True)
def _wasteroute_logger() -> Iterator[None]:
    """Give each test the ``wasteroute`` logger as it found it.

    ``cli.main`` points the logger at the ``sys.stderr`` of its moment (in a test, pytest's
    capture, closed after that test) and stops propagation; left so, later tests' log lines
    go to a closed stream and ``caplog`` sees none of them.
    """
    logger = logging.getLogger("wasteroute")
    saved = (list(logger.handlers), logger.level, logger.propagate, logger.disabled)
    yield
    logger.handlers[:], logger.level, logger.propagate, logger.disabled = saved


AG_SCENARIO = __import__("pathlib").Path(__file__).parent / "data" / "aguascalientes" / "scenario.toml"


@pytest.fixture(scope="session")
def ag_solution():  # type: ignore[no-untyped-def]
    """The Aguascalientes test scenario (real streets, generated points) solved for Tue 2026-11-24.

    Deterministic: the search stops at a solution limit.
    """
    import datetime as dt

    from wasteroute.scenario import Scenario

    sc = Scenario.from_toml(AG_SCENARIO).replace(date=dt.date(2026, 11, 24))
    return sc.solve()
