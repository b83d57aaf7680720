"""The dossier figures as tables, for the staff page, the dashboard and the reports.

On time or late by quarter, the service indicators with their numerators,
denominators, targets and points, and the dossiers overdue: the same frames
whichever page or file shows them. Frames keep codes and numbers; the words
(group names, "met", the row of all units) are added when a table is laid out,
in the reader's language (``app.reports.dossier_layout``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys.dossiers.figures import (
    Breakdown,
    Grain,
    key_names,
    period_of,
    period_totals,
    timeliness_table,
)
from surveys.dossiers.indicators import (
    QuarterIndicators,
    Ratings,
    Settings,
    load_settings,
    quarter_indicators,
    quarter_months,
)
from surveys.dossiers.timing import month_key
from surveys.models import Dossier
from surveys.storage.periods import period_bounds, quarters_in

#: The app setting that overrides ``surveys/dossiers/indicators.yaml``.
SETTINGS_KEY = "DOSSIER_INDICATORS"


def indicator_settings() -> Settings:
    """Return the weights and targets, with this app's overrides."""
    return load_settings(current_app.config.get(SETTINGS_KEY))


def timeliness_frame(
    session: Session,
    unit_ids: Collection[int],
    breakdown: Breakdown,
    grain: Grain,
    months: tuple[str, str] | None,
    *,
    with_totals: bool = False,
) -> pd.DataFrame:
    """Return on time, early and late per key and period, named, with rates in %.

    ``with_totals`` adds the rows of all keys together (``key`` and ``label``
    None) after each period's rows.
    """
    rows = timeliness_table(session, unit_ids, breakdown, grain, months)
    names = key_names(session, breakdown, {row.key for row in rows})
    table = [*rows, *(period_totals(rows) if with_totals else [])]
    frame = pd.DataFrame(
        {
            "key": [row.key for row in table],
            "label": [names.get(row.key) for row in table],
            "period": [row.period for row in table],
            "returned": [row.returned for row in table],
            "early": [row.early for row in table],
            "on_time": [row.on_time for row in table],
            "in_time": [row.in_time for row in table],
            "late": [row.late for row in table],
            "mean_days_late": [row.mean_days_late for row in table],
        },
    )
    frame["mean_days_late"] = frame["mean_days_late"].astype(float)
    returned = frame["returned"].where(frame["returned"] > 0)
    frame["in_time_pct"] = 100 * frame["in_time"] / returned
    frame["late_pct"] = 100 * frame["late"] / returned
    if with_totals:
        # Each period's units by name, then all of them together.
        frame["_whole"] = frame["key"].isna() & frame["label"].isna()
        frame = frame.sort_values(["period", "_whole", "label"], kind="stable")
        frame = frame.drop(columns="_whole")
    return frame.reset_index(drop=True)


def indicators_frame(
    found: QuarterIndicators, names: Mapping[int, str]
) -> pd.DataFrame:
    """Return a quarter's indicators as rows of unit and group, rates in %."""
    rates = found.rates.copy()
    rates.insert(0, "quarter", found.quarter)
    rates.insert(1, "unit", [_unit_name(unit, names) for unit in rates["unit_id"]])
    for column in ("rate", "ci_low", "ci_high", "target"):
        rates[f"{column}_pct"] = 100 * rates[column]
    return rates


def totals_frame(found: QuarterIndicators, names: Mapping[int, str]) -> pd.DataFrame:
    """Return a quarter's points per unit, and its dossiers overdue then."""
    totals = found.totals.copy()
    totals.insert(0, "quarter", found.quarter)
    totals.insert(1, "unit", [_unit_name(unit, names) for unit in totals["unit_id"]])
    totals["as_of"] = found.as_of
    return totals


def _unit_name(unit: object, names: Mapping[int, str]) -> str | None:
    """Name a unit's row; None for the row of all units together."""
    return None if unit is pd.NA else names.get(int(unit))  # type: ignore[call-overload]


