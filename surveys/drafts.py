"""Saving a long questionnaire part-way, so an invited respondent can resume later."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from surveys.models import AccessCode, CodeKind, ResponseDraft
from surveys.questionnaire.validation import RawAnswers


def can_resume(code: AccessCode) -> bool:
    """Tell whether answers given through ``code`` may be kept part-way.

    Only a single-use code belongs to one respondent; a counter's standing code
    is shared by everyone who scans the poster.
    """
    return code.kind == CodeKind.SINGLE_USE


def load_draft(session: Session, code: AccessCode) -> ResponseDraft | None:
    """Return the answers saved so far through ``code``, if any."""
    if not can_resume(code):
        return None
    return session.scalar(
        select(ResponseDraft).where(ResponseDraft.access_code_id == code.id)
    )


def save_draft(
    session: Session,
    code: AccessCode,
    answers: RawAnswers,
    *,
    page: int,
    submission_id: str,
    started_at: datetime,
    now: datetime,
) -> None:
    """Keep the answers so far and the page reached; flush, never commit."""
    if not can_resume(code):
        return
    draft = load_draft(session, code)
    if draft is None:
        draft = ResponseDraft(access_code_id=code.id, started_at=started_at)
        session.add(draft)
    draft.answers = {name: value for name, value in answers.items() if value}
    draft.page = page
    draft.submission_id = submission_id
    draft.updated_at = now
    session.flush()


def discard_draft(session: Session, code: AccessCode) -> None:
    """Forget the saved answers once the response is recorded."""
    if not can_resume(code):
        return
    session.execute(
        delete(ResponseDraft).where(ResponseDraft.access_code_id == code.id)
    )
