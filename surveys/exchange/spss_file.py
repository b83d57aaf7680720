"""A dataset as an SPSS system file (``.sav``), written a page at a time.

The format is the one PSPP documents ("System File Format", in its manual):
a header, one record per variable, value labels, extension records, then the
rows, uncompressed. pyreadstat could write it only from a whole DataFrame;
here the rows go from the spool (``surveys.exchange.stat_spool``) to the file
a page at a time, so memory stays flat whatever the number of responses.

What is written, as pyreadstat wrote it:

- numbers as doubles (``F8.2``), missing as system-missing;
- the date sent as seconds since 1582-10-14, ``DATE11``;
- text as ``A#``, # its longest value in bytes (at least 1, at most SPSS's
  32,767, a longer value cut there without splitting a character); text past
  255 bytes in segments, with the very long string record (subtype 14);
- each variable's label, cut to 256 bytes; value labels cut to SPSS's 120
  bytes (each cut without splitting a character);
- the names themselves in the long names record (subtype 13), short names of
  8 characters for readers that know only those, and UTF-8 as the encoding
  (subtypes 3 and 20).
"""

from __future__ import annotations

import functools
import math
import struct
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from operator import methodcaller
from typing import BinaryIO

from surveys.exchange.dataset import Dataset, Variable
from surveys.exchange.stat_spool import (
    EPOCH,
    MONTHS,
    RowFormat,
    Spool,
    cut,
    spooled,
    write_rows,
)

#: System-missing (-DBL_MAX), and the highest and lowest other values.
SYSMIS = -sys.float_info.max
HIGHEST, LOWEST = sys.float_info.max, math.nextafter(SYSMIS, 0)
#: The longest text SPSS holds, and the longest in one segment.
STRING_MAX, SEGMENT_MAX = 32767, 255
#: Bytes of a very long string each segment but the last holds, as SPSS counts
#: the last segment's width (PSPP's EFFECTIVE_VLS_CHUNK).
SEGMENT_STEP = 252
#: The longest variable label and value label, in bytes.
LABEL_MAX, VALUE_LABEL_MAX = 256, 120
#: Seconds from the spool's 1970-01-01 to SPSS's 1582-10-14, per day.
FROM_1582 = EPOCH - date(1582, 10, 14).toordinal()
DAY = 86400.0
#: Print and write formats: (type << 16) | (width << 8) | decimals.
NUMBER_FORMAT = 5 << 16 | 8 << 8 | 2  # F8.2
DATE_FORMAT = 20 << 16 | 11 << 8  # DATE11
TEXT_FORMAT = 1 << 16  # A, or'ed with the width
#: Names SPSS keeps for itself, which a short name may not be.
RESERVED = {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR",
            "TO", "WITH"}  # fmt: skip
#: Code page of UTF-8, in the machine integer record.
UTF8 = 65001
#: Measurement levels of the display record.
NOMINAL, SCALE = 1, 3


def write_sav(dataset: Dataset, out: BinaryIO) -> None:
    """Write the dataset to ``out``, a file open for writing."""
    spool = spooled(dataset)
    with spool.file:
        widths = [
            0 if v.numeric else min(max(width, 1), STRING_MAX)
            for v, width in zip(spool.variables, spool.widths, strict=True)
        ]
        segments = [_segments(width) for width in widths]
        names = _short_names(
            [v.name for v in spool.variables], [len(s) for s in segments]
        )
        out.write(_header(sum(_units(w) for s in segments for w in s), spool.count))
        out.write(_dictionary(spool, widths, segments, names))
        write_rows(spool, _row_format(widths, segments), out)


def _segments(width: int) -> list[int]:
    """Give the widths of a variable's segments: 0 for a number."""
    if width <= SEGMENT_MAX:
        return [width]
    count = math.ceil(width / SEGMENT_STEP)
    return [SEGMENT_MAX] * (count - 1) + [width - SEGMENT_STEP * (count - 1)]


def _units(width: int) -> int:
    """Give the 8-byte units a segment of ``width`` takes in a row."""
    return max(1, math.ceil(width / 8))


def _short_names(names: Sequence[str], segments: Sequence[int]) -> list[list[str]]:
    """Give each variable's segments distinct names of at most 8 characters."""
    taken = set(RESERVED)
    short = []
    for name, count in zip(names, segments, strict=True):
        mine = []
        for _ in range(count):
            base, number = name[:8].upper(), 1
            candidate = base
            while candidate in taken:
                number += 1
                candidate = base[: 8 - len(str(number))] + str(number)
            taken.add(candidate)
            mine.append(candidate)
        short.append(mine)
    return short


def _header(units: int, rows: int) -> bytes:
    """Give the file header: layout 2, no compression, no weight, the rows."""
    now = datetime.now(UTC)
    product = b"@(#) SPSS DATA FILE - hailong".ljust(60)
    day = f"{now:%d} {MONTHS[now.month - 1]} {now:%y}".encode()
    return (
        b"$FL2"
        + product
        + struct.pack("<iiiiid", 2, units, 0, 0, rows, 100.0)
        + day
        + f"{now:%H:%M:%S}".encode()
        + b" " * 64
        + b"\0\0\0"
    )


