"""A rating's comment made a case: once, with where the rating came from."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys.cases.events import Actor
from surveys.cases.from_rating import (
    HIDDEN,
    case_from_response,
    may_offer_case,
    offers_case,
    rating_category,
)
from surveys.cases.refusals import CaseError
from surveys.comments.moderation import hide_comment
from surveys.models import CaseChannel, FeedbackCase, Role
from surveys.questionnaire.versions import shipped_template
from tests.builders import make_category, make_unit, make_user
from tests.surveys.cases.ratings import counter_rating, dossier_rating


def test_a_low_counter_rating_with_a_comment_becomes_one_case(
    db_session: Session,
) -> None:
    category = make_category(db_session)
    response = counter_rating(db_session, 1, "Chờ hai tiếng không ai tiếp.")
    assert offers_case(db_session, response)
    case = case_from_response(db_session, response, category, Actor.CITIZEN)
    assert case.channel == CaseChannel.RATING
    assert case.text == "Chờ hai tiếng không ai tiếp."
    assert (case.unit_id, case.service_point_id) == (
        response.unit_id,
        response.service_point_id,
    )
    assert case.response_id == response.id
    # Asked again (a second click): the same case, no other.
    again = case_from_response(db_session, response, category, Actor.CITIZEN)
    assert again.id == case.id
    count = select(func.count(FeedbackCase.id)).where(
        FeedbackCase.response_id == response.id
    )
    assert db_session.scalar(count) == 1


def test_a_dossier_rating_brings_its_dossier_and_procedure(
    db_session: Session,
) -> None:
    ward = make_unit(db_session)
    dossier, response = dossier_rating(db_session, ward, 2, "Trễ hẹn ba lần.")
    case = case_from_response(
        db_session, response, make_category(db_session), Actor.CITIZEN
    )
    assert (case.dossier_id, case.procedure_id) == (dossier.id, dossier.procedure_id)
    assert case.unit_id == ward.id


def test_only_a_low_rating_with_a_comment_is_offered(db_session: Session) -> None:
    category = make_category(db_session)
    satisfied = counter_rating(db_session, 4, "Cán bộ nhiệt tình.")
    silent = counter_rating(db_session, 1)
    assert not offers_case(db_session, satisfied)
    assert not offers_case(db_session, silent)
    with pytest.raises(CaseError):
        case_from_response(db_session, satisfied, category, Actor.CITIZEN)
    with pytest.raises(CaseError):
        case_from_response(db_session, silent, category, Actor.CITIZEN)
    # Staff may turn any comment into a case, whatever the rating.
    manager = make_user(db_session, make_unit(db_session), Role.UNIT_MANAGER)
    case = case_from_response(
        db_session, satisfied, category, Actor.STAFF, manager, low_only=False
    )
    assert case.created_by == manager.id


def test_the_case_text_is_the_comment_masked(db_session: Session) -> None:
    category = make_category(db_session)
    response = counter_rating(db_session, 1, "Gọi lại 0912 345 678 đ/c Lan giúp.")
    case = case_from_response(db_session, response, category, Actor.CITIZEN)
    assert case.text == "Gọi lại [đã ẩn số điện thoại] đ/c Lan giúp."


def test_a_hidden_comment_makes_no_case(db_session: Session) -> None:
    category = make_category(db_session)
    response = counter_rating(db_session, 1, "Lời lẽ xúc phạm, gọi 0912345678")
    manager = make_user(db_session, make_unit(db_session), Role.UNIT_MANAGER)
    hide_comment(db_session, response, "comment", manager, "Xúc phạm")
    assert not offers_case(db_session, response)
    with pytest.raises(CaseError) as refused:
        case_from_response(
            db_session, response, category, Actor.STAFF, manager, low_only=False
        )
    assert refused.value.message == HIDDEN
    count = select(func.count(FeedbackCase.id)).where(
        FeedbackCase.response_id == response.id
    )
    assert db_session.scalar(count) == 0


def test_the_rating_category_is_the_setting_or_the_first_public_one(
    db_session: Session,
) -> None:
    make_category(db_session, public=False)
    first = make_category(db_session)
    chosen = make_category(db_session, public=False)
    # Other tests' categories may exist: the first public one is the lowest id.
    assert rating_category(db_session).id <= first.id
    assert rating_category(db_session, chosen.code) == chosen
    with pytest.raises(CaseError):
        rating_category(db_session, "no-such-category")


def test_the_send_alone_tells_whether_to_offer_a_case() -> None:
    counter = shipped_template("counter")
    assert may_offer_case(counter, {"overall": 2, "comment": "Chờ lâu."})
    assert not may_offer_case(counter, {"overall": 3, "comment": "Chờ lâu."})
    assert not may_offer_case(counter, {"overall": 1, "comment": "  "})
    assert not may_offer_case(counter, {"overall": 1})
