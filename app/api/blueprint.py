"""The ``api`` blueprint and its settings.

Apart from the package's ``__init__`` so that the views import it without
importing the package that imports them (no import circle).
"""

from __future__ import annotations

from flask import Blueprint, Flask

from app.security import csrf

bp = Blueprint("api", __name__, url_prefix="/open311/v2")
# Clients post forms from other systems, with a key instead of a session:
# there is no browser session a forged request could ride on.
csrf.exempt(bp)


def init_app(app: Flask) -> None:
    """Set the API's defaults and register its blueprint."""
    #: Requests of one network address to any API resource (key guessing included).
    app.config.setdefault("OPEN311_LIMIT_ADDRESS", "120/minute;5000/day")
    #: The largest request body: a description of 4,000 characters and a few fields.
    app.config.setdefault("OPEN311_MAX_CONTENT_LENGTH", 64 * 1024)
    #: Whom client developers write to (discovery's ``contact``).
    app.config.setdefault("OPEN311_CONTACT", "")
    app.register_blueprint(bp)
