"""One database session per request, opened on first use and closed at teardown."""

from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from surveys.db import READ_ONLY, make_engine, make_session_factory

EXTENSION = "hailong.db"


def init_app(app: Flask) -> None:
    """Create the engine for ``DATABASE_URL`` and close sessions after each request."""
    engine = make_engine(app.config["DATABASE_URL"], **app.config["ENGINE_OPTIONS"])
    app.extensions[EXTENSION] = make_session_factory(engine)
    app.teardown_appcontext(_close_session)


def session_factory() -> sessionmaker[Session]:
    """Return the current app's session factory (tests may swap it for a bound one)."""
    return current_app.extensions[EXTENSION]


def bind_of(app: Flask) -> Engine | Connection:
    """Return what the app's sessions run on: its engine (a test's connection)."""
    return app.extensions[EXTENSION].kw["bind"]


#: Requests that read only: their session takes no write lock on SQLite.
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_session(*, read_only: bool | None = None) -> Session:
    """Return this request's session; views commit it once, services only flush.

    A reading request's session (GET, HEAD) is read-only unless ``read_only``
    says otherwise: on SQLite its transactions then take no write lock (see
    ``surveys.db.READ_ONLY``), so a dashboard or a download that reads for
    seconds never holds up a citizen's rating. Such a request writes (an audit
    entry) only after ``surveys.db.begin_writing``; a flush without it is
    refused. ``read_only=True`` from the first call of a request that writes
    later (the survey's POST reads, then begins writing). Later calls return the
    session the first one opened.
    """
    if "db_session" not in g:
        if read_only is None:
            read_only = has_request_context() and request.method in READING_METHODS
        options = READ_ONLY if read_only else None
        g.db_session = session_factory()(execution_options=options)
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    """Close the request's session; a connection lost meanwhile is only logged.

    Teardown runs after the answer was made: an error raised here would reach
    the citizen as the server's bare "Internal Server Error" instead of our page.
    The pool drops the dead connection and the next request gets a new one.
    """
    session = g.pop("db_session", None)
    if session is None:
        return
    try:
        session.close()
    except SQLAlchemyError:
        current_app.logger.exception("closing the request's database session failed")
