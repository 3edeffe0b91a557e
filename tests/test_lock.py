"""The lock files pin every package, and agree with ``pyproject.toml``.

``requirements/lock.txt`` (runtime) and ``requirements/lock-test.txt`` (runtime + test extra)
are what ``bash .ci/setup`` installs; ``pyproject.toml`` keeps lower bounds. These tests make
sure the two cannot drift apart silently: every line is ``name==version``, every requirement
of ``pyproject.toml`` is pinned at a version it allows, and every dependency of a pinned
package is pinned too.
"""

from __future__ import annotations

import importlib.metadata as md
import re
import runpy
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
LOCK_DIR = ROOT / "requirements"
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([0-9][0-9A-Za-z.+!_-]*)$")
_lock = runpy.run_path(str(LOCK_DIR / "lock.py"))
#: lock file -> extras of pyproject.toml it covers besides the runtime dependencies
LOCKS = _lock["LOCKS"]


def read_lock(path: Path) -> dict[str, str]:
    """Name -> version of a lock file; fail on any line that is not a plain exact pin."""
    pins: dict[str, str] = {}
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _PIN.match(line)
        assert match, f"{path.name}:{n}: {line!r} is not a 'name==version' pin"
        name = canonicalize_name(match.group(1))
        assert name not in pins, f"{path.name}:{n}: {name} is pinned twice"
        Version(match.group(2))  # raises on a version pip could not read
        pins[name] = match.group(2)
    return pins


@pytest.mark.parametrize("name", LOCKS)
def test_every_line_is_an_exact_pin_without_local_paths(name: str) -> None:
    lines = (LOCK_DIR / name).read_text(encoding="utf-8").splitlines()
    body = [line for line in lines if line.strip() and not line.startswith("#")]
    pins = read_lock(LOCK_DIR / name)
    assert len(pins) == len(body) > 20
    assert "wasteroute" not in pins  # installed from the checkout with --no-deps
    assert not [line for line in body if "file:" in line or "@" in line or "/" in line]


@pytest.mark.parametrize(("name", "extras"), LOCKS.items())
def test_every_pyproject_requirement_is_pinned_at_an_allowed_version(
    name: str, extras: tuple[str, ...]
) -> None:
    pins = read_lock(LOCK_DIR / name)
    for req in _lock["project_requirements"](extras):
        key = canonicalize_name(req.name)
        assert key in pins, f"{name} does not pin {req} of pyproject.toml"
        assert req.specifier.contains(pins[key], prereleases=True), (
            f"{name} pins {key}=={pins[key]}, which pyproject.toml's {req} does not allow"
        )


def test_pyvrp_is_a_runtime_requirement() -> None:
    runtime = {canonicalize_name(r.name) for r in _lock["project_requirements"]()}
    assert "pyvrp" in runtime
    assert "pyvrp" in read_lock(LOCK_DIR / "lock.txt")


def test_the_dask_extra_is_in_both_locks() -> None:
    """The README's install (``bash .ci/setup``) includes ``wasteroute[dask]`` for batches."""
    assert all("dask" in extras for extras in LOCKS.values()) and set(LOCKS) == {"lock.txt", "lock-test.txt"}
    for name in LOCKS:
        pins = read_lock(LOCK_DIR / name)
        assert {"dask", "distributed", "pyarrow"} <= set(pins), name


def test_the_runtime_lock_is_part_of_the_test_lock() -> None:
    runtime = read_lock(LOCK_DIR / "lock.txt")
    test = read_lock(LOCK_DIR / "lock-test.txt")
    assert {k: test.get(k) for k in runtime} == runtime


@pytest.mark.parametrize(("name", "extras"), LOCKS.items())
def test_every_dependency_of_a_pinned_package_is_pinned(
    name: str, extras: tuple[str, ...]
) -> None:
    """The lock is closed: regenerating it from this environment changes nothing."""
    pins = read_lock(LOCK_DIR / name)
    closure = _lock["closure"](_lock["project_requirements"](extras))
    missing = sorted(set(closure) - set(pins))
    assert not missing, f"{name} misses {missing}: rerun requirements/lock.py"
    extra = sorted(set(pins) - set(closure) - {"pip"})
    assert not extra, f"{name} pins {extra}, which nothing needs: rerun requirements/lock.py"


def test_this_environment_is_the_locked_one() -> None:
    """The tests run against the versions the lock promises (as .ci/setup installs them)."""
    pins = read_lock(LOCK_DIR / "lock-test.txt")
    wrong = {n: (v, md.version(n)) for n, v in pins.items() if md.version(n) != v}
    assert not wrong, f"installed versions differ from lock-test.txt (locked, installed): {wrong}"


def test_a_loose_line_is_refused(tmp_path: Path) -> None:
    for bad in ("numpy>=1.26", "numpy", "numpy==2.0 ; python_version<'3.12'", "-e ."):
        path = tmp_path / "lock.txt"
        path.write_text(f"# header\n{bad}\n", encoding="utf-8")
        with pytest.raises(AssertionError, match="not a 'name==version' pin"):
            read_lock(path)


def test_the_setup_script_installs_from_the_lock() -> None:
    setup = (ROOT / ".ci" / "setup").read_text(encoding="utf-8")
    assert "requirements/lock.txt" in setup and "requirements/lock-test.txt" in setup
    assert '-r "$lock"' in setup and "--no-deps -e ." in setup
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash .ci/setup test" in run
