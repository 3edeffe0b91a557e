"""The frame of a route map: a window in local metres, and the text placed on it."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

M_PER_DEG = 111_320.0  # metres per degree of latitude


@dataclass(frozen=True)
class View:
    """A map window in local metres around an origin (lon0, lat0)."""

    lon0: float
    lat0: float
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def kx(self) -> float:
        return M_PER_DEG * math.cos(math.radians(self.lat0))

    def to_xy(self, lonlat: np.ndarray) -> np.ndarray:
        arr = np.asarray(lonlat, dtype=float).reshape(-1, 2)
        return np.column_stack(
            ((arr[:, 0] - self.lon0) * self.kx, (arr[:, 1] - self.lat0) * M_PER_DEG)
        )

    def lonlat_box(self) -> tuple[float, float, float, float]:
        return (
            self.lon0 + self.x0 / self.kx,
            self.lat0 + self.y0 / M_PER_DEG,
            self.lon0 + self.x1 / self.kx,
            self.lat0 + self.y1 / M_PER_DEG,
        )

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    def contains(self, xy: np.ndarray, inset: float = 0.0) -> np.ndarray:
        dx, dy = self.width * inset, self.height * inset
        return (
            (xy[:, 0] >= self.x0 + dx)
            & (xy[:, 0] <= self.x1 - dx)
            & (xy[:, 1] >= self.y0 + dy)
            & (xy[:, 1] <= self.y1 - dy)
        )


def fit_view(
    lonlat: np.ndarray,
    lon0: float,
    lat0: float,
    aspect: float,
    *,
    margin: float = 0.08,
    min_span_m: float = 400.0,
) -> View:
    """Smallest window with ``aspect`` (height/width) holding the points plus a margin."""
    probe = View(lon0, lat0, 0, 0, 0, 0)
    xy = probe.to_xy(lonlat)
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    w, h = max(hi[0] - lo[0], min_span_m), max(hi[1] - lo[1], min_span_m)
    w, h = w * (1 + 2 * margin), h * (1 + 2 * margin)
    w, h = max(w, h / aspect), max(h, w * aspect)
    cx, cy = (lo + hi) / 2
    return View(lon0, lat0, cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


@dataclass(frozen=True)
class MapLabel:
    """Text on the map, placed in fractions of the map box (0..1 from the lower left).

    Labels are kept apart from the raster so that the sheet can print them as sharp vector
    text (and faster), while :func:`route_map` draws the same labels with matplotlib.
    ``kind`` is street, stop, facility, depot, exit, north or watermark.
    """

    kind: str
    text: str
    x: float
    y: float
    size: float
    angle: float = 0.0
    colour: str = "#303030"
    ha: str = "center"


def frac(view: View, x: float, y: float) -> tuple[float, float]:
    """Where local metres (x, y) fall in ``view``, as fractions from its lower left corner."""
    return (x - view.x0) / view.width, (y - view.y0) / view.height


def overlap(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two boxes (x0, y0, x1, y1) overlap."""
    return bool(a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])
