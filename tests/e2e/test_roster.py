"""An interviewer fills a 3-person household roster in a real Chromium.

With the page's script the roster's rows are added and removed in the page;
without it the same buttons ask the server to redraw the page. Either way the
answers are stored with their row.
"""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from app.db import session_factory
from surveys.models import Answer
from tests.builders import make_code, make_household_campaign
from tests.e2e.conftest import PHONE, screenshot

MEMBERS = [("Lan", "41", None), ("Minh", "43", "Vợ/chồng"), ("An", "9", "Con")]


def stored_rows(app: Flask) -> dict[tuple[int, str], str | float | None]:
    with app.app_context(), session_factory()() as session:
        answers = session.scalars(select(Answer).where(Answer.position > 0))
        return {
            (a.position, a.question): a.value_text
            if a.value_num is None
            else a.value_num
            for a in answers
        }


EXPECTED = {
    (1, "member_name"): "Lan",
    (1, "age"): 41.0,
    (2, "member_name"): "Minh",
    (2, "age"): 43.0,
    (2, "relation"): "spouse",
    (3, "member_name"): "An",
    (3, "age"): 9.0,
    (3, "relation"): "child",
}


def _token(app: Flask, *, counted: bool) -> str:
    with app.app_context(), session_factory().begin() as session:
        campaign = make_household_campaign(session, counted=counted)
        return make_code(session, campaign).token


def _fill_rows(page: Page) -> None:
    for number, (name, age, relation) in enumerate(MEMBERS, start=1):
        row = page.locator(f'fieldset.row[data-row="{number}"]')
        row.get_by_label("Tên gọi").fill(name)
        row.get_by_label("Tuổi").fill(age)
        if relation:
            row.get_by_text(relation, exact=True).click()


def _finish(page: Page) -> None:
    page.get_by_role("button", name="Tiếp tục").click()
    page.get_by_label("Ghi chú").fill("Phỏng vấn tại nhà")
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.get_by_role("heading", name="Cảm ơn Ông/Bà!")).to_be_visible()


def test_a_counted_roster_of_three(live_app: Flask, live_url: str, phone: Page) -> None:
    phone.goto(f"{live_url}/s/{_token(live_app, counted=True)}")
    phone.get_by_label("Hộ có bao nhiêu người?").fill("3")
    phone.get_by_role("button", name="Tiếp tục").click()
    expect(phone.locator("fieldset.row")).to_have_count(3)
    # The head of household (row 1) is asked no relation; the others are.
    expect(phone.locator('[data-q="relation[1]"]')).to_be_hidden()
    expect(phone.locator('[data-q="relation[2]"]')).to_be_visible()
    _fill_rows(phone)
    screenshot(phone, "household-roster-phone")
    _finish(phone)
    assert stored_rows(live_app) == EXPECTED


@pytest.mark.parametrize("script", [True, False], ids=["script", "no-script"])
def test_rows_added_and_removed_by_hand(
    live_app: Flask, live_url: str, browser: Browser, script: bool
) -> None:
    context = browser.new_context(
        viewport=PHONE, locale="vi-VN", java_script_enabled=script
    )
    page = context.new_page()
    page.goto(f"{live_url}/s/{_token(live_app, counted=False)}")
    page.get_by_label("Hộ có bao nhiêu người?").fill("3")
    page.get_by_role("button", name="Tiếp tục").click()
    rows = page.locator("fieldset.row")
    expect(rows).to_have_count(1)
    add = page.get_by_role("button", name="Thêm một dòng")
    for count in (2, 3, 4):
        add.click()
        expect(rows).to_have_count(count)
    # A row added by mistake (the second) is removed; the others move up.
    page.locator('fieldset.row[data-row="2"]').get_by_label("Tên gọi").fill("Nhầm")
    page.locator('fieldset.row[data-row="2"]').get_by_role(
        "button", name="Xóa dòng này"
    ).click()
    expect(rows).to_have_count(3)
    expect(page.locator('input[value="Nhầm"]')).to_have_count(0)
    if script:
        # The relevance of the rows came back from the server for their new places.
        expect(page.locator('[data-q="relation[1]"]')).to_be_hidden()
        expect(page.locator('[data-q="relation[3]"]')).to_be_visible()
    _fill_rows(page)
    _finish(page)
    context.close()
    assert stored_rows(live_app) == EXPECTED
