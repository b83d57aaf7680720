"""Files officials open in Excel: Vietnamese shown right, no formula ever run."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

#: A cell starting with one of these is read by spreadsheets as a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: object) -> object:
    """Return a text cell a spreadsheet will show as text, never run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def write_csv(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> None:
    """Write a CSV in UTF-8 with a byte order mark, so Excel reads the diacritics."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        write_csv_rows(csv.writer(handle), header, rows)


def write_csv_rows(
    writer: Any, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> None:
    """Write the header and rows through a ``csv.writer``, formulas neutralised."""
    for row in (header, *rows):
        writer.writerow([neutralised(value) for value in row])
