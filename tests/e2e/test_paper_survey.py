"""A paper survey from end to end in a real Chromium (issue 19's "done when"):
a manager prints a batch, two clerks key one form with one difference, a third
user settles it against the paper, and the form is in the unit's report."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect

from app.db import session_factory
from surveys.models import Role, utcnow
from surveys.storage.recording import Submission, record_response
from tests.app.pdf_reading import read_pages
from tests.builders import PASSWORD, make_code, make_counter_campaign, make_user, unique
from tests.e2e.conftest import screenshot
from tests.e2e.paper_keystrokes import key_form, settle_with_first
from tests.e2e.test_staff import DESKTOP, download, download_responses, log_in

#: Ratings given at the counter before the paper forms come back.
COUNTER_RATINGS = 12
#: One form as each clerk keyed it: the second misread the overall rating.
FIRST = {"overall": "4", "official": "", "comment": "Cán bộ hướng dẫn tận tình"}
SECOND = FIRST | {"overall": "5"}


@dataclass(frozen=True)
class Ward:
    """A ward's counter campaign and the usernames of its three managers."""

    campaign: str
    name: str
    manager: str
    clerks: tuple[str, str]


@pytest.fixture
def ward(live_app: Flask) -> Ward:
    """A ward rated at its counter this quarter, with three managers."""
    with live_app.app_context(), session_factory().begin() as session:
        campaign, point = make_counter_campaign(session)
        code = make_code(session, campaign, kind="standing", service_point=point)
        start = utcnow() - timedelta(hours=COUNTER_RATINGS + 1)
        for hour in range(COUNTER_RATINGS):
            answers = {"overall": str(2 + hour % 4)}
            submission = Submission(code.token, unique("s"), answers)
            record_response(session, submission, start + timedelta(hours=hour))
        manager, *clerks = (
            make_user(session, campaign.unit, Role.UNIT_MANAGER).username
            for _ in range(3)
        )
        return Ward(campaign.key, campaign.unit.name, manager, (clerks[0], clerks[1]))


@pytest.fixture
def desks(browser: Browser) -> Iterator[list[BrowserContext]]:
    """Three office computers: the manager's and the two clerks'."""
    contexts = [
        browser.new_context(viewport=DESKTOP, locale="vi-VN", accept_downloads=True)
        for _ in range(3)
    ]
    yield contexts
    for context in contexts:
        context.close()


def test_a_printed_form_keyed_twice_and_settled_is_in_the_units_report(
    live_url: str, desks: list[BrowserContext], ward: Ward
) -> None:
    manager = desks[0].new_page()
    log_in(manager, live_url, ward.manager, PASSWORD)
    number = print_a_batch(manager, ward)

    for context, clerk, typed in zip(
        desks[1:], ward.clerks, (FIRST, SECOND), strict=True
    ):
        page = context.new_page()
        log_in(page, live_url, clerk, PASSWORD)
        page.goto(f"{live_url}/staff/entry")
        key_form(page, number, typed)

    # The manager keyed nothing: they settle the one difference against the paper.
    manager.get_by_role("link", name="Phiếu giấy", exact=True).click()
    manager.get_by_role("link", name="Phiếu chờ đối chiếu").click()
    manager.get_by_role("link", name="Đối chiếu").click()
    settle_with_first(manager, number, "Hài lòng", "Rất hài lòng")

    find_it_in_the_report(manager, ward)


def print_a_batch(page: Page, ward: Ward) -> str:
    """Create a batch of two forms, download its PDF; return the first number."""
    page.get_by_role("link", name="Phiếu giấy", exact=True).click()
    page.get_by_role("link", name="Tạo lô phiếu").click()
    page.get_by_label("Đợt khảo sát").select_option(ward.campaign)
    page.get_by_label("Số lượng phiếu").fill("2")
    page.get_by_role("button", name="Tạo lô phiếu").click()
    expect(page.get_by_role("status")).to_contain_text("Đã tạo lô 2 phiếu")
    pdf = download(page, "PDF (Tiếng Việt)")
    text = " ".join(p.text for p in read_pages(pdf))
    numbers = sorted(set(re.findall(r"\b\d{6}-\d\b", text)))
    assert len(numbers) == 2 and ward.name in text
    rows = page.locator("#forms tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(numbers[0])
    return numbers[0]


def find_it_in_the_report(page: Page, ward: Ward) -> None:
    """The unit's dashboard counts the form on paper, and with the rest; its
    PDF report names the channel; the responses' CSV holds the settled form."""
    page.get_by_role("link", name="Kết quả").click()
    page.get_by_label("Đợt khảo sát", exact=True).select_option(ward.campaign)
    page.get_by_role("button", name="Xem").click()
    expect(page).to_have_url(re.compile(f"campaign={ward.campaign}"))
    table = page.locator("#by-channel")
    expect(table).to_be_visible()
    cells = {
        row.locator("th").inner_text().strip(): row.locator("td").first.inner_text()
        for row in table.locator("tbody tr").all()
    }
    assert cells["Phiếu giấy"] == "1"
    assert cells["Tất cả các kênh"] == str(COUNTER_RATINGS + 1)
    expect(page.locator("#count-responses")).to_have_text(str(COUNTER_RATINGS + 1))
    screenshot(page, "paper-in-the-report")

    text = " ".join(p.text for p in read_pages(download(page, "Báo cáo PDF")))
    assert "Phiếu giấy" in text

    rows = list(
        csv.DictReader(
            io.StringIO(
                download_responses(page, "Mã", "CSV").decode("utf-8-sig"), newline=""
            )
        )
    )
    assert len(rows) == COUNTER_RATINGS + 1
    (paper,) = [row for row in rows if row["response_channel"] == "paper"]
    assert paper["overall"] == "4" and paper["verified"] == "1"
    assert paper["comment"] == FIRST["comment"]
