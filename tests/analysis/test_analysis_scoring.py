"""The scoring map: one respondent at a time scores as a whole frame does."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import ScoringMap, unit_summary
from analysis.frame_scores import score_matrix
from analysis.scoring import answer_number

SCORING = {
    "items": {"q1": "staff", "q2": "staff", "q3": "time", "overall": None},
    "reverse": ["q2"],
    "satisfied_min": 3,
}


@st.composite
def maps_and_answers(draw: st.DrawFn) -> tuple[ScoringMap, pd.DataFrame]:
    """A random map (some items of no dimension) and answers on its scale."""
    n_items = draw(st.integers(min_value=1, max_value=8))
    items = [f"q{j}" for j in range(n_items)]
    dimension = st.one_of(st.none(), st.sampled_from(["a", "b", "c"]))
    low = draw(st.integers(min_value=-2, max_value=2))
    high = low + draw(st.integers(min_value=1, max_value=9))
    mapping = {
        "items": {item: draw(dimension) for item in items},
        "reverse": draw(st.lists(st.sampled_from(items), unique=True)),
        "scale": [low, high],
        "satisfied_min": draw(st.floats(min_value=low + 0.5, max_value=high)),
    }
    scoring = ScoringMap.from_mapping(mapping)
    answer = st.one_of(
        st.just(math.nan),
        st.integers(min_value=low, max_value=high).map(float),
        st.floats(min_value=low, max_value=high),
    )
    row = st.lists(answer, min_size=n_items, max_size=n_items)
    rows = draw(st.lists(row, min_size=1, max_size=20))
    return scoring, pd.DataFrame(rows, columns=items)


@settings(max_examples=200, deadline=None)
@given(case=maps_and_answers())
def test_score_one_gives_each_row_of_respondent_scores(case):
    scoring, frame = case
    values, names, kinds = score_matrix(scoring, frame)
    for i, row in enumerate(frame.to_dict("records")):
        alone = {(s.kind, s.name): s for s in scoring.score_one(row)}
        expected = {
            (kind, name): value
            for kind, name, value in zip(kinds, names, values[i], strict=True)
            if not np.isnan(value)
        }
        assert {k: s.value for k, s in alone.items()} == pytest.approx(
            expected, rel=0, abs=1e-12
        )
        assert list(alone) == list(expected)  # the same order too
        for score in alone.values():
            assert score.satisfied == (score.value >= scoring.satisfied_min)


@pytest.mark.parametrize(
    ("answer", "number"),
    [
        (4, 4.0),
        (4.5, 4.5),
        ("4", 4.0),
        (" 2.5 ", 2.5),
        (np.int64(3), 3.0),
        (True, math.nan),
        (np.True_, math.nan),
        (None, math.nan),
        ("", math.nan),
        ("Hài lòng", math.nan),
        ("nan", math.nan),
        (float("inf"), math.nan),
        ("-inf", math.nan),
        ([4], math.nan),
    ],
)
def test_what_counts_as_a_number(answer, number):
    assert answer_number(answer) == pytest.approx(number, nan_ok=True)


def test_a_frame_of_numeric_text_scores_as_numbers():
    scoring = ScoringMap.from_mapping(SCORING)
    text = pd.DataFrame(
        {"q1": ["4", None, "5"], "q2": [1, "2", None], "q3": ["3", "1", np.nan]}
    ).assign(overall=[5, 4, None])
    numbers = text.apply(pd.to_numeric)
    np.testing.assert_array_equal(
        score_matrix(scoring, text)[0], score_matrix(scoring, numbers)[0]
    )


@pytest.mark.parametrize(
    ("column", "message"),
    [
        ([True, False, True], "item column 'q1' must be numeric, got bool"),
        (["4", "Hài lòng", "5"], "item column 'q1' has 'Hài lòng', which is no number"),
        ([4, True, 5], "item column 'q1' has True, which is no number"),
        ([4.0, math.inf, 5.0], r"item column 'q1' has value inf outside the scale"),
    ],
)
def test_a_frame_with_answers_that_are_no_numbers_is_refused(column, message):
    frame = pd.DataFrame({"q1": column, "q2": 3.0, "q3": 3.0, "overall": 3.0})
    with pytest.raises(ValueError, match=message):
        score_matrix(ScoringMap.from_mapping(SCORING), frame)


def test_items_of_no_dimension_are_scored_alone():
    scoring = ScoringMap.from_mapping(SCORING)
    assert scoring.dimensions == {"staff": ["q1", "q2"], "time": ["q3"]}
    scores = scoring.score_one({"q1": "4", "q2": 4, "overall": 2})
    assert [(s.name, s.kind, s.value, s.satisfied) for s in scores] == [
        ("q1", "item", 4.0, True),
        ("q2", "item", 2.0, False),
        ("overall", "item", 2.0, False),
        ("staff", "dimension", 3.0, True),
    ]


def test_unit_summary_takes_the_maps_threshold_unless_told_otherwise():
    frame = pd.DataFrame({"q1": [3.0, 4.0, 5.0], "q2": 1.0, "q3": 1.0, "overall": 1})
    table = unit_summary(frame, SCORING, by=None, min_suppress=0, min_publish=0)
    assert table.set_index("item").loc["q1", "n_satisfied"] == 3
    table = unit_summary(frame, SCORING, by=None, satisfied_min=5, min_suppress=0)
    assert table.set_index("item").loc["q1", "n_satisfied"] == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"satisfied_min": 6}, "satisfied_min 6 must lie inside the scale 1-5"),
        ({"satisfied_min": "4"}, "satisfied_min must be a number, got '4'"),
        ({"satisfied_min": True}, "satisfied_min must be a number, got True"),
    ],
)
def test_a_bad_threshold_is_refused(change, message):
    with pytest.raises(ValueError, match=message):
        ScoringMap.from_mapping(SCORING | change)
