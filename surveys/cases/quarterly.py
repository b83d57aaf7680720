"""A quarter's feedback cases per unit: received, answered on time, overdue, rated.

Counts of every case, not a sample, so they carry their denominators and no
interval; only the satisfaction with answers (a share of the citizens who
chose to rate) gets a Wilson interval, withheld below ``MIN_SUPPRESS``
ratings as every survey figure is. Each figure is one ``GROUP BY`` over the
derived columns the workflow sets when a case is resolved (``resolved_quarter``,
``on_time``, ``working_days_to_resolve``), the same on SQLite and PostgreSQL.

Merged duplicates are not counted as received; rejected cases are counted
apart from answered ones; a transferred case counts for the unit that holds it
now. Units roll up to their parents by summing counts and pooling the days to
answer (a median is never averaged).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from analysis.results import MIN_SUPPRESS
from analysis.scoring import DEFAULT_SATISFIED_MIN
from surveys.cases.due_dates import is_open
from surveys.models import CaseRating, CaseState, FeedbackCase, Unit
from surveys.storage.periods import period_bounds

_MERGED = CaseState.MERGED.value
_ANSWERED = CaseState.ANSWERED.value


@dataclass(frozen=True)
class Share:
    """A share with its counts; a withheld one keeps only its ``n``."""

    #: None when withheld: with ``n`` it would give the rate away.
    count: int | None
    n: int
    rate: float | None
    low: float | None = None
    high: float | None = None

    @property
    def withheld(self) -> bool:
        """Too few to show: the rate is not given (n still is)."""
        return self.rate is None and self.n > 0


@dataclass(frozen=True)
class CaseQuarter:
    """One unit's (or several units' together) cases in one quarter.

    ``overdue_now`` does not depend on the quarter: the open cases past their
    due date at the moment the figures were computed.
    """

    unit_id: int | None
    quarter: str
    #: Received in the quarter, merged duplicates excluded.
    received: int = 0
    #: Resolved in the quarter by an answer, and of them by their due date.
    answered: int = 0
    on_time: int = 0
    #: Resolved in the quarter otherwise: rejected, or referred outside hailong.
    rejected: int = 0
    referred_out: int = 0
    overdue_now: int = 0
    #: Open at the quarter's end and past due then (tồn đọng, trễ hạn).
    overdue_at_end: int = 0
    #: Working days each answer took, pooled (sorted).
    days_to_answer: tuple[int, ...] = ()
    #: Answers of the quarter rated, and how many 4 or 5.
    rated: int = 0
    satisfied: int = 0

    @property
    def on_time_rate(self) -> Share:
        """The answers given by their due date, of all answers."""
        rate = self.on_time / self.answered if self.answered else None
        return Share(self.on_time, self.answered, rate)

    @property
    def median_days(self) -> float | None:
        """The median working days to answer; None without an answer."""
        return statistics.median(self.days_to_answer) if self.days_to_answer else None

    @property
    def satisfaction(self) -> Share:
        """The rated answers rated 4 or 5, with a Wilson interval; withheld when
        fewer than ``MIN_SUPPRESS`` were rated."""
        if self.rated < MIN_SUPPRESS:
            return Share(None, self.rated, None)
        # SciPy loads with the first satisfaction shown, not with this module.
        from analysis.intervals import wilson_interval

        low, high = wilson_interval(self.satisfied, self.rated)
        return Share(
            self.satisfied,
            self.rated,
            self.satisfied / self.rated,
            float(low),
            float(high),
        )


_COUNTS = tuple(
    one.name
    for one in fields(CaseQuarter)
    if one.name not in ("unit_id", "quarter", "days_to_answer")
)


def quarter_figures(
    session: Session,
    unit_ids: Select[tuple[int]] | Collection[int],
    quarter: str,
    *,
    now: datetime,
) -> dict[int, CaseQuarter]:
    """Return each unit's own cases in ``quarter`` (``2026-Q1``), zeros included.

    ``now`` is the moment "overdue now" is judged at.
    """
    if not isinstance(unit_ids, Select):
        unit_ids = list(unit_ids)
    bounds = period_bounds(quarter)
    assert bounds is not None
    end = bounds[1]
    sums: dict[int, dict[str, Any]] = defaultdict(dict)
    unit = FeedbackCase.unit_id
    in_units = unit.in_(unit_ids)
    not_merged = func.coalesce(FeedbackCase.outcome, "") != _MERGED
    outcome = FeedbackCase.outcome

    def count(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    queries: list[tuple[tuple[str, ...], Select[Any]]] = [
        (
            ("received",),
            select(unit, func.count()).where(
                in_units, FeedbackCase.received_quarter == quarter, not_merged
            ),
        ),
        (
            ("answered", "on_time", "rejected", "referred_out"),
            select(
                unit,
                count(outcome == _ANSWERED),
                count((outcome == _ANSWERED) & FeedbackCase.on_time.is_(True)),
                count(outcome == CaseState.REJECTED.value),
                count(outcome == CaseState.REFERRED_OUT.value),
            ).where(in_units, FeedbackCase.resolved_quarter == quarter),
        ),
        (
            ("overdue_now",),
            select(unit, func.count()).where(
                in_units, is_open(), FeedbackCase.due_at < now
            ),
        ),
        (
            ("overdue_at_end",),
            select(unit, func.count()).where(
                in_units,
                FeedbackCase.received_at < end,
                FeedbackCase.due_at < end,
                not_merged,
                FeedbackCase.resolved_at.is_(None) | (FeedbackCase.resolved_at >= end),
            ),
        ),
        (
            ("rated", "satisfied"),
            select(
                unit,
                func.count(),
                count(CaseRating.score >= DEFAULT_SATISFIED_MIN),
            )
            .join(CaseRating, CaseRating.case_id == FeedbackCase.id)
            .where(
                in_units,
                FeedbackCase.resolved_quarter == quarter,
                outcome == _ANSWERED,
            ),
        ),
    ]
    for names, statement in queries:
        for unit_id, *values in session.execute(statement.group_by(unit)):
            sums[unit_id].update(zip(names, (int(v or 0) for v in values), strict=True))
    days: dict[int, list[int]] = defaultdict(list)
    for unit_id, taken in session.execute(
        select(unit, FeedbackCase.working_days_to_resolve).where(
            in_units,
            FeedbackCase.resolved_quarter == quarter,
            outcome == _ANSWERED,
            FeedbackCase.working_days_to_resolve.is_not(None),
        )
    ):
        days[unit_id].append(taken)
    every = set(session.scalars(select(Unit.id).where(Unit.id.in_(unit_ids))))
    return {
        unit_id: CaseQuarter(
            unit_id,
            quarter,
            days_to_answer=tuple(sorted(days.get(unit_id, ()))),
            **sums.get(unit_id, {}),
        )
        for unit_id in sorted(every)
    }


def together(
    parts: Iterable[CaseQuarter], unit_id: int | None = None, quarter: str = ""
) -> CaseQuarter:
    """Add up several units' figures of one quarter: counts summed, days pooled."""
    parts = list(parts)
    totals = {name: sum(getattr(part, name) for part in parts) for name in _COUNTS}
    pooled = sorted(day for part in parts for day in part.days_to_answer)
    return CaseQuarter(
        unit_id,
        quarter or (parts[0].quarter if parts else ""),
        days_to_answer=tuple(pooled),
        **totals,
    )


