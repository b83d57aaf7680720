"""The lists a unit works its cases from: new, mine, due soon, overdue, waiting
for the citizen, escalated from the units below, and all of them filtered.

Each list is a query over the unit and the units below it, a page at a time,
oldest deadline first (received order for ``all``). "Due soon" follows each
case's own rule: a case is due soon when its due date falls before the end of
the rule's ``warn_days``-th working day from today (``horizon``), so the few
open cases due within the longest warning are read and sorted out here.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import Session, aliased

from surveys.cases.due_dates import DEFAULT_WARN_DAYS, OPEN_STATES, is_open, rule_for
from surveys.cases.workflow import HANDLER_ROLES
from surveys.dossiers.calendar import WorkingCalendar
from surveys.dossiers.deadlines import horizon
from surveys.dossiers.timing import working_days_late
from surveys.models import (
    CaseCategory,
    CaseDeadlineRule,
    CaseState,
    FeedbackCase,
    Unit,
    User,
)
from surveys.units.tree import lineage_ids, subtree_ids

#: Cases on one page of a list.
PAGE_SIZE = 50


class CaseList(enum.StrEnum):
    NEW = "new"
    MINE = "mine"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    WAITING = "waiting"
    #: Overdue open cases of the units below: what the level above sees.
    ESCALATED = "escalated"
    ALL = "all"


@dataclass(frozen=True)
class CaseFilters:
    """The ``all`` list's choices; None: any."""

    state: str | None = None
    category_id: int | None = None
    channel: str | None = None
    #: "2026-Q1"
    quarter: str | None = None


@dataclass(frozen=True)
class ListedCase:
    """One case as a list shows it."""

    id: int
    tracking_code: str
    category_name: str
    unit_name: str
    handler_name: str | None
    received_at: datetime
    due_at: datetime
    state: str
    open: bool
    #: Working days past the due date at the moment of the list: positive when
    #: overdue, else minus the working days left.
    days_late: int


@dataclass(frozen=True)
class CasePage:
    """One page of a list and where it stands among the others."""

    cases: list[ListedCase]
    total: int
    page: int
    pages: int


def _condition(
    which: CaseList,
    unit_id: int,
    user: User,
    now: datetime,
    filters: CaseFilters,
) -> ColumnElement[bool]:
    below = subtree_ids(unit_id)
    in_units = FeedbackCase.unit_id.in_(below)
    overdue = and_(is_open(), FeedbackCase.due_at < now)
    conditions: dict[CaseList, ColumnElement[bool]] = {
        CaseList.NEW: and_(in_units, FeedbackCase.state == CaseState.RECEIVED),
        CaseList.MINE: and_(in_units, is_open(), FeedbackCase.handler_id == user.id),
        CaseList.DUE_SOON: and_(in_units, is_open(), FeedbackCase.due_at >= now),
        CaseList.OVERDUE: and_(in_units, overdue),
        CaseList.WAITING: and_(
            in_units, is_open(), FeedbackCase.waiting_since.is_not(None)
        ),
        CaseList.ESCALATED: and_(in_units, FeedbackCase.unit_id != unit_id, overdue),
        CaseList.ALL: and_(in_units, *_filtered(filters)),
    }
    return conditions[which]


def _filtered(filters: CaseFilters) -> list[ColumnElement[bool]]:
    found = []
    if filters.state:
        found.append(FeedbackCase.state == filters.state)
    if filters.category_id:
        found.append(FeedbackCase.category_id == filters.category_id)
    if filters.channel:
        found.append(FeedbackCase.channel == filters.channel)
    if filters.quarter:
        found.append(FeedbackCase.received_quarter == filters.quarter)
    return found


def _rows(condition: ColumnElement[bool]) -> Select[tuple[object, ...]]:
    handler = aliased(User)
    return (
        select(
            FeedbackCase.id,
            FeedbackCase.tracking_code,
            CaseCategory.name_vi.label("category_name"),
            Unit.name.label("unit_name"),
            handler.username.label("handler_name"),
            FeedbackCase.received_at,
            FeedbackCase.due_at,
            FeedbackCase.state,
            FeedbackCase.category_id,
            FeedbackCase.channel,
        )
        .join(CaseCategory, CaseCategory.id == FeedbackCase.category_id)
        .join(Unit, Unit.id == FeedbackCase.unit_id)
        .outerjoin(handler, handler.id == FeedbackCase.handler_id)
        .where(condition)
    )


