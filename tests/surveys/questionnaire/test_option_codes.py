"""The codes printed beside a paper form's options, and its write-in boxes."""

from __future__ import annotations

import pytest

from surveys.questionnaire import Choice, Question, QuestionType, Text
from surveys.questionnaire.expressions import parse
from surveys.questionnaire.option_codes import largest_allowed, option_codes


def choices(*names: str) -> tuple[Choice, ...]:
    return tuple(Choice(name, Text({"vi": name})) for name in names)


def test_short_number_names_are_their_own_codes() -> None:
    assert option_codes(choices("1", "2", "5", "99")) == {
        "1": "1",
        "2": "2",
        "5": "5",
        "99": "99",
    }


@pytest.mark.parametrize(
    "names", [("yes", "no"), ("1", "other"), ("1", "1000"), ("01", "-1")]
)
def test_other_lists_are_coded_by_position(names: tuple[str, ...]) -> None:
    assert option_codes(choices(*names)) == {
        name: str(position) for position, name in enumerate(names, 1)
    }


@pytest.mark.parametrize(
    ("constraint", "largest"),
    [
        (". >= 1 and . <= 30", 30.0),
        (". < 100", 100.0),
        ("120 >= .", 120.0),
        (". <= 50 and . <= 20", 20.0),
        (". >= 0", None),
        (". <= ${other}", None),
        ("regex(., '[0-9]+')", None),
        (None, None),
    ],
)
def test_the_largest_number_a_constraint_allows(
    constraint: str | None, largest: float | None
) -> None:
    question = Question(
        "q",
        QuestionType.INTEGER,
        constraint=None if constraint is None else parse(constraint),
    )
    assert largest_allowed(question) == largest
