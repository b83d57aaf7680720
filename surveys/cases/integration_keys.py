"""Keys that outside systems (Open311 clients, a city dashboard) call hailong with.

A key is a random secret shown once when it is made; only its SHA-256 is kept
(``surveys.access.secret_keys``, which enumerators' keys share). A key reaches
its unit and every unit below it, for reading, writing, or both; a revoked or
expired key reaches nothing. Making and revoking a key are audited, and so is
every change a key makes through ``/api/v1`` (``record_write``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from limits import parse_many
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload

from surveys.access.audit import AuditAction, record_event
from surveys.access.scope import Scope
from surveys.access.secret_keys import find_by_key, new_key
from surveys.models import IntegrationKey, Role, Unit, User, utcnow
from surveys.translatable import N_, Message
from surveys.units.tree import subtree_ids

#: A key's use is written down at most this often (a busy client would
#: otherwise update its row on every call).
LAST_USED_STEP = timedelta(minutes=5)
DEFAULT_RATE_LIMIT = "60/minute;2000/day"
#: The lives a key may be given, in days: a key always ends, so a secret
#: forgotten in an old script stops working by itself.
LIFETIMES = (30, 90, 365)
DEFAULT_LIFETIME = 90

NO_NAME = Message(N_("Hãy đặt tên cho khóa (hệ thống nào dùng nó)."))
NAME_TOO_LONG = Message(N_("Tên khóa dài quá 200 ký tự."))
NO_RIGHTS = Message(N_("Khóa phải được đọc, gửi phản ánh, hoặc cả hai."))
BAD_RATE_LIMIT = Message(
    N_("Giới hạn tần suất không đúng dạng, ví dụ: 60/minute;2000/day.")
)
BAD_LIFETIME = Message(N_("Thời hạn của khóa phải là 30, 90 hoặc 365 ngày."))


class KeyRefused(ValueError):
    """A key that cannot be made as asked; nothing has been stored."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


def valid_rate_limit(text: str) -> bool:
    """Tell whether ``text`` is a ``limits`` rate string (``"60/minute;2000/day"``)."""
    try:
        return bool(parse_many(text))
    except ValueError:
        return False


def create_key(
    session: Session,
    user: User | None,
    unit: Unit,
    name: str,
    *,
    can_read: bool,
    can_write: bool,
    rate_limit: str = DEFAULT_RATE_LIMIT,
    contact_consent: bool = False,
    lifetime_days: int = DEFAULT_LIFETIME,
    can_read_officials: bool = False,
) -> tuple[IntegrationKey, str]:
    """Make a key for ``unit`` and its subtree; return it and the secret (shown once).

    The key stops working ``lifetime_days`` (one of ``LIFETIMES``) from now.
    ``can_read_officials`` lets a reading key see officials and their ratings,
    which the staff pages show to managers only.
    The caller checks that ``unit`` lies in the user's scope, and commits.
    Raises ``KeyRefused`` when the name, the rights, the rate limit or the
    lifetime are wrong.
    """
    name = name.strip()
    if not name:
        raise KeyRefused(NO_NAME)
    if len(name) > 200:
        raise KeyRefused(NAME_TOO_LONG)
    if not (can_read or can_write):
        raise KeyRefused(NO_RIGHTS)
    rate_limit = rate_limit.strip()
    if len(rate_limit) > 100 or not valid_rate_limit(rate_limit):
        raise KeyRefused(BAD_RATE_LIMIT)
    if lifetime_days not in LIFETIMES:
        raise KeyRefused(BAD_LIFETIME)
    drawn = new_key()
    now = utcnow()
    key = IntegrationKey(
        name=name,
        unit_id=unit.id,
        key_hash=drawn.digest,
        prefix=drawn.prefix,
        can_read=can_read,
        can_write=can_write,
        can_read_officials=can_read_officials,
        rate_limit=rate_limit,
        contact_consent=contact_consent,
        created_by=user.id if user else None,
        created_at=now,
        expires_at=now + timedelta(days=lifetime_days),
    )
    session.add(key)
    session.flush()
    record_event(
        session,
        AuditAction.INTEGRATION_KEY_CREATED,
        user.id if user else None,
        object_type="integration_key",
        object_id=str(key.id),
        detail={
            "name": name,
            "prefix": key.prefix,
            "unit_id": unit.id,
            "can_read": can_read,
            "can_write": can_write,
            "can_read_officials": can_read_officials,
            "rate_limit": rate_limit,
            "contact_consent": contact_consent,
            "expires_at": key.expires_at.isoformat(),
        },
    )
    return key, drawn.secret


