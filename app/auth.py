"""Staff logins (Flask-Login), their throttling, and the request's scope.

The user id in the session cookie is ``surveys.users.session_token``: the user's id
and session version. Logging out or changing the password raises the version, so
the server refuses every cookie issued before, even a copy replayed later; a
deactivated user's cookie stops working at the next request.

Failed attempts (any login or password-change answer but the redirect that follows
success) are counted per account, per device and per address: guessing one
account's password is slow from anywhere, and one client cannot try many accounts.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, abort, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import LoginManager, UserMixin, current_user

from app.db import get_session
from app.security import current_address, current_device, limit, limiter
from surveys.access.scope import Permission, Scope
from surveys.access.users import normalise_username, session_token, user_for_session
from surveys.models import User

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
        if request.endpoint in open_endpoints or current_user.is_authenticated:
            return None
        return login_manager.unauthorized()

    return guard


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


def current_account() -> str:
    """Return the account a login or password-change attempt is about."""
    if current_user.is_authenticated:
        return f"account:{current_staff().username}"
    return f"account:{normalise_username(request.form.get('username', ''))}"


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
    _login_limit("LOGIN_LIMIT_ACCOUNT", current_account),
    _login_limit("LOGIN_LIMIT_DEVICE", current_device),
    _login_limit("LOGIN_LIMIT_ADDRESS", current_address),
]


def throttled(view: Callable[..., ResponseReturnValue]) -> Callable[..., Any]:
    """Count a view's failed attempts against every credential limit."""
    for decorate in credential_limits:
        view = decorate(view)
    return view


def init_app(app: Flask) -> None:
    """Load the user from the session token; send strangers to the login page."""
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
