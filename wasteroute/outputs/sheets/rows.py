"""A route as the driver sheet lists it: the rows of the stop table and each visit's trip."""

from __future__ import annotations

from dataclasses import dataclass

from ...solution import Route, Visit


def arrival_time(route: Route, k: int) -> int:
    """The time printed for visit ``k``: departure from the depot at the start, else the
    Solution's ``arrival_s`` (which already counts a break taken on the way there).

    The sheet never recomputes a time: every figure is the plan's.
    """
    v = route.visits[k]
    return v.departure_s if k == 0 else v.arrival_s


@dataclass(frozen=True)
class SheetRow:
    """One row of the stop table: ``kind`` is depot_start, point, landfill, break or depot_end."""

    kind: str
    number: int  # stop number for points, trip number for landfill rows, else 0
    visit: Visit | None
    start_s: int = 0
    end_s: int = 0


def sheet_rows(route: Route) -> list[SheetRow]:
    """The rows of a truck's stop table, in driving order, with the break where it falls."""
    rows: list[SheetRow] = []
    stop_no = trip_no = 0
    for k, v in enumerate(route.visits):
        if v.kind == "depot":
            kind = "depot_start" if k == 0 else "depot_end"
            rows.append(SheetRow(kind, 0, v, arrival_time(route, k)))
        elif v.kind == "point":
            stop_no += 1
            rows.append(SheetRow("point", stop_no, v, arrival_time(route, k)))
        else:
            trip_no += 1
            rows.append(SheetRow("landfill", trip_no, v, arrival_time(route, k), v.departure_s))
    brk = route.break_
    if brk is not None and brk.duration_s > 0:
        # In time order: before the first row that starts after the break does (the stop
        # reached after a break on the drive; the depot when the break is taken before leaving).
        pos = next((i for i, r in enumerate(rows) if r.start_s > brk.start_s), len(rows))
        rows.insert(pos, SheetRow("break", 0, None, brk.start_s, brk.end_s))
    return rows


def trip_of_visit(route: Route) -> list[int]:
    """Trip number (1-based) of each visit; the depot at the end belongs to trip 0 (return)."""
    out, trip = [], 1
    for k, v in enumerate(route.visits):
        out.append(0 if (v.kind == "depot" and k > 0) else trip)
        if v.kind == "landfill":
            trip += 1
    return out


def trip_number(route: Route, visit: Visit) -> int:
    """Trip number of ``visit`` in ``route`` (0 for the return to the depot or a stranger)."""
    trips = trip_of_visit(route)
    for k, v in enumerate(route.visits):
        if v is visit:
            return trips[k]
    return 0
