"""The staff page for integration keys: made in scope, shown once, revoked, audited."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys.access.secret_keys import hash_key
from surveys.cases.integration_keys import create_key
from surveys.models import AuditEvent, IntegrationKey, Role, Unit, UnitKind
from tests.app.staff_client import csrf_token, log_in
from tests.builders import make_unit, make_user

PAGE = "/staff/integration-keys"
SECRET = re.compile(r"<code>([A-Za-z0-9_-]{40,})</code>")


@dataclass
class Wards:
    district: Unit
    a: Unit
    b: Unit


@pytest.fixture
def wards(db_session: Session) -> Wards:
    district = make_unit(db_session, name="Quận Khóa", kind=UnitKind.DISTRICT)
    a = make_unit(db_session, district, name="Phường Khóa A")
    b = make_unit(db_session, district, name="Phường Khóa B")
    db_session.commit()
    return Wards(district, a, b)


def logged_in(client: FlaskClient, session: Session, unit: Unit, role: Role) -> None:
    user = make_user(session, unit, role)
    session.commit()
    assert log_in(client, user.username).status_code == 302


def make(client: FlaskClient, unit: Unit, **fields: str) -> str:
    form = {
        "csrf_token": csrf_token(client, PAGE),
        "name": "Ứng dụng phường",
        "unit": unit.code,
        "rights": "read_write",
        "rate_limit": "60/minute;2000/day",
    }
    return client.post(PAGE, data=form | fields).get_data(as_text=True)


def key_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(IntegrationKey)) or 0


def test_a_key_is_shown_once_and_stored_as_its_hash(
    client: FlaskClient, db_session: Session, wards: Wards
) -> None:
    logged_in(client, db_session, wards.district, Role.DISTRICT)
    page = make(client, wards.a, contact_consent="y")
    secret = SECRET.search(page)
    assert secret is not None
    key = db_session.scalar(select(IntegrationKey))
    assert key is not None
    assert key.key_hash == hash_key(secret.group(1))
    assert key.prefix == secret.group(1)[:8]
    assert (key.unit_id, key.can_read, key.can_write, key.contact_consent) == (
        wards.a.id,
        True,
        True,
        True,
    )
    listed = client.get(PAGE)
    assert listed.headers["Cache-Control"] == "no-store"
    text = listed.get_data(as_text=True)
    assert secret.group(1) not in text
    assert key.prefix in text and "Phường Khóa A" in text
    audited = db_session.scalar(
        select(AuditEvent).where(AuditEvent.action == "integration_key_created")
    )
    assert audited is not None and audited.object_id == str(key.id)
    assert secret.group(1) not in str(audited.detail)


def test_a_unit_manager_makes_keys_for_their_unit_only(
    client: FlaskClient, db_session: Session, wards: Wards
) -> None:
    logged_in(client, db_session, wards.a, Role.UNIT_MANAGER)
    page = client.get(PAGE).get_data(as_text=True)
    assert "Phường Khóa A" in page and "Phường Khóa B" not in page
    make(client, wards.b)
    assert key_count(db_session) == 0
    make(client, wards.a)
    assert key_count(db_session) == 1


def test_a_bad_rate_limit_stores_nothing(
    client: FlaskClient, db_session: Session, wards: Wards
) -> None:
    logged_in(client, db_session, wards.a, Role.UNIT_MANAGER)
    page = make(client, wards.a, rate_limit="lots")
    assert "Giới hạn tần suất không đúng dạng" in page
    assert key_count(db_session) == 0


def test_a_viewer_may_not_see_keys(
    client: FlaskClient, db_session: Session, wards: Wards
) -> None:
    logged_in(client, db_session, wards.a, Role.VIEWER)
    assert client.get(PAGE).status_code == 403


def test_keys_are_revoked_in_scope_only(
    client: FlaskClient, db_session: Session, wards: Wards
) -> None:
    own, _ = create_key(db_session, None, wards.a, "A", can_read=True, can_write=True)
    other, _ = create_key(db_session, None, wards.b, "B", can_read=True, can_write=True)
    db_session.commit()
    logged_in(client, db_session, wards.a, Role.UNIT_MANAGER)
    page = client.get(PAGE).get_data(as_text=True)
    assert own.prefix in page and other.prefix not in page
    for key in (other, own):
        form = {"csrf_token": csrf_token(client, PAGE), "key_id": str(key.id)}
        assert client.post(f"{PAGE}/revoke", data=form).status_code == 302
    db_session.expire_all()
    assert db_session.get(IntegrationKey, other.id).revoked_at is None
    assert db_session.get(IntegrationKey, own.id).revoked_at is not None
    revoked = db_session.scalars(
        select(AuditEvent.object_id).where(
            AuditEvent.action == "integration_key_revoked"
        )
    ).all()
    assert revoked == [str(own.id)]
