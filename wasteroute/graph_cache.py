"""Road-graph caches that hold data only, are keyed by their inputs, and are checked on read.

A cache file is gzip-compressed JSON (``*.json.gz``)::

    {"format": "wasteroute-graph-cache", "version": 1,
     "key": "<sha256 of the inputs and settings>", "description": {...},
     "graph": {...}, "nodes": [[id, {...}], ...], "edges": [[u, v, key, {...}], ...]}

Reading it never runs code: JSON holds numbers, strings, lists and mappings, and the only
other value, a shapely geometry, is stored as ``{"$wkb": "<hex>"}`` and parsed by GEOS.
A file that is missing, truncated, corrupt (gzip checks a CRC), of another shape, of another
format version or written for other inputs (another key) raises :class:`CacheMiss` with the
reason, and the caller rebuilds. Files are written to a temporary name beside the target and
moved into place with ``os.replace``, so a reader sees the old file or the new one, never half.
"""

from __future__ import annotations

import contextlib
import gc
import gzip
import hashlib
import json
import numbers
import os
import tempfile
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import shapely

#: Value of the ``format`` field; anything else is not one of these caches.
FORMAT = "wasteroute-graph-cache"
#: Version of the layout; a cache of another version is rebuilt.
VERSION = 1
#: File name ending of a cache.
SUFFIX = ".json.gz"

_WKB = "$wkb"
_CHUNK = 1 << 20


class CacheMiss(Exception):
    """A cache file cannot be used; ``reason`` says why in a few words."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def file_sha256(path: Path) -> str:
    """Return the sha256 hex digest of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def cache_key(fields: Mapping[str, Any]) -> str:
    """Return the sha256 hex digest of ``fields`` (JSON values), independent of their order."""
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


# --------------------------------------------------------------------------- encode


def _encode(value: Any, where: str) -> Any:
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [_encode(v, where) for v in value]
    if isinstance(value, shapely.Geometry):
        return {_WKB: shapely.to_wkb(value, hex=True)}
    msg = f"cannot cache {where}: a {type(value).__name__} is not plain data"
    raise TypeError(msg)


def _attrs(data: Mapping[str, Any], where: str) -> dict[str, Any]:
    return {str(k): _encode(v, f"{where} attribute {k!r}") for k, v in data.items()}


def _node_id(node: Any) -> Any:
    if isinstance(node, numbers.Integral) and not isinstance(node, bool):
        return int(node)
    if isinstance(node, str):
        return node
    msg = f"cannot cache node id {node!r}: only integer and text ids are plain data"
    raise TypeError(msg)


