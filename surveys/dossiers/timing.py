"""Deadlines and outcomes: when a dossier is due, and whether it came back early,
on time or late, by how many working days.

Times are aware instants; days are Vietnam's (``surveys.local_time``). A unit's
rules (``DossierRules``, the nearest ancestor's when it has none) say from when
a dossier received late in the day counts, and at what time of the last day it
falls due.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from surveys.dossiers.calendar import WorkingCalendar
from surveys.local_time import LOCAL_OFFSET, local_date
from surveys.models import DossierRules, Unit

MINUTES_A_DAY = 24 * 60


class Timeliness(enum.StrEnum):
    """A returned dossier's outcome against its due date."""

    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"


@dataclass(frozen=True)
class DeadlineRules:
    """How a unit counts: see ``DossierRules``."""

    #: A dossier received at or after this minute of the day (Vietnam time)
    #: counts from the next working day; ``MINUTES_A_DAY``: never.
    cutoff_minute: int = MINUTES_A_DAY
    #: The minute of the last working day at which a dossier falls due.
    due_minute: int = 17 * 60


#: What a unit without rules of its own, or of any ancestor's, follows.
DEFAULT_RULES = DeadlineRules()


def local_instant(day: date, minute: int) -> datetime:
    """Return the aware instant of ``minute`` past midnight of ``day`` in Vietnam."""
    midnight = datetime.combine(day, time(), tzinfo=UTC) - LOCAL_OFFSET
    return midnight + timedelta(minutes=minute)


def _local_minute(moment: datetime) -> int:
    local = moment.astimezone(UTC) + LOCAL_OFFSET
    return local.hour * 60 + local.minute


def counting_day(
    received_at: datetime, calendar: WorkingCalendar, rules: DeadlineRules
) -> date:
    """Return the working day a dossier counts as received on.

    A dossier received on a day off, or at or after the cutoff, counts from
    the next working day.
    """
    day = local_date(received_at)
    if _local_minute(received_at) >= rules.cutoff_minute:
        return calendar.next_working_day(day)
    return calendar.first_working_day(day)


def due_at(
    received_at: datetime,
    processing_days: int,
    calendar: WorkingCalendar,
    rules: DeadlineRules = DEFAULT_RULES,
) -> datetime:
    """Return when a dossier falls due: ``processing_days`` working days on.

    The day it counts as received is day 0: a one-day procedure received on a
    Monday morning is due on Tuesday at the unit's due time.
    """
    start = counting_day(received_at, calendar, rules)
    last = calendar.add_working_days(start, processing_days)
    return local_instant(last, rules.due_minute)


def timeliness(due: datetime, returned: datetime) -> Timeliness:
    """Return whether a dossier returned at ``returned`` was early, on time or late.

    Early: returned on a day before its due day. Late: after its due instant.
    """
    if returned > due:
        return Timeliness.LATE
    if local_date(returned) < local_date(due):
        return Timeliness.EARLY
    return Timeliness.ON_TIME


def working_days_late(
    due: datetime, returned: datetime, calendar: WorkingCalendar
) -> int:
    """Return by how many working days a dossier was late; negative: early.

    Every working day after the due day up to the return counts; a dossier
    returned after its due time on the due day itself is one day late, one
    returned in time on its due day 0, one returned the working day before -1.
    The sign agrees with ``timeliness``.
    """
    days = calendar.working_days_between(local_date(due), local_date(returned))
    if returned > due:
        return max(days, 1)
    return min(days, 0)


def month_key(moment: datetime) -> str:
    """Return the month of an instant in Vietnam, as ``2026-03``."""
    return local_date(moment).strftime("%Y-%m")


def rules_for(session: Session, unit: Unit) -> DeadlineRules:
    """Return the rules a unit follows: its own, else its nearest ancestor's."""
    node: Unit | None = unit
    while node is not None:
        own = session.get(DossierRules, node.id)
        if own is not None:
            return DeadlineRules(own.cutoff_minute, own.due_minute)
        node = node.parent
    return DEFAULT_RULES
