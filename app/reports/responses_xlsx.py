"""The anonymised responses as an XLSX workbook, written as they are read.

The columns and cells are the CSV's (``app.reports.csv``: the same dataset,
text cells neutralised the same way), so a reader gets the same file in
Excel's own format. The workbook is written as it is sent
(``surveys.exchange.xlsx_stream``): its first bytes leave before the first
page of responses is read, and memory holds a page, however many there are.

Excel opens at most ``EXCEL_ROWS`` rows a sheet: above it the download is
refused before anything is written, pointing to the CSV, rather than cut.
"""

from __future__ import annotations

from collections.abc import Iterator

from app.reports.csv import neutral_pages
from app.spreadsheets import neutralised
from surveys.exchange.dataset import Dataset
from surveys.exchange.xlsx_stream import stream_xlsx

#: Rows an Excel sheet holds, its header included.
EXCEL_ROWS = 1_048_576


def beyond_excel(responses: int) -> bool:
    """Tell whether a sheet of ``responses`` and its header is too long for Excel."""
    return responses + 1 > EXCEL_ROWS


def responses_workbook(dataset: Dataset, title: str) -> Iterator[bytes]:
    """Yield the workbook of the dataset's rows, one sheet named ``title``."""
    header = [str(neutralised(variable.header)) for variable in dataset.variables]
    return stream_xlsx(header, neutral_pages(dataset), title)
