"""A one-sheet XLSX workbook written as a stream: its first bytes leave at once.

A spreadsheet library writes the whole sheet, then zips it, before the first
byte can be sent: at a million responses a proxy times the download out. An
XLSX is a ZIP of XML parts (ECMA-376, Office Open XML); the sheet's part is
the only big one, and a ZIP written to a stream that cannot seek puts each
part's sizes after its data. So the small parts are written first, then the
sheet a page of rows at a time, each page's compressed bytes yielded as soon
as they are made: memory holds a page, never the sheet.

Each text is an inline string (no table of shared strings to hold), each
number a plain value, a date a number in a date style, as openpyxl writes them.
Characters XML 1.0 forbids (control characters) are dropped: a workbook
holding one is refused by every reader.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

#: zlib's level: on a sheet of responses 3 costs a fifth more than 1 for a
#: file a fifth smaller, the default 6 more than twice 3's time.
COMPRESSLEVEL = 3
#: The characters XML 1.0 does not allow, surrogates included.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: Characters a sheet's name cannot hold; Excel keeps 31 of the others.
_NOT_IN_TITLE = re.compile(r"[\[\]:*?/\\]")
#: Day 0 of Excel's serial dates (its 1900 system, past its leap-year bug).
_EPOCH = datetime(1899, 12, 30)
#: The cell styles of ``_STYLES``: the header's bold text, a date, a date-time.
_BOLD, _DATE, _DATETIME = 1, 2, 3

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_CONTENT_TYPES = (
    f"{_XML}<Types "
    'xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    f'{_XML}<Relationships xmlns="{_PACKAGE_RELS}">'
    f'<Relationship Id="rId1" Type="{_RELS}/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    f'{_XML}<Relationships xmlns="{_PACKAGE_RELS}">'
    f'<Relationship Id="rId1" Type="{_RELS}/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_RELS}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
_STYLES = (
    f'{_XML}<styleSheet xmlns="{_NS}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/>'
    "</border></borders>"
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
    'borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" '
    'xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" '
    'applyFont="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" '
    'xfId="0" applyNumberFormat="1"/><xf numFmtId="165" fontId="0" fillId="0" '
    'borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    "</cellStyles></styleSheet>"
)
#: The sheet's opening: the header row frozen above the rows.
_SHEET_START = (
    f'{_XML}<worksheet xmlns="{_NS}"><sheetViews><sheetView workbookViewId="0">'
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    "</sheetView></sheetViews><sheetData>"
)
_SHEET_END = "</sheetData></worksheet>"
_SHEET = "xl/worksheets/sheet1.xml"


def stream_xlsx(
    header: Sequence[str],
    rows_pages: Iterable[Iterable[Sequence[Any]]],
    sheet_title: str,
) -> Iterator[bytes]:
    """Yield a workbook of one sheet: ``header`` in bold, then each page's rows.

    The package's small parts are yielded before the first page is read, then
    each page's bytes once it is written. A cell is text, a number (``int``,
    ``float``, ``bool``), a ``date`` or ``datetime``, or None or "" left empty; any
    other value is written as its text.
    """
    sink = _Sink()
    with zipfile.ZipFile(
        sink, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESSLEVEL
    ) as package:
        package.writestr("[Content_Types].xml", _CONTENT_TYPES)
        package.writestr("_rels/.rels", _ROOT_RELS)
        package.writestr("xl/workbook.xml", _workbook(sheet_title))
        package.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        package.writestr("xl/styles.xml", _STYLES)
        # Its size unknown until the end: ZIP64 sizes, whatever it comes to.
        with package.open(_SHEET, "w", force_zip64=True) as sheet:
            columns = [get_column_letter(index + 1) for index in range(len(header))]
            sheet.write(_xml(_SHEET_START + _header_row(header, columns)))
            yield sink.taken()
            number = 1
            for page in rows_pages:
                lines = []
                for row in page:
                    number += 1
                    lines.append(_row(row, columns, number))
                sheet.write(_xml("".join(lines)))
                if chunk := sink.taken():
                    yield chunk
            sheet.write(_SHEET_END.encode())
    yield sink.taken()


class _Sink:
    """A file ZipFile writes into, that cannot seek: what it holds is taken."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: the bytes wait to be taken."""

    def taken(self) -> bytes:
        """Return the bytes written since the last call, and forget them."""
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def _workbook(sheet_title: str) -> str:
    name = escape(_NOT_IN_TITLE.sub("", _ILLEGAL.sub("", sheet_title))[:31])
    return (
        f'{_XML}<workbook xmlns="{_NS}" xmlns:r="{_RELS}"><sheets>'
        f'<sheet name="{name or "Sheet1"}" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>"
    )


def _xml(text: str) -> bytes:
    """Encode a run of cells, dropping the characters XML 1.0 forbids.

    On the whole run at once, one pass in C: the markup holds none of them.
    """
    return _ILLEGAL.sub("", text).encode()


def _header_row(header: Sequence[str], columns: list[str]) -> str:
    cells = "".join(
        f'<c r="{column}1" s="{_BOLD}" t="inlineStr"><is>'
        f'<t xml:space="preserve">{escape(str(name))}</t></is></c>'
        for column, name in zip(columns, header, strict=True)
    )
    return f'<row r="1">{cells}</row>'


def _row(row: Sequence[Any], columns: list[str], number: int) -> str:
    cells = []
    for column, value in zip(columns, row, strict=True):
        kind = type(value)
        if kind is str:
            if not value:  # an empty cell, as openpyxl writes it
                continue
            cells.append(
                f'<c r="{column}{number}" t="inlineStr"><is>'
                f'<t xml:space="preserve">{escape(value)}</t></is></c>'
            )
        elif value is None:
            continue
        elif kind is int or (kind is float and math.isfinite(value)):
            cells.append(f'<c r="{column}{number}"><v>{value}</v></c>')
        else:
            cells.append(_other(value, f"{column}{number}"))
    return f'<row r="{number}">{"".join(cells)}</row>'


def _other(value: Any, reference: str) -> str:
    """Write the cell of a value that is neither text, int nor finite float."""
    if isinstance(value, bool):
        return f'<c r="{reference}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, datetime):
        days = (value.replace(tzinfo=None) - _EPOCH).total_seconds() / 86400
        return f'<c r="{reference}" s="{_DATETIME}"><v>{days}</v></c>'
    if isinstance(value, date):
        days = (value - _EPOCH.date()).days
        return f'<c r="{reference}" s="{_DATE}"><v>{days}</v></c>'
    if isinstance(value, int | float | Decimal) and math.isfinite(value):
        return f'<c r="{reference}"><v>{value}</v></c>'
    return (
        f'<c r="{reference}" t="inlineStr"><is>'
        f'<t xml:space="preserve">{escape(str(value))}</t></is></c>'
    )
