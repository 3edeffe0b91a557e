"""Judge the rounds crews drive today, in the order they drive them (plan mode), and compare.

A rounds file (docs/rounds.md) lists, per truck, the points in the order the crew empties them,
with optional landfill rows and a ``BREAK`` row. :func:`evaluate` turns it into a
:class:`~wasteroute.solution.Solution` without changing the order: each truck leaves the depot at
its shift start, drives the fastest streets, waits for a point's window or the landfill to open,
takes its break at the ``BREAK`` row (not before its window opens), and goes home after its last
stop. Every arrival, load, km, hour, litre and kg CO₂ then comes from the same code as an
optimised plan's, so the maps, sheets and summary draw the rounds too. Every broken rule is
reported per step and per route by the plan's own independent check
(:meth:`Solution.check <wasteroute.solution.Solution.check>`), plus what only a given round can
get wrong: unknown trucks and points, and due points no round collects.

:func:`compare_table` sets the rounds beside an optimised plan of the same day.
"""

from __future__ import annotations

import csv
import logging
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import InputError
from .problem import ProblemData, VehicleData
from .solution import FINDING_KINDS, Break, Finding, Route, Solution, build_visits, empty_route
from .units import format_hhmm

log = logging.getLogger("wasteroute")

#: The point id of a row that marks the crew's break.
BREAK_ROW = "BREAK"
#: Status of a plan built from given rounds.
STATUS = "rounds as driven (evaluated, not optimised)"
#: Columns a rounds file must have.
COLUMNS = ("truck", "sequence", "point")

#: Rules only a given round can break, before the plan's own check.
ROUND_KINDS = ("unknown_truck", "set_aside", "not_due")

#: Name of each rule in a report, Bahasa Indonesia and English.
KIND_LABELS: dict[str, tuple[str, str]] = {
    "unknown_truck": ("truk tidak dikenal", "unknown truck"),
    "unknown_point": ("titik tidak dikenal", "unknown point"),
    "set_aside": ("titik tidak dapat dilayani", "point set aside"),
    "not_due": ("titik tidak terjadwal hari ini", "point not due today"),
    "missing_point": ("titik terlewat", "missing point"),
    "served_twice": ("dilayani dua kali", "served twice"),
    "served_and_unassigned": ("dilayani dan tidak terlayani", "served and unassigned"),
    "no_reason": ("tanpa alasan", "no reason"),
    "route_shape": ("bentuk rute", "route shape"),
    "truck_kind": ("jenis truk", "truck kind"),
    "restricted_road": ("jalan terlarang untuk truk", "restricted road"),
    "capacity": ("kapasitas", "capacity"),
    "containers": ("kontainer per rit", "containers per trip"),
    "empty_unload": ("ke TPA dalam keadaan kosong", "empty unload"),
    "stops": ("jumlah titik", "stops"),
    "landfill_trips": ("rit ke TPA", "landfill trips"),
    "daily_load": ("muatan harian", "daily load"),
    "release": ("sampah belum siap", "release time"),
    "shift_start": ("awal shift", "shift start"),
    "shift_end": ("akhir shift", "shift end"),
    "travel": ("waktu tempuh", "travel time"),
    "window": ("jam layanan titik", "time window"),
    "landfill_hours": ("jam buka TPA", "landfill hours"),
    "break": ("istirahat", "break"),
    "schedule": ("jadwal", "schedule"),
    "kpi": ("KPI", "KPI"),
}


@dataclass(frozen=True)
class RoundStop:
    """One row of a rounds file: a truck's ``sequence``-th stop (a point, landfill or BREAK)."""

    truck: str
    sequence: int
    stop: str
    row: int  # 1 = first data row


