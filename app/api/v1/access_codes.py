"""Access codes at ``/api/v1``: issue, list, read one's state, revoke.

Issuing and revoking go through the staff pages' own services
(``surveys.units.management``: ``issue_batch``, ``poster_code``, ``revoke``),
audited as they are there, besides the key's write (``access``). A token is a
way to answer a survey: only the answer to the key that issued it carries
tokens and survey addresses; lists name codes by id, and a code's state is read
by a caller that already holds its token. A used code tells the day it was used,
never its response (``surveys.exchange.code_pages``).
"""

from __future__ import annotations

from datetime import date, datetime

from flask import Response, current_app
from pydantic import BaseModel, ConfigDict, Field

from app.api.v1.access import current_scope
from app.api.v1.answers import answer, body_of, query_of
from app.api.v1.blueprint import bp, operation
from app.api.v1.problems import Problem, bad_parameter
from app.api.v1.resources import found_in_scope, paged
from app.api.v1.shapes import CODE, Day, ListQuery, Page, Shape
from app.auth import now
from app.code_sheets import end_of_day
from app.db import get_session
from app.printing import survey_url
from surveys.access.codes import (
    MAX_LABEL,
    CampaignClosed,
    CodeError,
    SampleDesign,
    format_token,
)
from surveys.exchange.code_pages import (
    CodeFilters,
    CodeProgress,
    CodeStanding,
    code_in_scope,
    code_progress,
    codes_page,
)
from surveys.exchange.listings import campaign_covering
from surveys.models import (
    AccessCode,
    Campaign,
    CampaignMode,
    CodeKind,
    ServicePoint,
    Unit,
)
from surveys.units.management import issue_batch, poster_code, revoke

#: Codes one request may issue: every token comes back in the one answer.
MAX_ISSUED = 1000
LABEL = CODE | {"max_length": MAX_LABEL}


class CodeQuery(ListQuery):
    """Which codes to list, besides the page."""

    campaign: str | None = Field(None, **CODE, description="A campaign's key.")
    unit: str | None = Field(
        None, **CODE, description="The unit the codes were issued at (not below)."
    )
    counter: str | None = Field(None, **CODE, description="A counter's code.")
    kind: CodeKind | None = None
    state: CodeStanding | None = Field(None, description="The state now.")


class IssueCodes(BaseModel):
    """Codes to issue: how many, for which campaign, at which unit and counter."""

    model_config = ConfigDict(extra="forbid")

    campaign: str = Field(
        **CODE, description="An open campaign held at the unit or above it."
    )
    unit: str = Field(**CODE, description="A unit in the key's scope.")
    counter: str | None = Field(
        None,
        **CODE,
        description="A counter of the unit; required for a standing code.",
    )
    kind: CodeKind = Field(
        CodeKind.SINGLE_USE,
        description="`single_use` (receipts, invitations) or `standing`: the "
        "counter's poster code in a counter campaign, one per counter, returned "
        "as it is when the counter has one already.",
    )
    count: int = Field(1, ge=1, le=MAX_ISSUED, description="1 for a standing code.")
    stratum: str | None = Field(None, **LABEL, description="Single-use codes only.")
    cluster: str | None = Field(None, **LABEL, description="Single-use codes only.")
    weight: float | None = Field(
        None,
        gt=0,
        allow_inf_nan=False,
        description="The inverse of the inclusion probability; single-use only.",
    )
    expires_on: Day | None = Field(
        None,
        description="The last day (Vietnam time) the codes take responses; "
        "single-use only.",
    )


class CodeOut(Shape):
    """An access code without its token: what a list shows."""

    id: int
    campaign_key: str
    unit_code: str
    counter_code: str | None
    kind: CodeKind
    state: CodeStanding = Field(
        description="Whether it takes a response now: open, or why not."
    )
    stratum: str | None
    cluster: str | None
    weight: float | None
    issued_at: datetime
    expires_at: datetime | None
    opened_at: datetime | None = Field(
        description="When a single-use code's survey page was first shown."
    )
    revoked_at: datetime | None
    used_on: date | None = Field(
        description="The day (Vietnam time) a used code's response came; "
        "which response is never told."
    )


class CodeStatusOut(CodeOut):
    """A code named by its token, and its state now."""

    token: str


class IssuedCodeOut(CodeStatusOut):
    """A code just issued: its token as printed and its survey's address."""

    printed: str = Field(description="The token grouped for reading: ABCDE-FGHJK.")
    url: str = Field(description="The survey's address (what its QR code holds).")


class CodePage(Page):
    items: list[CodeOut]


class IssuedCodes(Shape):
    items: list[IssuedCodeOut]


