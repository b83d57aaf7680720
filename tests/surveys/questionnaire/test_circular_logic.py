"""Relevance and calculations that go round are refused, as ODK Validate refuses them.

Each case was run through pyxform 4.5.0 with ODK Validate (JavaRosa) on
2026-12-06: those refused here it refused with "Cycle detected in form's
relevant and calculation logic"; those loaded here it accepted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import surveys
from surveys.questionnaire import DefinitionError, build_questionnaire
from tests.surveys.questionnaire.bad_workbooks import workbook


def question(name: str, kind: str = "integer", **fields: str) -> dict[str, Any]:
    return {"name": name, "type": kind, "label": {"vi": name}} | fields


def calculate(name: str, calculation: str) -> dict[str, Any]:
    return {"name": name, "type": "calculate", "calculation": calculation}


def definition(*questions: dict[str, Any]) -> dict[str, Any]:
    return {
        "key": "k",
        "title": {"vi": "T"},
        "languages": ["vi"],
        "questions": list(questions),
    }


def messages(*questions: dict[str, Any]) -> list[tuple[str, str, str]]:
    with pytest.raises(DefinitionError) as caught:
        build_questionnaire(definition(*questions))
    return [(p.where, p.field, p.message) for p in caught.value.problems]


def test_a_relevance_on_itself_is_a_circle() -> None:
    ((where, field, message),) = messages(question("a", relevant="${a} > 1"))
    assert (where, field) == ("questions[0]", "relevant")
    assert message.startswith(
        "circular logic a → a: the relevant of a refers to a (questions[0]);"
    )


def test_two_relevances_on_each_other_are_one_circle() -> None:
    ((where, field, message),) = messages(
        question("a", relevant="${b} > 1"), question("b", relevant="${a} > 1")
    )
    assert (where, field) == ("questions[0]", "relevant")
    assert "circular logic a → b → a" in message
    assert "the relevant of b refers to a (questions[1])" in message


def test_a_calculation_on_itself_is_a_circle() -> None:
    ((_, field, message),) = messages(calculate("a", "${a} + 1"))
    assert field == "calculation" and "circular logic a → a" in message


def test_a_longer_circle_through_calculations_and_relevance_is_named_whole() -> None:
    ((_, _, message),) = messages(
        question("q", relevant="${c3} > 0"),
        calculate("c1", "${q} + 1"),
        calculate("c2", "${c1} * 2"),
        calculate("c3", "${c2} - 1"),
    )
    assert "circular logic q → c3 → c2 → c1 → q" in message
    assert "the calculation of c1 refers to q" in message


def test_a_group_shown_by_an_answer_inside_it_is_a_circle() -> None:
    group = {
        "name": "g",
        "type": "section",
        "relevant": "${a} = 1",
        "questions": [question("a")],
    }
    ((where, field, message),) = messages(group)
    assert (where, field) == ("questions[0]", "relevant")
    assert "circular logic g → a → g" in message
    assert "a is inside group g" in message


def test_each_circle_is_named_once() -> None:
    problems = messages(
        question("a", relevant="${b} > 1"),
        question("b", relevant="${a} > 1"),
        calculate("c", "${c} + 1"),
    )
    assert [message.split(":")[0] for _, _, message in problems] == [
        "circular logic a → b → a",
        "circular logic c → c",
    ]


def test_references_that_do_not_go_round_load() -> None:
    # A question refers to a later one; constraints refer to each other and
    # to relevance that refers back: ODK accepts all of it.
    loaded = build_questionnaire(
        definition(
            question("a", relevant="${b} > 1", constraint=". > ${b}"),
            question("b", constraint=". != ${a}"),
            question("c", relevant="${a} > 1", constraint="${c} < 10"),
            calculate("total", "${a} + ${b} + ${c}"),
            {
                "name": "g",
                "type": "section",
                "relevant": "${total} > 2",
                "questions": [question("d", relevant="${a} > 1")],
            },
        )
    )
    assert [q.name for q in loaded.questions] == ["a", "b", "c", "total", "d"]


def test_a_long_chain_of_calculations_is_no_circle() -> None:
    chain = [question("x0")] + [
        calculate(f"x{n}", f"${{x{n - 1}}} + 1") for n in range(1, 3000)
    ]
    assert len(build_questionnaire(definition(*chain)).questions) == 3000
    chain[0] = question("x0", relevant="${x2999} > 0")
    ((_, _, message),) = messages(*chain)
    assert message.startswith("circular logic x0 → x2999 → x2998")


def test_a_workbook_circle_names_its_rows(tmp_path: Path) -> None:
    rows = [
        ("integer", "a", "A", "${b} > 1", None),
        ("calculate", "b", None, None, "${a} + 1"),
    ]
    path = tmp_path / "circle.xlsx"
    header = ("type", "name", "label", "relevant", "calculation")
    path.write_bytes(workbook(rows, header=header))
    with pytest.raises(DefinitionError) as caught:
        surveys.load_definition(path)
    (problem,) = caught.value.problems
    assert (problem.where, problem.field) == ("sheet 'survey', row 2", "relevant")
    assert "the calculation of b refers to a (sheet 'survey', row 3)" in str(problem)


def test_a_name_used_twice_makes_no_false_circle() -> None:
    # A group and a question inside it share a name: refused as a duplicate,
    # not as a group shown by an answer inside it.
    group = {"name": "g", "type": "section", "questions": [question("g")]}
    ((_, field, message),) = messages(group)
    assert field == "name" and "used twice" in message
