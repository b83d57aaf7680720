"""A campaign's responses as a statistical dataset: variables, labels, values.

What SPSS and Stata read (``app.reports.stat_files`` writes them): one numeric
or text variable per column, each with a label, and for options their value
labels, so that an analyst reads "Hài lòng" where the file holds 4 without the
questionnaire beside it.

One variable per question outside repeats, named as the question once made a
name both programs take (``safe_names``); its label the question's in the
chosen language. Options are numbers with value labels: a rating its 1 to 5;
a select_one whose options are all whole numbers those numbers, else its
options numbered 1 to k in the questionnaire's order; a select_multiple one
0/1 variable per option (``reasons__waiting``, "question: option"). A choice
of official, whose options are the officials of the day, stays their codes.

Before the answers: the response's id, unit and counter codes, the day it was
sent (Vietnam's calendar), the questionnaire version answered, and the design
fields (stratum, cluster, weight). The rules of every export apply
(``surveys.exchange.anonymised``): free text masked, locations rounded, hidden
comments blank, the questions about officials only for readers who may see
them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.exchange.anonymised import (
    anonymiser,
    exported_questions,
    with_hidden_comments,
)
from surveys.local_time import local_date
from surveys.models import Campaign, Response
from surveys.models import Questionnaire as StoredQuestionnaire
from surveys.questionnaire import Question, Questionnaire, QuestionType
from surveys.questionnaire.versions import definition_of
from surveys.storage.answers import MULTIPLE_SEPARATOR
from surveys.storage.exports import RECORD_FIELDS, exported_responses
from surveys.translatable import Text

#: Longest variable name SPSS and Stata both take.
MAX_NAME = 32
#: What joins a select_multiple's name to an option's in its 0/1 variable.
OPTION_JOINER = "__"
#: The variable of the day the response was sent, a ``date``.
DATE_VARIABLE = "submitted_on"
#: Labels of the language a file is labelled in unless asked otherwise.
DEFAULT_LABELS = "vi"

#: The design fields of a response, read beside its answers.
_DESIGN = (
    Response.questionnaire_id,
    Response.stratum,
    Response.cluster,
    Response.weight,
)
_NOT_SAFE = re.compile(r"[^A-Za-z0-9_]+")


@dataclass(frozen=True)
class Variable:
    """One column of the dataset: its safe name, label and value labels."""

    name: str
    label: str
    #: True for numbers (codes of options included), False for text.
    numeric: bool
    #: Each option's number and label; empty where the values are not options.
    value_labels: Mapping[int, str] = field(default_factory=dict)


#: The variables every dataset starts with: name, numeric, label.
_FIXED = (
    ("response_id", True, Text({"vi": "Mã phiếu trả lời", "en": "Response id"})),
    ("unit_code", False, Text({"vi": "Mã đơn vị", "en": "Unit code"})),
    ("counter_code", False, Text({"vi": "Mã quầy", "en": "Counter code"})),
    (
        "submitted_on",
        True,
        Text({"vi": "Ngày gửi (giờ Việt Nam)", "en": "Date sent (Vietnam time)"}),
    ),
    (
        "questionnaire_version",
        True,
        Text({"vi": "Phiên bản bảng hỏi", "en": "Questionnaire version"}),
    ),
    ("verified", True, Text({"vi": "Đã xác thực", "en": "Verified"})),
    ("excluded", True, Text({"vi": "Bị loại", "en": "Excluded"})),
    ("stratum", False, Text({"vi": "Tầng", "en": "Stratum"})),
    ("cluster", False, Text({"vi": "Cụm", "en": "Cluster"})),
    ("weight", True, Text({"vi": "Trọng số", "en": "Weight"})),
)
#: Labels of a 0/1 variable (a select_multiple's option, verified, excluded).
_YES_NO = {"vi": {0: "Không", 1: "Có"}, "en": {0: "No", 1: "Yes"}}


@dataclass(frozen=True)
class Dataset:
    """A campaign's responses as variables and their rows, page by page.

    ``pages`` is read once: each page a list of rows, each row a list of values
    in ``variables`` order (None missing; ``submitted_on`` a ``date``).
    """

    variables: tuple[Variable, ...]
    pages: Iterator[list[list[Any]]]


def safe_names(names: Sequence[str]) -> list[str]:
    """Make each name one SPSS and Stata both take, keeping them apart.

    ASCII letters, digits and underscores (accents dropped, đ as d, anything
    else an underscore), starting with a letter (else ``v`` is put before it),
    at most ``MAX_NAME`` long; a name already taken gets ``_2``, ``_3``...
    """
    taken: set[str] = set()
    safe = []
    for name in names:
        plain = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
        plain = _NOT_SAFE.sub("_", plain.encode("ascii", "ignore").decode())
        plain = plain.strip("_") or "v"
        if not plain[0].isalpha():
            plain = f"v{plain}"
        candidate, number = plain[:MAX_NAME], 1
        while candidate.lower() in taken:
            number += 1
            suffix = f"_{number}"
            candidate = plain[: MAX_NAME - len(suffix)] + suffix
        taken.add(candidate.lower())
        safe.append(candidate)
    return safe


def response_dataset(
    session: Session,
    campaign: Campaign,
    unit_ids: Sequence[int] | None,
    between: tuple[datetime, datetime] | None,
    *,
    with_officials: bool,
    language: str = DEFAULT_LABELS,
    page_size: int = 5000,
) -> Dataset:
    """Describe the campaign's kept responses of ``unit_ids`` as a dataset.

    ``language`` labels variables and values (a label missing in it is given in
    Vietnamese); ``with_officials`` as for ``exported_questions``.
    """
    questionnaire = definition_of(campaign.questionnaire)
    questions = exported_questions(questionnaire, with_officials)
    columns = [_Column.of(questionnaire, questionnaire.question(name), language)
               for name in questions]  # fmt: skip
    yes_no = _YES_NO.get(language, _YES_NO[DEFAULT_LABELS])
    fixed = [
        Variable(
            name,
            texts.get(language),
            numeric,
            yes_no if name in ("verified", "excluded") else {},
        )
        for name, numeric, texts in _FIXED
    ]
    wanted = [name for column in columns for name in column.names]
    named = dict(
        zip(
            wanted,
            safe_names([v.name for v in fixed] + wanted)[len(fixed) :],
            strict=True,
        )
    )
    variables = [*fixed]
    for column in columns:
        for name, label, numeric, value_labels in column.variables(yes_no):
            variables.append(Variable(named[name], label, numeric, value_labels))
    versions = version_numbers(session, campaign.questionnaire.key)
    pages = exported_responses(
        session,
        campaign.id,
        questions,
        unit_ids=unit_ids,
        between=between,
        page_size=page_size,
        extra=_DESIGN,
    )
    return Dataset(
        tuple(variables),
        _rows(with_hidden_comments(session, pages), questions, columns, versions),
    )


def version_numbers(session: Session, key: str) -> dict[int, int]:
    """Return the version number of each stored version of a questionnaire, by id:
    a response keeps the id of the version it answered."""
    return dict(
        session.execute(
            select(StoredQuestionnaire.id, StoredQuestionnaire.version).where(
                StoredQuestionnaire.key == key
            )
        ).all()
    )


def _rows(
    pages: Iterator[tuple[list[list[Any]], dict[int, set[str]]]],
    questions: Sequence[str],
    columns: Sequence[_Column],
    versions: Mapping[int, int],
) -> Iterator[list[list[Any]]]:
    """Turn each page of ``exported_responses`` into the dataset's rows."""
    first = len(RECORD_FIELDS)
    design = first + len(questions)
    for page, hidden in pages:
        rows = []
        for record in page:
            answers = record[first:design]
            for name in hidden.get(record[0], ()):
                if name in questions:
                    answers[questions.index(name)] = None
            version, stratum, cluster, weight = record[design:]
            row = [
                record[0],
                record[1],
                record[2],
                local_date(record[3]),
                versions.get(version),
                record[4],
                record[6],
                stratum,
                cluster,
                weight,
            ]
            for column, value in zip(columns, answers, strict=True):
                column.write(row, value)
            rows.append(row)
        yield rows


