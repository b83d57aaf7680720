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

from app.charts import ChartText, interval_chart, rank_chart, table_rows, trend_chart
from app.formatting import format_number
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
from app.reports.selection import Selection
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
#: What an interval chart of a report table shows: the frame, the chart's title,
#: the table's columns, the estimate with its interval, and the axis label.
Drawn = tuple[
    pd.DataFrame, LazyString, dict[str, LazyString], tuple[str, str, str], LazyString
]
MEAN = ("mean", "mean_low", "mean_high")
#: Officials' scores: charted in the table's order (by code), never best first.
OFFICIAL_SCORE = ("score", "score_low", "score_high")
PERCENT = ("pct_satisfied", "pct_satisfied_low", "pct_satisfied_high")
MEAN_AXIS = lazy_gettext("Điểm trung bình (1–5)")
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
    #: The small-sample warning the PDF prints too, when some figure needs it.
    small_sample_warning: str | None
    #: How much the unit's officials differ and how to read a flag; "" when
    #: the officials are not shown.
    officials_note: str = ""


def build_dashboard(
    session: Session, selection: Selection, *, show_officials: bool
) -> Dashboard:
    """Assemble the report of the selection and draw it, in the visitor's language."""
    unit, campaign, period = selection.unit, selection.campaign, selection.period
    assert campaign is not None, "a dashboard needs a campaign"
    language, words = current_language(), chart_words()
    report: UnitReport | DistrictReport
    if selection.has_subunits:
        report = district_report(
            session, unit, campaign, period, language=language, with_dossiers=False
        )
        unit_ids = list(session.scalars(subtree_ids(unit.id)))
        charts, tables = _district_charts(report, words)
        league, ranks = _league(report, words)
        comments = pd.DataFrame()
        officials_note = ""
    else:
        report = unit_report(
            session, unit, campaign, period, language=language, with_dossiers=False
        )
        unit_ids = [unit.id]
        charts, tables = _unit_charts(report, words, show_officials)
        league = ranks = None
        comments = report.comments
        officials_note = officials_summary(report.officials) if show_officials else ""
    counts = monthly_counts(session, campaign.id, period, unit_ids=unit_ids)
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
        small_sample_warning=(
            str(SMALL_SAMPLE_WARNING) if has_small_samples(tables) else None
        ),
        officials_note=officials_note,
    )


def _scores(report: UnitReport | DistrictReport) -> list[Drawn]:
    """List the dimensions (as % satisfied) and items (as means) of a report."""
    return [
        (
            report.dimensions,
            lazy_gettext("Mức hài lòng theo lĩnh vực"),
            ESTIMATE_COLUMNS,
            PERCENT,
            lazy_gettext("% hài lòng"),
        ),
        (
            report.items,
            lazy_gettext("Điểm theo tiêu chí"),
            ESTIMATE_COLUMNS,
            MEAN,
            MEAN_AXIS,
        ),
    ]


def _district_charts(
    report: DistrictReport, words: ChartText
) -> tuple[list[Chart], list[pd.DataFrame]]:
    """Draw the district's own dimensions and items, all its units together."""
    drawn = _scores(report)
    return _drawn(drawn, words), [report.league, *(frame for frame, *rest in drawn)]


def _unit_charts(
    report: UnitReport, words: ChartText, show_officials: bool
) -> tuple[list[Chart], list[pd.DataFrame]]:
    """Draw the index, dimensions, items, counters and (if allowed) officials."""
    index = ("estimate", "ci_low", "ci_high")
    drawn: list[Drawn] = [
        (
            report.index,
            lazy_gettext("Chỉ số hài lòng"),
            INDEX_COLUMNS,
            index,
            lazy_gettext("Chỉ số"),
        ),
        *_scores(report),
        (
            report.counters,
            lazy_gettext("Điểm theo quầy"),
            ESTIMATE_COLUMNS,
            MEAN,
            MEAN_AXIS,
        ),
    ]
    if show_officials:
        drawn.append(
            (
                official_rows(report.officials),
                lazy_gettext("Điểm theo công chức"),
                OFFICIAL_COLUMNS,
                OFFICIAL_SCORE,
                MEAN_AXIS,
            )
        )
    return _drawn(drawn, words), [frame for frame, *rest in drawn]


def _drawn(drawn: list[Drawn], words: ChartText) -> list[Chart]:
    """Draw each non-empty table as an interval chart beside its numbers."""
    return [
        _interval(frame, str(title), columns, estimates, str(axis), words)
        for frame, title, columns, estimates, axis in drawn
        if not frame.empty
    ]


def _interval(
    frame: pd.DataFrame,
    title: str,
    columns: dict[str, LazyString],
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
        best_first=estimates != OFFICIAL_SCORE,
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
        title=_("Xếp hạng các đơn vị: %(score)s", score=report.header.headline_label),
        axis_label=str(MEAN_AXIS),
        words=words,
        suppressed_column="suppressed",
    )
    ranks = rank_chart(
        league.dropna(subset=["rank"]),
        "label",
        "rank",
        "rank_low",
        "rank_high",
        title=_("Khoảng thứ hạng"),
        words=words,
    )
    # Ranks are whole numbers, not estimates with decimals.
    table = with_separations(league).astype({name: "Int64" for name in RANK_COLUMNS})
    return (
        _chart(scores, table, LEAGUE_COLUMNS, words),
        _chart(ranks, table, LEAGUE_COLUMNS, words),
    )


def _trend(
    counts: pd.DataFrame, column: str, title: LazyString, words: ChartText
) -> Chart:
    """Draw responses per month; the table has both counts, all and verified."""
    svg = trend_chart(
        counts,
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
        for name in PERCENT
        if name in frame
    }
    return Chart(
        svg=svg,
        rows=table_rows(frame.assign(**percents), shown, words=words),
        columns=[str(columns[name]) for name in shown],
    )


def chart_words() -> ChartText:
    """Return the charts' words and number format in the reader's language."""
    return ChartText(
        no_data=_("Chưa có dữ liệu"),
        unreliable=_("chỉ mang tính tham khảo"),
        no_interval=_("quá ít câu trả lời để tính khoảng tin cậy"),
        rank=_("Thứ hạng (khoảng 95%)"),
        number=format_number,
    )
