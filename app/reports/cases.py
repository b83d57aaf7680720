"""The feedback cases' quarterly figures as one table, for the dashboard and reports.

Counts with the rates beside them, each rate with its n: received, answered
and on time, rejected and referred out, overdue at the quarter's end and now,
the median working days to answer, and the satisfaction with answers (withheld
under 5 ratings). Never a case's text nor anything of who sent it. The frame
keeps numbers; the words are added when it is laid out
(``app.reports.cases_layout``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.reports.dossiers import quarter_range
from surveys.cases.quarterly import CaseQuarter, quarter_rollup
from surveys.models import FeedbackCase, utcnow
from surveys.storage.periods import period_bounds, quarters_in
from surveys.storage.tallies import period_of

#: The columns of a case table, after ``quarter``, ``unit_id`` and ``unit``.
FIGURES = (
    "received",
    "answered",
    "on_time",
    "on_time_pct",
    "rejected",
    "referred_out",
    "overdue_at_end",
    "overdue_now",
    "median_days",
    "rated",
    "satisfied_pct",
    "satisfied_low_pct",
    "satisfied_high_pct",
)


@dataclass(frozen=True)
class CaseSection:
    """A report's case section: its quarters, as the cases stood at ``as_of``."""

    as_of: datetime
    quarters: list[str]
    #: One row per unit (with the units below it) and quarter with any case,
    #: then all units together (``unit_id`` None), per quarter.
    table: pd.DataFrame
    #: Open cases past their due date at ``as_of``, all units together.
    overdue: int


def case_section(
    session: Session,
    names: Mapping[int, str],
    period: str | None,
    *,
    now: datetime | None = None,
) -> CaseSection | None:
    """Assemble the case figures of the units ``names`` for a report period.

    The cases are counted as they stand at ``now`` (default: the current
    instant), or at the period's end for a period that is over: a past
    quarter's report prints the same figures whenever it is downloaded, and an
    unanswered case counts as overdue although nothing happened since. None
    when the units have no case at all.
    """
    unit_ids = list(names)
    as_of = now or utcnow()
    bounds = period_bounds(period)
    if bounds is not None:
        as_of = min(as_of, bounds[1])
    first = session.scalar(
        select(func.min(FeedbackCase.received_quarter)).where(
            FeedbackCase.unit_id.in_(unit_ids)
        )
    )
    if first is None:
        return None
    last = period_of(as_of)
    listed = quarters_in(period) or quarter_range(first, last)
    quarters = [quarter for quarter in listed if quarter <= last] or listed[:1]
    rows = []
    for quarter in quarters:
        figures = quarter_rollup(session, unit_ids, quarter, now=as_of)
        ended = period_bounds(quarter)[1] <= as_of  # type: ignore[index]
        if len(unit_ids) > 1:
            rows += [
                _row(one, names[unit_id], ended)
                for unit_id, one in figures.rolled.items()
                if _anything(one)
            ]
        assert figures.whole is not None
        whole = figures.whole if len(unit_ids) > 1 else figures.rolled[unit_ids[0]]
        rows.append(_row(whole, None, ended) | {"unit_id": None})
    table = pd.DataFrame(rows, columns=["quarter", "unit_id", "unit", *FIGURES])
    overdue = int(table[table["unit_id"].isna()]["overdue_now"].iloc[-1])
    return CaseSection(as_of, quarters, table, overdue)


def _anything(figures: CaseQuarter) -> bool:
    return any(
        (
            figures.received,
            figures.answered,
            figures.rejected,
            figures.referred_out,
            figures.overdue_at_end,
            figures.overdue_now,
        )
    )


def _row(figures: CaseQuarter, unit: str | None, ended: bool) -> dict[str, object]:
    """Write one unit's quarter as a row; the quarter's end count once it ended."""
    on_time = figures.on_time_rate
    liked = figures.satisfaction
    return {
        "quarter": figures.quarter,
        "unit_id": figures.unit_id,
        "unit": unit,
        "received": figures.received,
        "answered": figures.answered,
        "on_time": figures.on_time,
        "on_time_pct": _pct(on_time.rate),
        "rejected": figures.rejected,
        "referred_out": figures.referred_out,
        "overdue_at_end": figures.overdue_at_end if ended else None,
        "overdue_now": figures.overdue_now,
        "median_days": figures.median_days,
        "rated": figures.rated,
        "satisfied_pct": _pct(liked.rate),
        "satisfied_low_pct": _pct(liked.low),
        "satisfied_high_pct": _pct(liked.high),
    }


def _pct(share: float | None) -> float | None:
    return None if share is None else 100 * share