def verify_key(session: Session, presented: str | None) -> IntegrationKey | None:
    """Return the live key ``presented`` is, or None (unknown, revoked, expired)."""
    key = find_by_key(
        session,
        select(IntegrationKey).options(joinedload(IntegrationKey.unit)),
        IntegrationKey.key_hash,
        presented,
    )
    if key is None or key.revoked_at is not None or expired(key):
        return None
    return key


def expired(key: IntegrationKey) -> bool:
    """Tell whether ``key``'s life has ended (keys made before expiry never do)."""
    return key.expires_at is not None and key.expires_at <= utcnow()


def key_scope(key: IntegrationKey) -> Scope:
    """Return the staff pages' ``Scope`` that ``key`` reads through.

    A key sees what a viewer of its unit sees: its unit and the units below,
    never the whole tree, whoever made it.
    """
    return Scope(role=Role.VIEWER, unit_id=key.unit_id)


def record_write(
    session: Session, key: IntegrationKey, operation: str, target: str
) -> None:
    """Audit a change ``key`` made: which operation, on what. The caller commits.

    Writes through a key have no staff user behind them; the key's id and
    prefix name who did it.
    """
    record_event(
        session,
        AuditAction.INTEGRATION_KEY_WROTE,
        None,
        object_type="integration_key",
        object_id=str(key.id),
        detail={"prefix": key.prefix, "operation": operation, "target": target},
    )


def record_export(
    session: Session, key: IntegrationKey, operation: str, detail: Mapping[str, Any]
) -> None:
    """Audit responses read through ``key``, as a staff download is audited
    (``export``); the caller commits."""
    record_event(
        session,
        AuditAction.EXPORT,
        None,
        object_type="integration_key",
        object_id=str(key.id),
        detail={"prefix": key.prefix, "operation": operation, **detail},
    )


def use_worth_noting(key: IntegrationKey) -> bool:
    """Tell whether ``last_used_at`` is older than ``LAST_USED_STEP`` (or unset).

    A busy client would otherwise write its key's row on every call; a reading
    request that must note the use begins writing for it.
    """
    last = key.last_used_at
    return last is None or utcnow() - last >= LAST_USED_STEP


def note_use(key: IntegrationKey) -> None:
    """Write down that ``key`` was used now; the caller commits."""
    key.last_used_at = utcnow()


def revoke_key(session: Session, user: User | None, key: IntegrationKey) -> bool:
    """Revoke ``key`` for good; tell whether it was live. The caller commits."""
    if key.revoked_at is not None:
        return False
    key.revoked_at = utcnow()
    record_event(
        session,
        AuditAction.INTEGRATION_KEY_REVOKED,
        user.id if user else None,
        object_type="integration_key",
        object_id=str(key.id),
        detail={"name": key.name, "prefix": key.prefix, "unit_id": key.unit_id},
    )
    session.flush()
    return True


def keys_in_scope(session: Session, scope: Scope) -> list[IntegrationKey]:
    """Return the keys of units in ``scope``, live ones first, newest first."""
    statement = scope.filter(
        select(IntegrationKey).options(joinedload(IntegrationKey.unit)),
        IntegrationKey.unit_id,
    ).order_by(
        IntegrationKey.revoked_at.is_not(None),
        IntegrationKey.created_at.desc(),
        IntegrationKey.id.desc(),
    )
    return list(session.scalars(statement))


def reached_unit_ids(key: IntegrationKey) -> Select[tuple[int]]:
    """Return a query of the ids of the units ``key`` reaches: its unit and below."""
    return subtree_ids(key.unit_id)


def reaches(session: Session, key: IntegrationKey, unit_id: int) -> bool:
    """Tell whether ``unit_id`` is ``key``'s unit or lies below it."""
    return unit_id in set(session.scalars(reached_unit_ids(key)))
