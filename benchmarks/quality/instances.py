"""Readers for the benchmark sets, each into one neutral :class:`Instance`.

An ``Instance`` keeps the set's own real-valued distances (for the objective under the set's
convention) next to the integer matrices every solver gets (the same integers for our model,
PyVRP and VROOM). Location order everywhere: ``0`` depot, ``1..L`` landfills (reload places),
then the clients.

Unit conventions (stated per set in ``SOURCES.md`` beside the data):

* Solomon: DIMACS, each arc's Euclidean length truncated to 0.1; travel time = distance.
  Integers are tenths (distance ×10, times ×10). Objective = total truncated distance.
* mtvrptwr: same DIMACS ×10 integers; objective = distance ×10 (integer, as ``bks.csv``).
* CVRPLIB X: Euclidean rounded to the nearest integer per arc; no time. Objective = sum.
* Kim et al. 2006: Manhattan distance on coordinates in feet; travel time at the file's speed
  (mph), rounded to whole seconds; integer distance in feet; loads in yd³ ×100.
  Objective = total distance in miles (real-valued Manhattan), vehicles first.
"""

from __future__ import annotations

import csv
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

#: The published instances: ``$WASTEROUTE_BENCHMARKS`` or the shared folder beside the repository.
DATA = Path(os.environ.get("WASTEROUTE_BENCHMARKS") or Path(__file__).resolve().parents[3] / "shared" / "benchmarks")
FEET_PER_MILE = 5280.0
OPEN = 48 * 3600


@dataclass(frozen=True)
class Landfill:
    """A reload place: hours (latest start of unloading = ``closes``) and unload time."""

    x: float
    y: float
    opens: int
    closes: int
    unload: int


@dataclass
class Instance:
    """One benchmark instance in neutral form (integer units as described per set)."""

    name: str
    family: str  # solomon | kim | mtvrptwr | x
    xy: np.ndarray  # (n, 2) coordinates over [depot, *landfills, *clients]
    dist: np.ndarray  # (n, n) int64: distance every solver sees
    time: np.ndarray  # (n, n) int64: travel time every solver sees
    n_landfills: int
    depot_tw: tuple[int, int]
    landfills: list[Landfill]
    demand: np.ndarray  # clients only, int
    ready: np.ndarray
    due: np.ndarray  # latest service start
    service: np.ndarray
    release: np.ndarray  # trip must leave its reload place at or after this (0 = none)
    capacity: int
    num_vehicles: int
    fixed_fleet: bool  # False: vehicles free (count is an upper bound we chose)
    max_trips: int = 1
    max_stops: int | None = None
    daily_capacity: int | None = None  # total load per vehicle per day (Kim route capacity)
    lunch: tuple[int, int, int] | None = None  # earliest start, latest start, duration (s)
    bks: float | None = None
    bks_vehicles: int | None = None
    bks_note: str = ""
    ref: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def n_clients(self) -> int:
        """Number of clients (collection points)."""
        return len(self.demand)

    def client_loc(self, k: int) -> int:
        """Location index of client ``k``."""
        return 1 + self.n_landfills + k

    def objective(self, routes: list[list[int]]) -> float:
        """Cost of ``routes`` (location sequences without the depot) under the set's convention."""
        total = 0.0
        for r in routes:
            seq = [0, *r, 0]
            for a, b in zip(seq, seq[1:]):
                total += self.real_arc(a, b)
        if self.family == "mtvrptwr":
            return round(total * 10)
        if self.family == "solomon":
            return round(total, 1)
        return total

    def real_arc(self, a: int, b: int) -> float:
        """One arc's cost in the set's convention (DIMACS tenths, rounded int, miles)."""
        if self.family in ("solomon", "mtvrptwr"):
            return float(self.dist[a, b]) / 10
        if self.family == "x":
            return float(self.dist[a, b])
        dx = abs(self.xy[a] - self.xy[b]).sum()
        return float(dx) / FEET_PER_MILE


# ----------------------------------------------------------------------------- helpers
def _euclid(xy: np.ndarray) -> np.ndarray:
    d = xy[:, None, :] - xy[None, :, :]
    return np.sqrt((d**2).sum(-1))


