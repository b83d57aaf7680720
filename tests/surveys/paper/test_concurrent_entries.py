"""Clerks keying one form at the same moment: two entries, never one clerk twice;
reconcilers settling it at once: one response."""

from __future__ import annotations

from sqlalchemy import func, select

from surveys.db import make_engine, make_session_factory
from surveys.models import (
    PaperEntry,
    PaperForm,
    PaperFormState,
    Response,
    Role,
    User,
)
from surveys.paper.form_refusals import PaperRefused
from surveys.paper.reconciling import reconcile
from tests.at_once import run_at_once
from tests.builders import make_user
from tests.surveys.paper.paper_builders import NOW, key, make_batch, make_paper

ANSWERS = {"visited": "no", "age": "30"}


def test_six_concurrent_entries_of_one_form_store_two_by_two_clerks(
    fresh_database_url: str,
) -> None:
    engine = make_engine(fresh_database_url, pool_size=6, max_overflow=0)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        paper = make_paper(session)
        form_id = make_batch(session, paper, count=1).forms[0].id
        clerks = [paper.first.id, paper.second.id, paper.third.id] * 2
    outcomes: list[str] = []

    def attempt(clerk_id: int) -> None:
        try:
            with factory.begin() as session:
                form = session.get(PaperForm, form_id)
                key(session, form, session.get(User, clerk_id), ANSWERS)
            outcomes.append("stored")
        except PaperRefused as refused:
            outcomes.append(refused.reason.value)
        except Exception as error:
            outcomes.append(repr(error))

    run_at_once(attempt, clerks)
    with factory() as session:
        stored = session.scalars(
            select(PaperEntry.clerk_id).where(PaperEntry.form_id == form_id)
        ).all()
    engine.dispose()
    assert outcomes.count("stored") == 2, outcomes
    assert set(outcomes) <= {"stored", "same_clerk", "entered_twice"}, outcomes
    assert len(stored) == len(set(stored)) == 2


def test_four_concurrent_reconciliations_of_one_form_store_one_response(
    fresh_database_url: str,
) -> None:
    engine = make_engine(fresh_database_url, pool_size=4, max_overflow=0)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        paper = make_paper(session)
        form = make_batch(session, paper, count=1).forms[0]
        key(session, form, paper.first, ANSWERS)
        key(session, form, paper.second, ANSWERS)
        form_id, third = form.id, paper.third.id
        fourth = make_user(session, paper.unit, role=Role.VIEWER).id
    outcomes: list[object] = []

    def attempt(user_id: int) -> None:
        try:
            with factory.begin() as session:
                form = session.get(PaperForm, form_id)
                user = session.get(User, user_id)
                recorded = reconcile(session, form, user, ANSWERS, now=NOW)
            outcomes.append(recorded.created)
        except Exception as error:
            outcomes.append(repr(error))

    run_at_once(attempt, (third, fourth) * 2)
    with factory() as session:
        responses = session.scalar(
            select(func.count())
            .select_from(Response)
            .where(Response.campaign_id == paper.campaign.id)
        )
        state = session.get(PaperForm, form_id).state
    engine.dispose()
    assert sorted(outcomes, key=repr) == [False, False, False, True], outcomes
    assert responses == 1
    assert state == PaperFormState.RECONCILED
