"""A dataset as a Stata ``.dta`` file, format 118, written a page at a time.

Format 118 is Stata 14's and later's (https://www.stata.com/help.cgi?dta):
UTF-8 throughout, tagged sections, a map of their offsets, then the rows as
fixed-width records. pyreadstat could write it only from a whole DataFrame;
here the rows go from the spool (``surveys.exchange.stat_spool``) to the file
a page at a time, so memory stays flat whatever the number of responses.

What is written:

- numbers as doubles (``%10.0g``), missing as Stata's system missing ``.``;
- the date sent as days since 1960-01-01, ``%td``;
- text as ``str#``, # its longest value in bytes (at least 1); a variable whose
  longest value passes 2,045 bytes (a long comment) is a ``strL``, whose
  values follow the rows, so no text is cut;
- each variable's label, cut to Stata's 80 characters;
- each labelled variable's value labels, in a table named as the variable.
"""

from __future__ import annotations

import shutil
import struct
import tempfile
from collections.abc import Sequence
from datetime import UTC, date, datetime
from itertools import accumulate
from typing import BinaryIO

from surveys.exchange.dataset import Dataset, Variable
from surveys.exchange.stat_spool import (
    EPOCH,
    MONTHS,
    Cell,
    RowFormat,
    Spool,
    spooled,
    write_rows,
)

#: The longest ``str#``; longer text is a ``strL``.
STR_MAX = 2045
#: Variable types of format 118 (a ``str#`` is its width).
STRL, DOUBLE = 32768, 65526
#: Stata's system missing value ``.`` as a double (0x7FE0000000000000).
MISSING = struct.unpack("<d", bytes.fromhex("000000000000e07f"))[0]
#: Characters a variable label may have in Stata.
LABEL_CHARACTERS = 80
#: Days from the spool's 1970-01-01 to Stata's 1960-01-01, added to a date.
FROM_1960 = EPOCH - date(1960, 1, 1).toordinal()
#: Sizes of the fixed fields of format 118: names, formats, labels.
NAME_BYTES, FORMAT_BYTES, LABEL_BYTES = 129, 57, 321
#: A strL's content is text with a terminating null (its ``t``).
GSO_TEXT = 130


def write_dta(dataset: Dataset, out: BinaryIO) -> None:
    """Write the dataset to ``out``, a file open for writing that can seek."""
    spool = spooled(dataset)
    with spool.file:
        _write(spool, out)


def _write(spool: Spool, out: BinaryIO) -> None:
    """Write the header, the map (again once the sizes are known), the rows."""
    variables = spool.variables
    types = [_type(spool, index) for index in range(len(variables))]
    start = out.tell()
    offsets = [0]
    out.write(_header(len(variables), spool.count))
    offsets.append(out.tell() - start)
    out.write(_map(offsets))  # written again below, with every offset
    sections = {
        "variable_types": struct.pack(f"<{len(types)}H", *types),
        "varnames": b"".join(_fixed(v.name.encode(), NAME_BYTES) for v in variables),
        "sortlist": b"\0\0" * (len(variables) + 1),
        "formats": b"".join(
            _fixed(_format(spool, index, kind).encode(), FORMAT_BYTES)
            for index, kind in enumerate(types)
        ),
        "value_label_names": b"".join(
            _fixed(v.name.encode() if v.value_labels else b"", NAME_BYTES)
            for v in variables
        ),
        "variable_labels": b"".join(
            _fixed(v.label[:LABEL_CHARACTERS].encode(), LABEL_BYTES) for v in variables
        ),
        "characteristics": b"",
    }
    for tag, content in sections.items():
        offsets.append(out.tell() - start)
        out.write(b"<%s>%s</%s>" % (tag.encode(), content, tag.encode()))
    offsets.append(out.tell() - start)
    with tempfile.TemporaryFile(suffix=".strls") as strls:
        out.write(b"<data>")
        write_rows(spool, _row_format(types, strls), out)
        out.write(b"</data>")
        offsets.append(out.tell() - start)
        out.write(b"<strls>")
        strls.seek(0)
        shutil.copyfileobj(strls, out)
        out.write(b"</strls>")
    offsets.append(out.tell() - start)
    out.write(b"<value_labels>%s</value_labels>" % _value_labels(variables))
    offsets.append(out.tell() - start)
    out.write(b"</stata_dta>")
    offsets.append(out.tell() - start)
    out.seek(start + offsets[1])
    out.write(_map(offsets))
    out.seek(start + offsets[-1])


