"""Whether an access code can take a response now, read as plain values.

A survey page is opened far more often than anything about its code changes, so
the web layer keeps what a code needs for a while (``OpenedCode``). That copy is
plain, frozen data, never an ORM instance: a rolled-back send cannot expire it
under the next visitor. What officials switch by hand (revocation, a counter
closed, an official gone) is read again in the write of every send
(``surveys.storage.recording``).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from surveys.access.codes import CodeError, parse_token
from surveys.local_time import local_date
from surveys.models import (
    AccessCode,
    Campaign,
    CodeKind,
    Official,
    Response,
    ServicePoint,
)
from surveys.questionnaire import Questionnaire
from surveys.questionnaire.versions import definition_of

#: The question a dossier's code answers itself: a respondent who comes through
#: the code on their result slip is never asked for (nor stores) the dossier code.
DOSSIER_QUESTION = "dossier_code"


class CodeState(enum.StrEnum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    REVOKED = "revoked"
    USED = "used"
    CLOSED = "closed"
    #: The campaign is paused: it takes nothing now, but will again on resuming.
    PAUSED = "paused"


class CodeUnavailable(Exception):
    """The code cannot take a response; ``state`` says why."""

    def __init__(self, state: CodeState) -> None:
        super().__init__(f"access code is {state}")
        self.state = state


@dataclass(frozen=True)
class CounterOfficial:
    """An official a respondent at a counter may rate."""

    code: str
    name: str
    title: str | None


@dataclass(frozen=True)
class OpenedCode:
    """An access code with what a survey through it needs, as plain values."""

    id: int
    token: str
    kind: str
    campaign_id: int
    #: The campaign's mode, stored as the response's channel.
    mode: str
    starts_on: date
    ends_on: date | None
    min_interval_seconds: int | None
    questionnaire_id: int
    questionnaire: Questionnaire
    unit_id: int
    unit_name: str
    service_point_id: int | None
    service_point_name: str | None
    service_point_active: bool | None
    expires_at: datetime | None
    revoked_at: datetime | None
    #: When a single-use code's page was first shown (None: never yet).
    opened_at: datetime | None
    #: The campaign is paused, or closed for good (``surveys.units.campaigns``).
    paused: bool
    closed: bool
    stratum: str | None
    cluster: str | None
    weight: float | None
    #: The active officials of the code's counter, by name (none without one).
    officials: tuple[CounterOfficial, ...]
    #: True when the code belongs to one dossier (it keeps the dossier's keyed hash).
    carries_dossier: bool = False

    @property
    def single_use(self) -> bool:
        return self.kind == CodeKind.SINGLE_USE

    @property
    def carried(self) -> frozenset[str]:
        """Name the questions this code answers itself (see ``DOSSIER_QUESTION``)."""
        return frozenset({DOSSIER_QUESTION}) if self.carries_dossier else frozenset()

    @property
    def runtime_choices(self) -> dict[str, list[str]]:
        return runtime_choices(self.officials)


def runtime_choices(officials: Iterable[CounterOfficial]) -> dict[str, list[str]]:
    """Return the run-time options of ``choices_from`` questions, for the engine."""
    return {"officials": [official.code for official in officials]}


def load_code(session: Session, token: str) -> OpenedCode:
    """Return the code behind ``token`` whatever its state (UNKNOWN if none)."""
    try:
        token = parse_token(token)
    except CodeError as error:
        raise CodeUnavailable(CodeState.UNKNOWN) from error
    code = session.scalar(
        select(AccessCode)
        .where(AccessCode.token == token)
        .options(
            joinedload(AccessCode.campaign).joinedload(Campaign.questionnaire),
            joinedload(AccessCode.unit),
            joinedload(AccessCode.service_point),
        )
    )
    if code is None:
        raise CodeUnavailable(CodeState.UNKNOWN)
    campaign, point = code.campaign, code.service_point
    return OpenedCode(
        id=code.id,
        token=code.token,
        kind=code.kind,
        campaign_id=campaign.id,
        mode=campaign.mode,
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        min_interval_seconds=campaign.min_interval_seconds,
        questionnaire_id=campaign.questionnaire_id,
        questionnaire=definition_of(campaign.questionnaire),
        unit_id=code.unit_id,
        unit_name=code.unit.name,
        service_point_id=code.service_point_id,
        service_point_name=point.name if point else None,
        service_point_active=point.active if point else None,
        expires_at=code.expires_at,
        revoked_at=code.revoked_at,
        opened_at=code.opened_at,
        paused=campaign.paused_at is not None,
        closed=campaign.closed_at is not None,
        stratum=code.stratum,
        cluster=code.cluster,
        weight=code.weight,
        officials=_counter_officials(session, code.service_point_id),
        carries_dossier=code.dossier_hash is not None,
    )


def open_code(session: Session, token: str, now: datetime) -> OpenedCode:
    """Return the code behind ``token`` if it can take a response now."""
    code = load_code(session, token)
    check_open(session, code, now)
    return code


def check_open(session: Session, code: OpenedCode, now: datetime) -> None:
    """Raise ``CodeUnavailable`` unless ``code`` can take a response now."""
    check_state(code, now)
    if code.single_use and _redeemed(session, code.id):
        raise CodeUnavailable(CodeState.USED)


def check_state(code: OpenedCode, now: datetime) -> None:
    """Raise ``CodeUnavailable`` unless ``code``, as loaded, is open now.

    Everything ``check_open`` checks but a single-use code's redemption, which
    needs the database: what a code loaded a moment ago can tell by itself.
    """
    if code.revoked_at is not None:
        raise CodeUnavailable(CodeState.REVOKED)
    if code.expires_at is not None and code.expires_at <= now:
        raise CodeUnavailable(CodeState.EXPIRED)
    today = local_date(now)
    if code.closed or today < code.starts_on or (code.ends_on and today > code.ends_on):
        raise CodeUnavailable(CodeState.CLOSED)
    if code.paused:
        raise CodeUnavailable(CodeState.PAUSED)
    if code.service_point_active is False:
        raise CodeUnavailable(CodeState.CLOSED)


def record_first_opening(session: Session, code: OpenedCode, now: datetime) -> None:
    """Note when an invitation's page was first shown, for its campaign's funnel.

    One UPDATE on the first visit only: a code loaded with ``opened_at`` set
    costs nothing, and two first visits at once keep the earlier instant's row.
    Standing codes are shared by everyone at a counter: nothing is noted.
    """
    if not code.single_use or code.opened_at is not None:
        return
    session.execute(
        update(AccessCode)
        .where(AccessCode.id == code.id, AccessCode.opened_at.is_(None))
        .values(opened_at=now)
    )


def _counter_officials(
    session: Session, service_point_id: int | None
) -> tuple[CounterOfficial, ...]:
    if service_point_id is None:
        return ()
    # Only the counter's own unit's officials, as the rating's write seeks
    # them: their codes (the choices' values) are unique there.
    rows = session.execute(
        select(Official.code, Official.name, Official.title)
        .join(Official.service_points)
        .where(
            ServicePoint.id == service_point_id,
            Official.unit_id == ServicePoint.unit_id,
            Official.active.is_(True),
        )
        .order_by(Official.name)
    )
    return tuple(CounterOfficial(*row) for row in rows)


def _redeemed(session: Session, code_id: int) -> bool:
    found = session.scalar(
        select(Response.id).where(Response.redeemed_code_id == code_id)
    )
    return found is not None
