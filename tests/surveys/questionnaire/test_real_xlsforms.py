"""Real XLSForm workbooks written elsewhere: which load, which are refused and why."""

from __future__ import annotations

from pathlib import Path

import pytest

import surveys
from surveys.questionnaire import DefinitionError

#: Forms within our subset, with sample answers and what validation returns.
LOADS = {
    "multi_lingual_form.xlsx": (
        ("en", "Swahili", "French"),
        {
            "resp_name": "Amina",
            "age": "31",
            "sex_resp": "2",
            "Fruits": ["pear", "apple"],
        },
        {
            "resp_name": "Amina",
            "age": 31,
            "sex_resp": "2",
            "Fruits": ["apple", "pear"],
            "cities": None,
        },
    ),
    "testB.xlsx": (
        ("de", "en"),
        {
            "project_id": ["project-beta"],
            "project_role_project-beta": ["role-visualization"],
            "powerbi": "expert",
            "excel": "user",
            "data_visualization": "advanced",
            "motivation_skills": "Dashboards",
            "motivation_why": "Open data",
            "past_applications": "first_application",
            "first_name": "Lan",
            "last_name": "Nguyễn",
            "email_address": "lan.nguyen@example.org",
            "gender": "female",
            "consent_privacy_policy": "yes",
            "sql": "expert",
        },
        {"powerbi": "expert", "missing_coord": "", "sql": "absent"},
    ),
    # Cascading selects: division, district, upazila, union (choice_filter on
    # the choices sheet's own columns, spelled as the workbook spells them).
    "Full Bangladesh Division To Union.xlsx": (
        ("en",),
        {
            "div_": "division_barishal",
            "dis_": "District_Barguna",
            "upa_": "upazila_Amtali",
            "uni_": "union_Amtali",
        },
        {"div_": "division_barishal", "uni_": "union_Amtali"},
    ),
}

#: Forms outside our subset: (row, column) pairs that must be refused, with a
#: word of the reason (None: a leniency, must not be refused), and the exact
#: number of problems reported.
REFUSED = {
    # Its geopoint (row 7) loads; its imei and phonenumber rows are dropped.
    "tutorial.xlsx": (
        1,
        {(5, "type", "media uploads"), (7, "type", None)},
    ),
    # Its question without a label (row 10) loads, labelled by its name, and
    # so do its repeat (row 15) and its time, datetime and geopoint (rows 32
    # to 34), and its choices labelled only by a picture are labelled by name.
    "xlsform_spec_test.xlsx": (
        13,
        {
            (9, "media::video", "media in labels"),
            (10, "label", None),
            (15, "type", None),
            (15, "repeat_count", None),
            (30, "type", "acknowledge"),
            (32, "type", None),
            (33, "type", None),
            (34, "type", None),
            (35, "type", "barcode"),
            (36, "type", "media uploads"),
            (37, "type", "media uploads"),
            (38, "type", "media uploads"),
        },
    ),
    # Its "or_other" selects (row 67) and unnamed notes (row 61) load as pyxform
    # reads them.
    "select_one_choices_test.xlsx": (
        52,
        {
            (8, "choice_filter", None),
            (13, "choice_filter", None),
            (14, "choice_filter", None),
            (4, "read_only", "read-only"),
            (67, "type", None),
            (61, "name", None),
            (373, "type", None),
        },
    ),
    "subdistrict_profiling_tool.xlsx": (
        5,
        {
            (6, "type", "external choices"),
            (7, "type", "external choices"),
            (8, "type", "external choices"),
            (10, "choice_filter", "a text has no choices"),
        },
    ),
    # Its typographic quotes in relevance (=‘dead’) are straightened as pyxform
    # does, so only the features themselves are refused; its geopoint (row 22)
    # and repeat (row 32) load, the repeat nested in it (row 43) does not.
    "UCL_Biomass_Plot_Form.xlsx": (
        22,
        {
            (16, "type", "'UCL_regions.csv' was not uploaded with the form"),
            (17, "choice_filter", None),
            (22, "type", None),
            (23, "type", "media uploads"),
            (32, "type", None),
            (43, "type", "nested repeats"),
            (43, "repeat_count", None),
            (49, "required", "only yes or no"),
            (48, "relevant", None),
        },
    ),
    # Its empty group (row 18), first repeat (row 4) and geopoint (row 19)
    # load; the repeats in it and the names it reuses across groups do not.
    "childrens_survey_sw.xlsx": (
        6,
        {
            (4, "type", None),
            (9, "type", "nested repeats"),
            (12, "type", "nested repeats"),
            (19, "type", None),
            (5, "name", "'name' is used twice (first at sheet 'survey', row 2)"),
            (18, "questions", None),
        },
    ),
}


def test_every_workbook_has_an_expected_outcome(xlsform_dir: Path) -> None:
    found = {path.name for path in xlsform_dir.glob("*.xlsx")}
    assert found == set(LOADS) | set(REFUSED)


@pytest.mark.parametrize("name", sorted(LOADS))
def test_forms_within_the_subset_load_and_validate(
    xlsform_dir: Path, name: str
) -> None:
    languages, answers, expected = LOADS[name]
    questionnaire = surveys.load_definition(xlsform_dir / name)
    assert questionnaire.languages == languages
    result = surveys.validate_answers(questionnaire, answers)
    assert {key: result.get(key, "absent") for key in expected} == expected


def test_testb_constraint_and_skip_logic(xlsform_dir: Path) -> None:
    questionnaire = surveys.load_definition(xlsform_dir / "testB.xlsx")
    shown = surveys.relevance(questionnaire, {"project_id": ["project-alpha"]})
    assert "project_role_project-alpha" in shown
    assert "project_role_project-beta" not in shown
    with pytest.raises(surveys.InvalidAnswers) as caught:
        surveys.validate_answers(questionnaire, {"email_address": "not-an-address"})
    message = caught.value.errors["email_address"]
    assert message.wording.get("en") == "Please specify a valid email address."


def test_timing_rows_are_kept_and_never_asked(xlsform_dir: Path) -> None:
    questionnaire = surveys.load_definition(xlsform_dir / "testB.xlsx")
    kinds = {q.name: q.type for q in questionnaire.questions if q.type.is_metadata}
    assert kinds == {"start": "start", "end": "end"}
    assert not any(q.type.takes_answer for q in questionnaire.questions[:2])


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_forms_outside_the_subset_are_refused_by_row(
    xlsform_dir: Path, name: str
) -> None:
    count, expected = REFUSED[name]
    with pytest.raises(DefinitionError) as caught:
        surveys.load_definition(xlsform_dir / name)
    error = caught.value
    assert len(error.problems) == count
    reported = {(p.where, p.field, p.message) for p in error.problems}
    for row, column, reason in expected:
        matches = [
            text
            for where, field, text in reported
            if where == f"sheet 'survey', row {row}" and field == column
        ]
        if reason is None:  # a leniency: this cell is no longer refused
            assert not matches, (row, column)
        else:
            assert any(reason in text for text in matches), (row, column, reason)
    first_line = str(error).splitlines()[1]
    assert first_line.startswith(f"{xlsform_dir / name}: sheet '")
