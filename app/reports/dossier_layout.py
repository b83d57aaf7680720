"""The words and columns of the dossier tables, in the reader's language.

Group names, what each numerator and denominator count, whether a target was
met, the row of all units: added to the frames of ``app.reports.dossiers`` when
a table is laid out, so every page and file says them alike.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from app.formatting import format_datetime
from app.i18n import _, lazy_gettext
from app.reports.layout import COUNT, MEAN, PERCENT, TEXT, Column
from surveys.dossiers.indicators import Group

GROUP_NAMES = {
    Group.PUBLICITY: lazy_gettext("Công khai, minh bạch"),
    Group.PROGRESS: lazy_gettext("Tiến độ giải quyết"),
    Group.ONLINE: lazy_gettext("Dịch vụ công trực tuyến"),
    Group.PAYMENT: lazy_gettext("Thanh toán trực tuyến"),
    Group.DIGITISATION: lazy_gettext("Số hóa hồ sơ"),
    Group.SATISFACTION: lazy_gettext("Mức độ hài lòng"),
}
#: What each group's numerator and denominator count.
GROUP_FRACTIONS = {
    Group.PUBLICITY: lazy_gettext("không đo được từ dữ liệu hồ sơ"),
    Group.PROGRESS: lazy_gettext("hồ sơ trả đúng hạn / hồ sơ đã trả trong quý"),
    Group.ONLINE: lazy_gettext("hồ sơ nộp trực tuyến / hồ sơ tiếp nhận trong quý"),
    Group.PAYMENT: lazy_gettext(
        "hồ sơ thanh toán trực tuyến / hồ sơ tiếp nhận trong quý"
    ),
    Group.DIGITISATION: lazy_gettext("hồ sơ được số hóa / hồ sơ tiếp nhận trong quý"),
    Group.SATISFACTION: lazy_gettext(
        "đánh giá hài lòng / đánh giá về hồ sơ đã trả trong quý (mẫu, có khoảng "
        "tin cậy)"
    ),
}
SECTION_TITLE = lazy_gettext("Hồ sơ thủ tục hành chính")
SHEET_TIMELINESS = lazy_gettext("Hồ sơ đúng hạn")
SHEET_INDICATORS = lazy_gettext("Chỉ số phục vụ")
SHEET_POINTS = lazy_gettext("Điểm chỉ số")
INDICATORS_NOTE = lazy_gettext(
    "Chỉ số theo Quyết định 766/QĐ-TTg, tính từ sổ hồ sơ: tiến độ giải quyết trên "
    "hồ sơ đã trả trong quý; trực tuyến, thanh toán trực tuyến và số hóa trên hồ sơ "
    "tiếp nhận trong quý; mức độ hài lòng trên các đánh giá gắn với hồ sơ (mẫu, "
    "khoảng tin cậy Wilson 95%: chỉ tiêu chỉ được coi là đạt hay chưa đạt khi cả "
    "khoảng nằm về một phía). Công khai, minh bạch không đo được từ dữ liệu hồ sơ: "
    "tổng điểm chỉ gồm các nhóm đo được. Trọng số và chỉ tiêu theo cấu hình."
)


def met_text(row: Mapping[str, object]) -> str:
    """Say whether an indicator's target was met, and why not when undecided."""
    if not row["measurable"]:
        return str(GROUP_FRACTIONS[Group.PUBLICITY])
    if not row["denominator"]:
        return _("Chưa có dữ liệu")
    if row["suppressed"]:
        return _("Dưới 5 phiếu: không công bố")
    if pd.isna(row["target"]):
        return _("Chưa đặt chỉ tiêu")
    met = row["met"]
    if met is pd.NA:
        return _("Chưa kết luận được: khoảng tin cậy chứa chỉ tiêu")
    return _("Đạt") if met else _("Chưa đạt")


def readable_indicators(frame: pd.DataFrame) -> pd.DataFrame:
    """Add the words of an indicators table: group names, fractions, targets met."""
    return frame.assign(
        unit=frame["unit"].fillna(_("Tất cả đơn vị")),
        group_name=[str(GROUP_NAMES[Group(group)]) for group in frame["group"]],
        fraction=[str(GROUP_FRACTIONS[Group(group)]) for group in frame["group"]],
        met_text=[met_text(row) for row in frame.to_dict("records")],
    )


def readable_totals(frame: pd.DataFrame) -> pd.DataFrame:
    """Add the words of a points table: the row of all units, the moment counted."""
    return frame.assign(
        unit=frame["unit"].fillna(_("Tất cả đơn vị")),
        as_of_text=[format_datetime(moment) for moment in frame["as_of"]],
    )


def readable_timeliness(frame: pd.DataFrame) -> pd.DataFrame:
    """Name the rows of all keys together, and those without a key."""
    labels = frame["label"].where(~frame["whole"], _("Tất cả đơn vị"))
    return frame.assign(label=labels.fillna(_("Không ghi nhận")))


def timeliness_columns(first: str | None = None) -> list[Column]:
    """Return the columns of a timeliness table: counts, then rates beside them."""
    return [
        Column("label", first or _("Đơn vị"), TEXT, 36),
        Column("period", _("Kỳ"), TEXT, 16, wrap=False),
        Column("returned", _("Hồ sơ đã trả"), COUNT, 12),
        Column("early", _("Trước hạn"), COUNT, 12),
        Column("on_time", _("Đúng hạn"), COUNT, 12),
        Column("in_time", _("Trước và đúng hạn"), COUNT, 12),
        Column("in_time_pct", _("Tỷ lệ trả đúng hạn"), PERCENT, 14),
        Column("late", _("Trễ hạn"), COUNT, 12),
        Column("late_pct", _("Tỷ lệ trễ hạn"), PERCENT, 14),
        Column("mean_days_late", _("Số ngày trễ trung bình (ngày làm việc)"), MEAN),
    ]


def indicator_columns(*, with_unit: bool) -> list[Column]:
    """Return the columns of an indicators table (the unit's only when several)."""
    return [
        Column("quarter", _("Quý"), TEXT, 16, wrap=False),
        *([Column("unit", _("Đơn vị"), TEXT, 28)] if with_unit else []),
        Column("group_name", _("Nhóm chỉ số"), TEXT, 18),
        Column("fraction", _("Tử số / mẫu số"), TEXT, 36),
        Column("numerator", _("Tử số"), COUNT, 12),
        Column("denominator", _("Mẫu số"), COUNT, 12),
        Column("rate_pct", _("Tỷ lệ"), PERCENT, 14),
        Column("ci_low_pct", _("Cận dưới KTC 95%"), PERCENT, 14),
        Column("ci_high_pct", _("Cận trên KTC 95%"), PERCENT, 14),
        Column("target_pct", _("Chỉ tiêu"), PERCENT, 14),
        Column("met_text", _("Kết quả"), TEXT, 18),
        Column("points", _("Điểm"), MEAN, 12),
        Column("weight", _("Điểm tối đa"), COUNT, 12),
    ]


def points_columns() -> list[Column]:
    """Return the columns of a points table: per unit and quarter, and overdue."""
    return [
        Column("quarter", _("Quý"), TEXT, 16, wrap=False),
        Column("unit", _("Đơn vị"), TEXT, 36),
        Column("points", _("Điểm đạt được"), MEAN, 12),
        Column("max_points", _("Điểm tối đa các nhóm đo được"), MEAN, 12),
        Column("score", _("Quy về thang 100"), MEAN, 12),
        Column("overdue_open", _("Hồ sơ quá hạn chưa trả"), COUNT, 12),
        Column("as_of_text", _("Tính đến"), TEXT, 18, wrap=False),
    ]