def _code(code: AccessCode, progress: CodeProgress) -> dict[str, object]:
    return {
        "id": code.id,
        "campaign_key": code.campaign.key,
        "unit_code": code.unit.code,
        "counter_code": code.service_point.code if code.service_point else None,
        "kind": code.kind,
        "state": progress.standing,
        "stratum": code.stratum,
        "cluster": code.cluster,
        "weight": code.weight,
        "issued_at": code.created_at,
        "expires_at": code.expires_at,
        "opened_at": code.opened_at,
        "revoked_at": code.revoked_at,
        "used_on": progress.used_on,
    }


def _status(code: AccessCode) -> Response:
    progress = code_progress(get_session(), [code], now())[code.id]
    return answer(CodeStatusOut(token=code.token, **_code(code, progress)))


def _found(token: str) -> AccessCode:
    code = code_in_scope(get_session(), current_scope(), token)
    if code is None:
        raise Problem("not-found")
    return code


@bp.get("/access-codes")
@operation("access codes", query=CodeQuery, response=CodePage)
def access_codes() -> Response:
    """List the access codes issued at the key's units, without their tokens."""
    query = query_of(CodeQuery)
    filters = CodeFilters(
        campaign_key=query.campaign,
        unit=found_in_scope(Unit, query.unit) if query.unit else None,
        service_point_code=query.counter,
        kind=query.kind,
        standing=query.state,
    )
    moment = now()
    page = paged(codes_page, query, current_scope(), filters, moment)
    progress = code_progress(get_session(), page.items, moment)
    return answer(
        CodePage(
            items=[CodeOut(**_code(code, progress[code.id])) for code in page.items],
            next_cursor=page.next_cursor,
        )
    )


@bp.get("/access-codes/<token>")
@operation("access codes", response=CodeStatusOut)
def access_code(token: str) -> Response:
    """Read a code's state: open, used (and the day), revoked, expired, closed or
    paused, and when its page was first opened."""
    return _status(_found(token))


@bp.post("/access-codes/<token>/revoke")
@operation("access codes", response=CodeStatusOut)
def revoke_access_code(token: str) -> Response:
    """Revoke a code: it takes no more responses. Revoking it again changes nothing.

    A used code keeps its response; it reads as used.
    """
    code = _found(token)
    db = get_session()
    if code.revoked_at is None:
        revoke(db, None, code, now())
    db.commit()
    return _status(code)


@bp.post("/access-codes")
@operation("access codes", body=IssueCodes, response=IssuedCodes, statuses=(201,))
def issue_access_codes() -> Response:
    """Issue codes for a campaign at a unit (and counter) of the key's.

    The answer is the only one that holds the tokens and survey addresses:
    keep them. A closed campaign is refused (400, reason ``campaign_closed``).
    """
    wanted = body_of(IssueCodes)
    db = get_session()
    unit = found_in_scope(Unit, wanted.unit)
    point = found_in_scope(ServicePoint, wanted.counter) if wanted.counter else None
    campaign = campaign_covering(db, unit, wanted.campaign)
    if campaign is None:
        raise Problem("not-found")
    try:
        if wanted.kind is CodeKind.STANDING:
            issued = [_standing_code(wanted, campaign, unit, point)]
        else:
            issued = issue_batch(
                db,
                None,
                campaign,
                unit,
                wanted.count,
                point,
                end_of_day(wanted.expires_on) if wanted.expires_on else None,
                design=SampleDesign(wanted.stratum, wanted.cluster, wanted.weight),
            )
    except CampaignClosed:
        raise bad_parameter("campaign", "campaign_closed") from None
    except CodeError:
        raise bad_parameter("body", "not_issuable") from None
    db.commit()
    progress = code_progress(db, issued, now())
    base = current_app.config["PUBLIC_BASE_URL"]
    return answer(
        IssuedCodes(
            items=[
                IssuedCodeOut(
                    token=code.token,
                    printed=format_token(code.token),
                    url=survey_url(base, code.token),
                    **_code(code, progress[code.id]),
                )
                for code in issued
            ]
        ),
        201,
    )


def _standing_code(
    wanted: IssueCodes, campaign: Campaign, unit: Unit, point: ServicePoint | None
) -> AccessCode:
    """Return the counter's poster code, as the staff poster page gives it."""
    if point is None or point.unit_id != unit.id:
        raise bad_parameter("counter", "counter_of_unit_required")
    if wanted.count != 1:
        raise bad_parameter("count", "one_standing_code")
    for name in ("stratum", "cluster", "weight", "expires_on"):
        if getattr(wanted, name) is not None:
            raise bad_parameter(name, "single_use_only")
    if campaign.mode != CampaignMode.COUNTER:
        raise bad_parameter("campaign", "not_a_counter_campaign")
    return poster_code(get_session(), None, campaign, point)
