"""Benchmark readers, objective conventions, the independent checker and one tiny solve each.

Fixtures are a copied subset of the published instances (tests/data/benchmarks) and a hand-written Kim-format
text that exercises every variant the format description lists.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from benchmarks.quality.check import check_routes
from benchmarks.quality.instances import (
    Instance,
    Landfill,
    head,
    parse_kim,
    read_cvrp,
    read_kim,
    read_mtvrptwr,
    read_solomon,
)
from benchmarks.quality.solvers import solve_ours, solve_pyvrp, solve_vroom
from wasteroute.config import Facility, Shift, SolverParams
from wasteroute.problem import PointData, ProblemData, VehicleData
from wasteroute.solver import solve

DATA = Path(__file__).parent / "data" / "benchmarks"

KIM_LOOSE = (
    "243\t//\tvehicle\tcapacity\t\"(yards),\"\treal\r\n"
    "400.0 \t\t// total yardage\r\n"
    "500\t// stops\r\n"
    "3600\t// lunch\r\n"
    "40\t// speed: MPH\r\n"
    "Stop_ID\tX(feet)\tY(feet)\tEarly_St_Time (HHMM)\tLate_St_Time (HHMM)\tSvice\tLoad\tType\r\n"
    "7\t0\t0\t\t400\t1500\t0\t9999\t0\t\t\t\r\n"
    "12   5280.00   0.00  0000 2400 600  9999.00 2\r\n"
    "30\t10560\t0\t800\t1675\t60\t3.5\t1\t\t\r\n"
    "31\t0\t5280.5\t0\t2400\t90\t12\t1"
)


def test_parse_kim_accepts_every_loose_variant() -> None:
    """CRLF, tabs, doubled tabs, // comments, HHMM without zeros, reals, arbitrary ids."""
    header, rec = parse_kim(KIM_LOOSE)
    assert header == [243.0, 400.0, 500.0, 3600.0, 40.0]
    assert rec.shape == (4, 8)
    assert rec[0, 3] == 4 * 3600 and rec[0, 4] == 15 * 3600
    assert rec[2, 4] == 16 * 3600 + 75 * 60  # 1675: minutes carried over
    assert list(rec[:, 7]) == [0, 2, 1, 1]


def test_read_kim_from_text(tmp_path: Path) -> None:
    """Manhattan feet at 40 mph: 5280 ft = 1 mile = 90 s; loads ×100; lunch 11:00-12:00."""
    f = tmp_path / "9_stop.txt"
    f.write_text(KIM_LOOSE)
    inst = read_kim(f)
    assert (inst.n_clients, inst.n_landfills) == (2, 1)
    assert inst.time[0, 1] == 90 and inst.dist[0, 1] == 5280
    assert list(inst.demand) == [350, 1200]
    assert inst.lunch == (11 * 3600, 12 * 3600, 3600)
    assert inst.objective([[2, 1]]) == pytest.approx(2 + 1 + 1)  # 0->c(2mi)->L(1mi)->0(1mi)


@pytest.mark.parametrize("name,clients,landfills", [("102_stop", 99, 2), ("335_stop", 330, 4),
                                                    ("1932_stop", 1927, 4), ("2100_stop", 2092, 7)])
def test_read_kim_files(name: str, clients: int, landfills: int) -> None:
    """Counts agree with SOURCES.md for the space-, tab- and CRLF-formatted files."""
    inst = read_kim(DATA / f"wcvrptw-kim2006/instances/{name}.txt")
    assert (inst.n_clients, inst.n_landfills) == (clients, landfills)


def _sol_routes(inst, path: Path) -> list[list[int]]:
    import vrplib

    off = 1 + inst.n_landfills
    out = []
    for r in vrplib.read_solution(str(path))["routes"]:
        out.append([1 if c == 0 else off + c - 1 for c in r] + [1])
    return out


def test_solomon_bks_solution_matches_dimacs_objective_and_checks() -> None:
    """C101's .sol recomputes to the BKS 827.3 (DIMACS) and passes the checker."""
    inst = read_solomon(DATA / "solomon/txt/C101.txt", {"bks_objective": "827.3", "vehicles": "10",
                                                      "lex_bks_distance": "828.94", "lex_vehicles": "10"})
    routes = _sol_routes(inst, DATA / "solomon/vrplib/C101.sol")
    assert inst.objective(routes) == pytest.approx(827.3)
    assert check_routes(inst, routes) == []


