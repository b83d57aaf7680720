"""How far each invitation got: issued, opened, started, completed, by stratum.

Every single-use code of a campaign is one invited respondent. Its status is
read from what the survey already keeps: the first time its page was shown
(``AccessCode.opened_at``), its saved draft (``ResponseDraft``, deleted once the
response is stored), its response (``Response.redeemed_code_id``, unique) and its
revocation. One query with a ``CASE`` over two outer joins on unique keys gives
every code's status; the funnel counts them by stratum.

The response rate is completed / issued, revoked codes left out (a misprint, a
business found closed). As AAPOR's RR1, every code without a response counts
as eligible, whether or not the invitation ever reached anyone (eligibility
unknown): the most cautious rate. A draft unsent for ``DRAFT_RETENTION`` is
erased, and its code then reads as opened, not started.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from surveys.access.codes import format_token
from surveys.models import (
    AccessCode,
    Campaign,
    CodeKind,
    Response,
    ResponseDraft,
    Unit,
)

#: Codes shown on one page of the list.
PAGE_SIZE = 50
#: Codes read from the database at a time when all of them are streamed.
STREAM_CHUNK = 1000


class CodeStatus(enum.StrEnum):
    """How far one invitation got; a response outranks a later revocation."""

    ISSUED = "issued"
    OPENED = "opened"
    STARTED = "started"
    COMPLETED = "completed"
    REVOKED = "revoked"


@dataclass(frozen=True)
class FunnelRow:
    """One stratum's (or all strata's) counts; each step includes the next."""

    #: None for codes without a stratum (and for the total row).
    stratum: str | None
    issued: int
    opened: int
    started: int
    completed: int
    #: Revoked before any response: not counted as issued.
    revoked: int

    @property
    def response_rate(self) -> float | None:
        """Return completed / issued (AAPOR RR1), or None when none was issued."""
        return self.completed / self.issued if self.issued else None


@dataclass(frozen=True)
class Funnel:
    """An invitation campaign's funnel: a row per stratum, then the total."""

    strata: tuple[FunnelRow, ...]
    total: FunnelRow


@dataclass(frozen=True)
class IssuedCode:
    """One invitation code and how far it got, as the list and its CSV show it."""

    token: str
    unit_code: str
    unit_name: str
    stratum: str | None
    cluster: str | None
    weight: float | None
    status: CodeStatus
    issued_at: datetime
    opened_at: datetime | None
    completed_at: datetime | None
    revoked_at: datetime | None

    @property
    def printed(self) -> str:
        """Return the token as printed on the invitation (``ABCDE-FGHJK``)."""
        return format_token(self.token)


@dataclass(frozen=True)
class CodePage:
    """One page of a campaign's codes, and how many pages the filter gives."""

    codes: tuple[IssuedCode, ...]
    number: int
    pages: int
    total: int


def _status() -> Any:
    """The SQL ``CASE`` that names a code's status (``CodeStatus``)."""
    return case(
        (Response.id.is_not(None), CodeStatus.COMPLETED.value),
        (AccessCode.revoked_at.is_not(None), CodeStatus.REVOKED.value),
        (ResponseDraft.id.is_not(None), CodeStatus.STARTED.value),
        (AccessCode.opened_at.is_not(None), CodeStatus.OPENED.value),
        else_=CodeStatus.ISSUED.value,
    )


def _with_progress(statement: Select[Any], campaign: Campaign) -> Select[Any]:
    """Join each of the campaign's single-use codes to its response and draft."""
    return (
        statement.select_from(AccessCode)
        .outerjoin(Response, Response.redeemed_code_id == AccessCode.id)
        .outerjoin(ResponseDraft, ResponseDraft.access_code_id == AccessCode.id)
        .where(
            AccessCode.campaign_id == campaign.id,
            AccessCode.kind == CodeKind.SINGLE_USE,
        )
    )


