"""The words and columns of the case tables, and the dashboard's case box.

Headings, the row of all units and the note on withheld satisfaction are added
to the frames of ``app.reports.cases`` when a table is laid out, so the
dashboard, the PDF and the workbook say them alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy.orm import Session

from analysis.results import MIN_SUPPRESS
from app.i18n import _, lazy_gettext
from app.reports.cases import case_section
from app.reports.dossier_page import Table, table, unit_names
from app.reports.layout import COUNT, MEAN, PERCENT, TEXT, Column
from surveys.models import Unit
from surveys.storage.tallies import period_of

SECTION_TITLE = lazy_gettext("Phản ánh, kiến nghị")
SHEET_CASES = lazy_gettext("Phản ánh, kiến nghị theo quý")
CASES_NOTE = lazy_gettext(
    "Phản ánh, kiến nghị đếm đủ (không phải mẫu): tiếp nhận trong quý không kể "
    "phản ánh trùng đã gộp; đã trả lời, đúng hạn, từ chối và chuyển cơ quan khác "
    "tính theo quý giải quyết; tỷ lệ đúng hạn trên số đã trả lời. Tồn đọng, trễ "
    "hạn cuối quý: chưa giải quyết và đã quá hạn vào thời điểm kết thúc quý. Số "
    "ngày trả lời là trung vị số ngày làm việc. Tỷ lệ hài lòng với trả lời (4–5 "
    "trên thang 5) có khoảng tin cậy Wilson 95%, không công bố khi dưới 5 đánh "
    "giá. Phản ánh chuyển đơn vị được tính cho đơn vị đang giữ. Không có nội dung "
    "phản ánh hay thông tin cá nhân nào trong báo cáo."
)


def case_columns(*, with_unit: bool) -> list[Column]:
    """Return the columns of a case table: counts, then each rate beside its n."""
    return [
        Column("quarter", _("Quý"), TEXT, 16, wrap=False),
        *([Column("unit", _("Đơn vị"), TEXT, 28)] if with_unit else []),
        Column("received", _("Tiếp nhận"), COUNT, 12),
        Column("answered", _("Đã trả lời"), COUNT, 12),
        Column("on_time", _("Trả lời đúng hạn"), COUNT, 12),
        Column("on_time_pct", _("Tỷ lệ đúng hạn (trên số đã trả lời)"), PERCENT),
        Column("rejected", _("Từ chối"), COUNT, 12),
        Column("referred_out", _("Chuyển cơ quan khác"), COUNT, 12),
        Column("overdue_at_end", _("Tồn đọng, trễ hạn cuối quý"), COUNT, 12),
        Column("overdue_now", _("Quá hạn chưa trả lời (tại thời điểm tính)"), COUNT),
        Column("median_days", _("Số ngày làm việc để trả lời (trung vị)"), MEAN),
        Column("rated", _("Số đánh giá (n)"), COUNT, 12),
        Column("satisfied_pct", _("Tỷ lệ hài lòng với trả lời"), PERCENT),
        Column("satisfied_low_pct", _("Cận dưới KTC 95%"), PERCENT),
        Column("satisfied_high_pct", _("Cận trên KTC 95%"), PERCENT),
        Column("note", _("Ghi chú"), TEXT, 20),
    ]


def readable_cases(frame: pd.DataFrame) -> pd.DataFrame:
    """Name the row of all units and say why a satisfaction is not shown."""
    withheld = (frame["rated"] > 0) & (frame["rated"] < MIN_SUPPRESS)
    return frame.assign(
        unit=frame["unit"].where(frame["unit_id"].notna(), _("Tất cả đơn vị")),
        note=withheld.map(
            {True: _("Dưới %(n)s đánh giá: không công bố", n=MIN_SUPPRESS), False: ""}
        ),
    )


@dataclass(frozen=True)
class CaseSummary:
    """The dashboard's case box: this year's quarters, and this quarter per unit."""

    quarter: str
    as_of: datetime
    quarters: Table
    units: Table | None
    overdue: int


def build_case_summary(
    session: Session, unit: Unit, *, now: datetime
) -> CaseSummary | None:
    """Assemble the dashboard's case box; None when the units have no case."""
    names = unit_names(session, unit)
    quarter = period_of(now)
    section = case_section(session, names, quarter[:4], now=now)
    if section is None:
        return None
    frame = readable_cases(section.table)
    whole = frame[frame["unit_id"].isna()]
    current = frame[(frame["quarter"] == quarter) & frame["unit_id"].notna()]
    unit_columns = [c for c in case_columns(with_unit=True) if c.name != "quarter"]
    return CaseSummary(
        quarter=quarter,
        as_of=section.as_of,
        quarters=table(whole, case_columns(with_unit=False)),
        units=table(current, unit_columns) if len(names) > 1 else None,
        overdue=section.overdue,
    )
