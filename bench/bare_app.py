"""The bare baseline for ``bench_survey.py``: a Flask "hello" page and a one-row insert.

Served by gunicorn with the same settings as hailong itself, on SQLite or on
PostgreSQL depending on which variable is set::

    BARE_DB=/tmp/bare.sqlite3 gunicorn --chdir bench bare_app:app
    export BARE_PG_URL=postgresql://postgres@127.0.0.1:5432/bare
    gunicorn --chdir bench bare_app:app

``GET /hello`` answers a fixed short page. ``POST /insert`` reads the same form
the counter page posts (``submission_id``, ``overall``), inserts one row and
answers 303, as hailong does after a rating. Either way there is ONE connection
per worker thread, opened on the first request and kept (so per worker process
with sync workers).

- SQLite (``BARE_DB``, a file): the standard library's ``sqlite3``, the database
  run as hailong runs its own (WAL, ``synchronous=NORMAL``, busy timeout 30 s,
  ``BEGIN IMMEDIATE``).
- PostgreSQL (``BARE_PG_URL``, a libpq URL): ``psycopg``, autocommit off, so each
  request is ``INSERT`` then ``COMMIT``.

The table must exist before the workers start (they would race to create it):
``connect`` (SQLite) and ``create_pg`` (PostgreSQL) create it.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from datetime import UTC, datetime
from typing import Any

from flask import Flask, redirect, request

app = Flask(__name__)
_local = threading.local()

SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    id INTEGER PRIMARY KEY,
    submission_id TEXT NOT NULL UNIQUE,
    overall INTEGER NOT NULL,
    submitted_at TEXT NOT NULL
)
"""
PG_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    id BIGSERIAL PRIMARY KEY,
    submission_id TEXT NOT NULL UNIQUE,
    overall INTEGER NOT NULL,
    submitted_at TIMESTAMPTZ NOT NULL
)
"""
INSERT = "INSERT INTO responses (submission_id, overall, submitted_at)"
PG_URL = os.environ.get("BARE_PG_URL")


def connect(path: str) -> sqlite3.Connection:
    """Open the baseline's database as hailong opens its own, creating the table."""
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.execute(SCHEMA)
    return connection


def create_pg(url: str) -> None:
    """Create the baseline's table in the PostgreSQL database at ``url``."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(PG_SCHEMA)


def _connection() -> Any:
    connection = getattr(_local, "connection", None)
    if connection is None:
        if PG_URL:
            import psycopg

            connection = psycopg.connect(PG_URL)  # autocommit off
        else:
            connection = connect(os.environ["BARE_DB"])
        _local.connection = connection
    return connection


@app.get("/hello")
def hello() -> str:
    return "<!doctype html><title>hello</title><p>Hello, world!</p>"


@app.post("/insert")
def insert():  # type: ignore[no-untyped-def]
    row = (
        request.form["submission_id"],
        int(request.form["overall"]),
        datetime.now(UTC) if PG_URL else datetime.now(UTC).isoformat(),
    )
    connection = _connection()
    if PG_URL:
        try:
            connection.execute(INSERT + " VALUES (%s, %s, %s)", row)
        except BaseException:
            connection.rollback()
            raise
        connection.commit()
    else:
        connection.execute("BEGIN IMMEDIATE")
        try:
            connection.execute(INSERT + " VALUES (?, ?, ?)", row)
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
    return redirect("/thanks", code=303)
