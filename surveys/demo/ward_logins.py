"""Demo logins of ward staff besides those of ``DEMO_USERS``: case officers, clerks.

Each is a unit manager of its ward, the role that may act on the ward's feedback
cases and key in its paper forms, with the demo's password. An argon2 hash takes a
third of a second and the demo is seeded on every start and in many tests, so the
password is hashed once per seed, when a login first needs it, and the hash is
shared by the logins the seed creates.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.access.passwords import hash_password
from surveys.models import Role, Unit, User


class DemoPassword:
    """The password of one seed's logins, and its hash once a login needs it."""

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def hashed(self) -> str:
        """Return the password's argon2id hash, made on first use."""
        return hash_password(self.text)


def ensure_ward_managers(
    session: Session, password: DemoPassword, wanted: Mapping[str, Unit]
) -> tuple[dict[str, User], list[str]]:
    """Return the logins ``wanted`` (username → ward) by username, creating the
    missing ones with ``password``, and the usernames created; flush."""
    found = {
        user.username: user
        for user in session.scalars(select(User).where(User.username.in_(wanted)))
    }
    created = [username for username in wanted if username not in found]
    for username in created:
        found[username] = User(
            username=username,
            password_hash=password.hashed,
            role=Role.UNIT_MANAGER.value,
            unit=wanted[username],
        )
        session.add(found[username])
    session.flush()
    return found, created
