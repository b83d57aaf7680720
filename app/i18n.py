"""Translations through gettext (Flask-Babel): pages, the domain's messages, labels.

Vietnamese is the source language: a msgid is the Vietnamese text itself
(``_("Không tìm thấy trang")``), so no ``vi`` catalogue exists to keep in step
with the code. Every other language has ``translations/<code>/LC_MESSAGES/
messages.po``, made from ``translations/messages.pot`` (``pybabel extract -F
babel.cfg``; see README, "Translations"), which Poedit or Weblate opens. The
``.mo`` files are not committed: ``init_app`` compiles each ``.po`` that is newer
than its ``.mo`` (milliseconds, once per change), so a fresh clone runs with pip
alone and a stale ``.mo`` cannot outlive its ``.po``.

What a view or template uses:

- ``_`` / ``gettext``, ``ngettext``, ``pgettext`` and their ``lazy_`` forms, for
  page texts (Flask-Babel's, placeholders ``%(name)s``);
- ``translated(value)`` for a ``surveys.translatable.Message`` (the domain's
  messages) or ``Text`` (a definition's labels);
- ``current_language()``: the language of the page, for ``<html lang>`` and for
  keys of what is cached per language;
- ``label_language(languages)``: the language definition texts are shown in,
  and ``languages_shown(languages)`` both, to key what is cached per language;
- ``in_language(language)``: render a report in a language of its own.

A request has two languages. The page's is one with a catalogue: ``?lang=xx``
(also remembered in a cookie), else the cookie, else the best match of
``Accept-Language``; a visitor who asked only for languages without a catalogue
gets English, one who asked for nothing Vietnamese. Definition texts may carry
any language (an XLSForm with ``label::français (fr)``), so they follow what the
visitor asked for among the languages the text has, else the page's language.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, Response, g, has_app_context, has_request_context, request
from flask_babel import (
    Babel,
    force_locale,
    get_locale,
    gettext,
    lazy_gettext,
    lazy_ngettext,
    lazy_pgettext,
    ngettext,
    pgettext,
)
from werkzeug.datastructures import LanguageAccept

from surveys.translatable import SOURCE_LANGUAGE, Message, Text

__all__ = [
    "_",
    "current_language",
    "gettext",
    "in_language",
    "label_language",
    "languages_shown",
    "lazy_gettext",
    "lazy_ngettext",
    "lazy_pgettext",
    "ngettext",
    "pgettext",
    "translated",
]

_ = gettext

#: The page language of a visitor whose languages have no catalogue.
FALLBACK_LANGUAGE = "en"
COOKIE = "lang"
TRANSLATIONS = Path(__file__).with_name("translations")
DOMAIN = "messages"
#: Where the app's dates and times are shown (Vietnam has one time zone).
TIMEZONE = "Asia/Ho_Chi_Minh"
#: What ``?lang`` and the cookie may hold: a language, maybe with a region or
#: script (``vi``, ``fr``, ``pt-BR``, ``zh-Hant``).
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?")


@cache
def catalogue_languages() -> tuple[str, ...]:
    """Return the languages pages are written in: Vietnamese, then each catalogue's."""
    found = sorted(
        po.parent.parent.name for po in TRANSLATIONS.glob(f"*/LC_MESSAGES/{DOMAIN}.po")
    )
    return (SOURCE_LANGUAGE, *(code for code in found if code != SOURCE_LANGUAGE))


def current_language() -> str:
    """Return the language of the page being rendered (``vi`` outside a request)."""
    locale = get_locale() if has_app_context() else None
    return str(locale) if locale is not None else SOURCE_LANGUAGE


def label_language(languages: Collection[str]) -> str:
    """Return the language to show a text written in ``languages`` in.

    The visitor's best match among them, else the page's language (a text that
    lacks it falls back to Vietnamese, then to its first language).
    """
    if has_request_context() and languages:
        found = _asked().best_match(list(languages))
        if found is not None:
            return found
    return current_language()


def languages_shown(languages: Collection[str]) -> str:
    """Name the languages of a page whose texts are written in ``languages``.

    The page's language, then its texts' when they differ (``en+fr``): the key of
    what is cached per language, since a visitor who asked for French reads
    French labels in an English page, and one who asked for English English ones.
    """
    page, labels = current_language(), label_language(languages)
    return page if labels == page else f"{page}+{labels}"


