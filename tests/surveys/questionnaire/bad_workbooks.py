"""Bad workbooks built in the test, as a new user's file could be: no binaries kept.

Shared by the engine's tests and the upload page's and CLI's, which check that
each is refused with a clear message and stores nothing.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Callable, Iterable, Sequence

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from surveys.questionnaire.xlsform_limits import OLE2_MAGIC

SURVEY_HEADER = ("type", "name", "label")
GOOD_ROWS = (("integer", "age", "Tuổi"), ("text", "comment", "Góp ý"))


def workbook(
    survey_rows: Iterable[Sequence[object]] = GOOD_ROWS,
    *,
    header: Sequence[str] = SURVEY_HEADER,
    choices: Iterable[Sequence[object]] = (),
    edit: Callable[[Workbook], None] | None = None,
) -> bytes:
    """Write an XLSForm workbook (survey, and choices if given) as bytes."""
    book = Workbook()
    survey = book.active
    assert survey is not None
    survey.title = "survey"
    survey.append(list(header))
    for row in survey_rows:
        survey.append(list(row))
    choice_rows = list(choices)
    if choice_rows:
        sheet = book.create_sheet("choices")
        sheet.append(["list_name", "name", "label"])
        for row in choice_rows:
            sheet.append(list(row))
    if edit is not None:
        edit(book)
    content = io.BytesIO()
    book.save(content)
    return content.getvalue()


def with_member(data: bytes, name: str, change: Callable[[bytes], bytes]) -> bytes:
    """Rewrite one member of a workbook's zip archive."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            body = source.read(member)
            target.writestr(member, change(body) if member.filename == name else body)
    return out.getvalue()


def with_cached_formula(data: bytes, cached: str) -> bytes:
    """Give the first formula cell of the survey sheet a saved value, as Excel does."""

    def cache(xml: bytes) -> bytes:
        return re.sub(
            rb"<c ([^>]*)><f>(.*?)</f><v\s*/?>(?:</v>)?",
            lambda m: (
                b'<c %s t="str"><f>%s</f><v>%s</v>' % (m[1], m[2], cached.encode())
            ),
            xml,
            count=1,
        )

    return with_member(data, "xl/worksheets/sheet1.xml", cache)


def with_bomb(data: bytes, inflated: int) -> bytes:
    """Add a member of ``inflated`` zero bytes, which deflate to almost nothing."""
    out = io.BytesIO(data)
    chunk = bytes(1024 * 1024)
    with (
        zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/media/padding.bin", "w", force_zip64=True) as member,
    ):
        for _ in range(inflated // len(chunk)):
            member.write(chunk)
        member.write(bytes(inflated % len(chunk)))
    return out.getvalue()


def add_chart(book: Workbook, title: str) -> None:
    """Add a chart sheet, its bars drawn from the first sheet."""
    chart = BarChart()
    chart.add_data(Reference(book.worksheets[0], min_col=1, min_row=1, max_row=2))
    book.create_chartsheet(title).add_chart(chart)


def chart_survey(book: Workbook) -> None:
    """Turn the survey sheet into a chart sheet of the same name."""
    book["survey"].title = "data"
    add_chart(book, "survey")


SECTOR = 512
FREE, END, FAT_SECTOR, NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def encrypted_workbook() -> bytes:
    """Write the compound file Excel saves a password-protected .xlsx as.

    Its streams ``EncryptionInfo`` and ``EncryptedPackage`` (MS-OFFCRYPTO) hold
    random-looking bytes here; a reader must tell it from a damaged file by
    its container alone, as it cannot decrypt it.
    """
    streams = [
        ("EncryptionInfo", b"\x04\x00\x04\x00" * 1024),
        ("EncryptedPackage", bytes(range(256)) * 16),
    ]
    fat = [FAT_SECTOR, END]  # sector 0: the FAT; sector 1: the directory
    starts = []
    for _, body in streams:
        count = len(body) // SECTOR
        starts.append(len(fat))
        fat += [len(fat) + i + 1 for i in range(count - 1)] + [END]
    fat += [FREE] * (SECTOR // 4 - len(fat))

    def entry(name: str, kind: int, right: int, child: int, start: int, size: int):
        encoded = (name + "\0").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBB3I", len(encoded), kind, 1, NO_STREAM, right, child)
            + bytes(16 + 4 + 16)
            + struct.pack("<IQ", start, size)
        )

    directory = (
        entry("Root Entry", 5, NO_STREAM, 1, END, 0)
        + entry(streams[0][0], 2, 2, NO_STREAM, starts[0], len(streams[0][1]))
        + entry(streams[1][0], 2, NO_STREAM, NO_STREAM, starts[1], len(streams[1][1]))
        + bytes(128)
    )
    header = (
        OLE2_MAGIC
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, END, 0, END, 0)
        + struct.pack("<I", 0)
        + struct.pack("<108I", *[FREE] * 108)
    )
    assert len(header) == SECTOR
    body = b"".join(body for _, body in streams)
    return header + struct.pack(f"<{len(fat)}I", *fat) + directory + body
