"""What the dashboard shows: the report data of one request, drawn as charts.

The numbers come from ``app.reports.data`` exactly as the downloads print them;
this module only picks the columns and draws each table with its accessible
twin (``_chart.html``). Officials' results are left out for users who may not
see them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy.orm import Session

from app.charts import ChartText, interval_chart, rank_chart, table_rows, trend_chart
from app.i18n import current_language, translate
from app.reports.data import (
    Counts,
    DistrictReport,
    Header,
    UnitReport,
    district_report,
    unit_report,
)
from app.reports.layout import has_small_samples
from app.reports.selection import Selection
from surveys.frames import monthly_counts
from surveys.units import subtree_ids

#: Columns of an estimate's accessible table, and their headings' keys.
ESTIMATE_COLUMNS = {
    "label": "report_col_label",
    "n": "report_col_n",
    "mean": "report_col_mean",
    "mean_low": "report_col_mean_low",
    "mean_high": "report_col_mean_high",
    "pct_satisfied": "report_col_pct",
    "pct_satisfied_low": "report_col_pct_low",
    "pct_satisfied_high": "report_col_pct_high",
}
INDEX_COLUMNS = {
    "label": "report_col_label",
    "n": "report_col_n",
    "estimate": "report_col_estimate",
    "ci_low": "report_col_mean_low",
    "ci_high": "report_col_mean_high",
}
OFFICIAL_COLUMNS = {
    "label": "report_col_label",
    "n": "report_col_n",
    "mean": "report_col_mean",
    "mean_low": "report_col_mean_low",
    "mean_high": "report_col_mean_high",
    "shrunk": "report_col_shrunk",
    "shrunk_low": "report_col_mean_low",
    "shrunk_high": "report_col_mean_high",
}
LEAGUE_COLUMNS = {
    "label": "report_col_unit",
    "rank": "report_col_rank",
    "rank_low": "report_col_rank_low",
    "rank_high": "report_col_rank_high",
    "group": "report_col_group",
    "n": "report_col_n",
    "mean": "report_col_mean",
    "mean_low": "report_col_mean_low",
    "mean_high": "report_col_mean_high",
}
RANK_COLUMNS = ("rank", "rank_low", "rank_high", "group")
#: What an interval chart of a report table shows: the frame, the chart's title,
#: the table's columns, the estimate with its interval, and the axis label's key.
Drawn = tuple[pd.DataFrame, str, dict[str, str], tuple[str, str, str], str]
MEAN = ("mean", "mean_low", "mean_high")
PERCENT = ("pct_satisfied", "pct_satisfied_low", "pct_satisfied_high")
TREND_COLUMNS = {
    "month": "dashboard_month",
    "responses": "report_responses",
    "verified": "report_verified",
}


@dataclass(frozen=True)
class Chart:
    """An inline SVG chart and the same numbers as table rows under headings."""

    svg: str
    rows: list[list[str]]
    columns: list[str]


@dataclass(frozen=True)
class Dashboard:
    """Everything one dashboard page shows, built once per request."""

    header: Header
    counts: Counts
    trend: Chart
    #: None when no response came through a single-use code.
    verified_trend: Chart | None
    #: A unit's own results; for a unit with units below it, the district's
    #: items and dimensions, all its units together, beside the league.
    charts: list[Chart]
    league: Chart | None
    ranks: Chart | None
    comments: pd.DataFrame
    small_samples: bool


def build_dashboard(
    session: Session, selection: Selection, *, show_officials: bool
) -> Dashboard:
    """Assemble the report of the selection and draw it, in the visitor's language."""
    unit, campaign, period = selection.unit, selection.campaign, selection.period
    assert campaign is not None, "a dashboard needs a campaign"
    language, words = current_language(), ChartText.translated(translate)
    report: UnitReport | DistrictReport
    if selection.has_subunits:
        report = district_report(session, unit, campaign, period, language=language)
        unit_ids = list(session.scalars(subtree_ids(unit.id)))
        charts, tables = _district_charts(report, words)
        league, ranks = _league(report, words)
        comments = pd.DataFrame()
    else:
        report = unit_report(session, unit, campaign, period, language=language)
        unit_ids = [unit.id]
        charts, tables = _unit_charts(report, words, show_officials)
        league = ranks = None
        comments = report.comments
    counts = monthly_counts(session, campaign.id, period, unit_ids=unit_ids)
    return Dashboard(
        header=report.header,
        counts=report.counts,
        trend=_trend(counts, "responses", "dashboard_trend_title", words),
        verified_trend=(
            _trend(counts, "verified", "dashboard_verified_title", words)
            if counts["verified"].any()
            else None
        ),
        charts=charts,
        league=league,
        ranks=ranks,
        comments=comments,
        small_samples=has_small_samples(tables),
    )


