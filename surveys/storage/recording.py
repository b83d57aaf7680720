"""Recording a response: exactly once, through a valid code, in one short write.

The rules that make results genuine (thực chất) live here, not in the web layer:
a single-use code takes one response (the database refuses a second, even under
concurrency), a retried submission is recognised by its client id, and a device
cannot rate one counter twice within the campaign's interval. The write itself
is one short transaction: one statement inserts the response where what officials
switch by hand still allows it (revocation, a paused or closed campaign, the
counter, the rated official) and the device is outside the interval, then its
answers are inserted; the state is read only when nothing was inserted, to say
why. What need not be inside it (item tallies, the burst and duplicate flags) is
done after it by ``surveys.storage.tallies.catch_up``, from a watermark.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, NoReturn

from sqlalchemy import (
    Connection,
    Select,
    bindparam,
    exists,
    func,
    insert,
    null,
    or_,
    select,
)
from sqlalchemy.orm import Session

from surveys.access.code_state import (
    CodeState,
    CodeUnavailable,
    OpenedCode,
    check_open,
    load_code,
)
from surveys.db import dialect_insert
from surveys.local_time import local_wall_clock
from surveys.models import (
    AccessCode,
    Answer,
    Campaign,
    FollowUpContact,
    Official,
    Response,
    ServicePoint,
    ServicePointOfficial,
)
from surveys.questionnaire import Questionnaire, QuestionType, validate_answers
from surveys.questionnaire.validation import Answer as Value
from surveys.questionnaire.validation import RawAnswers
from surveys.storage.answers import (
    answer_records,
    content_hash,
    rated_official,
    with_interview_times,
)
from surveys.storage.drafts import discard_draft
from surveys.storage.tallies import WRITERS_LOCK

#: Fewer seconds than this per answered question marks a response "too fast".
MIN_SECONDS_PER_ANSWER = 1.5
MIN_SECONDS = 2.0
#: This many identical ratings in a row (and nothing else) is straight-lining.
STRAIGHT_LINE_MIN_ITEMS = 8
#: How long a follow-up phone number is kept before it is erased.
CONTACT_RETENTION = timedelta(days=90)


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
    #: The day's pseudonym of the sender's address, for the address burst flag.
    address_hash: str | None = None
    #: A phone number for follow-up, only with the respondent's explicit consent.
    phone: str | None = None


@dataclass(frozen=True)
class Recorded:
    """The stored response's id, and whether this call stored it (False: a retry)."""

    response_id: int
    created: bool


def record_response(
    session: Session, submission: Submission, now: datetime
) -> Recorded:
    """Validate and store one response; never commit.

    Raises ``CodeUnavailable``, ``SubmissionConflict``, ``TooSoon``,
    ``StaleChoice``, or the engine's ``InvalidAnswers`` (whose ``errors`` name
    each bad answer).
    """
    return record_through(
        session, load_code(session, submission.token), submission, now
    )


def record_through(
    session: Session,
    code: OpenedCode,
    submission: Submission,
    now: datetime,
    channel: str | None = None,
) -> Recorded:
    """Validate and store one response through a code loaded by the caller
    (who may first check whose it is: the JSON API's key); never commit.

    ``channel`` as in ``store_response``. Raises as ``record_response`` does.
    """
    values = validate_through(code, submission.answers, now, submission.language)
    return record_validated(session, code, submission, values, now, channel)


def record_validated(
    session: Session,
    code: OpenedCode,
    submission: Submission,
    values: Mapping[str, Value],
    now: datetime,
    channel: str | None = None,
) -> Recorded:
    """Store answers ``validate_through`` has typed already; never commit.

    For a caller that needs the typed answers itself before the write (the
    reconciliation of a paper form keeps them on the form), so that they are
    not checked twice. Raises as ``record_response`` does, but for validation.
    """
    try:
        check_open(session, code, now)
    except CodeUnavailable as refusal:
        digest = content_hash(values)
        return replay_or_raise(
            session, code.campaign_id, submission.submission_id, digest, refusal
        )
    return store_response(session, code, submission, values, now, channel)


