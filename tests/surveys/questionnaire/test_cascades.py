"""Cascading selects, selects from CSV files beside the form, lookups and pulldata.

What ODK does is read from pyxform 4.5 (xls2json.py, parsing/parameters.py) and
the XForms it writes, and from the ODK XForms specification ("Secondary
instances", "pulldata"): a choice list and a CSV file are both a secondary
instance ``instance('name')/root/item``, the CSV named without ``.csv``; a
``choice_filter`` is the predicate of the select's itemset, with the item's
columns as bare names.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest
from pyxform.xls2xform import convert

import surveys
from surveys.questionnaire import (
    DefinitionError,
    InvalidAnswers,
    Questionnaire,
    build_questionnaire,
)
from surveys.questionnaire.csv_files import MAX_FILE_BYTES
from surveys.questionnaire.expressions import ExpressionError, parse
from surveys.questionnaire.messages import NOT_A_CHOICE, NOT_FITTING
from surveys.questionnaire.xlsform_writer import write_data_files, write_xlsform

SURVEY = ["type", "name", "label", "choice_filter", "calculation", "parameters"]
CHOICES = [
    ["list_name", "name", "label", "District_Code"],
    ["districts", "q1", "Quận 1", None],
    ["districts", "q3", "Quận 3", None],
    ["wards", "bn", "Bến Nghé", "q1"],
    ["wards", "bt", "Bến Thành", "q1"],
    ["wards", "vts", "Võ Thị Sáu", "q3"],
]
COUNTERS = (
    "name,label,ward\n"
    "bn-tp,Quầy Tư pháp,bn\n"
    "bn-dc,Quầy Địa chính,bn\n"
    "bt-tp,Quầy Tư pháp,bt\n"
    "vts-tp,Quầy Tư pháp,vts\n"
).encode()
CASCADE = [
    ["select_one districts", "district", "Quận"],
    ["select_one wards", "ward", "Phường", "District_Code = ${district}"],
    ["select_one_from_file counters.csv", "counter", "Quầy", "ward = ${ward}"],
]


def _form(tmp_path: Path, rows: list[list[object]], choices=CHOICES) -> Path:
    path = tmp_path / "form.xlsx"
    workbook = openpyxl.Workbook()
    survey = workbook.active
    assert survey is not None
    survey.title = "survey"
    for row in [SURVEY, *rows]:
        survey.append(row)
    sheet = workbook.create_sheet("choices")
    for row in choices:
        sheet.append(row)
    workbook.save(path)
    return path


def _load(
    tmp_path: Path, rows: list[list[object]], files: dict[str, bytes] | None = None
) -> Questionnaire:
    return surveys.load_definition(_form(tmp_path, rows), files)


def _problems(
    tmp_path: Path, rows: list[list[object]], files: dict[str, bytes] | None = None
) -> dict[str, str]:
    with pytest.raises(DefinitionError) as caught:
        _load(tmp_path, rows, files)
    return {f"{p.where} {p.field}": p.message for p in caught.value.problems}


@pytest.fixture
def cascade(tmp_path: Path) -> Questionnaire:
    return _load(tmp_path, CASCADE, {"counters.csv": COUNTERS})


# --- reading -------------------------------------------------------------------


def test_the_choices_sheets_own_columns_become_the_choices_data(
    cascade: Questionnaire,
) -> None:
    wards = cascade.choice_lists["wards"]
    # The column keeps the workbook's spelling: pyxform writes it so, and the
    # filter names it so.
    assert [dict(w.data) for w in wards] == [{"District_Code": "q1"}] * 2 + [
        {"District_Code": "q3"}
    ]
    assert cascade.choice_lists["districts"][0].data == {}
    ward = cascade.question("ward")
    assert ward.choice_filter is not None
    assert ward.choice_filter.source == "District_Code = ${district}"


def test_a_select_from_a_csv_file_offers_its_rows(cascade: Questionnaire) -> None:
    counter = cascade.question("counter")
    assert counter.choices_file == "counters.csv"
    options = cascade.choices_of(counter)
    assert [(c.name, c.label.get("vi")) for c in options][:2] == [
        ("bn-tp", "Quầy Tư pháp"),
        ("bn-dc", "Quầy Địa chính"),
    ]
    assert cascade.files["counters.csv"].columns == ("name", "label", "ward")
    assert cascade.files["counters.csv"].csv_bytes() == COUNTERS


def test_parameters_name_the_value_and_label_columns(tmp_path: Path) -> None:
    people = b"code,fullname\nNV01,Lan\nNV02,Minh\n"
    questionnaire = _load(
        tmp_path,
        [
            [
                "select_one_from_file people.csv",
                "person",
                "Ai",
                None,
                None,
                "value=code, label=fullname",
            ]
        ],
        {"people.csv": people},
    )
    person = questionnaire.question("person")
    assert (person.value_column, person.label_column) == ("code", "fullname")
    options = questionnaire.choices_of(person)
    assert [(c.name, c.label.get("vi")) for c in options] == [
        ("NV01", "Lan"),
        ("NV02", "Minh"),
    ]


def test_officials_csv_not_uploaded_is_still_the_counters_officials(
    tmp_path: Path,
) -> None:
    questionnaire = _load(tmp_path, [["select_one_from_file officials.csv", "o", "O"]])
    assert questionnaire.question("o").choices_from == "officials"


def test_files_come_beside_yaml_too(tmp_path: Path, cascade: Questionnaire) -> None:
    data = cascade.to_dict()
    del data["files"]
    path = tmp_path / "form.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    loaded = surveys.load_definition(path, {"counters.csv": COUNTERS})
    assert loaded.checksum == cascade.checksum
    with pytest.raises(DefinitionError, match=r"file .counters\.csv."):
        surveys.load_definition(path)


# --- refusals, each naming the row and the file or column ----------------------


def test_a_file_not_uploaded_is_refused_naming_row_and_file(tmp_path: Path) -> None:
    problems = _problems(tmp_path, CASCADE)
    assert "'counters.csv' was not uploaded" in problems["sheet 'survey', row 4 type"]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("counters.csv", "name,label\n".encode("utf-16"), "not UTF-8"),
        ("counters.csv", b"name,label,ward\nbn-tp,Q,bn\nbn-dc,Q\n", "row 3 has 2"),
        ("counters.csv", b"", "empty"),
        ("counters.csv", b"name,na me\n", "column names"),
        ("counters.csv", b"name,label,ward\n" + b"x" * MAX_FILE_BYTES, "larger"),
        ("counters.xml", b"<root/>", "XML files are not supported"),
        ("counters.txt", b"a", "only .csv"),
    ],
)
def test_a_bad_csv_is_refused_naming_the_file(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    problems = _problems(tmp_path, CASCADE, {name: content})
    assert reason in problems[f"file '{name}' (file)"]


def test_a_csv_without_its_name_column_is_refused(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path, CASCADE, {"counters.csv": b"code,label,ward\nx,X,bn\n"}
    )
    message = problems["sheet 'survey', row 4 value_column"]
    assert "'counters.csv' has no column 'name'" in message


def test_a_multiple_choice_from_a_file_needs_values_without_spaces(
    tmp_path: Path,
) -> None:
    rows = [["select_multiple_from_file counters.csv", "counters", "Quầy"]]
    spaced = b"name,label,ward\nbn tp,Q,bn\n"
    problems = _problems(tmp_path, rows, {"counters.csv": spaced})
    assert "'bn tp'" in problems["sheet 'survey', row 2 choices_file"]


def test_xml_and_geojson_selects_are_refused_by_feature(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path,
        [
            ["select_one_from_file places.xml", "a", "A"],
            ["select_one_from_file places.geojson", "b", "B"],
        ],
    )
    assert "XML files" in problems["sheet 'survey', row 2 type"]
    assert "GeoJSON files" in problems["sheet 'survey', row 3 type"]


def test_a_filter_on_a_column_no_option_has_is_refused(tmp_path: Path) -> None:
    rows = [CASCADE[0], ["select_one wards", "ward", "P", "distrct = ${district}"]]
    problems = _problems(tmp_path, rows)
    assert "no column 'distrct'" in problems["sheet 'survey', row 3 choice_filter"]


def test_a_filter_with_or_other_is_refused_as_pyxform_does(tmp_path: Path) -> None:
    rows = [
        CASCADE[0],
        ["select_one wards or_other", "ward", "P", "District_Code = ${district}"],
    ]
    problems = _problems(tmp_path, rows)
    assert "or_other" in problems["sheet 'survey', row 3 choice_filter"]


def test_bare_names_outside_a_filter_or_lookup_are_refused(tmp_path: Path) -> None:
    rows = [CASCADE[0], ["calculate", "c", None, None, "district + 1"]]
    problems = _problems(tmp_path, rows)
    assert (
        "refer to a question as ${district}"
        in (problems["sheet 'survey', row 3 calculation"])
    )


def test_pulldata_and_lookups_of_a_missing_file_name_it(tmp_path: Path) -> None:
    rows = [
        CASCADE[0],
        ["calculate", "a", None, None, "pulldata('fees', 'fee', 'code', ${district})"],
        ["calculate", "b", None, None, "instance('fees')/root/item[code = 1]/fee"],
    ]
    problems = _problems(tmp_path, rows)
    for row in (3, 4):
        assert "upload fees.csv" in problems[f"sheet 'survey', row {row} calculation"]


def test_pulldata_reads_files_not_choice_lists(tmp_path: Path) -> None:
    rows = [
        CASCADE[0],
        ["calculate", "a", None, None, "pulldata('wards', 'name', 'name', 'bn')"],
    ]
    problems = _problems(tmp_path, rows)
    assert "upload wards.csv" in problems["sheet 'survey', row 3 calculation"]


def test_other_paths_are_still_refused_by_name(tmp_path: Path) -> None:
    rows = [
        CASCADE[0],
        ["calculate", "a", None, None, "instance('wards')/root/item[1]/../name"],
    ]
    problems = _problems(tmp_path, rows)
    assert "only lookups of one column" in problems["sheet 'survey', row 3 calculation"]


def test_a_translated_lists_label_cannot_be_looked_up(tmp_path: Path) -> None:
    data = {
        "key": "k",
        "title": {"vi": "T", "en": "T"},
        "languages": ["vi", "en"],
        "choices": {"l": [{"name": "a", "label": {"vi": "A", "en": "A!"}}]},
        "questions": [
            {"name": "q", "type": "select_one", "choices": "l", "label": {"vi": "Q"}},
            {
                "name": "c",
                "type": "calculate",
                "calculation": "instance('l')/root/item[name = ${q}]/label",
            },
        ],
    }
    with pytest.raises(DefinitionError, match="jr:choice-name"):
        build_questionnaire(data)


# --- expressions ------------------------------------------------------------------

ITEMS = {
    "wards": (
        {"name": "bn", "label": "Bến Nghé", "district": "q1"},
        {"name": "bt", "label": "Bến Thành", "district": "q1"},
        {"name": "vts", "label": "Võ Thị Sáu", "district": "q3"},
    ),
    "fees": ({"code": "01", "fee": "50000"}, {"code": "1", "fee": "0"}),
}


@pytest.mark.parametrize(
    ("source", "values", "expected"),
    [
        # The first item the predicate keeps, its column's text.
        ("instance('wards')/root/item[name = ${w}]/label", {"w": "bt"}, "Bến Thành"),
        ("instance('wards')/root/item[district = 'q1']/name", {}, "bn"),
        # Nothing kept, or a column the item lacks: the empty string.
        ("instance('wards')/root/item[name = 'x']/label", {}, ""),
        ("instance('wards')/root/item[name = 'bn']/nothing", {}, ""),
        # A number as predicate is a position, from 1 (XPath 1.0, 2.4).
        ("instance('wards')/root/item[3]/name", {}, "vts"),
        ("instance('wards')/root/item[district = 'q1'][2]/name", {}, "bt"),
        # Predicates compare text as text: '1' is not '01'.
        ("instance('fees')/root/item[code = '1']/fee", {}, "0"),
        # pulldata('file', 'column', 'key column', value): the same lookup.
        ("pulldata('fees', 'fee', 'code', ${c})", {"c": "01"}, "50000"),
        ("pulldata('fees', 'fee', 'code', ${c})", {"c": "2"}, ""),
        # A number answer is compared as the text it is written as.
        ("pulldata('fees', 'fee', 'code', ${c})", {"c": 1.0}, "0"),
        # A lookup is a value like any other.
        ("concat(instance('wards')/root/item[name = 'bn']/district, '!')", {}, "q1!"),
    ],
)
def test_lookups_follow_xpath(source: str, values: dict, expected: str) -> None:
    result = parse(source).evaluate(values, instances=lambda n: ITEMS.get(n, ()))
    assert result == expected


@pytest.mark.parametrize(
    ("item", "values", "expected"),
    [
        ({"district": "q1"}, {"d": "q1"}, True),
        ({"district": "q1"}, {"d": "q3"}, False),
        ({}, {"d": ""}, True),  # a missing column is empty, as an empty answer
        ({"district": "q1"}, {}, False),  # no district yet: nothing fits
    ],
)
def test_a_filter_reads_the_items_columns_as_bare_names(
    item: dict, values: dict, expected: bool
) -> None:
    assert parse("district = ${d}").holds(values, item=item) is expected


def test_a_lookup_must_name_one_column_and_pulldata_its_file() -> None:
    with pytest.raises(ExpressionError, match="one column"):
        parse("instance('wards')/root/item[name = 'bn']")
    with pytest.raises(ExpressionError, match="quoted"):
        parse("pulldata(${f}, 'fee', 'code', 1)")


# --- validation ------------------------------------------------------------------


def test_validation_takes_a_fitting_cascade(cascade: Questionnaire) -> None:
    answers = {"district": "q1", "ward": "bt", "counter": "bt-tp"}
    assert surveys.validate_answers(cascade, answers) == answers


def test_validation_refuses_a_ward_outside_the_district(
    cascade: Questionnaire,
) -> None:
    with pytest.raises(InvalidAnswers) as caught:
        surveys.validate_answers(
            cascade, {"district": "q3", "ward": "bn", "counter": "bn-tp"}
        )
    errors = caught.value.errors
    assert errors["ward"].msgid == NOT_FITTING
    assert errors["ward"].params == {"value": "'bn'"}
    # The counter is checked against the ward as validated: none, so no fit.
    assert errors["counter"].msgid == NOT_FITTING


def test_an_unknown_option_is_still_not_a_choice(cascade: Questionnaire) -> None:
    with pytest.raises(InvalidAnswers) as caught:
        surveys.validate_answers(cascade, {"district": "q1", "ward": "zz"})
    assert caught.value.errors["ward"].msgid == NOT_A_CHOICE


def test_relevance_tells_the_options_each_filter_lets_through(
    cascade: Questionnaire,
) -> None:
    shown = surveys.relevance(cascade, {"district": "q1", "ward": "bn"})
    assert shown.choices == {"ward": ("bn", "bt"), "counter": ("bn-tp", "bn-dc")}
    assert surveys.relevance(cascade, {}).choices == {"ward": (), "counter": ()}


def test_calculations_read_lookups_and_pulldata(tmp_path: Path) -> None:
    questionnaire = _load(
        tmp_path,
        [
            *CASCADE,
            [
                "calculate",
                "counter_ward",
                None,
                None,
                "instance('counters')/root/item[name = ${counter}]/ward",
            ],
            [
                "calculate",
                "counter_label",
                None,
                None,
                "pulldata('counters', 'label', 'name', ${counter})",
            ],
            [
                "calculate",
                "ward_district",
                None,
                None,
                "instance('wards')/root/item[name = ${ward}]/District_Code",
            ],
        ],
        {"counters.csv": COUNTERS},
    )
    result = surveys.validate_answers(
        questionnaire, {"district": "q1", "ward": "bn", "counter": "bn-dc"}
    )
    assert result["counter_ward"] == "bn"
    assert result["counter_label"] == "Quầy Địa chính"
    assert result["ward_district"] == "q1"


# --- export ----------------------------------------------------------------------


def test_the_export_reads_back_and_converts_with_no_warning(tmp_path: Path) -> None:
    fees = b"code,fee\n01,50000\n"
    questionnaire = _load(
        tmp_path,
        [
            *CASCADE,
            [
                "calculate",
                "fee",
                None,
                None,
                "pulldata('fees', 'fee', 'code', ${district})",
            ],
            ["csv-external", "fees"],
        ],
        {"counters.csv": COUNTERS, "fees.csv": fees},
    )
    folder = tmp_path / "export"
    folder.mkdir()
    write_xlsform(questionnaire, folder / "form.xlsx")
    written = write_data_files(questionnaire, folder)
    assert sorted(path.name for path in written) == ["counters.csv", "fees.csv"]
    beside = {path.name: path.read_bytes() for path in written}
    assert surveys.load_definition(folder / "form.xlsx", beside) == questionnaire
    workbook = io.BytesIO((folder / "form.xlsx").read_bytes())
    result = convert(xlsform=workbook.getvalue(), file_type=".xlsx")
    assert result.warnings == []
    xform = result.xform
    assert 'src="jr://file-csv/counters.csv"' in xform
    assert 'src="jr://file-csv/fees.csv"' in xform  # declared by csv-external
    assert "<District_Code>q1</District_Code>" in xform
    assert "instance('wards')/root/item[District_Code =  /data/district ]" in xform
