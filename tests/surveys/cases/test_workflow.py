"""The case workflow: every step, who may take it, and the history it leaves."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.cases.citizen_view import citizen_status, rate_reply
from surveys.cases.events import history
from surveys.cases.refusals import CaseError
from surveys.cases.tracking import normalise
from surveys.cases.workflow import (
    RULES,
    Action,
    Step,
    apply,
    personal_data_hints,
    possible,
    published_answer,
)
from surveys.comments.personal_data import mask_personal_data
from surveys.dossiers.timing import local_instant
from surveys.models import AnswerState, CaseAnswer, CaseState, Role, Unit, User
from tests.builders import make_case, make_unit, make_user


@pytest.fixture
def ward(db_session: Session) -> Unit:
    district = make_unit(db_session, code="D", name="Quận")
    return make_unit(db_session, district)


def staff(session: Session, ward: Unit) -> tuple[User, User, User]:
    """The ward's manager, one of its officers (a handler) and a district user."""
    manager = make_user(session, ward, Role.UNIT_MANAGER)
    officer = make_user(session, ward, Role.VIEWER)
    district = make_user(session, ward.parent, Role.DISTRICT)
    return manager, officer, district


def test_tracking_codes_are_random_and_read_leniently(
    db_session: Session, ward: Unit
) -> None:
    one, two = make_case(db_session, ward), make_case(db_session, ward)
    assert one.tracking_code != two.tracking_code
    assert one.tracking_code.startswith("PA-") and len(one.tracking_code) == 14
    typed = one.tracking_code.lower().replace("-", " ").replace("0", "o")
    assert normalise(typed) == one.tracking_code
    assert normalise(one.tracking_code[3:]) == one.tracking_code
    assert normalise("PA-12345") is None
    assert normalise("PA-UUUUU-UUUUU") is None


def test_a_case_from_receipt_to_closing_leaves_its_history(
    db_session: Session, ward: Unit
) -> None:
    manager, officer, _ = staff(db_session, ward)
    case = make_case(db_session, ward)
    assert case.state == CaseState.RECEIVED
    apply(db_session, case, Action.ASSIGN, manager, Step(handler=officer))
    assert (case.state, case.handler_id) == (CaseState.ASSIGNED, officer.id)
    apply(db_session, case, Action.START, officer)
    apply(db_session, case, Action.SUBMIT_ANSWER, officer, Step(text="Đã xử lý."))
    assert case.state == CaseState.IN_PROGRESS
    assert published_answer(db_session, case) is None
    apply(db_session, case, Action.PUBLISH_ANSWER, manager)
    assert (case.state, case.outcome) == (CaseState.ANSWERED, "answered")
    assert published_answer(db_session, case).text == "Đã xử lý."
    assert case.on_time is True and case.working_days_to_resolve == 0
    apply(db_session, case, Action.CLOSE, manager)
    assert (case.state, case.outcome) == (CaseState.CLOSED, "answered")
    steps = [
        (e.kind, e.user_id, e.from_state, e.to_state)
        for e in history(db_session, case.id)
    ]
    assert steps == [
        ("created", None, None, "received"),
        ("assigned", manager.id, "received", "assigned"),
        ("started", officer.id, "assigned", "in_progress"),
        ("answer_submitted", officer.id, "in_progress", "in_progress"),
        ("answer_published", manager.id, "in_progress", "answered"),
        ("closed", manager.id, "answered", "closed"),
    ]


def test_an_answer_sent_back_is_not_published(db_session: Session, ward: Unit) -> None:
    manager, officer, _ = staff(db_session, ward)
    case = make_case(db_session, ward)
    apply(db_session, case, Action.ASSIGN, manager, Step(handler=officer))
    apply(db_session, case, Action.START, officer)
    apply(db_session, case, Action.SUBMIT_ANSWER, officer, Step(text="Bản nháp"))
    apply(db_session, case, Action.RETURN_ANSWER, manager, Step(text="Ghi rõ hơn"))
    with pytest.raises(CaseError):
        apply(db_session, case, Action.PUBLISH_ANSWER, manager)
    apply(db_session, case, Action.SUBMIT_ANSWER, officer, Step(text="Bản sửa"))
    apply(db_session, case, Action.PUBLISH_ANSWER, manager)
    answers = db_session.query(CaseAnswer).filter_by(case_id=case.id).all()
    assert [(a.text, a.state) for a in answers] == [("Bản sửa", AnswerState.PUBLISHED)]


