"""Integration keys: stored as hashes, checked by hash, revoked for good, scoped."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from surveys.access.scope import Scope, get_in_scope
from surveys.access.secret_keys import hash_key
from surveys.cases.integration_keys import (
    KeyRefused,
    create_key,
    keys_in_scope,
    note_use,
    reaches,
    revoke_key,
    use_worth_noting,
    verify_key,
)
from surveys.models import IntegrationKey, Role, UnitKind, utcnow
from tests.builders import make_unit, make_user


def test_only_the_hash_is_kept_and_the_key_verifies(db_session: Session) -> None:
    ward = make_unit(db_session)
    key, secret = create_key(
        db_session, None, ward, "App", can_read=True, can_write=False
    )
    assert len(secret) >= 40 and secret not in (key.key_hash, key.name)
    assert key.key_hash == hash_key(secret) and key.prefix == secret[:8]
    assert verify_key(db_session, secret) is key
    for wrong in (None, "", secret[:-1], secret + "x", key.key_hash, "x" * 500):
        assert verify_key(db_session, wrong) is None


def test_a_revoked_key_verifies_no_more(db_session: Session) -> None:
    ward = make_unit(db_session)
    key, secret = create_key(
        db_session, None, ward, "App", can_read=True, can_write=True
    )
    assert revoke_key(db_session, None, key)
    assert not revoke_key(db_session, None, key)
    assert verify_key(db_session, secret) is None


@pytest.mark.parametrize(
    ("name", "rights", "rate"),
    [
        ("  ", (True, True), "60/minute"),
        ("x" * 201, (True, True), "60/minute"),
        ("App", (False, False), "60/minute"),
        ("App", (True, False), "sixty a minute"),
    ],
)
def test_a_key_made_wrong_is_refused(
    db_session: Session, name: str, rights: tuple[bool, bool], rate: str
) -> None:
    ward = make_unit(db_session)
    with pytest.raises(KeyRefused):
        create_key(
            db_session,
            None,
            ward,
            name,
            can_read=rights[0],
            can_write=rights[1],
            rate_limit=rate,
        )


def test_use_is_noted_only_every_few_minutes(db_session: Session) -> None:
    key, _ = create_key(
        db_session, None, make_unit(db_session), "App", can_read=True, can_write=True
    )
    assert use_worth_noting(key)
    note_use(key)
    assert not use_worth_noting(key)
    key.last_used_at = utcnow() - timedelta(minutes=6)
    assert use_worth_noting(key)


def test_a_key_reaches_its_unit_and_below_and_managers_see_theirs(
    db_session: Session,
) -> None:
    district = make_unit(db_session, kind=UnitKind.DISTRICT)
    a, b = make_unit(db_session, district), make_unit(db_session, district)
    office = make_unit(db_session, a, kind=UnitKind.DEPARTMENT)
    key_a, _ = create_key(db_session, None, a, "A", can_read=True, can_write=True)
    key_b, _ = create_key(db_session, None, b, "B", can_read=True, can_write=True)
    assert reaches(db_session, key_a, a.id) and reaches(db_session, key_a, office.id)
    assert not reaches(db_session, key_a, b.id)
    assert not reaches(db_session, key_a, district.id)
    manager_a = Scope.of(make_user(db_session, a, Role.UNIT_MANAGER))
    assert keys_in_scope(db_session, manager_a) == [key_a]
    assert get_in_scope(db_session, manager_a, IntegrationKey, key_b.id) is None
    district_scope = Scope.of(make_user(db_session, district, Role.DISTRICT))
    assert set(keys_in_scope(db_session, district_scope)) == {key_a, key_b}