def rolled_up(
    figures: Mapping[int, CaseQuarter], parents: Mapping[int, int | None]
) -> dict[int, CaseQuarter]:
    """Return each unit's figures with those of every unit below it.

    ``parents`` maps each unit of ``figures`` to its parent; a parent outside
    ``figures`` ends the climb.
    """
    below: dict[int, list[CaseQuarter]] = {unit_id: [] for unit_id in figures}
    for unit_id, own in figures.items():
        seen = set()
        current: int | None = unit_id
        while current in below and current not in seen:
            seen.add(current)
            below[current].append(own)
            current = parents.get(current)
    return {
        unit_id: together(parts, unit_id, figures[unit_id].quarter)
        for unit_id, parts in below.items()
    }


def unit_parents(
    session: Session, unit_ids: Select[tuple[int]] | Collection[int]
) -> dict[int, int | None]:
    """Return each unit's parent, for ``rolled_up``."""
    if not isinstance(unit_ids, Select):
        unit_ids = list(unit_ids)
    statement = select(Unit.id, Unit.parent_id).where(Unit.id.in_(unit_ids))
    return {unit_id: parent_id for unit_id, parent_id in session.execute(statement)}


@dataclass(frozen=True)
class QuarterRollup:
    """A quarter's figures of a set of units: each unit's own, rolled up, and all."""

    quarter: str
    own: dict[int, CaseQuarter] = field(default_factory=dict)
    rolled: dict[int, CaseQuarter] = field(default_factory=dict)
    whole: CaseQuarter | None = None


def quarter_rollup(
    session: Session,
    unit_ids: Select[tuple[int]] | Collection[int],
    quarter: str,
    *,
    now: datetime,
) -> QuarterRollup:
    """Compute ``quarter_figures`` and roll them up to the parents and the whole."""
    own = quarter_figures(session, unit_ids, quarter, now=now)
    rolled = rolled_up(own, unit_parents(session, list(own)))
    return QuarterRollup(quarter, own, rolled, together(own.values(), None, quarter))
