"""Rounds as driven today (issue 12 §2): plan mode, every broken rule, the before/after table.

``tests/data/rounds/aguascalientes_broken.csv`` is a deliberately broken day of rounds on the
Aguascalientes test scenario (Tue 2026-11-24); each test below names the row that breaks its rule.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import re
import subprocess
from pathlib import Path

import pytest

from wasteroute.cli import main
from wasteroute.errors import InputError, ValidationError
from wasteroute.evaluate import STATUS, RoundStop, compare_table, evaluate, format_compare, read_rounds
from wasteroute.outputs.maps import external_assets
from wasteroute.scenario import Scenario

DATA = Path(__file__).parent / "data"
BROKEN = DATA / "rounds" / "aguascalientes_broken.csv"


@pytest.fixture(scope="module")
def problem():  # type: ignore[no-untyped-def]
    """The Aguascalientes test day: 37 points due (AG-006, AG-019, AG-032 not), DT-01..03, AR-01."""
    sc = Scenario.from_toml(DATA / "aguascalientes" / "scenario.toml").replace(date=dt.date(2026, 11, 24))
    return sc.build()


@pytest.fixture(scope="module")
def broken(problem):  # type: ignore[no-untyped-def]
    return evaluate(problem, BROKEN)


def _find(ev, kind: str, truck: str = "", point: str = ""):  # type: ignore[no-untyped-def]
    return [f for f in ev.findings if f.kind == kind and (not truck or f.truck == truck)
            and (not point or f.point == point)]


@pytest.mark.parametrize(("kind", "truck", "point", "step", "words"), [
    # DT-99 is not in the fleet (its one row, AG-040)
    ("unknown_truck", "", "", None, "truck DT-99 (1 row) is not an available truck of this scenario"),
    # DT-02 row 7: AG-999 does not exist
    ("unknown_point", "", "AG-999", None, "row 20: AG-999 (DT-02) is not a collection point, landfill or depot"),
    # DT-03 row 10: AG-006 is collected on Mondays only
    ("not_due", "", "AG-006", None, "AG-006 (DT-03) is not due on 2026-11-24"),
    # AG-040 is only in DT-99's round
    ("missing_point", "", "AG-040", None, "point AG-040 (TPS uji 40, Centro) is due today but in no round"),
    # AG-015 is in DT-01's and DT-02's rounds
    ("served_twice", "", "AG-015", None, "point AG-015 is visited 2 times"),
    # DT-01: 1.92 + 2.16 + 2.10 m³ on a 6 m³ truck
    ("capacity", "DT-01", "AG-013", 3, "load 6.18 m³ above capacity at AG-013"),
    # DT-01 reaches AG-037 (latest 08:00) at 09:31
    ("window", "DT-01", "AG-037", 11, "serves AG-037 at 09:31, outside 05:00-08:00"),
    # DT-02 (dump truck) lifts container AG-004
    ("truck_kind", "DT-02", "AG-004", 3, "serves AG-004 of kind container, which it cannot"),
    # AR-01 lifts AG-025 and AG-039 on one trip
    ("containers", "AR-01", "AG-039", 2, "2 containers on one trip at AG-039"),
    # AR-01 goes to the landfill twice in a row
    ("empty_unload", "AR-01", "LANDFILL", 8, "goes to LANDFILL at 06:55 with an empty truck"),
    ("landfill_trips", "AR-01", "", None, "4 landfill trips, more than 3"),
    # DT-03: 20 stops, back after 12:00
    ("shift_end", "DT-03", "DEPOT", 21, "back at 12:09, after the shift ends"),
    # DT-02 has no BREAK row; DT-03's comes after 10:30
    ("break", "DT-02", "", None, "works until 08:48, into its break window 08:00-10:30, but takes no break"),
    ("break", "DT-03", "", None, "break at 11:16 outside its window 08:00-10:30"),
])
def test_each_rule_broken_is_found_where_it_happens(  # type: ignore[no-untyped-def]
        broken, kind, truck, point, step, words) -> None:
    found = [f for f in _find(broken, kind, truck, point) if words in f.message]
    assert len(found) == 1, [str(f) for f in broken.findings]
    assert found[0].step == step


def _variant(problem, **changes):  # type: ignore[no-untyped-def]
    """The same day with DT-01's limits (or the landfill's hours) changed."""
    if "closes_s" in changes:
        lf = dataclasses.replace(problem.landfills[0], closes_s=changes.pop("closes_s"))
        problem = problem.replace(landfills=(lf,))
    vs = tuple(dataclasses.replace(v, **changes) if v.id == "DT-01" else v for v in problem.vehicles)
    return problem.replace(vehicles=vs)


def test_landfill_hours(problem) -> None:  # type: ignore[no-untyped-def]
    """With TPA closing at 09:00, DT-01's third unload (09:51) is outside its hours."""
    ev = evaluate(_variant(problem, closes_s=9 * 3600), BROKEN)
    found = _find(ev, "landfill_hours", "DT-01")
    assert [f.step for f in found] == [12]
    assert "unloads at LANDFILL at 09:51, outside its hours" in found[0].message