@dataclass(frozen=True)
class DossierSection:
    """A report's dossier section: its quarters, as the register stood at ``as_of``."""

    as_of: datetime
    quarters: list[str]
    #: Per unit and quarter; the rows of all units together have no
    #: ``unit_id`` (and no ``unit`` name when there are several).
    timeliness: pd.DataFrame
    indicators: pd.DataFrame
    points: pd.DataFrame
    #: Open dossiers past their due date at ``as_of``, all units together.
    overdue: int


def dossier_section(
    session: Session,
    names: Mapping[int, str],
    period: str | None,
    *,
    ratings: Mapping[str, Ratings] | None = None,
    settings: Settings | None = None,
) -> DossierSection | None:
    """Assemble the dossier section of the units ``names`` for a report period.

    ``ratings`` gives, per quarter, each unit's ratings of its dossiers;
    ``settings`` the weights and targets (None: the app's). The
    register is read as it stood at its latest receipt or return (no later
    than the period's end), so the same data prints the same section. None
    when the units have no dossier at all.
    """
    unit_ids = list(names)
    as_of = _latest(session, unit_ids, period)
    if as_of is None:
        return None
    quarters = _quarters(session, unit_ids, period, as_of)
    several = len(unit_ids) > 1
    found = [
        quarter_indicators(
            session,
            unit_ids,
            quarter,
            as_of=as_of,
            settings=settings or indicator_settings(),
            ratings=(ratings or {}).get(quarter),
        )
        for quarter in quarters
    ]
    indicators = pd.concat([indicators_frame(one, names) for one in found])
    points = pd.concat([totals_frame(one, names) for one in found])
    if not several:
        # One unit: the row of all units is the unit's own, and always there
        # (the unit's own row only when it had something to count).
        own = names[unit_ids[0]]
        indicators = indicators[indicators["unit_id"].isna()].assign(unit=own)
        points = points[points["unit_id"].isna()].assign(unit=own)
    months = (quarter_months(quarters[0])[0], quarter_months(quarters[-1])[1])
    return DossierSection(
        as_of=as_of,
        quarters=quarters,
        timeliness=timeliness_frame(
            session,
            unit_ids,
            Breakdown.UNIT,
            Grain.QUARTER,
            months,
            with_totals=several,
        ),
        indicators=indicators.reset_index(drop=True),
        points=points.reset_index(drop=True),
        overdue=_overdue_of_all(found[-1]),
    )


def _overdue_of_all(found: QuarterIndicators) -> int:
    """Return the dossiers overdue in a quarter, all units together."""
    whole = found.totals[found.totals["unit_id"].isna()]
    return int(whole["overdue_open"].iloc[0])


def _latest(
    session: Session, unit_ids: list[int], period: str | None
) -> datetime | None:
    """Return the register's latest receipt or return, capped at the period's end."""
    received, returned = session.execute(
        select(func.max(Dossier.received_at), func.max(Dossier.returned_at)).where(
            Dossier.unit_id.in_(unit_ids)
        )
    ).one()
    moments = [moment for moment in (received, returned) if moment is not None]
    if not moments:
        return None
    bounds = period_bounds(period)
    return max(moments) if bounds is None else min(max(moments), bounds[1])


def _quarters(
    session: Session, unit_ids: list[int], period: str | None, as_of: datetime
) -> list[str]:
    """Return the period's quarters up to ``as_of`` (None: every one with dossiers)."""
    last = period_of(month_key(as_of), Grain.QUARTER)
    if period is not None:
        listed = quarters_in(period) or []
        return [quarter for quarter in listed if quarter <= last] or listed[:1]
    first_month = session.scalar(
        select(func.min(Dossier.received_month)).where(Dossier.unit_id.in_(unit_ids))
    )
    first = period_of(first_month, Grain.QUARTER)
    return _quarter_range(first, last)


def _quarter_range(first: str, last: str) -> list[str]:
    """Return every quarter from ``first`` to ``last``, both included."""
    start, end = (int(q[:4]) * 4 + int(q[-1]) - 1 for q in (first, last))
    return [f"{index // 4}-Q{index % 4 + 1}" for index in range(start, end + 1)]
