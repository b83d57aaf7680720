"""Open dossiers against their deadlines: those overdue now, and those due within
the next few working days, so that a unit acts before a dossier becomes late.

A dossier is open while it is neither returned nor withdrawn. The lists come
oldest deadline first, a page at a time, with how many there are per unit; one
``GROUP BY`` over the open dossiers (index ``ix_dossiers_open_due``) counts
them for every unit at once.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import Session

from surveys.dossiers.calendar import WorkingCalendar
from surveys.dossiers.timing import local_instant, working_days_late
from surveys.local_time import local_date
from surveys.models import Dossier, DossierStatus, Procedure, Unit

#: Dossiers on one page of a list.
PAGE_SIZE = 50

UnitIds = Select[tuple[int]] | Collection[int]


#: The statuses of a dossier no longer being handled.
CLOSED_STATUSES = (DossierStatus.RETURNED, DossierStatus.WITHDRAWN)


def is_open() -> ColumnElement[bool]:
    """Return the condition that a dossier is still being handled."""
    return and_(
        Dossier.returned_at.is_(None),
        Dossier.status.not_in(CLOSED_STATUSES),
    )


def horizon(now: datetime, days: int, calendar: WorkingCalendar) -> datetime:
    """Return the end of the ``days``-th working day after today (0: of today).

    A dossier due before it is due within ``days`` working days: on a Friday,
    two working days reach the end of Tuesday.
    """
    last = calendar.add_working_days(local_date(now), days)
    return local_instant(last + timedelta(days=1), 0)


@dataclass(frozen=True)
class DeadlineCounts:
    """How many of a unit's open dossiers are overdue, and how many due soon."""

    unit_id: int
    overdue: int
    due_soon: int


def deadline_counts(
    session: Session, unit_ids: UnitIds, now: datetime, until: datetime
) -> dict[int, DeadlineCounts]:
    """Count each unit's open dossiers overdue at ``now`` and due before ``until``.

    Units without any are left out.
    """
    overdue = Dossier.due_at < now
    rows = session.execute(
        select(
            Dossier.unit_id,
            func.sum(case((overdue, 1), else_=0)),
            func.sum(case((overdue, 0), else_=1)),
        )
        .where(Dossier.unit_id.in_(unit_ids), is_open(), Dossier.due_at < until)
        .group_by(Dossier.unit_id)
    )
    return {
        unit_id: DeadlineCounts(unit_id, int(late), int(soon))
        for unit_id, late, soon in rows
    }


@dataclass(frozen=True)
class OpenDossier:
    """One open dossier as a deadlines list shows it."""

    code: str
    unit_code: str
    unit_name: str
    procedure_name: str
    received_at: datetime
    due_at: datetime
    status: str
    #: Working days past the due date at the moment the list was made:
    #: positive when overdue, else minus the working days left.
    days_late: int


@dataclass(frozen=True)
class DeadlinePage:
    """One page of a deadlines list and where it stands among the others."""

    dossiers: list[OpenDossier]
    total: int
    page: int
    pages: int


def overdue_now(
    session: Session,
    unit_ids: UnitIds,
    now: datetime,
    calendar: WorkingCalendar,
    page: int = 1,
) -> DeadlinePage:
    """List the open dossiers past their due date at ``now``, the oldest first."""
    return _page(session, unit_ids, Dossier.due_at < now, now, calendar, page)


def due_within(
    session: Session,
    unit_ids: UnitIds,
    now: datetime,
    until: datetime,
    calendar: WorkingCalendar,
    page: int = 1,
) -> DeadlinePage:
    """List the open dossiers due from ``now`` to before ``until``, soonest first."""
    soon = and_(Dossier.due_at >= now, Dossier.due_at < until)
    return _page(session, unit_ids, soon, now, calendar, page)


def _page(
    session: Session,
    unit_ids: UnitIds,
    due: ColumnElement[bool],
    now: datetime,
    calendar: WorkingCalendar,
    page: int,
) -> DeadlinePage:
    """Return page ``page`` (kept within the pages there are) of a list."""
    condition = and_(Dossier.unit_id.in_(unit_ids), is_open(), due)
    total = session.scalar(select(func.count()).where(condition)) or 0
    pages = max(math.ceil(total / PAGE_SIZE), 1)
    page = min(max(page, 1), pages)
    rows = session.execute(
        select(
            Dossier.code,
            Unit.code.label("unit_code"),
            Unit.name.label("unit_name"),
            Procedure.name.label("procedure_name"),
            Dossier.received_at,
            Dossier.due_at,
            Dossier.status,
        )
        .join(Unit, Unit.id == Dossier.unit_id)
        .join(Procedure, Procedure.id == Dossier.procedure_id)
        .where(condition)
        .order_by(Dossier.due_at, Dossier.id)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    dossiers = [
        OpenDossier(
            **row._mapping, days_late=working_days_late(row.due_at, now, calendar)
        )
        for row in rows
    ]
    return DeadlinePage(dossiers, total, page, pages)
