"""The anonymised responses as CSV, streamed: memory stays flat at any size.

No device hash, phone number, submission id, access code or dossier ever
leaves: only where and when (unit, counter, quarter), how it came (the
channel), how genuine (verified, flags, excluded) and the answers, one column
per question but the dossier code a respondent may have typed (an identifier,
not an opinion), and locations rounded to about a kilometre
(``coarse_geopoint``). Free text is masked (phone numbers, ID numbers, emails)
and comments hidden from reports are left blank. Every text cell is
neutralised, so a comment starting with ``=`` or ``+`` is never run as a
formula.

The columns are those of every export (``surveys.exchange.dataset``): the
record's (the day sent in Vietnam, its quarter, the questionnaire version, the
design fields...), then the answers. Answers to a question with options are
their codes (``waiting attitude``), or, asked for in a language, their labels
in it (``Phải chờ đợi lâu; Thái độ phục vụ chưa tốt``): a reader who opens the
file in Excel reads them without the questionnaire beside it. A
select_multiple is one cell, or, asked for, a 0/1 column per option
(``reasons__waiting``). Column names stay the questions' names either way.

A repeat (a household roster) is a file of its own (``roster_csv``): one line
per row, keyed by the response's id and the row's position (``row``), so it
joins the responses file as ODK Central's repeat tables join theirs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from app.spreadsheets import BOM as BOM
from app.spreadsheets import neutralised_cells, streamed_csv
from surveys.exchange.dataset import (
    CHANNEL_VARIABLE,
    DEFAULT_LABELS,
    Dataset,
    answer_writer,
    response_dataset,
)
from surveys.models import Campaign
from surveys.questionnaire import QuestionType
from surveys.questionnaire.versions import definition_of
from surveys.storage.exports import exported_rows
from surveys.storage.periods import period_bounds
from surveys.storage.tallies import period_of


def responses_csv(
    session: Session,
    campaign: Campaign,
    unit_ids: Sequence[int] | None,
    period: str | None,
    *,
    page_size: int = 5000,
    with_officials: bool = True,
    labels_in: str | None = None,
    multiple: str = "cell",
) -> Iterator[bytes]:
    """Yield the campaign's kept responses as UTF-8 CSV with a BOM, page by page.

    ``with_officials=False`` leaves out which official was rated and how, for
    readers whose role may not see results of individual officials.
    ``labels_in``: write options as their labels in this language, not codes.
    ``multiple``: a select_multiple as one cell (``cell``) or a 0/1 column per
    option (``columns``).
    """
    dataset = table_of(
        session,
        campaign,
        unit_ids,
        period,
        with_officials=with_officials,
        labels_in=labels_in,
        multiple=multiple,
        page_size=page_size,
    )
    return streamed_csv(
        [variable.header for variable in dataset.variables],
        neutral_pages(dataset),
        neutral=True,
    )


def table_of(
    session: Session,
    campaign: Campaign,
    unit_ids: Sequence[int] | None,
    period: str | None,
    *,
    with_officials: bool,
    labels_in: str | None,
    multiple: str,
    page_size: int = 5000,
) -> Dataset:
    """Read the responses as the CSV and XLSX write them: options as codes, or
    as labels in ``labels_in``; the columns are the statistical files' own."""
    return response_dataset(
        session,
        campaign,
        unit_ids,
        period_bounds(period),
        with_officials=with_officials,
        language=labels_in or DEFAULT_LABELS,
        values="codes" if labels_in is None else "labels",
        multiple=multiple,
        page_size=page_size,
    )


def neutral_pages(dataset: Dataset) -> Iterator[Iterator[tuple[Any, ...]]]:
    """Yield the dataset's pages as rows, every text cell neutralised.

    Column by column, and only the columns that may hold text (not the 0/1
    columns, dates and ids): a loop over a page each, no call per cell. Each
    row is made as the writer takes it (``zip``), never kept for the page.
    """
    text = [
        index
        for index, variable in enumerate(dataset.variables)
        if (not variable.numeric or variable.kind in _TYPED_NUMBERS)
        and variable.header not in _WRITTEN_HERE
    ]
    for page in dataset.pages:
        for index in text:
            page[index] = neutralised_cells(page[index])
        yield zip(*page, strict=True)


#: Answers that are numbers as asked, though a stored one could be text.
_TYPED_NUMBERS = (QuestionType.INTEGER.value, QuestionType.DECIMAL.value)
#: Text columns the export writes itself, never a formula: ``2026-Q2``, the
#: flags' names, a channel's code or label.
_WRITTEN_HERE = frozenset({"quarter", "flags", CHANNEL_VARIABLE})


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
    written = {
        name: answer_writer(questionnaire, questionnaire.question(name), labels_in)
        for name in questions
    }
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
                *_cells(row.answers, questions, written),
            )
            for row in page
        ]
        for page in pages
    )
    return streamed_csv((*ROW_COLUMNS, *questions), lines)


def _cells(
    answers: Mapping[str, str | float],
    questions: Sequence[str],
    written: Mapping[str, Callable[[Any], Any] | None],
) -> list[Any]:
    """Give each question's cell: "" unanswered, whole numbers without ".0",
    the rest as its ``answer_writer`` writes it."""
    cells: list[Any] = []
    for name in questions:
        value = answers.get(name)
        write = written[name]
        if value is None:
            cells.append("")
        elif write is not None:
            cells.append(write(value))
        elif value.__class__ is float and value.is_integer():
            cells.append(int(value))
        else:
            cells.append(value)
    return cells
