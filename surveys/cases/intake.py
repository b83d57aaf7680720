"""Creating a case, the same way for every channel.

The web form, a rating's comment, a portal import and the Open311 API all call
``create_case``: the text is cleaned (NFC, no control characters, at most
``MAX_TEXT`` characters as Open311 allows), the unit is the one named or the
category's default, the deadline is computed from the rules unless an import
brings its own, and the first ``CaseEvent`` is written with it. The caller
commits.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from surveys.cases.due_dates import CaseDeadline, due_for, rule_for
from surveys.cases.events import Actor, EventKind, new_event
from surveys.cases.refusals import CaseError
from surveys.cases.tracking import new_tracking_codes
from surveys.dossiers.calendar import WorkingCalendar, load_calendar
from surveys.dossiers.timing import DeadlineRules, rules_for
from surveys.models import (
    CaseCategory,
    CaseChannel,
    CaseState,
    FeedbackCase,
    Unit,
    User,
    utcnow,
)
from surveys.storage.tallies import period_of
from surveys.translatable import N_, Message

#: The longest text a case may have (Open311's ``description`` limit).
MAX_TEXT = 4000

EMPTY_TEXT = Message(N_("Hãy ghi nội dung phản ánh, kiến nghị."))
TEXT_TOO_LONG = Message(
    N_("Nội dung dài quá %(limit)s ký tự: hãy rút gọn."), {"limit": MAX_TEXT}
)
UNKNOWN_CATEGORY = Message(N_("Lĩnh vực phản ánh này không có hoặc đã ngừng nhận."))
NO_UNIT = Message(N_("Chưa rõ phản ánh này gửi đơn vị nào: hãy chọn đơn vị."))
UNKNOWN_UNIT = Message(N_("Đơn vị này không có."))


@dataclass(frozen=True)
class NewCase:
    """What is known of a case when it arrives; the ids must exist."""

    text: str
    category_id: int
    channel: CaseChannel
    #: None: the category's default unit.
    unit_id: int | None = None
    service_point_id: int | None = None
    official_id: int | None = None
    dossier_id: int | None = None
    procedure_id: int | None = None
    response_id: int | None = None
    integration_key_id: int | None = None
    #: The portal's own case number, for an import.
    source_ref: str | None = None
    address_text: str = ""
    lat: float | None = None
    long: float | None = None
    #: None: now.
    received_at: datetime | None = None
    #: A deadline the portal set; None: computed from the rules.
    due_at: datetime | None = None


def clean_text(text: str, limit: int = MAX_TEXT) -> str:
    """Return ``text`` NFC-normalised, without control characters, trimmed.

    Raises ``CaseError`` when nothing is left or more than ``limit`` characters are.
    """
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    kept = "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C"
    ).strip()
    if not kept:
        raise CaseError(EMPTY_TEXT)
    if len(kept) > limit:
        raise CaseError(TEXT_TOO_LONG)
    return kept


def create_case(
    session: Session, new: NewCase, actor: Actor, user: User | None = None
) -> FeedbackCase:
    """Store a new case and its first event; flush. Raises ``CaseError``."""
    return create_cases(session, [new], actor, user)[0]


def create_cases(
    session: Session, news: Sequence[NewCase], actor: Actor, user: User | None = None
) -> list[FeedbackCase]:
    """Store new cases and their first events in two flushes; return them.

    For an import's thousands of rows: the calendar, the units' rules and the
    deadline rules are read once. Raises ``CaseError`` for the first case
    refused, before any is stored.
    """
    lookups = _Lookups(session)
    cases = [_new_case(new, lookups, user) for new in news]
    for case, code in zip(cases, new_tracking_codes(session, len(cases)), strict=True):
        case.tracking_code = code
    session.add_all(cases)
    session.flush()
    session.add_all(
        [
            new_event(
                case,
                EventKind.CREATED,
                actor,
                user,
                to_state=CaseState.RECEIVED,
                to_unit_id=case.unit_id,
                at=case.received_at,
            )
            for case in cases
        ]
    )
    session.flush()
    return cases


class _Lookups:
    """Categories, units and due dates by the rules, each read once.

    The categories and units are held here: the session's identity map keeps
    only what something else references, and would read them again each time.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.calendar: WorkingCalendar | None = None
        self.unit_rules: dict[int, DeadlineRules] = {}
        self.rules: dict[tuple[int, str], CaseDeadline] = {}
        self.categories: dict[int, CaseCategory | None] = {}
        self.units: dict[int, Unit | None] = {}

    def category(self, category_id: int) -> CaseCategory | None:
        """Return the category with this id, or None."""
        if category_id not in self.categories:
            self.categories[category_id] = self.session.get(CaseCategory, category_id)
        return self.categories[category_id]

    def unit(self, unit_id: int) -> Unit | None:
        """Return the unit with this id, or None."""
        if unit_id not in self.units:
            self.units[unit_id] = self.session.get(Unit, unit_id)
        return self.units[unit_id]

    def deadline(self, category_id: int, channel: str) -> CaseDeadline:
        """Return the rule's working days for a case of this category and channel."""
        key = (category_id, channel)
        if key not in self.rules:
            self.rules[key] = rule_for(self.session, category_id, channel)
        return self.rules[key]

    def due(self, received: datetime, deadline: CaseDeadline, unit: Unit) -> datetime:
        """Return when a case of ``unit`` received at ``received`` falls due."""
        if self.calendar is None:
            self.calendar = load_calendar(self.session)
        if unit.id not in self.unit_rules:
            self.unit_rules[unit.id] = rules_for(self.session, unit)
        return due_for(received, deadline, self.calendar, self.unit_rules[unit.id])


def _new_case(new: NewCase, lookups: _Lookups, user: User | None) -> FeedbackCase:
    """Check ``new`` and build its case, not yet added, without a tracking code."""
    text = clean_text(new.text)
    category = lookups.category(new.category_id)
    if category is None or not category.active:
        raise CaseError(UNKNOWN_CATEGORY)
    unit_id = new.unit_id or category.default_unit_id
    if unit_id is None:
        raise CaseError(NO_UNIT)
    unit = lookups.unit(unit_id)
    if unit is None:
        raise CaseError(UNKNOWN_UNIT)
    received = new.received_at or utcnow()
    if new.due_at is None:
        deadline = lookups.deadline(category.id, new.channel)
        due, days = lookups.due(received, deadline, unit), deadline.working_days
    else:
        due, days = new.due_at, None
    return FeedbackCase(
        channel=new.channel.value,
        source_ref=new.source_ref,
        unit_id=unit.id,
        category_id=category.id,
        service_point_id=new.service_point_id,
        official_id=new.official_id,
        dossier_id=new.dossier_id,
        procedure_id=new.procedure_id,
        response_id=new.response_id,
        integration_key_id=new.integration_key_id,
        text=text,
        address_text=new.address_text.strip()[:300],
        lat=new.lat,
        long=new.long,
        state=CaseState.RECEIVED.value,
        received_at=received,
        due_at=due,
        due_computed=new.due_at is None,
        working_days=days,
        received_quarter=period_of(received),
        created_by=user.id if user else None,
        updated_at=received,
    )
