"""Importing a provincial export: every row read and checked first, then applied
at once, or not at all.

1. ``start_import`` records the import (``DossierImport``) with the column
   mapping it is read with.
2. ``read_import`` reads the file row by row (``surveys.dossiers.reading``),
   checks each row (``surveys.dossiers.checking``) and stages the good ones in
   ``dossier_import_rows`` and the problems in ``dossier_import_problems``, in
   batches: memory holds one batch, and a job committing each batch lets the
   browser's progress bar (and a cancel) through. Then the same dossier twice
   in the file is a problem, and what applying would do is counted.
3. ``apply_import`` applies the staged rows in one transaction of a few
   set-based statements (``INSERT … SELECT … ON CONFLICT DO UPDATE``), so
   SQLite's write lock is held for seconds: the new procedures enter the
   catalogue, dossiers are created or updated in place by unit and code (a row
   whose ``row_hash`` is unchanged is left alone), and their applicants follow.
   With bad rows, it refuses unless the official chose to let the good ones in.

A reading whose process ended mid-way stops reporting progress and is marked
failed (``end_stale_imports``); nothing of it reached the register. A checked
import never confirmed is cancelled after a week.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Table,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from surveys.access.audit import AuditAction, record_event
from surveys.access.scope import Scope
from surveys.db import dialect_insert
from surveys.dossiers.calendar import WorkingCalendar, load_calendar
from surveys.dossiers.checking import Problem, RowChecker
from surveys.dossiers.columns import Field
from surveys.dossiers.reading import UnreadableExport, open_rows
from surveys.models import (
    Dossier,
    DossierApplicant,
    DossierImport,
    DossierImportProblem,
    DossierImportRow,
    ImportSource,
    ImportStatus,
    Procedure,
    Unit,
    UTCDateTime,
    utcnow,
)
from surveys.translatable import N_, Message, Nn_

#: Rows checked, staged and (by a job) committed at a time.
BATCH = 2000
#: A reading that has not reported progress for this long was cut off.
ABANDONED_AFTER = timedelta(minutes=5)
#: A checked import not confirmed within this long is cancelled: its staged
#: rows hold applicants' names and phone numbers.
UNCONFIRMED_KEPT = timedelta(days=7)
#: Problems listed per page.
PROBLEMS_PAGE = 50

_ROWS: Table = DossierImportRow.__table__  # type: ignore[assignment]
_DOSSIERS: Table = Dossier.__table__  # type: ignore[assignment]
_PROCEDURES: Table = Procedure.__table__  # type: ignore[assignment]
_APPLICANTS: Table = DossierApplicant.__table__  # type: ignore[assignment]
#: The dossier's columns a staged row gives, as written on create and update.
_COPIED = (
    "service_point_id",
    "official_id",
    "channel",
    "status",
    "received_at",
    "due_at",
    "due_computed",
    "returned_at",
    "paid_online",
    "digitised",
    "working_days_late",
    "received_month",
    "returned_month",
    "row_hash",
)
_APPLICANT_COLUMNS = {
    "name": "applicant_name",
    "phone": "applicant_phone",
    "email": "applicant_email",
    "address": "applicant_address",
    "purge_after": "purge_after",
}


class ImportRefused(ValueError):
    """The import cannot be applied (or started); nothing was changed."""

    def __init__(self, message: Message) -> None:
        self.message = message
        super().__init__(str(message))


@dataclass(frozen=True)
class ShownProblem:
    """A problem as the import's pages list it."""

    line: int
    column: str
    message: Message


def earlier_import(
    session: Session, unit: Unit | None, checksum: str
) -> DossierImport | None:
    """Return the applied import of the same file into the same unit, if any."""
    unit_id = None if unit is None else unit.id
    return session.scalar(
        select(DossierImport)
        .where(
            DossierImport.checksum == checksum,
            DossierImport.status == ImportStatus.DONE,
            DossierImport.unit_id.is_(None)
            if unit_id is None
            else DossierImport.unit_id == unit_id,
        )
        .order_by(DossierImport.id.desc())
        .limit(1)
    )


