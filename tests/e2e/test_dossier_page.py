"""A ward manager reads the ward's dossier figures in a real Chromium on a desk."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from app.auth import CLOCK
from app.db import session_factory
from surveys.dossiers.timing import local_instant
from surveys.models import DossierChannel, DossierStatus, Role, UnitKind
from tests.builders import (
    PASSWORD,
    make_dossier,
    make_procedure,
    make_unit,
    make_user,
)
from tests.e2e.conftest import screenshot

#: Thursday 12/03/2026 10:00 in Vietnam: the live app's clock.
NOW = local_instant(date(2026, 3, 12), 10 * 60)
DESKTOP = {"width": 1280, "height": 900}


def vn(day: date, hour: int = 9) -> datetime:
    return local_instant(day, hour * 60)


@pytest.fixture
def ward(live_app: Flask) -> tuple[str, str]:
    """A ward with dossiers returned in January and February, two open and
    overdue and one due tomorrow; its manager. Returns (username, unit code)."""
    live_app.extensions[CLOCK] = lambda: NOW
    with live_app.app_context(), session_factory().begin() as session:
        district = make_unit(session, name="Quận Mẫu", kind=UnitKind.DISTRICT)
        unit = make_unit(session, parent=district, name="Phường Bến Thành")
        manager = make_user(session, unit, role=Role.UNIT_MANAGER)
        procedure = make_procedure(session, name="Chứng thực chữ ký")
        returns = [
            (date(2026, 1, 5), date(2026, 1, 8), date(2026, 1, 7)),
            (date(2026, 1, 5), date(2026, 1, 8), date(2026, 1, 12)),
            (date(2026, 2, 2), date(2026, 2, 5), date(2026, 2, 5)),
        ]
        for received, due, back in returns:
            make_dossier(
                session, unit, vn(received), procedure, due=vn(due, 17),
                returned_at=vn(back, 10), status=DossierStatus.RETURNED,
                channel=DossierChannel.ONLINE,
            )  # fmt: skip
        for code, due in (
            ("HS-001", date(2026, 3, 5)),
            ("HS-002", date(2026, 3, 10)),
            ("HS-003", date(2026, 3, 13)),
        ):
            make_dossier(
                session, unit, vn(date(2026, 3, 2)), procedure, due=vn(due, 17),
                code=code,
            )  # fmt: skip
        return manager.username, unit.code


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    yield page
    context.close()


def test_a_manager_reads_deadlines_indicators_and_figures_by_month(
    live_url: str, desktop: Page, ward: tuple[str, str]
) -> None:
    username, code = ward
    page = desktop
    page.goto(f"{live_url}/staff/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("link", name="Kết quả")).to_be_visible()

    page.goto(f"{live_url}/staff/units/{code}")
    page.get_by_role("link", name="Hồ sơ thủ tục hành chính").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Phường Bến Thành")
    expect(page.locator("#count-overdue")).to_have_text("2")
    expect(page.locator("#count-due-soon")).to_have_text("1")
    expect(page.locator("#overdue tbody th")).to_have_text(["HS-001", "HS-002"])
    expect(page.locator("#indicators")).to_contain_text("Tiến độ giải quyết")
    expect(page.locator("figure.chart svg")).to_be_visible()

    page.get_by_label("Theo kỳ", exact=True).select_option("month")
    page.get_by_role("button", name="Xem").click()
    expect(page).to_have_url(re.compile(r"grain=month"))
    rows = page.locator("#timeliness tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("2026-01")
    expect(rows.nth(0)).to_contain_text("50,0%")
    expect(rows.nth(1)).to_contain_text("100,0%")
    screenshot(page, "dossiers-ward-desktop")
