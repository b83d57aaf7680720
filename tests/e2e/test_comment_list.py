"""A ward manager reads every comment, searches one, hides it with a reason and
shows it again, in a real Chromium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from app.db import session_factory
from surveys.models import Role, ServicePoint, UnitKind
from surveys.questionnaire.versions import shipped_template, store_questionnaire
from tests.builders import PASSWORD, make_campaign, make_unit, make_user
from tests.e2e.conftest import screenshot
from tests.surveys.test_comments import rate

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def manager(live_app: Flask) -> str:
    """A ward with a counter campaign and three comments; its manager's login."""
    with live_app.app_context(), session_factory().begin() as session:
        district = make_unit(session, name="Quận Thử", kind=UnitKind.DISTRICT)
        ward = make_unit(session, district, name="Phường Bến Nghé")
        counter = ServicePoint(code="sp-ho-tich", name="Quầy Hộ tịch", unit_id=ward.id)
        session.add(counter)
        stored = store_questionnaire(session, shipped_template("counter")).stored
        campaign = make_campaign(session, unit=ward, questionnaire=stored)
        rate(
            session,
            campaign,
            counter,
            1,
            "Thái độ chưa tốt, gọi 0912 345 678",
            minutes=3,
        )
        rate(session, campaign, counter, 5, "Hướng dẫn tận tình", minutes=2)
        rate(session, campaign, counter, 3, "Phải chờ hơn 2 tiếng", minutes=1)
        return make_user(session, ward, Role.UNIT_MANAGER).username


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    yield page
    context.close()


def test_a_manager_searches_hides_and_shows_again_a_comment(
    live_url: str, desktop: Page, manager: str
) -> None:
    page = desktop
    page.goto(f"{live_url}/staff/login")
    page.get_by_label("Tên đăng nhập").fill(manager)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Ý kiến", exact=True).click()
    rows = page.locator("#comments tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("[đã ẩn số điện thoại]")
    expect(page.locator("#comments")).not_to_contain_text("0912")

    page.get_by_label("Có chứa").fill("THAI DO")
    page.get_by_role("button", name="Xem").click()
    expect(rows).to_have_count(1)
    screenshot(page, "comment-list")

    rows.first.get_by_label("Lý do ẩn").fill("Có thông tin cá nhân")
    rows.first.get_by_role("button", name="Ẩn khỏi báo cáo").click()
    expect(page.get_by_role("status")).to_contain_text("Đã ẩn góp ý khỏi báo cáo.")
    expect(rows.first).to_contain_text("Đã ẩn khỏi báo cáo: Có thông tin cá nhân")
    expect(page.get_by_label("Có chứa")).to_have_value("THAI DO")  # the filters stay

    rows.first.get_by_role("button", name="Hiện lại").click()
    expect(page.get_by_role("status")).to_contain_text("Góp ý đã hiện lại")
    expect(rows.first).not_to_contain_text("Đã ẩn khỏi báo cáo")
