"""The browser's own defences, on every response: CSP, framing, sniffing, referrers.

Set in one ``after_request`` hook, which Flask runs for error pages and
downloads too. The pages load scripts and styles from ``/static`` only, so the
policy allows no inline script at all; inline ``style`` attributes are allowed
(and no ``<style>`` element) because the charts are matplotlib's SVG, drawn with
them, and a style attribute cannot run code.
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.wrappers import Response

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
#: A year, as browsers' preload lists ask.
HSTS = "max-age=31536000; includeSubDomains"


def init_app(app: Flask) -> None:
    @app.after_request
    def _defend(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        # Survey addresses carry access codes (a dossier's among them): no
        # page of ours tells another site where the visitor came from.
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.is_secure or app.config["SESSION_COOKIE_SECURE"]:
            headers.setdefault("Strict-Transport-Security", HSTS)
        return response
