"""Definition errors: every problem reported at once, by file, place and field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

import surveys
from surveys.questionnaire import DefinitionError, Questionnaire
from surveys.questionnaire.schema import build_questionnaire

BROKEN_YAML = """\
key: broken
languages: [vi, en]
title: {vi: Hỏng, en: Broken}
colour: red
questions:
  - name: q1
    type: rating
    label: {vi: Câu 1, en: Question 1}
    relevant: "${nowhere} = 1"
  - name: q1
    type: select_one
    choices: missing_list
    label: {vi: Câu 2, en: Question 2}
  - name: 2bad
    type: geotrace
  - name: q3
    type: integer
    constraint: "sqrt(.) > 1"
  - name: s1
    type: section
    questions:
      - name: q4
        type: text
        label: {vi: Câu 4, fr: Question 4}
        max_length: -1
choices:
  unused:
    - name: 1
      label: {vi: Một, en: One}
scoring:
  aggregation: mean
  item_scale: [1, 5]
  dimension_scale: [0, 10]
  dimensions:
    - name: d1
      label: {vi: D1, en: D1}
      items: [q4]
      reverse: [q1]
  index: {name: i, label: {vi: I, en: I}, method: sum, scale: [0, 100]}
"""


def test_every_yaml_problem_is_reported_with_its_path(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN_YAML, encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        surveys.load_definition(path)
    found = {(p.where, p.field) for p in caught.value.problems}
    assert found == {
        ("top level", "colour"),
        ("top level", "choices.unused"),
        ("choices.unused[0]", "name"),
        ("questions[0] (q1)", "relevant"),
        ("questions[1]", "name"),
        ("questions[1] (q1)", "choices"),
        ("questions[2] (2bad)", "name"),
        ("questions[2] (2bad)", "type"),
        ("questions[3] (q3)", "constraint"),
        ("questions[3] (q3)", "label"),
        ("questions[4].questions[0] (q4)", "label"),
        ("questions[4].questions[0] (q4)", "max_length"),
        ("scoring.dimensions[0]", "items"),
        ("scoring.dimensions[0]", "reverse"),
        ("scoring.index", "scale"),
    }
    message = str(caught.value)
    assert message.startswith(f"{path}: 15 problems")
    assert f"{path}: questions[0] (q1), field 'relevant': ${{nowhere}}" in message
    assert "unknown function sqrt()" in message


def test_yaml_syntax_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "syntax.yml"
    path.write_text("key: x\nquestions: [\n", encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        surveys.load_definition(path)
    assert caught.value.problems[0].where.startswith("line 3")


def test_unknown_extension_and_missing_file_are_definition_errors(
    tmp_path: Path,
) -> None:
    with pytest.raises(DefinitionError, match="extension"):
        surveys.load_definition(tmp_path / "form.ods")
    with pytest.raises(DefinitionError, match="no such file"):
        surveys.load_definition(tmp_path / "absent.yaml")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(DefinitionError, match=r"not a readable \.xlsx"):
        surveys.load_definition(bad)


def _workbook(
    path: Path, survey: list[list[object]], choices: list[list[object]]
) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "survey"
    for row in survey:
        sheet.append(row)
    choices_sheet = workbook.create_sheet("choices")
    for row in choices:
        choices_sheet.append(row)
    settings = workbook.create_sheet("settings")
    settings.append(["form_id", "form_title", "version", "default_language"])
    settings.append(["vi_form", "Khảo sát", 3, "Tiếng Việt (vi)"])
    workbook.save(path)


def test_xlsform_problems_name_sheet_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "form.xlsx"
    header = ["type", "name", "label::Tiếng Việt (vi)", "label::English (en)",
              "required", "relevant", "calculation", "hailong_type"]  # fmt: skip
    _workbook(
        path,
        [
            header,
            ["begin_group", "g1", "Nhóm", "Group"],
            ["select_one yes_no", "q1", "Câu 1", "Q1", "maybe"],
            ["select_multiple colours", "q2", "Câu 2", "Q2", None, "${q9} = 1"],
            ["range", "q3", "Câu 3", "Q3"],
            ["end repeat"],
            ["integer", "q4", "Câu 4", "Q4", None, None, "1 + 1"],
            ["select one yes_no", "q5", "Câu 5", "Q5", None, None, None, "stars"],
            ["begin group", "g2", "Nhóm 2", "Group 2", None, None, "2"],
        ],
        [
            ["list name", "name", "label::Tiếng Việt (vi)", "label::English (en)"],
            ["yes_no", "yes", "Có", "Yes"],
            ["colours", "light blue", "Xanh nhạt", "Light blue"],
        ],
    )
    with pytest.raises(DefinitionError) as caught:
        surveys.load_definition(path)
    found = {(p.where, p.field) for p in caught.value.problems}
    assert found == {
        ("sheet 'survey', row 3", "required"),
        ("sheet 'survey', row 4", "relevant"),
        ("sheet 'survey', row 4", "choices"),
        ("sheet 'survey', row 5", "type"),
        ("sheet 'survey', row 6", "type"),
        ("sheet 'survey', row 7", "calculation"),
        ("sheet 'survey', row 2", "type"),
        ("sheet 'survey', row 8", "hailong_type"),
        ("sheet 'survey', row 9", "calculation"),
        ("sheet 'survey', row 9", "type"),
        ("sheet 'survey', row 9", "questions"),
    }


def test_xlsform_settings_and_languages(tmp_path: Path) -> None:
    path = tmp_path / "ok.xlsx"
    _workbook(
        path,
        [
            [
                "type",
                "name",
                "label::English (en)",
                "label::Tiếng Việt (vi)",
                "hint::English (en)",
                "required",
            ],
            ["start", "start"],
            ["select_one yes_no", "q1", "Q1", "Câu 1", "A hint", "yes"],
            ["note", "n1", "Thanks", "Cảm ơn"],
        ],
        [
            ["list_name", "name", "label::English (en)", "label::Tiếng Việt (vi)"],
            ["yes_no", "yes", "Yes", "Có"],
            ["yes_no", "no", "No", "Không"],
            ["unused", "x", "X", "X"],
        ],
    )
    questionnaire = surveys.load_definition(path)
    assert (questionnaire.key, questionnaire.version) == ("vi_form", "3")
    assert questionnaire.languages == ("vi", "en")
    assert questionnaire.title == {"vi": "Khảo sát"}
    assert list(questionnaire.choice_lists) == ["yes_no"]
    # The interview's start is kept (recorded, never asked).
    assert [q.name for q in questionnaire.questions] == ["start", "q1", "n1"]
    assert questionnaire.question("q1").hint == {"en": "A hint"}
    assert questionnaire.question("q1").required


def test_checksum_is_stable_and_tracks_content(
    load_template: Callable[[str], Questionnaire],
) -> None:
    first = load_template("counter")
    data = first.to_dict()
    again = build_questionnaire(data)
    assert again.checksum == first.checksum
    assert len(first.checksum) == 64
    data["questions"][0]["label"]["vi"] = "Khác"
    assert build_questionnaire(data).checksum != first.checksum


def test_a_definition_that_is_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text("[1, 2]")
    with pytest.raises(DefinitionError, match="must be a mapping"):
        surveys.load_definition(path)


def test_scored_items_must_fit_the_item_scale() -> None:
    yes_no = [
        {"name": "yes", "label": {"vi": "Có"}},
        {"name": "no", "label": {"vi": "Không"}},
    ]
    data = {
        "key": "scored",
        "languages": ["vi"],
        "title": {"vi": "Chấm điểm"},
        "choices": {"yes_no": yes_no},
        "questions": [
            {"name": "r1", "type": "rating", "label": {"vi": "R1"}},
            {
                "name": "s1",
                "type": "select_one",
                "choices": "yes_no",
                "label": {"vi": "S"},
            },
            {"name": "t1", "type": "text", "label": {"vi": "T"}},
        ],
        "scoring": {
            "aggregation": "mean",
            "item_scale": [0, 1],
            "dimension_scale": [0, 10],
            "dimensions": [
                {"name": "d", "label": {"vi": "D"}, "items": ["r1", "s1", "t1", "zz"]}
            ],
            "index": {
                "name": "i",
                "label": {"vi": "I"},
                "method": "weighted",
                "scale": [0, 100],
            },
        },
    }
    with pytest.raises(DefinitionError) as caught:
        build_questionnaire(data)
    assert [p.message for p in caught.value.problems] == [
        "'r1' has values outside the item scale (0.0, 1.0)",
        "'s1' has choices that are not numbers",
        "'t1' is no rating or number question",
        "'zz' is no rating or number question",
    ]
