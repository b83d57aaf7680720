"""Apology letters for the demo district's late dossiers, as a diligent but
imperfect district would have them: most late dossiers have a letter, most
letters were sent, some only after the result had been returned, and a few late
dossiers have none, so the dashboard has something to show on each count.

Letters go through the real services (numbered, audited, sent by hand); the
demo runs without a user, as a command does.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from surveys.dossiers.calendar import load_calendar
from surveys.dossiers.letters import (
    LetterDraft,
    default_new_return_on,
    draft_letter,
    owes_letter,
)
from surveys.dossiers.sending import PROPOSED_DELIVERY, Senders, send_letter
from surveys.local_time import local_date
from surveys.models import (
    ApologyLetter,
    Dossier,
    DossierChannel,
    LetterDelivery,
    Unit,
)
from surveys.units.tree import subtree_ids

#: Shares of the late dossiers given a letter, of letters sent, and of the
#: letters of returned dossiers sent only after the return.
DRAFTED = 0.85
SENT = 0.85
AFTER_RETURN = 0.2
#: A letter is drafted this long after its dossier fell due.
DRAFTING_DELAY = timedelta(hours=18)
REASON_CODES = ("verification", "consultation", "software", "workload")
SIGNER = ("Chủ tịch", "Nguyễn Văn Thành")


def ensure_letters(
    session: Session, rng: np.random.Generator, now: datetime, district_code: str
) -> int:
    """Draft and send the district's letters unless it has some; return how many.

    Nothing happens without late dossiers (a demo seeded without them).
    """
    district = session.scalar(select(Unit).where(Unit.code == district_code))
    if district is None:
        return 0
    in_district = subtree_ids(district.id)
    seeded = select(ApologyLetter.id).where(ApologyLetter.unit_id.in_(in_district))
    if session.scalar(seeded.limit(1)) is not None:
        return 0
    late = session.scalars(
        select(Dossier)
        .where(Dossier.unit_id.in_(in_district), owes_letter(now))
        .options(selectinload(Dossier.unit), selectinload(Dossier.procedure))
        .order_by(Dossier.due_at, Dossier.id)
    ).all()
    calendar = load_calendar(session)
    senders = Senders()
    drafted = 0
    for dossier in late:
        if rng.random() >= DRAFTED:
            continue
        drafted_at = min(dossier.due_at + DRAFTING_DELAY, now)
        letter = draft_letter(
            session,
            None,
            dossier,
            LetterDraft(
                reason_code=str(rng.choice(REASON_CODES)),
                reason_text="",
                new_return_on=default_new_return_on(
                    dossier, calendar, local_date(drafted_at)
                ),
                signer_title=SIGNER[0],
                signer_name=SIGNER[1],
            ),
            drafted_at,
            calendar,
        )
        drafted += 1
        if rng.random() < SENT:
            send_letter(
                session,
                None,
                letter,
                via=_delivery(dossier, rng),
                sent_at=_sent_at(dossier, drafted_at, now, rng),
                now=now,
                # Sent by hand: the manual sender never asks for the document.
                document=bytes,
                senders=senders,
            )
    return drafted


def _delivery(dossier: Dossier, rng: np.random.Generator) -> LetterDelivery:
    """Return how the letter went: as proposed, or by text message for online ones."""
    if dossier.channel == DossierChannel.ONLINE and rng.random() < 0.4:
        return LetterDelivery.SMS
    return PROPOSED_DELIVERY[DossierChannel(dossier.channel)]


def _sent_at(
    dossier: Dossier, drafted_at: datetime, now: datetime, rng: np.random.Generator
) -> datetime:
    """Return when the letter went: soon after drafting, or days after the return."""
    sent = drafted_at + timedelta(hours=float(rng.uniform(1, 6)))
    if dossier.returned_at is not None and rng.random() < AFTER_RETURN:
        sent = max(sent, dossier.returned_at + timedelta(days=float(rng.uniform(1, 4))))
    return min(sent, now)
