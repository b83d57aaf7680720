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
from flask_babel.speaklater import LazyString
from sqlalchemy.orm import Session

from app.charts import ChartText, table_rows, trend_chart
from app.i18n import _, current_language, lazy_gettext
from app.reports.data import (
    Counts,
    DistrictReport,
    Header,
    UnitReport,
    district_report,
    unit_report,
)
from app.reports.layout import PERCENT as PERCENT_KIND
from app.reports.layout import (
    SMALL_SAMPLE_WARNING,
    has_small_samples,
    official_rows,
    officials_summary,
    with_separations,
)
from app.reports.layout import shown as shown_cell
from app.reports.report_charts import (
    DIMENSIONS_TITLE,
    INDEX,
    ITEMS_TITLE,
    MEAN,
    OFFICIAL_SCORE,
    PERCENT,
    Measure,
    chart_words,
    estimate_chart,
    league_chart,
    month_labels,
    rank_intervals_chart,
)
from app.reports.selection import Selection
from app.reports.standing_layout import (
    quarter_chart,
    quarter_columns,
    standing_chart,
    standing_columns,
    standing_rows,
    standing_text,
    unit_quarter_columns,
    unit_quarter_rows,
)
from surveys.storage.counts import monthly_counts
from surveys.units.tree import subtree_ids

#: Columns of an estimate's accessible table, and their headings.
ESTIMATE_COLUMNS = {
    "label": lazy_gettext("Nội dung"),
    "n": lazy_gettext("Số phiếu (n)"),
    "mean": lazy_gettext("Điểm trung bình (1–5)"),
    "mean_low": lazy_gettext("Cận dưới KTC 95%"),
    "mean_high": lazy_gettext("Cận trên KTC 95%"),
    "pct_satisfied": lazy_gettext("Tỷ lệ hài lòng"),
    "pct_satisfied_low": lazy_gettext("Tỷ lệ hài lòng: cận dưới"),
    "pct_satisfied_high": lazy_gettext("Tỷ lệ hài lòng: cận trên"),
}
INDEX_COLUMNS = {
    "label": lazy_gettext("Nội dung"),
    "n": lazy_gettext("Số phiếu (n)"),
    "estimate": lazy_gettext("Giá trị"),
    "ci_low": lazy_gettext("Cận dưới KTC 95%"),
    "ci_high": lazy_gettext("Cận trên KTC 95%"),
}
OFFICIAL_COLUMNS = {
    "label": lazy_gettext("Công chức (mã)"),
    "n": lazy_gettext("Số lượt đánh giá (n)"),
    "score": lazy_gettext("Điểm ước lượng (1–5)"),
    "score_low": lazy_gettext("Cận dưới khoảng 95%"),
    "score_high": lazy_gettext("Cận trên khoảng 95%"),
    "own_mean": lazy_gettext("Trung bình các lượt đánh giá của công chức"),
    "own_low": lazy_gettext("Cận dưới KTC 95%"),
    "own_high": lazy_gettext("Cận trên KTC 95%"),
    "flag_text": lazy_gettext("So với công chức điển hình của đơn vị"),
    "meaning": lazy_gettext("Ý nghĩa của điểm"),
}
LEAGUE_COLUMNS = {
    "label": lazy_gettext("Đơn vị"),
    "rank": lazy_gettext("Hạng"),
    "rank_low": lazy_gettext("Hạng: cận trên khoảng"),
    "rank_high": lazy_gettext("Hạng: cận dưới khoảng"),
    "group": lazy_gettext("Nhóm không phân biệt được"),
    "separation": lazy_gettext("So với các đơn vị khác"),
    "n": lazy_gettext("Số phiếu (n)"),
    "mean": lazy_gettext("Điểm trung bình (1–5)"),
    "mean_low": lazy_gettext("Cận dưới KTC 95%"),
    "mean_high": lazy_gettext("Cận trên KTC 95%"),
}
RANK_COLUMNS = ("rank", "rank_low", "rank_high")
CHANNELS_TITLE = lazy_gettext("Điểm theo kênh")
#: What an interval chart of a report table shows: the frame, the chart's title,
#: the table's columns and what is measured.
Drawn = tuple[pd.DataFrame, LazyString, dict[str, LazyString], Measure]
TREND_COLUMNS = {
    "month": lazy_gettext("Tháng"),
    "responses": lazy_gettext("Số phiếu hợp lệ"),
    "verified": lazy_gettext("Số phiếu xác thực (mã dùng một lần)"),
}


