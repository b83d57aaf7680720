"""Report periods (a year or a quarter, Vietnam time) and the responses in them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, and_

from surveys.local_time import LOCAL_OFFSET
from surveys.models import Response

#: A report period: a year ("2026") or a quarter of it ("2026-Q2").
PERIOD = re.compile(r"(?P<year>\d{4})(?:-Q(?P<quarter>[1-4]))?")


def quarters_in(period: str | None) -> list[str] | None:
    """Return the tally quarters a period covers (None: every quarter)."""
    if period is None:
        return None
    year, quarter = parse_period(period)
    quarters = [quarter] if quarter else [1, 2, 3, 4]
    return [f"{year}-Q{q}" for q in quarters]


def period_bounds(period: str | None) -> tuple[datetime, datetime] | None:
    """Return the UTC instants a period (in Vietnam time) starts and ends at."""
    if period is None:
        return None
    year, quarter = parse_period(period)
    first, last = (quarter, quarter) if quarter else (1, 4)
    start = datetime(year, 3 * first - 2, 1, tzinfo=UTC)
    end = datetime(year + last // 4, 3 * last % 12 + 1, 1, tzinfo=UTC)
    return start - LOCAL_OFFSET, end - LOCAL_OFFSET


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
) -> ColumnElement[bool]:
    """Return the condition picking a campaign's responses of some units and time."""
    conditions = [Response.campaign_id == campaign_id]
    if not with_excluded:
        conditions.append(Response.excluded.is_(False))
    if unit_ids is not None:
        conditions.append(Response.unit_id.in_(list(unit_ids)))
    if between is not None:
        conditions += [
            Response.submitted_at >= between[0],
            Response.submitted_at < between[1],
        ]
    return and_(*conditions)


def period_months(period: str | None) -> tuple[str, str] | None:
    """Return a period's first and last month, ``("2026-04", "2026-06")``.

    The form in which dossiers are counted by month of return; None: every month.
    """
    if period is None:
        return None
    year, quarter = parse_period(period)
    first, last = (3 * quarter - 2, 3 * quarter) if quarter else (1, 12)
    return f"{year}-{first:02d}", f"{year}-{last:02d}"
