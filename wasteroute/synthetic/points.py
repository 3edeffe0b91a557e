"""Generate the synthetic collection points of Kota Kupang from real inputs, with a fixed seed.

No public list of Kupang's TPS (collection points) with coordinates exists, so the scenario's
points are generated. The inputs are real: the 51 kelurahan polygons, the share of each
kecamatan in the city's population (registered voters, Pilkada 2024) and the domain defaults
(0.5 kg per person per day, 250 kg/m³). Positions, labels, volumes and schedules are invented
by this script and the output says so in its name and in its ``generated`` column.

How a point is made
-------------------
1. City waste reaching a TPS per day = population × kg per person ÷ density
   × ``collected_share``, split over the kecamatan by their voter share.
2. About 70 steel containers (arm-roll) get a collection frequency first (daily at the two big
   markets, a few three or two times a week, most once a week), spread over Monday to Saturday
   so that each weekday has the same number of containers due. A container's volume per
   collection is drawn between 3 and 5.8 m³ (one container is one arm-roll trip).
3. What is left of a kecamatan's waste is spread over its kelurahan in proportion to the square
   root of their area (large peri-urban kelurahan such as Naioni or Fatukoa are mostly empty
   land), and over masonry bins (bak) and roadside points; denser kecamatan get more bak.
   Roadside points in the sparsest kelurahan are collected three times a week and carry the
   waste of the longest gap between collections.
4. Each point is put on a random street of its kelurahan in the street network file, at a random
   position along it, 5–40 m to one side, so that it is inside the kelurahan polygon and snaps to
   the network well within 300 m. Labels use the street's name and an invented landmark.

Run ``python -m wasteroute.synthetic.points --help``; the defaults rebuild
``data/kupang/collection_points_synthetic.csv`` byte for byte.
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Point
from shapely.strtree import STRtree

from ..config import Fleet, ServiceSettings
from ..errors import InputError

log = logging.getLogger("wasteroute")

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = REPO_ROOT / "data" / "kupang"
DEFAULT_KELURAHAN = DATA_DIR / "sources" / "kota_kupang_kelurahan_51.geojson"
DEFAULT_VOTERS = DATA_DIR / "sources" / "kecamatan_voters_dps_2024.csv"
DEFAULT_STREETS = DATA_DIR / "kupang_synthetic_streets.osm.bz2"
DEFAULT_OUT = DATA_DIR / "collection_points_synthetic.csv"
DEFAULT_FLEET = DATA_DIR / "fleet.toml"

#: Metric CRS for offsets and spacing: UTM zone 51S.
UTM_CRS = "EPSG:32751"

#: Columns of the generated CSV, in order.
COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "label",
    "kelurahan",
    "kecamatan",
    "lon",
    "lat",
    "kind",
    "volume_m3",
    "service_s",
    "ready_from",
    "latest",
    "days",
    "frequency",
    "max_gap_days",
    "m3_per_day",
    "street",
    "generated",
)

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

#: Weekly patterns per number of collections a week, over Monday to Saturday.
PATTERNS: dict[int, tuple[str, ...]] = {
    7: ("daily",),
    3: ("mon,wed,fri", "tue,thu,sat"),
    2: ("mon,thu", "tue,fri", "wed,sat"),
    1: ("mon", "tue", "wed", "thu", "fri", "sat"),
}

#: The boundary file's spelling and kecamatan differ from the 2024 KPU figures in three places.
#: Nefonaek and Pasir Panjang lie inside Kota Lama in the RBI kecamatan polygons and are counted
#: there by the KPU (Kota Lama 10 kelurahan, Kelapa Lima 5), so they are moved to Kota Lama.
KECAMATAN_SPELLING = {"Kota Radja": "Kota Raja"}
KECAMATAN_OF_KELURAHAN = {"Nefonaek": "Kota Lama", "Pasir Panjang": "Kota Lama"}

MAIN_ROADS = frozenset({"motorway", "trunk", "primary", "secondary", "tertiary"})
BIG_ROADS = frozenset({"motorway", "trunk", "primary", "secondary"})

#: Markets that get the most frequently emptied containers, in order (kelurahan, label).
#: Real market names; the generated position is NOT the market's real position.
MARKETS: tuple[tuple[str, str], ...] = (
    ("Oeba", "Pasar Oeba"),
    ("Naikoten I", "Pasar Kasih Naikoten"),
    ("Oebobo", "Pasar Oebobo"),
    ("Oesapa", "Pasar Oesapa"),
    ("Kuanino", "Pasar Kuanino"),
    ("Penfui", "Pasar Penfui"),
)

CHURCHES = (
    "Betel",
    "Imanuel",
    "Efata",
    "Sion",
    "Pniel",
    "Kalvari",
    "Elim",
    "Getsemani",
    "Galed",
    "Syalom",
    "Maranatha",
    "Bethesda",
    "Paulus",
    "Petrus",
)
MOSQUES = (
    "Al-Ikhlas",
    "Nurul Iman",
    "An-Nur",
    "Al-Muttaqin",
    "Baiturrahman",
    "Al-Hidayah",
    "At-Taqwa",
    "Nurul Huda",
)


@dataclass(frozen=True)
class PointsSettings:
    """Parameters of the generator; every number is a documented estimate, not a fact.

    ``container_plan`` maps collections per week (7 = daily) to a number of containers.
    """

    seed: int = 2026
    n_points: int = 600
    population: int = 475_000  # BPS 2024, domain.md
    kg_per_person_day: float = 0.5  # domain.md default
    density_kg_m3: float = 250.0  # domain.md default
    collected_share: float = 0.26  # see data/kupang/README.md for why
    # 70 containers (domain.md: 60-70); 15 due per weekday for 8 arm-roll × 2 lifts = 16.
    container_plan: Mapping[int, int] = field(default_factory=lambda: {7: 2, 3: 2, 2: 6, 1: 60})
    container_m3: tuple[float, float] = (3.0, 5.8)
    market_container_m3: tuple[float, float] = (4.0, 5.8)
    bak_m3: tuple[float, float] = (0.5, 3.0)
    roadside_m3: tuple[float, float] = (0.2, 1.5)
    min_points_per_kelurahan: int = 3
    # Containers may take at most this share of a kecamatan's waste.
    max_container_share: float = 0.5
    # Containers per kecamatan ∝ waste × (density / median density) ** power.
    container_density_power: float = 0.25
    # Share of bak among bak+roadside, from the sparsest to the densest kecamatan.
    bak_share_range: tuple[float, float] = (0.30, 0.60)
    # Kelurahan below this density quantile are "sparse": many roadside points 3×/week.
    sparse_quantile: float = 0.5
    sparse_roadside_scheduled: float = 0.7
    # Kelurahan whose dumping window ends at 06:00 instead of 05:00.
    late_window_kelurahan: int = 8
    main_road_latest_share: float = 0.5
    offset_m: tuple[float, float] = (5.0, 40.0)
    min_spacing_m: float = 60.0

    def __post_init__(self) -> None:
        if not 0 < self.collected_share <= 1:
            raise InputError(f"collected_share {self.collected_share} must be in (0, 1]")
        bad = sorted(set(self.container_plan) - set(PATTERNS))
        if bad:
            raise InputError(f"container_plan: collections per week {bad}; use {sorted(PATTERNS)}")
        if self.n_points <= self.n_containers:
            raise InputError(
                f"n_points {self.n_points} must exceed the {self.n_containers} containers"
            )

    @property
    def n_containers(self) -> int:
        """Number of steel containers."""
        return sum(self.container_plan.values())

    @property
    def city_m3_per_day(self) -> float:
        """Waste reaching a TPS per day in the whole city (m³, loose)."""
        kg = self.population * self.kg_per_person_day * self.collected_share
        return kg / self.density_kg_m3

    @property
    def generated_tag(self) -> str:
        """Value of the ``generated`` column."""
        return f"synthetic (wasteroute.synthetic.points seed {self.seed})"


@dataclass
class Spec:
    """A point before it has a place: kind, schedule and volume per collection."""

    kelurahan: str
    kind: str
    days: str
    volume_m3: float
    market: str = ""


# ---------------------------------------------------------------- inputs


def load_kelurahan(path: str | Path = DEFAULT_KELURAHAN) -> pd.DataFrame:
    """Read the kelurahan polygons with cleaned names, kecamatan and area.

    Returns a table sorted by kecamatan and kelurahan with columns ``kelurahan``,
    ``kecamatan``, ``id2013``, ``area_km2``, ``geometry`` (2D, lon/lat) and ``geometry_m`` (UTM).
    """
    import geopandas as gpd

    gdf = gpd.read_file(path)
    kel = gdf["DESA"].map(lambda s: " ".join(str(s).split()))
    kec = gdf["KECAMATAN"].map(lambda s: KECAMATAN_SPELLING.get(str(s), str(s)))
    kec = [KECAMATAN_OF_KELURAHAN.get(k, c) for k, c in zip(kel, kec, strict=True)]
    geom = shapely.force_2d(gdf.geometry.to_numpy())
    geom_m = gpd.GeoSeries(geom, crs="EPSG:4326").to_crs(UTM_CRS)
    table = pd.DataFrame(
        {
            "kelurahan": kel,
            "kecamatan": kec,
            "id2013": gdf["ID2013"].astype(str),
            "area_km2": geom_m.area.to_numpy() / 1e6,
            "geometry": geom,
            "geometry_m": geom_m.to_numpy(),
        }
    )
    return table.sort_values(["kecamatan", "kelurahan"]).reset_index(drop=True)


def load_shares(path: str | Path = DEFAULT_VOTERS) -> dict[str, float]:
    """Share of each kecamatan in the city's registered voters (the population proxy)."""
    raw = pd.read_csv(path)
    raw = raw[~raw["kecamatan"].str.contains("total", case=False)]
    voters = dict(zip(raw["kecamatan"], raw["voters_total"].astype(float), strict=True))
    total = sum(voters.values())
    return {k: v / total for k, v in sorted(voters.items())}


