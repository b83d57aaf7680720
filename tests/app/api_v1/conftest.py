"""Two wards of one district, each with a unit below, a counter, an official, a
campaign of a questionnaire of its own, an access code, a dossier and a feedback
case, and keys made for ward A."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
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
from surveys.storage.recording import Submission, record_response
from tests.builders import (
    make_campaign,
    make_case,
    make_code,
    make_counter_campaign,
    make_dossier,
    make_unit,
    unique,
)

#: When the first rating of ``make_rated_ward`` was given (Monday 9:00, Vietnam).
START = datetime(2026, 4, 6, 2, 0, tzinfo=UTC)


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


def make_rated_ward(session: Session, parent: Unit, ratings: int = 30) -> Ward:
    """A ward below ``parent`` whose counter campaign has ``ratings`` ratings
    (seeded), half of them of an official: results with real numbers."""
    rng = np.random.default_rng(7)
    campaign, point = make_counter_campaign(session)
    campaign.unit.parent = parent
    code = make_code(session, campaign, kind="standing", service_point=point)
    official = sorted(point.officials, key=lambda o: o.code)[0]
    for number in range(ratings):
        answers = {"overall": str(rng.integers(1, 6))}
        if number % 2:
            answers |= {
                "official": official.code,
                "official_rating": str(rng.integers(2, 6)),
            }
        when = START + timedelta(hours=number)
        record_response(session, Submission(code.token, unique("s"), answers), when)
    unit = campaign.unit
    dossier = make_dossier(session, unit, START)
    case = make_case(session, unit)
    return Ward(unit, unit, point, official, campaign, code, dossier, case)


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
