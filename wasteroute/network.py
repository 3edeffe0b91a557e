"""Build the road graph from an OSM file or an Overpass download; add speeds; keep what is routable.

Every graph handed on is an ``nx.MultiDiGraph`` in lon/lat (``G.graph["crs"] == "epsg:4326"``)
with node ``x``/``y`` and edge ``length`` (m), ``speed_kph``, ``travel_time`` (s), ``name`` and
``highway``. ``G.graph["synthetic"]`` says whether the streets are generated, and
``G.graph["source_description"]`` says where they came from.

Files are read with pyosmium, filtered with the same tag rules osmnx sends to Overpass for
``NetworkSettings.network_type``, written to a temporary OSM XML file and built into a graph by
``osmnx.graph_from_xml``, so a file and a download of the same area give the same graph.

Downloads, and parsed files when ``cache_parsed`` is on, are cached in ``cache_dir`` by
``graph_cache``: data only (no pickle), keyed by the content hash of their inputs and the
settings that shape them, and checked on every read; a cache that does not match is rebuilt.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import logging
import math
import re
import socket
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, overload

import networkx as nx
import numpy as np
import numpy.typing as npt
import osmium
import osmnx as ox
import requests
import shapely
from scipy.spatial import cKDTree

from . import graph_cache
from .config import NetworkSettings
from .errors import InputError, NetworkError
from .graph_cache import CacheMiss
from .units import kph_to_mps

log = logging.getLogger("wasteroute")

#: File name endings read as OSM data, and the pyosmium format of each.
OSM_FORMATS: dict[str, str] = {
    ".osm.pbf": "pbf",
    ".pbf": "pbf",
    ".osm.bz2": "osm.bz2",
    ".xml.bz2": "osm.bz2",
    ".osm.gz": "osm.gz",
    ".xml.gz": "osm.gz",
    ".osm": "osm",
    ".xml": "osm",
}
#: File name ending of a graph saved by osmnx.
GRAPHML_SUFFIX = ".graphml"
#: Tag value marking a generated (not surveyed) way, e.g. ``synthetic=yes``.
SYNTHETIC_TAG = "synthetic"
#: OSM tags that keep heavy trucks off a road, kept on every edge (see ``vehicle_restrictions``).
RESTRICTION_TAGS: tuple[str, ...] = (
    "hgv", "motor_vehicle", "access", "maxweight", "maxaxleload", "maxheight", "maxlength",
)

_MPH_KPH = 1.609344
_MAX_PLAUSIBLE_KPH = 130.0
_MAXSPEED = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(km/h|kmh|kph|mph)?\s*$", re.IGNORECASE)
_OVERPASS_TAG_TEST = re.compile(r'\["(?P<key>[^"]+)"(?:(?P<op>!~|~|!=|=)"(?P<value>[^"]*)")?\]')
_PROBE_TIMEOUT_S = 10.0
_WGS84 = "epsg:4326"
_EARTH_RADIUS_M = 6_371_009.0
#: What a parse found, stored in its cache's description.
_COUNT_NAMES = ("ways_read", "ways_kept", "synthetic_ways", "trimmed_ways")

Source = Literal["osm_file", "cache", "download", "synthetic"]


@dataclass(frozen=True)
class RoutableReport:
    """What ``keep_routable`` kept and dropped."""

    kept_nodes: int
    kept_edges: int
    dropped_nodes: int
    dropped_edges: int


@dataclass(frozen=True)
class LoadedNetwork:
    """A road graph and where it came from.

    ``source`` is ``"osm_file"``, ``"cache"``, ``"download"`` or ``"synthetic"``;
    ``description`` is a phrase for reports and map notices.
    """

    graph: nx.MultiDiGraph = field(repr=False)
    source: Source
    description: str
    synthetic: bool


# --------------------------------------------------------------------------- tag filter


@dataclass(frozen=True)
class _TagTest:
    """One Overpass QL tag condition, e.g. ``["highway"!~"footway|path"]``, with its semantics."""

    key: str
    op: str | None
    value: str

    def passes(self, tags: Mapping[str, str]) -> bool:
        got = tags.get(self.key)
        if self.op is None:
            return got is not None
        if self.op in ("=", "!="):
            return (got == self.value) == (self.op == "=")
        matched = got is not None and re.search(self.value, got) is not None
        return matched == (self.op == "~")


def _way_filter(network_type: str) -> tuple[_TagTest, ...]:
    """Return osmnx's Overpass way filter for ``network_type`` as tag tests.

    Reusing osmnx's own filter text (a private function of osmnx 2.x) keeps file loads and
    downloads identical, including ``ox.settings.default_access``.
    """
    try:
        text = ox._overpass._get_network_filter(network_type)
    except ValueError:
        msg = (
            f"network_type {network_type!r} is not known to osmnx; use one of "
            "drive, drive_service, walk, bike, all, all_public"
        )
        raise InputError(msg) from None
    return _parse_overpass_filter(text)


@functools.lru_cache(maxsize=16)
def _parse_overpass_filter(text: str) -> tuple[_TagTest, ...]:
    matches = list(_OVERPASS_TAG_TEST.finditer(text))
    if "".join(m[0] for m in matches) != text:
        msg = f"cannot read osmnx's way filter {text}; pin osmnx to 2.1"
        raise NetworkError(msg)
    return tuple(_TagTest(m["key"], m["op"], m["value"] or "") for m in matches)


def way_passes(tags: Mapping[str, str], *, network_type: str = "drive") -> bool:
    """Tell whether an OSM way with these tags belongs to the ``network_type`` network.

    Parameters
    ----------
    tags
        The way's tags.
    network_type
        An osmnx network type; ``"drive"`` drops footways, paths, service roads, tracks,
        private and ``motor_vehicle=no`` ways and areas, as osmnx does.

    Raises
    ------
    InputError
        If ``network_type`` is unknown.
    """
    return all(t.passes(tags) for t in _way_filter(network_type))


# --------------------------------------------------------------------------- reading files


@dataclass(frozen=True)
class _Way:
    """A kept OSM way: id, node ids in order, tags."""

    id: int
    nodes: list[int]
    tags: dict[str, str]


@dataclass
class _Extract:
    """The drivable ways of a file, as read by pyosmium."""

    ways: list[_Way]
    ways_read: int = 0
    synthetic_ways: int = 0
    trimmed_ways: int = 0


def _osm_format(path: Path) -> str | None:
    name = path.name.lower()
    for suffix in sorted(OSM_FORMATS, key=len, reverse=True):
        if name.endswith(suffix):
            return OSM_FORMATS[suffix]
    return None


def _read_ways(osm: osmium.io.File, tests: tuple[_TagTest, ...]) -> _Extract:
    extract = _Extract(ways=[])
    processor = osmium.FileProcessor(osm, osmium.osm.WAY).with_filter(
        osmium.filter.KeyFilter("highway")
    )
    for way in processor:
        if not isinstance(way, osmium.osm.Way):
            continue
        extract.ways_read += 1
        tags = {tag.k: tag.v for tag in way.tags}
        if all(t.passes(tags) for t in tests):
            extract.ways.append(_Way(way.id, [ref.ref for ref in way.nodes], tags))
            extract.synthetic_ways += tags.get(SYNTHETIC_TAG) == "yes"
    return extract


def _longest_run(refs: Sequence[int], present: set[int]) -> list[int]:
    """Return the longest stretch of ``refs`` whose nodes are all in the file."""
    best = (0, 0)
    start = 0
    for i, ref in enumerate(refs):
        if ref not in present:
            start = i + 1
        elif i + 1 - start > best[1] - best[0]:
            best = (start, i + 1)
    return list(refs[best[0] : best[1]])


def _write_filtered_xml(osm: osmium.io.File, extract: _Extract, out: Path) -> int:
    """Write the kept ways and their nodes as OSM XML; return how many ways remain."""
    needed = {ref for way in extract.ways for ref in way.nodes}
    present: set[int] = set()
    writer = osmium.SimpleWriter(str(out))
    try:
        nodes = osmium.FileProcessor(osm, osmium.osm.NODE).with_filter(
            osmium.filter.IdFilter(needed)
        )
        for node in nodes:
            if isinstance(node, osmium.osm.Node) and node.location.valid():
                present.add(node.id)
                writer.add_node(node)
        kept = 0
        for way in extract.ways:
            refs = way.nodes
            if not present.issuperset(refs):
                extract.trimmed_ways += 1
                refs = _longest_run(refs, present)
            if len(refs) >= 2:
                writer.add_way(osmium.osm.mutable.Way(id=way.id, nodes=refs, tags=way.tags))
                kept += 1
    finally:
        writer.close()
    return kept


@contextlib.contextmanager
def _osmnx_settings(**changes: Any) -> Iterator[None]:
    """Change ``ox.settings`` for the duration of a block and restore them afterwards.

    Also restores ``socket.getaddrinfo``, which osmnx's Overpass client patches globally
    to pin the server's address.
    """
    saved = {name: getattr(ox.settings, name) for name in changes}
    getaddrinfo = socket.getaddrinfo
    try:
        for name, value in changes.items():
            setattr(ox.settings, name, value)
        yield
    finally:
        for name, value in saved.items():
            setattr(ox.settings, name, value)
        socket.getaddrinfo = getaddrinfo


def _check_file(path: Path) -> None:
    if not path.is_file():
        msg = (
            f"road network file {path} does not exist; check [network] osm_file, or download "
            "an extract (e.g. from download.geofabrik.de, cut with `osmium extract`)"
        )
        raise NetworkError(msg)
    if _osm_format(path) is None and not path.name.lower().endswith(GRAPHML_SUFFIX):
        known = ", ".join([*OSM_FORMATS, GRAPHML_SUFFIX])
        msg = f"road network file {path} has an unsupported type; use one of {known}"
        raise InputError(msg)


def _filter_to_xml(path: Path, network_type: str, xml: Path) -> tuple[_Extract, int]:
    osm = osmium.io.File(str(path), _osm_format(path) or "osm")
    tests = _way_filter(network_type)
    try:
        extract = _read_ways(osm, tests)
        return extract, _write_filtered_xml(osm, extract, xml)
    except RuntimeError as exc:  # pyosmium reports unreadable files as RuntimeError
        msg = f"cannot read road network file {path}: {exc}; check that it is a valid OSM file"
        raise NetworkError(msg) from exc


def _graph_from_osm(path: Path, network_type: str) -> tuple[nx.MultiDiGraph, _Extract]:
    with tempfile.TemporaryDirectory(prefix="wasteroute-") as tmp:
        xml = Path(tmp) / "filtered.osm"
        extract, kept = _filter_to_xml(path, network_type, xml)
        if kept == 0:
            msg = (
                f"road network file {path} has no {network_type!r} roads "
                f"({extract.ways_read} highway ways read); check that it covers the city "
                "and holds highway ways"
            )
            raise NetworkError(msg)
        tags = _kept_tags()
        bidirectional = network_type in ox.settings.bidirectional_network_types
        with _osmnx_settings(useful_tags_way=tags):
            G = ox.graph_from_xml(xml, bidirectional=bidirectional, retain_all=True)
    return G, extract


def _kept_tags() -> list[str]:
    """OSM way tags kept on the edges: osmnx's useful tags, ``synthetic`` and the truck restrictions."""
    return list(dict.fromkeys([*ox.settings.useful_tags_way, SYNTHETIC_TAG, *RESTRICTION_TAGS]))


