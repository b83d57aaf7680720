"""The blank first page of a standing code: rendered once, filled in per visitor.

Everyone who scans a counter's poster gets the same blank page; only the CSRF
token, the submission id and the start time differ. The page is rendered once per
code, language and day with stand-ins for those three and kept in the survey
cache (``app.public.cache``); each visitor gets a copy with the stand-ins
replaced. The survey view and the first-visit middleware (``first_visit``) both
serve it, through these functions.
"""

from __future__ import annotations

import secrets
from collections.abc import Hashable
from datetime import date

from surveys.models import utcnow

#: Stand-ins for what differs between visitors of one cached blank page.
SLOTS = {
    "csrf": "__hailong_csrf__",
    "submission_id": "__hailong_submission__",
    "started": "__hailong_started__",
}


def page_key(token: str, language: str, today: date) -> Hashable:
    """Return the cache key of a code's blank page in ``language`` on ``today``."""
    return ("page", token, language, today)


def code_key(token: str) -> Hashable:
    """Return the cache key of a standing code loaded with its survey."""
    return ("code", token)


def fill_in(page: str, csrf_token: str) -> str:
    """Return a visitor's copy of a blank page: their token, a new id, the time."""
    return (
        page.replace(SLOTS["csrf"], csrf_token)
        .replace(SLOTS["submission_id"], secrets.token_urlsafe(18))
        .replace(SLOTS["started"], str(int(utcnow().timestamp())))
    )
