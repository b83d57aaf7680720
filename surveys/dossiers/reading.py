"""Reading a provincial system's export, CSV or XLSX, one row at a time.

An export may open with a title ("DANH SÁCH HỒ SƠ…") and a blank line before
its header: the header is the first row, among the first few, in which enough
cells name a known column. Rows are streamed from the file (openpyxl's
read-only mode for a workbook): a 200,000-row export is never in memory. What
cannot be read is refused with a reason the official can act on
(``UnreadableExport``).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from surveys.dossiers.columns import known_header
from surveys.dossiers.values import Cell, local_moment, text
from surveys.translatable import N_, Message

#: Rows searched for the header.
HEADER_SEARCH = 20
#: Cells of a row that must name known columns for the row to be the header.
HEADER_MIN_KNOWN = 3
#: Delimiters a CSV may use, the usual first (Excel in a Vietnamese locale: ";").
DELIMITERS = (",", ";", "\t")
#: Bytes looked at to tell a file's kind.
SNIFF = 64 * 1024
ZIP_MAGIC = b"PK\x03\x04"
#: An Excel 97-2003 workbook (OLE2 compound file).
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CHUNK = 1024 * 1024
#: What a damaged workbook raises, opened or read (and openpyxl's own
#: ``InvalidFileException``, caught where the workbook is opened).
_WORKBOOK_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    ParseError,
    KeyError,
    IndexError,
    ValueError,
    TypeError,
    EOFError,
    OSError,
)


class UnreadableExport(ValueError):
    """The file cannot be read as an export; nothing was changed."""

    def __init__(self, message: Message) -> None:
        self.message = message
        super().__init__(str(message))


@dataclass(frozen=True)
class Layout:
    """What the top of an export says: its kind, header, and first rows."""

    kind: str
    headers: tuple[str, ...]
    #: The header's row number (1 is the file's first row).
    header_line: int
    #: A few rows after the header, as texts, for the mapping page.
    samples: tuple[tuple[str, ...], ...]
    #: About how many rows follow the header (None: the file does not say).
    rows_estimate: int | None
    delimiter: str = ","


#: A row of the export: its number in the file and its cells.
Row = tuple[int, Sequence[Cell]]


def file_checksum(path: Path) -> str:
    """Return the SHA-256 of a file, read a chunk at a time: a file imported
    before is recognised by it."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def inspect_export(path: Path, samples: int = 3) -> Layout:
    """Read an export's header and first rows; raise ``UnreadableExport``.

    No estimate of the rows: counting a CSV's lines would read it all.
    """
    with open_rows(path, estimate=False) as (layout, rows):
        found = []
        for _, cells in rows:
            if len(found) == samples:
                break
            found.append(tuple(text(cell) for cell in cells))
        return Layout(
            layout.kind,
            layout.headers,
            layout.header_line,
            tuple(found),
            layout.rows_estimate,
            layout.delimiter,
        )


@contextmanager
def open_rows(
    path: Path, *, estimate: bool = True
) -> Iterator[tuple[Layout, Iterator[Row]]]:
    """Open an export: its layout and an iterator of the rows after the header.

    ``estimate``: give the layout an estimate of the rows, for a progress bar
    (a CSV's lines are counted, a pass over the file).

    Wholly empty rows are skipped. Raises ``UnreadableExport``, also while the
    rows are read (a CSV that stops being UTF-8 halfway).
    """
    with path.open("rb") as handle:
        head = handle.read(SNIFF)
    if not head.strip():
        raise UnreadableExport(Message(N_("Tệp trống, không có dòng nào.")))
    if head.startswith(OLE_MAGIC):
        raise UnreadableExport(
            Message(
                N_(
                    "Tệp Excel 97-2003 (.xls) không được hỗ trợ: hãy mở trong"
                    " Excel và lưu lại dưới dạng .xlsx hoặc CSV UTF-8."
                )
            )
        )
    opener = _open_xlsx if head.startswith(ZIP_MAGIC) else _open_csv
    with opener(path, head, estimate) as opened:
        yield opened


@contextmanager
def _open_xlsx(
    path: Path, _head: bytes, _estimate: bool
) -> Iterator[tuple[Layout, Iterator[Row]]]:
    # openpyxl is loaded by the import alone, not by every web process.
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (*_WORKBOOK_ERRORS, InvalidFileException):
        raise _broken_workbook() from None
    try:
        try:
            sheet = workbook.worksheets[0]
            rows = enumerate(sheet.iter_rows(values_only=True), start=1)
            headers, header_line = _find_header(rows)
            total = sheet.max_row
        except _WORKBOOK_ERRORS:
            raise _broken_workbook() from None
        estimate = total - header_line if isinstance(total, int) else None
        layout = Layout("xlsx", headers, header_line, (), estimate)
        yield layout, _data_rows(_guarded(rows, _broken_workbook))
    finally:
        workbook.close()


def _broken_workbook() -> UnreadableExport:
    return UnreadableExport(
        Message(
            N_(
                "Tệp Excel bị hỏng hoặc không phải tệp .xlsx: hãy mở trong Excel,"
                " lưu lại rồi tải lên lại."
            )
        )
    )


