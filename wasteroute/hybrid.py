"""The hybrid search: PyVRP's population search first, OR-Tools (the model of record) after.

A strategy above the two engines (``pyvrp_model`` and ``solver``): it never builds a model
itself. PyVRP searches a slightly relaxed model of the day (see ``pyvrp_model``) for a share of
the budget (``SolverParams.pyvrp_share``); its routes are handed to OR-Tools as a warm start,
and OR-Tools repairs what PyVRP could not express (breaks in their window, stops per day, the
daily load), re-inserts any point PyVRP left out and polishes with guided local search for the
rest of the budget. The plan is OR-Tools', so it holds every rule and is what is validated and
printed. PyVRP must serve every point; when it finds no plan that does (an over-full day: more
waste than trucks), OR-Tools searches from scratch with the time left and decides what to
leave out.

On a day whose rules PyVRP's model holds exactly (no breaks, stops per day or daily load, one
landfill, no balance terms: ``pyvrp_model.relaxed_rules``) PyVRP gets 95 % of the budget, as
with ``engine = "pyvrp"``: OR-Tools then reads its routes back, checks them and polishes briefly.

With ``SolverParams.num_workers = 2`` the PyVRP share runs as two searches side by side, with
seeds ``seed`` and ``seed + 1``, in two forked processes; the routes with the lower PyVRP cost
go on to OR-Tools. The children send their routes back as JSON (no pickle).

A run bounded by ``solution_limit`` is reproducible: PyVRP is then bounded by iterations
(``pyvrp_iterations``), never by the clock.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import signal
import time

from .config import SolverParams
from .problem import ProblemData
from .pyvrp_model import PyvrpRoutes, relaxed_rules, solve_pyvrp
from .solution import Solution

log = logging.getLogger("wasteroute")


#: Share of the budget PyVRP gets with ``engine = "pyvrp"``: OR-Tools then only repairs.
_PYVRP_ALONE_SHARE = 0.95
#: Largest day that OR-Tools searches alone when PyVRP cannot hold its limits: above it OR-Tools
#: alone found no first plan in time (Kim 804 stops, 60 s: 784 points out; the hybrid served all).
_ORTOOLS_ALONE_MAX_POINTS = 600
#: Smallest time limit handed on (``SolverParams`` needs a positive one).
_MIN_S = 0.01


def solve_with_engine(
    problem: ProblemData, params: SolverParams, *, initial_routes: list[list[str]] | None = None
) -> Solution:
    """One whole-day search with the engine ``params.engine`` names.

    ``"ortools"``: the OR-Tools model alone. ``"hybrid"``: :func:`solve_hybrid`, or OR-Tools
    alone on a day with limits PyVRP cannot hold (:func:`pyvrp_cannot_hold`). ``"pyvrp"``:
    the same with PyVRP for nearly all of the budget. Given ``initial_routes`` (a plan to
    start from), OR-Tools starts from them whatever the engine.

    Raises
    ------
    InfeasibleError
        If no engine gives a plan.
    """
    from . import solver

    if initial_routes is not None or params.engine == "ortools":
        return solver.solve(problem, params, initial_routes=initial_routes)
    if params.engine == "hybrid" and pyvrp_cannot_hold(problem) and len(problem.points) <= _ORTOOLS_ALONE_MAX_POINTS:
        log.info("hybrid: PyVRP cannot hold this day's %s; OR-Tools searches alone",
                 " and ".join(pyvrp_cannot_hold(problem)))
        return solver.solve(problem, params)
    if params.engine == "pyvrp":
        return solve_hybrid(problem, dataclasses.replace(params, pyvrp_share=_PYVRP_ALONE_SHARE), engine="pyvrp")
    return solve_hybrid(problem, params)


def pyvrp_cannot_hold(problem: ProblemData) -> list[str]:
    """The day's limits that PyVRP's model relaxes and that cut its routes back hard: stops per
    day and the daily load. With either, PyVRP's routes break them on most trucks, OR-Tools cuts
    them back and the points cut out do not all fit back in OR-Tools' share of the time (Kim
    et al. 335/444 stops, 60 s: 68-79 and 39-58 points left out; OR-Tools alone serves all).
    Days up to ``_ORTOOLS_ALONE_MAX_POINTS`` points with such limits go to OR-Tools alone."""
    out = []
    if any(v.max_stops is not None for v in problem.vehicles):
        out.append("stops per day")
    if any(v.max_daily_load_l is not None for v in problem.vehicles):
        out.append("daily load limit")
    return out


def solve_hybrid(problem: ProblemData, params: SolverParams, *, engine: str = "hybrid") -> Solution:
    """Plan the day with PyVRP's search, then OR-Tools' repair and polish.

    Raises
    ------
    InfeasibleError
        If neither PyVRP's routes nor a search from scratch give OR-Tools a plan.
    KeyboardInterrupt
        On Ctrl-C: PyVRP's search (and a second one in a child process) stop with it.
    """
    from . import solver

    t0 = time.perf_counter()
    bounded = params.solution_limit is not None
    share = params.pyvrp_share
    if not relaxed_rules(problem, params) and share < _PYVRP_ALONE_SHARE:
        # PyVRP's model is the day's: OR-Tools has nothing to repair, and its polish seldom beat
        # PyVRP's own last seconds (CVRPLIB X, 640-1,000 customers, 60 s: 0.4-1.9 points behind
        # PyVRP alone with 85 %).
        log.info("hybrid: PyVRP's model holds every rule of this day; PyVRP gets %.0f %% of the budget",
                 100 * _PYVRP_ALONE_SHARE)
        share = _PYVRP_ALONE_SHARE
        params = dataclasses.replace(params, pyvrp_share=share)
    budget = None if bounded else params.time_limit_s * share
    iterations = params.pyvrp_iterations if bounded else None
    found = _pyvrp_runs(problem, params, budget, iterations)
    # OR-Tools' time: what is left, at least its own share of a small budget (at most 1 s). A
    # fixed 1 s floor made every small budget overrun (each area of a large day, each fleet size
    # tried); none left PyVRP's cut-back routes with no time to re-insert (Kim: 39-87 points out).
    floor = max(_MIN_S, min(1.0, (1 - params.pyvrp_share) * params.time_limit_s))
    polish = dataclasses.replace(params, time_limit_s=max(floor, solver.time_left(params, t0)))
    if found.feasible:
        log.info("hybrid: PyVRP's routes (cost %d) go to OR-Tools for the rest of the budget", found.cost)
        sol = solver.solve(problem, polish, initial_routes=found.as_initial_routes())
    else:
        # Every point is required in PyVRP's model: no feasible plan means an over-full day (or
        # a rule PyVRP holds more tightly); OR-Tools chooses which points to leave out.
        log.info("hybrid: PyVRP found no plan serving every point; OR-Tools searches from scratch")
        sol = solver.solve(problem, polish)
    return dataclasses.replace(sol, engine=engine, solve_s=time.perf_counter() - t0)


def _pyvrp_runs(problem: ProblemData, params: SolverParams, budget: float | None,
                iterations: int | None) -> PyvrpRoutes:
    """One PyVRP search, or two side by side (``num_workers >= 2``); the cheaper feasible one."""
    if params.num_workers < 2 or not hasattr(os, "fork"):
        return solve_pyvrp(problem, params, time_limit_s=budget, max_iterations=iterations)
    other = dataclasses.replace(params, seed=params.seed + 1)
    child = _fork(lambda: solve_pyvrp(problem, other, time_limit_s=budget, max_iterations=iterations))
    try:
        mine = solve_pyvrp(problem, params, time_limit_s=budget, max_iterations=iterations)
    except BaseException:  # Ctrl-C or an error here: the child must not outlive us
        os.kill(child[0], signal.SIGKILL)
        os.waitpid(child[0], 0)
        os.close(child[1])
        raise
    theirs = _collect(child)
    runs = [r for r in (mine, theirs) if r is not None]
    return min(runs, key=_rank)


def _rank(r: PyvrpRoutes) -> tuple[int, int, int]:
    return (len(r.unassigned), 0 if r.feasible else 1, r.cost if r.cost >= 0 else 1 << 62)


def _fork(job):  # type: ignore[no-untyped-def]
    """Run ``job`` in a forked child that writes its result as JSON to a pipe; (pid, read fd)."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, write, leave without running the parent's cleanup
        code = 0
        try:
            os.close(read_fd)
            logging.getLogger("wasteroute").disabled = True
            r = job()
            payload = json.dumps(dataclasses.asdict(r)).encode()
            with os.fdopen(write_fd, "wb") as fh:
                fh.write(payload)
        except BaseException:  # noqa: BLE001 - the parent sees an empty answer and goes on alone
            code = 1
        finally:
            os._exit(code)
    os.close(write_fd)
    return pid, read_fd


def _collect(child: tuple[int, int]) -> PyvrpRoutes | None:
    pid, read_fd = child
    with os.fdopen(read_fd, "rb") as fh:
        data = fh.read()
    os.waitpid(pid, 0)
    if not data:
        log.warning("hybrid: the second PyVRP search gave no routes; going on with one")
        return None
    raw = json.loads(data)
    raw["routes"] = tuple(tuple(r) for r in raw["routes"])
    raw["unassigned"] = tuple(raw["unassigned"])
    return PyvrpRoutes(**raw)


__all__ = ["pyvrp_cannot_hold", "solve_hybrid", "solve_with_engine"]
