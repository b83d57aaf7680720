"""Failed logins per account and client: the delay grows, and is forgotten."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from surveys.access.login_throttle import (
    REMEMBERED,
    Backoff,
    forget_pair,
    record_failure,
    unlock_logins,
    wait_before_retry,
)
from surveys.db import make_engine, make_session_factory
from surveys.models import AuditEvent, LoginThrottle, Role
from tests.builders import make_user
from tests.conftest import impatient_engine

START = datetime(2026, 12, 10, 8, 0, tzinfo=UTC)
BACKOFF = Backoff(free=3, longest=timedelta(minutes=15))


@pytest.mark.parametrize(
    ("failures", "seconds"),
    [(0, 0), (2, 0), (3, 2), (4, 4), (5, 8), (12, 900), (10_000, 900)],
)
def test_the_delay_doubles_after_the_free_failures_up_to_the_longest(
    failures: int, seconds: int
) -> None:
    assert BACKOFF.delay(failures) == timedelta(seconds=seconds)


def fail(session: Session, times: int, now: datetime, pair=("acct", "client")) -> None:
    for _ in range(times):
        record_failure(session, *pair, now)


def test_a_pair_waits_from_its_last_failure(db_session: Session) -> None:
    fail(db_session, 4, START)
    assert wait_before_retry(db_session, "acct", "client", START, BACKOFF) == (
        timedelta(seconds=4)
    )
    later = START + timedelta(seconds=3)
    assert wait_before_retry(db_session, "acct", "client", later, BACKOFF) == (
        timedelta(seconds=1)
    )
    assert not wait_before_retry(db_session, "acct", "other", START, BACKOFF)
    assert not wait_before_retry(db_session, "other", "client", START, BACKOFF)


def test_failures_are_forgotten_a_day_after_the_last_one(db_session: Session) -> None:
    fail(db_session, 20, START)
    fail(db_session, 1, START, ("someone", "else"))
    a_day_later = START + REMEMBERED
    assert not wait_before_retry(db_session, "acct", "client", a_day_later, BACKOFF)
    fail(db_session, 1, a_day_later)
    # The stale pairs are deleted, and the new failure starts from one.
    rows = db_session.execute(select(LoginThrottle.account, LoginThrottle.failures))
    assert rows.all() == [("acct", 1)]


def test_a_success_clears_its_pair_and_an_unlock_every_pair(
    db_session: Session,
) -> None:
    user = make_user(db_session, None, Role.ADMIN, username="root")
    for client in ("a", "b", "c"):
        fail(db_session, 5, START, ("root-account", client))
    forget_pair(db_session, "root-account", "a")
    assert not wait_before_retry(db_session, "root-account", "a", START, BACKOFF)
    assert wait_before_retry(db_session, "root-account", "b", START, BACKOFF)
    assert unlock_logins(db_session, user, "root-account", None) == 2
    assert not wait_before_retry(db_session, "root-account", "b", START, BACKOFF)
    event = db_session.scalar(select(AuditEvent))
    assert event is not None
    assert (event.action, event.object_id) == ("logins_unlocked", str(user.id))


def test_guesses_sent_together_are_checked_one_after_the_other(
    backend: str, fresh_database_url: str
) -> None:
    # Without the pair's lock, a second guess sent with the first finds no delay
    # on PostgreSQL, however many failures the first is about to record.
    if backend != "postgresql":
        pytest.skip("SQLite lets one writer in at a time")
    engine = make_engine(fresh_database_url)
    impatient = impatient_engine(fresh_database_url)
    pair = ("acct", "client")
    try:
        with make_session_factory(engine)() as first:
            fail(first, BACKOFF.free - 1, START, pair)
            first.commit()
            assert wait_before_retry(first, *pair, START, BACKOFF) == timedelta(0)
            with make_session_factory(impatient)() as second:
                with pytest.raises(OperationalError):
                    wait_before_retry(second, *pair, START, BACKOFF)
                second.rollback()
                record_failure(first, *pair, START)  # the first guess was wrong
                first.commit()
                wait = wait_before_retry(second, *pair, START, BACKOFF)
                assert wait == BACKOFF.delay(BACKOFF.free)
    finally:
        engine.dispose()
        impatient.dispose()