def test_stops_and_daily_load(problem) -> None:  # type: ignore[no-untyped-def]
    """DT-01's round has 9 stops and 15.49 m³: too many for a limit of 5 stops and 10 m³ a day."""
    ev = evaluate(_variant(problem, max_stops=5, max_daily_load_l=10_000), BROKEN)
    assert [f.message for f in _find(ev, "stops", "DT-01")] == ["DT-01: 9 stops, more than 5"]
    assert [f.message for f in _find(ev, "daily_load", "DT-01")] == [
        "DT-01: collects 15.49 m³ in the day, more than 10.00 m³"]


def test_the_order_is_kept_and_the_rounds_are_a_plan(broken) -> None:  # type: ignore[no-untyped-def]
    """Each truck's stops are the file's rows in sequence order, without the rows left out."""
    rows = read_rounds(BROKEN)
    sol = broken.solution
    assert sol.status == STATUS
    for r in sol.used_routes():
        want = [s.stop for s in sorted(rows, key=lambda s: s.sequence)
                if s.truck == r.vehicle.id and s.stop not in ("BREAK", "AG-999", "AG-006")]
        assert [v.id for v in r.visits[1:-1]] == want
    with pytest.raises(ValidationError):
        sol.validate()
    text = broken.report(language="en")
    assert "step 11 AG-037 09:31" in text and "time window: serves AG-037 at 09:31" in text
    assert "rules broken: 19" in text
    assert "titik terlewat" in broken.report()  # Bahasa Indonesia by default


def test_a_plans_own_order_breaks_no_rule_and_gives_its_figures(  # type: ignore[no-untyped-def]
        tmp_path: Path, ag_solution) -> None:
    """The optimised plan written as rounds (with its break rows) drives to the same figures; the
    only findings are the points the plan left unassigned, which the rounds leave out."""
    path = tmp_path / "rounds.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["truck", "sequence", "point"])
        for r in ag_solution.used_routes():
            n = 0
            for a, b in zip(r.visits, r.visits[1:]):
                if r.break_ and a.departure_s <= r.break_.start_s and r.break_.end_s <= b.start_s:
                    n += 1
                    w.writerow([r.vehicle.id, n, "BREAK"])
                if b.kind != "depot":
                    n += 1
                    w.writerow([r.vehicle.id, n, b.id])
    ev = evaluate(ag_solution.problem, path)
    assert {f.kind for f in ev.findings} == {"missing_point"}
    assert sorted(f.point for f in ev.findings) == sorted(ag_solution.unassigned)
    # Rounds leave the depot at the shift start (docs/rounds.md); the plan may leave later so as
    # not to wait at a stop, and then the rounds count that wait in their hours.
    late_s = sum(r.visits[0].start_s - r.vehicle.shift.start_s for r in ag_solution.used_routes())
    skip = {"objective", "solve_s", "engine", "hours", "max_hours"}  # rounds are labelled "rounds"
    assert {k: v for k, v in ev.solution.fleet_kpis().items() if k not in skip} == {
        k: v for k, v in ag_solution.fleet_kpis().items() if k not in skip}
    hours = [sum(r.end_s - r.start_s for r in s.used_routes()) for s in (ev.solution, ag_solution)]
    assert hours[0] - hours[1] == late_s
    assert [r.break_ for r in ev.solution.routes] == [r.break_ for r in ag_solution.routes]


