"""Alembic environment: migrates the database named by the caller or the environment.

A caller (``surveys.migrate``, the tests) may hand over an open connection in
``config.attributes["connection"]``; otherwise the URL is ``HAILONG_DATABASE_URL``
or the default SQLite file in ``instance/``.
"""

from __future__ import annotations

import os
from pathlib import Path

from alembic import context
from sqlalchemy import Connection

from surveys.db import make_engine
from surveys.models import Base, UTCDateTime

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    default = Path(__file__).resolve().parents[1] / "instance" / "hailong.sqlite3"
    return config.attributes.get("url") or os.environ.get(
        "HAILONG_DATABASE_URL", f"sqlite:///{default}"
    )


def _render_item(kind: str, obj: object, _context: object) -> str | bool:
    # Migrations must not import the models' types: they are plain DateTime columns.
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode copies the table.
        render_as_batch=True,
        compare_type=True,
        render_item=_render_item,
        # SQLite runs DDL in transactions; Alembic would commit each migration
        # on its own, before ``_migrate`` checks the references.
        transactional_ddl=True,
    )


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def _migrate(connection: Connection) -> None:
    """Run the migrations on ``connection``, on SQLite with foreign keys off.

    A batch migration rebuilds a table on SQLite, and SQLite empties a table it
    drops while foreign keys are on: ``ON DELETE CASCADE`` would then delete
    every row that refers to it (rebuilding ``responses`` took every answer with
    it). SQLite ignores the switch inside a transaction, so it is turned off
    before Alembic's begins; ``foreign_key_check`` then refuses, before the
    commit, a migration that leaves a reference broken (and so refuses to
    migrate a database that has one already).
    """
    _configure(connection)
    sqlite = connection.dialect.name == "sqlite"
    driver = connection.connection.driver_connection if sqlite else None
    if driver is not None:
        if driver.in_transaction:
            raise RuntimeError("an SQLite connection must not be in a transaction")
        driver.execute("PRAGMA foreign_keys = OFF")
    try:
        with context.begin_transaction():
            context.run_migrations()
            if driver is not None:
                broken = driver.execute("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration broke references: {broken[:5]}")
    finally:
        if driver is not None:
            if driver.in_transaction:  # what Alembic began and left open
                driver.rollback()
            driver.execute("PRAGMA foreign_keys = ON")


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as connection:
            _migrate(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
