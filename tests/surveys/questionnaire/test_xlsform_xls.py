"""Legacy .xls XLSForms read into the same questionnaire as their .xlsx twin.

No .xls sample exists here and LibreOffice is not in CI, so each test
workbook is the .xlsx export copied cell by cell into an .xls with xlwt.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
import xlwt

import surveys
from surveys.questionnaire import DefinitionError, Questionnaire
from surveys.questionnaire.versions import load_upload
from surveys.questionnaire.xlsform_reader import (
    OLE2_MAGIC,
    _open_workbook,
    _read_sheet,
)
from surveys.questionnaire.xlsform_writer import write_xlsform


def _as_xls(xlsx: Path, xls: Path) -> None:
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


def test_template_reads_the_same_from_xls_and_xlsx(
    load_template: Callable[[str], Questionnaire], template_name: str, tmp_path: Path
) -> None:
    xlsx, xls = tmp_path / "form.xlsx", tmp_path / "form.xls"
    write_xlsform(load_template(template_name), xlsx)
    _as_xls(xlsx, xls)
    assert xls.read_bytes().startswith(OLE2_MAGIC)
    from_xlsx = surveys.load_definition(xlsx)
    from_xls = surveys.load_definition(xls)
    assert from_xls == from_xlsx
    assert from_xls.checksum == from_xlsx.checksum


def test_xls_cells_read_as_their_xlsx_twin(tmp_path: Path) -> None:
    xlsx, xls = tmp_path / "cells.xlsx", tmp_path / "cells.xls"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "survey"
    sheet.append(
        ["type", "name", "Label::Tiếng Việt (vi)", None, "required", "default"]
    )
    sheet.append(["integer", "age", " Tuổi ", "ignored", True, 3])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["date", "day", "Ngày", None, False, datetime(2024, 5, 17, 8, 30)])
    sheet.append(["decimal", "share", None, None, None, 0.25])
    workbook.save(xlsx)
    _as_xls(xlsx, xls)
    from_xlsx, from_xls = _open_workbook(xlsx), _open_workbook(xls)
    assert from_xls.sheetnames == from_xlsx.sheetnames == ["survey"]
    read = _read_sheet(from_xls["survey"])
    assert read == _read_sheet(from_xlsx["survey"])
    assert [row.cells for row in read.rows][1] == {
        "type": "date",
        "name": "day",
        "label::Tiếng Việt (vi)": "Ngày",
        "required": "false",
        "default": "2024-05-17T08:30:00",
    }
    from_xlsx.close()
    from_xls.close()


def test_an_upload_is_read_by_its_content_not_its_extension(
    load_template: Callable[[str], Questionnaire], tmp_path: Path
) -> None:
    xlsx, xls = tmp_path / "form.xlsx", tmp_path / "form.xls"
    questionnaire = load_template("counter")
    write_xlsform(questionnaire, xlsx)
    _as_xls(xlsx, xls)
    # An .xls saved under an .xlsx name, and the other way round.
    assert load_upload("form.xlsx", xls.read_bytes()) == questionnaire
    assert load_upload("form.xls", xlsx.read_bytes()) == questionnaire


def test_a_corrupt_xls_is_a_definition_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xls"
    bad.write_bytes(OLE2_MAGIC + b"\x00" * 200)
    with pytest.raises(DefinitionError, match=r"not a readable \.xls file"):
        surveys.load_definition(bad)
    bad.write_bytes(b"neither zip nor OLE2")
    with pytest.raises(DefinitionError, match=r"not a readable \.xlsx file"):
        surveys.load_definition(bad)
