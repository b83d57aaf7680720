"""Every shipped template exports to an XLSForm that pyxform converts to the same form.

pyxform is the converter ODK Central and KoboToolbox run on an uploaded XLSForm.
Each export is converted with its Python API (without ODK Validate, which needs
a download), must convert with no warning, and the XForm is then read back and
compared with our definition: the questions and groups, their binds (type,
required, relevance, constraint, calculation), the choices and every label in
every language. That the export reads back unchanged through our own reader is
``test_templates.test_template_round_trips_through_xlsform``; the real forms we
load must export with no warning their original did not have.
"""

from __future__ import annotations

import io
import re
import tempfile
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import openpyxl
import pytest
from pyxform.xls2xform import convert

from surveys.questionnaire import (
    Question,
    Questionnaire,
    QuestionType,
    Section,
    build_questionnaire,
    load_definition,
)
from surveys.questionnaire.expressions import Node, parse
from surveys.questionnaire.versions import shipped_template
from surveys.questionnaire.xlsform_reader import (
    ODK_APPEARANCES,
    language_code,
    length_clause,
    load_xlsform,
)
from surveys.questionnaire.xlsform_writer import RATING_LIST, write_xlsform
from tests.builders import FIELD_VISIT, household
from tests.surveys.questionnaire.test_real_xlsforms import LOADS
from tests.surveys.questionnaire.test_repeats import household as rich_household

_XF = "{http://www.w3.org/2002/xforms}"
_H = "{http://www.w3.org/1999/xhtml}"
_JR = "{http://openrosa.org/javarosa}"
#: The XForm data type pyxform binds each of our question types to.
_BIND_TYPES = {
    QuestionType.RATING: "string",
    QuestionType.SELECT_ONE: "string",
    QuestionType.SELECT_MULTIPLE: "string",
    QuestionType.INTEGER: "int",
    QuestionType.DECIMAL: "decimal",
    QuestionType.TEXT: "string",
    QuestionType.DATE: "date",
    QuestionType.TIME: "time",
    QuestionType.DATETIME: "dateTime",
    QuestionType.GEOPOINT: "geopoint",
    QuestionType.NOTE: "string",
    QuestionType.CALCULATE: "string",
    QuestionType.START: "dateTime",
    QuestionType.END: "dateTime",
    QuestionType.TODAY: "date",
}
#: What ODK's engine records by itself for each metadata type (jr:preload).
_PRELOADS = {
    QuestionType.START: ("timestamp", "start"),
    QuestionType.END: ("timestamp", "end"),
    QuestionType.TODAY: ("date", "today"),
}
_CONTROLS = {
    QuestionType.RATING: "select1",
    QuestionType.SELECT_ONE: "select1",
    QuestionType.SELECT_MULTIPLE: "select",
}
_NO_CODE = re.compile(r"do not contain valid machine-readable codes: (.*)\. Learn")
_CONTROL_TAGS = {f"{_XF}{tag}" for tag in ("group", "input", "select1", "select")}
#: An absolute reference as pyxform writes ``${name}``: `` /data/group/name ``.
_PATH = re.compile(r"/data(?:/[A-Za-z_][\w.-]*)*/([A-Za-z_][\w.-]*)")
#: A relative reference: `` ../name `` (or ``../../name``).
_RELATIVE = re.compile(r"(?:\.\./)+([A-Za-z_][\w.-]*)")


@dataclass(frozen=True)
class _Export:
    questionnaire: Questionnaire
    warnings: list[str]
    xform: ET.Element

    def binds(self) -> dict[str, dict[str, str]]:
        model = self.xform.find(f"{_H}head/{_XF}model")
        assert model is not None
        return {
            bind.attrib["nodeset"]: bind.attrib for bind in model.iter(f"{_XF}bind")
        }

    def itext(self) -> dict[str, dict[str, str]]:
        """Map each language code to its texts by id; the default language first."""
        translations = sorted(
            self.xform.iter(f"{_XF}translation"),
            key=lambda t: t.get("default") != "true()",
        )
        return {
            language_code(t.attrib["lang"]): {
                text.attrib["id"]: "".join(text.find(f"{_XF}value").itertext())  # type: ignore[union-attr]
                for text in t.iter(f"{_XF}text")
            }
            for t in translations
        }

    def controls(self) -> dict[str, ET.Element]:
        body = self.xform.find(f"{_H}body")
        assert body is not None
        return {
            element.attrib["ref"]: element
            for element in body.iter()
            if element.tag in _CONTROL_TAGS
        }


