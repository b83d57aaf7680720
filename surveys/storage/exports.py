"""The anonymised export of responses, page by page, for CSV downloads.

A response is one record of its answers outside repeats; each repeat (a
household roster) is a table of its own, one record per row, keyed by the
response's id and the row's position (``exported_rows``).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Integer,
    and_,
    case,
    cast,
    func,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from surveys.models import Answer, Response, ServicePoint, Unit
from surveys.storage.periods import responses_in
from surveys.storage.tallies import caught_up

#: What each exported response starts with, before its answers (``exported_responses``).
RECORD_FIELDS = (
    "id", "unit_code", "counter_code", "submitted_at", "verified", "flags",
    "excluded",
)  # fmt: skip


@dataclass(frozen=True)
class ExportedRow:
    """One row of a repeat in one response: a member of a household roster."""

    response_id: int
    unit_code: str
    #: When the response was sent, in UTC, naive as stored (``_pages``).
    submitted_at: datetime
    #: The row's place in its repeat, from 1 (ODK's ``/data/members[2]``).
    position: int
    #: Each answered question of the row: its text, or its number without one.
    answers: dict[str, str | float]


#: Quality flags, by the name an export gives them.
FLAGS = {
    "too_fast": Response.flag_too_fast,
    "straight_lining": Response.flag_straight_lining,
    "duplicate_suspect": Response.flag_duplicate_suspect,
    "burst": Response.flag_burst,
}
#: The flags raised as one number, a bit each in ``FLAGS`` order: a million
#: responses cost a look-up in ``_FLAG_NAMES`` each, not four ``bool`` and a tuple.
_RAISED = functools.reduce(
    operator.add,
    (cast(flag, Integer) * (1 << bit) for bit, flag in enumerate(FLAGS.values())),
)
#: A page of ``exported_responses``: a column of values per field.
Columns = list[Sequence[Any]]
#: The names of the flags raised, by ``_RAISED``.
_FLAG_NAMES = {
    raised: tuple(name for bit, name in enumerate(FLAGS) if raised & (1 << bit))
    for raised in range(1 << len(FLAGS))
}


def exported_responses(
    session: Session,
    campaign_id: int,
    questions: Sequence[str],
    *,
    unit_ids: Sequence[int] | None = None,
    between: tuple[datetime, datetime] | None = None,
    include_excluded: bool = False,
    page_size: int = 5000,
    extra: Sequence[ColumnElement[Any]] = (),
    ids: Sequence[int] = (),
) -> Iterator[Columns]:
    """Yield a campaign's responses page by page, in id order, for an export.

    A page is a list of columns, each the values of one field for the page's
    responses in id order: the ``RECORD_FIELDS`` (``submitted_at`` in UTC,
    naive as stored; ``verified`` and ``excluded`` 1 or 0; ``flags`` the names
    of those raised), then the answer to each of ``questions`` outside repeats
    (its text, or its number without one, a whole number as an ``int``; None
    unanswered), then the ``extra`` columns of ``Response`` asked for (the
    design fields of a statistical file). Columns, not a list per response:
    a page of 5,000 lists lived long enough for the cyclic garbage collector
    to scan each of them again and again, a third to half of a CSV download's
    time (``docs/benchmarks.md``, "CSV regression of issue 18 fixed"); a
    writer makes each row as it writes it (``zip(*page)``). A caller replaces
    a column rather than fill it in: the dataset's pages share them.

    Pages are spans of ids (``_pages``): each query as cheap as the first and
    memory flat however many responses there are. How a page's answers are
    read is each database's fastest (measured at a million responses,
    ``docs/benchmarks.md``, "Issue 17 — the CSV writer"): on SQLite, beside
    each response in one query; on PostgreSQL, the page's answers in a second
    query.

    ``ids``: only these responses, as one page (a page of the JSON API's list,
    whose own query chose them): the same records, one read along the key.
    """
    condition = responses_in(
        campaign_id, unit_ids, between, with_excluded=include_excluded, by_id=True
    )
    span = None
    if ids:
        condition = and_(condition, Response.id.in_(list(ids)))
        span = min(ids), max(ids)
        page_size = span[1] - span[0] + 1
    read = (
        _answers_beside
        if session.get_bind().dialect.name == "sqlite"
        else _answers_after
    )
    yield from read(session, condition, questions, page_size, extra, span)


def exported_count(
    session: Session,
    campaign_id: int,
    *,
    unit_ids: Sequence[int] | None = None,
    between: tuple[datetime, datetime] | None = None,
) -> int:
    """Count the responses ``exported_responses`` gives (a spreadsheet's limit
    is checked before its first row is written)."""
    condition = responses_in(campaign_id, unit_ids, between)
    return session.scalar(select(func.count(Response.id)).where(condition)) or 0


def _answers_beside(
    session: Session,
    condition: ColumnElement[bool],
    questions: Sequence[str],
    page_size: int,
    extra: Sequence[ColumnElement[Any]],
    span: tuple[int, int] | None,
) -> Iterator[Columns]:
    """Pages with each answer beside its response, read through the answers' key
    by a subquery, as the ``sqlite3`` shell's own export joins them: SQLite runs
    in the process, and a row per answer read into Python cost four times as
    many rows. Each answer is one column, the text else the number (a whole one
    as an integer): SQLite keeps each value's own type."""
    whole = cast(Answer.value_num, Integer)
    value = func.coalesce(
        Answer.value_text,
        case((Answer.value_num == whole, whole), else_=Answer.value_num),
    )
    answers = [
        select(value)
        .where(
            Answer.response_id == Response.id,
            Answer.question == name,
            Answer.position == 0,
        )
        .scalar_subquery()
        for name in questions
    ]
    for columns in _pages(session, condition, page_size, [*answers, *extra], span):
        columns[5] = [_FLAG_NAMES[raised] for raised in columns[5]]
        yield columns


