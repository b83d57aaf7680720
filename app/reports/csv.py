"""The anonymised responses as CSV, streamed: memory stays flat at any size.

No device hash, phone number, submission id, access code or dossier ever
leaves: only where and when (unit, counter, quarter), how genuine (verified,
flags, excluded) and the answers, one column per question but the dossier code
a respondent may have typed (an identifier, not an opinion), and locations
rounded to about a kilometre (``coarse_geopoint``). Free text is masked
(phone numbers, ID numbers, emails) and comments hidden from reports are left
blank. Every text cell is neutralised, so a comment starting with ``=`` or
``+`` is never run as a formula.

Answers to a question with options are their codes (``waiting attitude``), or,
asked for in a language, their labels in it (``Phải chờ đợi lâu; Thái độ phục
vụ chưa tốt``): a reader who opens the file in Excel reads them without the
questionnaire beside it. Column names stay the questions' names either way.

A repeat (a household roster) is a file of its own (``roster_csv``): one line
per row, keyed by the response's id and the row's position (``row``), so it
joins the responses file as ODK Central's repeat tables join theirs.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from app.spreadsheets import BOM as BOM
from app.spreadsheets import neutralised, neutralised_in, streamed_csv
from surveys.exchange.anonymised import (
    anonymiser,
    exported_questions,
    with_hidden_comments,
)
from surveys.models import Campaign
from surveys.questionnaire import Questionnaire, QuestionType
from surveys.questionnaire.versions import definition_of
from surveys.storage.answers import MULTIPLE_SEPARATOR
from surveys.storage.exports import (
    RECORD_FIELDS,
    exported_responses,
    exported_rows,
)
from surveys.storage.periods import period_bounds
from surveys.storage.tallies import period_of

FIXED_COLUMNS = (
    "response_id", "unit_code", "counter_code", "quarter", "verified", "flags",
    "excluded",
)  # fmt: skip


def responses_csv(
    session: Session,
    campaign: Campaign,
    unit_ids: Sequence[int] | None,
    period: str | None,
    *,
    page_size: int = 5000,
    with_officials: bool = True,
    labels_in: str | None = None,
) -> Iterator[bytes]:
    """Yield the campaign's kept responses as UTF-8 CSV with a BOM, page by page.

    ``with_officials=False`` leaves out which official was rated and how, for
    readers whose role may not see results of individual officials.
    ``labels_in``: write options as their labels in this language, not codes.
    """
    questionnaire = definition_of(campaign.questionnaire)
    questions = exported_questions(questionnaire, with_officials)
    shown = _Cells(questionnaire, labels_in)
    pages = exported_responses(
        session,
        campaign.id,
        questions,
        unit_ids=unit_ids,
        between=period_bounds(period),
        page_size=page_size,
    )
    lines = (
        shown.lines(page, questions, hidden)
        for page, hidden in with_hidden_comments(session, pages)
    )
    return streamed_csv((*FIXED_COLUMNS, *questions), lines, neutral=True)


#: The columns that key a repeat's row: its response and its place in the repeat.
ROW_COLUMNS = ("response_id", "unit_code", "quarter", "row")


def roster_csv(
    session: Session,
    campaign: Campaign,
    repeat: str,
    unit_ids: Sequence[int] | None,
    period: str | None,
    *,
    page_size: int = 5000,
    labels_in: str | None = None,
) -> Iterator[bytes]:
    """Yield the rows of one repeat of the campaign's responses as UTF-8 CSV.

    ``labels_in`` as for ``responses_csv``. Raises ``KeyError`` if the
    questionnaire has no repeat ``repeat``.
    """
    questionnaire = definition_of(campaign.questionnaire)
    found = {r.name: r for r in questionnaire.repeats}[repeat]
    questions = [
        q.name
        for q in questionnaire.questions
        if q.type.takes_answer and questionnaire.repeated.get(q.name) == found.name
    ]
    shown = _Cells(questionnaire, labels_in)
    pages = exported_rows(
        session,
        campaign.id,
        questions,
        unit_ids=unit_ids,
        between=period_bounds(period),
        page_size=page_size,
    )
    lines = (
        [
            (
                row.response_id,
                row.unit_code,
                period_of(row.submitted_at),
                row.position,
                *shown.answers(row.answers, questions),
            )
            for row in page
        ]
        for page in pages
    )
    return streamed_csv((*ROW_COLUMNS, *questions), lines)


#: How a select_multiple's labels are joined in a cell (its codes: by spaces).
LABEL_SEPARATOR = "; "


class _Cells:
    """Write answers as cells: locations rounded, free text masked, options as
    codes or labels.

    The masks are Vietnamese whatever the reader's language: the file holds the
    answers in the language they were given in.
    """

    def __init__(self, questionnaire: Questionnaire, labels_in: str | None) -> None:
        questions = questionnaire.questions
        #: The units' and counters' codes, neutralised once each.
        self.codes = _Neutralised()
        #: How each question's answer is written when it is not as stored: by
        #: question, so that a plain answer costs no call (a million responses).
        self.special: dict[str, Callable[[str | float], str | float]] = {}
        for q in questions:
            if (anonymised := anonymiser(q)) is not None:
                self.special[q.name] = anonymised
            elif labels_in is not None and q.type.takes_answer and not q.choices_from:
                known = {
                    choice.name: choice.label.get(labels_in)
                    for choice in questionnaire.choices_of(q)
                }
                if any(known.values()):
                    several = q.type is QuestionType.SELECT_MULTIPLE
                    self.special[q.name] = functools.partial(_labelled, known, several)

    def lines(
        self,
        records: list[list[Any]],
        questions: Sequence[str],
        hidden: Mapping[int, Collection[str]],
    ) -> list[list[Any]]:
        """Turn a page of ``exported_responses`` into CSV lines, in place: the
        quarter, yes and no as 1 and 0, flags joined by spaces, comments hidden
        from reports left blank, ``special`` answers as it writes them, every
        text cell neutralised.

        Column by column, not cell by cell: a column of answers written as
        stored costs a loop over the page, no call (a million responses).
        """
        first = len(RECORD_FIELDS)
        if hidden:
            by_id = {record[0]: record for record in records}
            for response_id, names in hidden.items():
                for name in names:
                    if name in questions:
                        by_id[response_id][first + questions.index(name)] = None
        codes = self.codes
        for record in records:
            record[1] = codes[record[1]]
            record[2] = codes[record[2]]
            record[3] = period_of(record[3])
            record[5] = " ".join(record[5])
        for index, name in enumerate(questions, first):
            special = self.special.get(name)
            if special is None:
                neutralised_in(records, index)
                continue
            for record in records:
                value = record[index]
                if value is not None:
                    record[index] = neutralised(special(value))
        return records

    def answers(
        self,
        answers: Mapping[str, str | float],
        questions: Sequence[str],
        hidden: Collection[str] = (),
    ) -> list[str | float]:
        """Give each question's cell: "" unanswered or hidden from reports,
        whole numbers without ".0", the rest as ``special`` writes it."""
        special = self.special
        return [
            ""
            if name in hidden or (value := answers.get(name)) is None
            else special[name](value)
            if name in special
            else int(value)
            if value.__class__ is float and value.is_integer()
            else value
            for name in questions
        ]


class _Neutralised(dict[object, object]):
    """Cells neutralised as first asked for: for columns of a few values each
    written a million times (the units' and counters' codes)."""

    def __missing__(self, value: object) -> object:
        self[value] = cell = neutralised(value)
        return cell


def _whole(value: str | float) -> str | float:
    """Write a whole number without its ".0"."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _labelled(known: dict[str, str], several: bool, value: str | float) -> str | float:
    """Write an option's code as its label (several: each, joined by "; ")."""
    value = _whole(value)
    if several and isinstance(value, str):
        return LABEL_SEPARATOR.join(
            known.get(code) or code for code in value.split(MULTIPLE_SEPARATOR)
        )
    return known.get(str(value)) or value
