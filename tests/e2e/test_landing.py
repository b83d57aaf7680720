"""The landing page in a real browser on a phone."""

from __future__ import annotations

from flask import Flask
from playwright.sync_api import Page, expect

from app.db import session_factory
from surveys.demo import seed_demo
from tests.e2e.conftest import screenshot


def test_a_citizen_finds_their_ward_on_a_phone(
    live_app: Flask, live_url: str, phone: Page
) -> None:
    with live_app.app_context(), session_factory().begin() as session:
        seed_demo(session, demo_password="demo-password-1", responses=False)
    phone.goto(live_url)
    expect(phone.get_by_role("heading", name="Quận 1")).to_be_visible()
    phone.get_by_role("link", name="Phường Cầu Ông Lãnh").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Phường Cầu Ông Lãnh")
    assert "Quầy Tư pháp – Hộ tịch" in phone.content()
    # Nothing may overflow sideways on a 360 px screen.
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    assert screenshot(phone, "landing-ward-phone").stat().st_size > 0
    phone.get_by_role("link", name="English").click()
    expect(phone.locator("html")).to_have_attribute("lang", "en")
