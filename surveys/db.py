"""Engines and sessions for both databases hailong runs on, with no web code.

SQLite is the embedded default and PostgreSQL the production database; the same
models and migrations serve both. What differs is set up here, once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    String,
    Table,
    create_engine,
    event,
    literal_column,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from surveys.text import FOLDING, folded

#: How long (ms) an SQLite writer waits for the lock before it gives up.
SQLITE_BUSY_TIMEOUT_MS = 30_000
#: WAL pages between two automatic checkpoints (SQLite's default: 1,000). A
#: rating writes about 8 pages, mostly the same hot index leaves; a checkpoint
#: copies each page once and syncs the file, so checkpointing a tenth as often
#: took a rating about 15% less time (docs/benchmarks.md). The WAL file then
#: grows to about 40 MiB between checkpoints.
SQLITE_WAL_AUTOCHECKPOINT = 10_000
#: Execution options of a session that only reads (``Session(execution_options=...)``):
#: on SQLite its transactions begin DEFERRED, sharing the database with other
#: readers and the writer (WAL), instead of IMMEDIATE, which takes the one write
#: lock. Other databases ignore it.
_READ_ONLY_OPTION = "hailong_read_only"
READ_ONLY = {_READ_ONLY_OPTION: True}
#: The execution options of a transaction that writes, in a session opened READ_ONLY.
WRITING = {_READ_ONLY_OPTION: False}


def is_sqlite(url: URL | str) -> bool:
    """Tell whether a database URL points at SQLite."""
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_folder(url: URL | str) -> Path | None:
    """Return the folder of an SQLite database file (None: not SQLite, or in memory)."""
    url = make_url(url)
    if not is_sqlite(url) or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database).resolve().parent


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine, with SQLite made safe for concurrent writers.

    SQLite runs in WAL mode (readers never block the writer), with foreign keys on
    and a busy timeout. Every transaction starts with ``BEGIN IMMEDIATE``: a
    deferred transaction that reads and then writes cannot wait for the lock (SQLite
    fails it at once with "database is locked" when another writer committed since
    its read), whereas an immediate one takes the write lock up front and waits up
    to the busy timeout for it. A session opened with ``READ_ONLY`` begins deferred:
    a page that only reads must not queue behind (and block) every writer.
    """
    # An error's message never carries a statement's values: a citizen's phone
    # number or comment would land in the log beside the traceback.
    kwargs.setdefault("hide_parameters", True)
    if not is_sqlite(url):
        # A connection the server or a proxy closed while it sat in the pool is
        # found out (and replaced) when it is checked out, not by a citizen.
        kwargs.setdefault("pool_pre_ping", True)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute(f"PRAGMA wal_autocheckpoint = {SQLITE_WAL_AUTOCHECKPOINT}")
        cursor.close()
        dbapi_connection.create_function(
            FOLDED_FUNCTION, 1, _sqlite_folded, deterministic=True
        )

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(
            "BEGIN" if _reads_only(connection) else "BEGIN IMMEDIATE"
        )


#: The SQL function SQLite calls back into Python for ``Folded``.
FOLDED_FUNCTION = "hailong_folded"


def _sqlite_folded(text: str | None) -> str | None:
    return None if text is None else folded(text)


def _translate_arguments() -> tuple[str, str]:
    """Return PostgreSQL ``translate``'s from and to strings doing what ``folded`` does.

    Characters mapped to nothing (combining marks) come last in ``from``,
    beyond the end of ``to``: ``translate`` deletes them.
    """
    mapped = [(chr(c), f) for c, f in FOLDING.items() if f is not None]
    deleted = [chr(c) for c, f in FOLDING.items() if f is None]
    source = "".join(c for c, _ in mapped) + "".join(deleted)
    return source, "".join(f for _, f in mapped)


class Folded(FunctionElement[str]):
    """A text column folded as ``surveys.text.folded`` folds, on either database.

    No extension is needed: SQLite calls ``folded`` itself (a function each
    connection registers), PostgreSQL ``translate`` with the same table, so a
    ``LIKE`` over it finds "thái độ" when "THAI DO" is typed.
    """

    type = String()
    inherit_cache = True
    name = "folded"


@compiles(Folded, "sqlite")
def _folded_on_sqlite(element: Folded, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{FOLDED_FUNCTION}({compiler.process(element.clauses, **kw)})"


@compiles(Folded, "postgresql")
def _folded_on_postgresql(element: Folded, compiler: SQLCompiler, **kw: Any) -> str:
    source, target = (_literal(part) for part in _FOLDING)
    column = compiler.process(element.clauses, **kw)
    return f"lower(translate({column}, {source}, {target}))"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_FOLDING = _translate_arguments()


def _reads_only(connection: Connection) -> bool:
    """Tell whether a connection's transaction was opened ``READ_ONLY``."""
    return bool(connection.get_execution_options().get(_READ_ONLY_OPTION))


class ReadOnlyWrite(RuntimeError):
    """A session opened ``READ_ONLY`` flushed a change without ``begin_writing``."""


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return the session factory that services and CLI commands share.

    Its sessions refuse to flush a change inside a ``READ_ONLY`` transaction:
    on SQLite such a write would take the lock only when the change is
    flushed, and fail at once ("database is locked") if another writer
    committed since the transaction's first read; on PostgreSQL it would work,
    so the mistake would show only in production. Refused, it shows in tests.
    """
    factory = sessionmaker(engine, expire_on_commit=False)
    event.listen(factory, "before_flush", _refuse_read_only_flush)
    return factory


def _refuse_read_only_flush(session: Session, _context: Any, _instances: Any) -> None:
    if not (session.new or session.dirty or session.deleted):
        return
    if _reads_only(session.connection()):
        raise ReadOnlyWrite(
            "a read-only session flushed a change: call begin_writing(session) first"
        )


def begin_writing(session: Session) -> None:
    """End the session's (reading) transaction and begin one that writes.

    A session opened ``READ_ONLY`` reads without SQLite's write lock; this takes
    the lock only for the writes that follow, with ``BEGIN IMMEDIATE``. Loaded
    objects stay usable (the session factory does not expire them on commit).
    """
    if session.in_transaction():
        session.commit()
    session.connection(execution_options=WRITING)


def dialect_insert(dialect: str, table: Table) -> Any:
    """Return an INSERT into ``table`` that knows ``ON CONFLICT`` on ``dialect``."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table)


def schema_lock(kind: int) -> ColumnElement[int]:
    """Return the key of a PostgreSQL advisory lock of this schema: ``kind`` (a
    fixed class, four letters as a number) in the high half of the key, the
    schema's oid in the low half.

    Advisory locks are one space per database, and two hailong schemas in one
    database (a staging copy beside production, two test runs) must not wait
    for each other's writers.
    """
    return literal_column(
        f"(CAST({int(kind)} AS bigint) << 32)"
        " | CAST(CAST(to_regnamespace(current_schema()) AS oid) AS bigint)"
    )
