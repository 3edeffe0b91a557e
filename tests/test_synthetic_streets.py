"""Tests of the synthetic street generator and its calibration.

Most tests use a small network: kelurahan Oebobo and Fatululi only (about 3.8 km², a few
hundred junctions, under a second to build). The last tests check the shipped file
``data/kupang/kupang_synthetic_streets.osm.bz2`` against the figures in the README.
"""

from __future__ import annotations

import bz2
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import shapely
from pyproj import Transformer

from wasteroute.synthetic import calibrate, streets
from wasteroute.synthetic.streets import (
    DEPOT_LONLAT,
    LANDFILL_LONLAT,
    StreetParams,
    generate,
    load_city,
)

#: Kelurahan Oebobo and Fatululi (Kecamatan Oebobo).
SMALL_IDS = ("5371030009", "5371030010")
SMALL = StreetParams(kelurahan_ids=SMALL_IDS, target_nodes=None)
SHIPPED = streets.DATA_DIR / "kupang_synthetic_streets.osm.bz2"
README = streets.DATA_DIR / "README.md"


@pytest.fixture(scope="module")
def small_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic network, seed 2026."""
    out = tmp_path_factory.mktemp("a") / "small_synthetic.osm.bz2"
    return generate(2026, out, params=SMALL)


@pytest.fixture(scope="module")
def small_xml(small_file: Path) -> ET.Element:
    return ET.fromstring(bz2.decompress(small_file.read_bytes()))


@pytest.fixture(scope="module")
def small_graph(small_file: Path) -> nx.MultiDiGraph:
    return calibrate.load_graph(small_file)


def test_same_seed_gives_same_bytes(small_file: Path, tmp_path: Path) -> None:
    again = generate(2026, tmp_path / small_file.name, params=SMALL)
    assert again.read_bytes() == small_file.read_bytes()


def test_other_seed_gives_other_bytes(small_file: Path, tmp_path: Path) -> None:
    other = generate(2027, tmp_path / small_file.name, params=SMALL)
    assert other.read_bytes() != small_file.read_bytes()


def test_every_way_is_tagged_synthetic_with_a_highway(small_xml: ET.Element) -> None:
    ways = small_xml.findall("way")
    assert ways
    tags = [{t.get("k"): t.get("v") for t in w.findall("tag")} for w in ways]
    assert all(t["synthetic"] == "yes" and t.get("highway") for t in tags)
    named = [t["name"] for t in tags if "name" in t]
    assert 0.6 < len(named) / len(tags) < 0.98  # most streets named, some not
    assert all(re.match(r"^(Jl|Gg)\. \S", n) for n in named)
    assert {t.get("oneway", "yes") for t in tags} == {"yes"}


def test_file_says_it_is_generated(small_file: Path, small_xml: ET.Element) -> None:
    assert "synthetic" in small_file.name
    note = small_xml.findtext("note")
    assert note is not None and "SYNTHETIC" in note
    assert "python -m wasteroute.synthetic.streets --seed 2026" in note
    assert b"<!-- SYNTHETIC" in bz2.decompress(small_file.read_bytes())[:300]


def test_ids_are_positive_and_unique(small_xml: ET.Element) -> None:
    node_ids = [int(n.get("id", "0")) for n in small_xml.findall("node")]
    way_ids = [int(w.get("id", "0")) for w in small_xml.findall("way")]
    assert min(node_ids) > 0 and len(set(node_ids)) == len(node_ids)
    assert min(way_ids) > 0 and len(set(way_ids)) == len(way_ids)
    refs = {int(nd.get("ref", "0")) for nd in small_xml.iter("nd")}
    assert refs == set(node_ids)


def test_all_nodes_lie_inside_the_boundary(small_xml: ET.Element) -> None:
    city = load_city(kelurahan_ids=SMALL_IDS)
    tr = streets._to_utm()
    lonlat = np.array(
        [[float(n.get("lon", 0)), float(n.get("lat", 0))] for n in small_xml.iter("node")]
    )
    x, y = tr.transform(lonlat[:, 0], lonlat[:, 1])
    assert shapely.contains_xy(city.land.buffer(1.0), x, y).all()


def test_loads_with_osmnx_strongly_connected(small_graph: nx.MultiDiGraph) -> None:
    assert small_graph.number_of_nodes() > 200
    assert {d.get("synthetic") for *_, d in small_graph.edges(data=True)} == {"yes"}
    m = calibrate.measure(small_graph)
    assert m.strongly_connected_share > 0.99
    assert 0.08 < m.dead_end_share < 0.35
    assert 1.0 < m.circuity < 1.2


def test_restricted_city_without_main_roads_still_builds(tmp_path: Path) -> None:
    """One tiny kelurahan (Airmata, Kota Lama) with a thinner network."""
    params = StreetParams(kelurahan_ids=("5371041001",), target_nodes=None, density_scale=1.5)
    graph = calibrate.load_graph(generate(1, tmp_path / "tiny_synthetic.osm.bz2", params=params))
    assert graph.number_of_nodes() > 3


def test_cli_writes_a_restricted_file(tmp_path: Path) -> None:
    out = tmp_path / "cli_synthetic.osm.bz2"
    assert streets.main(["--seed", "3", "--out", str(out), "--kelurahan", "5371041001"]) == 0
    assert b"--kelurahan 5371041001" in bz2.decompress(out.read_bytes())


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="spacing_min_m"):
        StreetParams(spacing_min_m=100.0, spacing_max_m=50.0)
    with pytest.raises(ValueError, match="probabilities"):
        StreetParams(p_spur=1.5)
    with pytest.raises(ValueError, match="unknown kelurahan code"):
        load_city(kelurahan_ids=("123",))


def test_depot_and_landfill_lie_in_their_kelurahan() -> None:
    city = load_city()
    by_name = {k.name: k.polygon for k in city.kelurahan}
    tr = streets._to_utm()
    assert by_name["Manulai II"].contains(shapely.Point(tr.transform(*LANDFILL_LONLAT)))
    depot = shapely.Point(tr.transform(*DEPOT_LONLAT))
    assert by_name["Nunbaun Sabu"].contains(depot)  # Kecamatan Alak
    kecamatan = {k.name: k.kecamatan for k in city.kelurahan}
    assert kecamatan["Nunbaun Sabu"] == kecamatan["Manulai II"] == "Alak"


# ------------------------------------------------------------------ shipped file


def _readme_figure(label: str) -> float:
    """Read a figure of the synthetic-network calibration table in data/kupang/README.md."""
    text = README.read_text(encoding="utf-8")
    section = text.split("<!-- section: synthetic street network")[1].split("<!-- section:")[0]
    match = re.search(rf"^\| {re.escape(label)} \| ([0-9.,]+) \|", section, flags=re.MULTILINE)
    assert match, f"README has no row {label!r} in the synthetic street network section"
    return float(match.group(1).replace(",", ""))


@pytest.fixture(scope="module")
def shipped_graph() -> nx.MultiDiGraph:
    return calibrate.load_graph(SHIPPED)


def test_shipped_file_matches_readme(shipped_graph: nx.MultiDiGraph) -> None:
    m = calibrate.measure(shipped_graph)
    assert m.nodes == pytest.approx(_readme_figure("nodes"), rel=0.02)
    assert m.edges == pytest.approx(_readme_figure("undirected edges"), rel=0.02)
    assert m.mean_edge_m == pytest.approx(_readme_figure("mean edge length (m)"), rel=0.02)
    assert SHIPPED.stat().st_size < 1.5e6


def test_shipped_file_meets_the_calibration_targets(shipped_graph: nx.MultiDiGraph) -> None:
    real = calibrate.real_indicators()
    m = calibrate.measure(shipped_graph)
    assert m.nodes == pytest.approx(real["n"], rel=0.10)
    assert m.edges == pytest.approx(real["m"], rel=0.10)
    assert m.mean_edge_m == pytest.approx(real["length_mean"], rel=0.10)
    assert m.dead_end_share == pytest.approx(real["prop_deadend"], abs=0.04)
    assert m.strongly_connected_share == 1.0
    ratios = calibrate.hospital_check(shipped_graph).ratios
    assert len(ratios) == 132
    assert float(np.median(ratios)) == pytest.approx(1.0, abs=0.2)


def _summary(path: Path) -> dict[str, float]:
    """Counts and totals of an OSM file that identify a generated network."""
    root = ET.fromstring(bz2.decompress(path.read_bytes()))
    lonlat = {
        n.get("id"): (float(n.get("lon", 0)), float(n.get("lat", 0))) for n in root.iter("node")
    }
    ways = root.findall("way")
    tags = [{t.get("k"): t.get("v") for t in w.findall("tag")} for w in ways]
    tr = streets._to_utm()
    length_m = 0.0
    for w in ways:
        x, y = tr.transform(*np.array([lonlat[nd.get("ref")] for nd in w.iter("nd")]).T)
        length_m += float(np.hypot(np.diff(x), np.diff(y)).sum())
    return {
        "nodes": len(lonlat),
        "ways": len(ways),
        "named": sum("name" in t for t in tags),
        "oneway": sum("oneway" in t for t in tags),
        "main roads": sum(t["highway"] in {"primary", "secondary", "tertiary"} for t in tags),
        "km": length_m / 1000,
    }


def _stamp(path: Path) -> tuple[str | None, str | None]:
    root = ET.fromstring(bz2.decompress(path.read_bytes()))
    return root.get("generator"), root.findtext("note")


class _LastBitNoise:
    """A projection whose results differ in the last bit, as another PROJ version's may."""

    calls = 0

    def __init__(self, transformer: Transformer) -> None:
        self.tr = transformer

    def transform(self, x: object, y: object) -> tuple[np.ndarray, np.ndarray]:
        _LastBitNoise.calls += 1
        ux, uy = self.tr.transform(x, y)
        return np.nextafter(ux, np.inf), np.nextafter(uy, -np.inf)