@dataclass
class Streets:
    """Street pieces of one kelurahan (UTM metres) with their name and highway class."""

    lines: list[LineString]
    names: list[str]
    highways: list[str]


def _first(value: Any) -> str:
    """First value of an OSM attribute that osmnx may have merged into a list."""
    if isinstance(value, list):
        value = min(str(v) for v in value) if value else ""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def load_street_edges(path: str | Path) -> pd.DataFrame:
    """Read the street network file and return its undirected edges in UTM metres.

    Only the largest strongly connected part is kept, so that every point snaps to a street
    the trucks can reach and leave.

    Raises
    ------
    InputError
        If the file does not exist.
    """
    import osmnx as ox

    p = Path(path)
    if not p.is_file():
        msg = f"street network {p} does not exist; generate it or pass --streets PATH"
        raise InputError(msg)
    old_tags = list(ox.settings.useful_tags_way)
    ox.settings.useful_tags_way = [*old_tags, "synthetic"]
    try:
        graph = ox.graph_from_xml(p, retain_all=False)
    finally:
        ox.settings.useful_tags_way = old_tags
    graph = ox.truncate.largest_component(graph, strongly=True)
    edges = ox.convert.graph_to_gdfs(ox.convert.to_undirected(graph), nodes=False)
    edges = edges.sort_index().to_crs(UTM_CRS)
    log.info("streets: %d undirected edges from %s", len(edges), p.name)
    return pd.DataFrame(
        {
            "geometry": edges.geometry.to_numpy(),
            "name": [_first(v) for v in edges.get("name", pd.Series([""] * len(edges)))],
            "highway": [_first(v) for v in edges["highway"]],
        }
    )


