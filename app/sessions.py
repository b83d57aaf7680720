"""Flask's signed-cookie session, made only for requests that carry one.

Only staff have a session (their login); a citizen's survey page and rating
send no session cookie. Flask's own interface still builds its signing
serializer on every request before finding no cookie to read: this one starts
an empty session at once when the request has none, and is Flask's otherwise
(reading, signing and writing are unchanged).
"""

from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface


class SessionWhenSent(SecureCookieSessionInterface):
    """Flask's cookie session; a request without the cookie starts an empty one."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)
