"""What a unit's dossier page and the dashboard's dossier box show, built once per
request from the same tables as the reports (``app.reports.dossiers``).

Every cell is written here the way the PDF writes it (``layout.shown``), so a
figure reads the same on the page and on paper.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.charts import rate_chart, table_rows
from app.i18n import _
from app.labels import BREAKDOWNS
from app.reports.dashboard import Chart
from app.reports.dossier_layout import (
    INDICATORS_NOTE,
    indicator_columns,
    points_columns,
    readable_indicators,
    readable_timeliness,
    readable_totals,
    timeliness_columns,
)
from app.reports.dossiers import (
    indicator_settings,
    quarter_range,
    quarter_tables,
    timeliness_frame,
)
from app.reports.layout import Column, shown
from app.reports.report_charts import chart_words
from surveys.dossiers.calendar import load_calendar
from surveys.dossiers.deadlines import (
    DeadlinePage,
    deadline_counts,
    due_within,
    horizon,
    overdue_now,
)
from surveys.dossiers.figures import Breakdown, Grain, period_of, register_span
from surveys.dossiers.timing import month_key
from surveys.models import Unit
from surveys.units.tree import subtree_ids

#: How many working days ahead the dashboard looks for dossiers due soon.
DASHBOARD_DAYS = 2


@dataclass(frozen=True)
class Table:
    """A table's headings and its cells, written the reader's way."""

    columns: list[str]
    rows: list[list[str]]


def table(frame: pd.DataFrame, columns: Sequence[Column]) -> Table:
    """Write a frame's columns as cells, as the PDF prints them."""
    return Table(
        [column.heading for column in columns],
        [
            [shown(record.get(column.name), column.kind) for column in columns]
            for record in frame.to_dict("records")
        ],
    )


@dataclass(frozen=True)
class Choices:
    """What the reader chose on the page."""

    breakdown: Breakdown
    grain: Grain
    #: None: every year.
    year: str | None
    #: The quarter of the service indicators.
    quarter: str
    #: Dossiers due within this many working days are due soon.
    days: int
    overdue_page: int = 1
    soon_page: int = 1


@dataclass(frozen=True)
class UnitDeadlines:
    """A unit's open dossiers overdue now and due soon."""

    code: str
    name: str
    overdue: int
    due_soon: int


@dataclass(frozen=True)
class Deadlines:
    """The open dossiers of a unit and its units, against their deadlines."""

    #: Each unit with any, by name.
    units: list[UnitDeadlines]
    #: Dossiers due before this moment are due soon.
    until: datetime

    @property
    def overdue(self) -> int:
        """Count the overdue dossiers of every unit."""
        return sum(unit.overdue for unit in self.units)

    @property
    def due_soon(self) -> int:
        """Count the dossiers due soon of every unit."""
        return sum(unit.due_soon for unit in self.units)


@dataclass(frozen=True)
class DossierPage:
    """Everything a unit's dossier page shows."""

    timeliness: Table
    chart: Chart
    deadlines: Deadlines
    overdue: DeadlinePage
    due_soon: DeadlinePage
    indicators: Table
    points: Table
    #: When the indicators' overdue dossiers were counted.
    as_of: datetime
    #: How the indicators are computed, in a sentence or two.
    note: str


@dataclass(frozen=True)
class DossierSummary:
    """The dashboard's dossier box: deadlines per unit, the quarter's points."""

    deadlines: Deadlines
    days: int
    quarter: str
    indicators: Table
    points: Table


def unit_names(session: Session, unit: Unit) -> dict[int, str]:
    """Return the ids and names of ``unit`` and every unit below it."""
    rows = session.execute(
        select(Unit.id, Unit.name).where(Unit.id.in_(subtree_ids(unit.id)))
    )
    return {unit_id: name for unit_id, name in rows}


@dataclass(frozen=True)
class Periods:
    """The years and quarters a unit's register spans, newest first, and the
    ones shown first."""

    years: list[str]
    #: Up to the current quarter, for the indicators.
    quarters: list[str]
    year: str
    #: The current quarter, or the last with dossiers when that is before.
    quarter: str
    #: True when the register has no dossier of these units.
    empty: bool = False


def register_periods(session: Session, unit: Unit, now: datetime) -> Periods:
    """Return the periods the page offers for the unit and the units below it."""
    today = period_of(month_key(now), Grain.QUARTER)
    span = register_span(session, subtree_ids(unit.id))
    if span is None:
        return Periods([today[:4]], [today], today[:4], today, empty=True)
    last = period_of(span[1], Grain.QUARTER)
    quarters = quarter_range(period_of(span[0], Grain.QUARTER), max(last, today))
    shown = min(today, last)
    years = sorted({quarter[:4] for quarter in quarters}, reverse=True)
    return Periods(years, quarters[::-1], shown[:4], shown)