def start_import(
    session: Session,
    *,
    unit: Unit | None,
    user_id: int | None,
    source: ImportSource,
    filename: str,
    checksum: str,
    stored_file: str | None = None,
) -> DossierImport:
    """Record an import about to be read with the source's mapping; flush.

    ``unit`` is the importer's scope: every row must belong to it or a unit
    below it, and rows of an export without a unit column belong to it.
    """
    if unit is None and Field.UNIT not in source.mapping:
        raise ImportRefused(
            Message(N_("Tệp không có cột đơn vị: hãy chọn đơn vị nhận các hồ sơ này."))
        )
    dossier_import = DossierImport(
        unit_id=None if unit is None else unit.id,
        user_id=user_id,
        source_id=source.id,
        filename=filename[:255],
        checksum=checksum,
        status=ImportStatus.READING,
        mapping=dict(source.mapping),
        stored_file=stored_file,
        progress_at=utcnow(),
    )
    session.add(dossier_import)
    session.flush()
    return dossier_import


class _Stopped(Exception):
    """The import was cancelled (or taken over) while it was being read."""


def read_import(
    session: Session,
    dossier_import: DossierImport,
    path: Path,
    *,
    commit_each_batch: bool = True,
    calendar: WorkingCalendar | None = None,
    on_progress: Callable[[int, int | None], None] | None = None,
) -> DossierImport:
    """Read and check every row of the file, staging the good ones.

    ``on_progress(rows_read, rows_total)`` is called after each batch (the
    total is an estimate until the end; None when the file does not say).

    Unlike a service, with ``commit_each_batch`` this commits, once per batch
    (the progress others see) and at the end: it is a job, run in a thread of
    its own or by the CLI. Without it, it only flushes (the demo seeds in one
    transaction). An unreadable file marks the import failed, with its reason
    as the problem of line 0; an import cancelled meanwhile is left as it is.
    """
    import_id = dossier_import.id
    try:
        _read(session, dossier_import, path, commit_each_batch, calendar, on_progress)
    except _Stopped:
        session.rollback()
    except UnreadableExport as unreadable:
        if not commit_each_batch:
            raise
        session.rollback()
        _fail(session, import_id, unreadable.message, str(unreadable))
        session.commit()
    except Exception as error:
        if commit_each_batch:
            session.rollback()
            _fail(
                session,
                import_id,
                Message(N_("Đã xảy ra lỗi khi đọc tệp; không có gì được nhập.")),
                repr(error),
            )
            session.commit()
        raise
    return session.get(DossierImport, import_id, populate_existing=True)  # type: ignore[return-value]


def _read(
    session: Session,
    dossier_import: DossierImport,
    path: Path,
    commit_each_batch: bool,
    calendar: WorkingCalendar | None,
    on_progress: Callable[[int, int | None], None] | None,
) -> None:
    import_id = dossier_import.id
    unit = (
        None
        if dossier_import.unit_id is None
        else session.get(Unit, dossier_import.unit_id)
    )
    mapping = dossier_import.mapping or {}
    with open_rows(path) as (layout, rows):
        missing = [name for name in mapping.values() if name not in layout.headers]
        if missing:
            raise UnreadableExport(
                Message(N_("Tệp không có cột “%(header)s”."), {"header": missing[0]})
            )
        checker = RowChecker(
            session,
            unit=unit,
            headers=layout.headers,
            mapping=mapping,
            calendar=calendar or load_calendar(session),
        )
        _progress(session, import_id, rows_total=layout.rows_estimate)
        if commit_each_batch:
            session.commit()
        read = bad = 0
        staged: list[dict[str, Any]] = []
        problems: list[dict[str, Any]] = []
        for line, cells in rows:
            values, found = checker.check(cells)
            read += 1
            if found:
                bad += 1
                problems += [_problem_row(import_id, line, p) for p in found]
            else:
                assert values is not None
                staged.append({"import_id": import_id, "line": line, **values})
            if len(staged) + len(problems) >= BATCH:
                _stage(session, staged, problems)
                staged, problems = [], []
                _progress(session, import_id, rows_read=read, rows_bad=bad)
                if commit_each_batch:
                    session.commit()
                if on_progress is not None:
                    on_progress(read, layout.rows_estimate)
        _stage(session, staged, problems)
    bad += _duplicates(session, import_id)
    outcomes = _outcomes(session, import_id)
    _progress(
        session,
        import_id,
        status=ImportStatus.CHECKED,
        rows_read=read,
        rows_total=read,
        rows_bad=bad,
        created=outcomes.created,
        updated=outcomes.updated,
        unchanged=outcomes.unchanged,
        problems=_problems_by_column(session, import_id),
    )
    if commit_each_batch:
        session.commit()


