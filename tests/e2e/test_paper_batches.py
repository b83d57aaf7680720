"""A ward manager creates a batch of paper forms, prints it and records it handed
out, in a real Chromium: the start of a paper survey (issue 19)."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from app.db import session_factory
from surveys.models import Role
from tests.builders import PASSWORD, make_user
from tests.e2e.conftest import screenshot
from tests.e2e.test_staff import log_in
from tests.surveys.paper.paper_builders import make_paper


@pytest.fixture
def manager(live_app: Flask) -> tuple[str, str]:
    """A ward with a paper campaign; its manager's login and the campaign's key."""
    with live_app.app_context(), session_factory().begin() as session:
        paper = make_paper(session)
        user = make_user(session, paper.unit, Role.UNIT_MANAGER)
        return user.username, paper.campaign.key


def test_a_manager_creates_prints_and_hands_out_a_batch(
    live_url: str, phone: Page, manager: tuple[str, str]
) -> None:
    username, campaign = manager
    page = phone
    log_in(page, live_url, username, password=PASSWORD)
    page.get_by_role("link", name="Phiếu giấy", exact=True).click()
    expect(page.get_by_text("Chưa có lô phiếu giấy nào.")).to_be_visible()
    page.get_by_role("link", name="Tạo lô phiếu").click()
    page.get_by_label("Đợt khảo sát").select_option(campaign)
    page.get_by_label("Số lượng phiếu").fill("3")
    page.get_by_label("Cụm, ví dụ khu phố hoặc thôn").fill("KP3")
    page.get_by_role("button", name="Tạo lô phiếu").click()
    expect(page.get_by_role("status")).to_contain_text("Đã tạo lô 3 phiếu")
    expect(page.locator("#forms tbody tr")).to_have_count(3)

    with page.expect_download() as download:
        page.get_by_role("link", name="PDF (Tiếng Việt)").click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    page.get_by_label("Giao cho").fill("Tổ dân phố 3")
    page.get_by_role("button", name="Ghi giao phiếu").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Đã ghi giao lô phiếu cho Tổ dân phố 3."
    )
    screenshot(page, "paper-batch")
    page.get_by_role("link", name="← Phiếu giấy").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr").first).to_contain_text("Tổ dân phố 3")
    expect(page.locator("tbody tr").first).not_to_contain_text("Chưa in")
    screenshot(page, "paper-batches")
