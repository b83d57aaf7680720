"""A dataset's rows read once into a temporary file, counted and measured.

The headers of SPSS and Stata files come before the rows and hold what only
the rows tell: how many there are (Stata's ``N``), and how wide each text
variable is (SPSS ``A300``, Stata ``str300``). Reading the responses twice
would run every query twice and could count rows a writer committed between
the two; so the rows are read once, page by page, into a spool on disk with
their cells already in plain form (a number, whole days, UTF-8 bytes, None),
and each file writer reads the spool back page by page after its header. No
more than a page of rows is in memory at a time, whatever their number.

The rows become a file's fixed-width records the same way for both
(``write_rows``): a missing number or date as the file's missing value, the
date in the file's days, text as each file lays it out (``RowFormat``).
"""

from __future__ import annotations

import marshal
import struct
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import IO, BinaryIO

from surveys.exchange.dataset import Dataset, Variable
from surveys.storage.exports import Columns

#: A cell as the writers read it: a number, whole days since 1970-01-01 for
#: the date, UTF-8 bytes for text, None missing (numbers only: missing text
#: is an empty string, as SPSS and Stata hold it).
Cell = float | int | bytes | None
#: Cells spooled as they are (marshal writes them; a double is packed of each
#: number); a column with any other type has its numbers made floats.
_PLAIN = frozenset({int, float, bool, bytes, type(None)})
#: The size of a page in the spool, written before it.
_SIZE = struct.Struct("<Q")
#: The day the spool counts days from.
EPOCH = date(1970, 1, 1).toordinal()
#: Months as both files' headers name them, whatever the locale.
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # fmt: skip


@dataclass(frozen=True)
class Spool:
    """The rows of a dataset on disk, with their count and text widths."""

    variables: tuple[Variable, ...]
    #: The rows in the spool.
    count: int
    #: For each variable, the bytes of its longest value (0 for numbers).
    widths: tuple[int, ...]
    file: IO[bytes]
    #: The indexes of the number variables (not the date's), and the date's.
    numbers: tuple[int, ...]
    dates: tuple[int, ...]

    def pages(self) -> Iterator[list[list[Cell]]]:
        """Read the rows back, a page at a time, in the dataset's order."""
        self.file.seek(0)
        while size := self.file.read(_SIZE.size):
            yield marshal.loads(self.file.read(_SIZE.unpack(size)[0]))


def spooled(dataset: Dataset) -> Spool:
    """Read the dataset's pages into a temporary file, freed when it closes.

    The caller closes ``Spool.file`` (``with spool.file:``).
    """
    kinds = [_kind(variable) for variable in dataset.variables]
    columns = {
        kind: [index for index, known in enumerate(kinds) if known is kind]
        for kind in (float, date, bytes)
    }
    widths = [0] * len(kinds)
    count = 0
    file = tempfile.TemporaryFile(suffix=".spool")  # noqa: SIM115 - the caller's
    for page in dataset.pages:
        plain = _plain(page, columns)
        del page  # neither it nor its cells kept while the next page is read
        for index in columns[bytes]:
            longest = max(map(len, plain[index]), default=0)
            widths[index] = max(widths[index], longest)
        # The writers fill in each row's cells: a list each, made as dumped.
        cells = [list(row) for row in zip(*plain, strict=True)]
        del plain
        # Each page with its size first: marshal.load on a file reads it in
        # small pieces, several times slower than one read and loads.
        content = marshal.dumps(cells)
        file.write(_SIZE.pack(len(content)) + content)
        count += len(cells)
        del cells, content
    numbers, dates = tuple(columns[float]), tuple(columns[date])
    return Spool(dataset.variables, count, tuple(widths), file, numbers, dates)


def _kind(variable: Variable) -> type:
    """Tell how a variable's values are spooled: float, date or bytes."""
    if variable.holds_days:
        return date
    return float if variable.numeric else bytes


def _plain(page: Columns, columns: dict[type, list[int]]) -> Columns:
    """Put a page's values in plain form for the spool, a column at a time."""
    plain = list(page)
    for index in columns[bytes]:
        plain[index] = [
            b"" if value is None else str(value).encode("utf-8")
            for value in page[index]
        ]
    for index in columns[date]:
        plain[index] = [
            None if value is None else value.toordinal() - EPOCH
            for value in page[index]
        ]
    for index in columns[float]:
        if not _PLAIN.issuperset(map(type, page[index])):  # a Decimal, say
            plain[index] = [
                None if value is None else float(value) for value in page[index]
            ]
    return plain


@dataclass(frozen=True)
class RowFormat:
    """How a file writes a row: its record, missing value, days and texts."""

    #: The row's fixed-width record, a field per variable.
    record: struct.Struct
    #: What a missing number or date is written as.
    missing: float
    #: Days from the spool's 1970-01-01 to the file's first day, and what a
    #: day is in the file's dates (SPSS counts seconds, Stata days).
    days_from: int
    day: float
    #: The text variables the file lays out, with what lays a value out
    #: (made once per variable); the others' bytes are written as they are.
    texts: Sequence[tuple[int, Callable[[bytes], Cell]]]


def write_rows(spool: Spool, rows: RowFormat, out: BinaryIO) -> None:
    """Write every row of the spool as a record, a page at a time."""
    record, missing, days_from, day = (
        rows.record,
        rows.missing,
        rows.days_from,
        rows.day,
    )
    numbers, dates, texts = spool.numbers, spool.dates, rows.texts
    for page in spool.pages():
        records = bytearray()
        for row in page:
            for i in numbers:
                if row[i] is None:
                    row[i] = missing
            for i in dates:
                row[i] = missing if row[i] is None else (row[i] + days_from) * day
            for i, laid_out in texts:
                row[i] = laid_out(row[i])
            records += record.pack(*row)
        out.write(records)


def cut(text: bytes, limit: int) -> bytes:
    """Cut UTF-8 text to at most ``limit`` bytes, never inside a character."""
    if len(text) <= limit:
        return text
    return text[:limit].decode("utf-8", "ignore").encode("utf-8")
