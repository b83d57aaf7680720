"""Personal data past its retention is erased by the app itself, with no operator."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from surveys.models import utcnow
from tests.surveys.test_retention import add_contact, remaining


def test_ordinary_traffic_erases_expired_contacts_and_keeps_fresh_ones(
    client: FlaskClient, db_session: Session
) -> None:
    expired = add_contact(db_session, utcnow() - timedelta(days=1))
    fresh = add_contact(db_session, utcnow() + timedelta(days=1))
    db_session.commit()
    with client.get("/healthz") as answer:  # closed as a server closes it
        assert answer.status_code == 200
        # Not within the request's time: only once the answer has gone out.
        assert remaining(db_session, expired, fresh) == {expired, fresh}
    assert remaining(db_session, expired, fresh) == {fresh}
