"""A case's history: one ``CaseEvent`` per change, never updated.

The events are the audit trail of cases (who, when, from which state and unit
to which); ``public_note`` is what the citizen's status page shows of them.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.models import CaseEvent, FeedbackCase, User, utcnow


class Actor(enum.StrEnum):
    """Who acted: a staff user, the citizen, hailong itself, or an integration."""

    STAFF = "staff"
    CITIZEN = "citizen"
    SYSTEM = "system"
    INTEGRATION = "integration"


class EventKind(enum.StrEnum):
    CREATED = "created"
    ASSIGNED = "assigned"
    STARTED = "started"
    TRANSFERRED = "transferred"
    REFERRED_OUT = "referred_out"
    MERGED = "merged"
    #: On the case others were merged into.
    ABSORBED = "absorbed"
    REJECTED = "rejected"
    ANSWER_SUBMITTED = "answer_submitted"
    ANSWER_RETURNED = "answer_returned"
    ANSWER_PUBLISHED = "answer_published"
    CLOSED = "closed"
    REOPENED = "reopened"
    WAITING = "waiting"
    RESUMED = "resumed"
    ESCALATED = "escalated"
    DUE_CHANGED = "due_changed"
    RATED = "rated"
    NOTE = "note"


def record(
    session: Session,
    case: FeedbackCase,
    kind: EventKind,
    actor: Actor,
    user: User | None = None,
    **fields: Any,
) -> CaseEvent:
    """Add one event to ``case``'s history (``fields`` as ``new_event``'s); flush."""
    event = new_event(case, kind, actor, user, **fields)
    session.add(event)
    session.flush()
    return event


def new_event(
    case: FeedbackCase,
    kind: EventKind,
    actor: Actor,
    user: User | None = None,
    *,
    from_state: str | None = None,
    to_state: str | None = None,
    from_unit_id: int | None = None,
    to_unit_id: int | None = None,
    public_note: str = "",
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> CaseEvent:
    """Return an event of ``case`` (which has its id) not yet added: for
    writing many at once; ``record`` adds one."""
    return CaseEvent(
        case_id=case.id,
        occurred_at=at or utcnow(),
        user_id=user.id if user else None,
        actor=actor.value,
        kind=kind.value,
        from_state=from_state,
        to_state=to_state,
        from_unit_id=from_unit_id,
        to_unit_id=to_unit_id,
        public_note=public_note,
        detail=detail or {},
    )


def history(session: Session, case_id: int) -> list[CaseEvent]:
    """Return a case's events, oldest first."""
    return list(
        session.scalars(
            select(CaseEvent)
            .where(CaseEvent.case_id == case_id)
            .order_by(CaseEvent.occurred_at, CaseEvent.id)
        )
    )
