"""Tracking codes the citizen keeps: ``PA-XXXXX-XXXXX``, random, never sequential.

Ten symbols of Crockford's base32 (no I, L, O, U) give 2^50 codes: a code
cannot be guessed from another. Typed codes are read leniently: any case,
spaces or dashes anywhere, O for 0 and I or L for 1.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.models import FeedbackCase

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "PA"
_SYMBOLS = 10
_TYPOS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def format_code(symbols: str) -> str:
    """Return ten symbols as a tracking code, ``PA-XXXXX-XXXXX``."""
    return f"{PREFIX}-{symbols[:5]}-{symbols[5:]}"


def new_tracking_codes(session: Session, count: int) -> list[str]:
    """Return ``count`` distinct tracking codes no case has yet (one query per
    thousand, for an import)."""
    codes: list[str] = []
    while len(codes) < count:
        drawn = {_random_code() for _ in range(min(count - len(codes), 1000))}
        drawn -= set(codes)
        taken = set(
            session.scalars(
                select(FeedbackCase.tracking_code).where(
                    FeedbackCase.tracking_code.in_(drawn)
                )
            )
        )
        codes += sorted(drawn - taken)
    return codes


def _random_code() -> str:
    return format_code("".join(secrets.choice(ALPHABET) for _ in range(_SYMBOLS)))


def normalise(typed: str) -> str | None:
    """Return the tracking code a citizen typed, in its stored form, or None.

    None when it cannot be a code at all (so no query is made for it).
    """
    symbols = "".join(ch for ch in typed.upper() if ch.isalnum())
    if symbols.startswith(PREFIX) and len(symbols) == _SYMBOLS + len(PREFIX):
        symbols = symbols[len(PREFIX) :]
    symbols = symbols.translate(_TYPOS)
    if len(symbols) != _SYMBOLS or any(ch not in ALPHABET for ch in symbols):
        return None
    return format_code(symbols)