def _dimacs10(xy: np.ndarray) -> np.ndarray:
    """Euclidean distance truncated to one decimal, as integer tenths."""
    return np.floor(_euclid(xy) * 10 + 1e-9).astype(np.int64)


def _bks_rows(path: Path) -> dict[str, dict[str, str]]:
    with path.open(newline="") as fh:
        return {row["instance"]: row for row in csv.DictReader(fh)}


def _num(s: str | None) -> float | None:
    return float(s) if s not in (None, "") else None


# ----------------------------------------------------------------------------- Solomon
def read_solomon(path: Path, bks: dict[str, str] | None = None) -> Instance:
    """Solomon text format; DIMACS convention (×10 integers), vehicles free (up to NUMBER)."""
    lines = [ln.split() for ln in Path(path).read_text().splitlines()]
    name = lines[0][0]
    vi = next(i for i, ln in enumerate(lines) if ln and ln[0].upper() == "VEHICLE")
    n_veh, cap = int(lines[vi + 2][0]), int(lines[vi + 2][1])
    rows = [ln for ln in lines if len(ln) == 7 and ln[0].isdigit()]
    a = np.array(rows, dtype=float)
    xy = a[:, 1:3]
    # One reload place at the depot (zero unload): depot -> ... -> landfill(=depot) -> depot.
    xy = np.vstack([xy[:1], xy[:1], xy[1:]])
    d = _dimacs10(xy)
    depot_due = int(a[0, 5]) * 10
    inst = Instance(
        name=name, family="solomon", xy=xy, dist=d, time=d.copy(), n_landfills=1,
        depot_tw=(int(a[0, 4]) * 10, depot_due), landfills=[Landfill(*xy[0], 0, depot_due, 0)],
        demand=a[1:, 3].astype(np.int64), ready=(a[1:, 4] * 10).astype(np.int64),
        due=(a[1:, 5] * 10).astype(np.int64), service=(a[1:, 6] * 10).astype(np.int64),
        release=np.zeros(len(a) - 1, dtype=np.int64), capacity=cap, num_vehicles=n_veh, fixed_fleet=False,
    )
    if bks:
        inst.bks, inst.bks_vehicles = _num(bks["bks_objective"]), int(bks["vehicles"])
        inst.bks_note = "distance, DIMACS truncation, vehicles free"
        inst.ref = {"lex_distance": float(bks["lex_bks_distance"]), "lex_vehicles": float(bks["lex_vehicles"])}
    return inst


def solomon_instances(limit: int | None = None, names: list[str] | None = None) -> list[Instance]:
    """The Solomon subset: by default two of each class (C1, C2, R1, R2, RC1, RC2)."""
    bks = _bks_rows(DATA / "solomon/bks.csv")
    names = names or ["C101", "C106", "C201", "C205", "R101", "R107", "R201", "R208",
                      "RC101", "RC106", "RC201", "RC205"]
    return [read_solomon(DATA / f"solomon/txt/{n}.txt", bks.get(n)) for n in names[:limit]]


# ----------------------------------------------------------------------------- VRPLIB sets
def read_mtvrptwr(path: Path, bks: dict[str, str] | None = None) -> Instance:
    """Multi-trip VRPTW with release dates (PyVRP's VRPLIB extension); DIMACS ×10, fixed fleet."""
    import vrplib

    d = vrplib.read_instance(str(path))
    xy0 = np.asarray(d["node_coord"], dtype=float)
    xy = np.vstack([xy0[:1], xy0[:1], xy0[1:]])  # reload place = the depot itself
    dist = _dimacs10(xy)
    tw = np.asarray(d["time_window"], dtype=np.int64) * 10
    svc = d["service_time"]
    svc = np.full(len(xy0), int(svc)) if np.isscalar(svc) else np.asarray(svc)
    svc = svc.astype(np.int64) * 10
    svc[0] = 0
    rel = np.asarray(d["release_time"], dtype=np.int64) * 10
    inst = Instance(
        name=d["name"], family="mtvrptwr", xy=xy, dist=dist, time=dist.copy(), n_landfills=1,
        depot_tw=(int(tw[0, 0]), int(tw[0, 1])), landfills=[Landfill(*xy0[0], int(tw[0, 0]), int(tw[0, 1]), 0)],
        demand=np.asarray(d["demand"][1:], dtype=np.int64), ready=tw[1:, 0], due=tw[1:, 1],
        service=svc[1:], release=rel[1:], capacity=int(d["capacity"]), num_vehicles=int(d["vehicles"]),
        fixed_fleet=True, max_trips=4,
    )
    if bks:
        inst.bks, inst.bks_vehicles = float(bks["bks_objective"]), int(bks["vehicles"])
        inst.bks_note = f"distance x10, DIMACS, fixed fleet; {bks['status']}"
    return inst


