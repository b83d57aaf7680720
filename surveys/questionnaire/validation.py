"""Check a browser's raw answers against a questionnaire and type them.

Questions are visited in the order they are asked. Relevance, constraints
and calculations see only the answers before them that were valid, the way
a form filled in from top to bottom does. ``default`` is a value the form
shows pre-filled; it is not applied to a missing answer here.

A repeat (a household roster) is answered row by row: each row is checked
as a little form of its own, where ``${name}`` of a question of the same
repeat is that row's answer, and everything outside the repeat sees all rows
(``count(${roster})``, ``sum(${age})``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from surveys.local_time import local_wall_clock
from surveys.questionnaire import messages
from surveys.questionnaire.choice_index import equality_filter, options_by_column
from surveys.questionnaire.errors import InvalidAnswers
from surveys.questionnaire.expressions import (
    Expression,
    Item,
    Nodes,
    Row,
    Value,
    to_number,
)
from surveys.questionnaire.lexical import (
    DECIMAL,
    LexicalError,
    normalise_datetime,
    normalise_geopoint,
    normalise_time,
)
from surveys.questionnaire.model import (
    MAX_REPEAT_ROWS,
    Choice,
    Question,
    Questionnaire,
    QuestionType,
    Repeat,
    Section,
    walk,
)
from surveys.translatable import SOURCE_LANGUAGE, Message

#: One question's raw answer: text, a list of texts for multiple choice, or None.
RawValue = str | list[str] | None
#: One row of a repeat: its questions' raw answers, by name.
RawRow = Mapping[str, RawValue]
#: What a browser or an OpenRosa instance sends, by question name: a
#: ``RawValue`` per question outside repeats, and per repeat (by the repeat's
#: name) the list of its rows in order, each a ``RawRow``::
#:
#:     {"household_size": "2",
#:      "members": [{"member_name": "Lan", "age": "34"},
#:                  {"member_name": "Minh", "age": "7"}]}
#:
#: Row ``i`` (1-based) is ODK's ``/data/members[i]``. A repeat without a
#: ``repeat_count`` takes as many rows as are sent, up to ``MAX_REPEAT_ROWS``;
#: with one, exactly that many (missing rows are blank, extra ones dropped).
RawAnswers = Mapping[str, RawValue | Sequence[RawRow]]
#: A typed answer: int, float, str, date, list of choice names, or None if
#: blank; a repeat's is its rows, each mapping its questions to typed answers.
#: Times, date-times and geopoints are str, in ODK's lexical forms
#: (``surveys.questionnaire.lexical``).
Answer = int | float | str | date | list[str] | bool | list[dict[str, Any]] | None

#: Whole numbers and decimals above this size are refused as out of range.
MAX_NUMBER = 10**15 - 1
_INTEGER = re.compile(r"[+-]?\d+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ECHO_LIMIT = 40


def row_key(name: str, position: int) -> str:
    """Name a question (or group) of a repeat in one row: ``age[2]``, as ODK's path.

    Errors, relevance and the survey page's fields use it; a name never holds
    ``[``, so it cannot clash with a question's own name.
    """
    return f"{name}[{position}]"


@dataclass(frozen=True)
class Relevance:
    """Which questions and sections apply, given the answers so far.

    In a repeat, they are named per row (``row_key``); ``rows`` gives each
    relevant repeat's number of rows.
    """

    questions: frozenset[str]
    sections: frozenset[str]
    rows: Mapping[str, int] = field(default_factory=dict)
    #: The options a ``choice_filter`` lets through, by relevant question (in a
    #: repeat, by ``row_key``: each row filters on its own answers).
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
        run.rows,
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
        self.rows: dict[str, int] = {}
        self.filtered: dict[str, tuple[str, ...]] = {}
        #: Where the visit is: the raw answers read, the typed ones written, and
        #: the repeat row (None outside repeats).
        self.raw: Mapping[str, Any] = answers
        self.typed_answers = self.result
        self.row: Row | None = None
        self.row_values: dict[str, Value] = {}
        # A repeat skipped by its relevance has no rows: empty node-sets.
        none = Nodes(())
        self.values.update(dict.fromkeys(questionnaire.repeated, none))
        self.values.update(dict.fromkeys((r.name for r in questionnaire.repeats), none))
        self.visit(questionnaire.items)

    def instances(self, name: str) -> tuple[Item, ...]:
        """Give lookups a list's items (labels in the respondent's language)."""
        return self.questionnaire.instance_items(name, self.language)

    def scope(self) -> dict[str, Any]:
        """What an expression reads besides the answers, where the visit is: the
        clock, choice labels and lists in the respondent's language, the row."""
        return {
            "today": self.today,
            "now": self.now,
            "choice_label": self.choice_label,
            "instances": self.instances,
            "row": self.row,
        }

    def key(self, name: str) -> str:
        """Name an item where the visit is: ``age[2]`` in a repeat's second row."""
        return name if self.row is None else row_key(name, self.row.position)

    def holds(self, item: Question | Section) -> bool:
        return item.relevant is None or item.relevant.holds(self.values, **self.scope())

    def visit(self, items: tuple[Question | Section, ...]) -> None:
        for item in items:
            if item.name in self.carried or not self.holds(item):
                continue
            if isinstance(item, Repeat):
                self.relevant_sections.add(item.name)
                self.repeat(item)
            elif isinstance(item, Section):
                self.relevant_sections.add(self.key(item.name))
                self.visit(item.items)
            else:
                self.relevant_questions.add(self.key(item.name))
                self.question(item)

    def repeat(self, repeat: Repeat) -> None:
        """Check each row of a repeat; outside it, its questions are node-sets."""
        raw = self.raw.get(repeat.name)
        if raw is None:
            raw = []
        if not isinstance(raw, list | tuple) or not all(
            isinstance(row, Mapping) for row in raw
        ):
            self.errors[repeat.name] = Message(messages.NOT_ROWS)
            return
        if repeat.count is not None:
            wanted = to_number(repeat.count.evaluate(self.values, **self.scope()))
            count = (
                0 if math.isnan(wanted) else int(min(max(wanted, 0), MAX_REPEAT_ROWS))
            )
            raw = [*raw[:count], *[{}] * (count - len(raw))]
        elif len(raw) > MAX_REPEAT_ROWS:
            self.errors[repeat.name] = Message(
                messages.TOO_MANY_ROWS, {"maximum": MAX_REPEAT_ROWS}
            )
            return
        self.rows[repeat.name] = len(raw)
        names = frozenset(
            item.name for item in walk(repeat.items) if isinstance(item, Question)
        )
        blank = Nodes(("",) * len(raw))
        self.values.update(dict.fromkeys([repeat.name, *names], blank))
        rows: list[dict[str, Any]] = []
        self.result[repeat.name] = rows
        for position, raw_row in enumerate(raw, start=1):
            self.raw, self.typed_answers = raw_row, {}
            self.row_values = {}
            self.row = Row(names, self.row_values, position)
            self.visit(repeat.items)
            rows.append(self.typed_answers)
            for name, value in self.row_values.items():
                seen = list(_nodes(self.values[name]))
                seen[position - 1] = value
                self.values[name] = Nodes(tuple(seen))
        self.raw, self.typed_answers, self.row = self.answers, self.result, None

    def remember(self, name: str, value: Value) -> None:
        """Keep a value for the expressions after it (in the row, in a repeat)."""
        if self.row is None:
            self.values[name] = value
        else:
            self.row_values[name] = value

    def question(self, question: Question) -> None:
        if question.type is QuestionType.NOTE:
            return
        if question.choice_filter is not None:
            self.filtered[self.key(question.name)] = tuple(self.allowed(question))
        if question.calculation is not None:
            value = question.calculation.evaluate(self.values, **self.scope())
            self.remember(question.name, value)
            # NaN and infinities (e.g. from a blank operand) cannot be stored as JSON.
            finite = not isinstance(value, float) or math.isfinite(value)
            if isinstance(value, Nodes):
                value = ""  # unreachable: the schema lets no node-set through
            self.typed_answers[question.name] = value if finite else None
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
            self.errors[self.key(question.name)] = invalid.message
            return
        self.typed_answers[question.name] = answer
        if answer is not None:
            self.remember(question.name, _xpath_value(answer))
        elif question.type.is_metadata:
            # ``${today}``, ``${start}``, ``${end}`` a client did not send read the
            # clock of this pass (a birth date's ``. <= ${today}``); the stored
            # values are filled later, outside the content hash.
            today = question.type is QuestionType.TODAY
            self.remember(question.name, self.today if today else self.now)

    def check_constraint(self, question: Question, answer: Answer) -> None:
        if question.constraint is None:
            return
        if not question.constraint.holds(
            self.values,
            current=_xpath_value(answer),
            **self.scope(),
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
        raw = self.raw.get(question.name)
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

    def indexed(
        self, question: Question, choice_filter: Expression
    ) -> list[str] | None:
        """Answer a ``column = ${question}`` filter from its index, or None."""
        equality = equality_filter(choice_filter)
        if equality is None:
            return None
        answer = equality.answer.evaluate(self.values, **self.scope())
        if type(answer) is not str:
            return None
        index = options_by_column(
            self.questionnaire, question, equality.column, self.language, self.item
        )
        return list(index.get(answer, ()))

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
        if self.key(question.name) in self.filtered:
            return list(self.filtered[self.key(question.name)])
        if question.choice_filter is not None:
            indexed = self.indexed(question, question.choice_filter)
            if indexed is not None:
                return indexed
            return [
                choice.name
                for choice in self.questionnaire.choices_of(question)
                if question.choice_filter.holds(
                    self.values,
                    **self.scope(),
                    item=self.item(choice),
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
    if "\x00" in raw:
        raise _Invalid(Message(messages.INVALID_CHARACTER))
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


def _nodes(value: Value) -> tuple[Value, ...]:
    return value.values if isinstance(value, Nodes) else (value,)


def _xpath_value(answer: Answer) -> Value:
    if isinstance(answer, list):
        return " ".join(answer)
    if isinstance(answer, int) and not isinstance(answer, bool):
        return float(answer)
    return answer  # type: ignore[return-value]
