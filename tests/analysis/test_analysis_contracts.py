"""Contracts every public function keeps: inputs untouched, frozen results."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import analysis

SCORING = {"items": {"q1": "a", "q2": "a", "q3": "b"}, "reverse": ["q2"]}


@pytest.fixture
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(123)
    n = 300
    data = pd.DataFrame(
        {
            "unit": rng.choice(["U1", "U2", "U3"], n),
            "official": rng.choice(["o1", "o2", "o3", "o4"], n),
            "quarter": rng.choice(["Q1", "Q2"], n),
            "q1": rng.integers(1, 6, n).astype(float),
            "q2": rng.integers(1, 6, n).astype(float),
            "q3": rng.integers(1, 6, n).astype(float),
        }
    )
    data.loc[::7, "q3"] = np.nan
    data["satisfied"] = data["q1"] >= 4
    return data


CALLS = {
    "unit_summary": lambda f: analysis.unit_summary(f, SCORING),
    "sipas_index": lambda f: analysis.sipas_index(f, SCORING),
    "papi_index": lambda f: analysis.papi_index(f, SCORING),
    "ddci_index": lambda f: analysis.ddci_index(f, SCORING),
    "alpha_by_dimension": lambda f: analysis.alpha_by_dimension(f, SCORING, "unit"),
    "compare_to_rest": lambda f: analysis.compare_to_rest(f, "q1"),
    "period_change": lambda f: analysis.period_change(f, "q1", "quarter", "Q2", "Q1"),
    "rank_units": lambda f: analysis.rank_units(f, "q1", np.random.default_rng(0)),
    "official_ratings": lambda f: analysis.official_ratings(f, rating="q1"),
    "design_mean": lambda f: analysis.SurveyDesign(f).mean("q3", by="unit"),
    "design_proportion": lambda f: analysis.SurveyDesign(f).proportion(
        "satisfied", by=["unit", "quarter"]
    ),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_input_frame_is_not_modified(frame, name):
    before = frame.copy(deep=True)
    result = CALLS[name](frame)
    pd.testing.assert_frame_equal(frame, before)
    assert isinstance(result, pd.DataFrame) and len(result) > 0


def test_scalar_results_are_frozen(frame):
    results = [
        analysis.mean_ci(frame["q1"]),
        analysis.proportion_ci(3, 10),
        analysis.cronbach_alpha(frame[["q1", "q2", "q3"]]),
        analysis.composite_index({"a": 5.0, "b": 7.0}, {"a": 1, "b": 3}),
    ]
    for result in results:
        assert dataclasses.is_dataclass(result)
        with pytest.raises(dataclasses.FrozenInstanceError):
            result.estimate = 0.0  # type: ignore[misc]


def test_non_frames_are_rejected():
    with pytest.raises(ValueError, match="must be a pandas DataFrame, got list"):
        analysis.unit_summary([1, 2], ["q1"])
    with pytest.raises(ValueError, match="must be a pandas DataFrame"):
        analysis.SurveyDesign({"y": [1]})
