"""Password hashing with argon2id at the parameters RFC 9106 recommends."""

from __future__ import annotations

import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from surveys.translatable import N_, Message, Nn_

#: argon2-cffi's default profile: RFC 9106's "low memory" choice (64 MiB, t=3, p=4).
_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    """Return an argon2id hash of ``password`` in PHC string form."""
    return _hasher.hash(password)


@cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def verify_password(password_hash: str | None, password: str) -> bool:
    """Tell whether ``password`` matches ``password_hash``.

    Without a hash (an unknown user) a dummy hash is verified instead, so that the
    answer takes as long and nobody can tell usernames apart by timing a login.
    """
    if password_hash is None:
        verify_password(_dummy_hash(), password)
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> Message | None:
    """Return why ``password`` is too weak to accept, or None when it is fine."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return Message.counting(
            Nn_(
                "Mật khẩu phải có ít nhất %(num)s ký tự.",
                "Mật khẩu phải có ít nhất %(num)s ký tự.",
            ),
            MIN_PASSWORD_LENGTH,
        )
    if password.strip() != password:
        return Message(N_("Mật khẩu không được bắt đầu hoặc kết thúc bằng dấu cách."))
    return None