def mtvrptwr_instances(limit: int | None = None, names: list[str] | None = None) -> list[Instance]:
    """A mtvrptwr subset spanning C/R/RC, 100 and 200 clients, release settings."""
    bks = _bks_rows(DATA / "mtvrptwr/bks.csv")
    names = names or ["C201R0.25", "R201R0.5", "RC201R0.75", "C2_2_01R0.5", "R2_2_01R0.25", "RC2_2_01R0.5"]
    return [read_mtvrptwr(DATA / f"mtvrptwr/{n}.vrp", bks.get(n)) for n in names[:limit]]


def read_cvrp(path: Path, bks: dict[str, str] | None = None) -> Instance:
    """CVRPLIB (X) instance: rounded Euclidean integers, no time, vehicles free (k + 2 offered)."""
    import vrplib

    d = vrplib.read_instance(str(path))
    xy0 = np.asarray(d["node_coord"], dtype=float)
    xy = np.vstack([xy0[:1], xy0[:1], xy0[1:]])
    dist = np.rint(_euclid(xy)).astype(np.int64)
    n = len(xy0) - 1
    k = int(re.search(r"-k(\d+)", d["name"]).group(1))  # type: ignore[union-attr]
    zeros = np.zeros(n, dtype=np.int64)
    inst = Instance(
        name=d["name"], family="x", xy=xy, dist=dist, time=dist.copy(), n_landfills=1,
        depot_tw=(0, 10**8), landfills=[Landfill(*xy0[0], 0, 10**8, 0)],
        demand=np.asarray(d["demand"][1:], dtype=np.int64), ready=zeros, due=np.full(n, 10**8),
        service=zeros, release=zeros, capacity=int(d["capacity"]), num_vehicles=k + 2, fixed_fleet=False,
    )
    if bks:
        inst.bks, inst.bks_vehicles = float(bks["bks_objective"]), int(bks["vehicles"])
        inst.bks_note = "distance, Euclidean rounded per arc, vehicles free"
    return inst


X_DEFAULT = ["X-n101-k25", "X-n157-k13", "X-n200-k36", "X-n251-k28", "X-n303-k21", "X-n401-k29",
             "X-n502-k39", "X-n599-k92", "X-n701-k44", "X-n801-k40", "X-n916-k207", "X-n1001-k43"]


def x_instances(limit: int | None = None, names: list[str] | None = None) -> list[Instance]:
    """A CVRPLIB X subset from 100 to 1000 customers."""
    bks = _bks_rows(DATA / "cvrplib/bks.csv")
    names = names or X_DEFAULT
    return [read_cvrp(DATA / f"cvrplib/X/{n}.vrp", bks.get(n)) for n in names[:limit]]


