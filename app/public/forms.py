"""The fixed part of every survey form; the questions come from the definition."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, HiddenField, IntegerField, StringField
from wtforms.validators import DataRequired, Optional, Regexp, ValidationError

from app.i18n import _, lazy_gettext
from app.translated_form import TranslatedForm
from surveys.questionnaire import Question, Questionnaire, QuestionType
from surveys.questionnaire.model import MAX_REPEAT_ROWS, walk
from surveys.questionnaire.validation import RawAnswers, RawValue, row_key

#: A row number or a number of rows as a page sends it (ASCII digits only).
_DIGITS = re.compile(r"[0-9]+")
#: A client submission id: chosen when the form is first shown, kept on resend.
SUBMISSION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class SurveyForm(TranslatedForm):
    """Carries the client submission id, the page and the consent.

    No CSRF token: the survey's page token protects it (``app.public.page_token``).
    """

    class Meta:
        csrf = False

    #: Chosen when the form is first shown; a resent form reuses it (idempotency).
    submission_id = HiddenField(validators=[DataRequired(), Regexp(SUBMISSION_ID)])
    page = IntegerField(validators=[Optional()])
    phone = StringField(
        validators=[
            Optional(),
            Regexp(
                r"^\+?[0-9 .-]{8,20}$",
                message=lazy_gettext("Số điện thoại không đúng: 8 đến 20 chữ số."),
            ),
        ]
    )
    consent = BooleanField()

    def validate_phone(self, field: StringField) -> None:
        """Refuse a phone number left without ticking the consent box."""
        if field.data and not self.consent.data:
            raise ValidationError(
                _("Vui lòng đánh dấu ô đồng ý nếu muốn để lại số điện thoại.")
            )


def raw_answers(questionnaire: Questionnaire, form: MultiDict[str, str]) -> RawAnswers:
    """Read the questionnaire's answers from a submitted form, as the engine wants.

    A repeat's rows come as fields named by ``row_key`` (``age[2]``) and the
    number of rows shown in a field named after the repeat (``members``).
    """
    single = [
        q for q in questionnaire.questions if q.name not in questionnaire.repeated
    ]
    answers: dict[str, Any] = _fields(single, form, lambda name: name)
    for repeat in questionnaire.repeats:
        if repeat.name not in form:
            continue
        questions = [q for q in walk(repeat.items) if isinstance(q, Question)]
        answers[repeat.name] = [
            _fields(questions, form, lambda name, row=row: row_key(name, row))
            for row in range(1, _row_count(form.get(repeat.name)) + 1)
        ]
    return answers


def _fields(
    questions: Iterable[Question],
    form: MultiDict[str, str],
    field: Callable[[str], str],
) -> dict[str, RawValue]:
    answers: dict[str, RawValue] = {}
    for question in questions:
        key = field(question.name)
        if not question.type.takes_answer or key not in form:
            continue
        if question.type is QuestionType.SELECT_MULTIPLE:
            answers[question.name] = [v for v in form.getlist(key) if v]
        else:
            answers[question.name] = form.get(key)
    return answers


def _row_count(text: str | None) -> int:
    """Read the number of rows a page showed; anything odd is none, never more
    than the engine takes (it refuses more rows than ``MAX_REPEAT_ROWS``)."""
    if text is None or not _DIGITS.fullmatch(text):
        return 0
    too_many = MAX_REPEAT_ROWS + 1
    return too_many if len(text) > len(str(too_many)) else min(int(text), too_many)


def form_fields(
    questionnaire: Questionnaire, answers: RawAnswers, left_out: Collection[str]
) -> list[tuple[str, str]]:
    """Write answers as the form fields that carry them from page to page.

    ``left_out`` names the questions and repeats the page asks itself.
    """
    fields: list[tuple[str, str]] = []
    repeats = {repeat.name for repeat in questionnaire.repeats}
    for name, value in answers.items():
        if name in left_out:
            continue
        if name in repeats and isinstance(value, list | tuple):
            fields.append((name, str(len(value))))
            for row, row_values in enumerate(value, start=1):
                fields.extend(
                    (row_key(field, row), one)
                    for field, given in row_values.items()
                    for one in _texts(given)
                )
        else:
            fields.extend((name, one) for one in _texts(value))
    return fields


def _texts(value: object) -> list[str]:
    if value is None:
        return []
    return [str(one) for one in value] if isinstance(value, list) else [str(value)]


#: The page's buttons that change a repeat's rows: ``add:NAME`` and
#: ``remove:NAME:ROW``.
ADD, REMOVE = "add", "remove"


def edited_rows(
    questionnaire: Questionnaire, answers: RawAnswers, action: str
) -> RawAnswers | None:
    """Add or remove a row as the button pressed asks; None if it asks nothing.

    Only a repeat without a ``repeat_count`` takes or loses rows: the count
    decides the others.
    """
    verb, _, rest = action.partition(":")
    name, _, row = rest.partition(":")
    free = {r.name for r in questionnaire.repeats if r.count is None}
    if verb not in (ADD, REMOVE) or name not in free:
        return None
    rows = list(answers.get(name) or [])
    if verb == ADD and len(rows) < MAX_REPEAT_ROWS:
        rows.append({})
    elif (
        verb == REMOVE
        and _DIGITS.fullmatch(row)
        and len(row) <= 3
        and 1 <= int(row) <= len(rows)
    ):
        del rows[int(row) - 1]
    return {**answers, name: rows}


def first_rows(questionnaire: Questionnaire, answers: RawAnswers) -> RawAnswers:
    """Open one blank row in each repeat without a count that has none yet.

    As ODK's clients do, a roster starts with its first row shown.
    """
    missing = [
        r.name
        for r in questionnaire.repeats
        if r.count is None and r.name not in answers
    ]
    return {**answers, **{name: [{}] for name in missing}} if missing else answers
