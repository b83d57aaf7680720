"""Timeliness by counter, official and procedure, every grain, named, and summed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pytest
from sqlalchemy.orm import Session

from surveys.dossiers.figures import (
    Breakdown,
    Grain,
    key_names,
    period_totals,
    register_span,
    timeliness_table,
)
from surveys.dossiers.timing import local_instant
from surveys.models import (
    DossierStatus,
    Official,
    Procedure,
    ServicePoint,
    Unit,
)
from tests.builders import make_dossier, make_procedure, make_unit, unique


def at(day: date, hour: int = 9) -> datetime:
    return local_instant(day, hour * 60)


@dataclass(frozen=True)
class Desk:
    ward: Unit
    counter: ServicePoint
    official: Official
    birth: Procedure
    land: Procedure


@pytest.fixture
def desk(db_session: Session) -> Desk:
    """A ward's counter where one official returned birth and land dossiers:
    January: birth early, birth late by 2; April: land on time; July: land
    late by 1 returned at no counter."""
    ward = make_unit(db_session)
    counter = ServicePoint(code=unique("sp"), name="Quầy Hộ tịch", unit=ward)
    official = Official(code="CB01", name="Lê Văn Cường", unit=ward)
    db_session.add_all([counter, official])
    birth = make_procedure(db_session, name="Đăng ký khai sinh", field="Hộ tịch")
    land = make_procedure(
        db_session, name="Cấp giấy chứng nhận", field="Đất đai", processing_days=None
    )
    served = {"service_point": counter, "official": official}
    cases = [
        (birth, date(2026, 1, 5), date(2026, 1, 8), date(2026, 1, 7), served),
        (birth, date(2026, 1, 5), date(2026, 1, 8), date(2026, 1, 12), served),
        (land, date(2026, 4, 1), date(2026, 4, 10), date(2026, 4, 10), served),
        (land, date(2026, 7, 1), date(2026, 7, 10), date(2026, 7, 13), {}),
    ]
    for procedure, received, due, back, fields in cases:
        make_dossier(
            db_session,
            ward,
            at(received),
            procedure,
            due=at(due, 17),
            returned_at=at(back, 10),
            status=DossierStatus.RETURNED,
            **fields,
        )
    return Desk(ward, counter, official, birth, land)


def counted(rows: list, *names: str) -> list[tuple]:
    return [
        (row.key, row.period, *(getattr(row, name) for name in names)) for row in rows
    ]


def test_by_counter_and_year_with_the_dossiers_of_no_counter(
    db_session: Session, desk: Desk
) -> None:
    rows = timeliness_table(db_session, [desk.ward.id], Breakdown.COUNTER, Grain.YEAR)
    assert set(counted(rows, "returned", "early", "on_time", "late", "days_late")) == {
        (None, "2026", 1, 0, 0, 1, 1),
        (desk.counter.id, "2026", 3, 1, 1, 1, 2),
    }


def test_by_official_and_quarter(db_session: Session, desk: Desk) -> None:
    rows = timeliness_table(
        db_session, [desk.ward.id], Breakdown.OFFICIAL, Grain.QUARTER
    )
    mine = [row for row in rows if row.key == desk.official.id]
    assert counted(mine, "returned", "in_time", "late") == [
        (desk.official.id, "2026-Q1", 2, 1, 1),
        (desk.official.id, "2026-Q2", 1, 1, 0),
    ]
    assert mine[0].late_rate == 0.5 and mine[1].mean_days_late is None


def test_by_procedure_and_month(db_session: Session, desk: Desk) -> None:
    rows = timeliness_table(
        db_session, [desk.ward.id], Breakdown.PROCEDURE, Grain.MONTH
    )
    assert sorted(counted(rows, "returned", "late")) == sorted(
        [
            (desk.birth.id, "2026-01", 2, 1),
            (desk.land.id, "2026-04", 1, 0),
            (desk.land.id, "2026-07", 1, 1),
        ]
    )


def test_totals_per_period_are_the_same_whatever_the_breakdown(
    db_session: Session, desk: Desk
) -> None:
    totals = {
        breakdown: counted(
            period_totals(
                timeliness_table(db_session, [desk.ward.id], breakdown, Grain.QUARTER)
            ),
            "returned",
            "in_time",
            "late",
            "days_late",
        )
        for breakdown in Breakdown
    }
    assert totals[Breakdown.UNIT] == [
        (None, "2026-Q1", 2, 1, 1, 2),
        (None, "2026-Q2", 1, 1, 0, 0),
        (None, "2026-Q3", 1, 0, 1, 1),
    ]
    assert all(value == totals[Breakdown.UNIT] for value in totals.values())


def test_keys_are_named(db_session: Session, desk: Desk) -> None:
    assert key_names(db_session, Breakdown.OFFICIAL, [desk.official.id, None]) == {
        desk.official.id: "Lê Văn Cường (CB01)"
    }
    assert key_names(db_session, Breakdown.COUNTER, [desk.counter.id]) == {
        desk.counter.id: "Quầy Hộ tịch"
    }
    assert key_names(db_session, Breakdown.PROCEDURE, [desk.land.id]) == {
        desk.land.id: "Cấp giấy chứng nhận"
    }
    assert key_names(db_session, Breakdown.UNIT, [desk.ward.id]) == {
        desk.ward.id: desk.ward.name
    }
    assert key_names(db_session, Breakdown.FIELD, ["Hộ tịch"]) == {"Hộ tịch": "Hộ tịch"}


def test_the_months_the_register_spans(db_session: Session, desk: Desk) -> None:
    assert register_span(db_session, [desk.ward.id]) == ("2026-01", "2026-07")
    assert register_span(db_session, [make_unit(db_session).id]) is None
