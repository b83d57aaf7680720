"""Cronbach's alpha pinned to pingouin's documented output on its own data sets.

Source: pingouin.cronbach_alpha docstring (pingouin 0.5.x), which states its
values were checked against R psych::alpha.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import cronbach_alpha
from analysis.reliability import alpha_by_dimension


def test_long_likert_data_matches_pingouin(cronbach_long):
    # pingouin: cronbach_alpha(data, items='Items', scores='Scores',
    # subject='Subj') -> (0.591719, array([0.195, 0.84]))
    wide = cronbach_long.pivot(index="Subj", columns="Items", values="Scores")
    result = cronbach_alpha(wide)
    assert result.estimate == pytest.approx(0.591719, abs=5e-7)
    assert result.low == pytest.approx(0.195, abs=5e-4)
    assert result.high == pytest.approx(0.840, abs=5e-4)
    assert (result.n, result.n_items) == (15, 10)


def test_pairwise_missing_matches_pingouin(cronbach_wide_missing):
    # pingouin: cronbach_alpha(data) -> (0.732661, array([0.435, 0.909]))
    result = cronbach_alpha(cronbach_wide_missing)
    assert result.estimate == pytest.approx(0.732661, abs=5e-7)
    assert result.low == pytest.approx(0.435, abs=5e-4)
    assert result.high == pytest.approx(0.909, abs=5e-4)
    assert result.method == "feldt-pairwise"


def test_listwise_alpha_matches_pingouin_with_complete_case_interval(
    cronbach_wide_missing,
):
    # pingouin: cronbach_alpha(data, nan_policy='listwise') -> (0.801695,
    # array([0.581, 0.933])). Alpha agrees. pingouin's interval uses n = 12,
    # the rows *before* listwise deletion; Feldt's F has n - 1 df for the
    # respondents actually used (9 here), which gives the wider interval below
    # (independent computation: 1 - (1 - a) * F.isf(.025/.975, 8, 80)).
    result = cronbach_alpha(cronbach_wide_missing, nan_policy="listwise")
    assert result.estimate == pytest.approx(0.801695, abs=5e-7)
    assert result.n == 9
    assert result.low == pytest.approx(0.5330032, abs=5e-7)
    assert result.high == pytest.approx(0.9472080, abs=5e-7)


def test_alpha_by_dimension_reverse_codes_and_groups():
    rng = np.random.default_rng(7)
    trait = rng.normal(size=200)
    frame = pd.DataFrame(
        {
            "unit": np.repeat(["A", "B"], 100),
            "a1": np.clip(np.round(3 + trait + rng.normal(0, 0.7, 200)), 1, 5),
            "a2": np.clip(np.round(3 - trait + rng.normal(0, 0.7, 200)), 1, 5),
            "b1": rng.integers(1, 6, 200).astype(float),
        }
    )
    scoring = {"items": {"a1": "a", "a2": "a", "b1": "b"}, "reverse": ["a2"]}
    table = alpha_by_dimension(frame, scoring, by="unit")
    assert list(table["unit"]) == ["A", "B"]
    assert list(table["dimension"]) == ["a", "a"]
    assert (table["alpha"] > 0.6).all()
    flipped = frame.assign(a2=6 - frame["a2"])
    direct = cronbach_alpha(flipped.loc[frame["unit"] == "A", ["a1", "a2"]])
    assert table["alpha"].iloc[0] == pytest.approx(direct.estimate)


@pytest.mark.parametrize(
    ("frame", "kwargs", "message"),
    [
        (pd.DataFrame({"a": [1.0, 2.0]}), {}, "at least two items"),
        (pd.DataFrame({"a": [1.0], "b": [2.0]}), {}, "at least two respondents"),
        (pd.DataFrame({"a": ["x", "y"], "b": [1, 2]}), {}, "'a' must be numeric"),
        (pd.DataFrame({"a": [1, 2], "b": [1, 2]}), {"nan_policy": "x"}, "'x'"),
    ],
)
def test_errors(frame, kwargs, message):
    with pytest.raises(ValueError, match=message):
        cronbach_alpha(frame, **kwargs)
