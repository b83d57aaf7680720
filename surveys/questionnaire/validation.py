"""Check a browser's raw answers against a questionnaire and type them.

Questions are visited in the order they are asked. Relevance, constraints
and calculations see only the answers before them that were valid, the way
a form filled in from top to bottom does. ``default`` is a value the form
shows pre-filled; it is not applied to a missing answer here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from surveys.local_time import local_wall_clock
from surveys.questionnaire import messages
from surveys.questionnaire.errors import InvalidAnswers
from surveys.questionnaire.expressions import Item, Value
from surveys.questionnaire.lexical import (
    DECIMAL,
    LexicalError,
    normalise_datetime,
    normalise_geopoint,
    normalise_time,
)
from surveys.questionnaire.model import (
    Choice,
    Question,
    Questionnaire,
    QuestionType,
    Section,
)
from surveys.translatable import SOURCE_LANGUAGE, Message

#: What a browser posts: text per question, a list of texts for multiple choice.
RawAnswers = Mapping[str, str | list[str] | None]
#: A typed answer: int, float, str, date, list of choice names, or None if blank.
#: Times, date-times and geopoints are str, in ODK's lexical forms
#: (``surveys.questionnaire.lexical``).
Answer = int | float | str | date | list[str] | bool | None

#: Whole numbers and decimals above this size are refused as out of range.
MAX_NUMBER = 10**15 - 1
_INTEGER = re.compile(r"[+-]?\d+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ECHO_LIMIT = 40


@dataclass(frozen=True)
class Relevance:
    """Which questions and sections apply, given the answers so far."""

    questions: frozenset[str]
    sections: frozenset[str]
    #: The options a ``choice_filter`` lets through, by relevant question.
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)

    def __contains__(self, name: object) -> bool:
        return name in self.questions or name in self.sections


def validate_answers(
    questionnaire: Questionnaire,
    answers: RawAnswers,
    *,
    runtime_choices: Mapping[str, Collection[str]] | None = None,
    today: date | None = None,
    carried: Collection[str] = (),
    language: str = SOURCE_LANGUAGE,
    now: datetime | None = None,
) -> dict[str, Answer]:
    """Type and check every relevant answer, or raise InvalidAnswers with them all.

    The result holds every relevant question that takes an answer (None when
    left blank) and every relevant calculation; answers to questions that are
    not relevant, and keys that name no question, are dropped.
    ``runtime_choices`` gives the options of ``choices_from`` questions, e.g.
    ``{"officials": ["NV01", "NV02"]}`` for the counter being rated.
    ``carried`` names questions the access code answers itself (which dossier
    a dossier's code rates): they are skipped like irrelevant ones, so never
    asked and never stored. ``language`` is the respondent's: the labels
    ``jr:choice-name`` gives are in it. ``now`` is what ``now()`` returns,
    Vietnam's wall-clock time by default (``today`` defaults to its date).
    """
    now = now or local_wall_clock(datetime.now(UTC))
    run = _Run(
        questionnaire,
        answers,
        runtime_choices or {},
        (today or now.date(), now),
        frozenset(carried),
        language,
    )
    if run.errors:
        raise InvalidAnswers(run.errors)
    return run.result


def relevance(
    questionnaire: Questionnaire,
    answers: RawAnswers,
    *,
    runtime_choices: Mapping[str, Collection[str]] | None = None,
    today: date | None = None,
    carried: Collection[str] = (),
    language: str = SOURCE_LANGUAGE,
    now: datetime | None = None,
) -> Relevance:
    """Tell which questions and sections to show, for skip logic and paging.

    Invalid answers count as blank, so a half-filled page never fails here.
    ``carried`` questions are never shown, and ``language`` is as in
    ``validate_answers``.
    """
    now = now or local_wall_clock(datetime.now(UTC))
    run = _Run(
        questionnaire,
        answers,
        runtime_choices or {},
        (today or now.date(), now),
        frozenset(carried),
        language,
    )
    return Relevance(
        frozenset(run.relevant_questions),
        frozenset(run.relevant_sections),
        run.filtered,
    )


class _Invalid(Exception):
    def __init__(self, message: Message) -> None:
        self.message = message


class _Run:
    """One pass over the questionnaire in the order it is asked."""

    def __init__(
        self,
        questionnaire: Questionnaire,
        answers: RawAnswers,
        runtime_choices: Mapping[str, Collection[str]],
        clock: tuple[date, datetime],
        carried: frozenset[str],
        language: str,
    ) -> None:
        self.questionnaire = questionnaire
        self.language = language
        self.answers = answers
        self.runtime_choices = runtime_choices
        self.today, self.now = clock
        self.carried = carried
        self.values: dict[str, Value] = {}
        self.result: dict[str, Answer] = {}
        self.errors: dict[str, Message] = {}
        self.relevant_questions: set[str] = set()
        self.relevant_sections: set[str] = set()
        self.filtered: dict[str, tuple[str, ...]] = {}
        self.visit(questionnaire.items)

    def instances(self, name: str) -> tuple[Item, ...]:
        """Give lookups a list's items (labels in the respondent's language)."""
        return self.questionnaire.instance_items(name, self.language)

    def visit(self, items: tuple[Question | Section, ...]) -> None:
        for item in items:
            if item.name in self.carried:
                continue
            if item.relevant is not None and not item.relevant.holds(
                self.values,
                today=self.today,
                now=self.now,
                choice_label=self.choice_label,
                instances=self.instances,
            ):
                continue
            if isinstance(item, Section):
                self.relevant_sections.add(item.name)
                self.visit(item.items)
            else:
                self.relevant_questions.add(item.name)
                self.question(item)

    def question(self, question: Question) -> None:
        if question.type is QuestionType.NOTE:
            return
        if question.choice_filter is not None:
            self.filtered[question.name] = tuple(self.allowed(question))
        if question.calculation is not None:
            value = question.calculation.evaluate(
                self.values,
                today=self.today,
                now=self.now,
                choice_label=self.choice_label,
                instances=self.instances,
            )
            self.values[question.name] = value
            # NaN and infinities (e.g. from a blank operand) cannot be stored as JSON.
            finite = not isinstance(value, float) or math.isfinite(value)
            self.result[question.name] = value if finite else None
            return
        try:
            answer = self.typed(question)
            if answer is None and question.required:
                raise _Invalid(
                    Message(messages.REQUIRED, wording=question.required_message)
                )
            if answer is not None:
                self.check_constraint(question, answer)
        except _Invalid as invalid:
            self.errors[question.name] = invalid.message
            return
        self.result[question.name] = answer
        if answer is not None:
            self.values[question.name] = _xpath_value(answer)
        elif question.type.is_metadata:
            # ``${today}``, ``${start}``, ``${end}`` a client did not send read the
            # clock of this pass (a birth date's ``. <= ${today}``); the stored
            # values are filled later, outside the content hash.
            today = question.type is QuestionType.TODAY
            self.values[question.name] = self.today if today else self.now

    def check_constraint(self, question: Question, answer: Answer) -> None:
        if question.constraint is None:
            return
        if not question.constraint.holds(
            self.values,
            current=_xpath_value(answer),
            today=self.today,
            now=self.now,
            choice_label=self.choice_label,
            instances=self.instances,
        ):
            raise _Invalid(
                Message(messages.CONSTRAINT_FAILED, wording=question.constraint_message)
            )

    def choice_label(self, question_name: str, value: str) -> str:
        """Label ``value`` in the respondent's language, as ``jr:choice-name`` does."""
        question = self.questionnaire.question(question_name)
        for choice in self.questionnaire.choices_of(question):
            if choice.name == value:
                return choice.label.get(self.language)
        return ""

    def item(self, choice: Choice) -> Item:
        """Give a choice as a filter sees it: its name, label and columns."""
        return {"name": choice.name, "label": choice.label.get(self.language)} | dict(
            choice.data
        )

    def typed(self, question: Question) -> Answer:
        raw = self.answers.get(question.name)
        if question.type is QuestionType.SELECT_MULTIPLE:
            names = _texts(raw, question.text_limit)
            if not names:
                return None
            allowed = self.allowed(question)
            for name in names:
                self.check_choice(question, name, allowed)
            return [name for name in dict.fromkeys(allowed) if name in names]
        text = _single_text(raw, question.text_limit)
        if text is None:
            return None
        if question.type.is_select or question.type is QuestionType.RATING:
            self.check_choice(question, text, self.allowed(question))
            return int(text) if question.type is QuestionType.RATING else text
        return _PARSERS[question.type](text, question)

    def check_choice(self, question: Question, name: str, allowed: list[str]) -> None:
        """Refuse a name not allowed; say so apart when the filter left it out."""
        if name in allowed:
            return
        filtered_out = question.choice_filter is not None and any(
            choice.name == name for choice in self.questionnaire.choices_of(question)
        )
        echo = name if len(name) <= _ECHO_LIMIT else name[:_ECHO_LIMIT] + "…"
        message = messages.NOT_FITTING if filtered_out else messages.NOT_A_CHOICE
        raise _Invalid(Message(message, {"value": repr(echo)}))

    def allowed(self, question: Question) -> list[str]:
        if question.name in self.filtered:
            return list(self.filtered[question.name])
        if question.choice_filter is not None:
            return [
                choice.name
                for choice in self.questionnaire.choices_of(question)
                if question.choice_filter.holds(
                    self.values,
                    today=self.today,
                    now=self.now,
                    choice_label=self.choice_label,
                    item=self.item(choice),
                    instances=self.instances,
                )
            ]
        if question.choices_from is None:
            return [c.name for c in self.questionnaire.choices_of(question)]
        if question.choices_from not in self.runtime_choices:
            raise ValueError(
                f"question {question.name!r} takes its choices from "
                f"{question.choices_from!r}: pass them as runtime_choices"
            )
        return list(self.runtime_choices[question.choices_from])


