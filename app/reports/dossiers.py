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

    ``with_totals`` adds the rows of all keys together (``whole``) after each
    period's rows.
    """
    rows = timeliness_table(session, unit_ids, breakdown, grain, months)
    names = key_names(session, breakdown, {row.key for row in rows})
    totals = period_totals(rows) if with_totals else []
    table = [*rows, *totals]
    frame = pd.DataFrame(
        {
            "whole": [False] * len(rows) + [True] * len(totals),
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
    # Each period's keys by name, then all of them together.
    return frame.sort_values(["period", "whole", "label"]).reset_index(drop=True)


@dataclass(frozen=True)
class QuarterTables:
    """A quarter's indicators and points as tables, rates in %."""

    #: One row per unit and group; ``unit`` names the unit.
    indicators: pd.DataFrame
    #: One row per unit: its points, and its dossiers overdue at ``as_of``.
    points: pd.DataFrame
    #: All units together: dossiers open and overdue at ``as_of``.
    overdue: int


def quarter_tables(
    session: Session,
    names: Mapping[int, str],
    quarter: str,
    *,
    as_of: datetime,
    settings: Settings,
) -> QuarterTables:
    """Compute a quarter's indicators of the units ``names``, as tables.

    The rows of all units together have no ``unit_id``, and no ``unit`` name
    unless there is one unit: then they are the unit's own, and always there
    (the unit's own rows only when it had something to count), so only they
    are kept.
    """
    found = quarter_indicators(
        session, list(names), quarter, as_of=as_of, settings=settings
    )
    indicators = found.rates.copy()
    for column in ("rate", "ci_low", "ci_high", "target"):
        indicators[f"{column}_pct"] = 100 * indicators[column]
    points = found.totals.assign(as_of=found.as_of)
    whole = points[points["unit_id"].isna()]
    tables = []
    for table in (indicators, points):
        table = table.assign(
            quarter=found.quarter,
            unit=[_unit_name(unit, names) for unit in table["unit_id"]],
        )
        if len(names) == 1:
            table = table[table["unit_id"].isna()].assign(
                unit=next(iter(names.values()))
            )
        tables.append(table.reset_index(drop=True))
    return QuarterTables(*tables, overdue=int(whole["overdue_open"].iloc[0]))


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
    settings: Settings | None = None,
) -> DossierSection | None:
    """Assemble the dossier section of the units ``names`` for a report period.

    ``settings`` gives the weights and targets (None: the app's). The
    register is read as it stood at its latest receipt or return (no later
    than the period's end), so the same data prints the same section. None
    when the units have no dossier at all.
    """
    unit_ids = list(names)
    as_of = _latest(session, unit_ids, period)
    if as_of is None:
        return None
    quarters = _quarters(session, unit_ids, period, as_of)
    settings = settings or indicator_settings()
    tables = [
        quarter_tables(session, names, quarter, as_of=as_of, settings=settings)
        for quarter in quarters
    ]
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
            with_totals=len(unit_ids) > 1,
        ),
        indicators=pd.concat([one.indicators for one in tables], ignore_index=True),
        points=pd.concat([one.points for one in tables], ignore_index=True),
        overdue=tables[-1].overdue,
    )


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
    return quarter_range(first, last)


def quarter_range(first: str, last: str) -> list[str]:
    """Return every quarter from ``first`` to ``last``, both included."""
    start, end = (int(q[:4]) * 4 + int(q[-1]) - 1 for q in (first, last))
    return [f"{index // 4}-Q{index % 4 + 1}" for index in range(start, end + 1)]
