"""The week planner (``wasteroute.week``), weekly patterns (``wasteroute.schedule``), the week folder,
the schedule boards and ``run_routes.py --week``.

Fixture: the Aguascalientes test scenario (real streets, 40 generated points, 3 dump + 1 arm-roll
trucks) copied to a temporary folder with a weekly schedule per point: every fifth point daily,
then three a week, three a week, twice a week, once a week, with ``m3_per_day`` such that a
collection never overflows a truck. Searches stop at a solution limit (no wall-clock asserts).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import shutil
import subprocess
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from wasteroute.cli import main
from wasteroute.errors import InputError
from wasteroute.outputs.boards import collected_line, write_boards
from wasteroute.schedule import candidate_patterns, gaps, max_gap, parse_pattern, pattern_text, visit_volumes
from wasteroute.scenario import Scenario
from wasteroute.stops import validate_points
from wasteroute.week import WeekChanges, WeekParams, WeekPlan, choose_patterns, day_loads, usual_window

DATA = Path(__file__).parent / "data"
MONDAY = dt.date(2026, 12, 7)
FREQ = ("7", "3", "3", "2", "1")


def _copy_scenario(root: Path, freq_of: tuple[str, ...] = FREQ) -> Path:
    shutil.copytree(DATA / "aguascalientes", root / "aguascalientes")
    shutil.copytree(DATA / "osm", root / "osm")
    path = root / "aguascalientes" / "points_generated.csv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    fields = [*rows[0].keys(), "frequency", "m3_per_day"]
    for i, r in enumerate(rows):
        f = int(freq_of[i % len(freq_of)])
        r["days"] = ""
        r["frequency"] = str(f)
        # a collection every 7 // f days at most: never more than the 6 m³ of a truck
        r["m3_per_day"] = f"{float(r['volume_m3']) / (7 // f if f < 7 else 1) / 1.3:.3f}"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fields)
        w.writeheader()
        w.writerows(rows)
    return root / "aguascalientes" / "scenario.toml"


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _copy_scenario(tmp_path_factory.mktemp("week"))


@pytest.fixture(scope="module")
def scenario(scenario_file: Path) -> Scenario:
    return Scenario.from_toml(scenario_file).with_solver(solution_limit=20, time_limit_s=60)


@pytest.fixture(scope="module")
def week(scenario: Scenario) -> WeekPlan:
    return scenario.plan_week(MONDAY, WeekParams(pattern_time_s=0.5))


# ---------------------------------------------------------------- patterns


def test_candidate_patterns_are_evenly_spread() -> None:
    assert [pattern_text(p) for p in candidate_patterns(3, 3)] == [
        "mon,wed,fri", "mon,wed,sat", "mon,thu,sat", "tue,thu,sat"]
    assert [pattern_text(p) for p in candidate_patterns(2, 4)] == [
        "mon,thu", "mon,fri", "tue,fri", "tue,sat", "wed,sat"]
    assert candidate_patterns(7, 1) == [tuple(range(7))]
    assert len(candidate_patterns(1, 7)) == 6  # Monday to Saturday


def test_waste_accumulates_with_the_days_since_the_last_collection() -> None:
    assert gaps(parse_pattern("mon,wed,fri")) == [3, 2, 2]
    assert max_gap(parse_pattern("tue,fri")) == 4
    vols = visit_volumes(parse_pattern("mon,wed,fri"), 0.5)
    assert vols == {0: 1.5, 2: 1.0, 4: 1.0}
    for pat in candidate_patterns(2, 4):
        assert sum(visit_volumes(pat, 0.5).values()) == pytest.approx(3.5)  # a week's waste, any pattern


def _raw(**extra: str) -> pd.DataFrame:
    row = {"id": "P1", "lon": "1", "lat": "1", "kind": "bak", "volume_m3": "1.5", **extra}
    return pd.DataFrame([row])


def test_points_read_frequency_patterns_gap_and_rate() -> None:
    t = validate_points(_raw(frequency="3"))
    assert t.at[0, "patterns"] == "mon,wed,fri|mon,wed,sat|mon,thu,sat|tue,thu,sat"
    assert t.at[0, "days"] == "mon,wed,fri"  # the day planner's days: the first allowed pattern
    assert t.at[0, "max_gap_days"] == 3
    assert t.at[0, "m3_per_day"] == pytest.approx(1.5)  # daily `days`: volume_m3 is one day
    t = validate_points(_raw(days="mon,thu", patterns="mon,thu|tue,fri"))
    assert (t.at[0, "frequency"], t.at[0, "patterns"]) == (2, "mon,thu|tue,fri")
    assert t.at[0, "m3_per_day"] == pytest.approx(1.5 / 4)
    t = validate_points(_raw(days="sen,kam"))  # no frequency: the days are the only pattern
    assert (t.at[0, "frequency"], t.at[0, "patterns"], t.at[0, "max_gap_days"]) == (2, "mon,thu", 4)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"frequency": "3", "days": "mon,thu"}, "has 2 day\\(s\\) but frequency is 3"),
        ({"frequency": "9"}, "frequency '9' is not a whole number from 1 to 7"),
        ({"frequency": "2", "max_gap_days": "2"}, "no 2-day pattern"),
        ({"patterns": "mon,wed|tue"}, "different numbers of days"),
        ({"patterns": "mon,wed,fri|xyz"}, "is not a list of weekdays"),
        ({"frequency": "2", "patterns": "mon,tue", "max_gap_days": "4"}, "do not have 2 day\\(s\\) with gaps"),
        ({"m3_per_day": "-1"}, "m3_per_day -1 must be from 0"),
    ],
)
def test_bad_schedules_are_named(extra: dict[str, str], message: str) -> None:
    with pytest.raises(InputError, match=message):
        validate_points(_raw(**extra))


def test_check_points_accepts_the_schedule_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.csv"
    path.write_text("id,lon,lat,kind,volume_m3,frequency,patterns,max_gap_days,m3_per_day\n"
                    "A,1,1,bak,1,3,mon,wed,fri|tue,thu,sat,3,0.4\n".replace("mon,wed,fri|tue,thu,sat",
                                                                             '"mon,wed,fri|tue,thu,sat"'))
    assert main(["--check-points", str(path)]) == 0
    assert "ok: 1 points" in capsys.readouterr().out
    path.write_text("id,lon,lat,kind,volume_m3,frequency\nA,1,1,bak,1,8\n")
    assert main(["--check-points", str(path)]) == 2


# ---------------------------------------------------------------- the week


def test_every_point_served_its_frequency_on_an_allowed_pattern(week: WeekPlan, scenario: Scenario) -> None:
    table = scenario.points_table().set_index("id")
    visits = week.visits()
    assert week.check() == []
    for p in week.points:
        assert p.pattern in p.allowed
        assert pattern_text(p.pattern) in str(table.at[p.id, "patterns"]).split("|")
        assert len(p.pattern) == int(table.at[p.id, "frequency"])
        assert max_gap(p.pattern) <= p.max_gap_days
        served = sorted(visits.loc[visits["point"] == p.id, "weekday"])
        assert tuple(served) == p.pattern, p.id  # exactly its frequency, on its pattern's days


def test_nothing_is_lost_across_the_week(week: WeekPlan, scenario: Scenario) -> None:
    """Every point due on a day is served or unassigned with a reason; the week's m³ is every
    point's waste of seven days (it accumulates between collections)."""
    rates = scenario.points_table().set_index("id")["m3_per_day"]
    for day in week.days:
        sol = day.solution
        assert sol is not None
        due = {p.id for p in week.points if day.date.weekday() in p.pattern}
        served = {v.id for r in sol.used_routes() for v in r.stops}
        assert served | set(sol.unassigned) == due
        assert not served & set(sol.unassigned)
        assert all(sol.unassigned.values())
    assert week.spread()["unassigned"] == 0
    collected = week.visits().groupby("point")["m3"].sum()
    for pid, m3 in collected.items():
        assert m3 == pytest.approx(7 * rates[pid], abs=0.01)


