"""Driver sheets laid out once per truck, on several cores, with progress (issue 10, part 7).

Uses the session-solved Aguascalientes day (real OSM extract, generated points). The PDFs are
read back with poppler's ``pdftotext`` (Debian package poppler-utils, installed by ``.ci/run``).
No wall-clock asserts: speed is measured in ``benchmarks/speed/outputs_bench.py``.
"""

from __future__ import annotations

import io
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from test_sheets import pdf_pages, pdf_text
from wasteroute.errors import WasterouteError
from wasteroute.outputs.sheets import write as sheets_write
from wasteroute.outputs.progress import Progress
from wasteroute.outputs.sheets.pool import Jobs
from wasteroute.outputs.sheets import SheetJob, write_sheets
from wasteroute.solution import Solution


@pytest.fixture(scope="module", autouse=True)
def fixed_clock() -> Iterator[None]:
    """The sheets say when they were made (to the minute): fix that time for the comparisons."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1795000000")  # 2026-11-18 11:06:40 UTC
        yield


@pytest.fixture(scope="module")
def one_worker(ag_solution: Solution, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_sheets(ag_solution, tmp_path_factory.mktemp("w1"), workers=1)


@pytest.fixture(scope="module")
def two_workers(ag_solution: Solution, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_sheets(ag_solution, tmp_path_factory.mktemp("w2"), workers=2)


def pages_text(pdf: Path) -> list[str]:
    """The text of each page of ``pdf``."""
    return [pdf_text(pdf, k) for k in range(1, pdf_pages(pdf) + 1)]


def test_one_and_two_workers_write_the_same_files(
    one_worker: list[Path], two_workers: list[Path]
) -> None:
    assert [p.name for p in one_worker] == [p.name for p in two_workers]
    for a, b in zip(one_worker, two_workers):
        assert pdf_text(a) == pdf_text(b), a.name
        # Fixed creation date and document id: the same plan gives the same bytes.
        assert a.read_bytes() == b.read_bytes(), a.name


def test_fleet_pdf_is_the_cover_then_every_truck_sheet_in_order(
    ag_solution: Solution, two_workers: list[Path]
) -> None:
    *trucks, fleet = two_workers
    assert [p.name for p in trucks] == [
        f"truck_{r.vehicle.id}.pdf" for r in ag_solution.used_routes()
    ]
    truck_pages = [page for p in trucks for page in pages_text(p)]
    fleet_pages = pages_text(fleet)
    assert len(fleet_pages) == len(truck_pages) + 1
    assert "Rencana pengangkutan sampah" in fleet_pages[0]
    assert fleet_pages[1:] == truck_pages


def test_each_truck_is_laid_out_once(
    ag_solution: Solution, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    story = sheets_write._truck_story

    def counting(ctx, route):  # type: ignore[no-untyped-def]
        calls.append(route.vehicle.id)
        return story(ctx, route)

    monkeypatch.setattr(sheets_write, "_truck_story", counting)
    write_sheets(ag_solution, tmp_path, workers=1)
    assert calls == [r.vehicle.id for r in ag_solution.used_routes()]


def test_without_pypdf_the_fleet_pdf_is_laid_out_again_with_the_same_pages(
    ag_solution: Solution, one_worker: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pypdf", None)  # import pypdf raises ImportError
    fleet = write_sheets(ag_solution, tmp_path, workers=1)[-1]
    assert pages_text(fleet)[1:] == pages_text(one_worker[-1])[1:]


def test_progress_is_logged_per_truck_when_not_on_a_terminal(
    ag_solution: Solution, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    n = len(ag_solution.used_routes())
    with caplog.at_level(logging.INFO, logger="wasteroute"):
        write_sheets(ag_solution, tmp_path, workers=2)
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("sheets ")]
    assert lines, "no progress lines were logged"
    assert lines[-1] == f"sheets {n}/{n}"
    done = [int(line.split()[1].split("/")[0]) for line in lines]
    assert done == sorted(done)


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_draws_a_bar_on_a_terminal(caplog: pytest.LogCaptureFixture) -> None:
    tty = _Tty()
    with caplog.at_level(logging.INFO, logger="wasteroute"):
        with Progress("sheets", 4, stream=tty) as bar:
            for _ in range(4):
                bar.step()
    out = tty.getvalue()
    assert "\r" in out and "4/4" in out and out.endswith("\n")
    assert "█" in out
    # The bar replaces the per-truck log lines on a terminal.
    assert not [r for r in caplog.records if r.getMessage().startswith("sheets ")]


def test_progress_is_silent_when_the_log_is_quiet() -> None:
    tty = _Tty()
    logger = logging.getLogger("wasteroute")
    saved = logger.level
    logger.setLevel(logging.WARNING)
    try:
        with Progress("sheets", 3, stream=tty) as bar:
            for _ in range(3):
                bar.step()
    finally:
        logger.setLevel(saved)
    assert tty.getvalue() == ""


def test_a_bad_worker_count_is_refused(ag_solution: Solution, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="workers must be at least 1"):
        write_sheets(ag_solution, tmp_path, workers=0)


def test_a_sheet_job_lays_out_while_this_process_works(
    ag_solution: Solution, one_worker: list[Path], tmp_path: Path
) -> None:
    with SheetJob(ag_solution, tmp_path, workers=2) as job:
        busy = psutil.Process().children()  # the workers run while this block does other work
        paths = job.wait()
    assert len(busy) == 2
    assert [p.read_bytes() for p in paths] == [p.read_bytes() for p in one_worker]


def test_an_error_inside_a_sheet_job_stops_its_workers(
    ag_solution: Solution, tmp_path: Path
) -> None:
    with pytest.raises(RuntimeError, match="maps failed"):
        with SheetJob(ag_solution, tmp_path, workers=2):
            raise RuntimeError("maps failed")
    assert psutil.Process().children() == []
    assert not (tmp_path / "fleet.pdf").exists()


def test_source_date_epoch_sets_when_the_sheets_say_they_were_made(
    one_worker: list[Path],
) -> None:
    assert "dibuat 2026-11-18 11:06" in pdf_text(one_worker[0])


def test_a_worker_that_dies_gives_a_clear_error() -> None:
    def job(i: int) -> int:
        if i == 1:
            os._exit(9)  # as if the kernel had killed the worker for memory
        return i

    with pytest.raises(WasterouteError, match="worker process died.*workers=1"):
        with Jobs(job, 4, workers=2) as jobs:
            jobs.wait(on_done=lambda: None)
    assert psutil.Process().children() == []