def test_without_review_the_handlers_answer_is_published_at_once(
    db_session: Session, ward: Unit
) -> None:
    manager, officer, _ = staff(db_session, ward)
    case = make_case(db_session, ward)
    apply(db_session, case, Action.ASSIGN, manager, Step(handler=officer))
    apply(db_session, case, Action.START, officer)
    apply(
        db_session, case, Action.SUBMIT_ANSWER, officer, Step(text="Xong"), review=False
    )
    assert case.state == CaseState.ANSWERED
    assert published_answer(db_session, case).text == "Xong"


def test_every_step_refused_from_a_state_it_does_not_start_from(
    db_session: Session, ward: Unit
) -> None:
    *_, district = staff(db_session, ward)
    case = make_case(db_session, ward)
    for action, (states, _who) in RULES.items():
        if CaseState.RECEIVED in states:
            continue
        with pytest.raises(CaseError):
            apply(db_session, case, action, district, Step(text="x"))
    assert [e.kind for e in history(db_session, case.id)] == ["created"]


def test_who_may_do_what(db_session: Session, ward: Unit) -> None:
    manager, officer, district = staff(db_session, ward)
    other = make_user(db_session, make_unit(db_session, ward.parent), Role.UNIT_MANAGER)
    case = make_case(db_session, ward)
    assert Action.ASSIGN in possible(db_session, manager, case)
    assert possible(db_session, other, case) == []
    with pytest.raises(CaseError):
        apply(db_session, case, Action.ASSIGN, officer, Step(handler=officer))
    with pytest.raises(CaseError):  # a handler from another ward
        apply(db_session, case, Action.ASSIGN, manager, Step(handler=other))
    below = make_user(db_session, make_unit(db_session, ward), Role.VIEWER)
    with pytest.raises(CaseError):  # nor from below: their scope misses the case
        apply(db_session, case, Action.ASSIGN, manager, Step(handler=below))
    apply(db_session, case, Action.ASSIGN, manager, Step(handler=officer))
    assert possible(db_session, officer, case) == [
        Action.START,
        Action.WAIT,
        Action.NOTE,
    ]
    apply(db_session, case, Action.START, officer)
    apply(db_session, case, Action.SUBMIT_ANSWER, officer, Step(text="Trả lời"))
    with pytest.raises(CaseError):  # the handler does not publish their own answer
        apply(db_session, case, Action.PUBLISH_ANSWER, officer)
    apply(db_session, case, Action.PUBLISH_ANSWER, manager)
    with pytest.raises(CaseError):  # only the district reopens
        apply(db_session, case, Action.REOPEN, manager, Step(text="Chưa thỏa đáng"))
    apply(db_session, case, Action.REOPEN, district, Step(text="Chưa thỏa đáng"))
    assert (case.state, case.outcome, case.resolved_at) == (
        CaseState.IN_PROGRESS,
        None,
        None,
    )


def test_a_transfer_keeps_the_history_and_the_deadline(
    db_session: Session, ward: Unit
) -> None:
    manager, officer, _ = staff(db_session, ward)
    neighbour = make_unit(db_session, ward.parent)
    case = make_case(db_session, ward)
    due = case.due_at
    apply(db_session, case, Action.ASSIGN, manager, Step(handler=officer))
    with pytest.raises(CaseError):
        apply(db_session, case, Action.TRANSFER, manager, Step(unit=neighbour))
    apply(
        db_session, case, Action.TRANSFER, manager, Step(unit=neighbour, text="Địa bàn")
    )
    assert (case.unit_id, case.handler_id, case.state) == (
        neighbour.id,
        None,
        CaseState.RECEIVED,
    )
    assert case.due_at == due
    moved = history(db_session, case.id)[-1]
    assert (moved.kind, moved.from_unit_id, moved.to_unit_id) == (
        "transferred",
        ward.id,
        neighbour.id,
    )
    assert possible(db_session, manager, case) == []


def test_reject_refer_and_merge_resolve_with_a_public_reason(
    db_session: Session, ward: Unit
) -> None:
    manager, _, _ = staff(db_session, ward)
    rejected, referred, original, duplicate = (
        make_case(db_session, ward) for _ in range(4)
    )
    with pytest.raises(CaseError):
        apply(db_session, rejected, Action.REJECT, manager)
    apply(
        db_session,
        rejected,
        Action.REJECT,
        manager,
        Step(text="Không thuộc thẩm quyền"),
    )
    assert rejected.reject_reason == "Không thuộc thẩm quyền"
    assert history(db_session, rejected.id)[-1].public_note == "Không thuộc thẩm quyền"
    apply(db_session, referred, Action.REFER_OUT, manager, Step(body="Công an quận"))
    assert (referred.state, referred.referred_to) == (
        CaseState.REFERRED_OUT,
        "Công an quận",
    )
    with pytest.raises(CaseError):
        apply(db_session, duplicate, Action.MERGE, manager, Step(target=duplicate))
    apply(db_session, duplicate, Action.MERGE, manager, Step(target=original))
    assert (duplicate.state, duplicate.merged_into_id) == (
        CaseState.MERGED,
        original.id,
    )
    assert duplicate.on_time is None
    assert history(db_session, original.id)[-1].kind == "absorbed"


