"""The browser enforces our policy: no inline script runs, no page can be framed."""

from __future__ import annotations

from flask import Flask
from playwright.sync_api import Page, expect

from app.db import session_factory
from tests.builders import make_code, make_counter_campaign
from tests.e2e.test_staff import DEMO_PASSWORD, demo, desktop, log_in  # noqa: F401

INJECT = """() => new Promise(resolve => {
  document.addEventListener('securitypolicyviolation', event => resolve(
    {blocked: event.violatedDirective, ran: window.injected === true}), {once: true});
  const script = document.createElement('script');
  script.textContent = 'window.injected = true';
  document.body.appendChild(script);
})"""


def _violations(page: Page) -> list[str]:
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return found


def test_an_injected_inline_script_does_not_run(
    phone: Page, live_app: Flask, live_url: str
) -> None:
    with live_app.app_context(), session_factory().begin() as session:
        campaign, point = make_counter_campaign(session)
        token = make_code(session, campaign, kind="standing", service_point=point).token
    violations = _violations(phone)
    phone.goto(f"{live_url}/s/{token}")
    expect(phone.get_by_role("button", name="Gửi đánh giá")).to_be_visible()
    assert violations == []  # our own page runs under the policy untouched
    outcome = phone.evaluate(INJECT)
    assert outcome["blocked"].startswith("script-src")
    assert outcome["ran"] is False
    assert phone.evaluate("window.injected === undefined")


def test_the_dashboard_draws_its_charts_under_the_policy(
    desktop: Page,  # noqa: F811
    demo: None,  # noqa: F811
    live_url: str,
) -> None:
    violations = _violations(desktop)
    log_in(desktop, live_url, "quan1")
    desktop.get_by_role("link", name="Kết quả").click()
    expect(desktop.locator("figure.chart svg").first).to_be_visible()
    assert violations == []


def test_a_staff_page_cannot_be_framed(desktop: Page, live_url: str) -> None:  # noqa: F811
    with desktop.expect_response(f"{live_url}/staff/login") as served:
        desktop.set_content(f'<iframe src="{live_url}/staff/login"></iframe>')
    assert served.value.status == 200  # the page was served, then refused a frame
    frame = desktop.wait_for_selector("iframe").content_frame()
    assert frame is not None
    frame.wait_for_load_state()
    assert frame.locator("input[name=password]").count() == 0
