"""A campaign's responses as a dataset: its columns, their labels, their values.

The one definition of the columns of every export of responses: the CSV and
XLSX (``app.reports.csv``, ``app.reports.responses_xlsx``), SPSS and Stata
(``app.reports.stat_files``) and the codebook listing them
(``app.reports.codebook``) all take their columns from ``dataset_variables``
and their rows from ``response_dataset``, so that no format names, orders or
writes a column its own way.

Before the answers: the response's id, unit and counter codes, the day it was
sent (Vietnam's calendar) and its quarter, the questionnaire version answered,
the channel it came by (``response_channel``: a campaign's mode, or ``paper``
for a form keyed in; named so as not to clash with a question ``channel``, as
SIPAS's), whether it was verified, its quality flags, whether it was excluded,
and the design fields (stratum, cluster, weight). Then the questions outside
repeats, a column each, named as the question; a select_multiple one 0/1 column
per option (``reasons__waiting``, "question: option") or, asked for, one cell
of its codes (or labels) as stored. The rules of every export apply
(``surveys.exchange.anonymised``): free text masked, locations rounded, hidden
comments blank, the questions about officials only for readers who may see
them.

Options are written one of three ways (``VALUES``): numbers with value labels
for SPSS and Stata (a rating its 1 to 5; a select_one whose options are all
whole numbers those numbers, else its options numbered 1 to k in the
questionnaire's order), so that an analyst reads "Hài lòng" where the file
holds 4 without the questionnaire beside it; or the codes as stored; or their
labels in the chosen language. A choice of official, whose options are the
officials of the day, stays their codes. Each column also has a name both SPSS
and Stata take (``safe_names``), the same as its CSV name where that one is.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.exchange.anonymised import (
    anonymiser,
    exported_questions,
    with_hidden_comments,
)
from surveys.local_time import local_date
from surveys.models import Campaign, Response, ResponseChannel
from surveys.models import Questionnaire as StoredQuestionnaire
from surveys.questionnaire import Question, Questionnaire, QuestionType
from surveys.questionnaire.versions import definition_of
from surveys.storage.answers import MULTIPLE_SEPARATOR
from surveys.storage.exports import RECORD_FIELDS, Columns, exported_responses
from surveys.storage.tallies import period_of
from surveys.translatable import Text

#: Longest variable name SPSS and Stata both take.
MAX_NAME = 32
#: What joins a select_multiple's name to an option's in its 0/1 variable.
OPTION_JOINER = "__"
#: The variable of the day the response was sent, a ``date``.
DATE_VARIABLE = "submitted_on"
#: The variable of the channel a response came by (``CHANNELS``).
CHANNEL_VARIABLE = "response_channel"
#: Labels of the language a file is labelled in unless asked otherwise.
DEFAULT_LABELS = "vi"
#: How options are written: numbers with value labels (SPSS, Stata), the codes
#: as stored, or their labels in the chosen language.
VALUES = ("numbers", "codes", "labels")
#: How a select_multiple is laid out: a 0/1 column per option, or one cell.
LAYOUTS = ("columns", "cell")
#: How a select_multiple's labels are joined in one cell (its codes: by spaces).
LABEL_SEPARATOR = "; "

#: What a response's record holds beyond ``RECORD_FIELDS``, read beside its
#: answers: the version answered, the channel, the design fields (the JSON
#: API's listing reads them too, ``response_listing``).
RECORD_MORE = (
    Response.questionnaire_id,
    Response.channel,
    Response.stratum,
    Response.cluster,
    Response.weight,
)
_NOT_SAFE = re.compile(r"[^A-Za-z0-9_]+")


@dataclass(frozen=True)
class Variable:
    """One column of the dataset: its names, label and what its values mean."""

    #: The name SPSS and Stata take (``safe_names``).
    name: str
    label: str
    #: True for numbers (codes of options included), False for text.
    numeric: bool
    #: Each option's number and label; empty where the values are not options.
    value_labels: Mapping[int, str] = field(default_factory=dict)
    #: The column's name in the CSV and XLSX, as the questionnaire names it.
    header: str = ""
    #: What the column holds: a question's type, or the record's (``_FIXED``).
    kind: str = ""
    #: The question answered, for a column of answers.
    question: str = ""
    #: For a select_multiple's 0/1 column: the option it says was chosen.
    option: str = ""
    #: Each option a value may be: its code, its number (numbers only) and label.
    choices: tuple[tuple[str, int | None, str], ...] = ()

    @property
    def holds_days(self) -> bool:
        """Tell whether the values are ``date``s, the date sent: a date
        question's answers (kind "date" too) are written as text."""
        return self.kind == "date" and self.numeric


