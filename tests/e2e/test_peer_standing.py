"""A ward manager sees where the ward stands, as the district's league puts it."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import screenshot
from tests.e2e.test_staff import DESKTOP, demo, log_in  # noqa: F401 (a fixture)

WARD = "Phường Bến Nghé"
QUERY = "campaign=q1-mot-cua-2026&period=2026"


def league_row(page: Page, live_url: str) -> list[str]:
    """Read the ward's rank and rank interval from the district's league."""
    # A loaded machine may take more than the default 30 s for the first
    # district dashboard of a year of demo answers: wait for it, not fail.
    page.goto(f"{live_url}/staff/dashboard?{QUERY}", timeout=120_000)
    row = page.locator("#league tbody tr").filter(
        has=page.get_by_role("rowheader", name=WARD, exact=True)
    )
    expect(row).to_have_count(1)
    return [cell.strip() for cell in row.locator("td").all_text_contents()[:3]]


def test_a_ward_stands_where_the_district_league_puts_it(
    live_url: str,
    browser: Browser,
    demo: None,  # noqa: F811
) -> None:
    district = browser.new_context(viewport=DESKTOP, locale="vi-VN").new_page()
    log_in(district, live_url, "quan1")
    rank, low, high = league_row(district, live_url)
    expect(district.locator("#quarters")).to_be_visible()
    ward = browser.new_context(viewport=DESKTOP, locale="vi-VN").new_page()
    log_in(ward, live_url, "bennghe")
    ward.goto(f"{live_url}/staff/dashboard?{QUERY}", timeout=120_000)
    standing = ward.locator("#standing")
    expect(standing).to_contain_text(
        re.compile(rf"{WARD} xếp hạng {rank}/\d+ \(khoảng hạng {low}–{high}\)")
    )
    expect(standing.locator("svg")).to_be_visible()
    expect(ward.locator("#league")).to_have_count(0)
    screenshot(ward, "dashboard-ward-standing")
