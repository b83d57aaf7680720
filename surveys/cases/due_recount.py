"""Counting open cases' due dates again when the calendar or the rules change.

A day the government moves, or a unit's new cutoff or due time, changes when a
case computed by hailong falls due (its working days stay the ones the rules
gave it on arrival: a new rule applies to later cases); a deadline a portal's
export gave (``due_computed`` False) is that portal's promise and stays. Only
open cases move: an answered case's figures keep the deadline it was answered
against. Each move is one ``due_changed`` event, written by hailong itself.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from surveys.cases.due_dates import DEFAULT_DAYS, CaseDeadline, due_for, is_open
from surveys.cases.events import Actor, EventKind, new_event
from surveys.dossiers.calendar import load_calendar
from surveys.dossiers.timing import DeadlineRules, rules_for
from surveys.models import FeedbackCase, Unit


def cases_spanning(start: datetime, end: datetime) -> ColumnElement[bool]:
    """Return the condition that a case's receipt-to-due span meets [start, end)."""
    return and_(FeedbackCase.received_at < end, FeedbackCase.due_at >= start)


def cases_of_units(unit_ids: list[int]) -> ColumnElement[bool]:
    """Return the condition that a case belongs to one of the units."""
    return FeedbackCase.unit_id.in_(unit_ids)


def recount_cases(session: Session, which: ColumnElement[bool] | None = None) -> int:
    """Recompute the computed due dates of the open cases ``which`` selects
    (None: every one); return how many moved. Flushes only."""
    calendar = load_calendar(session)
    rules: dict[int, DeadlineRules] = {}
    moved = 0
    for case in session.scalars(
        select(FeedbackCase)
        .where(is_open(), FeedbackCase.due_computed.is_(True))
        .where(*([] if which is None else [which]))
        .order_by(FeedbackCase.id)
    ):
        if case.unit_id not in rules:
            unit = session.get_one(Unit, case.unit_id)
            rules[case.unit_id] = rules_for(session, unit)
        days = CaseDeadline(working_days=case.working_days or DEFAULT_DAYS)
        due = due_for(case.received_at, days, calendar, rules[case.unit_id])
        if due == case.due_at:
            continue
        session.add(
            new_event(
                case,
                EventKind.DUE_CHANGED,
                Actor.SYSTEM,
                from_state=case.state,
                to_state=case.state,
                detail={"from": case.due_at.isoformat(), "to": due.isoformat()},
            )
        )
        case.due_at = due
        moved += 1
    session.flush()
    return moved
