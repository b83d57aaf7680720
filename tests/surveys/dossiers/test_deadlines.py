"""Deadlines lists: open dossiers overdue now, and due within N working days."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from surveys.dossiers.calendar import WorkingCalendar
from surveys.dossiers.deadlines import (
    PAGE_SIZE,
    deadline_counts,
    due_within,
    horizon,
    overdue_now,
)
from surveys.dossiers.timing import local_instant
from surveys.models import DossierStatus, Unit, WorkingDayChange
from tests.builders import make_dossier, make_procedure, make_unit

CALENDAR = WorkingCalendar()


def vn(day: date, hour: int = 17) -> datetime:
    return local_instant(day, hour * 60)


def due(session: Session, unit: Unit, day: date, **fields: object) -> str:
    """Register an open dossier of ``unit`` due at 17:00 on ``day``; its code."""
    dossier = make_dossier(
        session, unit, vn(date(2026, 1, 5), 8), due=vn(day), **fields
    )
    return dossier.code


def test_due_within_two_working_days_reaches_over_tet() -> None:
    # Friday 13/02/2026; Tết Bính Ngọ keeps offices closed 16-20/02.
    friday = vn(date(2026, 2, 13), 10)
    assert horizon(friday, 2, CALENDAR) == local_instant(date(2026, 2, 25), 0)
    assert horizon(friday, 0, CALENDAR) == local_instant(date(2026, 2, 14), 0)


def test_due_within_one_working_day_reaches_over_a_weekend() -> None:
    friday = vn(date(2026, 3, 6), 10)
    assert horizon(friday, 1, CALENDAR) == local_instant(date(2026, 3, 10), 0)
    # On a Saturday, the next working day is Monday.
    saturday = vn(date(2026, 3, 7), 10)
    assert horizon(saturday, 1, CALENDAR) == local_instant(date(2026, 3, 10), 0)


def test_a_day_the_admin_gave_off_is_skipped() -> None:
    calendar = WorkingCalendar({date(2026, 3, 9): False})
    friday = vn(date(2026, 3, 6), 10)
    assert horizon(friday, 1, calendar) == local_instant(date(2026, 3, 11), 0)


def test_lists_and_counts_around_tet(db_session: Session) -> None:
    ward, other = make_unit(db_session), make_unit(db_session)
    late_old = due(db_session, ward, date(2026, 2, 10))
    late_new = due(db_session, ward, date(2026, 2, 12))
    today = due(db_session, ward, date(2026, 2, 13))
    after_tet = due(db_session, ward, date(2026, 2, 24))
    due(db_session, ward, date(2026, 2, 25))  # three working days on: not soon
    waiting = due(
        db_session, ward, date(2026, 2, 11), status=DossierStatus.NEEDS_DOCUMENTS
    )
    # Returned or withdrawn dossiers are no longer anyone's deadline.
    due(
        db_session,
        ward,
        date(2026, 2, 10),
        status=DossierStatus.RETURNED,
        returned_at=vn(date(2026, 2, 12)),
    )
    due(db_session, ward, date(2026, 2, 10), status=DossierStatus.WITHDRAWN)
    elsewhere = due(db_session, other, date(2026, 2, 9))
    now = vn(date(2026, 2, 13), 10)
    until = horizon(now, 2, CALENDAR)

    overdue = overdue_now(db_session, [ward.id], now, CALENDAR)
    assert [d.code for d in overdue.dossiers] == [late_old, waiting, late_new]
    assert (overdue.total, overdue.page, overdue.pages) == (3, 1, 1)
    # Due Tuesday 10/02 17:00: Wednesday, Thursday and Friday 13/02 are late.
    assert [d.days_late for d in overdue.dossiers] == [3, 2, 1]
    soon = due_within(db_session, [ward.id], now, until, CALENDAR)
    assert [d.code for d in soon.dossiers] == [today, after_tet]
    # Due today: 0 working days left; due 24/02: the two working days after Tết.
    assert [d.days_late for d in soon.dossiers] == [0, -2]
    first = soon.dossiers[0]
    assert (first.unit_code, first.procedure_name) == (ward.code, "Đăng ký khai sinh")

    counts = deadline_counts(db_session, [ward.id, other.id], now, until)
    assert {unit: (c.overdue, c.due_soon) for unit, c in counts.items()} == {
        ward.id: (3, 2),
        other.id: (1, 0),
    }
    both = overdue_now(db_session, [ward.id, other.id], now, CALENDAR)
    assert both.dossiers[0].code == elsewhere


def test_the_admins_make_up_day_counts_in_the_lists(db_session: Session) -> None:
    ward = make_unit(db_session)
    saturday = due(db_session, ward, date(2026, 3, 14))
    monday = due(db_session, ward, date(2026, 3, 16))
    db_session.add(WorkingDayChange(day=date(2026, 3, 14), working=True))
    db_session.flush()
    calendar = WorkingCalendar({date(2026, 3, 14): True})
    now = vn(date(2026, 3, 13), 10)
    soon = due_within(db_session, [ward.id], now, horizon(now, 1, calendar), calendar)
    assert [d.code for d in soon.dossiers] == [saturday]
    assert monday not in [d.code for d in soon.dossiers]


def test_long_lists_come_a_page_at_a_time(db_session: Session) -> None:
    ward = make_unit(db_session)
    procedure = make_procedure(db_session)
    codes = [
        make_dossier(
            db_session,
            ward,
            vn(date(2026, 1, 5), 8),
            procedure,
            due=vn(date(2026, 1, 6), 8 + number % 8),
            code=f"HS-{number:03d}",
        ).code
        for number in range(PAGE_SIZE + 3)
    ]
    now = vn(date(2026, 2, 2), 10)
    first = overdue_now(db_session, [ward.id], now, CALENDAR)
    second = overdue_now(db_session, [ward.id], now, CALENDAR, page=2)
    assert (first.total, first.pages, len(first.dossiers)) == (PAGE_SIZE + 3, 2, 50)
    assert len(second.dossiers) == 3 and second.page == 2
    listed = [d.code for d in first.dossiers + second.dossiers]
    assert sorted(listed) == sorted(codes)
    due_times = [d.due_at for d in first.dossiers + second.dossiers]
    assert due_times == sorted(due_times)
    # A page past the end shows the last one.
    assert overdue_now(db_session, [ward.id], now, CALENDAR, page=9).page == 2
