"""Fixtures shared by the whole suite: a database per backend, the app, its clients.

Every database test runs once on SQLite and once on PostgreSQL (when
``HAILONG_TEST_DATABASE_URL`` is set; under ``CI=true`` its absence is a failure).
A test sees a clean database: its work happens inside a transaction that is rolled
back afterwards. Tests that must really commit (CLI commands, concurrent writers)
take ``fresh_database_url`` instead: a new, migrated database of their own.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from app import create_app
from app.db import EXTENSION, bind_of
from surveys.db import make_engine
from surveys.migrate import upgrade_to_head

BACKENDS = ("sqlite", "postgresql")
#: Reference data kept beside the project (R's examples, real XLSForm workbooks).
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def shared_data(name: str) -> Path:
    """Return a folder of ``shared/data``; skip without it (fail under CI)."""
    folder = SHARED_DATA / name
    if not folder.is_dir():
        message = f"reference data not found at {folder}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return folder


def postgres_base_url() -> str:
    """Return the PostgreSQL URL to test against, or skip (fail under CI)."""
    url = os.environ.get("HAILONG_TEST_DATABASE_URL")
    if not url:
        message = "PostgreSQL not configured: set HAILONG_TEST_DATABASE_URL"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return url


def with_schema(url: str, schema: str) -> str:
    """Point a PostgreSQL URL at its own schema, so tests never touch ``public``."""
    options = {"options": f"-csearch_path={schema}"}
    return make_url(url).update_query_dict(options).render_as_string(False)


def create_empty_database(backend: str, folder: Path) -> tuple[str, Callable[[], None]]:
    """Create an empty database; return its URL and a function that removes it."""
    if backend == "sqlite":
        return f"sqlite:///{folder / f'{uuid.uuid4().hex}.sqlite3'}", lambda: None
    base = postgres_base_url()
    schema = f"hailong_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return with_schema(base, schema), drop


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def database_url(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database migrated to head once per backend and test session."""
    url, drop = create_empty_database(backend, tmp_path_factory.mktemp("db"))
    upgrade_to_head(url)
    yield url
    drop()


def impatient_engine(url: str) -> Engine:
    """An engine on a PostgreSQL ``url`` whose lock waits give up after 200 ms."""
    parsed = make_url(url)
    options = f"{parsed.query['options']} -clock_timeout=200"
    return make_engine(parsed.update_query_dict({"options": options}))


@pytest.fixture
def fresh_database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A new database migrated to head, for tests that commit for real."""
    url, drop = create_empty_database(backend, tmp_path)
    upgrade_to_head(url)
    yield url
    drop()


@pytest.fixture
def empty_database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A new database with no tables at all, for the migration tests."""
    url, drop = create_empty_database(backend, tmp_path)
    yield url
    drop()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@pytest.fixture
def bound_factory(connection: Connection) -> sessionmaker[Session]:
    """Sessions whose commits only release a savepoint of the test's transaction."""
    return sessionmaker(
        bind=connection,
        join_transaction_mode="create_savepoint",
        expire_on_commit=False,
    )


@pytest.fixture
def db_session(bound_factory: sessionmaker[Session]) -> Iterator[Session]:
    with bound_factory() as session:
        yield session


@pytest.fixture
def app(
    database_url: str, bound_factory: sessionmaker[Session], tmp_path: Path
) -> Flask:
    """The application, its database sessions joined to the test's transaction."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "DATABASE_URL": database_url,
            # Tests change codes between requests: every view reads them afresh.
            "SURVEY_CACHE_SECONDS": 0,
            "INSTANCE_PATH": str(tmp_path / "instance"),
        }
    )
    app.extensions[EXTENSION] = bound_factory
    return app


def dispose_app_engine(app: Flask) -> None:
    """Close the connections of an app built by a test, before they are collected."""
    bind_of(app).dispose()


@contextmanager
def app_on(url: str, instance: Path, **config: object) -> Iterator[Flask]:
    """Build an app that commits for real to ``url``; close its connections after."""
    app = create_app(
        {
            "SECRET_KEY": "test-secret-key",
            "DATABASE_URL": url,
            "INSTANCE_PATH": str(instance),
            **config,
        }
    )
    yield app
    dispose_app_engine(app)


@pytest.fixture
def cli_app(fresh_database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An app on a database of its own, for commands that commit."""
    with app_on(fresh_database_url, tmp_path / "instance") as app:
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()
