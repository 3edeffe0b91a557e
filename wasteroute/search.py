"""The front door of planning a day: which strategy, which engine.

The strategies that combine the engines sit here and below, never in the engines:

* the fewest trucks (``minimise_trucks``, :mod:`wasteroute.fleet_size`);
* a large day by area (more than ``decompose_above`` points, :mod:`wasteroute.decompose`),
  unless PyVRP's model holds the whole day exactly (:func:`whole_for_pyvrp`);
* otherwise one whole-day search with ``SolverParams.engine`` (:mod:`wasteroute.hybrid`):
  ``"hybrid"`` (default: PyVRP's search, then OR-Tools), ``"ortools"`` or ``"pyvrp"``.

The engines are :mod:`wasteroute.solver` (OR-Tools, the model of record) and
:mod:`wasteroute.pyvrp_model` (PyVRP); they never import anything from this floor.
"""

from __future__ import annotations

import dataclasses
import logging

from .config import SolverParams
from .decompose import solve_by_area
from .fleet_size import solve_fewest_trucks
from .hybrid import solve_with_engine
from .problem import ProblemData
from .pyvrp_model import relaxed_rules
from .solution import Solution

log = logging.getLogger("wasteroute")


def solve(
    problem: ProblemData, params: SolverParams | None = None, *, initial_routes: list[list[str]] | None = None
) -> Solution:
    """Plan the day: the strategy the settings ask for, with the engine they name.

    Parameters
    ----------
    problem
        The day's problem.
    params
        Search settings; the defaults when left out.
    initial_routes
        A plan to start from (see :func:`wasteroute.solver.solve`): OR-Tools searches from it
        on the given fleet; ``minimise_trucks`` and areas apply only to a search from scratch.

    Raises
    ------
    InfeasibleError
        If no plan is found within the limits.
    """
    params = params or SolverParams()
    if initial_routes is None and params.minimise_trucks:
        return solve_fewest_trucks(problem, params)
    large = params.decompose_above is not None and len(problem.points) > params.decompose_above
    if large and whole_for_pyvrp(problem, params):
        log.info("%d points in one piece: PyVRP's model holds every rule of this day (no areas)",
                 len(problem.points))
        large = False
    if initial_routes is None and large:
        return solve_by_area(problem, dataclasses.replace(params, decompose_above=None),
                             max_points=params.area_max_points)
    return solve_with_engine(problem, params, initial_routes=initial_routes)


def whole_for_pyvrp(problem: ProblemData, params: SolverParams) -> bool:
    """Whether a day above ``decompose_above`` points stays in one piece: the engine is the
    hybrid (or PyVRP), PyVRP's model holds every rule of the day (``relaxed_rules``: nothing for
    OR-Tools to repair, no breaks to read back) and it has at most ``WHOLE_EXACT_MAX`` points.
    Areas cost such days 0.4-1.9 points of gap (CVRPLIB X, 640-1,000 customers, 60 s)."""
    return (params.engine in ("hybrid", "pyvrp") and len(problem.points) <= WHOLE_EXACT_MAX
            and not relaxed_rules(problem, params))


#: Largest day kept in one piece by :func:`whole_for_pyvrp` (measured up to 1,000 points).
WHOLE_EXACT_MAX = 1500


__all__ = ["solve", "whole_for_pyvrp"]
