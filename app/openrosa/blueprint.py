"""The ``openrosa`` blueprint: ODK Collect's, Enketo's and KoboCollect's server.

Apart from the package's ``__init__`` so that the views import it without
importing the package that imports them (no import circle). The enumerator's
key is the first segment after ``/openrosa/key/``, the way ODK Central
authenticates app users: the client's server address carries it, and every
URL the views make carries it on (``url_defaults``).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g

from app.security import csrf

bp = Blueprint("openrosa", __name__, url_prefix="/openrosa/key/<key>")
# Clients post from a tablet with a key in the address, never a browser
# session a forged request could ride on.
csrf.exempt(bp)


@bp.url_value_preprocessor
def _take_key(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    g.openrosa_key = (values or {}).pop("key", None)


@bp.url_defaults
def _give_key(_endpoint: str, values: dict[str, Any]) -> None:
    if "openrosa_key" in g:
        values.setdefault("key", g.openrosa_key)
