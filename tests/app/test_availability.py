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
from sqlalchemy import (
    Connection,
    Engine,
    create_engine,
    event,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.orm import Session

from app.db import bind_of, get_session, session_factory
from surveys.db import ReadOnlyWrite
from surveys.models import Campaign, Response, Role
from tests.app.staff_client import log_in
from tests.app.test_survey import rate
from tests.builders import make_code, make_counter_campaign, make_user, new_response
from tests.conftest import app_on

#: Enough responses for the CSV to stream in more than one page.
RESPONSES = 30


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


def _only_on(backend: str, wanted: str, why: str) -> None:
    if backend != wanted:
        pytest.skip(why)


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
    cli_app: Flask, impatient_writer: Engine
) -> None:
    """A slow reader of the district CSV holds no write lock (finding 1)."""
    username, unit_code, campaign_id = _seed(cli_app)
    client = cli_app.test_client()
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
    cli_app: Flask, impatient_writer: Engine
) -> None:
    """A GET's session reads without SQLite's write lock, however long it runs."""
    _username, _unit, campaign_id = _seed(cli_app)
    with cli_app.test_request_context("/staff/", method="GET"):
        session = get_session()
        session.execute(text("SELECT count(*) FROM responses")).scalar()
        _write_one(impatient_writer, campaign_id)  # would fail "database is locked"
        assert session.in_transaction()


def test_a_page_view_cannot_write_without_beginning_to(
    cli_app: Flask,
) -> None:
    """A GET that flushes a change without ``begin_writing`` is refused loudly."""
    _username, _unit, campaign_id = _seed(cli_app)
    with cli_app.test_request_context("/staff/", method="GET"):
        session: Session = get_session()
        session.add(new_response(session.get_one(Campaign, campaign_id)))
        with pytest.raises(ReadOnlyWrite):
            session.flush()


def _standing_code(app: Flask) -> str:
    with app.app_context(), session_factory()() as session:
        campaign, point = make_counter_campaign(session)
        code = make_code(session, campaign, kind="standing", service_point=point)
        session.commit()
        return code.token


def _responses(app: Flask) -> int:
    with app.app_context(), session_factory()() as session:
        return session.scalar(select(func.count(Response.id)))


def test_a_full_disk_refuses_ratings_truthfully_and_recovers(
    cli_app: Flask, backend: str
) -> None:
    """SQLITE_FULL: a 503 page that says the rating may not be recorded (finding 2)."""
    _only_on(backend, "sqlite", "the database file's size is SQLite's own limit")
    token = _standing_code(cli_app)
    client = cli_app.test_client()
    engine = bind_of(cli_app)
    ceiling = {"pages": None}

    @event.listens_for(engine, "connect")
    def _small_disk(dbapi_connection: Any, _record: Any) -> None:
        if ceiling["pages"] is not None:
            dbapi_connection.execute(f"PRAGMA max_page_count = {ceiling['pages']}")

    with engine.connect() as connection:
        ceiling["pages"] = connection.exec_driver_sql("PRAGMA page_count").scalar()
    engine.dispose()  # every connection from now on sees the full "disk"
    stored = _responses(cli_app)
    # The file may not grow: ratings fill its last free room, then are refused.
    accepted, refused = 0, None
    for _ in range(500):
        answer, _ = rate(client, token, {"overall": "4", "comment": "x" * 500})
        if answer.status_code != 303:
            refused = answer
            break
        accepted += 1
    assert refused is not None and refused.status_code == 503
    page = refused.get_data(as_text=True)
    assert "có thể chưa được ghi nhận" in page
    assert "không bị mất" not in page
    assert refused.headers["Retry-After"]
    # Every rating thanked for is stored, the refused one is not.
    assert _responses(cli_app) == stored + accepted
    stored += accepted

    ceiling["pages"] = 1_000_000  # space came back
    engine.dispose()
    kept, _ = rate(client, token, {"overall": "4", "comment": "x" * 500})
    assert kept.status_code == 303
    assert _responses(cli_app) == stored + 1


def test_health_reports_a_disk_too_small_for_the_write_path(
    cli_app: Flask, backend: str
) -> None:
    _only_on(backend, "sqlite", "only SQLite writes beside the app")
    client = cli_app.test_client()
    assert client.get("/healthz").json["disk"] == "ok"
    cli_app.config["HEALTH_MIN_FREE_BYTES"] = 1 << 62
    answer = client.get("/healthz")
    assert answer.status_code == 503
    assert answer.json == {"status": "error", "database": "ok", "disk": "low"}


def _terminate(url: str, pid: int) -> None:
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


def test_connections_the_server_dropped_are_replaced_unseen(
    cli_app: Flask, backend: str, fresh_database_url: str
) -> None:
    """A pooled connection terminated between requests never reaches a citizen."""
    _only_on(backend, "postgresql", "SQLite has no server to drop connections")
    client = cli_app.test_client()
    assert client.get("/").status_code == 200
    with bind_of(cli_app).connect() as connection:
        pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    _terminate(fresh_database_url, pid)
    assert client.get("/").status_code == 200


def test_a_connection_lost_mid_request_gets_our_page(
    cli_app: Flask, backend: str, fresh_database_url: str
) -> None:
    """Dropped after the request's first query: our 503, and teardown raises not."""
    _only_on(backend, "postgresql", "SQLite has no server to drop connections")

    @cli_app.before_request
    def _drop_mid_request() -> None:
        session = get_session()
        pid = session.execute(text("SELECT pg_backend_pid()")).scalar()
        _terminate(fresh_database_url, pid)

    answer = cli_app.test_client().get("/")
    assert answer.status_code == 503
    assert "có thể chưa được ghi nhận" in answer.get_data(as_text=True)


def test_a_request_that_finds_every_connection_busy_gets_our_page(
    fresh_database_url: str, tmp_path: Path
) -> None:
    """The pool's wait for a free connection ends on our 503, not a bare 500."""
    busy = {"pool_size": 1, "max_overflow": 0, "pool_timeout": 0.05}
    instance = tmp_path / "instance"
    with (
        app_on(fresh_database_url, instance, ENGINE_OPTIONS=busy) as app,
        bind_of(app).connect(),  # the pool's only connection, held
    ):
        answer = app.test_client().get("/s/ABCDE-FGHJK")
    assert answer.status_code == 503
    assert answer.headers["Retry-After"]
    assert "có thể chưa được ghi nhận" in answer.get_data(as_text=True)


def test_an_unexpected_error_is_logged_under_its_route_not_its_code(
    cli_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    @cli_app.before_request
    def _fail() -> None:
        raise RuntimeError("a fault nobody foresaw")

    answer = cli_app.test_client().get("/s/ABCDE-FGHJK")
    assert answer.status_code == 500
    [record] = [r for r in caplog.records if r.exc_info]
    assert record.getMessage() == "Exception on /s/<token> [GET]"
    assert "ABCDE" not in caplog.text
