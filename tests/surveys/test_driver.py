"""Prepared statements on the DBAPI connection (``surveys.db.Prepared``, ``Driver``).

They must store and read what the ORM stores and reads (types, defaults), raise
SQLAlchemy's errors, and keep a transaction all or nothing, on both databases.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError, InvalidRequestError
from sqlalchemy.orm import Session

from surveys.db import make_engine, make_session_factory
from surveys.models import Answer, Response
from surveys.prepared import Driver, Prepared, writing
from tests.builders import make_code, make_counter_campaign

INSERT = Prepared(lambda _: insert(Response.__table__).returning(Response.id))
ANSWER = Prepared(lambda _: insert(Answer.__table__))
WHEN = Prepared(
    lambda _: select(Response.submitted_at, Response.verified).where(
        Response.id == bindparam("id")
    )
)
MOMENT = datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=UTC)


def response_row(session: Session, submission_id: str) -> dict[str, object]:
    """The columns a response needs; everything with a default is left out."""
    campaign, point = make_counter_campaign(session)
    code = make_code(session, campaign, kind="standing", service_point=point)
    session.flush()
    return {
        "campaign_id": campaign.id,
        "questionnaire_id": campaign.questionnaire_id,
        "unit_id": campaign.unit_id,
        "access_code_id": code.id,
        "channel": "counter",
        "submission_id": submission_id,
        "content_hash": "0" * 64,
        "submitted_at": MOMENT,
    }


def test_a_prepared_insert_stores_what_the_orm_reads_back(db_session: Session) -> None:
    driver = Driver.of_session(db_session)
    ((response_id,),) = driver.rows(INSERT, response_row(db_session, "prepared-1"))
    driver.run_many(
        ANSWER,
        [
            {"response_id": response_id, "question": "overall", "value_num": 4.0},
            {"response_id": response_id, "question": "comment", "value_text": "Tốt"},
        ],
    )
    stored = db_session.get(Response, response_id)
    assert stored is not None
    assert stored.submitted_at == MOMENT  # aware, in UTC, to the microsecond
    # Scalar defaults of the model fill what the row leaves out.
    assert (stored.language, stored.verified, stored.excluded) == ("vi", False, False)
    assert stored.flag_burst is False and stored.device_hash is None
    answers = db_session.scalar(
        select(func.count()).where(Answer.response_id == response_id)
    )
    assert answers == 2
    # Reading processes the results as SQLAlchemy does: aware datetimes, bools.
    assert driver.rows(WHEN, {"id": response_id}) == [(MOMENT, False)]


def test_a_driver_error_is_raised_as_sqlalchemys(db_session: Session) -> None:
    driver = Driver.of_session(db_session)
    nested = db_session.begin_nested()
    with pytest.raises(IntegrityError):
        driver.run_many(ANSWER, [{"response_id": 10**9, "question": "overall"}])
    nested.rollback()


def test_writing_commits_all_or_nothing(fresh_database_url: str) -> None:
    engine = make_engine(fresh_database_url)
    try:
        with make_session_factory(engine).begin() as session:
            row = response_row(session, "kept")
        with writing(engine) as driver:
            driver.rows(INSERT, row)
        with pytest.raises(IntegrityError), writing(engine) as driver:
            driver.rows(INSERT, row | {"submission_id": "dropped"})
            driver.rows(INSERT, row | {"submission_id": "kept"})  # taken: refused
        with make_session_factory(engine)() as session:
            stored = session.scalars(select(Response.submission_id)).all()
        assert stored == ["kept"]
        assert engine.pool.checkedout() == 0  # both connections went back
    finally:
        engine.dispose()


def test_a_value_without_a_fallback_must_be_given(db_session: Session) -> None:
    driver = Driver.of_session(db_session)
    with pytest.raises(InvalidRequestError, match="'id'"):
        driver.rows(WHEN, {})
    row = response_row(db_session, "prepared-2")
    del row["submitted_at"]  # its default (utcnow) is computed at run time
    with pytest.raises(InvalidRequestError, match="'submitted_at'"):
        driver.rows(INSERT, row)


def test_a_connection_lost_mid_write_leaves_the_pool(fresh_database_url: str) -> None:
    engine = make_engine(fresh_database_url)
    try:
        with make_session_factory(engine).begin() as session:
            row = response_row(session, "before")
        with pytest.raises(DBAPIError) as lost, writing(engine) as driver:
            driver.connection.dbapi_connection.close()  # the server went away
            driver.rows(INSERT, row | {"submission_id": "lost"})
        assert lost.value.connection_invalidated
        assert engine.pool.checkedout() == 0
        with writing(engine) as driver:  # the pool hands out a working one
            driver.rows(INSERT, row | {"submission_id": "after"})
        with make_session_factory(engine)() as session:
            stored = set(session.scalars(select(Response.submission_id)))
        assert stored == {"after"}
    finally:
        engine.dispose()
