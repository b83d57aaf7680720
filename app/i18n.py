"""The one translation mechanism: every text is a Vietnamese/English pair.

Page texts live once, in ``messages.yaml``, keyed by an identifier; the
questionnaire engine's messages and a definition's labels are pairs too. Templates
and views turn any of them into the visitor's language with ``_("key")`` or
``tr(pair)``. The language is ``vi`` unless the visitor chose English (``?lang=en``,
remembered in a cookie).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path

import yaml
from flask import Flask, Response, g, request

from surveys.questionnaire import Message

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
COOKIE = "lang"
CATALOGUE = Path(__file__).with_name("messages.yaml")


@cache
def catalogue() -> dict[str, Message]:
    """Load the page texts once per process."""
    with CATALOGUE.open(encoding="utf-8") as handle:
        return {key: Message(**texts) for key, texts in yaml.safe_load(handle).items()}


def current_language() -> str:
    """Return the language of the current request."""
    return g.get("lang", DEFAULT_LANGUAGE)


def tr(text: Message | Mapping[str, str] | None) -> str:
    """Return a text pair in the current language (Vietnamese when it lacks one)."""
    if text is None:
        return ""
    if isinstance(text, Message):
        return text.en if current_language() == "en" else text.vi
    language = current_language()
    return (
        text.get(language)
        or text.get(DEFAULT_LANGUAGE)
        or next(iter(text.values()), "")
    )


def translate(key: str, **params: object) -> str:
    """Return page text ``key`` in the current language, formatted with ``params``."""
    text = tr(catalogue()[key])
    return text.format(**params) if params else text


def init_app(app: Flask) -> None:
    """Pick each request's language and expose ``_`` and ``tr`` to templates."""

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

    app.jinja_env.globals.update(_=translate, tr=tr, current_language=current_language)
