"""Two wards of one district, each with a unit below, a counter, an official, a
campaign of a questionnaire of its own, an access code, a dossier and a feedback
case, and keys made for ward A."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from surveys.cases.integration_keys import create_key
from surveys.models import (
    AccessCode,
    Campaign,
    Dossier,
    FeedbackCase,
    Official,
    ServicePoint,
    Unit,
    UnitKind,
)
from tests.builders import make_campaign, make_case, make_code, make_dossier, make_unit


@dataclass
class Ward:
    """A ward, what belongs to it, and a unit below it."""

    unit: Unit
    below: Unit
    point: ServicePoint
    official: Official
    campaign: Campaign
    code: AccessCode
    dossier: Dossier
    case: FeedbackCase


def make_ward(session: Session, district: Unit, letter: str) -> Ward:
    unit = make_unit(session, district, name=f"Phường {letter}")
    below = make_unit(session, unit, name=f"Tổ {letter}", kind=UnitKind.SERVICE_UNIT)
    point = ServicePoint(code=f"sp-{unit.code}", name=f"Quầy {letter}", unit=below)
    # The same code in both wards: only the unit tells them apart.
    official = Official(code="cb-01", name=f"Cán bộ {letter}", unit=unit)
    session.add_all([point, official])
    campaign = make_campaign(session, unit=unit)
    code = make_code(session, campaign)
    dossier = make_dossier(session, below, datetime(2026, 3, 2, 2, tzinfo=UTC))
    case = make_case(session, below)
    session.flush()
    return Ward(unit, below, point, official, campaign, code, dossier, case)


@pytest.fixture
def wards(db_session: Session) -> tuple[Ward, Ward]:
    district = make_unit(db_session, name="Quận Thử", kind=UnitKind.DISTRICT)
    sides = make_ward(db_session, district, "A"), make_ward(db_session, district, "B")
    db_session.commit()
    return sides


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def read_key(db_session: Session, wards: tuple[Ward, Ward]) -> str:
    """A key that may read ward A, its officials included."""
    _key, secret = create_key(
        db_session,
        None,
        wards[0].unit,
        "Bảng số liệu",
        can_read=True,
        can_write=False,
        can_read_officials=True,
    )
    db_session.commit()
    return secret