def write_graph_cache(
    G: nx.MultiDiGraph, path: Path, *, key: str, description: Mapping[str, Any]
) -> None:
    """Write ``G`` with its key and description to ``path``, atomically.

    Raises
    ------
    OSError
        If the folder or file cannot be written (the target is then unchanged).
    TypeError
        If an attribute is not plain data (numbers, text, lists, geometries).
    """
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "key": key,
        "description": _attrs(description, "description"),
        "graph": _attrs(G.graph, "graph"),
        "nodes": [[_node_id(n), _attrs(d, f"node {n}")] for n, d in G.nodes(data=True)],
        "edges": [
            [_node_id(u), _node_id(v), int(k), _attrs(d, f"edge {u}-{v}")]
            for u, v, k, d in G.edges(keys=True, data=True)
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
            gz.write(json.dumps(doc, separators=(",", ":")).encode())
        os.replace(name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise


# --------------------------------------------------------------------------- decode


class _Decoder:
    """Turn stored attribute mappings back into values; geometries are parsed in one batch."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._pending: list[tuple[dict[str, Any], str, str]] = []

    def value(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return self._geometries([self._wkb(value)])[0]
        return value

    def mapping(self, value: Any, what: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise CacheMiss(self.path, f"its {what} is not a mapping")
        out: dict[str, Any] = {}
        for k, v in value.items():
            if isinstance(v, dict):  # a geometry: parsed later with all the others
                self._pending.append((out, k, self._wkb(v)))
            else:
                out[k] = self.value(v)
        return out

    def finish(self) -> None:
        """Parse every geometry met so far and put each in its mapping."""
        geoms = self._geometries([hex_ for *_, hex_ in self._pending])
        for (out, k, _), geom in zip(self._pending, geoms, strict=True):
            out[k] = geom
        self._pending.clear()

    def _wkb(self, value: dict[str, Any]) -> str:
        if set(value) != {_WKB} or not isinstance(value[_WKB], str):
            raise CacheMiss(self.path, "holds a value that is not plain data")
        return value[_WKB]

    def _geometries(self, hexes: list[str]) -> list[Any]:
        if not hexes:
            return []
        try:
            return list(shapely.from_wkb(np.array(hexes, dtype=object)))
        except (shapely.errors.GEOSException, ValueError, TypeError) as exc:
            raise CacheMiss(self.path, f"holds an unreadable geometry ({exc})") from None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_id(value: Any) -> bool:
    return isinstance(value, (int, str)) and not isinstance(value, bool)


def _graph(doc: dict[str, Any], path: Path) -> nx.MultiDiGraph:
    nodes, edges = doc.get("nodes"), doc.get("edges")
    if not isinstance(nodes, list) or not isinstance(edges, list):
        raise CacheMiss(path, "holds no node and edge lists")
    decode = _Decoder(path)
    graph = decode.mapping(doc.get("graph"), "graph")
    node_rows = []
    for item in nodes:
        if not (isinstance(item, list) and len(item) == 2 and _is_id(item[0])):
            raise CacheMiss(path, f"holds a malformed node {str(item)[:60]}")
        attrs = decode.mapping(item[1], f"node {item[0]}")
        if not all(_is_number(attrs.get(c)) for c in ("x", "y")):
            raise CacheMiss(path, f"holds node {item[0]} without numeric x and y")
        node_rows.append((item[0], attrs))
    ids = {n for n, _ in node_rows}
    edge_rows = []
    for item in edges:
        ok = isinstance(item, list) and len(item) == 4 and type(item[2]) is int
        if not (ok and item[0] in ids and item[1] in ids):
            raise CacheMiss(path, f"holds a malformed edge {str(item)[:60]}")
        edge_rows.append((item[0], item[1], item[2], decode.mapping(item[3], "edge")))
    decode.finish()
    G = nx.MultiDiGraph(**graph)
    G.add_nodes_from(node_rows)
    G.add_edges_from(edge_rows)
    return G


def _load_json(path: Path) -> Any:
    try:
        with gzip.open(path, "rb") as fh:
            return json.loads(fh.read())
    except FileNotFoundError:
        raise CacheMiss(path, "missing") from None
    except (OSError, EOFError, zlib.error) as exc:  # not gzip, truncated, failed CRC
        raise CacheMiss(path, f"unreadable or truncated ({exc or type(exc).__name__})") from None
    except (ValueError, RecursionError) as exc:  # not JSON, not UTF-8, nested too deep
        raise CacheMiss(path, f"not a graph cache ({type(exc).__name__})") from None


def read_graph_cache(path: Path, *, key: str) -> tuple[nx.MultiDiGraph, dict[str, Any]]:
    """Read a cache written by :func:`write_graph_cache` for the inputs whose key is ``key``.

    Returns
    -------
    tuple of nx.MultiDiGraph and dict
        The graph and the description stored with it.

    Raises
    ------
    CacheMiss
        If the file is missing, unreadable, truncated, of another shape or version, has no
        description, or was written for other inputs (another key).
    """
    with _no_gc():
        doc = _load_json(path)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise CacheMiss(path, "not a wasteroute graph cache")
    if doc.get("version") != VERSION:
        raise CacheMiss(path, f"cache format version {doc.get('version')!r}, not {VERSION}")
    if not isinstance(doc.get("description"), dict) or not isinstance(doc.get("key"), str):
        raise CacheMiss(path, "holds no key and description")
    if doc["key"] != key:
        raise CacheMiss(path, "written for another source or other settings: its key differs")
    decode = _Decoder(path)
    description = decode.mapping(doc["description"], "description")
    decode.finish()
    with _no_gc():  # tens of thousands of small dicts, no cycles: collection only slows it
        return _graph(doc, path), description


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