#: The variables every dataset starts with: name, numeric, label, what it holds.
_FIXED = (
    ("response_id", True, Text({"vi": "Mã phiếu trả lời", "en": "Response id"}),
     "integer"),
    ("unit_code", False, Text({"vi": "Mã đơn vị", "en": "Unit code"}), "text"),
    ("counter_code", False, Text({"vi": "Mã quầy", "en": "Counter code"}), "text"),
    (DATE_VARIABLE, True,
     Text({"vi": "Ngày gửi (giờ Việt Nam)", "en": "Date sent (Vietnam time)"}),
     "date"),
    ("quarter", False, Text({"vi": "Quý gửi", "en": "Quarter sent"}), "text"),
    ("questionnaire_version", True,
     Text({"vi": "Phiên bản bảng hỏi", "en": "Questionnaire version"}), "integer"),
    (CHANNEL_VARIABLE, True,
     Text({"vi": "Kênh thu thập phiếu", "en": "Response channel"}), "select_one"),
    ("verified", True, Text({"vi": "Đã xác thực", "en": "Verified"}), "0/1"),
    ("flags", False,
     Text({"vi": "Dấu hiệu chất lượng", "en": "Quality flags"}), "text"),
    ("excluded", True, Text({"vi": "Bị loại", "en": "Excluded"}), "0/1"),
    ("stratum", False, Text({"vi": "Tầng", "en": "Stratum"}), "text"),
    ("cluster", False, Text({"vi": "Cụm", "en": "Cluster"}), "text"),
    ("weight", True, Text({"vi": "Trọng số", "en": "Weight"}), "decimal"),
)  # fmt: skip
#: The name of each channel a response comes by (``Response.channel``).
_CHANNEL_NAMES = {
    ResponseChannel.COUNTER: Text({"vi": "Tại quầy", "en": "At a counter"}),
    ResponseChannel.DOSSIER: Text({"vi": "Theo hồ sơ", "en": "With a dossier"}),
    ResponseChannel.INVITATION: Text({"vi": "Thư mời", "en": "By invitation"}),
    ResponseChannel.INTERVIEWER:
        Text({"vi": "Điều tra viên", "en": "By an interviewer"}),
    ResponseChannel.OPEN_LINK:
        Text({"vi": "Đường dẫn công khai", "en": "Open link"}),
    ResponseChannel.PAPER: Text({"vi": "Phiếu giấy", "en": "Paper form"}),
}  # fmt: skip
#: The channels with their labels, numbered 1, 2, … in ``ResponseChannel``'s
#: order for SPSS and Stata (a channel without a name fails here, at import).
CHANNELS = tuple(
    (channel.value, _CHANNEL_NAMES[channel]) for channel in ResponseChannel
)
#: The names of the columns every export starts with, before the answers.
RECORD_COLUMNS = tuple(name for name, *_ in _FIXED)
#: Labels of a 0/1 variable (a select_multiple's option, verified, excluded).
_YES_NO = {"vi": {0: "Không", 1: "Có"}, "en": {0: "No", 1: "Yes"}}


@dataclass(frozen=True)
class Dataset:
    """A campaign's responses as variables and their values, page by page.

    ``pages`` is read once: each page a list of columns in ``variables``
    order, each the values of one variable for the page's responses (None
    missing; ``submitted_on`` a ``date``). A writer makes a page's rows as it
    writes them (``zip(*page)``): rows kept for a page were scanned again and
    again by the cyclic garbage collector (``exported_responses``).
    """

    variables: tuple[Variable, ...]
    pages: Iterator[Columns]


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


