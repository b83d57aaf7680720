"""Settling a paper form's two entries against the paper: the form becomes a response.

A third user, neither clerk, settles each difference; the settled values are
checked as any send is and stored through the form's single-use code by the
recording path of every response (``record_validated``), on the ``paper``
channel and verified by the code, with the code's sample-design fields. The
submission id is the form's number, so reconciling twice stores one response.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from surveys.access.code_state import CodeUnavailable, load_code
from surveys.models import PAPER_CHANNEL, PaperForm, PaperFormState, User, utcnow
from surveys.paper.comparison import plain
from surveys.paper.entries import locked, sees
from surveys.paper.form_numbers import format_number
from surveys.paper.form_refusals import PaperRefused, Refusal, refused_for
from surveys.questionnaire.validation import RawAnswers
from surveys.storage.recording import (
    Recorded,
    Submission,
    SubmissionConflict,
    record_validated,
    validate_through,
)

#: What a form's submission id starts with; its number follows.
SUBMISSION_PREFIX = "paper-"


def check_reconciler(session: Session, form: PaperForm, user: User) -> None:
    """Refuse ``user`` as the form's reconciler unless both entries exist and
    ``user`` keyed neither (and sees the form's unit)."""
    number = format_number(form.number)
    if not sees(session, user, form):
        raise PaperRefused(Refusal.NOT_FOUND, number=number)
    if form.state == PaperFormState.VOID:
        raise PaperRefused(Refusal.VOID, number=number)
    if len(form.entries) < 2:
        raise PaperRefused(Refusal.NOT_ENTERED_TWICE, number=number)
    if user.id in {entry.clerk_id for entry in form.entries}:
        raise PaperRefused(Refusal.RECONCILER_IS_CLERK, number=number)


def reconcile(
    session: Session,
    form: PaperForm,
    reconciler: User,
    settled_values: RawAnswers,
    *,
    now: datetime | None = None,
) -> Recorded:
    """Store the form's settled answers as its one response; flush, never commit.

    ``settled_values`` are raw answers as the survey page sends them. A
    replay with the same values answers with the stored response
    (``Recorded.created`` False). Raises ``PaperRefused`` (the reconciler a
    clerk, fewer than two entries, the code used online or closed, the form
    reconciled with other values) or the engine's ``InvalidAnswers``; nothing
    is stored then.
    """
    now = now or utcnow()
    form = locked(session, form)
    check_reconciler(session, form, reconciler)
    code = load_code(session, form.access_code.token)
    typed = validate_through(code, settled_values, now)
    number = format_number(form.number)
    submission = Submission(
        token=code.token,
        submission_id=SUBMISSION_PREFIX + number,
        answers=settled_values,
    )
    try:
        recorded = record_validated(
            session, code, submission, typed, now, PAPER_CHANNEL
        )
    except SubmissionConflict as conflict:
        raise PaperRefused(Refusal.OTHER_ANSWERS, number=number) from conflict
    except CodeUnavailable as unavailable:
        raise refused_for(unavailable, number) from unavailable
    if form.state != PaperFormState.RECONCILED:
        form.state = PaperFormState.RECONCILED
        form.settled_answers = plain(typed)
        form.reconciled_by = reconciler.id
        form.reconciled_at = now
        form.response_id = recorded.response_id
        session.flush()
    return recorded
