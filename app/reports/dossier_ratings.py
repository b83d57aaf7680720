"""Satisfaction with dossiers returned in time and late, as reports and pages show it.

One table for the unit's page, the PDF and the workbook: a row per unit and
``Returned`` value, then, for several units, all of them together. Labels are
put on by ``app.reports.layout.dossier_rating_rows`` in the reader's language.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from sqlalchemy.orm import Session

from surveys.dossiers.satisfaction import satisfaction_by_timeliness
from surveys.text import vietnamese_sort_key


def dossier_ratings_table(
    session: Session, names: Mapping[int, str], months: tuple[str, str] | None
) -> pd.DataFrame:
    """Return the split for the units named (id -> name), by name, then together.

    ``months`` bounds the months of return (None: every month). The rows of
    the units together have no ``unit`` and no ``unit_name``; there are none
    for a single unit. Empty when no dossier of theirs was rated.
    """
    split = satisfaction_by_timeliness(session, list(names), months)
    by_unit = split.by_unit.assign(unit_name=split.by_unit["unit"].map(names))
    by_unit = by_unit.sort_values(
        "unit_name", key=lambda column: column.map(vietnamese_sort_key), kind="stable"
    )
    if len(names) == 1 or by_unit.empty:
        return by_unit.reset_index(drop=True)
    together = split.all_units.assign(unit_name=None)
    return pd.concat([by_unit, together], ignore_index=True)
