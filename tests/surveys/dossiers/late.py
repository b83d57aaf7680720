"""Late dossiers, their applicants and letters, for the tests of apology letters.

Dates are March 2026: a three-day procedure received on Monday 02/03 is due on
Thursday 05/03 at 17:00; ``NOW`` is Wednesday 01/04.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from surveys.dossiers.applicants import applicant_purge_after
from surveys.dossiers.letters import LetterDraft, draft_letter
from surveys.dossiers.timing import local_instant
from surveys.models import (
    ApologyLetter,
    Dossier,
    DossierApplicant,
    DossierStatus,
    Procedure,
    Unit,
    User,
)
from tests.builders import make_dossier

MONDAY = date(2026, 3, 2)
#: The due day of a three-day dossier received on ``MONDAY``.
DUE_DAY = date(2026, 3, 5)
NOW = local_instant(date(2026, 4, 1), 10 * 60)
DRAFT = LetterDraft(
    reason_code="consultation",
    reason_text="Chờ ý kiến của Sở Tư pháp",
    new_return_on=date(2026, 4, 8),
    signer_title="Chủ tịch",
    signer_name="Lê Văn Ký",
)


def at(day: date, hour: int = 9) -> datetime:
    """Return the instant of ``hour`` o'clock of ``day`` in Vietnam."""
    return local_instant(day, hour * 60)


def returned(
    session: Session,
    unit: Unit,
    procedure: Procedure,
    back: date,
    received: date = MONDAY,
    **fields: object,
) -> Dossier:
    """A dossier received on ``received`` (a Monday) and returned on ``back``."""
    return make_dossier(
        session,
        unit,
        at(received),
        procedure,
        returned_at=at(back, 10),
        status=DossierStatus.RETURNED,
        **fields,
    )


def still_open(
    session: Session,
    unit: Unit,
    procedure: Procedure,
    received: date = MONDAY,
    **fields: object,
) -> Dossier:
    """A dossier received on ``received`` and not returned yet."""
    return make_dossier(
        session,
        unit,
        at(received),
        procedure,
        status=DossierStatus.IN_PROGRESS,
        **fields,
    )


def add_applicant(
    session: Session, dossier: Dossier, name: str = "Nguyễn Thị Hồng Nhung"
) -> DossierApplicant:
    """The dossier's applicant, kept as the import keeps them."""
    applicant = DossierApplicant(
        dossier_id=dossier.id,
        name=name,
        phone="0903123456",
        email="nhung@example.vn",
        address="12 Lê Lợi, Phường Bến Nghé",
        purge_after=applicant_purge_after(
            dossier.due_at, dossier.returned_at, dossier.working_days_late
        ),
    )
    session.add(applicant)
    session.flush()
    return applicant


def letter_for(
    session: Session,
    dossier: Dossier,
    actor: User | None = None,
    now: datetime = NOW,
    **changes: object,
) -> ApologyLetter:
    """Draft the standard letter (``DRAFT``, with ``changes``) for ``dossier``."""
    values = {**DRAFT.__dict__, **changes}
    return draft_letter(session, actor, dossier, LetterDraft(**values), now)
