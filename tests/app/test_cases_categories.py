"""The district's case categories and deadline rules pages; a unit manager is
refused, and overdue cases are escalated by ordinary traffic."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.models import (
    AuditEvent,
    CaseCategory,
    CaseDeadlineRule,
    FeedbackCase,
    Role,
    Unit,
    UnitKind,
    utcnow,
)
from tests.app.staff_client import csrf_token, log_in
from tests.builders import make_case, make_category, make_unit, make_user


@pytest.fixture
def ward(db_session: Session) -> Unit:
    district = make_unit(db_session, kind=UnitKind.DISTRICT, code="q-thu")
    ward = make_unit(db_session, district, code="p-mot", name="Phường Một")
    make_user(db_session, district, Role.DISTRICT, username="district")
    make_user(db_session, ward, username="manager")
    db_session.commit()
    return ward


def post(client: FlaskClient, path: str, **data: str) -> str:
    token = csrf_token(client, "/staff/")
    answer = client.post(path, data={"csrf_token": token} | data, follow_redirects=True)
    assert answer.status_code == 200
    return html.unescape(answer.get_data(as_text=True))


def audited(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_a_unit_manager_may_not_change_categories(
    client: FlaskClient, db_session: Session, ward: Unit
) -> None:
    category = make_category(db_session)
    db_session.commit()
    assert log_in(client, "manager").status_code == 302
    assert client.get("/staff/case-categories").status_code == 403
    assert client.get(f"/staff/case-categories/{category.id}").status_code == 403
    token = csrf_token(client, "/staff/")
    for path in (
        "/staff/case-categories",
        f"/staff/case-categories/{category.id}/deactivate",
        "/staff/case-categories/rules",
    ):
        answer = client.post(path, data={"csrf_token": token, "code": "x"})
        assert answer.status_code == 403
    assert "Lĩnh vực phản ánh" not in client.get("/staff/").get_data(as_text=True)


def test_the_district_adds_changes_and_retires_categories(
    client: FlaskClient, db_session: Session, ward: Unit
) -> None:
    assert log_in(client, "district").status_code == 302
    page = post(
        client,
        "/staff/case-categories",
        code="den-duong",
        name_vi="Đèn đường",
        name_en="Street lights",
        group="Hạ tầng",
        description="Đèn hỏng, tắt",
        public="y",
        default_unit=str(ward.id),
    )
    assert "Đã thêm lĩnh vực “Đèn đường”." in page
    category = db_session.scalar(
        select(CaseCategory).where(CaseCategory.code == "den-duong")
    )
    assert category is not None and category.default_unit_id == ward.id
    assert "Mã lĩnh vực này đã được dùng." in post(
        client, "/staff/case-categories", code="den-duong", name_vi="Khác"
    )
    page = post(
        client,
        f"/staff/case-categories/{category.id}",
        code="den-duong",
        name_vi="Chiếu sáng",
        default_unit="",
    )
    assert "Đã lưu lĩnh vực “Chiếu sáng”." in page
    post(client, f"/staff/case-categories/{category.id}/deactivate")
    db_session.expire_all()
    category = db_session.get_one(CaseCategory, category.id)
    assert (category.name_vi, category.public, category.active) == (
        "Chiếu sáng",
        False,
        False,
    )
    assert client.get("/staff/case-categories/999999").status_code == 404
    assert audited(db_session)[-3:] == [
        "case_category_saved",
        "case_category_saved",
        "case_category_deactivated",
    ]


def test_the_district_sets_and_removes_deadline_rules(
    client: FlaskClient, db_session: Session, ward: Unit
) -> None:
    category = make_category(db_session)
    case = make_case(db_session, ward, category=category)
    computed = case.due_at
    db_session.commit()
    assert log_in(client, "district").status_code == 302
    page = post(
        client,
        "/staff/case-categories/rules",
        category=str(category.id),
        channel="web",
        working_days="3",
        warn_days="1",
        note="Thử",
    )
    assert "áp dụng cho phản ánh tiếp nhận từ nay" in page
    assert "Số ngày làm việc phải lớn hơn 0" in post(
        client,
        "/staff/case-categories/rules",
        category="",
        channel="",
        working_days="2",
        warn_days="2",
    )
    rule = db_session.scalar(select(CaseDeadlineRule))
    assert rule is not None and rule.working_days == 3
    db_session.expire_all()
    # The case already received keeps the deadline it was given.
    assert db_session.get_one(FeedbackCase, case.id).due_at == computed
    post(client, f"/staff/case-categories/rules/{rule.id}/remove")
    db_session.expire_all()
    assert db_session.scalar(select(CaseDeadlineRule)) is None
    assert audited(db_session)[-2:] == ["case_rule_set", "case_rule_removed"]


def test_ordinary_traffic_escalates_overdue_cases(
    client: FlaskClient, db_session: Session, ward: Unit
) -> None:
    late = make_case(
        db_session,
        ward,
        received=utcnow() - timedelta(days=30),
        due_at=utcnow() - timedelta(days=1),
    )
    db_session.commit()
    with client.get("/healthz") as answer:
        assert answer.status_code == 200
    db_session.expire_all()
    assert db_session.get_one(FeedbackCase, late.id).escalated_at is not None
