"""What every format shows of a report: its texts and the columns of its tables.

The PDF and the workbook lay out the same columns with the same headings, so
they cannot drift apart. Headings are translated when a table is laid out: the
caller writes a report inside ``app.i18n.in_language(header.language)``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from analysis.officials import (
    ABOVE,
    BELOW,
    MIN_OFFICIALS_TO_COMPARE,
    MIN_RATINGS_TO_COMPARE,
    NO_DIFFERENCE,
    TOO_FEW,
)
from analysis.results import MIN_INTERVAL, MIN_PUBLISH, MIN_SUPPRESS
from app.formatting import format_number, format_percent, format_signed
from app.i18n import _, lazy_gettext, lazy_pgettext, ngettext
from app.labels import channel_name
from app.reports.data import Header
from surveys.storage.periods import range_days

#: Texts the PDF and the workbook both print, translated when they are written.
UNIT_TITLE = lazy_gettext("Báo cáo kết quả khảo sát sự hài lòng")
DISTRICT_TITLE = lazy_gettext("Báo cáo tổng hợp và xếp hạng các đơn vị")
#: The kind of document and its subject, under the national header of the PDF.
REPORT_KIND = lazy_pgettext("document", "Báo cáo")
UNIT_SUBJECT = lazy_gettext("Kết quả khảo sát sự hài lòng của người dân, tổ chức")
DISTRICT_SUBJECT = lazy_gettext("Kết quả khảo sát sự hài lòng và xếp hạng các đơn vị")
#: The publication thresholds the texts name.
THRESHOLDS = {
    "publish": MIN_PUBLISH,
    "interval": MIN_INTERVAL,
    "suppress": MIN_SUPPRESS,
}
SMALL_SAMPLE_WARNING = lazy_gettext(
    "Lưu ý: có kết quả dựa trên dưới %(publish)s phiếu; các kết quả này chỉ mang "
    "tính tham khảo (ghi chú ở từng dòng). Dưới %(interval)s phiếu: quá ít câu trả "
    "lời để tính khoảng tin cậy. Kết quả dưới %(suppress)s phiếu không được công bố.",
    **THRESHOLDS,
)
#: How the numbers are computed, for an official: in words, with no formula.
METHODOLOGY = lazy_gettext(
    "Mỗi phiếu hợp lệ là ý kiến của một người dân hoặc một tổ chức; n là số phiếu "
    "có trả lời cho nội dung đang xét. Phiếu bị loại (trùng lặp, không hợp lệ) "
    "không được tính.\n"
    "Điểm trung bình là trung bình các mức đánh giá trên thang 1–5 (1: rất không "
    "hài lòng, 5: rất hài lòng). Tỷ lệ hài lòng là phần trăm số phiếu chọn "
    "“Hài lòng” hoặc “Rất hài lòng”. Chỉ số tổng hợp tính theo phương pháp của bộ "
    "câu hỏi đã dùng (SIPAS, PAPI hoặc DDCI/PCI).\n"
    "Khảo sát chỉ hỏi một phần người dân, nên mỗi kết quả đi kèm khoảng tin cậy "
    "95%%: kết quả đúng của toàn bộ người dân nằm trong khoảng này với độ tin cậy "
    "95%%. Càng nhiều phiếu, khoảng càng hẹp. Khoảng của điểm trung bình luôn nằm "
    "trong thang 1–5.\n"
    "Kết quả dựa trên ít phiếu thì kém chắc chắn: dưới %(suppress)s phiếu, kết quả "
    "không được công bố; dưới %(interval)s phiếu, quá ít để tính khoảng tin cậy; "
    "dưới %(publish)s phiếu, kết quả chỉ mang tính tham khảo. Mỗi dòng như vậy có "
    "ghi chú.\n"
    "Xếp hạng: các đơn vị được xếp theo điểm nêu ở đầu báo cáo; đơn vị cùng điểm "
    "thì đồng hạng. Vì mỗi điểm có sai số, hạng đi kèm khoảng hạng: hạng thật của "
    "đơn vị nằm trong khoảng này, với độ tin cậy 95%% cho tất cả các đơn vị cùng "
    "lúc. Hai đơn vị chỉ được coi là khác nhau khi số liệu cho thấy rõ sự khác "
    "biệt (khả năng kết luận sai không quá 5%%); các đơn vị không phân biệt được "
    "với nhau có chung một chữ cái ở cột nhóm.\n"
    "Điểm của công chức được ước lượng có tính đến số lượt đánh giá: công chức có "
    "ít lượt đánh giá được đưa về gần mức chung của đơn vị, để vài phiếu không "
    "quyết định kết quả. Cờ “thấp hơn” chỉ là gợi ý để xem xét thêm, không phải "
    "kết luận.",
    **THRESHOLDS,
)
SHEET_SUMMARY = lazy_gettext("Tổng hợp")
SHEET_ITEMS = lazy_gettext("Tiêu chí")
SHEET_DIMENSIONS = lazy_pgettext("dimensions", "Lĩnh vực")
SHEET_INDEX = lazy_gettext("Chỉ số")
SHEET_COUNTERS = lazy_pgettext("heading", "Quầy")
SHEET_OFFICIALS = lazy_gettext("Công chức")
SHEET_COMMENTS = lazy_pgettext("heading", "Góp ý")
SHEET_LEAGUE = lazy_gettext("Xếp hạng")
SHEET_UNITS = lazy_gettext("Theo đơn vị")
SHEET_METHODOLOGY = lazy_gettext("Phương pháp")
SHEET_DOSSIER_RATINGS = lazy_gettext("Hài lòng theo hạn trả hồ sơ")
SHEET_CHANNELS = lazy_gettext("Theo kênh")
LEAGUE_NOTE = lazy_gettext(
    "Hai đơn vị có chung ít nhất một chữ cái ở cột nhóm thì không phân biệt được với "
    "nhau; đơn vị cùng hạng là đồng hạng. Khoảng hạng chứa hạng thật của mọi đơn vị "
    "cùng lúc với độ tin cậy 95%."
)
#: How many units a league row names before it only counts them.
NAMES_LISTED = 4
#: How each rated dossier came back (``surveys.dossiers.satisfaction.Returned``).
RETURNED = {
    "in_time": lazy_gettext("Trả đúng hạn hoặc sớm"),
    "late": lazy_gettext("Trả trễ hạn"),
}
#: What an official's flag says (``analysis.officials``).
OFFICIAL_FLAGS = {
    BELOW: lazy_gettext("Thấp hơn"),
    ABOVE: lazy_gettext("Cao hơn"),
    NO_DIFFERENCE: lazy_gettext("Không khác biệt rõ"),
    TOO_FEW: lazy_gettext("Quá ít công chức để so sánh"),
}
TOO_FEW_TEXT = lazy_gettext(
    "Đơn vị có dưới %(officials)s công chức có từ %(ratings)s lượt đánh giá: quá ít "
    "để so sánh các công chức với nhau; điểm của từng người chủ yếu phản ánh mức "
    "chung của đơn vị.",
    officials=MIN_OFFICIALS_TO_COMPARE,
    ratings=MIN_RATINGS_TO_COMPARE,
)
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
    #: False: a moment or a code, never wrapped in a printed cell.
    wrap: bool = True


def estimate_columns(first: str | None = None) -> list[Column]:
    """Return the columns of an estimate table: label, n, mean and % with intervals.

    ``first`` heads the label column ("Nội dung" unless said otherwise).
    """
    return [
        Column("label", first or _("Nội dung"), TEXT, 50),
        Column("n", _("Số phiếu (n)"), COUNT, 10),
        Column("mean", _("Điểm trung bình (1–5)"), MEAN),
        Column("mean_low", _("Cận dưới KTC 95%"), MEAN),
        Column("mean_high", _("Cận trên KTC 95%"), MEAN),
        Column("pct_satisfied", _("Tỷ lệ hài lòng"), PERCENT),
        Column("pct_satisfied_low", _("Tỷ lệ hài lòng: cận dưới"), PERCENT),
        Column("pct_satisfied_high", _("Tỷ lệ hài lòng: cận trên"), PERCENT),
        Column("note", _("Ghi chú"), TEXT, 30),
    ]


def index_columns() -> list[Column]:
    """Return the columns of the index table: its own scale, not 1-5 or percent."""
    return [
        Column("label", _("Nội dung"), TEXT, 50),
        Column("n", _("Số phiếu (n)"), COUNT, 10),
        Column("estimate", _("Giá trị"), MEAN),
        Column("ci_low", _("Cận dưới KTC 95%"), MEAN),
        Column("ci_high", _("Cận trên KTC 95%"), MEAN),
        Column("note", _("Ghi chú"), TEXT, 30),
    ]


def official_columns() -> list[Column]:
    """Return the columns of the officials table: score, own ratings, flag, meaning."""
    return [
        Column("label", _("Công chức (mã)"), TEXT, 30),
        Column("n", _("Số lượt đánh giá (n)"), COUNT, 10),
        Column("score", _("Điểm ước lượng (1–5)"), MEAN),
        Column("score_low", _("Cận dưới khoảng 95%"), MEAN),
        Column("score_high", _("Cận trên khoảng 95%"), MEAN),
        Column("own_mean", _("Trung bình các lượt đánh giá của công chức"), MEAN, 16),
        Column("own_low", _("Cận dưới KTC 95%"), MEAN),
        Column("own_high", _("Cận trên KTC 95%"), MEAN),
        Column("flag_text", _("So với công chức điển hình của đơn vị"), TEXT, 22),
        Column("meaning", _("Ý nghĩa của điểm"), TEXT, 60),
        Column("note", _("Ghi chú"), TEXT, 30),
    ]


def official_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Say, in the reader's language, each official's flag and what the score means."""
    flags = table["flag"].map(
        lambda flag: str(OFFICIAL_FLAGS[flag]) if isinstance(flag, str) else ""
    )
    meaning = [
        ngettext(
            "%(score)s (%(low)s–%(high)s): điểm trung bình mà công chức này có thể "
            "nhận từ người dân của đơn vị, ước lượng từ %(num)s lượt đánh giá và từ "
            "mức khác biệt giữa các công chức của đơn vị.",
            "%(score)s (%(low)s–%(high)s): điểm trung bình mà công chức này có thể "
            "nhận từ người dân của đơn vị, ước lượng từ %(num)s lượt đánh giá và từ "
            "mức khác biệt giữa các công chức của đơn vị.",
            int(n),
            score=format_number(score, 2),
            low=format_number(low, 2),
            high=format_number(high, 2),
        )
        if not math.isnan(score)
        else ""
        for n, score, low, high in zip(
            table["n"], table["score"], table["score_low"], table["score_high"],
            strict=True,
        )
    ]  # fmt: skip
    return table.assign(flag_text=flags, meaning=meaning)


