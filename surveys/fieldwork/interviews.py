"""Record an enumerator's interview: validated as the web survey is, stored once.

The instance id (``meta/instanceID``) is the response's ``submission_id``, so
the database's uniqueness of (campaign, submission id) makes a resend harmless:
the same id with the same content answers with the stored response, the same
id with other content is ``SubmissionConflict``. The answers are checked by
the same engine as a web survey's (``validate_answers``); the unit, the
campaign and the sample-design fields come from the enumerator's assignment,
never from the instance.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session

from surveys.db import dialect_insert
from surveys.fieldwork.enumerators import FieldForm
from surveys.fieldwork.instances import SubmittedInstance
from surveys.local_time import local_date
from surveys.models import Answer, Response
from surveys.questionnaire import Questionnaire, validate_answers
from surveys.storage.answers import answer_records, content_hash
from surveys.storage.recording import (
    Recorded,
    SubmissionConflict,
    answer_flags,
    hold_writers_lock,
    replay_or_raise,
)
from surveys.translatable import N_, Message

CLOSED = Message(N_("Đợt khảo sát không nhận phiếu vào ngày này."))
OUTDATED = Message(
    N_("Phiếu điền theo phiên bản biểu mẫu khác: hãy tải lại biểu mẫu rồi điền lại.")
)


class InterviewRefused(Exception):
    """The interview cannot be stored now; ``message`` says why. Nothing stored."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


def record_interview(
    session: Session,
    form: FieldForm,
    questionnaire: Questionnaire,
    instance: SubmittedInstance,
    now: datetime,
) -> Recorded:
    """Validate and store one interview for ``form``; flush, never commit.

    Raises the engine's ``InvalidAnswers``, ``SubmissionConflict``, or
    ``InterviewRefused`` (another form version, the campaign closed); a resend
    of a stored interview is answered as ``Recorded(created=False)`` even after
    the campaign closed.
    """
    if instance.version != str(form.questionnaire_version):
        raise InterviewRefused(OUTDATED)
    language = questionnaire.languages[0]
    values = validate_answers(
        questionnaire,
        instance.answers(questionnaire),
        today=local_date(now),
        language=language,
    )
    digest = content_hash(values)
    if not form.runs_on(local_date(now)):
        return replay_or_raise(
            session,
            form.campaign_id,
            instance.instance_id,
            digest,
            InterviewRefused(CLOSED),
        )
    row = {
        "campaign_id": form.campaign_id,
        "questionnaire_id": form.questionnaire_id,
        "unit_id": form.unit_id,
        "channel": form.mode,
        "language": language,
        "submission_id": instance.instance_id,
        "content_hash": digest,
        "submitted_at": now,
        # An interview comes from a known, signed-in enumerator.
        "verified": True,
        "stratum": form.design.stratum,
        "cluster": form.design.cluster,
        "weight": form.design.weight,
    } | answer_flags(questionnaire, values, None, now)
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
            instance.instance_id,
            digest,
            SubmissionConflict(instance.instance_id),
        )
    records = answer_records(values)
    if records:
        connection.execute(
            insert(Answer.__table__),
            [record | {"response_id": response_id} for record in records],
        )
    return Recorded(response_id, created=True)
