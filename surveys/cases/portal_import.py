"""Importing a portal's export of feedback cases (1022, national portal, others).

The file is read with the dossier import's reader (CSV or XLSX, header found
among the first rows) under a confirmed column mapping. ``check_export`` reads
every row and says what is wrong, by row and column, in Vietnamese, without
storing anything; ``apply_export`` then stores the good rows in one
transaction: all of them, or, when the official chooses so, only the good ones.

The portal's case number with the channel is the key (unique (channel,
source_ref)): importing the same file twice changes nothing, and a newer
export updates the cases it already brought in place (text, the portal's
deadline) instead of duplicating them. The portal's deadline is kept as it is
(``due_computed=False``); without one, the district's rules set it. A case the
portal says was answered is stored as answered at that moment, through the
workflow's ``answered_outside`` (the same derived columns, quarter and on-time
flag, as an answer published here), with one event saying so; the answer's
text stays on the portal. Nobody's name, phone or address is imported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.access.audit import AuditAction, record_event
from surveys.cases.events import Actor, EventKind, new_event
from surveys.cases.intake import NewCase, clean_text, create_cases
from surveys.cases.portal_columns import CASE_LABELS, CaseField
from surveys.cases.refusals import CaseError
from surveys.cases.workflow import OPEN, answered_outside
from surveys.dossiers.columns import normalised
from surveys.dossiers.reading import Row, open_rows
from surveys.dossiers.values import BadValue, Cell, instant, text
from surveys.models import (
    CaseCategory,
    CaseChannel,
    FeedbackCase,
    Unit,
    User,
)
from surveys.translatable import N_, Message

#: Channels a portal export may be imported as.
PORTAL_CHANNELS = (
    CaseChannel.PORTAL_1022,
    CaseChannel.NATIONAL_PORTAL,
    CaseChannel.HOTLINE,
    CaseChannel.LETTER,
    CaseChannel.MEETING,
)
#: Statuses (normalised) a portal writes for a case it has answered.
ANSWERED_WORDS = (
    "da tra loi",
    "da xu ly",
    "da giai quyet",
    "hoan thanh",
    "da hoan thanh",
    "da ket thuc",
    "ket thuc",
    "da dong",
)
#: New cases stored per flush.
BATCH = 1000
#: A deadline written without a time of day falls due at its end.
END_OF_DAY = 17 * 60

NO_REF = N_("Thiếu số phản ánh trên cổng.")
NO_RECEIPT = N_("Thiếu ngày tiếp nhận.")
UNKNOWN_CATEGORY = N_(
    "Không có lĩnh vực “%(value)s”: hãy thêm lĩnh vực này hoặc chọn lĩnh vực dự phòng."
)
UNKNOWN_UNIT = N_("Không có đơn vị “%(value)s”.")
OUT_OF_SCOPE = N_("Đơn vị “%(value)s” không thuộc phạm vi của bạn.")
NO_UNIT = N_("Không rõ đơn vị xử lý: hãy thêm cột đơn vị hoặc chọn một đơn vị.")
REPEATED = N_("Số phản ánh “%(value)s” đã có ở dòng %(line)s của tệp.")
ANSWER_WITHOUT_DAY = N_("Trạng thái là đã trả lời nhưng thiếu ngày trả lời.")
ANSWER_BEFORE = N_("Ngày trả lời trước ngày tiếp nhận.")
ELSEWHERE = N_(
    "Phản ánh “%(value)s” đã nhập trước đây thuộc đơn vị ngoài phạm vi của bạn."
)


#: Says a row's column is wrong: the field, the message, its values.
_Wrong = Callable[..., None]


@dataclass(frozen=True)
class Problem:
    """What is wrong with one row of an export, and in which column."""

    line: int
    #: The field's label (``CASE_LABELS``), empty for the whole row.
    column: str
    message: Message


@dataclass(frozen=True)
class PortalCase:
    """One good row of an export, read into what a case needs."""

    line: int
    source_ref: str
    received_at: datetime
    category_id: int
    unit_id: int
    text: str
    due_at: datetime | None
    answered_at: datetime | None


@dataclass(frozen=True)
class Choices:
    """What the official chose for this import, beside the file and its mapping."""

    channel: CaseChannel
    #: The units the importer may import into (their scope).
    unit_ids: frozenset[int]
    #: The unit of rows without a unit column (``--unit``).
    default_unit_id: int | None = None
    #: The category of rows whose category is unknown or missing; None: a problem.
    fallback_category_id: int | None = None


@dataclass
class CheckedExport:
    """The rows of an export read and checked; nothing stored yet."""

    rows: int = 0
    good: list[PortalCase] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def bad_rows(self) -> int:
        """How many rows have at least one problem."""
        return len({problem.line for problem in self.problems})


@dataclass(frozen=True)
class ImportResult:
    """What an import did to the cases."""

    created: int
    updated: int
    answered: int
    unchanged: int
    skipped: int


class ImportRefused(ValueError):
    """Some rows have problems and the official did not choose the good rows only."""

    def __init__(self, bad_rows: int) -> None:
        self.message = Message(
            N_(
                "%(count)s dòng có lỗi: không nhập dòng nào. Hãy sửa tệp, hoặc chọn"
                " chỉ nhập các dòng không có lỗi."
            ),
            {"count": bad_rows},
        )
        super().__init__(str(self.message))


def check_export(
    session: Session, path: Path, mapping: Mapping[str, str], choices: Choices
) -> CheckedExport:
    """Read every row of ``path`` with ``mapping`` and say what is wrong.

    Raises ``UnreadableExport`` when the file cannot be read at all.
    """
    reader = _Reader(session, mapping, choices)
    checked = CheckedExport()
    seen: dict[str, int] = {}
    with open_rows(path, estimate=False) as (layout, rows):
        columns = {name: index for index, name in enumerate(layout.headers)}
        positions = {
            CaseField(key): columns[header]
            for key, header in mapping.items()
            if header in columns
        }
        for row in rows:
            checked.rows += 1
            problems, case = reader.read(row, positions)
            if case is not None and case.source_ref in seen:
                values = {"value": case.source_ref, "line": seen[case.source_ref]}
                problems.append(
                    _problem(row[0], CaseField.SOURCE_REF, REPEATED, values)
                )
            if problems:
                checked.problems += problems
            elif case is not None:
                seen[case.source_ref] = case.line
                checked.good.append(case)
    _check_existing(session, checked, choices)
    return checked


def apply_export(
    session: Session,
    checked: CheckedExport,
    choices: Choices,
    user: User | None,
    *,
    good_rows_only: bool = False,
    filename: str = "",
) -> ImportResult:
    """Store the checked rows: new cases created, known ones updated; audit; flush.

    Raises ``ImportRefused`` (nothing stored) when some rows have problems and
    ``good_rows_only`` is not set.
    """
    if checked.problems and not good_rows_only:
        raise ImportRefused(checked.bad_rows)
    known = _known(session, choices.channel, [row.source_ref for row in checked.good])
    updated = unchanged = 0
    fresh = [row for row in checked.good if row.source_ref not in known]
    for start in range(0, len(fresh), BATCH):
        news = [_new_case(row, choices.channel) for row in fresh[start : start + BATCH]]
        created = create_cases(session, news, Actor.STAFF, user)
        known.update((case.source_ref or "", case) for case in created)
    new_refs = {row.source_ref for row in fresh}
    answers: list[tuple[FeedbackCase, datetime]] = []
    for row in checked.good:
        case = known[row.source_ref]
        answered_now = row.answered_at is not None and case.state in OPEN
        if row.answered_at is not None and answered_now:
            answers.append((case, row.answered_at))
        if row.source_ref in new_refs:
            continue
        if _update(session, case, row, user):
            updated += 1
        elif not answered_now:
            unchanged += 1
    answered_outside(session, answers, user)
    result = ImportResult(
        len(fresh), updated, len(answers), unchanged, checked.bad_rows
    )
    record_event(
        session,
        AuditAction.CASES_IMPORTED,
        user.id if user else None,
        object_type="case_import",
        object_id=choices.channel.value,
        detail={"file": filename, "rows": checked.rows, **asdict(result)},
    )
    session.flush()
    return result


def _new_case(row: PortalCase, channel: CaseChannel) -> NewCase:
    return NewCase(
        text=row.text,
        category_id=row.category_id,
        channel=channel,
        unit_id=row.unit_id,
        source_ref=row.source_ref,
        received_at=row.received_at,
        due_at=row.due_at,
    )


def _update(
    session: Session, case: FeedbackCase, row: PortalCase, user: User | None
) -> bool:
    """Bring a case imported before up to the newer export; tell if anything changed."""
    changed = False
    if case.text != row.text:
        case.text = row.text
        session.add(new_event(
            case, EventKind.NOTE, Actor.SYSTEM, user,
            detail={"updated": "text", "source_ref": row.source_ref},
        ))  # fmt: skip
        changed = True
    if row.due_at is not None and case.due_at != row.due_at:
        session.add(new_event(
            case, EventKind.DUE_CHANGED, Actor.SYSTEM, user,
            detail={"from": case.due_at.isoformat(), "to": row.due_at.isoformat()},
        ))  # fmt: skip
        case.due_at = row.due_at
        case.due_computed = False
        changed = True
    return changed


def _known(
    session: Session, channel: CaseChannel, refs: Sequence[str]
) -> dict[str, FeedbackCase]:
    """Return the cases of ``channel`` already imported under these numbers."""
    found: dict[str, FeedbackCase] = {}
    for start in range(0, len(refs), 500):
        chunk = refs[start : start + 500]
        for case in session.scalars(
            select(FeedbackCase).where(
                FeedbackCase.channel == channel.value,
                FeedbackCase.source_ref.in_(chunk),
            )
        ):
            found[case.source_ref or ""] = case
    return found


def _check_existing(session: Session, checked: CheckedExport, choices: Choices) -> None:
    """Refuse rows that would update a case of a unit outside the importer's scope."""
    refs = [row.source_ref for row in checked.good]
    known = _known(session, choices.channel, refs)
    kept = []
    for row in checked.good:
        case = known.get(row.source_ref)
        if case is not None and case.unit_id not in choices.unit_ids:
            values = {"value": row.source_ref}
            checked.problems.append(
                _problem(row.line, CaseField.SOURCE_REF, ELSEWHERE, values)
            )
        else:
            kept.append(row)
    checked.good = kept
    checked.problems.sort(key=lambda problem: problem.line)


