"""What a staff user may see and do: the one place where roles and units are checked.

Every staff or report query goes through a :class:`Scope`: ``admin`` sees every
unit, the other roles see their own unit and everything below it. Objects outside
the scope are simply not found (``get_in_scope`` returns None and views answer
404), so another unit's data cannot be reached by guessing an id or a code.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.base import ExecutableOption

from surveys.models import (
    AccessCode,
    Campaign,
    Official,
    Role,
    ServicePoint,
    Unit,
    User,
)
from surveys.units.tree import subtree_ids

T = TypeVar("T")


class Permission(enum.StrEnum):
    VIEW = "view"
    #: Counters, officials and access codes of units in scope.
    MANAGE = "manage"
    #: Campaigns, users and questionnaires.
    ADMINISTER = "administer"
    #: Reading the audit trail. It is not cut to a unit (logins, users and
    #: imports of every unit are in it), so only roles that see every unit have it.
    AUDIT = "audit"
    #: The working-day calendar, which every unit's deadlines count: only
    #: roles that see every unit may move a day.
    CALENDAR = "calendar"


PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.DISTRICT: frozenset(
        {Permission.VIEW, Permission.MANAGE, Permission.ADMINISTER}
    ),
    Role.UNIT_MANAGER: frozenset({Permission.VIEW, Permission.MANAGE}),
    Role.VIEWER: frozenset({Permission.VIEW}),
}

#: The human-readable key each model is looked up by, besides its id. An
#: official's code is unique only within its unit: see ``official_in_scope``.
NATURAL_KEYS: dict[type[Any], InstrumentedAttribute[str]] = {
    Unit: Unit.code,
    ServicePoint: ServicePoint.code,
    Campaign: Campaign.key,
    AccessCode: AccessCode.token,
    User: User.username,
}


@dataclass(frozen=True)
class Scope:
    """A user's role and the root of the units it sees."""

    role: Role
    #: None only for ``admin``, who sees every unit.
    unit_id: int | None

    @classmethod
    def of(cls, user: User) -> Scope:
        """Return the scope of ``user``."""
        return cls(role=Role(user.role), unit_id=user.unit_id)

    @property
    def sees_everything(self) -> bool:
        """Tell whether no unit filter applies (admins only)."""
        return self.role == Role.ADMIN

    def allows(self, permission: Permission) -> bool:
        """Tell whether the role grants ``permission`` within the scope."""
        return permission in PERMISSIONS[self.role]

    @property
    def can_view(self) -> bool:
        """Tell whether the user may read results of units in scope."""
        return self.allows(Permission.VIEW)

    @property
    def can_manage(self) -> bool:
        """Tell whether the user may manage counters, officials and access codes."""
        return self.allows(Permission.MANAGE)

    @property
    def can_administer(self) -> bool:
        """Tell whether the user may manage campaigns, users and questionnaires."""
        return self.allows(Permission.ADMINISTER)

    @property
    def can_edit_calendar(self) -> bool:
        """Tell whether the user may move days of the working-day calendar."""
        return self.allows(Permission.CALENDAR)

    @property
    def can_audit(self) -> bool:
        """Tell whether the user may read the audit trail of the whole system."""
        return self.allows(Permission.AUDIT)

    def unit_ids(self) -> Select[tuple[int]]:
        """Return a query of the ids of the units in scope: the root and its subtree."""
        if self.sees_everything:
            return select(Unit.id)
        return subtree_ids(self.unit_id)

    def covers(self, unit_column: ColumnElement[Any]) -> ColumnElement[bool]:
        """Return the condition that ``unit_column`` names a unit in scope."""
        return unit_column.in_(self.unit_ids())

    def filter(
        self, statement: Select[Any], unit_column: ColumnElement[Any]
    ) -> Select[Any]:
        """Restrict ``statement`` to rows whose ``unit_column`` is in scope."""
        if self.sees_everything:
            return statement
        return statement.where(self.covers(unit_column))

    def units_query(self) -> Select[tuple[Unit]]:
        """Return a query of the units in scope."""
        return self.filter(select(Unit), Unit.id)


def unit_column(model: type[Any]) -> ColumnElement[Any]:
    """Return the column that places a row of ``model`` in the unit tree."""
    return model.id if model is Unit else model.unit_id


def units_in_scope(session: Session, scope: Scope) -> list[Unit]:
    """Return the units in scope, by name."""
    return list(session.scalars(scope.units_query().order_by(Unit.name)))


def get_in_scope(
    session: Session,
    scope: Scope,
    model: type[T],
    id_or_code: int | str,
    options: Sequence[ExecutableOption] = (),
) -> T | None:
    """Return the object with this id (or natural key), or None when out of scope.

    An object that exists but lies outside the scope is reported exactly like one
    that does not exist, so that ids and codes of other units reveal nothing.
    ``options`` (``selectinload(...)``) load what the caller will show with it.
    """
    key = NATURAL_KEYS[model] if isinstance(id_or_code, str) else model.id  # type: ignore[attr-defined]
    found = select(model).where(key == id_or_code).options(*options)
    return session.scalar(scope.filter(found, unit_column(model)))


def official_in_scope(
    session: Session,
    scope: Scope,
    unit_code: str,
    official_code: str,
    options: Sequence[ExecutableOption] = (),
) -> Official | None:
    """Return the official with this code in the unit with this code, or None.

    Each unit numbers its own officials, so the pair names one; as with
    ``get_in_scope``, one outside the scope is reported as missing.
    """
    found = (
        select(Official)
        .join(Official.unit)
        .where(Unit.code == unit_code, Official.code == official_code)
        .options(*options)
    )
    return session.scalar(scope.filter(found, Official.unit_id))
