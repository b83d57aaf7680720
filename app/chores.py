"""Work the application does by itself: erasing personal data on time.

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

from flask import Flask, current_app
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from app.db import session_factory
from surveys.access.retention import purge_if_due
from surveys.models import utcnow

EXTENSION = "hailong.chores"


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
    """Ask, after answering, whether the personal data purge is due."""
    app.extensions[EXTENSION] = Turns(app.config["PURGE_EVERY_SECONDS"])
    app.after_request(_purge_after_answering)


def _purge_after_answering(response: Response) -> Response:
    turns: Turns = current_app.extensions[EXTENSION]
    if turns.take(time.monotonic()):
        every = timedelta(seconds=turns.every)
        response.call_on_close(_purge_step(current_app._get_current_object(), every))
    return response


def _purge_step(app: Flask, every: timedelta) -> Callable[[], None]:
    """Return the purge to run once the answer has gone out."""

    def step() -> None:
        with app.app_context():
            try:
                with session_factory().begin() as session:
                    report = purge_if_due(
                        session, utcnow(), every, app.config["CASE_CONTACT_DAYS"]
                    )
            except SQLAlchemyError:
                # The next turn tries again; the data waits a little longer.
                app.logger.exception("purging personal data failed")
                return
        if report is not None:
            app.logger.info(
                "purged %s expired contact(s), %s stale draft(s), %s applicant(s), "
                "%s case contact(s)",
                report.contacts,
                report.drafts,
                report.applicants,
                report.case_contacts,
            )

    return step
