"""Ranges of days (Vietnam time) as conditions on an instant column.

A client filters on days, as the staff pages do; the rows keep aware instants.
Both ends are included; each is one comparison with an indexed column.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement

from surveys.dossiers.timing import local_instant


def within_days(
    column: Any, first: date | None, last: date | None
) -> list[ColumnElement[bool]]:
    """Return the conditions that ``column`` falls from ``first`` to ``last``."""
    conditions = []
    if first is not None:
        conditions.append(column >= local_instant(first, 0))
    if last is not None:
        conditions.append(column < local_instant(last + timedelta(days=1), 0))
    return conditions
