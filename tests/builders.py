"""Small builders for test data, so each test states only what matters to it."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from functools import cache
from pathlib import Path

from sqlalchemy.orm import Session

from surveys.access.code_state import load_code
from surveys.access.codes import new_token
from surveys.access.passwords import hash_password
from surveys.cases.events import Actor
from surveys.cases.intake import NewCase, create_case
from surveys.dossiers.rating_codes import issue_rating_codes
from surveys.dossiers.register import add_dossier
from surveys.local_time import local_date
from surveys.models import (
    PAPER_CHANNEL,
    AccessCode,
    Campaign,
    CaseCategory,
    CaseChannel,
    CodeKind,
    Dossier,
    FeedbackCase,
    Official,
    Procedure,
    Questionnaire,
    Response,
    Role,
    ServicePoint,
    Unit,
    UnitKind,
    User,
    utcnow,
)
from surveys.questionnaire import Questionnaire as QuestionnaireDefinition
from surveys.questionnaire import build_questionnaire
from surveys.questionnaire.loader import load_definition
from surveys.questionnaire.versions import shipped_template, store_questionnaire
from surveys.storage.recording import Submission, record_response, record_through

#: A field visit with time, datetime, geopoint and start/end/today questions.
FIELD_VISIT = Path(__file__).parent / "surveys/questionnaire/data/field_visit.yaml"
#: The password of every user made by ``make_user``.
PASSWORD = "correct horse battery"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def make_unit(session: Session, parent: Unit | None = None, **fields: object) -> Unit:
    values = {"code": unique("unit"), "name": "Phường Thử", "kind": UnitKind.WARD}
    unit = Unit(parent=parent, **(values | fields))
    session.add(unit)
    session.flush()
    return unit


@cache
def _password_hash() -> str:
    # argon2id is slow by design: hash once per test run, not once per user.
    return hash_password(PASSWORD)


def make_user(
    session: Session, unit: Unit | None, role: str = Role.UNIT_MANAGER, **fields: object
) -> User:
    """A staff login whose password is ``PASSWORD``."""
    values = {"username": unique("user"), "password_hash": _password_hash()}
    user = User(unit=unit, role=role, **(values | fields))
    session.add(user)
    session.flush()
    return user


def make_questionnaire(session: Session, **fields: object) -> Questionnaire:
    """Store a one-question questionnaire of a key of its own."""
    key = unique("q")
    definition = {
        "key": key,
        "languages": ["vi"],
        "title": {"vi": "Khảo sát thử"},
        "questions": [{"name": "overall", "type": "rating", "label": {"vi": "Chung"}}],
    }
    values = {
        "key": key,
        "version": 1,
        "title": "Khảo sát thử",
        "definition": definition,
        "checksum": uuid.uuid4().hex * 2,
    }
    questionnaire = Questionnaire(**(values | fields))
    session.add(questionnaire)
    session.flush()
    return questionnaire


def make_campaign(
    session: Session, unit: Unit | None = None, **fields: object
) -> Campaign:
    values = {
        "key": unique("campaign"),
        "name": "Đợt khảo sát thử",
        "questionnaire": make_questionnaire(session),
        "unit": unit or make_unit(session),
        "mode": "counter",
        "starts_on": date(2026, 1, 1),
    }
    campaign = Campaign(**(values | fields))
    session.add(campaign)
    session.flush()
    return campaign


def make_code(session: Session, campaign: Campaign, **fields: object) -> AccessCode:
    values = {
        "token": new_token(),
        "campaign": campaign,
        "unit": campaign.unit,
        "kind": CodeKind.SINGLE_USE,
    }
    code = AccessCode(**(values | fields))
    session.add(code)
    session.flush()
    return code


def new_response(campaign: Campaign, **fields: object) -> Response:
    """Return an unsaved response to ``campaign`` with a fresh submission id."""
    values = {
        "campaign_id": campaign.id,
        "questionnaire_id": campaign.questionnaire_id,
        "unit_id": campaign.unit_id,
        "channel": "counter",
        "submission_id": uuid.uuid4().hex,
        "content_hash": "0" * 64,
    }
    return Response(**(values | fields))


def record_on_paper(
    session: Session,
    campaign: Campaign,
    answers: dict[str, str],
    when: datetime,
    **code_fields: object,
) -> int:
    """Store a paper form's answers as its reconciliation does (a single-use
    code, channel ``paper``); return the response's id."""
    code = make_code(session, campaign, **code_fields)
    submission = Submission(code.token, unique("paper"), answers)
    recorded = record_through(
        session, load_code(session, code.token), submission, when, PAPER_CHANNEL
    )
    return recorded.response_id


