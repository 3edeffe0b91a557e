"""Printed driver sheets (wasteroute.outputs.sheets) for the Aguascalientes test day.

The PDFs are read back with poppler's ``pdftotext`` and ``pdftoppm`` (Debian package
poppler-utils, installed by ``.ci/run``). These tests fail, not skip, when poppler is missing.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from wasteroute.outputs.sheets import (
    arrival_time,
    display_name,
    route_map,
    sheet_pdf,
    sheet_rows,
    write_sheets,
)
from wasteroute.solution import Break, Route, Solution



def poppler(tool: str) -> str:
    """Path of a poppler tool; fail loudly when it is missing (CI installs poppler-utils)."""
    found = shutil.which(tool)
    if found is None:
        pytest.fail(
            f"{tool} not found: install the Debian package poppler-utils (apt-get install poppler-utils)"
        )
    return found


def pdf_text(pdf: Path, page: int | None = None) -> str:
    args = [poppler("pdftotext"), "-layout"]
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    return subprocess.run([*args, str(pdf), "-"], check=True, capture_output=True, text=True).stdout


def pdf_pages(pdf: Path) -> int:
    out = subprocess.run(
        [poppler("pdfinfo"), str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, re.MULTILINE).group(1))  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def plan(ag_solution: Solution) -> Solution:
    """The Aguascalientes test day (real OSM extract, generated points), solved once per session."""
    return ag_solution


@pytest.fixture(scope="module")
def sheets(plan: Solution, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_sheets(plan, tmp_path_factory.mktemp("sheets"))


def table_part(text: str) -> str:
    """The stop table of a truck sheet (the text before the directions)."""
    return text.split("Petunjuk arah")[0]


def positions(text: str, names: list[str]) -> list[int]:
    """Where each name first occurs after the previous one (-1 when missing)."""
    out, start = [], 0
    for name in names:
        m = re.compile(re.escape(name) + r"(?!\d)").search(text, start)
        out.append(m.start() if m else -1)
        start = m.end() if m else start
    return out


def test_one_pdf_per_used_truck_and_one_for_the_fleet(plan: Solution, sheets: list[Path]) -> None:
    used = [r.vehicle.id for r in plan.used_routes()]
    assert [p.name for p in sheets] == [f"truck_{v}.pdf" for v in used] + ["fleet.pdf"]
    for p in sheets:
        assert p.read_bytes().startswith(b"%PDF")
        assert p.stat().st_size < 1.5e6, f"{p.name} is {p.stat().st_size} bytes"


def test_stops_landfill_rows_and_totals_in_driving_order(
    plan: Solution, sheets: list[Path]
) -> None:
    for route, pdf in zip(plan.used_routes(), sheets):
        table = table_part(pdf_text(pdf))
        expected: list[str] = [f"Berangkat dari {route.visits[0].name}"]
        for trip in route.trips:
            expected += [display_name(v) for v in trip.stops]
            expected.append(f"→ {trip.landfill.name} (buang)")
        expected.append(f"Kembali ke {route.visits[-1].name}")
        expected.append(f"Total: {len(route.stops)} titik, {len(route.trips)} rit")
        found = positions(table, expected)
        assert -1 not in found, [e for e, f in zip(expected, found) if f < 0]
        assert table.count(f"→ {route.trips[0].landfill.name} (buang)") == len(route.trips)
        text = pdf_text(pdf)
        assert f"Total: {len(route.stops)} titik" in text
        assert "© OpenStreetMap contributors" in text
        assert "m³" in text


def test_header_and_footer_on_every_page(plan: Solution, sheets: list[Path]) -> None:
    route, pdf = plan.used_routes()[0], sheets[0]
    n = pdf_pages(pdf)
    assert n >= 2  # map and table, then directions
    for page in range(1, n + 1):
        text = pdf_text(pdf, page)
        assert f"RUTE TRUK {route.vehicle.id}" in text
        assert "Selasa, 24 November 2026" in text
        assert f"Halaman {page}/{n}" in text
        assert "Sopir:" in text and "Kru:" in text
        assert f"{len(route.trips)} rit ke" in text
        assert "© OpenStreetMap contributors" in text


def test_directions_name_streets_and_turns(plan: Solution, sheets: list[Path]) -> None:
    text = pdf_text(sheets[0])
    directions = text.split("Petunjuk arah", 1)[1]
    assert "Berangkat ke arah" in directions
    assert re.search(r"Belok (kiri|kanan) ke ", directions)
    assert "Ke no. 1:" in directions
    assert re.search(r"\d+ m\b", directions)


def test_fleet_pdf_has_a_cover_and_every_truck(plan: Solution, sheets: list[Path]) -> None:
    fleet = sheets[-1]
    text = pdf_text(fleet)
    assert "Rencana pengangkutan sampah" in text
    for r in plan.used_routes():
        assert f"RUTE TRUK {r.vehicle.id}" in text
    if plan.unassigned:
        assert f"Titik yang TIDAK terlayani hari ini: {len(plan.unassigned)}" in text
        for pid in plan.unassigned:
            assert pid in text
    truck_pages = sum(pdf_pages(p) for p in sheets[:-1])
    assert pdf_pages(fleet) == truck_pages + 1


def test_pages_are_not_blank(sheets: list[Path], tmp_path: Path) -> None:
    from PIL import Image

    subprocess.run(
        [poppler("pdftoppm"), "-r", "40", "-png", str(sheets[0]), str(tmp_path / "page")],
        check=True,
    )
    pngs = sorted(tmp_path.glob("page*.png"))
    assert len(pngs) == pdf_pages(sheets[0])
    for png in pngs:
        grey = np.asarray(Image.open(png).convert("L"))
        assert (grey < 200).mean() > 0.02, f"{png.name} looks blank"
    first = np.asarray(Image.open(pngs[0]).convert("RGB")).astype(int)
    coloured = (
        np.abs(first[..., 0] - first[..., 2]) > 60
    ).mean()  # the route line and landfill rows
    assert coloured > 0.002


def test_page_count_grows_with_the_route(plan: Solution, tmp_path: Path) -> None:
    """The same truck driving its day's visits three times needs more pages."""
    route = max(plan.used_routes(), key=lambda r: len(r.stops))
    inner = route.visits[1:-1]
    long = dataclasses.replace(
        route, visits=(route.visits[0], *inner, *inner, *inner, route.visits[-1])
    )
    short_pdf = sheet_pdf(plan, route, tmp_path / "short.pdf")
    long_pdf = sheet_pdf(plan, long, tmp_path / "long.pdf")
    assert pdf_pages(long_pdf) > pdf_pages(short_pdf)
    n = pdf_pages(long_pdf)
    assert f"Halaman {n}/{n}" in pdf_text(long_pdf, n)
    assert f"RUTE TRUK {route.vehicle.id}" in pdf_text(long_pdf, n)


