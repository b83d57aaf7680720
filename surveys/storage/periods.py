"""Report periods (a year, a quarter or a range of days, Vietnam time) and the
responses in them.

A range is written ``2026-05-01..2026-05-20``: both days included, each day
from midnight to midnight in Vietnam.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import ColumnElement, and_

from surveys.local_time import LOCAL_OFFSET
from surveys.models import Response

#: A report period: a year ("2026") or a quarter of it ("2026-Q2").
PERIOD = re.compile(r"(?P<year>\d{4})(?:-Q(?P<quarter>[1-4]))?")
#: A range of days, both included: "2026-05-01..2026-05-20".
RANGE = re.compile(r"(?P<first>\d{4}-\d{2}-\d{2})\.\.(?P<last>\d{4}-\d{2}-\d{2})")


def date_range(first: date, last: date) -> str:
    """Write a range of days as a period (both days included)."""
    if last < first:
        raise ValueError(f"a range must end on or after its first day: {first}..{last}")
    return f"{first.isoformat()}..{last.isoformat()}"


def range_days(period: str | None) -> tuple[date, date] | None:
    """Return the first and last day of a range period; None for a year or quarter."""
    match = RANGE.fullmatch(period or "")
    if match is None:
        return None
    first, last = date.fromisoformat(match["first"]), date.fromisoformat(match["last"])
    if last < first:
        raise ValueError(f"a range must end on or after its first day: {period!r}")
    return first, last


def days_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """Return the UTC instants the days ``first`` to ``last`` (Vietnam time,
    both included) start and end at."""
    return _day_start(first), _day_start(last + timedelta(days=1))


def _day_start(day: date) -> datetime:
    """Return the UTC instant a day begins at in Vietnam."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC) - LOCAL_OFFSET


def _quarter_days(year: int, quarter: int) -> tuple[date, date]:
    # The quarter's own last day, not the next one's first: 9999-Q4 has no next.
    last_month = 3 * quarter
    last = date(year, last_month, calendar.monthrange(year, last_month)[1])
    return date(year, last_month - 2, 1), last


def quarters_in(period: str | None) -> list[str] | None:
    """Return the quarters a period covers or touches (None: every quarter)."""
    if period is None:
        return None
    days = range_days(period)
    if days is not None:
        first, last = days
        return [
            f"{year:04d}-Q{q}"
            for year in range(first.year, last.year + 1)
            for q in range(1, 5)
            if _quarter_days(year, q)[1] >= first and _quarter_days(year, q)[0] <= last
        ]
    year, quarter = parse_period(period)
    quarters = [quarter] if quarter else [1, 2, 3, 4]
    return [f"{year:04d}-Q{q}" for q in quarters]


def tally_span(
    period: str | None,
) -> tuple[list[str] | None, list[tuple[date, date]]]:
    """Split a period into the tally quarters it covers whole and the rest's days.

    A year or a quarter is all whole quarters; a range of days is the quarters
    lying inside it, plus at most two runs of days (its start to the first
    whole quarter, the last whole quarter to its end, both days included) to
    be read from the day tallies.
    """
    days = range_days(period)
    if days is None:
        return quarters_in(period), []
    first, last = days
    whole = []
    for quarter in quarters_in(period) or []:
        start, end = _quarter_days(*parse_period(quarter))  # type: ignore[arg-type]
        if start >= first and end <= last:
            whole.append((quarter, start, end))
    if not whole:
        return [], [(first, last)]
    rest = []
    if whole[0][1] > first:
        rest.append((first, whole[0][1] - timedelta(days=1)))
    if whole[-1][2] < last:
        rest.append((whole[-1][2] + timedelta(days=1), last))
    return [quarter for quarter, *_ in whole], rest


def period_bounds(period: str | None) -> tuple[datetime, datetime] | None:
    """Return the UTC instants a period (in Vietnam time) starts and ends at.

    Raises ``ValueError`` for a period that is not one, or that begins or ends
    outside the years 1 to 9999 (``0001-01-01..0001-01-01`` begins in year 0 in
    UTC).
    """
    if period is None:
        return None
    try:
        days = range_days(period)
        if days is not None:
            return days_bounds(*days)
        year, quarter = parse_period(period)
        first, last = (quarter, quarter) if quarter else (1, 4)
        start = datetime(year, 3 * first - 2, 1, tzinfo=UTC)
        end = datetime(year + last // 4, 3 * last % 12 + 1, 1, tzinfo=UTC)
        return start - LOCAL_OFFSET, end - LOCAL_OFFSET
    except OverflowError:
        raise ValueError(f"period out of the calendar's range: {period!r}") from None


def parse_period(period: str) -> tuple[int, int | None]:
    match = PERIOD.fullmatch(period)
    if match is None:
        raise ValueError(f"period must look like 2026 or 2026-Q2, got {period!r}")
    quarter = match["quarter"]
    return int(match["year"]), int(quarter) if quarter else None


def responses_in(
    campaign_id: int,
    unit_ids: Sequence[int] | None,
    between: tuple[datetime, datetime] | None,
    *,
    with_excluded: bool = False,
    by_id: bool = False,
    channel: str | None = None,
) -> ColumnElement[bool]:
    """Return the condition picking a campaign's responses of some units and time
    (and of one ``channel``, when given).

    ``by_id=True`` for a read that pages through responses by id: the campaign
    and units are then compared as expressions (``campaign_id + 0``), which no
    index serves, so that the database walks the primary key from the page's
    first id. Otherwise SQLite, without statistics, takes the campaign's index
    and sorts all the campaign's responses again for every page.
    """
    campaign, unit = Response.campaign_id, Response.unit_id
    if by_id:
        campaign, unit = campaign + 0, unit + 0
    conditions = [campaign == campaign_id]
    if not with_excluded:
        conditions.append(Response.excluded.is_(False))
    if unit_ids is not None:
        conditions.append(unit.in_(list(unit_ids)))
    if between is not None:
        conditions += [
            Response.submitted_at >= between[0],
            Response.submitted_at < between[1],
        ]
    if channel is not None:
        conditions.append(Response.channel == channel)
    return and_(*conditions)


def period_months(period: str | None) -> tuple[str, str] | None:
    """Return a period's first and last month, ``("2026-04", "2026-06")``.

    The form in which dossiers are counted by month of return; None: every month.
    """
    if period is None:
        return None
    days = range_days(period)
    if days is not None:
        return days[0].strftime("%Y-%m"), days[1].strftime("%Y-%m")
    year, quarter = parse_period(period)
    first, last = (3 * quarter - 2, 3 * quarter) if quarter else (1, 12)
    return f"{year}-{first:02d}", f"{year}-{last:02d}"