def _problem_row(import_id: int, line: int, problem: Problem) -> dict[str, Any]:
    return {
        "import_id": import_id,
        "line": line,
        "column": problem.column,
        "msgid": problem.message.msgid,
        "params": dict(problem.message.params),
    }


def _stage(
    session: Session, staged: list[dict[str, Any]], problems: list[dict[str, Any]]
) -> None:
    if staged:
        _stage_rows(session.connection(), staged)
    if problems:
        session.execute(insert(DossierImportProblem.__table__), problems)


def _stage_rows(connection: Connection, staged: list[dict[str, Any]]) -> None:
    """Write a batch of checked rows: ``COPY`` on PostgreSQL, else an executemany.

    Each value goes through its column type's own bind processor (naive UTC
    for the moments), as SQLAlchemy's INSERT would send it; the driver gets
    the rows straight, which costs a fraction of the per-row work of an
    executemany through SQLAlchemy.
    """
    columns = list(_ROWS.columns)
    processors = [column.type.bind_processor(connection.dialect) for column in columns]
    rows = (
        [
            row[column.name] if process is None else process(row[column.name])
            for column, process in zip(columns, processors, strict=True)
        ]
        for row in staged
    )
    names = ", ".join(column.name for column in columns)
    if connection.dialect.name == "postgresql":
        driver = connection.connection.driver_connection
        assert driver is not None
        with (
            driver.cursor() as cursor,
            cursor.copy(f"COPY {_ROWS.name} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in columns)
        connection.exec_driver_sql(
            f"INSERT INTO {_ROWS.name} ({names}) VALUES ({marks})",
            [tuple(row) for row in rows],
        )


def _progress(session: Session, import_id: int, **values: Any) -> None:
    """Report progress while the import is still being read; else stop reading.

    Conditional on the status, so a cancel committed meanwhile wins: this
    batch is rolled back, and the cancel discarded the batches before it.
    """
    done = session.execute(
        update(DossierImport)
        .where(
            DossierImport.id == import_id,
            DossierImport.status == ImportStatus.READING,
        )
        .values(progress_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount == 0:  # type: ignore[attr-defined]
        raise _Stopped()


#: The problem of a later row of a dossier the file lists twice.
DUPLICATE = N_("Hồ sơ “%(code)s” đã có ở dòng %(line)s của tệp.")


def _duplicates(session: Session, import_id: int) -> int:
    """Turn each later row of a dossier the file lists twice into a problem.

    Two set-based statements, however many there are: the problems are
    written from one ``GROUP BY`` (their parameters built as JSON by the
    database), then those rows leave the staging. Returns how many.
    """
    rows = _ROWS.c
    problems = DossierImportProblem.__table__.c
    dialect = session.connection().dialect.name
    json_object = (
        func.json_build_object if dialect == "postgresql" else func.json_object
    )
    first = (
        select(rows.unit_id, rows.code, func.min(rows.line).label("first"))
        .where(rows.import_id == import_id)
        .group_by(rows.unit_id, rows.code)
        .having(func.count() > 1)
        .subquery()
    )
    later = (
        select(
            rows.import_id,
            rows.line,
            literal(_header_of(session, import_id, Field.CODE)),
            literal(DUPLICATE),
            json_object("code", rows.code, "line", first.c.first),
        )
        .join(first, and_(first.c.unit_id == rows.unit_id, first.c.code == rows.code))
        .where(rows.import_id == import_id, rows.line > first.c.first)
    )
    session.execute(
        insert(DossierImportProblem.__table__).from_select(
            ["import_id", "line", "column", "msgid", "params"], later
        )
    )
    # Counted, not the INSERT's rowcount: drivers need not tell it for a SELECT.
    found = session.scalar(
        select(func.count()).where(
            problems.import_id == import_id, problems.msgid == DUPLICATE
        )
    )
    if found:
        session.execute(
            delete(_ROWS).where(
                rows.import_id == import_id,
                rows.line.in_(
                    select(problems.line).where(
                        problems.import_id == import_id, problems.msgid == DUPLICATE
                    )
                ),
            )
        )
    return found or 0


def _header_of(session: Session, import_id: int, field: Field) -> str:
    mapping = session.scalar(
        select(DossierImport.mapping).where(DossierImport.id == import_id)
    )
    return (mapping or {}).get(field, "")


@dataclass(frozen=True)
class Outcomes:
    """What applying the staged rows does to the register, by dossier."""

    created: int
    updated: int
    unchanged: int


def _outcomes(session: Session, import_id: int) -> Outcomes:
    """Count the staged rows that create, update or leave alone a dossier."""
    rows = _ROWS.c
    stored = _DOSSIERS.alias("stored")
    total, created, unchanged = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((stored.c.id.is_(None), 1), else_=0)), 0),
            func.coalesce(
                func.sum(case((stored.c.row_hash == rows.row_hash, 1), else_=0)), 0
            ),
        )
        .select_from(
            _ROWS.outerjoin(
                stored,
                and_(stored.c.unit_id == rows.unit_id, stored.c.code == rows.code),
            )
        )
        .where(rows.import_id == import_id)
    ).one()
    return Outcomes(created, total - created - unchanged, unchanged)