def invitation_funnel(session: Session, campaign: Campaign) -> Funnel:
    """Count the campaign's invitations at each step, by stratum and in all."""
    status = _status()
    rows = session.execute(
        _with_progress(
            select(AccessCode.stratum, status.label("status"), func.count()),
            campaign,
        ).group_by(AccessCode.stratum, status)
    ).all()
    counts: dict[str | None, dict[str, int]] = {}
    for stratum, named, count in rows:
        counts.setdefault(stratum, {})[named] = count
    strata = tuple(
        _row(stratum, by_status)
        for stratum, by_status in sorted(
            counts.items(), key=lambda item: (item[0] is None, item[0] or "")
        )
    )
    return Funnel(strata, _total(strata))


def campaign_strata(session: Session, campaign: Campaign) -> list[str]:
    """Return the strata the campaign's single-use codes name, in order."""
    return list(
        session.scalars(
            select(AccessCode.stratum)
            .where(
                AccessCode.campaign_id == campaign.id,
                AccessCode.kind == CodeKind.SINGLE_USE,
                AccessCode.stratum.is_not(None),
            )
            .distinct()
            .order_by(AccessCode.stratum)
        )
    )


def _row(stratum: str | None, by_status: dict[str, int]) -> FunnelRow:
    """Turn one stratum's counts by status into the funnel's cumulative steps."""
    completed = by_status.get(CodeStatus.COMPLETED, 0)
    started = completed + by_status.get(CodeStatus.STARTED, 0)
    opened = started + by_status.get(CodeStatus.OPENED, 0)
    issued = opened + by_status.get(CodeStatus.ISSUED, 0)
    return FunnelRow(
        stratum,
        issued,
        opened,
        started,
        completed,
        by_status.get(CodeStatus.REVOKED, 0),
    )


def _total(rows: Sequence[FunnelRow]) -> FunnelRow:
    return FunnelRow(
        None,
        *(
            sum(getattr(row, step) for row in rows)
            for step in ("issued", "opened", "started", "completed", "revoked")
        ),
    )


def _codes(
    campaign: Campaign, status: CodeStatus | None, stratum: str | None
) -> Select[Any]:
    """Select the campaign's codes (with the filters) and their progress."""
    named = _status()
    statement = _with_progress(
        select(
            AccessCode.token,
            Unit.code,
            Unit.name,
            AccessCode.stratum,
            AccessCode.cluster,
            AccessCode.weight,
            named.label("status"),
            AccessCode.created_at,
            AccessCode.opened_at,
            Response.submitted_at,
            AccessCode.revoked_at,
        ),
        campaign,
    ).join(Unit, Unit.id == AccessCode.unit_id)
    if status is not None:
        statement = statement.where(named == status.value)
    if stratum is not None:
        statement = statement.where(AccessCode.stratum == stratum)
    return statement


def _issued(row: Any) -> IssuedCode:
    return IssuedCode(
        token=row[0],
        unit_code=row[1],
        unit_name=row[2],
        stratum=row[3],
        cluster=row[4],
        weight=row[5],
        status=CodeStatus(row[6]),
        issued_at=row[7],
        opened_at=row[8],
        completed_at=row[9],
        revoked_at=row[10],
    )


def issued_codes_page(
    session: Session,
    campaign: Campaign,
    *,
    status: CodeStatus | None = None,
    stratum: str | None = None,
    number: int = 1,
    size: int = PAGE_SIZE,
) -> CodePage:
    """Return one page of the campaign's codes, in the order they were issued.

    A page past the last gives the last page (a list that shrank meanwhile).
    """
    statement = _codes(campaign, status, stratum)
    total = session.scalar(select(func.count()).select_from(statement.subquery()))
    pages = max(1, -(-(total or 0) // size))
    number = min(max(number, 1), pages)
    rows = session.execute(
        statement.order_by(AccessCode.id).offset((number - 1) * size).limit(size)
    )
    return CodePage(tuple(map(_issued, rows)), number, pages, total or 0)


def issued_codes(
    session: Session,
    campaign: Campaign,
    *,
    status: CodeStatus | None = None,
    stratum: str | None = None,
) -> Iterator[IssuedCode]:
    """Yield every code the filters keep, in order, a chunk read at a time."""
    statement = _codes(campaign, status, stratum).order_by(AccessCode.id)
    rows = session.execute(statement.execution_options(yield_per=STREAM_CHUNK))
    yield from map(_issued, rows)