@dataclass(frozen=True)
class _Column:
    """How one question becomes one or more variables, and its answer values."""

    question: Question
    label: str
    #: Each option's code and label, for questions with fixed options.
    options: tuple[tuple[str, str], ...]
    #: Option code to the number written; empty: the answer is written as is.
    numbers: Mapping[str, int]
    #: How a text answer is written (masked, rounded), if not as is.
    shown: Callable[[str | float], str | float] | None

    @classmethod
    def of(
        cls, questionnaire: Questionnaire, question: Question, language: str
    ) -> _Column:
        """Read how ``question`` is written from the questionnaire."""
        options: tuple[tuple[str, str], ...] = ()
        numbers: dict[str, int] = {}
        chosen = question.type.is_select or question.type is QuestionType.RATING
        if chosen and not question.choices_from:
            options = tuple(
                (c.name, c.label.get(language) or c.name)
                for c in questionnaire.choices_of(question)
            )
        if options and question.type is not QuestionType.SELECT_MULTIPLE:
            codes = [code for code, _ in options]
            if all(re.fullmatch(r"-?\d+", code) for code in codes):
                numbers = {code: int(code) for code in codes}
            else:
                numbers = {code: number for number, code in enumerate(codes, 1)}
        shown = anonymiser(question)
        label = question.label.get(language) or question.name
        return cls(question, label, options, numbers, shown)

    @property
    def several(self) -> bool:
        """Tell whether each option is a 0/1 variable of its own."""
        return bool(self.options) and self.question.type is QuestionType.SELECT_MULTIPLE

    @property
    def names(self) -> list[str]:
        """Name the variables wanted, before they are made safe."""
        name = self.question.name
        if self.several:
            return [f"{name}{OPTION_JOINER}{code}" for code, _ in self.options]
        return [name]

    def variables(
        self, yes_no: Mapping[int, str]
    ) -> Iterator[tuple[str, str, bool, Mapping[int, str]]]:
        """Give each variable's wanted name, label, kind and value labels."""
        if self.several:
            for name, (_, label) in zip(self.names, self.options, strict=True):
                yield name, f"{self.label}: {label}", True, yes_no
            return
        numeric = bool(self.numbers) or self.question.type in (
            QuestionType.INTEGER,
            QuestionType.DECIMAL,
        )
        value_labels = {
            self.numbers[code]: label
            for code, label in self.options
            if code in self.numbers
        }
        yield self.question.name, self.label, numeric, value_labels

    def write(self, row: list[Any], value: str | float | None) -> None:
        """Append the answer's values to ``row``: one, or a 0/1 per option."""
        if self.several:
            chosen = (
                set(str(value).split(MULTIPLE_SEPARATOR)) if value is not None else None
            )
            row += [
                None if chosen is None else int(code in chosen)
                for code, _ in self.options
            ]
        elif value is None:
            row.append(None)
        elif self.numbers:
            row.append(self.numbers.get(str(value)))
        elif self.question.type in (QuestionType.INTEGER, QuestionType.DECIMAL):
            row.append(value if not isinstance(value, str) else float(value))
        else:
            # Text whatever was stored: a typed "0912" is kept as a number.
            row.append(str(value if self.shown is None else self.shown(value)))
