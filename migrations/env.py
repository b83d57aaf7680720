"""Alembic environment: migrates the database named by the caller or the environment.

A caller (``surveys.schema``, the tests) may hand over an open connection in
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


def _configure(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode copies the table.
        render_as_batch=True,
        compare_type=True,
        render_item=_render_item,
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
    commit, a migration that leaves a reference broken.
    """
    _configure(connection)
    sqlite = connection.dialect.name == "sqlite"
    driver = connection.connection.driver_connection if sqlite else None
    if driver is not None:
        if driver.in_transaction:
            raise RuntimeError("migrate SQLite on a connection outside a transaction")
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