def _texts(raw: Any, limit: int) -> list[str]:
    """Read a multiple-choice answer: a list, or names separated by spaces."""
    items = raw if isinstance(raw, list | tuple) else [raw]
    names: list[str] = []
    for item in items:
        text = _single_text(item, limit)
        if text is not None:
            names.extend(text.split())
    return names


def _single_text(raw: Any, limit: int) -> str | None:
    if isinstance(raw, list | tuple):
        if len(raw) > 1:
            raise _Invalid(Message(messages.ONE_VALUE_ONLY))
        raw = raw[0] if raw else None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        raw = str(raw)
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise _Invalid(Message(messages.NOT_TEXT))
    text = raw.strip()
    if len(text) > limit:
        raise _Invalid(Message.counting(messages.TOO_LONG, limit))
    return text or None


def _integer(text: str, _question: Question) -> int:
    if not _INTEGER.fullmatch(text):
        raise _Invalid(Message(messages.NOT_AN_INTEGER))
    return _in_range(int(text))


def _decimal(text: str, _question: Question) -> float:
    if not DECIMAL.fullmatch(text):
        raise _Invalid(Message(messages.NOT_A_NUMBER))
    return float(_in_range(float(text)))


def _in_range(number: float) -> Any:
    if abs(number) > MAX_NUMBER:
        raise _Invalid(
            Message(
                messages.OUT_OF_RANGE, {"minimum": -MAX_NUMBER, "maximum": MAX_NUMBER}
            )
        )
    return number


