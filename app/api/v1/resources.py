"""Read views of ``/api/v1``: units, counters, officials, campaigns, questionnaires.

Each view finds what it shows through the key's ``Scope``; an object outside it
is a 404 exactly like one that does not exist. Lists are paged by cursor
(``surveys.exchange.pages``): follow ``next_cursor`` until it is null.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response

from app.api.v1.access import current_key, current_scope
from app.api.v1.answers import answer, query_of
from app.api.v1.blueprint import bp, operation
from app.api.v1.problems import Problem, bad_parameter
from app.api.v1.shapes import (
    CampaignOut,
    CampaignPage,
    CounterOut,
    CounterPage,
    ListQuery,
    OfficialOut,
    OfficialPage,
    QuestionnaireDefinition,
    QuestionnaireOut,
    QuestionnairePage,
    QuestionnaireRef,
    UnitOut,
    UnitPage,
)
from app.db import get_session
from app.spreadsheets import XLSX_TYPE, xlsform_download
from surveys.access.scope import get_in_scope
from surveys.exchange import listings
from surveys.exchange.pages import BadCursor, Page
from surveys.models import Campaign, Official, ServicePoint, Unit
from surveys.models import Questionnaire as StoredQuestionnaire

T = TypeVar("T")


def paged(read: Callable[..., Page[T]], query: ListQuery, *args: Any) -> Page[T]:
    """Call a listing with the query's cursor and limit; a bad cursor is a 400."""
    try:
        return read(get_session(), *args, query.cursor, query.limit)
    except BadCursor:
        raise bad_parameter("cursor", "unknown_cursor") from None


def _listed(
    read: Callable[..., Page[T]],
    page_type: Callable[..., Any],
    shown: Callable[[T], Any],
    *args: Any,
) -> Response:
    """Answer one page of a listing: each item as ``shown`` gives it, and the
    cursor of the next page (null on the last)."""
    page = paged(read, query_of(ListQuery), *args)
    return answer(
        page_type(
            items=[shown(item) for item in page.items], next_cursor=page.next_cursor
        )
    )


def found_in_scope(model: type[T], code: str) -> T:
    """Return the object of ``model`` with this code in the key's scope, or 404."""
    found = get_in_scope(get_session(), current_scope(), model, code)
    if found is None:
        raise Problem("not-found")
    return found


def _unit(unit: Unit) -> UnitOut:
    parent = unit.parent
    return UnitOut(
        code=unit.code,
        name=unit.name,
        kind=unit.kind,
        parent_code=parent.code if parent else None,
    )


def _counter(point: ServicePoint) -> CounterOut:
    return CounterOut(
        code=point.code, name=point.name, unit_code=point.unit.code, active=point.active
    )


def _official(official: Official) -> OfficialOut:
    return OfficialOut(
        code=official.code,
        name=official.name,
        title=official.title,
        unit_code=official.unit.code,
        active=official.active,
    )


def _campaign(campaign: Campaign) -> CampaignOut:
    return CampaignOut(
        key=campaign.key,
        name=campaign.name,
        mode=campaign.mode,
        unit_code=campaign.unit.code,
        questionnaire=QuestionnaireRef(
            key=campaign.questionnaire.key, version=campaign.questionnaire.version
        ),
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        paused=campaign.paused_at is not None,
        closed=campaign.closed_at is not None,
    )


def _questionnaire(stored: StoredQuestionnaire) -> QuestionnaireOut:
    return QuestionnaireOut.model_validate(stored)


@bp.get("/units")
@operation("units", query=ListQuery, response=UnitPage)
def units() -> Response:
    """List the key's units: its own and every unit below it."""
    return _listed(listings.units_page, UnitPage, _unit, current_scope())


@bp.get("/units/<unit_code>")
@operation("units", response=UnitOut)
def unit(unit_code: str) -> Response:
    """Read one unit."""
    return answer(_unit(found_in_scope(Unit, unit_code)))


@bp.get("/units/<unit_code>/officials")
@operation("officials", query=ListQuery, response=OfficialPage)
def officials(unit_code: str) -> Response:
    """List a unit's officials (those of its own, not of the units below).

    Only for a key made to read officials, as only managers see them on the
    staff pages: any other key is refused with 403.
    """
    unit = found_in_scope(Unit, unit_code)
    if not current_key().can_read_officials:
        raise Problem("not-allowed")
    return _listed(listings.officials_page, OfficialPage, _official, unit)


@bp.get("/counters")
@operation("counters", query=ListQuery, response=CounterPage)
def counters() -> Response:
    """List the counters (service points) of the key's units."""
    return _listed(listings.service_points_page, CounterPage, _counter, current_scope())


@bp.get("/counters/<service_point_code>")
@operation("counters", response=CounterOut)
def counter(service_point_code: str) -> Response:
    """Read one counter."""
    return answer(_counter(found_in_scope(ServicePoint, service_point_code)))


@bp.get("/campaigns")
@operation("campaigns", query=ListQuery, response=CampaignPage)
def campaigns() -> Response:
    """List the campaigns of the key's units."""
    return _listed(listings.campaigns_page, CampaignPage, _campaign, current_scope())


@bp.get("/campaigns/<campaign_key>")
@operation("campaigns", response=CampaignOut)
def campaign(campaign_key: str) -> Response:
    """Read one campaign."""
    found = listings.campaign_in_scope(get_session(), current_scope(), campaign_key)
    if found is None:
        raise Problem("not-found")
    return answer(_campaign(found))


@bp.get("/questionnaires")
@operation("questionnaires", query=ListQuery, response=QuestionnairePage)
def questionnaires() -> Response:
    """List the questionnaire versions the campaigns of the key's units use."""
    return _listed(
        listings.questionnaires_page, QuestionnairePage, _questionnaire, current_scope()
    )


def _version(questionnaire_key: str, version: int) -> StoredQuestionnaire:
    found = listings.questionnaire_in_scope(
        get_session(), current_scope(), questionnaire_key, version
    )
    if found is None:
        raise Problem("not-found")
    return found


@bp.get("/questionnaires/<questionnaire_key>/<int:version>")
@operation("questionnaires", response=QuestionnaireDefinition)
def questionnaire(questionnaire_key: str, version: int) -> Response:
    """Read a questionnaire version's whole definition."""
    return answer(
        QuestionnaireDefinition.model_validate(_version(questionnaire_key, version))
    )


@bp.get("/questionnaires/<questionnaire_key>/<int:version>/xlsform")
@operation("questionnaires", media_type=XLSX_TYPE)
def questionnaire_xlsform(questionnaire_key: str, version: int) -> Response:
    """Download a questionnaire version as an XLSForm workbook."""
    return xlsform_download(_version(questionnaire_key, version))
