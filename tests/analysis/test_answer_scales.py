"""Questionnaires whose items are not on 1-5 (XLSForm item_min/item_max allow
any range): every interval and every rank uses the questionnaire's own scale."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import official_ratings, rank_units_from_tallies, summary_from_tallies
from analysis.comparisons import satisfied_prior
from analysis.intervals import dirichlet_mean_interval, perks_moments

#: Two units of thirty answers on 0-10, all 8s and all 6s.
TALLIES_0_10 = pd.DataFrame(
    {
        "unit": ["a", "b"],
        "item": "q",
        "kind": "item",
        "n": [30, 30],
        "total": [240.0, 180.0],
        "total_sq": [1920.0, 1080.0],
        "satisfied": [30, 0],
    }
)


def test_summary_from_tallies_spreads_its_prior_over_the_given_scale():
    summary = summary_from_tallies(TALLIES_0_10, scale=(0, 10))
    low, high = dirichlet_mean_interval(30, 240.0, 1920.0, (0, 10))
    assert summary.loc[0, ["mean_low", "mean_high"]].tolist() == [low, high]
    assert 7 < low < 8 < high < 9
    # The 1-5 default refuses them instead of printing (8.0, 8.0).
    with pytest.raises(ValueError, match="outside the scale 1-5"):
        summary_from_tallies(TALLIES_0_10)


def test_units_rank_on_a_0_to_10_scale():
    ranks = rank_units_from_tallies(
        TALLIES_0_10, np.random.default_rng(1), scale=np.arange(11.0), draws=500
    )
    assert ranks["unit"].tolist() == ["a", "b"]
    assert ranks["rank_low"].tolist() == [1, 2] and ranks["rank_high"].tolist() == [
        1,
        2,
    ]


@pytest.mark.parametrize(
    ("scale", "threshold", "expected"),
    [
        ((1, 2, 3, 4, 5), 4, (3 / 5, 2 / 5)),
        (tuple(range(11)), 7, (7 / 11, 4 / 11)),
        ((0, 0.75, 1.5), 1, (2 / 3, 1 / 3)),
    ],
)
def test_the_satisfied_prior_follows_the_scale_and_its_threshold(
    scale, threshold, expected
):
    assert satisfied_prior(scale, threshold) == pytest.approx(expected)


def test_ranking_by_share_satisfied_uses_the_scales_prior():
    # 0-10 with satisfied from 7: prior 4/11 satisfied, not 2/5.
    ranks = rank_units_from_tallies(
        TALLIES_0_10,
        np.random.default_rng(1),
        satisfied=True,
        scale=np.arange(11.0),
        satisfied_min=7,
        draws=100,
    ).set_index("unit")
    sums = (np.array([30.0]),) * 3
    _, variance = perks_moments(*sums, [0.0, 1.0], [7 / 11, 4 / 11])
    _, one_to_five = perks_moments(*sums, [0.0, 1.0], [3 / 5, 2 / 5])
    assert ranks.loc["a", "se"] == pytest.approx(np.sqrt(variance[0]), rel=1e-12)
    assert ranks.loc["a", "se"] != pytest.approx(np.sqrt(one_to_five[0]))


def test_an_officials_own_interval_spreads_its_prior_over_the_given_points():
    ratings = pd.DataFrame(
        {
            "unit": "u",
            "official": np.repeat(["x", "y"], 30),
            "rating": np.r_[np.full(30, 5.0), np.tile([3.0, 5.0], 15)],
        }
    )
    table = official_ratings(ratings, rating="rating", scale=(1, 3, 5)).set_index(
        "official"
    )
    low, high = dirichlet_mean_interval(
        30, 150.0, 750.0, (1, 5), points=[1.0, 3.0, 5.0]
    )
    assert table.loc["x", ["own_low", "own_high"]].tolist() == [low, high]
    spread_over_1_to_5 = dirichlet_mean_interval(30, 150.0, 750.0, (1, 5))
    assert low != spread_over_1_to_5[0]
