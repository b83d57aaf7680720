"""Staff accounts: creating them with a role and the unit that scopes them."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.models import Role, Unit, User
from surveys.passwords import hash_password, password_problem

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")


class UserError(ValueError):
    """A user cannot be created as asked; the message says why."""


def create_user(
    session: Session, username: str, password: str, role: str, unit_code: str | None
) -> User:
    """Create a staff login; every role but ``admin`` must be scoped to a unit."""
    if not USERNAME_PATTERN.match(username):
        raise UserError(
            f"username {username!r} must be 3-64 characters: lower-case letters,"
            " digits, '.', '_' or '-', starting with a letter or digit"
        )
    if role not in {r.value for r in Role}:
        choices = ", ".join(r.value for r in Role)
        raise UserError(f"role {role!r} is not one of: {choices}")
    problem = password_problem(password)
    if problem:
        raise UserError(problem)
    unit = None
    if unit_code is not None:
        unit = session.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None:
            raise UserError(f"no unit has the code {unit_code!r}")
    elif role != Role.ADMIN:
        raise UserError(f"role {role!r} needs a unit (--unit UNIT_CODE)")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise UserError(f"a user named {username!r} exists already")
    user = User(
        username=username, password_hash=hash_password(password), role=role, unit=unit
    )
    session.add(user)
    session.flush()
    return user