def _utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _bool(value: Any) -> bool:
    return value is True or str(value).strip().lower() in {"true", "1", "yes"}


def _load_graphml(path: Path) -> nx.MultiDiGraph:
    try:
        G = ox.load_graphml(path, graph_dtypes={"synthetic": _bool})
    except Exception as exc:  # GraphML errors come from lxml, networkx and osmnx alike
        msg = f"cannot read GraphML file {path}: {exc}; delete it or save it again with osmnx"
        raise NetworkError(msg) from exc
    crs = str(G.graph.get("crs", _WGS84)).lower()
    if crs != _WGS84:
        msg = f"GraphML file {path} is projected ({crs}); save the unprojected (lon/lat) graph"
        raise NetworkError(msg)
    G.graph["synthetic"] = _bool(G.graph.get("synthetic", False))
    return G


_PARSE_VERSION = 3  # bump when the way filter or graph building here changes (3: restriction tags)


def cache_folder(settings: NetworkSettings, *, base_dir: Path | None = None) -> Path:
    """Return the folder of the network caches: ``settings.cache_dir`` with ``~`` expanded.

    The one rule for every cache: a relative ``cache_dir`` is relative to ``base_dir``, the
    scenario file's folder (like ``osm_file`` and every other path in a scenario); a library
    call without a ``base_dir`` uses the working directory.
    """
    folder = _resolve(base_dir or Path.cwd(), settings.cache_dir)
    if folder is None:
        msg = "[network] cache_dir is empty; set it to a folder, e.g. ~/.cache/wasteroute"
        raise InputError(msg)
    return folder