def test_waiting_for_the_citizen_is_a_flag_not_a_state(
    db_session: Session, ward: Unit
) -> None:
    manager, *_ = staff(db_session, ward)
    case = make_case(db_session, ward)
    apply(db_session, case, Action.WAIT, manager, Step(text="Xin số hồ sơ"))
    assert case.waiting_since is not None and case.state == CaseState.RECEIVED
    with pytest.raises(CaseError):
        apply(db_session, case, Action.WAIT, manager, Step(text="again"))
    apply(db_session, case, Action.RESUME, manager)
    assert case.waiting_since is None


def test_late_answer_across_tet_counts_its_working_days(
    db_session: Session, ward: Unit
) -> None:
    manager, officer, _ = staff(db_session, ward)
    # Received Wednesday 11/02/2026 at 9:00; Tết keeps offices closed 16–20/02.
    received = local_instant(date(2026, 2, 11), 9 * 60)
    case = make_case(db_session, ward, received=received)
    # Ten working days: 12, 13, 23, 24, 25, 26, 27/02, 2, 3, 4/03 — due 4/03 17:00.
    assert case.due_at == local_instant(date(2026, 3, 4), 17 * 60)
    assert case.received_quarter == "2026-Q1"
    apply(db_session, case, Action.ASSIGN, manager, Step(handler=officer))
    apply(db_session, case, Action.START, officer)
    apply(db_session, case, Action.SUBMIT_ANSWER, officer, Step(text="Trả lời"))
    late = case.due_at + timedelta(days=1)
    apply(db_session, case, Action.PUBLISH_ANSWER, manager, now=late)
    assert (case.on_time, case.working_days_to_resolve) == (False, 11)


def test_answers_are_checked_for_personal_data() -> None:
    assert personal_data_hints("Gọi 0903 123 456 hoặc a.b@x.vn, CCCD 079201001234") == [
        "phone",
        "email",
        "id",
    ]
    assert personal_data_hints("Đơn vị đã sửa đèn đường ngày 3/12.") == []


@pytest.mark.parametrize(
    ("text", "hints"),
    [
        ("CMND 023456789", ["id"]),  # a 9-digit ID number, no phone
        ("hồ sơ số 0123456789", []),  # no Vietnamese phone begins 01 now
        ("mã 123456789012", []),  # twelve digits, yet no citizen ID (no 0 first)
        ("gọi +84 28 3829 1234 đ/c Lan", ["phone"]),
        ("lệ phí 1.500.000đ, hẹn 12/03/2026", []),
    ],
)
def test_the_warning_sees_what_the_masks_hide(text: str, hints: list[str]) -> None:
    assert personal_data_hints(text) == hints
    assert bool(hints) == (mask_personal_data(text) != text)


def test_reopening_withdraws_the_reply_and_its_rating(
    db_session: Session, ward: Unit
) -> None:
    manager, officer, district = staff(db_session, ward)
    case = make_case(db_session, ward)
    apply(db_session, case, Action.ASSIGN, manager, Step(handler=officer))
    apply(db_session, case, Action.START, officer)
    apply(db_session, case, Action.SUBMIT_ANSWER, officer, Step(text="Lần một"))
    apply(db_session, case, Action.PUBLISH_ANSWER, manager)
    rate_reply(db_session, case, 2)
    case.escalated_at = case.due_at
    event = apply(db_session, case, Action.REOPEN, district, Step(text="Chưa đúng"))
    assert event.detail == {
        "reason": "Chưa đúng",
        "answers_withdrawn": 1,
        "rating_removed": 2,
    }
    assert (case.answered_at, case.escalated_at) == (None, None)
    status = citizen_status(db_session, case)
    assert (status.answer, status.rating) == ("", None)
    apply(db_session, case, Action.SUBMIT_ANSWER, officer, Step(text="Lần hai"))
    apply(db_session, case, Action.PUBLISH_ANSWER, manager)
    assert published_answer(db_session, case).text == "Lần hai"
    rate_reply(db_session, case, 4)  # the new reply is rated afresh
    states = db_session.scalars(
        select(CaseAnswer.state)
        .where(CaseAnswer.case_id == case.id)
        .order_by(CaseAnswer.id)
    ).all()
    assert states == [AnswerState.WITHDRAWN, AnswerState.PUBLISHED]
