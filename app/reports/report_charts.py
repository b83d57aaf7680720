"""The reports' charts, drawn once: the dashboard shows them, the PDF prints them.

Each function here draws one chart of the report data with ``app.charts`` and
returns its SVG; ``app.reports.dashboard`` puts it into the page beside its
table, ``app.reports.pdf`` places the very same SVG on paper. Titles, axes and
scales are chosen here only, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from app.charts import (
    PERCENT_SCALE,
    ChartText,
    Scale,
    interval_chart,
    rank_chart,
)
from app.formatting import format_date, format_number, format_percent
from app.i18n import _, lazy_gettext
from app.reports.data import DistrictReport, Header

DIMENSIONS_TITLE = lazy_gettext("Mức hài lòng theo lĩnh vực")
ITEMS_TITLE = lazy_gettext("Điểm theo tiêu chí")


@dataclass(frozen=True)
class Measure:
    """What an interval chart of a report table shows: the estimate and its
    interval's columns, and what they measure ("mean" on the questionnaire's
    scale, "percent", or an "index" on its own scale)."""

    columns: tuple[str, str, str]
    kind: str
    #: False keeps the table's order: people are listed by code, never ranked.
    best_first: bool = True


MEAN = Measure(("mean", "mean_low", "mean_high"), "mean")
PERCENT = Measure(
    ("pct_satisfied", "pct_satisfied_low", "pct_satisfied_high"), "percent"
)
#: Officials' scores: charted in the table's order (by code), never best first.
OFFICIAL_SCORE = Measure(("score", "score_low", "score_high"), "mean", best_first=False)
#: A questionnaire's index: percent satisfied, a sum of 1-10 dimensions or a
#: composite, so its axis runs from 0 to the highest bound.
INDEX = Measure(("estimate", "ci_low", "ci_high"), "index")


def estimate_chart(
    frame: pd.DataFrame, title: str, measure: Measure, header: Header, words: ChartText
) -> str:
    """Draw one report table's estimates with their intervals and n, withheld
    rows dashed, on the whole of the scale they are measured on."""
    scale, axis = measure_axis(measure.kind, header)
    return interval_chart(
        frame,
        "label",
        *measure.columns,
        n_column="n",
        title=title,
        axis_label=axis,
        words=words,
        scale=scale,
        suppressed_column="suppressed" if "suppressed" in frame else None,
        best_first=measure.best_first,
    )


def dimensions_chart(dimensions: pd.DataFrame, header: Header, words: ChartText) -> str:
    """Draw the share satisfied in each dimension, first chart of a unit's report."""
    return estimate_chart(dimensions, str(DIMENSIONS_TITLE), PERCENT, header, words)


def league_chart(report: DistrictReport, words: ChartText) -> str:
    """Draw the units' headline scores with their intervals, best first."""
    header = report.header
    title = _("Xếp hạng các đơn vị: %(score)s", score=header.headline_label)
    return estimate_chart(report.league, title, MEAN, header, words)


def rank_intervals_chart(report: DistrictReport, words: ChartText) -> str:
    """Draw the units' rank intervals, so units that cannot be told apart show."""
    return rank_chart(
        report.league.dropna(subset=["rank"]),
        "label",
        "rank",
        "rank_low",
        "rank_high",
        title=_("Khoảng thứ hạng"),
        words=words,
    )


def month_labels(months: Sequence[str]) -> list[str]:
    """Name months (``2026-01``) the reader's way, ``thg 1``, with the year on a
    second line under the first month and under each January."""
    firsts = [date.fromisoformat(f"{month}-01") for month in months]
    return [
        format_date(first, "MMM")
        + (f"\n{first.year}" if index == 0 or first.month == 1 else "")
        for index, first in enumerate(firsts)
    ]


def measure_axis(kind: str, header: Header) -> tuple[Scale | None, str]:
    """Return the scale a measure spans and its axis's label, in the reader's
    language."""
    if kind == "percent":
        return PERCENT_SCALE, _("% hài lòng")
    if kind == "index":
        return None, _("Chỉ số")
    low, high = header.item_scale
    axis = _(
        "Điểm trung bình (%(low)s–%(high)s)",
        low=format_number(low),
        high=format_number(high),
    )
    return Scale.over(low, high), axis


def chart_words() -> ChartText:
    """Return the charts' words and number format in the reader's language."""
    return ChartText(
        no_data=_("Chưa có dữ liệu"),
        unreliable=_("chỉ mang tính tham khảo"),
        no_interval=_("quá ít câu trả lời để tính khoảng tin cậy"),
        rank=_("Thứ hạng (khoảng 95%)"),
        number=format_number,
        percent=format_percent,
    )
