"""What an admin or a unit changes about deadlines: the days the government moved,
and a unit's cutoff and due time. Each change is audited and counted again at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.access.audit import AuditAction, record_event
from surveys.dossiers.calendar import make_up_days, public_holiday_names
from surveys.dossiers.recount import recount_around, recount_units
from surveys.dossiers.timing import DeadlineRules
from surveys.models import DossierRules, Unit, User, WorkingDayChange
from surveys.units.tree import subtree_ids


@dataclass(frozen=True)
class SpecialDay:
    """A day that is not an ordinary weekday or weekend, and why."""

    day: date
    working: bool
    #: The holiday's name, the admin's note, or "" for a make-up day.
    name: str
    #: True when an admin recorded it (it can be removed), False: the package's.
    recorded: bool


def special_days(session: Session, year: int, language: str = "vi") -> list[SpecialDay]:
    """Return the year's holidays, make-up days and recorded changes, by date."""
    recorded = {
        change.day: change
        for change in session.scalars(
            select(WorkingDayChange).where(
                WorkingDayChange.day.between(date(year, 1, 1), date(year, 12, 31))
            )
        )
    }
    found = {
        day: SpecialDay(day, False, name, recorded=False)
        for day, name in public_holiday_names(year, language).items()
    }
    found |= {
        day: SpecialDay(day, True, "", recorded=False) for day in make_up_days(year)
    }
    found |= {
        day: SpecialDay(day, change.working, change.note, recorded=True)
        for day, change in recorded.items()
    }
    return [found[day] for day in sorted(found)]


def set_working_day(
    session: Session, actor: User | None, day: date, working: bool, note: str
) -> int:
    """Record that offices work (or not) on ``day``; return the dossiers recounted."""
    change = session.get(WorkingDayChange, day)
    if change is None:
        change = WorkingDayChange(day=day)
        session.add(change)
    change.working = working
    change.note = note
    change.created_by = actor.id if actor else None
    session.flush()
    record_event(
        session,
        AuditAction.WORKING_DAY_SET,
        actor.id if actor else None,
        object_type="working_day",
        object_id=day.isoformat(),
        detail={"working": working, "note": note},
    )
    return recount_around(session, [day])


def clear_working_day(session: Session, actor: User | None, day: date) -> int:
    """Forget a recorded change of ``day``; return the dossiers recounted."""
    change = session.get(WorkingDayChange, day)
    if change is None:
        return 0
    session.delete(change)
    session.flush()
    record_event(
        session,
        AuditAction.WORKING_DAY_CLEARED,
        actor.id if actor else None,
        object_type="working_day",
        object_id=day.isoformat(),
    )
    return recount_around(session, [day])


def set_rules(
    session: Session, actor: User | None, unit: Unit, rules: DeadlineRules
) -> int:
    """Give ``unit`` its own deadline rules; return the dossiers recounted.

    Units below it without rules of their own follow them too, so their
    computed due dates are counted again as well.
    """
    own = session.get(DossierRules, unit.id)
    if own is None:
        own = DossierRules(unit_id=unit.id)
        session.add(own)
    own.cutoff_minute = rules.cutoff_minute
    own.due_minute = rules.due_minute
    session.flush()
    record_event(
        session,
        AuditAction.DOSSIER_RULES_SET,
        actor.id if actor else None,
        object_type="unit",
        object_id=unit.code,
        detail={"cutoff_minute": rules.cutoff_minute, "due_minute": rules.due_minute},
    )
    return recount_units(session, list(session.scalars(subtree_ids(unit.id))))
