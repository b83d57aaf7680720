"""Counting again when the calendar or a unit's rules change: the due dates
hailong computed, and the working days late that follow from them.

A day the government moves after the fact (a day off announced late, a make-up
Saturday) changes which dossiers were late, so the register follows; so does a
unit that changes its cutoff or due time. Due dates that came from the import
are the receipt's promise and stay as they are. Open feedback cases whose due
date hailong computed follow the same changes (``surveys.cases.due_recount``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from surveys.cases.due_recount import cases_of_units, cases_spanning, recount_cases
from surveys.dossiers.calendar import WorkingCalendar, load_calendar
from surveys.dossiers.register import derive
from surveys.dossiers.timing import DeadlineRules, local_instant, rules_for
from surveys.models import Dossier, Procedure, Unit

#: Dossiers read and written back per round trip.
BATCH = 1000


def recount_around(session: Session, days: Collection[date]) -> int:
    """Recompute the dossiers whose span covers one of ``days``; return how many
    changed. Flushes only. Open cases spanning the days are recomputed too.

    A dossier's span runs from its receipt to the later of its due date and
    its return: only a day inside it can move its due date or its lateness.
    """
    if not days:
        return 0
    start = local_instant(min(days), 0)
    end = local_instant(max(days) + timedelta(days=1), 0)
    recount_cases(session, cases_spanning(start, end))
    return _recount(
        session,
        and_(
            Dossier.received_at < end,
            or_(
                Dossier.due_at >= start,
                and_(Dossier.returned_at.is_not(None), Dossier.returned_at >= start),
            ),
        ),
    )


def recount_units(session: Session, unit_ids: Collection[int]) -> int:
    """Recompute the computed due dates of the units' dossiers after a change of
    their rules; return how many changed. Flushes only. The units' open cases
    are recomputed too."""
    recount_cases(session, cases_of_units(list(unit_ids)))
    return _recount(
        session, and_(Dossier.unit_id.in_(unit_ids), Dossier.due_computed.is_(True))
    )


def _recount(session: Session, which: ColumnElement[bool]) -> int:
    calendar = load_calendar(session)
    candidates = (
        select(Dossier, Procedure.processing_days)
        .join(Procedure, Procedure.id == Dossier.procedure_id)
        .where(which)
        .order_by(Dossier.id)
        .execution_options(yield_per=BATCH)
    )
    changes = list(_changes(session, session.execute(candidates), calendar))
    for offset in range(0, len(changes), BATCH):
        session.execute(update(Dossier), changes[offset : offset + BATCH])
    return len(changes)


def _changes(
    session: Session, rows: Any, calendar: WorkingCalendar
) -> Iterator[dict[str, Any]]:
    rules: dict[int, DeadlineRules] = {}
    for dossier, processing_days in rows:
        if dossier.unit_id not in rules:
            rules[dossier.unit_id] = rules_for(
                session, session.get_one(Unit, dossier.unit_id)
            )
        derived = derive(
            dossier.received_at,
            dossier.returned_at,
            None if dossier.due_computed else dossier.due_at,
            processing_days,
            calendar,
            rules[dossier.unit_id],
        )
        if (derived.due_at, derived.working_days_late) != (
            dossier.due_at,
            dossier.working_days_late,
        ):
            yield {
                "id": dossier.id,
                "due_at": derived.due_at,
                "working_days_late": derived.working_days_late,
            }
