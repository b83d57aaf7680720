"""Printing paper forms in numbered batches, and the register of each batch.

A batch issues one single-use access code per form (``issue_batch``, audited
as any issuing of codes, with the sample design's fields as invitations
carry them), so a paper form is counted once whichever way it comes back: keyed
in from the paper, or answered online through the QR beside its number. Each
change of the register (handed out, returned, a form voided) is audited too:
forms on paper are codes in someone's hands.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys.access.audit import AuditAction, record_event
from surveys.access.codes import SampleDesign, revoke_code
from surveys.db import schema_lock
from surveys.models import (
    Campaign,
    PaperBatch,
    PaperForm,
    PaperFormState,
    ServicePoint,
    Unit,
    User,
)
from surveys.paper.form_numbers import format_number
from surveys.paper.form_refusals import PaperRefused, Refusal
from surveys.units.management import issue_batch

#: The advisory lock that numbers batches one at a time on PostgreSQL (SQLite
#: has one writer; ``schema_lock``).
NUMBERING_LOCK = schema_lock(1885433957)  # 0x70617065, "pape"
#: How long the text saying to whom a batch went may be (the column's size).
MAX_RECIPIENT = 200


def create_batch(
    session: Session,
    actor: User | None,
    campaign: Campaign,
    unit: Unit,
    count: int,
    *,
    service_point: ServicePoint | None = None,
    design: SampleDesign | None = None,
    expires_at: datetime | None = None,
) -> PaperBatch:
    """Number ``count`` new forms for ``unit``, each with its single-use code.

    The numbers follow the last form printed anywhere, so a batch's forms are
    consecutive (``first_number``..``last_number``). Raises ``CodeError`` as
    ``issue_codes`` does (a closed campaign, a unit outside it, a bad count or
    design); nothing is created then. Flushes, never commits.
    """
    codes = sorted(
        issue_batch(
            session,
            actor,
            campaign,
            unit,
            count,
            service_point,
            expires_at,
            design=design,
        ),
        key=lambda code: code.id,
    )
    first = _next_number(session)
    batch = PaperBatch(
        campaign=campaign,
        unit=unit,
        service_point=service_point,
        count=count,
        first_number=first,
        last_number=first + count - 1,
        created_by=actor.id if actor is not None else None,
    )
    session.add(batch)
    session.add_all(
        PaperForm(number=first + offset, batch=batch, access_code=code)
        for offset, code in enumerate(codes)
    )
    session.flush()
    return batch


def _next_number(session: Session) -> int:
    """Return the number after the last form's, holding the numbering to the commit.

    Two batches created at once on PostgreSQL take the lock in turn; the
    unique number is the database's last word either way.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(NUMBERING_LOCK)))
    last = session.scalar(select(func.max(PaperForm.number)))
    return (last or 0) + 1


def mark_printed(session: Session, batch: PaperBatch, now: datetime) -> None:
    """Note that the batch was printed; a reprint keeps the first date."""
    if batch.printed_at is None:
        batch.printed_at = now
        session.flush()


def hand_out(
    session: Session,
    actor: User | None,
    batch: PaperBatch,
    recipient: str,
    now: datetime,
) -> None:
    """Note to whom (a counter, an enumerator, a school) and when the forms went."""
    batch.handed_out_to = " ".join(recipient.split())[:MAX_RECIPIENT]
    batch.handed_out_at = now
    _audit(session, AuditAction.PAPER_HANDED_OUT, actor, batch, to=batch.handed_out_to)


def note_returned(
    session: Session,
    actor: User | None,
    batch: PaperBatch,
    returned: int,
    now: datetime,
) -> None:
    """Note how many filled-in forms have come back so far (0 to the batch's count)."""
    if isinstance(returned, bool) or not 0 <= returned <= batch.count:
        raise PaperRefused(Refusal.RETURNED_COUNT, returned=returned, count=batch.count)
    batch.returned_count = returned
    batch.returned_at = now
    _audit(session, AuditAction.PAPER_RETURNED, actor, batch, returned=returned)


def void_form(
    session: Session, actor: User | None, form: PaperForm, now: datetime
) -> None:
    """Void a spoiled or lost form: it takes no entry, and its code no answer.

    A reconciled form is a response already (excluded, if need be, as any
    response is): it cannot be voided. Voiding a void form changes nothing.
    """
    if form.state == PaperFormState.RECONCILED:
        raise PaperRefused(Refusal.RECONCILED, number=format_number(form.number))
    if form.state == PaperFormState.VOID:
        return
    form.state = PaperFormState.VOID
    revoke_code(session, form.access_code, now)
    _audit(
        session,
        AuditAction.PAPER_FORM_VOIDED,
        actor,
        form.batch,
        number=format_number(form.number),
    )


def _audit(
    session: Session,
    action: AuditAction,
    actor: User | None,
    batch: PaperBatch,
    **detail: object,
) -> None:
    """Record that ``actor`` changed the register of ``batch``, and how; flush."""
    record_event(
        session,
        action,
        actor.id if actor is not None else None,
        object_type="paper_batch",
        object_id=str(batch.id),
        detail={"unit": batch.unit.code, **detail},
    )
    session.flush()
