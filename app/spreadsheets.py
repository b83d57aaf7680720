"""Files officials open in Excel: Vietnamese shown right, no formula ever run."""

from __future__ import annotations

import csv
import math
import unicodedata
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


def text_width(text: str) -> float:
    """Estimate how wide a line of text is, in widths of the digit 0 (Excel's unit).

    Generous on purpose, so a cell is not cut in a font wider than Calibri:
    capitals and letters with diacritics (``Đ``, ``ệ``) count 1.2, East Asian
    wide characters 2, combining marks (decomposed diacritics) nothing.
    """
    width = 0.0
    for character in unicodedata.normalize("NFC", text):
        if unicodedata.combining(character):
            continue
        if unicodedata.east_asian_width(character) in "WF":
            width += 2
        elif character.isupper() or not character.isascii():
            width += 1.2
        else:
            width += 1
    return width


def wrapped_lines(text: str, width: float) -> int:
    """Count the lines a text takes when wrapped at word breaks into ``width``."""
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0.0
        for word in paragraph.split():
            size = text_width(word)
            if used and used + 1 + size > width:
                lines += 1
                used = 0.0
            if size > width:  # a word longer than the line is broken
                lines += math.ceil(size / width) - 1
                size %= width
            used += size + (1 if used else 0)
    return lines


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
