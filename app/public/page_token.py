"""The survey form's own protection: a signed page token and a same-origin check.

A survey page is anonymous: it needs no server session, so it gets none, and
the session-bound CSRF token of Flask-WTF (which the staff pages keep) would
only cost a session cookie per visitor. Instead each page carries a token
signed with ``itsdangerous``' public API, naming the access code and stamped
with the time the page was first shown (the survey's start, which the "too
fast" flag reads and a client therefore cannot move). A send must carry a valid
token for its own code, younger than ``SURVEY_TOKEN_MAX_AGE``, and come from a
page of this site: a browser says where a form post comes from in
``Sec-Fetch-Site`` or ``Origin``, and a cross-site post is refused.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, request
from itsdangerous import BadSignature, TimestampSigner

#: Names this token's signatures apart from every other use of the secret key.
SALT = "hailong.survey-page"
FIELD = "page_token"


class TokenRefused(Exception):
    """The send carries no valid page token of its code, or comes from elsewhere."""


def _signer() -> TimestampSigner:
    return TimestampSigner(current_app.secret_key, salt=SALT)


def issue(code_token: str) -> str:
    """Return a new page token for the code, stamped now."""
    return _signer().sign(code_token).decode("ascii")


def started_at(page_token: str | None, code_token: str) -> datetime:
    """Check a sent page token and the request's origin; return the survey's start.

    Raises ``TokenRefused`` for a missing, forged, expired or other code's
    token, and for a post another site made the browser send.
    """
    if not same_origin():
        raise TokenRefused("cross-site post")
    if not page_token:
        raise TokenRefused("no page token")
    try:
        value, stamped = _signer().unsign(
            page_token,
            max_age=current_app.config["SURVEY_TOKEN_MAX_AGE"],
            return_timestamp=True,
        )
    except BadSignature as error:
        raise TokenRefused(str(error)) from error
    if value.decode("ascii", "replace") != code_token:
        raise TokenRefused("a token of another code")
    return stamped.astimezone(UTC)


def same_origin() -> bool:
    """Tell whether the browser says this request comes from this site's pages.

    ``Sec-Fetch-Site`` (every current browser) wins; else ``Origin``, compared
    with the address the request came to. A client that sends neither (an old
    phone's browser, a script) is let through: the page token still holds.
    """
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin is None or origin == "null":
        return origin is None
    return origin.rstrip("/") == request.host_url.rstrip("/")