def officials_summary(table: pd.DataFrame) -> str:
    """Say how much the unit's officials differ, and how to read a flag."""
    if table.empty:
        return ""
    reading = _(
        "Cờ “thấp hơn” chỉ là gợi ý để xem xét thêm các bằng chứng khác (hồ sơ, "
        "góp ý, quan sát), không phải kết luận về công chức. Danh sách xếp theo mã, "
        "không theo điểm."
    )
    if table["too_few"].any():
        return " ".join([str(TOO_FEW_TEXT), reading])
    # An upper bound only: when the ratings say little about how officials differ,
    # the middle of the posterior is mostly the prior's, not a finding.
    spread = _(
        "Các công chức của đơn vị khác nhau không quá %(high)s điểm (độ lệch chuẩn "
        "của điểm các công chức, cận trên 95%%).",
        high=format_number(float(table["spread_high"].iloc[0]), 2),
    )
    return " ".join([spread, reading])


def comment_columns() -> list[Column]:
    """Return the columns of the comments table."""
    return [
        Column("submitted_at", _("Thời điểm"), TEXT, 18, wrap=False),
        Column("service_point", _("Quầy"), TEXT, 30),
        Column("rating", _("Mức đánh giá thấp nhất"), COUNT, 10),
        Column("text", _("Góp ý"), TEXT, 80),
    ]


