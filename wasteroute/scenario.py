"""A scenario: the files and settings of one city's day, and the pipeline that plans it.

``Scenario.from_toml(path)`` reads a scenario file (see ``data/kupang/scenario.toml``);
``replace()`` and the ``with_*`` helpers make what-if variants; ``build()`` runs network ->
stops -> matrix -> problem and ``solve()`` adds the solver. The road network, the snapped
points and the travel matrix are cached in memory per network and point set, so variants of
one scenario (a broken truck, rainy-season volumes, landfill hours) re-solve in seconds.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from .config import (
    DEFAULT_POINT_KINDS,
    EmissionSettings,
    Facilities,
    Fleet,
    NetworkSettings,
    PointKind,
    ServiceSettings,
    SolverParams,
    _build,
    _check_table,
    _read_toml,
    _time,
    check_serves,
    check_type,
    point_kinds_from_table,
)
from .directions import LANGUAGES
from .errors import InputError
from .matrix import GraphIndex
from .onstreet import street_ways
from .problem import ProblemData, build_problem
from .road_profiles import RoadProfiles, build_profiles
from .solution import Solution
from .stops import read_points, snap_points, split_due
from .timezones import check_timezone, resolve_timezone
from .units import format_hhmm

log = logging.getLogger("wasteroute")

_SCENARIO_KEYS = {
    "name", "timezone", "language", "volume_factor", "density_kg_per_m3", "dumping_window_end",
    "network", "points", "facilities", "fleet", "solver", "service", "emissions", "kind",
}


@dataclass(frozen=True)
class Scenario:
    """Everything that defines a planning day for a city.

    Parameters are frozen; make variants with :meth:`replace` or the ``with_*`` methods.
    ``volume_factor`` scales every point's volume (rainy season: 1.3);
    ``dumping_window_end`` (seconds after midnight) replaces every point's ``ready_from``.
    """

    name: str
    base_dir: Path
    points_file: Path
    facilities: Facilities
    fleet: Fleet
    network: NetworkSettings = field(default_factory=NetworkSettings)
    solver: SolverParams = field(default_factory=SolverParams)
    service: ServiceSettings = field(default_factory=ServiceSettings)
    emissions: EmissionSettings = field(default_factory=EmissionSettings)
    timezone: str = "Asia/Makassar"
    language: str = "id"
    volume_factor: float = 1.0
    density_kg_per_m3: float = 250.0
    dumping_window_end: int | None = None
    date: dt.date | None = None
    download_network: bool = False
    kinds: tuple[PointKind, ...] = DEFAULT_POINT_KINDS

    def __post_init__(self) -> None:
        where = f"scenario {self.name!r}"
        if not (math.isfinite(self.volume_factor) and 0 < self.volume_factor <= MAX_VOLUME_FACTOR):
            raise InputError(
                f"{where}: volume_factor {self.volume_factor!r} must be a number above 0 and at most "
                f"{MAX_VOLUME_FACTOR:g}, e.g. 1.3 for the rainy season"
            )
        if not (math.isfinite(self.density_kg_per_m3) and self.density_kg_per_m3 > 0):
            raise InputError(f"{where}: density_kg_per_m3 {self.density_kg_per_m3!r} must be a positive number")
        check_timezone(self.timezone, where)
        if self.language not in LANGUAGES:
            msg = f"{where}: language {self.language!r} is not available; use one of {', '.join(LANGUAGES)}"
            raise InputError(msg)
        if self.dumping_window_end is not None:
            _check_dumping_window(self.dumping_window_end, self.fleet, where)
        check_serves(self.fleet.types, [k.id for k in self.kinds], where)

    # ------------------------------------------------------------------ loading
    @classmethod
    def from_toml(cls, path: str | Path) -> Scenario:
        """Read a scenario file; relative paths in it are relative to the file.

        Raises
        ------
        InputError
            If the file, a referenced file or a setting is wrong.
        """
        p = Path(path).resolve()
        t = _read_toml(p)
        _check_scenario_table(t, p)
        base = p.parent
        net = dict(t.get("network", {}))
        window = t.get("dumping_window_end")
        facilities = Facilities.from_toml(base / t["facilities"]["file"])
        kinds = point_kinds_from_table(t.get("kind"), str(p))
        places = [(f.id, f.lon, f.lat) for f in (facilities.depot, *facilities.landfills)]
        return cls(
            name=str(t.get("name", p.stem)),
            base_dir=base,
            points_file=base / t["points"]["file"],
            facilities=facilities,
            fleet=Fleet.from_toml(base / t["fleet"]["file"], kinds=[k.id for k in kinds]),
            kinds=kinds,
            network=_build(NetworkSettings, net, f"{p} [network]", section="network"),
            solver=SolverParams.from_table(t.get("solver", {}), where=f"{p} [solver]"),
            service=_build(ServiceSettings, t.get("service", {}), f"{p} [service]", section="service"),
            emissions=_build(EmissionSettings, t.get("emissions", {}), f"{p} [emissions]", section="emissions"),
            timezone=resolve_timezone(t.get("timezone"), places, where=str(p)),
            language=str(t.get("language", "id")),
            volume_factor=float(t.get("volume_factor", 1.0)),
            density_kg_per_m3=float(t.get("density_kg_per_m3", 250.0)),
            dumping_window_end=None if window is None else _time(window, f"{p}: dumping_window_end"),
        )

    # ------------------------------------------------------------------ variants
    def replace(self, **changes: Any) -> Scenario:
        """Return a copy with some fields replaced, e.g. ``replace(volume_factor=1.3)``."""
        return dataclasses.replace(self, **changes)

    def with_trucks(self, n: int) -> Scenario:
        """Only ``n`` trucks available (the rest broken), taken off in proportion to each type."""
        return self.replace(fleet=self.fleet.with_available(n))

    def with_unavailable(self, truck_ids: list[str] | tuple[str, ...]) -> Scenario:
        """These trucks are out of service today."""
        return self.replace(fleet=self.fleet.with_unavailable(truck_ids))

    def with_landfill_hours(self, opens: str | None = None, closes: str | None = None) -> Scenario:
        """Change every landfill's opening hours (``"HH:MM"``), e.g. closed until 09:00.

        Raises
        ------
        InputError
            If a time is not ``HH:MM`` or the landfill would open after it closes.
        """
        return self.replace(
            facilities=self.facilities.with_landfill_hours(
                opens_s=None if opens is None else _time(opens, "landfill opens"),
                closes_s=None if closes is None else _time(closes, "landfill closes"),
            )
        )

    def with_second_shift(self, start: str = "13:00", end: str = "19:00", *, break_minutes: int = 0) -> Scenario:
        """Add an afternoon shift: every available truck also works ``start``-``end`` as a second crew."""
        return self.replace(fleet=self.fleet.with_second_shift(start, end, break_minutes=break_minutes))

    def with_solver(self, **changes: Any) -> Scenario:
        """Change search settings, e.g. ``with_solver(time_limit_s=5, seed=1)`` (see ``SolverParams``).

        Raises
        ------
        InputError
            If a setting is unknown or out of range.
        """
        known = [f.name for f in dataclasses.fields(SolverParams)]
        unknown = sorted(set(changes) - set(known))
        if unknown:
            msg = f"unknown solver setting(s) {', '.join(unknown)}; known settings are {', '.join(known)}"
            raise InputError(msg)
        return self.replace(solver=dataclasses.replace(self.solver, **changes))

    def with_dumping_window_end(self, hhmm: str) -> Scenario:
        """Residents' dumping window ends at ``hhmm``: no point can be collected earlier.

        Raises
        ------
        InputError
            If ``hhmm`` is not a time of day or every shift ends by then.
        """
        return self.replace(dumping_window_end=_time(hhmm, "dumping_window_end"))

    def with_changes(
        self,
        *,
        unavailable: str | list[str] | tuple[str, ...] | None = None,
        trucks: int | None = None,
        volume_factor: float | None = None,
        landfill_opens: str | None = None,
        landfill_closes: str | None = None,
        dumping_window_end: str | None = None,
        second_shift: str | None = None,
    ) -> Scenario:
        """The what-if changes of the command line and of batch jobs, in one fixed order.

        ``unavailable`` trucks go first (a comma-separated string or a list of ids), then
        ``trucks`` keeps that many of the rest, then the afternoon ``second_shift``
        (``"13:00-19:00"``) doubles the trucks left; ``None`` (or ``""``) leaves a setting as it is.

        Raises
        ------
        InputError
            If a truck id, a time or a factor is wrong.
        """
        sc = self
        if unavailable:
            ids = unavailable.split(",") if isinstance(unavailable, str) else list(unavailable)
            sc = sc.with_unavailable([t.strip() for t in ids if t.strip()])
        if trucks is not None:
            sc = sc.with_trucks(trucks)
        if volume_factor is not None:
            sc = sc.replace(volume_factor=volume_factor)
        if landfill_opens or landfill_closes:
            sc = sc.with_landfill_hours(opens=landfill_opens or None, closes=landfill_closes or None)
        if dumping_window_end:
            sc = sc.with_dumping_window_end(dumping_window_end)
        if second_shift:
            sc = sc.with_second_shift(*_shift_span(second_shift))
        return sc

    # ------------------------------------------------------------------ pipeline
    def plan_date(self) -> dt.date:
        """The day being planned: ``date`` or tomorrow in the city's time zone."""
        if self.date is not None:
            return self.date
        return (dt.datetime.now(ZoneInfo(self.timezone)) + dt.timedelta(days=1)).date()

    def load_network(self) -> Any:
        """The road graph (cached), routable to and from the depot and landfills."""
        return _network_cached(self)

    def build(self, *, timings: dict[str, float] | None = None,
              schedule: Mapping[str, float] | None = None) -> ProblemData:
        """Network -> points -> snapping -> matrix -> :class:`ProblemData` for :meth:`plan_date`.

        ``schedule`` (point id -> m³ waiting that day, before ``volume_factor``) replaces the
        points' ``days`` and ``volume_m3``: the week planner's day (:mod:`wasteroute.week`).
        A point's ``service_s`` follows its new volume unless the points file gave it.
        """
        timings = timings if timings is not None else {}
        _read_points_cached(self)  # a bad points file is reported before the network is loaded
        t0 = time.perf_counter()
        net = self.load_network()
        timings["network"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        snapped, too_far = _points_cached(self, net)
        points = snapped.copy()
        if self.dumping_window_end is not None:
            points["ready_s"] = self.dumping_window_end
            bad = points["latest_s"].ge(0) & points["latest_s"].lt(self.dumping_window_end)
            points.loc[bad, "latest_s"] = -1
        day = self.plan_date()
        if schedule is None:
            due, not_due = split_due(points, day)
        else:
            due, not_due = _split_scheduled(points, schedule, self.service)
        timings["snapping"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        profiles = _matrix_cached(self, net, snapped)
        timings["matrix"] = time.perf_counter() - t0
        problem = build_problem(
            due, self.facilities, self.fleet, profiles.matrices[0], date=day, snap_issues=too_far, not_due=not_due,
            volume_factor=self.volume_factor, emissions=self.emissions,
            network_note=net.description, synthetic_network=net.synthetic, profiles=profiles,
            kind_names={k.id: {"id": k.name("id"), "en": k.name("en")} for k in self.kinds},
        )
        log.info(
            "problem for %s: %d points due (%d set aside), %d not due, %d trucks",
            day.isoformat(), len(problem.points) + len(problem.excluded), len(problem.excluded),
            len(problem.not_due), len(problem.vehicles),
        )
        return problem

    def points_table(self) -> pd.DataFrame:
        """The checked points file (a copy): one row per point with its weekly schedule columns.

        Raises
        ------
        InputError
            If the points file is missing or has bad rows.
        """
        return _read_points_cached(self).copy()

    def plan_week(self, monday: dt.date, params: Any = None, *, changes: Any = None, executor: Any = None) -> Any:
        """Plan the week starting ``monday``: see :func:`wasteroute.week.plan_week` (returns a ``WeekPlan``)."""
        from .week import plan_week

        return plan_week(self, monday, params, changes=changes, executor=executor)

    def solve(self, params: SolverParams | None = None, *, timings: dict[str, float] | None = None) -> Solution:
        """Build and solve; the solution carries the road graph for drawing."""
        from .search import solve as _solve

        timings = timings if timings is not None else {}
        problem = self.build(timings=timings)
        t0 = time.perf_counter()
        sol = _solve(problem, params or self.solver)
        timings["solve"] = time.perf_counter() - t0
        return dataclasses.replace(
            sol,
            graph=self.load_network().graph,
            meta={**sol.meta, "scenario": self.name, "density_kg_per_m3": self.density_kg_per_m3},
        )


def _split_scheduled(points: pd.DataFrame, schedule: Mapping[str, float],
                     service: ServiceSettings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Points in ``schedule`` (with its volumes, and service times that follow them) and the rest.

    Raises
    ------
    InputError
        If ``schedule`` names a point the points file does not have.
    """
    unknown = sorted(set(schedule) - set(points["id"]))
    if unknown:
        raise InputError(f"schedule names {len(unknown)} unknown point(s): {', '.join(unknown[:10])}")
    mask = points["id"].isin(list(schedule)).to_numpy()
    due = points[mask].reset_index(drop=True)
    vols = [float(schedule[i]) for i in due["id"]]
    due["volume_m3"] = vols
    if "service_given" in due:
        due["service_s"] = [
            int(s) if given else int(round(service.service_s(k, v)))
            for s, given, k, v in zip(due["service_s"], due["service_given"], due["kind"], vols, strict=True)
        ]
    return due, points[~mask].reset_index(drop=True)


# ---------------------------------------------------------------------- checks
#: Largest ``volume_factor`` accepted: a factor is a season's swing (1.3), not a unit change.
MAX_VOLUME_FACTOR = 100.0

_SCENARIO_TYPES = {
    "name": "string", "timezone": "string", "language": "string", "volume_factor": "number", "density_kg_per_m3": "number",
}


def _check_scenario_table(t: dict[str, Any], p: Path) -> None:
    """Check the top level of a scenario file: known keys, tables, types, file entries.

    Raises
    ------
    InputError
        Naming the setting and how to write it.
    """
    unknown = sorted(set(t) - _SCENARIO_KEYS)
    if unknown:
        close = {u: difflib.get_close_matches(u, sorted(_SCENARIO_KEYS), n=1) for u in unknown}
        said = ", ".join(f"{u} (did you mean {close[u][0]}?)" if close[u] else u for u in unknown)
        raise InputError(f"{p}: unknown setting(s) {said}; known: {', '.join(sorted(_SCENARIO_KEYS))}")
    for key, kind in _SCENARIO_TYPES.items():
        problem = None if key not in t else check_type(t[key], kind, key)
        if problem:
            raise InputError(f"{p}: {problem}")
    for key in ("network", "points", "facilities", "fleet", "solver", "service", "emissions"):
        _check_table(t.get(key, {}), str(p), key)
    for key in ("points", "facilities", "fleet"):
        if "file" not in t.get(key, {}):
            raise InputError(f"{p}: [{key}] needs a `file = ...` entry")
        problem = check_type(t[key]["file"], "string", f"{key}.file")
        if problem:
            raise InputError(f"{p}: {problem}")
        extra = sorted(set(t[key]) - {"file"})
        if extra:
            raise InputError(f"{p}: unknown setting(s) {', '.join(extra)} in [{key}]; it holds only file = ...")


def _shift_span(text: str) -> tuple[str, str]:
    """``"13:00-19:00"`` -> ``("13:00", "19:00")``, both checked as times of day.

    Raises
    ------
    InputError
        If the text is not two times joined by ``-``.
    """
    start, sep, end = str(text).partition("-")
    if not sep:
        raise InputError(f"second shift {text!r} is not a span of time; write it as start-end, e.g. \"13:00-19:00\"")
    _time(start.strip(), "second shift start")
    _time(end.strip(), "second shift end")
    return start.strip(), end.strip()


def _check_dumping_window(window_s: int, fleet: Fleet, where: str) -> None:
    """Raise if the residents' dumping window ends when every shift is already over."""
    latest_end = max(vt.shift.end_s for vt in fleet.types)
    if window_s >= latest_end:
        msg = (
            f"{where}: dumping_window_end {format_hhmm(window_s)} is at or after the end of every "
            f"shift (the latest ends {format_hhmm(latest_end)}), so no point could be collected; "
            f"set dumping_window_end before {format_hhmm(latest_end)} or extend the shift in the fleet file"
        )
        raise InputError(msg)


def _check_point_ids(points: pd.DataFrame, facilities: Facilities, source: Path) -> None:
    """Raise if a collection point has the id of the depot or a landfill (one id, two places)."""
    fac = {facilities.depot.id: "the depot", **{f.id: f"landfill {f.name!r}" for f in facilities.landfills}}
    clash = [
        f"row {i + 1} (id {pid}): {pid} is also the id of {fac[pid]}; rename the point, "
        "point ids must differ from the depot and landfill ids"
        for i, pid in enumerate(points["id"])
        if pid in fac
    ]
    if clash:
        raise InputError(f"{source}: {len(clash)} point id(s) used by a facility", clash)


# ---------------------------------------------------------------------- caches
_NETWORKS: dict[Any, Any] = {}
_POINTS: dict[Any, tuple[pd.DataFrame, dict[str, str]]] = {}
_MATRICES: dict[Any, RoadProfiles] = {}
_RAW_POINTS: dict[Any, pd.DataFrame] = {}
_INDEXES: dict[int, GraphIndex] = {}


def _network_key(sc: Scenario) -> Any:
    fac = sc.facilities
    anchors = tuple((f.lon, f.lat) for f in (fac.depot, *fac.landfills))
    return (repr(sc.network), str(sc.base_dir), anchors, sc.download_network)


def _network_cached(sc: Scenario) -> Any:
    from .network import keep_routable, load_network

    key = _network_key(sc)
    if key not in _NETWORKS:
        boundary = _boundary(sc)
        loaded = load_network(sc.network, base_dir=sc.base_dir, boundary=boundary, download=sc.download_network)
        fac = sc.facilities
        _check_facilities_near_roads(sc, loaded.graph)
        graph, report = keep_routable(
            loaded.graph, [(f.lon, f.lat) for f in (fac.depot, *fac.landfills)],
            names=[f"facility {f.id}" for f in (fac.depot, *fac.landfills)],
        )
        graph.graph["routable_report"] = report
        _NETWORKS[key] = dataclasses.replace(loaded, graph=graph)
    return _NETWORKS[key]


def _boundary(sc: Scenario) -> Any:
    if not sc.network.boundary_file:
        return None
    import geopandas as gpd

    path = sc.base_dir / sc.network.boundary_file
    if not path.is_file():
        raise InputError(f"network boundary_file {path} does not exist; fix [network] boundary_file")
    return gpd.read_file(path).union_all()


def _check_facilities_near_roads(sc: Scenario, graph: Any) -> None:
    """Raise an :class:`InputError` naming each facility farther than ``max_snap_m`` from every road node."""
    from .network import nearest_nodes, snap_limit_m

    facs = [sc.facilities.depot, *sc.facilities.landfills]
    if len(graph) == 0:
        return  # keep_routable reports an empty graph
    _, dist_m = nearest_nodes(graph, [f.lon for f in facs], [f.lat for f in facs], return_dist=True)
    # Node distance overstates the distance to a long edge, so this coarse guard allows 1 km;
    # the exact snap (edge distance, max_snap_m) follows when the matrix is built.
    limit = max(snap_limit_m(graph, sc.network), 1000.0)
    far = [f"facility {f.id} ({f.name}) is {d:.0f} m from the road network (limit {limit:.0f} m); "
           "check its lon/lat in the facilities file, or use a network that covers it"
           for f, d in zip(facs, dist_m, strict=True) if d > limit]
    if far:
        raise InputError(f"{len(far)} facility(ies) too far from the road network", far)


def _read_points_cached(sc: Scenario) -> pd.DataFrame:
    """Read and validate the points file (cached per file version), before any network work."""
    p = sc.points_file
    if not p.is_file():
        raise InputError(f"collection points file {p} does not exist; fix [points] file in the scenario")
    fac_ids = (sc.facilities.depot.id, *(f.id for f in sc.facilities.landfills))
    key = (str(p), p.stat().st_mtime_ns, repr(sc.service), fac_ids, sc.kinds)
    if key not in _RAW_POINTS:
        points = read_points(p, service=sc.service, kinds=sc.kinds)
        _check_point_ids(points, sc.facilities, p)
        _RAW_POINTS[key] = points
    return _RAW_POINTS[key]


def _points_cached(sc: Scenario, net: Any) -> tuple[pd.DataFrame, dict[str, str]]:
    p = sc.points_file
    points = _read_points_cached(sc)
    from .network import snap_limit_m

    limit_m = snap_limit_m(net.graph, sc.network)
    key = (_network_key(sc), str(p), p.stat().st_mtime_ns, repr(sc.service), limit_m)
    if key not in _POINTS:
        nw = sc.network
        snapped, report = snap_points(points, net.graph, max_snap_m=limit_m, same_place_m=nw.same_place_m,
                                      kerb_side=nw.kerb_side, driving_side=nw.driving_side)
        _POINTS[key] = (snapped, report.too_far)
    return _POINTS[key]


def _matrix_cached(sc: Scenario, net: Any, snapped: pd.DataFrame) -> RoadProfiles:
    """The travel matrices of the fleet's road profiles (one unless truck restrictions differ)."""
    fac = sc.facilities
    facs = [fac.depot, *fac.landfills]
    fac_frame = pd.DataFrame({"id": [f.id for f in facs], "lon": [f.lon for f in facs], "lat": [f.lat for f in facs]})
    fac_snapped = _snap_facilities(sc, net.graph, fac_frame)
    ok = snapped[snapped["node"] >= 0]
    ids = [*fac_snapped["id"], *ok["id"]]
    nodes = [*fac_snapped["node"], *ok["node"]]
    sizes = tuple((vt.name, vt.height_m, vt.weight_t, vt.axle_load_t, vt.length_m) for vt in sc.fleet.types)
    ways = [*street_ways(fac_snapped, net.graph), *street_ways(ok, net.graph)]
    key = (_network_key(sc), tuple(ids), tuple(int(n) for n in nodes), sizes, tuple(ways))
    if key not in _MATRICES:
        gkey = id(net.graph)
        if gkey not in _INDEXES:
            _INDEXES[gkey] = GraphIndex.from_graph(net.graph)
        _MATRICES[key] = build_profiles(
            net.graph, sc.fleet.types, ids, nodes, index=_INDEXES[gkey], ways=ways, anchors=list(fac_snapped["id"]),
            allow_destination=sc.network.destination_roads_open, enabled=sc.network.truck_restrictions,
        )
    return _MATRICES[key]


def _snap_facilities(sc: Scenario, graph: Any, fac_frame: pd.DataFrame) -> pd.DataFrame:
    """Snap the depot and landfills, log each snap distance, warn about one off the roads.

    Raises
    ------
    InputError
        Naming each facility beyond the snap limit, with its distance.
    """
    from .network import snap_limit_m

    limit_m = snap_limit_m(graph, sc.network)
    fac_snapped, fac_report = snap_points(fac_frame, graph, max_snap_m=limit_m)
    if fac_report.too_far:
        far = [f"facility {k} is {v}" for k, v in fac_report.too_far.items()]
        msg = (f"{len(far)} facility(ies) beyond the snap limit of {limit_m:.0f} m from the road network "
               "(set [network] max_snap_m to allow more)")
        raise InputError(msg, far)
    off = [f"{fid} {d:.0f} m" for fid, d in zip(fac_snapped["id"], fac_snapped["snap_m"], strict=True)
           if d > FACILITY_OFF_ROAD_M]
    if off:
        log.warning("facilities off the road network (in water, a yard or a wrong lon/lat?): %s; "
                    "check their lon/lat in the facilities file", ", ".join(off))
    log.info("facilities snapped to the roads: %s (limit %.0f m)",
             ", ".join(f"{i} {d:.0f} m" for i, d in zip(fac_snapped["id"], fac_snapped["snap_m"], strict=True)),
             limit_m)
    return fac_snapped


#: A facility farther than this from its nearest road is reported as off the network.
FACILITY_OFF_ROAD_M = 50.0


def cache_sizes() -> dict[str, int]:
    """How many road networks and travel matrices this process holds in its caches.

    A batch worker reports the change around each job, which shows that a city is loaded once
    per worker and reused (``wasteroute.batch``).
    """
    return {"networks": len(_NETWORKS), "matrices": len(_MATRICES)}


def clear_caches() -> None:
    """Forget cached networks, points and matrices (e.g. after editing a data file)."""
    _NETWORKS.clear()
    _POINTS.clear()
    _MATRICES.clear()
    _INDEXES.clear()
    _RAW_POINTS.clear()
