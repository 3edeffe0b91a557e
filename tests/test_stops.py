"""Reading, checking and snapping collection points."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from wasteroute.errors import InputError
from wasteroute.stops import is_due, read_points, snap_points, split_due, validate_points

BAD = Path(__file__).parent / "data" / "bad"


def test_every_bad_row_is_reported_at_once() -> None:
    """One InputError lists each broken row with its row number and id."""
    with pytest.raises(InputError) as err:
        read_points(BAD / "points_many_errors.csv")
    text = str(err.value)
    expected = [
        "row 2 (id A2): lon 'east' is not a number",
        "row 3 (id A3): lat -100.5 is out of range [-90, 90]",
        "row 4 (id A1): duplicate id, first used on row 1",
        "row 5 (id A5): negative volume_m3 -2.0",
        "row 6 (id A6): window starts (09:00) after it ends (06:00)",
        "row 7 (id A7): unknown kind 'dumpster'; use one of container, bak, roadside",
        "row 8 (id A8): volume_m3 is nan; give a finite number",
        "row 9 (id A9): days 'mon;funday' has unknown weekday(s) ['funday']",
        "row 10 (id ?): empty id",
        "row 11 (id A11): ready_from: time \"5 o'clock\" is not a time of day",
    ]
    for line in expected:
        assert line in text
    assert len(err.value.problems) == len(expected)
    assert "10 problem(s)" in text


def test_missing_columns_named() -> None:
    with pytest.raises(InputError, match=r"missing column\(s\) kind, volume_m3; a points file needs id, lon, lat"):
        read_points(BAD / "points_missing_columns.csv")


def test_missing_file_and_wrong_suffix(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist; check the path"):
        read_points(tmp_path / "nope.csv")
    p = tmp_path / "points.xlsx"
    p.write_text("x")
    with pytest.raises(InputError, match="use .csv or .geojson"):
        read_points(p)


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    p = tmp_path / "empty.csv"
    p.write_text("id,lon,lat,kind,volume_m3\n")
    with pytest.raises(InputError, match="no collection points"):
        read_points(p)


def test_geojson_points_and_defaults(tmp_path: Path) -> None:
    """GeoJSON Point features; service time from the settings when absent; days parsed."""
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [123.6, -10.17]},
         "properties": {"id": "G1", "kind": "bak", "volume_m3": 1.5, "days": "sen,rab,jum"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [123.61, -10.18]},
         "properties": {"id": "G2", "kind": "container", "volume_m3": 4, "ready_from": "04:30", "latest": "09:00"}},
    ]}
    p = tmp_path / "pts.geojson"
    p.write_text(json.dumps(doc))
    pts = read_points(p)
    assert list(pts["id"]) == ["G1", "G2"]
    assert pts.loc[0, "service_s"] == 300 + 600 * 1.5  # 5 min setup + 1 min per 0.1 m³
    assert pts.loc[1, "service_s"] == 720  # container swap
    assert pts.loc[1, "ready_s"] == 4 * 3600 + 1800 and pts.loc[1, "latest_s"] == 9 * 3600
    assert pts.loc[0, "latest_s"] == -1
    assert pts.loc[0, "days"] == "sen,rab,jum"


def test_geojson_feature_without_point_geometry(tmp_path: Path) -> None:
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]},
         "properties": {"id": "L1", "kind": "bak", "volume_m3": 1}}]}
    p = tmp_path / "pts.geojson"
    p.write_text(json.dumps(doc))
    with pytest.raises(InputError, match=r"row 1 \(id L1\): feature 0 has no Point geometry"):
        read_points(p)


def test_days_schedule() -> None:
    monday, sunday = dt.date(2026, 11, 23), dt.date(2026, 11, 29)
    assert is_due("daily", sunday)
    assert is_due("mon,wed,fri", monday) and not is_due("mon,wed,fri", sunday)
    assert is_due("min", sunday)  # Minggu
    pts = validate_points(pd.DataFrame({"id": ["a", "b"], "lon": ["1", "1"], "lat": ["1", "1"],
                                        "kind": ["bak", "bak"], "volume_m3": ["1", "1"],
                                        "days": ["daily", "tue"]}))
    due, not_due = split_due(pts, monday)
    assert list(due["id"]) == ["a"] and list(not_due["id"]) == ["b"]


def _line_graph() -> nx.MultiDiGraph:
    """Three nodes on the equator 0.001° (≈111 m) apart, two-way."""
    g = nx.MultiDiGraph(crs="epsg:4326")
    for n, x in ((1, 0.0), (2, 0.001), (3, 0.002)):
        g.add_node(n, x=x, y=0.0)
    for u, v in ((1, 2), (2, 3)):
        g.add_edge(u, v, length=111.2, travel_time=10.0)
        g.add_edge(v, u, length=111.2, travel_time=10.0)
    return g


def test_snap_to_nearest_edge_records_distance_and_flags_far_points() -> None:
    """A point 50 m north of the first edge, near node 2; another 1 km away."""
    pts = validate_points(pd.DataFrame({
        "id": ["near", "far"], "lon": ["0.0008", "0.001"], "lat": ["0.00045", "0.009"],
        "kind": ["bak", "bak"], "volume_m3": ["1", "1"]}))
    out, report = snap_points(pts, _line_graph(), max_snap_m=300)
    near = out.set_index("id").loc["near"]
    assert near["node"] == 2
    assert near["snap_m"] == pytest.approx(50.0, abs=1.0)
    assert out.set_index("id").loc["far", "node"] == -1
    assert list(report.too_far) == ["far"]
    assert "from the nearest road (limit 300 m); check its coordinates" in report.too_far["far"]


def test_snap_on_real_extract_all_close(tmp_path: Path) -> None:
    """The Aguascalientes test points all snap within 20 m of a real street."""
    from wasteroute.network import graph_from_file

    here = Path(__file__).parent / "data"
    g = graph_from_file(here / "osm" / "aguascalientes_mx.osm.bz2")
    pts = read_points(here / "aguascalientes" / "points_generated.csv")
    out, report = snap_points(pts, g)
    assert not report.too_far
    assert (out["snap_m"] < 20).all()
    assert set(out["node"]) <= set(g.nodes)


def _frame(**extra: list[str]) -> pd.DataFrame:
    """Two valid points; ``extra`` adds or replaces columns."""
    cols = {"id": ["a", "b"], "lon": ["1", "1"], "lat": ["1", "1"], "kind": ["bak", "bak"],
            "volume_m3": ["1", "1"]}
    return pd.DataFrame({**cols, **extra})


def test_misspelt_optional_columns_are_an_error_naming_both() -> None:
    """``dayz`` and ``lastest`` used to be ignored silently, losing a schedule and a deadline."""
    with pytest.raises(InputError, match=r"2 column name\(s\) look misspelt") as err:
        validate_points(_frame(dayz=["mon", "tue"], lastest=["08:00", "09:00"]))
    assert "column 'dayz' is not a known column but is close to 'days'" in str(err.value)
    assert "column 'lastest' is not a known column but is close to 'latest'" in str(err.value)


def test_extra_columns_unlike_known_names_are_kept_as_data() -> None:
    """The Kupang file carries label, street and generated: not misspellings."""
    pts = validate_points(_frame(label=["x", "y"], street=["Jl. A", "Jl. B"], generated=["1", "1"]))
    assert list(pts["id"]) == ["a", "b"]


def test_weekday_names_must_be_real_days() -> None:
    """``satan,monsoon`` used to be read as sat,mon; full names in both languages are fine."""
    with pytest.raises(InputError, match=r"days 'satan,monsoon' has unknown weekday\(s\) \['satan', 'monsoon'\]"):
        validate_points(_frame(days=["satan,monsoon", "daily"]))
    pts = validate_points(_frame(days=["Monday,Rabu", "jumat"]))
    assert list(pts["days"]) == ["monday,rabu", "jumat"]
    assert is_due("monday,rabu", dt.date(2026, 11, 25))  # a Wednesday


def test_absurd_service_and_volume_are_row_errors() -> None:
    """service_s = 1e20 was blamed on the window; volume 1e308 overflowed to a traceback."""
    with pytest.raises(InputError, match="2 problem") as err:
        validate_points(_frame(service_s=["1e20", ""], volume_m3=["1", "1e308"]))
    text = str(err.value)
    assert "row 1 (id a): service_s 1e+20 is not a service time between 0 and 86400 s" in text
    assert "row 2 (id b): volume_m3 1e+308 is more than 10000 m³" in text


def test_semicolon_csv_gets_a_hint_to_use_commas(tmp_path: Path) -> None:
    p = tmp_path / "pts.csv"
    p.write_text("id;lon;lat;kind;volume_m3\na;1;1;bak;1\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"separated by semicolons \(;\), not commas; save it as CSV with commas"):
        read_points(p)


def test_malformed_geojson_features_are_all_reported(tmp_path: Path) -> None:
    """``features`` as an object or holding strings used to raise AttributeError."""
    p = tmp_path / "pts.geojson"
    p.write_text(json.dumps({"type": "FeatureCollection", "features": {"a": 1}}))
    with pytest.raises(InputError, match="got features = dict"):
        read_points(p)
    p.write_text(json.dumps({"type": "FeatureCollection", "features": ["a", 7]}))
    with pytest.raises(InputError, match=r"(?s)2 malformed feature\(s\).*feature 0 is str 'a'.*feature 1 is int"):
        read_points(p)
