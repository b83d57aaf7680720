"""The demo's letters: most late dossiers have one, and every count shows."""

from __future__ import annotations

from datetime import date

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys.demo.apologies import ensure_letters
from surveys.dossiers.letters import letter_counts
from surveys.models import ApologyLetter, DossierChannel, UnitKind
from tests.builders import make_procedure, make_unit
from tests.surveys.dossiers.late import NOW, add_applicant, returned, still_open


def test_demo_letters_leave_something_on_every_count(db_session: Session) -> None:
    district = make_unit(db_session, kind=UnitKind.DISTRICT)
    wards = [make_unit(db_session, district) for _ in range(2)]
    days = make_procedure(db_session, processing_days=3)
    for number in range(30):
        ward = wards[number % 2]
        channel = DossierChannel.ONLINE if number % 3 else DossierChannel.COUNTER
        if number % 4:
            # Returned one to fourteen days after Monday 09/03.
            back = date(2026, 3, 9 + number % 14)
            dossier = returned(db_session, ward, days, back, channel=channel)
        else:
            dossier = still_open(db_session, ward, days, channel=channel)
        add_applicant(db_session, dossier)
    returned(db_session, wards[0], days, date(2026, 3, 4))  # early: owes nothing

    drafted = ensure_letters(db_session, np.random.default_rng(3), NOW, district.code)
    letters = db_session.scalars(select(ApologyLetter)).all()
    assert drafted == len(letters)
    assert len(letters) >= 20
    assert any(letter.sent_at is not None for letter in letters)
    assert any(letter.sent_at is None for letter in letters)
    counts = letter_counts(db_session, district, NOW)
    assert sum(row.late for row in counts) == 30
    assert sum(row.without_letter for row in counts) == 30 - len(letters)
    assert sum(row.without_letter for row in counts) > 0
    assert sum(row.sent_after_return for row in counts) > 0

    again = ensure_letters(db_session, np.random.default_rng(3), NOW, district.code)
    assert again == 0
    total = select(func.count()).select_from(ApologyLetter)
    assert db_session.scalar(total) == len(letters)


def test_a_district_without_dossiers_gets_no_letter(db_session: Session) -> None:
    district = make_unit(db_session, kind=UnitKind.DISTRICT)
    assert ensure_letters(db_session, np.random.default_rng(3), NOW, district.code) == 0
    assert ensure_letters(db_session, np.random.default_rng(3), NOW, "nowhere") == 0