def dataset_variables(
    questionnaire: Questionnaire,
    *,
    with_officials: bool,
    language: str = DEFAULT_LABELS,
    values: str = "numbers",
    multiple: str = "columns",
) -> tuple[Variable, ...]:
    """Describe the columns of an export of ``questionnaire``'s responses.

    ``language`` labels variables and values (a label missing in it is given in
    Vietnamese); ``values`` and ``multiple`` as in ``VALUES`` and ``LAYOUTS``;
    ``with_officials`` as for ``exported_questions``.
    """
    return _described(questionnaire, with_officials, language, values, multiple)[0]


def _described(
    questionnaire: Questionnaire,
    with_officials: bool,
    language: str,
    values: str,
    multiple: str,
) -> tuple[tuple[Variable, ...], list[str], list[_Column]]:
    """Give the variables, the questions exported and how each is written."""
    if values not in VALUES or multiple not in LAYOUTS:
        raise ValueError(f"values {values!r} or layout {multiple!r} unknown")
    questions = exported_questions(questionnaire, with_officials)
    columns = [
        _Column.of(questionnaire, questionnaire.question(name), language, values,
                   multiple)
        for name in questions
    ]  # fmt: skip
    yes_no = _YES_NO.get(language, _YES_NO[DEFAULT_LABELS])
    fixed = [
        Variable(
            name,
            texts.get(language),
            numeric,
            yes_no if kind == "0/1" else {},
            header=name,
            kind=kind,
        )
        for name, numeric, texts, kind in _FIXED
    ]
    fixed = [
        _channel_variable(v, language, values) if v.name == CHANNEL_VARIABLE else v
        for v in fixed
    ]
    wanted = [name for column in columns for name in column.names]
    safe = safe_names([v.name for v in fixed] + wanted)[len(fixed) :]
    named = dict(zip(wanted, safe, strict=True))
    variables = [*fixed]
    for column in columns:
        for variable in column.variables(yes_no):
            variables.append(replace(variable, name=named[variable.header]))
    return tuple(variables), questions, columns


