"""A location is taken in a real Chromium only when the respondent presses the button.

Chromium is given a fake position (Playwright's ``geolocation``) and the
permission; the page must not ask for it before "Lấy vị trí" is pressed.
"""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Browser, expect
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.db import session_factory
from surveys.models import Response
from surveys.questionnaire import load_definition
from surveys.questionnaire.versions import store_questionnaire
from tests.builders import FIELD_VISIT, make_campaign, make_code
from tests.e2e.conftest import PHONE, screenshot

#: Hoàn Kiếm lake, Hà Nội.
HANOI = {"latitude": 21.028511, "longitude": 105.852, "accuracy": 12}


@pytest.fixture
def visit_token(live_app: Flask) -> str:
    with live_app.app_context(), session_factory().begin() as session:
        stored = store_questionnaire(session, load_definition(FIELD_VISIT)).stored
        campaign = make_campaign(session, questionnaire=stored, mode="interviewer")
        return make_code(session, campaign).token


def test_the_location_is_taken_only_when_the_button_is_pressed(
    live_app: Flask, live_url: str, browser: Browser, visit_token: str
) -> None:
    context = browser.new_context(
        viewport=PHONE,
        locale="vi-VN",
        geolocation=HANOI,
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.goto(f"{live_url}/s/{visit_token}")
    place = page.get_by_label("Vị trí điểm khảo sát")
    button = page.get_by_role("button", name="Lấy vị trí")
    expect(button).to_be_visible()
    expect(place).to_have_value("")  # nothing taken by opening the page
    page.get_by_label("Thời điểm đến").fill("2026-01-05T09:15")
    button.click()
    expect(place).to_have_value("21.028511 105.852000 0.0 12.0")
    expect(page.get_by_role("status")).to_contain_text("Đã điền vị trí")
    screenshot(page, "location-taken-phone")
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.get_by_role("heading", name="Cảm ơn Ông/Bà!")).to_be_visible()
    context.close()
    with live_app.app_context(), session_factory()() as session:
        query = select(Response).options(selectinload(Response.answers))
        [response] = session.scalars(query)
        stored = {a.question: a.value_text for a in response.answers}
    assert stored["place"] == "21.028511 105.852000 0.0 12.0"
    assert stored["visited_at"] == "2026-01-05T09:15:00.000+07:00"


def test_a_refused_permission_leaves_the_answer_to_be_typed(
    live_url: str, browser: Browser, visit_token: str
) -> None:
    context = browser.new_context(viewport=PHONE, locale="vi-VN", permissions=[])
    page = context.new_page()
    page.goto(f"{live_url}/s/{visit_token}")
    page.get_by_role("button", name="Lấy vị trí").click()
    expect(page.get_by_role("status")).to_contain_text("Ông/Bà có thể tự nhập")
    expect(page.get_by_label("Vị trí điểm khảo sát")).to_have_value("")
    context.close()


def test_without_javascript_the_location_is_typed_and_no_button_shows(
    live_app: Flask, live_url: str, browser: Browser, visit_token: str
) -> None:
    context = browser.new_context(
        viewport=PHONE, locale="vi-VN", java_script_enabled=False
    )
    page = context.new_page()
    page.goto(f"{live_url}/s/{visit_token}")
    expect(page.get_by_role("button", name="Lấy vị trí")).to_be_hidden()
    page.get_by_label("Thời điểm đến").fill("2026-01-05T09:15")
    page.get_by_label("Vị trí điểm khảo sát").fill("10.7769 106.7009")
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.get_by_role("heading", name="Cảm ơn Ông/Bà!")).to_be_visible()
    context.close()
    with live_app.app_context(), session_factory()() as session:
        query = select(Response).options(selectinload(Response.answers))
        [response] = session.scalars(query)
        stored = {a.question: a.value_text for a in response.answers}
    assert stored["place"] == "10.7769 106.7009"