def league_columns() -> list[Column]:
    """Return the columns of the league table: score, rank interval, comparison."""
    return [
        Column("rank", _("Hạng"), RANK, 8),
        *estimate_columns(_("Đơn vị"))[:-1],
        Column("rank_low", _("Hạng: cận trên khoảng"), RANK, 10),
        Column("rank_high", _("Hạng: cận dưới khoảng"), RANK, 10),
        Column("group", _("Nhóm không phân biệt được"), TEXT, 12),
        Column("separation", _("So với các đơn vị khác"), TEXT, 50),
        Column("difference", _("Chênh lệch so với các đơn vị còn lại"), DIFFERENCE),
        Column("ci_low", _("Cận dưới KTC 95%"), DIFFERENCE),
        Column("ci_high", _("Cận trên KTC 95%"), DIFFERENCE),
        Column("p_holm", _("Giá trị p (hiệu chỉnh Holm)"), P_VALUE),
        Column("index_estimate", _("Chỉ số"), MEAN),
        Column("index_ci_low", _("Cận dưới KTC 95%"), MEAN),
        Column("index_ci_high", _("Cận trên KTC 95%"), MEAN),
        Column("note", _("Ghi chú"), TEXT, 30),
    ]


def dossier_rating_columns(table: pd.DataFrame) -> list[Column]:
    """Return the columns of the dossier ratings table; units only when several."""
    several = bool(table["unit"].isna().any())
    units = [Column("unit_name", _("Đơn vị"), TEXT, 30)] if several else []
    return [*units, *estimate_columns(_("Hồ sơ được đánh giá"))]


