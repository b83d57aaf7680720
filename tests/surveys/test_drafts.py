"""Drafts: kept per single-use code, and two saves at once never collide."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys.db import make_engine, make_session_factory
from surveys.models import AccessCode, ResponseDraft
from surveys.storage.drafts import load_draft, purge_stale_drafts, save_draft
from tests.at_once import run_at_once
from tests.builders import make_code, make_counter_campaign

NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)


def test_two_saves_of_a_new_draft_at_once_keep_one_draft(
    fresh_database_url: str,
) -> None:
    engine = make_engine(fresh_database_url, pool_size=8, max_overflow=0)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        campaign, _ = make_counter_campaign(session, template="ddci", mode="invitation")
        code_id = make_code(session, campaign).id
    errors: list[BaseException] = []

    def save(page: int) -> None:
        try:
            with factory.begin() as session:
                code = session.get_one(AccessCode, code_id)
                save_draft(
                    session, code, {"employees": str(page)}, page=page,
                    submission_id="s-1", started_at=NOW, now=NOW,
                )  # fmt: skip
        except BaseException as error:
            errors.append(error)

    run_at_once(save, range(8))
    with factory() as session:
        drafts = session.scalar(select(func.count(ResponseDraft.id)))
        draft = load_draft(session, session.get_one(AccessCode, code_id))
    engine.dispose()
    assert errors == []
    assert drafts == 1
    assert draft is not None and draft.answers == {"employees": str(draft.page)}


def test_unsent_drafts_are_erased_after_their_retention(db_session: Session) -> None:
    campaign, _ = make_counter_campaign(db_session, template="ddci", mode="invitation")
    code = make_code(db_session, campaign)
    save_draft(
        db_session, code, {"suggestion": "Ý kiến"}, page=1,
        submission_id="s-1", started_at=NOW, now=NOW,
    )  # fmt: skip
    assert purge_stale_drafts(db_session, NOW + timedelta(days=89)) == 0
    assert purge_stale_drafts(db_session, NOW + timedelta(days=91)) == 1
    assert load_draft(db_session, code) is None