def streets_by_kelurahan(kel: pd.DataFrame, edges: pd.DataFrame) -> dict[str, Streets]:
    """Clip the street edges to each kelurahan polygon."""
    tree = STRtree(edges["geometry"].to_numpy())
    out: dict[str, Streets] = {}
    for name, poly in zip(kel["kelurahan"], kel["geometry_m"], strict=True):
        s = Streets([], [], [])
        for i in sorted(tree.query(poly, predicate="intersects")):
            piece = edges["geometry"].iat[i].intersection(poly)
            for line in getattr(piece, "geoms", [piece]):
                if isinstance(line, LineString) and line.length >= 10:
                    s.lines.append(line)
                    s.names.append(edges["name"].iat[i])
                    s.highways.append(edges["highway"].iat[i])
        out[name] = s
    return out


# ---------------------------------------------------------------- how many, where, how much


def apportion(total: int, weights: Sequence[float], minimum: int = 0) -> list[int]:
    """Split ``total`` into integers proportional to ``weights``, none below ``minimum``.

    Parts whose share falls below the minimum get the minimum and the rest is shared again
    among the others; fractions go by largest remainder (ties to the first).

    Raises
    ------
    InputError
        If ``total`` cannot give every part its minimum.
    """
    w = np.asarray(weights, dtype=float)
    n = len(w)
    if total < minimum * n:
        raise InputError(f"cannot give {n} parts at least {minimum} each out of {total}")
    fixed = np.zeros(n, dtype=bool)
    while True:
        free_total = total - minimum * fixed.sum()
        share = np.where(fixed, float(minimum), free_total * w / max(w[~fixed].sum(), 1e-12))
        low = ~fixed & (share < minimum)
        if not low.any():
            break
        fixed |= low
    counts = np.floor(share).astype(int)
    order = np.argsort(-(share - counts), kind="stable")
    for i in order[: total - counts.sum()]:
        counts[i] += 1
    return [int(c) for c in counts]


def max_gap_days(days: str) -> int:
    """Longest gap in days between two collections of a weekly pattern (1 for daily)."""
    if days == "daily":
        return 1
    idx = sorted(WEEKDAYS.index(d) for d in days.split(","))
    gaps = [b - a for a, b in itertools.pairwise(idx)] + [idx[0] + 7 - idx[-1]]
    return max(gaps)


def due_on(days: str, weekday: str) -> bool:
    """Whether a pattern is collected on a weekday (``"mon"`` ... ``"sun"``)."""
    return days == "daily" or weekday in days.split(",")


def container_schedules(settings: PointsSettings) -> list[str]:
    """Weekly patterns of every container, most frequent first, balanced over Monday to Saturday."""
    load = dict.fromkeys(WEEKDAYS[:6], 0)
    out = []
    for per_week in sorted(settings.container_plan, reverse=True):
        for _ in range(settings.container_plan[per_week]):
            best = min(
                PATTERNS[per_week],
                key=lambda p: (
                    max(load[d] + due_on(p, d) for d in load),
                    sum(load[d] for d in load if due_on(p, d)),
                ),
            )
            for d in load:
                load[d] += due_on(best, d)
            out.append(best)
    return out


