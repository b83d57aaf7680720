"""How satisfied citizens are with dossiers returned in time, and with late ones.

A rating reaches its dossier through the dossier's single-use code
(``Response.access_code_id`` = ``Dossier.access_code_id``; for a single-use
code that is also ``redeemed_code_id``, which is indexed, so the join reads
one rating per dossier). Satisfied means 4 or 5 on the ``overall`` item
(Hài lòng or Rất hài lòng, as SIPAS counts it); excluded responses never count.
Dossiers are counted in the month they were returned, as
``surveys.dossiers.figures`` counts them: a rating of a dossier still open
waits for its return. Means carry a Student-t interval and shares a Wilson
interval (``analysis.summary_from_tallies``); fewer than 5 ratings: withheld.
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, case, func, literal_column, select
from sqlalchemy.orm import Session

from analysis.scoring import DEFAULT_SATISFIED_MIN
from surveys.models import Answer, Dossier, DossierStatus, Response

if TYPE_CHECKING:
    import pandas as pd

#: The item rated: how satisfied overall (every shipped rating questionnaire has it).
OVERALL = "overall"
#: How many of the ratings summed are satisfied (4 or 5).
_SATISFIED = func.sum(case((Answer.value_num >= DEFAULT_SATISFIED_MIN, 1), else_=0))
#: The columns of each table of a ``SatisfactionSplit``, after ``unit``.
SPLIT_COLUMNS = (
    "returned",
    "n",
    "mean",
    "mean_low",
    "mean_high",
    "n_satisfied",
    "pct_satisfied",
    "pct_satisfied_low",
    "pct_satisfied_high",
    "reliable",
    "suppressed",
)


class Returned(enum.StrEnum):
    """When a rated dossier came back: by its due date (early or that day), or late."""

    IN_TIME = "in_time"
    LATE = "late"


@dataclass(frozen=True)
class SatisfactionSplit:
    """Satisfaction with dossiers returned in time and late, each with n and intervals.

    ``by_unit`` has a row per unit with ratings and ``Returned`` value (in that
    order), ``all_units`` the units' ratings together (the district's row);
    both have ``unit`` (None in ``all_units``) and ``SPLIT_COLUMNS``.
    """

    by_unit: pd.DataFrame
    all_units: pd.DataFrame


def dossier_satisfaction_counts(
    session: Session,
    unit_ids: Select[tuple[int]] | Collection[int],
    months: tuple[str, str],
) -> dict[int, tuple[int, int]]:
    """Return each unit's rated dossiers and how many satisfied: ``(n, satisfied)``.

    ``months`` (first, last, inclusive, e.g. ``("2026-01", "2026-03")``)
    bounds the months of return, as ``timeliness_table`` does. For the
    service indicators; a unit with no rated dossier returned then is absent.
    """
    statement = _rated(
        select(
            Dossier.unit_id,
            func.count(),
            _SATISFIED,
        ),
        unit_ids,
        months,
    ).group_by(Dossier.unit_id)
    return {
        unit_id: (int(n), int(satisfied))
        for unit_id, n, satisfied in session.execute(statement)
    }


def satisfaction_by_timeliness(
    session: Session,
    unit_ids: Select[tuple[int]] | Collection[int],
    months: tuple[str, str] | None = None,
) -> SatisfactionSplit:
    """Compare satisfaction with dossiers returned in time and late, per unit.

    ``months`` as in ``dossier_satisfaction_counts`` (None: every month).
    Each unit with ratings gets both rows, a count of 0 included.
    """
    # pandas and SciPy load with the first table, not with the process that
    # imports this module: the indicators' counts above need neither.
    import pandas as pd

    value = Answer.value_num
    late = Dossier.working_days_late > literal_column("0")
    statement = _rated(
        select(
            Dossier.unit_id,
            late,
            func.count(),
            func.sum(value),
            func.sum(value * value),
            _SATISFIED,
        ),
        unit_ids,
        months,
    ).group_by(Dossier.unit_id, late)
    sums = pd.DataFrame(
        [
            (unit_id, Returned.LATE if is_late else Returned.IN_TIME, *counts)
            for unit_id, is_late, *counts in session.execute(statement)
        ],
        columns=["unit", "returned", "n", "total", "total_sq", "satisfied"],
    )
    if sums.empty:
        empty = pd.DataFrame(columns=["unit", *SPLIT_COLUMNS])
        return SatisfactionSplit(empty, empty.copy())
    every = pd.MultiIndex.from_product(
        [sorted(sums["unit"].unique()), list(Returned)], names=["unit", "returned"]
    )
    sums = (
        sums.set_index(["unit", "returned"])
        .reindex(every, fill_value=0)
        .reset_index()
        .assign(item=OVERALL, kind="item")
    )
    by_unit = _summary(sums, ["unit", "returned"])
    together = _summary(sums, ["returned"]).assign(unit=None)
    return SatisfactionSplit(by_unit, together[["unit", *SPLIT_COLUMNS]])


def _rated(
    statement: Select[Any],
    unit_ids: Select[tuple[int]] | Collection[int],
    months: tuple[str, str] | None,
) -> Select[Any]:
    """Join the returned dossiers of the units to their kept ``overall`` rating."""
    if not isinstance(unit_ids, Select):
        unit_ids = list(unit_ids)
    statement = (
        statement.select_from(Dossier)
        .join(Response, Response.redeemed_code_id == Dossier.access_code_id)
        .join(Answer, Answer.response_id == Response.id)
        .where(
            Dossier.unit_id.in_(unit_ids),
            Dossier.status == DossierStatus.RETURNED,
            Dossier.working_days_late.is_not(None),
            Response.redeemed_code_id.is_not(None),
            Response.excluded.is_(False),
            Answer.question == OVERALL,
            Answer.value_num.is_not(None),
        )
    )
    if months is not None:
        statement = statement.where(Dossier.returned_month.between(*months))
    return statement


def _summary(sums: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Return n, mean and share satisfied with intervals, small cells withheld."""
    from analysis import summary_from_tallies

    table = summary_from_tallies(sums, by)
    order = {member: position for position, member in enumerate(Returned)}

    def ranked(column: pd.Series) -> pd.Series:
        return column.map(order) if column.name == "returned" else column

    table = table.sort_values(by, key=ranked)
    table["returned"] = table["returned"].map(Returned)
    return table[[*by, *SPLIT_COLUMNS[1:]]].reset_index(drop=True)