def _slug(text: str, limit: int = 40) -> str:
    return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-.")[:limit] or "x"


def _parse_key(path: Path, settings: NetworkSettings) -> tuple[str, dict[str, Any]]:
    """Return the cache key of parsing ``path`` with ``settings``, and the fields it hashes.

    The key holds the file's bytes (sha256), never its name or date, and everything that
    shapes the parsed graph; speeds are not in it because they are added after every load.
    """
    fields = {
        "kind": "parsed OSM file",
        "source_sha256": graph_cache.file_sha256(path),
        "network_type": settings.network_type,
        "way_filter": [[t.key, t.op, t.value] for t in _way_filter(settings.network_type)],
        "useful_tags_way": _kept_tags(),
        "bidirectional": settings.network_type in ox.settings.bidirectional_network_types,
        "osmnx": ox.__version__,
        "parse_version": _PARSE_VERSION,
    }
    return graph_cache.cache_key(fields), fields


def _parsed_from_cache(
    path: Path, cache: Path, key: str
) -> tuple[nx.MultiDiGraph, dict[str, int]]:
    G, description = graph_cache.read_graph_cache(cache, key=key)
    counts: dict[str, int] = {}
    for name in _COUNT_NAMES:
        value = description.get(name)
        if not isinstance(value, int) or isinstance(value, bool):
            raise CacheMiss(cache, f"its description lacks the count {name}")
        counts[name] = value
    G.graph["parse_cache"] = str(cache)
    log.debug("network: parsed %s from cache %s", path, cache)
    return G, counts


def _write_parse_cache(
    G: nx.MultiDiGraph, cache: Path, key: str, fields: dict[str, Any], counts: dict[str, int]
) -> None:
    description = {**fields, **counts, "written_utc": _utc_now()}
    try:
        graph_cache.write_graph_cache(G, cache, key=key, description=description)
    except (OSError, TypeError) as exc:
        log.warning("network: could not write the cache %s (%s); continuing without it", cache, exc)


def _parsed_cached(path: Path, settings: NetworkSettings, base_dir: Path | None) -> nx.MultiDiGraph:
    """Parse an OSM file, reusing a parse cached in ``cache_dir`` when ``cache_parsed`` is on.

    The cache is data only (see ``graph_cache``) and keyed by the file's bytes and the parse
    settings; one that is unreadable or was written for another source is parsed again, and
    one warning names it and says why. Speeds are always recomputed.
    """
    if not settings.cache_parsed:
        G, extract = _graph_from_osm(path, settings.network_type)
        _describe_extract(G, path, _counts(extract))
        return G
    key, fields = _parse_key(path, settings)
    cache = cache_folder(settings, base_dir=base_dir) / (
        f"parsed-{_slug(path.name)}-{key[:16]}{graph_cache.SUFFIX}"
    )
    try:
        G, counts = _parsed_from_cache(path, cache, key)
    except CacheMiss as miss:
        if miss.reason != "missing":
            log.warning(
                "network: cache %s is not used (%s); parsing %s again", cache, miss.reason, path
            )
        G, extract = _graph_from_osm(path, settings.network_type)
        counts = _counts(extract)
        _write_parse_cache(G, cache, key, {**fields, "source": str(path.resolve())}, counts)
    _describe_extract(G, path, counts)
    return G


def graph_from_file(
    path: str | Path, *, settings: NetworkSettings | None = None, base_dir: Path | None = None
) -> nx.MultiDiGraph:
    """Build the road graph from an OSM file or an osmnx GraphML file.

    OSM files (``.osm``, ``.xml``, ``.osm.bz2``, ``.osm.gz``, ``.osm.pbf``) keep only the ways of
    ``settings.network_type`` (osmnx's Overpass filter: for ``"drive"`` no footways, paths,
    steps, tracks, service roads, private or ``motor_vehicle=no`` ways, or areas). One-way streets
    follow osmnx (``oneway=yes/-1``, roundabouts). Ways that use nodes missing from a clipped
    extract keep their longest complete stretch. All components are kept; ``keep_routable`` drops
    what cannot be routed. ``.graphml`` files are read with ``ox.load_graphml``.

    With ``settings.cache_parsed`` the parsed OSM file is kept in ``cache_dir`` (data only,
    keyed by the file's bytes and the parse settings, checked on every read).

    Parameters
    ----------
    path
        The file.
    settings
        Network type and speeds; the defaults if None.
    base_dir
        Folder a relative ``settings.cache_dir`` is relative to (see :func:`cache_folder`).

    Returns
    -------
    nx.MultiDiGraph
        The graph with ``speed_kph`` and ``travel_time`` on every edge. ``G.graph["synthetic"]``
        is True if any way is tagged ``synthetic=yes`` (or, for GraphML, if the graph says so).

    Raises
    ------
    NetworkError
        If the file is missing, unreadable or has no roads.
    InputError
        If the file type or ``network_type`` is not supported.
    """
    settings = settings or NetworkSettings()
    path = Path(path)
    _check_file(path)
    if path.name.lower().endswith(GRAPHML_SUFFIX):
        G = _load_graphml(path)
        G.graph.setdefault("source_description", f"GraphML {path}")
    else:
        G = _parsed_cached(path, settings, base_dir)
    G.graph["crs"] = _WGS84
    return _with_speeds(G, settings)


