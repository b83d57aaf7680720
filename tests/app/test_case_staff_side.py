"""The staff side of intake: the files of a case, the contact, a comment made a case."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask, render_template
from flask.testing import FlaskClient
from flask_login import login_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import StaffUser
from surveys.access.audit import AuditAction
from surveys.cases.attachments import FOLDER, Upload, check_uploads, stage
from surveys.cases.contacts import ContactDetails, keep_contact
from surveys.comments.moderation import hide_comment
from surveys.models import (
    AuditEvent,
    CaseAttachment,
    FeedbackCase,
    Role,
    Unit,
    UnitKind,
    User,
)
from tests.app.staff_client import csrf_token, log_in
from tests.builders import make_case, make_category, make_unit, make_user
from tests.surveys.cases.files import pdf, picture
from tests.surveys.cases.ratings import counter_rating


@pytest.fixture
def wards(db_session: Session) -> tuple[Unit, Unit]:
    district = make_unit(db_session, name="Quận Thử", kind=UnitKind.DISTRICT)
    return make_unit(db_session, district), make_unit(db_session, district)


def case_with_files(app: Flask, session: Session, ward: Unit) -> FeedbackCase:
    case = make_case(session, ward)
    files = check_uploads(
        [Upload("Ảnh hiện trường.exe", picture("PNG")), Upload("don.pdf", pdf())]
    )
    staged = stage(session, case, files, Path(app.instance_path) / FOLDER)
    keep_contact(
        session, case, ContactDetails("Lê Văn Cường", "0912 345 678", "", True)
    )
    session.commit()
    staged.keep()
    return case


def staff_client(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    assert log_in(client, user.username).status_code == 302
    return client


def test_the_units_staff_download_a_file_as_an_attachment_and_it_is_audited(
    app: Flask, db_session: Session, wards: tuple[Unit, Unit]
) -> None:
    ward, other = wards
    case = case_with_files(app, db_session, ward)
    other_case = case_with_files(app, db_session, other)
    viewer = make_user(db_session, ward, Role.VIEWER)
    db_session.commit()
    client = staff_client(app, viewer)
    first = case_attachment_ids(db_session, case)[0]
    with client.get(f"/staff/cases/{case.id}/files/{first}") as answer:
        assert answer.status_code == 200
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        disposition = answer.headers["Content-Disposition"]
        # The name keeps its stem; its ending is what the bytes are.
        assert disposition.startswith("attachment;") and ".png" in disposition
        assert ".exe" not in disposition
        assert answer.mimetype == "image/png"
        assert answer.data.startswith(b"\x89PNG")
    event = db_session.scalar(
        select(AuditEvent).where(AuditEvent.action == AuditAction.CASE_FILE_READ)
    )
    assert event is not None and event.object_id == case.tracking_code
    assert event.user_id == viewer.id
    # Another ward's case, or a file of another case under this one: not found.
    foreign = case_attachment_ids(db_session, other_case)[0]
    assert (
        client.get(f"/staff/cases/{other_case.id}/files/{foreign}").status_code == 404
    )
    assert client.get(f"/staff/cases/{case.id}/files/{foreign}").status_code == 404


def case_attachment_ids(session: Session, case: FeedbackCase) -> list[int]:
    return list(
        session.scalars(
            select(CaseAttachment.id)
            .where(CaseAttachment.case_id == case.id)
            .order_by(CaseAttachment.id)
        )
    )


def render_partials(app: Flask, user: User, case: FeedbackCase) -> str:
    with app.test_request_context("/staff/"):
        login_user(StaffUser(user))
        return render_template("staff/cases/_files.html", case=case) + render_template(
            "staff/cases/_contact.html", case=case
        )


def test_the_partials_list_the_files_and_show_the_contact_to_managers_only(
    app: Flask, db_session: Session, wards: tuple[Unit, Unit]
) -> None:
    ward, _ = wards
    case = case_with_files(app, db_session, ward)
    manager = make_user(db_session, ward, Role.UNIT_MANAGER)
    viewer = make_user(db_session, ward, Role.VIEWER)
    shown = render_partials(app, manager, case)
    assert shown.count(f"/staff/cases/{case.id}/files/") == 2
    assert "Ảnh hiện trường.exe" in shown and "Lê Văn Cường" in shown
    hidden = render_partials(app, viewer, case)
    assert "don.pdf" in hidden
    assert "Lê Văn Cường" not in hidden and "0912 345 678" not in hidden


def test_a_manager_turns_a_dashboard_comment_into_a_case_once(
    app: Flask, db_session: Session
) -> None:
    make_category(db_session)
    response = counter_rating(db_session, 1, "Quầy đóng cửa sớm <i>30 phút</i>.")
    ward = db_session.get(Unit, response.unit_id)
    manager = make_user(db_session, ward, Role.UNIT_MANAGER)
    viewer = make_user(db_session, ward, Role.VIEWER)
    stranger = make_user(db_session, make_unit(db_session), Role.UNIT_MANAGER)
    db_session.commit()
    client = staff_client(app, manager)
    board = client.get(f"/staff/units/{ward.code}/dashboard").get_data(as_text=True)
    action = f"/staff/comments/{response.id}/case"
    assert f'action="{action}"' in board
    assert "&lt;i&gt;30 phút&lt;/i&gt;" in board
    token = csrf_token(client, f"/staff/units/{ward.code}/dashboard")
    made = client.post(action, data={"csrf_token": token})
    assert made.status_code == 303
    case_id = int(re.search(r"/staff/cases/(\d+)$", made.location).group(1))
    case = db_session.get(FeedbackCase, case_id)
    assert case.response_id == response.id and case.created_by == manager.id
    again = client.post(action, data={"csrf_token": token})
    assert again.location == made.location
    viewing = staff_client(app, viewer)
    assert action not in viewing.get(f"/staff/units/{ward.code}/dashboard").get_data(
        as_text=True
    )
    refused = viewing.post(action, data={"csrf_token": csrf_token(viewing, "/staff/")})
    assert refused.status_code == 403
    outside = staff_client(app, stranger)
    answer = outside.post(action, data={"csrf_token": csrf_token(outside, "/staff/")})
    assert answer.status_code == 404


def test_a_comment_made_a_case_shows_no_phone_and_a_hidden_one_makes_none(
    app: Flask, db_session: Session
) -> None:
    make_category(db_session)
    phoned = counter_rating(db_session, 1, "Gọi lại cho tôi 0912 345 678 nhé.")
    hidden = counter_rating(db_session, 1, "Lời lẽ xúc phạm 0987654321.")
    manager, other = (
        make_user(db_session, db_session.get(Unit, r.unit_id), Role.UNIT_MANAGER)
        for r in (phoned, hidden)
    )
    hide_comment(db_session, hidden, "comment", other, "Xúc phạm")
    db_session.commit()
    client = staff_client(app, manager)
    token = csrf_token(client, "/staff/")
    made = client.post(f"/staff/comments/{phoned.id}/case", data={"csrf_token": token})
    shown = client.get(made.location).get_data(as_text=True)
    assert "0912" not in shown and "[đã ẩn số điện thoại]" in shown
    client = staff_client(app, other)
    token = csrf_token(client, "/staff/")
    refused = client.post(
        f"/staff/comments/{hidden.id}/case", data={"csrf_token": token}
    )
    assert refused.status_code in (302, 303)
    page = client.get(refused.location).get_data(as_text=True)
    assert "Góp ý này đã bị ẩn khỏi báo cáo" in page
    count = select(FeedbackCase.id).where(FeedbackCase.response_id == hidden.id)
    assert db_session.scalar(count) is None
