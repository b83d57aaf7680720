"""Clerks keying one form at the same moment: two entries, never one clerk twice."""

from __future__ import annotations

import threading

from sqlalchemy import select

from surveys.db import make_engine, make_session_factory
from surveys.models import PaperEntry, PaperForm, User
from surveys.paper.form_refusals import PaperRefused
from tests.surveys.paper.paper_builders import key, make_batch, make_paper

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
    start = threading.Barrier(len(clerks))

    def attempt(clerk_id: int) -> None:
        start.wait()
        try:
            with factory.begin() as session:
                form = session.get(PaperForm, form_id)
                key(session, form, session.get(User, clerk_id), ANSWERS)
            outcomes.append("stored")
        except PaperRefused as refused:
            outcomes.append(refused.reason.value)
        except Exception as error:
            outcomes.append(repr(error))

    threads = [threading.Thread(target=attempt, args=(c,)) for c in clerks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with factory() as session:
        stored = session.scalars(
            select(PaperEntry.clerk_id).where(PaperEntry.form_id == form_id)
        ).all()
    engine.dispose()
    assert outcomes.count("stored") == 2, outcomes
    assert set(outcomes) <= {"stored", "same_clerk", "entered_twice"}, outcomes
    assert len(stored) == len(set(stored)) == 2
