"""Generate a seeded, synthetic OSM street network for Kota Kupang.

No real OpenStreetMap extract of Kupang can be obtained offline, so this module writes a
*generated* drivable street network, as OSM XML (bzip2), that looks and measures like a
real one. Real data always wins whenever it exists. Every way is tagged ``synthetic=yes``;
the file name contains "synthetic" and the XML carries a ``<note>`` and a comment saying it
is generated and by which command.

Method (all in UTM zone 51S metres, one :class:`numpy.random.Generator` from the seed):

1. **Land.** The city is the union of the 51 real kelurahan polygons
   (``sources/kota_kupang_kelurahan_51.geojson``); the sea stays empty and no street
   leaves the union.
2. **Density.** Each kecamatan's registered voters (``sources/kecamatan_voters_dps_2024.csv``)
   are shared among its kelurahan in proportion to the square root of their area; the log
   of that voters-per-km² proxy, blurred over ``density_blur_m``, sets the street spacing
   (log-linear between ``spacing_min_m`` and ``spacing_max_m``) and the share of land that
   is settled at all (between ``settled_min`` and 1; a random smooth pattern of hamlets).
   Small, crowded kelurahan (Kota Lama, Oebobo, Kota Raja, Kelapa Lima) get short blocks
   everywhere; the large rural kelurahan of Alak and Maulafa get scattered hamlets.
3. **Arterials and collectors.** Named routes link the six kecamatan centres (centroids
   nudged onto land), the depot and the landfill (primary/secondary), and neighbouring
   kelurahan centres (tertiary). Each is a least-cost path on a 16-neighbour lattice over
   the land whose cost is modulated by a smooth random field (so alignments curve), with
   a discount on lattice edges already used (so later routes join earlier ones instead
   of running parallel). The union is cut at junctions, smoothed (Chaikin), noded where
   two roads cross, and resampled at the local block spacing.
4. **Ravines.** Three meandering ravines (invented courses standing in for Kupang's river
   valleys) run from inland to the sea; residential streets never cross them, only main
   roads do (bridges), which gives the detours real valleys cause.
5. **Residential fabric.** Main roads, ravines and the coast cut the land into faces. Each
   face gets a rotated, gently wobbling grid of street points (rows along its long axis)
   on the settled land. Rows become streets (with a few random breaks); rows are linked
   in a staggered brick bond (mostly T junctions, some crossroads); points next to a main
   road join it; Kruskal over the remaining on-land edges connects every part; short
   dead-end alleys ("gang") leave the middle of some edges; edges get gentle bends.
6. **Ways and names.** Residential edges are chained into "strokes" (continuing straight
   through junctions) that become OSM ways named "Jl. <word>" (numbered I, II, ... when a
   word repeats) from two themes per kelurahan; short dead ends are alleys "Gg. <word> <n>";
   a share stays unnamed. Large rural strokes are ``unclassified``.
7. **One-way pairs.** In the densest part, pairs of nearby, nearly parallel streets become
   one-way in opposite directions; a one-way is kept only if its end can still reach its
   start, so the network stays strongly connected.
8. **Calibration.** The whole build is repeated (same seed) with all spacings rescaled until
   the junction count is within 1 % of ``target_nodes`` (the real 6,345).

Run ``python -m wasteroute.synthetic.streets --seed 2026`` (the defaults) to rewrite
``data/kupang/kupang_synthetic_streets.osm.bz2``. The same seed gives byte-identical output
on one machine. Every coordinate is rounded to 1 cm (``COORD_DECIMALS``) and every length or
cost compared to ``VALUE_DECIMALS`` before it decides anything, grids are rotated about each
face's own corner, and a face's orientation is computed here rather than by GEOS, so that
results other numpy/shapely/pyproj versions compute differently in their last bits give the
same file. The file is stamped with ``GENERATOR_VERSION`` and the seed.
"""

from __future__ import annotations

import argparse
import bz2
import csv
import itertools
import json
import logging
import math
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import shapely
import shapely.ops
from pyproj import Transformer
from scipy import ndimage
from scipy.interpolate import RegularGridInterpolator
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import Delaunay, QhullError, cKDTree
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, shape

logger = logging.getLogger("wasteroute")

#: Folder of the Kupang scenario data (``data/kupang`` of the repository).
DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "kupang"
#: Real source files (boundaries, voters) the generator reads.
SOURCES_DIR = DATA_DIR / "sources"
#: Default output file.
DEFAULT_OUT = DATA_DIR / "kupang_synthetic_streets.osm.bz2"
DEFAULT_SEED = 2026
#: Version of the generator's algorithm, stamped into every file it writes (``generator``
#: attribute and note). Raise it whenever a change makes the same seed give other streets,
#: and regenerate the shipped file; a test checks that the shipped file carries it.
GENERATOR_VERSION = 2
#: Metric CRS for all geometry work: WGS 84 / UTM zone 51S.
UTM_CRS = "EPSG:32751"

#: TPA Alak landfill gate, lon/lat. APPROXIMATE: the gate coordinates are not published.
#: The landfill is in Kecamatan Alak near Kelurahan Manulai II; the location commonly given
#: (about 123.5415, -10.1985) falls 2 km outside Manulai II, so this is the point 400 m
#: inside the Manulai II polygon (BPS ID2013 5371010002) nearest to it.
LANDFILL_LONLAT: tuple[float, float] = (123.5589, -10.2130)
#: DLHK truck pool (depot), lon/lat. APPROXIMATE and invented: the truck pool location is
#: not published; DLHK is in Kecamatan Alak. Placed on the coastal arterial ("Jl. Alak Raya")
#: that leads from the centre towards the landfill road, in Kelurahan Nunbaun Sabu
#: (Kecamatan Alak), about 250 m east of the Namosain boundary.
DEPOT_LONLAT: tuple[float, float] = (123.5640, -10.1790)

#: Ravines (source, mouth) lon/lat that residential streets do not cross; only main roads
#: bridge them. INVENTED courses standing in for Kupang's river valleys (such as Kali
#: Dendeng and Kali Liliba), which real streets cross only at a few bridges.
RAVINES_LONLAT: tuple[tuple[tuple[float, float], tuple[float, float]], ...] = (
    ((123.600, -10.205), (123.582, -10.156)),
    ((123.652, -10.200), (123.628, -10.148)),
    ((123.676, -10.182), (123.664, -10.138)),
)

#: Coordinates (UTM metres) are rounded to this many decimals (1 cm, about the 7 decimals of
#: degrees OSM stores) before they decide anything, so that the last bits a library version
#: computes differently (PROJ, GEOS, numpy's SIMD sin/cos) do not change the network.
COORD_DECIMALS = 2
#: Lengths, costs and field values are rounded to this many decimals before they are compared.
VALUE_DECIMALS = 6

_KELURAHAN_FILE = "kota_kupang_kelurahan_51.geojson"
_KECAMATAN_FILE = "kota_kupang_kecamatan_6.geojson"
_VOTERS_FILE = "kecamatan_voters_dps_2024.csv"


