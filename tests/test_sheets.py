"""Printed driver sheets (wasteroute.outputs.sheets) for the Aguascalientes test day.

The PDFs are read back with poppler's ``pdftotext`` and ``pdftoppm`` (Debian package
poppler-utils, installed by ``.ci/run``). These tests fail, not skip, when poppler is missing.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
import sys
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
from wasteroute.directions import format_distance
from wasteroute.outputs.sheets.doc import new_context
from wasteroute.outputs.sheets.tables import _row_cells, stop_table
from wasteroute.solution import Break, Route, Solution
from wasteroute.units import format_hhmm



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


def test_break_taken_on_a_leg_is_printed_before_the_stop_it_delays(plan: Solution) -> None:
    """A break on the drive to stop 2: its row comes before that stop, which shows the plan's
    arrival (the Solution already counts the break; the sheet adds nothing)."""
    route = max(plan.used_routes(), key=lambda r: len(r.stops))
    a, b = route.visits[1], route.visits[2]
    arrival = a.departure_s + b.leg_time_s + 1800
    b2 = dataclasses.replace(b, arrival_s=arrival, start_s=arrival, departure_s=arrival + b.service_s)
    visits = (route.visits[0], a, b2, *route.visits[3:])
    moved = dataclasses.replace(route, visits=visits, break_=Break(a.departure_s, 1800))
    assert arrival_time(moved, 2) == b2.arrival_s
    rows = sheet_rows(moved)
    assert [r.kind for r in rows][:4] == ["depot_start", "point", "break", "point"]
    assert rows[3].start_s == b2.arrival_s


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


HHMM = re.compile(r"(?<![\d:])\d\d:\d\d(?![\d:])")


def _sheet_times(text: str) -> list[str]:
    """Every HH:MM in a truck's stop table pages (header, footer and directions left out)."""
    out = []
    for line in table_part(text).splitlines():
        if any(w in line for w in ("Shift ", "dibuat", "RUTE TRUK")):
            continue
        out += HHMM.findall(line)
    return sorted(out)


def _plan_times(route: dict, points: dict, start_s: int) -> list[str]:  # type: ignore[type-arg]
    """The times the stop table must print, from plan.json (plus each point's own window)."""
    steps = route["steps"]
    out = [steps[0]["departure"], steps[-1]["arrival"]]
    for s in steps[1:-1]:
        if s["kind"] == "landfill":
            out += [s["arrival"], s["departure"]]
            continue
        out.append(s["arrival"])
        if s["start_s"] - s["arrival_s"] >= 60:
            out.append(s["start"])  # the wait note
        p = points[s["id"]]
        if p.latest_s >= 0:
            out.append(format_hhmm(p.latest_s))
        if p.ready_s > start_s:
            out.append(format_hhmm(p.ready_s))
    if route["break"]:
        out += [route["break"]["start"], route["break"]["end"]]
    return sorted(out)


def test_every_time_on_the_sheets_is_the_plans(plan: Solution, sheets: list[Path], tmp_path: Path) -> None:
    """Each HH:MM in every truck's stop table is a figure of plan.json (issue 10: 08:18 vs 08:48)."""
    doc = json.loads(plan.to_json(tmp_path / "plan.json").read_text())
    points = {p.id: p for p in plan.problem.points}
    by_truck = {r["truck"]: r for r in doc["routes"]}
    for route, pdf in zip(plan.used_routes(), sheets):
        expected = _plan_times(by_truck[route.vehicle.id], points, route.start_s)
        assert _sheet_times(pdf_text(pdf)) == expected, route.vehicle.id


def _cell_text(cell: object) -> str:
    text = getattr(cell, "text", cell)
    return re.sub(r"<[^>]+>", "", str(text)).strip()


def test_every_row_the_sheet_renders_carries_the_plans_figures(plan: Solution, tmp_path: Path) -> None:
    """Times, m³ and distances of every row of every truck's table equal plan.json's."""
    doc = json.loads(plan.to_json(tmp_path / "plan.json").read_text())
    ctx = new_context(plan, "en")
    for route, plan_route in zip(plan.routes, doc["routes"]):
        if not route.used:
            continue
        steps = iter(plan_route["steps"])
        trip_m3 = 0.0
        for row in sheet_rows(route):
            cells = [_cell_text(c) for c in _row_cells(ctx, row, route)]
            if row.kind == "break":
                assert cells[6] == f"{plan_route['break']['start']}–{plan_route['break']['end']}"
                continue
            step = next(steps)
            assert step["id"] == row.visit.id  # type: ignore[union-attr]
            dist = format_distance(step["leg_distance_m"], language="en") if step["leg_distance_m"] else ""
            assert cells[7] == dist, (route.vehicle.id, step["id"])
            if row.kind == "depot_start":
                assert cells[6] == step["departure"]
            elif row.kind == "depot_end":
                assert cells[6] == step["arrival"]
            elif row.kind == "landfill":
                assert cells[6] == f"{step['arrival']}–{step['departure']}"
                assert cells[4] == f"{trip_m3:.1f}"
                trip_m3 = 0.0
            else:
                assert cells[6] == step["arrival"], (route.vehicle.id, step["id"])
                assert cells[4] == f"{step['volume_m3']:.1f}"
                trip_m3 += step["volume_m3"]
        table = stop_table(ctx, route)
        total = [_cell_text(c) for c in table._cellvalues[-1]]
        km = sum(s["leg_distance_m"] for s in plan_route["steps"])
        m3 = sum(s["volume_m3"] for s in plan_route["steps"])
        assert total[4] == f"{m3:.1f}" and total[7] == format_distance(km, language="en")


def test_a_truck_back_before_its_break_window_shows_no_break(plan: Solution, tmp_path: Path) -> None:
    """AR-01 is back before 08:00: no break row, no break in plan.json."""
    early = [r for r in plan.used_routes() if r.end_s <= r.vehicle.shift.break_earliest_s]
    assert early, "the test day should have a truck back before its break window"
    for route in early:
        assert route.break_ is None
        assert "break" not in [r.kind for r in sheet_rows(route)]
    doc = json.loads(plan.to_json(tmp_path / "plan.json").read_text())
    assert all(r["break"] is None for r in doc["routes"] if r["truck"] in {x.vehicle.id for x in early})


def test_the_entry_points_load_their_module_on_first_use() -> None:
    """The package names its entry points but loads the page layout only when one is used: the
    maps and the web pages share .text without loading reportlab's platypus or matplotlib."""
    code = (
        "import sys\n"
        "import wasteroute.outputs.maps, wasteroute.outputs.maps.text, wasteroute.outputs.sheets.text\n"
        "print(sorted(m for m in ('reportlab.platypus', 'matplotlib', 'wasteroute.outputs.sheets.write')"
        " if m in sys.modules))\n"
        "from wasteroute.outputs.sheets import write_sheets, route_map\n"
        "print(write_sheets.__module__, route_map.__module__)\n"
        "import wasteroute.outputs.sheets as s\n"
        "try:\n    s.no_such_name\nexcept AttributeError as exc:\n    print(exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1]).stdout.splitlines()
    assert out == ["[]", "wasteroute.outputs.sheets.write wasteroute.outputs.sheets.map",
                   "module 'wasteroute.outputs.sheets' has no attribute 'no_such_name'"]
