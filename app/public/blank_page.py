"""The blank first page of a standing code: rendered once, filled in per visitor.

Everyone who scans a counter's poster gets the same blank page; only the page
token (``page_token``) and the submission id differ. The page is rendered once
per code, language and day with stand-ins for those two and kept in the survey
cache (``app.public.cache``); each visitor gets a copy with the stand-ins
replaced.
"""

from __future__ import annotations

import secrets
from collections.abc import Hashable
from datetime import date

#: Stand-ins for what differs between visitors of one cached blank page.
SLOTS = {
    "page_token": "__hailong_page_token__",
    "submission_id": "__hailong_submission__",
}


def page_key(token: str, language: str, today: date) -> Hashable:
    """Return the cache key of a code's blank page in ``language`` on ``today``."""
    return ("page", token, language, today)


def code_key(token: str) -> Hashable:
    """Return the cache key of a standing code loaded with its survey."""
    return ("code", token)


def fill_in(page: str, page_token: str) -> str:
    """Return a visitor's copy of a blank page: their page token and a new id."""
    return page.replace(SLOTS["page_token"], page_token).replace(
        SLOTS["submission_id"], secrets.token_urlsafe(18)
    )
