"""What the citizen holding a tracking code may read of a case, and their one rating.

The status page is public to anyone with the code, so it is built from a
closed list of fields: the state, when it was received and falls due, the
published answer, and the notes meant for the citizen (the rejection reason,
where it was referred to, the case it was handled together with). Never the
contact, the handler, internal notes, answers under review or the files.

Once the unit has replied (an answer published, or a rejection), the citizen
may rate the reply once, 1 to 5 in the official wordings (SIPAS factor 5);
the rating is anonymous and leaves a ``rated`` event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from surveys.cases.due_dates import OPEN_STATES
from surveys.cases.events import Actor, EventKind, record
from surveys.cases.refusals import CaseError
from surveys.cases.workflow import published_answer
from surveys.models import CaseRating, CaseState, FeedbackCase, utcnow
from surveys.translatable import N_, Message

#: A chain of merges is followed this far (a merge into a merged case is refused,
#: so one step is the rule; the bound only guards against a loop).
MERGE_DEPTH = 5

ALREADY_RATED = Message(N_("Ông/Bà đã đánh giá câu trả lời này rồi. Cảm ơn Ông/Bà!"))
NOT_YET = Message(N_("Chỉ đánh giá được khi đã có câu trả lời."))
BAD_SCORE = Message(N_("Hãy chọn một mức đánh giá từ 1 đến 5."))


@dataclass(frozen=True)
class CitizenStatus:
    """The status page of one case: only what its citizen may read."""

    tracking_code: str
    state: CaseState
    received_at: datetime
    due_at: datetime
    #: The published answer (the merged-into case's, for a merged case).
    answer: str
    answered_at: datetime | None
    reject_reason: str
    referred_to: str
    #: True when this case was handled together with another (a duplicate);
    #: the other's code is never shown: it is that citizen's only key.
    merged: bool
    #: The citizen's rating of the reply, if given.
    rating: int | None

    @property
    def open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def may_rate(self) -> bool:
        """Tell whether the reply may be rated now (replied to, not yet rated)."""
        return self.rating is None and replied(self.state, self.answer)


def replied(state: CaseState, answer: str) -> bool:
    """Tell whether the unit has given the citizen a reply one may rate."""
    return bool(answer) or state == CaseState.REJECTED


def find_case(session: Session, tracking_code: str) -> FeedbackCase | None:
    """Return the case with this (normalised) tracking code, or None."""
    return session.scalar(
        select(FeedbackCase).where(FeedbackCase.tracking_code == tracking_code)
    )


def citizen_status(session: Session, case: FeedbackCase) -> CitizenStatus:
    """Return what the citizen may read of ``case``."""
    handled_by = case
    for _step in range(MERGE_DEPTH):
        if handled_by.merged_into is None:
            break
        handled_by = handled_by.merged_into
    answer = published_answer(session, handled_by)
    rating = session.get(CaseRating, case.id)
    state = CaseState(case.state)
    if state == CaseState.CLOSED and case.outcome:
        # The citizen is told how it ended, not that a file was shut.
        state = CaseState(case.outcome)
    return CitizenStatus(
        tracking_code=case.tracking_code,
        state=state,
        received_at=case.received_at,
        due_at=case.due_at,
        answer=answer.text if answer is not None else "",
        answered_at=answer.published_at if answer is not None else None,
        reject_reason=case.reject_reason if state == CaseState.REJECTED else "",
        referred_to=case.referred_to if state == CaseState.REFERRED_OUT else "",
        merged=handled_by is not case,
        rating=rating.score if rating is not None else None,
    )


def rate_reply(
    session: Session, case: FeedbackCase, score: int, now: datetime | None = None
) -> CaseRating:
    """Record the citizen's one rating of the reply; flush. Raises ``CaseError``."""
    if score not in range(1, 6):
        raise CaseError(BAD_SCORE)
    status = citizen_status(session, case)
    if status.rating is not None:
        raise CaseError(ALREADY_RATED)
    if not replied(status.state, status.answer):
        raise CaseError(NOT_YET)
    now = now or utcnow()
    rating = CaseRating(case_id=case.id, score=score, rated_at=now)
    try:
        # Two sends at once: the primary key lets only one in.
        with session.begin_nested():
            session.add(rating)
            session.flush()
    except IntegrityError as error:
        raise CaseError(ALREADY_RATED) from error
    record(
        session,
        case,
        EventKind.RATED,
        Actor.CITIZEN,
        from_state=case.state,
        to_state=case.state,
        detail={"score": score},
        at=now,
    )
    return rating
