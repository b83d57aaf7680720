"""A first visit to a counter's poster page, answered before Flask's request cycle.

Most views of a counter's page are first visits: a citizen scans the poster, has
no cookie yet, and gets the blank first page, which is kept rendered in the survey
cache (``blank_page``). What differs between two such visitors is a CSRF token,
the session cookie that holds its secret half, a submission id and the time.
Through Flask, building a request context, running every hook, saving the session
and signing the token cost about five times what a bare Flask page costs; this
middleware answers exactly these requests with the same bytes for a fraction.

It answers only ``GET /s/<code>`` with no query string and no session cookie, for
a standing code whose survey and blank page (in the visitor's language, today)
are in the cache and which is open now (``check_state``); every other request,
including the one that fills the cache, goes to Flask unchanged. The cookie and
the token are made with the serializers and settings Flask and Flask-WTF use
(tests read them back with Flask's and Flask-WTF's own code, and send the form);
those settings are read at the first request, as the app's configuration is
final by then.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from werkzeug.exceptions import SecurityError
from werkzeug.http import dump_cookie, parse_cookie
from werkzeug.wsgi import get_host

from app.i18n import COOKIE as LANGUAGE_COOKIE
from app.i18n import DEFAULT_LANGUAGE, LANGUAGES
from app.public.blank_page import code_key, fill_in, page_key
from app.public.cache import ExpiringCache
from surveys.codes import CodeError, parse_token
from surveys.local_time import local_date
from surveys.models import utcnow
from surveys.submissions import CodeUnavailable, check_state

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

#: Flask-WTF's salt for signing CSRF tokens (``flask_wtf.csrf.generate_csrf``).
CSRF_SALT = "wtf-csrf-token"
PREFIX = "/s/"


class FirstVisits:
    """WSGI middleware: serve a first visit's blank page, pass all else to Flask."""

    def __init__(self, app: Flask, cache: ExpiringCache) -> None:
        self.app = app
        self.cache = cache
        self.next: WSGIApplication = app.wsgi_app

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        page = self.blank_page(environ)
        if page is None:
            return self.next(environ, start_response)
        secret = hashlib.sha1(os.urandom(64)).hexdigest()  # as Flask-WTF makes it
        body = fill_in(page, self._csrf.dumps(secret)).encode()
        start_response(
            "200 OK",
            [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Length", str(len(body))),
                ("Vary", "Cookie"),
                ("Set-Cookie", self._session_cookie({self._csrf_field: secret})),
            ],
        )
        return [body]

    def blank_page(self, environ: WSGIEnvironment) -> str | None:
        """Return the cached blank page this request may get, or None: ask Flask."""
        path = environ.get("PATH_INFO", "")
        if (
            environ.get("REQUEST_METHOD") != "GET"
            or environ.get("QUERY_STRING")
            or not path.startswith(PREFIX)
        ):
            return None
        trusted = self.app.config.get("TRUSTED_HOSTS")
        if trusted:
            try:
                get_host(environ, trusted_hosts=trusted)
            except SecurityError:
                return None  # Flask refuses the host (400)
        cookies = parse_cookie(environ.get("HTTP_COOKIE", ""))
        if self._session_name in cookies:
            return None  # a returning visitor keeps the token of their session
        try:
            token = parse_token(path[len(PREFIX) :])
        except CodeError:
            return None
        survey = self.cache.get(code_key(token))
        if survey is None:
            return None
        now = utcnow()
        try:
            check_state(survey.code, now)  # type: ignore[attr-defined]
        except CodeUnavailable:
            return None  # Flask explains why, with the right status
        language = cookies.get(LANGUAGE_COOKIE)
        if language not in LANGUAGES:
            language = DEFAULT_LANGUAGE
        page = self.cache.get(page_key(token, language, local_date(now)))
        return page if isinstance(page, str) else None

    @cached_property
    def _csrf(self) -> URLSafeTimedSerializer:
        config = self.app.config
        secret = config.get("WTF_CSRF_SECRET_KEY") or self.app.secret_key
        return URLSafeTimedSerializer(secret, salt=CSRF_SALT)

    @cached_property
    def _csrf_field(self) -> str:
        return self.app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")

    @cached_property
    def _session_name(self) -> str:
        return self.app.session_interface.get_cookie_name(self.app)

    @cached_property
    def _session_serializer(self) -> URLSafeTimedSerializer:
        interface = self.app.session_interface
        assert isinstance(interface, SecureCookieSessionInterface)
        serializer = interface.get_signing_serializer(self.app)
        assert serializer is not None, "the app has no secret key"
        return serializer

    @cached_property
    def _cookie_options(self) -> dict[str, Any]:
        interface, app = self.app.session_interface, self.app
        return {
            "domain": interface.get_cookie_domain(app),
            "path": interface.get_cookie_path(app),
            "secure": interface.get_cookie_secure(app),
            "httponly": interface.get_cookie_httponly(app),
            "samesite": interface.get_cookie_samesite(app),
            "partitioned": interface.get_cookie_partitioned(app),
        }

    def _session_cookie(self, session: dict[str, str]) -> str:
        """Return the Set-Cookie value Flask would send for a new ``session``."""
        value = self._session_serializer.dumps(session)
        return dump_cookie(self._session_name, value, **self._cookie_options)
