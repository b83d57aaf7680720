"""A paper campaign: a short questionnaire with skip logic, a ward, its clerks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from surveys.access.codes import SampleDesign
from surveys.models import Campaign, PaperBatch, Role, Unit, User
from surveys.paper.batches import create_batch
from surveys.paper.entries import record_entry
from surveys.questionnaire.schema import build_questionnaire
from surveys.questionnaire.versions import store_questionnaire
from tests.builders import make_campaign, make_unit, make_user, unique

NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)
#: Keying one form takes this long in these tests.
KEYING = timedelta(seconds=95)


def paper_questionnaire() -> dict:
    """A visit question that skips the rating, an age with a range, a comment."""
    return {
        "key": unique("paper"),
        "version": "1",
        "languages": ["vi"],
        "title": {"vi": "Phiếu khảo sát hộ gia đình"},
        "questions": [
            {
                "name": "visited",
                "type": "select_one",
                "choices": "yes_no",
                "required": True,
                "label": {"vi": "Ông/Bà đã đến Bộ phận một cửa chưa?"},
            },
            {
                "name": "rating",
                "type": "rating",
                "relevant": "${visited} = 'yes'",
                "label": {"vi": "Ông/Bà hài lòng thế nào?"},
            },
            {
                "name": "age",
                "type": "integer",
                "constraint": ". >= 18 and . <= 120",
                "label": {"vi": "Tuổi"},
            },
            {"name": "comment", "type": "text", "label": {"vi": "Góp ý"}},
        ],
        "choices": {
            "yes_no": [
                {"name": "yes", "label": {"vi": "Có"}},
                {"name": "no", "label": {"vi": "Không"}},
            ]
        },
    }


@dataclass
class Paper:
    """A campaign, its ward, two clerks and a third user of the ward."""

    campaign: Campaign
    unit: Unit
    first: User
    second: User
    third: User


def make_paper(
    session: Session, role: str = Role.VIEWER, definition: dict | None = None
) -> Paper:
    """Store the campaign (of ``paper_questionnaire`` unless ``definition``),
    its ward and three users of ``role`` there."""
    questionnaire = build_questionnaire(definition or paper_questionnaire())
    stored = store_questionnaire(session, questionnaire).stored
    unit = make_unit(session)
    campaign = make_campaign(
        session, unit=unit, questionnaire=stored, mode="invitation", ends_on=None
    )
    first, second, third = (make_user(session, unit, role=role) for _ in range(3))
    return Paper(campaign, unit, first, second, third)


def make_batch(session: Session, paper: Paper, count: int = 3) -> PaperBatch:
    design = SampleDesign(stratum="urban", cluster="KP3", weight=12.5)
    return create_batch(
        session, paper.third, paper.campaign, paper.unit, count, design=design
    )


def key(session: Session, form, clerk: User, values: dict) -> None:
    """Key ``values`` into ``form`` as ``clerk``, in ``KEYING``."""
    record_entry(session, form, clerk, values, NOW - KEYING, NOW)