def kecamatan_table(
    kel: pd.DataFrame, shares: Mapping[str, float], settings: PointsSettings
) -> pd.DataFrame:
    """Per kecamatan: share, waste m³/day, area and density (people per km²)."""
    missing = sorted(set(kel["kecamatan"]) - set(shares))
    if missing:
        raise InputError(f"no population share for kecamatan {missing}; check the voters file")
    area = kel.groupby("kecamatan")["area_km2"].sum()
    rows = []
    for kec in sorted(area.index):
        people = shares[kec] * settings.population
        rows.append(
            {
                "kecamatan": kec,
                "share": shares[kec],
                "m3_day": shares[kec] * settings.city_m3_per_day,
                "area_km2": area[kec],
                "density": people / area[kec],
            }
        )
    return pd.DataFrame(rows).set_index("kecamatan")


def container_specs(
    kel: pd.DataFrame, kec: pd.DataFrame, settings: PointsSettings, rng: np.random.Generator
) -> list[Spec]:
    """Containers with their kelurahan, schedule and volume per collection."""
    schedules = container_schedules(settings)
    markets = [m for m in MARKETS if m[0] in set(kel["kelurahan"])][: len(schedules)]
    specs = []
    for (kelurahan, label), days in zip(markets, schedules, strict=False):
        vol = rng.uniform(
            *(settings.market_container_m3 if days == "daily" else settings.container_m3)
        )
        specs.append(Spec(kelurahan, "container", days, round(vol, 2), market=label))
    rest = schedules[len(markets) :]
    # Denser kecamatan get more containers per m³ (markets, main roads, offices).
    weight = (
        kec["m3_day"]
        * (kec["density"] / kec["density"].median()) ** settings.container_density_power
    )
    counts = dict(zip(kec.index, apportion(len(rest), weight.to_list()), strict=True))
    kec_of = [k for k in kec.index for _ in range(counts[k])]
    rng.shuffle(kec_of)
    per_kel: dict[str, int] = {}
    for days, kc in zip(rest, kec_of, strict=True):
        cand = kel[kel["kecamatan"] == kc]
        w = np.sqrt(cand["area_km2"].to_numpy()) / (
            1 + np.array([per_kel.get(k, 0) for k in cand["kelurahan"]])
        )
        kelurahan = str(rng.choice(cand["kelurahan"].to_numpy(), p=w / w.sum()))
        per_kel[kelurahan] = per_kel.get(kelurahan, 0) + 1
        specs.append(
            Spec(kelurahan, "container", days, round(rng.uniform(*settings.container_m3), 2))
        )
    return specs


def daily_rate(spec: Spec) -> float:
    """Average m³ per day that a point collects (its volume spread over the longest gap)."""
    return spec.volume_m3 / max_gap_days(spec.days)


def fill_volumes(
    rate_m3_day: float, weights: np.ndarray, gaps: np.ndarray, bounds: np.ndarray
) -> np.ndarray:
    """Split a kelurahan's daily waste over its points, then clip each volume into its bounds.

    Volume per collection = daily share × longest gap. Clipped points keep their bound and the
    others are rescaled, a few rounds, so the kelurahan total holds where the bounds allow it.
    """
    vol = rate_m3_day * weights / weights.sum() * gaps
    for _ in range(8):
        clipped = np.clip(vol, bounds[:, 0], bounds[:, 1])
        free = clipped == vol
        excess = rate_m3_day - (clipped / gaps).sum()
        vol = clipped
        if abs(excess) < 1e-6 or not free.any():
            break
        free_rate = (vol[free] / gaps[free]).sum()
        vol[free] *= max(0.0, 1 + excess / free_rate)
    return np.round(np.clip(vol, bounds[:, 0], bounds[:, 1]), 2)


def kelurahan_rates(
    kel: pd.DataFrame, kec: pd.DataFrame, containers: list[Spec], settings: PointsSettings
) -> pd.DataFrame:
    """Per kelurahan: m³/day left for bak and roadside points, people, and whether it is sparse.

    A kecamatan's waste minus its containers' is split over its kelurahan by the square root of
    their area; people are split the same way.

    Raises
    ------
    InputError
        If containers would take too much of a kecamatan's waste.
    """
    kec_of_kel = dict(zip(kel["kelurahan"], kel["kecamatan"], strict=True))
    c_rate = dict.fromkeys(kec.index, 0.0)
    for c in containers:
        c_rate[kec_of_kel[c.kelurahan]] += daily_rate(c)
    too_much = [
        k for k in kec.index if c_rate[k] > settings.max_container_share * kec.at[k, "m3_day"]
    ]
    if too_much:
        msg = (
            f"containers take more than {settings.max_container_share:.0%} of the waste of "
            f"{too_much}; raise collected_share or use fewer containers"
        )
        raise InputError(msg)
    w = np.sqrt(kel["area_km2"])
    frac = w / w.groupby(kel["kecamatan"]).transform("sum")
    rest = kel["kecamatan"].map(lambda k: kec.at[k, "m3_day"] - c_rate[k])
    people = kel["kecamatan"].map(kec["share"]) * settings.population * frac
    density = people / kel["area_km2"]
    out = kel[["kelurahan", "kecamatan"]].assign(
        m3_day=rest * frac,
        people=people,
        sparse=density <= density.quantile(settings.sparse_quantile),
    )
    return out.reset_index(drop=True)


