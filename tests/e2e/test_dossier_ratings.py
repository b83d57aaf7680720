"""A result slip in a real Chromium: printed at a desk, scanned and rated on a phone."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Flask
from playwright.sync_api import Browser, Page, expect

from app.db import session_factory
from app.printing import qr_png
from surveys.models import DossierStatus, UnitKind, utcnow
from surveys.questionnaire.versions import shipped_template, store_questionnaire
from tests.app.pdf_reading import read_pages
from tests.app.test_printing import pdf_modules, png_modules
from tests.builders import (
    PASSWORD,
    make_campaign,
    make_dossier,
    make_procedure,
    make_rated_dossier,
    make_unit,
    make_user,
)
from tests.e2e.conftest import PHONE, screenshot
from tests.e2e.test_staff import DESKTOP


def ward_with_rated_dossiers(app: Flask) -> str:
    """Seed a ward: four dossiers returned in time and rated, one not yet rated.

    Returns the ward's code.
    """
    now = utcnow()
    returned = {
        "due": now - timedelta(days=12),
        "returned_at": now - timedelta(days=14),
        "status": DossierStatus.RETURNED,
    }
    with app.app_context(), session_factory().begin() as session:
        district = make_unit(session, name="Quận Thử", kind=UnitKind.DISTRICT)
        ward = make_unit(session, district, code="phuong-mot", name="Phường Một")
        stored = store_questionnaire(session, shipped_template("dossier")).stored
        make_campaign(session, unit=district, mode="dossier", questionnaire=stored)
        procedure = make_procedure(session, name="Đăng ký khai sinh")
        received = now - timedelta(days=25)
        for score in (5, 4, 4, 2):
            make_rated_dossier(session, ward, score, received, procedure, **returned)
        make_dossier(session, ward, received, procedure, code="HS-E2E-5", **returned)
        make_user(session, ward, username="quanly-mot")
        return ward.code


def in_time_row(page: Page) -> list[str]:
    row = page.locator("#dossier-satisfaction tbody tr").first
    return [cell.strip() for cell in row.locator("th, td").all_text_contents()]


def test_a_slip_printed_at_the_desk_is_rated_and_the_split_moves(
    live_app: Flask, live_url: str, browser: Browser
) -> None:
    ward = ward_with_rated_dossiers(live_app)
    live_app.config["PUBLIC_BASE_URL"] = live_url  # where the slips' QR codes lead
    desk = browser.new_context(viewport=DESKTOP, locale="vi-VN", accept_downloads=True)
    page = desk.new_page()
    page.goto(f"{live_url}/staff/login")
    page.get_by_label("Tên đăng nhập").fill("quanly-mot")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"{live_url}/staff/units/{ward}")
    # Four ratings: counted, too few to show.
    expect(page.locator("#dossier-satisfaction")).to_contain_text("Trả đúng hạn")
    assert in_time_row(page)[:3] == ["Trả đúng hạn hoặc sớm", "4", ""]

    page.get_by_label("Mã hồ sơ cần in phiếu đánh giá (mỗi dòng một mã)").fill(
        "HS-E2E-5"
    )
    with page.expect_download() as started:
        page.get_by_role("button", name="In phiếu đánh giá kèm kết quả").click()
    (slip,) = read_pages(Path(started.value.path()).read_bytes())
    url = next(text for text in slip.strings if text.startswith(f"{live_url}/s/"))
    assert pdf_modules(slip.rects) == png_modules(qr_png(url))  # what a phone reads

    phone = browser.new_context(viewport=PHONE, locale="vi-VN").new_page()
    phone.goto(url)
    expect(phone.locator('[data-q="overall"]')).to_be_visible()
    expect(phone.locator('[data-q="dossier_code"]')).to_have_count(0)
    phone.locator('[data-q="overall"]').get_by_text("Rất hài lòng", exact=True).click()
    screenshot(phone, "dossier-slip-rating-phone")
    phone.get_by_role("button", name="Gửi đánh giá").click()
    expect(phone.get_by_role("heading", name="Cảm ơn Ông/Bà!")).to_be_visible()
    phone.context.close()

    page.reload()
    expect(page.locator("#dossier-satisfaction tbody tr").first).to_contain_text(
        "80,0%"
    )
    assert in_time_row(page)[:3] == ["Trả đúng hạn hoặc sớm", "5", "4,00"]
    screenshot(page, "dossier-ratings-unit-desktop")
    desk.close()
