"""Erasing personal data past its retention, on a schedule no operator must keep.

Follow-up phone numbers (``surveys.access.privacy``), answers saved part-way
and never sent (``surveys.storage.drafts``) and dossier applicants' names and
contacts (``surveys.dossiers.applicants``) and the contacts citizens left with
a feedback case (``surveys.cases.contacts``) are kept only so long. Erasing them
must not depend on someone remembering to schedule a command: the application
calls ``purge_if_due`` itself, and the ``chores`` table decides, for every
process and across restarts, whether the purge is due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from surveys.access.privacy import purge_expired_contacts
from surveys.cases.contacts import CASE_CONTACT_DAYS, purge_expired_case_contacts
from surveys.db import dialect_insert
from surveys.dossiers.applicants import purge_expired_applicants
from surveys.models import Chore
from surveys.storage.drafts import purge_stale_drafts

#: The ``chores`` row of the purge.
PURGE = "purge"


@dataclass(frozen=True)
class PurgeReport:
    """How much personal data one purge erased."""

    contacts: int
    drafts: int
    applicants: int
    case_contacts: int = 0


def purge_personal_data(
    session: Session,
    now: datetime,
    case_contact_days: int = CASE_CONTACT_DAYS,
) -> PurgeReport:
    """Erase phone numbers, drafts, applicants and case contacts past retention."""
    return PurgeReport(
        contacts=purge_expired_contacts(session, now),
        drafts=purge_stale_drafts(session, now),
        applicants=purge_expired_applicants(session, now),
        case_contacts=purge_expired_case_contacts(
            session, now, timedelta(days=case_contact_days)
        ),
    )


def purge_if_due(
    session: Session,
    now: datetime,
    every: timedelta,
    case_contact_days: int = CASE_CONTACT_DAYS,
) -> PurgeReport | None:
    """Purge unless a purge began less than ``every`` ago; None when not due.

    The claim and the purge share the caller's transaction: two processes
    that ask at once cannot both purge (PostgreSQL makes the second wait for
    the first's row lock and then finds the purge done; SQLite lets one writer
    in at a time), and a purge that fails gives the claim back.
    """
    if not claim_chore(session, PURGE, now, every):
        return None
    return purge_personal_data(session, now, case_contact_days)


def claim_chore(session: Session, name: str, now: datetime, every: timedelta) -> bool:
    """Record that the chore begins now, if it is due; tell whether it was."""
    dialect = session.get_bind().dialect.name
    first = session.execute(
        dialect_insert(dialect, Chore.__table__)
        .values(name=name, last_run_at=now)
        .on_conflict_do_nothing()
        .returning(Chore.__table__.c.name)
    ).first()
    if first is not None:
        return True
    claimed = session.execute(
        update(Chore)
        .where(Chore.name == name, Chore.last_run_at <= now - every)
        .values(last_run_at=now)
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1
