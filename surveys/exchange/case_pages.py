"""Feedback cases as ``/api/v1`` lists them: cut to a ``Scope``, paged by keyset.

Only what is safe outside the unit: the state, the deadlines and how the case
moved between units, and of its history what the citizen's status page may
show (``CaseEvent.public_note``). Never the text (it may name people), the
address or location, the contact, the handler, the tracking code (the citizen's
only key to the status page and its rating) or events' internal details.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, selectinload

from surveys.access.scope import Scope, get_in_scope
from surveys.cases.due_dates import OPEN_STATES, is_open
from surveys.cases.events import history
from surveys.exchange.day_ranges import within_days
from surveys.exchange.pages import Page, scoped_page
from surveys.models import CaseCategory, CaseEvent, FeedbackCase, Unit
from surveys.units.tree import subtree_ids


@dataclass(frozen=True)
class CaseFilters:
    """What a list of cases keeps; None: any. Days are Vietnam's, both ends in."""

    #: A unit in scope: its cases and those of the units below.
    unit: Unit | None = None
    state: str | None = None
    category_code: str | None = None
    due_from: date | None = None
    due_to: date | None = None
    #: True: waiting for its reply past the due date at the moment asked.
    overdue: bool | None = None


def _kept(filters: CaseFilters, now: datetime) -> list[object]:
    conditions: list[object] = []
    if filters.unit is not None:
        conditions.append(FeedbackCase.unit_id.in_(subtree_ids(filters.unit.id)))
    if filters.state is not None:
        conditions.append(FeedbackCase.state == filters.state)
    if filters.category_code is not None:
        conditions.append(
            FeedbackCase.category_id.in_(
                select(CaseCategory.id).where(
                    CaseCategory.code == filters.category_code
                )
            )
        )
    conditions += within_days(FeedbackCase.due_at, filters.due_from, filters.due_to)
    overdue = and_(is_open(), FeedbackCase.due_at < now)
    if filters.overdue is not None:
        conditions.append(overdue if filters.overdue else ~overdue)
    return conditions


def _shown() -> tuple[object, ...]:
    return (selectinload(FeedbackCase.unit), selectinload(FeedbackCase.category))


def cases_page(
    session: Session,
    scope: Scope,
    filters: CaseFilters,
    now: datetime,
    cursor: str | None,
    limit: int,
) -> Page[FeedbackCase]:
    """Return a page of the cases of units in ``scope`` that ``filters`` keep."""
    return scoped_page(
        session, scope, FeedbackCase, _kept(filters, now), _shown(), cursor, limit
    )


def case_in_scope(session: Session, scope: Scope, case_id: int) -> FeedbackCase | None:
    """Return the case with this id in ``scope``, or None."""
    return get_in_scope(session, scope, FeedbackCase, case_id, _shown())


def is_overdue(case: FeedbackCase, now: datetime) -> bool:
    """Tell whether ``case`` waits for its reply past its due date at ``now``:
    the ``overdue`` filter in Python."""
    return case.state in OPEN_STATES and case.due_at < now


@dataclass(frozen=True)
class PublicEvent:
    """One step of a case's history, as far as it may leave the unit."""

    occurred_at: datetime
    kind: str
    actor: str
    from_state: str | None
    to_state: str | None
    from_unit_code: str | None
    to_unit_code: str | None
    public_note: str


def public_history(session: Session, case: FeedbackCase) -> list[PublicEvent]:
    """Return ``case``'s events, oldest first, without who did them or details."""
    events: list[CaseEvent] = history(session, case.id)
    unit_ids = {
        unit_id
        for event in events
        for unit_id in (event.from_unit_id, event.to_unit_id)
        if unit_id is not None
    }
    named = select(Unit.id, Unit.code).where(Unit.id.in_(unit_ids))
    codes: dict[int | None, str] = {row[0]: row[1] for row in session.execute(named)}
    return [
        PublicEvent(
            occurred_at=event.occurred_at,
            kind=event.kind,
            actor=event.actor,
            from_state=event.from_state,
            to_state=event.to_state,
            from_unit_code=codes.get(event.from_unit_id),
            to_unit_code=codes.get(event.to_unit_id),
            public_note=event.public_note,
        )
        for event in events
    ]