def _dictionary(
    spool: Spool,
    widths: Sequence[int],
    segments: Sequence[list[int]],
    names: Sequence[list[str]],
) -> bytes:
    """Give the variable, value label and extension records, and the end."""
    records, positions, display = [], [], []
    position = 1  # a variable's index: its first record, continuations counted
    for index, variable in enumerate(spool.variables):
        positions.append(position)
        records.append(_variable_records(variable, segments[index], names[index]))
        position += sum(_units(width) for width in segments[index])
        measure = SCALE if variable.numeric and not variable.value_labels else NOMINAL
        display += [(measure, 8, 1 if variable.numeric else 0)] * len(segments[index])
    for variable, at in zip(spool.variables, positions, strict=True):
        if variable.value_labels:
            records.append(_value_labels(variable.value_labels, at))
    long_names = "\t".join(
        f"{short[0]}={v.name}" for v, short in zip(spool.variables, names, strict=True)
    )
    very_long = "".join(
        f"{short[0]}={width:05d}\0\t"
        for width, short in zip(widths, names, strict=True)
        if width > SEGMENT_MAX
    )
    records += [
        _extension(3, "i", [20, 0, 0, -1, 1, 1, 2, UTF8]),
        _extension(4, "d", [SYSMIS, HIGHEST, LOWEST]),
        _extension(11, "i", [n for shown in display for n in shown]),
        _extension(13, "s", long_names.encode()),
    ]
    if very_long:
        records.append(_extension(14, "s", very_long.encode()))
    records += [_extension(20, "s", b"UTF-8"), struct.pack("<ii", 999, 0)]
    return b"".join(records)


def _variable_records(
    variable: Variable, segments: Sequence[int], names: Sequence[str]
) -> bytes:
    """Give a variable's records (type 2): one a segment, then its continuations.

    The first segment carries the label and the variable's format.
    """
    label = cut(variable.label.encode(), LABEL_MAX)
    records = []
    for part, (width, short) in enumerate(zip(segments, names, strict=True)):
        if variable.holds_days:
            shown = DATE_FORMAT
        else:
            shown = NUMBER_FORMAT if not width else TEXT_FORMAT | width << 8
        labelled = bool(label) and not part
        records.append(
            struct.pack("<iiiiii", 2, width, labelled, 0, shown, shown)
            + short.encode().ljust(8)
        )
        if labelled:
            records.append(
                struct.pack("<i", len(label)) + label.ljust(_round(len(label), 4))
            )
        for _ in range(_units(width) - 1):  # continuations of the text
            records.append(struct.pack("<iiiiii", 2, -1, 0, 0, 0, 0) + b" " * 8)
    return b"".join(records)


def _value_labels(labels: dict[int, str], position: int) -> bytes:
    """Give the value label record (type 3) and the variable it is for (4)."""
    parts = [struct.pack("<ii", 3, len(labels))]
    for value in sorted(labels):
        text = cut(labels[value].encode(), VALUE_LABEL_MAX)
        entry = bytes([len(text)]) + text
        parts.append(struct.pack("<d", value) + entry.ljust(_round(len(entry), 8)))
    parts.append(struct.pack("<iii", 4, 1, position))
    return b"".join(parts)


def _extension(subtype: int, kind: str, content: Sequence[float] | bytes) -> bytes:
    """Give an extension record (type 7) of integers, doubles or bytes."""
    if kind == "s":
        assert isinstance(content, bytes)
        return struct.pack("<iiii", 7, subtype, 1, len(content)) + content
    size = struct.calcsize(kind)
    return struct.pack(
        f"<iiii{len(content)}{kind}", 7, subtype, size, len(content), *content
    )


def _row_format(widths: Sequence[int], segments: Sequence[Sequence[int]]) -> RowFormat:
    """Give how a row is written: doubles, and text padded in its segments."""
    sizes = [sum(_units(width) * 8 for width in mine) for mine in segments]
    record = struct.Struct(
        "<"
        + "".join(
            f"{size}s" if w else "d" for w, size in zip(widths, sizes, strict=True)
        )
    )
    texts = [(i, _text_layout(w, segments[i])) for i, w in enumerate(widths) if w]
    return RowFormat(record, SYSMIS, FROM_1582, DAY, texts)


def _text_layout(width: int, segments: Sequence[int]) -> Callable[[bytes], bytes]:
    """Give what lays a text of ``width`` out in its row: padded with spaces,
    past 255 bytes cut to ``width`` and 255 bytes in each segment but the last."""
    if width <= SEGMENT_MAX:
        return methodcaller("ljust", _units(width) * 8)
    pieces = tuple(
        (part * SEGMENT_MAX, _units(segment) * 8)
        for part, segment in enumerate(segments)
    )
    return functools.partial(_segmented, width, pieces)


def _segmented(width: int, pieces: Sequence[tuple[int, int]], text: bytes) -> bytes:
    """Lay a text out in its ``pieces``: where each starts, and its padded size."""
    text = cut(text, width)
    return b"".join(
        text[start : start + SEGMENT_MAX].ljust(size) for start, size in pieces
    )


def _round(size: int, unit: int) -> int:
    """Round ``size`` up to a multiple of ``unit``."""
    return -(-size // unit) * unit
