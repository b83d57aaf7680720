"""Staff accounts: creating them, logging in and out, changing passwords.

A login cookie carries ``"{user.id}:{user.session_version}"``. Logging out or
changing the password raises the version, so every cookie issued before is refused
by the server, even one copied before the logout and replayed afterwards.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.access.audit import AuditAction, record_event
from surveys.access.passwords import hash_password, password_problem, verify_password
from surveys.models import Role, Unit, User
from surveys.translatable import N_, Message

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
SESSION_TOKEN = re.compile(r"(\d+):(\d+)", re.ASCII)


class UserError(ValueError):
    """A user cannot be created or changed as asked; ``message`` says why."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


class WrongPassword(UserError):
    """The password given as the current one is not the user's password."""


def create_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    unit_code: str | None,
    *,
    actor: User | None = None,
) -> User:
    """Create a staff login, audited; every role but ``admin`` needs a unit.

    ``actor`` is the staff user who made it; None: an operator's command.
    """
    if not USERNAME_PATTERN.match(username):
        raise UserError(
            Message(
                N_(
                    "Tên đăng nhập “%(username)s” phải có 3–64 ký tự: chữ thường"
                    " không dấu, chữ số, '.', '_' hoặc '-', bắt đầu bằng chữ hoặc số."
                ),
                {"username": username},
            )
        )
    if role not in {r.value for r in Role}:
        choices = ", ".join(r.value for r in Role)
        raise UserError(
            Message(
                N_("Vai trò “%(role)s” không thuộc: %(choices)s."),
                {"role": role, "choices": choices},
            )
        )
    check_password_strength(password)
    unit = None
    if unit_code is not None:
        unit = session.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None:
            raise UserError(
                Message(N_("Không có đơn vị mã “%(code)s”."), {"code": unit_code})
            )
    elif role != Role.ADMIN:
        raise UserError(
            Message(N_("Vai trò “%(role)s” cần một đơn vị."), {"role": role})
        )
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise UserError(
            Message(N_("Đã có người dùng “%(username)s”."), {"username": username})
        )
    user = User(
        username=username, password_hash=hash_password(password), role=role, unit=unit
    )
    session.add(user)
    session.flush()
    record_event(
        session,
        AuditAction.USER_CREATED,
        actor.id if actor is not None else None,
        object_type="user",
        object_id=str(user.id),
        detail={"username": username, "role": role, "unit": unit_code},
    )
    return user


def normalise_username(username: str) -> str:
    """Return the form usernames are stored in, so "Admin " finds ``admin``."""
    return username.strip().lower()


def log_in(session: Session, username: str, password: str, device: str) -> User | None:
    """Return the active user these credentials belong to; audit the attempt.

    Unknown, deactivated and wrong-password attempts all verify one hash and all
    return None, so the answer and its timing tell them apart for nobody. A
    failure is audited under the user it names, if any, never with what was
    typed: people type their password into the name field.
    """
    name = normalise_username(username)
    user = session.scalar(select(User).where(User.username == name))
    # A deactivated user's hash is not even tried: its password may still be known.
    stored_hash = user.password_hash if user is not None and user.active else None
    # Verified first, even without a user: an unknown name costs the same time.
    if verify_password(stored_hash, password) and user is not None:
        record_event(session, AuditAction.LOGIN, user.id, detail={"device": device})
        return user
    record_event(
        session,
        AuditAction.LOGIN_FAILED,
        user.id if user else None,
        detail={"device": device},
    )
    return None


def session_token(user: User) -> str:
    """Return the login cookie's user id; it stops matching once the version moves."""
    return f"{user.id}:{user.session_version}"


def user_for_session(session: Session, token: str) -> User | None:
    """Return the active user whose current session token this is, or None."""
    match = SESSION_TOKEN.fullmatch(token)
    if match is None:
        return None
    user = session.get(User, int(match[1]))
    if user is None or not user.active or user.session_version != int(match[2]):
        return None
    return user


def log_out(session: Session, user: User) -> None:
    """End every session of ``user``: cookies issued before are refused from now on."""
    user.session_version += 1
    record_event(session, AuditAction.LOGOUT, user.id)
    session.flush()


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """Replace the password once the current one is proven; end every session.

    The caller starts a new session for the browser that asked, with the new token.
    """
    if not verify_password(user.password_hash, current):
        raise WrongPassword("the current password is wrong")
    set_password(session, user, new, AuditAction.PASSWORD_CHANGED, user.id)


def set_password(
    session: Session, user: User, password: str, action: AuditAction, actor_id: int
) -> None:
    """Give ``user`` a strong enough new password and end every session it had."""
    check_password_strength(password)
    user.password_hash = hash_password(password)
    end_sessions(session, user, action, actor_id)


def end_sessions(
    session: Session, user: User, action: AuditAction, actor_id: int
) -> None:
    """Make every login cookie of ``user`` invalid, recording who did it and why."""
    user.session_version += 1
    record_event(session, action, actor_id, object_type="user", object_id=str(user.id))
    session.flush()


def check_password_strength(password: str) -> None:
    """Refuse a weak password with the reason, before anything is stored."""
    problem = password_problem(password)
    if problem:
        raise UserError(problem)