@dataclass(frozen=True)
class Chart:
    """An inline SVG chart and the same numbers as table rows under headings."""

    svg: str
    rows: list[list[str]]
    columns: list[str]


@dataclass(frozen=True)
class Table:
    """A table without a chart: rows of written cells under headings."""

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
    #: The headline per channel and all channels together; None when the
    #: responses came through one channel.
    channels: Chart | None
    #: The small-sample warning the PDF prints too, when some figure needs it.
    small_sample_warning: str | None
    #: How much the unit's officials differ and how to read a flag; "" when
    #: the officials are not shown.
    officials_note: str = ""
    #: A unit's place among its peers, drawn and said; None without peers.
    standing: Chart | None = None
    standing_text: str = ""
    #: The district's headline by quarter: all units together, drawn; then
    #: each unit's, a row per unit (drawn, they would be too many to read).
    quarters: tuple[Chart, ...] = ()
    unit_quarters: Table | None = None


def build_dashboard(
    session: Session, selection: Selection, *, show_officials: bool
) -> Dashboard:
    """Assemble the report of the selection and draw it, in the visitor's language."""
    unit, campaign, period = selection.unit, selection.campaign, selection.period
    channel = selection.channel
    assert campaign is not None, "a dashboard needs a campaign"
    language, words = current_language(), chart_words()
    report: UnitReport | DistrictReport
    shown = {"language": language, "with_dossiers": False, "channel": channel}
    if selection.has_subunits:
        report = district_report(session, unit, campaign, period, **shown)
        unit_ids = list(session.scalars(subtree_ids(unit.id)))
        charts, tables = _district_charts(report, words)
        league, ranks = _league(report, words)
        comments = pd.DataFrame()
        officials_note = ""
        standing, placed, quarters = None, "", _quarters(report, words)
        unit_quarters = _unit_quarters(report)
    else:
        report = unit_report(session, unit, campaign, period, **shown)
        unit_ids = [unit.id]
        charts, tables = _unit_charts(report, words, show_officials)
        league = ranks = None
        comments = report.comments
        officials_note = officials_summary(report.officials) if show_officials else ""
        standing, quarters, unit_quarters = _standing(report, words), (), None
        placed = (
            standing_text(report.standing, report.header.headline_label)
            if report.standing is not None
            else ""
        )
    counts = monthly_counts(
        session, campaign.id, period, unit_ids=unit_ids, channel=channel
    )
    by_channel = _drawn(
        [(report.channels, CHANNELS_TITLE, ESTIMATE_COLUMNS, MEAN)],
        report.header,
        words,
    )
    return Dashboard(
        header=report.header,
        counts=report.counts,
        trend=_trend(counts, "responses", lazy_gettext("Số phiếu theo tháng"), words),
        verified_trend=(
            _trend(
                counts,
                "verified",
                lazy_gettext("Số phiếu có mã dùng một lần (đã xác thực) theo tháng"),
                words,
            )
            if counts["verified"].any()
            else None
        ),
        charts=charts,
        league=league,
        ranks=ranks,
        comments=comments,
        channels=by_channel[0] if by_channel else None,
        small_sample_warning=(
            str(SMALL_SAMPLE_WARNING)
            if has_small_samples([*tables, report.channels])
            else None
        ),
        officials_note=officials_note,
        standing=standing,
        standing_text=placed,
        quarters=quarters,
        unit_quarters=unit_quarters,
    )


def _scores(report: UnitReport | DistrictReport) -> list[Drawn]:
    """List the dimensions (as % satisfied) and items (as means) of a report."""
    return [
        (report.dimensions, DIMENSIONS_TITLE, ESTIMATE_COLUMNS, PERCENT),
        (report.items, ITEMS_TITLE, ESTIMATE_COLUMNS, MEAN),
    ]


def _district_charts(
    report: DistrictReport, words: ChartText
) -> tuple[list[Chart], list[pd.DataFrame]]:
    """Draw the district's own dimensions and items, all its units together."""
    drawn = _scores(report)
    return _drawn(drawn, report.header, words), [
        report.league,
        *(frame for frame, *rest in drawn),
    ]


