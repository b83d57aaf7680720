"""Configuration from ``HAILONG_*`` environment variables, with safe defaults."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

ENV_PREFIX = "HAILONG"
SECRET_KEY_FILE = "secret_key"

#: Settings Flask defines itself, so that ``setdefault`` would never apply them:
#: they are set first, and the environment and the overrides may replace them.
FLASK_SETTINGS: Mapping[str, Any] = {
    # Staff uploads (questionnaires, official lists) may be large, citizens' forms
    # never are: anything bigger is refused with 413 before it is parsed.
    "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_HTTPONLY": True,
    # True behind HTTPS (production); False lets the local demo log in over HTTP.
    "SESSION_COOKIE_SECURE": False,
}


def load_config(app: Flask, overrides: Mapping[str, Any] | None = None) -> None:
    """Fill ``app.config`` from the environment and ``overrides``, then derive the rest.

    ``HAILONG_DATABASE_URL`` becomes ``DATABASE_URL`` and so on. Values are parsed
    as JSON when they look like it (``HAILONG_MAX_CONTENT_LENGTH=65536``).
    """
    app.config.update(FLASK_SETTINGS)
    app.config.from_prefixed_env(ENV_PREFIX)
    app.config.update(overrides or {})
    instance = Path(app.instance_path)
    app.config.setdefault("DATABASE_URL", f"sqlite:///{instance / 'hailong.sqlite3'}")
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    # One process serves with up to 256 threads (gunicorn.conf.py): a pool of 5
    # connections and 10 more would leave ratings waiting behind a few long
    # downloads. Past 50 at once, a request waits for one (30 s), then gets the
    # 503 page.
    app.config.setdefault("ENGINE_OPTIONS", {"pool_size": 10, "max_overflow": 40})
    # Citizens' forms are small: the public pages refuse more (see app.security).
    app.config.setdefault("PUBLIC_MAX_CONTENT_LENGTH", 64 * 1024)
    # A long questionnaire may stay open for hours: the CSRF token lives as long
    # as the browser session, not one hour.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    # Form texts come from our own catalogues: Flask-WTF looking up its own
    # translations for every field of every form cost a fifth of a rating.
    app.config.setdefault("WTF_I18N_ENABLED", False)
    # A survey page's token (app.public.page_token) is good this many seconds
    # after the survey began; a resumed draft gets a new one.
    app.config.setdefault("SURVEY_TOKEN_MAX_AGE", 24 * 3600)
    # Per device, per access code, per network address (see app.security).
    app.config.setdefault("SURVEY_LIMIT_DEVICE", "30/minute;500/day")
    app.config.setdefault("SURVEY_LIMIT_CODE", "120/minute")
    app.config.setdefault("SURVEY_LIMIT_ADDRESS", "1200/minute")
    # Failed staff logins and password changes: free for one account from one
    # address this many times, then 2, 4, 8… seconds apart up to the longest
    # delay; and ceilings per device and per address, whatever the account
    # (see app.auth). A successful login costs nothing.
    app.config.setdefault("LOGIN_FREE_FAILURES", 5)
    app.config.setdefault("LOGIN_LONGEST_DELAY", 15 * 60)
    app.config.setdefault("LOGIN_LIMIT_DEVICE", "30/minute")
    app.config.setdefault("LOGIN_LIMIT_ADDRESS", "100/hour")
    # A staff session ends after this long without a request, and this long
    # after the login whatever the activity (a working day).
    app.config.setdefault("STAFF_IDLE_MINUTES", 30)
    app.config.setdefault("STAFF_SESSION_HOURS", 12)
    app.config.setdefault("TRUSTED_PROXIES", 0)
    # /healthz fails below this much free space beside an SQLite database: the
    # WAL alone may grow to about 40 MiB between checkpoints (surveys.db).
    app.config.setdefault("HEALTH_MIN_FREE_BYTES", 64 * 1024 * 1024)
    # How long each process reuses a standing code's counter page data and a blank
    # page: a revoked poster still shows (never accepts) this long.
    app.config.setdefault("SURVEY_CACHE_SECONDS", 15)
    # Phone numbers and unsent drafts past their retention are erased about this
    # often, and overdue feedback cases escalated, by the app itself after
    # answering (see app.chores).
    app.config.setdefault("PURGE_EVERY_SECONDS", 3600)
    # A dossier applicant's name and contact are kept this many days after the
    # return of a dossier in time, after the sending of a late one's letter,
    # and after the due date while a letter may still be owed
    # (surveys.dossiers.applicants); the purge above erases them then.
    app.config.setdefault("APPLICANT_DAYS_AFTER_RETURN", 30)
    app.config.setdefault("APPLICANT_DAYS_AFTER_LETTER", 90)
    app.config.setdefault("APPLICANT_DAYS_UNSETTLED", 180)
    # Apology letters are sent outside hailong and recorded; a sender plugged in
    # per channel does the sending too: {"sms": "package.module:factory"}
    # (surveys.dossiers.sending).
    app.config.setdefault("LETTER_SENDERS", {})
    # A dossier export (200,000 rows are about 80 MB as CSV, less as XLSX),
    # and whether its reading runs in a thread of the web process (tests read
    # it inline, in the request).
    app.config.setdefault("DOSSIER_IMPORT_MAX_BYTES", 256 * 1024 * 1024)
    app.config.setdefault("DOSSIER_IMPORT_IN_BACKGROUND", True)
    # A feedback case's answer waits for a manager's approval before the
    # citizen reads it (surveys.cases.workflow); False: submitting publishes.
    app.config.setdefault("CASE_ANSWER_REVIEW", True)
    # Feedback cases (surveys.cases): the files a citizen may attach to one,
    # the whole form's size (files and text; a larger post is refused with
    # 413 before it is read), how many days a contact is kept after the case
    # was resolved (surveys.cases.contacts), the limits per address on sending
    # the form and on looking a case up, and the category of the cases made
    # from a rating's comment ("": the first public category).
    app.config.setdefault("CASE_FILES_MAX", 3)
    app.config.setdefault("CASE_FILE_MAX_BYTES", 5 * 1024 * 1024)
    app.config.setdefault("CASE_FORM_MAX_BYTES", 16 * 1024 * 1024)
    app.config.setdefault("CASE_CONTACT_DAYS", 90)
    app.config.setdefault("CASE_LIMIT_ADDRESS", "10/hour;30/day")
    app.config.setdefault("CASE_LOOKUP_LIMIT", "30/minute;300/day")
    app.config.setdefault("CASE_RATING_CATEGORY", "")
    # Printed QR codes lead to {PUBLIC_BASE_URL}/s/{token}: the address citizens see.
    app.config.setdefault("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(instance)


def instance_secret_key(instance: Path) -> str:
    """Return the key kept in the instance folder, generating it on first use.

    Several workers may start at once: the key is written to a temporary file and
    linked into place, so exactly one key wins and every worker reads that one.
    """
    path = instance / SECRET_KEY_FILE
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        tmp = instance / f".{SECRET_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()