def test_compare_table_figures_are_the_two_plans_kpis(broken, ag_solution) -> None:  # type: ignore[no-untyped-def]
    table = compare_table(broken, ag_solution, language="en")
    a, b = broken.solution.fleet_kpis(), ag_solution.fleet_kpis()
    for key in ("trucks_used", "km", "hours", "landfill_trips", "fuel_l", "co2_kg", "points_served"):
        assert table.loc[key, "after"] == b[key]
        # the rounds' KPI counts AG-015 twice (37 stops); the table counts points (36)
        assert table.loc[key, "before"] == a[key] - (key == "points_served")
    assert table.loc["violations", "before"] == 19 and table.loc["violations", "after"] == 0
    assert table.loc["km", "saving_pct"] == round((a["km"] - b["km"]) / a["km"] * 100, 1)
    assert table.loc["points_served", "saving_pct"] == round((b["points_served"] - 36) / 36 * 100, 1)
    text = format_compare(table, language="en")
    assert "rounds today" in text and "distance (km)" in text
    assert "jarak (km)" in format_compare(compare_table(broken, ag_solution))


def test_a_round_not_ending_at_a_landfill_gets_one_with_a_note(problem) -> None:  # type: ignore[no-untyped-def]
    rows = [RoundStop("DT-01", 1, "AG-002", 1), RoundStop("DT-01", 2, "AG-003", 2)]
    ev = evaluate(problem, rows)
    visits = ev.solution.route_of("DT-01").visits
    assert [v.id for v in visits] == ["DEPOT", "AG-002", "AG-003", "LANDFILL", "DEPOT"]
    assert ev.notes == ("DT-01: the round ends at AG-003, not at a landfill; an unload at LANDFILL was added "
                        "before the drive home",)


def test_a_break_row_first_is_taken_at_the_depot(problem) -> None:  # type: ignore[no-untyped-def]
    rows = [RoundStop("DT-01", 0, "BREAK", 1), RoundStop("DT-01", 1, "AG-002", 2),
            RoundStop("DT-01", 2, "LANDFILL", 3)]
    r = evaluate(problem, rows).solution.route_of("DT-01")
    assert r.break_ is not None and r.break_.start_s == 8 * 3600 and r.start_s == 8 * 3600 + 1800