def _header(variables: int, rows: int) -> bytes:
    """Give the header: release, byte order, K, N, no label, a timestamp."""
    now = datetime.now(UTC)
    stamp = f"{now:%d} {MONTHS[now.month - 1]} {now:%Y %H:%M}".encode()
    return (
        b"<stata_dta><header><release>118</release><byteorder>LSF</byteorder>"
        + b"<K>%s</K>" % struct.pack("<H", variables)
        + b"<N>%s</N>" % struct.pack("<Q", rows)
        + b"<label>\0\0</label><timestamp>%s%s</timestamp></header>"
        % (bytes([len(stamp)]), stamp)
    )


def _map(offsets: Sequence[int]) -> bytes:
    """Give the map of the 14 offsets, zeros for those not known yet."""
    known = [*offsets, *[0] * (14 - len(offsets))]
    return b"<map>%s</map>" % struct.pack("<14Q", *known)


def _type(spool: Spool, index: int) -> int:
    """Give a variable's type: double, ``str#`` or ``strL``."""
    if spool.variables[index].numeric:
        return DOUBLE
    width = max(spool.widths[index], 1)
    return width if width <= STR_MAX else STRL


def _format(spool: Spool, index: int, kind: int) -> str:
    """Give a variable's display format, as pyreadstat gave them."""
    if spool.variables[index].holds_days:
        return "%td"
    return "%10.0g" if kind == DOUBLE else "%-9s"


def _row_format(types: Sequence[int], strls: BinaryIO) -> RowFormat:
    """Give how a row is written: doubles, ``str#`` null-padded, a strL's
    text to ``strls`` with its ``(v, o)`` in the row."""
    record = struct.Struct(
        "<" + "".join({DOUBLE: "d", STRL: "Q"}.get(t, f"{t}s") for t in types)
    )
    longs = [(i, _StrL(strls, i + 1)) for i, t in enumerate(types) if t == STRL]
    return RowFormat(record, MISSING, FROM_1960, 1.0, longs)


class _StrL:
    """A strL variable's values, written as GSOs, one a row in order."""

    def __init__(self, strls: BinaryIO, variable: int) -> None:
        self.strls, self.variable, self.observation = strls, variable, 0

    def __call__(self, text: Cell) -> int:
        """Write the next row's text as a GSO, and give the ``(v, o)`` it holds."""
        self.observation += 1
        if not text:
            return 0  # (0, 0): the empty string, with no GSO
        assert isinstance(text, bytes)
        self.strls.write(
            b"GSO"
            + struct.pack(
                "<IQBI", self.variable, self.observation, GSO_TEXT, len(text) + 1
            )
            + text
            + b"\0"
        )
        # v in the first 2 bytes, o in the next 6 (little-endian).
        return self.variable | self.observation << 16


def _value_labels(variables: Sequence[Variable]) -> bytes:
    """Give a value-label table per labelled variable, named as it."""
    tables = []
    for variable in variables:
        if not variable.value_labels:
            continue
        values = sorted(variable.value_labels)
        texts = [variable.value_labels[value].encode() + b"\0" for value in values]
        starts = [0, *accumulate(len(text) for text in texts)]
        table = struct.pack(
            f"<ii{len(values)}i{len(values)}i",
            len(values),
            starts[-1],
            *starts[:-1],
            *values,
        ) + b"".join(texts)
        tables.append(
            b"<lbl>%s%s\0\0\0%s</lbl>"
            % (
                struct.pack("<i", len(table)),
                _fixed(variable.name.encode(), NAME_BYTES),
                table,
            )
        )
    return b"".join(tables)


def _fixed(text: bytes, size: int) -> bytes:
    """Give ``text`` null-padded to a field of ``size`` bytes (it fits)."""
    return text.ljust(size, b"\0")
