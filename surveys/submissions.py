"""Recording a response: exactly once, through a valid code, with its quality flags.

The rules that make results genuine (thực chất) live here, not in the web layer:
a single-use code takes one response (the database refuses a second, even under
concurrency), a retried submission is recognised by its client id, a device cannot
rate one counter twice within the campaign's interval, and suspicious responses are
flagged, never discarded.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Select, bindparam, func, insert, select, true
from sqlalchemy.orm import Session, joinedload

from surveys.codes import CodeError, parse_token
from surveys.db import dialect_insert
from surveys.drafts import discard_draft
from surveys.local_time import local_date
from surveys.models import (
    AccessCode,
    Answer,
    Campaign,
    CodeKind,
    FollowUpContact,
    Official,
    Response,
    ServicePoint,
    ServicePointOfficial,
)
from surveys.prepared import Driver, Prepared, writing
from surveys.questionnaire import Questionnaire, QuestionType, validate_answers
from surveys.questionnaire.scoring import Score, respondent_scores
from surveys.questionnaire.validation import Answer as Value
from surveys.questionnaires import definition_of
from surveys.responses import answer_records, content_hash, rated_official
from surveys.tallies import UPSERT_TALLIES, Cell, tally_rows

#: Fewer seconds than this per answered question marks a response "too fast".
MIN_SECONDS_PER_ANSWER = 1.5
MIN_SECONDS = 2.0
#: This many identical ratings in a row (and nothing else) is straight-lining.
STRAIGHT_LINE_MIN_ITEMS = 8
#: Responses from one device at one code within this window form a burst.
BURST_WINDOW = timedelta(minutes=10)
BURST_SIZE = 3
#: A response is a suspected duplicate when its content equals one of the
#: device's last this many responses in the burst window.
RECENT_COMPARED = 10
assert RECENT_COMPARED >= BURST_SIZE - 1, "a burst must fit in what is compared"
#: How long a follow-up phone number is kept before it is erased.
CONTACT_RETENTION = timedelta(days=90)


class CodeState(enum.StrEnum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    REVOKED = "revoked"
    USED = "used"
    CLOSED = "closed"


class CodeUnavailable(Exception):
    """The code cannot take a response; ``state`` says why."""

    def __init__(self, state: CodeState) -> None:
        super().__init__(f"access code is {state}")
        self.state = state


class SubmissionConflict(Exception):
    """The client id was used before for different content."""


class StaleChoice(Exception):
    """The official a send rates has left the counter since the page was shown."""


class TooSoon(Exception):
    """This device rated this counter a moment ago; ``retry_after`` is in seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"rated a moment ago; retry after {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Submission:
    """What a respondent sent, as the web layer received it."""

    token: str
    submission_id: str
    answers: Mapping[str, str | list[str] | None]
    language: str = "vi"
    started_at: datetime | None = None
    device_hash: str | None = None
    #: A phone number for follow-up, only with the respondent's explicit consent.
    phone: str | None = None


@dataclass(frozen=True)
class Recorded:
    """The stored response's id, and whether this call stored it (False: a retry)."""

    response_id: int
    created: bool


def open_code(session: Session, token: str, now: datetime) -> AccessCode:
    """Return the code behind ``token`` if it can take a response now."""
    code = find_code(session, token)
    check_open(session, code, now)
    return code


def find_code(session: Session, token: str) -> AccessCode:
    """Return the code behind ``token`` whatever its state (UNKNOWN if none)."""
    try:
        token = parse_token(token)
    except CodeError as error:
        raise CodeUnavailable(CodeState.UNKNOWN) from error
    code = session.scalar(
        select(AccessCode)
        .where(AccessCode.token == token)
        .options(
            joinedload(AccessCode.campaign).joinedload(Campaign.questionnaire),
            joinedload(AccessCode.unit),
            joinedload(AccessCode.service_point),
        )
    )
    if code is None:
        raise CodeUnavailable(CodeState.UNKNOWN)
    return code


def check_open(session: Session, code: AccessCode, now: datetime) -> None:
    """Raise ``CodeUnavailable`` unless ``code`` can take a response now."""
    check_state(code, now)
    if code.kind == CodeKind.SINGLE_USE and _redeemed(session, code):
        raise CodeUnavailable(CodeState.USED)