def test_same_truck_on_all_days(week: WeekPlan) -> None:
    assert week.same_truck_share() >= 0.9
    sched = week.schedule_frame()
    assert sched["same_truck"].mean() >= 0.9
    assert (sched["truck"] != "").all()


def test_week_prints_itself_and_agrees_with_its_days(week: WeekPlan) -> None:
    text = str(week)
    assert "busiest ÷ quietest day" in text and "same truck on all days" in text
    t = week.day_table()
    assert len(t) == 7 and list(t["day"]) == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    for row, day in zip(t.to_dict("records"), week.days, strict=True):
        assert day.solution is not None
        assert row["km"] == day.solution.fleet_kpis()["km"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        week.monday = MONDAY  # type: ignore[misc]


def test_balancing_beats_the_naive_choice(scenario_file: Path) -> None:
    """All 40 points once a week: the first allowed pattern puts every point on Monday."""
    sc = Scenario.from_toml(_copy_scenario(scenario_file.parent.parent / "once", ("1",)))
    table = sc.points_table()
    ref = sc.replace(date=MONDAY).build(schedule=dict(zip(table["id"], table["m3_per_day"], strict=True)))
    from wasteroute.week import _week_points

    points = _week_points(table, WeekParams(), (), {"bak": 6.0, "roadside": 6.0, "container": 6.0})
    naive, status = choose_patterns(points, ref, params=WeekParams(balance=False))
    assert status == "fixed" and {p.pattern for p in naive} == {(0,)}
    chosen, status = choose_patterns(points, ref, params=WeekParams(pattern_time_s=0.5), seed=0)
    assert status.startswith("CP-SAT")
    naive_load, load = day_loads(naive, ref), day_loads(chosen, ref)
    assert load.sum() == pytest.approx(naive_load.sum(), rel=1e-6)  # the same work, spread out
    assert load.max() < 0.5 * naive_load.max()
    assert load[:6].min() > 0  # every working day gets some


def test_landfill_closed_day_has_no_collection(scenario: Scenario) -> None:
    wed = MONDAY + dt.timedelta(days=2)
    with ProcessPoolExecutor(max_workers=1) as pool:  # a caller's executor is used as given
        week = scenario.plan_week(MONDAY, WeekParams(pattern_time_s=0.5), changes=WeekChanges((wed,)),
                                  executor=pool)
    assert week.days[2].solution is None and "landfill closed" in week.days[2].note
    assert 2 not in set(week.visits()["weekday"])
    assert week.check() == []
    moved = [p for p in week.points if p.frequency < 7]
    assert all(2 not in p.pattern for p in moved)  # every point that can avoid Wednesday does


def test_week_must_start_on_monday(scenario: Scenario) -> None:
    with pytest.raises(InputError, match="2026-12-08 is a Tuesday: use 2026-12-07"):
        scenario.plan_week(MONDAY + dt.timedelta(days=1))
    with pytest.raises(InputError, match="not in the week"):
        scenario.plan_week(MONDAY, changes=WeekChanges((MONDAY + dt.timedelta(days=9),)))


def test_usual_window_rounds_to_half_hours() -> None:
    assert usual_window([5 * 3600 + 40 * 60, 6 * 3600 + 10 * 60]) == "05:30-06:30"
    assert usual_window([6 * 3600]) == "06:00-06:30"
    assert usual_window([]) == ""


# ---------------------------------------------------------------- outputs and CLI


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_board_text_in_bahasa_indonesia(tmp_path: Path) -> None:
    assert collected_line("mon,wed,fri", "05:30-06:30") == "Diangkut: Senin, Rabu, Jumat, sekitar 05:30-06:30"
    assert collected_line("daily", "") == "Diangkut: setiap hari"
    frame = pd.DataFrame([{"point": "KP/1", "name": "Bak depan <Gereja>", "kind": "bak", "kelurahan": "Oebobo",
                           "kecamatan": "Oebobo", "days": "tue,fri", "window": "05:00-06:00", "truck": "DT-03"}])
    paths = write_boards(frame, tmp_path, monday=MONDAY, channel="aplikasi Qlue", synthetic=True)
    assert [p.name for p in paths] == ["boards.pdf", "KP_1.pdf"]
    text = " ".join(_pdf_text(paths[1]).split())
    for part in ("JADWAL PENGANGKUTAN SAMPAH", "Bak depan <Gereja>", "Kelurahan Oebobo, Kecamatan Oebobo",
                 "Diangkut: Selasa, Jumat, sekitar 05:00-06:00", "Qlue", "SINTETIS", "KP/1"):
        assert part in text


def test_cli_week_writes_the_week_folder(scenario_file: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--scenario", str(scenario_file), "--week", "2026-12-07", "--out", str(tmp_path), "--no-maps",
                 "--no-sheets", "--solution-limit", "20", "--seed", "1", "--volume-factor", "1.2", "-q"])
    assert code == 0
    out = tmp_path / "week-2026-12-07"
    days = sorted(p.name for p in out.iterdir() if p.is_dir() and p.name != "boards")
    assert days == [(MONDAY + dt.timedelta(days=i)).isoformat() for i in range(7)]
    assert all((out / d / "plan.json").is_file() for d in days)
    summary = pd.read_csv(out / "week_summary.csv")
    assert len(summary) == 7 and summary["unassigned"].sum() == 0
    schedule = pd.read_csv(out / "schedule.csv")
    assert len(schedule) == 40 and set(schedule.columns) >= {"point", "days", "truck", "window"}
    assert "busiest ÷ quietest day" in (out / "week_summary.md").read_text(encoding="utf-8")
    row = schedule.iloc[1]
    board = " ".join(_pdf_text(out / "boards" / f"{row['point']}.pdf").split())
    assert collected_line(row["days"], row["window"]) in board
    assert f"Kelurahan {row['kelurahan']}" in board and "Qlue" in board
    assert len(list((out / "boards").glob("*.pdf"))) == 41  # one per point and all of them
    assert "same truck on all days" in capsys.readouterr().out
    assert main(["--scenario", str(scenario_file), "--week", "2026-12-09", "--out", str(tmp_path), "-q"]) == 2
    assert main(["--scenario", str(scenario_file), "--landfill-closed", "2026-12-09", "-q"]) == 2


def test_a_territory_too_big_for_its_truck_loses_nothing(scenario: Scenario) -> None:
    """Every dump-truck point of a day on one truck: what it cannot take goes to other trucks."""
    from wasteroute.week import plan_day, restrict_to_territories

    table = scenario.points_table()
    problem = scenario.replace(date=MONDAY).build(schedule=dict(zip(table["id"], table["m3_per_day"], strict=True)))
    truck_of = {p.id: ("AR-01" if p.kind == "container" else "DT-01") for p in problem.points}
    sol = plan_day(restrict_to_territories(problem, truck_of), scenario.solver, True)
    sol.validate()
    served = {v.id: r.vehicle.id for r in sol.used_routes() for v in r.stops}
    assert set(served) | set(sol.unassigned) == {p.id for p in problem.points} | set(problem.reasons)
    assert len(served) > len(sol.route_of("DT-01").stops) + len(sol.route_of("AR-01").stops)
    assert sum(1 for pid, t in served.items() if t == truck_of[pid]) >= 5  # its own truck keeps what it can
