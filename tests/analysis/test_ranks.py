"""Rank intervals: ties, equal units, true-rank coverage (seeded simulations).

With R tables the Monte Carlo standard error of a 5% (or 95%) share is
sqrt(0.0475 / R); the bands below are the target widened by two of them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.comparisons import rank_units, rank_units_from_tallies
from analysis.rank_inference import compact_letters
from tests.analysis.rank_scenarios import (
    draw_counts,
    league,
    true_ranks,
    unit_distributions,
)

DRAWS = 2000


def test_three_units_of_twenty_fives_share_every_rank():
    answers = pd.DataFrame({"unit": np.repeat(["A", "B", "C"], 20), "score": 5.0})
    table = rank_units(answers, "score", np.random.default_rng(1510), draws=DRAWS)
    assert table["rank"].tolist() == [1, 1, 1]
    assert table["tied"].all()
    assert table[["rank_low", "rank_high"]].drop_duplicates().values.tolist() == [
        [1, 3]
    ]
    assert table["group_letters"].tolist() == ["a", "a", "a"]
    assert table["better_than"].map(len).eq(0).all()


def test_a_unit_of_all_fives_is_not_certain():
    """Zero spread gives a posterior spread, not a zero standard error."""
    answers = pd.DataFrame(
        {"unit": np.repeat(["A", "B"], [5, 40]), "score": [5.0] * 5 + [4.0, 5.0] * 20}
    )
    table = rank_units(answers, "score", np.random.default_rng(2), draws=DRAWS)
    # Perks posterior of 5 fives: mean 28/6, variance (136/6 - (28/6)^2) / 7.
    assert table.set_index("unit").loc["A", "se"] == pytest.approx(
        np.sqrt((136 / 6 - (28 / 6) ** 2) / 7)
    )
    # 5 of 5 against a 4.5 average of 40: not told apart.
    assert table["rank_low"].tolist() == [1, 1] and table["rank_high"].tolist() == [
        2,
        2,
    ]


@pytest.mark.parametrize("units, n", [(10, 30), (10, 100)])
def test_equal_units_are_rarely_told_apart(units, n):
    rng = np.random.default_rng(1510 + n)
    tables = 600
    counts = draw_counts(rng, unit_distributions(units, spread=False), n, tables)
    separated = np.mean([league(c, rng, DRAWS).better.any() for c in counts])
    # At most 5% of tables, plus 2 MC SE (0.9 points at 600 tables).
    assert separated <= 0.05 + 2 * np.sqrt(0.0475 / tables)


def test_joint_rank_intervals_cover_the_true_ranks():
    rng = np.random.default_rng(1511)
    tables, distributions = 500, unit_distributions(10, spread=True)
    truth = true_ranks(distributions)
    shown = [league(c, rng, DRAWS) for c in draw_counts(rng, distributions, 30, tables)]
    joint = np.mean(
        [((s.rank_low <= truth) & (truth <= s.rank_high)).all() for s in shown]
    )
    marginal = np.mean(
        [
            (s.rank_low_marginal <= truth) & (truth <= s.rank_high_marginal)
            for s in shown
        ]
    )
    # At least 95%, less 2 MC SE (1 point at 500 tables).
    assert joint >= 0.95 - 2 * np.sqrt(0.0475 / tables)
    assert marginal >= 0.95 - 2 * np.sqrt(0.0475 / tables)
    # Not vacuous: the units 0.1 apart at n = 30 are told apart in part.
    assert np.mean([s.rank_high - s.rank_low for s in shown]) < 8


def test_shuffled_rows_give_the_same_table():
    rng = np.random.default_rng(7)
    answers = pd.DataFrame(
        {
            "unit": np.repeat(list("ABCDEF"), 25),
            "score": rng.choice(
                np.arange(1.0, 6.0), 150, p=[0.05, 0.05, 0.1, 0.3, 0.5]
            ),
        }
    )
    answers.loc[answers["unit"] == "F", "score"] = 2.0
    shuffled = answers.sample(frac=1.0, random_state=3)
    first = rank_units(answers, "score", np.random.default_rng(9), draws=DRAWS)
    again = rank_units(shuffled, "score", np.random.default_rng(9), draws=DRAWS)
    pd.testing.assert_frame_equal(first, again)
    assert first.iloc[-1]["unit"] == "F" and first.iloc[-1]["rank_low"] == 6


def test_lowest_first_reverses_the_table():
    answers = pd.DataFrame(
        {"unit": np.repeat(["A", "B"], 30), "score": [5.0] * 30 + [2.0, 3.0] * 15}
    )
    best_high = rank_units(answers, "score", np.random.default_rng(1), draws=DRAWS)
    best_low = rank_units(
        answers, "score", np.random.default_rng(1), draws=DRAWS, higher_is_better=False
    )
    assert best_high["unit"].tolist() == ["A", "B"]
    assert best_low["unit"].tolist() == ["B", "A"]
    assert best_low.iloc[0]["better_than"] == ["A"]
    assert best_low[["rank_low", "rank_high"]].values.tolist() == [[1, 1], [2, 2]]


def test_share_satisfied_ranks_from_the_perks_beta():
    tallies = pd.DataFrame(
        {
            "unit": ["A", "B", "C"],
            "n": [20, 20, 40],
            "total": [100.0, 100.0, 100.0],
            "total_sq": [500.0, 500.0, 300.0],
            "satisfied": [20, 20, 4],
        }
    )
    table = rank_units_from_tallies(
        tallies, np.random.default_rng(3), satisfied=True, draws=DRAWS
    )
    assert table["unit"].tolist() == ["A", "B", "C"]
    assert table["mean"].tolist() == [1.0, 1.0, 0.1]
    # Beta(20.4, 0.6): the posterior standard deviation of 20 satisfied of 20.
    assert table["se"].iloc[0] == pytest.approx(np.sqrt(20.4 * 0.6 / (21**2 * 22)))
    assert table["group_letters"].tolist() == ["a", "a", "b"]
    assert table["worse_than"].iloc[2] == ["A", "B"]


def test_letters_follow_piepho():
    """Piepho (2004), Table 1 pattern: a chain 1-2-3-4 where only neighbours agree."""
    different = np.zeros((4, 4), dtype=bool)
    for j, k in ((0, 2), (0, 3), (1, 3)):
        different[j, k] = different[k, j] = True
    assert compact_letters(different, np.arange(4)) == ["a", "ab", "bc", "c"]
    assert compact_letters(np.zeros((2, 2), dtype=bool), np.arange(2)) == ["a", "a"]
    assert compact_letters(~np.eye(3, dtype=bool), np.array([2, 0, 1])) == [
        "b",
        "c",
        "a",
    ]


def test_two_units_share_a_letter_exactly_when_not_told_apart():
    rng = np.random.default_rng(1512)
    for units in (2, 5, 12):
        different = np.triu(rng.random((units, units)) < 0.4, k=1)
        different |= different.T
        letters = compact_letters(different, rng.permutation(units))
        share = np.array([[bool(set(a) & set(b)) for b in letters] for a in letters])
        np.testing.assert_array_equal(share, ~different)