@dataclass(frozen=True, kw_only=True)
class StreetParams:
    """Settings of the generator (calibrated defaults).

    Parameters
    ----------
    spacing_min_m
        Street spacing (grid step, see ``along_factor``) in the densest kelurahan.
    spacing_max_m
        Largest spacing (the emptiest countryside).
    dense_ref, sparse_ref
        Population-density proxy (voters/km²) at which the spacing is the smallest and the
        largest; log-linear in between.
    settled_min
        Share of the sparsest land that gets residential streets at all (villages and
        hamlets among fields and bush); rises to 1 towards the dense centre.
    settled_full, settled_empty
        Density proxy (voters/km²) above which all land is settled, and below which only
        ``settled_min`` is; log-linear in between.
    area_exponent
        Voters of a kecamatan are shared among its kelurahan in proportion to
        area ** ``area_exponent``.
    density_blur_m
        Gaussian blur of the density field, so kelurahan borders do not show.
    density_scale
        Multiplies every spacing; above 1 gives a thinner, smaller network (tests).
    lattice_m
        Spacing of the lattice the main roads are routed on.
    route_noise
        Strength of the random cost field that makes main roads curve.
    route_discount
        Cost factor on lattice edges already used by a main road.
    collector_max_m
        Longest straight distance between two kelurahan centres linked by a collector.
    min_angle_deg
        Smallest angle between a side street and a main road where it joins.
    along_factor, row_factor
        Residential streets lie on a rotated grid per face between main roads: points
        ``along_factor`` spacings apart along rows that are ``row_factor`` spacings apart.
    grid_twist, wobble, jitter
        Random rotation (radians) of a face's grid from its long axis; amplitude of the
        rows' low sine waves and of the points' jitter (shares of the grid steps).
    p_break
        Probability that a row edge is left out (makes dead ends and irregular blocks).
    p_period2, p_aligned, p_link_drop
        Cross links between rows follow a staggered brick bond every 2 (probability
        ``p_period2``) or 3 columns; a row keeps the previous row's shift (crossroads
        instead of T junctions) with probability ``p_aligned``; a brick link is left out
        with probability ``p_link_drop``.
    p_connect
        Probability that a loose point next to a main road joins it.
    p_spur
        Probability that a residential street edge gets a short dead-end alley.
    bend_share, bend_sigma
        Share of fabric edges bent, and the spread of the bend as a share of the length.
    oneway_share
        Target share of ways made one-way (in opposite-direction pairs).
    unnamed_share
        Share of residential ways without a name.
    target_nodes
        Junction count (nodes of the simplified graph) to calibrate the whole network to,
        by rescaling every spacing; ``None`` keeps the spacings as given. The default is
        the real count of the Kupang urban centre (Boeing 2020).
    calibration_passes
        Most rebuilds spent reaching ``target_nodes``.
    kelurahan_ids
        Restrict the city to these kelurahan (BPS ID2013 codes); ``None`` means all 51.
    """

    spacing_min_m: float = 70.0
    spacing_max_m: float = 90.0
    dense_ref: float = 6000.0
    sparse_ref: float = 800.0
    settled_min: float = 0.05
    settled_full: float = 3000.0
    settled_empty: float = 1100.0
    area_exponent: float = 0.5
    density_blur_m: float = 400.0
    density_scale: float = 1.0
    lattice_m: float = 100.0
    route_noise: float = 1.5
    route_discount: float = 0.3
    collector_max_m: float = 3800.0
    min_angle_deg: float = 35.0
    along_factor: float = 0.75
    row_factor: float = 1.2
    grid_twist: float = 0.12
    wobble: float = 0.18
    jitter: float = 0.08
    p_break: float = 0.02
    p_period2: float = 0.8
    p_aligned: float = 0.15
    p_link_drop: float = 0.15
    p_connect: float = 0.9
    p_spur: float = 0.2
    bend_share: float = 0.7
    bend_sigma: float = 0.15
    oneway_share: float = 0.04
    unnamed_share: float = 0.15
    target_nodes: int | None = 6345
    calibration_passes: int = 4
    kelurahan_ids: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if not 0 < self.spacing_min_m <= self.spacing_max_m:
            msg = (
                f"spacing_min_m={self.spacing_min_m} and spacing_max_m={self.spacing_max_m}: "
                "need 0 < spacing_min_m <= spacing_max_m"
            )
            raise ValueError(msg)
        probs = (
            self.p_break,
            self.p_period2,
            self.p_aligned,
            self.p_link_drop,
            self.p_connect,
            self.p_spur,
            self.bend_share,
            self.oneway_share,
            self.unnamed_share,
        )
        if min(probs) < 0 or max(probs) > 1:
            msg = "probabilities (p_*, bend_share, oneway_share, unnamed_share) must be in [0, 1]"
            raise ValueError(msg)


# --------------------------------------------------------------------------- names

_ARTERIALS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # (name, highway, waypoints); earlier routes win the name of a shared stretch.
    (
        "Jl. Timor Raya",
        "primary",
        ("KEC:Kota Lama", "DESA:Pasir Panjang", "KEC:Kelapa Lima", "DESA:Lasiana"),
    ),
    ("Jl. El Tari", "primary", ("KEC:Kota Raja", "KEC:Oebobo", "DESA:Liliba")),
    ("Jl. Alak Raya", "primary", ("KEC:Kota Lama", "DESA:Nunbaun Sabu", "DEPOT")),
    ("Jl. Manulai", "primary", ("DEPOT", "TPA")),
    ("Jl. Adisucipto", "primary", ("KEC:Kelapa Lima", "DESA:Penfui")),
    ("Jl. Frans Seda", "secondary", ("DESA:Fatululi", "DESA:Kelapa Lima")),
    ("Jl. Soeharto", "secondary", ("KEC:Kota Lama", "DESA:Naikoten I", "KEC:Kota Raja")),
    ("Jl. Jend. Sudirman", "secondary", ("DESA:Fontein", "DESA:Kuanino", "DESA:Bakunase")),
    ("Jl. Moh. Hatta", "secondary", ("KEC:Kota Lama", "DESA:Oetete", "DESA:Oebobo")),
    ("Jl. W.J. Lalamentik", "secondary", ("DESA:Fatululi", "DESA:Oebufu")),
    ("Jl. Herman Yohanes", "secondary", ("KEC:Kota Raja", "DESA:Oepura", "KEC:Maulafa")),
    ("Jl. Cak Doko", "secondary", ("DESA:Oetete", "DESA:Naikoten II", "DESA:Naikolan")),
    ("Jl. Piet A. Tallo", "secondary", ("DESA:Liliba", "DESA:Oesapa Selatan", "DESA:Oesapa")),
    ("Jl. Oebobo", "secondary", ("DESA:Oebobo", "DESA:Oebufu", "DESA:Naimata")),
    ("Jl. Palapa", "secondary", ("DESA:Oebobo", "DESA:Naikoten I")),
    ("Jl. Yos Sudarso", "secondary", ("DEPOT", "DESA:Alak")),
    ("Jl. Amabi", "secondary", ("KEC:Maulafa", "DESA:Kolhua")),
    ("Jl. Sikumana", "secondary", ("DESA:Bakunase II", "DESA:Sikumana", "DESA:Bello")),
    ("Jl. Batuplat", "secondary", ("KEC:Kota Raja", "DESA:Batuplat", "TPA")),
    ("Jl. Naioni", "secondary", ("TPA", "KEC:Alak", "DESA:Naioni")),
    ("Jl. Fatukoa", "secondary", ("DESA:Bello", "DESA:Fatukoa")),
    ("Jl. Matani", "secondary", ("DESA:Naimata", "DESA:Penfui")),
    ("Jl. Penkase", "secondary", ("DESA:Namosain", "DESA:Penkase - Oeleta", "DESA:Batuplat")),
)

_COLLECTOR_NAMES: tuple[str, ...] = (
    "Perintis Kemerdekaan",
    "R.A. Kartini",
    "Bundaran PU",
    "Nangka",
    "Sam Ratulangi",
    "Suprapto",
    "Ahmad Yani",
    "Urip Sumoharjo",
    "Gunung Mutis",
    "Kejora",
    "Polisi Militer",
    "Fetor Funay",
    "Sonbai",
    "Bakunase Raya",
    "Air Lobang",
    "Bajawa",
    "Ende",
    "Rote",
    "Sumba",
    "Flores",
    "Alor",
    "Lembata",
    "Sabu",
    "Semau",
    "Gajah Mada",
    "Diponegoro",
    "Pattimura",
    "Imam Bonjol",
    "Teuku Umar",
    "Thamrin",
    "Veteran",
    "Bhayangkara",
    "Kelapa Lima Raya",
    "Oesapa Raya",
    "Lasiana Raya",
    "Liliba Raya",
    "Kolhua Raya",
    "Oepura Raya",
    "Nunbaun Raya",
    "Manutapen Raya",
    "Fontein Raya",
    "Airnona Raya",
    "Kuanino Raya",
    "Naikolan Raya",
    "Penfui Raya",
    "Matani Raya",
    "Taebenu",
    "Oekam",
    "Bimoku",
    "Nasipanaf",
    "Tofa",
    "Oebananta",
    "Kampung Baru",
    "Pahlawan",
    "Garuda",
    "Merpati",
    "Rajawali",
    "Cendana",
    "Kenari",
    "Asam",
    "Lontar",
    "Beringin",
)

