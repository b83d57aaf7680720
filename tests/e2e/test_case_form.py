"""A citizen sends feedback from a phone with JavaScript off, then reads its status."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from playwright.sync_api import Browser, expect

from app.db import session_factory
from surveys.models import CaseCategory, Unit, UnitKind
from tests.e2e.conftest import PHONE, screenshot
from tests.surveys.cases.files import picture

CODE = re.compile(r"PA-[0-9A-Z]{5}-[0-9A-Z]{5}")


def test_the_form_works_on_a_phone_without_javascript(
    live_app: Flask, live_url: str, browser: Browser, tmp_path: Path
) -> None:
    with live_app.app_context(), session_factory().begin() as session:
        district = Unit(code="q-thu", name="Quận Thử", kind=UnitKind.DISTRICT)
        ward = Unit(
            code="p-mot", name="Phường Một", kind=UnitKind.WARD, parent=district
        )
        session.add_all([district, ward])
        session.flush()
        session.add(
            CaseCategory(
                code="thai-do",
                name_vi="Thái độ phục vụ",
                name_en="Service attitude",
                default_unit_id=ward.id,
            )
        )
    photo = tmp_path / "anh.jpg"
    photo.write_bytes(picture("JPEG", gps=True))
    context = browser.new_context(
        viewport=PHONE, locale="vi-VN", java_script_enabled=False
    )
    phone = context.new_page()
    try:
        phone.goto(f"{live_url}/phan-anh")
        expect(phone.get_by_role("heading", level=1)).to_have_text(
            "Gửi phản ánh, kiến nghị"
        )
        phone.get_by_label("Lĩnh vực").select_option(label="Thái độ phục vụ")
        phone.get_by_label("Đơn vị liên quan").select_option(label="Phường Một")
        phone.get_by_label("Nội dung phản ánh, kiến nghị").fill(
            "Cán bộ tiếp nhận hẹn trả kết quả ba lần. <b>Không</b> in đậm."
        )
        phone.get_by_label(
            "Ảnh hoặc tệp PDF kèm theo (không bắt buộc)"
        ).set_input_files(str(photo))
        # Nothing may overflow sideways on a 360 px screen.
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(phone, "case-form-phone-no-js")
        phone.get_by_role("button", name="Gửi phản ánh").click()
        code = phone.locator("#tracking-code")
        expect(code).to_have_text(CODE)
        tracking = code.inner_text()
        phone.get_by_role("link", name="Xem tình trạng phản ánh").click()
        expect(phone.locator("#case-state")).to_have_text(
            "Đã tiếp nhận, đang chờ giao xử lý"
        )
        expect(phone.get_by_role("heading", level=1)).to_have_text(tracking)
        phone.goto(f"{live_url}/phan-anh/tra-cuu")
        phone.get_by_label("Mã theo dõi (dạng PA-XXXXX-XXXXX)").fill(
            tracking.lower().replace("-", " ")
        )
        phone.get_by_role("button", name="Tra cứu").click()
        expect(phone.get_by_role("heading", level=1)).to_have_text(tracking)
        phone.get_by_role("link", name="English").click()
        expect(phone.locator("#case-state")).to_have_text(
            "Received, waiting to be assigned"
        )
        screenshot(phone, "case-status-phone-no-js")
    finally:
        context.close()
