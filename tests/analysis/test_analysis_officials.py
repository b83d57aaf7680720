"""Official ratings: minimum count and empirical-Bayes shrinkage."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.officials import official_ratings


@pytest.fixture
def ratings() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    rows = []
    for official, effect, n in [("o1", 0.5, 60), ("o2", -0.5, 60), ("o3", 0.0, 50)]:
        scores = np.clip(np.round(3.8 + effect + rng.normal(0, 0.8, n)), 1, 5)
        rows += [("U1", official, s) for s in scores]
    rows += [("U1", "new", 1.0)]  # one angry rating
    rows += [("U1", None, 4.0)] * 10  # ratings without an official
    return pd.DataFrame(rows, columns=["unit", "official", "rating"])


def test_one_angry_rating_does_not_sink_an_official(ratings):
    table = official_ratings(ratings).set_index("official")
    new = table.loc["new"]
    assert new["n"] == 1 and not new["reportable"]
    assert np.isnan(new["mean"])
    assert new["shrinkage"] > 0.75
    assert new["shrunk"] > 3.0
    assert new["shrunk"] == pytest.approx(
        new["shrinkage"] * new["unit_mean"] + (1 - new["shrinkage"]) * 1.0
    )


def test_well_rated_officials_keep_their_own_mean(ratings):
    table = official_ratings(ratings).set_index("official")
    o1 = table.loc["o1"]
    assert o1["reportable"] and o1["shrinkage"] < 0.2
    assert o1["mean_low"] < o1["mean"] < o1["mean_high"]
    assert o1["unit_mean"] < o1["shrunk"] < o1["mean"]
    assert table.loc["o2"]["shrunk"] < table.loc["o3"]["shrunk"] < o1["shrunk"]


def test_unit_mean_includes_ratings_without_official(ratings):
    table = official_ratings(ratings)
    assert table["unit_mean"].iloc[0] == pytest.approx(ratings["rating"].mean())


def test_shrinkage_pulls_every_official_toward_the_unit_mean():
    rng = np.random.default_rng(9)
    frame = pd.DataFrame(
        {
            "unit": "U",
            "official": np.repeat(["a", "b", "c", "d"], 40),
            "rating": rng.integers(1, 6, 160).astype(float),
        }
    )
    table = official_ratings(frame)
    distance_raw = (table["mean"] - table["unit_mean"]).abs()
    distance_shrunk = (table["shrunk"] - table["unit_mean"]).abs()
    assert (distance_shrunk <= distance_raw + 1e-12).all()


def test_identical_officials_shrink_fully_to_the_unit_interval():
    ratings = [1.0, 3.0, 4.0, 4.0, 5.0, 5.0]
    frame = pd.DataFrame(
        {
            "unit": "U",
            "official": np.repeat(["a", "b", "c"], len(ratings)),
            "rating": ratings * 3,
        }
    )
    table = official_ratings(frame)
    unit = frame["rating"]
    half = 1.959964 * unit.std(ddof=1) / np.sqrt(len(unit))
    assert (table["shrinkage"] == 1).all()
    np.testing.assert_allclose(table["shrunk"], unit.mean())
    np.testing.assert_allclose(table["shrunk_high"] - table["shrunk"], half, rtol=1e-6)


def test_errors(ratings):
    with pytest.raises(ValueError, match="min_count"):
        official_ratings(ratings, min_count=1)
    with pytest.raises(ValueError, match="'stars'"):
        official_ratings(ratings, rating="stars")
