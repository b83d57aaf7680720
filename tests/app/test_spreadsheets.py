"""CSV for Excel: a byte order mark, and formula injection neutralised."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from app.spreadsheets import neutralised, write_csv


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
