"""Officials' scores: the per-unit ordinal model and the own-ratings interval."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.officials import official_ratings
from analysis.results import MIN_INTERVAL

#: A ceiling distribution of ratings 1-5 (92% answer 4 or 5).
CEILING = (0.01, 0.02, 0.05, 0.32, 0.60)


def _unit(
    name: str, sizes: dict[str, int], rng: np.random.Generator, lower: str = ""
) -> list[tuple[str, str, float]]:
    """Ratings of one unit's officials; ``lower`` is rated about 0.6 lower."""
    rows = []
    for official, n in sizes.items():
        p = (0.05, 0.08, 0.17, 0.40, 0.30) if official == lower else CEILING
        rows += [(name, official, float(r)) for r in rng.choice(range(1, 6), n, p=p)]
    return rows


def _frame(rows: list[tuple[str, str | None, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["unit", "official", "rating"])


@pytest.fixture
def ratings() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    sizes = {f"o{i}": 40 for i in range(6)}
    rows = _unit("U1", sizes, rng, lower="o0")
    rows += [("U1", "new", 1.0)]  # one angry rating
    return _frame(rows)


def test_one_angry_rating_does_not_make_the_worst_official(ratings):
    table = official_ratings(ratings).set_index("official")
    new = table.loc["new"]
    assert new["n"] == 1 and not new["reportable"]
    assert new["score"] > table.loc["o0", "score"]
    assert new["flag"] == "no clear difference"
    assert new["score_low"] < new["score"] < new["score_high"]
    assert np.isnan(new["own_low"])  # one rating: no interval of its own


def test_a_truly_lower_official_is_flagged_and_intervals_hold_the_score(ratings):
    table = official_ratings(ratings).set_index("official")
    assert table.loc["o0", "flag"] == "below"
    assert table.loc["o0", "prob_below"] > 0.975
    assert (table["score_low"] < table["score"]).all()
    assert (table["score"] < table["score_high"]).all()
    assert table.loc["o0", "own_low"] < table.loc["o0", "own_mean"]
    assert table["tau_median"].nunique() == 1


def test_each_unit_has_its_own_hyperparameters(ratings):
    rng = np.random.default_rng(6)
    alike = _frame(_unit("U2", {f"p{i}": 30 for i in range(5)}, rng))
    alone = official_ratings(ratings)
    together = official_ratings(pd.concat([ratings, alike]))
    pd.testing.assert_frame_equal(
        together[together["unit"] == "U1"].reset_index(drop=True), alone
    )
    per_unit = together.groupby("unit")["tau_median"].first()
    assert per_unit["U2"] < per_unit["U1"]


def test_ratings_without_an_official_change_nothing(ratings):
    extra = _frame([("U1", None, 1.0)] * 30 + [("U1", None, 5.0)] * 30)
    pd.testing.assert_frame_equal(
        official_ratings(pd.concat([ratings, extra])), official_ratings(ratings)
    )


def test_an_official_is_not_compared_with_their_own_ratings():
    """An official's ratings enter only their likelihood: with one official
    far below the rest, the rest are neither dragged toward it nor flagged."""
    rng = np.random.default_rng(8)
    rows = _unit("U", {f"o{i}": 50 for i in range(5)}, rng)
    rows += [("U", "low", 1.0)] * 25 + [("U", "low", 2.0)] * 25
    table = official_ratings(_frame(rows)).set_index("official")
    others = table.drop(index="low")
    assert (others["flag"] != "below").all()
    assert (others["score_low"] < others["own_mean"]).all()
    assert (others["own_mean"] < others["score_high"]).all()
    assert table.loc["low", "flag"] == "below"


def test_officials_rated_all_fives_get_an_interval_inside_the_scale():
    frame = _frame([("U", o, 5.0) for o, n in [("a", MIN_INTERVAL), ("b", 6), ("c", 4)]
                    for _ in range(n)])  # fmt: skip
    table = official_ratings(frame).set_index("official")
    assert (table["score_high"] <= 5).all()
    assert (table["score_high"] - table["score_low"] > 0.05).all()
    assert (table["score"] < 5).all() and (table["score"] > 4.3).all()
    assert (table["flag"] == "no clear difference").all()
    a = table.loc["a"]
    assert a["own_mean"] == 5 and 4 < a["own_low"] < a["own_high"] <= 5
    assert np.isnan(table.loc["b", "own_low"]) and np.isnan(table.loc["c", "own_low"])


def test_a_unit_whose_ratings_do_not_vary():
    """Zero spread: every rating 4, some officials with two ratings."""
    frame = _frame([("U", f"o{i}", 4.0) for i in range(6) for _ in range(2 + i)])
    table = official_ratings(frame)
    assert np.allclose(table["score"], table["score"].iloc[0], atol=0.05)
    assert (table["score_low"] < 4).all() and (table["score_high"] > 4).all()
    assert (table["score_high"] - table["score_low"] < 1.5).all()
    assert (table["flag"] == "no clear difference").all()


def test_too_few_officials_to_compare():
    rng = np.random.default_rng(3)
    rows = _unit("U", {"a": 20, "b": 20, "c": 1}, rng)
    table = official_ratings(_frame(rows))
    assert (table["flag"] == "too few officials").all()
    assert table["score"].notna().all()


def test_the_own_interval_is_dirichlet_perks():
    """Twelve 4s and ten 5s: the closed form of ``docs/statistics-design.md``
    section 2.2 (prior 1/5 on each point adds 3 to the sum, 11 to the squares)."""
    from scipy import stats

    answers = [4.0] * 12 + [5.0] * 10
    frame = _frame([("U", o, value) for o in "abc" for value in answers])
    row = official_ratings(frame).iloc[0]
    mean = (98 + 3) / 23
    second = (442 + 11) / 23
    variance = (second - mean**2) / 24
    u, w = (mean - 1) / 4, variance / 16
    size = u * (1 - u) / w - 1
    expected = 1 + 4 * stats.beta.ppf([0.025, 0.975], u * size, (1 - u) * size)
    assert row["own_mean"] == pytest.approx(98 / 22)
    np.testing.assert_allclose([row["own_low"], row["own_high"]], expected)


def test_errors(ratings):
    with pytest.raises(ValueError, match="min_count"):
        official_ratings(ratings, min_count=0)
    with pytest.raises(ValueError, match="'stars'"):
        official_ratings(ratings, rating="stars")
    with pytest.raises(ValueError, match=r"4\.5"):
        official_ratings(_frame([("U", "a", 4.5)]))
    with pytest.raises(ValueError, match="scale"):
        official_ratings(ratings, scale=(5, 1))
    with pytest.raises(ValueError, match="names an official"):
        official_ratings(_frame([("U", None, 4.0), (None, "a", 4.0)]))
