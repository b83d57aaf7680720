"""A complaint's whole loop in a real Chromium: from a low rating at a counter, through
the ward's handler and manager, to the citizen reading the answer and rating it."""

from __future__ import annotations

from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from app.db import session_factory
from surveys.models import CaseRating, FeedbackCase, Role
from tests.builders import (
    PASSWORD,
    make_category,
    make_code,
    make_counter_campaign,
    make_user,
)
from tests.e2e.conftest import PHONE, screenshot
from tests.e2e.test_staff import DESKTOP

ANSWER = "Phường đã nhắc nhở cán bộ và bố trí thêm một người trực quầy buổi sáng."


def seed(app: Flask) -> str:
    """A counter of a ward with its manager and one officer; the counter's token."""
    with app.app_context(), session_factory().begin() as session:
        campaign, point = make_counter_campaign(session)
        make_category(session, name_vi="Thái độ phục vụ", default_unit_id=point.unit_id)
        make_user(session, point.unit, Role.UNIT_MANAGER, username="quanly")
        make_user(session, point.unit, Role.VIEWER, username="chuyenvien")
        return make_code(session, campaign, kind="standing", service_point=point).token


def desk(browser: Browser, live_url: str, username: str) -> BrowserContext:
    """A staff user's own browser, logged in."""
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{live_url}/staff/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    return context


def step(page: Page, action: str, button: str, state: str) -> None:
    """Take one workflow step from the case page; wait for the state it leads to."""
    page.locator(f"#step-{action}").get_by_role("button", name=button).click()
    expect(page.locator("#case-state")).to_contain_text(state)


def test_a_low_rating_becomes_a_case_that_is_answered_and_rated(
    live_app: Flask, live_url: str, browser: Browser
) -> None:
    token = seed(live_app)
    phone = browser.new_context(viewport=PHONE, locale="vi-VN").new_page()
    phone.goto(f"{live_url}/s/{token}")
    phone.locator('[data-q="overall"]').get_by_text(
        "Không hài lòng", exact=True
    ).click()
    phone.get_by_text("Phải chờ đợi lâu").click()
    phone.get_by_label("Góp ý thêm (không bắt buộc)").fill(
        "Chờ hơn một tiếng mà quầy chỉ có một người."
    )
    phone.get_by_role("button", name="Gửi đánh giá").click()
    offer = phone.get_by_role(
        "button", name="Gửi ý kiến này thành phản ánh để được trả lời"
    )
    offer.click()
    code = phone.locator("#tracking-code").inner_text().strip()
    screenshot(phone, "case-from-rating-phone")

    manager = desk(browser, live_url, "quanly").new_page()
    manager.goto(f"{live_url}/staff/cases")
    manager.get_by_role("link", name=code).click()
    expect(manager.locator("#case-state")).to_have_text("Mới tiếp nhận")
    expect(manager.get_by_text("Chờ hơn một tiếng")).to_be_visible()
    manager.locator("#step-assign").get_by_label("Người xử lý").select_option(
        label="chuyenvien"
    )
    step(manager, "assign", "Giao xử lý", "Đã giao xử lý")

    officer = desk(browser, live_url, "chuyenvien").new_page()
    officer.goto(f"{live_url}/staff/cases")
    officer.get_by_role("link", name=code).click()
    step(officer, "start", "Bắt đầu xử lý", "Đang xử lý")
    officer.locator("#step-submit_answer textarea").fill(ANSWER)
    step(officer, "submit_answer", "Trình câu trả lời", "Đang xử lý")
    expect(officer.get_by_text("Chờ duyệt")).to_be_visible()
    expect(officer.locator("#step-publish_answer")).to_have_count(0)  # not theirs

    phone.goto(f"{live_url}/phan-anh/{code}")
    expect(phone.locator("#case-answer")).to_have_count(0)  # not published yet

    manager.reload()
    expect(manager.locator("#step-publish_answer textarea")).to_have_value(ANSWER)
    screenshot(manager, "case-review-desktop")
    step(manager, "publish_answer", "Duyệt và công bố", "Đã trả lời")

    phone.reload()
    expect(phone.locator("#case-answer")).to_have_text(ANSWER)
    phone.get_by_label("Hài lòng", exact=True).check()
    phone.get_by_role("button", name="Gửi đánh giá").click()
    expect(phone.locator("#case-rated")).to_be_visible()
    screenshot(phone, "case-answer-rated-phone")

    with live_app.app_context(), session_factory()() as session:
        case = session.scalar(
            select(FeedbackCase).where(FeedbackCase.tracking_code == code)
        )
        assert (case.channel, case.state, case.on_time) == ("rating", "answered", True)
        assert case.response_id is not None and case.service_point_id is not None
        assert session.get(CaseRating, case.id).score == 4
