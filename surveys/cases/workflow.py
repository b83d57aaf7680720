"""The states of a case and the steps between them: one function, ``apply``.

received → assigned (to a handler of the unit) → in_progress → answered →
closed; from any open state a manager may also transfer the case to another
unit (it starts again as received there, its history kept), reject it (with a
reason the citizen reads), refer it to a body outside hailong, or merge it into
another case of the unit (a duplicate). Answers are submitted by the handler and
published by a manager (``review=True``, the default) or at once. Every step is
one ``CaseEvent`` in the caller's transaction; a refused step raises
``CaseError`` and changes nothing.

Who may act: managers (admin, district, unit manager) whose scope covers the
case's unit; the handler for the handling steps; the district (or admin) to
reopen a case that was answered or rejected.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from surveys.access.scope import Scope
from surveys.cases.due_dates import OPEN_STATES, working_days_taken
from surveys.cases.events import Actor, EventKind, new_event, record
from surveys.cases.intake import clean_text
from surveys.cases.refusals import CaseError
from surveys.comments.personal_data import Personal, personal_data_in
from surveys.dossiers.calendar import WorkingCalendar, load_calendar
from surveys.dossiers.timing import DeadlineRules, rules_for
from surveys.models import (
    AnswerState,
    CaseAnswer,
    CaseEvent,
    CaseRating,
    CaseState,
    FeedbackCase,
    Role,
    Unit,
    User,
    utcnow,
)
from surveys.storage.tallies import period_of
from surveys.translatable import N_, Message
from surveys.units.tree import lineage_ids


class Action(enum.StrEnum):
    ASSIGN = "assign"
    START = "start"
    TRANSFER = "transfer"
    SUBMIT_ANSWER = "submit_answer"
    RETURN_ANSWER = "return_answer"
    PUBLISH_ANSWER = "publish_answer"
    REJECT = "reject"
    REFER_OUT = "refer_out"
    MERGE = "merge"
    CLOSE = "close"
    REOPEN = "reopen"
    WAIT = "wait"
    RESUME = "resume"
    NOTE = "note"


class Who(enum.Enum):
    MANAGER = "manager"
    HANDLER = "handler"
    DISTRICT = "district"


S = CaseState
OPEN = frozenset(OPEN_STATES)
#: Action -> the states it may start from and who may take it.
RULES: dict[Action, tuple[frozenset[CaseState], Who]] = {
    Action.ASSIGN: (OPEN, Who.MANAGER),
    Action.START: (frozenset({S.ASSIGNED}), Who.HANDLER),
    Action.TRANSFER: (OPEN, Who.MANAGER),
    Action.SUBMIT_ANSWER: (frozenset({S.IN_PROGRESS}), Who.HANDLER),
    Action.RETURN_ANSWER: (frozenset({S.IN_PROGRESS}), Who.MANAGER),
    Action.PUBLISH_ANSWER: (frozenset({S.IN_PROGRESS}), Who.MANAGER),
    Action.REJECT: (OPEN, Who.MANAGER),
    Action.REFER_OUT: (OPEN, Who.MANAGER),
    Action.MERGE: (OPEN, Who.MANAGER),
    Action.CLOSE: (frozenset({S.ANSWERED, S.REJECTED, S.REFERRED_OUT}), Who.MANAGER),
    Action.REOPEN: (
        frozenset({S.ANSWERED, S.REJECTED, S.REFERRED_OUT, S.CLOSED}),
        Who.DISTRICT,
    ),
    Action.WAIT: (OPEN, Who.HANDLER),
    Action.RESUME: (OPEN, Who.HANDLER),
    Action.NOTE: (frozenset(CaseState), Who.HANDLER),
}

MANAGERS = frozenset({Role.ADMIN, Role.DISTRICT, Role.UNIT_MANAGER})
#: Who may handle a case: anyone of the unit but a read-only district viewer.
HANDLER_ROLES = frozenset({Role.UNIT_MANAGER, Role.VIEWER})

NOT_NOW = Message(
    N_(
        "Phản ánh đã sang bước khác, không làm được việc này nữa"
        " (có thể người khác vừa xử lý): hãy xem lại trang."
    )
)
NOT_ALLOWED = Message(N_("Bạn không có quyền làm việc này với phản ánh này."))
BAD_HANDLER = Message(
    N_(
        "Người xử lý phải là cán bộ đang làm việc của đơn vị xử lý phản ánh hoặc"
        " đơn vị cấp trên; muốn giao cho đơn vị cấp dưới, hãy chuyển đơn vị."
    )
)
SAME_UNIT = Message(N_("Hãy chọn một đơn vị khác đơn vị đang xử lý."))
NO_REASON = Message(N_("Hãy ghi lý do."))
NO_BODY = Message(N_("Hãy ghi cơ quan, đơn vị nhận chuyển."))
BAD_MERGE = Message(
    N_("Chỉ gộp được vào một phản ánh khác của cùng đơn vị, chưa bị gộp.")
)
NO_SUBMITTED = Message(N_("Chưa có câu trả lời nào chờ duyệt."))
NOT_WAITING = Message(N_("Phản ánh này không chờ người dân bổ sung."))
IS_WAITING = Message(N_("Phản ánh này đang chờ người dân bổ sung."))


#: The names the case page's warning knows, in the order they are listed.
_HINTS = {Personal.PHONE: "phone", Personal.EMAIL: "email", Personal.ID_NUMBER: "id"}


@dataclass(frozen=True)
class Step:
    """What an ``apply`` needs besides the action (only the action's fields)."""

    #: ASSIGN: the handler.
    handler: User | None = None
    #: TRANSFER: the unit that takes the case over.
    unit: Unit | None = None
    #: SUBMIT_ANSWER, PUBLISH_ANSWER (optional edit): the answer; REJECT,
    #: TRANSFER, REOPEN, RETURN_ANSWER, WAIT, NOTE: the reason or note.
    text: str = ""
    #: REFER_OUT: the body outside hailong the case went to.
    body: str = ""
    #: MERGE: the case this one duplicates.
    target: FeedbackCase | None = None


def personal_data_hints(text: str) -> list[str]:
    """Return what in an answer looks like personal data: phone, email, ID number.

    The reviewer is warned before publishing, as the answer is public to anyone
    holding the tracking code.
    """
    found = personal_data_in(text)
    return [name for kind, name in _HINTS.items() if kind in found]


def _reaches(session: Session, user: User, case: FeedbackCase) -> bool:
    """Tell whether ``user`` is active and their scope covers the case's unit."""
    scope = Scope.of(user)
    if not user.active:
        return False
    if scope.sees_everything:
        return True
    found = select(Unit.id).where(Unit.id == case.unit_id, scope.covers(Unit.id))
    return session.scalar(found) is not None


def may(session: Session, user: User, case: FeedbackCase, action: Action) -> bool:
    """Tell whether ``user`` may take ``action`` on ``case`` (whatever its state)."""
    return _reaches(session, user, case) and _role_may(user, case, action)


def _role_may(user: User, case: FeedbackCase, action: Action) -> bool:
    """Tell whether the user's role (or their being its handler) allows ``action``."""
    role = Role(user.role)
    who = RULES[action][1]
    if who is Who.DISTRICT:
        return role in (Role.ADMIN, Role.DISTRICT)
    if who is Who.HANDLER and case.handler_id == user.id:
        return True
    return role in MANAGERS


def possible(session: Session, user: User, case: FeedbackCase) -> list[Action]:
    """Return the actions ``user`` may take on ``case`` now, for the case page.

    Besides the state, the case's content rules some out: waiting and resuming
    exclude each other, and a review needs a submitted answer.
    """
    if not _reaches(session, user, case):
        return []
    state = CaseState(case.state)
    unavailable = {Action.RESUME} if case.waiting_since is None else {Action.WAIT}
    pending = _pending_answer(session, case)
    if pending is None or pending.state != AnswerState.SUBMITTED:
        unavailable |= {Action.RETURN_ANSWER, Action.PUBLISH_ANSWER}
    return [
        action
        for action, (states, _who) in RULES.items()
        if state in states
        and action not in unavailable
        and _role_may(user, case, action)
    ]


def apply(
    session: Session,
    case: FeedbackCase,
    action: Action,
    user: User,
    step: Step = Step(),
    *,
    review: bool = True,
    now: datetime | None = None,
) -> CaseEvent:
    """Take ``action`` on ``case`` as ``user``; return its event; flush.

    ``review``: answers wait for a manager's approval before the citizen sees
    them. Raises ``CaseError`` (nothing changed) when the step is refused.
    """
    states, _who = RULES[action]
    if CaseState(case.state) not in states:
        raise CaseError(NOT_NOW)
    if not may(session, user, case, action):
        raise CaseError(NOT_ALLOWED)
    now = now or utcnow()
    before = (case.state, case.unit_id)
    kind, note, detail = _STEPS[action](_Change(session, case, user, step, review, now))
    case.updated_at = now
    return record(
        session,
        case,
        kind,
        Actor.STAFF,
        user,
        from_state=before[0],
        to_state=case.state,
        from_unit_id=before[1],
        to_unit_id=case.unit_id,
        public_note=note,
        detail=detail,
        at=now,
    )


_Outcome = tuple[EventKind, str, dict[str, object]]


@dataclass(frozen=True)
class _Change:
    """One step being taken: what each step function works with."""

    session: Session
    case: FeedbackCase
    user: User
    step: Step
    review: bool
    now: datetime


def _assign(c: _Change) -> _Outcome:
    handler = c.step.handler
    if (
        handler is None
        or not handler.active
        or Role(handler.role) not in HANDLER_ROLES
        or handler.unit_id not in set(c.session.scalars(lineage_ids(c.case.unit_id)))
    ):
        raise CaseError(BAD_HANDLER)
    c.case.handler_id = handler.id
    if c.case.state == S.RECEIVED:
        c.case.state = S.ASSIGNED.value
    return EventKind.ASSIGNED, "", {"handler": handler.username}


def _start(c: _Change) -> _Outcome:
    c.case.state = S.IN_PROGRESS.value
    return EventKind.STARTED, "", {}


def _transfer(c: _Change) -> _Outcome:
    if c.step.unit is None or c.step.unit.id == c.case.unit_id:
        raise CaseError(SAME_UNIT)
    reason = _reason(c.step.text)
    c.case.unit_id = c.step.unit.id
    c.case.handler_id = None
    c.case.state = S.RECEIVED.value
    return EventKind.TRANSFERRED, "", {"reason": reason}


def _submit(c: _Change) -> _Outcome:
    text = clean_text(c.step.text)
    answer = _pending_answer(c.session, c.case)
    if answer is None:
        answer = CaseAnswer(
            case_id=c.case.id, text=text, drafted_by=c.user.id, drafted_at=c.now
        )
        c.session.add(answer)
    answer.text = text
    answer.state = AnswerState.SUBMITTED.value
    answer.submitted_at = c.now
    if not c.review:
        return _publish_answer(c.case, answer, c.user, c.now)
    return EventKind.ANSWER_SUBMITTED, "", {"answer_chars": len(text)}


def _return(c: _Change) -> _Outcome:
    answer = _submitted(c.session, c.case)
    note = _reason(c.step.text)
    answer.state = AnswerState.RETURNED.value
    answer.reviewed_by = c.user.id
    answer.reviewed_at = c.now
    answer.review_note = note
    return EventKind.ANSWER_RETURNED, "", {"note": note}


def _publish(c: _Change) -> _Outcome:
    answer = _submitted(c.session, c.case)
    if c.step.text.strip():
        answer.text = clean_text(c.step.text)
    return _publish_answer(c.case, answer, c.user, c.now)


def _publish_answer(
    case: FeedbackCase, answer: CaseAnswer, user: User, now: datetime
) -> _Outcome:
    answer.state = AnswerState.PUBLISHED.value
    answer.reviewed_by = user.id
    answer.reviewed_at = now
    answer.published_at = now
    case.answered_at = now
    _resolve(case, S.ANSWERED, now)
    return EventKind.ANSWER_PUBLISHED, "", {"answer_id": answer.id}


def _reject(c: _Change) -> _Outcome:
    reason = _reason(c.step.text)
    c.case.reject_reason = reason
    _resolve(c.case, S.REJECTED, c.now)
    return EventKind.REJECTED, reason, {}


def _refer(c: _Change) -> _Outcome:
    body = c.step.body.strip()[:300]
    if not body:
        raise CaseError(NO_BODY)
    c.case.referred_to = body
    _resolve(c.case, S.REFERRED_OUT, c.now)
    return EventKind.REFERRED_OUT, body, {}


def _merge(c: _Change) -> _Outcome:
    target = c.step.target
    if (
        target is None
        or target.id == c.case.id
        or target.unit_id != c.case.unit_id
        or target.state == S.MERGED
    ):
        raise CaseError(BAD_MERGE)
    c.case.merged_into_id = target.id
    _resolve(c.case, S.MERGED, c.now)
    record(
        c.session,
        target,
        EventKind.ABSORBED,
        Actor.STAFF,
        c.user,
        from_state=target.state,
        to_state=target.state,
        detail={"case": c.case.tracking_code},
        at=c.now,
    )
    return EventKind.MERGED, "", {"into": target.tracking_code}


def _close(c: _Change) -> _Outcome:
    c.case.state = S.CLOSED.value
    c.case.closed_at = c.now
    return EventKind.CLOSED, "", {}


def _reopen(c: _Change) -> _Outcome:
    reason = _reason(c.step.text)
    # The old reply no longer stands: its answer is withdrawn from the status
    # page, its rating (of a reply that no longer stands) removed, and the c.case
    # may be escalated again when it runs late.
    withdrawn = c.session.execute(
        update(CaseAnswer)
        .where(
            CaseAnswer.case_id == c.case.id,
            CaseAnswer.state == AnswerState.PUBLISHED,
        )
        .values(state=AnswerState.WITHDRAWN.value)
    ).rowcount
    rating = c.session.get(CaseRating, c.case.id)
    detail: dict[str, object] = {"reason": reason, "answers_withdrawn": withdrawn}
    if rating is not None:
        detail["rating_removed"] = rating.score
        c.session.delete(rating)
    c.case.state = (S.IN_PROGRESS if c.case.handler_id else S.RECEIVED).value
    c.case.answered_at = None
    c.case.escalated_at = None
    c.case.outcome = None
    c.case.resolved_at = None
    c.case.resolved_quarter = None
    c.case.working_days_to_resolve = None
    c.case.on_time = None
    c.case.closed_at = None
    return EventKind.REOPENED, "", detail


def _wait(c: _Change) -> _Outcome:
    if c.case.waiting_since is not None:
        raise CaseError(IS_WAITING)
    note = _reason(c.step.text)
    c.case.waiting_since = c.now
    return EventKind.WAITING, note, {}


def _resume(c: _Change) -> _Outcome:
    if c.case.waiting_since is None:
        raise CaseError(NOT_WAITING)
    c.case.waiting_since = None
    return EventKind.RESUMED, "", {}


def _note(c: _Change) -> _Outcome:
    return EventKind.NOTE, "", {"note": _reason(c.step.text)}


_STEPS = {
    Action.ASSIGN: _assign,
    Action.START: _start,
    Action.TRANSFER: _transfer,
    Action.SUBMIT_ANSWER: _submit,
    Action.RETURN_ANSWER: _return,
    Action.PUBLISH_ANSWER: _publish,
    Action.REJECT: _reject,
    Action.REFER_OUT: _refer,
    Action.MERGE: _merge,
    Action.CLOSE: _close,
    Action.REOPEN: _reopen,
    Action.WAIT: _wait,
    Action.RESUME: _resume,
    Action.NOTE: _note,
}


def _reason(text: str) -> str:
    if not text.strip():
        raise CaseError(NO_REASON)
    return clean_text(text)


def _pending_answer(session: Session, case: FeedbackCase) -> CaseAnswer | None:
    return session.scalar(
        select(CaseAnswer)
        .where(
            CaseAnswer.case_id == case.id,
            CaseAnswer.state.in_(
                (AnswerState.DRAFT, AnswerState.SUBMITTED, AnswerState.RETURNED)
            ),
        )
        .order_by(CaseAnswer.id.desc())
    )


def _submitted(session: Session, case: FeedbackCase) -> CaseAnswer:
    answer = _pending_answer(session, case)
    if answer is None or answer.state != AnswerState.SUBMITTED:
        raise CaseError(NO_SUBMITTED)
    return answer


def _resolve(
    case: FeedbackCase,
    state: CaseState,
    now: datetime,
    timing: tuple[WorkingCalendar, DeadlineRules] | None = None,
) -> None:
    """Move ``case`` out of the open states and set the figures' columns.

    ``timing``: the calendar and the unit's rules, when the caller has them.
    """
    session = Session.object_session(case)
    assert session is not None
    case.state = state.value
    case.outcome = state.value
    case.resolved_at = now
    case.resolved_quarter = period_of(now)
    case.waiting_since = None
    if state == S.MERGED:
        return
    if timing is None:
        unit = session.get(Unit, case.unit_id)
        assert unit is not None
        timing = (load_calendar(session), rules_for(session, unit))
    case.working_days_to_resolve = working_days_taken(case.received_at, now, *timing)
    case.on_time = now <= case.due_at


def answered_outside(
    session: Session,
    answers: Sequence[tuple[FeedbackCase, datetime]],
    user: User | None,
) -> None:
    """Record that these cases were answered outside hailong (on a portal), each
    at its moment; flush once.

    The same columns as an answer published here (quarter, working days, on
    time), and one event by the system each; no answer text, which stays where
    it was given. The calendar and each unit's rules are read once.
    """
    calendar = load_calendar(session)
    rules: dict[int, DeadlineRules] = {}
    for case, at in answers:
        if case.unit_id not in rules:
            unit = session.get(Unit, case.unit_id)
            assert unit is not None
            rules[case.unit_id] = rules_for(session, unit)
        before = case.state
        case.answered_at = at
        case.updated_at = at
        _resolve(case, S.ANSWERED, at, (calendar, rules[case.unit_id]))
        session.add(
            new_event(
                case,
                EventKind.ANSWER_PUBLISHED,
                Actor.SYSTEM,
                user,
                from_state=before,
                to_state=case.state,
                detail={"outside": case.channel, "source_ref": case.source_ref},
                at=at,
            )
        )
    session.flush()


def published_answer(session: Session, case: FeedbackCase) -> CaseAnswer | None:
    """Return the answer the citizen may read, or None."""
    return session.scalar(
        select(CaseAnswer)
        .where(
            CaseAnswer.case_id == case.id,
            CaseAnswer.state == AnswerState.PUBLISHED,
        )
        .order_by(CaseAnswer.published_at.desc())
    )