def _scores(report: UnitReport | DistrictReport) -> list[Drawn]:
    """List the dimensions (as % satisfied) and items (as means) of a report."""
    return [
        (report.dimensions, "dashboard_dimensions_title", ESTIMATE_COLUMNS, PERCENT,
         "dashboard_axis_pct"),
        (report.items, "dashboard_items_title", ESTIMATE_COLUMNS, MEAN,
         "dashboard_axis_mean"),
    ]  # fmt: skip


def _district_charts(
    report: DistrictReport, words: ChartText
) -> tuple[list[Chart], list[pd.DataFrame]]:
    """Draw the district's own dimensions and items, all its units together."""
    drawn = _scores(report)
    return _drawn(drawn, words), [report.league, *(frame for frame, *_ in drawn)]


def _unit_charts(
    report: UnitReport, words: ChartText, show_officials: bool
) -> tuple[list[Chart], list[pd.DataFrame]]:
    """Draw the index, dimensions, items, counters and (if allowed) officials."""
    drawn: list[Drawn] = [
        (report.index, "dashboard_index_title", INDEX_COLUMNS,
         ("estimate", "ci_low", "ci_high"), "report_col_index"),
        *_scores(report),
        (report.counters, "dashboard_counters_title", ESTIMATE_COLUMNS, MEAN,
         "dashboard_axis_mean"),
    ]  # fmt: skip
    if show_officials:
        drawn.append(
            (report.officials, "dashboard_officials_title", OFFICIAL_COLUMNS, MEAN,
             "dashboard_axis_mean")
        )  # fmt: skip
    return _drawn(drawn, words), [frame for frame, *_ in drawn]


def _drawn(drawn: list[Drawn], words: ChartText) -> list[Chart]:
    """Draw each non-empty table as an interval chart beside its numbers."""
    return [
        _interval(frame, translate(title), columns, estimates, axis, words)
        for frame, title, columns, estimates, axis in drawn
        if not frame.empty
    ]


def _interval(
    frame: pd.DataFrame,
    title: str,
    columns: dict[str, str],
    estimates: tuple[str, str, str],
    axis: str,
    words: ChartText,
) -> Chart:
    """Draw one table's estimates with their intervals and n, withheld rows dashed."""
    svg = interval_chart(
        frame,
        "label",
        *estimates,
        n_column="n",
        title=title,
        axis_label=axis,
        words=words,
        suppressed_column="suppressed" if "suppressed" in frame else None,
    )
    return _chart(svg, frame, columns, words)


def _league(report: DistrictReport, words: ChartText) -> tuple[Chart, Chart]:
    """Draw the units' headline scores and their rank intervals."""
    league = report.league
    scores = interval_chart(
        league,
        "label",
        "mean",
        "mean_low",
        "mean_high",
        n_column="n",
        title=translate("dashboard_league_title", score=report.header.headline_label),
        axis_label=translate("dashboard_axis_mean"),
        words=words,
        suppressed_column="suppressed",
    )
    ranks = rank_chart(
        league.dropna(subset=["rank"]),
        "label",
        "rank",
        "rank_low",
        "rank_high",
        title=translate("dashboard_ranks_title"),
        words=words,
    )
    # Ranks and groups are whole numbers, not estimates with decimals.
    table = league.astype({name: "Int64" for name in RANK_COLUMNS})
    return (
        _chart(scores, table, LEAGUE_COLUMNS, words),
        _chart(ranks, table, LEAGUE_COLUMNS, words),
    )


def _trend(counts: pd.DataFrame, column: str, title: str, words: ChartText) -> Chart:
    """Draw responses per month; the table has both counts, all and verified."""
    svg = trend_chart(
        counts,
        "month",
        column,
        title=translate(title),
        axis_label=translate("dashboard_axis_responses"),
        words=words,
    )
    return _chart(svg, counts, TREND_COLUMNS, words)


def _chart(
    svg: str, frame: pd.DataFrame, columns: dict[str, str], words: ChartText
) -> Chart:
    """Pair a chart with its numbers: each estimate with its n and interval.

    Withheld rows (n < 5) have no estimates in the report data, so they show "—".
    """
    shown: Sequence[str] = [name for name in columns if name in frame]
    return Chart(
        svg=svg,
        rows=table_rows(frame, shown, words=words),
        columns=[translate(columns[name]) for name in shown],
    )
