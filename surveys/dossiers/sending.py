"""Sending apology letters: recorded here, done outside hailong (or by a plug-in).

Officials hand a letter over at the counter, post it, e-mail it or text it, and
record here that they did: when, by whom and how. Each way of sending has a
``LetterSender``; the default, ``ManualDelivery``, does nothing but let the
sending be recorded. A deployment with an SMS gateway or a mail server plugs a
sender of its own in for that channel (``Senders.register``, or the app's
``LETTER_SENDERS`` setting naming a factory as ``module:attribute``), and the
recording stays the same. A sender that fails raises ``SendingFailed``: the
letter then stays unsent.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from surveys.access.audit import AuditAction, record_event
from surveys.dossiers.applicants import (
    DEFAULT_RETENTION,
    ApplicantRetention,
    applicant_purge_after,
)
from surveys.dossiers.letters import LetterError, reference
from surveys.local_time import local_date
from surveys.models import (
    ApologyLetter,
    DossierApplicant,
    DossierChannel,
    LetterDelivery,
    User,
)
from surveys.translatable import N_, Message

#: How a letter is proposed to be sent, by the dossier's channel: online
#: dossiers are answered online (Nghị định 61/2018), the others as they came.
PROPOSED_DELIVERY = {
    DossierChannel.COUNTER: LetterDelivery.IN_PERSON,
    DossierChannel.ONLINE: LetterDelivery.EMAIL,
    DossierChannel.POST: LetterDelivery.POST,
}

ALREADY_SENT = Message(N_("Phiếu này đã được ghi nhận là đã gửi."))
SENT_BEFORE_ISSUE = Message(N_("Ngày gửi không được trước ngày lập phiếu."))
SENT_IN_FUTURE = Message(N_("Ngày gửi không được sau hôm nay."))
NOT_DELIVERED = Message(N_("Không gửi được phiếu: %(reason)s"))


class SendingFailed(Exception):
    """A sender could not deliver the letter; its message says why."""


@dataclass(frozen=True)
class Recipient:
    """The applicant as the letter is addressed, read only to send it."""

    name: str
    phone: str
    email: str
    address: str


@dataclass(frozen=True)
class Delivery:
    """One letter to deliver, with what a sender may need to do it."""

    letter_id: int
    #: The letter's number as printed ("12/PXL-Q1-BEN-NGHE").
    reference: str
    dossier_code: str
    via: LetterDelivery
    #: None when the applicant's data is gone (purged, or never imported).
    recipient: Recipient | None
    #: Returns the letter as PDF; only a sender that attaches it pays for it.
    document: Callable[[], bytes]


class LetterSender(Protocol):
    """Delivers letters one way (``LetterDelivery``)."""

    def deliver(self, delivery: Delivery) -> None:
        """Hand the letter over, or raise ``SendingFailed``."""


class ManualDelivery:
    """The official delivered the letter themselves; there is nothing to do."""

    def deliver(self, delivery: Delivery) -> None:
        """Do nothing: the sending happened outside hailong."""


MANUAL = ManualDelivery()


class Senders:
    """Which sender each way of sending uses; ``ManualDelivery`` unless plugged."""

    def __init__(self, senders: Mapping[LetterDelivery, LetterSender] | None = None):
        self._senders = dict(senders or {})

    def register(self, via: LetterDelivery, sender: LetterSender) -> None:
        """Send letters ``via`` this way through ``sender`` from now on."""
        self._senders[via] = sender

    def for_channel(self, via: LetterDelivery) -> LetterSender:
        """Return the sender of ``via``."""
        return self._senders.get(via, MANUAL)

    @classmethod
    def from_settings(cls, settings: Mapping[str, str]) -> Senders:
        """Build the senders a setting names: ``{"sms": "package.module:factory"}``.

        Each factory is called with no argument and returns the sender.
        """
        senders = cls()
        for via, path in settings.items():
            module, _, attribute = path.partition(":")
            factory = getattr(importlib.import_module(module), attribute)
            senders.register(LetterDelivery(via), factory())
        return senders


def send_letter(
    session: Session,
    actor: User | None,
    letter: ApologyLetter,
    *,
    via: LetterDelivery,
    sent_at: datetime,
    now: datetime,
    document: Callable[[], bytes],
    senders: Senders,
    retention: ApplicantRetention = DEFAULT_RETENTION,
) -> None:
    """Deliver the letter through ``via``'s sender, record it, and audit it.

    The applicant's data is then kept ``retention.after_letter`` from the
    sending. Raises ``LetterError`` for a letter sent already, a sending date
    before the letter's or after today, or a sender's failure.
    """
    if letter.sent_at is not None:
        raise LetterError(ALREADY_SENT)
    if local_date(sent_at) < letter.issued_on:
        raise LetterError(SENT_BEFORE_ISSUE)
    if sent_at > now:
        raise LetterError(SENT_IN_FUTURE)
    dossier = letter.dossier
    applicant = session.get(DossierApplicant, dossier.id)
    number = reference(dossier.unit.code, letter.number)
    delivery = Delivery(
        letter_id=letter.id,
        reference=number,
        dossier_code=dossier.code,
        via=via,
        recipient=None
        if applicant is None
        else Recipient(
            applicant.name, applicant.phone, applicant.email, applicant.address
        ),
        document=document,
    )
    try:
        senders.for_channel(via).deliver(delivery)
    except SendingFailed as error:
        raise LetterError(
            Message(NOT_DELIVERED.msgid, {"reason": str(error)})
        ) from error
    letter.sent_at = sent_at
    letter.sent_by = None if actor is None else actor.id
    letter.sent_via = via
    if applicant is not None:
        applicant.purge_after = applicant_purge_after(
            dossier.due_at,
            dossier.returned_at,
            dossier.working_days_late,
            letter_sent_at=sent_at,
            retention=retention,
        )
    record_event(
        session,
        AuditAction.LETTER_SENT,
        None if actor is None else actor.id,
        object_type="apology_letter",
        object_id=str(letter.id),
        detail={
            "unit": dossier.unit.code,
            "reference": number,
            "via": str(via),
            "sent_on": local_date(sent_at).isoformat(),
        },
    )
