"""A district official imports a year's export in a real Chromium: upload, the
columns, the reading's progress (a thread of the server, polled by the page),
the problems, the choice, and the result."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from app.db import session_factory
from surveys.demo import seed_demo
from surveys.demo.dossiers import (
    ensure_procedures,
    export_rows,
    export_units,
    write_csv,
)
from surveys.models import Dossier
from tests.e2e.conftest import screenshot
from tests.e2e.test_staff import DEMO_PASSWORD, desktop, log_in  # noqa: F401

#: Enough rows that the reading lasts a few seconds: its progress is on screen.
ROWS = 40_000
#: Rows whose channel nobody knows (every this-many-th).
BAD_EVERY = 10_000


@pytest.fixture
def export(live_app: Flask, tmp_path: Path) -> Path:
    """The demo district (no responses) and a year's export of its dossiers."""
    with live_app.app_context(), session_factory().begin() as session:
        seed_demo(session, demo_password=DEMO_PASSWORD, responses=False)
        ensure_procedures(session)
        rows = list(export_rows(np.random.default_rng(7), export_units(session), ROWS))
    for number in range(BAD_EVERY - 1, ROWS, BAD_EVERY):
        rows[number] = (*rows[number][:12], "Qua fax", *rows[number][13:])
    path = tmp_path / "ho-so-2026.csv"
    write_csv(path, rows)
    return path


def test_a_district_official_imports_a_year_of_dossiers(
    live_app: Flask,
    live_url: str,
    desktop: Page,  # noqa: F811
    export: Path,
) -> None:
    page = desktop
    log_in(page, live_url, "quan1")
    page.get_by_role("link", name="Nhập hồ sơ").click()
    expect(page.get_by_label("Đơn vị nhận hồ sơ")).to_have_value("q1")
    page.get_by_label("Tệp").set_input_files(export)
    page.get_by_role("button", name="Tải lên").click()

    expect(page.get_by_role("heading", name="Ghép cột của tệp")).to_be_visible()
    expect(page.get_by_label("Ngày hẹn trả")).to_have_value("Ngày hẹn trả")
    expect(page.get_by_label("Cán bộ tiếp nhận")).to_have_value("Cán bộ tiếp nhận")
    screenshot(page, "dossier-import-mapping")
    page.get_by_role("button", name="Đọc và kiểm tra tệp").click()

    # The reading runs in the server's thread; the page follows it by itself.
    expect(page.locator("#reading-bar")).to_be_visible()
    screenshot(page, "dossier-import-reading")
    checked = page.locator("#checked")
    expect(checked).to_be_visible(timeout=180_000)
    expect(checked).to_contain_text("4 dòng có lỗi")
    expect(page.locator("table.problems")).to_contain_text("Qua fax")
    screenshot(page, "dossier-import-checked")

    page.get_by_label("Nhập các dòng hợp lệ, bỏ qua các dòng lỗi").check()
    page.get_by_role("button", name="Xác nhận nhập").click()
    result = page.locator("#result")
    expect(result).to_contain_text(f"Đã nhập: {ROWS - 4:,}".replace(",", "."))
    expect(result).to_contain_text("4 dòng lỗi đã bị bỏ qua")
    screenshot(page, "dossier-import-done")
    with live_app.app_context(), session_factory()() as session:
        assert session.scalar(select(func.count()).select_from(Dossier)) == ROWS - 4
