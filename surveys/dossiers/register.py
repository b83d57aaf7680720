"""The dossier register: one dossier in, with what is derived from its dates.

Imports go through ``derive`` row by row and write in bulk; ``add_dossier`` is
the one-at-a-time path (the demo, the tests, a dossier typed in by hand).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from surveys.dossiers.calendar import WorkingCalendar, load_calendar
from surveys.dossiers.timing import (
    DeadlineRules,
    due_at,
    month_key,
    rules_for,
    working_days_late,
)
from surveys.models import (
    Dossier,
    DossierChannel,
    DossierStatus,
    Official,
    Procedure,
    ServicePoint,
    Unit,
)


class NoDueDate(ValueError):
    """Neither the import nor the catalogue gives the dossier a due date."""


@dataclass(frozen=True)
class Derived:
    """The columns of a dossier that follow from its dates and the calendar."""

    due_at: datetime
    due_computed: bool
    working_days_late: int | None
    received_month: str
    returned_month: str | None


def derive(
    received_at: datetime,
    returned_at: datetime | None,
    due: datetime | None,
    processing_days: int | None,
    calendar: WorkingCalendar,
    rules: DeadlineRules,
) -> Derived:
    """Return a dossier's derived columns; ``due`` None: compute it.

    Raises ``NoDueDate`` when ``due`` is None and the procedure has no time.
    """
    computed = due is None
    if due is None:
        if processing_days is None:
            raise NoDueDate("no due date and no processing time for the procedure")
        due = due_at(received_at, processing_days, calendar, rules)
    return Derived(
        due_at=due,
        due_computed=computed,
        working_days_late=None
        if returned_at is None
        else working_days_late(due, returned_at, calendar),
        received_month=month_key(received_at),
        returned_month=None if returned_at is None else month_key(returned_at),
    )


def values_hash(values: Mapping[str, object]) -> str:
    """Return the SHA-256 of a dossier's source values, to spot unchanged rows."""
    canonical = json.dumps(values, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def add_dossier(
    session: Session,
    *,
    unit: Unit,
    code: str,
    procedure: Procedure,
    received_at: datetime,
    channel: DossierChannel = DossierChannel.COUNTER,
    status: DossierStatus = DossierStatus.RECEIVED,
    due: datetime | None = None,
    returned_at: datetime | None = None,
    service_point: ServicePoint | None = None,
    official: Official | None = None,
    paid_online: bool = False,
    digitised: bool = False,
    calendar: WorkingCalendar | None = None,
) -> Dossier:
    """Register one dossier and flush; ``due`` None: computed from the procedure."""
    derived = derive(
        received_at,
        returned_at,
        due,
        procedure.processing_days,
        calendar or load_calendar(session),
        rules_for(session, unit),
    )
    source = {
        "code": code,
        "procedure": procedure.code,
        "received_at": received_at,
        "due_at": due,
        "returned_at": returned_at,
        "status": status,
        "channel": channel,
        "paid_online": paid_online,
        "digitised": digitised,
    }
    dossier = Dossier(
        unit=unit,
        code=code,
        procedure=procedure,
        service_point=service_point,
        official=official,
        channel=channel,
        status=status,
        received_at=received_at,
        returned_at=returned_at,
        paid_online=paid_online,
        digitised=digitised,
        row_hash=values_hash(source),
        due_at=derived.due_at,
        due_computed=derived.due_computed,
        working_days_late=derived.working_days_late,
        received_month=derived.received_month,
        returned_month=derived.returned_month,
    )
    session.add(dossier)
    session.flush()
    return dossier
