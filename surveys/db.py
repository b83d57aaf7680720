"""Engines and sessions for both databases hailong runs on, with no web code.

SQLite is the embedded default and PostgreSQL the production database; the same
models and migrations serve both. What differs is set up here, once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import (
    Connection,
    Dialect,
    Engine,
    Insert,
    Table,
    create_engine,
    event,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

#: How long (ms) an SQLite writer waits for the lock before it gives up.
SQLITE_BUSY_TIMEOUT_MS = 30_000
#: Execution options of a session that only reads (``Session(execution_options=...)``):
#: on SQLite its transactions begin DEFERRED, sharing the database with other
#: readers and the writer (WAL), instead of IMMEDIATE, which takes the one write
#: lock. Other databases ignore it.
READ_ONLY = {"hailong_read_only": True}
#: The execution options of a transaction that writes, in a session opened READ_ONLY.
WRITING = {"hailong_read_only": False}


def is_sqlite(url: str) -> bool:
    """Tell whether a database URL points at SQLite."""
    return make_url(url).get_backend_name() == "sqlite"


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
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get("hailong_read_only")
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return the session factory that services and CLI commands share."""
    return sessionmaker(engine, expire_on_commit=False)


def begin_writing(session: Session) -> None:
    """End the session's (reading) transaction and begin one that writes.

    A session opened ``READ_ONLY`` reads without SQLite's write lock; this takes
    the lock only for the writes that follow, with ``BEGIN IMMEDIATE``. Loaded
    objects stay usable (the session factory does not expire them on commit).
    """
    session.commit()
    session.connection(execution_options=WRITING)


