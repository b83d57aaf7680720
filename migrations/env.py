"""Alembic environment: migrates the database named by the caller or the environment.

A caller (``surveys.schema``, the tests) may hand over an open connection in
``config.attributes["connection"]``; otherwise the URL is ``HAILONG_DATABASE_URL``
or the default SQLite file in ``instance/``.
"""

from __future__ import annotations

import os
from pathlib import Path

from alembic import context

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


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as connection:
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
