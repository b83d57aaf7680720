"""Pseudonyms for devices and dossiers: keyed, daily, never the raw value."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys.access.privacy import (
    address_hash,
    device_hash,
    dossier_hash,
    dossier_key,
    purge_expired_contacts,
)
from surveys.models import FollowUpContact, Response
from surveys.storage.recording import Submission, record_response
from tests.builders import make_code, make_counter_campaign, unique

KEY = b"k" * 32


def test_a_device_keeps_its_pseudonym_for_a_day_only() -> None:
    today = device_hash(KEY, date(2026, 5, 4), "203.0.113.9", "device id 1")
    again = device_hash(KEY, date(2026, 5, 4), "203.0.113.9", "device id 1")
    tomorrow = device_hash(KEY, date(2026, 5, 5), "203.0.113.9", "device id 1")
    assert today == again != tomorrow
    assert "203.0.113.9" not in today and len(today) == 64


def test_two_phones_behind_one_address_are_told_apart() -> None:
    day = date(2026, 5, 4)
    assert device_hash(KEY, day, "203.0.113.9", "device id A") != device_hash(
        KEY, day, "203.0.113.9", "device id B"
    )


def test_an_address_keeps_its_pseudonym_for_a_day_only() -> None:
    today = address_hash(KEY, date(2026, 5, 4), "203.0.113.9")
    tomorrow = address_hash(KEY, date(2026, 5, 5), "203.0.113.9")
    assert today == address_hash(KEY, date(2026, 5, 4), "203.0.113.9") != tomorrow
    assert "203.0.113.9" not in today and len(today) == 64
    assert today != device_hash(KEY, date(2026, 5, 4), "203.0.113.9", "")


def test_the_pseudonym_depends_on_the_key() -> None:
    day = date(2026, 5, 4)
    assert device_hash(KEY, day, "a", "b") != device_hash(b"x" * 32, day, "a", "b")


def test_dossier_codes_are_hashed_the_same_however_they_are_typed() -> None:
    assert dossier_hash(KEY, " hs-2026-001 ") == dossier_hash(KEY, "HS-2026-001")
    assert "HS-2026-001" not in dossier_hash(KEY, "HS-2026-001")


def test_the_dossier_key_is_the_secrets_own_and_not_the_secret() -> None:
    key = dossier_key("app secret")
    assert key == dossier_key("app secret") != dossier_key("other secret")
    assert len(key) == 32 and b"app secret" not in key


def test_phone_numbers_are_erased_after_their_retention(db_session: Session) -> None:
    campaign, _ = make_counter_campaign(db_session)
    code = make_code(db_session, campaign, kind="standing")
    now = datetime(2026, 6, 1, tzinfo=UTC)
    submission = Submission(
        code.token, unique("s"), {"overall": "2"}, phone="0901234567"
    )
    record_response(db_session, submission, now)
    assert purge_expired_contacts(db_session, now + timedelta(days=89)) == 0
    assert purge_expired_contacts(db_session, now + timedelta(days=91)) == 1
    assert db_session.scalar(select(func.count(FollowUpContact.id))) == 0
    assert db_session.scalar(select(func.count(Response.id))) == 1  # answers stay
