"""What every format shows of a report: its texts and the columns of its tables.

The PDF and the workbook lay out the same columns with the same headings, all
from the one catalogue (``app/messages.yaml``), so they cannot drift apart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from app.i18n import catalogue
from app.reports.data import Header

#: How a column's numbers are shown: a count, a 1-5 mean, a percentage, a rank.
COUNT, MEAN, PERCENT, RANK, DIFFERENCE, P_VALUE, TEXT = (
    "count", "mean", "percent", "rank", "difference", "p", "text",
)  # fmt: skip


@dataclass(frozen=True)
class Column:
    """One column of a report table: the frame's column, its heading, its kind."""

    name: str
    heading: str
    kind: str
    width: float = 14


def text(key: str, language: str) -> str:
    """Return report text ``key`` of the catalogue in ``language``."""
    message = catalogue()[key]
    return message.en if language == "en" else message.vi


def estimate_columns(language: str, first: str = "report_col_label") -> list[Column]:
    """Return the columns of an estimate table: label, n, mean and % with intervals."""
    return [
        Column("label", text(first, language), TEXT, 50),
        Column("n", text("report_col_n", language), COUNT, 10),
        Column("mean", text("report_col_mean", language), MEAN),
        Column("mean_low", text("report_col_mean_low", language), MEAN),
        Column("mean_high", text("report_col_mean_high", language), MEAN),
        Column("pct_satisfied", text("report_col_pct", language), PERCENT),
        Column("pct_satisfied_low", text("report_col_pct_low", language), PERCENT),
        Column("pct_satisfied_high", text("report_col_pct_high", language), PERCENT),
        Column("note", text("report_col_note", language), TEXT, 30),
    ]


def index_columns(language: str) -> list[Column]:
    """Return the columns of the index table: its own scale, not 1-5 or percent."""
    return [
        Column("label", text("report_col_label", language), TEXT, 50),
        Column("n", text("report_col_n", language), COUNT, 10),
        Column("estimate", text("report_col_estimate", language), MEAN),
        Column("ci_low", text("report_col_mean_low", language), MEAN),
        Column("ci_high", text("report_col_mean_high", language), MEAN),
        Column("note", text("report_col_note", language), TEXT, 30),
    ]


def official_columns(language: str) -> list[Column]:
    """Return the columns of the officials table: raw and shrunk scores."""
    return [
        Column("label", text("report_col_label", language), TEXT, 30),
        Column("n", text("report_col_n", language), COUNT, 10),
        Column("mean", text("report_col_mean", language), MEAN),
        Column("mean_low", text("report_col_mean_low", language), MEAN),
        Column("mean_high", text("report_col_mean_high", language), MEAN),
        Column("shrunk", text("report_col_shrunk", language), MEAN, 18),
        Column("shrunk_low", text("report_col_mean_low", language), MEAN),
        Column("shrunk_high", text("report_col_mean_high", language), MEAN),
        Column("note", text("report_col_note", language), TEXT, 30),
    ]


def comment_columns(language: str) -> list[Column]:
    """Return the columns of the comments table."""
    return [
        Column("submitted_at", text("report_col_date", language), TEXT, 18),
        Column("service_point", text("report_col_counter", language), TEXT, 30),
        Column("rating", text("report_col_rating", language), COUNT, 10),
        Column("text", text("report_col_comment", language), TEXT, 80),
    ]


def league_columns(language: str) -> list[Column]:
    """Return the columns of the league table: score, rank interval, comparison."""
    return [
        Column("rank", text("report_col_rank", language), RANK, 8),
        *estimate_columns(language, "report_col_unit")[:-1],
        Column("rank_low", text("report_col_rank_low", language), RANK, 10),
        Column("rank_high", text("report_col_rank_high", language), RANK, 10),
        Column("group", text("report_col_group", language), RANK, 12),
        Column("difference", text("report_col_difference", language), DIFFERENCE),
        Column("ci_low", text("report_col_mean_low", language), DIFFERENCE),
        Column("ci_high", text("report_col_mean_high", language), DIFFERENCE),
        Column("p_holm", text("report_col_p_holm", language), P_VALUE),
        Column("index_estimate", text("report_col_index", language), MEAN),
        Column("index_ci_low", text("report_col_mean_low", language), MEAN),
        Column("index_ci_high", text("report_col_mean_high", language), MEAN),
        Column("note", text("report_col_note", language), TEXT, 30),
    ]


def with_notes(table: pd.DataFrame, language: str) -> pd.DataFrame:
    """Add the ``note`` column: withheld (n < 5) or indicative (n < 30)."""
    notes = table.get("suppressed", pd.Series(False, index=table.index)).map(
        {True: text("report_suppressed", language), False: ""}
    )
    if "reliable" in table:
        indicative = ~table["reliable"].astype(bool) & (notes == "")
        notes = notes.where(~indicative, text("report_indicative", language))
    return table.assign(note=notes)


def has_small_samples(tables: Sequence[pd.DataFrame]) -> bool:
    """Tell whether any estimate rests on fewer responses than publication needs."""
    return any(
        "reliable" in table and not table["reliable"].astype(bool).all()
        for table in tables
        if not table.empty
    )


def period_text(header: Header) -> str:
    """Return the period as a reader says it ("2026-Q2", or the whole survey)."""
    return header.period or text("report_all_periods", header.language)


def shown(value: object, kind: str) -> str:
    """Format one cell for print: blank when withheld or not computable."""
    if kind == TEXT:
        return "" if value is None or value is pd.NaT else str(value)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    number = float(value)  # type: ignore[arg-type]
    if kind == PERCENT:
        return f"{number:.1f}%"
    if kind == MEAN:
        return f"{number:.2f}"
    if kind == DIFFERENCE:
        return f"{number:+.2f}"
    if kind == P_VALUE:
        return f"{number:.3f}"
    return f"{number:.0f}"