@contextmanager
def _open_csv(
    path: Path, head: bytes, estimate: bool
) -> Iterator[tuple[Layout, Iterator[Row]]]:
    if b"\x00" in head:
        raise UnreadableExport(
            Message(N_("Tệp không phải là tệp CSV hay .xlsx (có vẻ là tệp nhị phân)."))
        )
    first = _decoded(head, 0)
    delimiter = _delimiter(first)
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        reader = enumerate(csv.reader(handle, delimiter=delimiter), start=1)
        rows = _guarded(reader, None)
        headers, header_line = _find_header(rows)
        lines = _count_lines(path) - header_line if estimate else None
        layout = Layout("csv", headers, header_line, (), lines, delimiter)
        yield layout, _data_rows(rows)


def _decoded(head: bytes, offset: int) -> str:
    """Decode the first bytes of a CSV, or say it is not UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        return decoder.decode(head, final=False)
    except UnicodeDecodeError as error:
        raise _not_utf8(offset + error.start) from None


def _not_utf8(position: int) -> UnreadableExport:
    return UnreadableExport(
        Message(
            N_(
                "Tệp không được mã hóa UTF-8 (có thể là Windows-1258 hoặc TCVN3;"
                " byte lỗi ở vị trí %(position)s). Trong Excel, hãy lưu lại bằng"
                " “CSV UTF-8 (Comma delimited)” rồi tải lên lại."
            ),
            {"position": position},
        )
    )


def _delimiter(first: str) -> str:
    """Pick the delimiter under which the top of the file has a header."""

    def known(delimiter: str) -> int:
        lines = io.StringIO(first, newline="")
        reader = csv.reader(lines, delimiter=delimiter)
        best = 0
        try:
            for number, cells in enumerate(reader):
                if number == HEADER_SEARCH:
                    break
                best = max(best, sum(known_header(cell) is not None for cell in cells))
        except csv.Error:
            return -1
        return best

    return max(
        DELIMITERS,
        key=lambda delimiter: (known(delimiter), -DELIMITERS.index(delimiter)),
    )


def _count_lines(path: Path) -> int:
    """Count a file's line breaks, fast: an upper bound of its CSV records."""
    lines = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            lines += chunk.count(b"\n")
    return lines


def _guarded(rows: Iterator[tuple[int, Any]], broken: Any) -> Iterator[tuple[int, Any]]:
    """Turn errors met while reading into ``UnreadableExport``."""
    line = 0
    try:
        for line, cells in rows:
            yield line, cells
    except UnicodeDecodeError:
        raise _not_utf8_at(line + 1) from None
    except csv.Error as error:
        raise UnreadableExport(
            Message(
                N_("Tệp CSV bị hỏng ở dòng %(line)s: %(error)s."),
                {"line": line + 1, "error": str(error)},
            )
        ) from None
    except _WORKBOOK_ERRORS as error:
        if broken is None:
            raise
        raise broken() from error


def _not_utf8_at(line: int) -> UnreadableExport:
    return UnreadableExport(
        Message(
            N_(
                "Tệp không được mã hóa UTF-8 từ dòng %(line)s. Trong Excel, hãy lưu"
                " lại bằng “CSV UTF-8 (Comma delimited)” rồi tải lên lại."
            ),
            {"line": line},
        )
    )


def _find_header(
    rows: Iterator[tuple[int, Sequence[Cell]]],
) -> tuple[tuple[str, ...], int]:
    """Return the header's cells and row number; the rows go on after it."""
    first: tuple[tuple[str, ...], int] | None = None
    for line, cells in rows:
        if line > HEADER_SEARCH:
            break
        names = tuple(text(cell) for cell in cells)
        while names and not names[-1]:
            names = names[:-1]
        if not any(names):
            continue
        if sum(known_header(name) is not None for name in names) >= HEADER_MIN_KNOWN:
            return names, line
        if first is None and _looks_like_header(names):
            first = (names, line)
    if first is not None:
        return first
    raise UnreadableExport(
        Message(
            N_(
                "Không tìm thấy dòng tiêu đề (dòng ghi tên các cột như “Mã hồ sơ”,"
                " “Ngày tiếp nhận”) trong %(rows)s dòng đầu của tệp."
            ),
            {"rows": HEADER_SEARCH},
        )
    )


def _looks_like_header(names: tuple[str, ...]) -> bool:
    """Tell whether a row of unknown names could still be a header.

    Several distinct texts, none of them a date or a number: not a data row.
    """
    filled = [name for name in names if name]
    if len(filled) < HEADER_MIN_KNOWN or len(set(filled)) < len(filled):
        return False
    for name in filled:
        if name.replace(".", "").replace(",", "").isdigit():
            return False
        try:
            local_moment(name)
        except ValueError:
            continue
        return False
    return True


def _data_rows(rows: Iterator[tuple[int, Sequence[Cell]]]) -> Iterator[Row]:
    for line, cells in rows:
        if any(cell is not None and cell != "" for cell in cells):
            yield line, cells