@dataclass(frozen=True)
class Evaluation:
    """The rounds as a plan, with every rule they break.

    ``solution`` is the rounds as a :class:`Solution` (status :data:`STATUS`); ``findings`` every
    broken rule, per step and per route; ``notes`` what was added to make a day of the rounds
    (a final unload a round did not end with).
    """

    solution: Solution
    findings: tuple[Finding, ...]
    notes: tuple[str, ...] = ()
    source: str = ""

    def counts(self) -> dict[str, int]:
        """Number of findings per rule, in report order, rules with none left out."""
        n = Counter(f.kind for f in self.findings)
        order = [*ROUND_KINDS, *FINDING_KINDS]
        return {k: n[k] for k in sorted(n, key=lambda k: order.index(k) if k in order else len(order))}

    def findings_frame(self) -> pd.DataFrame:
        """One row per finding: rule, truck, step, point, time of that step, words."""
        starts = {(r.vehicle.id, k): v.start_s for r in self.solution.routes for k, v in enumerate(r.visits)}
        rows = [{"kind": f.kind, "truck": f.truck, "step": f.step if f.step is not None else "",
                 "point": f.point,
                 "time": format_hhmm(starts[(f.truck, f.step)]) if (f.truck, f.step) in starts else "",
                 "message": f.message} for f in self.findings]
        return pd.DataFrame(rows, columns=["kind", "truck", "step", "point", "time", "message"])

    def report(self, *, language: str = "id") -> str:
        """An aligned text report: totals, rules broken by kind, then each truck's findings by step."""
        en = language == "en"
        sol, f = self.solution, self.solution.fleet_kpis()
        lines = [("Rounds as driven today" if en else "Rute yang dijalankan saat ini")
                 + f": {self.source} ({f['date']})"]
        lines.append(
            (f"{f['trucks_used']} trucks, {f['points_served']} points served, {f['points_unassigned']} not, "
             f"{f['landfill_trips']} landfill trips, {f['km']} km, {f['hours']} h, {f['fuel_l']} L diesel, "
             f"{f['co2_kg']} kg CO₂") if en else
            (f"{f['trucks_used']} truk, {f['points_served']} titik dilayani, {f['points_unassigned']} tidak, "
             f"{f['landfill_trips']} rit ke TPA, {f['km']} km, {f['hours']} jam, {f['fuel_l']} L solar, "
             f"{f['co2_kg']} kg CO₂"))
        counts = self.counts()
        head = "rules broken" if en else "pelanggaran"
        lines.append(f"{head}: {len(self.findings)}" + (" (" + ", ".join(
            f"{label(k, language)} {n}" for k, n in counts.items()) + ")" if counts else ""))
        lines += [f"note: {n}" if en else f"catatan: {n}" for n in self.notes]
        frame = self.findings_frame()
        general = frame[frame["truck"] == ""]
        if len(general):
            lines += ["", "points" if en else "titik"]
            lines += [f"  {label(r.kind, language)}: {r.message}" for r in general.itertuples()]
        for r in sol.used_routes():
            mine = frame[frame["truck"] == r.vehicle.id]
            lines += ["", _route_line(r, len(mine), en)]
            for x in mine.itertuples():
                where = f"step {x.step} {x.point} {x.time}" if x.step != "" else ("route" if en else "rute")
                text = x.message.removeprefix(f"{r.vehicle.id}: ")
                lines.append(f"  {where:<26} {label(x.kind, language)}: {text}")
        return "\n".join(lines)


def label(kind: str, language: str = "id") -> str:
    """The words for a rule in ``language`` ("id" or "en")."""
    pair = KIND_LABELS.get(kind, (kind, kind))
    return pair[1] if language == "en" else pair[0]


def _route_line(r: Route, n: int, en: bool) -> str:
    km, h = r.distance_m / 1000, r.duration_s / 3600
    times = f"{format_hhmm(r.start_s)}-{format_hhmm(r.end_s)}"
    if en:
        return (f"{r.vehicle.id} ({r.vehicle.label}): {len(r.stops)} stops, {len(r.trips)} trips, {km:.1f} km, "
                f"{h:.2f} h, {times}: {n} rule(s) broken")
    return (f"{r.vehicle.id} ({r.vehicle.label}): {len(r.stops)} titik, {len(r.trips)} rit, {km:.1f} km, "
            f"{h:.2f} jam, {times}: {n} pelanggaran")


