"""Officials read their results and download reports in a real Chromium on a desk."""

from __future__ import annotations

import csv as csv_module
import io
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pyreadstat
import pytest
from flask import Flask
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect

from app.db import session_factory
from surveys.demo import seed_demo
from tests.app.pdf_reading import read_pages
from tests.e2e.conftest import screenshot

DESKTOP = {"width": 1280, "height": 900}
DEMO_PASSWORD = "demo-e2e-password-2026"


@pytest.fixture
def demo(live_app: Flask) -> None:
    """The demo district with its year of responses, on the live app's database."""
    with live_app.app_context(), session_factory().begin() as session:
        seed_demo(session, demo_password=DEMO_PASSWORD)


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:
    """A page in an office screen's window, which accepts downloads."""
    context = browser.new_context(
        viewport=DESKTOP, locale="vi-VN", accept_downloads=True
    )
    page = context.new_page()
    yield page
    context.close()


def log_in(
    page: Page, live_url: str, username: str, password: str = DEMO_PASSWORD
) -> None:
    """Log in through the form (Vietnamese pages), as an official would; the
    password is the demo's unless given."""
    page.goto(f"{live_url}/staff/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("link", name="Kết quả")).to_be_visible()


def download(page: Page, link: str, role: str = "link") -> bytes:
    """Click a download link (or the form's button) and return the file's bytes."""
    with page.expect_download() as started:
        page.get_by_role(role, name=link, exact=True).click()  # type: ignore[arg-type]
    return Path(started.value.path()).read_bytes()


def download_responses(page: Page, values: str, button: str) -> bytes:
    """Choose how options are written in the responses' form, then a format."""
    page.get_by_label("Các lựa chọn ghi bằng").select_option(label=values)
    return download(page, button, role="button")


def chart_rows(page: Page, title: str) -> list[list[str]]:
    """Read the accessible table beside the chart named ``title``."""
    figure = page.locator("figure.chart").filter(
        has=page.locator(f'svg[aria-label="{title}"]')
    )
    rows = figure.locator("tbody tr")
    return [
        [cell.strip() for cell in rows.nth(i).locator("th, td").all_text_contents()]
        for i in range(rows.count())
    ]


def test_a_ward_manager_reads_the_dashboard_and_downloads_each_report(
    live_url: str, desktop: Page, demo: None
) -> None:
    page = desktop
    log_in(page, live_url, "bennghe")
    page.get_by_role("link", name="Kết quả").click()
    page.get_by_label("Đợt khảo sát", exact=True).select_option("q1-mot-cua-2026")
    page.get_by_label("Kỳ (năm hoặc quý)").select_option("2026")
    page.get_by_role("button", name="Xem").click()
    # The page before the click shows the same heading: wait for the chosen one.
    expect(page).to_have_url(re.compile(r"campaign=q1-mot-cua-2026.*period=2026"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Phường Bến Nghé")
    expect(page.locator("figure.chart svg").first).to_be_visible()
    screenshot(page, "dashboard-ward-desktop")
    # Counts are written the Vietnamese way: "1.234" is a thousand and more.
    responses = int(page.locator("#count-responses").inner_text().replace(".", ""))
    verified = int(page.locator("#count-verified").inner_text().replace(".", ""))
    items = chart_rows(page, "Điểm theo tiêu chí")
    assert responses > 0 and items

    pdf = download(page, "Báo cáo PDF")
    text = " ".join(p.text for p in read_pages(pdf))
    assert "Phường Bến Nghé" in text and "2026" in text

    book = load_workbook(io.BytesIO(download(page, "Bảng tính Excel")))
    summary = dict(book["Tổng hợp"].iter_rows(values_only=True))
    assert summary["Số phiếu hợp lệ"] == responses
    assert summary["Số phiếu xác thực (mã dùng một lần)"] == verified
    sheet = [row for row in book["Tiêu chí"].iter_rows(min_row=2, values_only=True)]
    for shown, row in zip(items, sheet, strict=True):
        label, n, mean, low, high = shown[:5]
        assert label == row[0] and n.replace(".", "") == str(row[1])
        for text_value, number in zip((mean, low, high), row[2:5], strict=True):
            assert text_value == f"{number:.2f}".replace(".", ",")

    csv = download_responses(page, "Mã", "CSV")
    assert csv.startswith("\ufeff".encode())
    assert len(csv.decode("utf-8-sig").splitlines()) == 1 + responses
    # The same responses, options written as their labels in the page's language.
    labelled = download_responses(page, "Nhãn", "CSV").decode("utf-8-sig").splitlines()
    assert len(labelled) == 1 + responses
    assert labelled[0] == csv.decode("utf-8-sig").splitlines()[0]
    assert "Hài lòng" in "\n".join(labelled)
    # The same rows as a workbook, and as SPSS and Stata files.
    workbook = download_responses(page, "Nhãn", "Excel (.xlsx)")
    rows = list(load_workbook(io.BytesIO(workbook)).active.iter_rows(values_only=True))
    assert list(rows[0]) == next(csv_module.reader(labelled[:1]))
    assert len(rows) == 1 + responses
    for button, suffix in (("SPSS (.sav)", ".sav"), ("Stata (.dta)", ".dta")):
        with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
            handle.write(download(page, button, role="button"))
            handle.flush()
            read = pyreadstat.read_sav if suffix == ".sav" else pyreadstat.read_dta
            frame, _meta = read(handle.name)
        assert len(frame) == responses


def test_the_district_sees_its_league_table_and_downloads_it(
    live_url: str, desktop: Page, demo: None
) -> None:
    page = desktop
    log_in(page, live_url, "quan1")
    page.goto(f"{live_url}/staff/dashboard?campaign=q1-mot-cua-2026&period=2026")
    expect(page.locator("#league")).to_be_visible()
    expect(page.locator("#league")).to_contain_text("Phường Bến Nghé")
    screenshot(page, "dashboard-district-desktop")
    text = " ".join(p.text for p in read_pages(download(page, "Báo cáo PDF")))
    assert "Quận 1" in text
    book = load_workbook(io.BytesIO(download(page, "Bảng tính Excel")))
    league = book["Xếp hạng"]
    assert league.max_row - 1 == page.locator("#league tbody tr").count()


def test_the_ward_sees_its_keyed_paper_forms_beside_the_interviews(
    live_url: str, desktop: Page, demo: None
) -> None:
    page = desktop
    log_in(page, live_url, "bennghe")
    page.goto(f"{live_url}/staff/dashboard?campaign=q1-papi-2026&period=2026")
    channels = page.locator("#by-channel tbody th")
    expect(channels).to_have_text(["Điều tra viên", "Phiếu giấy", "Tất cả các kênh"])
    paper = page.locator("#by-channel tbody tr").filter(has_text="Phiếu giấy")
    expect(paper.locator("td").first).to_have_text("12")
