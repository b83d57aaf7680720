"""CSV for Excel: a byte order mark, and formula injection neutralised."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from app.spreadsheets import neutralised, text_width, wrapped_lines, write_csv


@pytest.mark.parametrize(
    "cell",
    ["=1+1", "+84 90", "-2+3", "@SUM(A1)", "\t=cmd", "\r=cmd", '=HYPERLINK("x")'],
)
def test_a_cell_that_starts_a_formula_is_shown_as_text(cell: str) -> None:
    assert neutralised(cell) == f"'{cell}"


@pytest.mark.parametrize("cell", ["Phường Đa Kao", "ABCDE-23456", "", 5, -1.5, None])
def test_other_cells_are_left_alone(cell: object) -> None:
    assert neutralised(cell) == cell


def test_write_csv_starts_with_a_bom_and_neutralises_every_row(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    write_csv(path, ["Đơn vị", "=header"], [["Phường Bến Thành", "=2*3"], [1, None]])
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [
        ["Đơn vị", "'=header"],
        ["Phường Bến Thành", "'=2*3"],
        ["1", ""],
    ]


@pytest.mark.parametrize(
    ("text", "width"),
    [
        ("0000", 4),  # the unit: a digit
        ("abcd", 4),
        ("ABCD", 4.8),  # capitals are wider
        ("Điểm", 4.4),  # and so are letters with diacritics, D with stroke included
        ("die\u0323\u0302m", 4),  # decomposed: the marks take no room of their own
        ("中文", 4),  # East Asian wide characters take two
    ],
)
def test_text_width_counts_wide_letters_wider(text: str, width: float) -> None:
    assert text_width(text) == pytest.approx(width)


@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [
        ("Giá trị p (hiệu chỉnh Holm)", 40, 1),
        ("Giá trị p (hiệu chỉnh Holm)", 12, 3),
        ("Điểm trung bình (1–5)", 12, 2),
        ("x" * 25, 10, 3),  # a word longer than the line is broken
        ("một\nhai", 40, 2),  # a line break starts a line
    ],
)
def test_wrapped_lines_wraps_between_words(text: str, width: float, lines: int) -> None:
    assert wrapped_lines(text, width) == lines
