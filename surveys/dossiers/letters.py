"""Apology letters (Phiếu xin lỗi và hẹn lại ngày trả kết quả) for late dossiers.

The one-stop rules (Nghị định 61/2018/NĐ-CP, amended by 107/2021/NĐ-CP) ask a
unit to apologise in writing for every dossier it returns late, giving the
reason and a new return date. A dossier owes a letter when it was returned late
or is still open past its due date; it gets one letter. Letters are numbered
per unit and year ("12/PXL-Q1-BEN-NGHE"): the number is taken under a lock on
the unit's row, so two officials drafting at once never get the same one
(SQLite lets one writer in at a time anyway). Whether and how a letter was sent
is ``surveys.dossiers.sending``'s; who the applicant is,
``surveys.dossiers.applicants``'s.
"""

from __future__ import annotations

import enum
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, case, func, null, or_, select
from sqlalchemy.orm import Session

from surveys.access.audit import AuditAction, record_event
from surveys.access.scope import Scope
from surveys.dossiers.calendar import WorkingCalendar, load_calendar
from surveys.local_time import local_date
from surveys.models import (
    ApologyLetter,
    Dossier,
    DossierApplicant,
    DossierStatus,
    Procedure,
    Unit,
    User,
)
from surveys.text import vietnamese_sort_key
from surveys.translatable import N_, Message
from surveys.units.tree import district_of, subtree_ids

#: The letter's symbol in its number (Nghị định 30/2020/NĐ-CP: number/symbol-issuer).
SYMBOL = "PXL"
#: Working days the new return date lies after today for an open dossier whose
#: procedure has no legal time in the catalogue.
DEFAULT_EXTRA_DAYS = 3
#: Rows of the late dossiers' list per page.
PAGE_SIZE = 50

#: The reasons an official picks from; a written reason may stand instead or add
#: the details. Codes are stored, so a reworded label changes old letters too.
REASONS: dict[str, Message] = {
    "verification": Message(N_("Hồ sơ cần được xác minh, làm rõ thêm")),
    "consultation": Message(N_("Phải lấy ý kiến của cơ quan, đơn vị liên quan")),
    "software": Message(N_("Lỗi hệ thống phần mềm, đường truyền")),
    "force_majeure": Message(
        N_("Sự cố bất khả kháng (thiên tai, dịch bệnh, mất điện)")
    ),
    "workload": Message(N_("Số lượng hồ sơ tăng đột biến")),
    "slow_handling": Message(N_("Cán bộ, công chức xử lý hồ sơ chậm")),
}

NO_REASON = Message(N_("Hãy chọn một lý do trong danh sách hoặc ghi rõ lý do."))
UNKNOWN_REASON = Message(N_("Lý do này không có trong danh sách."))
NOT_LATE = Message(N_("Hồ sơ này không trễ hạn: không cần phiếu xin lỗi."))
HAS_LETTER = Message(N_("Hồ sơ này đã có phiếu xin lỗi số %(reference)s."))
NEW_DATE_TOO_EARLY = Message(
    N_("Ngày hẹn trả mới không được trước ngày hẹn trả ghi trên giấy tiếp nhận.")
)
NEW_DATE_PASSED = Message(
    N_("Hồ sơ chưa trả kết quả: ngày hẹn trả mới không được trước ngày lập phiếu.")
)
NEW_DATE_OFF = Message(N_("Ngày hẹn trả mới phải là ngày làm việc."))
NO_SIGNER = Message(N_("Hãy ghi chức vụ của người ký."))

OPEN = and_(Dossier.returned_at.is_(None), Dossier.status != DossierStatus.WITHDRAWN)


class LetterError(ValueError):
    """A letter cannot be drafted or sent as asked; ``message`` says why."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


class LetterFilter(enum.StrEnum):
    """Which late dossiers a list shows."""

    MISSING = "missing"
    UNSENT = "unsent"
    SENT = "sent"
    ALL = "all"


def owes_letter(now: datetime) -> ColumnElement[bool]:
    """Return the condition that a dossier owes a letter at ``now``."""
    return or_(Dossier.working_days_late > 0, and_(OPEN, Dossier.due_at < now))


def is_late(dossier: Dossier, now: datetime) -> bool:
    """Tell whether ``dossier`` owes a letter at ``now``: ``owes_letter`` in Python."""
    if dossier.working_days_late is not None:
        return dossier.working_days_late > 0
    is_open = dossier.status != DossierStatus.WITHDRAWN
    return dossier.returned_at is None and is_open and dossier.due_at < now


def may_see_applicants(scope: Scope) -> bool:
    """Tell whether a role may read applicants' names and contacts (managers up)."""
    return scope.can_manage


