"""Property-based checks of interval invariants and agreement between paths."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import SurveyDesign, mean_ci, proportion_ci, unit_summary
from analysis.results import MIN_INTERVAL, MIN_SUPPRESS


@given(
    n=st.integers(min_value=1, max_value=500),
    data=st.data(),
    level=st.floats(min_value=0.5, max_value=0.999),
)
def test_wilson_interval_is_inside_unit_interval_and_holds_the_estimate(n, data, level):
    successes = data.draw(st.integers(min_value=0, max_value=n))
    result = proportion_ci(successes, n, level)
    assert 0 <= result.low <= result.estimate + 1e-12
    assert result.estimate - 1e-12 <= result.high <= 1


@settings(max_examples=50, deadline=None)
@given(
    values=st.lists(
        st.floats(min_value=-1e3, max_value=1e3, allow_nan=False),
        min_size=2,
        max_size=60,
    )
)
def test_unweighted_design_mean_equals_t_interval(values):
    frame = pd.DataFrame({"y": values})
    row = SurveyDesign(frame).mean("y").iloc[0]
    expected = mean_ci(values)
    assert row["estimate"] == pytest.approx(expected.estimate, abs=1e-9)
    assert row["se"] == pytest.approx(expected.se, rel=1e-7, abs=1e-9)
    assert row["ci_low"] == pytest.approx(expected.low, rel=1e-7, abs=1e-8)


@settings(max_examples=30, deadline=None)
@given(
    answers=st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=40),
    groups=st.integers(min_value=1, max_value=4),
)
def test_unit_summary_never_warns_and_flags_by_count(answers, groups):
    frame = pd.DataFrame(
        {
            "unit": np.arange(len(answers)) % groups,
            "q": np.array(answers, dtype=float),
        }
    )
    table = unit_summary(frame, ["q"])
    assert (table["suppressed"] == (table["n"] < MIN_SUPPRESS)).all()
    assert table.loc[table["suppressed"], "mean"].isna().all()
    shown = table[~table["suppressed"]]
    assert shown["mean"].notna().all()
    without = shown["n"] < MIN_INTERVAL
    limits = ["mean_low", "mean_high", "pct_satisfied_low", "pct_satisfied_high"]
    assert shown.loc[without, limits].isna().all(axis=None)
    ranged = shown[~without]
    assert (ranged["pct_satisfied_low"] <= ranged["pct_satisfied"] + 1e-9).all()
    assert (ranged["pct_satisfied"] <= ranged["pct_satisfied_high"] + 1e-9).all()
    assert (ranged["mean_low"] <= ranged["mean"]).all()
    assert (ranged["mean"] <= ranged["mean_high"]).all()
    assert (ranged["mean_low"] < ranged["mean_high"]).all()
    assert (ranged["mean_low"] >= 1).all() and (ranged["mean_high"] <= 5).all()


def test_single_row_domain_has_no_interval_and_no_warning():
    frame = pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0], "d": ["a", "a", "a", "b"]})
    table = SurveyDesign(frame).mean("y", by="d")
    lonely = table[table["d"] == "b"].iloc[0]
    assert lonely["n"] == 1 and lonely["df"] == 0
    assert np.isnan(lonely["ci_low"])