def dossier_rating_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Label the rows of ``dossier_ratings_table`` in the reader's language."""
    return table.assign(
        label=table["returned"].map(lambda returned: str(RETURNED[returned])),
        unit_name=table["unit_name"].fillna(_("Tất cả đơn vị")),
    )


def with_notes(table: pd.DataFrame) -> pd.DataFrame:
    """Add the ``note`` column: withheld (n < 5), shown without an interval (too
    few answers for one), or indicative (n < MIN_PUBLISH)."""
    notes = table.get("suppressed", pd.Series(False, index=table.index)).map(
        {True: _("Dưới %(n)s phiếu: không công bố", n=MIN_SUPPRESS), False: ""}
    )
    limits = next((c for c in ("mean_low", "ci_low", "own_low") if c in table), None)
    estimate = next((c for c in ("mean", "estimate", "own_mean") if c in table), None)
    if limits is not None and estimate is not None:
        bare = table[estimate].notna() & table[limits].isna() & (notes == "")
        notes = notes.where(
            ~bare,
            _(
                "Dưới %(n)s phiếu: quá ít câu trả lời để tính khoảng tin cậy",
                n=MIN_INTERVAL,
            ),
        )
    if "reliable" in table:
        indicative = ~table["reliable"].astype(bool) & (notes == "")
        notes = notes.where(
            ~indicative,
            _("Dưới %(n)s phiếu: chỉ mang tính tham khảo", n=MIN_PUBLISH),
        )
    return table.assign(note=notes)


def with_separations(league: pd.DataFrame) -> pd.DataFrame:
    """Add the ``separation`` column: whom each unit ranks above, below, or with.

    Empty for a unit that is not ranked.
    """
    texts = [
        _separation(tied, above, below, alike) if pd.notna(rank) else ""
        for rank, tied, above, below, alike in zip(
            league["rank"],
            league["tied"],
            league["better_than"],
            league["worse_than"],
            league["indistinct"],
            strict=True,
        )
    ]
    return league.assign(separation=texts)


def _separation(
    tied: bool, above: list[str], below: list[str], alike: list[str]
) -> str:
    parts = [_("Đồng hạng")] if tied else []
    if above:
        parts.append(_("Cao hơn: %(names)s", names=_names(above)))
    if below:
        parts.append(_("Thấp hơn: %(names)s", names=_names(below)))
    if alike and (above or below):
        parts.append(_("Không phân biệt được với: %(names)s", names=_names(alike)))
    elif alike:
        parts.append(_("Không phân biệt được với các đơn vị khác"))
    return "; ".join(parts)


def _names(names: list[str]) -> str:
    """Name a few units; count them when there are more."""
    if len(names) <= NAMES_LISTED:
        return ", ".join(names)
    return ngettext("%(num)s đơn vị", "%(num)s đơn vị", len(names))


def has_small_samples(tables: Sequence[pd.DataFrame]) -> bool:
    """Tell whether any estimate rests on fewer responses than publication needs."""
    return any(
        "reliable" in table and not table["reliable"].astype(bool).all()
        for table in tables
        if not table.empty
    )


def channel_columns() -> list[Column]:
    """Return the columns of the table by channel: an estimate table by channel."""
    return estimate_columns(_("Kênh"))


def channel_lines(header: Header) -> list[tuple[str, str]]:
    """Return the line naming the one channel a report is about; none when it is
    about every channel (the reports of all responses read as before)."""
    if header.channel is None:
        return []
    return [(_("Kênh"), channel_name(header.channel))]


def period_text(header: Header) -> str:
    """Return the period as a reader says it ("2026-Q2", a range of days, or the
    whole survey)."""
    days = range_days(header.period)
    if days is not None:
        return _(
            "Từ ngày %(first)s đến ngày %(last)s",
            first=days[0].strftime("%d/%m/%Y"),
            last=days[1].strftime("%d/%m/%Y"),
        )
    return header.period or _("Toàn bộ đợt khảo sát")


def shown(value: object, kind: str) -> str:
    """Format one cell the reader's way: blank when withheld or not computable."""
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if kind == TEXT:
        return str(value)
    number = float(value)  # type: ignore[arg-type]
    if kind == PERCENT:
        return format_percent(number / 100, 1)
    if kind == MEAN:
        return format_number(number, 2)
    if kind == DIFFERENCE:
        return format_signed(number, 2)
    if kind == P_VALUE:
        return format_number(number, 3)
    return format_number(number, 0)
