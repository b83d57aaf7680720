"""What a reader, a download or a fault must not take down (issue 12).

These tests commit for real (``fresh_database_url``): a lock held by one
request is only visible to another connection.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Connection, Engine, create_engine, event, insert, text
from sqlalchemy.orm import Session

from app.db import get_session, session_factory
from surveys.db import ReadOnlyWrite
from surveys.models import Campaign, Response, Role
from tests.app.staff_client import log_in
from tests.builders import make_counter_campaign, make_user, new_response
from tests.conftest import app_on

#: Enough responses for the CSV to stream in more than one page.
RESPONSES = 30


@pytest.fixture
def committed_app(fresh_database_url: str, tmp_path: Path) -> Iterator[Flask]:
    with app_on(fresh_database_url, tmp_path / "instance") as app:
        yield app


@pytest.fixture
def impatient_writer(fresh_database_url: str) -> Iterator[Engine]:
    """A second writer that gives up at once where another holds a lock.

    On SQLite its transactions begin IMMEDIATE with no busy timeout at all;
    on PostgreSQL it waits a second for any lock.
    """
    if fresh_database_url.startswith("sqlite"):
        engine = create_engine(fresh_database_url, connect_args={"timeout": 0})

        @event.listens_for(engine, "connect")
        def _manual(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _immediate(connection: Connection) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        engine = create_engine(fresh_database_url)

        @event.listens_for(engine, "connect")
        def _impatient(dbapi_connection: Any, _record: Any) -> None:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = 1000")

    yield engine
    engine.dispose()


def _seed(app: Flask) -> tuple[str, str, int]:
    """A unit manager and a counter campaign with responses; its unit code."""
    with app.app_context(), session_factory()() as session:
        campaign, _point = make_counter_campaign(session)
        manager = make_user(session, campaign.unit, Role.UNIT_MANAGER)
        session.add_all(new_response(campaign) for _ in range(RESPONSES))
        session.commit()
        return manager.username, campaign.unit.code, campaign.id


def _write_one(engine: Engine, campaign_id: int) -> None:
    with engine.begin() as connection:
        row = connection.execute(
            text("SELECT questionnaire_id, unit_id FROM campaigns WHERE id = :id"),
            {"id": campaign_id},
        ).one()
        connection.execute(
            insert(Response.__table__).values(
                campaign_id=campaign_id,
                questionnaire_id=row.questionnaire_id,
                unit_id=row.unit_id,
                channel="counter",
                submission_id=uuid.uuid4().hex,
                content_hash="0" * 64,
            )
        )


def test_a_half_read_download_lets_ratings_through(
    committed_app: Flask, impatient_writer: Engine
) -> None:
    """A slow reader of the district CSV holds no write lock (finding 1)."""
    username, unit_code, campaign_id = _seed(committed_app)
    client = committed_app.test_client()
    assert log_in(client, username).status_code == 302
    answer = client.get(
        f"/staff/reports/units/{unit_code}/district.csv", buffered=False
    )
    assert answer.status_code == 200
    chunks = iter(answer.response)
    first = next(chunks)
    assert first
    try:
        # The download is open, its transaction begun: a rating must not wait.
        _write_one(impatient_writer, campaign_id)
    finally:
        rest = b"".join(chunks)
        answer.close()
    lines = (first + rest).decode("utf-8-sig").splitlines()
    ids = [line.split(",")[0] for line in lines[1:]]
    # Every response stored before the download began, each once (the one
    # written meanwhile may or may not be in it).
    assert len(set(ids)) == len(ids) >= RESPONSES


def test_a_page_view_takes_no_write_lock(
    committed_app: Flask, impatient_writer: Engine
) -> None:
    """A GET's session reads without SQLite's write lock, however long it runs."""
    _username, _unit, campaign_id = _seed(committed_app)
    with committed_app.test_request_context("/staff/", method="GET"):
        session = get_session()
        session.execute(text("SELECT count(*) FROM responses")).scalar()
        _write_one(impatient_writer, campaign_id)  # would fail "database is locked"
        assert session.in_transaction()


def test_a_page_view_cannot_write_without_beginning_to(
    committed_app: Flask,
) -> None:
    """A GET that flushes a change without ``begin_writing`` is refused loudly."""
    _username, _unit, campaign_id = _seed(committed_app)
    with committed_app.test_request_context("/staff/", method="GET"):
        session: Session = get_session()
        session.add(new_response(session.get_one(Campaign, campaign_id)))
        with pytest.raises(ReadOnlyWrite):
            session.flush()