def test_bad_rounds_files_list_every_bad_row(tmp_path: Path) -> None:
    p = tmp_path / "r.csv"
    p.write_text("truck,seq,point\nDT-01,1,AG-001\n", encoding="utf-8")
    with pytest.raises(InputError, match="has no column sequence"):
        read_rounds(p)
    p.write_text("truck,sequence,point\nDT-01,1,AG-001\n,2,AG-002\nDT-01,x,AG-003\nDT-01,1,AG-004\nDT-02,1,\n",
                 encoding="utf-8")
    with pytest.raises(InputError, match="4 bad row") as exc:
        read_rounds(p)
    text = str(exc.value)
    assert "row 2 (truck ?): has no truck id" in text
    assert "row 3 (truck DT-01): sequence 'x' is not a whole number" in text
    assert "row 4 (truck DT-01): sequence 1 is also on row 1" in text
    assert "row 5 (truck DT-02): has no point id" in text
    with pytest.raises(InputError, match="does not exist"):
        read_rounds(tmp_path / "missing.csv")


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_command_evaluate_and_compare(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--evaluate --compare: the evaluate and compare folders, the table printed, a one-page PDF in
    English whose figures are the table's, a map with both layer groups and the OSM attribution."""
    code = main(["--scenario", str(DATA / "aguascalientes" / "scenario.toml"), "--date", "2026-11-24",
                 "--out", str(tmp_path), "--evaluate", str(BROKEN), "--compare", "--solution-limit", "20",
                 "--no-maps", "--language", "en", "-q"])
    assert code == 0
    day = tmp_path / "2026-11-24"
    names = {p.name for p in (day / "evaluate").iterdir()}
    assert names == {"plan.json", "visits.csv", "routes.geojson", "findings.csv", "evaluation.txt"}
    findings = (day / "evaluate" / "findings.csv").read_text(encoding="utf-8")
    assert "window,DT-01,11,AG-037,09:31" in findings
    table = {r["figure"]: r for r in csv.DictReader((day / "compare" / "compare.csv").open(encoding="utf-8"))}
    plan = json.loads((day / "compare" / "plan.json").read_text(encoding="utf-8"))
    rounds = json.loads((day / "evaluate" / "plan.json").read_text(encoding="utf-8"))
    for key in ("km", "hours", "landfill_trips", "fuel_l", "co2_kg", "trucks_used"):
        assert float(table[key]["before"]) == rounds["summary"][key]
        assert float(table[key]["after"]) == plan["summary"][key]
    out = capsys.readouterr().out
    assert "rounds today" in out and "rules broken: 19" in out
    pdf = _pdf_text(day / "compare" / "compare.pdf")
    assert pdf.count("\f") == 1  # one page
    km = table["km"]
    shown = [f"{float(km[k]):,.1f}".removesuffix(".0") for k in ("before", "after")]  # the PDF drops a ".0"
    assert re.search(rf"distance \(km\)\s+{re.escape(shown[0])}\s+{re.escape(shown[1])}", pdf)
    assert "Rules broken, by kind" in pdf and "© OpenStreetMap contributors" in pdf
    page = (day / "compare" / "compare.html").read_text(encoding="utf-8")
    assert "Rounds today: 4 trucks" in page and "Optimised plan: 4 trucks" in page
    assert "OpenStreetMap" in page and not external_assets(page)


def test_command_compare_with_a_plan_read_back_in_bahasa(  # type: ignore[no-untyped-def]
        tmp_path: Path, ag_solution) -> None:
    """--compare PLAN reads the plan back instead of solving; the PDF is in Bahasa Indonesia."""
    plan = ag_solution.to_json(tmp_path / "plan.json")
    code = main(["--scenario", str(DATA / "aguascalientes" / "scenario.toml"), "--date", "2026-11-24",
                 "--out", str(tmp_path / "out"), "--evaluate", str(BROKEN), "--compare", str(plan),
                 "--no-maps", "-q"])
    assert code == 0
    folder = tmp_path / "out" / "2026-11-24" / "compare"
    assert not (folder / "plan.json").exists()  # nothing solved
    pdf = _pdf_text(folder / "compare.pdf")
    assert "Perbandingan rute" in pdf and "jarak (km)" in pdf and "pelanggaran aturan" in pdf
    f = ag_solution.fleet_kpis()
    assert re.search(rf"jarak \(km\)\s+[\d.]+\s+{f['km']}", pdf)


def test_compare_needs_evaluate(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--compare", "-q"]) == 2
    assert "--compare needs --evaluate ROUNDS" in capsys.readouterr().err


def test_generated_rounds_serve_every_point_once_in_plausible_order() -> None:
    """The generator on a small day: every due point in exactly one round, containers one per trip,
    each round ends at the landfill; evaluated, nothing is unknown, missing or served twice."""
    from problem_factory import make_problem, point, vehicle

    from wasteroute.synthetic.rounds import generate_rounds, rounds_csv

    pts = [point(f"B{i}", volume_m3=1.5) for i in range(8)] + [point(f"C{i}", kind="container", volume_m3=4.0)
                                                              for i in range(3)]
    fleet = [vehicle("DT-01"), vehicle("DT-02"),
             vehicle("AR-01", serves=("container",), containers_per_trip=1, max_trips=3)]
    prob = make_problem([300 * (i + 1) for i in range(11)], pts, fleet, ys=[(i % 3) * 200 for i in range(11)])
    rows = generate_rounds(prob, seed=1)
    assert rows == generate_rounds(prob, seed=1)  # seeded
    stops = [r[2] for r in rows if r[2] not in ("TPA", "BREAK")]
    assert sorted(stops) == sorted(p.id for p in pts)
    ar = [r[2] for r in rows if r[0] == "AR-01"]
    assert ar[1::2] == ["TPA"] * (len(ar) // 2) and len(ar) == 6
    ev = evaluate(prob, [RoundStop(t, s, p, i) for i, (t, s, p) in enumerate(rows, start=1)])
    assert not {f.kind for f in ev.findings} & {"unknown_point", "missing_point", "served_twice", "capacity",
                                               "containers", "truck_kind"}
    assert "GENERATED" in rounds_csv(rows, seed=1, date=prob.date).splitlines()[1]


def test_the_shipped_kupang_rounds_are_the_generators_output(tmp_path: Path) -> None:
    """data/kupang/rounds_generated.csv is rebuilt byte for byte by its documented command."""
    from wasteroute.synthetic.rounds import main as make_rounds

    assert make_rounds(["--out", str(tmp_path / "r.csv")]) == 0
    shipped = Path(__file__).parents[1] / "data" / "kupang" / "rounds_generated.csv"
    assert (tmp_path / "r.csv").read_bytes() == shipped.read_bytes()