def validate_through(
    code: OpenedCode, answers: RawAnswers, now: datetime, language: str = "vi"
) -> dict[str, Value]:
    """Type and check answers sent through ``code`` at ``now``, as a send is.

    Raises the engine's ``InvalidAnswers``, naming each bad answer. Paper
    entries are checked by this too, so a keyed form obeys the online rules.
    """
    return validate_answers(
        code.questionnaire,
        answers,
        runtime_choices=code.runtime_choices,
        now=local_wall_clock(now),
        carried=code.carried,
        language=language,
    )


def store_response(
    session: Session,
    code: OpenedCode,
    submission: Submission,
    values: Mapping[str, Value],
    now: datetime,
    channel: str | None = None,
) -> Recorded:
    """Store answers already validated for a code found open; never commit.

    ``channel`` is how the answers came when it is not the campaign's mode
    (``PAPER_CHANNEL``: keyed in from a paper form).

    The caller opened the code and validated the answers before the write
    began (the survey page: ``surveys.db.begin_writing``). The database itself
    refuses a second response with one submission id or through one
    single-use code: such a submission
    is answered as a retry (``Recorded.created`` False), or refused with
    ``SubmissionConflict`` or ``CodeUnavailable``. May raise ``TooSoon`` or
    ``StaleChoice``; nothing is then written.
    """
    row = response_row(code, submission, values, now, channel)
    try:
        response_id = _write(
            session,
            code,
            submission,
            row,
            rated_official(code.questionnaire, values),
            answer_records(
                with_interview_times(
                    code.questionnaire, values, submission.started_at, now
                )
            ),
        )
    except (CodeUnavailable, TooSoon) as refusal:
        # A resend of a stored submission is answered as its first send was,
        # even when that send used the code up or makes this one "too soon".
        digest = row["content_hash"]
        return replay_or_raise(
            session, code.campaign_id, submission.submission_id, digest, refusal
        )
    return Recorded(response_id, created=True)


def response_row(
    code: OpenedCode,
    submission: Submission,
    values: Mapping[str, Value],
    now: datetime,
    channel: str | None = None,
) -> dict[str, Any]:
    """Return the ``responses`` row of a send, all but the rated official's id.

    The channel is the campaign's mode unless ``channel`` says otherwise.
    """
    row = {
        "campaign_id": code.campaign_id,
        "questionnaire_id": code.questionnaire_id,
        "unit_id": code.unit_id,
        "service_point_id": code.service_point_id,
        "access_code_id": code.id,
        "redeemed_code_id": code.id if code.single_use else None,
        "channel": channel or code.mode,
        "language": submission.language,
        "submission_id": submission.submission_id,
        "content_hash": content_hash(values),
        "started_at": submission.started_at,
        "submitted_at": now,
        "verified": code.single_use,
        "device_hash": submission.device_hash,
        "address_hash": submission.address_hash,
        "stratum": code.stratum,
        "cluster": code.cluster,
        "weight": code.weight,
    }
    return row | answer_flags(code.questionnaire, values, submission.started_at, now)


