"""The SQLite settings every connection of an engine gets (``surveys.db``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from surveys.db import SQLITE_BUSY_TIMEOUT_MS, SQLITE_WAL_AUTOCHECKPOINT, make_engine


def test_every_sqlite_connection_is_set_up_for_concurrent_writers(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'settings.sqlite3'}")
    try:
        connection = engine.raw_connection()
        try:
            read = {
                name: connection.cursor().execute(f"PRAGMA {name}").fetchone()[0]
                for name in (
                    "journal_mode",
                    "foreign_keys",
                    "busy_timeout",
                    "synchronous",
                    "wal_autocheckpoint",
                )
            }
        finally:
            connection.close()
    finally:
        engine.dispose()
    assert read == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": SQLITE_BUSY_TIMEOUT_MS,
        "synchronous": 1,  # NORMAL: no sync at each commit in WAL mode
        "wal_autocheckpoint": SQLITE_WAL_AUTOCHECKPOINT,
    }


def test_an_error_never_shows_a_statements_values(fresh_database_url: str) -> None:
    # The message goes to the log with the traceback: a citizen's phone number
    # or comment must not go with it.
    engine = make_engine(fresh_database_url)
    try:
        with pytest.raises(DBAPIError) as raised, engine.connect() as connection:
            connection.execute(
                text("SELECT :phone FROM no_such_table"), {"phone": "0901234567"}
            )
    finally:
        engine.dispose()
    assert "no_such_table" in str(raised.value)
    assert "0901234567" not in str(raised.value)