def _counts(extract: _Extract) -> dict[str, int]:
    """Return what a parse found, as stored in its cache and used to describe the graph."""
    return {
        "ways_read": extract.ways_read,
        "ways_kept": len(extract.ways),
        "synthetic_ways": extract.synthetic_ways,
        "trimmed_ways": extract.trimmed_ways,
    }


def _describe_extract(G: nx.MultiDiGraph, path: Path, counts: Mapping[str, int]) -> None:
    """Describe ``G`` as parsed from ``path`` (the file asked for, even when read from a cache)."""
    kept, synthetic = counts["ways_kept"], counts["synthetic_ways"]
    G.graph["synthetic"] = synthetic > 0
    if synthetic:
        text = f"SYNTHETIC streets {path} ({synthetic} of {kept} ways generated)"
    else:
        text = f"real OSM extract {path}"
    G.graph["source_description"] = text
    log.debug(
        "network: %s: %d of %d highway ways are drivable; graph %d nodes / %d edges",
        path,
        kept,
        counts["ways_read"],
        len(G),
        G.number_of_edges(),
    )
    if counts["trimmed_ways"]:
        log.warning(
            "network: %d ways in %s use nodes missing from the file (a clipped extract); "
            "kept the longest complete stretch of each",
            counts["trimmed_ways"],
            path,
        )


def _with_speeds(G: nx.MultiDiGraph, settings: NetworkSettings) -> nx.MultiDiGraph:
    if G.number_of_edges() == 0:
        msg = (
            f"road graph from {G.graph.get('source_description', 'its source')} has no edges; "
            "check that the file or area holds drivable roads"
        )
        raise NetworkError(msg)
    classes = (f"class speeds from [network.speeds_kph] ({len(settings.speeds_kph)} classes)"
               if settings.speeds_kph else f"class speeds of speed profile {settings.speed_profile}")
    G.graph["speed_note"] = (
        f"{classes}, {settings.fallback_speed_kph():g} km/h on roads of no known class"
    )
    return add_speeds_and_times(
        G,
        speeds_kph=settings.class_speeds_kph(),
        default_speed_kph=settings.fallback_speed_kph(),
        use_maxspeed=settings.use_maxspeed,
    )


# --------------------------------------------------------------------------- speeds


def _one_maxspeed_kph(text: str) -> float | None:
    match = _MAXSPEED.match(text)
    if match is None:
        return None
    speed = float(match[1]) * (_MPH_KPH if (match[2] or "").lower() == "mph" else 1.0)
    return speed if 0 < speed <= _MAX_PLAUSIBLE_KPH else None


def parse_maxspeed_kph(value: Any) -> float | None:
    """Return the speed limit in km/h of an OSM ``maxspeed`` value, or None if it gives none.

    Reads ``"50"``, ``"50 km/h"``, ``"30 mph"``, ``"60;40"`` and lists (an edge merged from
    several ways by simplification): the mean of the valid values. Values without a number
    (``"none"``, ``"signals"``, ``"walk"``, ``"BR:urban"``), garbage and speeds outside
    (0, 130] km/h give None.
    """
    values = value if isinstance(value, (list, tuple)) else [value]
    parts = [p for v in values if isinstance(v, (str, int, float)) for p in str(v).split(";")]
    speeds = [s for s in map(_one_maxspeed_kph, parts) if s is not None]
    return sum(speeds) / len(speeds) if speeds else None


def _class_speed_kph(highway: Any, speeds_kph: Mapping[str, float]) -> float | None:
    """Return the speed of the first class known to ``speeds_kph`` (``x_link`` counts as ``x``)."""
    classes = highway if isinstance(highway, (list, tuple)) else [highway]
    for cls in classes:
        if not isinstance(cls, str):
            continue
        for name in (cls, cls.removesuffix("_link")):
            if name in speeds_kph:
                return float(speeds_kph[name])
    return None


def _length_m(data: Mapping[str, Any]) -> float | None:
    try:
        length_m = float(data["length"])
    except (KeyError, TypeError, ValueError):
        return None
    return length_m if math.isfinite(length_m) and length_m >= 0 else None


def add_speeds_and_times(
    G: nx.MultiDiGraph,
    *,
    speeds_kph: Mapping[str, float],
    default_speed_kph: float,
    use_maxspeed: bool = True,
) -> nx.MultiDiGraph:
    """Set ``speed_kph`` and ``travel_time`` (s) on every edge, in place.

    The speed is the edge's valid OSM ``maxspeed`` (if ``use_maxspeed``), else the speed of its
    first known ``highway`` class, else ``default_speed_kph``. Unlike ``ox.add_edge_speeds`` this
    never leaves a null speed, so every travel time is finite and non-negative.

    Parameters
    ----------
    G
        Graph with ``length`` (m) on every edge.
    speeds_kph
        Speed per OSM highway class.
    default_speed_kph
        Speed of edges with no usable maxspeed or known class.
    use_maxspeed
        Whether a posted ``maxspeed`` wins over the class speed.

    Returns
    -------
    nx.MultiDiGraph
        ``G`` itself.

    Raises
    ------
    NetworkError
        If an edge has no valid length, or ``default_speed_kph`` is not positive.
    """
    if not (math.isfinite(default_speed_kph) and default_speed_kph > 0):
        msg = f"default_speed_kph {default_speed_kph} must be a positive number"
        raise NetworkError(msg)
    bad: list[tuple[Any, Any]] = []
    counts = {"maxspeed": 0, "class": 0, "default": 0}
    for u, v, data in G.edges(data=True):
        length_m = _length_m(data)
        if length_m is None:
            bad.append((u, v))
            continue
        speed, how = _edge_speed_kph(data, speeds_kph, default_speed_kph, use_maxspeed)
        counts[how] += 1
        data["speed_kph"] = speed
        data["travel_time"] = length_m / kph_to_mps(speed)
    if bad:
        msg = (
            f"{len(bad)} edges have no valid length in metres, e.g. {bad[:3]}; "
            "rebuild the graph from OSM data so that osmnx adds lengths"
        )
        raise NetworkError(msg)
    log.debug(
        "network: speeds from maxspeed %(maxspeed)d, class %(class)d, default %(default)d", counts
    )
    return G


