"""The demo district's year of dossiers and the sample export shipped with it."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys.demo import seed_demo
from surveys.demo.dossiers import DEMO_ROWS, EXPORTED_AT, seed_dossiers
from surveys.demo.sample import write_sample
from surveys.dossiers.reading import open_rows
from surveys.dossiers.sample_export import SAMPLE_FILES
from surveys.dossiers.timing import local_instant
from surveys.dossiers.values import text
from surveys.models import Dossier, DossierImport, DossierStatus, Unit
from tests.surveys.dossiers.exports import import_file


def test_the_demo_year_imports_through_the_service(db_session: Session) -> None:
    seed_demo(db_session, demo_password="demo-password-1", responses=False)
    assert seed_dossiers(db_session) == DEMO_ROWS
    (done,) = db_session.scalars(select(DossierImport))
    assert (done.rows_read, done.rows_bad, done.created) == (DEMO_ROWS, 0, DEMO_ROWS)

    def share(*conditions: object) -> float:
        found = select(func.count()).select_from(Dossier).where(*conditions)
        return (db_session.scalar(found) or 0) / DEMO_ROWS

    assert 0.70 <= share(Dossier.channel == "online") <= 0.85
    assert 0.02 < share(Dossier.working_days_late > 0) < 0.10
    assert 0 < share(Dossier.due_computed.is_(True)) < 0.2
    exported = local_instant(EXPORTED_AT.date(), 0).astimezone(UTC)
    open_overdue = share(Dossier.returned_at.is_(None), Dossier.due_at < exported)
    assert 0 < open_overdue < 0.05
    assert share(Dossier.status == DossierStatus.WITHDRAWN) > 0
    wards = db_session.scalar(
        select(func.count(func.distinct(Dossier.unit_id)))
        .join(Unit)
        .where(Unit.kind == "ward")
    )
    assert wards == 10
    assert seed_dossiers(db_session) == 0


def test_the_sample_is_a_slice_of_the_demo_and_changes_nothing_there(
    db_session: Session, tmp_path: Path
) -> None:
    written = write_sample(tmp_path)
    assert written["csv"].read_bytes() == SAMPLE_FILES["csv"].read_bytes()
    with SAMPLE_FILES["csv"].open(encoding="utf-8-sig", newline="") as handle:
        from_csv = list(csv.reader(handle))
    with open_rows(SAMPLE_FILES["xlsx"]) as (layout, rows):
        from_xlsx = [[_as_written(cell) for cell in cells] for _, cells in rows]
    assert [list(layout.headers), *from_xlsx] == from_csv
    assert 200 <= len(from_xlsx) <= 400
    seed_demo(db_session, demo_password="demo-password-1", responses=False)
    seed_dossiers(db_session)
    district = db_session.scalar(select(Unit).where(Unit.code == "q1"))
    again = import_file(db_session, district, SAMPLE_FILES["xlsx"])
    assert (again.rows_bad, again.created, again.updated) == (0, 0, 0)
    assert again.unchanged == len(from_xlsx)


def _as_written(cell: object) -> str:
    """A workbook's cell as the CSV writes it (dates as dd/mm/yyyy)."""
    if isinstance(cell, datetime):
        if cell.time() == datetime.min.time():
            return f"{cell:%d/%m/%Y}"
        return f"{cell:%d/%m/%Y %H:%M:%S}"
    return text(cell)
