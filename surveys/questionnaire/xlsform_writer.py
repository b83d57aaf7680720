"""Export a questionnaire as an XLSForm workbook that ``xlsform_reader`` reads back.

The workbook is also one that ODK's converter, pyxform, turns into an XForm
with no error and no warning. What ODK cannot express goes out as its nearest
ODK equivalent, with our own meaning kept in columns ODK tools ignore:

- a rating is a ``select_one`` on the official 5-point list, marked
  ``hailong_type: rating``;
- the ``faces`` appearance is ODK's ``likert``, with ``hailong_appearance: faces``;
- a text's length limit (``max_length``, else the default limit) is a
  ``string-length(.) <= N`` clause added to its constraint, with the limit
  itself in ``hailong_max_length`` (see ``length_clause``);
- the title is ``form_title`` in the default language (ODK has one title) and
  ``hailong_form_title::<language>`` in every language;
- the scoring is the sheet ``hailong_scoring``.

A repeat is ``begin repeat`` / ``end repeat`` with its ``repeat_count``, which
pyxform writes as the repeat's ``jr:count``.

Run-time choices are written as ``select_one_from_file officials.csv``; a
select from an uploaded CSV as ``select_one_from_file wards.csv`` (its columns
in ``parameters``), and a file that only lookups read as a ``csv-external``
row, so that ODK declares it; the CSV files go beside the workbook
(``write_data_files``). Every
language the questionnaire carries gets its columns, named the way ODK's tools
expect: ``label::English (en)``, ``label::français (fr)``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import openpyxl
from babel import Locale, UnknownLocaleError
from openpyxl.worksheet.worksheet import Worksheet

from surveys.questionnaire.messages import RATING_LABELS
from surveys.questionnaire.model import (
    RATING_SCALE,
    Question,
    Questionnaire,
    QuestionType,
    Repeat,
    Section,
)
from surveys.questionnaire.xlsform_reader import (
    DEFAULT_LANGUAGE,
    ODK_APPEARANCES,
    RATING_MARK,
    SCORING_SHEET,
    TITLE_COLUMN,
    length_clause,
)

RATING_LIST = "hailong_rating"
_SURVEY_COLUMNS = (
    "type", "name", "label", "hint", "required", "required_message", "relevant",
    "constraint", "constraint_message", "default", "calculation", "choice_filter",
    "parameters", "appearance", "repeat_count", "hailong_type", "hailong_appearance",
    "hailong_max_length",
)  # fmt: skip
_SCORING_COLUMNS = (
    "type", "name", "label", "method", "min", "max", "aggregation", "item_min",
    "item_max", "dimension_min", "dimension_max", "satisfied_min", "items",
    "reverse", "weight",
)  # fmt: skip
_TRANSLATED = frozenset({"label", "hint", "required_message", "constraint_message"})


def write_xlsform(questionnaire: Questionnaire, path: str | Path | IO[bytes]) -> None:
    """Write the questionnaire as survey/choices/settings sheets (plus scoring).

    ``path`` may be a file open for writing bytes (a download's buffer).
    """
    workbook = openpyxl.Workbook()
    survey = workbook.active
    assert survey is not None
    survey.title = "survey"
    languages = questionnaire.languages
    _write(survey, _expand(_SURVEY_COLUMNS, languages), _survey_rows(questionnaire))
    data_columns = list(
        dict.fromkeys(
            column
            for choices in questionnaire.choice_lists.values()
            for choice in choices
            for column in choice.data
        )
    )
    _write(
        workbook.create_sheet("choices"),
        _expand(("list_name", "name", "label"), languages) + data_columns,
        _choice_rows(questionnaire),
    )
    _write(workbook.create_sheet("settings"), *_settings(questionnaire))
    if questionnaire.scoring is not None:
        _write(
            workbook.create_sheet(SCORING_SHEET),
            _expand(_SCORING_COLUMNS, languages),
            _scoring_rows(questionnaire),
        )
    workbook.save(path)


def write_data_files(questionnaire: Questionnaire, folder: str | Path) -> list[Path]:
    """Write the CSV files into ``folder``, to go beside the workbook."""
    written = []
    for name, data_file in questionnaire.files.items():
        path = Path(folder) / name
        path.write_bytes(data_file.csv_bytes())
        written.append(path)
    return written


def column(base: str, language: str) -> str:
    """Name the column of ``base`` in one language, e.g. ``label::English (en)``.

    A language is named in itself (``Tiếng Việt (vi)``); a language the
    workbook named without a code (``label::Français``) keeps that name.
    """
    if language == DEFAULT_LANGUAGE:
        return base
    try:
        name = Locale.parse(language.replace("-", "_")).get_display_name()
    except (ValueError, UnknownLocaleError):
        name = None
    return f"{base}::{name} ({language})" if name else f"{base}::{language}"


def _expand(columns: tuple[str, ...], languages: tuple[str, ...]) -> list[str]:
    return [
        column(base, language)
        for base in columns
        for language in (languages if base in _TRANSLATED else (DEFAULT_LANGUAGE,))
    ]


def _texts(base: str, text: Mapping[str, str]) -> dict[str, str]:
    return {column(base, language): value for language, value in text.items()}


def _survey_rows(questionnaire: Questionnaire) -> Iterator[dict[str, Any]]:
    def rows(items: tuple[Question | Section, ...]) -> Iterator[dict[str, Any]]:
        for item in items:
            if isinstance(item, Section):
                kind = "repeat" if isinstance(item, Repeat) else "group"
                count = item.count if isinstance(item, Repeat) else None
                yield {
                    "type": f"begin {kind}",
                    "name": item.name,
                    **_texts("label", item.label),
                    **_texts("hint", item.hint),
                    "relevant": item.relevant and item.relevant.source,
                    "repeat_count": count and count.source,
                    **_appearance(item.appearance),
                }
                yield from rows(item.items)
                yield {"type": f"end {kind}"}
            else:
                yield _question_row(item)

    yield from rows(questionnaire.items)
    selected = {q.choices_file for q in questionnaire.questions}
    for name in sorted(questionnaire.files.keys() - selected):
        yield {"type": "csv-external", "name": name.removesuffix(".csv")}


def _question_row(question: Question) -> dict[str, Any]:
    row: dict[str, Any] = {"type": str(question.type), "name": question.name}
    if question.type is QuestionType.RATING:
        row.update(type=f"select_one {RATING_LIST}", hailong_type=RATING_MARK)
    elif question.choices_from is not None:
        row["type"] = f"{question.type}_from_file {question.choices_from}.csv"
    elif question.choices_file is not None:
        row["type"] = f"{question.type}_from_file {question.choices_file}"
        columns = {"value": question.value_column, "label": question.label_column}
        row["parameters"] = (
            " ".join(f"{key}={value}" for key, value in columns.items() if value)
            or None
        )
    elif question.choices is not None:
        row["type"] = f"{question.type} {question.choices}"
    for base in _TRANSLATED:
        row.update(_texts(base, getattr(question, base)))
    for key in ("relevant", "constraint", "calculation", "choice_filter"):
        expression = getattr(question, key)
        row[key] = expression and expression.source
    if question.type is QuestionType.TEXT:
        limit = length_clause(question.text_limit)
        row["constraint"] = (
            f"({row['constraint']}) and {limit}" if row["constraint"] else limit
        )
    row.update(
        required="yes" if question.required else None,
        default=question.default,
        hailong_max_length=question.max_length,
        **_appearance(question.appearance),
    )
    return row


def _appearance(appearance: str | None) -> dict[str, str | None]:
    """Give ODK its nearest appearance, and keep ours where it differs."""
    odk = ODK_APPEARANCES.get(appearance or "")
    if odk is None:
        return {"appearance": appearance}
    return {"appearance": odk, "hailong_appearance": appearance}


def _choice_rows(questionnaire: Questionnaire) -> Iterator[dict[str, Any]]:
    for list_name, choices in questionnaire.choice_lists.items():
        for choice in choices:
            yield {
                "list_name": list_name,
                "name": choice.name,
                **_texts("label", choice.label),
                **choice.data,
            }
    if any(q.type is QuestionType.RATING for q in questionnaire.questions):
        for value, label in enumerate(RATING_LABELS, start=RATING_SCALE[0]):
            labels = {
                lang: label[lang] for lang in questionnaire.languages if lang in label
            }
            yield {
                "list_name": RATING_LIST,
                "name": str(value),
                **_texts("label", labels),
            }


def _settings(questionnaire: Questionnaire) -> tuple[list[str], list[dict[str, Any]]]:
    row: dict[str, Any] = {
        "form_id": questionnaire.key,
        "version": questionnaire.version,
        # pyxform takes one title: a translated form_title makes it crash.
        "form_title": questionnaire.title.get(questionnaire.languages[0]),
        **_texts(TITLE_COLUMN, questionnaire.title),
    }
    default = questionnaire.languages[0]
    if default != DEFAULT_LANGUAGE:
        row["default_language"] = column("", default).removeprefix("::")
    return list(row), [row]


def _scoring_rows(questionnaire: Questionnaire) -> Iterator[dict[str, Any]]:
    scoring = questionnaire.scoring
    assert scoring is not None
    yield {
        "type": "index",
        "name": scoring.index.name,
        **_texts("label", scoring.index.label),
        "method": scoring.index.method,
        "min": scoring.index.scale[0],
        "max": scoring.index.scale[1],
        "aggregation": scoring.aggregation,
        "item_min": scoring.item_scale[0],
        "item_max": scoring.item_scale[1],
        "dimension_min": scoring.dimension_scale[0],
        "dimension_max": scoring.dimension_scale[1],
        "satisfied_min": scoring.satisfied_min,
    }
    for dimension in scoring.dimensions:
        yield {
            "type": "dimension",
            "name": dimension.name,
            **_texts("label", dimension.label),
            "items": " ".join(dimension.items),
            "reverse": " ".join(dimension.reverse) or None,
            "weight": dimension.weight,
        }


def _write(sheet: Worksheet, headers: list[str], rows: Any) -> None:
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(header) for header in headers])
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            # A text starting with "=" would otherwise be stored as a formula.
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
