"""Re-plans during the day (``wasteroute.replan``): state at a time, breakdowns, complaints,
progress files, stability, the change list, and the invariants ``Replan.validate()`` checks.

The small problem: a depot and a landfill at x = 0, twelve 1.5 m³ points on a line (1-12 km
out, alternating sides), three 6 m³ dump trucks on a 05:00-12:00 shift with a 30-minute break
between 08:00 and 10:30; travel time = metres / 10. Searches stop at a solution limit.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from problem_factory import make_problem, point, vehicle
from wasteroute.config import Shift, SolverParams
from wasteroute.errors import InputError
from wasteroute.replan import Complaint, ProgressRow, Replan, read_complaints, read_progress, replan
from wasteroute.solver import solve
from wasteroute.units import format_hhmm

SHIFT = Shift(start_s=5 * 3600, end_s=12 * 3600, break_earliest_s=8 * 3600, break_latest_s=10 * 3600 + 1800,
              break_duration_s=1800)
PARAMS = SolverParams(time_limit_s=20, solution_limit=60, replan_time_limit_s=3)  # a converged re-plan stops at 3 s


def _problem():  # type: ignore[no-untyped-def]
    pts = [point(f"P{i:02d}", volume_m3=1.5, service_s=300) for i in range(12)]
    xs = [1000.0 * (i + 1) * (-1) ** i for i in range(12)]
    return make_problem(xs, pts, [vehicle(f"T{i}", shift=SHIFT) for i in range(3)])


@pytest.fixture(scope="module")
def day():  # type: ignore[no-untyped-def]
    """The small problem and its morning plan (every point served, every truck used)."""
    problem = _problem()
    morning = solve(problem, PARAMS)
    morning.validate()
    assert not morning.unassigned and all(r.used for r in morning.routes)
    return problem, morning


def _mid(morning, truck: str) -> int:  # type: ignore[no-untyped-def]
    """A time in the middle of ``truck``'s morning route (between two of its stops)."""
    r = morning.route_of(truck)
    k = len(r.visits) // 2
    return (r.visits[k].departure_s + r.visits[k + 1].start_s) // 2


def _invariants(res: Replan) -> None:
    """What must hold after any re-plan, checked here without ``Replan.check``."""
    sol, morning = res.solution, res.morning
    everything = {p.id for p in morning.problem.points} | set(res.added)
    served = [v.id for r in sol.routes for v in r.stops]
    assert len(served) == len(set(served))
    assert set(served) | set(sol.unassigned) == everything
    assert not set(served) & set(sol.unassigned)
    assert all(sol.unassigned.values())
    changed = {c.truck for c in res.changes}
    for r, old in zip(sol.routes, morning.routes):
        kept = res.prefix.get(r.vehicle.id, ())
        assert r.visits[:len(kept)] == kept
        if r.vehicle.id in res.reported:  # its past is the progress file's, not the schedule's
            continue
        assert r.visits[:len(kept)] == old.visits[:len(kept)]  # nothing before the time changed
        assert all(v.start_s <= res.at_s or i == len(kept) - 1 for i, v in enumerate(kept) if v.kind != "depot")
        if r.vehicle.id not in changed:  # a truck whose route need not change keeps it exactly
            assert r == old


# ------------------------------------------------------------------ invariants (hypothesis)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(at=st.integers(5 * 3600, 12 * 3600), broken=st.sampled_from([None, "T0", "T1", "T2"]),
       complaints=st.lists(st.tuples(st.integers(0, 11), st.integers(6 * 3600, 12 * 3600), st.integers(1, 3),
                                     st.sampled_from([0.5, 1.0, 2.0])), max_size=3),
       behind=st.sampled_from([None, "T0", "T1", "T2"]), delay=st.integers(0, 1800), n_done=st.integers(0, 3))
def test_replan_invariants_hold_for_any_time_breakdown_complaints_and_progress(  # type: ignore[no-untyped-def]
        day, at, broken, complaints, behind, delay, n_done) -> None:
    """Random time, broken truck, complaints (at random points, latest times, priorities, volumes)
    and a random crew running late by ``delay`` with its first ``n_done`` stops checked off."""
    problem, morning = day
    added = [Complaint(f"Q{i}", latest_s=latest, priority=prio, point=f"P{k:02d}", volume_m3=vol)
             for i, (k, latest, prio, vol) in enumerate(complaints)]
    done = []
    if behind:
        stops = morning.route_of(behind).stops[:n_done]
        done = [ProgressRow(behind, v.start_s + delay, v.id) for v in stops if v.start_s + delay <= at]
    res = replan(problem, morning, at, broken=[broken] if broken else [], added=added, done=done, params=PARAMS)
    res.validate()
    if not res.reported:
        res.solution.validate()
    _invariants(res)
    if broken and broken not in res.reported:
        r, old = res.solution.route_of(broken), morning.route_of(broken)
        if old.visits[-1].start_s <= at:  # back at the depot before it broke down: its day stands
            assert r == old
        else:
            assert not r.used or r.out_of_service_s == at
            assert all(v.start_s <= at for v in r.visits[1:])


