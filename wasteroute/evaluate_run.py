"""The evaluate command: judge a day's rounds for a scenario, compare them with a plan, write both folders.

``run_routes.py --evaluate ROUNDS [--compare [PLAN]]`` and the web's Evaluate page call
:func:`run_evaluate`. It sits above :mod:`wasteroute.evaluate` (the judging) and
:mod:`wasteroute.outputs.compare` (the files): it loads the scenario's problem and network,
may solve the day to compare with, and writes ``OUT/<date>/evaluate/`` and ``OUT/<date>/compare/``.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Any

from .evaluate import compare_table, evaluate, format_compare
from .outputs.compare import write_comparison, write_evaluation
from .outputs.folder import staged as _staged
from .problem import ProblemData
from .solution import GENERATED_NOTICE, Solution

log = logging.getLogger("wasteroute")


def run_evaluate(sc: Any, rounds: Path, *, out: Path, compare: bool | str = False, language: str = "id",
                 maps: bool = True) -> int:
    """``run_routes.py --evaluate ROUNDS [--compare [PLAN]]``: judge the rounds, compare, write.

    Writes ``OUT/<date>/evaluate/`` (the rounds as a plan, ``findings.csv``, ``evaluation.txt``,
    maps) and with ``compare`` ``OUT/<date>/compare/`` (table, map of both, one-page PDF, and the
    optimised plan.json when it was solved here). ``compare`` may name a plan.json of the same day
    to compare with instead of solving (read back exactly, :meth:`Solution.from_json`).
    Each folder is written whole into a hidden folder beside it and swapped in at the end.

    Returns
    -------
    int
        The exit code, 0.

    Raises
    ------
    InputError
        If the rounds file is malformed, or the plan to compare with is for another day or scenario.
    """
    problem = sc.build()
    graph = sc.load_network().graph
    ev = evaluate(problem, rounds, scenario=sc.name, density_kg_per_m3=sc.density_kg_per_m3, graph=graph)
    day = Path(out) / problem.date.isoformat()
    with _staged(day / "evaluate") as tmp:
        write_evaluation(ev, tmp, maps=maps, language=language)
    if problem.synthetic_network:
        print(f"NOTICE: {GENERATED_NOTICE}\n")
    print(ev.report(language=language))
    print(f"\nwrote {day / 'evaluate'}/")
    if not compare:
        return 0
    plan, solved = _plan_to_compare(sc, problem, compare, graph)
    with _staged(day / "compare") as tmp:
        if solved:
            plan.to_json(tmp / "plan.json")
        write_comparison(ev, plan, tmp, language=language)
    print()
    print(format_compare(compare_table(ev, plan, language=language), language=language))
    print(f"\nwrote {day / 'compare'}/ (compare.txt, compare.csv, compare.html, compare.pdf)")
    return 0


def _plan_to_compare(sc: Any, problem: ProblemData, compare: bool | str, graph: Any
                     ) -> tuple[Solution, bool]:
    """The plan named by ``--compare PLAN`` (read back), or a plan of the day solved now (True)."""
    if isinstance(compare, str) and compare:
        return dataclasses.replace(Solution.from_json(compare, problem, scenario=sc.name), graph=graph), False
    log.info("solving %s for the comparison (up to %.0f s)", problem.date.isoformat(), sc.solver.time_limit_s)
    return sc.solve(), True
