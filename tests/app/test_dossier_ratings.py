"""Dossier ratings through the Flask client: codes, slips, linked ratings, the split."""

from __future__ import annotations

import csv
import io
import re
import subprocess
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.printing import qr_png, survey_url
from app.reports.csv import responses_csv
from app.reports.data import district_report, unit_report
from app.reports.pdf import district_report_pdf, unit_report_pdf
from app.reports.xlsx import unit_report_xlsx
from surveys.access.codes import format_token
from surveys.access.privacy import dossier_hash, dossier_key
from surveys.exchange.dataset import RECORD_COLUMNS
from surveys.models import (
    AccessCode,
    Answer,
    AuditEvent,
    Campaign,
    Dossier,
    DossierStatus,
    Procedure,
    Response,
    Role,
    Unit,
    UnitKind,
    User,
    utcnow,
)
from surveys.questionnaire.versions import shipped_template, store_questionnaire
from tests.app.pdf_reading import read_pages
from tests.app.staff_client import csrf_token, log_in
from tests.app.test_printing import pdf_modules, png_modules
from tests.app.test_survey import rate
from tests.builders import (
    make_campaign,
    make_code,
    make_dossier,
    make_procedure,
    make_rated_dossier,
    make_unit,
    make_user,
)

#: The key the app (SECRET_KEY "test-secret-key") hashes dossier codes with.
APP_KEY = dossier_key("test-secret-key")
BASE = "http://127.0.0.1:5000"


@dataclass
class Place:
    district: Unit
    ward: Unit
    campaign: Campaign
    procedure: Procedure
    manager: User
    viewer: User


@pytest.fixture
def place(db_session: Session) -> Place:
    """A district with a ward, a dossier campaign of the dossier questionnaire."""
    district = make_unit(db_session, name="Quận Thử", kind=UnitKind.DISTRICT)
    ward = make_unit(db_session, district, name="Phường Một")
    stored = store_questionnaire(db_session, shipped_template("dossier")).stored
    campaign = make_campaign(
        db_session,
        unit=district,
        mode="dossier",
        questionnaire=stored,
        starts_on=date(2026, 1, 1),
    )
    place = Place(
        district,
        ward,
        campaign,
        make_procedure(db_session, name="Đăng ký khai sinh"),
        make_user(db_session, ward),
        make_user(db_session, ward, Role.VIEWER),
    )
    db_session.commit()
    return place


def dossier(session: Session, place: Place, code: str, **fields: object) -> Dossier:
    received = utcnow() - timedelta(days=20)
    return make_dossier(
        session, place.ward, received, place.procedure, code=code, **fields
    )


def post(client: FlaskClient, path: str, unit: Unit, **data: str):
    token = csrf_token(client, f"/staff/units/{unit.code}")
    return client.post(path, data={"csrf_token": token, **data})


def page_text(client: FlaskClient, unit: Unit) -> str:
    return client.get(f"/staff/units/{unit.code}").get_data(as_text=True)


def test_a_manager_issues_the_dossier_codes_from_the_units_page(
    client: FlaskClient, place: Place, db_session: Session
) -> None:
    for code in ("HS-001", "HS-002"):
        dossier(db_session, place, code)
    dossier(db_session, place, "HS-RUT", status=DossierStatus.WITHDRAWN)
    db_session.commit()
    log_in(client, place.manager.username)
    assert "2 hồ sơ chưa có mã đánh giá." in page_text(client, place.ward)

    issued = post(
        client, f"/staff/units/{place.district.code}/dossiers/rating-codes", place.ward
    )

    assert issued.status_code == 404  # the district is not the manager's
    issued = post(
        client, f"/staff/units/{place.ward.code}/dossiers/rating-codes", place.ward
    )
    assert issued.status_code == 302
    text = page_text(client, place.ward)
    assert "Đã phát mã đánh giá cho 2 hồ sơ." in text
    assert "0 hồ sơ chưa có mã đánh giá." in text
    codes = db_session.execute(
        select(Dossier.code, AccessCode.dossier_hash)
        .join(AccessCode, AccessCode.id == Dossier.access_code_id)
        .order_by(Dossier.code)
    ).all()
    assert codes == [(c, dossier_hash(APP_KEY, c)) for c in ("HS-001", "HS-002")]
    (event,) = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "codes_issued")
    )
    assert (event.user_id, event.object_id) == (place.manager.id, place.ward.code)
    assert event.detail["dossiers"] == 2
    again = post(
        client, f"/staff/units/{place.ward.code}/dossiers/rating-codes", place.ward
    )
    assert again.status_code == 302
    assert "Mọi hồ sơ đã có mã đánh giá." in page_text(client, place.ward)