@cache
def _export(name: str) -> _Export:
    if name == FIELD_VISIT.stem:
        return _convert(load_definition(FIELD_VISIT))
    return _convert(shipped_template(name))


def _convert(questionnaire: Questionnaire) -> _Export:
    workbook = io.BytesIO()
    write_xlsform(questionnaire, workbook)
    result = convert(xlsform=workbook.getvalue(), file_type=".xlsx")
    return _Export(questionnaire, result.warnings, ET.fromstring(result.xform))


def _paths(
    items: tuple[Question | Section, ...], parent: str = "/data"
) -> Iterator[tuple[str, Question | Section]]:
    for item in items:
        path = f"{parent}/{item.name}"
        yield path, item
        if isinstance(item, Section):
            yield from _paths(item.items, path)


def _tree(source: str) -> Node:
    """Parse an XForm expression, its paths read back as ``${name}``.

    pyxform writes ``${name}`` of the same repeat as `` ../name `` (relative),
    and ours may say ``../name`` itself: both read as ``${name}``.
    """
    return parse(_RELATIVE.sub(r"${\1}", _PATH.sub(r"${\1}", source))).tree


def _expected_constraint(question: Question) -> str | None:
    source = question.constraint and question.constraint.source
    if question.type is not QuestionType.TEXT:
        return source
    limit = length_clause(question.text_limit)
    return f"({source}) and {limit}" if source else limit


def test_pyxform_converts_the_export_with_no_warning(template_name: str) -> None:
    export = _export(template_name)
    assert export.warnings == []
    questionnaire = export.questionnaire
    title = export.xform.find(f"{_H}head/{_H}title")
    assert title is not None
    assert title.text == questionnaire.title.get(questionnaire.languages[0])
    data = export.xform.find(f"{_H}head/{_XF}model/{_XF}instance/{_XF}data")
    assert data is not None
    assert (data.get("id"), data.get("version")) == (
        questionnaire.key,
        questionnaire.version,
    )


def test_the_xform_binds_our_questions_as_we_do(template_name: str) -> None:
    export = _export(template_name)
    binds = export.binds()
    # A group gets a bind only for its relevance.
    ours = {
        path: item
        for path, item in _paths(export.questionnaire.items)
        if isinstance(item, Question) or item.relevant is not None
    }
    assert set(binds) == set(ours) | {"/data/meta/instanceID"}
    for path, item in ours.items():
        bind = binds[path]
        relevant = item.relevant and _tree(item.relevant.source)
        assert (bind.get("relevant") and _tree(bind["relevant"])) == relevant, path
        if isinstance(item, Section):
            continue
        assert bind["type"] == _BIND_TYPES[item.type], path
        assert bind.get("required") == ("true()" if item.required else None), path
        constraint = _expected_constraint(item)
        assert (bind.get("constraint") and _tree(bind["constraint"])) == (
            constraint and _tree(constraint)
        ), path
        calculation = item.calculation and _tree(item.calculation.source)
        assert (bind.get("calculate") and _tree(bind["calculate"])) == calculation
        assert bind.get("readonly") == (
            "true()" if item.type is QuestionType.NOTE else None
        ), path
        preload = (bind.get(f"{_JR}preload"), bind.get(f"{_JR}preloadParams"))
        assert preload == _PRELOADS.get(item.type, (None, None)), path


def test_the_xform_asks_our_questions_with_odk_appearances(template_name: str) -> None:
    export = _export(template_name)
    controls = export.controls()
    asked = {
        path: item
        for path, item in _paths(export.questionnaire.items)
        if not (
            isinstance(item, Question)
            and (item.type is QuestionType.CALCULATE or item.type.is_metadata)
        )
    }
    assert set(controls) == set(asked)
    for path, item in asked.items():
        control = controls[path]
        if isinstance(item, Section):
            assert control.tag == f"{_XF}group", path
        else:
            assert control.tag == f"{_XF}{_CONTROLS.get(item.type, 'input')}", path
        appearance = ODK_APPEARANCES.get(item.appearance or "", item.appearance)
        assert control.get("appearance") == appearance, path


