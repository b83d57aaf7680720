"""What a report shows beside its estimates: how many responses, when, and comments."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pandas as pd
from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.orm import Session

from surveys.local_time import local_date
from surveys.models import (
    Answer,
    HiddenComment,
    ItemDayTally,
    RatedComment,
    Response,
    ResponseDay,
    ServicePoint,
)
from surveys.storage.periods import period_bounds
from surveys.storage.tallies import caught_up


def response_counts(
    session: Session,
    campaign_id: int,
    *,
    unit_ids: Sequence[int] | None = None,
    between: tuple[datetime, datetime] | None = None,
    channel: str | None = None,
) -> pd.DataFrame:
    """Count responses per unit, verified or not and excluded or not (of one
    ``channel``, when given).

    Reports show how many answers came through single-use codes (verified)
    and how many were set aside, beside every estimate. Read from the day
    counts (``ResponseDay``): ``between`` must begin and end at midnight in
    Vietnam, as every report period does.
    """
    caught_up(session)
    rows = session.execute(
        select(
            ResponseDay.unit_id,
            ResponseDay.verified,
            ResponseDay.excluded,
            func.sum(ResponseDay.n),
        )
        .where(_days_in(campaign_id, unit_ids, between, channel))
        .group_by(ResponseDay.unit_id, ResponseDay.verified, ResponseDay.excluded)
    ).all()
    return pd.DataFrame(rows, columns=["unit", "verified", "excluded", "n"]).astype(
        {"n": "int64"}
    )


def _days_in(
    campaign_id: int,
    unit_ids: Sequence[int] | None,
    between: tuple[datetime, datetime] | None,
    channel: str | None = None,
) -> ColumnElement[bool]:
    """Return the condition picking the day counts of some units, period and
    channel."""
    conditions = [ResponseDay.campaign_id == campaign_id]
    if channel is not None:
        conditions.append(ResponseDay.channel == channel)
    if unit_ids is not None:
        conditions.append(ResponseDay.unit_id.in_(list(unit_ids)))
    if between is not None:
        conditions += [
            ResponseDay.day >= local_date(between[0]),
            ResponseDay.day < local_date(between[1]),
        ]
    return and_(*conditions)


def monthly_counts(
    session: Session,
    campaign_id: int,
    period: str,
    *,
    unit_ids: Sequence[int] | None = None,
    channel: str | None = None,
) -> pd.DataFrame:
    """Count kept responses per month (Vietnam time) of a period, all and verified.

    A range of days counts only its days in its first and last months.

    Every month of the period has a row, so a quiet month shows as zero rather
    than vanishing from a trend. Read from the day counts (``ResponseDay``).
    """
    caught_up(session)
    start, end = period_bounds(period)  # type: ignore[misc]
    first, last = local_date(start), local_date(end - timedelta(microseconds=1))
    months = [
        (year, month)
        for year in range(first.year, last.year + 1)
        for month in range(1, 13)
        if (first.year, first.month) <= (year, month) <= (last.year, last.month)
    ]
    labels = [f"{year}-{month:02d}" for year, month in months]
    rows = [
        (day.strftime("%Y-%m"), verified, n)
        for day, verified, n in session.execute(
            select(ResponseDay.day, ResponseDay.verified, func.sum(ResponseDay.n))
            .where(
                _days_in(campaign_id, unit_ids, (start, end), channel),
                ResponseDay.excluded.is_(False),
            )
            .group_by(ResponseDay.day, ResponseDay.verified)
        )
    ]
    counts = pd.DataFrame(rows, columns=["month", "verified", "n"])
    verified = counts[counts["verified"].astype(bool)].groupby("month")["n"].sum()
    return (
        pd.DataFrame(
            {
                "month": labels,
                "responses": counts.groupby("month")["n"].sum().reindex(labels),
                "verified": verified.reindex(labels),
            }
        )
        .fillna(0)
        .astype({"responses": int, "verified": int})
        .reset_index(drop=True)
    )


def rating_counts(
    session: Session,
    campaign_id: int,
    item: str,
    unit_id: int,
    between: tuple[datetime, datetime] | None,
    channel: str | None = None,
) -> pd.DataFrame:
    """Count a unit's kept ratings of ``item`` by official and value (of one
    ``channel``, when given).

    What the officials' model needs (it only counts ratings by official and
    category), read from the day tallies' counts by value: a few rows per
    official and day, however many ratings there are. ``between`` must begin
    and end at midnight in Vietnam, as every report period does.
    """
    caught_up(session)
    conditions = [
        ItemDayTally.campaign_id == campaign_id,
        ItemDayTally.unit_id == unit_id,
        ItemDayTally.official_id.is_not(None),
        ItemDayTally.item == item,
        ItemDayTally.kind == "category",
    ]
    if channel is not None:
        conditions.append(ItemDayTally.channel == channel)
    if between is not None:
        conditions += [
            ItemDayTally.day >= local_date(between[0]),
            ItemDayTally.day < local_date(between[1]),
        ]
    n = func.sum(ItemDayTally.n)
    rows = session.execute(
        select(ItemDayTally.unit_id, ItemDayTally.official_id, ItemDayTally.value, n)
        .where(*conditions)
        .group_by(ItemDayTally.unit_id, ItemDayTally.official_id, ItemDayTally.value)
        .having(n > 0)
    ).all()
    return pd.DataFrame(rows, columns=["unit", "official", item, "n"]).astype(
        {item: "float64", "n": "int64"}
    )


def latest_submission(
    session: Session,
    campaign_id: int,
    *,
    unit_ids: Sequence[int] | None = None,
    between: tuple[datetime, datetime] | None = None,
    channel: str | None = None,
) -> datetime | None:
    """Return when the newest kept response came in: the moment a report is as of.

    Read from the day counts, which keep each day's latest time.
    """
    caught_up(session)
    latest = session.scalar(
        select(func.max(ResponseDay.latest)).where(
            _days_in(campaign_id, unit_ids, between, channel),
            ResponseDay.excluded.is_(False),
            ResponseDay.n > 0,
        )
    )
    return latest if latest is None or latest.tzinfo else latest.replace(tzinfo=UTC)


def low_rated_comments(
    session: Session,
    campaign_id: int,
    comments: Sequence[str],
    *,
    unit_ids: Sequence[int] | None = None,
    between: tuple[datetime, datetime] | None = None,
    at_most: float = 2,
    limit: int = 50,
    channel: str | None = None,
) -> pd.DataFrame:
    """Return the newest comments of respondents who gave some rating ``<= at_most``.

    For follow-up by the unit: only the comment, when, which counter and the
    lowest rating; nothing that could identify the respondent (no device
    hash, no phone number, no submission id). Comments a manager hid from
    reports are left out; ``channel`` keeps one channel's. Read through
    ``RatedComment``'s index, newest first: only commented responses are
    walked, their lowest rating beside them.
    """
    caught_up(session)
    hidden = exists().where(
        HiddenComment.response_id == RatedComment.response_id,
        HiddenComment.question == RatedComment.question,
    )
    conditions = [
        RatedComment.campaign_id == campaign_id,
        RatedComment.question.in_(list(comments)),
        RatedComment.lowest_rating <= at_most,
        Response.excluded.is_(False),
        ~hidden,
    ]
    if unit_ids is not None:
        conditions.append(RatedComment.unit_id.in_(list(unit_ids)))
    if channel is not None:
        conditions.append(RatedComment.channel == channel)
    if between is not None:
        conditions += [
            RatedComment.submitted_at >= between[0],
            RatedComment.submitted_at < between[1],
        ]
    rows = session.execute(
        select(
            RatedComment.response_id,
            RatedComment.unit_id,
            ServicePoint.name,
            RatedComment.submitted_at,
            RatedComment.lowest_rating,
            RatedComment.question,
            Answer.value_text,
        )
        .join(Response, Response.id == RatedComment.response_id)
        .join(
            Answer,
            (Answer.response_id == RatedComment.response_id)
            & (Answer.question == RatedComment.question)
            & (Answer.position == 0),
        )
        .outerjoin(ServicePoint, ServicePoint.id == Response.service_point_id)
        .where(*conditions)
        .order_by(RatedComment.submitted_at.desc(), RatedComment.response_id.desc())
        .limit(limit)
    ).all()
    columns = [
        "respondent", "unit", "service_point", "submitted_at", "rating",
        "question", "text",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)
