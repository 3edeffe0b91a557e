"""The city as the street generator sees it: land, kelurahan, density and spacing field.

Part of :mod:`wasteroute.synthetic.streets` (steps 1-2 of its method).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
import shapely.ops
from scipy import ndimage
from scipy.interpolate import RegularGridInterpolator
from shapely.geometry import MultiPolygon, Point, Polygon, shape

from .street_params import (
    DEPOT_LONLAT,
    LANDFILL_LONLAT,
    SOURCES_DIR,
    StreetParams,
    _KECAMATAN_FILE,
    _KELURAHAN_FILE,
    _VOTERS_FILE,
    _rc,
    _rv,
    _to_utm,
)


# ---------------------------------------------------------------------- city data


@dataclass(frozen=True)
class Kelurahan:
    """One kelurahan in UTM metres, with the population-density proxy used for spacing."""

    code: str
    name: str
    kecamatan: str
    polygon: Polygon | MultiPolygon
    density: float  # voters per km², kecamatan voters split equally among its kelurahan


@dataclass(frozen=True)
class City:
    """The land and its kelurahan in UTM metres, with named key points for main roads."""

    land: Polygon | MultiPolygon
    kelurahan: tuple[Kelurahan, ...]
    key_points: dict[str, tuple[float, float]]


def _read_features(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return list(json.load(fh)["features"])


def _project(geom_json: dict) -> Polygon | MultiPolygon:
    """Project a GeoJSON lon/lat geometry to UTM, dropping Z."""
    geom = shapely.force_2d(shape(geom_json))
    tr = _to_utm()
    out = shapely.transform(geom, lambda xy: _rc(np.column_stack(tr.transform(xy[:, 0], xy[:, 1]))))
    return shapely.normalize(shapely.make_valid(out) if not out.is_valid else out)


def _voters(sources_dir: Path) -> dict[str, tuple[int, int]]:
    """Return voters and kelurahan count per kecamatan."""
    out: dict[str, tuple[int, int]] = {}
    with (sources_dir / _VOTERS_FILE).open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if not row["kecamatan"].startswith("Kota Kupang"):
                out[row["kecamatan"]] = (int(row["voters_total"]), int(row["kelurahan_count"]))
    return out


def load_city(
    sources_dir: Path = SOURCES_DIR,
    *,
    kelurahan_ids: Sequence[str] | None = None,
    area_exponent: float = 0.5,
) -> City:
    """Read the real boundaries and voters and build the generator's view of the city.

    Kelurahan are assigned to kecamatan by the RBI kecamatan polygons (which agree with
    the 2024 voter counts), not by the kelurahan file's own attribute. A kecamatan's voters
    are shared among its kelurahan in proportion to area ** ``area_exponent`` (0: equal
    shares, 1: uniform density): larger kelurahan hold more people, but less than in
    proportion to their area, since small kelurahan are the crowded old ones.

    Raises
    ------
    ValueError
        If ``kelurahan_ids`` names a code that is not in the kelurahan file.
    """
    kec = {
        f["properties"]["NAMOBJ"]: _project(f["geometry"])
        for f in _read_features(sources_dir / _KECAMATAN_FILE)
    }
    voters = _voters(sources_dir)
    feats = sorted(
        _read_features(sources_dir / _KELURAHAN_FILE), key=lambda f: f["properties"]["ID2013"]
    )
    if kelurahan_ids is not None:
        known = {f["properties"]["ID2013"] for f in feats}
        unknown = sorted(set(kelurahan_ids) - known)
        if unknown:
            msg = f"unknown kelurahan code(s) {', '.join(unknown)}; use BPS ID2013 codes"
            raise ValueError(msg)
    polys = [(f, _project(f["geometry"])) for f in feats]
    kec_of = [
        min(kec, key=lambda k: kec[k].distance(poly.representative_point())) for _, poly in polys
    ]
    weight = [(poly.area / 1e6) ** area_exponent for _, poly in polys]
    kec_weight = {k: sum(w for w, kk in zip(weight, kec_of) if kk == k) for k in kec}
    kels = []
    for (f, poly), kname, w in zip(polys, kec_of, weight):
        voters_here = voters[kname][0] * w / kec_weight[kname]
        density = voters_here / (poly.area / 1e6)
        props = f["properties"]
        kels.append(
            Kelurahan(props["ID2013"], " ".join(props["DESA"].split()), kname, poly, density)
        )
    land_all = shapely.normalize(shapely.union_all([k.polygon for k in kels]))
    chosen = [k for k in kels if kelurahan_ids is None or k.code in kelurahan_ids]
    land = (
        shapely.normalize(shapely.union_all([k.polygon for k in chosen]))
        if kelurahan_ids is not None
        else land_all
    )
    keys = _key_points(land, chosen, kec)
    return City(land=land, kelurahan=tuple(chosen), key_points=keys)


def _nudge_inside(point: Point, land: Polygon | MultiPolygon, margin_m: float) -> Point | None:
    """Return the point, or the nearest point at least ``margin_m`` inside the land."""
    inner = land.buffer(-margin_m)
    if inner.is_empty:
        return None
    if inner.contains(point):
        return point
    return shapely.ops.nearest_points(inner, point)[0]


def _key_points(
    land: Polygon | MultiPolygon, kels: Sequence[Kelurahan], kec: dict[str, Polygon | MultiPolygon]
) -> dict[str, tuple[float, float]]:
    """Name the points main roads link: kecamatan centres, kelurahan centres, depot, TPA."""
    tr = _to_utm()
    candidates: dict[str, Point] = {}
    for name in sorted(kec):
        candidates[f"KEC:{name}"] = kec[name].centroid
    for k in kels:
        candidates[f"DESA:{k.name}"] = k.polygon.representative_point()
    candidates["DEPOT"] = Point(_rc(tr.transform(*DEPOT_LONLAT)))
    candidates["TPA"] = Point(_rc(tr.transform(*LANDFILL_LONLAT)))
    out = {}
    for name, pt in candidates.items():
        if land.distance(pt) > 1500.0:  # outside a restricted city: not a key point
            continue
        nudged = _nudge_inside(pt, land, 150.0)
        if nudged is not None:
            x, y = _rc([nudged.x, nudged.y])
            out[name] = (float(x), float(y))
    return out


# ----------------------------------------------------------------- spacing field


@dataclass(frozen=True)
class SpacingField:
    """Local street spacing in metres and the settled (built-up) mask, from a raster."""

    interp: RegularGridInterpolator
    cell_m: float
    origin: tuple[float, float]
    values: np.ndarray  # raster of spacings (rows = y)
    inside: np.ndarray  # raster mask of land cells
    settled: np.ndarray  # raster mask of cells that get residential streets

    def __call__(self, xy: np.ndarray) -> np.ndarray:
        """Return the spacing at each point of an (n, 2) array."""
        return _rv(self.interp(np.asarray(xy)[:, ::-1]))

    def is_settled(self, xy: np.ndarray) -> np.ndarray:
        """Return whether each point lies in a settled cell."""
        xy = np.asarray(xy)
        j = np.clip(
            np.rint((xy[:, 0] - self.origin[0]) / self.cell_m).astype(int),
            0,
            self.settled.shape[1] - 1,
        )
        i = np.clip(
            np.rint((xy[:, 1] - self.origin[1]) / self.cell_m).astype(int),
            0,
            self.settled.shape[0] - 1,
        )
        return self.settled[i, j]


def spacing_field(
    city: City, rng: np.random.Generator, params: StreetParams, *, cell_m: float = 100.0
) -> SpacingField:
    """Build the street-spacing field and settled mask from the kelurahan density proxy.

    Spacing runs log-linearly from ``spacing_min_m`` at ``dense_ref`` voters/km² to
    ``spacing_max_m`` at ``sparse_ref``. Below ``settled_full`` only part of the land is
    settled: a random smooth pattern of hamlets covering down to ``settled_min``.
    """
    minx, miny, maxx, maxy = city.land.bounds
    xs = _rc(np.arange(minx - 2 * cell_m, maxx + 3 * cell_m, cell_m))
    ys = _rc(np.arange(miny - 2 * cell_m, maxy + 3 * cell_m, cell_m))
    gx, gy = np.meshgrid(xs, ys)
    logd = np.full(gx.shape, np.nan)
    for k in city.kelurahan:
        logd[shapely.contains_xy(k.polygon, gx, gy)] = math.log(k.density)
    inside = ~np.isnan(logd)
    if not inside.any():
        inside[:] = True
        logd[:] = math.log(max(k.density for k in city.kelurahan))
    idx = ndimage.distance_transform_edt(~inside, return_distances=False, return_indices=True)
    blurred = ndimage.gaussian_filter(
        logd[tuple(idx)], params.density_blur_m / cell_m, mode="nearest"
    )
    lo, hi = math.log(params.sparse_ref), math.log(params.dense_ref)
    t = np.clip((blurred - lo) / (hi - lo), 0.0, 1.0)  # 0 = sparsest, 1 = densest
    t = _rv(t)
    spacing = np.exp(np.log(params.spacing_max_m) * (1 - t) + np.log(params.spacing_min_m) * t)
    spacing = _rv(spacing * params.density_scale)
    noise = _noise_field(rng, city.land.bounds, min_len=700.0, max_len=2500.0)(
        np.column_stack([gx.ravel(), gy.ravel()])
    ).reshape(gx.shape)
    rank = np.zeros(gx.shape)
    order = np.argsort(noise[inside], kind="stable")
    rank_in = np.empty(len(order))
    rank_in[order] = (np.arange(len(order)) + 0.5) / len(order)
    rank[inside] = rank_in
    lo_s, hi_s = math.log(params.settled_empty), math.log(params.settled_full)
    ramp = _rv(np.clip((blurred - lo_s) / (hi_s - lo_s), 0.0, 1.0))
    coverage = params.settled_min + (1 - params.settled_min) * ramp
    settled = rank < coverage
    interp = RegularGridInterpolator((ys, xs), spacing, bounds_error=False, fill_value=None)
    return SpacingField(interp, cell_m, (float(xs[0]), float(ys[0])), spacing, inside, settled)


def _noise_field(
    rng: np.random.Generator,
    bounds: tuple[float, ...],
    *,
    n_waves: int = 14,
    min_len: float = 1200.0,
    max_len: float = 7000.0,
) -> Callable[[np.ndarray], np.ndarray]:
    """Return a smooth random field, about in [0, 1] (a sum of random plane waves)."""
    angles = rng.uniform(0, 2 * math.pi, n_waves)
    lengths = rng.uniform(min_len, max_len, n_waves)
    phases = rng.uniform(0, 2 * math.pi, n_waves)
    kx, ky = np.cos(angles) * 2 * math.pi / lengths, np.sin(angles) * 2 * math.pi / lengths
    x0, y0 = bounds[0], bounds[1]

    def field(xy: np.ndarray) -> np.ndarray:
        x, y = xy[:, 0] - x0, xy[:, 1] - y0
        s = np.cos(np.outer(x, kx) + np.outer(y, ky) + phases).sum(axis=1)
        return _rv(0.5 + s / (2 * math.sqrt(2 * n_waves)))

    return field
