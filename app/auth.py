"""Staff logins (Flask-Login), their throttling, and the request's scope.

The user id in the session cookie is ``surveys.users.session_token``: the user's id
and session version. Logging out or changing the password raises the version, so
the server refuses every cookie issued before, even a copy replayed later; a
deactivated user's cookie stops working at the next request.

Guessing is slowed down per pair of account and client (``Attempt``, after
``surveys.access.login_throttle``): a client that keeps failing on one account
waits longer and longer, while the real user at another address logs in as usual.
Every failed answer (any but the redirect that follows success) also counts
against ceilings per device and per address, so one client cannot try many
accounts.

A staff session ends after ``STAFF_IDLE_MINUTES`` without a request and
``STAFF_SESSION_HOURS`` after the login, whatever the activity: the login wall
sends it back to the login page, saying why.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Flask,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user

from app.db import get_session
from app.formatting import format_duration
from app.i18n import _
from app.security import current_address, current_device, limit, limiter
from surveys.access.login_throttle import (
    Backoff,
    forget_pair,
    record_failure,
    wait_before_retry,
)
from surveys.access.privacy import account_hash
from surveys.access.scope import Permission, Scope
from surveys.access.users import normalise_username, session_token, user_for_session
from surveys.models import User, utcnow

#: ``app.extensions`` key of the clock the login code reads; tests put their own.
CLOCK = "hailong.clock"
#: Session keys: when the login happened and when the last request came, as
#: seconds since the epoch (the cookie is signed, so neither can be forged).
LOGGED_IN_AT = "staff_logged_in_at"
SEEN_AT = "staff_seen_at"
#: The last-seen time is rewritten at most this often, not on every request:
#: each rewrite is a new cookie.
SEEN_PRECISION = 60

login_manager = LoginManager()


class StaffUser(UserMixin):
    """The logged-in user as Flask-Login sees it: the database row and its scope."""

    def __init__(self, user: User) -> None:
        self.user = user
        self.scope = Scope.of(user)

    def get_id(self) -> str:
        """Return the session token, which a logout or a new password makes stale."""
        return session_token(self.user)


def current_staff() -> User:
    """Return the logged-in user's database row."""
    return current_user.user


def current_scope() -> Scope:
    """Return the logged-in user's scope, through which every staff query goes."""
    return current_user.scope


def permission_required(
    permission: Permission,
) -> Callable[[Callable[..., ResponseReturnValue]], Callable[..., ResponseReturnValue]]:
    """Refuse (403) a logged-in user whose role lacks ``permission``.

    The role is checked before any object is looked up, so a refusal says nothing
    about whether another unit's object exists; objects out of scope are 404s.
    """

    def decorate(
        view: Callable[..., ResponseReturnValue],
    ) -> Callable[..., ResponseReturnValue]:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> ResponseReturnValue:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_scope().allows(permission):
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return decorate


def login_wall(
    *open_endpoints: str,
) -> Callable[[], ResponseReturnValue | None]:
    """Return a ``before_request`` hook that sends anonymous visitors to log in.

    Registered on a blueprint, it guards every view there, present and future,
    except ``open_endpoints`` (the login page itself).
    """

    def guard() -> ResponseReturnValue | None:
        if current_user.is_authenticated:
            _end_if_expired()
        if request.endpoint in open_endpoints or current_user.is_authenticated:
            return None
        return login_manager.unauthorized()

    return guard


def now() -> datetime:
    """Return the current instant by the app's clock (``CLOCK``)."""
    return current_app.extensions[CLOCK]()


def start_staff_session(user: User) -> None:
    """Log ``user`` in on a fresh session, stamped for the idle and absolute limits."""
    # Nothing from before the login carries over into the new session.
    session.clear()
    login_user(StaffUser(user))
    session[LOGGED_IN_AT] = session[SEEN_AT] = int(now().timestamp())


