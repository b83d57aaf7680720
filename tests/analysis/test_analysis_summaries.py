"""unit_summary against the interval functions, and its flags and options."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import mean_ci, proportion_ci, unit_summary
from analysis.summaries import widen

ITEMS = ["q1", "q2", "q3"]
SCORING = {"items": {"q1": "staff", "q2": "staff", "q3": "time"}, "reverse": ["q2"]}


@pytest.fixture
def responses() -> pd.DataFrame:
    rng = np.random.default_rng(20240501)
    n = 400
    frame = pd.DataFrame(
        {
            "unit": rng.choice(["P1", "P2", "P3"], size=n, p=[0.6, 0.39, 0.01]),
            "q1": rng.integers(1, 6, n).astype(float),
            "q2": rng.integers(1, 6, n).astype(float),
            "q3": rng.integers(1, 6, n).astype(float),
            "verified": rng.random(n) < 0.8,
            "excluded": rng.random(n) < 0.05,
        }
    )
    frame.loc[rng.random(n) < 0.1, "q3"] = np.nan
    return frame


def _row(result, unit, item):
    return result[(result["unit"] == unit) & (result["item"] == item)].iloc[0]


def test_items_match_scalar_intervals(responses):
    result = unit_summary(responses, ITEMS)
    kept = responses[~responses["excluded"]]
    for unit in ["P1", "P2"]:
        for item in ITEMS:
            values = kept.loc[kept["unit"] == unit, item].dropna()
            row = _row(result, unit, item)
            expected = mean_ci(values, method="dirichlet-perks")
            assert row["n"] == len(values)
            assert row["mean"] == pytest.approx(expected.estimate)
            assert row["mean_low"] == pytest.approx(expected.low)
            assert row["mean_high"] == pytest.approx(expected.high)
            assert row["sd"] == pytest.approx(values.std(ddof=1))
            share = proportion_ci(int((values >= 4).sum()), len(values))
            assert row["pct_satisfied"] == pytest.approx(100 * share.estimate)
            assert row["pct_satisfied_low"] == pytest.approx(100 * share.low)
            assert row["pct_satisfied_high"] == pytest.approx(100 * share.high)


def test_dimensions_use_reverse_coded_respondent_means(responses):
    result = unit_summary(responses, SCORING)
    kept = responses[~responses["excluded"] & (responses["unit"] == "P1")]
    staff = (kept["q1"] + (6 - kept["q2"])) / 2
    row = _row(result, "P1", "staff")
    assert row["kind"] == "dimension"
    expected = mean_ci(staff, method="dirichlet-perks")
    assert row["mean"] == pytest.approx(expected.estimate)
    assert (row["mean_low"], row["mean_high"]) == pytest.approx(
        (expected.low, expected.high)
    )
    assert row["n_satisfied"] == (staff >= 4).sum()
    reversed_item = _row(result, "P1", "q2")
    assert reversed_item["mean"] == pytest.approx((6 - kept["q2"]).mean())


def test_small_groups_are_flagged_and_suppressed(responses):
    result = unit_summary(responses, ITEMS)
    small = _row(result, "P3", "q1")
    assert small["n"] < 5
    assert small["suppressed"] and not small["reliable"]
    assert np.isnan(small["mean"]) and np.isnan(small["pct_satisfied"])
    big = _row(result, "P1", "q1")
    assert big["reliable"] and not big["suppressed"]
    middle = unit_summary(responses, ITEMS, min_publish=10_000)
    assert not middle["reliable"].any()


def test_verified_only_and_excluded(responses):
    everything = unit_summary(responses.drop(columns="excluded"), ITEMS, by=None)
    assert everything.loc[everything["item"] == "q1", "n"].item() == len(responses)
    verified = unit_summary(responses, ITEMS, by=None, verified_only=True)
    expected = (responses["verified"] & ~responses["excluded"]).sum()
    assert verified.loc[verified["item"] == "q1", "n"].item() == expected


def test_long_layout_gives_the_same_summary(responses):
    wide = responses.reset_index(names="respondent")
    long = wide.melt(
        id_vars=["respondent", "unit", "verified", "excluded"],
        value_vars=ITEMS,
        var_name="item",
        value_name="value",
    ).dropna(subset=["value"])
    from_long = unit_summary(long, SCORING, layout="long")
    from_wide = unit_summary(responses, SCORING)
    pd.testing.assert_frame_equal(from_long, from_wide)


def test_widen_rejects_duplicate_answers():
    long = pd.DataFrame({"respondent": [1, 1], "item": ["q1", "q1"], "value": [1, 2]})
    with pytest.raises(ValueError, match="answered the same item twice"):
        widen(long, ["q1"], [])


def test_input_is_not_mutated(responses):
    before = responses.copy()
    unit_summary(responses, SCORING, verified_only=True)
    pd.testing.assert_frame_equal(responses, before)


@pytest.mark.parametrize(
    ("change", "kwargs", "message"),
    [
        ({"q1": 7.0}, {}, r"item column 'q1' has value 7\.0 outside the scale 1-5"),
        ({}, {"by": "district"}, "by column 'district'"),
        ({}, {"satisfied_min": 6}, "satisfied_min 6"),
        ({}, {"min_suppress": 50}, "min_suppress <= min_publish"),
        ({"verified": "yes"}, {"verified_only": True}, "'verified' must be a boolean"),
    ],
)
def test_errors_name_the_problem(responses, change, kwargs, message):
    frame = responses.copy()
    for column, value in change.items():
        frame[column] = (
            frame[column].astype(object) if isinstance(value, str) else frame[column]
        )
        frame.loc[frame.index[0], column] = value
    with pytest.raises(ValueError, match=message):
        unit_summary(frame, ITEMS, **kwargs)


def test_unknown_scoring_keys_are_rejected(responses):
    with pytest.raises(ValueError, match="unknown scoring key"):
        unit_summary(responses, {"items": ITEMS, "wieghts": {}})
