"""Settings: TOML loading, defaults, checks, fleet variants."""

from __future__ import annotations

from pathlib import Path

import pytest

from wasteroute.config import Facilities, Fleet, NetworkSettings, Shift, SolverParams
from wasteroute.errors import InputError
from wasteroute.units import format_hhmm, m3_to_litres, parse_hhmm

AG = Path(__file__).parent / "data" / "aguascalientes"


def test_units_round_trip() -> None:
    assert parse_hhmm("05:30") == 19800 and parse_hhmm("26:00:30") == 93630
    assert format_hhmm(19800) == "05:30"
    assert m3_to_litres(1.2345) == 1235 and m3_to_litres(6.0) == 6000
    for bad in ("5", "05:75", "ab:cd", "-1:00"):
        with pytest.raises(ValueError, match="HH:MM"):
            parse_hhmm(bad)


def test_empty_tables_give_defaults() -> None:
    assert SolverParams.from_table({}) == SolverParams()
    assert Shift.from_table({}) == Shift()
    assert Shift().start_s == 5 * 3600 and Shift().break_duration_s == 1800


def test_unknown_and_bad_settings_are_named() -> None:
    with pytest.raises(InputError, match="unknown setting\\(s\\) time_limit \\(did you mean time_limit_s\\?\\); known settings are"):
        SolverParams.from_table({"time_limit": 5})
    with pytest.raises(InputError, match="time_limit_s -1 must be positive"):
        SolverParams(time_limit_s=-1)
    with pytest.raises(InputError, match="shift start .* is not before its end"):
        Shift.from_table({"start": "12:00", "end": "05:00"})
    with pytest.raises(InputError, match="speeds must be in"):
        NetworkSettings(speeds_kph={"primary": 0})


def test_fleet_file_and_unavailable_trucks(tmp_path: Path) -> None:
    fleet = Fleet.from_toml(AG / "fleet.toml")
    assert [t.id for t in fleet.trucks()] == ["DT-01", "DT-02", "DT-03", "AR-01"]
    off = fleet.with_unavailable(["DT-02"])
    assert [t.id for t in off.trucks()] == ["DT-01", "DT-03", "AR-01"]
    with pytest.raises(InputError, match="unavailable truck\\(s\\) XX-9 do not exist"):
        fleet.with_unavailable(["XX-9"])
    bad = tmp_path / "fleet.toml"
    bad.write_text('[[vehicle_type]]\nname = "d"\ncount = 1\ncapacity_m3 = 6\nserves = ["glass"]\n')
    with pytest.raises(InputError, match="serves \\['glass'\\] must be a non-empty list"):
        Fleet.from_toml(bad)


def test_fewer_trucks_taken_off_in_proportion() -> None:
    """34 -> 26 trucks takes 6 dump trucks and 2 arm-rolls off (26:8 split)."""
    from wasteroute.config import VehicleType

    fleet = Fleet(types=(VehicleType("dump", 26, 6.0, ("bak",), id_prefix="DT"),
                         VehicleType("armroll", 8, 6.0, ("container",), id_prefix="AR")))
    kept = fleet.with_available(26).trucks()
    assert len(kept) == 26
    assert sum(t.type.name == "dump" for t in kept) == 20
    with pytest.raises(InputError, match="cannot keep 40"):
        fleet.with_available(40)


def test_second_shift_twins_every_type() -> None:
    fleet = Fleet.from_toml(AG / "fleet.toml").with_unavailable(["DT-01"])
    two = fleet.with_second_shift("13:00", "19:00")
    ids = [t.id for t in two.trucks()]
    assert "DT-PM-02" in ids and "DT-PM-01" not in ids and "DT-01" not in ids
    pm = next(t for t in two.trucks() if t.id == "AR-PM-01")
    assert pm.type.shift.start_s == 13 * 3600 and pm.type.serves == ("container",)


def test_facilities_file_and_errors(tmp_path: Path) -> None:
    fac = Facilities.from_toml(AG / "facilities.toml")
    lf = fac.landfills[0]
    assert (lf.opens_s, lf.closes_s, lf.unload_s) == (5 * 3600, 17 * 3600, 900)
    assert fac.with_landfill_hours(opens_s=9 * 3600).landfills[0].opens_s == 9 * 3600
    p = tmp_path / "f.toml"
    p.write_text('[[landfill]]\nid = "L"\nname = "L"\nlon = 0\nlat = 0\n')
    with pytest.raises(InputError, match="no \\[depot\\] table"):
        Facilities.from_toml(p)
    p.write_text("this is = not toml [")
    with pytest.raises(InputError, match="is not valid TOML"):
        Facilities.from_toml(p)


def test_times_past_the_next_day_are_rejected() -> None:
    """``99:00`` used to be accepted as a time of day."""
    assert parse_hhmm("47:59") == 47 * 3600 + 59 * 60
    for bad in ("99:00", "48:00", 1e20, float("nan"), float("inf"), True):
        with pytest.raises(ValueError, match="time of day|past the next day"):
            parse_hhmm(bad)


def test_wrong_types_name_the_setting_and_the_fix() -> None:
    """A string where a number belongs used to give "'<=' not supported between 'str' and 'int'"."""
    with pytest.raises(InputError, match="solver.time_limit_s must be a number, got the string '5'; write 5 without quotes"):
        SolverParams.from_table({"time_limit_s": "5"})
    with pytest.raises(InputError, match="solver.time_limit_s must be a finite number, got inf"):
        SolverParams.from_table({"time_limit_s": float("inf")})
    with pytest.raises(InputError, match="solver seed -5 must be >= 0"):
        SolverParams.from_table({"seed": -5})
    assert SolverParams.from_table({"solution_limit": 20.0}).solution_limit == 20


def test_lists_written_as_strings_are_not_read_letter_by_letter() -> None:
    vt = {"name": "dump", "count": 1, "capacity_m3": 6.0, "serves": ["bak"]}
    with pytest.raises(InputError, match=r'unavailable must be a list of strings, got the string .DT-01.; write it as a list: \["DT-01"\]'):
        Fleet.from_table({"unavailable": "DT-01", "vehicle_type": [vt]})
    with pytest.raises(InputError, match=r'vehicle_type.serves must be a list of strings, got the string .bak.'):
        Fleet.from_table({"vehicle_type": [{**vt, "serves": "bak"}]})


def test_duplicate_truck_ids_are_an_input_error() -> None:
    """Two types with one id_prefix made two trucks DT-01, one sheet overwriting the other."""
    from wasteroute.config import VehicleType

    with pytest.raises(InputError, match="truck id\\(s\\) used twice, e.g. DT-01 by vehicle types 'dump' and 'armroll'"):
        Fleet(types=(VehicleType("dump", 2, 6.0, ("bak",), id_prefix="DT"),
                     VehicleType("armroll", 1, 6.0, ("container",), id_prefix="DT")))
