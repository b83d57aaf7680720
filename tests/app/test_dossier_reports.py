"""The dossier section of the unit and district reports, read back from PDF and XLSX."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from app.reports.data import district_report, unit_report
from app.reports.pdf import district_report_pdf, unit_report_pdf
from app.reports.xlsx import district_report_xlsx, unit_report_xlsx
from surveys.dossiers.timing import local_instant
from surveys.models import Campaign, DossierChannel, DossierStatus, Unit, UnitKind
from tests.app.pdf_reading import read_pages
from tests.builders import (
    make_counter_campaign,
    make_dossier,
    make_procedure,
    make_unit,
)


def vn(day: date, hour: int = 9) -> datetime:
    return local_instant(day, hour * 60)


@dataclass(frozen=True)
class Wards:
    campaign: Campaign
    district: Unit
    ward: Unit
    other: Unit


@pytest.fixture(autouse=True)
def _app_context(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield


def returned(
    session: Session,
    unit: Unit,
    received: date,
    due: date,
    back: date,
    **fields: object,
) -> None:
    make_dossier(
        session,
        unit,
        vn(received),
        make_procedure(session),
        due=vn(due, 17),
        returned_at=vn(back, 10),
        status=DossierStatus.RETURNED,
        **fields,
    )


@pytest.fixture
def wards(db_session: Session) -> Wards:
    """Ward: in 2026-Q1 five received online and digitised, four returned
    (three in time, one late), one left open, due 05/03. Other ward: in
    2026-Q2 two received at the counter and returned in time."""
    campaign, _ = make_counter_campaign(db_session)
    ward = campaign.unit
    district = make_unit(db_session, name="Quận Thử", kind=UnitKind.DISTRICT)
    ward.parent = district
    other = make_unit(db_session, parent=district, name="Phường Bên Kia")
    online = {"channel": DossierChannel.ONLINE, "digitised": True}
    january, february = date(2026, 1, 5), date(2026, 2, 2)
    returned(db_session, ward, january, date(2026, 1, 8), date(2026, 1, 7), **online)
    returned(db_session, ward, january, date(2026, 1, 8), date(2026, 1, 8), **online)
    returned(db_session, ward, february, date(2026, 2, 5), date(2026, 2, 5), **online)
    returned(db_session, ward, february, date(2026, 2, 5), date(2026, 2, 9), **online)
    make_dossier(
        db_session, ward, vn(date(2026, 3, 2)), due=vn(date(2026, 3, 5), 17), **online
    )
    april = date(2026, 4, 1)
    returned(db_session, other, april, date(2026, 4, 8), date(2026, 4, 6))
    returned(db_session, other, april, date(2026, 4, 8), date(2026, 4, 7))
    return Wards(campaign, district, ward, other)


def text_of(pdf: bytes) -> str:
    return " ".join(page.text for page in read_pages(pdf))


def test_the_unit_report_has_its_dossier_section(
    db_session: Session, wards: Wards
) -> None:
    report = unit_report(db_session, wards.ward, wards.campaign, "2026")
    section = report.dossiers
    assert section is not None
    # Read as the unit's register stood at its latest event: the receipt of
    # 02/03/2026, when the dossier due 05/03 was not overdue yet.
    assert section.as_of == vn(date(2026, 3, 2))
    assert section.quarters == ["2026-Q1"]
    assert section.overdue == 0
    shown = text_of(unit_report_pdf(report))
    assert "Hồ sơ thủ tục hành chính" in shown
    assert "Tiến độ giải quyết" in shown and "75,0%" in shown
    assert "không đo được từ dữ liệu hồ sơ" in shown

    book = load_workbook(io.BytesIO(unit_report_xlsx(report)))
    assert {"Hồ sơ đúng hạn", "Chỉ số phục vụ", "Điểm chỉ số"} <= set(book.sheetnames)
    rows = list(book["Chỉ số phục vụ"].iter_rows(values_only=True))
    heading = rows[0]
    progress = next(row for row in rows if row[1] == "Tiến độ giải quyết")
    record = dict(zip(heading, progress, strict=True))
    assert (record["Tử số"], record["Mẫu số"]) == (3, 4)
    assert record["Tỷ lệ"] == pytest.approx(0.75)
    assert record["Chỉ tiêu"] == pytest.approx(1.0)
    assert record["Kết quả"] == "Chưa đạt"


def test_the_district_report_has_each_units_indicators_and_points(
    db_session: Session, wards: Wards
) -> None:
    report = district_report(db_session, wards.district, wards.campaign, "2026")
    section = report.dossiers
    assert section is not None
    # The district's register ends with the return of 07/04/2026: by then the
    # ward's dossier due 05/03 is overdue.
    assert section.as_of == vn(date(2026, 4, 7), 10)
    assert section.quarters == ["2026-Q1", "2026-Q2"]
    assert section.overdue == 1
    whole = section.timeliness[section.timeliness["whole"]]
    assert whole[["period", "returned", "in_time"]].values.tolist() == [
        ["2026-Q1", 4, 3],
        ["2026-Q2", 2, 2],
    ]
    shown = text_of(district_report_pdf(report))
    assert "Tất cả đơn vị" in shown and "Phường Bên Kia" in shown
    # Vietnamese writes decimals with a comma (Babel's vi locale).
    assert "75,0%" in shown and "100,0%" in shown

    book = load_workbook(io.BytesIO(district_report_xlsx(report)))
    rows = list(book["Chỉ số phục vụ"].iter_rows(values_only=True))
    heading = rows[0]
    records = [dict(zip(heading, row, strict=True)) for row in rows[1:] if row[0]]
    online = {
        (record["Quý"], record["Đơn vị"]): (record["Tử số"], record["Mẫu số"])
        for record in records
        if record["Nhóm chỉ số"] == "Dịch vụ công trực tuyến"
    }
    assert online == {
        ("2026-Q1", "Phường Thử"): (5, 5),
        ("2026-Q1", "Tất cả đơn vị"): (5, 5),
        ("2026-Q2", "Phường Bên Kia"): (0, 2),
        ("2026-Q2", "Tất cả đơn vị"): (0, 2),
        # The ward's dossier, open and overdue, keeps it in Q2's table.
        ("2026-Q2", "Phường Thử"): (0, 0),
    }
    points = list(book["Điểm chỉ số"].iter_rows(values_only=True))
    overdue = {(row[0], row[1]): row[5] for row in points[1:]}
    assert overdue[("2026-Q2", "Tất cả đơn vị")] == 1
    assert overdue[("2026-Q1", "Phường Thử")] == 1


def test_each_download_is_the_same_bytes_from_the_same_data(
    db_session: Session, wards: Wards
) -> None:
    def files() -> tuple[bytes, bytes]:
        report = district_report(db_session, wards.district, wards.campaign, "2026")
        return district_report_pdf(report), district_report_xlsx(report)

    assert files() == files()


def test_a_unit_without_dossiers_has_no_section(
    db_session: Session, wards: Wards
) -> None:
    campaign, _ = make_counter_campaign(db_session)
    report = unit_report(db_session, campaign.unit, campaign, "2026")
    assert report.dossiers is None
    book = load_workbook(io.BytesIO(unit_report_xlsx(report)))
    assert "Chỉ số phục vụ" not in book.sheetnames
