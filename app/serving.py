"""What a server process must settle before it serves: its rate-limit storage, its log.

``gunicorn.conf.py`` calls :func:`claim_rate_limits` in each worker once the app is
loaded. In-memory rate limits are counted per process: two processes would each
allow the whole limit (10 failed logins a minute instead of 5). So a server on
``memory://`` must be the only process serving its instance folder; several
workers or servers need a shared store (Redis). Command-line tasks never claim
it and run beside the server.
"""

from __future__ import annotations

import fcntl
import time
from pathlib import Path
from typing import Any

from flask import Flask, request, request_started

#: Held by the serving process while it lives; the kernel frees it when it dies,
#: so a worker that crashed is replaced at once.
LOCK_FILE = "memory-rate-limits.lock"
#: The environ key the access log prints instead of the path (gunicorn.conf.py).
ROUTE_KEY = "hailong.route"
#: How often a reloaded worker looks whether its predecessor let the lock go.
LOCK_POLL_SECONDS = 0.1


class SharedLimitsRequired(RuntimeError):
    """A second process would serve in-memory rate limits: each would count apart."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"{reason}: in-memory rate limits (memory://) are counted per process, "
            "so every limit would be multiplied. Serve with one process (threads), "
            "or set HAILONG_RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0 "
            "for several workers or servers."
        )


def claim_rate_limits(app: Flask, workers: int, wait: float = 0.0) -> None:
    """Refuse to serve in-memory limits from more than one process.

    Raises SharedLimitsRequired when ``workers`` is above one, or when another
    process still serves this instance folder on ``memory://`` after ``wait``
    seconds. The wait is for a reload (``kill -HUP``): gunicorn starts the new
    worker before the old one has finished its requests and let go of the lock,
    and a worker that failed to start would stop the whole server.
    """
    if not app.config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        return
    if workers > 1:
        raise SharedLimitsRequired(f"{workers} worker processes")
    folder = Path(app.instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    lock = (folder / LOCK_FILE).open("a")
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                lock.close()
                reason = f"another process already serves {folder}"
                raise SharedLimitsRequired(reason) from None
            time.sleep(LOCK_POLL_SECONDS)
    app.extensions["hailong.rate_limit_lock"] = lock


class Hailong(Flask):
    """Flask, logging an unhandled error under the request's route, not its path.

    Flask's own line names the path (``Exception on /s/ABCDE-FGHJK [POST]``),
    which would put a citizen's code in the error log beside the traceback.
    """

    def log_exception(self, exc_info: Any) -> None:
        self.logger.error(
            "Exception on %s [%s]", _route(), request.method, exc_info=exc_info
        )


def _route() -> str:
    rule = request.url_rule
    return rule.rule if rule is not None else "-"


def _name_route(app: Flask, **_: object) -> None:
    request.environ[ROUTE_KEY] = _route()


def init_app(app: Flask) -> None:
    """Name each request's route in its environ, for an access log without codes.

    The route rule (``/s/<token>``) says which page was asked for; the path
    itself would carry a citizen's dossier code and so link them to their answers.
    """
    request_started.connect(_name_route, app)
