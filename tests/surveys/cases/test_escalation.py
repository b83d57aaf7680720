"""Escalation writes one event per overdue open case, once, and the chore row
decides whether it is due."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys.cases.escalation import escalate_if_due, escalate_overdue
from surveys.cases.events import history
from surveys.cases.workflow import Action, Step, apply
from surveys.dossiers.timing import local_instant
from surveys.models import CaseEvent, Role, UnitKind
from tests.builders import make_case, make_unit, make_user

NOW = local_instant(date(2026, 3, 10), 10 * 60)
RECEIVED = local_instant(date(2026, 3, 2), 9 * 60)


def escalations(session: Session) -> int:
    return (
        session.scalar(select(func.count()).where(CaseEvent.kind == "escalated")) or 0
    )


def test_each_overdue_open_case_is_escalated_once(db_session: Session) -> None:
    district = make_unit(db_session, kind=UnitKind.DISTRICT)
    ward = make_unit(db_session, district)
    manager = make_user(db_session, ward, Role.UNIT_MANAGER)
    late = make_case(
        db_session, ward, received=RECEIVED, due_at=NOW - timedelta(days=1)
    )
    also_late = make_case(
        db_session, ward, received=RECEIVED, due_at=NOW - timedelta(hours=1)
    )
    rejected = make_case(
        db_session, ward, received=RECEIVED, due_at=NOW - timedelta(days=1)
    )
    apply(
        db_session,
        rejected,
        Action.REJECT,
        manager,
        Step(text="Không thuộc thẩm quyền"),
    )
    not_yet = make_case(
        db_session, ward, received=RECEIVED, due_at=NOW + timedelta(hours=1)
    )
    assert escalate_overdue(db_session, NOW) == 2
    assert escalate_overdue(db_session, NOW + timedelta(minutes=5)) == 0
    assert escalations(db_session) == 2
    assert late.escalated_at == NOW and also_late.escalated_at == NOW
    assert rejected.escalated_at is None and not_yet.escalated_at is None
    event = history(db_session, late.id)[-1]
    assert (event.kind, event.actor, event.user_id) == ("escalated", "system", None)
    assert (event.from_unit_id, event.to_unit_id) == (ward.id, district.id)
    # Later the other one falls due too: only it is added.
    assert escalate_overdue(db_session, NOW + timedelta(hours=2)) == 1
    assert escalations(db_session) == 3


def test_the_chore_row_runs_it_once_per_interval(db_session: Session) -> None:
    ward = make_unit(db_session)
    make_case(db_session, ward, received=RECEIVED, due_at=NOW - timedelta(days=1))
    every = timedelta(hours=1)
    assert escalate_if_due(db_session, NOW, every) == 1
    make_case(db_session, ward, received=RECEIVED, due_at=NOW - timedelta(days=1))
    assert escalate_if_due(db_session, NOW + timedelta(minutes=30), every) is None
    assert escalate_if_due(db_session, NOW + every, every) == 1
