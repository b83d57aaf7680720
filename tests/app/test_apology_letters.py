"""Apology letters on the staff side: drafting, the PDF, sending, access, counts."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from app.auth import CLOCK
from app.staff.apology import SENDERS
from surveys.models import (
    ApologyLetter,
    AuditEvent,
    Dossier,
    DossierChannel,
    LetterDelivery,
    Role,
    Unit,
    UnitKind,
)
from surveys.storage.recording import Submission, record_response
from tests.app.pdf_reading import read_pages
from tests.app.staff_client import csrf_token, log_in
from tests.builders import (
    make_code,
    make_counter_campaign,
    make_procedure,
    make_unit,
    make_user,
    unique,
)
from tests.surveys.dossiers.late import (
    NOW,
    add_applicant,
    at,
    letter_for,
    returned,
    still_open,
)
from tests.visual import assert_matches_reference, pdf_page_images

APPLICANT = "Nguyễn Thị Hồng Nhung"


class Ward:
    """Quận 1 > Phường Bến Nghé with two late dossiers, and a ward beside it."""

    def __init__(self, session: Session) -> None:
        self.district = make_unit(session, name="Quận 1", kind=UnitKind.DISTRICT)
        # A fixed code: the letter's number shows in its reference image.
        self.unit = make_unit(
            session, self.district, name="Phường Bến Nghé", code="p-ben-nghe"
        )
        self.other = make_unit(session, self.district, name="Phường Đa Kao")
        days = make_procedure(session, name="Đăng ký khai sinh")
        self.late = returned(
            session, self.unit, days, date(2026, 3, 9), code="HS-2026-0001"
        )
        self.overdue = still_open(
            session, self.unit, days, code="HS-2026-0002", channel=DossierChannel.ONLINE
        )
        add_applicant(session, self.late, APPLICANT)
        add_applicant(session, self.overdue, "Trần Văn Bình")
        elsewhere = returned(session, self.other, days, date(2026, 3, 10))
        add_applicant(session, elsewhere, "Lê Thị Khác")
        self.foreign_letter = letter_for(session, elsewhere)


@pytest.fixture
def ward(app: Flask, db_session: Session) -> Ward:
    app.extensions[CLOCK] = lambda: NOW
    built = Ward(db_session)
    db_session.commit()
    return built


def logged_in(app: Flask, session: Session, unit: Unit, role: Role) -> FlaskClient:
    client = app.test_client()
    user = make_user(session, unit, role)
    session.commit()
    assert log_in(client, user.username).status_code == 302
    return client


@pytest.fixture
def manager(app: Flask, db_session: Session, ward: Ward) -> FlaskClient:
    return logged_in(app, db_session, ward.unit, Role.UNIT_MANAGER)


def draft(client: FlaskClient, dossier: Dossier, **fields: str) -> TestResponse:
    path = f"/staff/dossiers/{dossier.id}/letter"
    form = {
        "csrf_token": csrf_token(client, path),
        "reason": "verification",
        "reason_text": "Chờ xác minh giấy tờ nhà đất",
        "new_return_on": "2026-04-08",
        "signer_title": "Phó Chủ tịch",
        "signer_name": "Võ Minh Ký",
    }
    return client.post(path, data=form | fields)


def letter_of(session: Session, dossier: Dossier) -> ApologyLetter:
    return session.scalars(
        select(ApologyLetter).where(ApologyLetter.dossier_id == dossier.id)
    ).one()


def pdftotext(pdf: bytes, folder: Path) -> str:
    """Read a PDF as a reader's tool does (poppler), layout kept."""
    if shutil.which("pdftotext") is None:
        message = "pdftotext is missing: apt-get install poppler-utils"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    path = folder / "letter.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    )
    return result.stdout


