"""Files officials open in Excel: Vietnamese shown right, no formula ever run."""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from flask import Response, send_file

from surveys.models import Questionnaire as StoredQuestionnaire
from surveys.questionnaire.versions import definition_of

#: The media type of an XLSX workbook.
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The byte order mark a CSV starts with, so that Excel reads it as UTF-8.
BOM = "\ufeff"
#: A cell starting with one of these is read by spreadsheets as a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Letters wider than a digit: capitals, and Latin letters with diacritics
#: (Latin-1, Latin Extended-A and -B, Vietnamese's Latin Extended Additional).
_WIDER = re.compile(r"[A-Z\u00c0-\u024f\u1e00-\u1eff]")
#: East Asian wide and full-width characters (Unicode's W and F, main blocks).
_WIDE = re.compile(
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff"
    "\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60"
    "\uffe0-\uffe6]"
)
#: Combining marks: a decomposed diacritic takes no room of its own.
_COMBINING = re.compile("[\u0300-\u036f]")


def neutralised(value: object) -> object:
    """Return a text cell a spreadsheet will show as text, never run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def text_width(text: str) -> float:
    """Estimate how wide a line of text is, in widths of the digit 0 (Excel's unit).

    Generous on purpose, so a cell is not cut in a font wider than Calibri:
    capitals and Latin letters with diacritics (``Đ``, ``ệ``) count 1.2, East
    Asian wide characters 2, combining marks (decomposed diacritics) nothing.
    Counted by regular expressions: a workbook measures every cell it holds.
    """
    width = len(text) + 0.2 * len(_WIDER.findall(text))
    if text.isascii():
        return width
    return width + len(_WIDE.findall(text)) - len(_COMBINING.findall(text))


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


def streamed_csv(
    header: Sequence[str],
    pages: Iterable[Iterable[Iterable[object]]],
    *,
    neutral: bool = False,
) -> Iterator[bytes]:
    """Yield the header (after a BOM, for Excel), then each page of lines, as
    UTF-8 CSV: one page in memory at a time, every cell neutralised.

    ``neutral``: the caller has neutralised the lines' text cells itself, where
    it knows which columns hold text (``neutralised_cells``), and they are
    written as they come, a page by one ``writerows``.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralised(name) for name in header])
    yield (BOM + _drained(buffer)).encode("utf-8")
    for page in pages:
        if neutral:
            writer.writerows(page)
        else:
            # A call a line: ``neutralised`` called per cell was a third of the export.
            writer.writerows(neutralised_cells(line) for line in page)
        yield _drained(buffer).encode("utf-8")


def neutralised_cells(values: Iterable[Any]) -> list[Any]:
    """Return the cells of a column or a line with text neutralised: one loop,
    not a call per cell."""
    return [
        f"'{value}"
        if value.__class__ is str and value.startswith(FORMULA_STARTS)
        else value
        for value in values
    ]


def _drained(buffer: io.StringIO) -> str:
    content = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return content


def xlsform_download(stored: StoredQuestionnaire) -> Response:
    """Send one questionnaire version as an XLSForm workbook (the API's and the
    codebook's download alike).

    The CSV files a ``select_one_from_file`` question reads are not in it.
    """
    # openpyxl (and numpy through it) loads for this download only, not with
    # the web app, as for the command that writes the same workbook.
    from surveys.questionnaire.xlsform_writer import write_xlsform

    workbook = io.BytesIO()
    write_xlsform(definition_of(stored), workbook)
    workbook.seek(0)
    return send_file(
        workbook,
        mimetype=XLSX_TYPE,
        as_attachment=True,
        download_name=f"{stored.key}-v{stored.version}.xlsx",
    )
