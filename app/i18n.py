"""The one translation mechanism for the web pages: Vietnamese first, then English.

Every user-facing string lives once, in ``messages.yaml``, keyed by an identifier;
templates and views ask for it with ``_("key")``. The language is ``vi`` unless the
visitor chose English (``?lang=en``, remembered in a cookie).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from flask import Flask, Response, g, request

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
COOKIE = "lang"
CATALOGUE = Path(__file__).with_name("messages.yaml")


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """Load the message catalogue once per process."""
    with CATALOGUE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def current_language() -> str:
    """Return the language of the current request."""
    return g.get("lang", DEFAULT_LANGUAGE)


def translate(key: str, **params: object) -> str:
    """Return message ``key`` in the current language, formatted with ``params``."""
    text = catalogue()[key][current_language()]
    return text.format(**params) if params else text


def init_app(app: Flask) -> None:
    """Pick each request's language and expose ``_`` to templates."""

    @app.before_request
    def _choose_language() -> None:
        asked = request.args.get("lang") or request.cookies.get(COOKIE)
        g.lang = asked if asked in LANGUAGES else DEFAULT_LANGUAGE

    @app.after_request
    def _remember_language(response: Response) -> Response:
        if request.args.get("lang") in LANGUAGES:
            response.set_cookie(
                COOKIE, g.lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
            )
        return response

    app.jinja_env.globals.update(_=translate, current_language=current_language)