def _end_if_expired() -> None:
    """Log out a session idle too long or too old; else note that it was seen.

    A session without the stamps (issued before they existed) is ended too.
    """
    seconds = int(now().timestamp())
    logged_in_at = session.get(LOGGED_IN_AT)
    seen_at = session.get(SEEN_AT)
    config = current_app.config
    if (
        logged_in_at is None
        or seen_at is None
        or seconds - seen_at > int(config["STAFF_IDLE_MINUTES"]) * 60
        or seconds - logged_in_at > int(config["STAFF_SESSION_HOURS"]) * 3600
    ):
        logout_user()
        session.clear()
        flash(_("Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại."))
    elif seconds - seen_at >= SEEN_PRECISION:
        session[SEEN_AT] = seconds


def safe_next(target: str | None) -> str | None:
    """Return ``target`` when it is a path on this site, else None.

    Browsers read ``//host``, ``/\\host`` and ``/<tab>/host`` as other sites, so
    backslashes and control characters are refused along with any scheme or host.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(char) < 0x21 or ord(char) == 0x7F for char in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def account_pseudonym(username: str) -> str:
    """Return the keyed hash under which failed logins of ``username`` are counted."""
    key = hashlib.sha256(b"account|" + current_app.secret_key.encode()).digest()
    return account_hash(key, normalise_username(username))


@dataclass(frozen=True)
class Attempt:
    """A login or password-change attempt: on which account, from which client.

    The client is the address's pseudonym, not the device's: a new User-Agent
    must not buy new guesses.
    """

    account: str
    client: str

    @classmethod
    def on(cls, username: str) -> Attempt:
        """Return this request's attempt on ``username`` (as typed)."""
        return cls(account_pseudonym(username), current_address())

    def wait(self) -> timedelta:
        """Return how long this client must still wait on this account."""
        config = current_app.config
        backoff = Backoff(
            int(config["LOGIN_FREE_FAILURES"]),
            timedelta(seconds=int(config["LOGIN_LONGEST_DELAY"])),
        )
        return wait_before_retry(
            get_session(), self.account, self.client, now(), backoff
        )

    def failed(self) -> None:
        """Count the failure; the view commits."""
        record_failure(get_session(), self.account, self.client, now())

    def succeeded(self) -> None:
        """Clear this client's failures on the account; the view commits."""
        forget_pair(get_session(), self.account, self.client)


def too_soon(template: str, wait: timedelta, **context: Any) -> Response:
    """Answer 429 with the form page, saying when to try again.

    The same words whether the account exists or not; the password is not
    checked, so a right guess made too soon tells nothing either.
    """
    seconds = math.ceil(wait.total_seconds())
    message = _(
        "Đã có nhiều lần nhập sai mật khẩu cho tài khoản này từ địa chỉ mạng của "
        "Ông/Bà. Vui lòng thử lại sau %(wait)s.",
        wait=format_duration(timedelta(seconds=seconds)),
    )
    answer = make_response(render_template(template, too_soon=message, **context))
    answer.status_code = 429
    answer.headers["Retry-After"] = str(seconds)
    return answer


def _failed(response: Response) -> bool:
    # Success always redirects (post/redirect/get); any other answer was a failure.
    return response.status_code != 302


def _login_limit(setting: str, key_func: Callable[[], str]) -> Any:
    return limiter.shared_limit(
        lambda: limit(setting),
        scope=f"staff-{setting.lower()}",
        key_func=key_func,
        methods=["POST"],
        deduct_when=_failed,
    )


credential_limits = [
    _login_limit("LOGIN_LIMIT_DEVICE", current_device),
    _login_limit("LOGIN_LIMIT_ADDRESS", current_address),
]


def throttled(view: Callable[..., ResponseReturnValue]) -> Callable[..., Any]:
    """Count a view's failed attempts against the per-client ceilings."""
    for decorate in credential_limits:
        view = decorate(view)
    return view


def init_app(app: Flask) -> None:
    """Load the user from the session token; send strangers to the login page."""
    app.extensions.setdefault(CLOCK, utcnow)
    login_manager.init_app(app)


@login_manager.user_loader
def _load_user(token: str) -> StaffUser | None:
    user = user_for_session(get_session(), token)
    return StaffUser(user) if user is not None else None


@login_manager.unauthorized_handler
def _ask_to_log_in() -> Response:
    # Only a page can be returned to; a form posted while logged out is lost.
    next_path = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("staff.login", next=next_path))
