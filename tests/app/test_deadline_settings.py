"""The working-day calendar page (admins) and a unit's deadline rules (managers):
each change counts the affected dossiers again and is audited."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.dossiers.timing import local_instant
from surveys.models import (
    AuditEvent,
    Dossier,
    DossierStatus,
    Role,
    Unit,
    UnitKind,
    WorkingDayChange,
)
from tests.app.staff_client import csrf_token, log_in
from tests.builders import make_dossier, make_procedure, make_unit, make_user


def vn(day: date, hour: int, minute: int = 0) -> datetime:
    return local_instant(day, hour * 60 + minute)


@pytest.fixture
def ward(db_session: Session) -> Unit:
    district = make_unit(db_session, kind=UnitKind.DISTRICT, code="q-thu")
    ward = make_unit(db_session, district, code="p-mot", name="Phường Một")
    make_user(db_session, None, Role.ADMIN, username="admin")
    make_user(db_session, district, Role.DISTRICT, username="district")
    make_user(db_session, ward, username="manager")
    make_user(db_session, ward, Role.VIEWER, username="viewer")
    db_session.commit()
    return ward


def as_user(client: FlaskClient, username: str) -> FlaskClient:
    assert log_in(client, username).status_code == 302
    return client


def post(client: FlaskClient, path: str, data: dict[str, str]) -> object:
    return client.post(path, data={"csrf_token": csrf_token(client, "/staff/")} | data)


def test_only_admins_move_days(client: FlaskClient, ward: Unit) -> None:
    for username in ("district", "manager"):
        as_user(client, username)
        assert client.get("/staff/calendar").status_code == 403
        client.post("/staff/logout", data={"csrf_token": csrf_token(client, "/staff/")})
    as_user(client, "admin")
    page = client.get("/staff/calendar?year=2026").get_data(as_text=True)
    assert "Tết Nguyên Đán" in page
    assert "Giỗ Tổ Hùng Vương" in page


def test_a_day_off_announced_late_makes_a_dossier_late(
    client: FlaskClient, db_session: Session, ward: Unit
) -> None:
    procedure = make_procedure(db_session, processing_days=2)
    # Received Monday 09/03/2026, due Wednesday 11/03 at 17:00, returned then.
    dossier = make_dossier(
        db_session,
        ward,
        vn(date(2026, 3, 9), 9),
        procedure,
        returned_at=vn(date(2026, 3, 12), 9),
        status=DossierStatus.RETURNED,
    )
    # An imported due date is the receipt's promise: it never moves.
    promised = make_dossier(
        db_session,
        ward,
        vn(date(2026, 3, 9), 9),
        procedure,
        due=vn(date(2026, 3, 11), 17),
    )
    db_session.commit()
    assert dossier.working_days_late == 1

    as_user(client, "admin")
    answer = post(
        client,
        "/staff/calendar",
        {"day": "2026-03-10", "working": "0", "note": "Thông báo số 1"},
    )
    assert answer.status_code == 302
    assert "1 hồ sơ" in client.get(answer.location).get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(WorkingDayChange, date(2026, 3, 10)).working is False
    assert dossier.due_at == vn(date(2026, 3, 12), 17)
    assert dossier.working_days_late == 0
    assert promised.due_at == vn(date(2026, 3, 11), 17)

    answer = post(client, "/staff/calendar/2026-03-10/clear", {})
    assert answer.status_code == 302
    db_session.expire_all()
    assert db_session.get(WorkingDayChange, date(2026, 3, 10)) is None
    assert dossier.working_days_late == 1
    actions = db_session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "working_day")
    ).all()
    assert actions == ["working_day_set", "working_day_cleared"]


def test_a_unit_sets_its_cutoff_and_its_wards_follow(
    client: FlaskClient, db_session: Session, ward: Unit
) -> None:
    afternoon = make_dossier(
        db_session,
        ward,
        vn(date(2026, 3, 9), 15, 30),
        make_procedure(db_session, processing_days=1),
    )
    db_session.commit()
    assert afternoon.due_at == vn(date(2026, 3, 10), 17)

    as_user(client, "viewer")
    assert client.get("/staff/units/p-mot/deadline-rules").status_code == 403
    client.post("/staff/logout", data={"csrf_token": csrf_token(client, "/staff/")})
    as_user(client, "manager")
    assert client.get("/staff/units/q-thu/deadline-rules").status_code == 404
    answer = post(
        client, "/staff/units/p-mot/deadline-rules", {"cutoff": "15:00", "due": "16:30"}
    )
    assert answer.status_code == 302
    db_session.expire_all()
    assert afternoon.due_at == vn(date(2026, 3, 11), 16, 30)
    page = client.get("/staff/units/p-mot/deadline-rules").get_data(as_text=True)
    assert 'value="15:00"' in page
    # An empty cutoff: receipts count on their own day again.
    post(client, "/staff/units/p-mot/deadline-rules", {"cutoff": "", "due": "17:00"})
    db_session.expire_all()
    assert afternoon.due_at == vn(date(2026, 3, 10), 17)
    assert db_session.scalars(
        select(Dossier.id).where(Dossier.due_computed.is_(True))
    ).all() == [afternoon.id]
