"""Creating staff logins: roles, scopes, and clear refusals."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from surveys.passwords import verify_password
from surveys.users import UserError, create_user
from tests.builders import make_unit

PASSWORD = "correct horse battery"


def test_creates_a_scoped_user_with_a_hashed_password(db_session: Session) -> None:
    unit = make_unit(db_session, code="p-da-kao")
    user = create_user(db_session, "dakao", PASSWORD, "unit_manager", "p-da-kao")
    assert user.unit_id == unit.id
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert verify_password(user.password_hash, PASSWORD)
    assert not verify_password(user.password_hash, PASSWORD + "!")


def test_admin_needs_no_unit(db_session: Session) -> None:
    assert create_user(db_session, "root", PASSWORD, "admin", None).unit is None


@pytest.mark.parametrize(
    ("username", "password", "role", "unit", "message"),
    [
        ("ab", PASSWORD, "viewer", "p1", "username 'ab'"),
        ("Bad Name", PASSWORD, "viewer", "p1", "username 'Bad Name'"),
        ("viewer1", PASSWORD, "king", "p1", "role 'king' is not one of"),
        ("viewer1", "short", "viewer", "p1", "at least 10 characters"),
        ("viewer1", PASSWORD, "viewer", "nowhere", "no unit has the code 'nowhere'"),
        ("viewer1", PASSWORD, "viewer", None, "needs a unit"),
    ],
)
def test_bad_input_is_refused_with_a_message_naming_it(
    db_session: Session,
    username: str,
    password: str,
    role: str,
    unit: str | None,
    message: str,
) -> None:
    make_unit(db_session, code="p1")
    with pytest.raises(UserError, match=message):
        create_user(db_session, username, password, role, unit)


def test_usernames_are_unique(db_session: Session) -> None:
    create_user(db_session, "root", PASSWORD, "admin", None)
    with pytest.raises(UserError, match="exists already"):
        create_user(db_session, "root", PASSWORD, "admin", None)
