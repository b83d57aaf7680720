"""Finding a paper form by its number, and keying it in: one entry per clerk.

Each form is keyed by two different clerks, neither of whom sees the other's
entry: nothing here tells a clerk whether an entry exists beside theirs, or
whether it agrees. The answers are checked by the engine exactly as an online
send through the form's code is (``validate_through``: skip logic, types,
constraints); invalid ones are refused with a reason per question and nothing
is stored.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from surveys.access.code_state import (
    CodeUnavailable,
    OpenedCode,
    check_open,
    load_code,
)
from surveys.access.scope import Scope
from surveys.models import (
    AccessCode,
    PaperBatch,
    PaperEntry,
    PaperForm,
    PaperFormState,
    User,
    utcnow,
)
from surveys.paper.comparison import differences, plain
from surveys.paper.form_numbers import format_number, parse_number
from surveys.paper.form_refusals import PaperRefused, Refusal, refused_for
from surveys.questionnaire.validation import RawAnswers
from surveys.storage.recording import validate_through


def form_in_scope(session: Session, scope: Scope, number: str) -> PaperForm | None:
    """Return the form with this printed number in the scope's units, or None.

    A mistyped number (its check digit wrong) and another unit's form are
    both missing, as every object outside a scope is (``get_in_scope``).
    """
    parsed = parse_number(number)
    if parsed is None:
        return None
    found = (
        select(PaperForm)
        .join(PaperForm.batch)
        .where(PaperForm.number == parsed)
        .options(joinedload(PaperForm.batch), joinedload(PaperForm.access_code))
    )
    return session.scalar(scope.filter(found, PaperBatch.unit_id))


def number_of_code(session: Session, scope: Scope, token: str) -> str | None:
    """Return the printed number of the form whose QR holds ``token`` (its
    single-use code), in the scope's units; None for any other code."""
    found = (
        select(PaperForm.number)
        .join(PaperForm.batch)
        .join(AccessCode, AccessCode.id == PaperForm.access_code_id)
        .where(AccessCode.token == token)
    )
    number = session.scalar(scope.filter(found, PaperBatch.unit_id))
    return None if number is None else format_number(number)


def find_form(
    session: Session,
    scope: Scope,
    number: str,
    *,
    clerk: User | None = None,
    now: datetime | None = None,
) -> PaperForm:
    """Return the form a clerk asks for by number, if it can take an entry.

    Refuses (``PaperRefused``) an unknown number or another unit's form
    (``NOT_FOUND``), a void or reconciled form, and one whose code cannot take
    a response (answered online already, revoked, expired, campaign paused or
    closed). With ``clerk``, also a form that clerk keyed already, or that two
    clerks have keyed.
    """
    form = form_in_scope(session, scope, number)
    if form is None:
        raise PaperRefused(Refusal.NOT_FOUND, number=number.strip())
    _check_open(session, form, now or utcnow())
    if clerk is not None:
        _check_can_enter(form, clerk)
    return form


def record_entry(
    session: Session,
    form: PaperForm,
    clerk: User,
    values: RawAnswers,
    started_at: datetime,
    finished_at: datetime,
) -> None:
    """Store one clerk's entry of ``form``; flush, never commit.

    ``values`` are the raw answers as the survey page sends them. Raises
    ``PaperRefused`` (the form not the clerk's to key, taken, or keyed by them
    already, or twice already) or the engine's ``InvalidAnswers``; nothing is
    stored then. Returns nothing: the clerk learns nothing of another entry.
    """
    form = locked(session, form)
    if not sees(session, clerk, form):
        raise PaperRefused(Refusal.NOT_FOUND, number=format_number(form.number))
    code = _check_open(session, form, finished_at)
    slot = _check_can_enter(form, clerk)
    typed = plain(validate_through(code, values, finished_at))
    session.add(
        PaperEntry(
            form=form,
            clerk_id=clerk.id,
            slot=slot,
            answers=typed,
            started_at=started_at,
            finished_at=finished_at,
        )
    )
    session.flush()
    form.state = _state_after(form, slot)
    session.flush()


def _state_after(form: PaperForm, slot: int) -> PaperFormState:
    """Return a form's state once its ``slot``-th entry is stored."""
    if slot == 1:
        return PaperFormState.ENTERED_ONCE
    if differences(form):
        return PaperFormState.IN_CONFLICT
    return PaperFormState.ENTERED_TWICE


def locked(session: Session, form: PaperForm) -> PaperForm:
    """Read the form and its entries again, its row locked to the commit
    (PostgreSQL; SQLite has one writer): two entries or reconciliations of it
    go one at a time, each seeing what the other stored."""
    return session.scalars(
        select(PaperForm)
        .where(PaperForm.id == form.id)
        .with_for_update()
        .options(selectinload(PaperForm.entries))
        .execution_options(populate_existing=True)
    ).one()


def sees(session: Session, user: User, form: PaperForm) -> bool:
    """Tell whether ``form`` is of a unit in ``user``'s scope."""
    found = select(PaperBatch.id).where(PaperBatch.id == form.batch_id)
    return session.scalar(Scope.of(user).filter(found, PaperBatch.unit_id)) is not None


def _check_open(session: Session, form: PaperForm, now: datetime) -> OpenedCode:
    """Return the form's code if the form can take an entry now; else refuse."""
    number = format_number(form.number)
    if form.state == PaperFormState.VOID:
        raise PaperRefused(Refusal.VOID, number=number)
    if form.state == PaperFormState.RECONCILED:
        raise PaperRefused(Refusal.RECONCILED, number=number)
    code = load_code(session, form.access_code.token)
    try:
        check_open(session, code, now)
    except CodeUnavailable as unavailable:
        raise refused_for(unavailable, number) from unavailable
    return code


def _check_can_enter(form: PaperForm, clerk: User) -> int:
    """Return the slot the clerk's entry takes (1 or 2); refuse a second entry
    by the same clerk, and a third entry."""
    clerks = [entry.clerk_id for entry in form.entries]
    number = format_number(form.number)
    if clerk.id in clerks:
        raise PaperRefused(Refusal.SAME_CLERK, number=number)
    if len(clerks) >= 2:
        raise PaperRefused(Refusal.ENTERED_TWICE, number=number)
    return len(clerks) + 1