def test_english_sheet(plan: Solution, tmp_path: Path) -> None:
    route = plan.used_routes()[0]
    text = pdf_text(sheet_pdf(plan, route, tmp_path / "en.pdf", language="en"))
    assert f"TRUCK ROUTE {route.vehicle.id}" in text
    assert f"→ {route.trips[0].landfill.name} (unload)" in text
    assert "Tuesday, 24 November 2026" in text
    assert "Directions" in text and "Head " in text
    assert f"Total: {len(route.stops)} points" in text


def test_synthetic_network_notice_on_every_page(plan: Solution, tmp_path: Path) -> None:
    fake = dataclasses.replace(plan, problem=plan.problem.replace(synthetic_network=True))
    pdf = sheet_pdf(fake, fake.used_routes()[0], tmp_path / "synthetic.pdf")
    for page in range(1, pdf_pages(pdf) + 1):
        assert "Jaringan jalan SINTETIS" in pdf_text(pdf, page)
    real = sheet_pdf(plan, plan.used_routes()[0], tmp_path / "real.pdf")
    assert "SINTETIS" not in pdf_text(real)


def test_unused_truck_and_unknown_language_are_refused(plan: Solution, tmp_path: Path) -> None:
    route = plan.used_routes()[0]
    idle = dataclasses.replace(route, visits=(route.visits[0], route.visits[-1]))
    with pytest.raises(ValueError, match=f"truck {route.vehicle.id} serves no point today"):
        sheet_pdf(plan, idle, tmp_path / "idle.pdf")
    with pytest.raises(ValueError, match="language 'de' is not available"):
        write_sheets(plan, tmp_path, language="de")


def test_rows_put_landfill_runs_and_the_break_in_order(plan: Solution) -> None:
    route = max(plan.used_routes(), key=lambda r: len(r.stops))
    rows = sheet_rows(route)
    kinds = [r.kind for r in rows]
    assert kinds[0] == "depot_start"
    assert kinds.count("landfill") == len(route.trips)
    assert kinds.count("point") == len(route.stops)
    assert [r.number for r in rows if r.kind == "point"] == list(range(1, len(route.stops) + 1))
    times = [r.start_s for r in rows]
    assert times == sorted(times)
    if route.break_ is not None and route.break_.duration_s:
        assert kinds.count("break") == 1


def test_break_taken_on_a_leg_delays_the_arrival(plan: Solution) -> None:
    """With the break on the drive to stop k, the truck arrives 30 minutes after the drive ends."""
    route = max(plan.used_routes(), key=lambda r: len(r.stops))
    a, b = route.visits[1], route.visits[2]
    drive_end = a.departure_s + b.leg_time_s
    b2 = dataclasses.replace(
        b, arrival_s=drive_end, start_s=drive_end + 1800, departure_s=drive_end + 1800
    )
    visits = (route.visits[0], a, b2, *route.visits[3:])
    moved = dataclasses.replace(route, visits=visits, break_=Break(a.departure_s, 1800))
    assert arrival_time(moved, 2) == drive_end + 1800
    rows = sheet_rows(moved)
    assert [r.kind for r in rows][:4] == ["depot_start", "point", "break", "point"]


def test_display_name_drops_the_kelurahan_prefix(plan: Solution) -> None:
    visit = plan.used_routes()[0].stops[0]
    assert visit.point is not None
    named = dataclasses.replace(visit, name=f"{visit.point.kelurahan} - Bak depan Gereja Efata")
    assert display_name(named) == "Bak depan Gereja Efata"
    assert display_name(visit) == visit.name


def test_route_map_figure(plan: Solution) -> None:
    """The stand-alone matplotlib map: streets, route, numbered stops and the attribution."""
    route = plan.used_routes()[0]
    fig = route_map(plan, route, language="en")
    texts = [t.get_text() for ax in fig.axes for t in ax.texts] + [t.get_text() for t in fig.texts]
    assert "1" in texts
    assert "© OpenStreetMap contributors" in texts
    assert route.visits[0].name in texts
    assert len(fig.axes[0].collections) >= 3  # streets by class, route casing, route line
    close_up = route_map(plan, route, trip=1)
    assert close_up.axes[0].get_xlim() != fig.axes[0].get_xlim()


def test_routes_are_not_changed(plan: Solution, sheets: list[Path]) -> None:
    """Renderers never solve or modify: the plan still validates after writing sheets."""
    plan.validate()
    assert all(isinstance(r, Route) for r in plan.routes)
