"""Secrets shown once and kept only as their hash: integration and enumerator keys.

A key is a random secret shown once when it is made; only its SHA-256 is kept,
so a stolen database gives no working key. A presented key is looked up by its
hash: the comparison runs on digests, never on the secret character by
character. Integration keys (``surveys.cases.integration_keys``) and
enumerators' keys (``surveys.fieldwork.enumerators``) are both made and found
here.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, Session

#: How many characters of a key are kept in clear, to tell keys apart.
PREFIX_LENGTH = 8
#: A presented key longer than this is no key of ours (they are 43 characters).
MAX_PRESENTED = 200

T = TypeVar("T")


@dataclass(frozen=True)
class NewKey:
    """A key just drawn: the secret to show once, its stored hash and prefix."""

    secret: str
    digest: str
    prefix: str


def hash_key(key: str) -> str:
    """Return the hex SHA-256 a key is stored and looked up by."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key() -> NewKey:
    """Draw a key from the operating system's secure random source (URL-safe)."""
    secret = secrets.token_urlsafe(32)
    return NewKey(secret, hash_key(secret), secret[:PREFIX_LENGTH])


def find_by_key(
    session: Session,
    statement: Select[tuple[T]],
    column: InstrumentedAttribute[str],
    presented: str | None,
) -> T | None:
    """Return the row ``statement`` finds whose ``column`` is ``presented``'s hash.

    None for an empty, overlong or unknown key; the caller checks revocation.
    """
    if not presented or len(presented) > MAX_PRESENTED:
        return None
    digest = hash_key(presented)
    found: Any = session.scalar(statement.where(column == digest))
    if found is None or not hmac.compare_digest(getattr(found, column.key), digest):
        return None
    return found