# ---------------------------------------------------------------------------- reading
def read_rounds(path: str | Path) -> list[RoundStop]:
    """Read and check a rounds CSV (columns ``truck, sequence, point``; docs/rounds.md).

    Raises
    ------
    InputError
        If the file is missing or unreadable, lacks a column, or has rows without a truck or a
        point, with a sequence that is not a whole number, or a sequence used twice for one
        truck (every bad row is listed).
    """
    p = Path(path)
    try:
        with p.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
    except FileNotFoundError:
        raise InputError(f"rounds file {p} does not exist; see docs/rounds.md for its format") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"rounds file {p} is not a readable UTF-8 CSV: {exc}") from None
    if not rows:
        raise InputError(f"rounds file {p} is empty; it needs the header truck,sequence,point")
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InputError(f"rounds file {p} has no column {', '.join(missing)} (header: {','.join(rows[0])}); "
                         "it needs truck,sequence,point")
    col = {c: header.index(c) for c in COLUMNS}
    out, problems, seen = [], [], {}
    for i, raw in enumerate(rows[1:], start=1):
        if not any(c.strip() for c in raw):
            continue
        cell = {c: (raw[k].strip() if k < len(raw) else "") for c, k in col.items()}
        stop = _row(i, cell, problems)
        if stop is None:
            continue
        key = (stop.truck, stop.sequence)
        if key in seen:
            problems.append(f"row {i} (truck {stop.truck}): sequence {stop.sequence} is also on row {seen[key]}; "
                            "give every stop of a truck its own number")
            continue
        seen[key] = i
        out.append(stop)
    if problems:
        raise InputError(f"rounds file {p}: {len(problems)} bad row(s)", problems)
    if not out:
        raise InputError(f"rounds file {p} has no rows; add one row per stop (truck,sequence,point)")
    return out


def _row(i: int, cell: dict[str, str], problems: list[str]) -> RoundStop | None:
    where = f"row {i} (truck {cell['truck'] or '?'})"
    bad = []
    if not cell["truck"]:
        bad.append("has no truck id")
    if not cell["point"]:
        bad.append(f"has no point id (a collection point, a landfill id or {BREAK_ROW})")
    try:
        seq = int(cell["sequence"])
    except ValueError:
        bad.append(f"sequence {cell['sequence']!r} is not a whole number")
        seq = 0
    if bad:
        problems.append(f"{where}: " + "; ".join(bad))
        return None
    return RoundStop(cell["truck"], seq, cell["point"], i)


# ---------------------------------------------------------------------------- evaluating
def evaluate(
    problem: ProblemData, rounds: str | Path | list[RoundStop], *, scenario: str = "",
    density_kg_per_m3: float = 250.0, graph: Any = None,
) -> Evaluation:
    """Drive the rounds as given and find every rule they break.

    Parameters
    ----------
    problem
        The day's problem (the scenario and date the rounds are for).
    rounds
        A rounds file (docs/rounds.md) or its rows from :func:`read_rounds`.
    scenario, density_kg_per_m3, graph
        Carried into the plan (its name, tonnes, and the road graph maps draw along).

    Returns
    -------
    Evaluation
        The rounds as a plan, every finding, and notes.

    Raises
    ------
    InputError
        If the rounds file itself is malformed (see :func:`read_rounds`).
    """
    source = str(rounds) if isinstance(rounds, (str, Path)) else "rounds"
    rows = read_rounds(rounds) if isinstance(rounds, (str, Path)) else list(rounds)
    findings, notes = _check_rows(problem, rows)
    by_truck: dict[str, list[RoundStop]] = {}
    for s in sorted(rows, key=lambda s: (s.truck, s.sequence)):
        by_truck.setdefault(s.truck, []).append(s)
    locations = _locations(problem)
    routes = []
    for v in problem.vehicles:
        stops = by_truck.get(v.id, [])
        route, note = _drive(problem, v, [s.stop for s in stops], locations)
        routes.append(route)
        notes += [note] if note else []
    served = {x.id for r in routes for x in r.stops}
    unassigned = dict(problem.reasons)
    for q in problem.points:
        if q.id not in served:
            unassigned[q.id] = "not in the rounds: no truck collects it"
            findings.append(Finding("missing_point", f"point {q.id} ({q.name}, {q.kelurahan}) is due today but "
                                                     "in no round", point=q.id))
    sol = Solution(problem=problem, routes=tuple(routes), unassigned=unassigned, status=STATUS, engine="rounds",
                   meta={"scenario": scenario, "density_kg_per_m3": density_kg_per_m3, "rounds": source},
                   graph=graph)
    findings += sol.check()
    log.info("rounds %s: %d trucks, %d stops, %d rule(s) broken", source, len(sol.used_routes()),
             len(served), len(findings))
    return Evaluation(sol, tuple(findings), tuple(notes), source)