def _problem(
    line: int,
    column: CaseField,
    message: str,
    values: Mapping[str, object] | None = None,
) -> Problem:
    return Problem(line, CASE_LABELS[column], Message(message, dict(values or {})))


class _Reader:
    """Reads rows into ``PortalCase``: units and categories looked up once."""

    def __init__(
        self, session: Session, mapping: Mapping[str, str], choices: Choices
    ) -> None:
        self.choices = choices
        self.units = _names(session.execute(select(Unit.id, Unit.code, Unit.name)))
        self.categories = _names(
            session.execute(
                select(CaseCategory.id, CaseCategory.code, CaseCategory.name_vi)
                .where(CaseCategory.active.is_(True))
                .union_all(
                    select(
                        CaseCategory.id, CaseCategory.code, CaseCategory.name_en
                    ).where(CaseCategory.active.is_(True))
                )
            )
        )
        self.default_units = dict(
            session.execute(select(CaseCategory.id, CaseCategory.default_unit_id)).all()
        )

    def read(
        self, row: Row, positions: Mapping[CaseField, int]
    ) -> tuple[list[Problem], PortalCase | None]:
        line, cells = row

        def cell(which: CaseField) -> Cell:
            index = positions.get(which)
            return cells[index] if index is not None and index < len(cells) else None

        problems: list[Problem] = []

        def wrong(which: CaseField, message: str, **values: object) -> None:
            problems.append(_problem(line, which, message, values))

        def moment(which: CaseField, minute: int = 0) -> datetime | None:
            try:
                return instant(cell(which), minute)
            except BadValue as bad:
                problems.append(Problem(line, CASE_LABELS[which], bad.message))
                return None

        ref = text(cell(CaseField.SOURCE_REF))[:100]
        if not ref:
            wrong(CaseField.SOURCE_REF, NO_REF)
        received = moment(CaseField.RECEIVED_AT)
        if not text(cell(CaseField.RECEIVED_AT)):
            wrong(CaseField.RECEIVED_AT, NO_RECEIPT)
        due = moment(CaseField.DUE_AT, END_OF_DAY)
        answered = moment(CaseField.ANSWERED_AT)
        status = normalised(text(cell(CaseField.STATUS)))
        if answered is None and any(word in status for word in ANSWERED_WORDS):
            wrong(CaseField.ANSWERED_AT, ANSWER_WITHOUT_DAY)
        if answered is not None and received is not None and answered < received:
            wrong(CaseField.ANSWERED_AT, ANSWER_BEFORE)
        body = ""
        try:
            body = clean_text(text(cell(CaseField.TEXT)))
        except CaseError as refused:
            problems.append(Problem(line, CASE_LABELS[CaseField.TEXT], refused.message))
        category = self._category(cell(CaseField.CATEGORY), wrong)
        unit = self._unit(cell(CaseField.UNIT), category, wrong)
        if problems or received is None or category is None or unit is None:
            return problems, None
        return problems, PortalCase(
            line, ref, received, category, unit, body, due, answered
        )

    def _category(self, cell: Cell, wrong: _Wrong) -> int | None:
        value = text(cell)
        found = self.categories.get(normalised(value)) if value else None
        if found is None:
            found = self.choices.fallback_category_id
        if found is None:
            wrong(CaseField.CATEGORY, UNKNOWN_CATEGORY, value=value)
        return found

    def _unit(self, cell: Cell, category: int | None, wrong: _Wrong) -> int | None:
        value = text(cell)
        if value:
            found = self.units.get(normalised(value))
            if found is None:
                wrong(CaseField.UNIT, UNKNOWN_UNIT, value=value)
                return None
        else:
            found = self.choices.default_unit_id or self.default_units.get(category)
            if found is None:
                wrong(CaseField.UNIT, NO_UNIT)
                return None
        if found not in self.choices.unit_ids:
            wrong(CaseField.UNIT, OUT_OF_SCOPE, value=value or str(found))
            return None
        return found


def _names(rows: Iterable[tuple[int, str, str]]) -> dict[str, int]:
    """Index ids by normalised code and name; a code wins over another's name."""
    by_name: dict[str, int] = {}
    by_code: dict[str, int] = {}
    for row_id, code, name in rows:
        by_code[normalised(code)] = row_id
        if name:
            by_name.setdefault(normalised(name), row_id)
    return by_name | by_code