def test_a_manager_drafts_downloads_and_records_a_letter(
    manager: FlaskClient, db_session: Session, ward: Ward, tmp_path: Path
) -> None:
    listing = manager.get(f"/staff/units/{ward.unit.code}/letters")
    page = listing.get_data(as_text=True)
    assert listing.status_code == 200
    assert "HS-2026-0001" in page and "HS-2026-0002" in page
    assert APPLICANT in page and "Lê Thị Khác" not in page

    answer = draft(manager, ward.late)
    assert answer.status_code == 302
    letter = letter_of(db_session, ward.late)
    assert (letter.number, letter.reason_code) == (1, "verification")
    assert letter.new_return_on == date(2026, 4, 8)
    unsent = manager.get(answer.location).get_data(as_text=True)
    assert f"1/PXL-{ward.unit.code.upper()}" in unsent

    pdf = manager.get(f"/staff/letters/{letter.id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    [shown] = read_pages(pdf.data)
    text = shown.text
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
        "ỦY BAN NHÂN DÂN QUẬN 1",
        "ỦY BAN NHÂN DÂN PHƯỜNG BẾN NGHÉ",
        f"Số: 1/PXL-{ward.unit.code.upper()}",
        "Quận 1, ngày 01 tháng 4 năm 2026",
        f"Kính gửi: {APPLICANT}",
        "Mã hồ sơ: HS-2026-0001",
        "Đăng ký khai sinh",
        "ngày 02 tháng 3 năm 2026",  # received
        "ngày 05 tháng 3 năm 2026",  # due
        "Chờ xác minh giấy tờ nhà đất",
        "ngày 08 tháng 4 năm 2026",  # the new date
        "PHÓ CHỦ TỊCH",
        "Võ Minh Ký",
        "Nơi nhận:",
        "- Như trên;",
    ):
        assert expected in " ".join(text.split()), expected
    # As poppler reads it: the issuing body and the national name side by side.
    lines = pdftotext(pdf.data, tmp_path).splitlines()
    assert any(
        re.search(r"ỦY BAN NHÂN DÂN\s{2,}CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", line)
        for line in lines
    )
    assert any(
        "Xin trân trọng cảm ơn sự hợp tác của Ông/Bà./." in line for line in lines
    )
    assert_matches_reference(pdf_page_images(pdf.data)[0], "apology-letter")

    path = f"/staff/letters/{letter.id}/sent"
    sent = manager.post(
        path,
        data={
            "csrf_token": csrf_token(manager, f"/staff/units/{ward.unit.code}/letters"),
            "via": "post",
            "sent_on": "2026-04-01",
        },
    )
    assert sent.status_code == 302
    db_session.refresh(letter)
    assert (letter.sent_at, letter.sent_via) == (NOW, "post")
    actions = db_session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.object_type == "apology_letter",
            AuditEvent.object_id == str(letter.id),
        )
    )
    assert sorted(actions) == ["export", "letter_drafted", "letter_sent"]


def test_several_letters_print_one_a_page(
    manager: FlaskClient, db_session: Session, ward: Ward
) -> None:
    for dossier in (ward.late, ward.overdue):
        assert draft(manager, dossier).status_code == 302
    ids = [letter_of(db_session, d).id for d in (ward.late, ward.overdue)]
    answer = manager.get(
        f"/staff/units/{ward.unit.code}/letters.pdf",
        query_string=[("letter", str(i)) for i in ids],
    )
    assert answer.status_code == 200
    pages = read_pages(answer.data)
    assert [("HS-2026-0001" in p.text, "HS-2026-0002" in p.text) for p in pages] == [
        (True, False),
        (False, True),
    ]
    assert "Trần Văn Bình" in pages[1].text
    every_unsent = manager.get(f"/staff/units/{ward.unit.code}/letters.pdf?unsent=1")
    assert len(read_pages(every_unsent.data)) == 2
    event = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.id)
    ).first()
    assert event is not None
    assert event.detail["letters"] == ",".join(str(i) for i in ids)


def test_an_impossible_date_is_refused_on_the_form(
    manager: FlaskClient, db_session: Session, ward: Ward
) -> None:
    answer = draft(manager, ward.overdue, new_return_on="2026-04-11")  # a Saturday
    assert answer.status_code == 200
    assert "Ngày hẹn trả mới phải là ngày làm việc." in answer.get_data(as_text=True)
    assert (
        db_session.scalar(
            select(ApologyLetter.id).where(ApologyLetter.dossier_id == ward.overdue.id)
        )
        is None
    )


def test_the_form_proposes_a_working_day_and_the_last_signer(
    manager: FlaskClient, db_session: Session, ward: Ward
) -> None:
    assert draft(manager, ward.late).status_code == 302
    form = manager.get(f"/staff/dossiers/{ward.overdue.id}/letter")
    page = form.get_data(as_text=True)
    # Wednesday 01/04 and three working days: Monday 06/04.
    assert 'value="2026-04-06"' in page
    assert 'value="Phó Chủ tịch"' in page and "Trần Văn Bình" in page


def test_another_units_letters_and_dossiers_are_not_found(
    manager: FlaskClient, ward: Ward
) -> None:
    foreign = ward.foreign_letter.id
    assert manager.get(f"/staff/letters/{foreign}.pdf").status_code == 404
    batch = f"/staff/units/{ward.unit.code}/letters.pdf?letter={foreign}"
    assert manager.get(batch).status_code == 404
    token = csrf_token(manager, "/staff/")
    sent = manager.post(
        f"/staff/letters/{foreign}/sent",
        data={"csrf_token": token, "via": "sms", "sent_on": "2026-04-01"},
    )
    assert sent.status_code == 404
    assert (
        manager.get(
            f"/staff/dossiers/{ward.foreign_letter.dossier_id}/letter"
        ).status_code
        == 404
    )
    assert manager.get(f"/staff/units/{ward.other.code}/letters").status_code == 404


