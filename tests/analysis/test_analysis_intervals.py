"""Simple intervals pinned to R's t.test, prop.test(correct=FALSE), binom.test,
and the Dirichlet-Perks interval of a mean checked against its closed form."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import mean_ci, proportion_ci, summary_from_tallies, unit_summary
from analysis.intervals import dirichlet_mean_interval, scale_points, wilson_interval

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


@pytest.mark.parametrize(
    ("answers", "a", "b", "sample_mean"),
    [
        # Five answers of 5. By hand, with the prior 1/5 on each of 1..5:
        # E = (25 + 3) / 6 = 14/3, S2 = (125 + 11) / 6 = 68/3,
        # V = (68/3 - 196/9) / 7 = 8/63, u = (14/3 - 1) / 4 = 11/12,
        # nu = u (1 - u) * 16 / V - 1 = 8.625: Beta(7.90625, 0.71875).
        ([5, 5, 5, 5, 5], 7.90625, 0.71875, 5.0),
        # 3, 4, 5, 5: E = (17 + 3) / 5 = 4, S2 = (75 + 11) / 5 = 17.2,
        # V = 1.2 / 6 = 0.2, u = 0.75, nu = 0.1875 * 16 / 0.2 - 1 = 14.
        ([3, 4, 5, 5], 10.5, 3.5, 4.25),
    ],
)
def test_dirichlet_interval_matches_its_closed_form(answers, a, b, sample_mean):
    values = np.array(answers, dtype=float)
    low, high = dirichlet_mean_interval(
        len(values), values.sum(), (values**2).sum(), (1, 5)
    )
    expected = 1 + 4 * stats.beta.ppf([0.025, 0.975], a, b)
    # The limits hold the sample mean: all 5s lift the upper limit to 5.
    assert low == pytest.approx(min(expected[0], sample_mean), abs=1e-10)
    assert high == pytest.approx(max(expected[1], sample_mean), abs=1e-10)
    scalar = mean_ci(values, method="dirichlet-perks")
    assert (scalar.low, scalar.high, scalar.estimate) == (low, high, sample_mean)
    assert scalar.method == "dirichlet-perks"


def test_dirichlet_interval_never_collapses_and_stays_on_the_scale():
    n = np.arange(1, 201, dtype=float)
    for value in (1.0, 3.0, 5.0):
        low, high = dirichlet_mean_interval(n, value * n, value**2 * n, (1, 5))
        assert (high - low > 0).all()
        assert (low >= 1).all() and (high <= 5).all()
        assert (low <= value).all() and (value <= high).all()
    low, high = dirichlet_mean_interval(5, 25, 125, (1, 5))
    assert low == pytest.approx(3.6966, abs=1e-4) and high == 5


def test_dirichlet_interval_mirrors_with_the_scale_and_widens_with_level():
    rng = np.random.default_rng(15)
    answers = rng.integers(1, 6, size=(200, 7)).astype(float)
    sums = (answers.sum(axis=1), (answers**2).sum(axis=1))
    flipped = 6 - answers
    low, high = dirichlet_mean_interval(7, *sums, (1, 5))
    flip_low, flip_high = dirichlet_mean_interval(
        7, flipped.sum(axis=1), (flipped**2).sum(axis=1), (1, 5)
    )
    np.testing.assert_allclose(flip_low, 6 - high, atol=1e-9)
    np.testing.assert_allclose(flip_high, 6 - low, atol=1e-9)
    wide_low, wide_high = dirichlet_mean_interval(7, *sums, (1, 5), level=0.99)
    assert (wide_low < low).all() and (wide_high >= high).all()


def test_dirichlet_interval_of_nothing_is_nan_and_scale_must_be_a_range():
    low, high = dirichlet_mean_interval([0, 2], [0, 8], [0, 32], (1, 5))
    assert np.isnan(low[0]) and np.isnan(high[0]) and low[1] < 4 < high[1]
    with pytest.raises(ValueError, match=r"low < high.*\(5, 1\)"):
        dirichlet_mean_interval(3, 9, 27, (5, 1))


def test_a_mean_outside_the_scale_has_no_interval_rather_than_a_zero_width_one():
    # Thirty answers averaging 8 cannot lie on 1-5: the beta has no shapes
    # and the limits used to collapse onto the sample mean, (8.0, 8.0).
    with pytest.raises(ValueError, match="outside the scale 1-5"):
        dirichlet_mean_interval(30, 240, 30 * 64 + 30, (1, 5))
    with pytest.raises(ValueError, match="outside the scale 1-5"):
        mean_ci([6, 6], method="dirichlet-perks")
    # Sums of squares no answers on the scale can give: the same refusal.
    with pytest.raises(ValueError, match="sums of squares are impossible"):
        dirichlet_mean_interval(2, 6, 50, (1, 5))
    low, high = dirichlet_mean_interval(30, 240, 30 * 64 + 30, (0, 10))
    assert 7 < low < 8 < high < 9


@pytest.mark.parametrize(
    ("scale", "points"),
    [
        ((1, 5), [1, 2, 3, 4, 5]),
        ((0, 10), list(range(11))),
        ((0.5, 4.5), [0.5, 1.5, 2.5, 3.5, 4.5]),
        ((0, 1.5), [0, 0.75, 1.5]),
    ],
)
def test_the_prior_spreads_over_whole_steps_or_the_ends_and_midpoint(scale, points):
    np.testing.assert_array_equal(scale_points(scale), points)


def test_scales_other_than_whole_numbers_get_an_interval_inside_them():
    # 0-1.5 (XLSForm item_min/item_max allow it): prior 1/3 on 0, 0.75, 1.5.
    values = np.array([1.5] * 20 + [0.75] * 10)
    low, high = dirichlet_mean_interval(30, values.sum(), (values**2).sum(), (0, 1.5))
    centre = (values.sum() + 0.75) / 31
    second = ((values**2).sum() + (0.75**2 + 1.5**2) / 3) / 31
    share = centre / 1.5
    size = share * (1 - share) * 1.5**2 / ((second - centre**2) / 32) - 1
    expected = 1.5 * stats.beta.ppf([0.025, 0.975], share * size, (1 - share) * size)
    assert (low, high) == pytest.approx(tuple(expected), abs=1e-12)
    frame = pd.DataFrame({"unit": "a", "q": values})
    summary = unit_summary(frame, {"items": ["q"], "scale": [0, 1.5]}, satisfied_min=1)
    assert summary.loc[0, ["mean_low", "mean_high"]].tolist() == pytest.approx(
        list(expected), abs=1e-12
    )


def test_summary_from_tallies_equals_the_summary_of_the_answers():
    # Cells (counters) added up to units give the answers' summary exactly,
    # zero-spread units (every answer 5) included.
    rng = np.random.default_rng(1515)
    size = 600
    frame = pd.DataFrame(
        {
            "unit": rng.integers(0, 12, size),
            "counter": rng.integers(0, 3, size),
            "q1": rng.choice([3.0, 4.0, 5.0], size, p=[0.05, 0.25, 0.7]),
            "q2": rng.choice([1.0, 4.0, 5.0], size, p=[0.1, 0.3, 0.6]),
        }
    )
    frame.loc[frame["unit"] == 0, "q1"] = 5.0
    long = frame.melt(["unit", "counter"], var_name="item", value_name="value")
    long["value_sq"] = long["value"] ** 2
    long["sat"] = long["value"] >= 4
    tallies = (
        long.groupby(["unit", "counter", "item"])
        .agg(
            n=("value", "size"),
            total=("value", "sum"),
            total_sq=("value_sq", "sum"),
            satisfied=("sat", "sum"),
        )
        .reset_index()
        .assign(kind="item")
    )
    from_tallies = summary_from_tallies(tallies, "unit")
    from_answers = unit_summary(frame, ["q1", "q2"], "unit")
    keys = ["unit", "item"]
    pd.testing.assert_frame_equal(
        from_tallies.sort_values(keys).reset_index(drop=True),
        from_answers.sort_values(keys).reset_index(drop=True)[from_tallies.columns],
        check_dtype=False,
    )
    all_fives = from_answers[
        (from_answers["unit"] == 0) & (from_answers["item"] == "q1")
    ]
    assert (all_fives["mean_high"] - all_fives["mean_low"] > 0).all()