def _edge_speed_kph(
    data: Mapping[str, Any], speeds_kph: Mapping[str, float], default_kph: float, use_maxspeed: bool
) -> tuple[float, str]:
    # A posted limit is an upper bound: a loaded truck drives at the class speed for its street
    # unless the sign says slower.
    by_class = _class_speed_kph(data.get("highway"), speeds_kph)
    base, how = (by_class, "class") if by_class is not None and by_class > 0 else (float(default_kph), "default")
    if use_maxspeed:
        posted = parse_maxspeed_kph(data.get("maxspeed"))
        if posted is not None and posted < base:
            return posted, "maxspeed"
    return base, how


# --------------------------------------------------------------------------- snap limit

#: Without a ``max_snap_m`` setting, the snap limit is this many median edge lengths ...
SNAP_LIMIT_EDGES = 5.0
#: ... kept within these bounds (m): dense grids still allow a point across a wide road,
#: sparse rural graphs do not accept a point a kilometre from any road.
SNAP_LIMIT_BOUNDS_M = (150.0, 1000.0)


def snap_limit_m(G: nx.MultiDiGraph, settings: NetworkSettings) -> float:
    """Return how far (m) a point or facility may lie from the road network.

    ``settings.max_snap_m`` when set; otherwise :data:`SNAP_LIMIT_EDGES` times the graph's
    median edge length, within :data:`SNAP_LIMIT_BOUNDS_M`, so the limit scales with the graph.
    """
    if settings.max_snap_m is not None:
        return float(settings.max_snap_m)
    if "median_edge_m" not in G.graph:
        lengths = [float(d.get("length", 0.0)) for *_, d in G.edges(data=True)]
        G.graph["median_edge_m"] = float(np.median(lengths)) if lengths else 0.0
    low, high = SNAP_LIMIT_BOUNDS_M
    return float(min(high, max(low, SNAP_LIMIT_EDGES * G.graph["median_edge_m"])))


# --------------------------------------------------------------------------- nearest nodes


def _node_arrays(G: nx.MultiDiGraph) -> tuple[npt.NDArray[Any], npt.NDArray[np.float64]]:
    if len(G) == 0:
        raise NetworkError("the road graph has no nodes; load a network that covers the area")
    ids = np.array(list(G.nodes))
    lonlat = np.array([(d["x"], d["y"]) for _, d in G.nodes(data=True)], dtype=float)
    return ids, lonlat


def _local_xy(lonlat: npt.NDArray[np.float64], lat0: float) -> npt.NDArray[np.float64]:
    """Equirectangular projection in metres around latitude ``lat0``."""
    scale = np.array([math.cos(math.radians(lat0)), 1.0]) * math.radians(1.0) * _EARTH_RADIUS_M
    return lonlat * scale


def _points(lons: Any, lats: Any) -> npt.NDArray[np.float64]:
    lon = np.atleast_1d(np.asarray(lons, dtype=float))
    lat = np.atleast_1d(np.asarray(lats, dtype=float))
    if lon.shape != lat.shape or lon.ndim != 1:
        msg = (
            f"nearest_nodes needs as many longitudes as latitudes; got {lon.shape} and {lat.shape}"
        )
        raise InputError(msg)
    bad = ~(np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90))
    if bad.any():
        msg = f"points {np.flatnonzero(bad).tolist()} have no valid lon/lat; fix their coordinates"
        raise InputError(msg)
    return np.column_stack([lon, lat])


def _nearest(
    ids: npt.NDArray[Any], lonlat: npt.NDArray[np.float64], points: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[Any], npt.NDArray[np.float64]]:
    lat0 = float(np.mean(lonlat[:, 1]))
    _, idx = cKDTree(_local_xy(lonlat, lat0)).query(_local_xy(points, lat0))
    found = lonlat[idx]
    dist_m = ox.distance.great_circle(points[:, 1], points[:, 0], found[:, 1], found[:, 0])
    return ids[idx], np.asarray(dist_m, dtype=float)


@overload
def nearest_nodes(
    G: nx.MultiDiGraph, lons: Any, lats: Any, *, return_dist: Literal[False] = ...
) -> npt.NDArray[Any]: ...


@overload
def nearest_nodes(
    G: nx.MultiDiGraph, lons: Any, lats: Any, *, return_dist: Literal[True]
) -> tuple[npt.NDArray[Any], npt.NDArray[np.float64]]: ...


def nearest_nodes(
    G: nx.MultiDiGraph, lons: Any, lats: Any, *, return_dist: bool = False
) -> npt.NDArray[Any] | tuple[npt.NDArray[Any], npt.NDArray[np.float64]]:
    """Find the graph node nearest to each point.

    ``ox.distance.nearest_nodes`` needs scikit-learn for unprojected graphs, so this uses a
    scipy k-d tree on an equirectangular projection centred on the graph's mean latitude.
    Within a city that picks the same node as great-circle distance except for near-ties
    (well under a metre apart).

    Parameters
    ----------
    G
        Graph with node ``x`` (lon) and ``y`` (lat).
    lons, lats
        Longitudes and latitudes of the points (scalars or sequences of the same length).
    return_dist
        Also return the great-circle distance in metres from each point to its node.

    Returns
    -------
    numpy.ndarray or tuple of numpy.ndarray
        Node ids, one per point (and distances in metres if ``return_dist``).

    Raises
    ------
    InputError
        If the coordinates are invalid or of different lengths.
    NetworkError
        If the graph has no nodes.
    """
    ids, lonlat = _node_arrays(G)
    nodes, dist_m = _nearest(ids, lonlat, _points(lons, lats))
    return (nodes, dist_m) if return_dist else nodes


