"""A portal's export of cases: idempotent, updated in place, checked by row."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys.cases.events import history
from surveys.cases.portal_columns import (
    confirm_case_mapping,
    propose_case_mapping,
    remembered_case_source,
)
from surveys.cases.portal_import import (
    Choices,
    ImportRefused,
    apply_export,
    check_export,
)
from surveys.dossiers.columns import remembered_source
from surveys.dossiers.reading import inspect_export
from surveys.dossiers.timing import local_instant
from surveys.models import CaseChannel, CaseState, FeedbackCase, Role, Unit, User
from tests.builders import make_category, make_unit, make_user

HEADERS = [
    "STT", "Mã phản ánh", "Ngày tiếp nhận", "Lĩnh vực", "Đơn vị xử lý",
    "Nội dung phản ánh", "Hạn xử lý", "Trạng thái", "Ngày trả lời",
]  # fmt: skip


def rows(ward: str) -> list[list[object]]:
    return [
        [1, "1022-001", "02/03/2026 08:15", "Môi trường", ward,
         "Rác tập kết sai nơi quy định.", "16/03/2026", "Đang xử lý", ""],
        [2, "1022-002", "03/03/2026", "moi-truong", ward,
         "Đèn đường hỏng.", "", "Đã trả lời", "10/03/2026 15:00"],
        [3, "1022-003", "04/03/2026", "Environment", "",
         "Vỉa hè bị lấn chiếm.", "", "Tiếp nhận", ""],
    ]  # fmt: skip


def write_csv(path: Path, body: list[list[object]], title: bool = True) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        out = csv.writer(handle)
        if title:
            out.writerow(["DANH SÁCH PHẢN ÁNH, KIẾN NGHỊ"])
            out.writerow([])
        out.writerow(HEADERS)
        out.writerows(body)
    return path


@pytest.fixture
def ward(db_session: Session) -> Unit:
    district = make_unit(db_session, code="QX", name="Quận X")
    return make_unit(db_session, district, code="px-ben", name="Phường Bến")


@pytest.fixture
def importer(db_session: Session, ward: Unit) -> User:
    make_category(
        db_session, code="moi-truong", name_vi="Môi trường", name_en="Environment"
    )
    return make_user(db_session, ward, Role.UNIT_MANAGER)


def choices(ward: Unit, **more: object) -> Choices:
    return Choices(CaseChannel.PORTAL_1022, frozenset({ward.id}), ward.id, **more)  # type: ignore[arg-type]


def run(session: Session, path: Path, ward: Unit, user: User, **more: object):
    layout = inspect_export(path)
    mapping = propose_case_mapping(layout.headers)
    checked = check_export(session, path, mapping, choices(ward))
    return checked, apply_export(session, checked, choices(ward), user, **more)  # type: ignore[arg-type]


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(FeedbackCase))


def test_the_same_file_twice_changes_nothing(
    db_session: Session, ward: Unit, importer: User, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "pakn.csv", rows("Phường Bến"))
    checked, first = run(db_session, path, ward, importer)
    assert checked.problems == [] and checked.rows == 3
    assert (first.created, first.answered) == (3, 1)
    cases = {c.source_ref: c for c in db_session.scalars(select(FeedbackCase))}
    kept = cases["1022-001"]
    assert kept.due_at == local_instant(date(2026, 3, 16), 17 * 60)
    assert kept.due_computed is False and kept.state == CaseState.RECEIVED
    done = cases["1022-002"]
    assert (done.state, done.outcome, done.resolved_quarter) == (
        "answered",
        "answered",
        "2026-Q1",
    )
    assert done.due_computed is True and done.on_time is True
    assert done.answered_at == local_instant(date(2026, 3, 10), 15 * 60)
    events = len(history(db_session, kept.id)) + len(history(db_session, done.id))

    _, second = run(db_session, path, ward, importer)
    assert (second.created, second.updated, second.answered, second.unchanged) == (
        0,
        0,
        0,
        3,
    )
    assert count(db_session) == 3
    assert (
        len(history(db_session, kept.id)) + len(history(db_session, done.id)) == events
    )


def test_a_newer_export_updates_the_cases_in_place(
    db_session: Session, ward: Unit, importer: User, tmp_path: Path
) -> None:
    run(db_session, write_csv(tmp_path / "old.csv", rows("px-ben")), ward, importer)
    newer = rows("px-ben")
    newer[0][5] = "Rác tập kết sai nơi quy định, đã nhắc nhiều lần."
    newer[0][6] = "18/03/2026"
    newer[2][7], newer[2][8] = "Hoàn thành", "20/03/2026"
    _, result = run(db_session, write_csv(tmp_path / "new.csv", newer), ward, importer)
    assert (result.created, result.updated, result.answered) == (0, 1, 1)
    assert count(db_session) == 3
    case = db_session.scalar(
        select(FeedbackCase).where(FeedbackCase.source_ref == "1022-001")
    )
    assert case.text.endswith("nhiều lần.")
    assert case.due_at == local_instant(date(2026, 3, 18), 17 * 60)
    kinds = [event.kind for event in history(db_session, case.id)]
    assert kinds == ["created", "note", "due_changed"]


def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_stored(
    db_session: Session, ward: Unit, importer: User, tmp_path: Path
) -> None:
    other = make_unit(db_session, ward.parent, code="px-xa", name="Phường Xa")
    body = [
        *rows("Phường Bến"),
        [4, "", "05/03/2026", "Môi trường", "", "Nội dung.", "", "", ""],
        [5, "1022-005", "31/02/2026", "Giao thông", "", "Nội dung.", "", "", ""],
        [6, "1022-006", "05/03/2026", "Môi trường", other.name, "  ", "",
         "Đã trả lời", ""],
        [7, "1022-001", "05/03/2026", "Môi trường", "", "Trùng số.", "", "", ""],
    ]  # fmt: skip
    path = write_csv(tmp_path / "bad.csv", body)
    layout = inspect_export(path)
    checked = check_export(
        db_session, path, propose_case_mapping(layout.headers), choices(ward)
    )
    found = {(problem.line, problem.column) for problem in checked.problems}
    assert found == {
        (7, "Số phản ánh trên cổng"),
        (8, "Ngày tiếp nhận"),
        (8, "Lĩnh vực phản ánh"),
        (9, "Nội dung phản ánh"),
        (9, "Đơn vị xử lý"),
        (9, "Ngày trả lời"),
        (10, "Số phản ánh trên cổng"),
    }
    assert checked.bad_rows == 4 and len(checked.good) == 3
    with pytest.raises(ImportRefused):
        apply_export(db_session, checked, choices(ward), importer)
    assert count(db_session) == 0
    result = apply_export(
        db_session, checked, choices(ward), importer, good_rows_only=True
    )
    assert (result.created, result.skipped) == (3, 4)


def test_an_unknown_category_can_fall_back(
    db_session: Session, ward: Unit, importer: User, tmp_path: Path
) -> None:
    other = make_category(db_session, code="khac", name_vi="Khác")
    body = [[1, "A-1", "05/03/2026", "Giao thông", "", "Nội dung.", "", "", ""]]
    path = write_csv(tmp_path / "fallback.csv", body, title=False)
    mapping = propose_case_mapping(inspect_export(path).headers)
    picked = choices(ward, fallback_category_id=other.id)
    checked = check_export(db_session, path, mapping, picked)
    assert checked.problems == []
    apply_export(db_session, checked, picked, importer)
    assert db_session.scalar(select(FeedbackCase.category_id)) == other.id


def test_an_xlsx_export_reads_the_same_and_its_mapping_is_remembered(
    db_session: Session, ward: Unit, importer: User, tmp_path: Path
) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["DANH SÁCH PHẢN ÁNH"])
    sheet.append(HEADERS)
    for row in rows("Phường Bến"):
        sheet.append(row)
    path = tmp_path / "pakn.xlsx"
    book.save(path)
    headers = inspect_export(path).headers
    mapping = propose_case_mapping(headers)
    assert (
        mapping["source_ref"] == "Mã phản ánh"
        and mapping["text"] == "Nội dung phản ánh"
    )
    assert remembered_case_source(db_session, headers) is None
    confirm_case_mapping(db_session, headers, mapping, importer.id)
    assert remembered_case_source(db_session, headers).mapping == mapping
    # A dossier layout with the same headers is another source.
    assert remembered_source(db_session, headers) is None
    _, result = run(db_session, path, ward, importer)
    assert result.created == 3


def test_a_mapping_without_the_required_columns_is_refused(
    db_session: Session, importer: User
) -> None:
    with pytest.raises(ValueError, match="nội dung phản ánh"):
        confirm_case_mapping(
            db_session,
            HEADERS,
            {"source_ref": "Mã phản ánh", "received_at": "Ngày tiếp nhận"},
            importer.id,
        )
