"""Who filed a dossier: personal data kept only while an apology letter may be owed.

The applicant's name and contact (``DossierApplicant``) serve one purpose: to
address the Phiếu xin lỗi of a late dossier (Decree 13/2023/NĐ-CP, Law
91/2025/QH15: keep only what is needed, for as long as it is needed). Each row
carries the instant it must be erased, ``purge_after``, set when the dossier is
imported and moved when its letter is sent; the scheduled purge
(``surveys.access.retention``) erases every row past it. The letter itself keeps
no copy of the contact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from surveys.models import DossierApplicant


@dataclass(frozen=True)
class ApplicantRetention:
    """How long an applicant's data is kept (the app reads it from its settings)."""

    #: After a dossier returned on time or early: long enough for a newer export
    #: (or a corrected calendar) to show it late after all.
    after_return: timedelta = timedelta(days=30)
    #: After the apology letter of a late dossier was sent: for the applicant's
    #: answer or complaint about it.
    after_letter: timedelta = timedelta(days=90)
    #: After the due date, while the dossier is open or its letter unsent: then
    #: the data goes even though the letter was never sent.
    unsettled: timedelta = timedelta(days=180)


DEFAULT_RETENTION = ApplicantRetention()


def applicant_purge_after(
    due_at: datetime,
    returned_at: datetime | None,
    working_days_late: int | None,
    letter_sent_at: datetime | None = None,
    retention: ApplicantRetention = DEFAULT_RETENTION,
) -> datetime:
    """Return when a dossier's applicant data must be erased.

    Returned in time: ``after_return`` after the return. Late with its letter
    sent: ``after_letter`` after the sending. Otherwise (open, or late with no
    letter sent yet) a letter may still be owed: ``unsettled`` after the due
    date. Never before ``after_return`` has passed since a return.
    """
    if letter_sent_at is not None:
        keep_until = letter_sent_at + retention.after_letter
    elif returned_at is not None and (working_days_late or 0) <= 0:
        keep_until = returned_at + retention.after_return
    else:
        keep_until = due_at + retention.unsettled
    if returned_at is not None:
        keep_until = max(keep_until, returned_at + retention.after_return)
    return keep_until


def purge_expired_applicants(session: Session, now: datetime) -> int:
    """Erase applicants' names and contacts past their retention; return how many."""
    result = session.execute(
        delete(DossierApplicant).where(DossierApplicant.purge_after <= now)
    )
    return result.rowcount or 0