def response_dataset(
    session: Session,
    campaign: Campaign,
    unit_ids: Sequence[int] | None,
    between: tuple[datetime, datetime] | None,
    *,
    with_officials: bool,
    language: str = DEFAULT_LABELS,
    values: str = "numbers",
    multiple: str = "columns",
    page_size: int = 5000,
) -> Dataset:
    """Describe the campaign's kept responses of ``unit_ids`` as a dataset.

    The variables are ``dataset_variables``'s; each page holds a column of
    values per variable, in their order (``Dataset``).
    """
    questionnaire = definition_of(campaign.questionnaire)
    variables, questions, columns = _described(
        questionnaire, with_officials, language, values, multiple
    )
    versions = version_numbers(session, campaign.questionnaire.key)
    pages = exported_responses(
        session,
        campaign.id,
        questions,
        unit_ids=unit_ids,
        between=between,
        page_size=page_size,
        extra=RECORD_MORE,
    )
    channel = _channel_writer(language, values)
    return Dataset(
        variables,
        _written_pages(
            with_hidden_comments(session, pages), questions, columns, versions, channel
        ),
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


def _written_pages(
    pages: Iterator[tuple[Columns, dict[int, set[str]]]],
    questions: Sequence[str],
    columns: Sequence[_Column],
    versions: Mapping[int, int],
    channel: Callable[[str], Any] | None,
) -> Iterator[Columns]:
    """Turn each page of ``exported_responses`` into the dataset's columns
    (``channel``: how a channel is written; None: its code).

    Column by column: an answer written as stored is the page's own column, a
    written one a loop over it, and no list is made per response (the CSV of
    a million responses reads its values here).
    """
    first = len(RECORD_FIELDS)
    more = first + len(questions)
    #: Each day's quarter, written once a day rather than once a response.
    quarters: dict[date, str] = {}
    for page, hidden in pages:
        ids, units, counters, sent, verified, flags, excluded = page[:first]
        version_ids, channels, *design = page[more:]  # ``RECORD_MORE``
        days = [local_date(instant) for instant in sent]
        dataset = [  # in ``_FIXED``'s order
            ids,
            units,
            counters,
            days,
            [
                quarters.get(day) or quarters.setdefault(day, period_of(instant))
                for day, instant in zip(days, sent, strict=True)
            ],
            [versions.get(version) for version in version_ids],
            channels if channel is None else list(map(channel, channels)),
            verified,
            [" ".join(names) for names in flags],
            excluded,
            *design,
        ]
        blanked = _hidden_blanked(page, hidden, questions)
        for index, column in enumerate(columns, first):
            dataset.extend(column.written_all(blanked.get(index, page[index])))
        yield dataset


def _channel_variable(variable: Variable, language: str, values: str) -> Variable:
    """Describe the channel's variable as ``values`` writes it: numbers with
    value labels (SPSS, Stata), or text (codes, or labels in ``language``)."""
    numbered = values == "numbers"
    labels = {
        number: text.get(language) for number, (_, text) in enumerate(CHANNELS, 1)
    }
    return replace(
        variable,
        numeric=numbered,
        value_labels=labels if numbered else {},
        choices=tuple(
            (code, number if numbered else None, labels[number])
            for number, (code, _) in enumerate(CHANNELS, 1)
        ),
    )


def _channel_writer(language: str, values: str) -> Callable[[str], Any] | None:
    """Tell how a channel is written: its number (None for one not known), its
    label in ``language`` (the code for one not known); None: its code."""
    if values == "numbers":
        numbers = {code: number for number, (code, _) in enumerate(CHANNELS, 1)}
        return numbers.get
    if values == "labels":
        labels = {code: text.get(language) for code, text in CHANNELS}
        return lambda code: labels.get(code, code)
    return None


def _hidden_blanked(
    page: Columns, hidden: Mapping[int, set[str]], questions: Sequence[str]
) -> dict[int, list[Any]]:
    """Give the columns of answers that hold comments hidden from reports, by
    their place in the page, with those comments left blank."""
    blanked: dict[int, list[Any]] = {}
    if not hidden:
        return blanked
    place = {response_id: row for row, response_id in enumerate(page[0])}
    first = len(RECORD_FIELDS)
    for response_id, names in hidden.items():
        for name in names:
            if name in questions:
                index = first + questions.index(name)
                column = blanked.setdefault(index, list(page[index]))
                column[place[response_id]] = None
    return blanked


@dataclass(frozen=True)
class _Column:
    """How one question becomes one or more variables, and its answer values."""

    question: Question
    label: str
    #: Each option's code and label, for questions with fixed options.
    options: tuple[tuple[str, str], ...]
    #: Option code to the number written (``numbers`` only).
    numbers: Mapping[str, int]
    #: True: a select_multiple's options are a 0/1 column each.
    several: bool
    #: True: the values are numbers (codes of options as numbers included).
    numeric: bool
    #: How a stored answer is written; None: as it is.
    written: Callable[[Any], Any] | None

    @classmethod
    def of(
        cls,
        questionnaire: Questionnaire,
        question: Question,
        language: str,
        values: str,
        multiple: str,
    ) -> _Column:
        """Read how ``question`` is written from the questionnaire."""
        kind = question.type
        options: tuple[tuple[str, str], ...] = ()
        numbers: dict[str, int] = {}
        if (
            kind.is_select or kind is QuestionType.RATING
        ) and not question.choices_from:
            options = tuple(
                (c.name, c.label.get(language) or c.name)
                for c in questionnaire.choices_of(question)
            )
        several = bool(options) and kind is QuestionType.SELECT_MULTIPLE
        if several and multiple == "columns":
            codes = [code for code, _ in options]
            written: Callable[[Any], Any] | None = functools.partial(_chosen, codes)
            return cls(question, question.label.get(language) or question.name,
                       options, numbers, True, True, written)  # fmt: skip
        numbered = values == "numbers"
        if options and numbered and not several:
            codes = [code for code, _ in options]
            if all(re.fullmatch(r"-?\d+", code) for code in codes):
                numbers = {code: int(code) for code in codes}
            else:
                numbers = {code: number for number, code in enumerate(codes, 1)}
            written = functools.partial(_number_of, numbers)
        elif options and values == "labels":
            written = functools.partial(_labelled, dict(options), several)
        else:
            written = anonymiser(question)
        as_number = kind in (QuestionType.INTEGER, QuestionType.DECIMAL)
        if numbered and not numbers and not as_number:
            # Text whatever was stored: a typed "0912" is kept as a number.
            written = str if written is None else _then_text(written)
        elif numbered and as_number:
            written = float
        numeric = bool(numbers) or as_number
        label = question.label.get(language) or question.name
        return cls(question, label, options, numbers, False, numeric, written)

    def written_all(self, values: Sequence[Any]) -> list[Sequence[Any]]:
        """Write one column of stored answers as the variables' columns: itself
        if written as stored, a select_multiple's 0/1 a column per option
        (missing where it was not answered)."""
        written = self.written
        if written is None:
            return [values]
        if not self.several:
            return [[None if v is None else written(v) for v in values]]
        unanswered = (None,) * len(self.options)
        return list(
            zip(
                *[unanswered if v is None else written(v) for v in values],
                strict=True,
            )
        )

    @property
    def names(self) -> list[str]:
        """Name the columns, as the CSV does (before they are made safe)."""
        name = self.question.name
        if self.several:
            return [f"{name}{OPTION_JOINER}{code}" for code, _ in self.options]
        return [name]

    def variables(self, yes_no: Mapping[int, str]) -> Iterator[Variable]:
        """Describe each column (its safe name still the CSV's)."""
        kind, name = self.question.type.value, self.question.name
        if self.several:
            for header, (code, label) in zip(self.names, self.options, strict=True):
                yield Variable(header, f"{self.label}: {label}", True, yes_no,
                               header=header, kind="0/1", question=name,
                               option=code)  # fmt: skip
            return
        value_labels = {
            self.numbers[code]: label
            for code, label in self.options
            if code in self.numbers
        }
        choices = tuple(
            (code, self.numbers.get(code), label) for code, label in self.options
        )
        yield Variable(name, self.label, self.numeric, value_labels, header=name,
                       kind=kind, question=name, choices=choices)  # fmt: skip


def answer_writer(
    questionnaire: Questionnaire, question: Question, labels_in: str | None
) -> Callable[[Any], Any] | None:
    """Tell how the CSV writes one answer in a cell (a repeat's row): its
    options as codes, or as labels in ``labels_in``; None: as stored."""
    values = "codes" if labels_in is None else "labels"
    language = labels_in or DEFAULT_LABELS
    return _Column.of(questionnaire, question, language, values, "cell").written


def _chosen(codes: Sequence[str], value: str | float) -> tuple[int, ...]:
    """Spread a select_multiple's codes over its options, 1 chosen, 0 not."""
    chosen = set(str(value).split(MULTIPLE_SEPARATOR))
    return tuple(int(code in chosen) for code in codes)


def _number_of(numbers: Mapping[str, int], value: str | float) -> int | None:
    """Write an option's code as its number (None for a code no longer offered)."""
    return numbers.get(str(_whole(value)))


def _labelled(known: dict[str, str], several: bool, value: str | float) -> str | float:
    """Write an option's code as its label (several: each, joined by "; ")."""
    value = _whole(value)
    if several and isinstance(value, str):
        return LABEL_SEPARATOR.join(
            known.get(code) or code for code in value.split(MULTIPLE_SEPARATOR)
        )
    return known.get(str(value)) or value


def _whole(value: str | float) -> str | float:
    """Write a whole number without its ".0"."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _then_text(written: Callable[[Any], Any]) -> Callable[[Any], str]:
    """Write as ``written`` does, then as text (a file's text variable)."""
    return lambda value: str(written(value))
