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

The steps live in modules beside this one: :mod:`.street_params` (settings, fixed places, word
lists, rounding), :mod:`.city` (steps 1-2), :mod:`.main_roads` (3), :mod:`.fabric` (4-5) and
:mod:`.ways` (6-7); this module assembles them, writes the OSM XML and is the command line.
Every public name of those modules can be imported from here.
"""

from __future__ import annotations

import argparse
import bz2
import itertools
import logging
import math
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from .street_params import (
    COORD_DECIMALS,
    DATA_DIR,
    DEFAULT_OUT,
    DEFAULT_SEED,
    DEPOT_LONLAT,
    GENERATOR_VERSION,
    LANDFILL_LONLAT,
    RAVINES_LONLAT,
    SOURCES_DIR,
    StreetParams,
    UTM_CRS,
    VALUE_DECIMALS,
    _to_lonlat,
    _to_utm,
)
from .city import City, Kelurahan, SpacingField, load_city, spacing_field
from .main_roads import (
    Chain,
    Lattice,
    Network,
    Route,
    _route_chains,
    add_main_roads,
    build_lattice,
    route_main_roads,
)
from .fabric import (
    FaceGrid,
    _face_grid,
    _faces,
    _grid_edges,
    _segments,
    add_spurs,
    ravines,
    select_streets,
)
from .ways import add_bends, choose_oneways, name_strokes, strokes

__all__ = [
    "COORD_DECIMALS",
    "Chain",
    "City",
    "DATA_DIR",
    "DEFAULT_OUT",
    "DEFAULT_SEED",
    "DEPOT_LONLAT",
    "FaceGrid",
    "GENERATOR_VERSION",
    "Kelurahan",
    "LANDFILL_LONLAT",
    "Lattice",
    "Network",
    "RAVINES_LONLAT",
    "Route",
    "SOURCES_DIR",
    "SpacingField",
    "StreetParams",
    "UTM_CRS",
    "VALUE_DECIMALS",
    "add_bends",
    "add_main_roads",
    "add_spurs",
    "build_lattice",
    "choose_oneways",
    "generate",
    "generate_network",
    "junction_count",
    "load_city",
    "main",
    "name_strokes",
    "ravines",
    "route_main_roads",
    "select_streets",
    "spacing_field",
    "strokes",
    "to_osm_xml",
]

logger = logging.getLogger("wasteroute")


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