def test_a_viewer_sees_counts_and_never_a_name(
    app: Flask, db_session: Session, ward: Ward
) -> None:
    viewer = logged_in(app, db_session, ward.district, Role.VIEWER)
    for path in (
        f"/staff/units/{ward.unit.code}/letters",
        f"/staff/dossiers/{ward.late.id}/letter",
        f"/staff/letters/{ward.foreign_letter.id}.pdf",
    ):
        assert viewer.get(path).status_code == 403
    board = viewer.get(f"/staff/units/{ward.district.code}/dashboard")
    page = board.get_data(as_text=True)
    assert board.status_code == 200
    assert "Hồ sơ trễ hạn và phiếu xin lỗi" in page
    for name in (APPLICANT, "Trần Văn Bình", "Lê Thị Khác"):
        assert name not in page


def counts(client: FlaskClient, ward: Ward) -> dict[str, str]:
    page = client.get(f"/staff/units/{ward.district.code}/dashboard")
    row = re.search(
        rf'<tr id="letters-unit-{ward.unit.id}">(.*?)</tr>',
        page.get_data(as_text=True),
        re.S,
    )
    assert row is not None
    cells = re.findall(r'<td class="([a-z-]+)">([^<]*)</td>', row.group(1))
    return dict(cells)


def test_the_dashboard_counts_follow_the_letters(
    app: Flask, db_session: Session, ward: Ward
) -> None:
    district = logged_in(app, db_session, ward.district, Role.DISTRICT)
    assert counts(district, ward) == {
        "without-letter": "2",
        "unsent": "0",
        "sent-after-return": "0",
    }
    assert draft(district, ward.late).status_code == 302
    assert counts(district, ward)["without-letter"] == "1"
    assert counts(district, ward)["unsent"] == "1"
    letter = letter_of(db_session, ward.late)
    # Returned on Monday 09/03, the letter was sent on 01/04: after the return.
    district.post(
        f"/staff/letters/{letter.id}/sent",
        data={
            "csrf_token": csrf_token(district, "/staff/"),
            "via": "in_person",
            "sent_on": "2026-04-01",
        },
    )
    assert counts(district, ward) == {
        "without-letter": "1",
        "unsent": "0",
        "sent-after-return": "1",
    }


def test_no_export_carries_an_applicants_data(app: Flask, db_session: Session) -> None:
    campaign, point = make_counter_campaign(db_session)
    ward = campaign.unit
    district = make_unit(db_session, name="Quận 1", kind=UnitKind.DISTRICT)
    ward.parent = district
    counter = make_code(db_session, campaign, kind="standing", service_point=point)
    for number in range(12):
        answers = {"overall": str(number % 5 + 1), "comment": "Phục vụ tốt"}
        submission = Submission(counter.token, unique("s"), answers)
        record_response(db_session, submission, at(date(2026, 3, 9 + number % 5)))
    days = make_procedure(db_session)
    for dossier in (
        returned(db_session, ward, days, date(2026, 3, 9)),
        still_open(db_session, ward, days),
    ):
        add_applicant(db_session, dossier, "Hoàng Thị Bí Mật")
    client = logged_in(app, db_session, district, Role.DISTRICT)
    query = {"campaign": campaign.key, "period": "2026"}
    for unit, scope in ((ward, "unit"), (district, "district")):
        for kind in ("pdf", "xlsx", "csv"):
            path = f"/staff/reports/units/{unit.code}/{scope}.{kind}"
            answer = client.get(path, query_string=query)
            assert answer.status_code == 200, path
            shown = readable(answer.data, kind)
            assert "2026" in shown, path  # the period's data is there
            for private in ("Hoàng Thị Bí Mật", "0903123456", "nhung@example.vn"):
                assert private not in shown, (path, private)


def readable(body: bytes, kind: str) -> str:
    """Return the text of a downloaded report, whatever its format."""
    if kind == "pdf":
        return " ".join(page.text for page in read_pages(body))
    if kind == "xlsx":
        book = load_workbook(io.BytesIO(body))
        return " ".join(
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    return body.decode("utf-8-sig")


def test_a_sender_named_in_the_settings_sends_the_pdf(
    app: Flask, manager: FlaskClient, db_session: Session, ward: Ward
) -> None:
    app.config["LETTER_SENDERS"] = {
        "email": "tests.surveys.dossiers.test_sending:make_gateway"
    }
    assert draft(manager, ward.overdue).status_code == 302
    letter = letter_of(db_session, ward.overdue)
    manager.post(
        f"/staff/letters/{letter.id}/sent",
        data={
            "csrf_token": csrf_token(manager, "/staff/"),
            "via": "email",
            "sent_on": "2026-04-01",
        },
    )
    gateway = app.extensions[SENDERS].for_channel(LetterDelivery.EMAIL)
    [delivery] = gateway.sent
    assert delivery.recipient is not None
    assert delivery.recipient.name == "Trần Văn Bình"
    [document] = gateway.documents
    [printed] = read_pages(document)
    assert "Mã hồ sơ: HS-2026-0002" in printed.text
    db_session.refresh(letter)
    assert letter.sent_via == "email"