# ------------------------------------------------------------------ behaviour
def test_a_breakdown_spreads_the_rest_of_the_route_over_the_others(day) -> None:  # type: ignore[no-untyped-def]
    problem, morning = day
    at = _mid(morning, "T1")
    res = replan(problem, morning, at, broken=["T1"], params=PARAMS)
    res.validate()
    before = morning.route_of("T1")
    left = [v.id for v in before.stops if v.start_s > at]
    assert left, "the fixture's T1 still has stops at this time"
    broken = next(c for c in res.changes if c.truck == "T1")
    assert broken.status == "broken" and list(broken.removed) == left
    takers = {res.solution.route_of(t).vehicle.id for t in broken.moved_to if t}
    assert takers <= {"T0", "T2"} and all(t for t in broken.moved_to)  # every stop found a truck
    r = res.solution.route_of("T1")
    assert r.out_of_service_s == at and r.visits[-1].start_s <= at
    assert [v.id for v in r.stops] == [v.id for v in before.stops if v.start_s <= at]
    assert "T1: rusak pukul" in str(res) and "titik ke truk lain" in str(res)


def test_a_complaint_is_inserted_and_the_change_list_says_where(day) -> None:  # type: ignore[no-untyped-def]
    problem, morning = day
    at = 6 * 3600
    done = next(v.id for r in morning.routes for v in r.stops if v.start_s < at - 600)  # served already
    res = replan(problem, morning, at, added=[Complaint("Q-1", latest_s=11 * 3600, priority=1, point=done)],
                 params=PARAMS)
    res.validate()
    taker = next(r for r in res.solution.routes if "Q-1" in [v.id for v in r.stops])
    change = next(c for c in res.changes if c.truck == taker.vehicle.id)
    assert "Q-1" in change.added
    idx = [v.id for v in taker.visits].index(change.added[0])
    assert change.after == taker.visits[idx - 1].id
    text = change.text("id")
    assert text.startswith(f"{taker.vehicle.id}: +{len(change.added)} titik setelah {change.after}: ")
    assert text.endswith(f"selesai {format_hhmm(taker.visits[-1].arrival_s)}")
    assert change.text("en").startswith(f"{taker.vehicle.id}: +{len(change.added)} stops after ")
    # The complaint's pickup is at the complained-about point's place: the same travel times.
    full = res.solution.problem
    k = [p.id for p in problem.points].index(done)
    assert full.points[-1].id == "Q-1"
    assert full.time_s[0, full.point_location(len(full.points) - 1)] == problem.time_s[0, problem.point_location(k)]


def test_nothing_changes_when_nothing_happened(day) -> None:  # type: ignore[no-untyped-def]
    problem, morning = day
    res = replan(problem, morning, "08:00", params=PARAMS)
    res.validate()
    assert res.changes == () and res.solution.routes == morning.routes
    assert "tidak ada perubahan rute" in str(res)
    assert res.cost()["km_added"] == 0.0


def test_the_move_cost_keeps_stops_on_their_truck(day) -> None:  # type: ignore[no-untyped-def]
    """A high cost per moved stop leaves every remaining stop on its morning truck after a complaint."""
    problem, morning = day
    at = 6 * 3600
    q = Complaint("Q-9", latest_s=12 * 3600, priority=2, point="P00", volume_m3=0.5)
    res = replan(problem, morning, at, added=[q], params=PARAMS, move_cost=100_000)
    res.validate()
    assert all(not c.removed for c in res.changes)