def translated(value: Message | Mapping[str, str] | None) -> str:
    """Return a domain message or a definition's text in the reader's language."""
    if value is None:
        return ""
    if isinstance(value, Message):
        wording = value.wording
        if wording and (language := label_language(wording.languages)) in wording:
            return wording[language]
        if value.plural is None:
            return gettext(value.msgid, **value.params)
        params = dict(value.params)
        count = params.pop("num")
        return ngettext(value.msgid, value.plural, count, **params)
    text = value if isinstance(value, Text) else Text(value)
    return text.get(label_language(text.languages))


@contextmanager
def in_language(language: str) -> Iterator[None]:
    """Write texts, numbers and dates in ``language`` inside the block.

    A language without a catalogue is written in its nearest catalogue language.
    """
    if not has_app_context():
        raise RuntimeError(
            f"writing in {language!r} needs an app context, which has the catalogues"
        )
    with force_locale(_catalogue_language(LanguageAccept([(language, 1)]))):
        yield


def language_name(language: str) -> str:
    """Return a language's name in itself ("Tiếng Việt", "English", "français")."""
    try:
        name = _locale(language).get_display_name()
    except (ValueError, UnknownLocaleError):
        return language
    return name or language


def other_languages(languages: Collection[str] = ()) -> list[tuple[str, str]]:
    """List the languages a visitor may switch to, as (code, name), for links.

    The catalogue languages, and those of the texts on the page (``languages``,
    e.g. a questionnaire's), except the one shown.
    """
    shown = label_language(languages) if languages else current_language()
    # An XLSForm's unnamed language ("default") is no language to switch to.
    named = [code for code in languages if _LANGUAGE_TAG.fullmatch(code)]
    offered = dict.fromkeys([*catalogue_languages(), *named])
    return [(code, language_name(code)) for code in offered if code != shown]


def compile_catalogues(folder: Path = TRANSLATIONS) -> None:
    """Compile each ``.po`` under ``folder`` whose ``.mo`` is missing or older."""
    for po_path in folder.glob(f"*/LC_MESSAGES/{DOMAIN}.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as source:
            catalog = read_po(source, locale=po_path.parent.parent.name, domain=DOMAIN)
        # Written aside, then moved into place: workers starting together never
        # read half a file.
        handle, temporary = tempfile.mkstemp(dir=mo_path.parent, suffix=".tmp")
        with os.fdopen(handle, "wb") as target:
            write_mo(target, catalog)
        os.replace(temporary, mo_path)


def init_app(app: Flask) -> None:
    """Compile the catalogues, pick each request's language, expose the helpers."""
    compile_catalogues()
    Babel(
        app,
        locale_selector=_page_language,
        default_locale=SOURCE_LANGUAGE,
        default_translation_directories=str(TRANSLATIONS),
        default_timezone=TIMEZONE,
    )

    @app.after_request
    def _remember_language(response: Response) -> Response:
        chosen = _language_tag(request.args.get("lang"))
        if chosen is not None:
            response.set_cookie(
                COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
            )
        elif g.get("language_negotiated"):
            # The page's language came from these headers, not from its address.
            response.vary.update(("Accept-Language", "Cookie"))
        return response

    app.jinja_env.globals.update(
        translated=translated,
        current_language=current_language,
        label_language=label_language,
        other_languages=other_languages,
    )


def _page_language() -> Locale:
    """Choose the request's page language (Flask-Babel's ``locale_selector``).

    Answered as a ``Locale``, which Flask-Babel takes as it is: from a string
    it would parse a new one on every request (a look on disk for the locale's
    data each time).
    """
    if not has_request_context():
        return _locale(SOURCE_LANGUAGE)
    return _locale(_catalogue_language(_asked()))


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(language.replace("-", "_"))


def _catalogue_language(asked: LanguageAccept) -> str:
    found = asked.best_match(catalogue_languages())
    if found is not None:
        return found
    return FALLBACK_LANGUAGE if asked else SOURCE_LANGUAGE


def _asked() -> LanguageAccept:
    """Return the visitor's languages: ``?lang``, else the cookie, else the header."""
    if "languages_asked" not in g:
        chosen = _language_tag(request.args.get("lang"))
        if chosen is None:
            g.language_negotiated = True
            chosen = _language_tag(request.cookies.get(COOKIE))
        g.languages_asked = (
            LanguageAccept([(chosen, 1)]) if chosen else request.accept_languages
        )
    return g.languages_asked


def _language_tag(value: str | None) -> str | None:
    if value is None or not _LANGUAGE_TAG.fullmatch(value):
        return None
    return value.replace("_", "-").lower()
