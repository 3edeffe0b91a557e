"""Generated Kupang-like days of any size, for scaling benchmarks (nothing here is real data).

Kupang plans about 470 points a day with 34 trucks. A day of ``n`` points is made the way
:mod:`wasteroute.synthetic.points` makes Kupang's own points, on the same generated street
network and for the same facilities, as if the city produced ``n / 470`` times as much waste:

* the population, and the number of steel containers in each collection pattern, are scaled by
  ``n / 470`` (so volumes and services per point stay Kupang-like) and the minimum spacing of
  points shrinks with the square root of that factor;
* the points due on the plan date are kept and ``n`` of them are drawn with the seed;
* the fleet keeps Kupang's two truck types (dump and arm-roll), each type's count scaled by the
  same factor (rounded up).

Every point's ``generated`` column says ``synthetic large day (seed ..)``. Used by
``benchmarks/speed/scaling_bench.py``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from pathlib import Path

import numpy as np

from ..config import Fleet
from ..errors import InputError
from .points import DATA_DIR, PointsSettings, due_on, generate, to_csv_text

#: Points Kupang plans on an ordinary weekday (2026-12-02: 470), the unit of scale.
KUPANG_DAY_POINTS = 470
#: Points in Kupang's generated file (600) per point due on a weekday.
_FILE_PER_DUE = 600 / KUPANG_DAY_POINTS
SCENARIO = DATA_DIR / "scenario.toml"
PLAN_DATE = dt.date(2026, 12, 2)  # a Wednesday


def scaled_fleet(fleet: Fleet, factor: float) -> Fleet:
    """``fleet`` with each vehicle type's count multiplied by ``factor`` (rounded up), all available."""
    if not (math.isfinite(factor) and factor > 0):
        raise InputError(f"fleet scale factor {factor!r} must be a positive number")
    types = tuple(dataclasses.replace(t, count=max(1, math.ceil(t.count * factor))) for t in fleet.types)
    return Fleet(types=types)


def large_day_points(n_points: int, *, seed: int = 0, date: dt.date = PLAN_DATE):  # type: ignore[no-untyped-def]
    """A generated points table (columns of :data:`points.COLUMNS`) with ``n_points`` due on ``date``.

    Raises
    ------
    InputError
        If ``n_points`` is not a whole number of at least 100.
    """
    if isinstance(n_points, bool) or not isinstance(n_points, int) or n_points < 100:
        raise InputError(f"n_points {n_points!r} must be a whole number of points, at least 100")
    # Below Kupang's size the day is drawn from a Kupang-size file (rounding the containers of
    # a smaller city leaves some kecamatan with too little waste besides them).
    factor = max(1.0, n_points / KUPANG_DAY_POINTS)
    base = PointsSettings()
    plan = {k: max(1, round(v * factor)) for k, v in base.container_plan.items()}
    settings = dataclasses.replace(
        base,
        seed=base.seed + seed,
        # 10 % more than needed: the draw below keeps exactly n_points of those due.
        n_points=math.ceil(n_points * _FILE_PER_DUE * 1.10) + sum(plan.values()),
        population=round(base.population * factor),
        container_plan=plan,
        min_spacing_m=base.min_spacing_m / math.sqrt(max(1.0, factor)),
    )
    table = generate(settings=settings)
    weekday = date.strftime("%a").lower()
    due = table[[due_on(d, weekday) for d in table["days"]]]
    if len(due) < n_points:
        raise InputError(f"only {len(due)} generated points are due on {date}; asked for {n_points}")
    rng = np.random.default_rng(seed)
    keep = np.sort(rng.choice(len(due), n_points, replace=False))
    out = due.iloc[keep].reset_index(drop=True).copy()
    out["id"] = [f"LD-{i:05d}" for i in range(1, n_points + 1)]
    out["generated"] = f"synthetic large day (wasteroute.synthetic.large_day, {n_points} points, seed {seed})"
    return out


def large_day_scenario(n_points: int, out_dir: str | Path, *, seed: int = 0, date: dt.date = PLAN_DATE):  # type: ignore[no-untyped-def]
    """Kupang's scenario with a generated day of ``n_points`` points and the fleet scaled to match.

    The points file is written to ``out_dir``; returns a :class:`wasteroute.scenario.Scenario`.
    """
    from ..scenario import Scenario  # a facade above this package's other modules

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"large_day_{n_points}_seed{seed}.csv"
    path.write_text(to_csv_text(large_day_points(n_points, seed=seed, date=date)), encoding="utf-8")
    sc = Scenario.from_toml(SCENARIO)
    return sc.replace(points_file=path, date=date, fleet=scaled_fleet(sc.fleet, n_points / KUPANG_DAY_POINTS))


__all__ = ["KUPANG_DAY_POINTS", "large_day_points", "large_day_scenario", "scaled_fleet"]