_THEMES: tuple[tuple[str, ...], ...] = (
    (
        "Kenanga",
        "Melati",
        "Mawar",
        "Anggrek",
        "Cempaka",
        "Flamboyan",
        "Dahlia",
        "Teratai",
        "Kamboja",
        "Bougenvil",
        "Tanjung",
        "Matahari",
        "Seroja",
        "Asoka",
        "Kemuning",
    ),
    (
        "Nangka",
        "Jambu",
        "Mangga",
        "Sirsak",
        "Kedondong",
        "Delima",
        "Srikaya",
        "Sawo",
        "Belimbing",
        "Pepaya",
        "Rambutan",
        "Sukun",
        "Kelor",
        "Pinang",
        "Lontar",
    ),
    (
        "Rajawali",
        "Merpati",
        "Kakatua",
        "Nuri",
        "Kasuari",
        "Cenderawasih",
        "Elang",
        "Kenari",
        "Kutilang",
        "Pelikan",
        "Camar",
        "Bangau",
        "Perkutut",
        "Jalak",
        "Murai",
    ),
    (
        "Sumba",
        "Flores",
        "Rote",
        "Sabu",
        "Alor",
        "Lembata",
        "Semau",
        "Adonara",
        "Solor",
        "Pantar",
        "Ndao",
        "Raijua",
        "Komodo",
        "Palue",
        "Sumbawa",
    ),
    (
        "Mutis",
        "Lakaan",
        "Kelimutu",
        "Inerie",
        "Ebulobo",
        "Lewotobi",
        "Fatuleu",
        "Timau",
        "Egon",
        "Ranakah",
        "Wanggameti",
        "Sirung",
        "Ile Ape",
        "Boleng",
        "Ile Mandiri",
    ),
    (
        "Oekam",
        "Oebananta",
        "Nasipanaf",
        "Bimoku",
        "Tofa",
        "Taebenu",
        "Oepoi",
        "Sonbai",
        "Amanuban",
        "Amarasi",
        "Helong",
        "Kupang Tengah",
        "Oenesu",
        "Baumata",
        "Noelbaki",
    ),
)

_ALLEY_WORDS: tuple[str, ...] = (
    "Damai",
    "Sejahtera",
    "Rukun",
    "Harapan",
    "Bahagia",
    "Permai",
    "Indah",
    "Sentosa",
    "Makmur",
    "Karya",
    "Bakti",
    "Mulia",
    "Persatuan",
    "Bersama",
    "Swadaya",
    "Gotong Royong",
)

_ROMAN = ("", " II", " III", " IV", " V", " VI", " VII", " VIII", " IX", " X")


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


def _rc(a: np.ndarray) -> np.ndarray:
    """Round coordinates (metres) to ``COORD_DECIMALS``; ``-0.0`` becomes ``0.0``."""
    return np.round(np.asarray(a, dtype=float), COORD_DECIMALS) + 0.0


def _rv(a: np.ndarray) -> np.ndarray:
    """Round lengths, costs or field values to ``VALUE_DECIMALS``."""
    return np.round(np.asarray(a, dtype=float), VALUE_DECIMALS) + 0.0


def _to_utm() -> Transformer:
    return Transformer.from_crs("EPSG:4326", UTM_CRS, always_xy=True)


def _to_lonlat() -> Transformer:
    return Transformer.from_crs(UTM_CRS, "EPSG:4326", always_xy=True)


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


# ------------------------------------------------------------------ main roads


@dataclass
class Lattice:
    """A 16-neighbour lattice over the land; main roads are least-cost paths on it."""

    xy: np.ndarray
    graph: csr_matrix
    tree: cKDTree

    def nearest(self, point: tuple[float, float]) -> int:
        """Return the lattice node nearest to a point."""
        return int(self.tree.query(point)[1])

    def route(self, src: int, dst: int) -> list[int]:
        """Return the least-cost node path from ``src`` to ``dst`` (empty if unreachable)."""
        _, pred = dijkstra(self.graph, indices=src, return_predecessors=True)
        if src != dst and pred[dst] < 0:
            return []
        path = [dst]
        while path[-1] != src:
            path.append(int(pred[path[-1]]))
        return path[::-1]

    def discount(self, path: Sequence[int], factor: float, floor: float) -> None:
        """Make the edges of a path cheaper for later routes (both directions)."""
        g = self.graph
        for a, b in itertools.pairwise(path):
            for u, v in ((a, b), (b, a)):
                lo, hi = g.indptr[u], g.indptr[u + 1]
                pos = lo + int(np.searchsorted(g.indices[lo:hi], v))
                g.data[pos] = round(
                    max(g.data[pos] * factor, floor * _edge_len(self.xy, u, v)), VALUE_DECIMALS
                )


def _edge_len(xy: np.ndarray, u: int, v: int) -> float:
    return float(np.hypot(*(xy[u] - xy[v])))


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


def build_lattice(
    land: Polygon | MultiPolygon, rng: np.random.Generator, params: StreetParams
) -> Lattice:
    """Lay the routing lattice 60 m inside the land, with curving random costs."""
    step = params.lattice_m
    inner = land.buffer(-60.0)
    minx, miny, maxx, maxy = land.bounds
    xs = _rc(np.arange(minx, maxx + step, step))
    ys = _rc(np.arange(miny, maxy + step, step))
    gx, gy = np.meshgrid(xs, ys)
    inside = shapely.contains_xy(inner, gx, gy)
    ids = np.full(gx.shape, -1)
    ids[inside] = np.arange(int(inside.sum()))
    xy = np.column_stack([gx[inside], gy[inside]])
    noise = _noise_field(rng, land.bounds)
    rows, cols, costs = [], [], []
    ny, nx = gx.shape
    for di, dj in ((0, 1), (1, 0), (1, 1), (1, -1), (1, 2), (2, 1), (1, -2), (2, -1)):
        a = ids[0 : ny - di, max(0, -dj) : nx - max(0, dj)]
        b = ids[di:ny, max(0, dj) : nx - max(0, -dj)]
        ok = (a >= 0) & (b >= 0)
        u, v = a[ok], b[ok]
        mid = (xy[u] + xy[v]) / 2
        keep = shapely.contains_xy(inner, mid[:, 0], mid[:, 1])
        u, v, mid = u[keep], v[keep], mid[keep]
        length = np.hypot(*(xy[u] - xy[v]).T)
        cost = _rv(length * (1.0 + params.route_noise * noise(mid) ** 2))
        rows += [u, v]
        cols += [v, u]
        costs += [cost, cost]
    n = len(xy)
    graph = csr_matrix(
        (np.concatenate(costs), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n)
    )
    graph.sort_indices()
    return Lattice(xy, graph, cKDTree(xy))


@dataclass(frozen=True)
class Route:
    """A named main road as a lattice path."""

    name: str
    highway: str
    rank: int
    path: tuple[int, ...]


def _collector_links(city: City, params: StreetParams) -> list[tuple[str, str]]:
    """Pairs of neighbouring kelurahan centres (Delaunay) that a collector links."""
    names = sorted(k for k in city.key_points if k.startswith("DESA:"))
    if len(names) < 3:
        return [(a, b) for i, a in enumerate(names) for b in names[i + 1 :]]
    pts = np.array([city.key_points[n] for n in names])
    try:
        tri = Delaunay(pts)
    except QhullError:  # centres on one line
        return list(itertools.pairwise(names))
    pairs = sorted(
        {tuple(sorted((int(s[i]), int(s[(i + 1) % 3])))) for s in tri.simplices for i in range(3)}
    )
    out = []
    for i, j in pairs:
        seg = LineString([pts[i], pts[j]])
        if (
            seg.length <= params.collector_max_m
            and seg.intersection(city.land).length > 0.9 * seg.length
        ):
            out.append((names[i], names[j]))
    return out


