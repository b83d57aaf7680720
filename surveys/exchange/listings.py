"""The lists ``/api/v1`` reads, each cut to a ``Scope`` and paged by keyset.

Questionnaires have no unit: a scope reaches the versions its campaigns use,
as a unit's staff see them through their campaigns (the questionnaire pages
themselves are the district's).
"""

from __future__ import annotations

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, joinedload

from surveys.access.scope import Scope
from surveys.exchange.pages import Page, by_id, page_of
from surveys.models import Campaign, Official, ServicePoint, Unit
from surveys.models import Questionnaire as StoredQuestionnaire
from surveys.units.tree import lineage_ids, subtree_ids


def units_page(
    session: Session, scope: Scope, cursor: str | None, limit: int
) -> Page[Unit]:
    """Return a page of the units in ``scope``, in the order they were made."""
    statement = scope.units_query().options(joinedload(Unit.parent))
    return page_of(session, statement, [Unit.id], cursor, limit, by_id)


def service_points_page(
    session: Session,
    scope: Scope,
    cursor: str | None,
    limit: int,
    unit: Unit | None = None,
) -> Page[ServicePoint]:
    """Return a page of the counters in ``scope`` (of ``unit`` alone if given)."""
    statement = scope.filter(
        select(ServicePoint).options(joinedload(ServicePoint.unit)),
        ServicePoint.unit_id,
    )
    if unit is not None:
        statement = statement.where(ServicePoint.unit_id == unit.id)
    return page_of(session, statement, [ServicePoint.id], cursor, limit, by_id)


def officials_page(
    session: Session, unit: Unit, cursor: str | None, limit: int
) -> Page[Official]:
    """Return a page of ``unit``'s officials; the caller found ``unit`` in scope."""
    statement = (
        select(Official)
        .where(Official.unit_id == unit.id)
        .options(joinedload(Official.unit))
    )
    return page_of(session, statement, [Official.id], cursor, limit, by_id)


def campaigns_page(
    session: Session, scope: Scope, cursor: str | None, limit: int
) -> Page[Campaign]:
    """Return a page of the campaigns of units in ``scope``."""
    statement = scope.filter(_campaigns(), Campaign.unit_id)
    return page_of(session, statement, [Campaign.id], cursor, limit, by_id)


def campaign_in_scope(session: Session, scope: Scope, key: str) -> Campaign | None:
    """Return the campaign with this key, or None when missing or out of scope."""
    statement = scope.filter(_campaigns().where(Campaign.key == key), Campaign.unit_id)
    return session.scalar(statement)


def _campaigns() -> Select[tuple[Campaign]]:
    return select(Campaign).options(
        joinedload(Campaign.unit), joinedload(Campaign.questionnaire)
    )


def _reached_versions(scope: Scope) -> Select[tuple[int]]:
    """Return a query of the ids of the versions the scope's campaigns use."""
    return scope.filter(select(Campaign.questionnaire_id), Campaign.unit_id)


def questionnaires_page(
    session: Session, scope: Scope, cursor: str | None, limit: int
) -> Page[StoredQuestionnaire]:
    """Return a page of the questionnaire versions the scope's campaigns use."""
    statement = select(StoredQuestionnaire).where(
        StoredQuestionnaire.id.in_(_reached_versions(scope))
    )
    return page_of(session, statement, [StoredQuestionnaire.id], cursor, limit, by_id)


def questionnaire_in_scope(
    session: Session, scope: Scope, key: str, version: int
) -> StoredQuestionnaire | None:
    """Return a version a campaign of the scope uses, or None (missing or out of it)."""
    statement = select(StoredQuestionnaire).where(
        StoredQuestionnaire.key == key,
        StoredQuestionnaire.version == version,
        StoredQuestionnaire.id.in_(_reached_versions(scope)),
    )
    return session.scalar(statement)


def campaign_covering(session: Session, unit: Unit, key: str) -> Campaign | None:
    """Return the campaign with this key if it is held at ``unit``, above or below.

    The campaigns a unit's dashboard offers: a district-wide survey covers
    its wards, and a ward's own survey is the district's too.
    """
    statement = select(Campaign).where(
        Campaign.key == key,
        or_(
            Campaign.unit_id.in_(lineage_ids(unit.id)),
            Campaign.unit_id.in_(subtree_ids(unit.id)),
        ),
    )
    return session.scalar(statement.options(joinedload(Campaign.questionnaire)))
