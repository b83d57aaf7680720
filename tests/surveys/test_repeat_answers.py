"""A household roster's answers: stored once with their row, drafted, exported."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.models import Answer, Response
from surveys.questionnaire import InvalidAnswers
from surveys.storage.drafts import load_draft, save_draft
from surveys.storage.exports import RECORD_FIELDS, exported_responses, exported_rows
from surveys.storage.recording import Submission, record_response
from surveys.storage.tallies import catch_up
from tests.builders import make_code, make_household_campaign, unique

NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)
ROSTER = {
    "household_size": "3",
    "members": [
        {"member_name": "Lan", "age": "41"},
        {"member_name": "Minh", "age": "43", "relation": "spouse"},
        {"member_name": "An", "age": "9", "relation": "child"},
    ],
    "remarks": "Phỏng vấn tại nhà",
}


def _send(session: Session, token: str, answers: dict, submission_id: str):
    submission = Submission(token=token, submission_id=submission_id, answers=answers)
    return record_response(session, submission, NOW)


def test_rows_are_stored_once_with_their_position(db_session: Session) -> None:
    campaign = make_household_campaign(db_session)
    code = make_code(db_session, campaign)
    sent = unique("sub")
    recorded = _send(db_session, code.token, ROSTER, sent)
    again = _send(db_session, code.token, ROSTER, sent)
    assert recorded.created and not again.created
    assert again.response_id == recorded.response_id
    stored = {
        (a.question, a.position): a.value_text or a.value_num
        for a in db_session.scalars(
            select(Answer).where(Answer.response_id == recorded.response_id)
        )
    }
    assert stored == {
        ("household_size", 0): 3.0,
        ("oldest", 0): 43.0,
        ("remarks", 0): "Phỏng vấn tại nhà",
        ("member_name", 1): "Lan",
        ("age", 1): 41.0,
        ("member_name", 2): "Minh",
        ("age", 2): 43.0,
        ("relation", 2): "spouse",
        ("member_name", 3): "An",
        ("age", 3): 9.0,
        ("relation", 3): "child",
    }
    catch_up(db_session)  # the tallies read single answers only


def test_a_row_that_breaks_a_rule_stores_nothing(db_session: Session) -> None:
    campaign = make_household_campaign(db_session)
    code = make_code(db_session, campaign)
    answers = {**ROSTER, "household_size": "4"}
    with pytest.raises(InvalidAnswers) as caught:
        _send(db_session, code.token, answers, unique("sub"))
    assert set(caught.value.errors) == {"member_name[4]", "age[4]"}
    stored = select(Response.id).where(Response.campaign_id == campaign.id)
    assert db_session.scalars(stored).first() is None


def test_a_draft_keeps_the_rows(db_session: Session) -> None:
    campaign = make_household_campaign(db_session)
    code = make_code(db_session, campaign)
    save_draft(
        db_session, code, ROSTER, page=1, submission_id="s-1", started_at=NOW,
        now=NOW,
    )  # fmt: skip
    draft = load_draft(db_session, code)
    assert draft is not None and draft.answers["members"] == ROSTER["members"]


def test_the_export_gives_the_roster_as_a_table_of_its_own(
    db_session: Session,
) -> None:
    campaign = make_household_campaign(db_session)
    first = _send(db_session, make_code(db_session, campaign).token, ROSTER, "a" * 8)
    small = {"household_size": "1", "members": [{"member_name": "Hoa", "age": "70"}]}
    second = _send(db_session, make_code(db_session, campaign).token, small, "b" * 8)
    questions = ["household_size", "oldest", "member_name"]
    (responses,) = list(exported_responses(db_session, campaign.id, questions))
    assert list(responses[0]) == [first.response_id, second.response_id]
    second_answers = [column[1] for column in responses[len(RECORD_FIELDS) :]]
    assert second_answers == [1, 70, None]
    pages = list(
        exported_rows(db_session, campaign.id, ["member_name", "age", "relation"])
    )
    assert len(pages) == 1
    assert [(r.response_id, r.position, r.answers) for r in pages[0]] == [
        (first.response_id, 1, {"member_name": "Lan", "age": 41.0}),
        (
            first.response_id,
            2,
            {"member_name": "Minh", "age": 43.0, "relation": "spouse"},
        ),
        (first.response_id, 3, {"member_name": "An", "age": 9.0, "relation": "child"}),
        (second.response_id, 1, {"member_name": "Hoa", "age": 70.0}),
    ]


def test_each_row_answer_counts_towards_the_time_a_response_takes(
    db_session: Session,
) -> None:
    # 3 single answers and 8 in the rows: 11 answers need 16.5 s at least.
    campaign = make_household_campaign(db_session)
    code = make_code(db_session, campaign)
    submission = Submission(
        token=code.token,
        submission_id=unique("sub"),
        answers=ROSTER,
        started_at=NOW - timedelta(seconds=12),
    )
    recorded = record_response(db_session, submission, NOW)
    assert db_session.get(Response, recorded.response_id).flag_too_fast
