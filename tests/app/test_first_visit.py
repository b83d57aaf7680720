"""A first visit to a counter's page, answered from the cache before Flask.

The middleware must answer what Flask would (same page, same headers, a session
cookie and CSRF token that Flask and Flask-WTF accept), and only when that is
safe: every other request must reach Flask.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask, request, session
from flask_wtf.csrf import validate_csrf
from sqlalchemy.orm import Session
from werkzeug.test import EnvironBuilder

from app.public.blank_page import code_key
from app.public.first_visit import FirstVisits
from app.public.survey import CACHE
from tests.app.test_survey import counter, hidden_fields, responses
from tests.builders import make_code

__all__ = ["counter"]


SET_PER_VISITOR = ("Content-Length", "Set-Cookie")


@pytest.fixture
def cached(app: Flask) -> Flask:
    """The app with its survey cache on, as in production."""
    app.extensions[CACHE].seconds = 60
    return app


def middleware(app: Flask) -> FirstVisits:
    first_visits = app.wsgi_app.next  # type: ignore[attr-defined]
    assert isinstance(first_visits, FirstVisits)
    return first_visits


def answered_first(app: Flask, path: str, **options: object) -> bool:
    """Tell whether the middleware itself would answer this request."""
    environ = EnvironBuilder(path=path, **options).get_environ()  # type: ignore[arg-type]
    return middleware(app).blank_page(environ) is not None


def masked(html: str) -> str:
    """The page with what differs per visitor blanked out."""
    for value in hidden_fields(html).values():
        html = html.replace(value, "…")
    return html


def test_a_first_visit_is_answered_from_the_cache_and_its_form_is_accepted(
    cached: Flask, counter, db_session: Session
) -> None:
    code, _ = counter
    path = f"/s/{code.token}"
    assert not answered_first(cached, path)  # nothing cached yet: Flask renders
    through_flask = cached.test_client().get(path)
    assert answered_first(cached, path)

    client = cached.test_client()
    page = client.get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert masked(html) == masked(through_flask.get_data(as_text=True))
    fields = hidden_fields(html)
    assert fields != hidden_fields(through_flask.get_data(as_text=True))
    # Flask reads the cookie; Flask-WTF accepts the token against it.
    cookie = page.headers["Set-Cookie"].split(";")[0]
    with cached.test_request_context(path, headers={"Cookie": cookie}):
        assert request.cookies and "csrf_token" in session
        validate_csrf(fields["csrf_token"])
    sent = client.post(path, data=fields | {"overall": "4"})
    assert sent.status_code == 303
    assert responses(db_session) == 1


def test_a_first_visit_has_the_headers_flask_gives(cached: Flask, counter) -> None:
    code, _ = counter
    path = f"/s/{code.token}"
    through_flask = cached.test_client().get(path)
    first = cached.test_client().get(path)

    def shape(headers) -> dict[str, str]:  # type: ignore[no-untyped-def]
        kept = {k: v for k, v in headers.items() if k not in SET_PER_VISITOR}
        return kept | {"cookie": cookie_attributes(headers)}

    assert shape(first.headers) == shape(through_flask.headers)
    assert len(first.headers.getlist("Set-Cookie")) == 1


@pytest.mark.parametrize(
    "settings",
    [
        {"SESSION_COOKIE_SECURE": True},
        {"SESSION_COOKIE_DOMAIN": "hailong.example", "SESSION_COOKIE_PATH": "/s"},
        {"SESSION_COOKIE_SAMESITE": "Strict", "SESSION_COOKIE_NAME": "hl"},
    ],
    ids=["secure", "domain-and-path", "strict-and-named"],
)
def test_a_first_visits_cookie_follows_the_apps_settings(
    cached: Flask, counter, settings: dict[str, object]
) -> None:
    cached.config.update(settings)
    code, _ = counter
    path = f"/s/{code.token}"
    through_flask = cached.test_client().get(path)
    assert answered_first(cached, path)
    first = cached.test_client().get(path)
    assert cookie_attributes(first.headers) == cookie_attributes(through_flask.headers)


def cookie_attributes(headers) -> str:  # type: ignore[no-untyped-def]
    """The Set-Cookie header with the session's value blanked out."""
    return re.sub(r"=[^;]*", "=…", headers["Set-Cookie"], count=1)


def test_the_chosen_language_is_served_from_the_cache_too(
    cached: Flask, counter
) -> None:
    code, _ = counter
    path = f"/s/{code.token}"
    english = cached.test_client().get(f"{path}?lang=en")
    assert '<html lang="en">' in english.get_data(as_text=True)
    assert answered_first(cached, path, headers={"Cookie": "lang=en"})
    visitor = cached.test_client()
    visitor.set_cookie("lang", "en")
    assert '<html lang="en">' in visitor.get(path).get_data(as_text=True)
    assert '<html lang="vi">' in cached.test_client().get(path).get_data(as_text=True)


def test_every_other_request_reaches_flask(
    cached: Flask, counter, db_session: Session
) -> None:
    code, _ = counter
    path = f"/s/{code.token}"
    cached.test_client().get(path)
    assert answered_first(cached, path)
    assert answered_first(cached, path.lower())  # a typed code, any case
    assert not answered_first(cached, f"{path}?lang=en")
    assert not answered_first(cached, path, method="POST")
    assert not answered_first(cached, path, headers={"Cookie": "session=abc"})
    assert not answered_first(cached, f"{path}/thanks")
    assert not answered_first(cached, "/s/NOT-A-CODE")

    single = make_code(db_session, code.campaign)  # single-use
    db_session.commit()
    assert cached.test_client().get(f"/s/{single.token}").status_code == 200
    assert not answered_first(cached, f"/s/{single.token}")  # never cached


def test_a_code_that_expired_while_cached_is_refused_by_flask(
    cached: Flask, counter
) -> None:
    code, _ = counter
    path = f"/s/{code.token}"
    cached.test_client().get(path)
    survey = cached.extensions[CACHE].get(code_key(code.token))
    survey.code.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    assert not answered_first(cached, path)
    refused = cached.test_client().get(path)
    assert refused.status_code == 410
    assert "session" not in refused.headers.get("Set-Cookie", "")
