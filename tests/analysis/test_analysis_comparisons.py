"""Unit comparisons (Welch, Holm), rank intervals and period changes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.comparisons import (
    compare_to_rest,
    compare_to_rest_from_tallies,
    holm_adjust,
    period_change,
    rank_units,
    rank_units_from_tallies,
)


@pytest.fixture
def ratings() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    units = np.repeat(["A", "B", "C", "D"], [80, 60, 120, 3])
    shift = pd.Series({"A": 0.6, "B": 0.0, "C": -0.1, "D": 0.0})[units].to_numpy()
    score = np.clip(np.round(3.5 + shift + rng.normal(0, 1, units.size)), 1, 5)
    quarter = rng.choice(["2025Q1", "2025Q2"], units.size)
    return pd.DataFrame({"unit": units, "score": score, "quarter": quarter})


def test_holm_matches_r_p_adjust():
    # R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") -> 0.03 0.06 0.06 0.02
    adjusted = holm_adjust(np.array([0.01, 0.04, 0.03, 0.005]))
    np.testing.assert_allclose(adjusted, [0.03, 0.06, 0.06, 0.02])
    assert np.isnan(holm_adjust(np.array([np.nan, 0.2]))[0])


def test_compare_to_rest_equals_welch_t_test(ratings):
    table = compare_to_rest(ratings, "score")
    row = table[table["unit"] == "A"].iloc[0]
    inside = ratings.loc[ratings["unit"] == "A", "score"]
    rest = ratings.loc[ratings["unit"] != "A", "score"]
    welch = stats.ttest_ind(inside, rest, equal_var=False)
    interval = welch.confidence_interval(0.95)
    assert row["difference"] == pytest.approx(inside.mean() - rest.mean())
    assert row["p_value"] == pytest.approx(welch.pvalue)
    assert row["df"] == pytest.approx(welch.df)
    assert row["ci_low"] == pytest.approx(interval.low)
    assert row["ci_high"] == pytest.approx(interval.high)
    assert (row["n"], row["rest_n"]) == (80, len(ratings) - 80)
    assert (table["p_holm"] >= table["p_value"]).all()


def test_rank_intervals_are_reproducible_and_cover_the_point_rank(ratings):
    first = rank_units(ratings, "score", np.random.default_rng(1))
    second = rank_units(ratings, "score", np.random.default_rng(1))
    pd.testing.assert_frame_equal(first, second)
    ranked = first.dropna(subset=["rank"])
    assert list(ranked["unit"]) == ["A", "B", "C"]
    assert ranked["rank"].tolist() == [1, 2, 3]
    assert (ranked["rank_low"] <= ranked["rank"]).all()
    assert (ranked["rank"] <= ranked["rank_high"]).all()
    # D has 3 responses: below the minimum, not ranked.
    assert first[first["unit"] == "D"]["rank"].isna().all()
    # B and C differ little: their rank intervals overlap.
    b, c = ranked.iloc[1], ranked.iloc[2]
    assert b["rank_high"] >= c["rank_low"]
    # A is shown above C only (0.53 apart); B cannot be told from either.
    assert ranked["better_than"].tolist() == [["C"], [], []]
    assert ranked["worse_than"].tolist() == [[], [], ["A"]]
    assert ranked["group_letters"].tolist() == ["a", "ab", "b"]
    assert ranked[["rank_low", "rank_high"]].values.tolist() == [[1, 2], [1, 3], [2, 3]]
    # The joint intervals are never shorter than one unit's own.
    assert (ranked["rank_low_marginal"] >= ranked["rank_low"]).all()
    assert (ranked["rank_high_marginal"] <= ranked["rank_high"]).all()


def test_rank_units_requires_a_generator(ratings):
    with pytest.raises(ValueError, match=r"numpy\.random\.Generator"):
        rank_units(ratings, "score", 42)


def test_period_change_equals_welch(ratings):
    table = period_change(ratings, "score", "quarter", "2025Q2", "2025Q1")
    row = table[table["unit"] == "C"].iloc[0]
    c = ratings[ratings["unit"] == "C"]
    now = c.loc[c["quarter"] == "2025Q2", "score"]
    before = c.loc[c["quarter"] == "2025Q1", "score"]
    welch = stats.ttest_ind(now, before, equal_var=False)
    assert row["difference"] == pytest.approx(now.mean() - before.mean())
    assert row["p_value"] == pytest.approx(welch.pvalue)
    assert row["ci_low"] == pytest.approx(welch.confidence_interval().low)
    overall = period_change(ratings, "score", "quarter", "2025Q2", "2025Q1", by=None)
    assert overall["n_current"].item() == (ratings["quarter"] == "2025Q2").sum()


def test_period_change_names_a_missing_period(ratings):
    with pytest.raises(ValueError, match="period '2024Q4' has no responses"):
        period_change(ratings, "score", "quarter", "2025Q1", "2024Q4")


def tallies_of(ratings: pd.DataFrame) -> pd.DataFrame:
    """Sums of the ratings per unit and quarter, as the item tallies keep them."""
    scores = ratings.assign(
        item="score",
        total_sq=ratings["score"] ** 2,
        satisfied=(ratings["score"] >= 4).astype(int),
    )
    return (
        scores.groupby(["unit", "quarter", "item"])
        .agg(
            n=("score", "size"),
            total=("score", "sum"),
            total_sq=("total_sq", "sum"),
            satisfied=("satisfied", "sum"),
        )
        .reset_index()
    )


def test_comparisons_from_tallies_equal_those_from_the_answers(ratings):
    tallies = tallies_of(ratings)
    pd.testing.assert_frame_equal(
        compare_to_rest_from_tallies(tallies), compare_to_rest(ratings, "score")
    )
    shares = ratings.assign(score=(ratings["score"] >= 4).astype(float))
    pd.testing.assert_frame_equal(
        compare_to_rest_from_tallies(tallies, satisfied=True),
        compare_to_rest(shares, "score"),
    )
    ranked = rank_units_from_tallies(tallies, np.random.default_rng(1), draws=500)
    expected = rank_units(ratings, "score", np.random.default_rng(1), draws=500)
    pd.testing.assert_frame_equal(ranked, expected)
    shares_ranked = rank_units_from_tallies(
        tallies, np.random.default_rng(1), satisfied=True, draws=500
    )
    assert shares_ranked["mean"].tolist() == pytest.approx(
        shares.groupby("unit")["score"].mean()[shares_ranked["unit"]].tolist()
    )


def test_answers_off_the_scale_are_refused(ratings):
    with pytest.raises(ValueError, match="outside the scale"):
        rank_units(
            ratings.assign(score=ratings["score"] * 2),
            "score",
            np.random.default_rng(1),
        )
    with pytest.raises(ValueError, match="increasing"):
        rank_units(ratings, "score", np.random.default_rng(1), scale=(5, 1))


def test_tallies_of_several_scores_are_refused(ratings):
    tallies = pd.concat([tallies_of(ratings), tallies_of(ratings).assign(item="x")])
    with pytest.raises(ValueError, match="one score"):
        rank_units_from_tallies(tallies, np.random.default_rng(1))
