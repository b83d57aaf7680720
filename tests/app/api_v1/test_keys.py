"""Keys at ``/api/v1``: refused when missing, wrong, revoked, expired or not
allowed; limited per key; refusals as problem documents in the caller's language.
"""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.cases.integration_keys import (
    LIFETIMES,
    KeyRefused,
    create_key,
    record_write,
    revoke_key,
    verify_key,
)
from surveys.models import AuditEvent, IntegrationKey, utcnow
from tests.app.api_v1.conftest import Ward, bearer

UNITS = "/api/v1/units"


def assert_problem(answer, status: int, slug: str) -> dict:  # type: ignore[no-untyped-def]
    assert answer.status_code == status, answer.get_data(as_text=True)
    assert answer.content_type.startswith("application/problem+json")
    body = answer.get_json()
    assert body["status"] == status
    assert body["type"].endswith(f"#problem-{slug}")
    assert body["title"] and body["detail"]
    return body


def test_a_request_without_a_key_is_refused_with_401(
    client: FlaskClient, wards: tuple[Ward, Ward]
) -> None:
    answer = client.get(UNITS)
    assert_problem(answer, 401, "no-key")
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_key_or_another_scheme_is_refused(
    client: FlaskClient, read_key: str
) -> None:
    assert_problem(client.get(UNITS, headers=bearer(read_key + "x")), 401, "no-key")
    basic = {"Authorization": f"Basic {read_key}"}
    assert_problem(client.get(UNITS, headers=basic), 401, "no-key")
    assert client.get(UNITS, headers=bearer(read_key)).status_code == 200


def test_a_revoked_key_is_refused(
    client: FlaskClient, db_session: Session, read_key: str
) -> None:
    key = verify_key(db_session, read_key)
    assert key is not None
    revoke_key(db_session, None, key)
    db_session.commit()
    assert_problem(client.get(UNITS, headers=bearer(read_key)), 401, "no-key")


def test_an_expired_key_is_refused(
    client: FlaskClient, db_session: Session, read_key: str
) -> None:
    key = verify_key(db_session, read_key)
    assert key is not None
    key.expires_at = utcnow() - timedelta(seconds=1)
    db_session.commit()
    assert_problem(client.get(UNITS, headers=bearer(read_key)), 401, "no-key")


def test_a_key_is_stored_as_its_hash_and_ends_after_its_lifetime(
    db_session: Session, wards: tuple[Ward, Ward]
) -> None:
    before = utcnow()
    key, secret = create_key(
        db_session,
        None,
        wards[0].unit,
        "X",
        can_read=True,
        can_write=False,
        lifetime_days=30,
    )
    stored = db_session.scalars(select(IntegrationKey.key_hash)).all()
    assert secret not in stored and key.key_hash in stored
    assert key.expires_at is not None
    assert timedelta(days=30) <= key.expires_at - before < timedelta(days=31)
    assert sorted(LIFETIMES) == [30, 90, 365]


def test_a_lifetime_not_offered_is_refused(
    db_session: Session, wards: tuple[Ward, Ward]
) -> None:
    try:
        create_key(
            db_session,
            None,
            wards[0].unit,
            "X",
            can_read=True,
            can_write=False,
            lifetime_days=10_000,
        )
    except KeyRefused:
        pass
    else:
        raise AssertionError("a key for 10,000 days was made")


def test_a_read_key_may_not_write_and_a_write_key_may_not_read(
    client: FlaskClient, db_session: Session, wards: tuple[Ward, Ward], read_key: str
) -> None:
    assert_problem(client.post(UNITS, headers=bearer(read_key)), 403, "not-allowed")
    _key, writer = create_key(
        db_session, None, wards[0].unit, "Tổng đài", can_read=False, can_write=True
    )
    db_session.commit()
    assert_problem(client.get(UNITS, headers=bearer(writer)), 403, "not-allowed")


def test_a_write_through_a_key_is_audited_with_the_key(
    db_session: Session, wards: tuple[Ward, Ward]
) -> None:
    key, _secret = create_key(
        db_session, None, wards[0].unit, "Tổng đài", can_read=False, can_write=True
    )
    record_write(db_session, key, "POST /api/v1/x", "/api/v1/x")
    event = db_session.scalar(
        select(AuditEvent).where(AuditEvent.action == "integration_key_wrote")
    )
    assert event is not None
    assert event.user_id is None and event.object_id == str(key.id)
    assert event.detail["prefix"] == key.prefix


def test_a_key_past_its_rate_is_refused_with_429(
    client: FlaskClient, db_session: Session, wards: tuple[Ward, Ward]
) -> None:
    _key, secret = create_key(
        db_session,
        None,
        wards[0].unit,
        "Vội",
        can_read=True,
        can_write=False,
        rate_limit="2/minute",
    )
    db_session.commit()
    assert client.get(UNITS, headers=bearer(secret)).status_code == 200
    assert client.get(UNITS, headers=bearer(secret)).status_code == 200
    answer = client.get(UNITS, headers=bearer(secret))
    assert_problem(answer, 429, "too-many-requests")
    assert int(answer.headers["Retry-After"]) > 0


def test_the_detail_follows_accept_language(client: FlaskClient) -> None:
    vietnamese = client.get(UNITS, headers={"Accept-Language": "vi"}).get_json()
    english = client.get(UNITS, headers={"Accept-Language": "en"}).get_json()
    assert vietnamese["type"] == english["type"]
    assert vietnamese["detail"] != english["detail"]
    assert "key" in english["detail"].lower()
    assert "khóa" in vietnamese["detail"]


def test_a_key_notes_its_use(
    client: FlaskClient, db_session: Session, read_key: str
) -> None:
    assert client.get(UNITS, headers=bearer(read_key)).status_code == 200
    key = verify_key(db_session, read_key)
    assert key is not None
    db_session.refresh(key)
    assert key.last_used_at is not None


def test_another_method_on_a_route_is_a_405_naming_the_allowed(
    client: FlaskClient, db_session: Session, wards: tuple[Ward, Ward]
) -> None:
    _key, secret = create_key(
        db_session, None, wards[0].unit, "Ghi", can_read=True, can_write=True
    )
    db_session.commit()
    answer = client.delete(UNITS, headers=bearer(secret))
    assert_problem(answer, 405, "method-not-allowed")
    assert answer.headers["Allow"] == "GET"
    assert_problem(
        client.post("/api/v1/nothing", headers=bearer(secret)), 404, "not-found"
    )