def make_counter_campaign(
    session: Session, template: str = "counter", **fields: object
) -> tuple[Campaign, ServicePoint]:
    """A campaign of a shipped template at a ward counter staffed by two officials."""
    stored = store_questionnaire(session, shipped_template(template)).stored
    unit = make_unit(session)
    point = ServicePoint(code=unique("sp"), name="Quầy Tư pháp – Hộ tịch", unit=unit)
    point.officials = [
        Official(code=unique("cb"), name=name, unit=unit)
        for name in ("Nguyễn Văn An", "Trần Thị Bình")
    ]
    session.add(point)
    values = {
        "questionnaire": stored,
        "unit": unit,
        "starts_on": date(2026, 1, 1),
        # Open-ended: a fixed end date would close every test campaign one day.
        "ends_on": None,
    }
    campaign = make_campaign(session, **(values | fields))
    return campaign, point


def make_procedure(session: Session, **fields: object) -> Procedure:
    values = {
        "code": unique("tt"),
        "name": "Đăng ký khai sinh",
        "field": "Hộ tịch",
        "processing_days": 3,
    }
    procedure = Procedure(**(values | fields))
    session.add(procedure)
    session.flush()
    return procedure


def make_dossier(
    session: Session,
    unit: Unit,
    received_at: datetime,
    procedure: Procedure | None = None,
    **fields: object,
) -> Dossier:
    """A dossier of ``unit``, its due date computed unless ``due`` is given."""
    return add_dossier(
        session,
        unit=unit,
        code=str(fields.pop("code", unique("hs"))),
        procedure=procedure or make_procedure(session),
        received_at=received_at,
        **fields,  # type: ignore[arg-type]
    )


#: The key dossier codes are hashed with in tests that call the services directly.
DOSSIER_KEY = b"test dossier key"


def make_rated_dossier(
    session: Session,
    unit: Unit,
    overall: int,
    received_at: datetime,
    procedure: Procedure | None = None,
    **fields: object,
) -> Dossier:
    """A dossier of ``unit`` rated ``overall`` through its own rating code.

    A dossier campaign must cover the unit; ``fields`` as for ``make_dossier``.
    """
    dossier = make_dossier(session, unit, received_at, procedure, **fields)
    issue_rating_codes(
        session,
        DOSSIER_KEY,
        [unit.id],
        today=local_date(utcnow()),
        dossier_ids=[dossier.id],
    )
    submission = Submission(
        dossier.access_code.token, unique("s"), {"overall": str(overall)}
    )
    record_response(session, submission, utcnow())
    return dossier


def make_category(session: Session, **fields: object) -> CaseCategory:
    """A public, active case category."""
    values = {"code": unique("cat"), "name_vi": "Thái độ phục vụ", "name_en": "Service"}
    category = CaseCategory(**(values | fields))
    session.add(category)
    session.flush()
    return category


def make_case(
    session: Session,
    unit: Unit,
    category: CaseCategory | None = None,
    received: datetime | None = None,
    **fields: object,
) -> FeedbackCase:
    """A case received by the web form (now, unless ``received``)."""
    new = NewCase(
        text=str(fields.pop("text", "Cán bộ hẹn trả kết quả nhiều lần.")),
        category_id=(category or make_category(session)).id,
        channel=fields.pop("channel", CaseChannel.WEB),  # type: ignore[arg-type]
        unit_id=unit.id,
        received_at=received,
        **fields,  # type: ignore[arg-type]
    )
    return create_case(session, new, Actor.CITIZEN)


#: A household roster (a repeat with ``repeat_count``), for the repeat tests.
HOUSEHOLD = Path(__file__).resolve().parent / "data" / "household.yaml"


def household(*, counted: bool = True) -> QuestionnaireDefinition:
    """The household roster; ``counted=False``: rows added by hand, no count."""
    questionnaire = load_definition(HOUSEHOLD)
    if counted:
        return questionnaire
    data = questionnaire.to_dict()
    del data["questions"][1]["repeat_count"]
    return build_questionnaire(data | {"key": "household_free"})


def make_household_campaign(
    session: Session, *, counted: bool = True, **fields: object
) -> Campaign:
    """An interviewer campaign of the household roster at a ward of its own."""
    stored = store_questionnaire(session, household(counted=counted)).stored
    values = {"questionnaire": stored, "mode": "interviewer", "ends_on": None}
    return make_campaign(session, **(values | fields))
