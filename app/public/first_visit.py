"""A first visit to a counter's poster page, answered before Flask's request cycle.

Most views of a counter's page are first visits: a citizen scans the poster, has
no cookie yet, and gets the blank first page, which is kept rendered in the survey
cache (``blank_page``). What differs between two such visitors is a CSRF token,
the session cookie that holds its secret half, a submission id and the time.
Through Flask, building a request context, running every hook, saving the session
and signing the token cost about five times what a bare Flask page costs; this
middleware answers exactly these requests with the same bytes for a fraction.

It answers only ``GET /s/<code>`` with no session cookie, in the plain case of
``shortcut`` (a cached standing code, open now), when the blank page in the
visitor's language is cached for today; every other request, including the one
that fills the cache, goes to Flask unchanged. Tests read the cookie and token
back with Flask's and Flask-WTF's own code, and send the form.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from werkzeug.http import dump_cookie

from app.public.blank_page import fill_in, page_key
from app.public.shortcut import Shortcut
from surveys.local_time import local_date

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment


class FirstVisits(Shortcut):
    """WSGI middleware: serve a first visit's blank page, pass all else on."""

    method = "GET"

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        page = self.blank_page(environ)
        if page is None:
            return self.next(environ, start_response)
        secret = hashlib.sha1(os.urandom(64)).hexdigest()  # as Flask-WTF makes it
        body = fill_in(page, self.csrf_serializer.dumps(secret)).encode()
        start_response(
            "200 OK",
            [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Length", str(len(body))),
                ("Vary", "Cookie"),
                ("Set-Cookie", self._session_cookie({self.csrf_field: secret})),
            ],
        )
        return [body]

    def blank_page(self, environ: WSGIEnvironment) -> str | None:
        """Return the cached blank page this request may get, or None: ask Flask."""
        found = self.found(environ)
        if found is None or self.session_name in found.cookies:
            return None  # a returning visitor keeps the token of their session
        key = page_key(found.survey.code.token, found.language, local_date(found.now))
        page = self.cache.get(key)
        return page if isinstance(page, str) else None

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
        value = self.session_serializer.dumps(session)
        return dump_cookie(self.session_name, value, **self._cookie_options)
