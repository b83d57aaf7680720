"""XLSForm spellings pyxform accepts load here too; what we do not run is named by row.

Each leniency copies pyxform 4.5's (aliases.py, question_type_dictionary.py,
parsing/sheet_headers.py): the older type names, typographic quotes in
expressions, a question without a label, an empty group.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

import surveys
from surveys.questionnaire import DefinitionError, Questionnaire

HEADER = ["type", "name", "label", "relevant", "constraint", "calculation"]
CHOICES = [
    ["list_name", "name", "label"],
    ["yes_no", "yes", "Yes"],
    ["yes_no", "no", "No"],
]


def _form(tmp_path: Path, rows: list[list[object]]) -> Path:
    """Write a one-language workbook with the given survey rows under HEADER."""
    path = tmp_path / "form.xlsx"
    workbook = openpyxl.Workbook()
    survey = workbook.active
    assert survey is not None
    survey.title = "survey"
    for row in [HEADER, *rows]:
        survey.append(row)
    choices = workbook.create_sheet("choices")
    for row in CHOICES:
        choices.append(row)
    workbook.save(path)
    return path


def _load(tmp_path: Path, rows: list[list[object]]) -> Questionnaire:
    return surveys.load_definition(_form(tmp_path, rows))


def _refusals(tmp_path: Path, rows: list[list[object]]) -> dict[str, str]:
    """Return each refused row's place and field, with the messages given."""
    with pytest.raises(DefinitionError) as caught:
        _load(tmp_path, rows)
    refusals: dict[str, str] = {}
    for problem in caught.value.problems:
        place = f"{problem.where} {problem.field}"
        refusals[place] = f"{refusals.get(place, '')}{problem.message}\n"
    return refusals


def test_older_type_names_load_as_pyxform_reads_them(tmp_path: Path) -> None:
    questionnaire = _load(
        tmp_path,
        [
            ["get start time", "started"],
            ["string", "a", "A"],
            ["add text prompt", "b", "B"],
            ["int", "c", "C"],
            ["add decimal prompt", "d", "D"],
            ["phone number", "e", "E"],
            ["percentage", "f", "F"],
            ["select one from yes_no", "g", "G"],
            ["select all that apply from yes_no", "h", "H"],
            ["add select one prompt using yes_no", "i", "I"],
            ["select multiple from file officials.csv", "j", "J"],
        ],
    )
    types = {q.name: (q.type, q.choices) for q in questionnaire.questions}
    assert types == {
        "started": ("start", None),
        "a": ("text", None),
        "b": ("text", None),
        "c": ("integer", None),
        "d": ("decimal", None),
        "e": ("text", None),
        "f": ("integer", None),
        "g": ("select_one", "yes_no"),
        "h": ("select_multiple", "yes_no"),
        "i": ("select_one", "yes_no"),
        "j": ("select_multiple", None),
    }
    assert surveys.validate_answers(questionnaire, {"c": "7", "e": "0912", "f": "100"})
    # pyxform's phone number only takes digits, its percentage 0 to 100.
    with pytest.raises(surveys.InvalidAnswers) as caught:
        surveys.validate_answers(questionnaire, {"e": "09-12", "f": "101"})
    assert set(caught.value.errors) == {"e", "f"}


def test_older_column_names_load_as_pyxform_reads_them(tmp_path: Path) -> None:
    path = tmp_path / "columns.xlsx"
    workbook = openpyxl.Workbook()
    survey = workbook.active
    assert survey is not None
    survey.title = "survey"
    survey.append(["type", "name", "caption", "relevance", "calculate"])
    survey.append(["integer", "n", "N"])
    survey.append(["calculate", "twice", None, "${n} > 0", "${n} * 2"])
    settings = workbook.create_sheet("settings")
    settings.append(["set_form_id", "set_form_title"])
    settings.append(["old_names", "Old names"])
    workbook.save(path)
    questionnaire = surveys.load_definition(path)
    assert questionnaire.key == "old_names"
    assert dict(questionnaire.question("n").label) == {"default": "N"}
    twice = questionnaire.question("twice")
    assert (twice.relevant.source, twice.calculation.source) == ("${n} > 0", "${n} * 2")


def test_or_other_adds_the_other_choice_and_its_text_as_pyxform_does(
    tmp_path: Path,
) -> None:
    questionnaire = _load(
        tmp_path,
        [
            ["select_one yes_no or_other", "q", "Q"],
            ["select all that apply from yes_no or specify other", "m", "M"],
        ],
    )
    assert [q.name for q in questionnaire.questions] == ["q", "q_other", "m", "m_other"]
    options = questionnaire.choice_lists["yes_no"]
    assert [(c.name, dict(c.label)) for c in options][-1] == (
        "other",
        {"default": "Other"},
    )
    other = questionnaire.question("q_other")
    assert (other.type, other.relevant.source) == ("text", "selected(${q}, 'other')")
    shown = surveys.relevance(questionnaire, {"q": "other", "m": ["yes"]})
    assert "q_other" in shown
    assert "m_other" not in shown
    result = surveys.validate_answers(questionnaire, {"q": "other", "q_other": "Maybe"})
    assert result["q_other"] == "Maybe"


