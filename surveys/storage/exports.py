"""The anonymised export of responses, page by page, for CSV downloads.

A response is one record of its answers outside repeats; each repeat (a
household roster) is a table of its own, one record per row, keyed by the
response's id and the row's position (``exported_rows``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from surveys.models import Answer, Response, ServicePoint, Unit
from surveys.storage.periods import responses_in
from surveys.storage.tallies import caught_up


@dataclass(slots=True)
class ExportedResponse:
    """One response as the anonymised export shows it: no device, phone or id.

    Not frozen: a frozen dataclass sets each field through ``object.__setattr__``,
    and an export builds one per response, a million times.
    """

    id: int
    unit_code: str
    counter_code: str | None
    submitted_at: datetime
    verified: bool
    flags: tuple[str, ...]
    excluded: bool
    #: Each answered question's text, or its number when it has no text.
    answers: dict[str, str | float]


@dataclass(frozen=True)
class ExportedRow:
    """One row of a repeat in one response: a member of a household roster."""

    response_id: int
    unit_code: str
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


def exported_responses(
    session: Session,
    campaign_id: int,
    *,
    unit_ids: Sequence[int] | None = None,
    between: tuple[datetime, datetime] | None = None,
    include_excluded: bool = False,
    page_size: int = 5000,
) -> Iterator[list[ExportedResponse]]:
    """Yield a campaign's responses page by page, in id order, for an export.

    Keyset pagination (``id > last ORDER BY id LIMIT page_size``) keeps each
    query as cheap as the first and memory flat however many responses there
    are.
    """
    condition = responses_in(
        campaign_id, unit_ids, between, with_excluded=include_excluded, by_id=True
    )
    for rows in _pages(session, condition, page_size):
        answers: dict[int, dict[str, str | float]] = {row[0]: {} for row in rows}
        for response_id, _, question, number, text in _answers(
            session, condition, rows, Answer.position == 0
        ):
            answers[response_id][question] = text if text is not None else number
        yield [
            ExportedResponse(
                id=row[0],
                unit_code=row[1],
                counter_code=row[2],
                submitted_at=row[3],
                verified=row[4],
                flags=tuple(
                    name for name, flag in zip(FLAGS, row[5:9], strict=True) if flag
                )
                if any(row[5:9])
                else (),
                excluded=row[9],
                answers=answers[row[0]],
            )
            for row in rows
        ]


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
    for rows in _pages(session, condition, page_size):
        found: dict[tuple[int, int], dict[str, str | float]] = {}
        for response_id, position, question, number, text in _answers(
            session,
            condition,
            rows,
            Answer.position > 0,
            Answer.question.in_(list(questions)),
        ):
            answers = found.setdefault((response_id, position), {})
            answers[question] = text if text is not None else number
        responses = {row[0]: row for row in rows}
        yield [
            ExportedRow(
                response_id=response_id,
                unit_code=responses[response_id][1],
                submitted_at=responses[response_id][3],
                position=position,
                answers=answers,
            )
            for (response_id, position), answers in sorted(found.items())
        ]


def _answers(
    session: Session, condition: ColumnElement[bool], rows: list[Any], *more: Any
) -> Any:
    """Return the answers of a page's responses: those ``condition`` picks between
    its first and last id, read along the answers' key (no list of ids)."""
    return (
        session.connection()
        .execute(
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
                Response.id >= rows[0][0],
                Response.id <= rows[-1][0],
                *more,
            )
        )
        .all()
    )


def _pages(
    session: Session, condition: ColumnElement[bool], page_size: int
) -> Iterator[list[Any]]:
    """Yield the responses' rows page by page (keyset pagination on the id)."""
    caught_up(session)  # the flags
    last = 0
    while True:
        rows = (
            session.connection()
            .execute(
                select(
                    Response.id,
                    Unit.code,
                    ServicePoint.code,
                    Response.submitted_at,
                    Response.verified,
                    *FLAGS.values(),
                    Response.excluded,
                )
                .join(Unit, Unit.id == Response.unit_id)
                .outerjoin(ServicePoint, ServicePoint.id == Response.service_point_id)
                .where(condition, Response.id > last)
                .order_by(Response.id)
                .limit(page_size)
            )
            .all()
        )
        if not rows:
            return
        last = rows[-1][0]
        yield list(rows)
