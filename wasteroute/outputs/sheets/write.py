"""Put a truck's sheet together and write the files: one PDF per truck, then the fleet's PDF.

A truck's story is its header, the route map, the stop table and the directions pages
(:mod:`.map`, :mod:`.map_pdf`, :mod:`.tables`, :mod:`.directions`, laid out by :mod:`.doc`);
the trucks are laid out by forked workers (:mod:`.pool`). The package (:mod:`wasteroute.outputs.sheets`)
says what a sheet holds and names the entry points defined here.
"""

from __future__ import annotations

import io
import logging
import time
from pathlib import Path

import numpy as np
from reportlab.lib.units import mm
from reportlab.platypus import ActionFlowable, Flowable, NextPageTemplate, PageBreak, Spacer

from ...directions import check_language
from ...solution import Route, Solution
from ...units import format_hhmm
from ..progress import Progress
from .directions import directions_story
from .doc import Context, TruckHeader, build, new_context
from .map_pdf import cached_map
from .pool import Jobs, check_workers
from .style import CONTENT_W, FOOTER_H, HEADER_H, MARGIN, NOTICE_H, PAGE_H
from .streets import streets_of
from .tables import cover_story, stop_table
from .text import format_hours, format_number, long_date

__all__ = ["SheetJob", "sheet_pdf", "write_fleet", "write_sheets"]

log = logging.getLogger("wasteroute")

#: Height of the first page's map (mm): as tall as the stop table leaves room for, within limits.
MAP_H_MM = (85.0, 170.0)


def _truck_header(ctx: Context, route: Route) -> TruckHeader:
    """What the header and footer of ``route``'s pages say."""
    t, lang, v = ctx.t, ctx.language, route.vehicle
    landfills = sorted({x.name for x in route.visits if x.kind == "landfill"}) or ["TPA"]
    shift = t["shift"].format(
        start=format_hhmm(v.shift.start_s),
        end=format_hhmm(v.shift.end_s),
        dep=format_hhmm(route.start_s),
        ret=format_hhmm(route.end_s),
        trips=len(route.trips),
        landfill=" / ".join(landfills),
        stops=len(route.stops),
    )
    totals = t["totals"].format(
        stops=len(route.stops),
        m3=format_number(route.volume_m3, 1, lang),
        km=format_number(route.distance_m / 1000, 1, lang),
        hours=format_hours(route.duration_s, t),
        fuel=format_number(route.fuel_l(), 0, lang),
        trips=len(route.trips),
    )
    title = f"{t['title'].format(truck=v.id)}  ·  {v.label or v.type_name}"
    return TruckHeader(v.id, title, long_date(ctx.sol.problem.date, lang), shift, totals)


def _first_page(ctx: Context, route: Route) -> list[Flowable]:
    """Map and stop table, the map as tall as the room the table leaves on the first page."""
    room = (_frame_height(ctx) - 4 * mm) / mm
    table, height = None, 0.0
    for compact in (False, True):
        table = stop_table(ctx, route, compact=compact)
        height = table.wrap(CONTENT_W, 10_000)[1] / mm
        if room - height >= MAP_H_MM[0]:
            break
    map_h = float(np.clip(room - height, MAP_H_MM[0], MAP_H_MM[1]))
    if room - height < MAP_H_MM[0]:  # the table flows on anyway: give the map a good size
        map_h = 125.0
    assert table is not None
    return [cached_map(ctx, route, map_h), Spacer(1, 3 * mm), table]


def _frame_height(ctx: Context) -> float:
    """Height of the content frame of a truck page (points)."""
    return PAGE_H - 2 * MARGIN - HEADER_H - FOOTER_H - (NOTICE_H if ctx.synthetic else 0) - 2


def _truck_story(ctx: Context, route: Route) -> list[Flowable]:
    """The flowables of one truck's sheet (map, stops, directions), starting on a new page."""
    return [
        ActionFlowable(("setTruck", _truck_header(ctx, route))),
        *_first_page(ctx, route),
        Spacer(1, 3 * mm),
        *directions_story(ctx, route),
    ]


def sheet_pdf(sol: Solution, route: Route, path: str | Path, *, language: str = "id") -> Path:
    """Write one truck's sheet as an A4 PDF and return its path.

    Raises
    ------
    ValueError
        If ``language`` is unknown or the truck serves no point.
    """
    ctx = new_context(sol, check_language(language))
    return _write_truck(ctx, route, Path(path))


def _write_truck(ctx: Context, route: Route, path: Path) -> Path:
    """Write ``route``'s sheet to ``path``; refuse a truck that serves no point."""
    if not route.used:
        msg = f"truck {route.vehicle.id} serves no point today; there is no sheet to print"
        raise ValueError(msg)
    title = f"{ctx.t['title'].format(truck=route.vehicle.id)} {ctx.sol.problem.date.isoformat()}"
    build(ctx, _truck_story(ctx, route), str(path), title=title, first="main")
    ctx.maps.clear()  # the map images are in the file now: do not keep them in memory
    ctx.legs.clear()
    return path