def reference(unit_code: str, number: int) -> str:
    """Return a letter's number as printed: ``12/PXL-Q1-BEN-NGHE``."""
    return f"{number}/{SYMBOL}-{unit_code.upper()}"


@dataclass(frozen=True)
class LetterSummary:
    """A letter as a list shows it."""

    id: int
    reference: str
    issued_on: date
    new_return_on: date
    sent_at: datetime | None
    sent_via: str | None


@dataclass(frozen=True)
class LateDossier:
    """A dossier that owes a letter, and its letter if it has one."""

    id: int
    code: str
    unit_name: str
    procedure: str
    channel: str
    received_at: datetime
    due_at: datetime
    returned_at: datetime | None
    working_days_late: int | None
    #: None for roles that may not see it, and once the data was purged.
    applicant: str | None
    letter: LetterSummary | None


@dataclass(frozen=True)
class LatePage:
    """One page of late dossiers, oldest due date first."""

    rows: list[LateDossier]
    total: int
    page: int
    pages: int


def late_dossiers(
    session: Session,
    scope: Scope,
    unit: Unit,
    now: datetime,
    shown: LetterFilter = LetterFilter.MISSING,
    page: int = 1,
) -> LatePage:
    """List the dossiers of ``unit`` and below that owe a letter at ``now``.

    ``unit`` comes through ``scope``; applicants' names only for managers.
    """
    conditions = [Dossier.unit_id.in_(subtree_ids(unit.id)), owes_letter(now)]
    if shown is LetterFilter.MISSING:
        conditions.append(ApologyLetter.id.is_(None))
    elif shown is LetterFilter.UNSENT:
        conditions += [ApologyLetter.id.is_not(None), ApologyLetter.sent_at.is_(None)]
    elif shown is LetterFilter.SENT:
        conditions.append(ApologyLetter.sent_at.is_not(None))
    joined = (
        select(Dossier.id)
        .outerjoin(ApologyLetter, ApologyLetter.dossier_id == Dossier.id)
        .where(*conditions)
    )
    total = session.scalar(select(func.count()).select_from(joined.subquery())) or 0
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(page, 1), pages)
    # The page's ids first, from the dossiers and letters alone: sorting every
    # late dossier joined to its unit, procedure and applicant took seconds.
    ids = list(
        session.scalars(
            joined.order_by(Dossier.due_at, Dossier.id)
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        )
    )
    named = may_see_applicants(scope)
    query = (
        select(
            Dossier,
            Unit.name,
            Unit.code,
            Procedure.name,
            ApologyLetter,
            DossierApplicant.name if named else null(),
        )
        .join(Unit, Unit.id == Dossier.unit_id)
        .join(Procedure, Procedure.id == Dossier.procedure_id)
        .outerjoin(ApologyLetter, ApologyLetter.dossier_id == Dossier.id)
        .where(Dossier.id.in_(ids))
        .order_by(Dossier.due_at, Dossier.id)
    )
    if named:
        query = query.outerjoin(
            DossierApplicant, DossierApplicant.dossier_id == Dossier.id
        )
    rows = [
        LateDossier(
            id=dossier.id,
            code=dossier.code,
            unit_name=unit_name,
            procedure=procedure,
            channel=dossier.channel,
            received_at=dossier.received_at,
            due_at=dossier.due_at,
            returned_at=dossier.returned_at,
            working_days_late=dossier.working_days_late,
            applicant=name,
            letter=None if letter is None else letter_summary(letter, unit_code),
        )
        for dossier, unit_name, unit_code, procedure, letter, name in session.execute(
            query
        )
    ]
    return LatePage(rows, total, page, pages)


def letter_summary(letter: ApologyLetter, unit_code: str) -> LetterSummary:
    """Return ``letter`` as a list shows it, numbered with its unit's code."""
    return LetterSummary(
        id=letter.id,
        reference=reference(unit_code, letter.number),
        issued_on=letter.issued_on,
        new_return_on=letter.new_return_on,
        sent_at=letter.sent_at,
        sent_via=letter.sent_via,
    )


def letter_of(session: Session, dossier: Dossier) -> ApologyLetter | None:
    """Return the dossier's letter, if it has one."""
    return session.scalar(
        select(ApologyLetter).where(ApologyLetter.dossier_id == dossier.id).limit(1)
    )


def default_new_return_on(
    dossier: Dossier, calendar: WorkingCalendar, today: date
) -> date:
    """Propose the letter's new return date; the official may change it.

    Returned already: the day it was returned. Open: as many working days after
    today as the procedure's legal time (``DEFAULT_EXTRA_DAYS`` without one).
    """
    if dossier.returned_at is not None:
        return local_date(dossier.returned_at)
    days = dossier.procedure.processing_days or DEFAULT_EXTRA_DAYS
    return calendar.add_working_days(calendar.first_working_day(today), max(days, 1))


