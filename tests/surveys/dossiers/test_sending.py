"""Sending letters: recorded and audited, through the channel's sender."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.dossiers.applicants import ApplicantRetention
from surveys.dossiers.letters import LetterError
from surveys.dossiers.sending import (
    ALREADY_SENT,
    SENT_BEFORE_ISSUE,
    SENT_IN_FUTURE,
    Delivery,
    ManualDelivery,
    Senders,
    SendingFailed,
    send_letter,
)
from surveys.models import ApologyLetter, AuditEvent, DossierApplicant, LetterDelivery
from tests.builders import make_procedure, make_unit, make_user
from tests.surveys.dossiers.late import NOW, add_applicant, at, letter_for, returned

PDF = b"%PDF-letter"


class Gateway:
    """A gateway that keeps what it was asked to send (the letter read as it
    sends, as a mail server attaches it), or refuses."""

    def __init__(self, refuse: str = "") -> None:
        self.sent: list[Delivery] = []
        self.documents: list[bytes] = []
        self.refuse = refuse

    def deliver(self, delivery: Delivery) -> None:
        if self.refuse:
            raise SendingFailed(self.refuse)
        self.sent.append(delivery)
        self.documents.append(delivery.document())


def make_gateway() -> Gateway:
    """The factory the ``LETTER_SENDERS`` setting names in a test."""
    return Gateway()


@pytest.fixture
def letter(db_session: Session) -> ApologyLetter:
    ward = make_unit(db_session)
    late = returned(db_session, ward, make_procedure(db_session), date(2026, 3, 9))
    add_applicant(db_session, late)
    return letter_for(db_session, late)


def send(
    session: Session,
    letter: ApologyLetter,
    sent_at: datetime = NOW,
    senders: Senders | None = None,
    via: LetterDelivery = LetterDelivery.POST,
) -> None:
    send_letter(
        session,
        make_user(session, None, "admin"),
        letter,
        via=via,
        sent_at=sent_at,
        now=NOW,
        document=lambda: PDF,
        senders=senders or Senders(),
        retention=ApplicantRetention(after_letter=timedelta(days=60)),
    )


def test_sending_is_recorded_audited_and_moves_the_purge(
    db_session: Session, letter: ApologyLetter
) -> None:
    send(db_session, letter)
    assert (letter.sent_at, letter.sent_via) == (NOW, "post")
    assert letter.sent_by is not None
    kept = db_session.get_one(DossierApplicant, letter.dossier_id)
    assert kept.purge_after == NOW + timedelta(days=60)
    event = db_session.scalar(
        select(AuditEvent).where(AuditEvent.action == "letter_sent")
    )
    assert event is not None
    assert (event.object_id, event.user_id) == (str(letter.id), letter.sent_by)
    assert event.detail["via"] == "post" and event.detail["sent_on"] == "2026-04-01"


@pytest.mark.parametrize(
    ("sent_at", "why"),
    [
        (at(date(2026, 3, 31), 16), SENT_BEFORE_ISSUE),
        (NOW + timedelta(minutes=1), SENT_IN_FUTURE),
    ],
)
def test_a_sending_date_before_the_letter_or_to_come_is_refused(
    db_session: Session, letter: ApologyLetter, sent_at: datetime, why: object
) -> None:
    with pytest.raises(LetterError) as refused:
        send(db_session, letter, sent_at)
    assert refused.value.message == why
    assert letter.sent_at is None


def test_a_letter_is_sent_once(db_session: Session, letter: ApologyLetter) -> None:
    send(db_session, letter)
    with pytest.raises(LetterError) as refused:
        send(db_session, letter)
    assert refused.value.message == ALREADY_SENT


def test_a_plugged_sender_gets_the_letter_and_its_recipient(
    db_session: Session, letter: ApologyLetter
) -> None:
    gateway = Gateway()
    senders = Senders()
    senders.register(LetterDelivery.SMS, gateway)
    assert isinstance(senders.for_channel(LetterDelivery.POST), ManualDelivery)
    send(db_session, letter, senders=senders, via=LetterDelivery.SMS)
    [delivery] = gateway.sent
    assert delivery.letter_id == letter.id
    assert delivery.reference == f"1/PXL-{letter.dossier.unit.code.upper()}"
    assert delivery.recipient is not None
    assert delivery.recipient.phone == "0903123456"
    assert gateway.documents == [PDF]
    assert letter.sent_via == "sms"


def test_a_failed_sending_leaves_the_letter_unsent(
    db_session: Session, letter: ApologyLetter
) -> None:
    senders = Senders({LetterDelivery.EMAIL: Gateway(refuse="hộp thư đầy")})
    with pytest.raises(LetterError) as refused:
        send(db_session, letter, senders=senders, via=LetterDelivery.EMAIL)
    assert refused.value.message.params == {"reason": "hộp thư đầy"}
    assert letter.sent_at is None
    sent = select(AuditEvent).where(AuditEvent.action == "letter_sent")
    assert db_session.scalar(sent) is None


def test_senders_are_plugged_in_by_a_setting() -> None:
    senders = Senders.from_settings({"sms": f"{__name__}:make_gateway"})
    assert isinstance(senders.for_channel(LetterDelivery.SMS), Gateway)
    assert isinstance(senders.for_channel(LetterDelivery.EMAIL), ManualDelivery)
