"""Ratings with comments, as citizens leave them at a counter or for a dossier."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from surveys.dossiers.rating_codes import issue_rating_codes
from surveys.local_time import local_date
from surveys.models import CodeKind, Dossier, Response, Unit, utcnow
from surveys.questionnaire.versions import shipped_template, store_questionnaire
from surveys.storage.recording import Submission, record_response
from tests.builders import (
    DOSSIER_KEY,
    make_campaign,
    make_code,
    make_counter_campaign,
    make_dossier,
    unique,
)


def rate(session: Session, token: str, overall: int, comment: str = "") -> Response:
    answers = {"overall": str(overall)} | ({"comment": comment} if comment else {})
    recorded = record_response(
        session, Submission(token, unique("s"), answers), utcnow()
    )
    response = session.get(Response, recorded.response_id)
    assert response is not None
    return response


def counter_rating(session: Session, overall: int, comment: str = "") -> Response:
    """A rating of a ward's counter through the counter's standing code."""
    campaign, point = make_counter_campaign(session)
    code = make_code(
        session, campaign, service_point=point, unit=point.unit, kind=CodeKind.STANDING
    )
    return rate(session, code.token, overall, comment)


def dossier_rating(
    session: Session, ward: Unit, overall: int, comment: str = ""
) -> tuple[Dossier, Response]:
    """A dossier of ``ward`` rated through its own rating code."""
    stored = store_questionnaire(session, shipped_template("dossier")).stored
    make_campaign(
        session,
        unit=ward,
        mode="dossier",
        questionnaire=stored,
        starts_on=date(2026, 1, 1),
    )
    dossier = make_dossier(session, ward, utcnow() - timedelta(days=5))
    issue_rating_codes(
        session,
        DOSSIER_KEY,
        [ward.id],
        today=local_date(utcnow()),
        dossier_ids=[dossier.id],
    )
    return dossier, rate(session, dossier.access_code.token, overall, comment)
