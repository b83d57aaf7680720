"""What a clerk types for a paper form, and the raw answers it stands for.

A ticked box is keyed as the code printed beside it (``option_codes``), a
multiple choice as its codes separated by spaces, a date as the day, month
and year written on the paper (``1/6/2026``, ``01062026``). This module turns
those keystrokes into the raw answers the survey page would send, for the
engine to check as any send (``record_entry``, ``reconcile``), and a stored
entry back into keystrokes for the reconciler's page. Fields are laid out in
the printed order with the printed question numbers; a repeat is keyed in as
many rows as its table has on paper, a roster counted by an answer in as many
as that answer allows (``keyed_rows``: the rows past the table are written on
the back of the sheet), and counts as many rows as are filled.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import render_template
from werkzeug.datastructures import MultiDict

from app.i18n import _, translated
from app.paper_form_pdf import MAX_PRINTED_OPTIONS, keyed_rows, printed_rows
from app.public.forms import raw_answers
from surveys.models import PaperForm
from surveys.paper.form_numbers import format_number
from surveys.questionnaire import (
    InvalidAnswers,
    Question,
    Questionnaire,
    QuestionType,
    Repeat,
)
from surveys.questionnaire.model import walk
from surveys.questionnaire.option_codes import option_codes
from surveys.questionnaire.skip_words import printed_numbers
from surveys.questionnaire.validation import RawAnswers, row_key

#: What separates a multiple choice's codes: spaces, commas, semicolons, plus.
_CODE_SEPARATORS = re.compile(r"[\s,;+]+")
#: A date as written on paper: day, month, year with any separator, or 8 digits.
_WRITTEN_DATE = re.compile(r"^(\d{1,2})\D+(\d{1,2})\D+(\d{4})$|^(\d{2})(\d{2})(\d{4})$")
#: An error's key: a question's name, with its row in a repeat (``age[2]``).
_ERROR_KEY = re.compile(r"^(?P<name>[^\[\]]+)(?:\[(?P<row>\d+)\])?$")


@dataclass(frozen=True)
class Option:
    """An option as printed: the code typed, the stored name, the label."""

    code: str
    name: str
    label: str


@dataclass(frozen=True)
class KeyedField:
    """One box a clerk fills: a question, or a question in one row of a repeat."""

    question: Question
    #: The number printed before the question ("Câu 12.").
    number: int
    #: The form field's name: the question's, or ``name[row]`` in a repeat.
    key: str
    #: The printed options, when the answer is typed as a code.
    options: tuple[Option, ...] = ()
    #: The repeat's row (1, 2 ...), None outside a repeat.
    row: int | None = None

    @property
    def multiple(self) -> bool:
        """Tell whether several codes may be typed (a multiple choice)."""
        return self.question.type is QuestionType.SELECT_MULTIPLE

    def name_of(self, code: str) -> str:
        """Return the option a typed code stands for (leading zeros ignored);
        an unknown code as typed, for the engine to refuse."""
        wanted = code.lstrip("0") or "0"
        for option in self.options:
            if (option.code.lstrip("0") or "0") == wanted:
                return option.name
        return code

    def code_of(self, name: str) -> str:
        """Return the code printed for an option's name (the name if none)."""
        return next((o.code for o in self.options if o.name == name), name)

    def label_of(self, name: str) -> str:
        """Return the printed label of an option's name ("" if none)."""
        return next((o.label for o in self.options if o.name == name), "")


def keyed_fields(
    questionnaire: Questionnaire, carried: frozenset[str] = frozenset()
) -> list[KeyedField]:
    """List the boxes to key, in the printed order (``carried``: answered by
    the form's code itself, never keyed)."""
    numbers = printed_numbers(questionnaire)
    fields: list[KeyedField] = []
    for item in walk(questionnaire.items):
        if isinstance(item, Repeat):
            asked = [q for q in walk(item.items) if _keyed(q, carried)]
            fields.extend(
                _field(questionnaire, question, numbers, row)
                for row in range(1, keyed_rows(questionnaire, item) + 1)
                for question in asked
            )
        elif _keyed(item, carried) and item.name not in questionnaire.repeated:
            fields.append(_field(questionnaire, item, numbers, None))
    return fields


def _keyed(item: object, carried: frozenset[str]) -> bool:
    return (
        isinstance(item, Question)
        and item.type.takes_answer
        and item.name not in carried
    )


def _field(
    questionnaire: Questionnaire,
    question: Question,
    numbers: Mapping[str, int],
    row: int | None,
) -> KeyedField:
    key = question.name if row is None else row_key(question.name, row)
    options = _options(questionnaire, question)
    return KeyedField(question, numbers[question.name], key, options, row)


def _options(questionnaire: Questionnaire, question: Question) -> tuple[Option, ...]:
    """Return the printed options, or () when the paper has the answer written
    in (a long list, a counter's officials, a question without options)."""
    if not (question.type.is_select or question.type is QuestionType.RATING):
        return ()
    choices = questionnaire.choices_of(question)
    if question.choices_from or not 0 < len(choices) <= MAX_PRINTED_OPTIONS:
        return ()
    codes = option_codes(choices)
    return tuple(
        Option(codes[c.name], c.name, translated(c.label) or c.name) for c in choices
    )


