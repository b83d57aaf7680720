"""The timeliness table: early, on time and late counted per key and period."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy.orm import Session

from surveys.dossiers.figures import Breakdown, Grain, period_of, timeliness_table
from surveys.dossiers.timing import local_instant
from surveys.models import DossierStatus, Procedure, Unit
from tests.builders import make_dossier, make_procedure, make_unit


def at(day: date, hour: int = 9) -> datetime:
    return local_instant(day, hour * 60)


def returned(
    session: Session, unit: Unit, procedure: Procedure, received: date, back: date
) -> None:
    make_dossier(
        session,
        unit,
        at(received),
        procedure,
        returned_at=at(back, 10),
        status=DossierStatus.RETURNED,
    )


def test_counts_by_unit_and_quarter_with_the_delay_of_the_late(
    db_session: Session,
) -> None:
    ward, other = make_unit(db_session), make_unit(db_session)
    three_days = make_procedure(db_session, processing_days=3, field="Hộ tịch")
    # Received Monday 02/03/2026, due Thursday 05/03 at 17:00.
    returned(db_session, ward, three_days, date(2026, 3, 2), date(2026, 3, 4))  # early
    returned(
        db_session, ward, three_days, date(2026, 3, 2), date(2026, 3, 5)
    )  # on time
    returned(db_session, ward, three_days, date(2026, 3, 2), date(2026, 3, 9))  # 2 late
    returned(
        db_session, ward, three_days, date(2026, 3, 30), date(2026, 4, 6)
    )  # 2 late
    returned(db_session, other, three_days, date(2026, 3, 2), date(2026, 3, 3))
    # Open and withdrawn dossiers are not among the returned.
    make_dossier(db_session, ward, at(date(2026, 3, 2)), three_days)
    make_dossier(
        db_session,
        ward,
        at(date(2026, 3, 2)),
        three_days,
        status=DossierStatus.WITHDRAWN,
    )

    rows = timeliness_table(db_session, [ward.id])
    assert [(row.key, row.period) for row in rows] == [
        (ward.id, "2026-Q1"),
        (ward.id, "2026-Q2"),
    ]
    first, second = rows
    assert (first.returned, first.early, first.on_time, first.late) == (3, 1, 1, 1)
    assert first.in_time_rate == pytest.approx(2 / 3)
    assert first.mean_days_late == 2
    assert (second.returned, second.late, second.days_late) == (1, 1, 2)

    by_field = timeliness_table(
        db_session, [ward.id, other.id], Breakdown.FIELD, Grain.YEAR
    )
    assert [(row.key, row.period, row.returned) for row in by_field] == [
        ("Hộ tịch", "2026", 5)
    ]
    march = timeliness_table(
        db_session,
        [ward.id],
        Breakdown.UNIT,
        Grain.MONTH,
        months=("2026-03", "2026-03"),
    )
    assert [(row.period, row.returned) for row in march] == [("2026-03", 3)]


def test_periods_of_a_month() -> None:
    assert period_of("2026-03", Grain.QUARTER) == "2026-Q1"
    assert period_of("2026-10", Grain.QUARTER) == "2026-Q4"
    assert period_of("2026-10", Grain.YEAR) == "2026"
    assert period_of("2026-10", Grain.MONTH) == "2026-10"
