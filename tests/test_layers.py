"""The house has one way through: no import cycles, and no module imports a floor above its own.

A static scan with ``ast`` (no module is imported): every ``import`` and ``from ... import`` of
every module of the package counts, at the top of the file, inside a function or under
``TYPE_CHECKING`` alike; importing ``a.b.c`` also counts as importing the package ``a.b`` (its
``__init__`` runs first). ``LAYERS`` is the table of floors (README, "Layers"); a new module
must be placed in it.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "wasteroute"

#: The floors, lowest first; a module imports only from its own floor or the floors below.
#: A name ending in ``.*`` is a whole package (its ``__init__`` and every module in it); "" is ``wasteroute/__init__.py`` (empty). The plan's data (routes, the Solution and its
#: plan.json) sits under the engines, which return a Solution; the strategies combine engines.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("ground", ("", "errors", "units", "config", "speed_profiles", "timezones", "restrictions", "schedule",
                "replan_inputs", "graph_cache")),
    ("inputs", ("network", "stops", "newcity", "onstreet", "matrix", "road_profiles", "problem")),
    ("solution", ("routes", "geometry", "directions", "plan_io", "solution", "diagnose")),
    ("engines", ("solver", "pyvrp_model")),
    ("strategies", ("hybrid", "decompose", "fleet_size", "search")),
    ("operations", ("evaluate", "replan", "week")),
    ("outputs", ("outputs.*",)),
    ("facades", ("scenario", "batch", "evaluate_run", "synthetic.*")),
    ("front doors", ("cli", "web.*")),
]


def _modules() -> dict[str, Path]:
    """Dotted name below ``wasteroute`` ("" for the package itself) -> file."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _targets(module: str, path: Path, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The package modules an import statement loads (``from pkg import sub`` counts as ``pkg.sub``)."""
    names: list[str] = []
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        base = node.module or ""
        if node.level:
            here = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
            here = here[: len(here) - (node.level - 1)]
            base = ".".join(["wasteroute", *[p for p in here if p], *([base] if base else [])])
        for a in node.names:
            names.append(f"{base}.{a.name}" if f"{base}.{a.name}".removeprefix("wasteroute.") in MODULES
                         else base)
    out = []
    for name in names:
        if name != "wasteroute" and not name.startswith("wasteroute."):
            continue
        parts = name.split(".")[1:]
        while parts and ".".join(parts) not in MODULES:
            parts.pop()
        out.append(".".join(parts))
    return out


def _with_packages(module: str, target: str) -> list[str]:
    """``target``, and the packages above it whose ``__init__`` importing it runs (not the
    importer's own packages: they are running already). ``from . import name`` of a name defined
    in the importer's own ``__init__`` imports that package, and counts."""
    parts = target.split(".")
    above = [".".join(parts[:k]) for k in range(1, len(parts))]
    own = {".".join(module.split(".")[:k]) for k in range(len(module.split(".")) + 1)}
    return [t for t in [*above, target] if t != module and (t == target or t not in own)]


@functools.cache
def import_graph() -> nx.DiGraph:
    """Edge a -> b when module a imports module b anywhere in its file; ``lineno`` says where.

    Cached: the tests read it; a test that changes it works on a copy.
    """
    g = nx.DiGraph()
    for module, path in MODULES.items():
        g.add_node(module)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in _targets(module, path, node):
                    for t in _with_packages(module, target):
                        if not g.has_edge(module, t):
                            g.add_edge(module, t, lineno=node.lineno)
    return g


def layer_of(module: str) -> int:
    """The floor of ``module`` (index into ``LAYERS``).

    Raises
    ------
    KeyError
        If the module is in no floor of the table.
    """
    for k, (_, members) in enumerate(LAYERS):
        for m in members:
            if module == m or m.endswith(".*") and (module == m[:-2] or module.startswith(m[:-1])):
                return k
    raise KeyError(module)


def _name(module: str) -> str:
    return f"wasteroute.{module}" if module else "wasteroute"


