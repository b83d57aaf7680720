"""Repeats (a household roster): the model, the readers, expressions and answers.

The meaning of references follows pyxform 4.5 (``survey.py``,
``_var_repl_function``): ``${name}`` of a question in the same repeat is a
relative path, so the same row; from outside, an absolute path, so every row
(a node-set). Functions follow the ODK XForms specification ("Repeat
Functions", "Node-set Functions", ``position(node arg?)``).
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import surveys
from surveys.questionnaire import (
    DefinitionError,
    ExpressionError,
    InvalidAnswers,
    Questionnaire,
    build_questionnaire,
    relevance,
    validate_answers,
)
from surveys.questionnaire.expressions import Nodes, Row, parse
from surveys.questionnaire.model import MAX_REPEAT_ROWS, Repeat
from surveys.questionnaire.repeat_rows import largest_count
from surveys.questionnaire.yaml_format import dump_yaml

TODAY = date(2026, 12, 6)
LABEL = {"vi": "Nhãn", "en": "Label"}


def _q(name: str, kind: str, **more: Any) -> dict[str, Any]:
    return {"name": name, "type": kind, "label": LABEL, **more}


def household(**repeat: Any) -> dict[str, Any]:
    """A household roster: its size, then one row per member, then totals."""
    return {
        "key": "household",
        "version": "1",
        "title": {"vi": "Hộ gia đình", "en": "Household"},
        "languages": ["vi", "en"],
        "questions": [
            _q("household_size", "integer", constraint=". >= 1"),
            {
                "name": "members",
                "type": "repeat",
                "label": {"vi": "Thành viên", "en": "Member"},
                **repeat,
                "questions": [
                    _q("member_name", "text", required=True),
                    _q("age", "integer", required=True, constraint=". < 120"),
                    _q("relation", "select_one", choices="relations",
                       relevant="position(..) > 1"),
                    _q("school", "select_one", choices="yes_no",
                       relevant="${age} < 18 and ../age >= 6"),
                    {"name": "adult", "type": "calculate",
                     "calculation": "if(${age} >= 18, 1, 0)"},
                    {"name": "row_number", "type": "calculate",
                     "calculation": "position(..)"},
                ],
            },
            {"name": "adults", "type": "calculate", "calculation": "sum(${adult})"},
            {"name": "people", "type": "calculate", "calculation": "count(${members})"},
            {"name": "oldest", "type": "calculate", "calculation": "max(${age})"},
            {"name": "youngest", "type": "calculate", "calculation": "min(${age})"},
            {"name": "head", "type": "calculate",
             "calculation": "indexed-repeat(${member_name}, ${members}, 1)"},
            {"name": "names", "type": "calculate",
             "calculation": "join(', ', ${member_name})"},
            {"name": "schooled", "type": "calculate",
             "calculation": "count-non-empty(${school})"},
            _q("check", "note", relevant="${adults} = 0"),
        ],
        "choices": {
            "relations": [
                {"name": "spouse", "label": LABEL},
                {"name": "child", "label": LABEL},
            ],
            "yes_no": [{"name": "yes", "label": LABEL}, {"name": "no", "label": LABEL}],
        },
    }  # fmt: skip


@pytest.fixture
def roster() -> Questionnaire:
    return build_questionnaire(household(repeat_count="${household_size}"))


THREE = {
    "household_size": "3",
    "members": [
        {"member_name": "Lan", "age": "41"},
        {"member_name": "Minh", "age": "43", "relation": "spouse"},
        {"member_name": "An", "age": "9", "relation": "child", "school": "yes"},
    ],
}


def test_a_roster_validates_row_by_row(roster: Questionnaire) -> None:
    values = validate_answers(roster, THREE, today=TODAY)
    assert values["members"] == [
        {"member_name": "Lan", "age": 41, "adult": 1.0, "row_number": 1.0},
        {
            "member_name": "Minh",
            "age": 43,
            "relation": "spouse",
            "adult": 1.0,
            "row_number": 2.0,
        },
        {
            "member_name": "An",
            "age": 9,
            "relation": "child",
            "school": "yes",
            "adult": 0.0,
            "row_number": 3.0,
        },
    ]
    assert values["adults"] == 2
    assert values["people"] == 3
    assert (values["oldest"], values["youngest"]) == (43, 9)
    assert values["head"] == "Lan"
    assert values["names"] == "Lan, Minh, An"
    assert values["schooled"] == 1
    assert "member_name" not in values  # a row's answers live in its row


def test_errors_name_the_row(roster: Questionnaire) -> None:
    answers = {
        "household_size": "2",
        "members": [{"member_name": "Lan", "age": "130"}, {"age": "x"}],
    }
    with pytest.raises(InvalidAnswers) as caught:
        validate_answers(roster, answers, today=TODAY)
    assert set(caught.value.errors) == {"age[1]", "member_name[2]", "age[2]"}


def test_repeat_count_fixes_the_rows(roster: Questionnaire) -> None:
    # Extra rows are dropped; missing ones are blank, and their required
    # questions say so.
    answers = {**THREE, "household_size": "2"}
    assert len(validate_answers(roster, answers, today=TODAY)["members"]) == 2
    with pytest.raises(InvalidAnswers) as caught:
        validate_answers(roster, {**THREE, "household_size": "4"}, today=TODAY)
    assert set(caught.value.errors) == {"member_name[4]", "age[4]"}
    shown = relevance(roster, {"household_size": "4"}, today=TODAY)
    assert shown.rows == {"members": 4}
    assert "age[4]" in shown and "relation[1]" not in shown and "relation[2]" in shown
    huge = relevance(roster, {"household_size": "1000000"}, today=TODAY)
    assert huge.rows == {"members": MAX_REPEAT_ROWS}


@pytest.mark.parametrize(
    ("constraint", "count", "largest"),
    [
        (". >= 1 and . <= 12", "${household_size}", 12),
        (". >= 1", "${household_size}", None),
        (". <= 1000", "${household_size}", MAX_REPEAT_ROWS),
        (". <= 12", "${household_size} + 1", None),
        (". <= 12", "3", 3),
        (". <= 12", None, None),
    ],
)
def test_the_most_rows_a_count_can_ask_for(
    constraint: str, count: str | None, largest: int | None
) -> None:
    definition = household(**({} if count is None else {"repeat_count": count}))
    definition["questions"][0]["constraint"] = constraint
    questionnaire = build_questionnaire(definition)
    assert largest_count(questionnaire, questionnaire.repeats[0]) == largest


def test_relevance_is_per_row(roster: Questionnaire) -> None:
    shown = relevance(roster, THREE, today=TODAY)
    assert {"school[3]", "relation[2]"} <= shown.questions
    assert not {"school[1]", "school[2]", "relation[1]"} & shown.questions


def test_a_free_roster_takes_the_rows_sent_up_to_the_maximum() -> None:
    free = build_questionnaire(household())
    rows = [{"member_name": "Lan", "age": "41"}] * 2
    assert len(validate_answers(free, {"members": rows})["members"]) == 2
    assert validate_answers(free, {})["members"] == []
    too_many = [{"member_name": "X", "age": "1"}] * (MAX_REPEAT_ROWS + 1)
    with pytest.raises(InvalidAnswers) as caught:
        validate_answers(free, {"members": too_many})
    assert caught.value.errors["members"].params == {"maximum": MAX_REPEAT_ROWS}
    with pytest.raises(InvalidAnswers) as caught:
        validate_answers(free, {"members": "Lan"})
    assert set(caught.value.errors) == {"members"}


def test_an_irrelevant_repeat_has_no_rows() -> None:
    data = household()
    data["questions"][1]["relevant"] = "${household_size} > 0"
    skipped = build_questionnaire(data)
    values = validate_answers(skipped, {"members": [{"member_name": "A"}]})
    assert "members" not in values
    assert values["people"] == 0


def test_the_dict_form_round_trips(roster: Questionnaire, tmp_path: Path) -> None:
    data = roster.to_dict()
    assert data["questions"][1]["type"] == "repeat"
    assert data["questions"][1]["repeat_count"] == "${household_size}"
    again = build_questionnaire(data)
    assert again == roster and again.checksum == roster.checksum
    path = tmp_path / "household.yaml"
    path.write_text(dump_yaml(roster), encoding="utf-8")
    assert surveys.load_definition(path) == roster
    assert isinstance(roster.sections[0], Repeat)
    assert roster.repeated["age"] == "members" and "household_size" not in (
        roster.repeated
    )


def _problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        build_questionnaire(data)
    return [f"{p.field}: {p.message}" for p in caught.value.problems]


def _with(**changes: Any) -> dict[str, Any]:
    """The household form with one question of the totals changed."""
    data = household()
    data["questions"].append(_q("extra", "integer", **changes))
    return data


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"relevant": "${age} > 18"}, "${age} is repeated (in 'members')"),
        ({"relevant": "${members} != ''"}, "${members} is repeated"),
        ({"relevant": "${age} + sum(${age}) > 1"}, "${age} is repeated"),
        ({"relevant": "position(..) > 1"}, "position(..) is not the row of a repeat"),
        ({"relevant": "../age > 1"}, "../age: 'age' is not in the top of the form"),
        ({"relevant": "../../x > 1"}, "../../x goes above"),
        (
            {"relevant": "indexed-repeat(${household_size}, ${members}, 1) = 1"},
            "needs a question of the repeat 'members'",
        ),
    ],
)
def test_repeated_questions_outside_their_rows_are_node_sets(
    changes: dict[str, str], message: str
) -> None:
    assert any(message in text for text in _problems(_with(**changes)))


def test_references_that_pyxform_makes_relative_load() -> None:
    data = _with(relevant="../household_size > 0 and count(${age}) > 0")
    build_questionnaire(data)


def test_nested_repeats_and_repeated_scores_are_refused() -> None:
    data = household()
    data["questions"][1]["questions"].append(
        {"name": "jobs", "type": "repeat", "label": LABEL,
         "questions": [_q("job", "text")]}
    )  # fmt: skip
    assert any("nested repeats" in text for text in _problems(data))
    data = household()
    data["questions"][1]["label"] = None
    assert any("a repeat needs a label" in text for text in _problems(data))
    data = household()
    data["questions"][1]["questions"].append(_q("rated", "rating"))
    data["scoring"] = {
        "aggregation": "mean",
        "item_scale": [1, 5],
        "dimension_scale": [1, 10],
        "dimensions": [{"name": "d", "label": LABEL, "items": ["rated"]}],
        "index": {"name": "i", "label": LABEL, "method": "sum", "scale": [1, 10]},
    }
    assert any("'rated' is repeated" in text for text in _problems(data))


# --- expressions: a table of cases -------------------------------------------

AGES = Nodes((41.0, 43.0, 9.0))
NAMES = Nodes(("Lan", "Minh", ""))
VALUES = {
    "age": AGES,
    "member_name": NAMES,
    "members": Nodes(("", "", "")),
    "n": 3.0,
    "huge": Nodes((math.inf, -math.inf)),  # e.g. rows' calculations of 1 div 0
}
ROW_2 = Row(frozenset({"age", "member_name"}), {"age": 43.0, "member_name": "Minh"}, 2)

#: (expression, row, expected): the rule each follows is in the comment.
CASES = [
    # XPath 1.0 count(): the number of nodes; every row has each node.
    ("count(${members})", None, 3.0),
    ("count(${member_name})", None, 3.0),
    # XForms 1.0 count-non-empty(): nodes whose string value is not empty.
    ("count-non-empty(${member_name})", None, 2.0),
    # XPath 1.0 sum(): number() of each node added; a blank is NaN.
    ("sum(${age})", None, 93.0),
    ("sum(${member_name})", None, math.nan),
    ("sum(${huge})", None, math.nan),
    # XPath 3.0 max()/min() (ODK spec): over nodes and arguments.
    ("max(${age})", None, 43.0),
    ("min(${age}, 5)", None, 5.0),
    ("max(${member_name})", None, math.nan),
    # ODK join(): the node values between separators.
    ("join('-', ${member_name})", None, "Lan-Minh-"),
    # indexed-repeat(): the 1-based row's value; outside the rows, ''.
    ("indexed-repeat(${member_name}, ${members}, 2)", None, "Minh"),
    ("indexed-repeat(${member_name}, ${members}, 4)", None, ""),
    # Inside a row, indexed-repeat reads the whole repeat (absolute paths).
    ("indexed-repeat(${age}, ${members}, position(..) - 1)", ROW_2, 41.0),
    # pyxform: ${name} of the same repeat is the row's (a relative path) ...
    ("${age}", ROW_2, 43.0),
    ("../age + 1", ROW_2, 44.0),
    ("sum(${age})", ROW_2, 43.0),
    # ... and a question outside the repeat is the one value it has.
    ("${n} + position(..)", ROW_2, 5.0),
    # position(..): the row's 1-based index among its siblings (ODK spec).
    ("position(..)", ROW_2, 2.0),
    # count-selected is unchanged inside a row.
    ("count-selected('a b')", ROW_2, 2.0),
]


@pytest.mark.parametrize(("source", "row", "expected"), CASES)
def test_repeat_expressions(source: str, row: Row | None, expected: object) -> None:
    value = parse(source).evaluate(VALUES, today=TODAY, row=row)
    if isinstance(expected, float) and math.isnan(expected):
        assert isinstance(value, float) and math.isnan(value)
    else:
        assert value == expected


@pytest.mark.parametrize(
    "source", ["..", "count(1)", "sum('a')", "position(${age})", "../a/b", "position()"]
)
def test_node_functions_need_nodes(source: str) -> None:
    with pytest.raises(ExpressionError):
        parse(source)


# --- XLSForm -------------------------------------------------------------------

HEADER = ["type", "name", "label", "relevant", "calculation", "repeat_count"]


def _workbook(tmp_path: Path, rows: list[list[object]], header=HEADER) -> Path:
    path = tmp_path / "roster.xlsx"
    workbook = openpyxl.Workbook()
    survey = workbook.active
    assert survey is not None
    survey.title = "survey"
    for row in [header, *rows]:
        survey.append(row)
    workbook.save(path)
    return path


def test_xlsform_repeats_load(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path,
        [
            ["integer", "size", "Size"],
            ["begin repeat", "people", "Person", None, None, "${size}"],
            ["text", "name", "Name"],
            ["integer", "age", "Age", "../name != ''"],
            ["end repeat"],
            ["begin looped group", "pets", "Pet"],
            ["text", "pet", "Pet"],
            ["end looped group"],
            ["calculate", "total", None, None, "sum(${age})"],
        ],
    )
    form = surveys.load_definition(path)
    people, pets = form.repeats
    assert people.count is not None and people.count.source == "${size}"
    assert pets.count is None and form.repeated["pet"] == "pets"
    values = validate_answers(
        form, {"size": "1", "people": [{"name": "A", "age": "3"}], "pets": []}
    )
    assert values["total"] == 3


def test_xlsform_count_spellings_and_misplaced_counts(tmp_path: Path) -> None:
    header = ["type", "name", "label", "jr:count"]
    path = _workbook(
        tmp_path,
        [
            ["begin repeat", "people", "Person", "2"],
            ["text", "name", "Name", "3"],
            ["end repeat"],
            ["begin group", "g", "G", "2"],
            ["text", "other", "Other"],
            ["end group"],
        ],
        header,
    )
    with pytest.raises(DefinitionError) as caught:
        surveys.load_definition(path)
    refused = {(p.where, p.field) for p in caught.value.problems}
    assert refused == {
        ("sheet 'survey', row 3", "repeat_count"),
        ("sheet 'survey', row 5", "repeat_count"),
    }
