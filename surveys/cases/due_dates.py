"""When a case falls due, in working days of the dossiers' calendar.

The number of days is the most specific ``CaseDeadlineRule``: the category's
for this channel, the category's for any channel, any category's for this
channel, else ``DEFAULT_DAYS``. The legal day counts (Nghị định 20/2008/NĐ-CP as
amended, the city's 1022 rules) are set by the district as rules; the default
only keeps a case from having no deadline. The day of receipt is day 0 and the
unit's cutoff and due time apply, exactly as for a dossier
(``surveys.dossiers.timing``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from surveys.dossiers.calendar import WorkingCalendar
from surveys.dossiers.timing import DeadlineRules, counting_day
from surveys.dossiers.timing import due_at as working_due_at
from surveys.local_time import local_date
from surveys.models import CaseDeadlineRule, CaseState, FeedbackCase

#: Working days a case has when no rule applies, and the warning before it.
DEFAULT_DAYS = 10
DEFAULT_WARN_DAYS = 2

#: The states in which the unit still owes the citizen a reply.
OPEN_STATES = (CaseState.RECEIVED, CaseState.ASSIGNED, CaseState.IN_PROGRESS)


@dataclass(frozen=True)
class CaseDeadline:
    """The working days a case has, and how many before its end to warn."""

    working_days: int = DEFAULT_DAYS
    warn_days: int = DEFAULT_WARN_DAYS


def is_open() -> ColumnElement[bool]:
    """Return the condition that a case still waits for its reply."""
    return FeedbackCase.state.in_(OPEN_STATES)


def rule_for(session: Session, category_id: int, channel: str) -> CaseDeadline:
    """Return the deadline of a case of this category received by this channel."""
    rows = session.execute(
        select(
            CaseDeadlineRule.category_id,
            CaseDeadlineRule.channel,
            CaseDeadlineRule.working_days,
            CaseDeadlineRule.warn_days,
        ).where(
            (CaseDeadlineRule.category_id == category_id)
            | CaseDeadlineRule.category_id.is_(None),
            (CaseDeadlineRule.channel == channel) | CaseDeadlineRule.channel.is_(None),
        )
    ).all()
    if not rows:
        return CaseDeadline()
    # Most specific first: a category beats a channel, both beat neither.
    best = max(rows, key=lambda row: (row[0] is not None, row[1] is not None))
    return CaseDeadline(best.working_days, best.warn_days)


def due_for(
    received_at: datetime,
    deadline: CaseDeadline,
    calendar: WorkingCalendar,
    rules: DeadlineRules,
) -> datetime:
    """Return when a case received at ``received_at`` falls due."""
    return working_due_at(received_at, deadline.working_days, calendar, rules)


def working_days_taken(
    received_at: datetime,
    resolved_at: datetime,
    calendar: WorkingCalendar,
    rules: DeadlineRules,
) -> int:
    """Return the working days from a case's receipt (day 0) to its reply."""
    start = counting_day(received_at, calendar, rules)
    return max(calendar.working_days_between(start, local_date(resolved_at)), 0)