def cycles(g: nx.DiGraph) -> list[str]:
    """Each import cycle as text: its modules, then every import that closes it, with its line."""
    lines = []
    for c in sorted(sorted(c) for c in nx.strongly_connected_components(g) if len(c) > 1):
        lines.append(" <-> ".join(_name(m) for m in c))
        lines += [f"    {_name(a)} imports {_name(b)} (line {g.edges[a, b]['lineno']})"
                  for a in c for b in c if g.has_edge(a, b)]
    return lines


def upward(g: nx.DiGraph) -> list[str]:
    """Every import of a module on a higher floor than the importer's, as text."""
    return [f"{_name(a)} ({LAYERS[layer_of(a)][0]}) imports {_name(b)} ({LAYERS[layer_of(b)][0]}), "
            f"line {g.edges[a, b]['lineno']}"
            for a, b in sorted(g.edges) if layer_of(a) < layer_of(b)]


def test_the_scan_sees_imports_at_every_level() -> None:
    """Top-level, function-level, TYPE_CHECKING and relative imports all become edges."""
    g = import_graph()
    assert g.has_edge("solution", "routes")  # top level
    assert g.has_edge("scenario", "week")  # inside Scenario.plan_week
    assert g.has_edge("outputs.week_folder", "week")  # under TYPE_CHECKING
    assert g.has_edge("web.app", "web.pages")  # ``from . import pages``
    assert g.has_edge("web.jobkinds", "search")  # ``from .. import search`` inside a function
    assert g.has_edge("web.render", "outputs.maps.text")  # ``from ..outputs.maps.text import words``
    assert g.has_edge("web.render", "outputs.maps")  # ... runs ``outputs/maps/__init__.py`` first
    assert g.has_edge("web.render", "outputs")  # ... and ``outputs/__init__.py``
    assert not g.has_edge("outputs.maps.draw", "outputs")  # a module's own package is already running


def test_the_checks_can_fail() -> None:
    """An engine importing a strategy is upward; routes importing the solution closes a cycle."""
    g = import_graph().copy()
    g.add_edge("solver", "hybrid", lineno=1)
    g.add_edge("routes", "solution", lineno=2)
    assert "wasteroute.solver (engines) imports wasteroute.hybrid (strategies), line 1" in upward(g)
    assert "    wasteroute.routes imports wasteroute.solution (line 2)" in cycles(g)


def test_no_import_cycle() -> None:
    found = cycles(import_graph())
    assert not found, "import cycles (move the piece to its floor, see README 'Layers'):\n" + "\n".join(found)


def test_every_module_has_a_floor() -> None:
    missing = []
    for m in MODULES:
        try:
            layer_of(m)
        except KeyError:
            missing.append(_name(m))
    assert not missing, f"place these modules in LAYERS (tests/test_layers.py) and README 'Layers': {missing}"


def test_nothing_imports_upward() -> None:
    found = upward(import_graph())
    assert not found, "upward imports (see README 'Layers'):\n" + "\n".join(found)


@pytest.mark.parametrize(("module", "never"), [
    ("solver", ("strategies", "operations", "outputs", "facades", "front doors")),
    ("pyvrp_model", ("strategies", "operations", "outputs", "facades", "front doors")),
    ("solution", ("engines", "strategies", "operations", "outputs", "facades", "front doors")),
    ("outputs.day_folder", ("facades", "front doors")),
    ("outputs.week_folder", ("facades", "front doors")),
])
def test_main_chain_examples(module: str, never: tuple[str, ...]) -> None:
    """Spelled out for the main chain: an engine never imports a strategy, outputs, cli or web;
    the solution never an engine, strategy or outputs; outputs never cli or web."""
    g = import_graph()
    assert set(never) <= {name for name, _ in LAYERS}
    bad = [_name(b) for b in g.successors(module) if LAYERS[layer_of(b)][0] in never]
    assert not bad, f"wasteroute.{module} imports {bad}"
