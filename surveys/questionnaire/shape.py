"""Refuse a definition too big or too deep to check, before the checks walk it.

YAML aliases let a few lines stand for a structure of billions of values, or
one that contains itself (``&s [*s]``); lists or groups nested hundreds deep
would exhaust Python's recursion. Each is told as one problem, in time bounded by
``MAX_VALUES``, however the definition was written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Values (mappings, lists and scalars) in one definition once aliases are
#: expanded; the largest the limits of a workbook allow has about a million.
MAX_VALUES = 2_000_000
#: Mappings and lists inside each other: a group holds its questions two deep.
MAX_DEPTH = 100


def shape_problem(data: Any) -> str | None:
    """Say why a definition's dict form cannot be checked, or None if it can.

    A structure that contains itself nests without end, so the depth limit
    catches it too.
    """
    count = 0
    pending: list[tuple[Any, int]] = [(data, 0)]
    while pending:
        value, depth = pending.pop()
        count += 1
        if count > MAX_VALUES:
            return (
                f"the definition expands to more than {MAX_VALUES:,} values "
                "(YAML aliases repeated inside each other?)"
            )
        if isinstance(value, Mapping):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth == MAX_DEPTH:
            return (
                f"the definition nests more than {MAX_DEPTH} levels deep "
                "(or contains itself, through a YAML alias inside its anchor)"
            )
        pending.extend((child, depth + 1) for child in children)
    return None
