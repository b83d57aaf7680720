"""Record an enumerator's interview: checked as a web survey is, stored once.

Checking reads nothing (``check_interview``), so the caller begins writing only
after it, and the write (``store_interview``) is one short transaction.

The instance id (``meta/instanceID``) is the response's ``submission_id``, so
the database's uniqueness of (campaign, submission id) makes a resend harmless:
the same id with the same content answers with the stored response, the same
id with other content is ``SubmissionConflict``. The answers are checked by
the same engine as a web survey's (``validate_answers``); the unit, the
campaign and the sample-design fields come from the enumerator's assignment,
never from the instance.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session

from surveys.db import dialect_insert
from surveys.fieldwork.enumerators import FieldForm
from surveys.fieldwork.instances import SubmittedInstance
from surveys.local_time import local_date, local_wall_clock
from surveys.models import Answer, Response
from surveys.questionnaire import Questionnaire, validate_answers
from surveys.questionnaire.validation import Answer as Value
from surveys.storage.answers import (
    answer_records,
    content_hash,
    with_interview_times,
)
from surveys.storage.recording import (
    Recorded,
    SubmissionConflict,
    answer_flags,
    hold_writers_lock,
    replay_or_raise,
)
from surveys.translatable import N_, Message

CLOSED = Message(N_("Đợt khảo sát không nhận phiếu vào ngày này."))
PAUSED = Message(
    N_(
        "Đợt khảo sát đang tạm dừng: phiếu vẫn được giữ trên máy, hãy gửi lại khi "
        "đợt khảo sát tiếp tục."
    )
)
OUTDATED = Message(
    N_("Phiếu điền theo phiên bản biểu mẫu khác: hãy tải lại biểu mẫu rồi điền lại.")
)


class InterviewRefused(Exception):
    """The interview cannot be stored now; ``message`` says why. Nothing stored."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class CheckedInterview:
    """An interview's typed answers, checked before the write begins."""

    instance_id: str
    language: str
    values: Mapping[str, Value]
    digest: str
    flags: Mapping[str, bool]


def check_interview(
    form: FieldForm,
    questionnaire: Questionnaire,
    instance: SubmittedInstance,
    now: datetime,
) -> CheckedInterview:
    """Type and check an interview's answers against its form, reading nothing.

    Raises the engine's ``InvalidAnswers``, or ``InterviewRefused`` for an
    instance of another form version. The caller then begins writing and
    calls ``store_interview``: the write lock is not held while checking.
    """
    if instance.version != str(form.questionnaire_version):
        raise InterviewRefused(OUTDATED)
    language = questionnaire.languages[0]
    raw = instance.answers(questionnaire)
    values = validate_answers(
        questionnaire, raw, now=local_wall_clock(now), language=language
    )
    return CheckedInterview(
        instance.instance_id,
        language,
        with_interview_times(questionnaire, values, None, now),
        # What the client sent, not what the server computed from it: a
        # calculation on now() or today() differs on a resend, the answers not.
        content_hash(raw),
        answer_flags(questionnaire, values, None, now),
    )


def store_interview(
    session: Session, form: FieldForm, interview: CheckedInterview, now: datetime
) -> Recorded:
    """Store a checked interview for ``form`` once; flush, never commit.

    Raises ``SubmissionConflict`` (its instance id stored with other content)
    or ``InterviewRefused`` (the campaign closed or paused); a resend of a
    stored interview is answered as ``Recorded(created=False)``, even once closed.
    """
    running = form.runs_on(local_date(now))
    if not running or form.paused:
        return replay_or_raise(
            session,
            form.campaign_id,
            interview.instance_id,
            interview.digest,
            InterviewRefused(PAUSED if running else CLOSED),
        )
    row = {
        "campaign_id": form.campaign_id,
        "questionnaire_id": form.questionnaire_id,
        "unit_id": form.unit_id,
        "channel": form.mode,
        "language": interview.language,
        "submission_id": interview.instance_id,
        "content_hash": interview.digest,
        "submitted_at": now,
        # An interview comes from a known, signed-in enumerator.
        "verified": True,
        "stratum": form.design.stratum,
        "cluster": form.design.cluster,
        "weight": form.design.weight,
    } | dict(interview.flags)
    connection = session.connection()
    hold_writers_lock(connection)
    statement = (
        dialect_insert(connection.dialect.name, Response.__table__)
        .values(row)
        .on_conflict_do_nothing()
        .returning(Response.id)
    )
    response_id = connection.execute(statement).scalar()
    if response_id is None:
        return replay_or_raise(
            session,
            form.campaign_id,
            interview.instance_id,
            interview.digest,
            SubmissionConflict(interview.instance_id),
        )
    records = answer_records(interview.values)
    if records:
        connection.execute(
            insert(Answer.__table__),
            [record | {"response_id": response_id} for record in records],
        )
    return Recorded(response_id, created=True)
