"""The demo district: Quận 1 with its ten wards, offices, counters and officials."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from surveys.access.passwords import verify_password
from surveys.access.privacy import dossier_key
from surveys.db import make_engine
from surveys.demo import WARDS, seed_demo
from surveys.dossiers.satisfaction import satisfaction_by_timeliness
from surveys.migrate import upgrade_to_head
from surveys.models import (
    PAPER_CHANNEL,
    AccessCode,
    Answer,
    Dossier,
    DossierStatus,
    Official,
    PaperBatch,
    PaperEntry,
    PaperForm,
    PaperFormState,
    Response,
    ServicePoint,
    Unit,
    User,
)
from surveys.paper.comparison import differences
from surveys.paper.progress import batch_progress
from tests.conftest import create_empty_database

KEY = dossier_key("demo-secret")
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Seeded:
    """The whole demo, seeded once per backend and committed, and what seeding said."""

    engine: Engine
    units: int
    users: int
    responses: int
    rated_dossiers: int
    sipas_responses: int


@pytest.fixture(scope="module")
def seeded(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    """Seed the full demo once: each seeding takes seconds, and the tests only read."""
    url, drop = create_empty_database(backend, tmp_path_factory.mktemp("demo"))
    upgrade_to_head(url)
    engine = make_engine(url)
    with Session(engine) as session:
        report = seed_demo(session, demo_password="demo-password-1", dossier_key=KEY)
        session.commit()
        facts = Seeded(
            engine,
            report.district.units,
            len(report.users),
            sum(report.responses.values()),
            report.rated_dossiers,
            report.responses["q1-sipas-2026"],
        )
    yield facts
    engine.dispose()
    drop()


@pytest.fixture
def demo_session(seeded: Seeded) -> Iterator[Session]:
    """A session on the seeded demo whose changes are rolled back after the test."""
    with seeded.engine.connect() as connection:
        transaction = connection.begin()
        with Session(
            bind=connection, join_transaction_mode="create_savepoint"
        ) as session:
            yield session
        transaction.rollback()


def counts(session: Session) -> dict[str, int]:
    return {
        model.__name__: session.scalar(select(func.count()).select_from(model))
        for model in (
            Unit,
            ServicePoint,
            Official,
            User,
            Response,
            Answer,
            AccessCode,
            PaperForm,
            PaperEntry,
        )
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


def test_demo_is_idempotent(seeded: Seeded, demo_session: Session) -> None:
    after_first = counts(demo_session)
    second = seed_demo(demo_session, demo_password="demo-password-2", dossier_key=KEY)
    assert seeded.units == 21 and seeded.users
    assert seeded.responses > 2000
    built = second.district
    assert (built.units, built.service_points, built.officials) == (0, 0, 0)
    assert set(second.responses.values()) == {0}
    assert second.users == [] and second.password == ""
    assert counts(demo_session) == after_first
    assert (seeded.rated_dossiers, second.rated_dossiers) == (
        seeded.sipas_responses,
        0,
    )


def test_demo_dossiers_are_rated_and_the_late_ones_less_well(
    demo_session: Session,
) -> None:
    without_code = select(func.count()).where(
        Dossier.access_code_id.is_(None), Dossier.status != DossierStatus.WITHDRAWN
    )
    assert demo_session.scalar(without_code) == 0
    split = satisfaction_by_timeliness(demo_session, select(Unit.id)).all_units
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


def test_units_differ_believably_in_the_counter_ratings(demo_session: Session) -> None:
    means = dict(
        demo_session.execute(
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


def test_demo_responses_carry_their_origin(demo_session: Session) -> None:
    rated = demo_session.scalar(
        select(func.count(Response.id)).where(Response.official_id.is_not(None))
    )
    verified = demo_session.scalar(
        select(func.count(Response.id)).where(Response.verified.is_(True))
    )
    weighted = demo_session.scalar(
        select(func.count(Response.id)).where(Response.weight.is_not(None))
    )
    assert rated > 500 and verified > 500 and weighted > 200


def test_demo_has_a_batch_of_paper_forms_handed_out(demo_session: Session) -> None:
    batch = demo_session.scalars(select(PaperBatch)).one()
    assert (batch.unit.code, batch.campaign.key, batch.count) == (
        "q1-ben-nghe",
        "q1-papi-2026",
        20,
    )
    assert batch.printed_at is not None and batch.handed_out_to
    assert batch.created_at < batch.printed_at < batch.handed_out_at
    assert {form.access_code.cluster for form in batch.forms} == {"khu-pho-1"}


def test_demo_batch_is_keyed_in_twice_and_partly_reconciled(
    demo_session: Session,
) -> None:
    batch = demo_session.scalars(select(PaperBatch)).one()
    progress = batch_progress(demo_session, batch)
    assert (
        progress.not_entered,
        progress.entered_once,
        progress.entered_twice,
        progress.in_conflict,
        progress.reconciled,
        progress.void,
    ) == (0, 2, 5, 3, 12, 1)
    first, second = progress.clerks
    assert (first.username, second.username) == ("nhaplieu1", "nhaplieu2")
    clerk = demo_session.get(User, first.user_id)
    assert (clerk.role, clerk.unit_id) == ("unit_manager", batch.unit_id)
    assert verify_password(clerk.password_hash, "demo-password-1")
    assert first.forms_keyed == second.forms_keyed == 18
    # One clerk slips a little more often than the other; both are checked.
    assert 0 < first.error_rate < second.error_rate < 0.05
    for clerk in progress.clerks:
        assert 90 <= clerk.seconds_keying / clerk.forms_keyed <= 180
    entries = [entry for form in batch.forms for entry in form.entries]
    assert all(batch.handed_out_at < entry.started_at for entry in entries)
    assert max(entry.finished_at for entry in entries) < batch.handed_out_at + WEEK


def test_demo_reconciled_forms_are_paper_responses(demo_session: Session) -> None:
    batch = demo_session.scalars(select(PaperBatch)).one()
    settled = [form for form in batch.forms if form.state == PaperFormState.RECONCILED]
    responses = [demo_session.get(Response, form.response_id) for form in settled]
    assert len(responses) == 12
    assert {
        (r.channel, r.verified, r.unit_id, r.campaign_id, r.cluster) for r in responses
    } == {(PAPER_CHANNEL, True, batch.unit_id, batch.campaign_id, "khu-pho-1")}
    manager = demo_session.scalar(select(User.id).where(User.username == "bennghe"))
    assert {form.reconciled_by for form in settled} == {manager}
    paper = select(func.count(Response.id)).where(Response.channel == PAPER_CHANNEL)
    assert demo_session.scalar(paper) == 12
    # Some forms' entries differed and were settled; wherever a form's two
    # entries agree, the settled form says the same.
    differing = [form for form in settled if differences(form)]
    assert 0 < len(differing) < len(settled)
    for form in settled:
        one, other = (entry.answers for entry in form.entries)
        agreed = {
            name: value for name, value in one.items() if other.get(name) == value
        }
        assert agreed.items() <= form.settled_answers.items()
