"""A citizen picks district, ward and counter from a public link, in a real Chromium.

The page's script shows only the options the server allows (it evaluates no
expression itself); without the script every option is offered and a pair that
does not fit is refused with a message, then corrected.
"""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.db import session_factory
from surveys.models import Response
from surveys.questionnaire.versions import shipped_template, store_questionnaire
from tests.builders import make_campaign, make_code
from tests.e2e.conftest import PHONE, screenshot


@pytest.fixture
def open_link_token(live_app: Flask) -> str:
    with live_app.app_context(), session_factory().begin() as session:
        stored = store_questionnaire(session, shipped_template("open_rating")).stored
        campaign = make_campaign(session, questionnaire=stored, mode="open_link")
        return make_code(session, campaign, kind="standing").token


def stored_answers(app: Flask) -> list[dict[str, str | None]]:
    with app.app_context(), session_factory()() as session:
        query = select(Response).options(selectinload(Response.answers))
        return [
            {a.question: a.value_text for a in response.answers}
            for response in session.scalars(query.order_by(Response.id))
        ]


def option(page: Page, question: str, value: str):
    return page.locator(f'#q-{question} option[value="{value}"]')


def test_the_ward_and_counter_lists_follow_the_answers_above(
    live_app: Flask, live_url: str, phone: Page, open_link_token: str
) -> None:
    phone.goto(f"{live_url}/s/{open_link_token}")
    # Before a district is chosen the script has asked the server: no ward fits.
    expect(option(phone, "ward", "q1-ben-nghe")).to_have_js_property("hidden", True)
    phone.get_by_text("Quận 3", exact=True).click()
    expect(option(phone, "ward", "q3-p9")).to_have_js_property("hidden", False)
    expect(option(phone, "ward", "q1-ben-nghe")).to_have_js_property("hidden", True)
    phone.locator("#q-ward").select_option("q3-p9")
    expect(option(phone, "counter", "q3-p9-dc")).to_have_js_property("hidden", False)
    expect(option(phone, "counter", "q3-p10-dc")).to_have_js_property("hidden", True)
    phone.locator("#q-counter").select_option("q3-p9-dc")
    screenshot(phone, "open-rating-cascade-phone")
    # Another district: the ward no longer fits and is cleared, then the counter.
    phone.get_by_text("Quận 1", exact=True).click()
    expect(phone.locator("#q-ward")).to_have_value("")
    expect(phone.locator("#q-counter")).to_have_value("")
    expect(option(phone, "ward", "q1-tan-dinh")).to_have_js_property("hidden", False)
    expect(option(phone, "ward", "q3-p9")).to_have_js_property("hidden", True)
    phone.locator("#q-ward").select_option("q1-tan-dinh")
    phone.locator("#q-counter").select_option("q1-tan-dinh-tp")
    phone.get_by_role("button", name="Tiếp tục").click()
    phone.locator('[data-q="overall"]').get_by_text("Hài lòng", exact=True).click()
    phone.get_by_role("button", name="Gửi đánh giá").click()
    expect(phone.get_by_role("heading", name="Cảm ơn Ông/Bà!")).to_be_visible()
    [answers] = stored_answers(live_app)
    assert (answers["district"], answers["ward"], answers["counter"]) == (
        "q1",
        "q1-tan-dinh",
        "q1-tan-dinh-tp",
    )


def test_without_javascript_a_ward_outside_the_district_is_refused(
    live_app: Flask, live_url: str, browser: Browser, open_link_token: str
) -> None:
    context = browser.new_context(
        viewport=PHONE, locale="vi-VN", java_script_enabled=False
    )
    page = context.new_page()
    page.goto(f"{live_url}/s/{open_link_token}")
    page.get_by_text("Quận 3", exact=True).click()
    page.locator("#q-ward").select_option("q1-ben-nghe")
    page.get_by_role("button", name="Tiếp tục").click()
    ward = page.locator('[data-q="ward"]')
    expect(ward).to_contain_text("không phù hợp với câu trả lời trước đó")
    page.locator("#q-ward").select_option("q3-vo-thi-sau")
    page.get_by_role("button", name="Tiếp tục").click()
    page.locator('[data-q="overall"]').get_by_text("Bình thường", exact=True).click()
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.get_by_role("heading", name="Cảm ơn Ông/Bà!")).to_be_visible()
    context.close()
    [answers] = stored_answers(live_app)
    assert answers["ward"] == "q3-vo-thi-sau"
