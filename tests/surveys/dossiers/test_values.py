"""Cells as Vietnamese spreadsheets write them: dates, statuses, channels, yes/no."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from surveys.dossiers.values import (
    BadValue,
    channel,
    instant,
    status,
    text,
    yes_no,
)
from surveys.models import DossierChannel, DossierStatus


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# 14/03/2026 09:05 in Vietnam is 02:05 UTC.
@pytest.mark.parametrize(
    "cell",
    [
        "14/03/2026 09:05",
        "14/03/2026 9:05",
        "14/03/2026 09:05:00",
        "14-03-2026 09:05",
        "14.03.2026 09:05",
        "09:05 14/03/2026",
        "09:05, ngày 14/03/2026",
        "9h05 14/03/2026",
        "2026-03-14 09:05:00",
        "2026-03-14T09:05",
        " 14/03/2026 09:05 ",
        datetime(2026, 3, 14, 9, 5),
    ],
)
def test_dates_with_a_time_are_read_in_vietnam_time(cell: object) -> None:
    assert instant(cell) == utc(2026, 3, 14, 2, 5)  # type: ignore[arg-type]


def test_seconds_are_kept() -> None:
    assert instant("14/03/2026 09:05:42") == utc(2026, 3, 14, 2, 5, 42)


@pytest.mark.parametrize(
    "cell",
    [
        "14/03/2026",
        "4/3/2026",
        "14-03-2026",
        "2026-03-14",
        "14/03/2026 00:00:00",
        date(2026, 3, 14),
        datetime(2026, 3, 14),
    ],
)
def test_a_bare_date_is_taken_at_the_minute_given(cell: object) -> None:
    """A due date without a time falls due at the unit's due time (17:00 here)."""
    day = date(2026, 3, 4) if cell == "4/3/2026" else date(2026, 3, 14)
    expected = datetime.combine(day, time(10), tzinfo=UTC)
    assert instant(cell, 17 * 60) == expected  # type: ignore[arg-type]
    midnight = datetime.combine(day, time(), tzinfo=UTC) - timedelta(hours=7)
    assert instant(cell) == midnight  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        # Excel's 1900 system: 46095 is 14/03/2026 (LibreOffice and Excel agree).
        (46095, utc(2026, 3, 13, 17)),
        (46095.0, utc(2026, 3, 13, 17)),
        ("46095", utc(2026, 3, 13, 17)),
        # .375 of a day is 09:00.
        (46095.375, utc(2026, 3, 14, 2)),
        ("46095,375", utc(2026, 3, 14, 2)),
        ("46095.375", utc(2026, 3, 14, 2)),
        # 1 January 2000, a serial every spreadsheet knows.
        (36526, utc(1999, 12, 31, 17)),
    ],
)
def test_excel_serial_dates(cell: object, expected: datetime) -> None:
    assert instant(cell) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "cell",
    ["32/03/2026", "14/13/2026", "2026/14/03", "hôm qua", "14/03/26", "5", 12, True],
)
def test_what_is_not_a_date_is_refused_with_the_cell_echoed(cell: object) -> None:
    with pytest.raises(BadValue) as refused:
        instant(cell)  # type: ignore[arg-type]
    assert str(cell) in str(refused.value) or "ngoài các năm" in str(refused.value)


def test_empty_cells_are_no_date() -> None:
    assert instant(None) is None
    assert instant("") is None
    assert instant("   ") is None


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Đã trả kết quả", DossierStatus.RETURNED),
        ("ĐÃ TRẢ KẾT QUẢ", DossierStatus.RETURNED),
        ("Đã trả kết quả (trễ hạn)", DossierStatus.RETURNED),
        ("Hoàn thành đúng hạn", DossierStatus.RETURNED),
        ("Đang xử lý", DossierStatus.IN_PROGRESS),
        ("Đang giải quyết", DossierStatus.IN_PROGRESS),
        ("Chờ bổ sung", DossierStatus.NEEDS_DOCUMENTS),
        ("Yêu cầu bổ sung", DossierStatus.NEEDS_DOCUMENTS),
        ("Mới tiếp nhận", DossierStatus.RECEIVED),
        ("Rút hồ sơ", DossierStatus.WITHDRAWN),
        ("", None),
    ],
)
def test_statuses_in_vietnamese_words(cell: str, expected: object) -> None:
    assert status(cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Trực tiếp", DossierChannel.COUNTER),
        ("trực tuyến", DossierChannel.ONLINE),
        ("Dịch vụ công trực tuyến", DossierChannel.ONLINE),
        ("Bưu chính", DossierChannel.POST),
        ("Dịch vụ bưu chính công ích", DossierChannel.POST),
        ("BCCI", DossierChannel.POST),
    ],
)
def test_channels_in_vietnamese_words(cell: str, expected: DossierChannel) -> None:
    assert channel(cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        *[("Có", True), ("x", True), (1, True), (True, True), ("Đã thanh toán", True)],
        *[("Không", False), ("", False), (None, False), (0, False), ("Chưa", False)],
    ],
)
def test_yes_or_no(cell: object, expected: bool) -> None:
    assert yes_no(cell) is expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("reader", "cell"),
    [(status, "Đã duyệt xong xuôi"), (channel, "Qua fax"), (yes_no, "Có lẽ")],
)
def test_unknown_words_are_refused_with_the_cell_echoed(
    reader: object, cell: str
) -> None:
    with pytest.raises(BadValue, match=cell):
        reader(cell)  # type: ignore[operator]


def test_a_whole_number_cell_reads_without_its_decimals() -> None:
    assert text(123.0) == "123"
    assert text(" HS-1 ") == "HS-1"
    assert text(None) == ""
