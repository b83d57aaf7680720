"""Simple intervals pinned to R's t.test, prop.test(correct=FALSE), binom.test."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from analysis import mean_ci, proportion_ci
from analysis.intervals import wilson_interval

# R datasets::sleep$extra (Cushny and Peebles), both groups.
SLEEP_EXTRA = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0,
               1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]  # fmt: skip


def test_mean_ci_matches_r_t_test():
    # R: t.test(sleep$extra) -> mean 1.54, 95% CI 0.5955845 2.4844155
    # (published in R tutorials, e.g. cookbook-r "Comparing means").
    result = mean_ci(SLEEP_EXTRA)
    assert result.estimate == pytest.approx(1.54)
    assert result.low == pytest.approx(0.5955845, abs=5e-8)
    assert result.high == pytest.approx(2.4844155, abs=5e-8)
    assert result.n == 20
    assert result.method == "t"


def test_mean_ci_drops_missing_and_accepts_series():
    values = pd.Series([*SLEEP_EXTRA, np.nan])
    assert mean_ci(values).low == pytest.approx(0.5955845, abs=5e-8)


@pytest.mark.parametrize(
    ("x", "n", "low", "high"),
    [
        # R: prop.test(319, 715, correct=FALSE) (Gustavus Adolphus R notes)
        (319, 715, 0.4101018, 0.4827814),
        # R: prop.test(6, 52, correct=FALSE) (R bug report PR#2794 thread)
        (6, 52, 0.05396969, 0.22971664),
        # R: prop.test(60, 100, correct=FALSE) (statscodes.com)
        (60, 100, 0.5020026, 0.6905987),
    ],
)
def test_wilson_matches_r_prop_test_without_correction(x, n, low, high):
    result = proportion_ci(x, n)
    assert result.estimate == pytest.approx(x / n)
    assert result.low == pytest.approx(low, abs=5e-8)
    assert result.high == pytest.approx(high, abs=5e-8)
    assert result.method == "wilson"


def test_clopper_pearson_matches_scipy_binomtest():
    # R's binom.test and scipy.stats.binomtest(...).proportion_ci("exact")
    # compute the same Clopper-Pearson limits; compare with SciPy.
    from scipy.stats import binomtest

    exact = binomtest(6, 52).proportion_ci(0.95, method="exact")
    result = proportion_ci(6, 52, method="clopper-pearson")
    assert result.low == pytest.approx(exact.low)
    assert result.high == pytest.approx(exact.high)


def test_wilson_stays_in_unit_interval_at_the_edges():
    low, high = wilson_interval(np.array([0, 10]), np.array([10, 10]))
    assert low[0] == pytest.approx(0) and 0 < high[0] < 1
    assert 0 < low[1] < 1 and high[1] == pytest.approx(1)
    assert np.all((low >= 0) & (high <= 1))


def test_results_are_frozen():
    result = proportion_ci(3, 10)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.estimate = 1.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((11, 10), "0 <= successes <= n"),
        ((1.5, 10), "successes must be a whole number"),
        ((1, 0), "n > 0"),
    ],
)
def test_proportion_ci_rejects_bad_counts(args, message):
    with pytest.raises(ValueError, match=message):
        proportion_ci(*args)


def test_proportion_ci_rejects_unknown_method():
    with pytest.raises(ValueError, match="'agresti'"):
        proportion_ci(1, 10, method="agresti")


def test_mean_ci_rejects_empty_and_text():
    with pytest.raises(ValueError, match="at least one"):
        mean_ci([np.nan])
    with pytest.raises(ValueError, match="values must be numeric"):
        mean_ci(["a", "b"])
