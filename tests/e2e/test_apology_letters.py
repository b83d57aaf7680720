"""A ward manager writes, prints and sends an apology letter in a real Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import select

from app.db import session_factory
from surveys.demo import seed_demo
from surveys.local_time import local_date
from surveys.models import DossierChannel, Unit, utcnow
from tests.app.pdf_reading import read_pages
from tests.builders import make_procedure
from tests.e2e.conftest import screenshot
from tests.surveys.dossiers.late import add_applicant, returned, still_open

DEMO_PASSWORD = "demo-e2e-letters-2026"
APPLICANT = "Phan Thị Thu Trang"


@pytest.fixture
def late_dossiers(live_app: Flask) -> None:
    """The demo district, and two late dossiers of Phường Bến Nghé.

    Received five weeks ago (three working days to handle): the applicants'
    data is still kept, so the purge that runs after a request leaves it.
    """
    today = local_date(utcnow())
    received = today - timedelta(days=35)
    with live_app.app_context(), session_factory().begin() as session:
        seed_demo(session, demo_password=DEMO_PASSWORD, responses=False)
        ward = session.scalars(select(Unit).where(Unit.code == "q1-ben-nghe")).one()
        days = make_procedure(session, name="Đăng ký kết hôn", processing_days=3)
        late = returned(
            session,
            ward,
            days,
            today - timedelta(days=14),
            received,
            code="HS-E2E-0001",
            channel=DossierChannel.POST,
        )
        add_applicant(session, late, APPLICANT)
        add_applicant(
            session, still_open(session, ward, days, received, code="HS-E2E-0002")
        )


@pytest.fixture
def desk(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="vi-VN", accept_downloads=True
    )
    page = context.new_page()
    yield page
    context.close()


def dashboard_cell(page: Page, live_url: str, name: str) -> Locator:
    """Open the ward's dashboard and read one count of its letters' row."""
    page.goto(f"{live_url}/staff/units/q1-ben-nghe/dashboard")
    row = page.locator("#apology-letters tbody tr").filter(has_text="Phường Bến Nghé")
    return row.locator(f"td.{name}")


def test_late_dossier_to_letter_sent_and_counted(
    live_url: str, desk: Page, late_dossiers: None
) -> None:
    page = desk
    page.goto(f"{live_url}/staff/login")
    page.get_by_label("Tên đăng nhập").fill("bennghe")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("link", name="Kết quả")).to_be_visible()
    expect(dashboard_cell(page, live_url, "without-letter")).to_have_text("2")
    expect(dashboard_cell(page, live_url, "sent-after-return")).to_have_text("0")

    page.goto(f"{live_url}/staff/units/q1-ben-nghe")
    page.get_by_role("link", name="Phiếu xin lỗi").click()
    row = page.locator("tr").filter(has_text="HS-E2E-0001")
    expect(row).to_contain_text(APPLICANT)
    row.get_by_role("link", name="Lập phiếu").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("HS-E2E-0001")
    page.get_by_label("Lý do trễ hạn").select_option(
        label="Phải lấy ý kiến của cơ quan, đơn vị liên quan"
    )
    page.get_by_label("Chức vụ người ký").fill("Phó Chủ tịch")
    page.get_by_label("Họ tên người ký").fill("Trần Minh Ký")
    page.get_by_role("button", name="Lập phiếu").click()
    expect(page.get_by_role("status")).to_contain_text("Đã lập phiếu xin lỗi số 1/")
    screenshot(page, "apology-letters-unsent")

    link = page.get_by_role("link", name="Phiếu số 1/PXL-Q1-BEN-NGHE (PDF)")
    with page.expect_download() as started:
        link.click()
    [letter] = read_pages(Path(started.value.path()).read_bytes())
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in letter.text
    assert f"Kính gửi: {APPLICANT}" in letter.text
    assert "PHÓ CHỦ TỊCH" in letter.text and "Trần Minh Ký" in letter.text

    sending = page.get_by_role("form", name="Ghi nhận gửi phiếu số 1/PXL-Q1-BEN-NGHE")
    expect(sending.get_by_label("Cách gửi")).to_have_value("post")
    sending.get_by_role("button", name="Đánh dấu đã gửi").click()
    expect(page.get_by_role("status")).to_contain_text("Đã ghi nhận gửi phiếu số 1/")

    # Returned two weeks ago and apologised for today: sent after the return.
    expect(dashboard_cell(page, live_url, "without-letter")).to_have_text("1")
    expect(dashboard_cell(page, live_url, "sent-after-return")).to_have_text("1")
    screenshot(page, "apology-letters-dashboard")
