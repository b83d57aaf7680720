"""The streamed XLSX: a workbook readers open, cells as written, sent at once."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from openpyxl import load_workbook

from surveys.exchange.xlsx_stream import stream_xlsx

HEADER = ["văn_bản", "trống", "số_thực", "số_nguyên", "ngày", "lúc"]


def _read(header: list[str], pages: list[list[list[Any]]]) -> list[tuple]:
    content = b"".join(stream_xlsx(header, iter(pages), "Phiếu trả lời"))
    assert zipfile.ZipFile(io.BytesIO(content)).testzip() is None
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["Phiếu trả lời"]
    sheet = workbook.worksheets[0]
    assert all(cell.font.b for cell in sheet[1])
    return list(sheet.iter_rows(values_only=True))


def test_every_kind_of_cell_reads_back_as_written() -> None:
    rows = [
        ["Phường Hàng Bạc: thủ tục <nhanh> & \"gọn\" 'lắm'", None, 12.5,
         2**62, date(2026, 4, 7), datetime(2026, 4, 7, 23, 30)],
        ["  lề trái, dòng\nmới  ", "", -0.001, -7, None, None],
        [None, None, 1e20, 0, date(1999, 12, 31), None],
    ]  # fmt: skip
    assert _read(HEADER, [rows[:2], rows[2:]]) == [
        tuple(HEADER),
        (rows[0][0], None, 12.5, 2**62, datetime(2026, 4, 7), rows[0][5]),
        ("  lề trái, dòng\nmới  ", None, -0.001, -7, None, None),
        (None, None, 1e20, 0, datetime(1999, 12, 31), None),
    ]


def test_characters_xml_forbids_are_dropped_not_the_cell() -> None:
    text = "a\x00b\x01c\x08d\x0be\x0cf\x1fg\ufffeh\ud800i"
    assert _read(["x\x02y"], [[[text], ["\tgiữ tab"]]]) == [
        ("xy",),
        ("abcdefghi",),
        ("\tgiữ tab",),
    ]


def test_a_sheet_without_rows_holds_its_header() -> None:
    assert _read(HEADER, []) == [tuple(HEADER)]
    assert _read(HEADER, [[], []]) == [tuple(HEADER)]


def test_columns_past_z_keep_their_places() -> None:
    header = [f"c{index}" for index in range(703)]  # the last one is AAA
    row: list[Any] = [None] * 703
    row[25], row[26], row[701], row[702] = "Z", "AA", "ZZ", "AAA"
    rows = _read(header, [[row]])
    assert rows[0] == tuple(header)
    assert rows[1] == tuple(row)


def test_the_first_bytes_leave_before_the_first_page_is_read() -> None:
    taken = []

    def pages() -> Iterator[list[list[Any]]]:
        for number in range(3):
            taken.append(number)
            yield [[f"trang {number}", number]]

    chunks = stream_xlsx(["trang", "số"], pages(), "x")
    first = next(chunks)
    assert taken == [] and first.startswith(b"PK\x03\x04")
    content = first + b"".join(chunks)
    assert taken == [0, 1, 2]
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        "trang 0",
        "trang 1",
        "trang 2",
    ]
