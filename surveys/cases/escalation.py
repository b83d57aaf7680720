"""Escalation: an open case past its due date is shown to the unit above.

The parent unit's "escalated" list is a query (``case_lists``) and needs no
job; what the chore adds is the history: the first time a case is seen overdue
it gets ``escalated_at`` and one ``escalated`` event, written by hailong
itself, so the record says since when the level above has known.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.access.retention import claim_chore
from surveys.cases.due_dates import is_open
from surveys.cases.events import Actor, EventKind, new_event
from surveys.models import FeedbackCase, Unit

#: The ``chores`` row of the escalation.
ESCALATE = "escalate_cases"


def escalate_overdue(session: Session, now: datetime) -> int:
    """Mark every open case overdue at ``now`` and not yet escalated; return how
    many. Flushes only."""
    marked = 0
    for case in session.scalars(
        select(FeedbackCase)
        .where(
            is_open(),
            FeedbackCase.due_at < now,
            FeedbackCase.escalated_at.is_(None),
        )
        .order_by(FeedbackCase.id)
    ):
        unit = session.get_one(Unit, case.unit_id)
        case.escalated_at = now
        session.add(
            new_event(
                case,
                EventKind.ESCALATED,
                Actor.SYSTEM,
                from_state=case.state,
                to_state=case.state,
                from_unit_id=case.unit_id,
                to_unit_id=unit.parent_id,
                detail={"due_at": case.due_at.isoformat()},
                at=now,
            )
        )
        marked += 1
    session.flush()
    return marked


def escalate_if_due(session: Session, now: datetime, every: timedelta) -> int | None:
    """Escalate unless an escalation began less than ``every`` ago; None when not
    due. The claim and the marks share the caller's transaction."""
    if not claim_chore(session, ESCALATE, now, every):
        return None
    return escalate_overdue(session, now)
