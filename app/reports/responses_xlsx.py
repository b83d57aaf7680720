"""The anonymised responses as an XLSX workbook, written as they are read.

The columns and cells are the CSV's (``app.reports.csv``: the same dataset,
text cells neutralised the same way), so a reader gets the same file in
Excel's own format. openpyxl's write-only workbook puts each row in a
temporary file at once and writes every text as an inline string, no table of
shared strings: memory stays flat however many responses there are. The
workbook is zipped into a temporary file, which is then streamed.

Excel opens at most ``EXCEL_ROWS`` rows a sheet: above it the download is
refused before anything is written, pointing to the CSV, rather than cut.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

from openpyxl import Workbook

from app.reports.csv import neutral_pages
from app.spreadsheets import neutralised
from surveys.exchange.dataset import Dataset

#: Rows an Excel sheet holds, its header included.
EXCEL_ROWS = 1_048_576
#: Bytes read from the temporary file at a time while streaming it.
_CHUNK = 1 << 16


def beyond_excel(responses: int) -> bool:
    """Tell whether a sheet of ``responses`` and its header is too long for Excel."""
    return responses + 1 > EXCEL_ROWS


def responses_workbook(dataset: Dataset, title: str) -> Iterator[bytes]:
    """Write the dataset's rows into one sheet named ``title``, then yield the
    workbook's bytes."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append([neutralised(variable.header) for variable in dataset.variables])
    for page in neutral_pages(dataset):
        for row in page:
            sheet.append(row)
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        handle.seek(0)
        while chunk := handle.read(_CHUNK):
            yield chunk
