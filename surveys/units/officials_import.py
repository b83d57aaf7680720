"""Importing officials from a CSV file: every row checked first, then all or nothing.

Columns: ``code, name, title, unit_code, counters`` (counter codes separated by
``;``). Official codes are unique within a unit, so a row is keyed by its unit
and code: a row whose unit already has an official with that code updates it,
and officials of other units, in scope or not, play no part (nothing in the
answer depends on them). An official who moves to another unit is therefore a
new official there, with new ratings; the old one stays in the old unit until
deactivated there. Any problem in any row refuses the whole file, so a
half-imported list never exists.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from surveys.access.audit import AuditAction, record_event
from surveys.access.scope import Scope, units_in_scope
from surveys.models import Official, ServicePoint, Unit, User
from surveys.translatable import N_, Message, Nn_
from surveys.units.tree import CODE_SHAPE, is_code

COLUMNS = ("code", "name", "title", "unit_code", "counters")
REQUIRED_COLUMNS = ("code", "name", "unit_code")
MAX_ROWS = 20_000
#: Lengths of the model's columns.
MAX_TEXT = 200
#: Existing officials looked up per query, under every database's parameter limit.
LOOKUP_CHUNK = 1000


@dataclass(frozen=True)
class RowProblem:
    """One defect of the file: its line (1 is the header), column and what is wrong."""

    row: int
    column: str
    message: Message


class ImportRefused(ValueError):
    """The file was refused; nothing was changed. Carries every problem found."""

    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = problems
        super().__init__(
            f"{len(problems)} problem(s): " + "; ".join(map(str, problems))
        )


@dataclass(frozen=True)
class ImportSummary:
    """What an accepted import did."""

    rows: int
    created: int
    updated: int


@dataclass(frozen=True)
class _Row:
    line: int
    code: str
    name: str
    title: str
    unit_code: str
    counters: tuple[str, ...]


def file_problem(message: Message) -> ImportRefused:
    """Return the refusal of a file that cannot be read as a whole."""
    return ImportRefused([RowProblem(0, "", message)])


def read_csv(data: bytes) -> list[dict[str, str]]:
    """Decode a CSV upload (UTF-8, with or without BOM) into rows keyed by column."""
    if not data.strip():
        raise file_problem(Message(N_("Tệp trống, không có dòng nào.")))
    if b"\x00" in data:
        raise file_problem(
            Message(
                N_("Tệp không phải là tệp CSV (có vẻ là tệp nhị phân, ví dụ Excel).")
            )
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise file_problem(
            Message(
                N_(
                    "Tệp không được mã hóa UTF-8 (có thể là Windows-1258 hoặc"
                    " Windows-1252; byte lỗi ở vị trí %(position)s). Trong Excel,"
                    " hãy lưu lại bằng “CSV UTF-8 (Comma delimited)” rồi tải lên lại."
                ),
                {"position": error.start},
            )
        ) from None
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = [name.strip().lower() for name in reader.fieldnames or []]
        reader.fieldnames = header
        rows = list(reader)
    except csv.Error as error:
        raise file_problem(
            Message(N_("Tệp CSV bị hỏng: %(error)s."), {"error": str(error)})
        ) from None
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        names = ", ".join(missing)
        raise file_problem(
            Message(
                N_("Thiếu cột: %(missing)s. Dòng đầu phải là: %(columns)s."),
                {"missing": names, "columns": ", ".join(COLUMNS)},
            )
        )
    if len(rows) > MAX_ROWS:
        raise file_problem(
            Message.counting(
                Nn_(
                    "Tệp có %(num)s dòng, tối đa %(limit)s.",
                    "Tệp có %(num)s dòng, tối đa %(limit)s.",
                ),
                len(rows),
                limit=MAX_ROWS,
            )
        )
    return rows


def import_officials(
    session: Session, scope: Scope, actor: User, data: bytes
) -> ImportSummary:
    """Create or update the officials a CSV lists; refuse it all on any problem."""
    rows = _parse(read_csv(data))
    units = {unit.code: unit for unit in units_in_scope(session, scope)}
    counters = _counters(session, [unit.id for unit in units.values()])
    problems = list(_problems(rows, units, counters))
    if problems:
        raise ImportRefused(problems)
    existing = _existing(session, scope, [row.code for row in rows])
    created = 0
    for row in rows:
        unit = units[row.unit_code]
        official = existing.get((unit.id, row.code))
        if official is None:
            official = Official(unit=unit, code=row.code)
            session.add(official)
            created += 1
        official.name = row.name
        official.title = row.title
        official.active = True
        official.service_points = [counters[code] for code in row.counters]
    summary = ImportSummary(len(rows), created, len(rows) - created)
    record_event(
        session,
        AuditAction.OFFICIALS_IMPORTED,
        actor.id,
        detail={
            "rows": summary.rows,
            "created": created,
            "updated": summary.updated,
            "units": sorted({row.unit_code for row in rows}),
        },
    )
    return summary


def _parse(records: list[dict[str, str]]) -> list[_Row]:
    def cell(record: dict[str, str], name: str) -> str:
        return (record.get(name) or "").strip()

    return [
        _Row(
            line=line,
            code=cell(record, "code"),
            name=cell(record, "name"),
            title=cell(record, "title"),
            unit_code=cell(record, "unit_code"),
            counters=tuple(
                code.strip()
                for code in cell(record, "counters").split(";")
                if code.strip()
            ),
        )
        # Line 1 is the header.
        for line, record in enumerate(records, start=2)
    ]


def _counters(session: Session, unit_ids: list[int]) -> dict[str, ServicePoint]:
    """Return the active counters of the units in scope, by code."""
    query = select(ServicePoint).where(
        ServicePoint.unit_id.in_(unit_ids), ServicePoint.active.is_(True)
    )
    return {point.code: point for point in session.scalars(query)}


def _existing(
    session: Session, scope: Scope, codes: list[str]
) -> dict[tuple[int, str], Official]:
    """Return the officials of units in scope with these codes, by unit id and code."""
    found: dict[tuple[int, str], Official] = {}
    for start in range(0, len(codes), LOOKUP_CHUNK):
        query = (
            select(Official)
            .where(Official.code.in_(codes[start : start + LOOKUP_CHUNK]))
            .options(selectinload(Official.service_points))
        )
        found.update(
            ((official.unit_id, official.code), official)
            for official in session.scalars(scope.filter(query, Official.unit_id))
        )
    return found


def _problems(
    rows: list[_Row],
    units: dict[str, Unit],
    counters: dict[str, ServicePoint],
) -> Iterable[RowProblem]:
    """Yield every problem of every row, so the official fixes the file in one go.

    Only the file and the units in scope are read: a refusal cannot depend on
    what other units hold.
    """
    first_line: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row.unit_code, row.code)
        if not row.code:
            yield RowProblem(row.line, "code", Message(N_("Thiếu mã cán bộ.")))
        elif not is_code(row.code):
            yield RowProblem(row.line, "code", CODE_SHAPE)
        elif key in first_line:
            yield RowProblem(
                row.line,
                "code",
                Message(
                    N_("Mã “%(code)s” đã có ở dòng %(line)s."),
                    {"code": row.code, "line": first_line[key]},
                ),
            )
        else:
            first_line[key] = row.line
        if not row.name:
            yield RowProblem(row.line, "name", Message(N_("Thiếu họ tên.")))
        for column in ("name", "title"):
            if len(getattr(row, column)) > MAX_TEXT:
                yield RowProblem(
                    row.line,
                    column,
                    Message.counting(
                        Nn_("Dài quá %(num)s ký tự.", "Dài quá %(num)s ký tự."),
                        MAX_TEXT,
                    ),
                )
        unit = units.get(row.unit_code)
        if unit is None:
            yield RowProblem(
                row.line,
                "unit_code",
                Message(
                    N_("Không có đơn vị mã “%(unit)s” trong phạm vi của bạn."),
                    {"unit": row.unit_code},
                ),
            )
            continue
        for code in row.counters:
            point = counters.get(code)
            if point is None or point.unit_id != unit.id:
                yield RowProblem(
                    row.line,
                    "counters",
                    Message(
                        N_(
                            "Đơn vị “%(unit)s” không có quầy đang hoạt động"
                            " mã “%(code)s”."
                        ),
                        {"unit": row.unit_code, "code": code},
                    ),
                )
