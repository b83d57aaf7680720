"""The demo district: Quận 1 with its ten wards, offices, counters and officials."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys.demo import WARDS, seed_demo
from surveys.models import Official, ServicePoint, Unit, User
from surveys.passwords import verify_password


def counts(session: Session) -> dict[str, int]:
    return {
        model.__name__: session.scalar(select(func.count()).select_from(model))
        for model in (Unit, ServicePoint, Official, User)
    }


def test_demo_builds_district_1_with_its_ten_wards(db_session: Session) -> None:
    seed_demo(db_session, demo_password="demo-password-1")
    district = db_session.scalar(select(Unit).where(Unit.code == "q1"))
    wards = sorted(child.name for child in district.children if child.kind == "ward")
    assert district.name == "Quận 1"
    assert wards == sorted(name for _, name in WARDS)
    assert "Phường Cầu Ông Lãnh" in wards
    offices = {child.name for child in district.children if child.kind != "ward"}
    assert {"Phòng Nội vụ", "Phòng Tư pháp", "Trung tâm Công nghệ Thông tin"} <= offices


def test_every_ward_has_counters_with_officials(db_session: Session) -> None:
    seed_demo(db_session, demo_password="demo-password-1")
    for code, _ in WARDS:
        ward = db_session.scalar(select(Unit).where(Unit.code == code))
        assert ward.service_points, code
        assert all(point.officials for point in ward.service_points)


def test_demo_is_idempotent(db_session: Session) -> None:
    first = seed_demo(db_session, demo_password="demo-password-1")
    after_first = counts(db_session)
    second = seed_demo(db_session, demo_password="demo-password-2")
    assert first.units > 0 and first.users
    assert (second.units, second.service_points, second.officials) == (0, 0, 0)
    assert second.users == [] and second.password == ""
    assert counts(db_session) == after_first


def test_demo_logins_use_the_given_password(db_session: Session) -> None:
    report = seed_demo(db_session, demo_password="demo-password-1")
    admin = db_session.scalar(select(User).where(User.username == "admin"))
    assert report.password == "demo-password-1"
    assert verify_password(admin.password_hash, "demo-password-1")


def test_demo_draws_a_random_password_when_none_is_given(db_session: Session) -> None:
    report = seed_demo(db_session)
    assert len(report.password) >= 12
