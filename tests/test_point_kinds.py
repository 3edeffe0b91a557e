"""Point kinds are scenario settings (issue 16 §3): ``[[kind]]`` ids, loading and printed names;
the points file, the fleet's ``serves``, ``--check-points`` and the outputs follow them.

Fixture: a copy of the HAND-MADE ``tests/data/restricted_town`` with two kinds of its own,
``glass`` (loaded by hand) and ``skip`` (a container lifted whole).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from wasteroute.cli import main
from wasteroute.config import PointKind, point_kinds_from_table
from wasteroute.errors import InputError
from wasteroute.outputs import write_all
from wasteroute.scenario import Scenario, clear_caches

TOWN = Path(__file__).parent / "data" / "restricted_town"
KINDS = '''
[[kind]]
id = "glass"
loading = "manual"
name_id = "bank kaca"
name_en = "bottle bank"

[[kind]]
id = "skip"
loading = "swap"
name_id = "bak kontainer"
name_en = "skip container"
'''


@pytest.fixture
def city(tmp_path: Path) -> Path:
    """The town with its own kinds: the light truck takes glass, the dump truck both."""
    folder = tmp_path / "town"
    shutil.copytree(TOWN, folder)
    (folder / "scenario.toml").write_text((folder / "scenario.toml").read_text() + KINDS)
    fleet = (folder / "fleet.toml").read_text()
    fleet = fleet.replace('serves = ["bak", "roadside"]\nheight_m = 3.2', 'serves = ["glass", "skip"]\nheight_m = 3.2')
    fleet = fleet.replace('serves = ["bak", "roadside"]\nheight_m = 2.5', 'serves = ["glass"]\nheight_m = 2.5')
    (folder / "fleet.toml").write_text(fleet)
    points = (folder / "points.csv").read_text().replace(",bak,", ",glass,").replace(",roadside,", ",skip,")
    (folder / "points.csv").write_text(points)
    clear_caches()
    return folder


def test_kinds_are_read_with_their_loading_and_names(city: Path) -> None:
    sc = Scenario.from_toml(city / "scenario.toml").replace(date=dt.date(2026, 11, 24))
    assert [k.id for k in sc.kinds] == ["glass", "skip"]
    pts = sc.points_table().set_index("id")
    assert pts.loc["P-MAIN", "kind"] == "skip" and pts.loc["P-MAIN", "service_s"] == sc.service.container_swap_s
    assert pts.loc["P-GANG", "service_s"] == sc.service.manual_setup_s + sc.service.manual_s_per_m3 * 1.0
    problem = sc.build()
    assert problem.kind_name("glass", "id") == "bank kaca" and problem.kind_name("skip", "en") == "skip container"


def test_outputs_print_the_configured_names(city: Path, tmp_path: Path) -> None:
    sc = Scenario.from_toml(city / "scenario.toml").replace(date=dt.date(2026, 11, 24))
    sol = sc.solve()
    out = tmp_path / "out"
    write_all(sol, out, language="en")
    gpx = "".join(p.read_text() for p in (out / "gpx").glob("*.gpx"))
    assert "bottle bank" in gpx and "skip container" in gpx
    html = (out / "maps" / "overview.html").read_text()
    assert "bottle bank" in html
    text = subprocess.run(["pdftotext", str(next(out.rglob("truck_DT-*.pdf"))), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert re.search(r"skip\s+container", text)  # the stop table's kind column (it may wrap)


def test_the_fleet_may_serve_only_known_kinds(city: Path) -> None:
    fleet = (city / "fleet.toml").read_text().replace('serves = ["glass"]', 'serves = ["glas"]')
    (city / "fleet.toml").write_text(fleet)
    with pytest.raises(InputError, match=r"vehicle type 'light': serves \['glas'\] must be a non-empty list of "
                                         r"\['glass', 'skip'\]"):
        Scenario.from_toml(city / "scenario.toml")


def test_a_point_of_a_kind_the_scenario_does_not_name_is_a_bad_row(city: Path) -> None:
    with (city / "points.csv").open("a") as fh:
        fh.write("P-X,TPS X,Pulau,Uji,123.6010,-10.1700,bak,0.5,,05:00,,daily\n")
    sc = Scenario.from_toml(city / "scenario.toml")
    with pytest.raises(InputError, match="unknown kind 'bak'; use one of glass, skip"):
        sc.points_table()


def test_check_points_uses_the_scenarios_kinds(city: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--check-points", str(city / "points.csv"), "--scenario", str(city / "scenario.toml")]) == 0
    assert "ok: 3 points" in capsys.readouterr().out
    assert main(["--check-points", str(city / "points.csv")]) == 2  # Kupang's kinds: glass is unknown
    assert "unknown kind 'glass'" in capsys.readouterr().err


@pytest.mark.parametrize(("tables", "message"), [
    ([{"id": "Glass"}], "kind id 'Glass' must be lower-case"),
    ([{"id": "glass", "loading": "lift"}], "loading 'lift' must be one of manual, swap"),
    ([{"id": "glass"}, {"id": "glass"}], "kind id.s. glass given twice"),
    ([{"name_en": "x"}], r"kind\[0\]: no id"),
    ([{"id": "glass", "colour": "green"}], "unknown setting.s. colour"),
    ([], r"\[\[kind\]\] is empty"),
])
def test_bad_kind_tables(tables: list[dict[str, str]], message: str) -> None:
    with pytest.raises(InputError, match=message):
        point_kinds_from_table(tables, "scenario.toml")


def test_no_kind_tables_mean_kupangs_kinds() -> None:
    kinds = point_kinds_from_table(None, "scenario.toml")
    assert [k.id for k in kinds] == ["container", "bak", "roadside"]
    assert PointKind("glass").name("en") == "glass"


def test_schedule_boards_name_a_kind_of_the_scenario(tmp_path: Path) -> None:
    """Boards keep their own wording for Kupang's kinds and print the scenario's name for others."""
    import pandas as pd

    from wasteroute.outputs.boards import write_boards

    schedule = pd.DataFrame([
        {"point": "G-1", "name": "Pasar", "kind": "glass", "kelurahan": "Oebobo", "kecamatan": "Oebobo",
         "days": "mon", "window": "", "truck": "DT-01"},
        {"point": "B-1", "name": "Gereja", "kind": "bak", "kelurahan": "Oebobo", "kecamatan": "Oebobo",
         "days": "tue", "window": "", "truck": "DT-01"},
    ])
    names = {"glass": {"id": "bank kaca", "en": "bottle bank"}, "bak": {"id": "bak", "en": "bin (bak)"}}
    [every, *_] = write_boards(schedule, tmp_path, monday=dt.date(2026, 11, 23), channel="Qlue",
                               language="id", kind_names=names)
    text = subprocess.run(["pdftotext", str(every), "-"], capture_output=True, text=True, check=True).stdout
    assert "bank kaca: Pasar" in text and "TPS (bak sampah): Gereja" in text
