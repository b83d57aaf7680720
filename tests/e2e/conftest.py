"""A live server and a real headless Chromium (Debian's, driven by Playwright).

The browser is Debian's ``/usr/bin/chromium``; no browser is ever downloaded. When it
is missing the browser tests are skipped, except under ``CI=true``, where that is a
failure. Screenshots go to ``test-artifacts/`` so a person can look at them.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

from surveys.migrate import upgrade_to_head
from tests.conftest import app_on

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium chromium-driver"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def live_app(tmp_path: Path) -> Iterator[Flask]:
    """The app on its own SQLite database, committing for real."""
    url = f"sqlite:///{tmp_path / 'e2e.sqlite3'}"
    upgrade_to_head(url)
    with app_on(url, tmp_path / "instance") as app:
        yield app


@contextmanager
def served(app: Flask) -> Iterator[str]:
    """Serve ``app`` on a free local port in a thread; yield its address."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


@pytest.fixture
def live_url(live_app: Flask) -> Iterator[str]:
    """Serve ``live_app`` on a free local port for the length of one test."""
    with served(live_app) as url:
        yield url


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A page in a phone-sized window (360×740), as most citizens will see us."""
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    yield page
    context.close()


def screenshot(page: Page, name: str) -> Path:
    """Keep a full-page screenshot in ``test-artifacts/`` and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