def test_without_a_dossier_campaign_the_page_says_why(
    client: FlaskClient, place: Place, db_session: Session
) -> None:
    place.campaign.ends_on = place.campaign.starts_on
    dossier(db_session, place, "HS-001")
    db_session.commit()
    log_in(client, place.manager.username)

    post(client, f"/staff/units/{place.ward.code}/dossiers/rating-codes", place.ward)

    assert "Chưa có đợt khảo sát theo hồ sơ" in page_text(client, place.ward)
    assert db_session.scalar(select(func.count(AccessCode.id))) == 0


def test_a_viewer_may_not_issue_codes_nor_print_slips(
    client: FlaskClient, place: Place, db_session: Session
) -> None:
    dossier(db_session, place, "HS-001")
    db_session.commit()
    log_in(client, place.viewer.username)
    assert "Phát mã đánh giá cho hồ sơ" not in page_text(client, place.ward)
    for action in ("rating-codes", "slips"):
        answer = post(
            client,
            f"/staff/units/{place.ward.code}/dossiers/{action}",
            place.ward,
            dossiers="HS-001",
        )
        assert answer.status_code == 403
    assert db_session.scalar(select(func.count(AccessCode.id))) == 0


def test_result_slips_carry_each_dossiers_code_qr_and_invitation(
    client: FlaskClient, app: Flask, place: Place, db_session: Session
) -> None:
    app.config["PUBLIC_BASE_URL"] = BASE
    for code in ("HS-001", "HS-002"):
        dossier(db_session, place, code)
    db_session.commit()
    log_in(client, place.manager.username)

    slips = post(
        client,
        f"/staff/units/{place.ward.code}/dossiers/slips",
        place.ward,
        dossiers="HS-002\r\n HS-001 \r\n",
    )

    assert slips.status_code == 200 and slips.mimetype == "application/pdf"
    tokens = dict(
        db_session.execute(
            select(Dossier.code, AccessCode.token).join(
                AccessCode, AccessCode.id == Dossier.access_code_id
            )
        ).all()
    )
    pdf_text = subprocess.run(
        ["pdftotext", "-", "-"], input=slips.data, capture_output=True, check=True
    ).stdout.decode()
    text = " ".join(pdf_text.split())  # lines wrap where a cell ends
    assert "Mời Ông/Bà quét mã để đánh giá việc giải quyết hồ sơ này" in text
    assert "Please scan the code to rate how this dossier was handled" in text
    # Cell by cell, in the order the codes were typed.
    (page,) = read_pages(slips.data)
    cells = [page.strings[i:] for i, s in enumerate(page.strings) if s == "Phường Một"]
    assert [cell[2] for cell in cells] == ["HS-002", "HS-001"]
    for cell in cells:
        token = tokens[cell[2]]
        assert cell[1:6] == [
            "Mã hồ sơ / Dossier code:",
            cell[2],
            "Đăng ký khai sinh",
            format_token(token),
            survey_url(BASE, token),
        ]
    (event,) = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "export")
    )
    assert event.detail["document"] == "result_slips"

    one = post(
        client,
        f"/staff/units/{place.ward.code}/dossiers/slips",
        place.ward,
        dossiers="HS-001",
    )
    (page,) = read_pages(one.data)
    url = survey_url(BASE, tokens["HS-001"])
    assert pdf_modules(page.rects) == png_modules(qr_png(url))  # scans to its code


def test_slips_refuse_codes_of_no_dossier_of_the_unit(
    client: FlaskClient, place: Place, db_session: Session
) -> None:
    dossier(db_session, place, "HS-001")
    db_session.commit()
    log_in(client, place.manager.username)

    refused = post(
        client,
        f"/staff/units/{place.ward.code}/dossiers/slips",
        place.ward,
        dossiers="HS-001\nHS-NONE",
    )

    assert refused.status_code == 302
    assert "mang mã: HS-NONE" in page_text(client, place.ward)
    assert db_session.scalar(select(func.count(AccessCode.id))) == 0