def route_main_roads(
    city: City, lattice: Lattice, rng: np.random.Generator, params: StreetParams
) -> list[Route]:
    """Route the arterials, then the collectors, on the lattice."""
    plans: list[tuple[str, str, tuple[str, ...]]] = []
    for name, hwy, way in _ARTERIALS:
        pts = tuple(w for w in way if w in city.key_points)
        if len(pts) >= 2:
            plans.append((name, hwy, pts))
    links = _collector_links(city, params)
    order = rng.permutation(len(_COLLECTOR_NAMES))
    for i, (a, b) in enumerate(links):
        name = "Jl. " + _COLLECTOR_NAMES[order[i % len(order)]] + _ROMAN[i // len(order) % 10]
        plans.append((name, "tertiary", (a, b)))
    routes = []
    for rank, (name, hwy, way) in enumerate(plans):
        nodes = [lattice.nearest(city.key_points[w]) for w in way]
        path: list[int] = []
        for src, dst in itertools.pairwise(nodes):
            leg = lattice.route(src, dst)
            path += leg[1:] if path else leg
        if len(path) < 2:
            continue
        lattice.discount(path, params.route_discount, 0.25)
        routes.append(Route(name, hwy, rank, tuple(path)))
    logger.info("main roads: %d arterials/collectors routed", len(routes))
    return routes


_HIGHWAY_RANK = {"primary": 0, "secondary": 1, "tertiary": 2, "unclassified": 3, "residential": 4}


@dataclass(frozen=True)
class Chain:
    """A stretch of main road between junctions, as smoothed coordinates."""

    coords: np.ndarray
    name: str
    highway: str


def _route_chains(routes: Sequence[Route], lattice: Lattice, key_nodes: set[int]) -> list[Chain]:
    """Cut the union of routes at junctions and smooth each stretch."""
    owner: dict[tuple[int, int], Route] = {}
    adj: dict[int, set[int]] = {}
    for r in routes:  # routes are in rank order: the first owner of an edge keeps it
        for a, b in zip(r.path[:-1], r.path[1:]):
            key = (min(a, b), max(a, b))
            if key not in owner or _HIGHWAY_RANK[r.highway] < _HIGHWAY_RANK[owner[key].highway]:
                owner[key] = r
            adj.setdefault(a, set()).add(b)
            adj.setdefault(b, set()).add(a)
    stops = {n for n, nb in adj.items() if len(nb) != 2} | (key_nodes & set(adj))
    seen: set[tuple[int, int]] = set()
    chains = []
    for start in sorted(adj):
        for nxt in sorted(adj[start]):
            if (min(start, nxt), max(start, nxt)) in seen:
                continue
            if start not in stops and not _is_cycle_start(start, stops, adj):
                continue
            path = _walk(start, nxt, adj, stops, owner, seen)
            first = owner[(min(path[0], path[1]), max(path[0], path[1]))]
            coords = _rc(_chaikin(lattice.xy[path], 3))
            chains.append(Chain(coords, first.name, first.highway))
    return chains


def _is_cycle_start(node: int, stops: set[int], adj: dict[int, set[int]]) -> bool:
    """Whether ``node`` is the smallest node of a cycle with no junction (never cut)."""
    prev, cur = node, min(adj[node])
    while cur != node:
        if cur in stops:
            return False
        if cur < node:
            return False
        prev, cur = cur, next(n for n in sorted(adj[cur]) if n != prev)
    return True


def _walk(
    start: int,
    nxt: int,
    adj: dict[int, set[int]],
    stops: set[int],
    owner: dict[tuple[int, int], Route],
    seen: set[tuple[int, int]],
) -> list[int]:
    """Follow lattice edges from ``start`` until a junction, a name change or a loop."""
    path = [start, nxt]
    seen.add((min(start, nxt), max(start, nxt)))
    name = owner[(min(start, nxt), max(start, nxt))].name
    while path[-1] not in stops and path[-1] != start:
        cur, prev = path[-1], path[-2]
        step = next(n for n in sorted(adj[cur]) if n != prev)
        key = (min(cur, step), max(cur, step))
        if owner[key].name != name:
            stops.add(cur)
            break
        seen.add(key)
        path.append(step)
    return path


def _chaikin(coords: np.ndarray, iterations: int) -> np.ndarray:
    """Smooth a polyline by corner cutting, keeping both ends."""
    for _ in range(iterations):
        if len(coords) < 3:
            return coords
        q = 0.75 * coords[:-1] + 0.25 * coords[1:]
        r = 0.25 * coords[:-1] + 0.75 * coords[1:]
        mid = np.empty((2 * len(q), 2))
        mid[0::2], mid[1::2] = q, r
        coords = np.vstack([coords[:1], mid[1:-1], coords[-1:]])
    return coords


# ------------------------------------------------------------------ registry


@dataclass
class Network:
    """Vertices (UTM metres) and ways under construction."""

    xy: list[tuple[float, float]] = field(default_factory=list)
    index: dict[tuple[int, int], int] = field(default_factory=dict)
    ways: list[tuple[list[int], dict[str, str]]] = field(default_factory=list)

    def vertex(self, x: float, y: float) -> int:
        """Return the id of the vertex at (x, y) rounded to 1 cm, adding it if new."""
        key = (round(x * 100), round(y * 100))
        if key not in self.index:
            self.index[key] = len(self.xy)
            self.xy.append((key[0] / 100, key[1] / 100))
        return self.index[key]


def _crossings(chains: Sequence[Chain]) -> list[list[float]]:
    """For each chain, the distances along it where another chain crosses it."""
    if not chains:
        return []
    lines = [LineString(c.coords) for c in chains]
    tree = shapely.STRtree(lines)
    pairs = tree.query(lines, predicate="intersects")
    cuts: list[list[float]] = [[] for _ in chains]
    for i, j in zip(*pairs):
        if i >= j:
            continue
        inter = lines[i].intersection(lines[j])
        for g in getattr(inter, "geoms", [inter]):
            if g.geom_type != "Point":
                continue
            ends = [
                Point(lines[i].coords[0]),
                Point(lines[i].coords[-1]),
                Point(lines[j].coords[0]),
                Point(lines[j].coords[-1]),
            ]
            if min(g.distance(e) for e in ends) < 1.0:
                continue
            cuts[i].append(round(lines[i].project(g), COORD_DECIMALS))
            cuts[j].append(round(lines[j].project(g), COORD_DECIMALS))
    return cuts


def _resample(
    coords: np.ndarray, cuts: Iterable[float], spacing: SpacingField, factor: float
) -> np.ndarray:
    """Resample a polyline at the local spacing, keeping its ends and cut points."""
    seg = np.hypot(*np.diff(coords, axis=0).T)
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    anchors = sorted({0.0, float(cum[-1]), *[float(c) for c in cuts]})
    out = [0.0]
    for a, b in itertools.pairwise(anchors):
        mid = np.array(
            [[np.interp((a + b) / 2, cum, coords[:, 0]), np.interp((a + b) / 2, cum, coords[:, 1])]]
        )
        n = max(1, round((b - a) / (float(spacing(mid)[0]) * factor)))
        out += list(np.linspace(a, b, n + 1)[1:])
    d = np.asarray(out)
    return np.column_stack([np.interp(d, cum, coords[:, 0]), np.interp(d, cum, coords[:, 1])])


def add_main_roads(net: Network, chains: Sequence[Chain], spacing: SpacingField) -> list[list[int]]:
    """Add the main-road chains as ways; return each chain's vertex ids."""
    cuts = _crossings(chains)
    out = []
    for chain, cut in zip(chains, cuts):
        pts = _resample(chain.coords, cut, spacing, 1.0)
        ids = [net.vertex(float(x), float(y)) for x, y in pts]
        ids = [v for i, v in enumerate(ids) if i == 0 or v != ids[i - 1]]
        if len(ids) < 2:
            continue
        net.ways.append((ids, {"highway": chain.highway, "name": chain.name}))
        out.append(ids)
    return out


# --------------------------------------------------------------- fabric helpers


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, a: int) -> int:
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def union(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        self.parent[max(ra, rb)] = min(ra, rb)
        return True


def _angle_ok(xy: np.ndarray, dirs: list[list[float]], u: int, v: int, min_angle: float) -> bool:
    """Whether edge u-v leaves u at least ``min_angle`` away from u's other streets."""
    d = xy[v] - xy[u]
    a = math.atan2(d[1], d[0])
    for b in dirs[u]:
        diff = abs((a - b + math.pi) % (2 * math.pi) - math.pi)
        if diff < min_angle:
            return False
    return True


# --------------------------------------------------------------- ravines


def ravines(land: Polygon | MultiPolygon, rng: np.random.Generator) -> list[np.ndarray]:
    """Lay meandering ravines from inland sources to the sea, clipped to the land.

    Each runs from its source to 300 m past its mouth with a lateral meander (three sine
    terms, up to about 400 m) that vanishes at both ends.
    """
    tr = _to_utm()
    out = []
    for src, mouth in RAVINES_LONLAT:
        a, b = _rc(tr.transform(*src)), _rc(tr.transform(*mouth))
        d = b - a
        b = b + d / np.hypot(*d) * 300.0
        t = np.linspace(0.0, 1.0, 121)
        amp = rng.uniform(120.0, 260.0, 3) / np.arange(1, 4)
        phase = rng.uniform(0, 2 * math.pi, 3)
        off = (amp[None, :] * np.sin(math.pi * np.outer(t, np.arange(1, 4)) + phase)).sum(axis=1)
        off *= np.sin(math.pi * t)
        perp = np.array([-d[1], d[0]]) / np.hypot(*d)
        line = LineString(_rc(a + np.outer(t, b - a) + np.outer(off, perp)))
        for part in shapely.get_parts(line.intersection(land)):
            if part.geom_type == "LineString" and part.length > 200.0:
                out.append(_rc(part.coords))
    return out


def _segments(lines: Sequence[np.ndarray]) -> np.ndarray:
    """Split polylines into 2-point line geometries."""
    segs = [np.stack([c[:-1], c[1:]], axis=1) for c in lines if len(c) >= 2]
    return shapely.linestrings(np.vstack(segs)) if segs else np.array([], dtype=object)


# --------------------------------------------------------------- fabric


def _faces(land: Polygon | MultiPolygon, roads: Sequence[np.ndarray]) -> list[Polygon]:
    """Cut the land into the faces enclosed by main roads, ravines and the coast."""
    if not roads:
        return [p for p in shapely.get_parts(land) if p.area > 0]
    lines = [LineString(c) for c in roads if len(c) >= 2]
    noded = shapely.union_all([*lines, land.boundary])
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    out = [
        shapely.normalize(f)
        for f in faces
        if f.area > 100.0 and land.contains(f.representative_point())
    ]
    return sorted(out, key=lambda f: (round(f.centroid.x), round(f.centroid.y)))


@dataclass(frozen=True)
class FaceGrid:
    """Street points of one face on a rotated, wobbly grid, with grid indices."""

    xy: np.ndarray  # (n, 2)
    ij: np.ndarray  # (n, 2): column (along the streets), row


def _face_grid(
    face: Polygon, spacing: SpacingField, rng: np.random.Generator, params: StreetParams
) -> FaceGrid:
    """Lay a rotated grid of street points over a face: rows of streets and cross links.

    Rows run along the face's long axis ``row_factor`` spacings apart; points along a row
    are ``along_factor`` spacings apart. Rows wobble (low sine waves) and points jitter,
    so streets curve gently instead of forming a chessboard.
    """
    rep = face.representative_point()
    r = float(spacing(np.array([[rep.x, rep.y]]))[0])
    theta = _long_axis(face) + rng.normal(0.0, params.grid_twist)
    a, b = r * params.along_factor, r * params.row_factor
    c, s = math.cos(theta), math.sin(theta)
    # rotate about the face's corner, not the UTM origin 8,900 km away: there a change of
    # the angle in its last bits would move the whole grid by metres
    x0, y0 = (float(q) for q in _rc(face.bounds[:2]))
    ext = np.asarray(face.exterior.coords) - np.array([x0, y0])
    u, v = ext @ np.array([c, s]), ext @ np.array([-s, c])
    us = np.arange(u.min() - a * rng.uniform(), u.max() + a, a)
    vs = np.arange(v.min() - b * rng.uniform(), v.max() + b, b)
    gu, gv = np.meshgrid(us, vs)
    lam_u, lam_v = rng.uniform(5, 10) * a, rng.uniform(3, 6) * b
    ph = rng.uniform(0, 2 * math.pi, 2)
    gv = gv + params.wobble * b * np.sin(2 * math.pi * gu / lam_u + ph[0])
    gu = gu + params.wobble * a * np.sin(2 * math.pi * gv / lam_v + ph[1])
    gu = gu + rng.uniform(-params.jitter, params.jitter, gu.shape) * a
    gv = gv + rng.uniform(-params.jitter, params.jitter, gv.shape) * b
    x, y = _rc(x0 + gu * c - gv * s), _rc(y0 + gu * s + gv * c)
    inner = face.buffer(-0.45 * r)
    ok = shapely.contains_xy(inner, x, y) if not inner.is_empty else np.zeros(x.shape, bool)
    pts = np.column_stack([x[ok], y[ok]])
    if len(pts):
        ok2 = spacing.is_settled(pts)
        rows, cols = np.nonzero(ok)
        return FaceGrid(pts[ok2], np.column_stack([cols, rows])[ok2])
    return FaceGrid(np.zeros((0, 2)), np.zeros((0, 2), dtype=int))


def _long_axis(face: Polygon) -> float:
    """Direction (radians, in [0, pi)) of the long side of the face's smallest-area rectangle.

    Computed here from the convex hull rather than by GEOS, whose rectangle (and its vertex
    order) changed between versions: one of the hull's edge directions, ties to the first.
    """
    hull = _rc(np.asarray(shapely.normalize(face.convex_hull).exterior.coords))
    edge = np.diff(hull, axis=0)
    angles = np.unique(_rv(np.mod(np.arctan2(edge[:, 1], edge[:, 0]), math.pi / 2)))
    best: tuple[float, float] | None = None
    for a in angles:
        c, s = math.cos(a), math.sin(a)
        u, v = hull @ np.array([c, s]), hull @ np.array([-s, c])
        du, dv = float(np.ptp(u)), float(np.ptp(v))
        area = round(du * dv, 2)
        axis = a if du >= dv else a + math.pi / 2
        if best is None or area < best[0]:
            best = (area, axis)
    return float(best[1]) % math.pi if best is not None else 0.0


def _grid_edges(
    grid: FaceGrid, ids: Sequence[int], rng: np.random.Generator, params: StreetParams
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return a face grid's row edges, its chosen cross links, and its spare cross links.

    Cross links follow a staggered brick bond: between rows j and j+1 at every
    ``period``-th column, shifted from row to row so that most junctions are T junctions
    (with probability ``p_aligned`` a row keeps the previous shift: crossroads).
    """
    index = {(int(i), int(j)): ids[k] for k, (i, j) in enumerate(grid.ij)}
    period = 2 if rng.uniform() < params.p_period2 else 3
    rows = sorted({j for _, j in index})
    shift: dict[int, int] = {}
    prev = int(rng.integers(period))
    for j in rows:
        same = rng.uniform() < params.p_aligned
        prev = prev if same else (prev + 1 + int(rng.integers(period - 1))) % period
        shift[j] = prev
    along: list[tuple[int, int]] = []
    links: list[tuple[int, int]] = []
    spare: list[tuple[int, int]] = []
    for (i, j), k in sorted(index.items()):
        if (i + 1, j) in index:
            along.append((k, index[(i + 1, j)]))
        if (i, j + 1) in index:
            brick = (i + shift[j]) % period == 0
            (links if brick and rng.uniform() >= params.p_link_drop else spare).append(
                (k, index[(i, j + 1)])
            )
    return _pairs(along), _pairs(links), _pairs(spare)


def _pairs(edges: list[tuple[int, int]]) -> np.ndarray:
    return np.asarray(edges, dtype=int).reshape(-1, 2)


def _valid_edges(
    xy: np.ndarray, e: np.ndarray, land: Polygon | MultiPolygon, fixed_lines: np.ndarray | None
) -> np.ndarray:
    """Mask of edges that stay on land and do not cross any of ``fixed_lines``."""
    if not len(e):
        return np.zeros(0, dtype=bool)
    lines = shapely.linestrings(np.stack([xy[e[:, 0]], xy[e[:, 1]]], axis=1))
    tol = land.buffer(0.5)
    shapely.prepare(tol)
    ok = shapely.covers(tol, lines)
    if fixed_lines is not None and len(fixed_lines):
        ok[shapely.STRtree(fixed_lines).query(lines, predicate="crosses")[0]] = False
    return ok


def _delaunay_edges(xy: np.ndarray) -> np.ndarray:
    """Edges of the Delaunay triangulation (all pairs when there are too few points)."""
    if len(xy) < 4:
        return np.array(
            [(i, j) for i in range(len(xy)) for j in range(i + 1, len(xy))], dtype=int
        ).reshape(-1, 2)
    try:
        s = Delaunay(xy).simplices
    except QhullError:  # e.g. all points on one line
        return np.array([(i, i + 1) for i in range(len(xy) - 1)], dtype=int).reshape(-1, 2)
    e = np.vstack([s[:, [0, 1]], s[:, [1, 2]], s[:, [0, 2]]])
    return np.unique(np.sort(e, axis=1), axis=0)


@dataclass
class _Builder:
    """Degree and direction bookkeeping while streets are chosen."""

    xy: np.ndarray
    uf: _UnionFind
    deg: np.ndarray
    dirs: list[list[float]]
    chosen: list[tuple[int, int]] = field(default_factory=list)

    @classmethod
    def new(cls, xy: np.ndarray) -> _Builder:
        n = len(xy)
        return cls(xy, _UnionFind(n), np.zeros(n, dtype=int), [[] for _ in range(n)])

    def add(self, u: int, v: int, *, fabric: bool = True) -> None:
        self.uf.union(u, v)
        self.deg[u] += 1
        self.deg[v] += 1
        for a, b in ((u, v), (v, u)):
            d = self.xy[b] - self.xy[a]
            self.dirs[a].append(math.atan2(d[1], d[0]))
        if fabric:
            self.chosen.append((u, v))

    def angle_ok(self, u: int, v: int, min_angle: float) -> bool:
        return _angle_ok(self.xy, self.dirs, u, v, min_angle) and _angle_ok(
            self.xy, self.dirs, v, u, min_angle
        )


def select_streets(
    xy: np.ndarray,
    along: np.ndarray,
    links: np.ndarray,
    spare: np.ndarray,
    n_fixed: int,
    fixed_edges: set[tuple[int, int]],
    land: Polygon | MultiPolygon,
    barrier_lines: np.ndarray,
    spacing: np.ndarray,
    rng: np.random.Generator,
    params: StreetParams,
) -> list[tuple[int, int]]:
    """Choose the residential streets among grid edges, then connect everything.

    Rows are kept except for random breaks (``p_break``, dead ends); the brick-bond cross
    links are kept; loose points next to a main road join it with probability
    ``p_connect``. No residential street crosses a main road or a ravine
    (``barrier_lines``). Finally Kruskal over the remaining on-land edges (shortest first)
    joins any part left apart, bridging a ravine only as a last resort.
    """
    fe = np.array(sorted(fixed_edges), dtype=int).reshape(-1, 2)
    road_lines = (
        shapely.linestrings(np.stack([xy[fe[:, 0]], xy[fe[:, 1]]], axis=1))
        if len(fe)
        else np.array([], dtype=object)
    )
    barriers = np.concatenate([road_lines, barrier_lines])
    along = along[_valid_edges(xy, along, land, barriers)]
    links = links[_valid_edges(xy, links, land, barriers)]
    spare = spare[_valid_edges(xy, spare, land, barriers)]
    b = _Builder.new(xy)
    for u, v in fe:
        b.add(int(u), int(v), fabric=False)
    keep_along = rng.uniform(size=len(along)) >= params.p_break
    for u, v in np.vstack([along[keep_along], links]):
        b.add(int(u), int(v))
    dl = _delaunay_edges(xy)
    dl_roads = dl[_valid_edges(xy, dl, land, road_lines)]  # may bridge a ravine
    dl = dl[_valid_edges(xy, dl, land, barriers)]
    _connect_to_roads(b, dl, n_fixed, spacing, rng, params)
    _join_components(b, [np.vstack([along[~keep_along], spare]), dl, dl_roads], rng)
    return b.chosen


def add_spurs(
    net: Network,
    edges: list[tuple[int, int]],
    land: Polygon | MultiPolygon,
    barrier_lines: np.ndarray,
    rng: np.random.Generator,
    params: StreetParams,
) -> list[tuple[int, int]]:
    """Add short dead-end alleys (gang) off the middle of residential street edges.

    With probability ``p_spur`` an edge is split at a point near its middle, and a stub
    of 35-60 % of the edge's length leaves that point at a right angle, to one side.
    A stub that would leave the land or touch a street or a ravine is not added.
    """
    xy = np.asarray(net.xy, dtype=float).reshape(-1, 2)
    plans = []
    for u, v in edges:
        draw, at, side, frac = (
            rng.uniform(),
            rng.uniform(0.35, 0.65),
            rng.choice([-1.0, 1.0]),
            rng.uniform(0.35, 0.6),
        )
        d = xy[v] - xy[u]
        norm = float(np.hypot(*d))
        if draw < params.p_spur and norm > 0:
            mid = _rc(xy[u] + at * d)
            plans.append(((u, v), mid, _rc(mid + side * frac * np.array([-d[1], d[0]]))))
    if not plans:
        return list(edges)
    lines = shapely.linestrings([[mid, end] for _, mid, end in plans])
    ends = np.array([[xy[u], xy[v]] for u, v in edges])
    existing = np.concatenate([shapely.linestrings(ends), barrier_lines])
    ok = shapely.covers(land, lines)
    ok[shapely.STRtree(existing).query(lines, predicate="intersects")[0]] = False
    split = {}
    for (edge, mid, end), good in zip(plans, ok):
        if good:
            split[edge] = (
                net.vertex(float(mid[0]), float(mid[1])),
                net.vertex(float(end[0]), float(end[1])),
            )
    out = []
    for u, v in edges:
        if (u, v) in split:
            m, e = split[(u, v)]
            out += [(u, m), (m, v), (m, e)]
        else:
            out.append((u, v))
    return out


def _connect_to_roads(
    b: _Builder,
    dl: np.ndarray,
    n_fixed: int,
    spacing: np.ndarray,
    rng: np.random.Generator,
    params: StreetParams,
) -> None:
    """Join grid points next to a main road to it (T junctions), shortest links first."""
    one_fixed = (dl[:, 0] < n_fixed) != (dl[:, 1] < n_fixed)
    e = dl[one_fixed]
    length = _rv(np.hypot(*(b.xy[e[:, 0]] - b.xy[e[:, 1]]).T))
    e = e[np.argsort(length, kind="stable")]
    draws = rng.uniform(size=len(e))
    min_angle = math.radians(params.min_angle_deg)
    for (u, v), draw in zip(e, draws):
        u, v = int(u), int(v)
        road, pt = (u, v) if u < n_fixed else (v, u)
        if b.deg[pt] > 2 or b.deg[road] >= 4 or draw >= params.p_connect:
            continue
        if np.hypot(*(b.xy[u] - b.xy[v])) > 1.3 * spacing[pt]:
            continue
        if b.angle_ok(road, pt, min_angle):
            b.add(road, pt)


def _join_components(b: _Builder, pools: Sequence[np.ndarray], rng: np.random.Generator) -> None:
    """Kruskal over each pool of edges in turn (shortest first) to connect every part."""
    for pool in pools:
        if not len(pool):
            continue
        length = np.hypot(*(b.xy[pool[:, 0]] - b.xy[pool[:, 1]]).T)
        weight = _rv(length * rng.uniform(0.9, 1.1, len(pool)))
        for k in np.argsort(weight, kind="stable"):
            u, v = int(pool[k, 0]), int(pool[k, 1])
            if b.uf.find(u) != b.uf.find(v):
                b.add(u, v)


# ------------------------------------------------------------------- strokes


def strokes(
    xy: np.ndarray, edges: Sequence[tuple[int, int]], max_deflection_deg: float = 40.0
) -> list[list[int]]:
    """Chain edges into strokes that run straight on through junctions."""
    inc: dict[int, list[int]] = {}
    for k, (u, v) in enumerate(edges):
        inc.setdefault(u, []).append(k)
        inc.setdefault(v, []).append(k)
    partner: dict[tuple[int, int], int] = {}  # (node, edge) -> edge continuing through node
    limit = math.radians(max_deflection_deg)
    for node in sorted(inc):
        ks = inc[node]
        pairs = []
        for i in range(len(ks)):
            for j in range(i + 1, len(ks)):
                dev = _deflection(xy, node, edges[ks[i]], edges[ks[j]])
                if dev <= limit:
                    pairs.append((round(dev, VALUE_DECIMALS), ks[i], ks[j]))
        used: set[int] = set()
        for _, a, b in sorted(pairs):
            if a not in used and b not in used:
                partner[(node, a)] = b
                partner[(node, b)] = a
                used |= {a, b}
    done = np.zeros(len(edges), dtype=bool)
    out = []
    for k in range(len(edges)):
        if done[k]:
            continue
        done[k] = True
        u, v = edges[k]
        fwd = _extend(v, k, edges, partner, done)
        back = _extend(u, k, edges, partner, done)
        line = back[::-1] + [u, v] + fwd if (not fwd or fwd[-1] != u) else [u, v] + fwd
        out.append(line)
    return out


def _other(edge: tuple[int, int], node: int) -> int:
    return edge[1] if edge[0] == node else edge[0]


def _deflection(xy: np.ndarray, node: int, e1: tuple[int, int], e2: tuple[int, int]) -> float:
    a, b = xy[_other(e1, node)] - xy[node], xy[_other(e2, node)] - xy[node]
    cos = float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-12))
    return math.pi - math.acos(max(-1.0, min(1.0, cos)))


def _extend(
    node: int,
    k: int,
    edges: Sequence[tuple[int, int]],
    partner: dict[tuple[int, int], int],
    done: np.ndarray,
) -> list[int]:
    """Follow partners from edge k through ``node``; return the nodes beyond ``node``."""
    out: list[int] = []
    while (node, k) in partner and not done[partner[(node, k)]]:
        k = partner[(node, k)]
        done[k] = True
        node = _other(edges[k], node)
        out.append(node)
    return out


# ---------------------------------------------------------------- naming


@dataclass
class _Namer:
    """Hands out Indonesian-style street names from a theme per kelurahan."""

    rng: np.random.Generator
    themes: dict[str, list[str]] = field(default_factory=dict)
    used: dict[tuple[str, str], int] = field(default_factory=dict)

    def _theme(self, kel: str) -> list[str]:
        """Return the kelurahan's word pool (two themes, drawn on first use)."""
        if kel not in self.themes:
            picks = self.rng.choice(len(_THEMES), size=2, replace=False)
            words = [w for t in sorted(int(p) for p in picks) for w in _THEMES[t]]
            self.themes[kel] = [words[i] for i in self.rng.permutation(len(words))]
        return self.themes[kel]

    def street(self, kel: str) -> str:
        """Name a street "Jl. <word>", numbered I, II, III ... when the word repeats."""
        pool = self._theme(kel)
        word = pool[int(self.rng.integers(len(pool)))]
        n = self.used.get((kel, word), 0)
        self.used[(kel, word)] = n + 1
        return f"Jl. {word}{_ROMAN[n % len(_ROMAN)]}"

    def alley(self, kel: str) -> str:
        """Name an alley "Gg. <word> <n>" from the kelurahan's words or a civic word."""
        pool = self._theme(kel) if self.rng.uniform() < 0.6 else list(_ALLEY_WORDS)
        word = pool[int(self.rng.integers(len(pool)))]
        n = self.used.get((kel, "Gg. " + word), 0) + 1
        self.used[(kel, "Gg. " + word)] = n
        return f"Gg. {word} {n}"


def _kelurahan_of(points: np.ndarray, city: City) -> list[str]:
    """Return the kelurahan name of each point (nearest polygon)."""
    polys = [k.polygon for k in city.kelurahan]
    tree = shapely.STRtree(polys)
    idx = tree.query_nearest(shapely.points(points), all_matches=False)[1]
    return [city.kelurahan[int(i)].name for i in idx]


def name_strokes(
    xy: np.ndarray,
    lines: Sequence[list[int]],
    deg: np.ndarray,
    city: City,
    spacing: np.ndarray,
    rng: np.random.Generator,
    params: StreetParams,
) -> list[dict[str, str]]:
    """Tag each stroke: highway class, and a name for most of them."""
    if not lines:
        return []
    mids = np.array([xy[line[len(line) // 2]] for line in lines])
    kels = _kelurahan_of(mids, city)
    namer = _Namer(rng)
    tags = []
    for line, kel in zip(lines, kels):
        length = float(np.sum(np.hypot(*np.diff(xy[line], axis=0).T)))
        sparse = (
            float(np.mean(spacing[line]))
            > 0.5 * (params.spacing_max_m + params.spacing_min_m) * params.density_scale
        )
        dead = deg[line[0]] == 1 or deg[line[-1]] == 1
        t = {"highway": "unclassified" if sparse and length > 400 else "residential"}
        u = rng.uniform()
        if u < params.unnamed_share * (2.0 if sparse else 1.0):
            pass
        elif dead and length < 300 and not sparse:
            t["name"] = namer.alley(kel)
        else:
            t["name"] = namer.street(kel)
        tags.append(t)
    return tags


# ---------------------------------------------------------------- one-ways


def _way_adjacency(
    n: int, ways: Sequence[tuple[list[int], dict[str, str]]]
) -> list[dict[int, int]]:
    """Directed multiplicity adjacency of the ways (all two-way at first)."""
    adj: list[dict[int, int]] = [{} for _ in range(n)]
    for nodes, _ in ways:
        for a, b in itertools.pairwise(nodes):
            adj[a][b] = adj[a].get(b, 0) + 1
            adj[b][a] = adj[b].get(a, 0) + 1
    return adj


def _reaches(adj: list[dict[int, int]], src: int, dst: int) -> bool:
    seen = {src}
    queue = deque([src])
    while queue:
        a = queue.popleft()
        if a == dst:
            return True
        for b, k in adj[a].items():
            if k > 0 and b not in seen:
                seen.add(b)
                queue.append(b)
    return False


def choose_oneways(
    xy: np.ndarray,
    ways: list[tuple[list[int], dict[str, str]]],
    first_fabric: int,
    spacing: np.ndarray,
    rng: np.random.Generator,
    params: StreetParams,
) -> int:
    """Make pairs of nearby, nearly parallel dense streets one-way in opposite directions.

    A way becomes one-way only if its last node can still reach its first without it, so the
    network stays strongly connected. Returns the number of one-way ways.
    """
    cands = []
    dense_limit = float(np.quantile(spacing, 0.4))
    for w in range(first_fabric, len(ways)):
        nodes, tags = ways[w]
        length = float(np.sum(np.hypot(*np.diff(xy[nodes], axis=0).T)))
        if 120 < length < 900 and float(np.mean(spacing[nodes])) <= dense_limit and "name" in tags:
            cands.append(w)
    if not cands:
        return 0
    mids = np.array([xy[ways[w][0]].mean(axis=0) for w in cands])
    vec = np.array([xy[ways[w][0][-1]] - xy[ways[w][0][0]] for w in cands])
    vec /= np.linalg.norm(vec, axis=1)[:, None] + 1e-9
    tree = cKDTree(mids)
    adj = _way_adjacency(len(xy), ways)
    goal = int(params.oneway_share * len(ways))
    made = 0
    taken: set[int] = set()
    for i in rng.permutation(len(cands)):
        if made >= goal:
            break
        if i in taken:
            continue
        for j in sorted(tree.query_ball_point(mids[i], 320.0)):
            cos = float(np.dot(vec[i], vec[j]))
            if j == i or j in taken or abs(cos) < 0.85 or np.hypot(*(mids[i] - mids[j])) < 50:
                continue
            wi, wj = cands[i], cands[j]
            if _try_oneway(adj, ways[wi][0], forward=True):
                if _try_oneway(adj, ways[wj][0], forward=cos < 0):
                    _mark_oneway(ways, wi, True)
                    _mark_oneway(ways, wj, cos < 0)
                    taken |= {i, j}
                    made += 2
                    break
                _undo_oneway(adj, ways[wi][0], forward=True)
    return made


def _try_oneway(adj: list[dict[int, int]], nodes: list[int], *, forward: bool) -> bool:
    """Drop the reverse direction of a way if the network stays strongly connected."""
    seq = nodes if forward else nodes[::-1]
    for a, b in itertools.pairwise(seq):
        adj[b][a] -= 1
    if _reaches(adj, seq[-1], seq[0]):
        return True
    _undo_oneway(adj, nodes, forward=forward)
    return False


def _undo_oneway(adj: list[dict[int, int]], nodes: list[int], *, forward: bool) -> None:
    seq = nodes if forward else nodes[::-1]
    for a, b in itertools.pairwise(seq):
        adj[b][a] += 1


def _mark_oneway(ways: list[tuple[list[int], dict[str, str]]], w: int, forward: bool) -> None:
    nodes, tags = ways[w]
    ways[w] = (nodes if forward else nodes[::-1], {**tags, "oneway": "yes"})


# ---------------------------------------------------------------- bends


def add_bends(
    net: Network,
    land: Polygon | MultiPolygon,
    first_fabric: int,
    rng: np.random.Generator,
    params: StreetParams,
) -> None:
    """Give a share of fabric edges a gentle bend through a new shape vertex."""
    shapely.prepare(land)
    for w in range(first_fabric, len(net.ways)):
        nodes, tags = net.ways[w]
        out = [nodes[0]]
        for a, b in itertools.pairwise(nodes):
            draw_bend, draw_off = rng.uniform(), rng.normal(0.0, params.bend_sigma)
            if draw_bend < params.bend_share:
                pa, pb = np.asarray(net.xy[a]), np.asarray(net.xy[b])
                d = pb - pa
                off = float(np.clip(draw_off, -0.3, 0.3))
                mid = _rc((pa + pb) / 2 + off * np.array([-d[1], d[0]]))
                if shapely.contains_xy(land, mid[0], mid[1]):
                    out.append(net.vertex(float(mid[0]), float(mid[1])))
            out.append(b)
        net.ways[w] = (out, tags)


# ---------------------------------------------------------------- OSM XML


def _command(seed: int, params: StreetParams, out: Path | str) -> str:
    """The command that rewrites the file (path relative to the repository, else its name).

    The note must not depend on where the repository lives, so that the same seed gives
    the same bytes anywhere.
    """
    path = Path(out)
    root = DATA_DIR.parents[1]
    try:
        shown = path.resolve().relative_to(root).as_posix()
    except ValueError:
        shown = path.name
    cmd = f"python -m wasteroute.synthetic.streets --seed {seed} --out {shown}"
    if params.kelurahan_ids:
        cmd += " --kelurahan " + " ".join(params.kelurahan_ids)
    if params.density_scale != 1.0:
        cmd += f" --density-scale {params.density_scale:g}"
    return cmd


def to_osm_xml(net: Network, *, command: str, seed: int) -> bytes:
    """Serialise the network as OSM XML (deterministic: ids in order of first use)."""
    tr = _to_lonlat()
    ids: dict[int, int] = {}
    for nodes, _ in net.ways:
        for v in nodes:
            if v not in ids:
                ids[v] = len(ids) + 1
    order = sorted(ids, key=ids.__getitem__)
    xy = np.asarray(net.xy)[order]
    lon, lat = (np.round(a, 7) + 0.0 for a in tr.transform(xy[:, 0], xy[:, 1]))
    note = (
        f"SYNTHETIC street network of Kota Kupang, generated (not surveyed, not from "
        f"OpenStreetMap) by wasteroute.synthetic.streets version {GENERATOR_VERSION}, "
        f"seed {seed}: {command}"
    )
    lines = [
        "<?xml version='1.0' encoding='UTF-8'?>",
        f"<!-- {escape(note.split(': ')[0])} (full command in the note element) -->",
        f'<osm version="0.6" generator="wasteroute.synthetic.streets {GENERATOR_VERSION}">',
        f"  <note>{escape(note)}</note>",
        (
            f'  <bounds minlat="{lat.min():.7f}" minlon="{lon.min():.7f}" '
            f'maxlat="{lat.max():.7f}" maxlon="{lon.max():.7f}"/>'
        ),
    ]
    for i in range(len(order)):
        lines.append(f'  <node id="{i + 1}" version="1" lat="{lat[i]:.7f}" lon="{lon[i]:.7f}"/>')
    for w, (nodes, tags) in enumerate(net.ways, start=1):
        lines.append(f'  <way id="{w}" version="1">')
        lines += [f'    <nd ref="{ids[v]}"/>' for v in nodes]
        lines += [
            f"    <tag k={quoteattr(k)} v={quoteattr(v)}/>"
            for k, v in sorted({**tags, "synthetic": "yes"}.items())
        ]
        lines.append("  </way>")
    lines.append("</osm>")
    return ("\n".join(lines) + "\n").encode("utf-8")


# ---------------------------------------------------------------- pipeline


def generate_network(
    seed: int = DEFAULT_SEED, *, params: StreetParams | None = None, sources_dir: Path = SOURCES_DIR
) -> Network:
    """Generate the street network (in UTM metres) for a seed.

    With ``params.target_nodes`` set, the whole network is rebuilt (same seed) with all
    spacings rescaled until its junction count is within 1 % of the target, at most
    ``calibration_passes`` times; the pass closest to the target is kept.
    """
    params = params or StreetParams()
    city = load_city(
        sources_dir, kelurahan_ids=params.kelurahan_ids, area_exponent=params.area_exponent
    )
    scale = params.density_scale
    best: tuple[float, Network] | None = None
    passes = params.calibration_passes if params.target_nodes else 1
    for _ in range(passes):
        net = _build(seed, city, replace(params, density_scale=scale))
        if not params.target_nodes:
            return net
        ratio = junction_count(net) / params.target_nodes
        logger.info(
            "density scale %.4f: %d junctions (target %d)",
            scale,
            junction_count(net),
            params.target_nodes,
        )
        if best is None or abs(ratio - 1) < best[0]:
            best = (abs(ratio - 1), net)
        if abs(ratio - 1) <= 0.01:
            break
        scale *= math.sqrt(ratio)
    assert best is not None
    return best[1]


def junction_count(net: Network) -> int:
    """Count the vertices a simplified graph keeps: those not joining exactly two others."""
    nbrs: dict[int, set[int]] = {}
    for nodes, _ in net.ways:
        for a, b in itertools.pairwise(nodes):
            nbrs.setdefault(a, set()).add(b)
            nbrs.setdefault(b, set()).add(a)
    return sum(1 for n in nbrs.values() if len(n) != 2)


def _build(seed: int, city: City, params: StreetParams) -> Network:
    """Build the network once, from a fresh generator seeded with ``seed``."""
    rng = np.random.default_rng(seed)
    field_ = spacing_field(city, rng, params)
    lattice = build_lattice(city.land, rng, params)
    routes = route_main_roads(city, lattice, rng, params)
    key_nodes = {lattice.nearest(p) for p in city.key_points.values()}
    chains = _route_chains(routes, lattice, key_nodes)
    net = Network()
    road_ids = add_main_roads(net, chains, field_)
    n_fixed = len(net.xy)
    gullies = ravines(city.land, rng)
    barrier_lines = _segments(gullies)
    faces = _faces(city.land, [np.asarray(net.xy)[ids] for ids in road_ids] + gullies)
    parts: list[list[np.ndarray]] = [[], [], []]
    for face in faces:
        grid = _face_grid(face, field_, rng, params)
        ids = [net.vertex(float(x), float(y)) for x, y in grid.xy]
        for part, edges in zip(parts, _grid_edges(grid, ids, rng, params)):
            part.append(edges)
    xy = np.asarray(net.xy, dtype=float).reshape(-1, 2)
    fixed_edges = {(min(a, b), max(a, b)) for ids in road_ids for a, b in itertools.pairwise(ids)}
    along, links, spare = (np.vstack(p) if p else np.zeros((0, 2), dtype=int) for p in parts)
    fabric = select_streets(
        xy,
        along,
        links,
        spare,
        n_fixed,
        fixed_edges,
        city.land,
        barrier_lines,
        field_(xy),
        rng,
        params,
    )
    fabric = add_spurs(net, fabric, city.land, barrier_lines, rng, params)
    xy = np.asarray(net.xy, dtype=float).reshape(-1, 2)
    _add_fabric_ways(net, xy, fabric, fixed_edges, city, field_(xy), rng, params)
    logger.info(
        "synthetic streets: %d main-road vertices, %d faces, %d fabric points, "
        "%d fabric edges, %d ways",
        n_fixed,
        len(faces),
        len(xy) - n_fixed,
        len(fabric),
        len(net.ways),
    )
    return net


def _add_fabric_ways(
    net: Network,
    xy: np.ndarray,
    fabric: list[tuple[int, int]],
    fixed_edges: set[tuple[int, int]],
    city: City,
    spacing: np.ndarray,
    rng: np.random.Generator,
    params: StreetParams,
) -> None:
    """Turn fabric edges into named ways, pick one-way pairs, and bend the edges."""
    if not fabric:
        return
    deg = np.zeros(len(xy), dtype=int)
    for u, v in list(fixed_edges) + fabric:
        deg[u] += 1
        deg[v] += 1
    lines = strokes(xy, fabric)
    tags = name_strokes(xy, lines, deg, city, spacing, rng, params)
    first_fabric = len(net.ways)
    net.ways += [(line, t) for line, t in zip(lines, tags)]
    made = choose_oneways(xy, net.ways, first_fabric, spacing, rng, params)
    logger.info("one-way ways: %d of %d", made, len(net.ways))
    add_bends(net, city.land, first_fabric, rng, params)


def generate(
    seed: int = DEFAULT_SEED,
    out: Path | str = DEFAULT_OUT,
    *,
    params: StreetParams | None = None,
    sources_dir: Path = SOURCES_DIR,
) -> Path:
    """Generate the synthetic street network and write it as bzip2-compressed OSM XML.

    Parameters
    ----------
    seed
        Seed of the random generator; the same seed gives byte-identical output.
    out
        Output path; it should end in ``.osm.bz2`` and contain "synthetic".
    params
        Generator settings; the calibrated defaults when omitted.
    sources_dir
        Folder with the real boundary and voter files.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    ValueError
        If a kelurahan code is unknown, or the settings leave no street at all.
    """
    params = params or StreetParams()
    t0 = time.perf_counter()
    net = generate_network(seed, params=params, sources_dir=sources_dir)
    if not net.ways:
        msg = (
            f"no street was generated for seed {seed}: the area is too small or too sparse; "
            "lower --density-scale or add kelurahan"
        )
        raise ValueError(msg)
    xml = to_osm_xml(net, command=_command(seed, params, out), seed=seed)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(bz2.compress(xml, compresslevel=9))
    logger.info(
        "wrote %s: %d vertices, %d ways, %.0f kB, in %.1f s",
        out,
        len(net.xy),
        len(net.ways),
        out.stat().st_size / 1024,
        time.perf_counter() - t0,
    )
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m wasteroute.synthetic.streets [--seed N] [--out PATH]``."""
    ap = argparse.ArgumentParser(
        prog="python -m wasteroute.synthetic.streets",
        description="Write a seeded SYNTHETIC OSM street network of Kota Kupang.",
    )
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument(
        "--out", type=Path, default=Path("data/kupang/kupang_synthetic_streets.osm.bz2")
    )
    ap.add_argument(
        "--kelurahan",
        nargs="+",
        default=None,
        metavar="ID2013",
        help="restrict to these kelurahan (BPS ID2013 codes)",
    )
    ap.add_argument(
        "--density-scale",
        type=float,
        default=1.0,
        help="multiply every street spacing (above 1: thinner network)",
    )
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    kel = tuple(args.kelurahan) if args.kelurahan else None
    params = replace(StreetParams(), kelurahan_ids=kel, density_scale=args.density_scale)
    if kel or args.density_scale != 1.0:  # a part of the city, or a chosen density
        params = replace(params, target_nodes=None)
    try:
        path = generate(args.seed, args.out, params=params)
    except ValueError as exc:
        ap.error(str(exc))
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