def dialect_insert(dialect: str, table: Table) -> Any:
    """Return an INSERT into ``table`` that knows ``ON CONFLICT`` on ``dialect``."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table)


class Prepared:
    """A Core statement compiled once per dialect and run on the DBAPI cursor.

    Through a ``Connection``, SQLAlchemy spends about 0.15 ms a statement on
    checks and events around a few microseconds of driver work; a rating runs
    five statements inside the write lock, so that overhead was most of the
    time the lock was held (and every other writer waited). A prepared
    statement keeps SQLAlchemy's compiler, its bind and result type processing
    and its error classes, and leaves out the rest. ``build`` makes the
    statement; an INSERT binds every column of its table but an
    autoincremented key, and a column left out of a row takes its scalar
    default (or NULL).
    """

    def __init__(self, build: Callable[[str], Any]) -> None:
        self._build = build
        self._compiled: dict[str, _Compiled] = {}

    def compiled(self, dialect: Dialect) -> _Compiled:
        found = self._compiled.get(dialect.name)
        if found is None:
            found = self._compiled[dialect.name] = _Compiled.of(
                self._build(dialect.name), dialect
            )
        return found


@dataclass(frozen=True)
class _Compiled:
    sql: str
    #: Bind names in placeholder order (positional paramstyles), else None.
    order: tuple[str, ...] | None
    #: Values of binds the caller does not give: literals, defaults, NULL.
    fixed: dict[str, Any]
    processors: dict[str, Callable[[Any], Any]]
    results: tuple[Callable[[Any], Any] | None, ...]

    @classmethod
    def of(cls, statement: Any, dialect: Dialect) -> _Compiled:
        keys = None
        if isinstance(statement, Insert):
            table = statement.table
            columns = [c for c in table.columns if c is not table.autoincrement_column]
            keys = [c.key for c in columns]
        compiled = statement.compile(dialect=dialect, column_keys=keys)
        fixed = {
            name: bind.effective_value
            for name, bind in compiled.binds.items()
            if not bind.required
        }
        if keys is not None:
            fixed |= {c.key: _scalar_default(c) for c in columns}
        processors = {}
        for name, bind in compiled.binds.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                processors[name] = process
        selected = getattr(statement, "selected_columns", ())
        return cls(
            sql=str(compiled),
            order=tuple(compiled.positiontup) if compiled.positiontup else None,
            fixed=fixed,
            processors=processors,
            results=tuple(
                column.type.dialect_impl(dialect).result_processor(dialect, None)
                for column in selected
            ),
        )

    @cached_property
    def _plan(self) -> tuple[tuple[str, Any, Callable[[Any], Any] | None], ...]:
        """Each bind's name, value if not given, and processor, in bind order."""
        names = self.order if self.order is not None else tuple(self.fixed)
        return tuple(
            (name, self.fixed.get(name), self.processors.get(name)) for name in names
        )

    def parameters(self, values: Mapping[str, Any]) -> Any:
        if self.order is None:
            merged = self.fixed | dict(values)
            for name, process in self.processors.items():
                if name in merged:
                    merged[name] = process(merged[name])
            return merged
        laid_out = []
        for name, fixed, process in self._plan:
            value = values.get(name, fixed)
            laid_out.append(value if process is None else process(value))
        return tuple(laid_out)

    def row(self, row: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(
            [
                value if process is None else process(value)
                for process, value in zip(self.results, row, strict=True)
            ]
        )


def _scalar_default(column: Any) -> Any:
    default = column.default
    return default.arg if default is not None and default.is_scalar else None


class Driver:
    """Run ``Prepared`` statements on one DBAPI connection, in its transaction.

    Errors are raised as SQLAlchemy's (``IntegrityError``, ``OperationalError``
    …), as a ``Connection`` would raise them.
    """

    def __init__(self, connection: Any, dialect: Dialect) -> None:
        self.connection = connection
        self.dialect = dialect

    @classmethod
    def of_session(cls, session: Session) -> Driver:
        """Return the driver of the session's connection, in its transaction."""
        connection = session.connection()
        return cls(connection.connection, connection.dialect)

    def rows(self, statement: Prepared, values: Mapping[str, Any]) -> list[tuple]:
        """Run a statement; return its rows (none for one without), processed."""
        compiled = statement.compiled(self.dialect)
        parameters = compiled.parameters(values)
        cursor = self.connection.cursor()
        try:
            cursor.execute(compiled.sql, parameters)
            found = cursor.fetchall() if cursor.description else []
        except self.dialect.loaded_dbapi.Error as error:
            raise self._wrapped(compiled, parameters, error) from error
        finally:
            cursor.close()
        return [compiled.row(row) for row in found] if compiled.results else found

    def run_many(self, statement: Prepared, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run a statement once per row (an INSERT of many rows, an upsert)."""
        if not rows:
            return
        compiled = statement.compiled(self.dialect)
        parameters = [compiled.parameters(row) for row in rows]
        cursor = self.connection.cursor()
        try:
            cursor.executemany(compiled.sql, parameters)
        except self.dialect.loaded_dbapi.Error as error:
            raise self._wrapped(compiled, parameters, error) from error
        finally:
            cursor.close()

    def _wrapped(self, compiled: _Compiled, parameters: Any, error: Exception) -> Any:
        return DBAPIError.instance(
            compiled.sql,
            parameters,
            error,
            self.dialect.loaded_dbapi.Error,
            dialect=self.dialect,
        )


@contextmanager
def writing(bind: Engine | Connection) -> Iterator[Driver]:
    """Open a write transaction on a pooled connection of its own; commit at the end.

    On SQLite it begins ``BEGIN IMMEDIATE``, as the engine's own transactions
    do; any error rolls it back and is raised as SQLAlchemy's. A connection
    already in a transaction (a caller's, a test's) gets a savepoint instead.
    """
    if isinstance(bind, Connection):
        with bind.begin_nested():
            yield Driver(bind.connection, bind.dialect)
        return
    connection = bind.raw_connection()
    dbapi = bind.dialect.loaded_dbapi
    try:
        try:
            if bind.dialect.name == "sqlite":
                cursor = connection.cursor()
                cursor.execute("BEGIN IMMEDIATE")
                cursor.close()
            yield Driver(connection, bind.dialect)
            connection.commit()
        except dbapi.Error as error:
            connection.rollback()
            raise DBAPIError.instance(
                None, None, error, dbapi.Error, dialect=bind.dialect
            ) from error
        except BaseException:
            connection.rollback()
            raise
    finally:
        connection.close()
