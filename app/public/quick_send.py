"""A rating sent from a counter's page, taken before Flask's request cycle.

A rating is the only request that writes on a counter's busiest path, and most
are plain: a face tapped (maybe an official and a reason), the form's CSRF token
and the session cookie it came with, nothing more. Through Flask, the request
context, its hooks, Flask-WTF's form and SQLAlchemy's execution layers cost
several times what checking and storing the rating does; this middleware takes
exactly the plain sends and stores them through the same domain code.

It takes a ``POST /s/<code>`` only in the plain case of ``shortcut`` (a cached
standing code, open now) when every one of these holds:

- the body is a small url-encoded form (``PUBLIC_MAX_CONTENT_LENGTH``);
- the session cookie and the CSRF token in the form pass the checks
  Flask and Flask-WTF make (signature, age, the two halves equal, the
  referrer of an HTTPS request);
- the action is the final send, the submission id is well formed, no phone
  number is given, and the questionnaire engine finds every answer valid;
- the caller is within every rate limit of the send;
- the store takes it as a new response (``store_standing``): not a resend,
  not too soon, the code not revoked nor its counter closed meanwhile, the
  official still at the counter.

Then it answers what Flask would: 303 to the thanks page. Anything else
(including a database error) goes to Flask with the body as it came, and
Flask answers it the thorough way: nothing is stored twice, since a quick send
that fails stores nothing.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from functools import cached_property
from io import BytesIO
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from flask import Flask
from flask_wtf.csrf import same_origin
from itsdangerous import BadData
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import MultiDict
from werkzeug.utils import redirect

from app.db import bind_of
from app.public.cache import ExpiringCache
from app.public.forms import SUBMISSION_ID, raw_answers, started_at
from app.public.shortcut import Found, Shortcut
from app.security import Caller, Ceiling, count_served, over_ceiling
from surveys.models import utcnow
from surveys.submissions import (
    CodeUnavailable,
    StaleChoice,
    Submission,
    TooSoon,
    store_standing,
)

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

FORM = "application/x-www-form-urlencoded"
#: In the environ of a send the quick send counted against the rate limits
#: before handing it to Flask: whether it was over one (Flask takes the verdict).
COUNTED = "hailong.send_counted"
#: Thanks redirects kept made (one per code and script root).
MAX_REDIRECTS = 4096


class QuickSends(Shortcut):
    """WSGI middleware: store a plain rating and answer 303, pass all else on."""

    method = "POST"

    def __init__(
        self,
        app: Flask,
        cache: ExpiringCache,
        next_app: WSGIApplication,
        ceilings: Iterable[Ceiling],
    ) -> None:
        super().__init__(app, cache, next_app)
        self.ceilings = tuple(ceilings)
        self._redirects: dict[tuple[str, str], tuple[list[tuple[str, str]], bytes]] = {}

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        found = self.found(environ)
        if found is not None:
            form = _read_form(environ, self.app.config["PUBLIC_MAX_CONTENT_LENGTH"])
            if form is not None and self._took(environ, found, form):
                headers, body = self._thanks(environ, found.survey.code.token)
                start_response("303 SEE OTHER", list(headers))
                return [body]
        return self.next(environ, start_response)

    def _took(self, environ: WSGIEnvironment, found: Found, form: MultiDict) -> bool:
        """``take``, with an unforeseen failure (the rate-limit storage down…)
        handed to Flask, whose error handling answers it; nothing was stored."""
        try:
            return self.take(environ, found, form)
        except Exception:
            self.app.logger.exception("quick send failed; handed to Flask")
            return False

    def take(self, environ: WSGIEnvironment, found: Found, form: MultiDict) -> bool:
        """Check and store a plain send; False (nothing stored): ask Flask."""
        if not self._csrf_passes(environ, found, form):
            return False
        submission_id = form.get("submission_id", "")
        started = form.get("started", "")
        if (
            form.get("action", "submit") != "submit"
            or not SUBMISSION_ID.match(submission_id)
            or not all(
                value == "" or (value.isascii() and value.isdigit())
                for value in (started, form.get("page", ""))
            )
            or form.get("phone")
        ):
            return False
        survey = found.survey
        answers = raw_answers(survey.questionnaire, form)
        values, errors = survey.validate(answers)
        if errors:
            return False
        caller = Caller(
            environ.get("REMOTE_ADDR"),
            environ.get("HTTP_USER_AGENT", ""),
            found.typed_code,
            self.app.secret_key,
        )
        # Counted on arrival as Flask's view counts it; a send that Flask then
        # answers after all takes this verdict instead of counting it again.
        over = environ[COUNTED] = over_ceiling(self.ceilings, caller, self.app)
        if over:
            return False
        submission = Submission(
            token=survey.code.token,
            submission_id=submission_id,
            answers=answers,
            language=found.language,
            started_at=started_at(int(started) if started else None),
            device_hash=caller.device,
        )
        try:
            store_standing(bind_of(self.app), survey.code, submission, values, utcnow())
        except (CodeUnavailable, TooSoon, StaleChoice, SQLAlchemyError):
            return False
        count_served(self.ceilings, caller, self.app)
        return True

    def _csrf_passes(
        self, environ: WSGIEnvironment, found: Found, form: MultiDict
    ) -> bool:
        """Tell whether Flask and Flask-WTF would let this send reach the view."""
        config = self.app.config
        if not (
            config.get("WTF_CSRF_ENABLED", True)
            and config.get("WTF_CSRF_CHECK_DEFAULT", True)
        ):
            return False  # unusual set-ups go the thorough way
        value = found.cookies.get(self.session_name)
        token = form.get(self.csrf_field)
        if not value or not token:
            return False
        try:
            session = self.session_serializer.loads(value, max_age=self._lifetime)
            signed = self.csrf_serializer.loads(token, max_age=self._csrf_time_limit)
        except BadData:
            return False
        if session.get("_permanent"):
            return False  # Flask would send the cookie again, renewed
        secret = session.get(self.csrf_field)
        if not (isinstance(secret, str) and isinstance(signed, str)):
            return False
        if not hmac.compare_digest(secret, signed):
            return False
        if environ.get("wsgi.url_scheme") == "https" and config.get(
            "WTF_CSRF_SSL_STRICT", True
        ):
            referrer = environ.get("HTTP_REFERER")
            return bool(referrer) and same_origin(referrer, f"https://{found.host}/")
        return True

    @cached_property
    def _lifetime(self) -> int:
        """The session's age limit, as Flask's session interface reads it."""
        return int(self.app.permanent_session_lifetime.total_seconds())

    @cached_property
    def _csrf_time_limit(self) -> int | None:
        return self.app.config.get("WTF_CSRF_TIME_LIMIT", 3600)

    def _thanks(
        self, environ: WSGIEnvironment, token: str
    ) -> tuple[list[tuple[str, str]], bytes]:
        """Return Flask's redirect to the thanks page: made once per code."""
        key = (environ.get("SCRIPT_NAME", ""), token)
        answer = self._redirects.get(key)
        if answer is None:
            adapter = self.app.url_map.bind_to_environ(environ)
            response = redirect(adapter.build("public.thanks", {"token": token}), 303)
            response.vary.add("Cookie")  # Flask's, as the session was read
            answer = (response.get_wsgi_headers(environ).to_wsgi_list(), response.data)
            if len(self._redirects) >= MAX_REDIRECTS:
                self._redirects.clear()
            self._redirects[key] = answer
        return answer


def _read_form(environ: WSGIEnvironment, limit: int) -> MultiDict | None:
    """Read a small url-encoded body; put it back for Flask; None if not one.

    Parsed as Werkzeug parses such a form; a body that is not plain UTF-8, or
    too big, is left to Flask (which answers 413 for the latter).
    """
    if environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower() != FORM:
        return None
    try:
        length = int(environ.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None
    if not 0 < length <= limit:
        return None
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = BytesIO(body)
    if len(body) != length:
        return None  # cut off: Flask refuses it (400)
    try:
        return MultiDict(
            parse_qsl(body.decode("ascii"), keep_blank_values=True, errors="strict")
        )
    except (UnicodeDecodeError, ValueError):
        return None
