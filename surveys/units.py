"""Reading the administrative tree: the district, its wards and its offices."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from surveys.models import ServicePoint, Unit


def root_units(session: Session) -> list[Unit]:
    """Return the units at the top of the tree (districts), with their children."""
    return list(
        session.scalars(
            select(Unit)
            .where(Unit.parent_id.is_(None))
            .options(selectinload(Unit.children))
            .order_by(Unit.name)
        )
    )


def unit_by_code(session: Session, code: str) -> Unit | None:
    """Return the unit with this code, with its counters and their officials."""
    return session.scalar(
        select(Unit)
        .where(Unit.code == code)
        .options(selectinload(Unit.service_points).selectinload(ServicePoint.officials))
    )
