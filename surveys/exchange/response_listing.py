"""A campaign's responses for ``/api/v1``, page by page, anonymised as every export.

A page is found in two reads. The first picks the page's ids: the filters
walked along the primary key from the cursor, over a span of at most ``SPAN``
ids, so that no request reads more than that however rare the responses it
asks for are (a page may then be short, even empty, with a cursor to go on).
The second reads those responses as the CSV and the statistical files do
(``exported_responses`` with the ids), and the rules of every export apply
through the same functions (``surveys.exchange.anonymised``): which questions
leave, free text masked, locations rounded, comments hidden from reports
blank; no device or address hash, submission id, access code or dossier code.
The day a response was sent is given, as the statistical files give it, not
the instant.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import Session

from surveys.exchange.anonymised import (
    anonymiser,
    exported_questions,
    with_hidden_comments,
)
from surveys.exchange.dataset import RECORD_MORE, version_numbers
from surveys.exchange.pages import BadCursor, Page, decode_cursor, encode_cursor
from surveys.local_time import local_date
from surveys.models import Campaign, Response, utcnow
from surveys.models import Questionnaire as StoredQuestionnaire
from surveys.questionnaire import QuestionType
from surveys.questionnaire.versions import definition_of
from surveys.storage.answers import MULTIPLE_SEPARATOR
from surveys.storage.exports import RECORD_FIELDS, exported_responses
from surveys.storage.periods import responses_in

#: The most ids one page's first read walks past its cursor.
SPAN = 20_000
#: The largest id a cursor may hold: with its span added, still a 64-bit integer
#: both drivers bind (PostgreSQL compares it with the 32-bit ids as a bigint).
MAX_ID = 2**63 - 1 - SPAN
#: An answer as the API gives it: a select_multiple's options as a list.
Value = str | int | float | list[str] | None
#: What is read of each response beside ``RECORD_FIELDS`` and the answers:
#: the dataset's, and the language it was answered in.
_MORE = (*RECORD_MORE, Response.language)


@dataclass(frozen=True)
class ResponseFilter:
    """Which of a campaign's responses a list holds (every one by default but
    the excluded)."""

    #: The units whose responses are listed (the key's, or a unit and below).
    unit_ids: Sequence[int]
    #: When they were sent, UTC instants: from the first, before the second.
    between: tuple[datetime, datetime] | None = None
    service_point_id: int | None = None
    channel: str | None = None
    #: The questionnaire version answered (its number).
    version: int | None = None
    include_excluded: bool = False


@dataclass(frozen=True)
class ListedResponse:
    """One response as the API gives it, anonymised."""

    id: int
    campaign_key: str
    unit_code: str
    counter_code: str | None
    questionnaire_key: str
    questionnaire_version: int | None
    channel: str
    language: str
    #: The day it was sent, in Vietnam.
    submitted_on: date
    verified: bool
    flags: tuple[str, ...]
    excluded: bool
    stratum: str | None
    cluster: str | None
    weight: float | None
    #: Each exported question's answer, None unanswered or hidden from reports.
    answers: dict[str, Value] = field(default_factory=dict)


def responses_page(
    session: Session,
    campaign: Campaign,
    chosen: ResponseFilter,
    cursor: str | None,
    limit: int,
    *,
    with_officials: bool,
    span: int = SPAN,
) -> Page[ListedResponse]:
    """Return a page of the campaign's responses ``chosen`` picks, after ``cursor``.

    Raises ``BadCursor`` for a cursor not of this list. The next cursor is
    None once the span reaches the newest response (or the last of the days
    asked for, once they are over: ``_bounds``).
    """
    if cursor is not None:
        after, end = decode_cursor(cursor, [int, int])
        if not (-1 <= after <= MAX_ID and 0 <= end <= MAX_ID):
            raise BadCursor(f"cursor {cursor!r} is out of range")
    else:
        after, end = _bounds(session, chosen)
    condition = and_(
        responses_in(
            campaign.id,
            chosen.unit_ids,
            chosen.between,
            with_excluded=chosen.include_excluded,
            by_id=True,
        ),
        *_more_conditions(campaign, chosen),
    )
    ids = list(
        session.scalars(
            select(Response.id)
            .where(condition, Response.id > after, Response.id <= after + span)
            .order_by(Response.id)
            .limit(limit + 1)
        )
    )
    if len(ids) > limit:
        ids = ids[:limit]
        following: int | None = ids[-1]
    else:
        last = end or session.scalar(select(func.max(Response.id))) or 0
        following = after + span if after + span < last else None
    items = read_responses(session, campaign, ids, with_officials=with_officials)
    if following is None:
        return Page(items, None)
    return Page(items, encode_cursor([following, end]))


def _bounds(session: Session, chosen: ResponseFilter) -> tuple[int, int]:
    """Return the id a walk starts after, and the id it ends at (0: the newest
    response when each page is read).

    With days asked for, the lowest and highest ids of the responses sent on
    them at the units, of any campaign (a bound, read from the units' index
    alone, once for the whole walk: 1 ms for a day, for seven months of a
    million responses 0.2 s on SQLite, 2 ms on PostgreSQL): a client asking
    for a week of a year's
    campaign is not walked through empty pages up to it. The end is kept
    only when those days are over: no response can still be sent on them.
    """
    if chosen.between is None:
        return 0, 0
    lowest, highest = session.execute(
        select(func.min(Response.id), func.max(Response.id)).where(
            Response.unit_id.in_(list(chosen.unit_ids)),
            Response.submitted_at >= chosen.between[0],
            Response.submitted_at < chosen.between[1],
        )
    ).one()
    if lowest is None:
        lowest = highest = session.scalar(select(func.max(Response.id))) or 0
    over = chosen.between[1] <= utcnow()
    return lowest - 1, highest if over else 0


def _more_conditions(
    campaign: Campaign, chosen: ResponseFilter
) -> list[ColumnElement[bool]]:
    """The filters ``responses_in`` does not know of."""
    conditions = []
    if chosen.service_point_id is not None:
        conditions.append(Response.service_point_id == chosen.service_point_id)
    if chosen.channel is not None:
        conditions.append(Response.channel == chosen.channel)
    if chosen.version is not None:
        conditions.append(
            Response.questionnaire_id.in_(
                select(StoredQuestionnaire.id).where(
                    StoredQuestionnaire.key == campaign.questionnaire.key,
                    StoredQuestionnaire.version == chosen.version,
                )
            )
        )
    return conditions


def response_campaign(
    session: Session, response_id: int, units: Select[tuple[int]]
) -> Campaign | None:
    """Return the campaign of a response of the units ``units`` selects
    (None: no such response there)."""
    return session.scalar(
        select(Campaign)
        .join(Response, Response.campaign_id == Campaign.id)
        .where(Response.id == response_id, Response.unit_id.in_(units))
    )


def read_responses(
    session: Session,
    campaign: Campaign,
    ids: Sequence[int],
    *,
    with_officials: bool,
) -> list[ListedResponse]:
    """Read the campaign's responses with these ids, in id order, anonymised.

    ``with_officials`` as for ``exported_questions``.
    """
    if not ids:
        return []
    questionnaire = definition_of(campaign.questionnaire)
    questions = exported_questions(questionnaire, with_officials)
    by_name = {q.name: q for q in questionnaire.questions}
    shown = {name: anonymiser(by_name[name]) for name in questions}
    several = {
        name for name in questions if by_name[name].type is QuestionType.SELECT_MULTIPLE
    }
    versions = version_numbers(session, campaign.questionnaire.key)
    pages = exported_responses(
        session,
        campaign.id,
        questions,
        include_excluded=True,
        extra=_MORE,
        ids=ids,
    )
    first, end = len(RECORD_FIELDS), len(RECORD_FIELDS) + len(questions)
    listed = []
    for page, hidden in with_hidden_comments(session, pages):
        for record in zip(*page, strict=True):
            answers = _answers(
                record[first:end],
                questions,
                hidden.get(record[0], set()),
                shown,
                several,
            )
            listed.append(_listed(campaign, versions, record, answers))
    return listed


def _answers(
    values: Sequence[Any],
    questions: Sequence[str],
    hidden: set[str],
    shown: Mapping[str, Any],
    several: set[str],
) -> dict[str, Value]:
    """Each question's answer as an export writes it, options of a
    select_multiple as a list."""
    answers: dict[str, Value] = {}
    for name, value in zip(questions, values, strict=True):
        if value is None or name in hidden:
            answers[name] = None
        elif name in several:
            answers[name] = str(value).split(MULTIPLE_SEPARATOR)
        elif (anonymised := shown[name]) is not None:
            answers[name] = anonymised(value)
        else:
            answers[name] = value
    return answers


def _listed(
    campaign: Campaign,
    versions: Mapping[int, int],
    record: Sequence[Any],
    answers: dict[str, Value],
) -> ListedResponse:
    (
        response_id, unit_code, counter_code, submitted_at, verified, flags,
        excluded,
    ) = record[: len(RECORD_FIELDS)]  # fmt: skip
    version_id, channel, stratum, cluster, weight, language = record[-len(_MORE) :]
    return ListedResponse(
        id=response_id,
        campaign_key=campaign.key,
        unit_code=unit_code,
        counter_code=counter_code,
        questionnaire_key=campaign.questionnaire.key,
        questionnaire_version=versions.get(version_id),
        channel=channel,
        language=language,
        submitted_on=local_date(submitted_at),
        verified=bool(verified),
        flags=tuple(flags),
        excluded=bool(excluded),
        stratum=stratum,
        cluster=cluster,
        weight=weight,
        answers=answers,
    )