def _locations(problem: ProblemData) -> dict[str, int]:
    out = {problem.depot.id: 0}
    out.update({lf.id: problem.landfill_location(k) for k, lf in enumerate(problem.landfills)})
    out.update({q.id: problem.point_location(k) for k, q in enumerate(problem.points)})
    return out


def _check_rows(problem: ProblemData, rows: list[RoundStop]) -> tuple[list[Finding], list[str]]:
    """Trucks and stops the problem cannot route: unknown, set aside or not due (each row named)."""
    trucks = {v.id for v in problem.vehicles}
    known = {problem.depot.id, BREAK_ROW, *(lf.id for lf in problem.landfills), *(q.id for q in problem.points)}
    aside = {q.id: problem.reasons.get(q.id, "") for q in problem.excluded}
    off = {q.id for q in problem.not_due}
    findings: list[Finding] = []
    for t in sorted({s.truck for s in rows} - trucks):
        n = sum(1 for s in rows if s.truck == t)
        rows_text = f"{n} row{'s' if n != 1 else ''}"
        findings.append(Finding("unknown_truck", f"truck {t} ({rows_text}) is not an available truck of this "
                                                 "scenario; its rows are left out"))
    breaks = Counter(s.truck for s in rows if s.stop.upper() == BREAK_ROW and s.truck in trucks)
    for t, n in sorted(breaks.items()):
        if n > 1:
            findings.append(Finding("break", f"{t}: {n} BREAK rows; the crew's one break is taken at the first",
                                    truck=t))
    for s in rows:
        if s.truck not in trucks or s.stop.upper() == BREAK_ROW or s.stop in known:
            continue
        if s.stop in aside:
            findings.append(Finding("set_aside", f"row {s.row}: {s.stop} ({s.truck}) cannot be routed today: "
                                                 f"{aside[s.stop]}; left out", point=s.stop))
        elif s.stop in off:
            findings.append(Finding("not_due", f"row {s.row}: {s.stop} ({s.truck}) is not due on "
                                               f"{problem.date.isoformat()}; left out", point=s.stop))
        else:
            findings.append(Finding("unknown_point", f"row {s.row}: {s.stop} ({s.truck}) is not a collection "
                                                     "point, landfill or depot of this scenario; left out",
                                    point=s.stop))
    return findings, []


def _drive(problem: ProblemData, v: VehicleData, stops: list[str], locations: dict[str, int]
           ) -> tuple[Route, str]:
    """The truck's day in the given order: earliest service at each stop, the break at its row."""
    wanted_break = any(s.upper() == BREAK_ROW for s in stops)
    order = [locations[s] if s.upper() != BREAK_ROW else -1 for s in stops
             if s.upper() == BREAK_ROW or s in locations]
    if not any(loc > 0 for loc in order):
        return empty_route(problem, v), ""
    note = ""
    n_lf = len(problem.landfills)
    last = next(loc for loc in reversed(order) if loc != -1)
    if last > n_lf:  # a truck never parks loaded: unload at the nearest landfill first
        lf = min(range(1, n_lf + 1), key=lambda k: int(problem.time_for(v)[last, k]))
        order.append(lf)
        note = (f"{v.id}: the round ends at {problem.points[last - 1 - n_lf].id}, not at a landfill; "
                f"an unload at {problem.landfills[lf - 1].id} was added before the drive home")
    seq, brk = _schedule(problem, v, order, take_break=wanted_break)
    return Route(v, build_visits(problem, v, seq, break_=brk), brk), note


