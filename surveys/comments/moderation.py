"""Hiding a comment from reports, with a reason, and showing it again; both audited.

A manager hides a comment that reports should not carry (an insult, a name
the masks cannot recognise, a message meant for somebody else). The answer
stays as typed; the comment leaves the reports' comment tables and exports and
stays on the comment list, marked, for those who may show it again.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.access.audit import AuditAction, record_event
from surveys.db import dialect_insert
from surveys.models import Answer, HiddenComment, Response, User, utcnow

#: The longest reason kept (the column's size).
REASON_MAX_LENGTH = 200


def comment_text(session: Session, response: Response, question: str) -> str | None:
    """Return the comment ``question`` of ``response``, or None when it has none."""
    return session.scalar(
        select(Answer.value_text).where(
            Answer.response_id == response.id,
            Answer.question == question,
            Answer.position == 0,
            Answer.value_text.is_not(None),
        )
    )


def hide_comment(
    session: Session, response: Response, question: str, user: User, reason: str
) -> None:
    """Hide a comment from reports (again, with a new reason, if already hidden)."""
    reason = reason.strip()
    if not reason or len(reason) > REASON_MAX_LENGTH:
        raise ValueError(f"a reason of 1 to {REASON_MAX_LENGTH} characters: {reason!r}")
    # One upsert: two managers hiding the same comment at once must not both
    # insert it (the second would fail on the primary key).
    hiding = {"hidden_by": user.id, "hidden_at": utcnow(), "reason": reason}
    statement = dialect_insert(
        session.get_bind().dialect.name, HiddenComment.__table__
    ).values(response_id=response.id, question=question, **hiding)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["response_id", "question"], set_=hiding
        )
    )
    _audit(session, AuditAction.COMMENT_HIDDEN, response, question, user, reason)


def show_comment(
    session: Session, response: Response, question: str, user: User
) -> bool:
    """Show a hidden comment in reports again; False when it was not hidden."""
    hidden = session.get(HiddenComment, (response.id, question))
    if hidden is None:
        return False
    session.delete(hidden)
    _audit(session, AuditAction.COMMENT_SHOWN, response, question, user, None)
    return True


def hidden_comments(
    session: Session, response_ids: Sequence[int]
) -> set[tuple[int, str]]:
    """Return which comments of these responses are hidden, as (response, question).

    Read between the least and the greatest id, then kept to those asked: an
    export asks for pages of 5,000 ids, and a list of 5,000 parameters cost more
    to build than the query itself (hidden comments are few).
    """
    if not response_ids:
        return set()
    wanted = set(response_ids)
    rows = session.execute(
        select(HiddenComment.response_id, HiddenComment.question).where(
            HiddenComment.response_id.between(min(wanted), max(wanted))
        )
    ).all()
    return {
        (response_id, question)
        for response_id, question in rows
        if response_id in wanted
    }


def _audit(
    session: Session,
    action: AuditAction,
    response: Response,
    question: str,
    user: User,
    reason: str | None,
) -> None:
    detail = {"unit_id": response.unit_id, "question": question}
    record_event(
        session,
        action,
        user.id,
        object_type="comment",
        object_id=f"{response.id}/{question}",
        detail=detail if reason is None else detail | {"reason": reason},
    )
