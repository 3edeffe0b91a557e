"""Build small, hand-checkable ``ProblemData`` instances without a road graph.

Locations sit on a line or a grid; travel time in seconds equals distance in metres / 10
(36 km/h), so every number in a test can be checked by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np

from wasteroute.config import Facility, Shift
from wasteroute.problem import PointData, ProblemData, VehicleData

NO_BREAK = Shift(start_s=5 * 3600, end_s=12 * 3600, break_duration_s=0)


def point(pid: str, *, kind: str = "bak", volume_m3: float = 1.0, service_s: int = 60,
          ready_s: int = 0, latest_s: int = -1, release_s: int = 0) -> PointData:
    """A collection point (coordinates are only labels here)."""
    return PointData(id=pid, name=f"TPS {pid}", kind=kind, volume_m3=volume_m3,
                     demand_l=max(1, int(round(volume_m3 * 1000))), service_s=service_s, ready_s=ready_s,
                     latest_s=latest_s, lon=0.0, lat=0.0, kelurahan="Uji", kecamatan="Uji",
                     release_s=release_s)


def vehicle(vid: str, *, serves: Sequence[str] = ("bak", "roadside"), capacity_m3: float = 6.0,
            max_trips: int = 3, containers_per_trip: int | None = None, shift: Shift = NO_BREAK,
            max_stops: int | None = None) -> VehicleData:
    """A truck."""
    return VehicleData(id=vid, type_name="armroll" if "container" in serves else "dump", label=vid,
                       serves=tuple(serves), capacity_l=int(capacity_m3 * 1000),
                       containers_per_trip=containers_per_trip, max_trips=max_trips, shift=shift,
                       fuel_km_per_l=4.0, idle_l_per_h=1.5, max_stops=max_stops)


def make_problem(xs: Sequence[float], points: Sequence[PointData], vehicles: Sequence[VehicleData], *,
                 landfill_x: float = 0.0, depot_x: float = 0.0, ys: Sequence[float] | None = None,
                 landfill_y: float = 0.0, opens_s: int = 0, closes_s: int = 24 * 3600,
                 unload_s: int = 600) -> ProblemData:
    """Depot, one landfill and points at x (and y) positions in metres; Manhattan distance."""
    ys = list(ys) if ys is not None else [0.0] * len(xs)
    px = np.array([depot_x, landfill_x, *xs], dtype=float)
    py = np.array([0.0, landfill_y, *ys], dtype=float)
    dist = (np.abs(px[:, None] - px[None, :]) + np.abs(py[:, None] - py[None, :])).round().astype(np.int64)
    time_s = (dist / 10).round().astype(np.int64)
    return ProblemData(
        points=tuple(points), vehicles=tuple(vehicles),
        depot=Facility("DEPOT", "Depot", 0.0, 0.0),
        landfills=(Facility("TPA", "TPA Uji", 0.0, 0.0, opens_s=opens_s, closes_s=closes_s, unload_s=unload_s),),
        time_s=time_s, dist_m=dist, date=dt.date(2026, 11, 24),
    )