def _schedule(problem: ProblemData, v: VehicleData, order: list[int], *, take_break: bool
              ) -> tuple[list[tuple[int, int]], Break | None]:
    """(location, service start) pairs, depot first and last; the break where its row is.

    ``order`` holds matrix locations, ``-1`` for the BREAK row. The break starts when the stop
    before its row is done, not before its window opens; a BREAK row before the first stop is
    taken at the depot before leaving.
    """
    sh, n_lf = v.shift, len(problem.landfills)
    legs: list[tuple[int, bool]] = []
    marked = False
    for loc in order:
        if loc == -1:
            marked = take_break and bool(sh.break_duration_s) and not any(b for _, b in legs)
            continue
        legs.append((loc, marked))
        marked = False
    legs.append((0, marked))
    brk = None
    if legs[0][1]:  # before the first stop: at the depot
        brk = Break(max(sh.start_s, sh.break_earliest_s), sh.break_duration_s)
    seq = [(0, brk.end_s if brk else sh.start_s)]
    dep = seq[0][1]
    for k, (loc, break_here) in enumerate(legs):
        leg = int(math.ceil(problem.time_for(v)[seq[-1][0], loc] / v.speed_factor))
        if break_here and k > 0:
            brk = Break(max(dep, sh.break_earliest_s), sh.break_duration_s)
            dep = brk.end_s
        arrival = dep + leg
        if loc == 0:
            seq.append((0, arrival))
            break
        if loc <= n_lf:
            lf = problem.landfills[loc - 1]
            start, service = max(arrival, lf.opens_s), lf.unload_s
        else:
            q = problem.points[loc - 1 - n_lf]
            start, service = max(arrival, q.ready_s), q.service_s
        seq.append((loc, start))
        dep = start + service
    return seq, brk


# ---------------------------------------------------------------------------- comparing
#: Rows of the before/after table: key, Bahasa Indonesia, English, whether less is better.
COMPARE_ROWS = (
    ("trucks_used", "truk dipakai", "trucks used", True),
    ("km", "jarak (km)", "distance (km)", True),
    ("hours", "jam kerja truk", "truck hours", True),
    ("landfill_trips", "rit ke TPA", "landfill trips", True),
    ("fuel_l", "solar (liter)", "diesel (litres)", True),
    ("co2_kg", "CO₂ (kg)", "CO₂ (kg)", True),
    ("points_served", "titik dilayani", "points served", False),
    ("violations", "pelanggaran aturan", "rules broken", True),
)


#: Column heads of the before/after table.
COMPARE_HEADERS = {
    "id": ("", "rute saat ini", "rute optimal", "selisih", "hemat %"),
    "en": ("", "rounds today", "optimised", "change", "saving %"),
}


def compare_table(before: Evaluation, after: Solution, *, language: str = "id") -> pd.DataFrame:
    """The rounds beside an optimised plan of the same day, with the saving of each figure.

    Parameters
    ----------
    before
        The evaluated rounds.
    after
        An optimised plan of the same day (its rules broken are counted by its own check).
    language
        Row names in Bahasa Indonesia ("id") or English ("en").

    Returns
    -------
    pandas.DataFrame
        Indexed by the figure's key; columns ``label``, ``before``, ``after``, ``change``
        (after - before) and ``saving_pct`` (the share of ``before`` saved, for figures where less is
        better; for points served, the share gained; empty when ``before`` is 0).

    Raises
    ------
    InputError
        If the two plans are for different days.
    """
    a, b = before.solution.fleet_kpis(), after.fleet_kpis()
    if a["date"] != b["date"]:
        raise InputError(f"the rounds are for {a['date']} but the plan is for {b['date']}; compare the same day")
    a["violations"], b["violations"] = len(before.findings), len(after.check())
    # A point served twice is one point served (the KPI counts stops).
    a["points_served"], b["points_served"] = (len({v.id for r in s.routes for v in r.stops})
                                              for s in (before.solution, after))
    rows = {}
    for key, id_label, en_label, less_is_better in COMPARE_ROWS:
        x, y = a[key], b[key]
        change = round(y - x, 1)
        pct = (round((x - y) / x * 100 if less_is_better else (y - x) / x * 100, 1) if x else None)
        rows[key] = {"label": en_label if language == "en" else id_label, "before": x, "after": y,
                     "change": change, "saving_pct": pct}
    return pd.DataFrame.from_dict(rows, orient="index")


def format_compare(table: pd.DataFrame, *, language: str = "id") -> str:
    """The before/after table as aligned text."""
    head = COMPARE_HEADERS["en" if language == "en" else "id"]
    rows = [head] + [(r.label, _num(r.before), _num(r.after), _num(r.change, signed=True),
                      "" if r.saving_pct is None or pd.isna(r.saving_pct) else f"{r.saving_pct:.1f}")
                     for r in table.itertuples()]
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
                     for row in rows)


def _num(x: float, *, signed: bool = False) -> str:
    text = f"{x:+,.1f}" if signed else f"{x:,.1f}"
    return text[:-2] if text.endswith(".0") else text
