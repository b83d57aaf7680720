"""A clerk keys a 40-question paper form at /staff/entry with the keyboard alone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from app.db import session_factory
from surveys.models import PAPER_CHANNEL, PaperEntry, PaperForm, Response
from tests.builders import PASSWORD, household
from tests.e2e.conftest import screenshot
from tests.e2e.paper_keystrokes import (
    TYPED,
    Desk,
    box,
    key_form,
    make_desk,
    settle_with_first,
)
from tests.e2e.test_staff import log_in

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def desk(live_app: Flask) -> Desk:
    with live_app.app_context(), session_factory()() as session:
        return make_desk(session, forms=2)


@pytest.fixture
def office(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    yield page
    context.close()


def test_a_forty_question_form_is_keyed_by_keyboard_alone(
    office: Page, live_url: str, live_app: Flask, desk: Desk
) -> None:
    log_in(office, live_url, desk.clerks[0], PASSWORD)
    office.goto(f"{live_url}/staff/entry")
    keys = key_form(office, desk.numbers[0])
    print(f"\nkeystrokes for the 40-question form: {keys}")
    # 39 boxes reached (q29 skipped, q39 left blank but reached), one key
    # each to leave it, 9 for the number and Enter.
    assert keys == sum(len(typed) for typed in TYPED.values()) + 39 + 9
    assert_keyed(live_app)


def test_a_fast_clerk_loses_no_keystroke_while_the_page_asks_the_server(
    office: Page, live_url: str, live_app: Flask, desk: Desk
) -> None:
    log_in(office, live_url, desk.clerks[0], PASSWORD)
    office.goto(f"{live_url}/staff/entry")
    key_form(office, desk.numbers[0], wait=False)
    assert_keyed(live_app)


def test_a_household_past_the_printed_table_is_keyed_row_by_row(
    office: Page, live_url: str, live_app: Flask
) -> None:
    with live_app.app_context(), session_factory()() as session:
        desk = make_desk(session, questionnaire=household())
    # Seven members, five rows printed: rows 6 and 7 come from the back of
    # the sheet. The head has no relation; after the seventh the cursor
    # passes the rows the size does not ask for.
    typed = {"household_size": "7"}
    for row in range(1, 8):
        typed |= {f"member_name[{row}]": f"Người {row}", f"age[{row}]": str(30 + row)}
        typed |= {f"relation[{row}]": "2"} if row > 1 else {}
    log_in(office, live_url, desk.clerks[0], PASSWORD)
    office.goto(f"{live_url}/staff/entry")
    office.keyboard.type(desk.numbers[0])
    office.keyboard.press("Enter")
    expect(box(office, "household_size")).to_be_focused()
    expect(box(office, "age[7]")).to_be_hidden()
    office.goto(f"{live_url}/staff/entry")
    key_form(office, desk.numbers[0], typed | {"services": "4", "remarks": "đủ"})
    with live_app.app_context(), session_factory()() as session:
        members = session.scalars(select(PaperEntry)).one().answers["members"]
    assert len(members) == 7
    assert members[6] == {"member_name": "Người 7", "age": 37, "relation": "child"}


def assert_keyed(live_app: Flask) -> None:
    """Check the one entry stored holds ``TYPED`` as the engine types it."""
    with live_app.app_context(), session_factory()() as session:
        entry = session.scalars(select(PaperEntry)).one()
    answers = entry.answers
    assert len(answers) == 38
    assert answers["q1"] == 2 and answers["q13"] == "2"
    assert answers["q28"] == "no" and "q29" not in answers
    assert answers["q30"] == ["counter", "post"]
    assert answers["q33"] == 120
    assert answers["q36"] == "2026-06-01"
    assert answers["q40"] == "nhanh" and "q39" not in answers


def test_a_typed_code_shows_its_label_and_a_no_skips_the_next_question(
    office: Page, live_url: str, desk: Desk
) -> None:
    log_in(office, live_url, desk.clerks[1], PASSWORD)
    office.goto(f"{live_url}/staff/entry")
    # The camera's button shows only where the browser reads QR codes (not
    # Chromium on Linux): elsewhere the number is typed, or a hand scanner types it.
    scan = office.get_by_role("button", name="Quét mã QR bằng camera")
    if office.evaluate("'BarcodeDetector' in window"):
        expect(scan).to_be_visible()
    else:
        expect(scan).to_be_hidden()
    office.keyboard.type(desk.numbers[1])
    office.keyboard.press("Enter")
    expect(office.locator("#q-q1")).to_be_focused()
    office.keyboard.type("5")
    expect(office.locator("output[for='q-q1']")).to_have_text("Rất hài lòng")
    # q23 "Không" skips q24, and so every yes/no question after it, each
    # asked only after a "Có" to the one before.
    office.locator("#q-q23").focus()
    office.keyboard.type("2")
    expect(office.locator("output[for='q-q23']")).to_have_text("Không")
    office.keyboard.press("Tab")
    expect(office.locator("#q-q30")).to_be_focused()
    expect(office.locator("[data-q='q24']")).to_be_hidden()
    office.keyboard.press("Shift+Tab")
    expect(office.locator("#q-q23")).to_be_focused()
    office.keyboard.press("Backspace")
    office.keyboard.type("1")
    expect(office.locator("output[for='q-q23']")).to_have_text("Có")
    office.keyboard.press("Tab")
    expect(office.locator("#q-q24")).to_be_focused()
    screenshot(office, "paper-entry")
    # Ctrl+Enter saves from any box; the rest is left blank, none is required.
    office.keyboard.press("Control+Enter")
    expect(office.get_by_text(f"Đã lưu phiếu {desk.numbers[1]}.")).to_be_visible()
    expect(office.locator("#number")).to_be_focused()


def test_two_clerks_key_a_form_and_a_third_settles_their_difference(
    browser: Browser, live_url: str, live_app: Flask, desk: Desk
) -> None:
    number = desk.numbers[0]
    for clerk, typed in zip(desk.clerks, (TYPED, TYPED | {"q33": "102"}), strict=False):
        context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
        page = context.new_page()
        log_in(page, live_url, clerk, PASSWORD)
        page.goto(f"{live_url}/staff/entry")
        key_form(page, number, typed)
        context.close()
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    log_in(page, live_url, desk.clerks[2], PASSWORD)
    page.goto(f"{live_url}/staff/paper/reconcile")
    page.get_by_role("link", name="Đối chiếu").click()
    settle_with_first(page, number, "120", "102", shot="paper-reconcile")
    context.close()
    with live_app.app_context(), session_factory()() as session:
        response = session.scalars(select(Response)).one()
        assert response.channel == PAPER_CHANNEL
        form = session.scalars(
            select(PaperForm).where(PaperForm.response_id == response.id)
        ).one()
        assert form.settled_answers["q33"] == 120
