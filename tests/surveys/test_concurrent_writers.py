"""Concurrent writers never fail with "database is locked" (nor lose a write)."""

from __future__ import annotations

from sqlalchemy import func, select

from surveys.db import make_engine, make_session_factory
from surveys.models import Response
from tests.at_once import run_at_once
from tests.builders import make_campaign, new_response

WRITERS = 8
WRITES_EACH = 15


def test_read_then_write_transactions_all_succeed(fresh_database_url: str) -> None:
    engine = make_engine(fresh_database_url, pool_size=WRITERS, max_overflow=0)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        campaign = make_campaign(session)
    errors: list[BaseException] = []

    def write(_: int) -> None:
        for _ in range(WRITES_EACH):
            try:
                with factory.begin() as session:
                    # A read before the write: the pattern that makes a deferred
                    # SQLite transaction fail at once when another writer commits.
                    session.scalar(select(func.count(Response.id)))
                    session.add(new_response(campaign))
            except BaseException as error:
                errors.append(error)

    run_at_once(write, range(WRITERS))
    with factory() as session:
        stored = session.scalar(select(func.count(Response.id)))
    engine.dispose()
    assert errors == []
    assert stored == WRITERS * WRITES_EACH
