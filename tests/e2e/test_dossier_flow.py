"""From import to letter in a real Chromium: a ward manager imports the week's
export, finds the late dossier it brought, and drafts and downloads its letter."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from app.db import session_factory
from surveys.demo import seed_demo
from surveys.local_time import local_date
from surveys.models import utcnow
from tests.app.pdf_reading import read_pages
from tests.builders import make_procedure
from tests.surveys.dossiers.exports import write_csv

DEMO_PASSWORD = "demo-e2e-flow-2026"
APPLICANT = "Đỗ Thị Mai Hương"


@pytest.fixture
def export(live_app: Flask, tmp_path: Path) -> Path:
    """The demo district, and an export of two dossiers of Phường Bến Nghé.

    Both received five weeks ago for a three-day procedure: one returned on
    time, one returned two weeks ago, late.
    """
    with live_app.app_context(), session_factory().begin() as session:
        seed_demo(session, demo_password=DEMO_PASSWORD, responses=False)
        make_procedure(session, code="2.000815", name="Chứng thực bản sao")
    today = local_date(utcnow())
    received = (today - timedelta(days=35)).strftime("%d/%m/%Y 09:00")
    on_time = (today - timedelta(days=35)).strftime("%d/%m/%Y 16:00")
    late = (today - timedelta(days=14)).strftime("%d/%m/%Y 10:30")
    rows = [
        ["HS-FLOW-1", "2.000815", "Chứng thực bản sao", "Chứng thực", "Trực tiếp",
         received, "", on_time, "Đã trả kết quả", "Lê Văn Tâm", "0903000001"],
        ["HS-FLOW-2", "2.000815", "Chứng thực bản sao", "Chứng thực", "Trực tuyến",
         received, "", late, "Đã trả kết quả", APPLICANT, "0903000002"],
    ]  # fmt: skip
    return write_csv(tmp_path / "ho-so-tuan.csv", rows)


@pytest.fixture
def desk(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="vi-VN", accept_downloads=True
    )
    page = context.new_page()
    yield page
    context.close()


def test_an_imported_late_dossier_gets_its_letter(
    live_url: str, desk: Page, export: Path
) -> None:
    page = desk
    page.goto(f"{live_url}/staff/login")
    page.get_by_label("Tên đăng nhập").fill("bennghe")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()

    page.get_by_role("link", name="Nhập hồ sơ").click()
    page.get_by_label("Tệp").set_input_files(export)
    page.get_by_role("button", name="Tải lên").click()
    expect(page.get_by_role("heading", name="Ghép cột của tệp")).to_be_visible()
    page.get_by_role("button", name="Đọc và kiểm tra tệp").click()
    expect(page.locator("#checked")).to_be_visible(timeout=60_000)
    page.get_by_role("button", name="Xác nhận nhập").click()
    expect(page.locator("#result")).to_contain_text("Đã nhập: 2")

    page.goto(f"{live_url}/staff/units/q1-ben-nghe")
    page.get_by_role("link", name="Phiếu xin lỗi").click()
    late = page.locator("tr").filter(has_text="HS-FLOW-2")
    expect(late).to_contain_text(APPLICANT)
    expect(page.locator("tr").filter(has_text="HS-FLOW-1")).to_have_count(0)
    late.get_by_role("link", name="Lập phiếu").click()
    page.get_by_label("Lý do trễ hạn").select_option(index=1)
    page.get_by_label("Chức vụ người ký").fill("Chủ tịch")
    page.get_by_label("Họ tên người ký").fill("Võ Văn Ký")
    page.get_by_role("button", name="Lập phiếu").click()
    expect(page.get_by_role("status")).to_contain_text("Đã lập phiếu xin lỗi số 1/")

    with page.expect_download() as started:
        page.get_by_role("link", name="Phiếu số 1/PXL-Q1-BEN-NGHE (PDF)").click()
    [letter] = read_pages(Path(started.value.path()).read_bytes())
    assert f"Kính gửi: {APPLICANT}" in letter.text
    assert "HS-FLOW-2" in letter.text and "Chứng thực bản sao" in letter.text