def test_or_other_on_choices_from_a_file_is_refused_by_name(tmp_path: Path) -> None:
    refusals = _refusals(
        tmp_path, [["select_one_from_file officials.csv or other", "q", "Q"]]
    )
    assert "'or other'" in refusals["sheet 'survey', row 2 type"]


def test_typographic_quotes_in_expressions_are_straightened(tmp_path: Path) -> None:
    questionnaire = _load(
        tmp_path,
        [
            ["select_one yes_no", "q1", "Q1"],
            ["text", "q2", "Q2", "${q1} = \u2018yes\u2019"],
            ["calculate", "q3", None, None, None, "concat(\u201cA\u201d, ${q2})"],
        ],
    )
    assert questionnaire.question("q2").relevant.source == "${q1} = 'yes'"
    assert "q2" in surveys.relevance(questionnaire, {"q1": "yes"})
    assert "q2" not in surveys.relevance(questionnaire, {"q1": "no"})


def test_a_question_without_a_label_is_labelled_by_its_name(tmp_path: Path) -> None:
    questionnaire = _load(tmp_path, [["integer", "age"]])
    assert dict(questionnaire.question("age").label) == {"default": "age"}


def test_a_choice_without_a_label_is_labelled_by_its_name(tmp_path: Path) -> None:
    path = _form(tmp_path, [["select_one yes_no", "q", "Q"]])
    workbook = openpyxl.load_workbook(path)
    workbook["choices"]["C2"] = None  # pyxform only warns
    workbook.save(path)
    questionnaire = surveys.load_definition(path)
    labels = [dict(c.label) for c in questionnaire.choice_lists["yes_no"]]
    assert labels == [{"default": "yes"}, {"default": "No"}]


def test_a_note_without_a_name_is_named_by_its_row(tmp_path: Path) -> None:
    questionnaire = _load(tmp_path, [["text", "q", "Q"], ["note", None, "Thanks"]])
    assert [q.name for q in questionnaire.questions] == ["q", "generated_note_name_3"]


def test_an_empty_group_loads_and_is_ignored(tmp_path: Path) -> None:
    questionnaire = _load(
        tmp_path,
        [
            ["begin group", "empty", "Empty"],
            ["end group"],
            ["begin group", "outer", "Outer"],
            ["begin_group", "inner", "Inner"],
            ["end_group"],
            ["text", "q", "Q"],
            ["end group"],
        ],
    )
    assert [section.name for section in questionnaire.sections] == ["outer"]
    assert [q.name for q in questionnaire.questions] == ["q"]


def test_the_same_name_in_two_groups_is_refused_naming_both_rows(
    tmp_path: Path,
) -> None:
    refusals = _refusals(
        tmp_path,
        [
            ["begin group", "mother", "Mother"],
            ["text", "name", "Name"],
            ["end group"],
            ["begin group", "father", "Father"],
            ["text", "name", "Name"],
            ["end group"],
        ],
    )
    message = refusals["sheet 'survey', row 6 name"]
    assert "first at sheet 'survey', row 3" in message


def test_features_we_do_not_run_are_named_with_their_row(tmp_path: Path) -> None:
    refusals = _refusals(
        tmp_path,
        [
            ["begin loop over yes_no", "l", "L"],
            ["integer", "n", "N"],
            ["end loop"],
            ["rank yes_no", "r", "R"],
            ["text", "p", "P", "/data/r != ''"],
            ["text", "s", "S", "../g/r != ''"],
            [
                "calculate",
                "c",
                None,
                None,
                None,
                "instance('yes_no')/root/item[name = 'yes']/label/text()",
            ],
            ["integer", "x", "X", None, ". div 2 > 1 and . != '/'"],
        ],
    )
    assert "loops (begin loop" in refusals["sheet 'survey', row 2 type"]
    assert "rank questions" in refusals["sheet 'survey', row 5 type"]
    assert "XPath paths" in refusals["sheet 'survey', row 6 relevant"]
    assert "XPath paths" in refusals["sheet 'survey', row 7 relevant"]
    assert "only lookups of one column" in refusals["sheet 'survey', row 8 calculation"]
    assert len(refusals) == 5
    # "div" divides and a "/" inside a string is text: neither is a path.
    assert not any("row 9" in place for place in refusals)