def check_state(code: AccessCode, now: datetime) -> None:
    """Raise ``CodeUnavailable`` unless ``code``, as loaded, is open now.

    Everything ``check_open`` checks but a single-use code's redemption, which
    needs the database: what a code loaded a moment ago can tell by itself.
    """
    if code.revoked_at is not None:
        raise CodeUnavailable(CodeState.REVOKED)
    if code.expires_at is not None and code.expires_at <= now:
        raise CodeUnavailable(CodeState.EXPIRED)
    campaign = code.campaign
    today = local_date(now)
    if today < campaign.starts_on or (campaign.ends_on and today > campaign.ends_on):
        raise CodeUnavailable(CodeState.CLOSED)
    if code.service_point is not None and not code.service_point.active:
        raise CodeUnavailable(CodeState.CLOSED)


def _read_current_state(
    driver: Driver,
    code: AccessCode,
    device_hash: str | None,
    official_code: str | None,
    now: datetime,
) -> tuple[int | None, list[str]]:
    """Refuse a code revoked, or a counter closed, since ``code`` was loaded.

    Return the id of the official the send rates (None if it names none), and
    the content hashes of the device's latest responses in the burst window
    (newest first, at most ``RECENT_COMPARED``), for the flags. All is read in
    one statement, inside the write transaction: what officials switch by hand
    counts however long ago the code was loaded (the survey page keeps codes a
    while), and each statement is a good part of a rating's time. Raises
    ``StaleChoice`` when the official is no longer active at the counter.
    """
    rows = driver.rows(
        CURRENT_STATE,
        {
            "code_id": code.id,
            "campaign_id": code.campaign_id,
            "device_hash": device_hash,
            "official_code": official_code,
            "since": now - BURST_WINDOW,
        },
    )
    if not rows:
        raise CodeUnavailable(CodeState.UNKNOWN)  # deleted since it was loaded
    revoked_at, counter_active, official_id, _ = rows[0]
    if revoked_at is not None:
        raise CodeUnavailable(CodeState.REVOKED)
    if counter_active is False:
        raise CodeUnavailable(CodeState.CLOSED)
    if official_code is not None and official_id is None:
        raise StaleChoice(official_code)
    return official_id, [content for *_, content in rows if content is not None]


def _current_state(dialect: str) -> Select[Any]:
    """Build the query of ``_read_current_state``.

    The device part reads at most ``RECENT_COMPARED`` entries of the device
    index, newest first: a busy device (or a hundred citizens behind one NAT
    with the same phone model) must not make each of its ratings slower than
    the last. A response without a device pseudonym matches none.
    """
    recent = (
        select(Response.content_hash)
        .where(
            Response.campaign_id == bindparam("campaign_id"),
            Response.device_hash == bindparam("device_hash"),
            Response.submitted_at >= bindparam("since"),
        )
        .order_by(Response.submitted_at.desc())
        .limit(RECENT_COMPARED)
        .subquery()
    )
    official = (
        select(Official.id)
        .join(ServicePointOfficial, ServicePointOfficial.official_id == Official.id)
        .where(
            ServicePointOfficial.service_point_id == AccessCode.service_point_id,
            Official.code == bindparam("official_code"),
            Official.active.is_(True),
        )
        .scalar_subquery()
    )
    return (
        select(
            AccessCode.revoked_at,
            ServicePoint.active,
            official,
            recent.c.content_hash,
        )
        .outerjoin(ServicePoint, ServicePoint.id == AccessCode.service_point_id)
        .outerjoin(recent, true())
        .where(AccessCode.id == bindparam("code_id"))
    )


CURRENT_STATE = Prepared(_current_state)


def counter_officials(session: Session, code: AccessCode) -> list[Official]:
    """Return the active officials a respondent at this code's counter may rate."""
    if code.service_point_id is None:
        return []
    return list(
        session.scalars(
            select(Official)
            .join(Official.service_points)
            .where(ServicePoint.id == code.service_point_id, Official.active.is_(True))
            .order_by(Official.name)
        )
    )


def record_response(
    session: Session, submission: Submission, now: datetime
) -> Recorded:
    """Validate and store one response; flush, never commit.

    Raises ``CodeUnavailable``, ``SubmissionConflict``, ``TooSoon``,
    ``StaleChoice``, or the engine's ``InvalidAnswers`` (whose ``errors`` name
    each bad answer).
    """
    code = find_code(session, submission.token)
    officials = counter_officials(session, code)
    values = validate_answers(
        definition_of(code.campaign.questionnaire),
        submission.answers,
        runtime_choices=runtime_choices(officials),
        today=now.date(),
    )
    try:
        check_open(session, code, now)
    except CodeUnavailable as refusal:
        digest = content_hash(values)
        return replay_or_raise(session, code, submission.submission_id, digest, refusal)
    return store_response(session, code, submission, values, now)


