"""Working days (ngày làm việc) in Vietnam, which legal processing times count.

Weekends and public holidays are days off. The holidays, Tết and Giỗ Tổ Hùng
Vương on the lunar calendar among them, come from the ``holidays`` package,
with the substitute days off and make-up Saturdays it knows. The government
announces such swaps every year, sometimes late: an admin records them as
``WorkingDayChange`` rows, which win over both the weekend and the package.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from functools import lru_cache

import holidays
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.models import WorkingDayChange

SATURDAY = 5


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("VN", years=year))


@lru_cache(maxsize=64)
def make_up_days(year: int) -> frozenset[date]:
    """Return the weekend days of a year worked in exchange for a day off."""
    calendar = holidays.country_holidays("VN", years=year)
    return frozenset(day for day in calendar.weekend_workdays if day.year == year)


#: The ``holidays`` package's names for our catalogue languages.
HOLIDAY_LANGUAGES = {"vi": "vi", "en": "en_US"}


def public_holiday_names(year: int, language: str = "vi") -> dict[date, str]:
    """Return the public holidays of a year with their names, for the admin page."""
    return dict(
        holidays.country_holidays(
            "VN", years=year, language=HOLIDAY_LANGUAGES.get(language, "vi")
        )
    )


class WorkingCalendar:
    """Tells working days from days off, the admin's changes applied."""

    def __init__(self, changes: Mapping[date, bool] | None = None) -> None:
        #: Day -> True (worked although a weekend or holiday) or False (off).
        self.changes = dict(changes or {})

    def is_working(self, day: date) -> bool:
        """Tell whether offices work on ``day``."""
        changed = self.changes.get(day)
        if changed is not None:
            return changed
        if day in _public_holidays(day.year):
            return False
        if day.weekday() >= SATURDAY:
            return day in make_up_days(day.year)
        return True

    def next_working_day(self, day: date) -> date:
        """Return the first working day strictly after ``day``."""
        day += timedelta(days=1)
        while not self.is_working(day):
            day += timedelta(days=1)
        return day

    def first_working_day(self, day: date) -> date:
        """Return ``day`` if it is a working day, else the next one."""
        return day if self.is_working(day) else self.next_working_day(day)

    def add_working_days(self, day: date, count: int) -> date:
        """Return the ``count``-th working day after ``day`` (``day`` for 0)."""
        if count < 0:
            raise ValueError(f"negative number of working days: {count}")
        for _ in range(count):
            day = self.next_working_day(day)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Count the working days after ``start`` up to and including ``end``.

        Negative when ``end`` is before ``start``: the days from ``end`` (not
        counted) to ``start``.
        """
        if end < start:
            return -self.working_days_between(end, start)
        return sum(
            self.is_working(start + timedelta(days=offset))
            for offset in range(1, (end - start).days + 1)
        )


def load_calendar(session: Session) -> WorkingCalendar:
    """Return the calendar with every change the admins have recorded."""
    rows = session.execute(select(WorkingDayChange.day, WorkingDayChange.working))
    return WorkingCalendar({day: working for day, working in rows})
