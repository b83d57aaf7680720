"""What the two counter shortcuts share: a cached open code, Flask's own secrets.

A counter's poster is where nearly all of hailong's traffic comes from: a first
visit to its page (``first_visit``) and a rating sent from it (``quick_send``).
Both are answered by WSGI middleware before Flask's request cycle, which costs
several times what the work itself does, and only in the plain case: the code is
a standing code whose survey is in the cache and open now, the request has no
query string, and its host is trusted. Everything else goes to Flask unchanged.

The session cookie and CSRF token are read and made with the serializers and
settings Flask and Flask-WTF use, read at the first request (the app's
configuration is final by then); tests check them against Flask's own code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from werkzeug.exceptions import SecurityError
from werkzeug.http import parse_cookie
from werkzeug.wsgi import get_host

from app.i18n import COOKIE as LANGUAGE_COOKIE
from app.i18n import DEFAULT_LANGUAGE, LANGUAGES
from app.public.blank_page import code_key
from app.public.cache import ExpiringCache
from surveys.codes import CodeError, parse_token
from surveys.models import utcnow
from surveys.submissions import CodeUnavailable, check_state

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication, WSGIEnvironment

    from app.public.survey import Survey

#: Flask-WTF's salt for signing CSRF tokens (``flask_wtf.csrf.generate_csrf``).
CSRF_SALT = "wtf-csrf-token"
PREFIX = "/s/"


@dataclass(frozen=True)
class Found:
    """A request for a cached, open standing code's page, as a shortcut sees it."""

    typed_code: str
    #: As the survey view cached it.
    survey: Survey
    cookies: dict[str, str]
    host: str
    now: datetime

    @property
    def language(self) -> str:
        """The visitor's language, as ``app.i18n`` picks it without a query."""
        language = self.cookies.get(LANGUAGE_COOKIE)
        return language if language in LANGUAGES else DEFAULT_LANGUAGE


class Shortcut:
    """Base of the middlewares that answer a counter's busiest requests."""

    #: The one request method the shortcut answers.
    method = "GET"

    def __init__(
        self, app: Flask, cache: ExpiringCache, next_app: WSGIApplication
    ) -> None:
        self.app = app
        self.cache = cache
        self.next = next_app

    def found(self, environ: WSGIEnvironment) -> Found | None:
        """Return the cached open code this request is for, or None: ask Flask."""
        path = environ.get("PATH_INFO", "")
        if (
            environ.get("REQUEST_METHOD") != self.method
            or environ.get("QUERY_STRING")
            or not path.startswith(PREFIX)
        ):
            return None
        try:
            host = get_host(environ, trusted_hosts=self.app.config.get("TRUSTED_HOSTS"))
        except SecurityError:
            return None  # Flask refuses the host (400)
        typed = path[len(PREFIX) :]
        try:
            token = parse_token(typed)
        except CodeError:
            return None
        survey = self.cache.get(code_key(token))
        if survey is None:
            return None
        now = utcnow()
        try:
            check_state(survey.code, now)
        except CodeUnavailable:
            return None  # Flask explains why, with the right status
        cookies = parse_cookie(environ.get("HTTP_COOKIE", ""))
        return Found(typed, survey, dict(cookies), host, now)

    @cached_property
    def csrf_serializer(self) -> URLSafeTimedSerializer:
        config = self.app.config
        secret = config.get("WTF_CSRF_SECRET_KEY") or self.app.secret_key
        return URLSafeTimedSerializer(secret, salt=CSRF_SALT)

    @cached_property
    def csrf_field(self) -> str:
        return self.app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")

    @cached_property
    def session_name(self) -> str:
        return self.app.session_interface.get_cookie_name(self.app)

    @cached_property
    def session_serializer(self) -> URLSafeTimedSerializer:
        interface = self.app.session_interface
        assert isinstance(interface, SecureCookieSessionInterface)
        serializer = interface.get_signing_serializer(self.app)
        assert serializer is not None, "the app has no secret key"
        return serializer
