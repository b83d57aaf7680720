"""The purge of personal data: due once per interval, for all processes together."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.access.retention import PurgeReport, purge_if_due
from surveys.db import make_engine, make_session_factory
from surveys.models import FollowUpContact
from tests.at_once import run_at_once
from tests.builders import make_counter_campaign, new_response

NOW = datetime(2026, 6, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)


def add_contact(session: Session, purge_after: datetime) -> int:
    """Store a response with a follow-up phone number kept until ``purge_after``."""
    campaign, _ = make_counter_campaign(session)
    response = new_response(campaign)
    contact = FollowUpContact(
        response=response,
        phone="0901234567",
        consented_at=purge_after - timedelta(days=90),
        purge_after=purge_after,
    )
    session.add(contact)
    session.flush()
    return contact.id


def remaining(session: Session, *ids: int) -> set[int]:
    found = session.scalars(
        select(FollowUpContact.id).where(FollowUpContact.id.in_(ids))
    )
    return set(found)


def test_the_purge_runs_once_per_interval(db_session: Session) -> None:
    expired = add_contact(db_session, NOW - timedelta(days=1))
    fresh = add_contact(db_session, NOW + timedelta(days=1))
    assert purge_if_due(db_session, NOW, HOUR) is not None
    assert remaining(db_session, expired, fresh) == {fresh}
    later = add_contact(db_session, NOW - timedelta(days=1))
    assert purge_if_due(db_session, NOW + HOUR / 2, HOUR) is None  # not yet due
    assert remaining(db_session, later) == {later}
    assert purge_if_due(db_session, NOW + HOUR, HOUR) is not None
    assert remaining(db_session, later, fresh) == {fresh}


def test_two_processes_asking_at_once_purge_once(fresh_database_url: str) -> None:
    engine = make_engine(fresh_database_url)
    factory = make_session_factory(engine)
    try:
        with factory.begin() as session:
            expired = add_contact(session, NOW - timedelta(days=1))
            fresh = add_contact(session, NOW + timedelta(days=1))
        reports: list[PurgeReport | None] = []
        errors: list[BaseException] = []

        def ask(_: int) -> None:
            try:
                with factory.begin() as session:
                    reports.append(purge_if_due(session, NOW, HOUR))
            except BaseException as error:  # reported below, in the test's thread
                errors.append(error)

        run_at_once(ask, range(2))
        assert errors == []
        assert sorted(reports, key=lambda r: r is None) == [
            PurgeReport(contacts=1, drafts=0, applicants=0),
            None,
        ]
        with factory() as session:
            assert remaining(session, expired, fresh) == {fresh}
    finally:
        engine.dispose()
