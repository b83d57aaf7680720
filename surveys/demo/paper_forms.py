"""A batch of paper questionnaires of the household survey, and how far its keying got.

Twenty forms for one residential group of Bến Nghé (the ``bennghe`` login's
ward), handed out on Monday 2 November 2026 and keyed in that week by the ward's
two clerks, each form by both, one of them a little less accurate; ``bennghe``
settles their differences against the paper, and each settled form becomes a
response on the paper channel. Some forms still wait for their second entry or
for reconciliation and one was lost, so the batch register, the reconciliation
list, the clerks' error rates and the dashboards' paper channel all have
something to show. Every step goes through the domain functions the staff pages
call, at the moment it happened, with answers drawn as the demo's other
household responses are.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.access.codes import SampleDesign
from surveys.demo.responses import BASE_MOOD, QUARTERLY_GAIN, draw_answers
from surveys.demo.ward_logins import DemoPassword, ensure_ward_managers
from surveys.dossiers.timing import local_instant
from surveys.models import Campaign, PaperBatch, PaperForm, Unit, User
from surveys.paper.batches import (
    create_batch,
    hand_out,
    mark_printed,
    note_returned,
    void_form,
)
from surveys.paper.comparison import plain
from surveys.paper.entries import record_entry
from surveys.paper.reconciling import reconcile
from surveys.questionnaire.versions import definition_of

CAMPAIGN = "q1-papi-2026"
UNIT = "q1-ben-nghe"
FORMS = 20
HANDED_OUT = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
#: The ward's manager, who hands the forms out and settles the entries.
MANAGER = "bennghe"
#: The ward's two clerks, and the share of the scale answers each keys wrong.
CLERKS = (("nhaplieu1", 0.003), ("nhaplieu2", 0.015))
#: How a household of the ward answers on average, late in the year.
MOOD = BASE_MOOD + 3 * QUARTERLY_GAIN
#: Seconds a clerk takes to key a form, a reconciler to settle one, and the
#: pause before the next; when (minutes past midnight, local time) clerks
#: and the manager start.
KEYING = (90, 180)
SETTLING = (40, 150)
PAUSE = (10, 60)
CLERKS_START, MANAGER_START = 8 * 60, 14 * 60
FIVE_POINTS = frozenset("12345")


@dataclass(frozen=True)
class Stage:
    """How far some of the batch's forms got: the days after the hand-out of
    their first entry, second entry and reconciliation (None: not yet)."""

    forms: int
    first: int
    second: int | None = None
    settled: int | None = None
    #: Keying slips a form gets: drawn at each clerk's rate (None), or exactly
    #: this many, in one of its entries.
    slips: int | None = None


#: The batch's forms in number order; the one left over was lost (void).
STAGES = (
    Stage(12, first=1, second=2, settled=3),
    Stage(3, first=2, second=4, slips=1),
    Stage(2, first=2, second=4, slips=0),
    Stage(2, first=4),
)
LOST_ON = 1


def ensure_clerks(session: Session, password: DemoPassword) -> list[str]:
    """Create the ward's clerks with ``password`` unless they exist; the
    usernames created."""
    ward = session.scalar(select(Unit).where(Unit.code == UNIT))
    _found, created = ensure_ward_managers(
        session, password, {username: ward for username, _rate in CLERKS}
    )
    return created


def ensure_paper_batch(session: Session, rng: np.random.Generator) -> int:
    """Number, print, hand out and key in the demo's batch unless it exists;
    return its number of forms. The clerks and the manager must exist."""
    campaign = session.scalar(select(Campaign).where(Campaign.key == CAMPAIGN))
    if campaign is None or session.scalar(
        select(PaperBatch.id).where(PaperBatch.campaign_id == campaign.id).limit(1)
    ):
        return 0
    unit = session.scalar(select(Unit).where(Unit.code == UNIT))
    users = {
        user.username: user
        for user in session.scalars(
            select(User).where(
                User.username.in_([MANAGER, *(name for name, _ in CLERKS)])
            )
        )
    }
    manager = users[MANAGER]
    design = SampleDesign(stratum=None, cluster="khu-pho-1", weight=None)
    batch = create_batch(session, manager, campaign, unit, FORMS, design=design)
    # Numbered the day before it was printed, not on the day the demo is seeded.
    batch.created_at = HANDED_OUT - timedelta(days=2)
    mark_printed(session, batch, HANDED_OUT - timedelta(days=1))
    hand_out(session, manager, batch, "Tổ dân phố 3, khu phố 1", HANDED_OUT)
    forms = sorted(batch.forms, key=lambda form: form.number)
    keyed = sum(stage.forms for stage in STAGES)
    note_returned(session, manager, batch, keyed, _at(LOST_ON, 7 * 60 + 30))
    for form in forms[keyed:]:
        void_form(session, manager, form, _at(LOST_ON, 7 * 60 + 35))
    clerks = [(users[name], rate) for name, rate in CLERKS]
    _key_in(session, rng, forms[:keyed], clerks, manager)
    return batch.count


def _key_in(
    session: Session,
    rng: np.random.Generator,
    forms: list[PaperForm],
    clerks: list[tuple[User, float]],
    manager: User,
) -> None:
    """Key in and settle ``forms`` as ``STAGES`` say, the clerks taking turns
    at keying first."""
    questionnaire = definition_of(forms[0].batch.campaign.questionnaire)
    no_item_effect: defaultdict[str, float] = defaultdict(float)
    clock = Clock(rng)
    plans = [stage for stage in STAGES for _ in range(stage.forms)]
    for index, (form, stage) in enumerate(zip(forms, plans, strict=True)):
        drawn = draw_answers(rng, questionnaire, MOOD, no_item_effect, None, [])
        paper = plain(drawn)
        order = clerks[index % 2 :] + clerks[: index % 2]
        days = (stage.first, stage.second)
        slips = _slips(rng, stage, [rate for _, rate in order], paper)
        for (clerk, _rate), day, count in zip(order, days, slips, strict=True):
            if day is not None:
                started, finished = clock.task(clerk, day, CLERKS_START, KEYING)
                keyed = _slipped(rng, paper, count)
                record_entry(session, form, clerk, keyed, started, finished)
        if stage.settled is not None:
            _, settled = clock.task(manager, stage.settled, MANAGER_START, SETTLING)
            reconcile(session, form, manager, paper, now=settled)


def _slips(
    rng: np.random.Generator,
    stage: Stage,
    rates: list[float],
    paper: dict[str, Any],
) -> list[int]:
    """Return how many answers each of the form's two entries keys wrong."""
    if stage.slips is None:
        return [int(rng.binomial(len(_scale_answers(paper)), rate)) for rate in rates]
    slipping = int(rng.integers(2))
    return [stage.slips if entry == slipping else 0 for entry in range(2)]