def runtime_choices(officials: Iterable[Official]) -> dict[str, list[str]]:
    """Return the run-time options of ``choices_from`` questions, for the engine."""
    return {"officials": [official.code for official in officials]}


def store_response(
    session: Session,
    code: AccessCode,
    submission: Submission,
    values: Mapping[str, Value],
    now: datetime,
) -> Recorded:
    """Store answers already validated for a code found open; never commit.

    For a caller that opened the code and validated the answers before taking
    the write lock (the survey page). The database itself refuses a second
    response with one submission id or through one single-use code: such a
    submission is answered as a retry (``Recorded.created`` False), or refused
    with ``SubmissionConflict`` or ``CodeUnavailable``. May raise ``TooSoon``
    or ``StaleChoice``.
    """
    draft = Draft.of(code, submission, values, now)
    try:
        response_id = _write(Driver.of_session(session), code, submission, draft)
    except (CodeUnavailable, TooSoon) as refusal:
        # A resend of a stored submission is answered as its first send was,
        # even when that send used the code up or makes this one "too soon".
        digest = draft.row["content_hash"]
        return replay_or_raise(session, code, submission.submission_id, digest, refusal)
    discard_draft(session, code)
    return Recorded(response_id, created=True)


def store_standing(
    engine: Engine | Connection,
    code: AccessCode,
    submission: Submission,
    values: Mapping[str, Value],
    now: datetime,
) -> int:
    """Store a send through a standing code in a transaction of its own; commit.

    The quick way for the busiest send there is, a rating at a counter
    (``app.public.quick_send``): no session, one pooled connection, and all
    that can be made ready is made before the write lock. Return the new
    response's id. Anything but a plain new send is raised, and nothing is
    stored: ``CodeUnavailable`` (a resend of a stored id too), ``TooSoon``,
    ``StaleChoice``; the caller then answers it the thorough way.
    """
    if code.kind != CodeKind.STANDING:
        raise ValueError("only a standing code keeps no draft and needs no session")
    draft = Draft.of(code, submission, values, now)
    with writing(engine) as driver:
        return _write(driver, code, submission, draft)


@dataclass(frozen=True)
class Draft:
    """A response made ready to store: all but what the write transaction reads.

    Building the row, the answers, the scores and the flags that need no other
    response takes a good part of a rating's time; done before the write lock,
    it no longer keeps every other writer waiting.
    """

    #: The ``responses`` row but the rated official's id and the device flags.
    row: dict[str, Any]
    official_code: str | None
    answers: list[dict[str, object]]
    scores: list[Score]

    @classmethod
    def of(
        cls,
        code: AccessCode,
        submission: Submission,
        values: Mapping[str, Value],
        now: datetime,
    ) -> Draft:
        questionnaire = definition_of(code.campaign.questionnaire)
        row = {
            "campaign_id": code.campaign_id,
            "questionnaire_id": code.campaign.questionnaire_id,
            "unit_id": code.unit_id,
            "service_point_id": code.service_point_id,
            "access_code_id": code.id,
            "redeemed_code_id": code.id if code.kind == CodeKind.SINGLE_USE else None,
            "channel": code.campaign.mode,
            "language": submission.language,
            "submission_id": submission.submission_id,
            "content_hash": content_hash(values),
            "started_at": submission.started_at,
            "submitted_at": now,
            "verified": code.kind == CodeKind.SINGLE_USE,
            "device_hash": submission.device_hash,
            "stratum": code.stratum,
            "cluster": code.cluster,
            "weight": code.weight,
        }
        row |= _answer_flags(questionnaire, values, submission.started_at, now)
        return cls(
            row,
            rated_official(questionnaire, values),
            answer_records(values),
            respondent_scores(questionnaire, values),
        )


