"""Dossiers as ``/api/v1`` lists them: cut to a ``Scope``, paged by keyset.

What a viewer of the unit sees on the staff pages, and no more: never the
applicant (``surveys.dossiers.letters.may_see_applicants``: managers only, and
a key reads as a viewer), never the rating code printed on the slip (it leads
to a response). A dossier's apology letter is read from
``surveys.dossiers.letters``: whether the dossier owes one at the moment asked
(``is_late``), and the letter's number and sending if it has one.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, selectinload

from surveys.access.scope import Scope, get_in_scope
from surveys.dossiers.deadlines import CLOSED_STATUSES, is_open
from surveys.dossiers.letters import (
    LetterFilter,
    LetterSummary,
    is_late,
    letter_summary,
)
from surveys.dossiers.timing import Timeliness
from surveys.exchange.day_ranges import within_days
from surveys.exchange.pages import Page, scoped_page
from surveys.models import ApologyLetter, Dossier, Unit
from surveys.units.tree import subtree_ids


class LetterState(enum.StrEnum):
    """Where a dossier stands with its apology letter."""

    NOT_OWED = "not_owed"
    MISSING = LetterFilter.MISSING.value
    UNSENT = LetterFilter.UNSENT.value
    SENT = LetterFilter.SENT.value


@dataclass(frozen=True)
class DossierFilters:
    """What a list of dossiers keeps; None: any. Days are Vietnam's, both ends in."""

    #: A unit in scope: its dossiers and those of the units below.
    unit: Unit | None = None
    code: str | None = None
    status: str | None = None
    received_from: date | None = None
    received_to: date | None = None
    due_from: date | None = None
    due_to: date | None = None
    #: Returned early, on time (on the due day) or late (``Timeliness``).
    timeliness: Timeliness | None = None
    #: True: open and past due at the moment asked; False: not so.
    overdue: bool | None = None


def _kept(filters: DossierFilters, now: datetime) -> list[object]:
    conditions: list[object] = []
    if filters.unit is not None:
        conditions.append(Dossier.unit_id.in_(subtree_ids(filters.unit.id)))
    if filters.code is not None:
        conditions.append(Dossier.code == filters.code)
    if filters.status is not None:
        conditions.append(Dossier.status == filters.status)
    conditions += within_days(
        Dossier.received_at, filters.received_from, filters.received_to
    )
    conditions += within_days(Dossier.due_at, filters.due_from, filters.due_to)
    late = Dossier.working_days_late
    conditions += {
        None: [],
        Timeliness.EARLY: [late < 0],
        Timeliness.ON_TIME: [late == 0],
        Timeliness.LATE: [late > 0],
    }[filters.timeliness]
    overdue = and_(is_open(), Dossier.due_at < now)
    if filters.overdue is not None:
        conditions.append(overdue if filters.overdue else ~overdue)
    return conditions


def _shown() -> tuple[object, ...]:
    return (selectinload(Dossier.unit), selectinload(Dossier.procedure))


def dossiers_page(
    session: Session,
    scope: Scope,
    filters: DossierFilters,
    now: datetime,
    cursor: str | None,
    limit: int,
) -> Page[Dossier]:
    """Return a page of the dossiers of units in ``scope`` that ``filters`` keep."""
    return scoped_page(
        session, scope, Dossier, _kept(filters, now), _shown(), cursor, limit
    )


def dossier_in_scope(session: Session, scope: Scope, dossier_id: int) -> Dossier | None:
    """Return the dossier with this id in ``scope``, or None."""
    return get_in_scope(session, scope, Dossier, dossier_id, _shown())


def timeliness_of(dossier: Dossier) -> Timeliness | None:
    """Return how a returned dossier came back against its due date (None: open)."""
    late = dossier.working_days_late
    if late is None:
        return None
    if late > 0:
        return Timeliness.LATE
    return Timeliness.ON_TIME if late == 0 else Timeliness.EARLY


def is_overdue(dossier: Dossier, now: datetime) -> bool:
    """Tell whether ``dossier`` is still open past its due date at ``now``: the
    ``overdue`` filter (``deadlines.is_open``) in Python."""
    return (
        dossier.returned_at is None
        and dossier.status not in CLOSED_STATUSES
        and dossier.due_at < now
    )


@dataclass(frozen=True)
class LetterStanding:
    """A dossier's apology letter: owed or not, and the letter if it has one."""

    state: LetterState
    letter: LetterSummary | None


def letters_of(
    session: Session, dossiers: list[Dossier], now: datetime
) -> dict[int, LetterStanding]:
    """Return each dossier's letter standing at ``now``, by dossier id."""
    letters: dict[int, ApologyLetter] = {}
    for letter in session.scalars(
        select(ApologyLetter)
        .where(ApologyLetter.dossier_id.in_([d.id for d in dossiers]))
        .order_by(ApologyLetter.id.desc())
    ):
        # A dossier gets one letter; were there more, the first one counts.
        letters[letter.dossier_id] = letter
    found = {}
    for dossier in dossiers:
        letter = letters.get(dossier.id)
        if letter is not None:
            summary = letter_summary(letter, dossier.unit.code)
            state = LetterState.SENT if letter.sent_at else LetterState.UNSENT
            found[dossier.id] = LetterStanding(state, summary)
        elif is_late(dossier, now):
            found[dossier.id] = LetterStanding(LetterState.MISSING, None)
        else:
            found[dossier.id] = LetterStanding(LetterState.NOT_OWED, None)
    return found
