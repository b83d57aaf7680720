"""The staff side of feedback cases: the lists, the case page and each step
taken through its form, refusals flashed, another ward's case never found."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from surveys.cases.events import history
from surveys.models import (
    CaseState,
    FeedbackCase,
    Role,
    Unit,
    UnitKind,
    User,
    utcnow,
)
from tests.app.staff_client import csrf_token, log_in, log_out
from tests.builders import make_case, make_category, make_unit, make_user


@dataclass
class World:
    district: Unit
    ward: Unit
    sibling: Unit
    manager: User
    officer: User


@pytest.fixture
def world(db_session: Session) -> World:
    district = make_unit(db_session, kind=UnitKind.DISTRICT, code="q-thu", name="Quận")
    ward = make_unit(db_session, district, code="p-mot", name="Phường Một")
    sibling = make_unit(db_session, district, code="p-hai", name="Phường Hai")
    make_user(db_session, district, Role.DISTRICT, username="district")
    manager = make_user(db_session, ward, username="manager")
    officer = make_user(db_session, ward, Role.VIEWER, username="officer")
    make_user(db_session, sibling, username="sibling-manager")
    db_session.commit()
    return World(district, ward, sibling, manager, officer)


def as_user(client: FlaskClient, username: str) -> FlaskClient:
    log_out(client)
    assert log_in(client, username).status_code == 302
    return client


def text(answer: TestResponse) -> str:
    return html.unescape(answer.get_data(as_text=True))


def step(client: FlaskClient, case: FeedbackCase, action: str, **data: str) -> str:
    """Post one step's form and return the page it redirects to."""
    token = csrf_token(client, "/staff/")
    answer = client.post(
        f"/staff/cases/{case.id}",
        data={"csrf_token": token, "action": action} | data,
        follow_redirects=True,
    )
    assert answer.status_code == 200
    return text(answer)


def overdue_case(session: Session, unit: Unit, **fields: object) -> FeedbackCase:
    received = utcnow() - timedelta(days=30)
    return make_case(
        session, unit, received=received, due_at=utcnow() - timedelta(days=7), **fields
    )


def test_each_list_shows_its_cases(
    client: FlaskClient, db_session: Session, world: World
) -> None:
    late = overdue_case(db_session, world.ward)
    fresh = make_case(db_session, world.ward)
    db_session.commit()
    as_user(client, "manager")
    assert client.get("/staff/cases").location == "/staff/units/p-mot/cases?list=new"
    overdue = text(client.get("/staff/units/p-mot/cases?list=overdue"))
    assert late.tracking_code in overdue and fresh.tracking_code not in overdue
    assert "trễ" in overdue and "Mới tiếp nhận" in overdue
    new = text(client.get("/staff/units/p-mot/cases"))
    assert late.tracking_code in new and fresh.tracking_code in new
    for which in ("mine", "due_soon", "waiting", "escalated", "all"):
        assert client.get(f"/staff/units/p-mot/cases?list={which}").status_code == 200
    filtered = text(client.get("/staff/units/p-mot/cases?list=all&state=closed"))
    assert late.tracking_code not in filtered
    assert client.get("/staff/units/p-mot/cases?list=nothing").status_code == 404
    assert client.get("/staff/units/p-mot/cases?list=all&state=x").status_code == 404
    # The navigation counts the overdue cases in scope.
    assert 'title="Phản ánh quá hạn">1</span>' in text(client.get("/staff/"))
    assert client.get("/staff/units/p-hai/cases").status_code == 404


def test_the_district_sees_a_ward_s_overdue_cases_as_escalated(
    client: FlaskClient, db_session: Session, world: World
) -> None:
    late = overdue_case(db_session, world.ward)
    db_session.commit()
    as_user(client, "district")
    escalated = text(client.get("/staff/units/q-thu/cases?list=escalated"))
    assert late.tracking_code in escalated
    picked = client.get("/staff/cases?unit=p-hai&list=escalated")
    assert picked.location == "/staff/units/p-hai/cases?list=escalated"
    assert late.tracking_code not in text(client.get(picked.location))
    as_user(client, "sibling-manager")
    assert client.get(f"/staff/cases/{late.id}").status_code == 404


