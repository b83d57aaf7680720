"""Slowing password guessing down without locking anybody out.

Failed logins and password changes are counted per pair of account and client:
the account as typed (known or not, so the answer tells nothing) and the client
as a pseudonym of its network address, which a new User-Agent does not change.
After ``Backoff.free`` failures a pair waits 2, 4, 8… seconds, up to
``Backoff.longest``, before its next attempt is even checked. The real user, at
another address, has a pair of their own and is never held up by someone else's
guesses; a success clears the pair, and an admin can clear every pair of an
account. Both keys are keyed hashes made by the caller (``surveys.access.privacy``):
nothing typed and no address is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from surveys.access.audit import AuditAction, record_event
from surveys.db import dialect_insert
from surveys.models import LoginThrottle, User

#: A pair's failures are forgotten this long after its last one.
REMEMBERED = timedelta(days=1)
#: 2**40 seconds is past any sensible ``longest``; the exponent stops there.
_MOST_DOUBLINGS = 40


@dataclass(frozen=True)
class Backoff:
    """How many failures a pair has for free, and the longest delay after them."""

    free: int
    longest: timedelta

    def delay(self, failures: int) -> timedelta:
        """Return how long a pair waits after its ``failures``-th failure."""
        if failures < self.free:
            return timedelta(0)
        doublings = min(failures - self.free + 1, _MOST_DOUBLINGS)
        return min(timedelta(seconds=2**doublings), self.longest)


def wait_before_retry(
    session: Session, account: str, client: str, now: datetime, backoff: Backoff
) -> timedelta:
    """Return how long the pair must still wait before an attempt (zero: none).

    The pair's row (made empty if it has none) stays locked until the caller's
    transaction ends: guesses of one pair sent together are then checked one
    after the other, each seeing the failure the one before recorded. Without
    it, on PostgreSQL, a hundred guesses sent at once would all find no delay.
    (SQLite lets one writer in at a time anyway.)
    """
    session.execute(
        dialect_insert(session.get_bind().dialect.name, LoginThrottle.__table__)
        .values(account=account, client=client, failures=0, last_failed_at=now)
        .on_conflict_do_nothing()
    )
    row = session.execute(
        select(LoginThrottle.failures, LoginThrottle.last_failed_at)
        .where(LoginThrottle.account == account, LoginThrottle.client == client)
        .with_for_update()
    ).one()
    if row.failures == 0 or row.last_failed_at <= now - REMEMBERED:
        return timedelta(0)
    return max(row.last_failed_at + backoff.delay(row.failures) - now, timedelta(0))


def record_failure(session: Session, account: str, client: str, now: datetime) -> None:
    """Count one more failure of the pair; forget every pair idle for a day.

    One upsert: two guesses arriving together must both count, and must not both
    try to create the row (PostgreSQL would refuse the second).
    """
    session.execute(
        delete(LoginThrottle).where(LoginThrottle.last_failed_at <= now - REMEMBERED)
    )
    statement = dialect_insert(
        session.get_bind().dialect.name, LoginThrottle.__table__
    ).values(account=account, client=client, failures=1, last_failed_at=now)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["account", "client"],
            set_={"failures": LoginThrottle.failures + 1, "last_failed_at": now},
        )
    )


def forget_pair(session: Session, account: str, client: str) -> None:
    """Clear the pair's failures: its client has just proved the password."""
    session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.account == account, LoginThrottle.client == client
        )
    )


def unlock_logins(
    session: Session, user: User, account: str, actor_id: int | None
) -> int:
    """Clear every pair of ``user``'s account, from any client; audit it.

    ``actor_id`` is None when done from the command line (the only admin may be
    the one held up). Return how many clients were waiting.
    """
    of_account = LoginThrottle.account == account
    cleared = session.scalar(
        select(func.count()).where(of_account, LoginThrottle.failures > 0)
    )
    session.execute(delete(LoginThrottle).where(of_account))
    record_event(
        session,
        AuditAction.LOGINS_UNLOCKED,
        actor_id,
        object_type="user",
        object_id=str(user.id),
        detail={"clients": cleared or 0},
    )
    return cleared or 0
