"""Recognising a device or a dossier without keeping anything that identifies a person.

A device is known by a keyed hash of its network address and of a random id the
server gave its browser, and an address by a keyed hash of its own; both change
every day: enough to notice ten ratings in a minute from one phone, or from one
network, not enough to follow anyone from one day to the next. The browser's
self-description (User-Agent) is no part of either: a client that changes it at
will would be a new device every time. Dossier codes are kept only as keyed hashes.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from surveys.models import FollowUpContact


def device_hash(key: bytes, day: date, address: str, device_id: str) -> str:
    """Return the day's pseudonym of a device; the inputs themselves are not kept.

    ``device_id`` is the random id the server gave the browser, or ``""`` for
    a browser that keeps none: all of those at one address are one device.
    """
    message = f"device|{day.isoformat()}|{address}|{device_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def address_hash(key: bytes, day: date, address: str) -> str:
    """Return the day's pseudonym of a network address (never stored raw).

    Stored with each response, so a burst from one network is seen however
    many devices it claims to be; keyed by day like ``device_hash``.
    """
    message = f"address|{day.isoformat()}|{address}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def account_hash(key: bytes, username: str) -> str:
    """Return the keyed hash under which failed logins of a typed name are counted.

    ``username`` is already normalised: "Admin " and ``admin`` are one account.
    """
    return hmac.new(key, f"account|{username}".encode(), hashlib.sha256).hexdigest()


def dossier_key(secret_key: str | bytes) -> bytes:
    """Derive from the app's secret the key dossier codes are hashed with.

    A key of its own: the secret signs cookies, and a dossier's hash must not
    be a value any other use of the secret could produce.
    """
    secret = secret_key.encode() if isinstance(secret_key, str) else secret_key
    return hashlib.sha256(b"dossier|" + secret).digest()


def dossier_hash(key: bytes, dossier_code: str) -> str:
    """Return the keyed hash under which a dossier code is stored."""
    normalised = dossier_code.strip().upper()
    return hmac.new(key, f"dossier|{normalised}".encode(), hashlib.sha256).hexdigest()


def purge_expired_contacts(session: Session, now: datetime) -> int:
    """Erase follow-up phone numbers past their retention date; return how many."""
    result = session.execute(
        delete(FollowUpContact).where(FollowUpContact.purge_after <= now)
    )
    return result.rowcount or 0
