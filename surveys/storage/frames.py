"""The one bridge from stored responses to the DataFrames that ``analysis`` takes.

Per-unit summaries read the item tallies (a few rows per unit and item, however
many responses there are); design-based estimates, which need each respondent,
read the responses themselves, one row each.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys.models import Answer, ItemTally, Response
from surveys.questionnaire import Questionnaire
from surveys.storage.periods import responses_in, tally_span
from surveys.storage.tallies import caught_up, counted_from_answers

#: Tally columns a caller may group by, and the column each one reads.
TALLY_GROUPS = {
    "unit": ItemTally.unit_id,
    "service_point": ItemTally.service_point_id,
    "official": ItemTally.official_id,
    "period": ItemTally.period,
    "verified": ItemTally.verified,
}


#: The numeric columns of a tally frame and their types.
TALLY_TYPES = {"n": "int64", "total": "float64", "total_sq": "float64",
               "satisfied": "int64"}  # fmt: skip


def tally_frame(
    session: Session,
    campaign_id: int,
    by: Sequence[str] = ("unit",),
    *,
    verified_only: bool = False,
    periods: Sequence[str] | None = None,
    unit_ids: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Return the campaign's tallies added up by ``by``, item and kind.

    The frame is what ``analysis.summary_from_tallies`` takes: the ``by``
    columns, ``item``, ``kind``, ``n``, ``total``, ``total_sq``, ``satisfied``.
    """
    unknown = set(by) - set(TALLY_GROUPS)
    if unknown:
        raise ValueError(f"cannot group tallies by {sorted(unknown)}")
    caught_up(session)
    groups = [TALLY_GROUPS[name].label(name) for name in by]
    query = (
        select(
            *groups,
            ItemTally.item,
            ItemTally.kind,
            func.sum(ItemTally.n).label("n"),
            func.sum(ItemTally.total).label("total"),
            func.sum(ItemTally.total_sq).label("total_sq"),
            func.sum(ItemTally.satisfied).label("satisfied"),
        )
        .where(ItemTally.campaign_id == campaign_id)
        .group_by(*(TALLY_GROUPS[name] for name in by), ItemTally.item, ItemTally.kind)
    )
    if verified_only:
        query = query.where(ItemTally.verified.is_(True))
    if periods is not None:
        query = query.where(ItemTally.period.in_(list(periods)))
    if unit_ids is not None:
        query = query.where(ItemTally.unit_id.in_(list(unit_ids)))
    rows = session.execute(query).all()
    columns = [*by, "item", "kind", "n", "total", "total_sq", "satisfied"]
    # Typed even when empty: a unit without responses is summarised as nothing,
    # not refused as text.
    return pd.DataFrame(rows, columns=columns).astype(TALLY_TYPES)


#: The column of a tally row (``counted_from_answers``) each group reads.
ROW_COLUMNS = {"unit": "unit_id", "service_point": "service_point_id",
               "official": "official_id", "period": "period",
               "verified": "verified"}  # fmt: skip


def period_tally_frame(
    session: Session,
    campaign_id: int,
    by: Sequence[str],
    period: str | None,
    *,
    unit_ids: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Return ``tally_frame`` for a report period: a year, a quarter or a range of days.

    Whole quarters are read from the tallies; the days of a range outside
    whole quarters are counted from their responses' answers
    (``counted_from_answers``, the catch-up's own scoring), and added.
    """
    quarters, rest = tally_span(period)
    frame = tally_frame(session, campaign_id, by, periods=quarters, unit_ids=unit_ids)
    if not rest:
        return frame
    columns = [*by, "item", "kind", *TALLY_TYPES]
    rows = [
        [row[ROW_COLUMNS[name]] for name in by]
        + [row[name] for name in ("item", "kind", *TALLY_TYPES)]
        for between in rest
        for row in counted_from_answers(
            session, responses_in(campaign_id, unit_ids, between)
        )
    ]
    counted = pd.DataFrame(rows, columns=columns).astype(TALLY_TYPES)
    return (
        pd.concat([frame, counted], ignore_index=True)
        .groupby([*by, "item", "kind"], as_index=False, dropna=False)[list(TALLY_TYPES)]
        .sum()
        .astype(TALLY_TYPES)
    )


def response_frame(
    session: Session,
    campaign_id: int,
    items: Sequence[str],
    *,
    unit_ids: Sequence[int] | None = None,
    between: tuple[datetime, datetime] | None = None,
) -> pd.DataFrame:
    """Return one row per response: where it came from, its design and ``items``.

    For design-based estimates (weights, strata, clusters) and anything else
    that needs each respondent; excluded responses are left out. ``unit_ids``
    and ``between`` (UTC, end excluded) keep only some units' responses and
    those submitted in a period.
    """
    kept = responses_in(campaign_id, unit_ids, between)
    meta = session.execute(
        select(
            Response.id.label("respondent"),
            Response.unit_id.label("unit"),
            Response.service_point_id.label("service_point"),
            Response.official_id.label("official"),
            Response.submitted_at,
            Response.verified,
            Response.stratum,
            Response.cluster,
            Response.weight,
        )
        .where(kept)
        .order_by(Response.id)
    ).all()
    frame = pd.DataFrame(
        meta,
        columns=[
            "respondent", "unit", "service_point", "official", "submitted_at",
            "verified", "stratum", "cluster", "weight",
        ],
    )  # fmt: skip
    answers = pd.DataFrame(
        session.execute(
            select(Answer.response_id, Answer.question, Answer.value_num)
            .join(Response, Response.id == Answer.response_id)
            .where(kept, Answer.question.in_(list(items)))
        ).all(),
        columns=["respondent", "item", "value"],
    )
    wide = answers.pivot(index="respondent", columns="item", values="value")
    wide = wide.reindex(columns=list(items)).astype("float64")
    return frame.join(wide, on="respondent")


def analysis_scoring(questionnaire: Questionnaire) -> dict[str, Any]:
    """Translate the definition's scoring into the mapping ``analysis`` takes."""
    scoring = questionnaire.scoring
    if scoring is None:
        raise ValueError(f"questionnaire {questionnaire.key!r} has no scoring")
    return {
        "items": {item: d.name for d in scoring.dimensions for item in d.items},
        "reverse": [item for d in scoring.dimensions for item in d.reverse],
        "scale": list(scoring.item_scale),
        "weights": {d.name: d.weight for d in scoring.dimensions},
    }
