"""Scorecards: census rates against targets, sampled rates with Wilson intervals."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis import indicator_rates, scorecard_totals


def card(**columns: list[object]) -> pd.DataFrame:
    values = {
        "numerator": [80, 45],
        "denominator": [100, 50],
        "sample": [False, False],
        "weight": [20.0, 10.0],
        "target": [0.8, np.nan],
    }
    return pd.DataFrame(values | columns)


def test_census_rates_score_their_share_of_the_weight() -> None:
    rates = indicator_rates(card())
    assert rates["rate"].tolist() == [0.8, 0.9]
    assert rates["points"].tolist() == pytest.approx([16.0, 9.0])
    # Counts of every dossier: no interval, and the limits are the points.
    assert rates["ci_low"].isna().all() and rates["ci_high"].isna().all()
    assert rates["points_low"].tolist() == pytest.approx([16.0, 9.0])
    # 80% meets a target of 80%; without a target, nothing is decided.
    assert rates["met"].tolist() == [True, pd.NA]


def test_a_census_rate_below_its_target_misses_it() -> None:
    rates = indicator_rates(card(numerator=[79, 45]))
    assert rates["met"].tolist() == [False, pd.NA]


def test_a_sampled_rate_has_the_wilson_interval_of_r_prop_test() -> None:
    # R: prop.test(319, 715, correct=FALSE)$conf.int = 0.4101018 0.4827814
    table = card(
        numerator=[319], denominator=[715], sample=[True], weight=[18.0],
        target=[0.5],
    )  # fmt: skip
    rates = indicator_rates(table)
    row = rates.iloc[0]
    assert row["ci_low"] == pytest.approx(0.4101018, abs=5e-8)
    assert row["ci_high"] == pytest.approx(0.4827814, abs=5e-8)
    assert row["points"] == pytest.approx(18 * 319 / 715)
    assert row["points_low"] == pytest.approx(18 * 0.4101018, abs=1e-6)
    assert row["points_high"] == pytest.approx(18 * 0.4827814, abs=1e-6)
    # The whole interval lies below 50%: the target is missed.
    assert not row["met"]


@pytest.mark.parametrize(
    ("target", "expected"),
    [(0.40, True), (0.45, pd.NA), (0.49, False)],
)
def test_a_sampled_target_is_decided_only_by_the_whole_interval(
    target: float, expected: object
) -> None:
    table = card(
        numerator=[319], denominator=[715], sample=[True], weight=[18.0],
        target=[target],
    )  # fmt: skip
    assert indicator_rates(table)["met"].tolist() == [expected]


def test_nothing_counted_and_not_measurable_score_nothing() -> None:
    table = card(numerator=[0, np.nan], denominator=[0, np.nan], target=[0.8, np.nan])
    rates = indicator_rates(table)
    assert rates["rate"].isna().all() and rates["points"].isna().all()
    assert rates["met"].isna().all()


def test_totals_add_the_measurable_points_out_of_their_weights() -> None:
    table = pd.DataFrame(
        {
            "unit": ["a", "a", "a", "b", "b", "b"],
            "numerator": [8, np.nan, 30, 1, np.nan, 0],
            "denominator": [10, np.nan, 40, 2, np.nan, 0],
            "sample": [False, False, True, False, False, True],
            "weight": [20.0, 18.0, 18.0, 20.0, 18.0, 18.0],
            "target": [np.nan] * 6,
        }
    )
    rates = indicator_rates(table)
    totals = scorecard_totals(rates, "unit").set_index("unit")
    a, b = totals.loc["a"], totals.loc["b"]
    assert a["points"] == pytest.approx(16 + 18 * 0.75)
    assert a["max_points"] == 38 and a["weight_total"] == 56
    assert a["score"] == pytest.approx(100 * (16 + 13.5) / 38)
    sampled = rates.iloc[2]
    assert a["points_low"] == pytest.approx(16 + sampled["points_low"])
    assert a["points_high"] == pytest.approx(16 + sampled["points_high"])
    assert b["points"] == 10 and b["max_points"] == 20
    one = scorecard_totals(rates)
    assert len(one) == 1 and one["max_points"].iloc[0] == 58


def test_nothing_measurable_has_no_score() -> None:
    rates = indicator_rates(card(numerator=[0, 0], denominator=[0, 0]))
    assert math.isnan(scorecard_totals(rates)["score"].iloc[0])


def test_the_input_is_left_alone() -> None:
    table = card()
    before = table.copy(deep=True)
    scorecard_totals(indicator_rates(table))
    pd.testing.assert_frame_equal(table, before)


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"numerator": [101, 45]}, "numerator=101.0, denominator=100.0"),
        ({"numerator": [-1, 45]}, "numerator=-1.0"),
        ({"numerator": [1.5, 45]}, "numerator=1.5"),
        ({"numerator": [np.nan, 45]}, "missing together"),
        ({"weight": [-1.0, 10.0]}, r"weights must be 0 or more, got \[-1.0"),
        ({"target": [80.0, np.nan]}, r"targets must be rates in \[0, 1\], got \[80.0"),
    ],
)
def test_bad_input_is_refused_naming_the_value(
    columns: dict[str, list[object]], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        indicator_rates(card(**columns))


def test_a_missing_column_is_named() -> None:
    with pytest.raises(ValueError, match="'target'"):
        indicator_rates(card().drop(columns="target"))


def test_a_sampled_rate_on_fewer_than_five_answers_is_withheld() -> None:
    table = card(
        numerator=[4, 4], denominator=[4, 4], sample=[True, False],
        target=[0.5, 0.5],
    )  # fmt: skip
    rates = indicator_rates(table)
    withheld, census = rates.iloc[0], rates.iloc[1]
    assert withheld["suppressed"] and pd.isna(withheld["rate"])
    assert pd.isna(withheld["points"]) and pd.isna(withheld["met"])
    # Counts of every dossier are no sample: nothing to withhold.
    assert not census["suppressed"] and census["rate"] == 1.0
    assert indicator_rates(table, min_suppress=4)["rate"].iloc[0] == 1.0