def _problems_by_column(session: Session, import_id: int) -> list[dict[str, Any]]:
    column = DossierImportProblem.column
    counts = session.execute(
        select(column, func.count())
        .where(DossierImportProblem.import_id == import_id)
        .group_by(column)
        .order_by(func.count().desc(), column)
    )
    return [{"column": name, "count": count} for name, count in counts]


def _fail(session: Session, import_id: int, message: Message, error: str) -> None:
    """Mark an import failed with its reason (line 0); discard the rest.

    The problems of the rows read before are moot: the file must be read again.
    """
    session.execute(
        delete(DossierImportProblem).where(DossierImportProblem.import_id == import_id)
    )
    session.execute(
        update(DossierImport)
        .where(DossierImport.id == import_id)
        .values(status=ImportStatus.FAILED, error=error, finished_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.add(
        DossierImportProblem(
            import_id=import_id,
            line=0,
            column="",
            msgid=message.msgid,
            params=dict(message.params),
        )
    )
    discard_staged_rows(session, import_id)


def discard_staged_rows(session: Session, import_id: int) -> None:
    """Delete an import's staged rows: applied, cancelled or failed, it needs none."""
    session.execute(
        delete(DossierImportRow).where(DossierImportRow.import_id == import_id)
    )


def apply_import(
    session: Session,
    dossier_import: DossierImport,
    *,
    skip_bad_rows: bool,
    user_id: int | None,
    now: datetime | None = None,
) -> DossierImport:
    """Apply the checked rows to the register at once; flush.

    Applicants whose retention has passed by ``now`` are not kept.

    Refused (``ImportRefused``) when the import is no longer waiting, or has
    bad rows and ``skip_bad_rows`` is False: all or nothing. The staged rows
    stay until ``discard_staged_rows`` after the commit.
    """
    if dossier_import.status != ImportStatus.CHECKED:
        raise ImportRefused(Message(N_("Lần nhập này không còn chờ xác nhận.")))
    if dossier_import.rows_bad and not skip_bad_rows:
        raise ImportRefused(
            Message.counting(
                Nn_(
                    "Tệp có %(num)s dòng lỗi nên không nhập gì. Hãy sửa tệp rồi tải"
                    " lên lại, hoặc chọn nhập các dòng hợp lệ.",
                    "Tệp có %(num)s dòng lỗi nên không nhập gì. Hãy sửa tệp rồi tải"
                    " lên lại, hoặc chọn nhập các dòng hợp lệ.",
                ),
                dossier_import.rows_bad,
            )
        )
    import_id = dossier_import.id
    now = now or utcnow()
    # Taken over by the first to confirm: a second confirmation finds it done.
    claimed = session.execute(
        update(DossierImport)
        .where(
            DossierImport.id == import_id,
            DossierImport.status == ImportStatus.CHECKED,
        )
        .values(status=ImportStatus.DONE, skip_bad_rows=skip_bad_rows, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount == 0:  # type: ignore[attr-defined]
        raise ImportRefused(Message(N_("Lần nhập này không còn chờ xác nhận.")))
    dialect = session.connection().dialect.name
    outcomes = _outcomes(session, import_id)
    _add_new_procedures(session, dialect, import_id, now)
    _upsert_dossiers(session, dialect, import_id, now)
    _upsert_applicants(session, dialect, import_id, now)
    session.refresh(dossier_import)
    dossier_import.created = outcomes.created
    dossier_import.updated = outcomes.updated
    dossier_import.unchanged = outcomes.unchanged
    record_event(
        session,
        AuditAction.DOSSIERS_IMPORTED,
        user_id,
        object_type="dossier_import",
        object_id=str(import_id),
        detail={
            "file": dossier_import.filename,
            "rows": dossier_import.rows_read,
            "bad_rows_skipped": dossier_import.rows_bad,
            "created": dossier_import.created,
            "updated": dossier_import.updated,
            "unchanged": dossier_import.unchanged,
        },
    )
    session.flush()
    return dossier_import


def _at(now: datetime) -> Any:
    return bindparam("now", now, type_=UTCDateTime())


def _add_new_procedures(
    session: Session, dialect: str, import_id: int, now: datetime
) -> None:
    rows = _ROWS.c
    procedures = _PROCEDURES.c
    new = (
        select(
            rows.procedure_code,
            func.min(rows.procedure_name),
            func.min(rows.procedure_field),
            _at(now),
        )
        .where(
            rows.import_id == import_id,
            ~exists().where(procedures.code == rows.procedure_code),
        )
        .group_by(rows.procedure_code)
    )
    statement = dialect_insert(dialect, _PROCEDURES).from_select(
        ["code", "name", "field", "created_at"], new
    )
    session.execute(statement.on_conflict_do_nothing(index_elements=["code"]))


def _upsert_dossiers(
    session: Session, dialect: str, import_id: int, now: datetime
) -> None:
    """Create or update the dossiers of the staged rows that change anything.

    Each dossier written gets ``updated_at`` = ``now``: its applicant follows.
    """
    rows = _ROWS.c
    procedures = _PROCEDURES.c
    stored = _DOSSIERS.alias("stored")
    unchanged = exists().where(
        stored.c.unit_id == rows.unit_id,
        stored.c.code == rows.code,
        stored.c.row_hash == rows.row_hash,
    )
    changed = (
        select(
            rows.unit_id,
            rows.code,
            procedures.id,
            *(rows[name] for name in _COPIED),
            _at(now),
        )
        .join(_PROCEDURES, procedures.code == rows.procedure_code)
        .where(rows.import_id == import_id, ~unchanged)
    )
    columns = ["unit_id", "code", "procedure_id", *_COPIED, "updated_at"]
    statement = dialect_insert(dialect, _DOSSIERS).from_select(columns, changed)
    statement = statement.on_conflict_do_update(
        index_elements=["unit_id", "code"],
        set_={
            name: statement.excluded[name]
            for name in ("procedure_id", *_COPIED, "updated_at")
        },
    )
    session.execute(statement)


def _upsert_applicants(
    session: Session, dialect: str, import_id: int, now: datetime
) -> None:
    """Keep the applicants of the dossiers just written; correct those kept.

    An applicant erased after its retention is not brought back by an
    unchanged row of an old export, nor one whose retention has passed.
    """
    rows = _ROWS.c
    dossiers = _DOSSIERS.c
    applicants = _APPLICANTS.c
    corrected = exists().where(
        applicants.dossier_id == dossiers.id,
        or_(
            applicants.name != rows.applicant_name,
            applicants.phone != rows.applicant_phone,
            applicants.email != rows.applicant_email,
            applicants.address != rows.applicant_address,
        ),
    )
    source = (
        select(dossiers.id, *(rows[name] for name in _APPLICANT_COLUMNS.values()))
        .join(
            _DOSSIERS,
            and_(dossiers.unit_id == rows.unit_id, dossiers.code == rows.code),
        )
        .where(
            rows.import_id == import_id,
            rows.applicant_name != "",
            rows.purge_after > _at(now),
            or_(dossiers.updated_at == _at(now), corrected),
        )
    )
    statement = dialect_insert(dialect, _APPLICANTS).from_select(
        ["dossier_id", *_APPLICANT_COLUMNS], source
    )
    # A newer export never shortens the keeping: a sent letter may have set it
    # further (surveys.dossiers.sending).
    kept_longer = case(
        (
            statement.excluded.purge_after > applicants.purge_after,
            statement.excluded.purge_after,
        ),
        else_=applicants.purge_after,
    )
    statement = statement.on_conflict_do_update(
        index_elements=["dossier_id"],
        set_={
            name: kept_longer if name == "purge_after" else statement.excluded[name]
            for name in _APPLICANT_COLUMNS
        },
    )
    session.execute(statement)


def cancel_import(session: Session, dossier_import: DossierImport) -> bool:
    """Cancel an import not yet applied and discard its rows; flush.

    Returns False when it was applied (or had ended) already.
    """
    cancelled = session.execute(
        update(DossierImport)
        .where(
            DossierImport.id == dossier_import.id,
            DossierImport.status.in_([ImportStatus.READING, ImportStatus.CHECKED]),
        )
        .values(status=ImportStatus.CANCELLED, finished_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    discard_staged_rows(session, dossier_import.id)
    session.refresh(dossier_import)
    return bool(cancelled.rowcount)  # type: ignore[attr-defined]


def stale_imports(session: Session, now: datetime) -> list[DossierImport]:
    """Return the imports left behind (see ``end_stale_imports``); read only."""
    return list(
        session.scalars(
            select(DossierImport).where(
                or_(
                    and_(
                        DossierImport.status == ImportStatus.READING,
                        DossierImport.progress_at < now - ABANDONED_AFTER,
                    ),
                    and_(
                        DossierImport.status == ImportStatus.CHECKED,
                        DossierImport.progress_at < now - UNCONFIRMED_KEPT,
                    ),
                )
            )
        )
    )


def recent_imports(
    session: Session, scope: Scope, limit: int = 20
) -> list[DossierImport]:
    """Return the latest imports into units of the scope, newest first."""
    query = select(DossierImport).order_by(DossierImport.id.desc()).limit(limit)
    return list(session.scalars(scope.filter(query, DossierImport.unit_id)))


def files_in_use(session: Session) -> set[str]:
    """Return the uploaded files of imports not yet ended, whoever made them."""
    return set(
        session.scalars(
            select(DossierImport.stored_file).where(
                DossierImport.status.in_([ImportStatus.READING, ImportStatus.CHECKED]),
                DossierImport.stored_file.is_not(None),
            )
        )
    )


def end_stale_imports(session: Session, now: datetime) -> list[DossierImport]:
    """End the imports left behind, and their staged personal data; flush.

    A reading that stopped reporting progress was cut off (a restart, a
    crash): it is marked failed, nothing of it reached the register. An
    import checked and never confirmed within ``UNCONFIRMED_KEPT`` is
    cancelled. Returns them, so that their uploaded files can go too.
    """
    stale = stale_imports(session, now)
    for dossier_import in stale:
        if dossier_import.status == ImportStatus.CHECKED:
            cancel_import(session, dossier_import)
            continue
        _fail(
            session,
            dossier_import.id,
            Message(
                N_(
                    "Việc đọc tệp bị gián đoạn (máy chủ đã khởi động lại); không có"
                    " gì được nhập. Hãy tải tệp lên lại."
                )
            ),
            "abandoned: no progress since " + str(dossier_import.progress_at),
        )
        session.refresh(dossier_import)
    session.flush()
    return stale


def problems_page(
    session: Session, dossier_import: DossierImport, page: int
) -> tuple[list[ShownProblem], int]:
    """Return one page of an import's problems, by line, and how many there are."""
    total = session.scalar(
        select(func.count()).where(DossierImportProblem.import_id == dossier_import.id)
    )
    found = session.scalars(
        _problems_query(dossier_import.id)
        .offset((page - 1) * PROBLEMS_PAGE)
        .limit(PROBLEMS_PAGE)
    )
    return [_shown(problem) for problem in found], int(total or 0)


def all_problems(
    session: Session, dossier_import: DossierImport
) -> Iterator[ShownProblem]:
    """Yield every problem of an import by line, a page at a time."""
    after = (-1, 0)
    query = _problems_query(dossier_import.id).limit(BATCH)
    while True:
        page = list(
            session.scalars(
                query.where(
                    or_(
                        DossierImportProblem.line > after[0],
                        and_(
                            DossierImportProblem.line == after[0],
                            DossierImportProblem.id > after[1],
                        ),
                    )
                )
            )
        )
        if not page:
            return
        yield from (_shown(problem) for problem in page)
        after = (page[-1].line, page[-1].id)


def _problems_query(import_id: int) -> Any:
    return (
        select(DossierImportProblem)
        .where(DossierImportProblem.import_id == import_id)
        .order_by(DossierImportProblem.line, DossierImportProblem.id)
    )


def _shown(problem: DossierImportProblem) -> ShownProblem:
    return ShownProblem(
        problem.line, problem.column, Message(problem.msgid, dict(problem.params))
    )
