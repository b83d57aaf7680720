"""The one bridge from stored responses to the DataFrames that ``analysis`` takes.

Per-unit summaries read the item tallies (a few rows per unit and item, however
many responses there are); design-based estimates, which need each respondent,
read the responses themselves, one row each.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from surveys.local_time import LOCAL_OFFSET
from surveys.models import Answer, ItemTally, Response, ServicePoint, Unit
from surveys.questionnaire import Questionnaire
from surveys.tallies import caught_up

#: A report period: a year ("2026") or a quarter of it ("2026-Q2").
PERIOD = re.compile(r"(?P<year>\d{4})(?:-Q(?P<quarter>[1-4]))?")


def quarters_in(period: str | None) -> list[str] | None:
    """Return the tally quarters a period covers (None: every quarter)."""
    if period is None:
        return None
    year, quarter = _parse_period(period)
    quarters = [quarter] if quarter else [1, 2, 3, 4]
    return [f"{year}-Q{q}" for q in quarters]


def period_bounds(period: str | None) -> tuple[datetime, datetime] | None:
    """Return the UTC instants a period (in Vietnam time) starts and ends at."""
    if period is None:
        return None
    year, quarter = _parse_period(period)
    first, last = (quarter, quarter) if quarter else (1, 4)
    start = datetime(year, 3 * first - 2, 1, tzinfo=UTC)
    end = datetime(year + last // 4, 3 * last % 12 + 1, 1, tzinfo=UTC)
    return start - LOCAL_OFFSET, end - LOCAL_OFFSET


def _parse_period(period: str) -> tuple[int, int | None]:
    match = PERIOD.fullmatch(period)
    if match is None:
        raise ValueError(f"period must look like 2026 or 2026-Q2, got {period!r}")
    quarter = match["quarter"]
    return int(match["year"]), int(quarter) if quarter else None


def _responses_in(
    campaign_id: int,
    unit_ids: Sequence[int] | None,
    between: tuple[datetime, datetime] | None,
    *,
    with_excluded: bool = False,
) -> ColumnElement[bool]:
    """Return the condition picking a campaign's responses of some units and time."""
    conditions = [Response.campaign_id == campaign_id]
    if not with_excluded:
        conditions.append(Response.excluded.is_(False))
    if unit_ids is not None:
        conditions.append(Response.unit_id.in_(list(unit_ids)))
    if between is not None:
        conditions += [
            Response.submitted_at >= between[0],
            Response.submitted_at < between[1],
        ]
    return and_(*conditions)


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
    kept = _responses_in(campaign_id, unit_ids, between)
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
        .where(_responses_in(campaign_id, unit_ids, between, with_excluded=True))
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
    year, quarter = _parse_period(period)
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
        .where(_responses_in(campaign_id, unit_ids, (edges[0], edges[-1])))
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
            _responses_in(campaign_id, unit_ids, between)
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
            _responses_in(campaign_id, unit_ids, between),
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


@dataclass(frozen=True)
class ExportedResponse:
    """One response as the anonymised export shows it: no device, phone or id."""

    id: int
    unit_code: str
    counter_code: str | None
    submitted_at: datetime
    verified: bool
    flags: tuple[str, ...]
    excluded: bool
    #: Each answered question's text, or its number when it has no text.
    answers: dict[str, str | float]


#: Quality flags, by the name an export gives them.
FLAGS = {
    "too_fast": Response.flag_too_fast,
    "straight_lining": Response.flag_straight_lining,
    "duplicate_suspect": Response.flag_duplicate_suspect,
    "burst": Response.flag_burst,
}


def exported_responses(
    session: Session,
    campaign_id: int,
    *,
    unit_ids: Sequence[int] | None = None,
    between: tuple[datetime, datetime] | None = None,
    include_excluded: bool = False,
    page_size: int = 5000,
) -> Iterator[list[ExportedResponse]]:
    """Yield a campaign's responses page by page, in id order, for an export.

    Keyset pagination (``id > last ORDER BY id LIMIT page_size``) keeps each
    query as cheap as the first and memory flat however many responses there
    are.
    """
    caught_up(session)  # the flags
    condition = _responses_in(
        campaign_id, unit_ids, between, with_excluded=include_excluded
    )
    last = 0
    while True:
        rows = session.execute(
            select(
                Response.id,
                Unit.code,
                ServicePoint.code,
                Response.submitted_at,
                Response.verified,
                *FLAGS.values(),
                Response.excluded,
            )
            .join(Unit, Unit.id == Response.unit_id)
            .outerjoin(ServicePoint, ServicePoint.id == Response.service_point_id)
            .where(condition, Response.id > last)
            .order_by(Response.id)
            .limit(page_size)
        ).all()
        if not rows:
            return
        last = rows[-1][0]
        answers: dict[int, dict[str, str | float]] = {row[0]: {} for row in rows}
        for response_id, question, number, text in session.execute(
            select(
                Answer.response_id, Answer.question, Answer.value_num, Answer.value_text
            ).where(Answer.response_id.in_(list(answers)))
        ):
            answers[response_id][question] = text if text is not None else number
        yield [
            ExportedResponse(
                id=row[0],
                unit_code=row[1],
                counter_code=row[2],
                submitted_at=row[3],
                verified=row[4],
                flags=tuple(
                    name for name, flag in zip(FLAGS, row[5:9], strict=True) if flag
                ),
                excluded=row[9],
                answers=answers[row[0]],
            )
            for row in rows
        ]
