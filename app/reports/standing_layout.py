"""What every format shows of a unit's standing and of the district's quarters.

The dashboard, the PDF and the workbook print the same sentence and the same
columns, translated when they are laid out (inside ``app.i18n.in_language``).
"""

from __future__ import annotations

import pandas as pd

from analysis.results import MIN_SUPPRESS
from app.charts import ChartText, interval_chart, rank_chart
from app.formatting import format_number
from app.i18n import _, lazy_gettext, lazy_pgettext, ngettext
from app.reports.data import Header
from app.reports.layout import (
    COUNT,
    MEAN,
    RANK,
    TEXT,
    Column,
    estimate_columns,
    shown,
)
from app.reports.report_charts import measure_axis
from app.reports.standing import RANKS, Standing

STANDING_TITLE = lazy_gettext("Vị trí so với các đơn vị cùng cấp")
SHEET_STANDING = lazy_pgettext("standing", "Vị trí")
QUARTERS_TITLE = lazy_gettext("Điểm theo quý")
SHEET_QUARTERS = lazy_gettext("Theo quý")
UNIT_QUARTERS_TITLE = lazy_gettext("Điểm theo quý của từng đơn vị")
SHEET_UNIT_QUARTERS = lazy_gettext("Theo quý, từng đơn vị")
STANDING_NOTE = lazy_gettext(
    "Hạng được tính trong các đơn vị trực thuộc cùng một đơn vị cấp trên có phiếu "
    "trong đợt khảo sát; các đơn vị khác không được nêu tên, chỉ nêu hạng. Khoảng "
    "hạng chứa hạng thật của mọi đơn vị này cùng lúc với độ tin cậy 95%. Bảng xếp "
    "hạng đầy đủ do cấp trên công bố còn có thể gồm các quầy của chính cấp trên "
    "(và các đơn vị cấp dưới nữa), nên hạng ở đó có thể khác."
)


def standing_text(standing: Standing, score_label: str) -> str:
    """Say in one paragraph where the unit stands and on what it is ranked."""
    if standing.rank is None:
        return _(
            "%(unit)s có %(n)s phiếu, dưới %(min)s: chưa được xếp hạng so với "
            "%(peers)s đơn vị cùng cấp tham gia đợt khảo sát.",
            unit=standing.unit_name,
            n=format_number(standing.n, 0),
            min=MIN_SUPPRESS,
            peers=format_number(standing.peers, 0),
        )
    place = _(
        "%(unit)s xếp hạng %(rank)s/%(ranked)s (khoảng hạng %(low)s–%(high)s) "
        "trong %(peers)s đơn vị cùng cấp tham gia đợt khảo sát.",
        unit=standing.unit_name,
        rank=format_number(standing.rank, 0),
        ranked=format_number(standing.ranked, 0),
        low=format_number(standing.rank_low, 0),
        high=format_number(standing.rank_high, 0),
        peers=format_number(standing.peers, 0),
    )
    unranked = standing.peers - standing.ranked
    if unranked:
        place += " " + ngettext(
            "%(num)s đơn vị có dưới %(min)s phiếu không được xếp hạng.",
            "%(num)s đơn vị có dưới %(min)s phiếu không được xếp hạng.",
            unranked,
            min=MIN_SUPPRESS,
        )
    score = _(
        "%(score)s: %(mean)s, n = %(n)s.",
        score=score_label,
        mean=format_number(standing.mean, 2),
        n=format_number(standing.n, 0),
    )
    if standing.mean_low is not None and standing.mean_high is not None:
        score = _(
            "%(score)s: %(mean)s (khoảng tin cậy 95%%: %(low)s–%(high)s), n = %(n)s.",
            score=score_label,
            mean=format_number(standing.mean, 2),
            low=format_number(standing.mean_low, 2),
            high=format_number(standing.mean_high, 2),
            n=format_number(standing.n, 0),
        )
    alike = standing.ranked - 1 - standing.above - standing.below
    compared = _(
        "Số đơn vị cùng cấp mà đơn vị này cao hơn rõ rệt: %(above)s; thấp hơn rõ "
        "rệt: %(below)s; không phân biệt được: %(alike)s.",
        above=format_number(standing.above, 0),
        below=format_number(standing.below, 0),
        alike=format_number(alike, 0),
    )
    return " ".join([place, score, compared])