def build_dossier_page(
    session: Session,
    unit: Unit,
    choices: Choices,
    *,
    now: datetime,
) -> DossierPage:
    """Assemble the unit's page: figures, deadlines and indicators."""
    names = unit_names(session, unit)
    ids = list(names)
    months = (
        None if choices.year is None else (f"{choices.year}-01", f"{choices.year}-12")
    )
    frame = timeliness_frame(session, ids, choices.breakdown, choices.grain, months)
    calendar = load_calendar(session)
    deadlines = _deadlines(session, names, now, horizon(now, choices.days, calendar))
    tables = quarter_tables(
        session,
        names,
        choices.quarter,
        as_of=now,
        settings=indicator_settings(),
    )
    indicators = readable_indicators(tables.indicators)
    return DossierPage(
        timeliness=table(
            readable_timeliness(frame),
            timeliness_columns(str(BREAKDOWNS[choices.breakdown])),
        ),
        chart=_chart(frame),
        deadlines=deadlines,
        overdue=overdue_now(session, ids, now, calendar, choices.overdue_page),
        due_soon=due_within(
            session, ids, now, deadlines.until, calendar, choices.soon_page
        ),
        indicators=table(
            indicators[indicators["unit_id"].isna()],
            indicator_columns(with_unit=False),
        ),
        points=table(readable_totals(tables.points), points_columns()),
        as_of=tables.points["as_of"].iloc[0],
        note=str(INDICATORS_NOTE),
    )


def build_dossier_summary(
    session: Session, unit: Unit, *, now: datetime
) -> DossierSummary | None:
    """Assemble the dashboard's dossier box; None when the register is empty."""
    periods = register_periods(session, unit, now)
    if periods.empty:
        return None
    names = unit_names(session, unit)
    tables = quarter_tables(
        session,
        names,
        periods.quarter,
        as_of=now,
        settings=indicator_settings(),
    )
    indicators = readable_indicators(tables.indicators)
    whole = indicators[indicators["unit_id"].isna()]
    points = readable_totals(tables.points)
    return DossierSummary(
        deadlines=_deadlines(
            session, names, now, horizon(now, DASHBOARD_DAYS, load_calendar(session))
        ),
        days=DASHBOARD_DAYS,
        quarter=periods.quarter,
        indicators=table(whole, _summary_columns()),
        points=table(points[points["unit_id"].isna()], points_columns()[2:6]),
    )


def _summary_columns() -> list[Column]:
    """Keep of the indicators what a glance needs: the rate, its fraction, the
    target and whether it was met."""
    keep = ("group_name", "numerator", "denominator", "rate_pct", "target_pct")
    columns = indicator_columns(with_unit=False)
    return [c for c in columns if c.name in keep] + [
        c for c in columns if c.name == "met_text"
    ]


def _deadlines(
    session: Session, names: dict[int, str], now: datetime, until: datetime
) -> Deadlines:
    """Count each unit's dossiers overdue at ``now`` and due before ``until``."""
    counts = deadline_counts(session, list(names), now, until)
    codes = {
        unit_id: code
        for unit_id, code in session.execute(
            select(Unit.id, Unit.code).where(Unit.id.in_(list(counts)))
        )
    }
    units = [
        UnitDeadlines(codes[unit_id], names[unit_id], found.overdue, found.due_soon)
        for unit_id, found in counts.items()
    ]
    return Deadlines(sorted(units, key=lambda one: one.name), until)


def _chart(frame: pd.DataFrame) -> Chart:
    """Draw the on-time rate of all the units per period, beside its numbers."""
    periods = (
        frame.groupby("period", sort=True)[["in_time", "returned"]].sum().reset_index()
    )
    words = chart_words()
    title = _("Tỷ lệ hồ sơ trả đúng hạn theo kỳ")
    svg = rate_chart(
        periods,
        "period",
        "in_time",
        "returned",
        title=title,
        axis_label=_("Tỷ lệ trả đúng hạn"),
        words=words,
    )
    return Chart(
        svg=svg,
        rows=table_rows(periods, ["period", "in_time", "returned"], words=words),
        columns=[_("Kỳ"), _("Trước và đúng hạn"), _("Hồ sơ đã trả")],
    )