def test_last_bit_noise_in_the_projection_changes_nothing(
    small_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Coordinates are rounded to 1 cm before they decide anything (the shipped file once
    changed with the numpy/shapely/pyproj versions of a fresh machine)."""
    real = Transformer.from_crs

    def noisy(src: str, dst: str, **kwargs: object) -> object:
        tr = real(src, dst, **kwargs)
        return _LastBitNoise(tr) if dst == streets.UTM_CRS else tr

    monkeypatch.setattr(Transformer, "from_crs", staticmethod(noisy))
    _LastBitNoise.calls = 0
    again = generate(2026, tmp_path / small_file.name, params=SMALL)
    assert _LastBitNoise.calls > 50  # every projection to UTM went through the noise
    assert again.read_bytes() == small_file.read_bytes()


def test_coordinates_are_rounded_to_the_osm_precision(small_xml: ET.Element) -> None:
    for n in small_xml.iter("node"):
        for k in ("lat", "lon"):
            assert re.fullmatch(r"-?\d+\.\d{7}", n.get(k, "")), n.attrib
    net = streets.generate_network(2026, params=SMALL)
    xy = np.asarray(net.xy)
    assert np.array_equal(xy, np.round(xy, streets.COORD_DECIMALS))


def test_a_setting_that_leaves_no_street_is_a_clear_error(tmp_path: Path) -> None:
    out = tmp_path / "none_synthetic.osm.bz2"
    args = ["--seed", "1", "--out", str(out), "--kelurahan", "5371041001", "--density-scale", "4"]
    with pytest.raises(SystemExit) as exc:
        streets.main(args)
    assert exc.value.code == 2 and not out.exists()


def test_shipped_file_carries_this_generator_version_and_seed() -> None:
    """Raise GENERATOR_VERSION when the same seed gives other streets, and regenerate."""
    generator, note = _stamp(SHIPPED)
    assert generator == f"wasteroute.synthetic.streets {streets.GENERATOR_VERSION}"
    assert note is not None
    assert f"version {streets.GENERATOR_VERSION}, seed {streets.DEFAULT_SEED}:" in note
    assert note.endswith(
        f"--seed {streets.DEFAULT_SEED} --out data/kupang/kupang_synthetic_streets.osm.bz2"
    )


@pytest.mark.slow
def test_default_command_rebuilds_the_shipped_network(tmp_path: Path) -> None:
    """Regenerating with the defaults gives the shipped network (about 20-30 s).

    Not a byte comparison: with other library versions a coordinate may still round the
    other way somewhere and change a few streets. Same counts and totals within 1 % say it
    is the same generator with the same seed and settings.
    """
    out = generate(streets.DEFAULT_SEED, tmp_path / SHIPPED.name)
    assert _stamp(out)[0] == _stamp(SHIPPED)[0]
    rebuilt, shipped = _summary(out), _summary(SHIPPED)
    assert rebuilt == pytest.approx(shipped, rel=0.01)
