"""The bare baseline for ``bench_survey.py``: a Flask "hello" page and a sqlite3 insert.

Served by gunicorn with the same settings as hailong itself::

    BARE_DB=/tmp/bare.sqlite3 gunicorn --chdir bench bare_app:app

``GET /hello`` answers a fixed short page. ``POST /insert`` reads the same form
the counter page posts (``submission_id``, ``overall``), inserts one row with the
standard library's ``sqlite3`` and answers 303, as hailong does after a rating.
The database runs as hailong's does (WAL, ``synchronous=NORMAL``, busy timeout
30 s, ``BEGIN IMMEDIATE``), with ONE connection per worker thread, opened on the
first request and kept (so per worker process with sync workers).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from datetime import UTC, datetime

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


def connect(path: str) -> sqlite3.Connection:
    """Open the baseline's database as hailong opens its own, creating the table."""
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.execute(SCHEMA)
    return connection


def _connection() -> sqlite3.Connection:
    connection = getattr(_local, "connection", None)
    if connection is None:
        connection = _local.connection = connect(os.environ["BARE_DB"])
    return connection


@app.get("/hello")
def hello() -> str:
    return "<!doctype html><title>hello</title><p>Hello, world!</p>"


@app.post("/insert")
def insert():  # type: ignore[no-untyped-def]
    connection = _connection()
    connection.execute("BEGIN IMMEDIATE")
    try:
        connection.execute(
            "INSERT INTO responses (submission_id, overall, submitted_at)"
            " VALUES (?, ?, ?)",
            (
                request.form["submission_id"],
                int(request.form["overall"]),
                datetime.now(UTC).isoformat(),
            ),
        )
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
    return redirect("/thanks", code=303)