def test_a_case_goes_from_assignment_to_reopening_through_its_page(
    client: FlaskClient, db_session: Session, world: World
) -> None:
    case = make_case(db_session, world.ward, address_text="12 Lê Lợi")
    db_session.commit()
    as_user(client, "officer")
    page = text(client.get(f"/staff/cases/{case.id}"))
    assert "12 Lê Lợi" in page and 'id="step-assign"' not in page
    # Not the officer's case yet: a forged assignment is refused.
    refused = step(client, case, "assign", handler=str(world.officer.id))
    assert "Bạn không có quyền" in refused
    as_user(client, "manager")
    page = text(client.get(f"/staff/cases/{case.id}"))
    assert 'id="step-assign"' in page and ">officer</option>" in page
    assert "Đã ghi: Giao xử lý." in step(
        client, case, "assign", handler=str(world.officer.id)
    )
    as_user(client, "officer")
    step(client, case, "start")
    as_user(client, "manager")
    # Nothing to review yet: no review forms.
    page = text(client.get(f"/staff/cases/{case.id}"))
    assert 'id="step-publish_answer"' not in page and 'id="step-resume"' not in page
    as_user(client, "officer")
    page = step(client, case, "submit_answer", text="Gọi 0903 123 456 để nhận.")
    assert "Chờ duyệt" in page
    as_user(client, "manager")
    page = text(client.get(f"/staff/cases/{case.id}"))
    assert 'id="personal-data-warning"' in page
    page = step(client, case, "return_answer", text="Bỏ số điện thoại.")
    assert "Bị trả lại" in page and "Bỏ số điện thoại." in page
    as_user(client, "officer")
    step(client, case, "submit_answer", text="Đã sửa đèn.")
    as_user(client, "manager")
    page = text(client.get(f"/staff/cases/{case.id}"))
    assert 'id="personal-data-warning"' not in page
    page = step(client, case, "publish_answer", text="Đã sửa đèn đường.")
    assert "Đã công bố" in page and "Đã trả lời" in page
    step(client, case, "close")
    # Reopening is the district's.
    assert 'id="step-reopen"' not in text(client.get(f"/staff/cases/{case.id}"))
    as_user(client, "district")
    assert "Hãy ghi lý do." in step(client, case, "reopen", text="")
    page = step(client, case, "reopen", text="Người dân chưa nhận được.")
    assert "Đang xử lý" in page and "Người dân chưa nhận được." in page
    db_session.expire_all()
    kinds = [event.kind for event in history(db_session, case.id)]
    assert kinds == [
        "created",
        "assigned",
        "started",
        "answer_submitted",
        "answer_returned",
        "answer_submitted",
        "answer_published",
        "closed",
        "reopened",
    ]


def test_other_steps_and_their_refusals(
    client: FlaskClient, db_session: Session, world: World
) -> None:
    waiting, rejected, referred, duplicate, original = (
        make_case(db_session, world.ward) for _ in range(5)
    )
    db_session.commit()
    as_user(client, "manager")
    page = step(client, waiting, "wait", text="Xin ảnh chụp.")
    assert "chờ người dân bổ sung từ" in page and "Xin ảnh chụp." in page
    # Only the step that fits is offered: resuming, not waiting again.
    assert 'id="step-resume"' in page and 'id="step-wait"' not in page
    assert "Phản ánh này đang chờ người dân bổ sung." in step(
        client, waiting, "wait", text="Lần nữa"
    )
    assert "Chờ người dân bổ sung" in text(
        client.get("/staff/units/p-mot/cases?list=waiting")
    )
    step(client, waiting, "resume")
    page = step(client, waiting, "note", text="Đã gọi điện cho người dân.")
    assert "Đã gọi điện cho người dân." in page
    assert "Hãy ghi lý do." in step(client, rejected, "reject", text="  ")
    step(client, rejected, "reject", text="Không thuộc thẩm quyền.")
    assert "Hãy ghi cơ quan" in step(client, referred, "refer_out", body="")
    step(client, referred, "refer_out", body="Công an quận")
    assert "Chỉ gộp được" in step(client, duplicate, "merge", target="PA-00000-00000")
    typed = original.tracking_code.lower().replace("-", " ")
    page = step(client, duplicate, "merge", target=typed)
    assert original.tracking_code in page
    assert "không hợp lệ" in step(client, original, "explode")
    db_session.expire_all()
    states = [
        db_session.get_one(FeedbackCase, case.id).state
        for case in (waiting, rejected, referred, duplicate, original)
    ]
    assert states == ["received", "rejected", "referred_out", "merged", "received"]
    assert db_session.get_one(FeedbackCase, waiting.id).waiting_since is None


def test_a_transfer_to_another_ward_leaves_the_manager_s_units(
    client: FlaskClient, db_session: Session, world: World
) -> None:
    case = make_case(db_session, world.ward)
    db_session.commit()
    as_user(client, "manager")
    assert "Hãy chọn một đơn vị khác" in step(
        client, case, "transfer", unit=str(world.ward.id), text="Nhầm"
    )
    assert "Hãy ghi lý do." in step(
        client, case, "transfer", unit=str(world.sibling.id), text=""
    )
    page = step(client, case, "transfer", unit=str(world.sibling.id), text="Địa bàn")
    assert "Đã ghi: Chuyển đơn vị." in page
    assert client.get(f"/staff/cases/{case.id}").status_code == 404
    db_session.expire_all()
    moved = db_session.get_one(FeedbackCase, case.id)
    assert (moved.unit_id, moved.state) == (world.sibling.id, CaseState.RECEIVED)
    as_user(client, "sibling-manager")
    page = text(client.get(f"/staff/cases/{case.id}"))
    assert "Phường Một → Phường Hai" in page and "Địa bàn" in page


def test_without_review_submitting_publishes(
    app: Flask, client: FlaskClient, db_session: Session, world: World
) -> None:
    app.config["CASE_ANSWER_REVIEW"] = False
    case = make_case(db_session, world.ward)
    db_session.commit()
    as_user(client, "manager")
    step(client, case, "assign", handler=str(world.manager.id))
    step(client, case, "start")
    page = step(client, case, "submit_answer", text="Đã xử lý xong.")
    assert "Đã trả lời" in page and "Đã công bố" in page


def test_a_step_without_its_csrf_token_changes_nothing(
    client: FlaskClient, db_session: Session, world: World
) -> None:
    case = make_case(db_session, world.ward, category=make_category(db_session))
    db_session.commit()
    as_user(client, "manager")
    answer = client.post(
        f"/staff/cases/{case.id}", data={"action": "reject", "text": "Không"}
    )
    assert answer.status_code in (302, 400)
    db_session.expire_all()
    assert db_session.get_one(FeedbackCase, case.id).state == CaseState.RECEIVED
