"""How to reach the citizen about a case: kept only with consent, and not for long.

A name, phone number or e-mail address is stored (``CaseContact``, apart from
the case) only when the citizen ticked the consent box, which is never ticked
for them; it serves one purpose, to ask the citizen for more or tell them the
answer. It is shown only to the managers of the case's unit and never leaves
hailong in an export.

How long: ``CaseContactRetention.after_resolution`` (the ``CASE_CONTACT_DAYS``
setting, 90 days: our choice, no rule was found) after the case left the open
states, the time for the citizen to rate or question the answer; a case that
stays open keeps it at most ``while_open`` after its receipt (two years: longer
than any handling, yet a bound). ``purge_after`` holds the outer bound, set at
intake; the purge (``surveys.access.retention``) erases contacts past it and
those of cases resolved longer ago than ``after_resolution``. A reopened case
is no longer resolved, so its contact (if not yet erased) stays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from surveys.access.scope import Scope
from surveys.cases.intake import clean_text
from surveys.cases.refusals import CaseError
from surveys.models import CaseContact, FeedbackCase
from surveys.translatable import N_, Message

#: Default of the ``CASE_CONTACT_DAYS`` setting.
CASE_CONTACT_DAYS = 90

NO_CONSENT = Message(
    N_(
        "Ông/Bà đã ghi thông tin liên hệ nhưng chưa đánh dấu đồng ý: hãy đánh dấu "
        "ô đồng ý, hoặc xoá thông tin liên hệ."
    )
)
NOTHING_TO_KEEP = Message(
    N_("Ông/Bà đã đồng ý cho liên hệ: hãy ghi số điện thoại hoặc thư điện tử.")
)
BAD_PHONE = Message(N_("Số điện thoại “%(phone)s” không đúng."))
BAD_EMAIL = Message(N_("Địa chỉ thư điện tử “%(email)s” không đúng."))

_PHONE = re.compile(r"\+?[0-9][0-9 .\-]{6,18}[0-9]")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class CaseContactRetention:
    """How long a citizen's contact is kept (the app reads it from its settings)."""

    after_resolution: timedelta = timedelta(days=CASE_CONTACT_DAYS)
    while_open: timedelta = timedelta(days=730)


@dataclass(frozen=True)
class ContactDetails:
    """What the citizen typed in the contact fields, and whether they consented."""

    name: str = ""
    phone: str = ""
    email: str = ""
    consented: bool = False

    @property
    def empty(self) -> bool:
        return not (self.name.strip() or self.phone.strip() or self.email.strip())


def check_contact(details: ContactDetails) -> ContactDetails | None:
    """Return the contact to keep, cleaned; None when nothing is to be kept.

    Raises ``CaseError`` when details were typed without consent (rather than
    dropping them silently), or consent given with no way to reach them.
    """
    if details.empty:
        if details.consented:
            raise CaseError(NOTHING_TO_KEEP)
        return None
    if not details.consented:
        raise CaseError(NO_CONSENT)
    phone = details.phone.strip()
    email = details.email.strip()
    if not phone and not email:
        raise CaseError(NOTHING_TO_KEEP)
    if phone and not _PHONE.fullmatch(phone):
        raise CaseError(Message(BAD_PHONE.msgid, {"phone": phone[:40]}))
    if email and (len(email) > 200 or not _EMAIL.fullmatch(email)):
        raise CaseError(Message(BAD_EMAIL.msgid, {"email": email[:60]}))
    name = clean_text(details.name, 200) if details.name.strip() else ""
    return ContactDetails(name, phone, email, consented=True)


def keep_contact(
    session: Session,
    case: FeedbackCase,
    details: ContactDetails,
    retention: CaseContactRetention = CaseContactRetention(),
) -> CaseContact | None:
    """Keep the case's contact if the citizen consented; flush. Raises ``CaseError``."""
    checked = check_contact(details)
    if checked is None:
        return None
    contact = CaseContact(
        case_id=case.id,
        name=checked.name,
        phone=checked.phone,
        email=checked.email,
        consented_at=case.received_at,
        purge_after=case.received_at + retention.while_open,
    )
    session.add(contact)
    session.flush()
    return contact


def may_see_contacts(scope: Scope) -> bool:
    """Tell whether a role may read citizens' contacts (the unit's managers and up)."""
    return scope.can_manage


def contact_of(
    session: Session, scope: Scope, case: FeedbackCase
) -> CaseContact | None:
    """Return the case's contact if ``scope`` may see it (the case is in scope)."""
    if not may_see_contacts(scope):
        return None
    return session.get(CaseContact, case.id)


def purge_expired_case_contacts(
    session: Session,
    now: datetime,
    after_resolution: timedelta = CaseContactRetention.after_resolution,
) -> int:
    """Erase contacts past their bound or of cases resolved long enough ago."""
    resolved_long_ago = select(FeedbackCase.id).where(
        FeedbackCase.resolved_at <= now - after_resolution
    )
    result = session.execute(
        delete(CaseContact).where(
            (CaseContact.purge_after <= now)
            | CaseContact.case_id.in_(resolved_long_ago)
        )
    )
    return result.rowcount or 0
