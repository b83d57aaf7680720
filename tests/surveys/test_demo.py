"""The demo district: Quận 1 with its ten wards, offices, counters and officials."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys.access.passwords import verify_password
from surveys.access.privacy import dossier_key
from surveys.demo import WARDS, seed_demo
from surveys.dossiers.satisfaction import satisfaction_by_timeliness
from surveys.models import (
    AccessCode,
    Answer,
    Dossier,
    DossierStatus,
    Official,
    Response,
    ServicePoint,
    Unit,
    User,
)


def counts(session: Session) -> dict[str, int]:
    return {
        model.__name__: session.scalar(select(func.count()).select_from(model))
        for model in (Unit, ServicePoint, Official, User, Response, Answer, AccessCode)
    }


def test_demo_builds_district_1_with_its_ten_wards(db_session: Session) -> None:
    seed_demo(db_session, demo_password="demo-password-1", responses=False)
    district = db_session.scalar(select(Unit).where(Unit.code == "q1"))
    wards = sorted(child.name for child in district.children if child.kind == "ward")
    assert district.name == "Quận 1"
    assert wards == sorted(name for _, name in WARDS)
    assert "Phường Cầu Ông Lãnh" in wards
    offices = {child.name for child in district.children if child.kind != "ward"}
    assert {"Phòng Nội vụ", "Phòng Tư pháp", "Trung tâm Công nghệ Thông tin"} <= offices


def test_every_ward_has_counters_with_officials(db_session: Session) -> None:
    seed_demo(db_session, demo_password="demo-password-1", responses=False)
    for code, _ in WARDS:
        ward = db_session.scalar(select(Unit).where(Unit.code == code))
        assert ward.service_points, code
        assert all(point.officials for point in ward.service_points)


def test_demo_is_idempotent(db_session: Session) -> None:
    key = dossier_key("demo-secret")
    first = seed_demo(db_session, demo_password="demo-password-1", dossier_key=key)
    after_first = counts(db_session)
    second = seed_demo(db_session, demo_password="demo-password-2", dossier_key=key)
    assert first.district.units == 21 and first.users
    assert sum(first.responses.values()) > 2000
    built = second.district
    assert (built.units, built.service_points, built.officials) == (0, 0, 0)
    assert set(second.responses.values()) == {0}
    assert second.users == [] and second.password == ""
    assert counts(db_session) == after_first
    assert (first.rated_dossiers, second.rated_dossiers) == (
        first.responses["q1-sipas-2026"],
        0,
    )


def test_demo_dossiers_are_rated_and_the_late_ones_less_well(
    db_session: Session,
) -> None:
    seed_demo(db_session, demo_password="demo-password-1", dossier_key=b"k" * 32)
    without_code = select(func.count()).where(
        Dossier.access_code_id.is_(None), Dossier.status != DossierStatus.WITHDRAWN
    )
    assert db_session.scalar(without_code) == 0
    split = satisfaction_by_timeliness(db_session, select(Unit.id)).all_units
    shares = dict(zip(split["returned"], split["pct_satisfied"], strict=True))
    assert shares["late"] < shares["in_time"] - 20


def test_demo_logins_use_the_given_password(db_session: Session) -> None:
    report = seed_demo(db_session, demo_password="demo-password-1", responses=False)
    admin = db_session.scalar(select(User).where(User.username == "admin"))
    assert report.password == "demo-password-1"
    assert verify_password(admin.password_hash, "demo-password-1")


def test_demo_draws_a_random_password_when_none_is_given(db_session: Session) -> None:
    report = seed_demo(db_session, responses=False)
    assert len(report.password) >= 12


def test_units_differ_believably_in_the_counter_ratings(db_session: Session) -> None:
    seed_demo(db_session, demo_password="demo-password-1")
    means = dict(
        db_session.execute(
            select(Unit.code, func.avg(Answer.value_num))
            .join(Response, Response.unit_id == Unit.id)
            .join(Answer, Answer.response_id == Response.id)
            .where(Answer.question == "overall")
            .group_by(Unit.code)
        ).all()
    )
    assert len(means) >= 10
    assert all(2.5 < mean < 4.8 for mean in means.values())
    assert max(means.values()) - min(means.values()) > 0.3


def test_demo_responses_carry_their_origin(db_session: Session) -> None:
    seed_demo(db_session, demo_password="demo-password-1")
    rated = db_session.scalar(
        select(func.count(Response.id)).where(Response.official_id.is_not(None))
    )
    verified = db_session.scalar(
        select(func.count(Response.id)).where(Response.verified.is_(True))
    )
    weighted = db_session.scalar(
        select(func.count(Response.id)).where(Response.weight.is_not(None))
    )
    assert rated > 500 and verified > 500 and weighted > 200