def _write(
    session: Session,
    code: OpenedCode,
    submission: Submission,
    row: dict[str, Any],
    official_code: str | None,
    answers: list[dict[str, object]],
) -> int:
    """Write one response if nothing it depends on changed; return its id.

    ``official_code`` names the official the send rates, if any. One statement
    inserts the response only where the code is still unrevoked, its campaign
    neither paused nor closed, its counter active, the official still at it and
    the device outside the minimum interval, taking the official's id on the
    way; only when it inserts nothing is the state read, to say why.
    Everything runs in the caller's (writing) transaction on the session's
    connection, through SQLAlchemy Core: the ORM has nothing to track here.
    """
    connection = session.connection()
    dialect = connection.dialect.name
    now = row["submitted_at"]
    hold_writers_lock(connection)
    # The device's last rating matters only under a minimum interval: without
    # one, a device with many ratings (one NAT, one phone model) costs nothing.
    interval = _interval(code, submission)
    statement = _insert_if_open(
        dialect, tuple(row), official_code is not None, interval is not None
    )
    conditions = {
        "code_id": code.id,
        "official_code": official_code,
        "device_hash": submission.device_hash,
        "since": now - timedelta(seconds=interval) if interval else None,
    }
    response_id = connection.execute(statement, row | conditions).scalar()
    if response_id is None:
        _refuse(connection, code, conditions, interval, now)
    if answers:
        connection.execute(
            insert(Answer.__table__),
            [record | {"response_id": response_id} for record in answers],
        )
    if submission.phone:
        connection.execute(
            insert(FollowUpContact.__table__),
            {
                "response_id": response_id,
                "phone": submission.phone,
                "consented_at": now,
                "purge_after": now + CONTACT_RETENTION,
            },
        )
    discard_draft(session, code)
    return response_id


def hold_writers_lock(connection: Connection) -> None:
    """Take the response writers' shared lock on PostgreSQL, held to the commit.

    The tallies' catch-up takes it exclusively and so waits for every write
    begun before it (``WRITERS_LOCK``); SQLite's one writer needs none.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock_shared(WRITERS_LOCK)))


def _interval(code: OpenedCode, submission: Submission) -> int | None:
    """Return the minimum seconds between a device's ratings here, if one applies."""
    if code.min_interval_seconds and code.service_point_id and submission.device_hash:
        return code.min_interval_seconds
    return None


def _refuse(
    connection: Connection,
    code: OpenedCode,
    conditions: dict[str, Any],
    interval: int | None,
    now: datetime,
) -> NoReturn:
    """Say why a send inserted nothing: read what may have changed since loading.

    Nothing changed: the submission id was stored before (a retry), or the
    single-use code was used by another submission.
    """
    state = connection.execute(_current_state(), conditions).one_or_none()
    if state is None:
        raise CodeUnavailable(CodeState.UNKNOWN)  # deleted since it was loaded
    if state.revoked_at is not None:
        raise CodeUnavailable(CodeState.REVOKED)
    if state.closed_at is not None:
        raise CodeUnavailable(CodeState.CLOSED)
    if state.paused_at is not None:
        raise CodeUnavailable(CodeState.PAUSED)
    if state.counter_active is False:
        raise CodeUnavailable(CodeState.CLOSED)
    if conditions["official_code"] is not None and state.official_id is None:
        raise StaleChoice(conditions["official_code"])
    if interval is not None and state.last_at is not None:
        elapsed = (now - state.last_at).total_seconds()
        if elapsed < interval:
            raise TooSoon(math.ceil(interval - elapsed))
    raise CodeUnavailable(CodeState.USED)


@cache
def _insert_if_open(
    dialect: str, columns: tuple[str, ...], rates_official: bool, under_interval: bool
) -> Any:
    """Build the send's insert: the row, where the code may still take it.

    ON CONFLICT DO NOTHING, not a savepoint and IntegrityError: a second use of
    the submission id or of the single-use code inserts no row.
    """
    table = Response.__table__
    values = [bindparam(name, type_=table.c[name].type) for name in columns]
    official = _official_at_counter() if rates_official else null()
    rows = (
        select(*values, official)
        .select_from(AccessCode)
        .join(Campaign, Campaign.id == AccessCode.campaign_id)
        .outerjoin(ServicePoint, ServicePoint.id == AccessCode.service_point_id)
        .where(
            AccessCode.id == bindparam("code_id"),
            AccessCode.revoked_at.is_(None),
            Campaign.paused_at.is_(None),
            Campaign.closed_at.is_(None),
            or_(ServicePoint.id.is_(None), ServicePoint.active.is_(True)),
        )
    )
    if rates_official:
        rows = rows.where(official.is_not(None))
    if under_interval:
        rows = rows.where(~exists(_device_ratings_since()))
    return (
        dialect_insert(dialect, table)
        .from_select([*columns, "official_id"], rows)
        .on_conflict_do_nothing()
        .returning(Response.id)
    )


