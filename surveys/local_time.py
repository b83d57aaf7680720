"""Vietnam's calendar: campaigns open and close, and quarters turn, in local time."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

#: Vietnam's offset from UTC (no daylight saving time).
LOCAL_OFFSET = timedelta(hours=7)


def local_date(moment: datetime) -> date:
    """Return the date in Vietnam at an aware instant."""
    return (moment + LOCAL_OFFSET).date()


def local_wall_clock(moment: datetime) -> datetime:
    """Return Vietnam's wall-clock time at an aware instant, without an offset."""
    return moment.astimezone(timezone(LOCAL_OFFSET)).replace(tzinfo=None)
