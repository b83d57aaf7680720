"""What a report shows beside its estimates: how many responses, when, and comments."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pandas as pd
from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from surveys.local_time import local_date
from surveys.models import Answer, HiddenComment, Response, ResponseDay, ServicePoint
from surveys.storage.periods import period_bounds, responses_in
from surveys.storage.tallies import caught_up


def response_counts(
    session: Session,
    campaign_id: int,
    *,
    unit_ids: Sequence[int] | None = None,
    between: tuple[datetime, datetime] | None = None,
) -> pd.DataFrame:
    """Count responses per unit, verified or not and excluded or not.

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
        .where(_days_in(campaign_id, unit_ids, between))
        .group_by(ResponseDay.unit_id, ResponseDay.verified, ResponseDay.excluded)
    ).all()
    return pd.DataFrame(rows, columns=["unit", "verified", "excluded", "n"]).astype(
        {"n": "int64"}
    )


def _days_in(
    campaign_id: int,
    unit_ids: Sequence[int] | None,
    between: tuple[datetime, datetime] | None,
) -> ColumnElement[bool]:
    """Return the condition picking the day counts of some units and period."""
    conditions = [ResponseDay.campaign_id == campaign_id]
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
                _days_in(campaign_id, unit_ids, (start, end)),
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
    """Return when the newest kept response came in: the moment a report is as of.

    Read from the day counts, which keep each day's latest time.
    """
    caught_up(session)
    latest = session.scalar(
        select(func.max(ResponseDay.latest)).where(
            _days_in(campaign_id, unit_ids, between),
            ResponseDay.excluded.is_(False),
            ResponseDay.n > 0,
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
    hash, no phone number, no submission id). Comments a manager hid from
    reports are left out.
    """
    hidden = exists().where(
        and_(
            HiddenComment.response_id == Answer.response_id,
            HiddenComment.question == Answer.question,
        )
    )
    # Per response, through the answers' key: never every rating of the table.
    rating = aliased(Answer)
    rated = (rating.response_id == Response.id) & rating.question.in_(list(ratings))
    lowest = select(func.min(rating.value_num)).where(rated).scalar_subquery()
    low = select(rating.response_id).where(rated, rating.value_num <= at_most).exists()
    rows = session.execute(
        select(
            Response.id,
            Response.unit_id,
            ServicePoint.name,
            Response.submitted_at,
            lowest.label("rating"),
            Answer.question,
            Answer.value_text,
        )
        .join(Answer, Answer.response_id == Response.id)
        .outerjoin(ServicePoint, ServicePoint.id == Response.service_point_id)
        .where(
            responses_in(campaign_id, unit_ids, between),
            Answer.question.in_(list(comments)),
            Answer.value_text.is_not(None),
            ~hidden,
            low,
        )
        .order_by(Response.submitted_at.desc(), Response.id.desc())
        .limit(limit)
    ).all()
    columns = [
        "respondent", "unit", "service_point", "submitted_at", "rating",
        "question", "text",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)
