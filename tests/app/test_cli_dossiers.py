"""``flask dossiers import`` on a database it commits to."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import func, select

from app.db import session_factory
from surveys.models import (
    AuditEvent,
    Dossier,
    DossierImport,
    DossierImportRow,
    ImportSource,
    ImportStatus,
    Unit,
)
from tests.builders import make_campaign, make_procedure, make_unit
from tests.surveys.dossiers.exports import write_csv, write_xlsx

BIRTH = "1.001193"


@pytest.fixture
def district(cli_app: Flask) -> Flask:
    """A district and two wards; a birth registration takes three working days."""
    with cli_app.app_context(), session_factory().begin() as session:
        make_procedure(session, code=BIRTH, name="Đăng ký khai sinh", processing_days=3)
        top = make_unit(session, code="d", name="Quận Thử", kind="district")
        make_unit(session, parent=top, code="w", name="Phường Đa Kao")
        make_unit(session, parent=top, code="v", name="Phường Tân Định")
    return cli_app


#: The columns of ``rows`` with a unit column.
WITH_UNITS = ("Mã hồ sơ", "Mã thủ tục", "Tên thủ tục", "Lĩnh vực", "Hình thức nộp",
              "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày trả kết quả", "Trạng thái",
              "Người nộp", "Số điện thoại", "Mã đơn vị")  # fmt: skip


def invoke(app: Flask, *args: str, answers: str = "") -> Result:
    return app.test_cli_runner().invoke(
        args=["dossiers", "import", *args], input=answers
    )


def rows(count: int, bad: int = 0, unit: str | None = None) -> list[list[object]]:
    """Dossiers of one ward; the last ``bad`` have a channel nobody knows."""
    found: list[list[object]] = []
    for n in range(count):
        channel = "Qua fax" if n >= count - bad else "Trực tiếp"
        row = [f"HS-{n:04}", BIRTH, "Đăng ký khai sinh", "Hộ tịch", channel,
               "02/03/2026 08:15", "", "", "Đang xử lý", "Lê An", ""]  # fmt: skip
        found.append(row if unit is None else [*row, unit])
    return found


def counted(app: Flask, model: type[object]) -> int:
    with app.app_context(), session_factory()() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def last_import(app: Flask) -> DossierImport:
    with app.app_context(), session_factory()() as session:
        return session.scalars(
            select(DossierImport).order_by(DossierImport.id.desc())
        ).first()


def test_import_then_again_then_a_newer_export(district: Flask, tmp_path: Path) -> None:
    first = write_csv(tmp_path / "ho-so.csv", rows(3))
    done = invoke(district, str(first), "--unit", "w", "--yes")
    assert done.exit_code == 0, done.output
    assert "Imported: 3 created, 0 updated, 0 unchanged." in done.stdout
    assert (
        "A new export layout" in done.stderr and "Dossier code: Mã hồ sơ" in done.stderr
    )
    again = invoke(district, str(first), "--unit", "w", "--yes")
    assert again.exit_code == 0 and "imported already" in again.stdout
    newer = rows(4)
    newer[0][7], newer[0][8] = "05/03/2026 10:00", "Đã trả kết quả"
    later = invoke(
        district, str(write_xlsx(tmp_path / "moi.xlsx", newer)), "--unit", "w", "--yes"
    )
    assert "Imported: 1 created, 1 updated, 2 unchanged." in later.stdout, later.output
    assert "A new export layout" not in later.stderr  # remembered
    assert counted(district, Dossier) == 4
    assert counted(district, ImportSource) == 1
    assert counted(district, DossierImportRow) == 0
    with district.app_context(), session_factory()() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "dossiers_imported")
        ).all()
        assert [event.user_id for event in events] == [None, None]


def test_bad_rows_refuse_the_file_and_are_listed(
    district: Flask, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "ho-so.csv", rows(4, bad=2))
    refused = invoke(district, str(path), "--unit", "w", "--yes")
    assert refused.exit_code == 1
    assert "2 bad row(s): nothing was imported" in refused.stderr
    assert "row 4, Hình thức nộp: “Qua fax” is not a known channel" in refused.stderr
    assert counted(district, Dossier) == 0
    assert last_import(district).status == ImportStatus.CANCELLED
    skipped = invoke(district, str(path), "--unit", "w", "--yes", "--skip-bad-rows")
    assert skipped.exit_code == 0
    assert "2 created, 0 updated, 0 unchanged, 2 bad row(s) skipped" in skipped.stdout
    assert counted(district, Dossier) == 2


def test_nothing_is_applied_unless_confirmed(district: Flask, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "ho-so.csv", rows(2))
    refused_mapping = invoke(district, str(path), "--unit", "w", answers="n\n")
    assert refused_mapping.exit_code == 1
    assert counted(district, ImportSource) == counted(district, DossierImport) == 0
    declined = invoke(district, str(path), "--unit", "w", answers="y\nn\n")
    assert declined.exit_code == 1 and "Apply the import?" in declined.output
    assert counted(district, Dossier) == 0
    assert last_import(district).status == ImportStatus.CANCELLED


def test_rows_of_another_ward_are_problems(district: Flask, tmp_path: Path) -> None:
    headers = WITH_UNITS
    cells = rows(3, unit="w")
    cells[2][-1] = "v"
    path = write_csv(tmp_path / "ho-so.csv", cells, headers)
    as_ward = invoke(district, str(path), "--unit", "w", "--yes")
    assert as_ward.exit_code == 1
    assert "There is no unit “v” within your scope." in as_ward.stderr
    as_district = invoke(district, str(path), "--unit", "d", "--yes")
    assert "3 created" in as_district.stdout, as_district.output


def test_files_that_cannot_be_read_or_mapped(district: Flask, tmp_path: Path) -> None:
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a workbook")
    refused = invoke(district, str(broken), "--unit", "w", "--yes")
    assert refused.exit_code == 1 and "The Excel file is damaged" in refused.stderr
    headers = ("Mã hồ sơ", "Mã thủ tục", "Tên thủ tục", "Ngày tiếp nhận")
    unmapped = write_csv(
        tmp_path / "thieu.csv", [["HS-1", BIRTH, "x", "02/03/2026"]], headers
    )
    refused = invoke(district, str(unmapped), "--unit", "w", "--yes")
    assert refused.exit_code == 1
    assert "No column is chosen for the channel." in refused.stderr
    unknown = invoke(district, str(unmapped), "--unit", "nowhere")
    assert "no unit has the code 'nowhere'" in unknown.stderr
    without_unit = invoke(
        district, str(write_csv(tmp_path / "a.csv", rows(1))), "--yes"
    )
    assert "The file has no unit column" in without_unit.stderr
    assert counted(district, Dossier) == 0


def test_an_import_gives_its_dossiers_rating_codes_where_a_campaign_runs(
    district: Flask, tmp_path: Path
) -> None:
    with district.app_context(), session_factory().begin() as session:
        ward = session.scalar(select(Unit).where(Unit.code == "w"))
        make_campaign(session, unit=ward, mode="dossier", starts_on=date(2020, 1, 1))
    cells = rows(5, unit="w")
    for row in cells[3:]:
        row[-1] = "v"
    export = write_csv(tmp_path / "hai-phuong.csv", cells, WITH_UNITS)
    done = invoke(district, str(export), "--unit", "d", "--yes")
    assert done.exit_code == 0, done.output
    # Only the ward with a dossier campaign: the other one's wait for theirs.
    assert "Rating codes issued: 3." in done.stdout
    with district.app_context(), session_factory()() as session:
        coded = session.execute(
            select(Unit.code, func.count(Dossier.access_code_id))
            .join(Unit, Unit.id == Dossier.unit_id)
            .group_by(Unit.code)
            .order_by(Unit.code)
        ).all()
    assert coded == [("v", 0), ("w", 3)]