def _date(text: str, _question: Question) -> date:
    if _DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise _Invalid(Message(messages.NOT_A_DATE))


def _text(text: str, _question: Question) -> str:
    return text


def _lexical(
    normalise: Callable[[str], str], wrong_form: str
) -> Callable[[str, Question], str]:
    """Check a time, date-time or geopoint and write it in ODK's lexical form."""
    reasons = {
        "format": wrong_form,
        "zone": messages.BAD_TIME_ZONE,
        "range": messages.GEOPOINT_OUT_OF_RANGE,
    }

    def parse(text: str, _question: Question) -> str:
        try:
            return normalise(text)
        except LexicalError as error:
            raise _Invalid(Message(reasons[error.reason])) from None

    return parse


_PARSERS = {
    QuestionType.INTEGER: _integer,
    QuestionType.DECIMAL: _decimal,
    QuestionType.DATE: _date,
    QuestionType.TEXT: _text,
    QuestionType.TIME: _lexical(normalise_time, messages.NOT_A_TIME),
    QuestionType.DATETIME: _lexical(normalise_datetime, messages.NOT_A_DATETIME),
    QuestionType.GEOPOINT: _lexical(normalise_geopoint, messages.NOT_A_GEOPOINT),
    # Recorded about the interview: an OpenRosa client sends them.
    QuestionType.START: _lexical(normalise_datetime, messages.NOT_A_DATETIME),
    QuestionType.END: _lexical(normalise_datetime, messages.NOT_A_DATETIME),
    QuestionType.TODAY: _date,
}


def _xpath_value(answer: Answer) -> Value:
    if isinstance(answer, list):
        return " ".join(answer)
    if isinstance(answer, int) and not isinstance(answer, bool):
        return float(answer)
    return answer  # type: ignore[return-value]
