"""Statements compiled once and run on the DBAPI connection itself.

Through a ``Connection``, SQLAlchemy spends about 0.15 ms a statement on checks
and events around a few microseconds of driver work. A rating runs five
statements inside SQLite's write lock, so that overhead was most of the time the
lock was held, and every other writer waited. A ``Prepared`` statement keeps
SQLAlchemy's compiler, its bind and result type processing and its error
classes, and leaves out the rest; ``Driver`` runs it, ``writing`` gives it a
transaction of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Dialect, Engine, Insert
from sqlalchemy.exc import DBAPIError, InvalidRequestError
from sqlalchemy.orm import Session

#: A bind the caller must give (no literal, no scalar default to fall back on).
REQUIRED: Any = object()


class Prepared:
    """A Core statement, compiled once per dialect and driver when first run.

    ``build`` makes the statement for a dialect name. An INSERT binds every
    column of its table but an autoincremented key: a column left out of a row
    takes its scalar default, or NULL if it has none; a column with a default
    computed at run time (``utcnow``) or on the server must be given. Anything
    compiled only at run time (``IN`` lists) is refused.
    """

    def __init__(self, build: Callable[[str], Any]) -> None:
        self._build = build
        self._compiled: dict[tuple[str, str], Compiled] = {}

    def compiled(self, dialect: Dialect) -> Compiled:
        """Return the statement compiled for ``dialect`` (once per dialect)."""
        key = (dialect.name, dialect.driver)
        found = self._compiled.get(key)
        if found is None:
            found = self._compiled[key] = Compiled.of(
                self._build(dialect.name), dialect
            )
        return found


@dataclass(frozen=True)
class Compiled:
    """A statement's SQL and how to lay out its parameters and read its rows."""

    sql: str
    positional: bool
    #: Each bind in placeholder order: its name, its value when not given
    #: (``REQUIRED`` if it must be), its type's bind processor.
    binds: tuple[tuple[str, Any, Callable[[Any], Any] | None], ...]
    #: The result processor of each selected column (None: as the driver gives).
    results: tuple[Callable[[Any], Any] | None, ...]

    @classmethod
    def of(cls, statement: Any, dialect: Dialect) -> Compiled:
        keys = None
        defaults: dict[str, Any] = {}
        if isinstance(statement, Insert):
            table = statement.table
            columns = [c for c in table.columns if c is not table.autoincrement_column]
            keys = [c.key for c in columns]
            defaults = {c.key: _default_of(c) for c in columns}
        compiled = statement.compile(dialect=dialect, column_keys=keys)
        if compiled.post_compile_params or compiled.escaped_bind_names:
            raise ValueError("a prepared statement needs plain, fixed parameters")
        names = compiled.positiontup or list(
            dict.fromkeys(compiled.bind_names.values())
        )
        by_name = {compiled.bind_names[bind]: bind for bind in compiled.bind_names}
        binds = []
        for name in names:
            bind = by_name[name]
            if name in defaults:
                fallback = defaults[name]
            else:
                fallback = REQUIRED if bind.required else bind.effective_value
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            binds.append((name, fallback, process))
        return cls(
            sql=str(compiled),
            positional=compiled.positiontup is not None,
            binds=tuple(binds),
            results=tuple(
                column.type.dialect_impl(dialect).result_processor(dialect, None)
                # A SELECT's columns, or those an INSERT returns.
                for column in statement.exported_columns
            ),
        )

    def parameters(self, values: Mapping[str, Any]) -> tuple[Any, ...] | dict:
        """Lay out ``values`` (by bind name) as the driver wants them, processed."""
        laid_out = []
        for name, fallback, process in self.binds:
            value = values.get(name, fallback)
            if value is REQUIRED:
                raise InvalidRequestError(f"a value is required for {name!r}")
            laid_out.append(value if process is None else process(value))
        if self.positional:
            return tuple(laid_out)
        return {
            name: value
            for (name, _, _), value in zip(self.binds, laid_out, strict=True)
        }

    def row(self, row: Sequence[Any]) -> tuple[Any, ...]:
        """Return a row as SQLAlchemy would: its values processed by their types."""
        return tuple(
            [
                value if process is None else process(value)
                for process, value in zip(self.results, row, strict=True)
            ]
        )


def _default_of(column: Any) -> Any:
    if column.server_default is not None:
        return REQUIRED
    default = column.default
    if default is None:
        return None
    return default.arg if default.is_scalar else REQUIRED


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
        with self._cursor(compiled.sql, parameters) as cursor:
            cursor.execute(compiled.sql, parameters)
            found = cursor.fetchall() if cursor.description else []
        return [compiled.row(row) for row in found] if compiled.results else found

    def run_many(self, statement: Prepared, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run a statement once per row (an INSERT of many rows, an upsert)."""
        if not rows:
            return
        compiled = statement.compiled(self.dialect)
        parameters = [compiled.parameters(row) for row in rows]
        with self._cursor(compiled.sql, parameters) as cursor:
            cursor.executemany(compiled.sql, parameters)

    @contextmanager
    def _cursor(self, sql: str | None, parameters: Any) -> Iterator[Any]:
        """A cursor closed after use; the driver's errors raised as SQLAlchemy's."""
        cursor = self.connection.cursor()
        try:
            yield cursor
        except self.dialect.loaded_dbapi.Error as error:
            raise _wrapped(
                self.dialect, self.connection, sql, parameters, error
            ) from error
        finally:
            cursor.close()


@contextmanager
def writing(bind: Engine | Connection) -> Iterator[Driver]:
    """Open a write transaction on a pooled connection of its own; commit at the end.

    On SQLite it begins ``BEGIN IMMEDIATE``, as the engine's own transactions
    do. Any error rolls it back and is raised as SQLAlchemy's; a connection
    found lost, or that cannot even roll back, leaves the pool. A connection
    already in a transaction (a caller's, a test's) gets a savepoint instead.
    """
    if isinstance(bind, Connection):
        with bind.begin_nested():
            yield Driver(bind.connection, bind.dialect)
        return
    dialect = bind.dialect
    connection = bind.raw_connection()
    driver = Driver(connection, dialect)
    try:
        try:
            if dialect.name == "sqlite":
                with driver._cursor("BEGIN IMMEDIATE", None) as cursor:
                    cursor.execute("BEGIN IMMEDIATE")
            yield driver
            connection.commit()
        except dialect.loaded_dbapi.Error as error:
            raise _wrapped(dialect, connection, None, None, error) from error
    except BaseException as failure:
        _roll_back(connection, failure, dialect)
        raise
    finally:
        connection.close()


def _roll_back(connection: Any, failure: BaseException, dialect: Dialect) -> None:
    """Roll back after ``failure``; drop from the pool a connection that is gone."""
    if isinstance(failure, DBAPIError) and failure.connection_invalidated:
        connection.invalidate(failure.orig)
        return
    try:
        connection.rollback()
    except dialect.loaded_dbapi.Error as error:
        connection.invalidate(error)


def _wrapped(
    dialect: Dialect,
    connection: Any,
    sql: str | None,
    parameters: Any,
    error: Exception,
) -> DBAPIError:
    """Return the driver's ``error`` as SQLAlchemy's, telling a lost connection."""
    lost = dialect.is_disconnect(error, connection.dbapi_connection, None)
    return DBAPIError.instance(
        sql,
        parameters,
        error,
        dialect.loaded_dbapi.Error,
        dialect=dialect,
        connection_invalidated=lost,
    )