def test_validate_finds_a_changed_past_and_a_lost_point(day) -> None:  # type: ignore[no-untyped-def]
    problem, morning = day
    res = replan(problem, morning, _mid(morning, "T0"), broken=["T0"], params=PARAMS)
    other = next(r for r in res.solution.routes if r.vehicle.id != "T0" and r.used)
    kept = dict(res.prefix)
    kept[other.vehicle.id] = tuple(dataclasses.replace(v, start_s=v.start_s + 60) for v in other.visits[:3])
    assert any("before" in p and "was changed" in p for p in dataclasses.replace(res, prefix=kept).check())
    other = next(r for r in res.solution.routes if any(v.id not in res.served_before for v in r.stops))
    gone = next(v.id for v in other.stops if v.id not in res.served_before)  # served after the time
    sol = dataclasses.replace(res.solution, unassigned={**res.solution.unassigned})
    routes = tuple(dataclasses.replace(r, visits=tuple(v for v in r.visits if v.id != gone)) if r is other else r
                   for r in sol.routes)
    lost = dataclasses.replace(res, solution=dataclasses.replace(sol, routes=routes)).check()
    assert any("lost in the re-plan" in p and gone in p for p in lost)


def test_progress_check_offs_override_the_schedule(day) -> None:  # type: ignore[no-untyped-def]
    """T0's crew is behind: at 07:00 it checked off only its first stop (at 06:30)."""
    problem, morning = day
    r = morning.route_of("T0")
    first = r.stops[0]
    rows = [ProgressRow("T0", max(first.start_s, 6 * 3600 + 1800), first.id)]
    res = replan(problem, morning, "07:00", done=rows, params=PARAMS)
    res.validate()
    assert res.reported == frozenset({"T0"})
    assert [v.id for v in res.prefix["T0"] if v.kind == "point"] == [first.id]
    assert res.prefix["T0"][-1].start_s >= rows[0].time_s
    _invariants_served_once(res)


def _invariants_served_once(res: Replan) -> None:
    served = [v.id for r in res.solution.routes for v in r.stops]
    assert len(served) == len(set(served)) and set(served) | set(res.solution.unassigned) >= {
        p.id for p in res.morning.problem.points}


def test_gps_fixes_are_matched_to_the_nearest_stop(day) -> None:  # type: ignore[no-untyped-def]
    problem, morning = day
    # Give the points places on the map (the factory puts them all at 0, 0): 0.01° apart.
    pts = tuple(dataclasses.replace(p, lon=120.0 + 0.01 * k, lat=-10.0) for k, p in enumerate(problem.points))
    placed = problem.replace(points=pts)
    routes = tuple(dataclasses.replace(r, visits=tuple(dataclasses.replace(v, point=pts[v.location - 2], lon=pts[
        v.location - 2].lon, lat=-10.0) if v.kind == "point" else v for v in r.visits)) for r in morning.routes)
    sol = dataclasses.replace(morning, problem=placed, routes=routes)
    first = sol.route_of("T2").stops[0]
    k = [p.id for p in pts].index(first.id)
    fixes = [ProgressRow("T2", first.start_s - 300, lon=120.0 + 0.01 * k, lat=-10.05),  # 5.5 km off: ignored
             ProgressRow("T2", first.start_s, lon=120.0 + 0.01 * k + 0.0003, lat=-10.0),  # 33 m away
             ProgressRow("T2", first.start_s + 120, lon=120.0 + 0.01 * k, lat=-10.0002)]  # same stop
    res = replan(placed, sol, first.departure_s + 60, done=fixes, params=PARAMS)
    res.validate()
    assert [v.id for v in res.prefix["T2"] if v.kind == "point"] == [first.id]


def test_a_broken_truck_at_a_stop_stops_there(day) -> None:  # type: ignore[no-untyped-def]
    problem, morning = day
    r = morning.route_of("T2")
    first = r.stops[0]
    res = replan(problem, morning, _mid(morning, "T2"), broken=[f"T2@{first.id}"], params=PARAMS)
    res.validate()
    assert res.solution.route_of("T2").visits[-1].id == first.id
    assert first.id in next(c for c in res.changes if c.truck == "T2").text("en")


# ------------------------------------------------------------------ bad input
def test_bad_broken_truck_time_and_complaint_are_refused(day) -> None:  # type: ignore[no-untyped-def]
    problem, morning = day
    with pytest.raises(InputError, match="no truck 'XX-9'"):
        replan(problem, morning, "08:00", broken=["XX-9"], params=PARAMS)
    with pytest.raises(InputError, match="re-plan time '8h40'"):
        replan(problem, morning, "8h40", params=PARAMS)
    with pytest.raises(InputError, match="P99.*is not a collection point"):
        replan(problem, morning, "08:00", added=[Complaint("Q", latest_s=36000, point="P99")], params=PARAMS)
    other = next(v.id for v in morning.route_of("T1").stops)
    with pytest.raises(InputError, match=f"{other} is not a stop of T0"):
        replan(problem, morning, "08:00", broken=[f"T0@{other}"], params=PARAMS)
    with pytest.raises(InputError, match="every truck is broken down"):
        replan(problem, morning, "08:00", broken=["T0,T1,T2"], params=PARAMS)
    with pytest.raises(InputError, match="have no road graph|no road graph"):
        replan(problem, morning, "08:00", added=[Complaint("Q", latest_s=36000, lon=1.0, lat=1.0)], params=PARAMS)


