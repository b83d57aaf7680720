"""Apology letters: which dossiers owe one, drafting and numbering, the counts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from surveys.access.scope import Scope
from surveys.db import make_engine, make_session_factory
from surveys.dossiers.calendar import WorkingCalendar
from surveys.dossiers.letters import (
    HAS_LETTER,
    NEW_DATE_OFF,
    NEW_DATE_PASSED,
    NEW_DATE_TOO_EARLY,
    NO_REASON,
    NO_SIGNER,
    NOT_LATE,
    UNKNOWN_REASON,
    LetterError,
    LetterFilter,
    default_new_return_on,
    late_dossiers,
    letter_counts,
    printed_letters,
    reference,
)
from surveys.local_time import local_date
from surveys.models import (
    ApologyLetter,
    AuditEvent,
    Dossier,
    DossierStatus,
    Role,
    Unit,
    UnitKind,
)
from surveys.translatable import Message
from tests.at_once import run_at_once
from tests.builders import make_procedure, make_unit, make_user
from tests.conftest import impatient_engine
from tests.surveys.dossiers.late import (
    DRAFT,
    DUE_DAY,
    MONDAY,
    NOW,
    add_applicant,
    at,
    letter_for,
    returned,
    still_open,
)

CALENDAR = WorkingCalendar()


def manager(unit: Unit) -> Scope:
    return Scope(Role.UNIT_MANAGER, unit.id)


def codes(session: Session, unit: Unit, shown: LetterFilter) -> list[str]:
    page = late_dossiers(session, manager(unit), unit, NOW, shown)
    return [row.code for row in page.rows]


def test_dossiers_returned_late_or_open_past_due_owe_a_letter(
    db_session: Session,
) -> None:
    district = make_unit(db_session, name="Quận Thử", kind=UnitKind.DISTRICT)
    ward = make_unit(db_session, district)
    other = make_unit(db_session, district)
    days = make_procedure(db_session, processing_days=3)
    returned(db_session, ward, days, date(2026, 3, 4), code="early")
    returned(db_session, ward, days, DUE_DAY, code="on-time")
    returned(db_session, ward, days, date(2026, 3, 9), code="late")
    still_open(db_session, ward, days, code="open-overdue")
    # Received on Monday 30/03, due on Thursday 02/04: not overdue on 01/04.
    still_open(db_session, ward, days, date(2026, 3, 30), code="open-in-time")
    withdrawn = still_open(db_session, ward, days, code="withdrawn")
    withdrawn.status = DossierStatus.WITHDRAWN
    returned(db_session, other, days, date(2026, 3, 10), code="other-late")
    db_session.flush()

    assert codes(db_session, ward, LetterFilter.ALL) == ["late", "open-overdue"]
    assert codes(db_session, district, LetterFilter.ALL) == [
        "late",
        "open-overdue",
        "other-late",
    ]
    late = db_session.scalar(select(Dossier).where(Dossier.code == "late"))
    letter_for(db_session, late)
    assert codes(db_session, ward, LetterFilter.MISSING) == ["open-overdue"]
    assert codes(db_session, ward, LetterFilter.UNSENT) == ["late"]
    assert codes(db_session, ward, LetterFilter.SENT) == []
    row = late_dossiers(db_session, manager(ward), ward, NOW, LetterFilter.UNSENT)
    assert row.rows[0].letter is not None
    assert row.rows[0].letter.reference == reference(ward.code, 1)
    assert row.rows[0].working_days_late == 2


def test_only_managers_read_the_applicants_name(db_session: Session) -> None:
    ward = make_unit(db_session)
    late = returned(db_session, ward, make_procedure(db_session), date(2026, 3, 9))
    add_applicant(db_session, late, "Trần Văn Riêng Tư")
    for role, shown in (
        (Role.UNIT_MANAGER, "Trần Văn Riêng Tư"),
        (Role.DISTRICT, "Trần Văn Riêng Tư"),
        (Role.VIEWER, None),
    ):
        page = late_dossiers(db_session, Scope(role, ward.id), ward, NOW)
        assert [row.applicant for row in page.rows] == [shown]


def test_letters_are_numbered_per_unit_and_year(db_session: Session) -> None:
    ward, other = make_unit(db_session), make_unit(db_session)
    days = make_procedure(db_session)
    user = make_user(db_session, ward)
    first, second = (
        letter_for(db_session, returned(db_session, ward, days, back), user)
        for back in (date(2026, 3, 9), date(2026, 3, 10))
    )
    elsewhere = letter_for(
        db_session, returned(db_session, other, days, DUE_DAY + timedelta(days=4))
    )
    next_year = letter_for(
        db_session,
        returned(db_session, ward, days, date(2026, 3, 11)),
        now=at(date(2027, 1, 4)),
        new_return_on=date(2027, 1, 6),
    )
    assert [(letter.year, letter.number) for letter in (first, second)] == [
        (2026, 1),
        (2026, 2),
    ]
    assert (elsewhere.year, elsewhere.number) == (2026, 1)
    assert (next_year.year, next_year.number) == (2027, 1)
    assert first.issued_on == local_date(NOW) and first.created_by == user.id
    event = db_session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "letter_drafted",
            AuditEvent.object_id == str(first.id),
        )
    )
    assert event is not None and event.user_id == user.id
    assert event.detail["reference"] == f"1/PXL-{ward.code.upper()}"


def test_a_dossier_in_time_or_with_a_letter_gets_none(db_session: Session) -> None:
    ward = make_unit(db_session)
    days = make_procedure(db_session)
    on_time = returned(db_session, ward, days, DUE_DAY)
    with pytest.raises(LetterError) as refused:
        letter_for(db_session, on_time)
    assert refused.value.message == NOT_LATE
    late = returned(db_session, ward, days, date(2026, 3, 9))
    letter_for(db_session, late)
    with pytest.raises(LetterError) as again:
        letter_for(db_session, late)
    assert again.value.message.msgid == HAS_LETTER.msgid
    assert again.value.message.params == {"reference": reference(ward.code, 1)}


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"reason_code": None, "reason_text": "  "}, NO_REASON),
        ({"reason_code": "tired"}, UNKNOWN_REASON),
        ({"signer_title": " "}, NO_SIGNER),
        ({"new_return_on": date(2026, 3, 4)}, NEW_DATE_TOO_EARLY),
        ({"new_return_on": date(2026, 3, 31)}, NEW_DATE_PASSED),
        ({"new_return_on": date(2026, 4, 11)}, NEW_DATE_OFF),  # a Saturday
    ],
)
def test_an_incomplete_or_impossible_draft_is_refused(
    db_session: Session, changes: dict[str, object], why: Message
) -> None:
    ward = make_unit(db_session)
    overdue = still_open(db_session, ward, make_procedure(db_session))
    with pytest.raises(LetterError) as refused:
        letter_for(db_session, overdue, **changes)
    assert refused.value.message == why
    assert db_session.scalar(select(ApologyLetter.id)) is None


def test_a_written_reason_alone_will_do(db_session: Session) -> None:
    ward = make_unit(db_session)
    overdue = still_open(db_session, ward, make_procedure(db_session))
    letter = letter_for(
        db_session, overdue, reason_code=None, reason_text=" Mất điện cả tuần "
    )
    assert (letter.reason_code, letter.reason_text) == (None, "Mất điện cả tuần")


def test_the_new_return_date_is_proposed_in_working_days(db_session: Session) -> None:
    ward = make_unit(db_session)
    days = make_procedure(db_session, processing_days=3)
    overdue = still_open(db_session, ward, days, date(2026, 2, 2))
    # From Friday 13/02/2026, three working days skip the week of Tết.
    assert default_new_return_on(overdue, CALENDAR, date(2026, 2, 13)) == date(
        2026, 2, 25
    )
    # Asked on the Saturday: counted from the next working day, Monday 23/02.
    assert default_new_return_on(overdue, CALENDAR, date(2026, 2, 14)) == date(
        2026, 2, 26
    )
    back = returned(db_session, ward, days, date(2026, 3, 9))
    assert default_new_return_on(back, CALENDAR, date(2026, 4, 1)) == date(2026, 3, 9)


def test_a_return_on_a_day_off_is_the_letters_date(db_session: Session) -> None:
    ward = make_unit(db_session)
    sunday = date(2026, 3, 8)
    back = returned(db_session, ward, make_procedure(db_session), sunday)
    proposed = default_new_return_on(back, CALENDAR, local_date(NOW))
    assert proposed == sunday
    assert letter_for(db_session, back, new_return_on=proposed).new_return_on == sunday


def test_what_a_letter_prints_comes_from_its_dossier_and_unit(
    db_session: Session,
) -> None:
    district = make_unit(db_session, name="Quận 1", kind=UnitKind.DISTRICT)
    ward = make_unit(db_session, district, name="Phường Bến Nghé")
    days = make_procedure(db_session, name="Chứng thực bản sao từ bản chính")
    late = returned(db_session, ward, days, date(2026, 3, 9), code="HS-0001")
    add_applicant(db_session, late, "Phạm Thị Lưu")
    [printed] = printed_letters(db_session, [letter_for(db_session, late)])
    assert printed.place == "Quận 1"
    assert (printed.issuer_parent, printed.issuer) == ("Quận 1", "Phường Bến Nghé")
    assert printed.applicant_name == "Phạm Thị Lưu"
    assert printed.dossier_code == "HS-0001"
    assert printed.procedure == "Chứng thực bản sao từ bản chính"
    assert printed.reason is not None
    assert printed.reason.msgid == "Phải lấy ý kiến của cơ quan, đơn vị liên quan"
    assert printed.reason_text == DRAFT.reason_text
    assert printed.reference == f"1/PXL-{ward.code.upper()}"


def test_counts_of_late_dossiers_and_letters_per_unit(db_session: Session) -> None:
    district = make_unit(db_session, name="Quận Thử", kind=UnitKind.DISTRICT)
    ward_a = make_unit(db_session, district, name="Phường A")
    ward_b = make_unit(db_session, district, name="Phường Bê")
    days = make_procedure(db_session)
    returned(db_session, ward_a, days, DUE_DAY)  # in time: not counted
    still_open(db_session, ward_a, days)  # overdue, no letter
    unsent = returned(db_session, ward_a, days, date(2026, 3, 9))
    letter_for(db_session, unsent)
    # Returned on Monday 09/03 at 10:00; one letter handed over that afternoon,
    # one sent on the Tuesday.
    with_result = returned(db_session, ward_b, days, date(2026, 3, 9))
    afterwards = returned(db_session, ward_b, days, date(2026, 3, 9))
    for dossier, sent_at in (
        (with_result, at(date(2026, 3, 9), 15)),
        (afterwards, at(date(2026, 3, 10))),
    ):
        letter = letter_for(db_session, dossier, now=at(date(2026, 3, 6)))
        letter.sent_at = sent_at
    db_session.flush()

    counts = letter_counts(db_session, district, NOW)
    assert [
        (row.unit_name, row.late, row.without_letter, row.unsent, row.sent_after_return)
        for row in counts
    ] == [("Phường A", 2, 1, 1, 0), ("Phường Bê", 2, 0, 0, 1)]
    assert [row.unit_name for row in letter_counts(db_session, ward_b, NOW)] == [
        "Phường Bê"
    ]


def test_letters_drafted_at_once_get_distinct_numbers(fresh_database_url: str) -> None:
    writers, each = 4, 5
    engine = make_engine(fresh_database_url, pool_size=writers, max_overflow=0)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        ward = make_unit(session)
        days = make_procedure(session)
        ids = [still_open(session, ward, days).id for _ in range(writers * each)]
    errors: list[BaseException] = []

    def draft(mine: list[int]) -> None:
        for dossier_id in mine:
            try:
                with factory.begin() as session:
                    letter_for(session, session.get_one(Dossier, dossier_id))
            except BaseException as error:  # reported below, in the test's thread
                errors.append(error)

    run_at_once(draft, [ids[i::writers] for i in range(writers)])
    with factory() as session:
        numbers = sorted(session.scalars(select(ApologyLetter.number)))
    engine.dispose()
    assert errors == []
    assert numbers == list(range(1, writers * each + 1))


def test_a_second_drafter_waits_for_the_first(
    backend: str, fresh_database_url: str
) -> None:
    # Both would read the same highest number without the unit's lock; the
    # unique constraint would then refuse the second letter.
    if backend != "postgresql":
        pytest.skip("SQLite lets one writer in at a time")
    engine = make_engine(fresh_database_url)
    impatient = impatient_engine(fresh_database_url)
    try:
        with make_session_factory(engine).begin() as session:
            ward = make_unit(session)
            days = make_procedure(session)
            first_id, second_id = (still_open(session, ward, days).id for _ in "ab")
        with make_session_factory(engine)() as first:
            letter_for(first, first.get_one(Dossier, first_id))
            with make_session_factory(impatient)() as second:
                with pytest.raises(OperationalError) as waited:
                    letter_for(second, second.get_one(Dossier, second_id))
                # It waited at the unit's lock, before reading the last number.
                assert "FOR NO KEY UPDATE" in str(waited.value.statement)
                second.rollback()
                first.commit()
                letter = letter_for(second, second.get_one(Dossier, second_id))
                assert letter.number == 2
    finally:
        engine.dispose()
        impatient.dispose()


def test_the_list_is_paged_oldest_due_date_first(db_session: Session) -> None:
    ward = make_unit(db_session)
    days = make_procedure(db_session)
    for offset in range(3):
        still_open(db_session, ward, days, MONDAY + timedelta(days=offset))
    page = late_dossiers(db_session, manager(ward), ward, NOW, page=9)
    assert (page.total, page.page, page.pages) == (3, 1, 1)
    assert [row.due_at for row in page.rows] == sorted(row.due_at for row in page.rows)