def test_a_rating_through_a_slip_reaches_its_dossier_and_keeps_no_dossier_code(
    client: FlaskClient, place: Place, db_session: Session
) -> None:
    rated = dossier(db_session, place, "HS-2026-000123")
    db_session.commit()
    log_in(client, place.manager.username)
    post(client, f"/staff/units/{place.ward.code}/dossiers/rating-codes", place.ward)
    db_session.refresh(rated)
    token = rated.access_code.token
    assert 'name="dossier_code"' not in client.get(f"/s/{token}").get_data(as_text=True)

    # A forged field is dropped like any answer to a question not asked.
    sent, _ = rate(client, token, {"overall": "5", "dossier_code": "HS-2026-000123"})

    assert sent.status_code == 303
    response = db_session.scalar(select(Response))
    assert response.access_code_id == rated.access_code_id and response.verified
    answers = db_session.execute(
        select(Answer.question, Answer.value_text).where(
            Answer.response_id == response.id
        )
    ).all()
    assert ("overall", None) in answers
    assert all(q != "dossier_code" and t != rated.code for q, t in answers)
    # Whoever has only the export can tie no row to a dossier.
    typed = make_code(db_session, place.campaign, unit=place.ward)
    db_session.commit()
    rate(client, typed.token, {"overall": "2", "dossier_code": "HS-TYPED-9"})
    exported = b"".join(responses_csv(db_session, place.campaign, None, None))
    content = exported.decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(content)))
    questions = [
        q.name
        for q in shipped_template("dossier").questions
        if q.type.takes_answer and q.name != "dossier_code"
    ]
    assert header == [*RECORD_COLUMNS, *questions] and len(rows) == 2
    for secret in (rated.code, "HS-TYPED-9", token, format_token(token)):
        assert secret not in content


def returned_and_rated(
    session: Session, place: Place, scores: list[int], *, late: bool
) -> None:
    """Dossiers of the ward returned in the last weeks, before or after their due."""
    now = utcnow()
    due = now - timedelta(days=12)
    back = now - timedelta(days=14 if not late else 1)
    for score in scores:
        make_rated_dossier(
            session,
            place.ward,
            score,
            now - timedelta(days=25),
            place.procedure,
            due=due,
            returned_at=back,
            status=DossierStatus.RETURNED,
        )


def cells(html: str) -> list[list[str]]:
    """Read the rows of the unit page's dossier satisfaction table."""
    table = re.search(r'<table id="dossier-satisfaction">.*?</table>', html, re.S)
    assert table, "no dossier satisfaction table"
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>.*?</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", table.group(0), re.S)
    ]


def test_the_units_page_splits_satisfaction_by_return_on_time_or_late(
    client: FlaskClient, place: Place, db_session: Session
) -> None:
    returned_and_rated(db_session, place, [5, 4, 4, 5, 2], late=False)
    returned_and_rated(db_session, place, [1, 4], late=True)
    db_session.commit()
    log_in(client, place.viewer.username)

    header, in_time, late = cells(page_text(client, place.ward))

    assert header[:3] == [
        "Hồ sơ được đánh giá",
        "Số phiếu (n)",
        "Điểm trung bình (1–5)",
    ]
    assert in_time[:3] == ["Trả đúng hạn hoặc sớm", "5", "4,00"]
    assert in_time[5] == "80,0%"
    assert late[:3] == ["Trả trễ hạn", "2", ""]
    assert late[-1] == "Dưới 5 phiếu: không công bố"


def test_reports_show_satisfaction_by_return_on_time_or_late(
    app: Flask, place: Place, db_session: Session
) -> None:
    other = make_unit(db_session, place.district, name="Phường Hai")
    returned_and_rated(db_session, place, [5, 4, 4, 5, 2], late=False)
    make_rated_dossier(
        db_session, other, 3, utcnow() - timedelta(days=25), place.procedure
    )
    period = str(utcnow().year)
    context = app.app_context()  # reports are written with the app's catalogues
    context.push()

    report = unit_report(db_session, place.ward, place.campaign, period)
    text = " ".join(page.text for page in read_pages(unit_report_pdf(report)))
    assert "Hài lòng theo hạn trả hồ sơ" in text
    assert "Trả đúng hạn hoặc sớm" in text and "80,0%" in text
    book = load_workbook(io.BytesIO(unit_report_xlsx(report)))
    rows = list(book["Hài lòng theo hạn trả hồ sơ"].iter_rows(values_only=True))
    assert rows[1][:3] == ("Trả đúng hạn hoặc sớm", 5, 4.0)
    assert rows[1][5] == pytest.approx(0.8)
    assert rows[2][:2] == ("Trả trễ hạn", 0)

    whole = district_report(db_session, place.district, place.campaign, period)
    table = whole.dossier_ratings
    # The other ward's dossier is still open: only returned dossiers count.
    assert table["unit_name"].tolist() == ["Phường Một", "Phường Một", None, None]
    text = " ".join(page.text for page in read_pages(district_report_pdf(whole)))
    assert "Tất cả đơn vị" in text
    context.pop()
