"""Generated Kupang-like large days (``wasteroute.synthetic.large_day``) for the scaling benchmark."""

from __future__ import annotations

import math

import pytest

from wasteroute.config import Fleet
from wasteroute.errors import InputError
from wasteroute.synthetic.large_day import PLAN_DATE, large_day_points, scaled_fleet
from wasteroute.synthetic.points import DEFAULT_FLEET, due_on


def test_a_day_has_exactly_the_points_asked_for_all_due_and_labelled_generated() -> None:
    table = large_day_points(150, seed=1)
    assert len(table) == 150 and table["id"].is_unique
    weekday = PLAN_DATE.strftime("%a").lower()
    assert all(due_on(d, weekday) for d in table["days"])
    assert table["generated"].str.startswith("synthetic large day").all()
    assert set(table["kind"]) == {"bak", "roadside", "container"}
    again = large_day_points(150, seed=1)
    assert table.equals(again)


def test_fleet_scales_per_type_rounding_up() -> None:
    fleet = Fleet.from_toml(DEFAULT_FLEET)
    big = scaled_fleet(fleet, 2400 / 470)
    assert [t.count for t in big.types] == [math.ceil(t.count * 2400 / 470) for t in fleet.types]
    assert [t.name for t in big.types] == [t.name for t in fleet.types]


@pytest.mark.parametrize("bad", [0, 99, 150.0, True])
def test_bad_sizes_are_input_errors(bad: object) -> None:
    with pytest.raises(InputError, match="n_points"):
        large_day_points(bad)  # type: ignore[arg-type]
