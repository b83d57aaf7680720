"""Access codes as ``/api/v1`` lists them: cut to a ``Scope``, paged by keyset.

A code's state says whether it can take a response now, in the order the
survey page checks it (``surveys.access.code_state.check_open``): used (a
single-use code with its response), revoked, expired, closed (the campaign
closed or out of its dates, or the counter closed), paused, else open. It is
one SQL ``CASE``, so a list can be filtered on it and still be cut by keyset;
``tests/app/api_v1`` holds it to ``check_open`` code by code.

A used code tells the day it was used, never its response nor the instant:
the code may carry a sample design or a dossier, and an instant would match
one response among a day's.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, or_, select
from sqlalchemy.orm import Session, selectinload

from surveys.access.code_state import CodeState
from surveys.access.codes import CodeError, parse_token
from surveys.access.scope import Scope, get_in_scope
from surveys.exchange.pages import Page, by_id, page_of
from surveys.local_time import local_date
from surveys.models import (
    AccessCode,
    Campaign,
    CodeKind,
    Response,
    ServicePoint,
    Unit,
)


class CodeStanding(enum.StrEnum):
    """Whether a code can take a response now, and if not why."""

    OPEN = "open"
    USED = CodeState.USED.value
    REVOKED = CodeState.REVOKED.value
    EXPIRED = CodeState.EXPIRED.value
    CLOSED = CodeState.CLOSED.value
    PAUSED = CodeState.PAUSED.value


@dataclass(frozen=True)
class CodeFilters:
    """What a list of codes keeps; None: any."""

    campaign_key: str | None = None
    #: A unit in scope: the codes issued at it (not at the units below it).
    unit: Unit | None = None
    service_point_code: str | None = None
    kind: CodeKind | None = None
    standing: CodeStanding | None = None


@dataclass(frozen=True)
class CodeProgress:
    """A code's state at one instant, and the day its response came (if used)."""

    standing: CodeStanding
    used_on: date | None


def _standing(now: datetime) -> ColumnElement[str]:
    """The SQL ``CASE`` naming a code's ``CodeStanding`` at ``now``."""
    today = local_date(now)
    return case(
        (
            and_(AccessCode.kind == CodeKind.SINGLE_USE, Response.id.is_not(None)),
            CodeStanding.USED.value,
        ),
        (AccessCode.revoked_at.is_not(None), CodeStanding.REVOKED.value),
        (
            and_(AccessCode.expires_at.is_not(None), AccessCode.expires_at <= now),
            CodeStanding.EXPIRED.value,
        ),
        (
            or_(
                Campaign.closed_at.is_not(None),
                Campaign.starts_on > today,
                and_(Campaign.ends_on.is_not(None), Campaign.ends_on < today),
                ServicePoint.active.is_(False),
            ),
            CodeStanding.CLOSED.value,
        ),
        (Campaign.paused_at.is_not(None), CodeStanding.PAUSED.value),
        else_=CodeStanding.OPEN.value,
    )


def _with_progress(statement: Select[Any]) -> Select[Any]:
    """Join codes to what their state reads: campaign, counter, response."""
    return (
        statement.join(Campaign, Campaign.id == AccessCode.campaign_id)
        .outerjoin(ServicePoint, ServicePoint.id == AccessCode.service_point_id)
        .outerjoin(Response, Response.redeemed_code_id == AccessCode.id)
    )


def _shown() -> tuple[Any, ...]:
    return (
        selectinload(AccessCode.campaign),
        selectinload(AccessCode.unit),
        selectinload(AccessCode.service_point),
    )


def codes_page(
    session: Session,
    scope: Scope,
    filters: CodeFilters,
    now: datetime,
    cursor: str | None,
    limit: int,
) -> Page[AccessCode]:
    """Return a page of the codes of units in ``scope`` that ``filters`` keep."""
    statement = scope.filter(
        _with_progress(select(AccessCode)).options(*_shown()), AccessCode.unit_id
    )
    if filters.campaign_key is not None:
        statement = statement.where(Campaign.key == filters.campaign_key)
    if filters.unit is not None:
        statement = statement.where(AccessCode.unit_id == filters.unit.id)
    if filters.service_point_code is not None:
        statement = statement.where(ServicePoint.code == filters.service_point_code)
    if filters.kind is not None:
        statement = statement.where(AccessCode.kind == filters.kind)
    if filters.standing is not None:
        statement = statement.where(_standing(now) == filters.standing.value)
    return page_of(session, statement, [AccessCode.id], cursor, limit, by_id)


def code_in_scope(session: Session, scope: Scope, typed: str) -> AccessCode | None:
    """Return the code a token names (any case, dashes) in ``scope``, or None."""
    try:
        token = parse_token(typed)
    except CodeError:
        return None
    return get_in_scope(session, scope, AccessCode, token, _shown())


def code_progress(
    session: Session, codes: list[AccessCode], now: datetime
) -> dict[int, CodeProgress]:
    """Return each code's state at ``now`` and the day it was used, by code id."""
    rows = session.execute(
        _with_progress(
            select(AccessCode.id, _standing(now), Response.submitted_at).select_from(
                AccessCode
            )
        ).where(AccessCode.id.in_([code.id for code in codes]))
    )
    return {
        code_id: CodeProgress(
            CodeStanding(standing),
            local_date(used_at) if standing == CodeStanding.USED else None,
        )
        for code_id, standing, used_at in rows
    }
