"""Feedback cases (PAKN) at ``/api/v1``: where each stands against its deadline,
and how it moved.

Only what may leave the unit (``surveys.exchange.case_pages``): no text, place,
contact, handler or tracking code. Open311 (``/open311``) files and reads cases
in its own shape for citizens' apps; this is the unit's view of its work.
"""

from __future__ import annotations

from datetime import datetime

from flask import Response
from pydantic import Field

from app.api.v1.access import current_scope
from app.api.v1.answers import answer, query_of
from app.api.v1.blueprint import bp, operation
from app.api.v1.dossier_reads import UnitFilter
from app.api.v1.problems import Problem
from app.api.v1.resources import paged
from app.api.v1.shapes import CODE, Page, Shape
from app.auth import now
from app.db import get_session
from app.labels import category_name
from surveys.exchange.case_pages import (
    CaseFilters,
    case_in_scope,
    cases_page,
    is_overdue,
    public_history,
)
from surveys.models import CaseChannel, CaseState, FeedbackCase


class CaseQuery(UnitFilter):
    """Which cases to list, besides the page. Days are Vietnam's, both ends in."""

    state: CaseState | None = None
    category: str | None = Field(None, **CODE, description="A category's code.")


class CaseOut(Shape):
    """A feedback case, without its text, place, contact or handler."""

    id: int
    unit_code: str = Field(description="The unit that answers for it now.")
    category_code: str
    category_name: str = Field(description="In the request's language.")
    channel: CaseChannel
    state: CaseState
    outcome: str | None = Field(
        description="How it left the open states: answered, rejected, "
        "referred_out or merged."
    )
    received_at: datetime
    due_at: datetime
    waiting: bool = Field(description="Waiting for the citizen to say more.")
    overdue: bool = Field(description="Waiting for its reply past its due date now.")
    answered_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    escalated_at: datetime | None = Field(
        description="When it was first seen overdue and shown to the unit above."
    )
    on_time: bool | None = Field(description="Null until it is resolved.")
    working_days_to_resolve: int | None


class CaseEventOut(Shape):
    """One step of a case's history: what, when, by whom in kind (never who)."""

    occurred_at: datetime
    kind: str
    actor: str = Field(description="staff, citizen, system or integration.")
    from_state: str | None
    to_state: str | None
    from_unit_code: str | None
    to_unit_code: str | None
    public_note: str = Field(description="What the citizen's status page shows.")


class CaseDetail(CaseOut):
    events: list[CaseEventOut] = Field(description="Oldest first.")


class CasePage(Page):
    items: list[CaseOut]


def _case(case: FeedbackCase, moment: datetime) -> dict[str, object]:
    return {
        "id": case.id,
        "unit_code": case.unit.code,
        "category_code": case.category.code,
        "category_name": category_name(case.category),
        "channel": case.channel,
        "state": case.state,
        "outcome": case.outcome,
        "received_at": case.received_at,
        "due_at": case.due_at,
        "waiting": case.waiting_since is not None,
        "overdue": is_overdue(case, moment),
        "answered_at": case.answered_at,
        "resolved_at": case.resolved_at,
        "closed_at": case.closed_at,
        "escalated_at": case.escalated_at,
        "on_time": case.on_time,
        "working_days_to_resolve": case.working_days_to_resolve,
    }


@bp.get("/cases")
@operation("cases", query=CaseQuery, response=CasePage)
def cases() -> Response:
    """List the feedback cases of the key's units against their deadlines."""
    query = query_of(CaseQuery)
    filters = CaseFilters(
        unit=query.unit_found(),
        state=query.state,
        category_code=query.category,
        due_from=query.due_from,
        due_to=query.due_to,
        overdue=query.overdue,
    )
    moment = now()
    page = paged(cases_page, query, current_scope(), filters, moment)
    return answer(
        CasePage(
            items=[CaseOut(**_case(case, moment)) for case in page.items],
            next_cursor=page.next_cursor,
        )
    )


@bp.get("/cases/<int:case_id>")
@operation("cases", response=CaseDetail)
def case(case_id: int) -> Response:
    """Read one case and its history (the steps, not their internal details)."""
    found = case_in_scope(get_session(), current_scope(), case_id)
    if found is None:
        raise Problem("not-found")
    events = [
        CaseEventOut(**vars(event)) for event in public_history(get_session(), found)
    ]
    return answer(CaseDetail(**_case(found, now()), events=events))