def manual_specs(
    kel: pd.DataFrame,
    kec: pd.DataFrame,
    containers: list[Spec],
    settings: PointsSettings,
    rng: np.random.Generator,
) -> list[Spec]:
    """Bak and roadside points of every kelurahan with their schedule and volume.

    The number of points of a kelurahan follows its waste (at least ``min_points_per_kelurahan``);
    denser kecamatan get a larger share of bak.
    """
    rates = kelurahan_rates(kel, kec, containers, settings)
    counts = apportion(
        settings.n_points - len(containers),
        rates["m3_day"].to_list(),
        settings.min_points_per_kelurahan,
    )
    logd = np.log(kec["density"])
    lo, hi = settings.bak_share_range
    p_bak = lo + (hi - lo) * (logd - logd.min()) / (logd.max() - logd.min())
    specs: list[Spec] = []
    turn = 0
    for row, n in zip(rates.itertuples(index=False), counts, strict=True):
        kinds = sorted(
            "bak" if rng.random() < p_bak[row.kecamatan] else "roadside" for _ in range(n)
        )
        days = []
        for kind in kinds:
            scheduled = bool(
                kind == "roadside"
                and row.sparse
                and rng.random() < settings.sparse_roadside_scheduled
            )
            days.append(PATTERNS[3][turn % 2] if scheduled else "daily")
            turn += scheduled
        bounds = np.array([settings.bak_m3 if k == "bak" else settings.roadside_m3 for k in kinds])
        # Each point gets its own floor a little above the kind's minimum, so that points
        # of a thin kelurahan do not all sit on the same value.
        bounds[:, 0] *= rng.uniform(1.0, 1.3, size=len(kinds))
        vols = fill_volumes(
            row.m3_day,
            point_weights(kinds, days, rng),
            np.array([max_gap_days(d) for d in days], dtype=float),
            bounds,
        )
        specs.extend(
            Spec(row.kelurahan, kind, d, float(v))
            for kind, d, v in zip(kinds, days, vols, strict=True)
        )
    return specs


def point_weights(
    kinds: Sequence[str], days: Sequence[str], rng: np.random.Generator
) -> np.ndarray:
    """Relative daily waste of each point: a bak collects more than a roadside heap."""
    median = {"bak": 2.2, "roadside": 0.9, "scheduled": 0.4}
    keys = [
        k if k == "bak" or d == "daily" else "scheduled" for k, d in zip(kinds, days, strict=True)
    ]
    return np.array([rng.lognormal(math.log(median[k]), 0.35) for k in keys])


# ---------------------------------------------------------------- placement and labels


@dataclass
class Placed:
    """Where a point went: lon/lat and the street it stands beside."""

    lon: float
    lat: float
    street: str
    highway: str


_KIND_ROAD_WEIGHT = {
    "market": (10.0, 1.0),  # (main roads, other streets)
    "container": (6.0, 1.0),
    "bak": (0.7, 2.5),
    "roadside": (1.0, 1.5),
}