def last_signer(session: Session, unit: Unit) -> tuple[str, str] | None:
    """Return the title and name that signed the unit's latest letter, to propose."""
    row = session.execute(
        select(ApologyLetter.signer_title, ApologyLetter.signer_name)
        .where(ApologyLetter.unit_id == unit.id)
        .order_by(ApologyLetter.id.desc())
        .limit(1)
    ).first()
    return None if row is None else (row[0], row[1])


@dataclass(frozen=True)
class LetterDraft:
    """What an official writes in a letter; the rest comes from the dossier."""

    #: A key of ``REASONS``, or None for a reason written in ``reason_text``.
    reason_code: str | None
    #: The written reason, or details added to the chosen one.
    reason_text: str
    new_return_on: date
    signer_title: str
    signer_name: str = ""


def draft_letter(
    session: Session,
    actor: User | None,
    dossier: Dossier,
    draft: LetterDraft,
    now: datetime,
    calendar: WorkingCalendar | None = None,
) -> ApologyLetter:
    """Number and store the letter of a late dossier, dated today; audit it.

    Raises ``LetterError`` when the dossier owes none, has one already, or the
    draft is incomplete or its new date impossible.
    """
    today = local_date(now)
    _check_draft(dossier, draft, today, calendar or load_calendar(session))
    if not is_late(dossier, now):
        raise LetterError(NOT_LATE)
    # Taken before anything is read: the next number, and whether the dossier
    # has a letter already, are read by one drafter of the unit at a time.
    # FOR NO KEY UPDATE: dossiers inserted meanwhile (which only share-lock the
    # unit's key) need not wait.
    session.execute(
        select(Unit.id)
        .where(Unit.id == dossier.unit_id)
        .with_for_update(key_share=True)
    )
    existing = letter_of(session, dossier)
    if existing is not None:
        found = reference(dossier.unit.code, existing.number)
        raise LetterError(Message(HAS_LETTER.msgid, {"reference": found}))
    last = session.scalar(
        select(func.max(ApologyLetter.number)).where(
            ApologyLetter.unit_id == dossier.unit_id,
            ApologyLetter.year == today.year,
        )
    )
    letter = ApologyLetter(
        dossier=dossier,
        unit_id=dossier.unit_id,
        year=today.year,
        number=(last or 0) + 1,
        issued_on=today,
        reason_code=draft.reason_code,
        reason_text=draft.reason_text.strip(),
        new_return_on=draft.new_return_on,
        signer_title=draft.signer_title.strip(),
        signer_name=draft.signer_name.strip(),
        created_by=None if actor is None else actor.id,
        created_at=now,
    )
    session.add(letter)
    session.flush()
    record_event(
        session,
        AuditAction.LETTER_DRAFTED,
        None if actor is None else actor.id,
        object_type="apology_letter",
        object_id=str(letter.id),
        detail={
            "unit": dossier.unit.code,
            "dossier": dossier.code,
            "reference": reference(dossier.unit.code, letter.number),
        },
    )
    return letter


def _check_draft(
    dossier: Dossier, draft: LetterDraft, today: date, calendar: WorkingCalendar
) -> None:
    if draft.reason_code is None and not draft.reason_text.strip():
        raise LetterError(NO_REASON)
    if draft.reason_code is not None and draft.reason_code not in REASONS:
        raise LetterError(UNKNOWN_REASON)
    if not draft.signer_title.strip():
        raise LetterError(NO_SIGNER)
    if draft.new_return_on < local_date(dossier.due_at):
        raise LetterError(NEW_DATE_TOO_EARLY)
    if dossier.returned_at is not None:
        # The day of return is a fact, be it a Saturday session or the due day
        # itself after hours.
        return
    if draft.new_return_on < today:
        raise LetterError(NEW_DATE_PASSED)
    if not calendar.is_working(draft.new_return_on):
        raise LetterError(NEW_DATE_OFF)


def reason_of(letter: ApologyLetter) -> tuple[Message | None, str]:
    """Return the letter's listed reason (None: written only) and its written text."""
    listed = None if letter.reason_code is None else REASONS.get(letter.reason_code)
    return listed, letter.reason_text


