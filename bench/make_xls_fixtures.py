"""Write the legacy .xls test workbooks of tests/surveys/questionnaire/data/.

No .xls sample exists here and nothing in CI writes .xls, so the twins of two
.xlsx workbooks were written once with xlwt and committed; xlwt is no longer
maintained and is not a dependency. Run again (``pip install xlwt==1.3.0`` in a
scratch venv) only if the counter template or ``cells_workbook`` changes:

    python bench/make_xls_fixtures.py
"""

from __future__ import annotations

import sys
import tempfile
from datetime import datetime
from pathlib import Path

import openpyxl
import xlwt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from surveys.questionnaire.versions import shipped_template  # noqa: E402
from surveys.questionnaire.xlsform_writer import write_xlsform  # noqa: E402
from tests.surveys.questionnaire.test_xlsform_xls import (  # noqa: E402
    DATA,
    cells_workbook,
)


def as_xls(xlsx: Path, xls: Path) -> None:
    """Copy every cell of ``xlsx`` into ``xls`` (dates with a date format)."""
    source = openpyxl.load_workbook(xlsx)
    target = xlwt.Workbook(encoding="utf-8")
    # xlrd tells a date by its number format, as Excel does.
    as_date = xlwt.easyxf(num_format_str="YYYY-MM-DD HH:MM:SS")
    for sheet in source.worksheets:
        copy = target.add_sheet(sheet.title)
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, datetime):
                    copy.write(cell.row - 1, cell.column - 1, cell.value, as_date)
                elif cell.value is not None:
                    copy.write(cell.row - 1, cell.column - 1, cell.value)
    target.save(str(xls))


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        counter = Path(folder) / "counter.xlsx"
        write_xlsform(shipped_template("counter"), counter)
        as_xls(counter, DATA / "counter.xls")
        cells = Path(folder) / "cells.xlsx"
        cells_workbook(cells)
        as_xls(cells, DATA / "cells.xls")


if __name__ == "__main__":
    main()
