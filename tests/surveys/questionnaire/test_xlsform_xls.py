"""Legacy .xls XLSForms read into the same questionnaire as their .xlsx twin.

No .xls sample exists here, so the two .xls workbooks in ``data/`` are twins of
.xlsx ones, written once by ``bench/make_xls_fixtures.py`` (which says when to
run it again).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

import surveys
from surveys.questionnaire import DefinitionError
from surveys.questionnaire.versions import load_upload, shipped_template
from surveys.questionnaire.xlsform_limits import DEFAULT_LIMITS
from surveys.questionnaire.xlsform_reader import (
    OLE2_MAGIC,
    _open_workbook,
    _Reader,
)
from surveys.questionnaire.xlsform_writer import write_xlsform

DATA = Path(__file__).parent / "data"
STALE = "the .xls twin is stale: run bench/make_xls_fixtures.py"


def cells_workbook(path: Path) -> None:
    """Write the .xlsx whose .xls twin is ``data/cells.xls``."""
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
    workbook.save(path)


def test_a_template_reads_the_same_from_xls_and_xlsx(tmp_path: Path) -> None:
    xls = DATA / "counter.xls"
    assert xls.read_bytes().startswith(OLE2_MAGIC)
    xlsx = tmp_path / "counter.xlsx"
    write_xlsform(shipped_template("counter"), xlsx)
    from_xlsx = surveys.load_definition(xlsx)
    from_xls = surveys.load_definition(xls)
    assert from_xls == from_xlsx, STALE
    assert from_xls.checksum == from_xlsx.checksum


def test_xls_cells_read_as_their_xlsx_twin(tmp_path: Path) -> None:
    xlsx, xls = tmp_path / "cells.xlsx", DATA / "cells.xls"
    cells_workbook(xlsx)
    from_xlsx, from_xls = _open_workbook(xlsx), _open_workbook(xls)
    assert from_xls.sheetnames == from_xlsx.sheetnames == ["survey"]
    reader = _Reader(xls, {}, DEFAULT_LIMITS)
    read = reader.sheet(from_xls["survey"], DEFAULT_LIMITS.survey_rows)
    assert read == reader.sheet(from_xlsx["survey"], DEFAULT_LIMITS.survey_rows)
    assert not reader.problems, STALE
    assert [row.cells for row in read.rows][1] == {
        "type": "date",
        "name": "day",
        "label::Tiếng Việt (vi)": "Ngày",
        "required": "false",
        "default": "2024-05-17T08:30:00",
    }
    from_xlsx.close()
    from_xls.close()


def test_an_upload_is_read_by_its_content_not_its_extension(tmp_path: Path) -> None:
    xlsx = tmp_path / "form.xlsx"
    questionnaire = shipped_template("counter")
    write_xlsform(questionnaire, xlsx)
    xls = DATA / "counter.xls"
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
