"""Writing small exports and importing them the way the pages and the CLI do."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys.dossiers.columns import confirm_mapping, propose_mapping
from surveys.dossiers.importing import (
    apply_import,
    discard_staged_rows,
    read_import,
    start_import,
)
from surveys.dossiers.reading import inspect_export
from surveys.models import Dossier, DossierImport, Unit

HEADERS = (
    "Mã hồ sơ", "Mã thủ tục", "Tên thủ tục", "Lĩnh vực", "Hình thức nộp",
    "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày trả kết quả", "Trạng thái",
    "Người nộp", "Số điện thoại",
)  # fmt: skip


def write_csv(
    path: Path,
    rows: Sequence[Sequence[object]],
    headers: Sequence[str] = HEADERS,
    delimiter: str = ",",
) -> Path:
    """Write an export as Excel's "CSV UTF-8" does (with a byte order mark)."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def write_xlsx(
    path: Path,
    rows: Sequence[Sequence[object]],
    headers: Sequence[str] = HEADERS,
    title: str | None = None,
) -> Path:
    """Write an export as a workbook, maybe with a title above the header."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
        sheet.append([])
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def checksum(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_file(
    session: Session, unit: Unit | None, path: Path, user_id: int | None = None
) -> DossierImport:
    """Read and check a file with the mapping proposed for it (confirmed)."""
    layout = inspect_export(path)
    source = confirm_mapping(
        session, layout.headers, propose_mapping(layout.headers), user_id
    )
    dossier_import = start_import(
        session,
        unit=unit,
        user_id=user_id,
        source=source,
        filename=path.name,
        checksum=checksum(path),
    )
    return read_import(session, dossier_import, path)


def import_file(
    session: Session,
    unit: Unit | None,
    path: Path,
    *,
    skip_bad_rows: bool = False,
    user_id: int | None = None,
    now: datetime | None = None,
) -> DossierImport:
    """Read, check and apply a file, as an official confirming it would."""
    dossier_import = read_file(session, unit, path, user_id)
    apply_import(
        session,
        dossier_import,
        skip_bad_rows=skip_bad_rows,
        user_id=user_id,
        now=now,
    )
    session.commit()
    discard_staged_rows(session, dossier_import.id)
    session.commit()
    return dossier_import


def dossier_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Dossier)) or 0
