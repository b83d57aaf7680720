"""Keyset pages: a list cut after the last row a client saw, never by offset.

An offset skips or repeats rows when one is added or removed between two
requests, and makes the database count every skipped row; a keyset reads on
from the last row's sort values, through the index that orders them. The
cursor carries those values as opaque text (URL-safe base64 of JSON); it is
not a secret, and a cursor made up by hand only moves where the list starts
within what the caller may see.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, select, tuple_
from sqlalchemy.orm import Session

from surveys.access.scope import Scope

T = TypeVar("T")

#: The largest page a client may ask for, and the page it gets by default.
MAX_LIMIT = 200
DEFAULT_LIMIT = 50


class BadCursor(ValueError):
    """A cursor that this module did not make (or made for another list)."""


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, and the cursor of the next (None on the last page)."""

    items: list[T]
    next_cursor: str | None


def encode_cursor(values: Sequence[Any]) -> str:
    """Return the cursor that resumes after a row with these sort values."""
    text = json.dumps(list(values), separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, kinds: Sequence[type]) -> list[Any]:
    """Return the sort values a cursor holds, one of each type in ``kinds``.

    Raises ``BadCursor`` for anything ``encode_cursor`` did not make for a
    list sorted on keys of these types (wrong alphabet, not JSON, another
    width, a text where a number belongs): the database must never be asked
    to compare a number column with a text.
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (UnicodeEncodeError, binascii.Error, ValueError) as error:
        raise BadCursor(f"unreadable cursor {cursor!r}") from error
    if not (
        isinstance(values, list)
        and len(values) == len(kinds)
        and all(
            type(value) is kind and _storable(value)
            for value, kind in zip(values, kinds, strict=True)
        )
    ):
        raise BadCursor(f"cursor {cursor!r} is not one of this list")
    return values


def _storable(value: int | str) -> bool:
    """Tell whether both databases can compare a column with ``value``."""
    if isinstance(value, str):
        return "\x00" not in value
    return -(2**63) <= value < 2**63


def by_id(row: Any) -> list[Any]:
    """Return the key of a row paged by its id alone."""
    return [row.id]


def page_of(
    session: Session,
    statement: Select[tuple[T]],
    keys: Sequence[ColumnElement[Any]],
    cursor: str | None,
    limit: int,
    value_of: Any,
) -> Page[T]:
    """Return the rows of ``statement`` after ``cursor``, at most ``limit`` of them.

    ``keys`` order the list and must name a row uniquely (end them with an
    id); ``value_of(row)`` returns a row's values of those keys, for the next
    cursor. Raises ``BadCursor`` for a cursor that is not one of this list's.
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit {limit} is not between 1 and {MAX_LIMIT}")
    if cursor is not None:
        after = decode_cursor(cursor, [key.type.python_type for key in keys])
        statement = statement.where(tuple_(*keys) > tuple_(*after))
    rows = list(session.scalars(statement.order_by(*keys).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    following = encode_cursor(value_of(rows[-1])) if more else None
    return Page(rows, following)


def scoped_page(
    session: Session,
    scope: Scope,
    model: Any,
    conditions: Sequence[Any],
    shown: Sequence[Any],
    cursor: str | None,
    limit: int,
) -> Page[Any]:
    """Return a page by id of the rows of ``model`` (a model with a
    ``unit_id``) in units of ``scope`` that ``conditions`` keep, loaded with
    the options ``shown``."""
    statement = scope.filter(
        select(model).where(*conditions).options(*shown), model.unit_id
    )
    return page_of(session, statement, [model.id], cursor, limit, by_id)
