"""The one bridge from stored responses to the DataFrames that ``analysis`` takes.

Per-unit summaries read the item tallies (a few rows per unit and item, however
many responses there are); design-based estimates, which need each respondent,
read the responses themselves, one row each.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from surveys.models import Answer, ItemDayTally, ItemTally, Response
from surveys.questionnaire import Questionnaire
from surveys.storage.periods import responses_in, tally_span
from surveys.storage.tallies import caught_up

#: Tally columns a caller may group by, and the column each one reads (the
#: day tallies have no quarter).
TALLY_GROUPS = {
    "unit": "unit_id",
    "service_point": "service_point_id",
    "official": "official_id",
    "period": "period",
    "verified": "verified",
    "channel": "channel",
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
    channel: str | None = None,
) -> pd.DataFrame:
    """Return the campaign's tallies added up by ``by``, item and kind.

    The frame is what ``analysis.summary_from_tallies`` takes: the ``by``
    columns, ``item``, ``kind``, ``n``, ``total``, ``total_sq``, ``satisfied``.
    ``channel`` keeps the responses of one channel only (None: all).
    """
    conditions = []
    if verified_only:
        conditions.append(ItemTally.verified.is_(True))
    if periods is not None:
        conditions.append(ItemTally.period.in_(list(periods)))
    return _summed(session, ItemTally, campaign_id, by, unit_ids, channel, conditions)


def day_tally_frame(
    session: Session,
    campaign_id: int,
    by: Sequence[str],
    days: tuple[date, date],
    *,
    unit_ids: Sequence[int] | None = None,
    channel: str | None = None,
) -> pd.DataFrame:
    """Return ``tally_frame`` for the days ``first`` to ``last`` (both included),
    read from the day tallies (items and dimensions; no ``period`` group)."""
    first, last = days
    conditions = [
        ItemDayTally.day >= first,
        ItemDayTally.day <= last,
        ItemDayTally.kind != "category",
    ]
    return _summed(
        session, ItemDayTally, campaign_id, by, unit_ids, channel, conditions
    )


def _summed(
    session: Session,
    table: type[ItemTally] | type[ItemDayTally],
    campaign_id: int,
    by: Sequence[str],
    unit_ids: Sequence[int] | None,
    channel: str | None,
    conditions: Sequence[ColumnElement[bool]],
) -> pd.DataFrame:
    """Add up a tally table's rows by ``by``, item and kind, in the database."""
    unknown = {name for name in by if not hasattr(table, TALLY_GROUPS.get(name, "-"))}
    if unknown:
        raise ValueError(f"cannot group {table.__tablename__} by {sorted(unknown)}")
    caught_up(session)
    groups = [getattr(table, TALLY_GROUPS[name]) for name in by]
    query = (
        select(
            *(group.label(name) for group, name in zip(groups, by, strict=True)),
            table.item,
            table.kind,
            func.sum(table.n).label("n"),
            func.sum(table.total).label("total"),
            func.sum(table.total_sq).label("total_sq"),
            func.sum(table.satisfied).label("satisfied"),
        )
        .where(table.campaign_id == campaign_id, *conditions)
        .group_by(*groups, table.item, table.kind)
    )
    if unit_ids is not None:
        query = query.where(table.unit_id.in_(list(unit_ids)))
    if channel is not None:
        query = query.where(table.channel == channel)
    rows = session.execute(query).all()
    columns = [*by, "item", "kind", "n", "total", "total_sq", "satisfied"]
    # Typed even when empty: a unit without responses is summarised as nothing,
    # not refused as text.
    return pd.DataFrame(rows, columns=columns).astype(TALLY_TYPES)


def period_tally_frame(
    session: Session,
    campaign_id: int,
    by: Sequence[str],
    period: str | None,
    *,
    unit_ids: Sequence[int] | None = None,
    channel: str | None = None,
) -> pd.DataFrame:
    """Return ``tally_frame`` for a report period: a year, a quarter or a range of days.

    Whole quarters are read from the quarters' tallies; the days of a range
    outside whole quarters from the day tallies, and added.
    """
    quarters, rest = tally_span(period)
    kept = {"unit_ids": unit_ids, "channel": channel}
    frame = tally_frame(session, campaign_id, by, periods=quarters, **kept)
    if not rest:
        return frame
    parts = [frame] if quarters else []
    parts += [day_tally_frame(session, campaign_id, by, days, **kept) for days in rest]
    return (
        pd.concat(parts, ignore_index=True)
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
    channel: str | None = None,
) -> pd.DataFrame:
    """Return one row per response: where it came from, its design and ``items``.

    For design-based estimates (weights, strata, clusters) and anything else
    that needs each respondent; excluded responses are left out. ``unit_ids``,
    ``between`` (UTC, end excluded) and ``channel`` keep only some units'
    responses, those submitted in a period and those of one channel.
    """
    kept = responses_in(campaign_id, unit_ids, between, channel=channel)
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
