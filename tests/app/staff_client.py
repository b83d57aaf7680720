"""Logging a test client in and out of the staff side, as a browser would."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.builders import PASSWORD

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/staff/login") -> str:
    """Open ``path`` (or where it redirects) and read the form's CSRF token."""
    page = client.get(path, follow_redirects=True)
    match = CSRF.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def log_in(
    client: FlaskClient,
    username: str,
    password: str = PASSWORD,
    query: str = "",
) -> TestResponse:
    """Post the login form (opened at ``/staff/login{query}``) and return the answer."""
    path = f"/staff/login{query}"
    form = {"csrf_token": csrf_token(client, path), "username": username}
    return client.post(path, data=form | {"password": password})


def log_out(client: FlaskClient) -> TestResponse:
    """Press the navigation bar's logout button."""
    return client.post(
        "/staff/logout", data={"csrf_token": csrf_token(client, "/staff/")}
    )