def write_sheets(
    sol: Solution, out_dir: str | Path, *, language: str = "id", workers: int | None = None
) -> list[Path]:
    """Write one PDF per used truck and one combined PDF for the fleet; return their paths.

    Each truck is laid out once, into its own PDF; ``fleet.pdf`` is a cover page followed by
    the pages of those PDFs. The trucks are laid out by ``workers`` processes at once, and the
    progress is shown as a bar on a terminal or as log lines ("sheets 12/34") otherwise. The
    files do not depend on the number of workers. :class:`SheetJob` does the same while this
    process draws something else.

    Parameters
    ----------
    sol
        The day's plan (with ``sol.graph`` for maps and directions).
    out_dir
        Folder for ``truck_<id>.pdf`` and ``fleet.pdf``; created if missing.
    language
        ``"id"`` (Bahasa Indonesia, default) or ``"en"``.
    workers
        Processes laying out sheets at once; every usable core by default.

    Returns
    -------
    list of Path
        The truck sheets in fleet order, then the combined PDF.

    Raises
    ------
    ValueError
        If ``language`` is unknown or ``workers`` is below 1.
    """
    with SheetJob(sol, out_dir, language=language, workers=workers) as job:
        return job.wait()


class SheetJob:
    """Driver sheets laid out by worker processes while this process does other work.

    The workers start when the ``with`` block is entered; :meth:`wait` shows the progress,
    writes ``fleet.pdf`` and returns the paths as :func:`write_sheets` does. Leaving the block
    by an error stops the workers. Without a ``with`` block, everything happens in
    :meth:`wait`::

        with SheetJob(sol, "out/sheets") as sheets:
            write_maps(sol, "out/maps")        # drawn here while the workers lay out sheets
            paths = sheets.wait()

    Raises
    ------
    ValueError
        If ``language`` is unknown or ``workers`` is below 1.
    """

    def __init__(
        self,
        sol: Solution,
        out_dir: str | Path,
        *,
        language: str = "id",
        workers: int | None = None,
    ) -> None:
        self.ctx = new_context(sol, check_language(language))
        self.folder = Path(out_dir)
        self.routes = sol.used_routes()
        self.paths = [self.folder / f"truck_{_safe(r.vehicle.id)}.pdf" for r in self.routes]
        self.jobs = Jobs(self._one, len(self.routes), workers=check_workers(workers))
        self.t0 = time.perf_counter()

    def _one(self, i: int) -> str:
        """Lay out truck ``i``'s sheet (in a worker) and return its file name."""
        return str(_write_truck(self.ctx, self.routes[i], self.paths[i]))

    def __enter__(self) -> SheetJob:
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.ctx.sol.graph is not None:
            streets_of(self.ctx.sol.graph)  # flattened once, before the fork, shared by the workers
        self.t0 = time.perf_counter()
        self.jobs.__enter__()
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        self.jobs.__exit__(kind, *exc)

    def wait(self) -> list[Path]:
        """Wait for every truck's sheet, write ``fleet.pdf``; return the truck PDFs, then it."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with Progress("sheets", len(self.routes)) as progress:
            self.jobs.wait(on_done=progress.step)
        fleet = write_fleet(self.ctx, self.routes, self.paths, self.folder / "fleet.pdf")
        log.info(
            "driver sheets: %d trucks in %.1f s, %d process%s (%s)",
            len(self.paths),
            time.perf_counter() - self.t0,
            self.jobs.workers,
            "" if self.jobs.workers == 1 else "es",
            self.folder,
        )
        return [*self.paths, fleet]


def write_fleet(ctx: Context, routes: list[Route], sheets: list[Path], path: Path) -> Path:
    """Write ``fleet.pdf``: the cover, then the pages of every truck's sheet in fleet order.

    The truck pages are copied from the truck PDFs (with pypdf), so that each truck is laid
    out only once. Without pypdf the trucks are laid out a second time into the fleet PDF:
    the same pages, slower.
    """
    title = f"wasteroute {ctx.sol.problem.date.isoformat()}"
    try:
        from pypdf import PdfWriter
    except ImportError:
        log.warning("pypdf is not installed: fleet.pdf is laid out a second time (slower)")
        return _lay_out_fleet(ctx, routes, path, title=title)
    cover = io.BytesIO()
    build(ctx, cover_story(ctx), cover, title=title, first="cover")
    writer = PdfWriter()
    writer.append(cover)
    for route, sheet in zip(routes, sheets):  # a bookmark per truck at its first page
        writer.append(sheet, outline_item=route.vehicle.id, import_outline=False)
    writer.add_metadata(
        {"/Title": title, "/Author": "wasteroute", "/Creator": "wasteroute (reportlab, pypdf)"}
    )
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def _lay_out_fleet(ctx: Context, routes: list[Route], path: Path, *, title: str) -> Path:
    """Lay out the cover and every truck's sheet into one PDF (when pypdf is missing)."""
    story = cover_story(ctx)
    for r in routes:
        story += [NextPageTemplate("main"), PageBreak(), *_truck_story(ctx, r)]
    build(ctx, story, str(path), title=title, first="cover")
    ctx.maps.clear()
    return path


def _safe(name: str) -> str:
    """``name`` with every character unsafe in a file name replaced by ``_``."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
