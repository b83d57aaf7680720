"""A citizen and a business answer in a real Chromium on a phone-sized screen."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.db import session_factory
from surveys.models import Response
from tests.builders import make_code, make_counter_campaign
from tests.e2e.conftest import PHONE, screenshot


def stored(app: Flask) -> list[Response]:
    with app.app_context(), session_factory()() as session:
        query = select(Response).options(selectinload(Response.answers))
        return list(session.scalars(query.order_by(Response.id)))


@pytest.fixture
def counter_token(live_app: Flask) -> str:
    with live_app.app_context(), session_factory().begin() as session:
        campaign, point = make_counter_campaign(session)
        return make_code(session, campaign, kind="standing", service_point=point).token


@pytest.fixture
def invitation_token(live_app: Flask) -> str:
    with live_app.app_context(), session_factory().begin() as session:
        campaign, _ = make_counter_campaign(session, template="ddci", mode="invitation")
        return make_code(session, campaign).token


def test_a_citizen_rates_a_counter_with_a_few_taps(
    live_app: Flask, live_url: str, phone: Page, counter_token: str
) -> None:
    phone.goto(f"{live_url}/s/{counter_token}")
    reasons = phone.locator('[data-q="reasons"]')
    expect(reasons).to_be_hidden()
    overall = phone.locator('[data-q="overall"]')
    overall.get_by_text("Không hài lòng", exact=True).click()
    expect(reasons).to_be_visible()  # skip logic shown as soon as the face is tapped
    phone.get_by_text("Phải chờ đợi lâu").click()
    phone.get_by_label("Cán bộ, công chức đã phục vụ").select_option(index=1)
    expect(phone.locator('[data-q="official_rating"]')).to_be_visible()
    phone.locator('[data-q="official_rating"] label.f4').click()
    screenshot(phone, "counter-rating-phone")
    phone.get_by_role("button", name="Gửi đánh giá").click()
    expect(phone.get_by_role("heading", name="Cảm ơn Ông/Bà!")).to_be_visible()
    screenshot(phone, "counter-thanks-phone")
    [response] = stored(live_app)
    assert response.official_id is not None
    assert {a.question: a.value_text for a in response.answers}["reasons"] == "waiting"


def test_the_counter_page_works_with_javascript_off(
    live_app: Flask, live_url: str, browser: Browser, counter_token: str
) -> None:
    context = browser.new_context(
        viewport=PHONE, locale="vi-VN", java_script_enabled=False
    )
    page = context.new_page()
    page.goto(f"{live_url}/s/{counter_token}")
    page.locator('[data-q="overall"]').get_by_text("Rất hài lòng", exact=True).click()
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.get_by_role("heading", name="Cảm ơn Ông/Bà!")).to_be_visible()
    context.close()
    assert len(stored(live_app)) == 1


#: The condition the page without its script writes under the reasons.
LOW_ONLY = "Ông/Bà chọn: Rất không hài lòng, Không hài lòng.)"


@pytest.mark.parametrize("script", [True, False], ids=["script", "no script"])
@pytest.mark.parametrize(
    ("rating", "kept"),
    [
        (
            "Không hài lòng",
            {"overall": 2.0, "reasons": "waiting", "official_rating": 4.0},
        ),
        # A reason ticked under a low rating, then the rating raised: the reason
        # no longer applies (hidden by the script, shown without it) and is dropped.
        ("Rất hài lòng", {"overall": 5.0, "official_rating": 4.0}),
    ],
)
def test_the_counter_page_asks_the_same_with_and_without_javascript(
    live_app: Flask,
    live_url: str,
    browser: Browser,
    counter_token: str,
    script: bool,
    rating: str,
    kept: dict[str, object],
) -> None:
    """The follow-ups (reasons, the official's rating) are asked in both pages;
    the same taps store the same answers."""
    context = browser.new_context(
        viewport=PHONE, locale="vi-VN", java_script_enabled=script
    )
    page = context.new_page()
    page.goto(f"{live_url}/s/{counter_token}")
    reasons = page.locator('[data-q="reasons"]')
    condition = reasons.locator(".pending-hint")
    if script:
        expect(reasons).to_be_hidden()
    else:
        expect(reasons).to_be_visible()
        expect(condition).to_contain_text(LOW_ONLY)
        expect(page.locator('[data-q="official_rating"]')).to_be_visible()
    overall = page.locator('[data-q="overall"]')
    overall.get_by_text("Không hài lòng", exact=True).click()
    expect(reasons).to_be_visible()
    reasons.get_by_text("Phải chờ đợi lâu").click()
    overall.get_by_text(rating, exact=True).click()
    page.get_by_label("Cán bộ, công chức đã phục vụ").select_option(index=1)
    official_rating = page.locator('[data-q="official_rating"]')
    expect(official_rating).to_be_visible()
    official_rating.locator("label.f4").click()
    if script:  # the script shows only what applies, without conditions
        expect(condition).to_be_hidden()
        expect(reasons).to_be_visible(visible="reasons" in kept)
    screenshot(
        page, f"counter-{'script' if script else 'no-script'}-{kept['overall']:.0f}"
    )
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.get_by_role("heading", name="Cảm ơn Ông/Bà!")).to_be_visible()
    context.close()
    [response] = stored(live_app)
    answers = {
        a.question: a.value_text if a.value_text is not None else a.value_num
        for a in response.answers
    }
    assert response.official_id is not None
    assert {k: v for k, v in answers.items() if k != "official"} == kept


def test_the_counter_page_reads_at_200_percent_zoom(
    browser: Browser, live_url: str, counter_token: str
) -> None:
    # 200% zoom on a 360 px phone leaves 180 CSS pixels of width.
    context = browser.new_context(
        viewport={"width": 180, "height": 370}, device_scale_factor=2, locale="vi-VN"
    )
    page = context.new_page()
    page.goto(f"{live_url}/s/{counter_token}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 180
    targets = page.locator("label.opt:visible").evaluate_all(
        "labels => labels.map(l => l.getBoundingClientRect().height)"
    )
    assert min(targets) >= 44  # touch targets stay large
    screenshot(page, "counter-zoom-200")
    context.close()


def answer_page(page: Page, choice: str = "Đồng ý") -> None:
    """Tick ``choice`` for every visible agreement question of the page."""
    for question in page.locator("fieldset.q:visible").all():
        option = question.locator("label.opt", has_text=choice)
        if option.count():
            option.first.click()


def test_a_business_answers_section_by_section_and_resumes(
    live_app: Flask, live_url: str, browser: Browser, invitation_token: str
) -> None:
    url = f"{live_url}/s/{invitation_token}"
    # A Vietnamese phone: its Accept-Language picks the pages' language.
    first_day = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = first_day.new_page()
    page.goto(url)
    expect(page.get_by_text("Phần 1/")).to_be_visible()
    page.get_by_text("Doanh nghiệp", exact=True).click()
    page.get_by_text("Thương mại, dịch vụ").click()
    page.get_by_label("Số lao động hiện nay").fill("-5")
    page.locator('[data-q="dealt_with_unit"] label.opt', has_text="Có").click()
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.locator("#e-employees")).to_be_visible()  # the server refused -5
    screenshot(page, "ddci-error-phone")
    page.get_by_label("Số lao động hiện nay").fill("25")
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_text("Phần 2/")).to_be_visible()
    answer_page(page)
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_text("Phần 3/")).to_be_visible()
    screenshot(page, "ddci-part-3-phone")
    first_day.close()

    next_day = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = next_day.new_page()
    page.goto(url)
    expect(page.get_by_text("Các câu trả lời trước đã được lưu")).to_be_visible()
    progress = page.locator("p.progress label")
    expect(progress).to_have_text(re.compile(r"^Phần 3/\d+$"))
    total = int(progress.inner_text().rsplit("/", 1)[1])
    # Each section is a new page from the server: wait until it is shown before
    # reading what it holds (a count read right after the click sees the old one).
    for position in range(3, total):
        expect(progress).to_have_text(f"Phần {position}/{total}")
        answer_page(page)
        if page.locator('[data-q="visits_count"]:visible').count():
            page.get_by_label("Số lần đi lại", exact=False).fill("2")
        page.get_by_role("button", name="Tiếp tục").click()
    expect(progress).to_have_text(f"Phần {total}/{total}")
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.get_by_role("heading", name="Cảm ơn Ông/Bà!")).to_be_visible()
    next_day.close()
    [response] = stored(live_app)
    answers = {a.question: a for a in response.answers}
    assert response.verified and answers["employees"].value_num == 25
    assert "time_deadline" in answers  # the time-cost section was not skipped


def test_nothing_is_stored_twice_when_send_is_tapped_twice(
    live_app: Flask, live_url: str, phone: Page, counter_token: str
) -> None:
    phone.goto(f"{live_url}/s/{counter_token}")
    phone.locator('[data-q="overall"]').get_by_text("Hài lòng", exact=True).click()
    button = phone.get_by_role("button", name="Gửi đánh giá")
    button.dblclick()
    expect(phone.get_by_role("heading", name="Cảm ơn Ông/Bà!")).to_be_visible()
    with live_app.app_context(), session_factory()() as session:
        assert session.scalar(select(func.count(Response.id))) == 1
