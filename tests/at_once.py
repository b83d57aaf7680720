"""Calls released at one moment in threads of their own: the races the database
must settle (one code used twice, one draft saved twice, one form keyed twice)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def run_at_once(work: Callable[[T], object], arguments: Sequence[T]) -> None:
    """Call ``work`` once with each of ``arguments``, each call in a thread of
    its own, all let go together by a barrier; return when every call ended.

    ``work`` keeps its own outcomes: what a thread raises is not seen here.
    """
    start = threading.Barrier(len(arguments))

    def released(argument: T) -> None:
        start.wait()
        work(argument)

    threads = [threading.Thread(target=released, args=(a,)) for a in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
