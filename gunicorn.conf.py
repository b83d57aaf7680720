"""gunicorn settings, read by ``make run`` and ``bench/bench_faults.py``.

One process with threads: the in-memory rate limits are then counted once, and
a worker that dies is replaced within a second (``import wsgi`` loads no
numerical library). Slow clients are a reverse proxy's job: behind a buffering
nginx (README, "Production") a thread is held only while the app works.
"""

from __future__ import annotations

import sys
from pathlib import Path

# The project's root, where this file lives: `-c /path/to/gunicorn.conf.py` works
# from any folder (gunicorn imports this file before it changes directory).
sys.path.insert(0, str(Path(__file__).resolve().parent))

from app.serving import ROUTE_KEY, claim_rate_limits

#: More (``--workers N``) need HAILONG_RATELIMIT_STORAGE_URI=redis://...: the app
#: refuses to serve in-memory limits from several processes (claim_rate_limits).
workers = 1
worker_class = "gthread"
#: gunicorn lends each new connection a thread for up to 5 s until its first bytes
#: arrive: threads wait without cost, and this many keep the service answering
#: while 200 connections sit idle or half-sent (bench/bench_faults.py). More slow
#: clients than that are a buffering proxy's to hold (README, "Production").
threads = 256
#: The worker is restarted when its main loop stops answering this long. A request
#: stuck in a thread is not stopped by it: the proxy's read timeout (README) and
#: SQLite's busy timeout bound what a client waits.
timeout = 30
graceful_timeout = 20
keepalive = 5
accesslog = "-"
#: Time, method, the route rule (``/s/<token>``, never the path and its code),
#: status, bytes and milliseconds: no address, no User-Agent, no referrer.
access_log_format = f'%(t)s "%(m)s %({{{ROUTE_KEY}}}e)s" %(s)s %(B)s %(M)sms'


def post_worker_init(worker: object) -> None:
    """Refuse to serve in-memory rate limits from several processes.

    A reload's new worker waits for the old one to finish its requests (at most
    the graceful timeout) before it decides another server holds the limits.
    """
    cfg = worker.cfg  # type: ignore[attr-defined]
    claim_rate_limits(worker.wsgi, cfg.workers, wait=cfg.graceful_timeout)  # type: ignore[attr-defined]
