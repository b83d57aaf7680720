"""On time, early, late: the returned dossiers counted by unit, counter, official,
procedure or field, by month, quarter or year.

One ``GROUP BY`` over the register reads the months; quarters and years are
sums of their months. These are counts of every dossier, not a sample: they
carry their denominators, and no interval.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import Session

from surveys.models import (
    Dossier,
    DossierStatus,
    Official,
    Procedure,
    ServicePoint,
    Unit,
)


class Breakdown(enum.StrEnum):
    """What the returned dossiers are counted by."""

    UNIT = "unit"
    COUNTER = "counter"
    OFFICIAL = "official"
    PROCEDURE = "procedure"
    FIELD = "field"


class Grain(enum.StrEnum):
    """The length of the periods counted."""

    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


_KEYS: dict[Breakdown, ColumnElement[Any]] = {
    Breakdown.UNIT: Dossier.unit_id,
    Breakdown.COUNTER: Dossier.service_point_id,
    Breakdown.OFFICIAL: Dossier.official_id,
    Breakdown.PROCEDURE: Dossier.procedure_id,
    Breakdown.FIELD: Procedure.field,
}


@dataclass(frozen=True)
class Timeliness:
    """The returned dossiers of one key (a unit's id, a field's name…) in a period."""

    key: int | str | None
    period: str
    returned: int
    early: int
    on_time: int
    late: int
    #: Sum over the late ones of their working days late.
    days_late: int

    @property
    def in_time(self) -> int:
        """Returned by the due date: early or on the day."""
        return self.early + self.on_time

    @property
    def in_time_rate(self) -> float | None:
        """The share returned by the due date; None with nothing returned."""
        return self.in_time / self.returned if self.returned else None

    @property
    def late_rate(self) -> float | None:
        """The share returned late; None with nothing returned."""
        return self.late / self.returned if self.returned else None

    @property
    def mean_days_late(self) -> float | None:
        """The average delay of the late ones, in working days."""
        return self.days_late / self.late if self.late else None


def period_of(month: str, grain: Grain) -> str:
    """Return the period (``2026-03``, ``2026-Q1``, ``2026``) a month falls in."""
    if grain is Grain.MONTH:
        return month
    year, number = month.split("-")
    if grain is Grain.YEAR:
        return year
    return f"{year}-Q{(int(number) - 1) // 3 + 1}"


def timeliness_table(
    session: Session,
    unit_ids: Select[tuple[int]] | Collection[int],
    breakdown: Breakdown = Breakdown.UNIT,
    grain: Grain = Grain.QUARTER,
    months: tuple[str, str] | None = None,
) -> list[Timeliness]:
    """Count the returned dossiers of the units by ``breakdown`` and period.

    ``months`` (first, last, inclusive, e.g. ``("2026-01", "2026-03")``) bounds
    the months of return. Rows come sorted by key, then period.
    """
    late = Dossier.working_days_late
    key = _KEYS[breakdown].label("key")
    statement = (
        select(
            key,
            Dossier.returned_month,
            func.count(),
            func.sum(case((late < 0, 1), else_=0)),
            func.sum(case((late == 0, 1), else_=0)),
            func.sum(case((late > 0, 1), else_=0)),
            func.sum(case((late > 0, late), else_=0)),
        )
        .where(
            Dossier.unit_id.in_(unit_ids),
            Dossier.status == DossierStatus.RETURNED,
            Dossier.returned_month.is_not(None),
        )
        .group_by(key, Dossier.returned_month)
    )
    if breakdown is Breakdown.FIELD:
        statement = statement.join(Procedure, Procedure.id == Dossier.procedure_id)
    if months is not None:
        statement = statement.where(Dossier.returned_month.between(*months))
    return _rolled_up(session.execute(statement), grain)


def _rolled_up(rows: Iterable[Any], grain: Grain) -> list[Timeliness]:
    sums: dict[tuple[Any, str], list[int]] = defaultdict(lambda: [0] * 5)
    for key, month, *counts in rows:
        total = sums[key, period_of(month, grain)]
        for index, count in enumerate(counts):
            total[index] += int(count or 0)
    return [
        Timeliness(key, period, *counts)
        for (key, period), counts in sorted(
            sums.items(), key=lambda item: (str(item[0][0]), item[0][1])
        )
    ]


def period_totals(rows: Iterable[Timeliness]) -> list[Timeliness]:
    """Add up the rows of each period whatever their key: the figures of the whole.

    Every returned dossier has exactly one key (None included), so the sums are
    the units' own, whatever the breakdown.
    """
    sums: dict[str, list[int]] = defaultdict(lambda: [0] * 5)
    for row in rows:
        total = sums[row.period]
        for index, count in enumerate(
            (row.returned, row.early, row.on_time, row.late, row.days_late)
        ):
            total[index] += count
    return [
        Timeliness(None, period, *counts) for period, counts in sorted(sums.items())
    ]


def register_span(
    session: Session, unit_ids: Select[tuple[int]] | Collection[int]
) -> tuple[str, str] | None:
    """Return the first month a dossier was received in and the last month one
    was received or returned in; None for an empty register."""
    first, received, returned = session.execute(
        select(
            func.min(Dossier.received_month),
            func.max(Dossier.received_month),
            func.max(Dossier.returned_month),
        ).where(Dossier.unit_id.in_(unit_ids))
    ).one()
    if first is None:
        return None
    return first, max(received, returned or received)


def key_names(
    session: Session, breakdown: Breakdown, keys: Collection[int | str | None]
) -> dict[int | str | None, str]:
    """Name each key of a breakdown: a unit, counter or procedure by its name, an
    official by name and code (two may share a name), a field by itself.

    Keys without a name (no counter recorded) are left out.
    """
    known = [key for key in keys if key is not None]
    if breakdown is Breakdown.FIELD:
        return {key: str(key) for key in known}
    statement = {
        Breakdown.UNIT: select(Unit.id, Unit.name),
        Breakdown.COUNTER: select(ServicePoint.id, ServicePoint.name),
        Breakdown.OFFICIAL: select(
            Official.id, Official.name + " (" + Official.code + ")"
        ),
        Breakdown.PROCEDURE: select(Procedure.id, Procedure.name),
    }[breakdown]
    key_column = statement.selected_columns[0]
    return {
        key: name
        for key, name in session.execute(statement.where(key_column.in_(known)))
    }