# --------------------------------------------------------------------------- routable part


def _anchor_names(anchors: Sequence[tuple[float, float]], names: Sequence[str] | None) -> list[str]:
    if names is not None:
        if len(names) != len(anchors):
            msg = f"keep_routable got {len(names)} names for {len(anchors)} anchors; give one each"
            raise InputError(msg)
        return list(names)
    return [f"anchor {i} at ({lon:.6f}, {lat:.6f})" for i, (lon, lat) in enumerate(anchors)]


def _target_component(
    G: nx.MultiDiGraph, anchors: Sequence[tuple[float, float]], components: list[set[Any]]
) -> tuple[int, list[int]]:
    """Return the index of the component to keep and each anchor's own component index."""
    if not anchors:
        return max(range(len(components)), key=lambda i: len(components[i])), []
    index = {node: i for i, comp in enumerate(components) for node in comp}
    lons, lats = zip(*anchors, strict=True)
    own = [index[n] for n in nearest_nodes(G, lons, lats)]
    # The largest anchor component wins; on a tie, the earlier anchor (the depot) wins.
    target = max(own, key=lambda i: (len(components[i]), -own.index(i)))
    return target, own


def _move_stray_anchors(
    anchors: Sequence[tuple[float, float]],
    names: list[str],
    own: list[int],
    target: int,
    kept: nx.MultiDiGraph,
    max_move_m: float,
) -> None:
    """Check that each anchor outside the kept component has a kept node near it, and say so."""
    for (lon, lat), name, comp in zip(anchors, names, own, strict=True):
        if comp == target:
            continue
        node, dist_m = nearest_nodes(kept, lon, lat, return_dist=True)
        if dist_m[0] > max_move_m:
            msg = (
                f"{name} is {dist_m[0]:.0f} m from the nearest road that can reach the other "
                f"anchors and be reached from them (limit {max_move_m:.0f} m); move it onto "
                "the road network, or use an OSM extract that connects it"
            )
            raise NetworkError(msg)
        log.warning(
            "network: %s is nearest to a road cut off from the rest (one-way stub or separate "
            "piece); it will use node %s, %.0f m away, instead",
            name,
            node[0],
            dist_m[0],
        )


def keep_routable(
    G: nx.MultiDiGraph,
    anchors: Sequence[tuple[float, float]],
    *,
    names: Sequence[str] | None = None,
    max_move_m: float = 1000.0,
) -> tuple[nx.MultiDiGraph, RoutableReport]:
    """Keep the part of the graph every node of which can reach and be reached from the anchors.

    Rule: each anchor (depot, landfills) is snapped to its nearest node; the strongly connected
    component to keep is the largest of those holding these nodes (on a tie, the depot's, i.e.
    the first anchor's). An anchor whose nearest node lies in another component (a one-way
    dead end, a loop cut off by one-way streets, a separate piece of road) then snaps to its
    nearest node in the kept component, with a warning; if that node is farther than
    ``max_move_m`` the anchors cannot be joined and a ``NetworkError`` names the anchor.
    With no anchors the largest strongly connected component is kept.

    Parameters
    ----------
    G
        The road graph.
    anchors
        ``(lon, lat)`` of the depot and the landfill(s).
    names
        A name per anchor for messages (e.g. ``["depot", "TPA Alak"]``).
    max_move_m
        Farthest an anchor may be from its node in the kept component, in metres.

    Returns
    -------
    tuple of nx.MultiDiGraph and RoutableReport
        A new graph (the input is not changed) and the counts kept and dropped.

    Raises
    ------
    NetworkError
        If the graph is empty or an anchor cannot be joined to the others.
    InputError
        If ``names`` does not give one name per anchor.
    """
    if len(G) == 0:
        raise NetworkError("the road graph is empty; load a network that covers the area")
    labels = _anchor_names(anchors, names)
    components = [set(c) for c in nx.strongly_connected_components(G)]
    target, own = _target_component(G, anchors, components)
    H = G.subgraph(components[target]).copy()
    _move_stray_anchors(anchors, labels, own, target, H, max_move_m)
    report = RoutableReport(
        kept_nodes=len(H),
        kept_edges=H.number_of_edges(),
        dropped_nodes=len(G) - len(H),
        dropped_edges=G.number_of_edges() - H.number_of_edges(),
    )
    where = f"to and from {', '.join(labels)}" if anchors else "(largest strongly connected part)"
    log.info(
        "network: kept %d nodes / %d edges routable %s; dropped %d nodes / %d edges",
        report.kept_nodes,
        report.kept_edges,
        where,
        report.dropped_nodes,
        report.dropped_edges,
    )
    return H, report


# --------------------------------------------------------------------------- download and cache


def _query_text(place: str | None, polygon: Any, network_type: str) -> str:
    if place is not None:
        return f"place={place.strip()}|network_type={network_type}"
    return f"polygon={shapely.to_wkt(polygon, rounding_precision=6)}|network_type={network_type}"


def _download_key(place: str | None, polygon: Any, network_type: str) -> str:
    """Return the cache key of a download: the query (place or boundary, network type).

    Speeds are not in it: they are added again after every load.
    """
    fields = {
        "kind": "OSM download",
        "query": _query_text(place, polygon, network_type),
        "format": graph_cache.VERSION,
        "tags": _kept_tags(),  # a download made before the restriction tags were kept is not used
    }
    return graph_cache.cache_key(fields)


def download_cache_path(
    *, place: str | None, polygon: Any, network_type: str, cache_dir: Path
) -> Path:
    """Return the cache file of a download query (the same place or polygon and network type).

    The name is readable (place, network type) and ends in the query's key; the key is also
    stored inside the file and checked on read, so a file renamed from another query is not used.
    """
    key = _download_key(place, polygon, network_type)
    slug = _slug(place or "polygon").replace(".", "-")
    return cache_dir / f"network-{slug}-{network_type}-{key[:16]}{graph_cache.SUFFIX}"