def decoded(questionnaire: Questionnaire, typed: Mapping[str, str]) -> RawAnswers:
    """Return the raw answers a clerk's keystrokes (by field key) stand for.

    A code no option has is passed on as typed: the engine then refuses it
    next to its question, as it refuses an unknown option online.
    """
    sent: MultiDict[str, str] = MultiDict()
    rows: dict[str, int] = {}
    for field in keyed_fields(questionnaire):
        text = (typed.get(field.key) or "").strip()
        if not text:
            continue
        if field.multiple:
            codes = [code for code in _CODE_SEPARATORS.split(text) if code]
            sent.setlist(field.key, [field.name_of(code) for code in codes])
        elif field.options:
            sent[field.key] = field.name_of(text)
        elif field.question.type is QuestionType.DATE:
            sent[field.key] = _iso_date(text)
        else:
            sent[field.key] = text
        if field.row is not None:
            repeat = questionnaire.repeated[field.question.name]
            rows[repeat] = max(rows.get(repeat, 0), field.row)
    for repeat, count in rows.items():
        sent[repeat] = str(count)
    return raw_answers(questionnaire, sent)


def with_printed_rows(questionnaire: Questionnaire, raw: RawAnswers) -> RawAnswers:
    """Return ``raw`` with every roster of no count padded to its printed
    rows, for skip logic: each printed row is offered for keying (its own
    conditions applied), while a save counts only the rows keyed. A roster
    counted by an answer is left to its count: the rows past it are skipped."""
    padded = dict(raw)
    for repeat in questionnaire.repeats:
        if repeat.count is None:
            rows = list(raw.get(repeat.name) or [])
            padded[repeat.name] = rows + [{}] * (printed_rows(repeat) - len(rows))
    return padded


def typed_back(
    questionnaire: Questionnaire, answers: Mapping[str, Any]
) -> dict[str, str]:
    """Return what a clerk would type for stored (``plain``) answers, by field key."""
    typed: dict[str, str] = {}
    for field in keyed_fields(questionnaire):
        value = value_of(questionnaire, field, answers)
        if value is not None:
            typed[field.key] = keystrokes(field, value)
    return typed


def value_of(
    questionnaire: Questionnaire, field: KeyedField, answers: Mapping[str, Any]
) -> Any:
    """Return the stored answer of one field (None: none)."""
    if field.row is None:
        return answers.get(field.question.name)
    rows = answers.get(questionnaire.repeated[field.question.name]) or []
    if field.row > len(rows):
        return None
    return rows[field.row - 1].get(field.question.name)


def keystrokes(field: KeyedField, value: Any) -> str:
    """Write one stored answer as the clerk types it."""
    if isinstance(value, list):
        return " ".join(field.code_of(str(name)) for name in value)
    if field.options:
        return field.code_of(str(value))
    if field.question.type is QuestionType.DATE:
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    return str(value)


def shown(field: KeyedField, value: Any) -> str:
    """Write one stored answer for the reconciler: codes with their labels."""
    if value is None:
        return ""
    names = value if isinstance(value, list) else [value]
    if field.options:
        return "; ".join(
            f"{field.code_of(str(n))} – {field.label_of(str(n))}" for n in names
        )
    return keystrokes(field, value)


def _iso_date(text: str) -> str:
    """Read a date written on paper (day first); anything else is left for
    the engine to refuse as it is."""
    found = _WRITTEN_DATE.match(text)
    if found is None:
        return text
    day, month, year = (int(part) for part in found.groups() if part is not None)
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return text


def unplaced_errors(
    questionnaire: Questionnaire,
    fields: list[KeyedField],
    errors: Mapping[str, str],
) -> list[str]:
    """Return the errors no box on the page shows, each after its question's
    printed number (and row): a roster counted beyond the rows the page
    offers is refused for rows it lacks, and the clerk must be told why."""
    boxes = {field.key for field in fields}
    numbers = printed_numbers(questionnaire)
    unplaced: list[str] = []
    for key, message in errors.items():
        if key in boxes:
            continue
        where = _ERROR_KEY.match(key)
        number = numbers.get(where["name"]) if where is not None else None
        if where is None or number is None:
            unplaced.append(message)
        elif where["row"] is None:
            unplaced.append(
                _("Câu %(number)s: %(message)s", number=number, message=message)
            )
        else:
            unplaced.append(
                _(
                    "Câu %(number)s, dòng %(row)s: %(message)s",
                    number=number,
                    row=where["row"],
                    message=message,
                )
            )
    return unplaced


def answer_errors(invalid: InvalidAnswers) -> dict[str, str]:
    """The engine's refusal of the keys, by box, in the page's language."""
    return {key: translated(message) for key, message in invalid.errors.items()}


def keyed_page(
    template: str,
    form: PaperForm,
    questionnaire: Questionnaire,
    fields: list[KeyedField],
    typed: Mapping[str, str],
    errors: Mapping[str, str],
    **context: Any,
) -> str:
    """Render a page of the form's boxes (``_entry_fields.html``: keying or
    reconciling): its number and unit, each box with what is in it and its
    error, and the errors no box shows."""
    return render_template(
        template,
        number=format_number(form.number),
        campaign=form.batch.campaign,
        unit=form.batch.unit,
        fields=fields,
        typed=typed,
        errors=errors,
        unplaced=unplaced_errors(questionnaire, fields, errors),
        **context,
    )


def skip_readers(questionnaire: Questionnaire) -> frozenset[str]:
    """Name the questions some skip logic or a roster's count reads: leaving
    one of them, the keying page asks the server what is asked next before
    moving on."""
    read: set[str] = set()
    for item in walk(questionnaire.items):
        if item.relevant is not None:
            read |= item.relevant.references
        if isinstance(item, Repeat) and item.count is not None:
            read |= item.count.references
    return frozenset(read)
