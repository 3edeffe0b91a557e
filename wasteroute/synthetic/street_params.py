"""Settings, fixed places and word lists of the synthetic street generator.

Part of :mod:`wasteroute.synthetic.streets` (see its docstring for the method); import the
public names from there. Also the coordinate rounding (``COORD_DECIMALS``) that keeps the output
independent of floating-point noise between library versions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pyproj import Transformer

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
