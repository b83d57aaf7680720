"""The database itself protects the data: uniqueness, references, required values."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from surveys.models import Answer, Response, Unit, User
from tests.builders import (
    make_campaign,
    make_code,
    make_questionnaire,
    make_unit,
    new_response,
)


def assert_refused(session: Session, *objects: object) -> None:
    """Adding ``objects`` must fail at the database; the session stays usable."""
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add_all(objects)
        session.flush()


def test_unit_codes_are_unique(db_session: Session) -> None:
    make_unit(db_session, code="p-ben-nghe")
    assert_refused(db_session, Unit(code="p-ben-nghe", name="Khác", kind="ward"))


def test_unit_kind_must_be_known(db_session: Session) -> None:
    assert_refused(db_session, Unit(code="x1", name="X", kind="galaxy"))


def test_unit_parent_must_exist(db_session: Session) -> None:
    assert_refused(db_session, Unit(code="x2", name="X", kind="ward", parent_id=999999))


def test_required_values_are_not_null(db_session: Session) -> None:
    assert_refused(db_session, Unit(code="x3", name=None, kind="ward"))


def test_units_form_a_tree(db_session: Session) -> None:
    district = make_unit(db_session, kind="district", name="Quận 1")
    ward = make_unit(db_session, parent=district)
    db_session.expire_all()
    assert db_session.get(Unit, ward.id).parent.name == "Quận 1"
    assert [child.id for child in db_session.get(Unit, district.id).children] == [
        ward.id
    ]


def test_submission_id_is_unique_per_campaign(db_session: Session) -> None:
    first, second = make_campaign(db_session), make_campaign(db_session)
    db_session.add(new_response(first, submission_id="abc"))
    db_session.add(new_response(second, submission_id="abc"))  # another campaign: fine
    db_session.flush()
    assert_refused(db_session, new_response(first, submission_id="abc"))


def test_a_single_use_code_is_redeemed_once(db_session: Session) -> None:
    campaign = make_campaign(db_session)
    code = make_code(db_session, campaign)
    db_session.add(new_response(campaign, redeemed_code_id=code.id))
    db_session.flush()
    assert_refused(db_session, new_response(campaign, redeemed_code_id=code.id))


def test_standing_codes_take_many_responses(db_session: Session) -> None:
    campaign = make_campaign(db_session)
    code = make_code(db_session, campaign, kind="standing")
    db_session.add_all(
        [new_response(campaign, access_code_id=code.id) for _ in range(3)]
    )
    db_session.flush()
    count = len(db_session.scalars(select(Response.id)).all())
    assert count >= 3


def test_questionnaire_versions_are_unique_per_key(db_session: Session) -> None:
    make_questionnaire(db_session, key="sipas", version=1, checksum="a" * 64)
    make_questionnaire(db_session, key="sipas", version=2, checksum="b" * 64)
    with pytest.raises(IntegrityError), db_session.begin_nested():
        make_questionnaire(db_session, key="sipas", version=2, checksum="c" * 64)
    with pytest.raises(IntegrityError), db_session.begin_nested():
        make_questionnaire(db_session, key="sipas", version=3, checksum="a" * 64)


def test_campaign_period_must_not_end_before_it_starts(db_session: Session) -> None:
    with pytest.raises(IntegrityError), db_session.begin_nested():
        make_campaign(db_session, starts_on=date(2026, 6, 1), ends_on=date(2026, 1, 1))


def test_users_other_than_admin_need_a_unit(db_session: Session) -> None:
    assert_refused(db_session, User(username="u1", password_hash="x", role="viewer"))
    db_session.add(User(username="root", password_hash="x", role="admin"))
    db_session.flush()


def test_answers_are_one_per_question(db_session: Session) -> None:
    campaign = make_campaign(db_session)
    response = new_response(campaign)
    response.answers = [Answer(question="q1", value_num=5)]
    db_session.add(response)
    db_session.flush()
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.execute(
            insert(Answer).values(response_id=response.id, question="q1")
        )


def test_times_come_back_aware_in_utc(db_session: Session) -> None:
    campaign = make_campaign(db_session)
    moment = datetime(2026, 3, 8, 1, 2, 3, tzinfo=UTC)
    response = new_response(campaign, submitted_at=moment)
    db_session.add(response)
    db_session.flush()
    db_session.expire_all()
    assert db_session.get(Response, response.id).submitted_at == moment


def test_naive_times_are_refused(db_session: Session) -> None:
    campaign = make_campaign(db_session)
    db_session.add(new_response(campaign, submitted_at=datetime(2026, 1, 1)))
    with pytest.raises(StatementError, match="naive datetime"):
        db_session.flush()
