"""Saving a long questionnaire part-way, so an invited respondent can resume later."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from surveys.access.code_state import OpenedCode
from surveys.db import dialect_insert
from surveys.models import CodeKind, ResponseDraft
from surveys.questionnaire.validation import RawAnswers


def can_resume(code: OpenedCode) -> bool:
    """Tell whether answers given through ``code`` may be kept part-way.

    Only a single-use code belongs to one respondent; a counter's standing code
    is shared by everyone who scans the poster.
    """
    return code.kind == CodeKind.SINGLE_USE


def load_draft(session: Session, code: OpenedCode) -> ResponseDraft | None:
    """Return the answers saved so far through ``code``, if any."""
    if not can_resume(code):
        return None
    return session.scalar(
        select(ResponseDraft).where(ResponseDraft.access_code_id == code.id)
    )


def save_draft(
    session: Session,
    code: OpenedCode,
    answers: RawAnswers,
    *,
    page: int,
    submission_id: str,
    started_at: datetime,
    now: datetime,
) -> None:
    """Keep the answers so far and the page reached; flush, never commit.

    One upsert: two "next" taps arriving together on a new draft must not both
    try to create it (PostgreSQL would refuse the second with a unique error).
    """
    if not can_resume(code):
        return
    kept = {
        "answers": {name: value for name, value in answers.items() if value},
        "page": page,
        "submission_id": submission_id,
        "updated_at": now,
    }
    dialect = session.get_bind().dialect.name
    statement = dialect_insert(dialect, ResponseDraft.__table__).values(
        access_code_id=code.id, started_at=started_at, **kept
    )
    session.execute(
        statement.on_conflict_do_update(index_elements=["access_code_id"], set_=kept)
    )


def discard_draft(session: Session, code: OpenedCode) -> None:
    """Forget the saved answers once the response is recorded."""
    if not can_resume(code):
        return
    session.execute(
        delete(ResponseDraft).where(ResponseDraft.access_code_id == code.id)
    )


#: Answers saved part-way and never sent are erased after this long: they may
#: hold free text, and nobody will come back for them.
DRAFT_RETENTION = timedelta(days=90)


def purge_stale_drafts(session: Session, now: datetime) -> int:
    """Erase drafts untouched for longer than the retention period; return how many."""
    result = session.execute(
        delete(ResponseDraft).where(ResponseDraft.updated_at < now - DRAFT_RETENTION)
    )
    return result.rowcount or 0
