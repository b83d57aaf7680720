"""Working days on real Vietnamese dates: Tết, Giỗ Tổ, swaps, the admin's changes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from surveys.dossiers.calendar import (
    WorkingCalendar,
    load_calendar,
    public_holiday_names,
)
from surveys.dossiers.timing import (
    DEFAULT_RULES,
    DeadlineRules,
    Timeliness,
    due_at,
    local_instant,
    month_key,
    rules_for,
    timeliness,
    working_days_late,
)
from surveys.models import DossierRules, DossierStatus, WorkingDayChange
from tests.builders import make_dossier, make_procedure, make_unit

CALENDAR = WorkingCalendar()


def vn(day: date, hour: int, minute: int = 0) -> datetime:
    """An instant at a Vietnam wall-clock time."""
    return local_instant(day, hour * 60 + minute)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 2, 13), True),  # Friday before Tết Bính Ngọ
        (date(2026, 2, 16), False),  # 29 Tết
        (date(2026, 2, 17), False),  # Mùng 1 Tết
        (date(2026, 2, 20), False),  # Mùng 4
        (date(2026, 2, 23), True),  # back to work
        (date(2025, 1, 27), False),  # 28 Tết Ất Tỵ
        (date(2025, 2, 3), True),
        (date(2025, 4, 7), False),  # Giỗ Tổ Hùng Vương, 10/3 lunar
        (date(2026, 4, 27), False),  # Giỗ Tổ on a Sunday: Monday off instead
        (date(2025, 4, 26), True),  # a make-up Saturday for 2 May
        (date(2025, 5, 2), False),  # the Friday it freed
        (date(2026, 9, 2), False),  # Quốc khánh
        (date(2026, 3, 7), False),  # an ordinary Saturday
        (date(2026, 3, 9), True),  # an ordinary Monday
    ],
)
def test_days_off_follow_the_lunar_and_the_solar_holidays(
    day: date, working: bool
) -> None:
    assert CALENDAR.is_working(day) is working


def test_a_dossier_received_before_tet_is_due_after_it() -> None:
    # Friday 13/02/2026, 3 working days: the week of Tết does not count.
    due = due_at(vn(date(2026, 2, 13), 9, 30), 3, CALENDAR)
    assert due == vn(date(2026, 2, 25), 17)


def test_a_dossier_received_on_a_day_off_counts_from_the_next_working_day() -> None:
    # Received online on Mùng 2 Tết Ất Tỵ (30/01/2025), one working day.
    due = due_at(vn(date(2025, 1, 30), 20), 1, CALENDAR)
    assert due == vn(date(2025, 2, 4), 17)


def test_an_afternoon_receipt_counts_from_the_next_day_when_the_unit_says_so() -> None:
    monday = date(2026, 3, 9)
    afternoon = vn(monday, 15, 30)
    assert due_at(afternoon, 1, CALENDAR) == vn(date(2026, 3, 10), 17)
    cutoff_at_three = DeadlineRules(cutoff_minute=15 * 60, due_minute=11 * 60 + 30)
    assert due_at(afternoon, 1, CALENDAR, cutoff_at_three) == vn(
        date(2026, 3, 11), 11, 30
    )
    morning = vn(monday, 8)
    assert due_at(morning, 0, CALENDAR, cutoff_at_three) == vn(monday, 11, 30)


def test_the_admins_changes_win_over_the_package() -> None:
    saturday = date(2026, 3, 7)
    monday = date(2026, 3, 9)
    calendar = WorkingCalendar({saturday: True, monday: False})
    assert calendar.is_working(saturday)
    assert not calendar.is_working(monday)
    # Friday + 1 working day is the make-up Saturday; + 2 skips the day off.
    assert calendar.add_working_days(date(2026, 3, 6), 1) == saturday
    assert calendar.add_working_days(date(2026, 3, 6), 2) == date(2026, 3, 10)


def test_timeliness_and_late_days_count_working_days() -> None:
    due = vn(date(2026, 2, 13), 17)
    assert timeliness(due, vn(date(2026, 2, 12), 10)) is Timeliness.EARLY
    assert timeliness(due, vn(date(2026, 2, 13), 16, 59)) is Timeliness.ON_TIME
    assert timeliness(due, vn(date(2026, 2, 13), 17, 30)) is Timeliness.LATE
    assert working_days_late(due, vn(date(2026, 2, 13), 16), CALENDAR) == 0
    assert working_days_late(due, vn(date(2026, 2, 12), 16), CALENDAR) == -1
    # Early across a weekend: Thursday is two working days before Monday.
    monday = vn(date(2026, 3, 9), 17)
    assert working_days_late(monday, vn(date(2026, 3, 5), 9), CALENDAR) == -2
    assert working_days_late(due, vn(date(2026, 2, 13), 17, 30), CALENDAR) == 1
    # Returned on the first day back after Tết: one working day late, not ten.
    assert working_days_late(due, vn(date(2026, 2, 23), 9), CALENDAR) == 1
    assert working_days_late(due, vn(date(2026, 2, 25), 9), CALENDAR) == 3


def test_months_are_vietnam_months() -> None:
    # 31/03 at 23:30 in Hà Nội is still March there, April nowhere else.
    late_evening = vn(date(2026, 3, 31), 23, 30)
    assert late_evening.astimezone(UTC).day == 31
    assert month_key(late_evening) == "2026-03"
    assert month_key(vn(date(2026, 4, 1), 0, 30)) == "2026-04"


def test_holiday_names_are_vietnamese() -> None:
    names = public_holiday_names(2026)
    assert names[date(2026, 2, 17)] == "Tết Nguyên Đán"


def test_changes_and_rules_are_read_from_the_database(db_session: Session) -> None:
    district = make_unit(db_session)
    ward = make_unit(db_session, parent=district)
    db_session.add(WorkingDayChange(day=date(2026, 3, 9), working=False, note="x"))
    db_session.flush()
    assert not load_calendar(db_session).is_working(date(2026, 3, 9))
    assert rules_for(db_session, ward) == DEFAULT_RULES
    db_session.add(DossierRules(unit_id=district.id, cutoff_minute=900, due_minute=960))
    db_session.flush()
    assert rules_for(db_session, ward) == DeadlineRules(900, 960)


def test_a_registered_dossier_carries_its_due_date_and_lateness(
    db_session: Session,
) -> None:
    unit = make_unit(db_session)
    procedure = make_procedure(db_session, processing_days=3)
    late = make_dossier(
        db_session,
        unit,
        vn(date(2026, 2, 13), 9),
        procedure,
        returned_at=vn(date(2026, 2, 26), 10),
        status=DossierStatus.RETURNED,
    )
    assert late.due_at == vn(date(2026, 2, 25), 17)
    assert late.due_computed
    assert late.working_days_late == 1
    assert (late.received_month, late.returned_month) == ("2026-02", "2026-02")
    given = make_dossier(
        db_session,
        unit,
        vn(date(2026, 3, 2), 9),
        procedure,
        due=vn(date(2026, 3, 3), 11),
    )
    assert given.due_at == vn(date(2026, 3, 3), 11)
    assert not given.due_computed
    assert given.working_days_late is None
    assert given.returned_month is None
