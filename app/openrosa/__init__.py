"""The OpenRosa server: ODK Collect, Enketo and KoboCollect download hailong's
forms and send their interviews here (see docs/openrosa.md)."""

from __future__ import annotations

from flask import Flask

from app.openrosa import routes
from app.openrosa.blueprint import bp

__all__ = ["init_app", "routes"]


def init_app(app: Flask) -> None:
    """Set the OpenRosa server's defaults and register its blueprint."""
    #: Requests of one network address (key guessing included); a team
    #: synchronising behind one mobile network sends a few hundred at once.
    app.config.setdefault("OPENROSA_LIMIT_ADDRESS", "600/minute;20000/day")
    #: The largest submission: an interview's XML is a few kilobytes, and no
    #: form hailong serves takes attachments. Told to clients in
    #: ``X-OpenRosa-Accept-Content-Length``.
    app.config.setdefault("OPENROSA_MAX_CONTENT_LENGTH", 1024 * 1024)
    app.register_blueprint(bp)
