"""The comment list: every comment of the reader's units, filtered, searched and
masked; hidden from reports by a manager with a reason, audited, and shown again."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.reports.csv import BOM, responses_csv
from app.reports.data import unit_report
from app.reports.pdf import unit_report_pdf
from app.reports.xlsx import unit_report_xlsx
from surveys.access.audit import AuditAction
from surveys.models import (
    AuditEvent,
    Campaign,
    HiddenComment,
    Response,
    Role,
    ServicePoint,
    Unit,
    UnitKind,
    User,
)
from surveys.questionnaire.versions import shipped_template, store_questionnaire
from tests.app.pdf_reading import read_pages
from tests.app.staff_client import csrf_token, log_in
from tests.builders import make_campaign, make_unit, make_user
from tests.surveys.test_comments import START, rate

PHONE_COMMENT = "Gọi lại cho tôi 0912 345 678, cán bộ thái độ chưa tốt"
MASKED = "Gọi lại cho tôi [đã ẩn số điện thoại], cán bộ thái độ chưa tốt"


@dataclass
class Wards:
    campaign: Campaign
    district: Unit
    ward: Unit
    other: Unit
    counter: ServicePoint
    phoned: Response
    praised: Response
    elsewhere: Response
    manager: User
    viewer: User
    district_manager: User


@pytest.fixture
def wards(db_session: Session) -> Wards:
    """Two wards of a district-wide counter campaign, with comments in both."""
    district = make_unit(db_session, name="Quận Thử", kind=UnitKind.DISTRICT)
    ward = make_unit(db_session, district, name="Phường Một")
    other = make_unit(db_session, district, name="Phường Hai")
    counter = ServicePoint(code="sp-mot", name="Quầy Hộ tịch", unit_id=ward.id)
    far = ServicePoint(code="sp-hai", name="Quầy Đất đai", unit_id=other.id)
    db_session.add_all([counter, far])
    stored = store_questionnaire(db_session, shipped_template("counter")).stored
    campaign = make_campaign(db_session, unit=district, questionnaire=stored)
    # 18:00 UTC is 01:00 the next day in Vietnam.
    phoned = rate(db_session, campaign, counter, 1, PHONE_COMMENT, minutes=16 * 60)
    praised = rate(db_session, campaign, counter, 5, "Hướng dẫn tận tình", minutes=60)
    rate(db_session, campaign, counter, 4, None, minutes=30)
    elsewhere = rate(db_session, campaign, far, 2, "Chờ quá lâu ở phường hai")
    wards = Wards(
        campaign,
        district,
        ward,
        other,
        counter,
        phoned,
        praised,
        elsewhere,
        make_user(db_session, ward, Role.UNIT_MANAGER),
        make_user(db_session, ward, Role.VIEWER),
        make_user(db_session, district, Role.DISTRICT),
    )
    db_session.commit()
    return wards


def logged_in(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    assert log_in(client, user.username).status_code == 302
    return client


def page(client: FlaskClient, **query: object) -> str:
    answer = client.get("/staff/comments", query_string=query)
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def test_a_ward_manager_sees_every_comment_of_the_ward_masked(
    app: Flask, wards: Wards
) -> None:
    shown = page(logged_in(app, wards.manager))
    assert MASKED in shown
    assert "0912" not in shown
    assert "Hướng dẫn tận tình" in shown  # a good rating's comment too
    assert "phường hai" not in shown
    assert shown.index(MASKED) < shown.index("Hướng dẫn tận tình")  # newest first
    assert "Phường Hai" not in shown  # not even among the filters


def test_the_district_filters_by_unit_counter_rating_words_and_days(
    app: Flask, wards: Wards
) -> None:
    client = logged_in(app, wards.district_manager)
    everything = page(client)
    assert MASKED in everything and "phường hai" in everything
    only_other = page(client, unit=wards.other.code)
    assert "phường hai" in only_other and MASKED not in only_other
    by_counter = page(client, counter=wards.counter.id)
    assert MASKED in by_counter and "phường hai" not in by_counter
    five = page(client, rating=5)
    assert "Hướng dẫn tận tình" in five and MASKED not in five
    searched = page(client, q="THAI DO")
    assert MASKED in searched and "Hướng dẫn tận tình" not in searched
    # The comment came at 01:00 on 2 March in Vietnam (18:00 UTC on 1 March).
    day = (START + timedelta(hours=16)).date() + timedelta(days=1)
    second = page(client, since=day.isoformat(), until=day.isoformat())
    assert MASKED in second and "Hướng dẫn tận tình" not in second
    first = page(client, until=(day - timedelta(days=1)).isoformat())
    assert MASKED not in first and "Hướng dẫn tận tình" in first


def test_a_range_that_ends_before_it_starts_is_refused(
    app: Flask, wards: Wards
) -> None:
    shown = page(logged_in(app, wards.manager), since="2026-03-05", until="2026-03-01")
    assert "Ngày kết thúc phải sau ngày bắt đầu." in shown
    assert MASKED not in shown


@pytest.mark.parametrize(
    "dates", [{"since": "0001-01-01"}, {"until": "9999-12-31"}, {"since": "1999-12-31"}]
)
def test_a_day_outside_the_years_of_comments_is_refused(
    app: Flask, wards: Wards, dates: dict[str, str]
) -> None:
    shown = page(logged_in(app, wards.manager), **dates)
    assert "Hãy chọn một ngày từ năm 2000 đến năm 2099." in shown
    assert MASKED not in shown


def test_pages_follow_by_key(app: Flask, db_session: Session, wards: Wards) -> None:
    for minute in range(60):
        text = f"ý kiến số {minute:02d}"
        rate(db_session, wards.campaign, wards.counter, 3, text, minutes=120 + minute)
    db_session.commit()
    client = logged_in(app, wards.manager)
    first = page(client)
    assert "ý kiến số" in first and "Hướng dẫn tận tình" not in first
    link = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    second = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert "Hướng dẫn tận tình" in second


@pytest.mark.parametrize(
    "query",
    [
        {"unit": "khong-co"},
        {"campaign": "khong-co"},
        {"after": "rac"},
        {"after": "2026-01-01T00:00:00+00:00~²~comment"},
        {"after": "2026-01-01T00:00:00+00:00~99999999999999999999999~comment"},
        {"rating": 9},
    ],
)
def test_what_the_reader_was_not_offered_is_not_found(
    app: Flask, wards: Wards, query: dict[str, object]
) -> None:
    answer = logged_in(app, wards.manager).get("/staff/comments", query_string=query)
    assert answer.status_code == 404


def test_a_page_key_with_the_largest_id_is_read(app: Flask, wards: Wards) -> None:
    after = f"2026-03-02T00:00:00+00:00~{2**31 - 1}~comment"
    shown = page(logged_in(app, wards.manager), after=after)
    assert "Hướng dẫn tận tình" in shown


def test_another_wards_unit_is_not_found(app: Flask, wards: Wards) -> None:
    client = logged_in(app, wards.manager)
    answer = client.get("/staff/comments", query_string={"unit": wards.other.code})
    assert answer.status_code == 404


def hide(client: FlaskClient, response: Response, reason: str) -> int:
    url = f"/staff/comments/{response.id}/comment/hide"
    token = csrf_token(client, "/staff/comments")
    form = {"csrf_token": token, "reason": reason, "back": "/staff/comments?rating=1"}
    answer = client.post(url, data=form)
    return answer.status_code


def test_a_manager_hides_a_comment_with_a_reason_and_shows_it_again(
    app: Flask, db_session: Session, wards: Wards
) -> None:
    client = logged_in(app, wards.manager)
    assert hide(client, wards.phoned, "   ") == 303
    assert db_session.get(HiddenComment, (wards.phoned.id, "comment")) is None
    assert "Vui lòng nhập mục này." in page(client)

    answer = client.post(
        f"/staff/comments/{wards.phoned.id}/comment/hide",
        data={
            "csrf_token": csrf_token(client, "/staff/comments"),
            "reason": "Có thông tin cá nhân",
            "back": "/staff/comments?rating=1",
        },
    )
    assert answer.status_code == 303
    assert answer.location == "/staff/comments?rating=1"
    shown = page(client)
    assert "Đã ẩn khỏi báo cáo: Có thông tin cá nhân" in shown
    assert wards.manager.username in shown
    assert MASKED not in page(logged_in(app, wards.viewer))
    event = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == AuditAction.COMMENT_HIDDEN)
    ).one()
    assert event.user_id == wards.manager.id
    assert event.object_id == f"{wards.phoned.id}/comment"
    assert event.detail["reason"] == "Có thông tin cá nhân"

    answer = client.post(
        f"/staff/comments/{wards.phoned.id}/comment/show",
        data={"csrf_token": csrf_token(client, "/staff/comments")},
    )
    assert answer.status_code == 303
    assert "Đã ẩn khỏi báo cáo" not in page(client)
    assert MASKED in page(logged_in(app, wards.viewer))
    actions = db_session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "comment")
    ).all()
    assert actions == [AuditAction.COMMENT_HIDDEN, AuditAction.COMMENT_SHOWN]


def test_hiding_needs_the_csrf_token(app: Flask, wards: Wards) -> None:
    client = logged_in(app, wards.manager)
    url = f"/staff/comments/{wards.phoned.id}/comment/hide"
    assert client.post(url, data={"reason": "x"}).status_code in (303, 400)
    assert "Đã ẩn khỏi báo cáo" not in page(client)


def test_a_viewer_may_not_hide_and_another_wards_comment_is_not_found(
    app: Flask, wards: Wards
) -> None:
    assert hide(logged_in(app, wards.viewer), wards.phoned, "x") == 403
    manager = logged_in(app, wards.manager)
    assert hide(manager, wards.elsewhere, "x") == 404
    token = csrf_token(manager, "/staff/comments")
    url = f"/staff/comments/{wards.phoned.id}/overall/hide"
    answer = manager.post(url, data={"csrf_token": token, "reason": "x"})
    assert answer.status_code == 404  # a rating is no comment


@pytest.fixture
def _app_context(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield


@pytest.mark.usefixtures("_app_context")
def test_reports_mask_comments_and_leave_hidden_ones_out(
    db_session: Session, wards: Wards
) -> None:
    low = rate(db_session, wards.campaign, wards.counter, 2, "Lời lẽ không hay")
    low.submitted_at = START + timedelta(hours=17)
    db_session.add(
        HiddenComment(response_id=low.id, question="comment", reason="Xúc phạm")
    )
    db_session.flush()
    report = unit_report(db_session, wards.ward, wards.campaign, None)
    assert report.comments["text"].tolist() == [MASKED]
    pdf = " ".join(page.text for page in read_pages(unit_report_pdf(report)))
    assert "[đã ẩn số điện thoại]" in pdf and "0912" not in pdf
    assert "Lời lẽ" not in pdf
    book = load_workbook(io.BytesIO(unit_report_xlsx(report)))
    cells = [
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if isinstance(cell, str)
    ]
    assert MASKED in cells
    assert not [cell for cell in cells if "0912" in cell or "Lời lẽ" in cell]
    content = b"".join(
        responses_csv(db_session, wards.campaign, [wards.ward.id], None)
    ).decode("utf-8")
    rows = list(csv.reader(io.StringIO(content.removeprefix(BOM))))
    column = rows[0].index("comment")
    assert sorted(row[column] for row in rows[1:] if row[column]) == [
        MASKED,
        "Hướng dẫn tận tình",
    ]


def test_the_dashboard_masks_comments_and_links_to_them_all(
    app: Flask, wards: Wards
) -> None:
    client = logged_in(app, wards.manager)
    shown = client.get(
        f"/staff/units/{wards.ward.code}/dashboard",
        query_string={"campaign": wards.campaign.key, "period": "2026"},
    ).get_data(as_text=True)
    assert MASKED in shown and "0912" not in shown
    assert 'id="all-comments"' in shown
    assert 'id="nav-comments"' in shown