def _official_at_counter() -> Any:
    """The id of the active official with the sent code at the code's counter.

    Codes are unique within a unit, so the official is sought in the counter's
    unit (the outer query's ``ServicePoint``): whatever other units call their
    officials, at most one row answers.
    """
    return (
        select(Official.id)
        .join(ServicePointOfficial, ServicePointOfficial.official_id == Official.id)
        .where(
            ServicePointOfficial.service_point_id == AccessCode.service_point_id,
            Official.unit_id == ServicePoint.unit_id,
            Official.code == bindparam("official_code"),
            Official.active.is_(True),
        )
        .scalar_subquery()
    )


def _device_ratings_since() -> Select[Any]:
    """The device's ratings here since the interval began."""
    return select(Response.id).where(
        *_device_ratings_here(), Response.submitted_at > bindparam("since")
    )


def _device_ratings_here() -> tuple[Any, ...]:
    """Select the device's ratings at the code's counter in its campaign.

    The device index answers it.
    """
    return (
        Response.campaign_id == AccessCode.campaign_id,
        Response.device_hash == bindparam("device_hash"),
        Response.service_point_id == AccessCode.service_point_id,
    )


@cache
def _current_state() -> Select[Any]:
    """Build the read of a refused send: what may have changed since loading.

    The code's revocation, its campaign's pause or close, its counter's state,
    the id of the official the send rates if still active there, and the
    device's last rating at the counter (for the minimum interval; the device
    index answers it).
    """
    last_at = (
        select(func.max(Response.submitted_at))
        .where(*_device_ratings_here())
        .scalar_subquery()
    )
    columns = [
        AccessCode.revoked_at,
        Campaign.paused_at,
        Campaign.closed_at,
        ServicePoint.active.label("counter_active"),
        _official_at_counter().label("official_id"),
        last_at.label("last_at"),
    ]
    return (
        select(*columns)
        .select_from(AccessCode)
        .join(Campaign, Campaign.id == AccessCode.campaign_id)
        .outerjoin(ServicePoint, ServicePoint.id == AccessCode.service_point_id)
        .where(AccessCode.id == bindparam("code_id"))
    )


def replay_or_raise(
    session: Session,
    campaign_id: int,
    submission_id: str,
    digest: str,
    refusal: Exception,
) -> Recorded:
    """Answer a refused send that resends a stored one as that one was; else refuse.

    The earlier send is looked up only when a send is refused (code used, too
    soon, id taken): the common send pays for no lookup. Raises ``refusal``
    when there was none, ``SubmissionConflict`` when it had other content.
    """
    previous = session.execute(
        select(Response.id, Response.content_hash).where(
            Response.campaign_id == campaign_id,
            Response.submission_id == submission_id,
        )
    ).one_or_none()
    if previous is None:
        raise refusal
    if previous.content_hash != digest:
        raise SubmissionConflict(submission_id)
    return Recorded(previous.id, created=False)


def _answered(values: Mapping[str, object]) -> int:
    """Count the answers given, each row of a repeat (a roster) counting its own."""
    count = 0
    for value in values.values():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            count += sum(_answered(row) for row in value)
        elif value not in (None, "", []):
            count += 1
    return count


def answer_flags(
    questionnaire: Questionnaire,
    values: Mapping[str, object],
    started_at: datetime | None,
    now: datetime,
) -> dict[str, bool]:
    """Return the quality flags a response's own answers and timing tell.

    The device and address flags (burst, suspected duplicate) compare
    responses with each other: ``surveys.tallies.catch_up`` sets them after the write.
    """
    answered = _answered(values)
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