def _write(
    driver: Driver, code: AccessCode, submission: Submission, draft: Draft
) -> int:
    # Prepared statements on the DBAPI connection: SQLAlchemy's execution
    # layers would be most of a rating's time, all of it inside the write lock.
    now = draft.row["submitted_at"]
    official_id, recent = _read_current_state(
        driver, code, submission.device_hash, draft.official_code, now
    )
    _check_interval(driver, code, submission, now)
    row = draft.row | {"official_id": official_id}
    if submission.device_hash is not None:
        row["flag_burst"] = len(recent) + 1 >= BURST_SIZE
        row["flag_duplicate_suspect"] = row["content_hash"] in recent
    # ON CONFLICT DO NOTHING, not a savepoint and IntegrityError: a second use
    # of the submission id or of the single-use code inserts no row.
    inserted = driver.rows(INSERT_RESPONSE, row)
    if not inserted:
        # Nothing inserted: this submission id was stored before (a retry), or
        # the single-use code was used by another submission.
        raise CodeUnavailable(CodeState.USED)
    response_id = inserted[0][0]
    driver.run_many(
        INSERT_ANSWER,
        [record | {"response_id": response_id} for record in draft.answers],
    )
    if submission.phone:
        driver.rows(
            INSERT_CONTACT,
            {
                "response_id": response_id,
                "phone": submission.phone,
                "consented_at": now,
                "purge_after": now + CONTACT_RETENTION,
            },
        )
    driver.run_many(UPSERT_TALLIES, tally_rows(Cell.of_row(row), draft.scores))
    return response_id


INSERT_RESPONSE = Prepared(
    lambda dialect: (
        dialect_insert(dialect, Response.__table__)
        .on_conflict_do_nothing()
        .returning(Response.id)
    )
)
INSERT_ANSWER = Prepared(lambda _: insert(Answer.__table__))
INSERT_CONTACT = Prepared(lambda _: insert(FollowUpContact.__table__))


def replay_or_raise(
    session: Session,
    code: AccessCode,
    submission_id: str,
    digest: str,
    refusal: Exception,
) -> Recorded:
    """Answer a refused send that resends a stored one as that one was; else refuse.

    The earlier send is looked up only when a send is refused (code used, too
    soon, id taken): the common send pays for no lookup. Raises ``refusal``
    when there was none, ``SubmissionConflict`` when it had other content.
    """
    previous = previous_response(session, code.campaign_id, submission_id)
    if previous is None:
        raise refusal
    if previous.content_hash != digest:
        raise SubmissionConflict(submission_id)
    return Recorded(previous.id, created=False)


def previous_response(
    session: Session, campaign_id: int, submission_id: str
) -> Response | None:
    """Return the response already stored under this client submission id."""
    return session.scalar(
        select(Response).where(
            Response.campaign_id == campaign_id,
            Response.submission_id == submission_id,
        )
    )


def _redeemed(session: Session, code: AccessCode) -> bool:
    found = session.scalar(
        select(Response.id).where(Response.redeemed_code_id == code.id)
    )
    return found is not None


def _check_interval(
    driver: Driver, code: AccessCode, submission: Submission, now: datetime
) -> None:
    interval = code.campaign.min_interval_seconds
    if not interval or submission.device_hash is None or code.service_point_id is None:
        return
    ((last,),) = driver.rows(
        LAST_AT_COUNTER,
        {
            "campaign_id": code.campaign_id,
            "service_point_id": code.service_point_id,
            "device_hash": submission.device_hash,
        },
    )
    elapsed = (now - last).total_seconds() if last is not None else interval
    if elapsed < interval:
        raise TooSoon(math.ceil(interval - elapsed))


LAST_AT_COUNTER = Prepared(
    lambda _: select(func.max(Response.submitted_at)).where(
        Response.campaign_id == bindparam("campaign_id"),
        Response.service_point_id == bindparam("service_point_id"),
        Response.device_hash == bindparam("device_hash"),
    )
)


def _answer_flags(
    questionnaire: Questionnaire,
    values: Mapping[str, object],
    started_at: datetime | None,
    now: datetime,
) -> dict[str, bool]:
    """Return the quality flags a response's own answers and timing tell.

    The device flags (burst, suspected duplicate) need the device's latest
    responses, read in the write transaction (``_read_current_state``).
    """
    answered = sum(1 for value in values.values() if value not in (None, "", []))
    flags = {}
    if started_at is not None:
        seconds = (now - started_at).total_seconds()
        flags["flag_too_fast"] = seconds < max(
            MIN_SECONDS, MIN_SECONDS_PER_ANSWER * answered
        )
    ratings = [
        values[q.name]
        for q in questionnaire.questions
        if q.type is QuestionType.RATING and values.get(q.name) is not None
    ]
    flags["flag_straight_lining"] = (
        len(ratings) >= STRAIGHT_LINE_MIN_ITEMS and len(set(ratings)) == 1
    )
    return flags