def list_cases(
    session: Session,
    which: CaseList,
    unit_id: int,
    user: User,
    now: datetime,
    calendar: WorkingCalendar,
    *,
    page: int = 1,
    filters: CaseFilters = CaseFilters(),
) -> CasePage:
    """Return page ``page`` (kept within the pages there are) of a unit's list."""
    condition = _condition(which, unit_id, user, now, filters)
    if which is CaseList.DUE_SOON:
        return _due_soon(session, condition, now, calendar, page)
    total = session.scalar(select(func.count()).where(condition)) or 0
    pages, page = _pages(total, page)
    order = (
        (FeedbackCase.received_at.desc(), FeedbackCase.id.desc())
        if which is CaseList.ALL
        else (FeedbackCase.due_at, FeedbackCase.id)
    )
    rows = session.execute(
        _rows(condition)
        .order_by(*order)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return CasePage([_listed(row, now, calendar) for row in rows], total, page, pages)


def _due_soon(
    session: Session,
    condition: ColumnElement[bool],
    now: datetime,
    calendar: WorkingCalendar,
    page: int,
) -> CasePage:
    """Sort out the open cases due within their own rule's warning."""
    longest = max(
        session.scalar(select(func.max(CaseDeadlineRule.warn_days))) or 0,
        DEFAULT_WARN_DAYS,
    )
    candidates = session.execute(
        _rows(
            and_(condition, FeedbackCase.due_at < horizon(now, longest, calendar))
        ).order_by(FeedbackCase.due_at, FeedbackCase.id)
    ).all()
    warnings: dict[tuple[int, str], datetime] = {}
    due_soon = []
    for row in candidates:
        key = (row.category_id, row.channel)
        if key not in warnings:
            warn = rule_for(session, row.category_id, row.channel).warn_days
            warnings[key] = horizon(now, warn, calendar)
        if row.due_at < warnings[key]:
            due_soon.append(row)
    pages, page = _pages(len(due_soon), page)
    shown = due_soon[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return CasePage(
        [_listed(row, now, calendar) for row in shown], len(due_soon), page, pages
    )


def _pages(total: int, page: int) -> tuple[int, int]:
    pages = max(math.ceil(total / PAGE_SIZE), 1)
    return pages, min(max(page, 1), pages)


def _listed(row: object, now: datetime, calendar: WorkingCalendar) -> ListedCase:
    values = row._mapping  # type: ignore[attr-defined]
    return ListedCase(
        id=values["id"],
        tracking_code=values["tracking_code"],
        category_name=values["category_name"],
        unit_name=values["unit_name"],
        handler_name=values["handler_name"],
        received_at=values["received_at"],
        due_at=values["due_at"],
        state=values["state"],
        open=values["state"] in OPEN_STATES,
        days_late=working_days_late(values["due_at"], now, calendar),
    )


def overdue_count(session: Session, unit_id: int | None, now: datetime) -> int:
    """Count the open cases past their due date in a unit and below (None: all)."""
    condition = and_(is_open(), FeedbackCase.due_at < now)
    if unit_id is not None:
        condition = and_(condition, FeedbackCase.unit_id.in_(subtree_ids(unit_id)))
    return session.scalar(select(func.count()).where(condition)) or 0


def possible_handlers(session: Session, unit_id: int) -> list[User]:
    """Return who may be given a case of the unit: the active staff whose scope
    covers it (of the unit or a unit above; a unit below takes it by a
    transfer), but no district user (``HANDLER_ROLES``)."""
    return list(
        session.scalars(
            select(User)
            .where(
                User.active.is_(True),
                User.role.in_(HANDLER_ROLES),
                User.unit_id.in_(lineage_ids(unit_id)),
            )
            .order_by(User.username)
        )
    )
