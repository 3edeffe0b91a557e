"""Planner-facing text reports that do not need a solved plan.

``scenario_summary`` describes what a scenario will plan with: the road network (and whether it
is real or generated), the collection points by kind and kecamatan with their daily volume, the
facilities and the fleet. ``python run_routes.py --summary`` prints it without solving.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from ..problem import PointData, ProblemData
from ..solution import GENERATED_NOTICE
from ..units import format_hhmm


def _points_frame(points: Iterable[PointData]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"kind": p.kind, "kecamatan": p.kecamatan or "-", "m3": p.volume_m3} for p in points],
        columns=["kind", "kecamatan", "m3"],
    )


def _table(frame: pd.DataFrame, by: str) -> str:
    if frame.empty:
        return "  (none)"
    agg = frame.groupby(by).agg(points=("m3", "size"), m3=("m3", "sum"))
    agg.loc["all"] = [int(agg["points"].sum()), float(agg["m3"].sum())]
    agg["m3"] = agg["m3"].round(1)
    agg["points"] = agg["points"].astype(int)
    return "\n".join("  " + line for line in agg.to_string().splitlines())


def scenario_summary(name: str, network: Any, problem: ProblemData) -> str:
    """An aligned text block describing a scenario's network, points, facilities and fleet.

    Parameters
    ----------
    name
        Scenario name.
    network
        The :class:`~wasteroute.network.LoadedNetwork` in use.
    problem
        The day's problem built from the scenario (its date decides which points are due).
    """
    g = network.graph
    lines: list[str] = []
    if network.synthetic:
        lines += ["NOTICE: " + GENERATED_NOTICE, ""]
    day = problem.date
    lines.append(f"scenario {name}: planning day {day.isoformat()} ({day.strftime('%A')})")
    lines.append(f"network: {network.description}")
    lines.append(
        f"  {g.number_of_nodes():,} nodes, {g.number_of_edges():,} directed edges routable to and from "
        f"the depot and landfill(s), {sum(d['length'] for *_, d in g.edges(data=True)) / 1000:,.0f} km of lanes"
    )
    rep = g.graph.get("routable_report")
    if rep is not None:
        lines.append(f"  dropped as not routable both ways: {rep.dropped_nodes:,} nodes, {rep.dropped_edges:,} edges")
    due = [*problem.points, *problem.excluded]
    every = _points_frame([*due, *problem.not_due])
    lines.append(f"collection points: {len(every)} in the file, {len(due)} due on {day.isoformat()}, "
                 f"{len(problem.not_due)} not due that day, {len(problem.excluded)} set aside")
    lines.append("due that day, by kind (m³ per day):")
    lines.append(_table(_points_frame(due), "kind"))
    lines.append("due that day, by kecamatan (m³ per day):")
    lines.append(_table(_points_frame(due), "kecamatan"))
    if problem.reasons:
        lines.append("set aside before solving:")
        lines += [f"  {pid:<10} {why}" for pid, why in sorted(problem.reasons.items())]
    lines.append(_facilities(problem))
    lines.append(_fleet(problem))
    lines += _road_profiles(problem)
    return "\n".join(lines)


def _road_profiles(problem: ProblemData) -> list[str]:
    """Which truck types drive on which roads (OSM restrictions), and the points closed to a type."""
    if problem.num_profiles == 1 and not problem.restricted:
        return ["roads: every truck type drives on the same roads (no OSM restriction tells them apart)"]
    lines = [f"roads: {problem.num_profiles} road profiles (truck types whose closed roads differ):"]
    for k in range(problem.num_profiles):
        types = sorted({v.type_name for v in problem.vehicles if v.profile == k})
        if types:
            lines.append(f"  profile {k}: {', '.join(types)}")
    if problem.restricted:
        lines.append("points closed to a truck type (another type serves them):")
        lines += [f"  {pid:<10} {why}" for pid, why in sorted(problem.restricted.items())]
    return lines


def _facilities(problem: ProblemData) -> str:
    d = problem.depot
    out = [f"depot: {d.name} ({d.lon:.5f}, {d.lat:.5f}){' APPROXIMATE' if d.approximate else ''}"]
    for lf in problem.landfills:
        out.append(
            f"landfill: {lf.name} ({lf.lon:.5f}, {lf.lat:.5f}){' APPROXIMATE' if lf.approximate else ''}, "
            f"open {format_hhmm(lf.opens_s)}-{format_hhmm(lf.closes_s)}, unloading {lf.unload_s // 60} min"
        )
    return "\n".join(out)


def _fleet(problem: ProblemData) -> str:
    rows: dict[str, dict[str, Any]] = {}
    for v in problem.vehicles:
        r = rows.setdefault(v.type_name, {"label": v.label, "n": 0, "cap": v.capacity_l / 1000,
                                          "trips": v.max_trips, "serves": ",".join(v.serves),
                                          "shift": f"{format_hhmm(v.shift.start_s)}-{format_hhmm(v.shift.end_s)}"})
        r["n"] += 1
    out = [f"fleet: {len(problem.vehicles)} trucks available"]
    for r in rows.values():
        out.append(
            f"  {r['n']:>3} x {r['label']:<32} {r['cap']:.1f} m³, up to {r['trips']} landfill trips, "
            f"serves {r['serves']}, shift {r['shift']}"
        )
    return "\n".join(out)