def test_mtvrptwr_bks_solution_with_reloads_and_release_dates_checks() -> None:
    """C201R0.5's .sol (reloads marked 0) costs 15006 (x10 DIMACS) and meets release dates."""
    inst = read_mtvrptwr(DATA / "mtvrptwr/C201R0.5.vrp")
    routes = _sol_routes(inst, DATA / "mtvrptwr/C201R0.5.sol")
    assert inst.objective(routes) == 15006
    assert check_routes(inst, routes) == []
    assert inst.release.max() > 0


def test_cvrp_reader_rounds_distances() -> None:
    """X-n101-k25: 100 clients, k + 2 vehicles offered, integer rounded Euclidean."""
    inst = read_cvrp(DATA / "cvrplib/X/X-n101-k25.vrp")
    assert inst.n_clients == 100 and inst.num_vehicles == 27
    assert inst.dist.dtype == np.int64 and inst.dist[0, 1] == 0


@pytest.fixture(scope="module")
def tiny() -> object:
    """The first 12 clients of Solomon R101 (time windows bind)."""
    return head(read_solomon(DATA / "solomon/txt/R101.txt"), 12, num_vehicles=8)


def test_tiny_solve_through_our_model(tiny) -> None:
    """Our product's solver gives a plan that Solution.validate and the checker accept."""
    run = solve_ours(tiny, 5, solution_limit=200)
    assert run.validate_errors == []
    assert check_routes(tiny, run.routes) == []


def test_tiny_kim_solve_through_our_model() -> None:
    """Lunch, landfill hours and two landfills on the first 15 stops of 102_stop."""
    inst = head(read_kim(DATA / "wcvrptw-kim2006/instances/102_stop.txt"), 15, num_vehicles=2)
    run = solve_ours(inst, 5, solution_limit=100)
    assert run.validate_errors == []
    assert check_routes(inst, run.routes) == []


def test_tiny_pyvrp_and_vroom(tiny) -> None:
    """Both peers solve the same tiny instance feasibly."""
    for run in (solve_pyvrp(tiny, 0.5), solve_vroom(tiny, 0.5)):
        assert check_routes(tiny, run.routes) == []


def test_tiny_pyvrp_with_reloads_and_release() -> None:
    """PyVRP with a reload depot and release dates on the first 15 clients of C201R0.5."""
    inst = head(read_mtvrptwr(DATA / "mtvrptwr/C201R0.5.vrp"), 15, num_vehicles=2)
    run = solve_pyvrp(inst, 0.5)
    assert check_routes(inst, run.routes) == []


# ------------------------------------------------------------------ model additions
def _line_problem(points, vehicles) -> ProblemData:
    """Depot and landfill at x=0, points on a line; time = distance / 10."""
    xs = np.array([0, 0, *[1000 * (i + 1) for i in range(len(points))]], dtype=float)
    dist = np.abs(xs[:, None] - xs[None, :]).astype(np.int64)
    return ProblemData(points=tuple(points), vehicles=tuple(vehicles), depot=Facility("D", "D", 0.0, 0.0),
                       landfills=(Facility("L", "L", 0.0, 0.0, unload_s=60),), time_s=dist // 10, dist_m=dist,
                       date=dt.date(2026, 1, 1))


def _pt(pid: str, demand_l: int, release_s: int = 0) -> PointData:
    return PointData(id=pid, name=pid, kind="w", volume_m3=demand_l / 1000, demand_l=demand_l, service_s=60,
                     ready_s=0, latest_s=-1, lon=0.0, lat=0.0, release_s=release_s)


def _veh(vid: str, **kw) -> VehicleData:
    return VehicleData(id=vid, type_name="t", label=vid, serves=("w",), capacity_l=5000, containers_per_trip=None,
                       max_trips=3, shift=Shift(start_s=0, end_s=8 * 3600, break_duration_s=0), fuel_km_per_l=4.0,
                       idle_l_per_h=1.5, **kw)


