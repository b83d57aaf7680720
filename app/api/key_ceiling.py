"""A key's own rate limit, shared by every API a key calls (Open311, ``/api/v1``).

One count per key, whichever API it calls: the ``rate_limit`` written on the key
is what its holder was promised, not a ration per interface.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask.config import Config
from limits import parse_many

from app.security import Caller, limiter
from surveys.models import IntegrationKey


@dataclass(frozen=True)
class KeyCeiling:
    """A key's ``rate_limit``, counted per key on Flask-Limiter's storage.

    Checked with ``app.security.over_ceiling``, like the per-address ceilings.
    """

    key: IntegrationKey

    def allows(self, caller: Caller, config: Config) -> bool:
        """Count one request of the key; tell whether it is within its limit."""
        scope = f"{config.get('RATELIMIT_KEY_PREFIX', '')}integration-key"
        return all(
            limiter.limiter.hit(item, scope, str(self.key.id))
            for item in parse_many(self.key.rate_limit)
        )
