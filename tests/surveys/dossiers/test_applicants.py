"""Applicants' personal data: kept while a letter may be owed, then purged."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.access.retention import purge_personal_data
from surveys.dossiers.applicants import ApplicantRetention, applicant_purge_after
from surveys.dossiers.letters import printed_letters
from surveys.models import ApologyLetter, DossierApplicant
from tests.builders import make_procedure, make_unit
from tests.surveys.dossiers.late import (
    DUE_DAY,
    NOW,
    add_applicant,
    at,
    letter_for,
    returned,
)

RETENTION = ApplicantRetention(
    after_return=timedelta(days=30),
    after_letter=timedelta(days=90),
    unsettled=timedelta(days=180),
)
DUE = at(DUE_DAY, 17)


def test_in_time_the_data_goes_a_while_after_the_return() -> None:
    back = at(DUE_DAY, 10)
    assert applicant_purge_after(DUE, back, 0, retention=RETENTION) == back + timedelta(
        days=30
    )
    early = at(date(2026, 3, 3))
    assert applicant_purge_after(DUE, early, -2, retention=RETENTION) == (
        early + timedelta(days=30)
    )


def test_late_the_data_stays_until_the_letter_is_sent_then_a_while() -> None:
    back = at(date(2026, 3, 9))
    owed = applicant_purge_after(DUE, back, 2, retention=RETENTION)
    assert owed == DUE + timedelta(days=180)
    open_overdue = applicant_purge_after(DUE, None, None, retention=RETENTION)
    assert open_overdue == DUE + timedelta(days=180)
    sent = at(date(2026, 3, 12))
    assert applicant_purge_after(DUE, back, 2, sent, RETENTION) == sent + timedelta(
        days=90
    )


def test_never_before_a_while_after_the_return() -> None:
    # A letter sent long before a (much later) return: kept after the return.
    sent = at(date(2026, 3, 6))
    back = at(date(2026, 8, 3))
    kept = applicant_purge_after(DUE, back, 100, sent, RETENTION)
    assert kept == back + timedelta(days=30)


def test_the_scheduled_purge_erases_applicants_and_the_letter_stays(
    db_session: Session,
) -> None:
    ward = make_unit(db_session)
    days = make_procedure(db_session)
    late = returned(db_session, ward, days, date(2026, 3, 9))
    add_applicant(db_session, late, "Đỗ Văn Quá Hạn")
    kept = returned(db_session, ward, days, date(2026, 3, 10))
    add_applicant(db_session, kept, "Lý Thị Còn")
    letter = letter_for(db_session, late)
    db_session.get_one(DossierApplicant, late.id).purge_after = NOW
    report = purge_personal_data(db_session, NOW)
    assert report.applicants == 1
    names = db_session.scalars(select(DossierApplicant.name))
    assert list(names) == ["Lý Thị Còn"]
    assert db_session.scalar(select(ApologyLetter.id)) == letter.id
    [printed] = printed_letters(db_session, [letter])
    assert (printed.applicant_name, printed.applicant_address) == ("", "")
