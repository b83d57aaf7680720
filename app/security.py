"""CSRF protection, request-size limits, rate limits and the day's device pseudonym.

Rate limits count per device (a keyed hash of address and browser, renewed daily),
per access code and per network address, each with its own ceiling: a hundred
citizens behind one ward office's NAT share an address but not a device, so the
address ceiling is set high and the device ceiling low.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

from flask import Flask, current_app, g, request
from flask_limiter import Limiter
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from surveys.local_time import local_date
from surveys.privacy import device_hash

csrf = CSRFProtect()


def current_device() -> str:
    """Return the day's pseudonym of the requesting device (never stored raw)."""
    if "device" not in g:
        key = hashlib.sha256(b"device|" + current_app.secret_key.encode()).digest()
        day = local_date(datetime.now(UTC))
        g.device = device_hash(
            key,
            day,
            request.remote_addr or "",
            request.headers.get("User-Agent", ""),
        )
    return g.device


def current_address() -> str:
    """Return a pseudonym of the client's address, for the per-address limit.

    Rate-limit counters live for minutes (in Redis with several workers); even
    there no raw address is kept.
    """
    key = hashlib.sha256(b"address|" + current_app.secret_key.encode()).digest()
    address = (request.remote_addr or "unknown").encode()
    return hmac.new(key, address, hashlib.sha256).hexdigest()[:32]


def current_code() -> str:
    """Return the access code a survey request is about."""
    return (request.view_args or {}).get("token", "").upper()


limiter = Limiter(current_device)


@limiter.request_filter
def _reading() -> bool:
    """Let reading requests through unchecked: only what changes state is limited.

    Without this filter every page view would pay for resolving the limits of
    a route it cannot breach (about a tenth of a cached survey page's time).
    """
    return request.method in ("GET", "HEAD", "OPTIONS")


def limit(setting: str) -> str:
    """Read a limit string (``"20/minute"``) from the configuration at request time."""
    return current_app.config[setting]


def init_app(app: Flask) -> None:
    """Trust the configured proxies, cap citizen requests, then CSRF and limits."""
    proxies = int(app.config.get("TRUSTED_PROXIES", 0))
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    # Registered before CSRFProtect, which reads the form: a citizen's form is
    # small, so the public pages refuse big bodies (413) before anything parses.
    @app.before_request
    def _cap_public_requests() -> None:
        if request.blueprint == "public":
            request.max_content_length = app.config["PUBLIC_MAX_CONTENT_LENGTH"]

    csrf.init_app(app)
    limiter.init_app(app)
