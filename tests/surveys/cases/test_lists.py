"""A unit's case lists: due soon over Tết by each rule's warning, overdue,
escalated to the parent (never to a sibling), mine, new, waiting, filtered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pytest
from sqlalchemy.orm import Session

from surveys.cases.case_lists import (
    CaseFilters,
    CaseList,
    list_cases,
    overdue_count,
    possible_handlers,
)
from surveys.cases.workflow import Action, Step, apply
from surveys.dossiers.calendar import load_calendar
from surveys.dossiers.timing import local_instant
from surveys.models import (
    CaseChannel,
    CaseDeadlineRule,
    FeedbackCase,
    Role,
    Unit,
    UnitKind,
    User,
)
from tests.builders import make_case, make_category, make_unit, make_user

#: Friday 13/02/2026 at 10:00, the last working day before Tết (16–20/02).
NOW = local_instant(date(2026, 2, 13), 10 * 60)
RECEIVED = local_instant(date(2026, 2, 2), 9 * 60)


def due(day: date) -> datetime:
    return local_instant(day, 17 * 60)


@dataclass
class World:
    district: Unit
    ward: Unit
    sibling: Unit
    manager: User
    officer: User


@pytest.fixture
def world(db_session: Session) -> World:
    district = make_unit(db_session, kind=UnitKind.DISTRICT, name="Quận")
    ward = make_unit(db_session, district, name="Phường A")
    sibling = make_unit(db_session, district, name="Phường B")
    manager = make_user(db_session, ward, Role.UNIT_MANAGER)
    officer = make_user(db_session, ward, Role.VIEWER)
    make_user(db_session, district, Role.DISTRICT)
    return World(district, ward, sibling, manager, officer)


def codes(
    session: Session, world: World, which: CaseList, unit: Unit, **kwargs: object
) -> set[str]:
    found = list_cases(
        session,
        which,
        unit.id,
        world.manager,
        NOW,
        load_calendar(session),
        **kwargs,  # type: ignore[arg-type]
    )
    return {case.tracking_code for case in found.cases}


def case_due(session: Session, unit: Unit, day: date, **fields: object) -> FeedbackCase:
    return make_case(session, unit, received=RECEIVED, due_at=due(day), **fields)


def test_due_soon_counts_working_days_over_tet(
    db_session: Session, world: World
) -> None:
    # Two working days from Friday 13/02 reach Tuesday 24/02: Tết is skipped.
    after_tet = case_due(db_session, world.ward, date(2026, 2, 23))
    later = case_due(db_session, world.ward, date(2026, 2, 25))
    late = case_due(db_session, world.ward, date(2026, 2, 12))
    soon = codes(db_session, world, CaseList.DUE_SOON, world.ward)
    assert soon == {after_tet.tracking_code}
    overdue = codes(db_session, world, CaseList.OVERDUE, world.ward)
    assert overdue == {late.tracking_code}
    assert later.tracking_code not in soon | overdue


def test_due_soon_follows_each_rule_s_warning(
    db_session: Session, world: World
) -> None:
    hurried = make_category(db_session)
    db_session.add(
        CaseDeadlineRule(category_id=hurried.id, working_days=5, warn_days=0)
    )
    db_session.flush()
    warned_late = case_due(db_session, world.ward, date(2026, 2, 23), category=hurried)
    today = case_due(db_session, world.ward, date(2026, 2, 13), category=hurried)
    default = case_due(db_session, world.ward, date(2026, 2, 23))
    soon = codes(db_session, world, CaseList.DUE_SOON, world.ward)
    assert soon == {today.tracking_code, default.tracking_code}
    assert warned_late.tracking_code not in soon


def test_overdue_cases_are_escalated_to_the_parent_not_to_a_sibling(
    db_session: Session, world: World
) -> None:
    late = case_due(db_session, world.ward, date(2026, 2, 12))
    case_due(db_session, world.ward, date(2026, 2, 25))
    assert codes(db_session, world, CaseList.ESCALATED, world.district) == {
        late.tracking_code
    }
    assert codes(db_session, world, CaseList.ESCALATED, world.sibling) == set()
    # The ward sees it as its own overdue case, not as escalated.
    assert codes(db_session, world, CaseList.ESCALATED, world.ward) == set()
    assert overdue_count(db_session, world.district.id, NOW) == 1
    assert overdue_count(db_session, world.sibling.id, NOW) == 0
    assert overdue_count(db_session, None, NOW) == 1


def test_new_mine_waiting_and_answered_cases(db_session: Session, world: World) -> None:
    new = case_due(db_session, world.ward, date(2026, 2, 25))
    mine = case_due(db_session, world.ward, date(2026, 2, 25))
    waiting = case_due(db_session, world.ward, date(2026, 2, 25))
    answered = case_due(db_session, world.ward, date(2026, 2, 12))
    for case in (mine, answered):
        apply(
            db_session, case, Action.ASSIGN, world.manager, Step(handler=world.manager)
        )
    apply(db_session, waiting, Action.WAIT, world.manager, Step(text="Xin ảnh chụp"))
    apply(db_session, answered, Action.START, world.manager)
    apply(db_session, answered, Action.SUBMIT_ANSWER, world.manager, Step(text="Xong"))
    apply(db_session, answered, Action.PUBLISH_ANSWER, world.manager)
    assert codes(db_session, world, CaseList.NEW, world.ward) == {
        new.tracking_code,
        waiting.tracking_code,
    }
    assert codes(db_session, world, CaseList.MINE, world.ward) == {mine.tracking_code}
    assert codes(db_session, world, CaseList.WAITING, world.ward) == {
        waiting.tracking_code
    }
    # Answered late, but answered: no longer overdue.
    assert codes(db_session, world, CaseList.OVERDUE, world.ward) == set()


def test_the_all_list_filters_and_pages(db_session: Session, world: World) -> None:
    other = make_category(db_session)
    web = case_due(db_session, world.ward, date(2026, 2, 25))
    letter = case_due(
        db_session,
        world.ward,
        date(2026, 2, 25),
        category=other,
        channel=CaseChannel.LETTER,
    )
    apart = case_due(db_session, world.sibling, date(2026, 2, 25))
    everything = codes(db_session, world, CaseList.ALL, world.ward)
    assert everything == {web.tracking_code, letter.tracking_code}
    by_channel = CaseFilters(channel=CaseChannel.LETTER)
    assert codes(db_session, world, CaseList.ALL, world.ward, filters=by_channel) == {
        letter.tracking_code
    }
    by_category = CaseFilters(category_id=other.id, quarter="2026-Q1")
    assert codes(db_session, world, CaseList.ALL, world.ward, filters=by_category) == {
        letter.tracking_code
    }
    assert (
        codes(
            db_session,
            world,
            CaseList.ALL,
            world.ward,
            filters=CaseFilters(state="closed"),
        )
        == set()
    )
    assert apart.tracking_code in codes(db_session, world, CaseList.ALL, world.district)
    page = list_cases(
        db_session,
        CaseList.ALL,
        world.ward.id,
        world.manager,
        NOW,
        load_calendar(db_session),
        page=99,
    )
    assert (page.page, page.pages, page.total) == (1, 1, 2)


def test_an_overdue_case_says_how_late_in_working_days(
    db_session: Session, world: World
) -> None:
    case_due(db_session, world.ward, date(2026, 2, 11))
    page = list_cases(
        db_session,
        CaseList.OVERDUE,
        world.ward.id,
        world.manager,
        NOW,
        load_calendar(db_session),
    )
    # Due Wednesday 11/02; Thursday 12 and Friday 13 have passed.
    assert [case.days_late for case in page.cases] == [2]


def test_handlers_are_the_unit_s_active_staff(
    db_session: Session, world: World
) -> None:
    make_user(db_session, world.sibling, Role.VIEWER)
    make_user(db_session, world.ward, Role.VIEWER, active=False)
    # Staff below the ward could not open its case: it goes down by a transfer.
    make_user(db_session, make_unit(db_session, world.ward), Role.VIEWER)
    above = make_user(db_session, world.ward.parent, Role.UNIT_MANAGER)
    found = possible_handlers(db_session, world.ward.id)
    assert {user.id for user in found} == {world.manager.id, world.officer.id, above.id}
