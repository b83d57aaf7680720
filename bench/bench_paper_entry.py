"""Keying paper forms by keyboard (issue 19, point 2): keystrokes, server time, minutes.

Debian's Chromium (Playwright) keys ``--forms`` forms of the 40-question paper
questionnaire (``tests/data/paper_forty.yaml``) at ``/staff/entry`` with the
keyboard alone, as ``tests/e2e/test_paper_entry.py`` does: the number and
Enter, then each answer as the code printed beside its box and Tab, Enter in
the last box to save. It reports:

- the keystrokes one form needs;
- the server's time per save (the POST, timed inside the server by a WSGI
  wrapper around the app, so neither the network nor the browser counts) and
  per skip-logic question (the page asks the server what follows it), against
  the bare baseline of the same run: the domain's ``record_entry`` of the
  same answers, in process, committed;
- the minutes one form takes a clerk keying at a professional rate: the
  keystrokes at 8,000 and at 10,000 keystrokes an hour (numeric keying on a
  keypad: about 8,000 an hour is the usual average asked of data-entry
  clerks, 10,000-12,000 competitive; e.g. pentacalc.com, "What 10 Key speed
  do you need for a data entry job?"), plus the server's time for the saves
  and skip questions. Reading the paper is in that rate: it is a rate of
  transcription from paper.

The app is served by werkzeug in a thread, as the browser tests serve it.
Run from the repository root::

    python bench/bench_paper_entry.py --forms 10 --database both
"""

from __future__ import annotations

import argparse
import logging
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_dashboards import database_kinds  # noqa: E402
from flask import Flask  # noqa: E402
from harness import DEFAULT_PG_URL, sized_databases  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from sqlalchemy import select  # noqa: E402
from werkzeug.datastructures import MultiDict  # noqa: E402

from app import create_app  # noqa: E402
from app.db import bind_of, session_factory  # noqa: E402
from app.staff.paper_keying import decoded  # noqa: E402
from surveys.access.code_state import load_code  # noqa: E402
from surveys.access.scope import Scope  # noqa: E402
from surveys.migrate import upgrade_to_head  # noqa: E402
from surveys.models import PaperForm, User, utcnow  # noqa: E402
from surveys.paper.entries import find_form, record_entry  # noqa: E402
from tests.builders import PASSWORD  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, served  # noqa: E402
from tests.e2e.paper_keystrokes import (  # noqa: E402
    TYPED,
    Desk,
    key_form,
    make_desk,
)
from tests.e2e.test_staff import log_in  # noqa: E402

#: Keystrokes an hour assumed for a clerk keying numbers from paper.
RATES = (8_000, 10_000)
#: What the issue asks: a 40-question form in about two minutes.
TARGET_MINUTES = 2.0
SAVE = re.compile(r"^/staff/entry/[\d-]+$")
RELEVANCE = re.compile(r"^/staff/entry/[\d-]+/relevance$")


class Stopwatch:
    """A WSGI wrapper timing the saves and the skip-logic questions it serves."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.saves: list[float] = []
        self.relevance: list[float] = []

    def __call__(self, environ: dict[str, Any], start: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        kept = (
            self.saves
            if SAVE.match(path)
            else self.relevance
            if RELEVANCE.match(path)
            else None
        )
        if environ["REQUEST_METHOD"] != "POST" or kept is None:
            return self.app(environ, start)
        began = time.perf_counter()
        body = b"".join(self.app(environ, start))
        kept.append(time.perf_counter() - began)
        return [body]


def bare_entries(app: Flask, desk: Desk, numbers: tuple[str, ...]) -> list[float]:
    """Time the domain alone: find the form, decode and record the same
    answers, commit (the second clerk's entries)."""
    timings = []
    with app.test_request_context(), session_factory()() as session:
        clerk = session.scalars(
            select(User).where(User.username == desk.clerks[1])
        ).one()
        for number in numbers:
            began = time.perf_counter()
            form: PaperForm = find_form(session, Scope.of(clerk), number, clerk=clerk)
            questionnaire = load_code(session, form.access_code.token).questionnaire
            answers = decoded(questionnaire, MultiDict(TYPED))
            now = utcnow()
            record_entry(session, form, clerk, answers, now, now)
            session.commit()
            timings.append(time.perf_counter() - began)
    return timings


def run(kind: str, url: str, forms: int) -> None:
    upgrade_to_head(url)
    with tempfile.TemporaryDirectory() as instance:
        app = create_app(
            {"DATABASE_URL": url, "SECRET_KEY": "bench", "INSTANCE_PATH": instance}
        )
        with app.app_context(), session_factory()() as session:
            desk = make_desk(session, forms=forms, clerks=3)
        watch = Stopwatch(app.wsgi_app)
        app.wsgi_app = watch  # type: ignore[method-assign]
        keys: list[int] = []
        walls: list[float] = []
        with served(app) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
            )
            page = browser.new_page(
                viewport={"width": 1280, "height": 900}, locale="vi-VN"
            )
            log_in(page, base, desk.clerks[0], PASSWORD)
            page.goto(f"{base}/staff/entry")
            for number in desk.numbers:
                began = time.perf_counter()
                keys.append(key_form(page, number))
                walls.append(time.perf_counter() - began)
            browser.close()
        bare = bare_entries(app, desk, desk.numbers)
        bind_of(app).dispose()
    report(kind, forms, keys, walls, watch, bare)


def report(
    kind: str,
    forms: int,
    keys: list[int],
    walls: list[float],
    watch: Stopwatch,
    bare: list[float],
) -> None:
    save = statistics.median(watch.saves)
    asked = statistics.median(watch.relevance) if watch.relevance else 0.0
    per_form_questions = len(watch.relevance) / forms
    base = statistics.median(bare)
    server = save + per_form_questions * asked
    print(f"== {kind}: {forms} forms of 40 questions, keyed by keyboard in Chromium")
    print(f"keystrokes per form          {statistics.median(keys):8.0f}")
    print(
        f"save, server (median, p95)   {save * 1000:8.1f} ms"
        f" {_p95(watch.saves) * 1000:8.1f} ms"
    )
    print(
        f"skip question, server        {asked * 1000:8.1f} ms"
        f" ({per_form_questions:.0f} per form)"
    )
    print(
        f"bare: record_entry, domain   {base * 1000:8.1f} ms"
        f"   save / bare {save / base:5.1f}"
    )
    print(f"Chromium's own keying, form  {statistics.median(walls):8.2f} s")
    for rate in RATES:
        minutes = statistics.median(keys) / rate * 60 + server / 60
        print(
            f"a clerk at {rate:,} keys/h      {minutes:8.2f} min per form"
            f" ({minutes / TARGET_MINUTES:.0%} of the issue's {TARGET_MINUTES:.0f} min)"
        )


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--forms", type=int, default=10)
    parser.add_argument(
        "--database", choices=("sqlite", "postgresql", "both"), default="both"
    )
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing: apt-get install chromium")
    for kind in database_kinds(args.database, args.pg_url):
        with sized_databases(kind, [args.forms], args.pg_url, "paper_entry") as urls:
            run(kind, urls[0], args.forms)


if __name__ == "__main__":
    main()