class Placer:
    """Put points beside the streets of a kelurahan, inside its polygon, apart from each other."""

    def __init__(
        self,
        kel: pd.DataFrame,
        streets: Mapping[str, Streets],
        settings: PointsSettings,
        rng: np.random.Generator,
    ) -> None:
        self.poly = dict(zip(kel["kelurahan"], kel["geometry"], strict=True))
        self.poly_m = dict(zip(kel["kelurahan"], kel["geometry_m"], strict=True))
        self.streets = streets
        self.settings = settings
        self.rng = rng
        self.to_ll = Transformer.from_crs(UTM_CRS, "EPSG:4326", always_xy=True)
        self.taken: dict[str, list[tuple[float, float]]] = {}

    def place(self, spec: Spec) -> Placed:
        """Place one point; fall back to the street closest to a random inner point.

        Raises
        ------
        InputError
            If the kelurahan has no street at all.
        """
        s = self.streets[spec.kelurahan]
        if not s.lines:
            msg = (
                f"kelurahan {spec.kelurahan} has no street in the network; "
                "regenerate the street network so that it covers every kelurahan"
            )
            raise InputError(msg)
        main, other = _KIND_ROAD_WEIGHT["market" if spec.market else spec.kind]
        w = np.array(
            [
                ln.length * (main if hw in MAIN_ROADS else other)
                for ln, hw in zip(s.lines, s.highways, strict=True)
            ]
        )
        w = w / w.sum()
        spacing = self.settings.min_spacing_m
        for attempt in range(300):
            if attempt in (100, 200):
                spacing /= 2
            i = int(self.rng.choice(len(s.lines), p=w))
            got = self._try(spec.kelurahan, s.lines[i], spacing)
            if got is not None:
                return Placed(got[0], got[1], s.names[i], s.highways[i])
        msg = f"could not place a {spec.kind} point in kelurahan {spec.kelurahan} after 300 tries"
        raise InputError(msg)

    def _try(self, kelurahan: str, line: LineString, spacing: float) -> tuple[float, float] | None:
        lo, hi = self.settings.offset_m
        s = self.rng.uniform(0.1, 0.9) * line.length
        a = line.interpolate(max(0.0, s - 1.0))
        b = line.interpolate(min(line.length, s + 1.0))
        p = line.interpolate(s)
        dx, dy = b.x - a.x, b.y - a.y
        norm = math.hypot(dx, dy) or 1.0
        side = 1.0 if self.rng.random() < 0.5 else -1.0
        d = self.rng.uniform(lo, hi)
        x, y = p.x - side * d * dy / norm, p.y + side * d * dx / norm
        taken = self.taken.setdefault(kelurahan, [])
        if taken and min(math.hypot(x - tx, y - ty) for tx, ty in taken) < spacing:
            return None
        lon, lat = self.to_ll.transform(x, y)
        lon, lat = round(lon, 6), round(lat, 6)
        if not self.poly[kelurahan].contains(Point(lon, lat)):
            return None
        taken.append((x, y))
        return lon, lat


def street_label(name: str) -> str:
    """Short street name as crews write it: ``Jl. …``, ``Gg. …``."""
    name = " ".join(name.split())
    for long, short in (("Jalan ", "Jl. "), ("Gang ", "Gg. "), ("Lorong ", "Lr. ")):
        if name.startswith(long):
            return short + name[len(long) :]
    if not name or name.startswith(("Jl.", "Gg.", "Lr.")):
        return name
    return "Jl. " + name


def landmark(kind: str, kelurahan: str, kecamatan: str, rng: np.random.Generator) -> str:
    """An invented landmark of a given type."""
    n = int(rng.integers(1, 17))
    options = {
        "gereja": f"Gereja {rng.choice(CHURCHES)}",
        "masjid": f"Masjid {rng.choice(MOSQUES)}",
        "sd": f"SD Inpres {kelurahan}" if n % 2 else f"SDN {kelurahan} {n % 4 + 1}",
        "sekolah": f"SMP Negeri {n} Kupang" if n % 2 else f"SMA Negeri {n % 12 + 1} Kupang",
        "puskesmas": f"Puskesmas {kelurahan}" if n % 3 else f"Pustu {kelurahan}",
        "kantor lurah": f"Kantor Lurah {kelurahan}",
        "kantor camat": f"Kantor Camat {kecamatan}",
        "terminal": "Terminal Angkot" if n % 2 else "Pangkalan Ojek",
        "pertokoan": "Pertokoan" if n % 2 else "Kios",
        "lapangan": f"Lapangan {kelurahan}",
        "pos kamling": f"Pos Kamling RT {n:02d}",
    }
    return options[kind]


_LANDMARKS = {
    "container": (
        "sekolah",
        "kantor lurah",
        "kantor camat",
        "terminal",
        "pertokoan",
        "puskesmas",
        "gereja",
    ),
    "bak": ("gereja", "masjid", "sd", "puskesmas", "lapangan", "pos kamling", "pertokoan"),
    "roadside": ("gereja", "masjid", "sd", "pertokoan", "lapangan", "pos kamling"),
}


def make_label(spec: Spec, kecamatan: str, street: str, rng: np.random.Generator) -> str:
    """Landmark-style label such as ``Kontainer Jl. El Tari dekat Gereja Betel``."""
    word = {"container": "Kontainer", "bak": "Bak", "roadside": "Titik"}[spec.kind]
    if spec.market:
        return f"{word} {spec.market}"
    road = street_label(street)
    rt = f"RT {int(rng.integers(1, 25)):02d}"
    mark = landmark(str(rng.choice(_LANDMARKS[spec.kind])), spec.kelurahan, kecamatan, rng)
    style = int(rng.integers(0, 3)) if road else 1
    if style == 0:
        return f"{word} {road} dekat {mark}"
    if style == 1:
        return f"{word} depan {mark}" if spec.kind != "roadside" else f"Depan {mark}"
    rw = f"/RW {int(rng.integers(1, 9)):02d}" if spec.kind == "roadside" else ""
    return f"{word} {road} {rt}{rw}"


