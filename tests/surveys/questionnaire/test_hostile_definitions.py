"""Definitions built to hurt (alias bombs, endless nesting) or that the database
cannot hold (long names): each refused as one clear problem, never a crash."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pyxform.errors import PyXFormError
from pyxform.xls2xform import convert

import surveys
from surveys.questionnaire import DefinitionError, Problem, build_questionnaire
from surveys.questionnaire.xlsform_limits import Limits
from surveys.questionnaire.xlsform_reader import load_xlsform
from tests.surveys.questionnaire.bad_workbooks import workbook

HEAD = "key: k\ntitle: {vi: T}\nlanguages: [vi]\n"


def refused(path: Path) -> Problem:
    with pytest.raises(DefinitionError) as caught:
        surveys.load_definition(path)
    (problem,) = caught.value.problems
    return problem


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_yaml_alias_bomb_is_refused_without_expanding_it(tmp_path: Path) -> None:
    # Seven levels of ten aliases each: ten million questions in nine lines.
    lines = ["q0: &q0 {name: a, type: text, label: {vi: A}}"]
    for level in range(1, 8):
        refs = ", ".join([f"*q{level - 1}"] * 10)
        section = f"{{name: s{level}, type: section, questions: [{refs}]}}"
        lines.append(f"q{level}: &q{level} {section}")
    text = HEAD + "\n".join(lines) + "\nquestions: [*q7]\n"
    problem = refused(write(tmp_path, "bomb.yaml", text))
    assert "expands to more than 2,000,000 values" in problem.message


def test_a_yaml_structure_inside_itself_is_refused(tmp_path: Path) -> None:
    text = HEAD + "questions: &s\n  - {name: s, type: section, questions: *s}\n"
    problem = refused(write(tmp_path, "loop.yaml", text))
    assert "contains itself" in problem.message


@pytest.mark.parametrize("name", ["deep.yaml", "deep.json"])
def test_brackets_nested_past_the_parser_are_refused(tmp_path: Path, name: str) -> None:
    text = '{"key": "k", "questions": ' + "[" * 5_000 + "]" * 5_000 + "}"
    problem = refused(write(tmp_path, name, text))
    assert problem.message == "lists or mappings nest too deeply to read"


def test_groups_nested_past_the_limit_are_refused_at_the_row(tmp_path: Path) -> None:
    rows = [("begin group", f"g{n}", "G") for n in range(5)]
    rows += [("text", "t", "T")] + [("end group", None, None)] * 5
    path = tmp_path / "deep.xlsx"
    path.write_bytes(workbook(rows))
    with pytest.raises(DefinitionError) as caught:
        load_xlsform(path, limits=Limits(group_depth=3))
    (problem,) = caught.value.problems
    assert (problem.where, problem.field) == ("sheet 'survey', row 5", "type")
    assert problem.message == "groups nest more than 3 deep, the limit"
    assert len(surveys.load_definition(path).questions) == 1


def definition(**changes: Any) -> dict[str, Any]:
    question = {"name": "q", "type": "text", "label": {"vi": "Q"}}
    return {
        "key": "k",
        "title": {"vi": "T"},
        "languages": ["vi"],
        "questions": [question | changes.pop("question", {})],
    } | changes


def problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(DefinitionError) as caught:
        build_questionnaire(data)
    return [(p.field, p.message) for p in caught.value.problems]


def test_names_keys_and_titles_longer_than_the_database_holds_are_refused() -> None:
    build_questionnaire(definition(key="k" * 64, question={"name": "q" * 64}))
    ((field, message),) = problems(definition(question={"name": "q" * 65}))
    assert field == "name"
    assert "has 65 characters, over the limit of 64" in message
    assert problems(definition(key="k" * 65))[0][0] == "key"
    assert problems(definition(title={"vi": "T" * 301}))[0][0] == "title"


@pytest.mark.parametrize("name", ["1st", "two words", "a/b", "?", "ho&ten"])
def test_names_pyxform_refuses_we_refuse(tmp_path: Path, name: str) -> None:
    rows = [("text", name, "Q")]
    path = tmp_path / "names.xlsx"
    path.write_bytes(workbook(rows))
    with pytest.raises(PyXFormError):
        convert(xlsform=str(path), validate=False)
    with pytest.raises(DefinitionError) as caught:
        surveys.load_definition(path)
    (problem,) = caught.value.problems
    assert problem.field == "name" and "is not a valid name" in problem.message


def test_a_choice_name_twice_in_a_list_is_refused_as_pyxform_does(
    tmp_path: Path,
) -> None:
    rows = [("select_one yn", "q", "Q")]
    choices = [("yn", "y", "Có"), ("yn", "n", "Không"), ("yn", "y", "Vâng")]
    path = tmp_path / "twice.xlsx"
    path.write_bytes(workbook(rows, choices=choices))
    with pytest.raises(PyXFormError, match="duplicate"):
        convert(xlsform=str(path), validate=False)
    with pytest.raises(DefinitionError) as caught:
        surveys.load_definition(path)
    (problem,) = caught.value.problems
    assert problem.where == "sheet 'choices', row 4"
    assert problem.message == "duplicate 'y'"