def _answers_after(
    session: Session,
    condition: ColumnElement[bool],
    questions: Sequence[str],
    page_size: int,
    extra: Sequence[ColumnElement[Any]],
    span: tuple[int, int] | None,
) -> Iterator[Columns]:
    """Pages whose answers are read by a second query along the answers' key
    and put in place: PostgreSQL runs a subquery per answer and response (ten
    per row for the counter's five questions, a number and a text column each)
    two to four times slower than this join."""
    fields = len(RECORD_FIELDS)
    for page in _pages(session, condition, page_size, extra, span):
        page[5] = [_FLAG_NAMES[raised] for raised in page[5]]
        ids = page[0]
        place = {response_id: i for i, response_id in enumerate(ids)}
        answers = {name: [None] * len(ids) for name in questions}
        for response_id, _, question, number, text in _answers(
            session, condition, ids, Answer.position == 0
        ):
            column = answers.get(question)
            if column is None:
                continue
            if text is None and number is not None and number.is_integer():
                text = int(number)
            column[place[response_id]] = number if text is None else text
        yield [*page[:fields], *answers.values(), *page[fields:]]


def exported_rows(
    session: Session,
    campaign_id: int,
    questions: Sequence[str],
    *,
    unit_ids: Sequence[int] | None = None,
    between: tuple[datetime, datetime] | None = None,
    include_excluded: bool = False,
    page_size: int = 5000,
) -> Iterator[list[ExportedRow]]:
    """Yield the rows of one repeat (whose ``questions`` are given), page by page.

    The responses are those ``exported_responses`` gives, in the same order;
    a response's rows come in their order, and a row none of whose questions
    was answered is not stored, so not exported.
    """
    condition = responses_in(
        campaign_id, unit_ids, between, with_excluded=include_excluded, by_id=True
    )
    for columns in _pages(session, condition, page_size):
        ids, units, sent = columns[0], columns[1], columns[3]
        found: dict[tuple[int, int], dict[str, str | float]] = {}
        for response_id, position, question, number, text in _answers(
            session,
            condition,
            ids,
            Answer.position > 0,
            Answer.question.in_(list(questions)),
        ):
            answers = found.setdefault((response_id, position), {})
            answers[question] = text if text is not None else number
        unit_of = dict(zip(ids, units, strict=True))
        sent_at = dict(zip(ids, sent, strict=True))
        yield [
            ExportedRow(
                response_id=response_id,
                unit_code=unit_of[response_id],
                submitted_at=sent_at[response_id],
                position=position,
                answers=answers,
            )
            for (response_id, position), answers in sorted(found.items())
        ]


def _answers(
    session: Session, condition: ColumnElement[bool], ids: Sequence[int], *more: Any
) -> Any:
    """Return the answers of a page's responses (``ids``, in order): those
    ``condition`` picks between its first and last id, read along the answers'
    key (no list of ids). A result to iterate once, not a list: a page's
    answers, several a response, were all row objects alive together, which
    the garbage collector scanned as it did ``_pages``'s rows."""
    return session.connection().execute(
        select(
            Answer.response_id,
            Answer.position,
            Answer.question,
            Answer.value_num,
            Answer.value_text,
        )
        .join(Response, Response.id == Answer.response_id)
        .where(
            condition,
            Response.id >= ids[0],
            Response.id <= ids[-1],
            *more,
        )
    )


def _pages(
    session: Session,
    condition: ColumnElement[bool],
    page_size: int,
    more: Sequence[Any] = (),
    span: tuple[int, int] | None = None,
) -> Iterator[list[list[Any]]]:
    """Yield the responses page by page, each page a list of columns:
    ``RECORD_FIELDS`` (the flags as one number), then the ``more`` columns;
    empty pages are skipped.

    A page is a span of ``page_size`` ids (``last < id <= last + page_size``),
    up to the newest response when the export starts. A span is what the
    database can plan for whatever else the condition says: with ``id > last
    ORDER BY id LIMIT n``, PostgreSQL misjudged how many rows the units and
    period leave and scanned the district's million responses for each page
    (3.4 s instead of 25 ms at a million). ``span``: only the ids from its
    first to its last, both included.

    The rows are fetched ``_FETCHED`` at a time and put into the columns at
    once: a page's 5,000 row objects alive together outlived the garbage
    collector's young generations, and each full collection scanned them.
    """
    caught_up(session)  # the flags
    if span is None:
        span = 1, session.scalar(select(func.max(Response.id))) or 0
    last, newest = span[0] - 1, span[1]
    while last < newest:
        result = session.connection().execute(
            select(
                Response.id,
                Unit.code,
                ServicePoint.code,
                # As stored, naive UTC: made aware, a call for each response.
                type_coerce(Response.submitted_at, DateTime()),
                # 1 or 0: integers, which SQLite's driver gives as they are.
                cast(Response.verified, Integer),
                _RAISED,
                cast(Response.excluded, Integer),
                *more,
            )
            .join(Unit, Unit.id == Response.unit_id)
            .outerjoin(ServicePoint, ServicePoint.id == Response.service_point_id)
            .where(condition, Response.id > last, Response.id <= last + page_size)
            .order_by(Response.id)
        )
        columns: list[list[Any]] = [[] for _ in range(len(result.keys()))]
        for rows in result.partitions(_FETCHED):
            for column, values in zip(columns, zip(*rows, strict=True), strict=True):
                column.extend(values)
        last += page_size
        if columns[0]:
            yield columns


#: How many rows ``_pages`` fetches at a time: fewer than the garbage
#: collector's first threshold (700 allocations), so they seldom outlive it.
_FETCHED = 500
