"""The bad-input corpus: every case in ``tests/bad_inputs/cases.toml`` gets a clear error, never a traceback.

Each case is a copy of the Aguascalientes test scenario with one thing changed (see the header of
``cases.toml``). It runs through ``wasteroute.cli.main`` in-process and must exit with the listed
code, print a message matching the listed regex, print no traceback and write no output folder.
Cases not marked ``network = true`` must fail before the road network is loaded, so the corpus
runs in seconds.
"""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest

from wasteroute import scenario as scenario_module
from wasteroute.cli import main

HERE = Path(__file__).parent
CORPUS = HERE / "bad_inputs"
AG = HERE / "data" / "aguascalientes"
OSM = (HERE / "data" / "osm" / "aguascalientes_mx.osm.bz2").resolve()
CASES: list[dict[str, Any]] = tomllib.loads((CORPUS / "cases.toml").read_text(encoding="utf-8"))["case"]
ROLES = {"points_generated.csv": "points", "facilities.toml": "facilities", "fleet.toml": "fleet"}


@pytest.fixture(scope="module")
def ag_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the Aguascalientes scenario; every case writes its changed files beside it.

    Sharing one folder keeps the scenario's base folder, hence its cached network, the same for
    every case.
    """
    root = tmp_path_factory.mktemp("ag")
    for src in AG.iterdir():
        if src.is_file():
            shutil.copy(src, root / src.name)
    text = (root / "scenario.toml").read_text(encoding="utf-8")
    (root / "scenario.toml").write_text(text.replace("../osm/aguascalientes_mx.osm.bz2", str(OSM)), encoding="utf-8")
    return root


def _case_scenario(case: dict[str, Any], root: Path) -> Path:
    """Write the case's changed file(s) into ``root`` and return the case's scenario file."""
    name = case["name"]
    scenario_text = (root / "scenario.toml").read_text(encoding="utf-8")
    if "edit" in case:
        target = case["edit"]
        text = (root / target).read_text(encoding="utf-8")
        assert case["old"] in text, f"case {name}: {case['old']!r} not found in {target}"
        changed = text.replace(case["old"], case["new"], 1)
        if target == "scenario.toml":
            scenario_text = changed
        else:
            # encoding = "latin-1": the changed file is saved in another encoding than UTF-8
            (root / f"{name}__{target}").write_text(changed, encoding=case.get("encoding", "utf-8"))
            scenario_text = scenario_text.replace(f'file = "{target}"', f'file = "{name}__{target}"')
    if "points" in case:
        copy = root / f"{name}__{case['points']}"
        shutil.copy(CORPUS / case["points"], copy)
        scenario_text = scenario_text.replace('file = "points_generated.csv"', f'file = "{copy.name}"')
    path = root / f"{name}__scenario.toml"
    path.write_text(scenario_text, encoding="utf-8")
    return path


def _run(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:  # argparse reports a bad option this way
        return int(exc.code or 0)


def _no_network(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("the road network was loaded: this bad input must be reported before that")


def test_corpus_is_large_and_names_are_unique() -> None:
    names = [c["name"] for c in CASES]
    assert len(names) >= 60
    assert len(set(names)) == len(names)
    for case in CASES:
        assert {"name", "exit", "match"} <= set(case), case


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_input_gives_a_clear_error(
    case: dict[str, Any], ag_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if not case.get("network", False):
        monkeypatch.setattr(scenario_module, "_network_cached", _no_network)
    out = tmp_path / "out"
    argv = ["--scenario", str(_case_scenario(case, ag_copy)), "--out", str(out),
            "--time-limit", "2", "--solution-limit", "5", "--no-sheets", "--no-maps", "-q"]
    if not case.get("no_date", False):
        argv += ["--date", "2026-11-24"]
    argv += case.get("args", [])
    code = _run(argv)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert code == case["exit"], captured.err
    assert re.search(case["match"], captured.err), captured.err
    assert not out.exists(), "a failed run must write nothing"


def test_scenario_variants_check_their_values_too() -> None:
    """The Python API gets the same clear errors as the files: no ValueError, no OverflowError."""
    from wasteroute.errors import InputError
    from wasteroute.scenario import Scenario

    sc = Scenario.from_toml(AG / "scenario.toml")
    with pytest.raises(InputError, match="volume_factor inf must be a number above 0"):
        sc.replace(volume_factor=float("inf"))
    with pytest.raises(InputError, match="timezone 'Mars/Olympus' is not a known IANA time zone"):
        sc.replace(timezone="Mars/Olympus")
    with pytest.raises(InputError, match="dumping_window_end: time '99:00' has hour 99"):
        sc.with_dumping_window_end("99:00")
    with pytest.raises(InputError, match="dumping_window_end 13:00 is at or after the end of every shift"):
        sc.with_dumping_window_end("13:00")
    with pytest.raises(InputError, match="landfill opens: time 'nine' is not a time of day"):
        sc.with_landfill_hours(opens="nine")
    with pytest.raises(InputError, match="second shift start: time '25:99' has minutes"):
        sc.with_second_shift("25:99", "19:00")
    with pytest.raises(InputError, match="solver time_limit_s nan must be positive"):
        sc.with_solver(time_limit_s=float("nan"))
    assert sc.with_dumping_window_end("07:00").dumping_window_end == 7 * 3600