def test_progress_rows_that_do_not_match_the_plan_are_refused(day) -> None:  # type: ignore[no-untyped-def]
    problem, morning = day
    p = morning.route_of("T0").stops[0].id
    with pytest.raises(InputError, match="row 3: truck 'DT-99' is not in the plan"):
        replan(problem, morning, "08:00", done=[ProgressRow("DT-99", 21600, p, row=3)], params=PARAMS)
    with pytest.raises(InputError, match="row 4: 'NOPE' is no point"):
        replan(problem, morning, "08:00", done=[ProgressRow("T0", 21600, "NOPE", row=4)], params=PARAMS)
    twice = [ProgressRow("T0", 21600, p, row=2), ProgressRow("T1", 21700, p, row=5)]
    with pytest.raises(InputError, match=f"row 5: {p} was already served \\(row 2, T0\\)"):
        replan(problem, morning, "08:00", done=twice, params=PARAMS)


def test_read_complaints_reports_every_bad_row(tmp_path: Path) -> None:
    f = tmp_path / "complaints.csv"
    f.write_text("# generated\nid,point,lon,lat,latest,priority,volume_m3\n"
                 "Q-1,KP-0001,,,11:00,tinggi,1.2\n"
                 "Q-2,,123.6,-10.17,10:30,low,\n"
                 ",KP-0002,,,25:99,urgent,-1\n"
                 "Q-1,,,,11:00,1,\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_complaints(f)
    text = str(exc.value)
    for want in ("row 5: id is empty", "row 5: latest '25:99' is not a time", "row 5: priority 'urgent'",
                 "row 5: volume_m3 '-1'", "row 6: id Q-1 repeats", "row 6: no point id and no lon/lat"):
        assert want in text
    f.write_text("id,point,lon,lat,latest,priority\nQ-1,KP-0001,,,11:00,tinggi\nQ-2,,123.6,-10.17,10:30,3\n")
    got = read_complaints(f)
    assert got[0] == Complaint("Q-1", latest_s=39600, priority=1, point="KP-0001")
    assert (got[1].lon, got[1].lat, got[1].priority, got[1].point) == (123.6, -10.17, 3, "")
    with pytest.raises(InputError, match="lacks the column.*priority"):
        (tmp_path / "c2.csv").write_text("id,point,latest\nQ,KP-1,10:00\n")
        read_complaints(tmp_path / "c2.csv")


def test_read_progress_takes_check_offs_and_gps_timestamps(tmp_path: Path) -> None:
    f = tmp_path / "progress.csv"
    f.write_text("truck,time,point,lon,lat\nDT-05,2026-11-24T08:12:05,,123.59,-10.17\nDT-05,07:50,KP-0211,,\n"
                 "DT-01,07:00,TPA-ALAK,,\n")
    rows = read_progress(f)
    assert [(r.truck, r.time_s, r.point) for r in rows] == [
        ("DT-01", 25200, "TPA-ALAK"), ("DT-05", 28200, "KP-0211"), ("DT-05", 29525, "")]
    f.write_text("truck,time,point\n,07:00,KP-1\nDT-02,soon,KP-2\nDT-03,07:00,\n")
    with pytest.raises(InputError) as exc:
        read_progress(f)
    assert all(s in str(exc.value) for s in ("row 2: truck is empty", "row 3: time 'soon'",
                                             "row 4: no point id and no lon/lat"))
    with pytest.raises(InputError, match="does not exist"):
        read_progress(tmp_path / "nope.csv")


def test_a_crew_too_late_to_finish_works_overtime_and_the_change_list_says_so(day) -> None:  # type: ignore[no-untyped-def]
    """T0's crew checked off its first stop only at 11:45: it cannot unload and be home by 12:00."""
    problem, morning = day
    first = morning.route_of("T0").stops[0]
    res = replan(problem, morning, "11:50", done=[ProgressRow("T0", 11 * 3600 + 2700, first.id)], params=PARAMS)
    res.validate()
    r = res.solution.route_of("T0")
    assert r.visits[-2].kind == "landfill" and r.end_s > 12 * 3600  # unloads, then home after the shift
    change = next(c for c in res.changes if c.truck == "T0")
    assert change.overtime and "LEMBUR" in change.text() and "OVERTIME" in change.text("en")