def _legacy_graphml_path(cache: Path, place: str | None, polygon: Any, network_type: str) -> Path:
    """The GraphML name older versions cached this query under (read no more: it holds no key)."""
    digest = hashlib.sha256(_query_text(place, polygon, network_type).encode()).hexdigest()[:16]
    slug = re.sub(r"[^a-z0-9]+", "-", (place or "polygon").lower()).strip("-")[:40] or "place"
    return cache.parent / f"network-{slug}-{network_type}-{digest}{GRAPHML_SUFFIX}"


def _probe_overpass(url: str) -> None:
    """Fail fast when Overpass cannot be reached; osmnx would wait 60 s and more first."""
    status_url = url.rstrip("/") + "/status"
    try:
        response = requests.get(status_url, timeout=_PROBE_TIMEOUT_S, **ox.settings.requests_kwargs)
    except requests.RequestException as exc:
        msg = f"cannot reach Overpass at {url} ({type(exc).__name__})"
        raise NetworkError(msg) from exc
    if not response.ok:
        msg = f"Overpass at {url} answered HTTP {response.status_code} on /status"
        raise NetworkError(msg)


def _short(exc: BaseException, limit: int = 200) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _download(place: str | None, polygon: Any, network_type: str) -> nx.MultiDiGraph:
    options: dict[str, Any] = {"network_type": network_type, "simplify": True, "retain_all": True}
    if place is not None:
        return ox.graph_from_place(place, **options)
    return ox.graph_from_polygon(polygon, **options)


def download_graph(
    *,
    polygon: Any = None,
    place: str | None = None,
    settings: NetworkSettings,
    base_dir: Path | None = None,
) -> nx.MultiDiGraph:
    """Download the road graph from Overpass, add speeds, and save it in the download cache.

    Uses ``ox.graph_from_place`` (``place`` wins) or ``ox.graph_from_polygon`` with
    ``settings.network_type``, simplified, all components kept. ``settings.overpass_url``
    replaces osmnx's server. osmnx's own HTTP cache is switched off: the cache file
    (:func:`download_cache_path`, data only, keyed by the query) is the cache, so a download
    is always fresh.

    Parameters
    ----------
    polygon
        A shapely (Multi)Polygon in lon/lat, used when ``place`` is None.
    place
        A place name that Nominatim resolves to a polygon.
    settings
        Network type, speeds, Overpass server and ``cache_dir``.
    base_dir
        Folder a relative ``settings.cache_dir`` is relative to (see :func:`cache_folder`).

    Returns
    -------
    nx.MultiDiGraph
        The graph, with ``G.graph["downloaded_utc"]`` and, if the cache could be written,
        ``G.graph["cache_path"]``.

    Raises
    ------
    InputError
        If neither ``place`` nor ``polygon`` is given.
    NetworkError
        If the server cannot be reached or returns no usable data.
    """
    if place is None and polygon is None:
        msg = "download needs an area; set [network] place or boundary_file"
        raise InputError(msg)
    url = settings.overpass_url or ox.settings.overpass_url
    what = repr(place) if place is not None else "the boundary polygon"
    _probe_overpass(url)
    try:
        with _osmnx_settings(overpass_url=url, use_cache=False, useful_tags_way=_kept_tags()):
            G = _download(place, polygon, settings.network_type)
    except (OSError, ValueError, TypeError, LookupError) as exc:  # osmnx's are ValueErrors
        msg = f"downloading {what} from {url} failed: {_short(exc)}"
        raise NetworkError(msg) from exc
    now = dt.datetime.now(dt.UTC)
    G.graph.update(
        crs=_WGS84,
        synthetic=False,
        downloaded_utc=now.isoformat(timespec="seconds"),
        source_description=f"OSM download of {what} from {url} on {now:%Y-%m-%d}",
    )
    G = _with_speeds(G, settings)
    folder = cache_folder(settings, base_dir=base_dir)
    _save_download(G, folder, place=place, polygon=polygon, network_type=settings.network_type)
    return G


def _save_download(
    G: nx.MultiDiGraph, folder: Path, *, place: str | None, polygon: Any, network_type: str
) -> None:
    """Write the download cache atomically; on failure say so and go on without it."""
    path = download_cache_path(
        place=place, polygon=polygon, network_type=network_type, cache_dir=folder
    )
    description = {
        "kind": "OSM download",
        "query": _query_text(place, polygon, network_type),
        "source_description": G.graph["source_description"],
        "downloaded_utc": G.graph["downloaded_utc"],
    }
    key = _download_key(place, polygon, network_type)
    try:
        graph_cache.write_graph_cache(G, path, key=key, description=description)
    except (OSError, TypeError) as exc:
        log.warning("network: could not write the cache %s (%s); continuing without it", path, exc)
        return
    G.graph["cache_path"] = str(path)


# --------------------------------------------------------------------------- load_network


def _resolve(base_dir: Path, name: str | None) -> Path | None:
    if not name:
        return None
    path = Path(name).expanduser()
    return path if path.is_absolute() else base_dir / path


def _from_cache(path: Path, key: str, settings: NetworkSettings) -> tuple[nx.MultiDiGraph, str]:
    """Read a download cache; return the graph with speeds and its download date."""
    G, description = graph_cache.read_graph_cache(path, key=key)
    crs = str(G.graph.get("crs", _WGS84)).lower()
    if crs != _WGS84:
        raise CacheMiss(path, f"holds a projected graph ({crs})")
    G.graph.update(crs=_WGS84, synthetic=False)
    date = str(description.get("downloaded_utc", ""))[:10] or "an unknown date"
    G.graph["source_description"] = f"cached OSM download {path.name} ({date})"
    return _with_speeds(G, settings), date


def _parse_cache_note(G: nx.MultiDiGraph) -> str:
    cache = G.graph.get("parse_cache")
    return f", parsed copy read from cache {cache}" if cache else ""


