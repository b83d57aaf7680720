"""The case section of the dashboard and of the unit and district reports."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from app.reports.data import district_report, unit_report
from app.reports.pdf import district_report_pdf, unit_report_pdf
from app.reports.xlsx import district_report_xlsx, unit_report_xlsx
from surveys.cases.workflow import Action, Step, apply
from surveys.dossiers.timing import local_instant
from surveys.models import Campaign, FeedbackCase, Role, Unit, UnitKind, User, utcnow
from tests.app.pdf_reading import read_pages
from tests.app.staff_client import log_in
from tests.builders import make_case, make_counter_campaign, make_unit, make_user

#: A case text that must never reach a report.
SECRET = "Ông Trần Văn Bí mật, số nhà 12"


def vn(day: date, hour: int = 9) -> datetime:
    return local_instant(day, hour * 60)


@dataclass(frozen=True)
class Wards:
    campaign: Campaign
    district: Unit
    ward: Unit
    other: Unit
    manager: User


@pytest.fixture(autouse=True)
def _app_context(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield


def answer(session: Session, case: FeedbackCase, user: User, at: datetime) -> None:
    apply(session, case, Action.ASSIGN, user, Step(handler=user), now=at)
    apply(session, case, Action.START, user, now=at)
    step = Step(text="Đã xử lý.")
    apply(session, case, Action.SUBMIT_ANSWER, user, step, review=False, now=at)


@pytest.fixture
def wards(db_session: Session) -> Wards:
    """Ward: three cases of 2 March 2026, one answered in time, one a day
    late, one never (overdue at the quarter's end). Other ward: one case of
    April answered in time."""
    campaign, _ = make_counter_campaign(db_session)
    ward = campaign.unit
    district = make_unit(db_session, name="Quận Thử", kind=UnitKind.DISTRICT)
    ward.parent = district
    other = make_unit(db_session, parent=district, name="Phường Bên Kia")
    manager = make_user(db_session, district, Role.DISTRICT)
    handler = make_user(db_session, ward, Role.UNIT_MANAGER)
    cases = [
        make_case(db_session, ward, received=vn(date(2026, 3, 2)), text=SECRET)
        for _ in range(3)
    ]
    answer(db_session, cases[0], handler, vn(date(2026, 3, 10)))
    answer(db_session, cases[1], handler, vn(date(2026, 3, 17)))
    late = make_case(db_session, other, received=vn(date(2026, 4, 1)))
    answer(db_session, late, make_user(db_session, other), vn(date(2026, 4, 2)))
    return Wards(campaign, district, ward, other, manager)


def text_of(pdf: bytes) -> str:
    return " ".join(page.text for page in read_pages(pdf))


def records(book_bytes: bytes) -> list[dict[str, object]]:
    sheet = load_workbook(io.BytesIO(book_bytes))["Phản ánh, kiến nghị theo quý"]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:] if row[1]]


def test_the_unit_report_counts_its_cases_with_rates_and_n(
    db_session: Session, wards: Wards
) -> None:
    report = unit_report(db_session, wards.ward, wards.campaign, "2026")
    section = report.cases
    assert section is not None
    # A past year's report counts as the year ended, whenever it is made.
    assert section.quarters == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert section.overdue == 1
    shown = text_of(unit_report_pdf(report))
    assert "Phản ánh, kiến nghị" in shown and "50,0%" in shown
    assert SECRET not in shown
    book = unit_report_xlsx(report)
    row, *_ = records(book)
    assert row["Quý"] == "2026-Q1"
    assert (row["Tiếp nhận"], row["Đã trả lời"], row["Trả lời đúng hạn"]) == (3, 2, 1)
    assert row["Tỷ lệ đúng hạn (trên số đã trả lời)"] == pytest.approx(0.5)
    # The unanswered case stays overdue at the end of every quarter since.
    assert row["Tồn đọng, trễ hạn cuối quý"] == 1
    second = section.table[section.table["quarter"] == "2026-Q2"].iloc[0]
    assert (second["received"], second["overdue_at_end"]) == (0, 1)
    assert SECRET not in str(load_workbook(io.BytesIO(book))._sheets)


def test_the_district_report_has_each_units_quarters_and_all_together(
    db_session: Session, wards: Wards
) -> None:
    report = district_report(db_session, wards.district, wards.campaign, "2026")
    section = report.cases
    assert section is not None and section.quarters[:2] == ["2026-Q1", "2026-Q2"]
    found = {
        (row["Quý"], row["Đơn vị"]): (
            row["Tiếp nhận"],
            row["Đã trả lời"],
            row["Tồn đọng, trễ hạn cuối quý"],
        )
        for row in records(district_report_xlsx(report))
    }
    assert found[("2026-Q1", "Tất cả đơn vị")] == (3, 2, 1)
    assert found[("2026-Q1", "Quận Thử")] == (3, 2, 1)
    assert found[("2026-Q2", "Phường Bên Kia")] == (1, 1, 0)
    shown = text_of(district_report_pdf(report))
    assert "Tồn đọng, trễ hạn cuối quý" in shown and SECRET not in shown


def test_the_dashboard_shows_the_case_box(
    client: FlaskClient, db_session: Session, wards: Wards
) -> None:
    make_case(db_session, wards.ward, received=utcnow(), text=SECRET)
    db_session.commit()
    log_in(client, wards.manager.username)
    page = client.get(f"/staff/units/{wards.district.code}/dashboard")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="case-quarters"' in body and 'id="case-units"' in body
    assert SECRET not in body
