"""Broken, hostile or oversized workbooks: each refused with one clear problem.

What pyxform reads the same way is said in each test; where it would read a
cell silently wrong (a formula with no saved value), we refuse instead.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl import Workbook

import surveys
from surveys.questionnaire import DefinitionError, Problem
from surveys.questionnaire.xlsform_limits import Limits
from surveys.questionnaire.xlsform_reader import load_xlsform
from surveys.questionnaire.xlsform_writer import write_xlsform
from tests.surveys.questionnaire.bad_workbooks import (
    GOOD_ROWS,
    add_chart,
    chart_survey,
    encrypted_workbook,
    with_bomb,
    with_cached_formula,
    with_member,
    workbook,
)


def write(tmp_path: Path, content: bytes, name: str = "form.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def refused(path: Path, limits: Limits | None = None) -> list[Problem]:
    with pytest.raises(DefinitionError) as caught:
        if limits is None:
            surveys.load_definition(path)
        else:
            load_xlsform(path, limits=limits)
    return caught.value.problems


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, problems
    return problems[0]


def test_a_good_workbook_loads(tmp_path: Path) -> None:
    loaded = surveys.load_definition(write(tmp_path, workbook()))
    assert [q.name for q in loaded.questions] == ["age", "comment"]


# Broken containers ------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"type,name,label\ninteger,age,Age\n", "not a readable .xlsx file"),
        (b"PK\x03\x04" + bytes(100), "not a readable .xlsx file"),
        (workbook()[:3000], "not a readable .xlsx file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "not a readable .xls file"),
    ],
    ids=["csv-named-xlsx", "zip-header-only", "truncated", "damaged-ole"],
)
def test_a_file_that_is_no_workbook_is_unreadable(
    tmp_path: Path, content: bytes, words: str
) -> None:
    problem = only(refused(write(tmp_path, content)))
    assert (problem.where, problem.field) == ("workbook", "(file)")
    assert words in problem.message


def test_an_empty_file_says_so(tmp_path: Path) -> None:
    for name in ("form.xlsx", "form.yaml"):
        assert only(refused(write(tmp_path, b"", name))).message == "the file is empty"


def test_a_wrong_extension_names_the_ones_we_read(tmp_path: Path) -> None:
    problem = only(refused(write(tmp_path, workbook(), "form.csv")))
    assert problem.field == "extension" and ".xlsx" in problem.message


def test_a_workbook_under_a_yaml_name_is_refused(tmp_path: Path) -> None:
    problems = refused(write(tmp_path, workbook(), "form.yaml"))
    assert problems  # not YAML text: refused by the YAML reader, nothing stored


def test_a_password_protected_workbook_says_how_to_open_it(tmp_path: Path) -> None:
    problem = only(refused(write(tmp_path, encrypted_workbook())))
    assert "password-protected" in problem.message
    assert "save again" in problem.message


def test_a_zip_bomb_is_refused_by_its_declared_size(tmp_path: Path) -> None:
    # Two megabytes of zeros deflate to about two kilobytes; the limit is one
    # megabyte here (50 by default), and nothing is inflated to learn it.
    bomb = with_bomb(workbook(), 2 * 1024 * 1024)
    path = write(tmp_path, bomb)
    assert path.stat().st_size < 50_000
    problem = only(refused(path, Limits(inflated_bytes=1024 * 1024)))
    assert "zip bomb" in problem.message and "1,048,576" in problem.message
    surveys.load_definition(path)  # under the default limit, the same file loads


def test_a_file_over_the_size_limit_is_not_read(tmp_path: Path) -> None:
    path = write(tmp_path, workbook())
    problem = only(refused(path, Limits(file_bytes=1000)))
    assert "over the limit of 1,000" in problem.message


def test_damaged_sheet_xml_in_a_sound_archive_is_unreadable(tmp_path: Path) -> None:
    broken = with_member(
        workbook(), "xl/worksheets/sheet1.xml", lambda xml: xml[: len(xml) // 2]
    )
    problem = only(refused(write(tmp_path, broken)))
    assert problem.where == "sheet 'survey'"
    assert "sheet 'survey' is damaged" in problem.message


# Sheets -------------------------------------------------------------------------


def test_a_workbook_without_a_survey_sheet_says_so(tmp_path: Path) -> None:
    def rename(book: Workbook) -> None:
        book["survey"].title = "questions"

    problem = only(refused(write(tmp_path, workbook(edit=rename))))
    assert problem.message == "no sheet named 'survey'"


def test_a_chart_where_the_survey_should_be_is_named(tmp_path: Path) -> None:
    problem = only(refused(write(tmp_path, workbook(edit=chart_survey))))
    assert problem.message == "sheet 'survey' is a chart, not a table of rows"


def test_other_chart_sheets_and_hidden_sheets_are_read_as_pyxform_reads_them(
    tmp_path: Path,
) -> None:
    def decorate(book: Workbook) -> None:
        book["survey"].sheet_state = "hidden"
        book["survey"].row_dimensions[2].hidden = True
        book.create_sheet("notes").append(["anything"])
        add_chart(book, "chart")
        book.active = 1

    loaded = surveys.load_definition(write(tmp_path, workbook(edit=decorate)))
    assert [q.name for q in loaded.questions] == ["age", "comment"]


def test_merged_cells_keep_their_first_cell_only(tmp_path: Path) -> None:
    # Merged type cells over rows 2-3: row 3 keeps its name, loses its type,
    # as pyxform reads it; the problem names the row.
    def merge(book: Workbook) -> None:
        book["survey"].merge_cells("A2:A3")

    problem = only(refused(write(tmp_path, workbook(edit=merge))))
    assert (problem.where, problem.field) == ("sheet 'survey', row 3", "type")
    assert problem.message == "a row with content needs a type"


# Cells ------------------------------------------------------------------------


def test_cells_of_other_types_are_read_as_text_and_checked(tmp_path: Path) -> None:
    rows = [
        ("integer", datetime(2024, 5, 17), "Tuổi"),
        ("select_one yn", "agree", 42),
        ("text", "note_1", True),
    ]
    choices = [("yn", 1, "Có"), ("yn", 2.0, "Không"), ("yn", 2.5, "?")]
    problem = only(refused(write(tmp_path, workbook(rows, choices=choices))))
    assert (problem.where, problem.field) == ("sheet 'survey', row 2", "name")
    assert "'2024-05-17T00:00:00' is not a valid name" in problem.message
    fixed = workbook([("integer", "age", "Tuổi"), *rows[1:]], choices=choices)
    loaded = surveys.load_definition(write(tmp_path, fixed))
    assert [c.name for c in loaded.choice_lists["yn"]] == ["1", "2", "2.5"]
    assert loaded.question("agree").label["default"] == "42"


def test_a_formula_with_no_saved_value_is_refused_naming_the_cell(
    tmp_path: Path,
) -> None:
    # openpyxl, like any program, writes formulas without computing them;
    # pyxform would read the cell as empty and lose the label silently.
    rows = [("integer", "age", '=CONCAT("Tuổi", "?")'), GOOD_ROWS[1]]
    problem = only(refused(write(tmp_path, workbook(rows))))
    assert (problem.where, problem.field) == ("sheet 'survey', row 2", "label")
    assert "cell C2 holds the formula" in problem.message
    assert "save it" in problem.message


def test_a_formula_with_a_saved_value_is_read_by_that_value(tmp_path: Path) -> None:
    rows = [("integer", "age", '=CONCAT("Tuổi", "?")'), GOOD_ROWS[1]]
    saved = with_cached_formula(workbook(rows), "Tuổi?")
    loaded = surveys.load_definition(write(tmp_path, saved))
    assert loaded.question("age").label["default"] == "Tuổi?"


def test_a_cell_longer_than_the_limit_is_refused(tmp_path: Path) -> None:
    rows = [("integer", "age", "x" * 51), GOOD_ROWS[1]]
    path = write(tmp_path, workbook(rows))
    problem = only(refused(path, Limits(cell_characters=50)))
    assert problem.where == "sheet 'survey', row 2"
    assert "cell C2 has 51 characters, over the limit of 50" in problem.message


# Sizes ------------------------------------------------------------------------


def test_a_survey_over_the_row_limit_stops_at_the_limit(tmp_path: Path) -> None:
    # Rows past the limit are bad too: had they been read, they would be listed.
    rows = [("integer", f"q{n}", "Q") for n in range(20)] + [("nope", "", "")] * 5
    problem = only(refused(write(tmp_path, workbook(rows)), Limits(survey_rows=20)))
    assert problem.where == "sheet 'survey'"
    assert "more than 20 rows with content, the limit" in problem.message


def test_empty_rows_do_not_count_towards_the_limit(tmp_path: Path) -> None:
    rows = [*GOOD_ROWS, *[(None, None, None)] * 50, ("text", "last", "L")]
    loaded = load_xlsform(write(tmp_path, workbook(rows)), limits=Limits(survey_rows=3))
    assert [q.name for q in loaded.questions] == ["age", "comment", "last"]


def test_choices_over_the_limits_are_refused(tmp_path: Path) -> None:
    rows = [("select_one big", "pick", "P")]
    choices = [("big", f"c{n}", "C") for n in range(12)]
    path = write(tmp_path, workbook(rows, choices=choices))
    problem = only(refused(path, Limits(list_options=10)))
    assert (problem.where, problem.field) == ("sheet 'choices', row 12", "list_name")
    assert "list 'big' has more than 10 options, the limit" in problem.message
    problem = only(refused(path, Limits(choice_rows=10)))
    assert "sheet 'choices' has more than 10 rows" in problem.message
    assert len(surveys.load_definition(path).choice_lists["big"]) == 12


# Formula injection ------------------------------------------------------------

#: Texts a spreadsheet would run as formulas if written as such (OWASP's list).
INJECTIONS = ('=HYPERLINK("http://evil.example","x")', "+1+cmd", "-2+3", "@SUM(A1)")


def formulas_as_text(book: Workbook) -> None:
    """Store every cell starting with = as the text it is, as a careful author would."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"


def test_texts_that_look_like_formulas_go_back_out_as_text(tmp_path: Path) -> None:
    # An imported form's labels, hints, choice names and messages come back in
    # the XLSForm export as text cells, never as formulas, and read back equal.
    rows = [
        ("select_one odd", "pick", INJECTIONS[0], INJECTIONS[1], INJECTIONS[2]),
        ("text", "free", INJECTIONS[3], None, None),
    ]
    choices = [("odd", name, name) for name in INJECTIONS]
    header = ("type", "name", "label", "hint", "constraint_message")
    content = workbook(rows, header=header, choices=choices, edit=formulas_as_text)
    loaded = surveys.load_definition(write(tmp_path, content))
    assert [c.name for c in loaded.choice_lists["odd"]] == list(INJECTIONS)
    exported = tmp_path / "export.xlsx"
    write_xlsform(loaded, exported)
    book = openpyxl.load_workbook(exported)
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    texts = {c.value for c in cells if c.data_type == "s"}
    assert set(INJECTIONS) <= texts
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert surveys.load_definition(exported) == loaded
