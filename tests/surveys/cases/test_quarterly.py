"""A quarter's case figures on hand-built cases placed in time by the workflow."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from surveys.cases.quarterly import CaseQuarter, quarter_rollup, rolled_up
from surveys.cases.workflow import Action, Step, apply
from surveys.dossiers.timing import local_instant
from surveys.models import CaseRating, FeedbackCase, Role, Unit, User
from tests.builders import make_case, make_unit, make_user

#: Monday 2 March 2026, 9:00 in Vietnam: due ten working days on, 16 March 17:00.
MONDAY = local_instant(date(2026, 3, 2), 9 * 60)
#: Well after the first quarter, for "overdue now".
LATER = local_instant(date(2026, 7, 1), 9 * 60)


@pytest.fixture
def ward(db_session: Session) -> Unit:
    district = make_unit(db_session, code="Q", name="Quận")
    return make_unit(db_session, district, code="P1")


@pytest.fixture
def manager(db_session: Session, ward: Unit) -> User:
    return make_user(db_session, ward, Role.UNIT_MANAGER)


def answer(session: Session, case: FeedbackCase, manager: User, at: datetime) -> None:
    """Assign, start and answer ``case`` at ``at`` (no review)."""
    apply(session, case, Action.ASSIGN, manager, Step(handler=manager), now=at)
    apply(session, case, Action.START, manager, now=at)
    step = Step(text="Đã xử lý xong.")
    apply(session, case, Action.SUBMIT_ANSWER, manager, step, review=False, now=at)


def test_answered_on_the_due_day_is_on_time_and_a_day_later_is_not(
    db_session: Session, ward: Unit, manager: User
) -> None:
    on_day = make_case(db_session, ward, received=MONDAY)
    late = make_case(db_session, ward, received=MONDAY)
    assert on_day.due_at == local_instant(date(2026, 3, 16), 17 * 60)
    answer(db_session, on_day, manager, on_day.due_at)
    # Tuesday 17 March: one working day late.
    answer(db_session, late, manager, local_instant(date(2026, 3, 17), 10 * 60))

    figures = quarter_rollup(db_session, [ward.id], "2026-Q1", now=LATER)
    own = figures.own[ward.id]
    assert (own.received, own.answered, own.on_time) == (2, 2, 1)
    assert own.days_to_answer == (10, 11)
    assert own.median_days == 10.5
    assert own.on_time_rate.rate == 0.5 and own.on_time_rate.n == 2
    assert (own.overdue_now, own.overdue_at_end) == (0, 0)


def test_overdue_at_the_quarters_end_then_answered_next_quarter(
    db_session: Session, ward: Unit, manager: User
) -> None:
    case = make_case(db_session, ward, received=MONDAY)
    still_open = make_case(db_session, ward, received=MONDAY)
    # Received on the quarter's last day: not yet due at its end.
    make_case(db_session, ward, received=local_instant(date(2026, 3, 31), 9 * 60))
    answer(db_session, case, manager, local_instant(date(2026, 4, 10), 9 * 60))

    first = quarter_rollup(db_session, [ward.id], "2026-Q1", now=LATER).own[ward.id]
    assert (first.received, first.answered, first.overdue_at_end) == (3, 0, 2)
    # Overdue now: the two never answered.
    assert first.overdue_now == 2
    second = quarter_rollup(db_session, [ward.id], "2026-Q2", now=LATER).own[ward.id]
    assert (second.received, second.answered, second.on_time) == (0, 1, 0)
    assert second.overdue_at_end == 2
    assert still_open.resolved_at is None


def test_merged_duplicates_are_not_received_and_rejected_are_apart(
    db_session: Session, ward: Unit, manager: User
) -> None:
    kept = make_case(db_session, ward, received=MONDAY)
    duplicate = make_case(db_session, ward, received=MONDAY)
    refused = make_case(db_session, ward, received=MONDAY)
    at = MONDAY + timedelta(hours=2)
    apply(db_session, duplicate, Action.MERGE, manager, Step(target=kept), now=at)
    apply(db_session, refused, Action.REJECT, manager, Step(text="Trùng."), now=at)
    answer(db_session, kept, manager, at)

    own = quarter_rollup(db_session, [ward.id], "2026-Q1", now=LATER).own[ward.id]
    assert (own.received, own.answered, own.rejected) == (2, 1, 1)
    assert own.days_to_answer == (0,)


def test_satisfaction_is_withheld_under_five_ratings_but_n_is_shown(
    db_session: Session, ward: Unit, manager: User
) -> None:
    cases = [make_case(db_session, ward, received=MONDAY) for _ in range(5)]
    for case, score in zip(cases, (5, 4, 4, 2, 5), strict=True):
        answer(db_session, case, manager, MONDAY + timedelta(days=1))
        db_session.add(CaseRating(case_id=case.id, score=score))
    db_session.flush()
    db_session.delete(db_session.get(CaseRating, cases[0].id))
    db_session.flush()

    own = quarter_rollup(db_session, [ward.id], "2026-Q1", now=LATER).own[ward.id]
    shown = own.satisfaction
    assert (shown.count, shown.n, shown.rate, shown.withheld) == (None, 4, None, True)

    db_session.add(CaseRating(case_id=cases[0].id, score=5))
    db_session.flush()
    shown = quarter_rollup(db_session, [ward.id], "2026-Q1", now=LATER).own[ward.id]
    rate = shown.satisfaction
    assert (rate.count, rate.n, rate.rate) == (4, 5, 0.8)
    # R 4.5: prop.test(4, 5, correct = FALSE)$conf.int
    assert rate.low == pytest.approx(0.3755, abs=1e-4)
    assert rate.high == pytest.approx(0.9638, abs=1e-4)


def test_units_roll_up_to_their_parent_with_pooled_days(
    db_session: Session, ward: Unit, manager: User
) -> None:
    other = make_unit(db_session, ward.parent, code="P2")
    other_manager = make_user(db_session, other, Role.UNIT_MANAGER)
    for days in (1, 2, 3):
        case = make_case(db_session, ward, received=MONDAY)
        answer(db_session, case, manager, MONDAY + timedelta(days=days))
    case = make_case(db_session, other, received=MONDAY)
    answer(db_session, case, other_manager, local_instant(date(2026, 3, 20), 9 * 60))

    units = [ward.parent.id, ward.id, other.id]
    figures = quarter_rollup(db_session, units, "2026-Q1", now=LATER)
    district = figures.rolled[ward.parent.id]
    assert (district.received, district.answered, district.on_time) == (4, 4, 3)
    assert district.days_to_answer == (1, 2, 3, 14)
    # The pooled median, not the mean of the wards' medians (2 and 14).
    assert district.median_days == 2.5
    assert figures.own[ward.parent.id].received == 0
    assert figures.whole is not None and figures.whole.days_to_answer == (1, 2, 3, 14)


def test_roll_up_stops_at_units_outside_the_figures() -> None:
    own = {
        2: CaseQuarter(2, "2026-Q1", received=3),
        3: CaseQuarter(3, "2026-Q1", received=4),
    }
    rolled = rolled_up(own, {2: 1, 3: 2})
    assert (rolled[2].received, rolled[3].received) == (7, 4)