def test_the_xform_offers_our_choices_in_every_language(template_name: str) -> None:
    export = _export(template_name)
    questionnaire = export.questionnaire
    itext = export.itext()
    lists = {
        instance.attrib["id"]: instance
        for instance in export.xform.iter(f"{_XF}instance")
        if "id" in instance.attrib
    }
    controls = export.controls()
    for path, question in _paths(questionnaire.items):
        if not isinstance(question, Question):
            continue
        _check_choice_filter(question, controls.get(path))
        if question.choices_from is not None:
            source = lists[question.choices_from].get("src")
            assert source == f"jr://file-csv/{question.choices_from}.csv"
            continue
        if question.choices_file is not None:
            name = question.choices_file.removesuffix(".csv")
            assert lists[name].get("src") == f"jr://file-csv/{question.choices_file}"
            itemset = controls[path].find(f"{_XF}itemset")
            assert itemset is not None
            value = itemset.find(f"{_XF}value")
            label = itemset.find(f"{_XF}label")
            assert value is not None and label is not None
            assert value.get("ref") == (question.value_column or "name")
            assert label.get("ref") == (question.label_column or "label")
            continue
        if not question.type.is_select and question.type is not QuestionType.RATING:
            continue
        name = RATING_LIST if question.type is QuestionType.RATING else question.choices
        items = lists[name].iter(f"{_XF}item")
        offered = [
            (
                item.findtext(f"{_XF}name"),
                {
                    language: texts[item.findtext(f"{_XF}itextId") or ""]
                    for language, texts in itext.items()
                },
                {
                    column.tag.removeprefix(_XF): column.text
                    for column in item
                    if column.tag not in (f"{_XF}name", f"{_XF}itextId") and column.text
                },
            )
            for item in items
        ]
        expected = [
            (
                choice.name,
                {lang: choice.label[lang] for lang in questionnaire.languages},
                dict(choice.data),
            )
            for choice in questionnaire.choices_of(question)
        ]
        assert offered == expected, question.name


def _check_choice_filter(question: Question, control: ET.Element | None) -> None:
    """Check that the itemset's predicate is our ``choice_filter``, paths read back."""
    if question.choice_filter is None:
        return
    assert control is not None
    itemset = control.find(f"{_XF}itemset")
    assert itemset is not None
    nodeset = itemset.attrib["nodeset"]
    predicate = nodeset[nodeset.index("[") + 1 : nodeset.rindex("]")]
    assert _tree(predicate) == _tree(question.choice_filter.source), question.name


def test_the_xform_words_our_questions_in_every_language(template_name: str) -> None:
    export = _export(template_name)
    questionnaire = export.questionnaire
    itext = export.itext()
    assert tuple(itext) == questionnaire.languages
    suffixes = {
        "label": "label",
        "hint": "hint",
        "constraint_message": "jr:constraintMsg",
        "required_message": "jr:requiredMsg",
    }
    for language, texts in itext.items():
        expected = {
            f"{path}:{suffix}": getattr(item, key)[language]
            for path, item in _paths(questionnaire.items)
            for key, suffix in suffixes.items()
            if language in getattr(item, key, {})
        }
        worded = {id_: text for id_, text in texts.items() if id_.startswith("/")}
        assert worded == expected, language


@pytest.mark.parametrize("filename", sorted(LOADS))
def test_a_real_form_we_load_exports_as_cleanly_as_it_came(
    filename: str, xlsform_dir: Path
) -> None:
    original = xlsform_dir / filename
    workbook = io.BytesIO()
    write_xlsform(load_xlsform(original), workbook)
    exported = convert(xlsform=workbook.getvalue(), file_type=".xlsx")
    with warnings.catch_warnings():
        # openpyxl: the original workbook has no default style.
        warnings.simplefilter("ignore", UserWarning)
        before = convert(xlsform=original).warnings
    # A language named without a code ("Swahili") is warned about in the
    # original too; the export invents no code for it, and warns of nothing else.
    uncoded, others = _uncoded_languages(exported.warnings)
    assert others == []
    assert uncoded <= _uncoded_languages(before)[0]