def windows(
    spec: Spec, highway: str, late: bool, settings: PointsSettings, rng: np.random.Generator
) -> tuple[str, str]:
    """``ready_from`` (end of the residents' dumping window) and optional ``latest``."""
    if spec.market:
        return "04:30", "09:00"
    ready = "06:00" if late else "05:00"
    main_road = highway in BIG_ROADS and spec.kind != "container"
    latest = "09:00" if main_road and rng.random() < settings.main_road_latest_share else ""
    return ready, latest


# ---------------------------------------------------------------- the whole table


def generate(
    streets_path: str | Path = DEFAULT_STREETS,
    *,
    settings: PointsSettings | None = None,
    kelurahan_path: str | Path = DEFAULT_KELURAHAN,
    voters_path: str | Path = DEFAULT_VOTERS,
    service: ServiceSettings | None = None,
) -> pd.DataFrame:
    """Generate the collection points as a table with the columns of ``COLUMNS``.

    Raises
    ------
    InputError
        If an input is missing or the settings cannot be met.
    """
    settings = settings or PointsSettings()
    service = service or ServiceSettings()
    rng = np.random.default_rng(settings.seed)
    kel = load_kelurahan(kelurahan_path)
    kec = kecamatan_table(kel, load_shares(voters_path), settings)
    containers = container_specs(kel, kec, settings, rng)
    specs = containers + manual_specs(kel, kec, containers, settings, rng)
    streets = streets_by_kelurahan(kel, load_street_edges(streets_path))
    order = {k: i for i, k in enumerate(kel["kelurahan"])}
    kind_order = {"container": 0, "bak": 1, "roadside": 2}
    specs.sort(key=lambda s: (order[s.kelurahan], kind_order[s.kind], s.market == ""))
    late = set(
        rng.choice(kel["kelurahan"].to_numpy(), settings.late_window_kelurahan, replace=False)
    )
    kec_of = dict(zip(kel["kelurahan"], kel["kecamatan"], strict=True))
    placer = Placer(kel, streets, settings, rng)
    rows = []
    for i, spec in enumerate(specs, start=1):
        where = placer.place(spec)
        label = make_label(spec, kec_of[spec.kelurahan], where.street, rng)
        ready, latest = windows(spec, where.highway, spec.kelurahan in late, settings, rng)
        rows.append(
            {
                "id": f"KP-{i:04d}",
                "label": label,
                "kelurahan": spec.kelurahan,
                "kecamatan": kec_of[spec.kelurahan],
                "lon": where.lon,
                "lat": where.lat,
                "kind": spec.kind,
                "volume_m3": spec.volume_m3,
                "service_s": service.service_s(spec.kind, spec.volume_m3),
                "ready_from": ready,
                "latest": latest,
                "days": spec.days,
                # The week planner's view of the same schedule (docs/points.md): collections a
                # week, the longest wait, and the waste gathering per day (volume ÷ that wait).
                "frequency": 7 if spec.days == "daily" else len(spec.days.split(",")),
                "max_gap_days": max_gap_days(spec.days),
                "m3_per_day": spec.volume_m3 / max_gap_days(spec.days),
                "street": street_label(where.street),
                "generated": settings.generated_tag,
            }
        )
    table = pd.DataFrame(rows)
    table["label"] = _unique(table["kelurahan"], table["label"])
    table["name"] = table["kelurahan"] + " - " + table["label"]
    log.info("points: %d generated (seed %d)", len(table), settings.seed)
    return table[list(COLUMNS)]


def _unique(groups: Iterable[str], labels: Iterable[str]) -> list[str]:
    """Number repeated labels inside a kelurahan: ``Bak depan Gereja Sion (2)``."""
    seen: dict[tuple[str, str], int] = {}
    out = []
    for g, lab in zip(groups, labels, strict=True):
        n = seen.get((g, lab), 0) + 1
        seen[(g, lab)] = n
        out.append(lab if n == 1 else f"{lab} ({n})")
    return out


def m3_per_day_text(volume_text: str, gap_days: int) -> str:
    """``m3_per_day`` as written: the written volume (2 decimals) over the longest gap, 4 decimals."""
    return f"{float(volume_text) / gap_days:.4f}"