# ----------------------------------------------------------------------------- Kim et al. 2006
def _hhmm(tok: str) -> int:
    """``HHMM`` with or without leading zeros (``400`` = 04:00); minutes >= 60 carry over."""
    v = int(round(float(tok)))
    return (v // 100) * 3600 + (v % 100) * 60


def parse_kim(text: str) -> tuple[list[float], np.ndarray]:
    """The five header numbers and the records ``(id, x, y, early, late, service, load, type)``.

    Accepts CRLF, tabs or spaces (also doubled), ``//`` comments, integer or real numbers,
    trailing empty columns and times without leading zeros.
    """
    header: list[float] = []
    records: list[list[float]] = []
    for raw in text.replace("\r", "\n").split("\n"):
        line = raw.split("//")[0].strip()
        if not line:
            continue
        toks = line.split()
        try:
            vals = [float(t) for t in toks]
        except ValueError:
            continue  # column header
        if len(header) < 5 and len(vals) == 1:
            header.append(vals[0])
        elif len(vals) >= 8:
            early, late = _hhmm(toks[3]), _hhmm(toks[4])
            records.append([vals[0], vals[1], vals[2], early, late, vals[5], vals[6], vals[7]])
    if len(header) != 5:
        raise ValueError(f"Kim instance: expected 5 header numbers, found {len(header)}")
    return header, np.array(records, dtype=float)


def read_kim(path: Path, bks: dict[str, str] | None = None) -> Instance:
    """A Kim, Kim & Sahoo (2006) instance: depot, landfills, stops, lunch 11:00-12:00 start.

    Depot window = shift (leave at or after early, back by late); a landfill's late time is the
    latest start of unloading; loads in yd³ ×100; time = Manhattan feet at the given mph.
    """
    header, rec = parse_kim(Path(path).read_text(errors="replace"))
    cap, daily, max_stops, lunch_s, mph = header
    depot = rec[rec[:, 7] == 0]
    lfs = rec[rec[:, 7] == 2]
    cl = rec[rec[:, 7] == 1]
    if len(depot) != 1:
        raise ValueError(f"{path}: expected one depot record, found {len(depot)}")
    allr = np.vstack([depot, lfs, cl])
    xy = allr[:, 1:3]
    man = np.abs(xy[:, None, :] - xy[None, :, :]).sum(-1)
    ft_per_s = mph * FEET_PER_MILE / 3600
    n_cl = len(cl)
    demand = np.rint(cl[:, 6] * 100).astype(np.int64)
    inst = Instance(
        name=Path(path).stem, family="kim", xy=xy, dist=np.rint(man).astype(np.int64),
        time=np.rint(man / ft_per_s).astype(np.int64), n_landfills=len(lfs),
        depot_tw=(int(depot[0, 3]), int(depot[0, 4])),
        landfills=[Landfill(r[1], r[2], int(r[3]), int(r[4]), int(r[5])) for r in lfs],
        demand=demand, ready=cl[:, 3].astype(np.int64), due=cl[:, 4].astype(np.int64),
        service=np.rint(cl[:, 5]).astype(np.int64), release=np.zeros(n_cl, dtype=np.int64),
        capacity=int(round(cap * 100)), num_vehicles=0, fixed_fleet=False,
        max_stops=int(max_stops) if max_stops < n_cl else None,
        daily_capacity=int(round(daily * 100)), lunch=(11 * 3600, 12 * 3600, int(lunch_s)),
    )
    load_days = math.ceil(demand.sum() / inst.daily_capacity)
    trips = math.ceil(min(inst.daily_capacity, demand.sum()) / inst.capacity)
    inst.max_trips = min(trips + 1, 6)
    if bks:
        ref = {k: _num(bks.get(k)) for k in ("ref_kim2006_clustering_vehicles", "ref_kim2006_clustering_td_miles",
                                            "ref_kim2006_insertion_vehicles", "ref_kim2006_insertion_td_miles")}
        inst.ref = {k: v for k, v in ref.items() if v is not None}
    ref_veh = [v for k, v in inst.ref.items() if k.endswith("vehicles")]
    # Trucks offered (Kim et al.'s fleet is unlimited; the search uses as few as it can): enough
    # for the day's load, and for its time with a margin: service + the shortest way into each
    # stop + one unload per load is a lower bound that real routes exceed (1932/2100 stops: 13.0
    # and 12.1 truck-days by that bound; 15 and 14 offered, as before, left 47 and 292 stops out).
    inst.num_vehicles = int(max([load_days, _time_days(inst, int(lunch_s)), *ref_veh])) + 2
    if inst.ref:
        # "Best known" here = the better (smaller distance) of Kim et al.'s two reported results.
        best = min(("clustering", "insertion"), key=lambda a: inst.ref[f"ref_kim2006_{a}_td_miles"])
        inst.bks = inst.ref[f"ref_kim2006_{best}_td_miles"]
        inst.bks_vehicles = int(inst.ref[f"ref_kim2006_{best}_vehicles"])
        inst.bks_note = "Kim et al. 2006 Table 3 (unverified transcription), miles"
    return inst


#: Margin on the time bound of a Kim day's trucks (see :func:`_time_days`).
KIM_TIME_MARGIN = 1.5


def _time_days(inst: Instance, lunch_s: int) -> int:
    """Truck-days of a Kim day's time, with :data:`KIM_TIME_MARGIN`: service, the shortest way into
    each stop from another and the shortest unload once per full load, against a shift without lunch."""
    off = 1 + inst.n_landfills
    t = inst.time[off:, off:].astype(np.float64)
    np.fill_diagonal(t, np.inf)
    into = float(t.min(axis=0).sum()) if len(t) > 1 else 0.0
    unload = min(lf.unload for lf in inst.landfills) * math.ceil(float(inst.demand.sum()) / inst.capacity)
    work_s = inst.depot_tw[1] - inst.depot_tw[0] - lunch_s
    return math.ceil(KIM_TIME_MARGIN * (float(inst.service.sum()) + into + unload) / work_s)


KIM_NAMES = ["102_stop", "277_stop", "335_stop", "444_stop", "804_stop", "1051_stop", "1932_stop", "2100_stop"]


def kim_instances(limit: int | None = None, names: list[str] | None = None) -> list[Instance]:
    """The eight Kim et al. (2006) instances here."""
    bks = _bks_rows(DATA / "wcvrptw-kim2006/bks.csv")
    names = names or KIM_NAMES
    return [read_kim(DATA / f"wcvrptw-kim2006/instances/{n}.txt", bks.get(n)) for n in names[:limit]]


READERS = {"solomon": solomon_instances, "kim": kim_instances, "mtvrptwr": mtvrptwr_instances, "x": x_instances}


def full_names(family: str) -> list[str] | None:
    """The instance lists of issue 11's targets (``run.py --full``); None = the set's own default.

    Solomon: all 56. CVRPLIB X: 20 of the 100, every fifth by size (X-n120 ... X-n1001), so
    100-1,000 customers are spread evenly. mtvrptwr: 24 = each of the six families (C2, R2, RC2 with
    100 clients, C2_2, R2_2, RC2_2 with 200) × four instances (numbers 1, 3, 5, 7) with the release
    setting cycling 0.25, 0.5, 0.75, 0.5. Kim: all 8 (the default).
    """
    if family == "solomon":
        return sorted(p.stem for p in (DATA / "solomon/txt").glob("*.txt"))
    if family == "x":
        by_size = sorted((p.stem for p in (DATA / "cvrplib/X").glob("*.vrp")),
                         key=lambda n: int(re.search(r"-n(\d+)-", n).group(1)))  # type: ignore[union-attr]
        return by_size[4::5]
    if family == "mtvrptwr":
        out = []
        for fam in ("C2", "R2", "RC2", "C2_2_", "R2_2_", "RC2_2_"):
            for num, rel in zip((1, 3, 5, 7), ("0.25", "0.5", "0.75", "0.5")):
                out.append(f"{fam}{num:02d}R{rel}")
        return out
    return None


def head(inst: Instance, k: int, *, num_vehicles: int | None = None) -> Instance:
    """The same instance cut to its first ``k`` clients (for quick tests); no best known."""
    import dataclasses

    keep = np.r_[0 : 1 + inst.n_landfills, 1 + inst.n_landfills : 1 + inst.n_landfills + k]
    return dataclasses.replace(
        inst, name=f"{inst.name}[:{k}]", xy=inst.xy[keep], dist=inst.dist[np.ix_(keep, keep)],
        time=inst.time[np.ix_(keep, keep)], demand=inst.demand[:k], ready=inst.ready[:k], due=inst.due[:k],
        service=inst.service[:k], release=inst.release[:k], bks=None, bks_vehicles=None,
        num_vehicles=num_vehicles or inst.num_vehicles, ref={},
    )