def _uncoded_languages(messages: list[str]) -> tuple[set[str], list[str]]:
    """Split pyxform's warnings into languages named without a code, and the rest."""
    uncoded: set[str] = set()
    others = []
    for message in messages:
        if found := _NO_CODE.search(message):
            uncoded.update(found.group(1).split(", "))
        else:
            others.append(message)
    return uncoded, others


def _text_form(tmp_path: Path, constraint: str, max_length: int | None) -> Path:
    book = openpyxl.Workbook()
    survey = book.active
    assert survey is not None
    survey.title = "survey"
    survey.append(["type", "name", "label", "constraint", "hailong_max_length"])
    survey.append(["text", "code", "Code", constraint, max_length])
    path = tmp_path / "form.xlsx"
    book.save(path)
    return path


@pytest.mark.parametrize(
    ("constraint", "max_length", "read"),
    [
        ("string-length(.) <= 40", 40, None),
        ("string-length(.) <= 2000", None, None),
        ("(. != 'x') and string-length(.) <= 40", 40, ". != 'x'"),
        # Another limit than the row's says more: kept.
        ("string-length(.) <= 30", 40, "string-length(.) <= 30"),
        # The brackets do not hold one expression: kept as written.
        (
            "(. != 'a') or (. != 'b') and string-length(.) <= 2000",
            None,
            "(. != 'a') or (. != 'b') and string-length(.) <= 2000",
        ),
    ],
)
def test_the_length_clause_of_the_export_is_read_back_as_the_limit(
    tmp_path: Path, constraint: str, max_length: int | None, read: str | None
) -> None:
    question = load_xlsform(_text_form(tmp_path, constraint, max_length)).question(
        "code"
    )
    assert (question.constraint and question.constraint.source) == read
    assert question.max_length == max_length


@pytest.mark.parametrize(
    "questionnaire",
    [
        household(),
        household(counted=False),
        build_questionnaire(rich_household()),
        build_questionnaire(rich_household(repeat_count="${household_size} + 1")),
    ],
    ids=["counted", "free", "expressions", "count-expression"],
)
def test_a_roster_exports_as_an_odk_repeat(questionnaire: Questionnaire) -> None:
    export = _convert(questionnaire)
    assert export.warnings == []
    (roster,) = questionnaire.repeats
    path = f"/data/{roster.name}"
    repeats = {r.attrib["nodeset"]: r for r in export.xform.iter(f"{_XF}repeat")}
    assert set(repeats) == {path}
    count = repeats[path].get(f"{_JR}count")
    expected = roster.count and _tree(roster.count.source)
    binds = export.binds()
    if count and count.strip() == f"{path}_count":
        # pyxform computes a count that is no plain ${name} in a node of its own.
        count = binds[f"{path}_count"]["calculate"]
    assert (count and _tree(count)) == expected
    for item_path, item in _paths(questionnaire.items):
        if not isinstance(item, Question):
            continue
        bind = binds[item_path]
        for key, attribute in (
            ("relevant", "relevant"),
            ("calculation", "calculate"),
            ("constraint", "constraint"),
        ):
            ours = getattr(item, key)
            if key == "constraint":
                ours = _expected_constraint(item)
            elif ours is not None:
                ours = ours.source
            theirs = bind.get(attribute)
            assert (theirs and _tree(theirs)) == (ours and _tree(ours)), item_path
    workbook = io.BytesIO()
    write_xlsform(questionnaire, workbook)
    folder = Path(tempfile.mkdtemp())
    (folder / "roster.xlsx").write_bytes(workbook.getvalue())
    assert load_xlsform(folder / "roster.xlsx") == questionnaire


def test_time_location_and_metadata_convert_as_odk_types() -> None:
    # Every check the templates pass, on a form with the types they lack.
    name = FIELD_VISIT.stem
    test_pyxform_converts_the_export_with_no_warning(name)
    test_the_xform_binds_our_questions_as_we_do(name)
    test_the_xform_asks_our_questions_with_odk_appearances(name)
    test_the_xform_words_our_questions_in_every_language(name)
    export = _export(name)
    data = export.xform.find(f"{_H}head/{_XF}model/{_XF}instance/{_XF}data")
    assert data is not None
    assert data.findtext(f"{_XF}opened_at") == "07:30"
