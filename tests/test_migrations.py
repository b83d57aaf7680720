"""Migrations build exactly the models' schema, on both databases, and undo cleanly."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Integer,
    column,
    func,
    inspect,
    select,
    table,
)
from sqlalchemy.orm import Session

from surveys.db import make_engine, make_session_factory
from surveys.migrate import alembic_config, downgrade_to_base, heads, upgrade_to_head
from surveys.models import Answer, Base, FollowUpContact, Response, ResponseDay
from surveys.storage.recording import Submission, record_response
from tests.builders import make_code, make_counter_campaign, record_on_paper


def schema_differences(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True}
            )
            return compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()


def table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_there_is_a_single_head() -> None:
    assert len(heads()) == 1


def test_upgrade_on_an_empty_database_gives_the_models_schema(
    empty_database_url: str,
) -> None:
    assert table_names(empty_database_url) == set()
    upgrade_to_head(empty_database_url)
    assert table_names(empty_database_url) == set(Base.metadata.tables)
    assert schema_differences(empty_database_url) == []


def test_downgrade_to_base_removes_every_table(empty_database_url: str) -> None:
    upgrade_to_head(empty_database_url)
    downgrade_to_base(empty_database_url)
    assert table_names(empty_database_url) == set()
    upgrade_to_head(empty_database_url)
    assert schema_differences(empty_database_url) == []


def stored_counts(url: str) -> tuple[int, int, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return tuple(  # type: ignore[return-value]
                connection.scalar(select(func.count()).select_from(model))
                for model in (Response, Answer, FollowUpContact)
            )
    finally:
        engine.dispose()


def test_rebuilding_tables_keeps_every_response_answer_and_contact(
    empty_database_url: str,
) -> None:
    """SQLite rebuilds a table to change it; nothing that refers to it may go."""
    url = empty_database_url
    before = "3c5e0f1b7a92"  # the last revision before responses is rebuilt
    # Written at head (today's code writes today's columns), then taken down
    # through every rebuild and up again.
    upgrade_to_head(url)
    engine = make_engine(url)
    try:
        with make_session_factory(engine).begin() as session:
            campaign, point = make_counter_campaign(session)
            code = make_code(session, campaign, kind="standing", service_point=point)
            answers = {"overall": "2", "reasons": ["waiting"], "comment": "Lâu"}
            submission = Submission(
                token=code.token,
                submission_id="migrated-1",
                answers=answers,
                phone="0901 234 567",
            )
            record_response(session, submission, datetime.now(UTC))
    finally:
        engine.dispose()
    kept = stored_counts(url)
    assert kept == (1, 3, 1)
    command.downgrade(alembic_config(url), before)
    assert stored_counts(url) == kept
    upgrade_to_head(url)
    assert stored_counts(url) == kept
    assert schema_differences(url) == []


def test_migrating_a_handed_connection_leaves_its_foreign_keys_on(
    empty_database_url: str,
) -> None:
    upgrade_to_head(empty_database_url)
    engine = make_engine(empty_database_url)
    try:
        with engine.connect() as connection:
            command.upgrade(alembic_config(connection=connection), "head")  # no-op
            if connection.dialect.name == "sqlite":
                driver = connection.connection.driver_connection
                assert not driver.in_transaction
                assert driver.execute("PRAGMA foreign_keys").fetchone() == (1,)
    finally:
        engine.dispose()


def test_the_day_tallies_and_rated_comments_are_filled_from_the_answers(
    empty_database_url: str,
) -> None:
    """The migration that brought them counts what was stored before it, as the
    catch-up counts what came after; the migration that keyed them by channel
    (``d5a1f9c3e7b2``) recounts them, paper forms in cells of their own."""
    from surveys.storage.tallies import catch_up, exclude_response
    from tests.surveys.test_tallies import snapshot

    url = empty_database_url
    upgrade_to_head(url)
    engine = make_engine(url)
    try:
        with make_session_factory(engine).begin() as session:
            campaign, point = make_counter_campaign(session)
            code = make_code(session, campaign, kind="standing", service_point=point)
            for number, (rating, comment) in enumerate(
                [("2", "Chờ lâu"), ("5", "Tốt"), ("4", None), ("1", "Sai hẹn")]
            ):
                answers = {"overall": rating} | (
                    {"comment": comment} if comment else {}
                )
                submission = Submission(code.token, f"migrated-{number}", answers)
                record_response(
                    session, submission, datetime(2026, 5, number + 1, 3, tzinfo=UTC)
                )
            paper = {"overall": "3", "comment": "Phiếu giấy"}
            record_on_paper(
                session, campaign, paper, datetime(2026, 5, 2, 3, tzinfo=UTC)
            )
            spoiled = [
                record_on_paper(session, campaign, {"overall": rating}, moment)
                for rating, moment in (
                    ("5", datetime(2026, 5, 2, 4, tzinfo=UTC)),
                    ("1", datetime(2026, 5, 3, 4, tzinfo=UTC)),
                )
            ]
            campaign_id = campaign.id
        with make_session_factory(engine)() as session:
            catch_up(session)
            # Set aside once counted: out of its channel's cells, its day
            # count moved to the excluded one (the day's latest kept read again).
            for response_id in spoiled:
                exclude_response(session, session.get(Response, response_id), "x")
            session.commit()
            counted = snapshot(session, campaign_id), day_counts(session)
        assert ("paper", True, 1) in [row[2:5] for row in counted[1]]
        assert sum(1 for key in counted[0] if "/" in key) == 4  # four comments
        assert {key.split("|")[6] for key in counted[0] if "|" in key} == {
            "counter",
            "paper",
        }
        command.downgrade(alembic_config(url), "b8f2c6d4e1a3")
        # The day counts without their channel: each channel's added up.
        days = table(
            "response_days",
            column("day", Date),
            column("verified", Boolean),
            column("excluded", Boolean),
            column("n", Integer),
            column("latest", DateTime),
        )
        with engine.connect() as connection:
            rows = connection.execute(select(days).where(days.c.n > 0)).all()
        assert sorted(tuple(row) for row in rows) == without_channel(counted[1])
        command.downgrade(alembic_config(url), "a7d3e9f1c4b2")
        upgrade_to_head(url)
        with make_session_factory(engine)() as session:
            assert (snapshot(session, campaign_id), day_counts(session)) == counted
    finally:
        engine.dispose()


def day_counts(session: Session) -> list[tuple[object, ...]]:
    """Every day count that counts some responses, with its channel and when
    its latest came in (naive UTC, as a raw read gives it)."""
    rows = session.execute(
        select(
            ResponseDay.day,
            ResponseDay.verified,
            ResponseDay.channel,
            ResponseDay.excluded,
            ResponseDay.n,
            ResponseDay.latest,
        ).where(ResponseDay.n > 0)
    )
    return sorted((*row[:5], row.latest.replace(tzinfo=None)) for row in rows)


def without_channel(days: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """The day counts added up over the channels: (day, verified, excluded, n,
    latest)."""
    added: dict[tuple[object, ...], tuple[int, datetime]] = {}
    for day, verified, _, excluded, n, latest in days:
        key = (day, verified, excluded)
        known_n, known_latest = added.get(key, (0, latest))
        added[key] = (known_n + n, max(known_latest, latest))
    return sorted((*key, n, latest) for key, (n, latest) in added.items())