@dataclass(frozen=True)
class PrintedLetter:
    """Everything one printed letter says, read once from the database."""

    reference: str
    issued_on: date
    #: Where it is issued: the district's name ("Quận 1").
    place: str
    #: The issuing unit's parent, printed above it; "" for a unit at the top.
    issuer_parent: str
    issuer: str
    #: The kinds of both (``UnitKind``): a ward's letter is the People's Committee's.
    issuer_parent_kind: str
    issuer_kind: str
    #: "" once the applicant's data was purged: the letter keeps no copy.
    applicant_name: str
    applicant_address: str
    dossier_code: str
    procedure: str
    received_at: datetime
    due_at: datetime
    reason: Message | None
    reason_text: str
    new_return_on: date
    signer_title: str
    signer_name: str


def printed_letters(
    session: Session, letters: Sequence[ApologyLetter]
) -> list[PrintedLetter]:
    """Gather what each letter prints, with its applicant's name (managers only)."""
    dossier_ids = [letter.dossier_id for letter in letters]
    applicants = {
        applicant.dossier_id: applicant
        for applicant in session.scalars(
            select(DossierApplicant).where(DossierApplicant.dossier_id.in_(dossier_ids))
        )
    }
    printed = []
    for letter in letters:
        dossier = letter.dossier
        unit = dossier.unit
        applicant = applicants.get(dossier.id)
        listed, written = reason_of(letter)
        printed.append(
            PrintedLetter(
                reference=reference(unit.code, letter.number),
                issued_on=letter.issued_on,
                place=district_of(unit).name,
                issuer_parent="" if unit.parent is None else unit.parent.name,
                issuer=unit.name,
                issuer_parent_kind="" if unit.parent is None else unit.parent.kind,
                issuer_kind=unit.kind,
                applicant_name="" if applicant is None else applicant.name,
                applicant_address="" if applicant is None else applicant.address,
                dossier_code=dossier.code,
                procedure=dossier.procedure.name,
                received_at=dossier.received_at,
                due_at=dossier.due_at,
                reason=listed,
                reason_text=written,
                new_return_on=letter.new_return_on,
                signer_title=letter.signer_title,
                signer_name=letter.signer_name,
            )
        )
    return printed


@dataclass(frozen=True)
class LetterCounts:
    """A unit's late dossiers and how their letters stand."""

    unit_id: int
    unit_code: str
    unit_name: str
    late: int
    without_letter: int
    #: Drafted, not recorded as sent.
    unsent: int
    #: Sent on a day after the dossier had already been returned.
    sent_after_return: int


def letter_counts(session: Session, unit: Unit, now: datetime) -> list[LetterCounts]:
    """Count, per unit of ``unit``'s subtree, late dossiers and their letters.

    The letters sent after the instant of return (few) are compared by
    Vietnam's day, in Python, so that a letter handed over with the result on
    the same day does not count.
    """
    letter_missing = case((ApologyLetter.id.is_(None), 1), else_=0)
    unsent = case(
        (and_(ApologyLetter.id.is_not(None), ApologyLetter.sent_at.is_(None)), 1),
        else_=0,
    )
    in_subtree = Dossier.unit_id.in_(subtree_ids(unit.id))
    returned_late = and_(in_subtree, Dossier.working_days_late > 0)
    overdue = and_(in_subtree, OPEN, Dossier.due_at < now)
    sums: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    # One GROUP BY per side of ``owes_letter``: each reads its dossiers through
    # an index of its own, where the ``OR`` read every dossier of every unit.
    for late in (returned_late, overdue):
        for unit_id, *values in session.execute(
            select(
                Dossier.unit_id,
                func.count(),
                func.sum(letter_missing),
                func.sum(unsent),
            )
            .outerjoin(ApologyLetter, ApologyLetter.dossier_id == Dossier.id)
            .where(late)
            .group_by(Dossier.unit_id)
        ):
            total = sums[unit_id]
            for index, value in enumerate(values):
                total[index] += int(value or 0)
    after_return: dict[int, int] = defaultdict(int)
    for unit_id, sent_at, returned_at in session.execute(
        select(Dossier.unit_id, ApologyLetter.sent_at, Dossier.returned_at)
        .join(ApologyLetter, ApologyLetter.dossier_id == Dossier.id)
        .where(returned_late, ApologyLetter.sent_at > Dossier.returned_at)
    ):
        if local_date(sent_at) > local_date(returned_at):
            after_return[unit_id] += 1
    units = session.execute(
        select(Unit.id, Unit.code, Unit.name).where(Unit.id.in_(list(sums)))
    )
    counts = [
        LetterCounts(
            unit_id=unit_id,
            unit_code=code,
            unit_name=name,
            late=sums[unit_id][0],
            without_letter=sums[unit_id][1],
            unsent=sums[unit_id][2],
            sent_after_return=after_return[unit_id],
        )
        for unit_id, code, name in units
    ]
    return sorted(counts, key=lambda row: vietnamese_sort_key(row.unit_name))