def standing_columns() -> list[Column]:
    """Return the columns of the peers' league: a name for this unit only, ranks."""
    return [
        Column("label", _("Đơn vị"), TEXT, 36),
        Column("rank", _("Hạng"), RANK, 8),
        Column("rank_low", _("Hạng: cận trên khoảng"), RANK, 10),
        Column("rank_high", _("Hạng: cận dưới khoảng"), RANK, 10),
    ]


def standing_rows(standing: Standing) -> pd.DataFrame:
    """Name this unit's row of the peers' league; the others stay unnamed."""
    league = pd.DataFrame(list(standing.league), columns=["own", *RANKS])
    labels = league["own"].map(
        {
            True: _("%(unit)s (đơn vị này)", unit=standing.unit_name),
            False: _("Đơn vị cùng cấp khác"),
        }
    )
    return league.assign(label=labels)[[c.name for c in standing_columns()]]


def quarter_columns() -> list[Column]:
    """Return the columns of the quarters table: unit, quarter, then the estimates."""
    return [
        Column("unit_name", _("Đơn vị"), TEXT, 30),
        Column("quarter", _("Quý"), TEXT, 16),
        *estimate_columns()[1:],
    ]


def quarter_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Name the rows of all units together, and label each row by its quarter."""
    whole = table["unit"].isna()
    return table.assign(
        unit_name=table["unit_name"].where(~whole, _("Tất cả đơn vị")),
        label=table["quarter"].where(
            whole, table["unit_name"] + " · " + table["quarter"]
        ),
    )


def standing_chart(standing: Standing, words: ChartText) -> str:
    """Draw the unit's rank interval among its unnamed peers' ones."""
    rows = standing_rows(standing)
    return rank_chart(rows, "label", *RANKS, title=str(STANDING_TITLE), words=words)


def quarter_chart(
    quarters: pd.DataFrame, header: Header, words: ChartText
) -> tuple[str, pd.DataFrame] | None:
    """Draw the headline by quarter for all the units together; None without them.

    The chart comes with the rows it draws (``quarter_rows``), for the table
    beside it; quarters stay in order, never sorted by score. Each unit's
    quarters are a table (``unit_quarter_rows``): drawn, a district's units times
    its quarters are too many intervals to read.
    """
    rows = quarter_rows(quarters)
    whole = rows[rows["unit"].isna()]
    if whole.empty:
        return None
    scale, axis = measure_axis("mean", header)
    svg = interval_chart(
        whole,
        "label",
        "mean",
        "mean_low",
        "mean_high",
        n_column="n",
        title=_("%(title)s: %(whom)s", title=QUARTERS_TITLE, whom=_("tất cả đơn vị")),
        axis_label=f"{header.headline_label} · {axis}",
        words=words,
        scale=scale,
        suppressed_column="suppressed",
        best_first=False,
    )
    return svg, whole


def unit_quarter_columns(quarters: pd.DataFrame) -> list[Column]:
    """Return the columns of each unit's quarters: the unit, then one per quarter."""
    named = sorted(quarters["quarter"].dropna().unique())
    return [
        Column("unit_name", _("Đơn vị"), TEXT, 30),
        *(Column(quarter, quarter, TEXT, 20) for quarter in named),
    ]


def unit_quarter_rows(quarters: pd.DataFrame) -> pd.DataFrame:
    """Write one row per unit, one cell per quarter: "mean (low–high), n = …".

    A withheld mean (too few responses) shows "—" and its n; a quarter without
    responses is blank. Units stay in the order of the quarters table.
    """
    columns = [column.name for column in unit_quarter_columns(quarters)]
    units = quarters[quarters["unit"].notna()]
    if units.empty:
        return pd.DataFrame(columns=columns)
    cells = units.assign(cell=[_quarter_cell(row) for _, row in units.iterrows()])
    wide = cells.pivot(index=["unit", "unit_name"], columns="quarter", values="cell")
    order = pd.MultiIndex.from_frame(
        units[["unit", "unit_name"]].drop_duplicates(), names=["unit", "unit_name"]
    )
    wide = wide.reindex(order).reset_index().fillna("")
    return wide.reindex(columns=columns, fill_value="")


def _quarter_cell(row: pd.Series) -> str:
    n = shown(row["n"], COUNT)
    if row["suppressed"] or pd.isna(row["mean"]):
        return f"—, n = {n}"
    low, high = shown(row["mean_low"], MEAN), shown(row["mean_high"], MEAN)
    return f"{shown(row['mean'], MEAN)} ({low}–{high}), n = {n}"
