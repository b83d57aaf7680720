"""What a report shows beside its estimates: how many responses, when, and comments."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from surveys.local_time import LOCAL_OFFSET
from surveys.models import Answer, Response, ServicePoint
from surveys.storage.periods import parse_period, responses_in


def response_counts(
    session: Session,
    campaign_id: int,
    *,
    unit_ids: Sequence[int] | None = None,
    between: tuple[datetime, datetime] | None = None,
) -> pd.DataFrame:
    """Count responses per unit, verified or not and excluded or not.

    Reports show how many answers came through single-use codes (verified)
    and how many were set aside, beside every estimate.
    """
    rows = session.execute(
        select(Response.unit_id, Response.verified, Response.excluded, func.count())
        .where(responses_in(campaign_id, unit_ids, between, with_excluded=True))
        .group_by(Response.unit_id, Response.verified, Response.excluded)
    ).all()
    return pd.DataFrame(rows, columns=["unit", "verified", "excluded", "n"])


def monthly_counts(
    session: Session,
    campaign_id: int,
    period: str,
    *,
    unit_ids: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Count kept responses per month (Vietnam time) of a period, all and verified.

    Every month of the period has a row, so a quiet month shows as zero rather
    than vanishing from a trend. One query whatever the database: each month is
    a ``CASE`` bucket of UTC bounds, not a date function of one dialect.
    """
    year, quarter = parse_period(period)
    months = range(3 * quarter - 2, 3 * quarter + 1) if quarter else range(1, 13)
    labels = [f"{year}-{month:02d}" for month in months]
    edges = [
        datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC) - LOCAL_OFFSET
        for month in [months[0] - 1, *months]
    ]
    bucket = case(
        *(
            (Response.submitted_at < end, label)
            for label, end in zip(labels, edges[1:], strict=True)
        )
    ).label("month")
    rows = session.execute(
        select(bucket, Response.verified, func.count())
        .where(responses_in(campaign_id, unit_ids, (edges[0], edges[-1])))
        .group_by(bucket, Response.verified)
    ).all()
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
) -> pd.DataFrame:
    """Count a unit's kept ratings of ``item`` by official and value, in the database.

    What the officials' model needs (it only counts ratings by official and
    category): a few rows per official, however many ratings there are.
    """
    rows = session.execute(
        select(Response.unit_id, Response.official_id, Answer.value_num, func.count())
        .join(Answer, Answer.response_id == Response.id)
        .where(
            responses_in(campaign_id, [unit_id], between),
            Response.official_id.is_not(None),
            Answer.question == item,
            Answer.position == 0,
            Answer.value_num.is_not(None),
        )
        .group_by(Response.unit_id, Response.official_id, Answer.value_num)
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
) -> datetime | None:
    """Return when the newest kept response came in: the moment a report is as of."""
    latest = session.scalar(
        select(func.max(Response.submitted_at)).where(
            responses_in(campaign_id, unit_ids, between)
        )
    )
    return latest if latest is None or latest.tzinfo else latest.replace(tzinfo=UTC)


def low_rated_comments(
    session: Session,
    campaign_id: int,
    comments: Sequence[str],
    ratings: Sequence[str],
    *,
    unit_ids: Sequence[int] | None = None,
    between: tuple[datetime, datetime] | None = None,
    at_most: float = 2,
    limit: int = 50,
) -> pd.DataFrame:
    """Return the newest comments of respondents who gave some rating ``<= at_most``.

    For follow-up by the unit: only the comment, when, which counter and the
    lowest rating; nothing that could identify the respondent (no device
    hash, no phone number, no submission id).
    """
    lowest = (
        select(Answer.response_id, func.min(Answer.value_num).label("rating"))
        .where(Answer.question.in_(list(ratings)))
        .group_by(Answer.response_id)
        .having(func.min(Answer.value_num) <= at_most)
        .subquery()
    )
    rows = session.execute(
        select(
            Response.id,
            Response.unit_id,
            ServicePoint.name,
            Response.submitted_at,
            lowest.c.rating,
            Answer.question,
            Answer.value_text,
        )
        .join(lowest, lowest.c.response_id == Response.id)
        .join(Answer, Answer.response_id == Response.id)
        .outerjoin(ServicePoint, ServicePoint.id == Response.service_point_id)
        .where(
            responses_in(campaign_id, unit_ids, between),
            Answer.question.in_(list(comments)),
            Answer.value_text.is_not(None),
        )
        .order_by(Response.submitted_at.desc(), Response.id.desc())
        .limit(limit)
    ).all()
    columns = [
        "respondent", "unit", "service_point", "submitted_at", "rating",
        "question", "text",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)
