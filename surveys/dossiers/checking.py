"""Checking one row of an export: every value read, every name resolved.

A ``RowChecker`` loads once what rows name (the units in the importer's scope,
their counters and officials, the procedure catalogue, the calendar and each
unit's deadline rules), then turns each row into the staged values of its
dossier, derived columns included, or into the list of what is wrong with it.
Only the file and the units in scope are read: what a refusal says never
depends on other units' data.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.dossiers.applicants import applicant_purge_after
from surveys.dossiers.calendar import WorkingCalendar
from surveys.dossiers.columns import Field, normalised
from surveys.dossiers.register import NoDueDate, derive, values_hash
from surveys.dossiers.timing import DEFAULT_RULES, DeadlineRules, rules_for
from surveys.dossiers.values import (
    BadValue,
    Cell,
    channel,
    instant,
    status,
    text,
    yes_no,
)
from surveys.models import (
    DossierStatus,
    Official,
    Procedure,
    ServicePoint,
    Unit,
)
from surveys.translatable import N_, Message, Nn_
from surveys.units.tree import subtree_ids

T = TypeVar("T")

#: The longest texts the register's columns hold.
LIMITS = {
    Field.CODE: 64,
    Field.PROCEDURE_CODE: 64,
    Field.PROCEDURE_NAME: 500,
    Field.PROCEDURE_FIELD: 200,
    Field.APPLICANT_NAME: 200,
    Field.APPLICANT_PHONE: 20,
    Field.APPLICANT_EMAIL: 200,
    Field.APPLICANT_ADDRESS: 300,
}
TOO_LONG = Nn_("Dài quá %(num)s ký tự.", "Dài quá %(num)s ký tự.")
#: What the name of a unit may start with in an export ("UBND Phường Bến Nghé").
UNIT_NAME_PREFIXES = ("", "ubnd ", "uy ban nhan dan ")
#: A procedure named only by its name, new to the catalogue, gets this code.
NAMED_PROCEDURE_PREFIX = "TT-"
#: A name two officials (or counters) of one unit share names neither.
_AMBIGUOUS = -1


@dataclass(frozen=True)
class Problem:
    """What is wrong with one column of one row (``column``: the file's header)."""

    column: str
    message: Message


@dataclass(frozen=True)
class _Procedure:
    code: str
    name: str
    field: str
    processing_days: int | None


class _RememberingCalendar(WorkingCalendar):
    """The calendar, its day counts remembered: an export repeats its days."""

    def __init__(self, calendar: WorkingCalendar) -> None:
        super().__init__(calendar.changes)
        self._added: dict[tuple[date, int], date] = {}
        self._between: dict[tuple[date, date], int] = {}

    def add_working_days(self, day: date, count: int) -> date:
        key = (day, count)
        found = self._added.get(key)
        if found is None:
            found = self._added[key] = super().add_working_days(day, count)
        return found

    def working_days_between(self, start: date, end: date) -> int:
        key = (start, end)
        found = self._between.get(key)
        if found is None:
            found = self._between[key] = super().working_days_between(start, end)
        return found


class RowChecker:
    """Reads rows of one export into staged dossiers, or into their problems."""

    def __init__(
        self,
        session: Session,
        *,
        unit: Unit | None,
        headers: Sequence[str],
        mapping: Mapping[str, str],
        calendar: WorkingCalendar,
    ) -> None:
        self.headers = {Field(key): header for key, header in mapping.items()}
        first = {}
        for index, header in enumerate(headers):
            first.setdefault(header, index)
        self.columns = {field: first[header] for field, header in self.headers.items()}
        self.calendar = _RememberingCalendar(calendar)
        self.default_unit = unit
        scope = select(Unit)
        if unit is not None:
            scope = scope.where(Unit.id.in_(subtree_ids(unit.id)))
        units = list(session.scalars(scope))
        self.units: dict[str, int] = {}
        for found in units:
            for prefix in UNIT_NAME_PREFIXES:
                self.units.setdefault(prefix + normalised(found.name), found.id)
        self.units.update({found.code: found.id for found in units})
        ids = [found.id for found in units]
        self.rules: dict[int, DeadlineRules] = {
            found.id: rules_for(session, found) for found in units
        }
        self.counters = _named_within_units(
            session.execute(
                select(
                    ServicePoint.unit_id,
                    ServicePoint.id,
                    ServicePoint.code,
                    ServicePoint.name,
                ).where(ServicePoint.unit_id.in_(ids))
            )
        )
        self.officials = _named_within_units(
            session.execute(
                select(
                    Official.unit_id, Official.id, Official.code, Official.name
                ).where(Official.unit_id.in_(ids))
            )
        )
        self.procedures: dict[str, _Procedure] = {}
        self.procedure_names: dict[str, str] = {}
        for procedure in session.scalars(select(Procedure)):
            self.know(
                _Procedure(
                    procedure.code,
                    procedure.name,
                    procedure.field,
                    procedure.processing_days,
                )
            )

    def know(self, procedure: _Procedure) -> None:
        """Add a procedure to those rows may name (a new one: the file's first row)."""
        self.procedures[procedure.code] = procedure
        self.procedure_names.setdefault(normalised(procedure.name), procedure.code)

    def check(
        self, cells: Sequence[Cell]
    ) -> tuple[dict[str, Any] | None, list[Problem]]:
        """Return a row's staged values (None when it has problems) and problems."""
        row = _Row(self, cells)
        values = row.read()
        return (None if row.problems else values), row.problems


def _named_within_units(rows: Any) -> dict[int, dict[str, int]]:
    """Index counters or officials by unit, then by code and by name.

    A name shared by two of one unit's officials is marked ambiguous: only
    their codes tell them apart.
    """
    found: dict[int, dict[str, int]] = {}
    codes: dict[int, dict[str, int]] = {}
    for unit_id, key, code, name in rows:
        names = found.setdefault(unit_id, {})
        name_key = normalised(name)
        names[name_key] = _AMBIGUOUS if name_key in names else key
        codes.setdefault(unit_id, {})[code] = key
    for unit_id, by_code in codes.items():
        found[unit_id].update(by_code)
    return found


class _Row:
    """One row on its way through the checks, collecting its problems."""

    def __init__(self, checker: RowChecker, cells: Sequence[Cell]) -> None:
        self.checker = checker
        width = len(cells)
        self.cells = {
            field: cells[index]
            for field, index in checker.columns.items()
            if index < width
        }
        self.problems: list[Problem] = []
        self.faulty: set[Field | None] = set()

    def cell(self, field: Field) -> Cell:
        return self.cells.get(field)

    def fail(self, field: Field | None, message: Message) -> None:
        column = "" if field is None else self.checker.headers.get(field, "")
        self.problems.append(Problem(column, message))
        self.faulty.add(field)

    def text(self, field: Field) -> str:
        value = text(self.cell(field))
        limit = LIMITS.get(field)
        if limit is not None and len(value) > limit:
            self.fail(field, Message.counting(TOO_LONG, limit))
        return value

    def value(self, field: Field, reader: Callable[..., T], *args: Any) -> T | None:
        try:
            return reader(self.cell(field), *args)
        except BadValue as bad:
            self.fail(field, bad.message)
            return None

    def required(self, field: Field, found: T | None, missing: str) -> T | None:
        if found is None and field not in self.faulty:
            self.fail(field, Message(missing))
        return found

    def read(self) -> dict[str, Any]:
        code = self.text(Field.CODE)
        if not code:
            self.fail(Field.CODE, Message(N_("Thiếu mã hồ sơ.")))
        unit_id = self.unit()
        procedure = self.procedure()
        how = self.required(
            Field.CHANNEL,
            self.value(Field.CHANNEL, channel),
            N_("Thiếu hình thức nộp."),
        )
        rules = self.checker.rules.get(unit_id or 0, DEFAULT_RULES)
        received = self.required(
            Field.RECEIVED_AT,
            self.value(Field.RECEIVED_AT, instant),
            N_("Thiếu ngày tiếp nhận."),
        )
        due = self.value(Field.DUE_AT, instant, rules.due_minute)
        returned = self.value(Field.RETURNED_AT, instant)
        state = self.state(self.value(Field.STATUS, status), received, due, returned)
        paid = self.value(Field.PAID_ONLINE, yes_no)
        digitised = self.value(Field.DIGITISED, yes_no)
        counter = self.member(Field.COUNTER, self.checker.counters, unit_id)
        official = self.member(Field.OFFICIAL, self.checker.officials, unit_id)
        applicant = {
            "applicant_name": self.text(Field.APPLICANT_NAME),
            "applicant_phone": self.text(Field.APPLICANT_PHONE),
            "applicant_email": self.text(Field.APPLICANT_EMAIL),
            "applicant_address": self.text(Field.APPLICANT_ADDRESS),
        }
        if self.problems or unit_id is None or procedure is None:
            return {}
        assert received is not None and how is not None and state is not None
        try:
            derived = derive(
                received,
                returned,
                due,
                procedure.processing_days,
                self.checker.calendar,
                rules,
            )
        except NoDueDate:
            self.fail(
                Field.DUE_AT,
                Message(
                    N_(
                        "Không có ngày hẹn trả, và thủ tục “%(procedure)s” chưa có"
                        " thời hạn giải quyết trong danh mục để tính."
                    ),
                    {"procedure": procedure.code},
                ),
            )
            return {}
        # Moments as texts: the hash of a million rows stays in json's C code.
        source = {
            "code": code,
            "procedure": procedure.code,
            "received_at": received.isoformat(),
            "due_at": None if due is None else due.isoformat(),
            "returned_at": None if returned is None else returned.isoformat(),
            "status": state,
            "channel": how,
            "paid_online": paid,
            "digitised": digitised,
            "service_point_id": counter,
            "official_id": official,
        }
        return {
            "unit_id": unit_id,
            "code": code,
            "procedure_code": procedure.code,
            "procedure_name": procedure.name,
            "procedure_field": procedure.field,
            "service_point_id": counter,
            "official_id": official,
            "channel": how.value,
            "status": state.value,
            "received_at": received,
            "due_at": derived.due_at,
            "due_computed": derived.due_computed,
            "returned_at": returned,
            "paid_online": bool(paid),
            "digitised": bool(digitised),
            "working_days_late": derived.working_days_late,
            "received_month": derived.received_month,
            "returned_month": derived.returned_month,
            "row_hash": values_hash(source),
            **applicant,
            "purge_after": applicant_purge_after(
                derived.due_at, returned, derived.working_days_late
            ),
        }

    def unit(self) -> int | None:
        if Field.UNIT not in self.checker.columns:
            default = self.checker.default_unit
            return None if default is None else default.id
        name = text(self.cell(Field.UNIT))
        if not name:
            self.fail(Field.UNIT, Message(N_("Thiếu đơn vị.")))
            return None
        found = self.checker.units.get(name) or self.checker.units.get(normalised(name))
        if found is None:
            self.fail(
                Field.UNIT,
                Message(
                    N_("Không có đơn vị “%(unit)s” trong phạm vi của bạn."),
                    {"unit": name},
                ),
            )
        return found

    def procedure(self) -> _Procedure | None:
        code = self.text(Field.PROCEDURE_CODE)
        name = self.text(Field.PROCEDURE_NAME)
        field = self.text(Field.PROCEDURE_FIELD)
        known = self.checker.procedures
        if not code and name:
            code = self.checker.procedure_names.get(normalised(name)) or _named_code(
                name
            )
        if not code:
            self.fail(
                Field.PROCEDURE_CODE
                if Field.PROCEDURE_CODE in self.checker.columns
                else Field.PROCEDURE_NAME,
                Message(N_("Thiếu mã thủ tục và tên thủ tục.")),
            )
            return None
        found = known.get(code)
        if found is None:
            # New to the catalogue: it enters it, without a processing time,
            # when the import is applied; its first row names it.
            found = _Procedure(code, name or code, field, None)
            self.checker.know(found)
        return found

    def state(
        self,
        given: DossierStatus | None,
        received: datetime | None,
        due: datetime | None,
        returned: datetime | None,
    ) -> DossierStatus | None:
        """Check the dates against each other and the status; infer a missing one."""
        if received is not None and returned is not None and returned < received:
            self.fail(
                Field.RETURNED_AT, Message(N_("Ngày trả kết quả trước ngày tiếp nhận."))
            )
        if received is not None and due is not None and due < received:
            self.fail(Field.DUE_AT, Message(N_("Ngày hẹn trả trước ngày tiếp nhận.")))
        if given is None:
            return (
                DossierStatus.RECEIVED if returned is None else DossierStatus.RETURNED
            )
        if given == DossierStatus.RETURNED and returned is None:
            self.fail(
                Field.RETURNED_AT,
                Message(N_("Hồ sơ đã trả kết quả nhưng thiếu ngày trả kết quả.")),
            )
        elif returned is not None and given not in (
            DossierStatus.RETURNED,
            DossierStatus.WITHDRAWN,
        ):
            self.fail(
                Field.STATUS,
                Message(
                    N_("Hồ sơ có ngày trả kết quả nhưng trạng thái là “%(status)s”."),
                    {"status": text(self.cell(Field.STATUS))},
                ),
            )
        return given

    def member(
        self, field: Field, index: Mapping[int, Mapping[str, int]], unit_id: int | None
    ) -> int | None:
        """Resolve a counter or an official of the row's unit, by code or name."""
        name = text(self.cell(field))
        if not name or unit_id is None:
            return None
        members = index.get(unit_id, {})
        found = members.get(name)
        if found is None:
            found = members.get(normalised(name))
        if found is None:
            self.fail(
                field,
                Message(N_("Đơn vị của hồ sơ không có “%(name)s”."), {"name": name}),
            )
            return None
        if found == _AMBIGUOUS:
            self.fail(
                field,
                Message(
                    N_(
                        "Đơn vị có nhiều người hoặc quầy cùng tên “%(name)s”: hãy"
                        " ghi mã thay cho tên."
                    ),
                    {"name": name},
                ),
            )
            return None
        return found


def _named_code(name: str) -> str:
    """Return the code of a procedure the export names without one."""
    digest = hashlib.sha256(normalised(name).encode()).hexdigest()
    return NAMED_PROCEDURE_PREFIX + digest[:12]