def _slipped(
    rng: np.random.Generator, paper: dict[str, Any], count: int
) -> dict[str, Any]:
    """Return the paper's answers with ``count`` scale answers keyed as another
    digit, the slip double entry is there to catch."""
    keyed = dict(paper)
    for name in rng.choice(_scale_answers(paper), count, replace=False):
        digits = sorted(FIVE_POINTS - {str(paper[name])})
        keyed[str(name)] = str(rng.choice(digits))
    return keyed


def _scale_answers(paper: dict[str, Any]) -> list[str]:
    """Name the answers given as one digit of a five-point scale."""
    return [name for name, value in paper.items() if str(value) in FIVE_POINTS]


class Clock:
    """Each user's working day: a task starts a short pause after their last."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.free: dict[tuple[int, int], datetime] = {}

    def task(
        self, user: User, day: int, start: int, seconds: tuple[int, int]
    ) -> tuple[datetime, datetime]:
        """Return when ``user``'s next task on ``day`` starts and ends."""
        begins = self.free.get((user.id, day), _at(day, start))
        ends = begins + timedelta(seconds=int(self.rng.integers(*seconds)))
        pause = timedelta(seconds=int(self.rng.integers(*PAUSE)))
        self.free[(user.id, day)] = ends + pause
        return begins, ends


def _at(day: int, minute: int) -> datetime:
    """Return the moment ``minute`` past local midnight, ``day`` days after the
    hand-out."""
    return local_instant(HANDED_OUT.date() + timedelta(days=day), minute)