def _unit_charts(
    report: UnitReport, words: ChartText, show_officials: bool
) -> tuple[list[Chart], list[pd.DataFrame]]:
    """Draw the index, dimensions, items, counters and (if allowed) officials."""
    drawn: list[Drawn] = [
        (report.index, lazy_gettext("Chỉ số hài lòng"), INDEX_COLUMNS, INDEX),
        *_scores(report),
        (report.counters, lazy_gettext("Điểm theo quầy"), ESTIMATE_COLUMNS, MEAN),
    ]
    if show_officials:
        drawn.append(
            (
                official_rows(report.officials),
                lazy_gettext("Điểm theo công chức"),
                OFFICIAL_COLUMNS,
                OFFICIAL_SCORE,
            )
        )
    return _drawn(drawn, report.header, words), [frame for frame, *rest in drawn]


def _drawn(drawn: list[Drawn], header: Header, words: ChartText) -> list[Chart]:
    """Draw each non-empty table as an interval chart beside its numbers."""
    return [
        _chart(
            estimate_chart(frame, str(title), measure, header, words),
            frame,
            columns,
            words,
        )
        for frame, title, columns, measure in drawn
        if not frame.empty
    ]


def _league(report: DistrictReport, words: ChartText) -> tuple[Chart, Chart]:
    """Draw the units' headline scores and their rank intervals."""
    # Ranks are whole numbers, not estimates with decimals.
    table = with_separations(report.league).astype(
        {name: "Int64" for name in RANK_COLUMNS}
    )
    return (
        _chart(league_chart(report, words), table, LEAGUE_COLUMNS, words),
        _chart(rank_intervals_chart(report, words), table, LEAGUE_COLUMNS, words),
    )


def _standing(report: UnitReport, words: ChartText) -> Chart | None:
    """Draw the unit's place among its peers, beside the ranks' table."""
    if report.standing is None:
        return None
    columns = {c.name: c.heading for c in standing_columns()}
    svg = standing_chart(report.standing, words)
    return _chart(svg, standing_rows(report.standing), columns, words)


def _quarters(report: DistrictReport, words: ChartText) -> tuple[Chart, ...]:
    """Draw the headline by quarter for all units together; beside it, its table."""
    if report.quarters is None or report.quarters.empty:
        return ()
    drawn = quarter_chart(report.quarters, report.header, words)
    if drawn is None:
        return ()
    columns = {c.name: c.heading for c in quarter_columns() if c.name != "note"}
    return (_chart(*drawn, columns, words),)


def _unit_quarters(report: DistrictReport) -> Table | None:
    """Write each unit's headline by quarter: one row per unit, a cell a quarter."""
    if report.quarters is None or report.quarters.empty:
        return None
    rows = unit_quarter_rows(report.quarters)
    if rows.empty:
        return None
    return Table(
        rows=[[str(cell) for cell in row] for row in rows.itertuples(index=False)],
        columns=[str(c.heading) for c in unit_quarter_columns(report.quarters)],
    )


def _trend(
    counts: pd.DataFrame, column: str, title: LazyString, words: ChartText
) -> Chart:
    """Draw responses per month; the table has both counts, all and verified."""
    svg = trend_chart(
        counts.assign(month=month_labels(counts["month"])),
        "month",
        column,
        title=str(title),
        axis_label=_("Số phiếu"),
        words=words,
    )
    return _chart(svg, counts, TREND_COLUMNS, words)


def _chart(
    svg: str, frame: pd.DataFrame, columns: dict[str, LazyString], words: ChartText
) -> Chart:
    """Pair a chart with its numbers: each estimate with its n and interval.

    Withheld rows (n < 5) have no estimates in the report data, so they show "—".
    """
    shown: Sequence[str] = [name for name in columns if name in frame]
    # Percentages written as the reports write them ("50,0%"), not as bare numbers.
    percents = {
        name: frame[name].map(lambda value: shown_cell(value, PERCENT_KIND) or None)
        for name in PERCENT.columns
        if name in frame
    }
    return Chart(
        svg=svg,
        rows=table_rows(frame.assign(**percents), shown, words=words),
        columns=[str(columns[name]) for name in shown],
    )
