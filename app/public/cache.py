"""A small per-process cache whose entries expire, for what every survey view reads."""

from __future__ import annotations

import time
from collections.abc import Hashable

#: More entries than this and the cache starts again empty (a crude, cheap bound).
MAX_ENTRIES = 4096


class ExpiringCache:
    """Keep each value ``seconds`` after it was stored; 0 keeps nothing."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._entries: dict[Hashable, tuple[float, object]] = {}

    def get(self, key: Hashable) -> object | None:
        """Return the value stored under ``key`` if it has not expired, else None."""
        found = self._entries.get(key)
        if found is None or found[0] <= time.monotonic():
            return None
        return found[1]

    def put(self, key: Hashable, value: object) -> None:
        if self.seconds <= 0:
            return
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[key] = (time.monotonic() + self.seconds, value)

    def drop(self, key: Hashable) -> None:
        """Forget ``key`` (what it held was found out of date)."""
        self._entries.pop(key, None)