def to_csv_text(table: pd.DataFrame) -> str:
    """The table as CSV text with fixed number formats (6 decimals lon/lat, 2 for volumes)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in table.itertuples(index=False):
        r = row._asdict()
        r["lon"], r["lat"] = f"{r['lon']:.6f}", f"{r['lat']:.6f}"
        r["volume_m3"] = f"{r['volume_m3']:.2f}"
        r["service_s"] = str(int(r["service_s"]))
        r["m3_per_day"] = m3_per_day_text(r["volume_m3"], int(r["max_gap_days"]))
        writer.writerow([r[c] for c in COLUMNS])
    return buf.getvalue()


# ---------------------------------------------------------------- totals


def summary(table: pd.DataFrame, fleet: Fleet | None = None) -> str:
    """Totals by kind, by kecamatan and by weekday as aligned text (Markdown tables)."""
    lines = [
        "Points by kind (volume per collection):",
        "",
        "| kind | points | daily | scheduled | m³ per collection (sum) | min | max |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind in ("container", "bak", "roadside"):
        t = table[table["kind"] == kind]
        daily = int((t["days"] == "daily").sum())
        lines.append(
            f"| {kind} | {len(t)} | {daily} | {len(t) - daily} | {t['volume_m3'].sum():.1f} "
            f"| {t['volume_m3'].min():.2f} | {t['volume_m3'].max():.2f} |"
        )
    lines.append(
        f"| all | {len(table)} | {int((table['days'] == 'daily').sum())} | "
        f"{int((table['days'] != 'daily').sum())} | {table['volume_m3'].sum():.1f} | | |"
    )
    lines += [
        "",
        "Points by kecamatan (m³ due on a Monday):",
        "",
        "| kecamatan | kelurahan | points | container | bak | roadside | m³ due Monday |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    mon = table[[due_on(d, "mon") for d in table["days"]]]
    for kec, t in table.groupby("kecamatan"):
        n = t["kind"].value_counts()
        lines.append(
            f"| {kec} | {t['kelurahan'].nunique()} | {len(t)} | {n.get('container', 0)} | "
            f"{n.get('bak', 0)} | {n.get('roadside', 0)} | "
            f"{mon.loc[mon['kecamatan'] == kec, 'volume_m3'].sum():.1f} |"
        )
    lines += [
        "",
        "Due per weekday:",
        "",
        "| day | bak+roadside points | bak+roadside m³ | containers | container m³ | total m³ |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for day in WEEKDAYS:
        t = table[[due_on(d, day) for d in table["days"]]]
        man = t[t["kind"] != "container"]
        con = t[t["kind"] == "container"]
        lines.append(
            f"| {day} | {len(man)} | {man['volume_m3'].sum():.1f} | {len(con)} | "
            f"{con['volume_m3'].sum():.1f} | {t['volume_m3'].sum():.1f} |"
        )
    if fleet is not None:
        lines += ["", *fleet_lines(fleet)]
    return "\n".join(lines)


def fleet_lines(fleet: Fleet) -> list[str]:
    """What the fleet can carry per day if every truck makes its maximum number of trips."""
    out = ["Fleet body-volume ceiling (every truck full on every allowed trip):", ""]
    for vt in fleet.types:
        if vt.containers_per_trip:
            out.append(
                f"- {vt.name}: {vt.count} trucks × {vt.max_landfill_trips} trips = "
                f"{vt.count * vt.max_landfill_trips * vt.containers_per_trip} container lifts"
            )
        else:
            cap = vt.count * vt.max_landfill_trips * vt.capacity_m3
            out.append(
                f"- {vt.name}: {vt.count} × {vt.max_landfill_trips} trips × "
                f"{vt.capacity_m3:g} m³ = {cap:g} m³ of {', '.join(vt.serves)}"
            )
    return out


# ---------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> int:
    """Generate the points file and print its totals."""
    ap = argparse.ArgumentParser(
        prog="python -m wasteroute.synthetic.points", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--seed", type=int, default=PointsSettings.seed)
    ap.add_argument(
        "--streets", default=str(DEFAULT_STREETS), help="street network (OSM XML, .bz2)"
    )
    ap.add_argument("--out", default=str(DEFAULT_OUT))
    ap.add_argument("--kelurahan", default=str(DEFAULT_KELURAHAN))
    ap.add_argument("--voters", default=str(DEFAULT_VOTERS))
    ap.add_argument("--fleet", default=str(DEFAULT_FLEET), help="fleet file for the capacity lines")
    ap.add_argument(
        "--collected-share",
        type=float,
        default=PointsSettings.collected_share,
        help="share of the generated waste that reaches a TPS",
    )
    ap.add_argument("--points", type=int, default=PointsSettings.n_points, help="number of points")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    settings = PointsSettings(
        seed=args.seed, collected_share=args.collected_share, n_points=args.points
    )
    table = generate(
        args.streets, settings=settings, kelurahan_path=args.kelurahan, voters_path=args.voters
    )
    Path(args.out).write_text(to_csv_text(table), encoding="utf-8")
    fleet = Fleet.from_toml(args.fleet) if Path(args.fleet).is_file() else None
    behind = sum(
        v / max_gap_days(d) for v, d in zip(table["volume_m3"], table["days"], strict=True)
    )
    print(
        f"wrote {len(table)} points to {args.out}\n"
        f"waste reaching a TPS: {settings.city_m3_per_day:.1f} m³/day asked "
        f"(collected_share {settings.collected_share}), {behind:.1f} m³/day in the file "
        "(sum of volume ÷ longest gap; the minimum volume per point adds the difference)\n"
    )
    print(summary(table, fleet))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
