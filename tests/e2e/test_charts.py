"""The dashboard's charts as an official sees them on a desk screen (1280×900).

Each kind of chart is photographed on its own (an element screenshot is steadier
than the whole page) and compared with its reference image, checked by eye once
(tests/visual.py): a label that starts to overlap, a cut name or an axis that
zooms shows as a difference.
"""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from app.db import session_factory
from surveys.models import User
from tests.builders import make_campaign
from tests.e2e.test_staff import demo, desktop, log_in  # noqa: F401 (fixtures)
from tests.visual import assert_matches_reference

YEAR = "campaign=q1-mot-cua-2026&period=2026"
EMPTY = "chua-co-phieu"
#: A ward's dashboard fits its officials' model on the first visit: on a busy
#: machine that can take longer than Playwright's 30 seconds.
SLOW_PAGE = 180_000


@pytest.fixture
def empty_campaign(live_app: Flask, demo: None) -> None:  # noqa: F811
    """A campaign of the ward that has not had a single response yet."""
    with live_app.app_context(), session_factory().begin() as session:
        manager = session.scalar(select(User).where(User.username == "bennghe"))
        make_campaign(session, unit=manager.unit, key=EMPTY, name="Đợt chưa có phiếu")


def chart(page: Page, title: str) -> Locator:
    """The drawing of the chart named ``title``, without its table."""
    drawing = page.locator(f'figure.chart > svg[aria-label="{title}"]')
    expect(drawing).to_be_visible()
    return drawing


def test_a_wards_charts_read_at_a_glance(
    live_url: str,
    desktop: Page,  # noqa: F811
    empty_campaign: None,
) -> None:
    page = desktop
    page.set_default_navigation_timeout(SLOW_PAGE)
    log_in(page, live_url, "bennghe")
    page.goto(f"{live_url}/staff/dashboard?{YEAR}")
    for name, title in (
        ("dashboard-chart-months", "Số phiếu theo tháng"),
        ("dashboard-chart-dimensions", "Mức hài lòng theo lĩnh vực"),
        ("dashboard-chart-items", "Điểm theo tiêu chí"),
        ("dashboard-chart-counters", "Điểm theo quầy"),
    ):
        assert_matches_reference(chart(page, title).screenshot(), name)
    page.goto(f"{live_url}/staff/dashboard?campaign={EMPTY}&period=2026")
    empty = chart(page, "Số phiếu theo tháng")
    expect(empty).to_contain_text("Chưa có dữ liệu")
    assert_matches_reference(empty.screenshot(), "dashboard-chart-no-data")


def test_the_districts_league_and_ranks_read_at_a_glance(
    live_url: str,
    desktop: Page,  # noqa: F811
    demo: None,  # noqa: F811
) -> None:
    page = desktop
    page.set_default_navigation_timeout(SLOW_PAGE)
    log_in(page, live_url, "quan1")
    page.goto(f"{live_url}/staff/dashboard?{YEAR}")
    league = page.locator('figure.chart > svg[aria-label^="Xếp hạng các đơn vị"]')
    expect(league).to_be_visible()
    assert_matches_reference(league.screenshot(), "dashboard-chart-league")
    ranks = chart(page, "Khoảng thứ hạng")
    assert_matches_reference(ranks.screenshot(), "dashboard-chart-ranks")
