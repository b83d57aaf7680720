"""Dossiers at ``/api/v1``: a unit's dossiers against their deadlines, and their
apology letters.

As a viewer of the key's unit sees them on the staff pages: never the
applicant's name or contact (managers only), nor the rating code on the slip
(``surveys.exchange.dossier_pages``). A dossier is named by its id: its code is
unique within its unit only, and the list finds it by ``code``.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import Response
from pydantic import Field

from app.api.v1.access import current_scope
from app.api.v1.answers import answer, query_of
from app.api.v1.blueprint import bp, operation
from app.api.v1.problems import Problem
from app.api.v1.resources import found_in_scope, paged
from app.api.v1.shapes import CODE, Day, ListQuery, Page, Shape
from app.auth import now
from app.db import get_session
from surveys.dossiers.timing import Timeliness
from surveys.exchange.dossier_pages import (
    DossierFilters,
    LetterStanding,
    LetterState,
    dossier_in_scope,
    dossiers_page,
    is_overdue,
    letters_of,
    timeliness_of,
)
from surveys.models import (
    Dossier,
    DossierChannel,
    DossierStatus,
    LetterDelivery,
    Unit,
)


class UnitFilter(ListQuery):
    """A list's page, cut to one unit of the key's and the units below."""

    unit: str | None = Field(
        None, **CODE, description="A unit's code: its own rows and the units' below."
    )
    overdue: bool | None = Field(
        None, description="true: open past the due date now; false: the others."
    )
    due_from: Day | None = Field(None, description="Due on or after this day.")
    due_to: Day | None = Field(None, description="Due on or before this day.")

    def unit_found(self) -> Unit | None:
        """Return the unit named, in the key's scope (404 otherwise), or None."""
        return found_in_scope(Unit, self.unit) if self.unit else None


class DossierQuery(UnitFilter):
    """Which dossiers to list, besides the page. Days are Vietnam's, both ends in."""

    code: str | None = Field(None, **CODE, description="The provincial dossier code.")
    status: DossierStatus | None = None
    received_from: Day | None = Field(None, description="Received on or after.")
    received_to: Day | None = Field(None, description="Received on or before.")
    timeliness: Timeliness | None = Field(
        None,
        description="Returned before its due day, on it in time, or late.",
    )


class LetterOut(Shape):
    """The apology letter (Phiếu xin lỗi) of a late dossier."""

    reference: str = Field(description="Its number as printed: 12/PXL-UNIT.")
    issued_on: date
    new_return_on: date
    sent_at: datetime | None
    sent_via: LetterDelivery | None


class DossierOut(Shape):
    """A dossier, without its applicant."""

    id: int
    code: str
    unit_code: str
    procedure_code: str
    procedure_name: str
    channel: DossierChannel
    status: DossierStatus
    received_at: datetime
    due_at: datetime
    returned_at: datetime | None
    working_days_late: int | None = Field(
        description="Positive: late; 0: on the due day in time; negative: early; "
        "null while open."
    )
    timeliness: Timeliness | None = Field(description="Null while open.")
    overdue: bool = Field(description="Open and past its due date now.")
    paid_online: bool
    digitised: bool
    letter_state: LetterState = Field(
        description="not_owed; else the letter owed is missing, unsent or sent."
    )
    letter: LetterOut | None


class DossierPage(Page):
    items: list[DossierOut]


def _dossier(dossier: Dossier, letter: LetterStanding, moment: datetime) -> DossierOut:
    procedure = dossier.procedure
    summary = letter.letter
    return DossierOut(
        id=dossier.id,
        code=dossier.code,
        unit_code=dossier.unit.code,
        procedure_code=procedure.code,
        procedure_name=procedure.name,
        channel=DossierChannel(dossier.channel),
        status=DossierStatus(dossier.status),
        received_at=dossier.received_at,
        due_at=dossier.due_at,
        returned_at=dossier.returned_at,
        working_days_late=dossier.working_days_late,
        timeliness=timeliness_of(dossier),
        overdue=is_overdue(dossier, moment),
        paid_online=dossier.paid_online,
        digitised=dossier.digitised,
        letter_state=letter.state,
        letter=None if summary is None else LetterOut.model_validate(summary),
    )


@bp.get("/dossiers")
@operation("dossiers", query=DossierQuery, response=DossierPage)
def dossiers() -> Response:
    """List the dossiers of the key's units, with their deadlines and letters."""
    query = query_of(DossierQuery)
    filters = DossierFilters(
        unit=query.unit_found(),
        code=query.code,
        status=query.status,
        received_from=query.received_from,
        received_to=query.received_to,
        due_from=query.due_from,
        due_to=query.due_to,
        timeliness=query.timeliness,
        overdue=query.overdue,
    )
    moment = now()
    page = paged(dossiers_page, query, current_scope(), filters, moment)
    letters = letters_of(get_session(), page.items, moment)
    return answer(
        DossierPage(
            items=[_dossier(d, letters[d.id], moment) for d in page.items],
            next_cursor=page.next_cursor,
        )
    )


@bp.get("/dossiers/<int:dossier_id>")
@operation("dossiers", response=DossierOut)
def dossier(dossier_id: int) -> Response:
    """Read one dossier: its deadlines, whether it was on time, its letter."""
    found = dossier_in_scope(get_session(), current_scope(), dossier_id)
    if found is None:
        raise Problem("not-found")
    moment = now()
    letter = letters_of(get_session(), [found], moment)[found.id]
    return answer(_dossier(found, letter, moment))
