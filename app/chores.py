"""Work the application does by itself: erasing personal data on time, and
marking overdue feedback cases as escalated to the unit above.

The purge (``surveys.access.retention``) runs after a response has gone out,
from ``Response.call_on_close``, in the process that answered. Neither a cron
job nor a timer thread: a cron entry is exactly the operator's step that was
forgotten, and a thread per worker process would wake gunicorn's workers for
nothing, die with them and need its own shutdown. Riding on the traffic costs
a busy site nothing and a quiet one nothing either: no visit, no new data to
erase. The answer is already sent when the purge begins, so it never adds to
anyone's wait, and its failure is only logged, never shown.

Each process looks at most once per ``PURGE_EVERY_SECONDS`` (an in-memory
turn, no query on the other requests); the ``chores`` row then decides for all
processes and restarts whether a purge is due, so it runs about once per
interval in all, and two processes asking together purge once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from flask import Flask, current_app
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from app.db import session_factory
from surveys.access.retention import purge_if_due
from surveys.cases.escalation import escalate_if_due
from surveys.models import utcnow

EXTENSION = "hailong.chores"
T = TypeVar("T")


class Turns:
    """When this process may next ask whether a chore is due (monotonic clock)."""

    def __init__(self, every: float) -> None:
        self.every = every
        self._next = 0.0  # the first request of a process asks
        self._lock = threading.Lock()

    def take(self, now: float) -> bool:
        """Tell whether it is this caller's turn to ask; one thread gets each turn."""
        with self._lock:
            if now < self._next:
                return False
            self._next = now + self.every
            return True


def init_app(app: Flask) -> None:
    """Ask, after answering, whether the purge and the escalation are due."""
    app.extensions[EXTENSION] = Turns(app.config["PURGE_EVERY_SECONDS"])
    app.after_request(_purge_after_answering)


def _purge_after_answering(response: Response) -> Response:
    turns: Turns = current_app.extensions[EXTENSION]
    if turns.take(time.monotonic()):
        every = timedelta(seconds=turns.every)
        response.call_on_close(_purge_step(current_app._get_current_object(), every))
    return response


def _purge_step(app: Flask, every: timedelta) -> Callable[[], None]:
    """Return the purge, then the escalation of overdue cases, to run once the
    answer has gone out; each in its own transaction."""

    def step() -> None:
        with app.app_context():
            report = _run(
                app,
                "purging personal data",
                lambda s: purge_if_due(
                    s, utcnow(), every, app.config["CASE_CONTACT_DAYS"]
                ),
            )
            if report is not None:
                app.logger.info(
                    "purged %s expired contact(s), %s stale draft(s), %s applicant(s), "
                    "%s case contact(s)",
                    report.contacts,
                    report.drafts,
                    report.applicants,
                    report.case_contacts,
                )
            escalated = _run(
                app,
                "escalating overdue cases",
                lambda s: escalate_if_due(s, utcnow(), every),
            )
            if escalated:
                app.logger.info("escalated %s overdue case(s)", escalated)

    return step


def _run(app: Flask, what: str, chore: Callable[[Session], T]) -> T | None:
    """Run ``chore`` in a transaction; on a database failure log it, return None."""
    try:
        with session_factory().begin() as session:
            return chore(session)
    except SQLAlchemyError:
        # The next turn tries again; the work waits a little longer.
        app.logger.exception("%s failed", what)
        return None