def _loaded(G: nx.MultiDiGraph, source: Source, why: str) -> LoadedNetwork:
    synthetic = source == "synthetic" or bool(G.graph.get("synthetic"))
    G.graph["synthetic"] = synthetic
    description = str(G.graph.get("source_description", source))
    if synthetic and not description.startswith("SYNTHETIC"):
        description = f"SYNTHETIC streets {description}"
    G.graph["source_description"] = description
    speeds = G.graph.get("speed_note")
    log.info("network: %s (%d nodes / %d edges%s)", why, len(G), G.number_of_edges(),
             f"; {speeds}" if speeds else "")
    return LoadedNetwork(graph=G, source=source, description=description, synthetic=synthetic)


def load_network(
    settings: NetworkSettings,
    *,
    base_dir: Path,
    boundary: Any = None,
    download: bool = False,
) -> LoadedNetwork:
    """Load the road network from the best source available, and say which in one log line.

    Order: (1) ``settings.osm_file`` if it exists; (2) with ``download``, an Overpass download
    of ``settings.place`` (else ``boundary``), cached in ``cache_dir``; (3) the cached download of
    that query; (4) ``settings.synthetic_osm_file``. A failed download, and a cached download
    that is unreadable or was written for another query, fall through to the next source,
    with the reason in the log line.

    Parameters
    ----------
    settings
        The ``[network]`` settings.
    base_dir
        Folder that relative file names in ``settings`` (``cache_dir`` included) are relative
        to: the scenario file's folder.
    boundary
        A shapely (Multi)Polygon in lon/lat of the area, used when ``settings.place`` is None.
    download
        Whether to try downloading (``--download-network``).

    Returns
    -------
    LoadedNetwork
        The graph (with speeds and travel times) and its source.

    Raises
    ------
    NetworkError
        If no source is available, or a configured file is unreadable.
    """
    reasons: list[str] = []
    osm_file = _resolve(base_dir, settings.osm_file)
    if osm_file is not None and osm_file.is_file():
        G = graph_from_file(osm_file, settings=settings, base_dir=base_dir)
        why = f"using {G.graph['source_description']} (settings osm_file{_parse_cache_note(G)})"
        return _loaded(G, "osm_file", why)
    if osm_file is not None:
        reasons.append(f"osm_file {osm_file} not found")
    cache = _cache_path(settings, base_dir, boundary)
    if download:
        loaded = _try_download(settings, boundary, base_dir, cache, reasons)
        if loaded is not None:
            return loaded
    loaded = _try_cache(settings, boundary, cache, reasons)
    if loaded is not None:
        return loaded
    return _synthetic_or_fail(settings, base_dir, reasons)


def _cache_path(settings: NetworkSettings, base_dir: Path, boundary: Any) -> Path | None:
    if settings.place is None and boundary is None:
        return None
    return download_cache_path(
        place=settings.place,
        polygon=boundary,
        network_type=settings.network_type,
        cache_dir=cache_folder(settings, base_dir=base_dir),
    )


def _try_download(
    settings: NetworkSettings,
    boundary: Any,
    base_dir: Path,
    cache: Path | None,
    reasons: list[str],
) -> LoadedNetwork | None:
    if cache is None:
        reasons.append("download impossible: no [network] place or boundary")
        return None
    try:
        G = download_graph(
            polygon=boundary, place=settings.place, settings=settings, base_dir=base_dir
        )
    except NetworkError as exc:
        reasons.append(f"download failed ({exc})")
        return None
    cached = G.graph.get("cache_path")
    why = f"using {G.graph['source_description']}, " + (
        f"cached as {cached}" if cached else "not cached"
    )
    return _loaded(G, "download", why)


def _try_cache(
    settings: NetworkSettings, boundary: Any, cache: Path | None, reasons: list[str]
) -> LoadedNetwork | None:
    """Use the download cache if it is there and was written for this query."""
    if cache is None:
        return None
    key = _download_key(settings.place, boundary, settings.network_type)
    try:
        G, date = _from_cache(cache, key, settings)
    except CacheMiss as miss:
        reasons.append(_cache_miss_reason(miss, settings, boundary))
        return None
    except NetworkError as exc:
        reasons.append(f"cached download {cache} not used ({exc})")
        return None
    prefix = "; ".join(reasons)
    why = f"using cached OSM download {cache} from {date}"
    return _loaded(G, "cache", f"{prefix}; {why}" if prefix else why)


def _cache_miss_reason(miss: CacheMiss, settings: NetworkSettings, boundary: Any) -> str:
    if miss.reason != "missing":
        return f"cached download {miss.path} not used ({miss.reason})"
    legacy = _legacy_graphml_path(miss.path, settings.place, boundary, settings.network_type)
    if legacy.is_file():
        return (
            f"no cached download (the older GraphML cache {legacy} is not read: it holds no key "
            "to check it against; download again with --download-network)"
        )
    return "no cached download"


def _synthetic_or_fail(
    settings: NetworkSettings, base_dir: Path, reasons: list[str]
) -> LoadedNetwork:
    synthetic = _resolve(base_dir, settings.synthetic_osm_file)
    if synthetic is not None and synthetic.is_file():
        G = graph_from_file(synthetic, settings=settings, base_dir=base_dir)
        G.graph["source_description"] = f"SYNTHETIC streets {settings.synthetic_osm_file}"
        why = (
            f"using SYNTHETIC streets {synthetic}{_parse_cache_note(G)} (no real OSM data "
            f"available: {'; '.join(reasons) or 'no osm_file set'}); to use the real network run "
            "`python run_routes.py --download-network` when online"
        )
        return _loaded(G, "synthetic", why)
    if synthetic is not None:
        reasons.append(f"synthetic_osm_file {synthetic} not found")
    msg = (
        f"no road network available ({'; '.join(reasons) or 'nothing configured'}); set "
        "[network] osm_file to an OSM extract (.osm.pbf, .osm, .osm.bz2), or set place and run "
        "`python run_routes.py --download-network` when online"
    )
    raise NetworkError(msg)