def test_daily_load_splits_work_between_trucks() -> None:
    """Two 4 m³ points, 6 m³ a day per truck: one truck cannot take both despite 3 trips."""
    prob = _line_problem([_pt("a", 4000), _pt("b", 4000)], [_veh("v1", max_daily_load_l=6000),
                                                            _veh("v2", max_daily_load_l=6000)])
    sol = solve(prob, SolverParams(time_limit_s=5, solution_limit=50))
    sol.validate()
    assert not sol.unassigned and len(sol.used_routes()) == 2


def test_release_date_delays_the_trip() -> None:
    """A point released at 02:00 is collected by a trip that leaves the depot at 02:00 or later."""
    prob = _line_problem([_pt("a", 1000, release_s=7200)], [_veh("v1")])
    sol = solve(prob, SolverParams(time_limit_s=5, solution_limit=50))
    sol.validate()
    (route,) = sol.used_routes()
    stop = route.stops[0]
    assert stop.start_s - stop.leg_time_s >= 7200


def test_release_of_a_later_point_holds_the_whole_trip() -> None:
    """Two trips; one point is released at 03:00, the others at once.

    The trip with that point leaves its depot/landfill at 03:00 or later, even when its first
    point needs no wait (regression: the first model returned schedules that left earlier).
    """
    pts = [_pt("a", 5000), _pt("b", 2000), _pt("c", 2000, release_s=3 * 3600)]
    prob = _line_problem(pts, [_veh("v1")])
    sol = solve(prob, SolverParams(time_limit_s=5, solution_limit=200))
    sol.validate()
    (route,) = sol.used_routes()
    assert not sol.unassigned and len(route.trips) == 2
    (trip,) = [t for t in route.trips if "c" in {v.id for v in t.stops}]
    first = trip.stops[0]
    assert first.start_s - first.leg_time_s >= 3 * 3600


def test_release_dates_hold_on_a_real_multi_trip_instance() -> None:
    """C201R0.5's first 30 clients on 3 trucks: the first release model returned a trip leaving
    before its points' release here (found by ``Solution.validate``); now every trip waits."""
    inst = head(read_mtvrptwr(DATA / "mtvrptwr/C201R0.5.vrp"), 30, num_vehicles=3)
    run = solve_ours(inst, 30, solution_limit=100)
    assert run.validate_errors == []
    assert check_routes(inst, run.routes) == []


def _lunch_instance(due_second: int) -> Instance:
    """Depot, one landfill at the depot, two clients 1000 apart; one-hour lunch 11:00-12:00."""
    xy = np.array([[0, 0], [0, 0], [1000, 0], [2000, 0]], dtype=float)
    dist = np.abs(xy[:, None, 0] - xy[None, :, 0]).astype(np.int64)
    return Instance(
        name="lunch", family="kim", xy=xy, dist=dist, time=dist, n_landfills=1, depot_tw=(10 * 3600, 16 * 3600),
        landfills=[Landfill(0, 0, 0, 24 * 3600, 0)], demand=np.array([1, 1]), ready=np.array([0, 0]),
        due=np.array([10 * 3600 + 1500, due_second]), service=np.array([600, 600]), release=np.array([0, 0]),
        capacity=10, num_vehicles=1, fixed_fleet=True, max_trips=2, lunch=(11 * 3600, 12 * 3600, 3600),
    )


def test_checker_places_the_lunch_at_its_best_position() -> None:
    """Client 0 is due 10:25, client 1 at 11:00: the lunch fits only after client 1.

    Taken on leaving the depot (at 11:00, its earliest) it would make client 0 late; the
    checker tries every position and accepts the route. When client 1 is due before the
    route can reach it at all, the route fails whatever the lunch.
    """
    from benchmarks.quality.check import _schedule

    ok = _lunch_instance(11 * 3600)
    assert any("client 0 served" in e for e in _schedule(ok, [2, 3, 1], 0))
    assert _schedule(ok, [2, 3, 1], 2) == []
    assert check_routes(ok, [[2, 3, 1]]) == []
    errors = check_routes(_lunch_instance(10 * 3600 + 1800), [[2, 3, 1]])
    assert errors and "client 1 served" in errors[0]
