"""The demo's feedback cases: every state, overdue ones, and figures worth showing."""

from __future__ import annotations

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys.cases.quarterly import quarter_rollup
from surveys.demo import SEED, seed_demo
from surveys.demo.cases import UNTIL, seed_cases
from surveys.demo.ward_logins import DemoPassword
from surveys.models import CaseState, FeedbackCase, Unit


def test_demo_cases_reach_every_state_and_some_are_overdue(
    db_session: Session,
) -> None:
    seed_demo(db_session, demo_password="demo-password-1", responses=False)
    password = DemoPassword("pw-1-demo-x")
    created = seed_cases(db_session, np.random.default_rng(SEED + 5), password)
    again = seed_cases(db_session, np.random.default_rng(SEED + 5), password)
    assert created > 200 and again == 0
    states = dict(
        db_session.execute(
            select(FeedbackCase.state, func.count()).group_by(FeedbackCase.state)
        ).all()
    )
    assert set(states) == {state.value for state in CaseState}
    late = select(func.count()).where(FeedbackCase.on_time.is_(False))
    assert db_session.scalar(late) > 10
    every_unit = select(Unit.id)
    quarters = [
        quarter_rollup(db_session, every_unit, f"2026-Q{q}", now=UNTIL).whole
        for q in (1, 2, 3, 4)
    ]
    assert all(quarter.received > 30 for quarter in quarters)
    assert quarters[0].overdue_now > 0
    assert all(quarter.overdue_at_end > 0 for quarter in quarters)
    assert all(quarter.satisfaction.rate is not None for quarter in quarters)
