"""Creating staff logins: roles, scopes, and clear refusals."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.access.passwords import verify_password
from surveys.access.users import (
    UserError,
    WrongPassword,
    change_password,
    create_user,
    log_in,
    log_out,
    session_token,
    user_for_session,
)
from surveys.models import AuditEvent
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
        ("ab", PASSWORD, "viewer", "p1", "Tên đăng nhập “ab”"),
        ("Bad Name", PASSWORD, "viewer", "p1", "Tên đăng nhập “Bad Name”"),
        ("viewer1", PASSWORD, "king", "p1", "Vai trò “king” không thuộc"),
        ("viewer1", "short", "viewer", "p1", "ít nhất 10 ký tự"),
        ("viewer1", PASSWORD, "viewer", "nowhere", "Không có đơn vị mã “nowhere”"),
        ("viewer1", PASSWORD, "viewer", None, "cần một đơn vị"),
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
    with pytest.raises(UserError, match="Đã có người dùng “root”"):
        create_user(db_session, "root", PASSWORD, "admin", None)


def events(session: Session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_log_in_returns_the_user_and_audits_it(db_session: Session) -> None:
    user = create_user(db_session, "root", PASSWORD, "admin", None)
    assert log_in(db_session, " Root ", PASSWORD, "device-1") is user
    (event,) = events(db_session, "login")
    assert (event.user_id, event.detail) == (user.id, {"device": "device-1"})


@pytest.mark.parametrize(
    ("typed", "known"), [("Root", True), ("my secret passphrase", False)]
)
def test_a_failed_log_in_audits_the_user_named_never_what_was_typed(
    db_session: Session, typed: str, known: bool
) -> None:
    """People type their password into the name field: only a known name is kept,
    as its user's id."""
    user = create_user(db_session, "root", PASSWORD, "admin", None)
    assert log_in(db_session, typed, "wrong password!", "device-1") is None
    (event,) = events(db_session, "login_failed")
    assert event.user_id == (user.id if known else None)
    assert event.detail == {"device": "device-1"}
    stored = repr((event.detail, event.object_type, event.object_id))
    assert typed.lower() not in stored
    assert "wrong password!" not in stored


def test_a_deactivated_user_cannot_log_in(db_session: Session) -> None:
    user = create_user(db_session, "root", PASSWORD, "admin", None)
    user.active = False
    assert log_in(db_session, "root", PASSWORD, "device-1") is None


def test_log_out_and_a_new_password_invalidate_the_session_token(
    db_session: Session,
) -> None:
    user = create_user(db_session, "root", PASSWORD, "admin", None)
    first = session_token(user)
    assert user_for_session(db_session, first) is user
    log_out(db_session, user)
    assert user_for_session(db_session, first) is None
    second = session_token(user)
    change_password(db_session, user, PASSWORD, "another good password")
    assert user_for_session(db_session, second) is None
    assert user_for_session(db_session, session_token(user)) is user
    assert verify_password(user.password_hash, "another good password")
    assert [e.action for e in db_session.scalars(select(AuditEvent))] == [
        "user_created",
        "logout",
        "password_changed",
    ]


@pytest.mark.parametrize("token", ["", "1", "1:", ":0", "x:0", "1:0:0", "١:0"])
def test_malformed_session_tokens_find_nobody(db_session: Session, token: str) -> None:
    assert user_for_session(db_session, token) is None


def test_a_deactivated_users_session_ends(db_session: Session) -> None:
    user = create_user(db_session, "root", PASSWORD, "admin", None)
    user.active = False
    assert user_for_session(db_session, session_token(user)) is None


def test_changing_the_password_needs_the_current_one_and_a_strong_new_one(
    db_session: Session,
) -> None:
    user = create_user(db_session, "root", PASSWORD, "admin", None)
    with pytest.raises(WrongPassword):
        change_password(db_session, user, "not the password", "another good password")
    with pytest.raises(UserError, match="ít nhất 10 ký tự"):
        change_password(db_session, user, PASSWORD, "short")
    assert verify_password(user.password_hash, PASSWORD)
    assert user.session_version == 0
