"""Importing exports: round trips, idempotence, bad rows, broken files and scope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys.dossiers.applicants import applicant_purge_after
from surveys.dossiers.importing import (
    ABANDONED_AFTER,
    UNCONFIRMED_KEPT,
    ImportRefused,
    all_problems,
    apply_import,
    cancel_import,
    earlier_import,
    end_stale_imports,
    problems_page,
    read_import,
)
from surveys.models import (
    AuditEvent,
    Dossier,
    DossierApplicant,
    DossierImportProblem,
    DossierImportRow,
    DossierRules,
    DossierStatus,
    ImportStatus,
    Official,
    Procedure,
    ServicePoint,
    Unit,
)
from tests.builders import make_procedure, make_unit, make_user
from tests.surveys.dossiers.exports import (
    checksum,
    dossier_count,
    import_file,
    read_file,
    write_csv,
    write_xlsx,
)

BIRTH = "1.001193"


@pytest.fixture
def ward(db_session: Session) -> Unit:
    make_procedure(db_session, code=BIRTH, name="Đăng ký khai sinh", processing_days=3)
    return make_unit(db_session, name="Phường Bến Nghé")


def rows(status: str = "Đang xử lý", returned: str = "") -> list[list[object]]:
    """Two dossiers received on Monday 02/03/2026; the first one maybe returned."""
    return [
        ["HS-001", BIRTH, "Đăng ký khai sinh", "Hộ tịch", "Trực tuyến",
         "02/03/2026 08:15", "", returned, status, "Nguyễn Văn An", "0901234567"],
        ["HS-002", BIRTH, "Đăng ký khai sinh", "Hộ tịch", "Trực tiếp",
         "02/03/2026 14:00", "06/03/2026", "", "Đang xử lý", "Trần Thị Bình", ""],
    ]  # fmt: skip


WRITERS = {"csv": write_csv, "xlsx": write_xlsx}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_round_trip_import_reimport_and_newer_export(
    db_session: Session, ward: Unit, tmp_path: Path, kind: str
) -> None:
    write = WRITERS[kind]
    first = import_file(db_session, ward, write(tmp_path / f"a.{kind}", rows()))
    assert (first.status, first.created, first.updated, first.unchanged) == (
        ImportStatus.DONE,
        2,
        0,
        0,
    )
    dossier = db_session.scalar(select(Dossier).where(Dossier.code == "HS-001"))
    # Three working days from Monday: due Thursday 05/03 at 17:00 (10:00 UTC).
    assert dossier.due_at == datetime(2026, 3, 5, 10, tzinfo=UTC)
    assert dossier.due_computed and dossier.working_days_late is None
    other = db_session.scalar(select(Dossier).where(Dossier.code == "HS-002"))
    assert other.due_at == datetime(2026, 3, 6, 10, tzinfo=UTC)
    assert not other.due_computed and other.channel == "counter"

    again = import_file(db_session, ward, write(tmp_path / f"b.{kind}", rows()))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)

    newer = rows("Đã trả kết quả", "06/03/2026 09:30")
    later = import_file(db_session, ward, write(tmp_path / f"c.{kind}", newer))
    assert (later.created, later.updated, later.unchanged) == (0, 1, 1)
    assert dossier_count(db_session) == 2
    db_session.refresh(dossier)
    assert dossier.status == DossierStatus.RETURNED
    assert dossier.returned_at == datetime(2026, 3, 6, 2, 30, tzinfo=UTC)
    # Returned Friday, due Thursday 17:00: one working day late, in March.
    assert (dossier.working_days_late, dossier.returned_month) == (1, "2026-03")


def test_due_dates_follow_the_rules_of_the_dossiers_unit(
    db_session: Session, ward: Unit, tmp_path: Path
) -> None:
    # After 16:00 a dossier counts from the next working day; due at 11:30.
    db_session.add(DossierRules(unit_id=ward.id, cutoff_minute=960, due_minute=690))
    cells = rows()
    cells[1][5:7] = ["02/03/2026 16:30", ""]
    import_file(db_session, ward, write_csv(tmp_path / "a.csv", cells))
    morning, late = db_session.scalars(select(Dossier).order_by(Dossier.code))
    # Three working days from Monday: Thursday; from Tuesday: Friday, at 11:30.
    assert morning.due_at == datetime(2026, 3, 5, 4, 30, tzinfo=UTC)
    assert late.due_at == datetime(2026, 3, 6, 4, 30, tzinfo=UTC)
    assert morning.due_computed and late.due_computed


def test_a_file_with_a_title_and_semicolons_reads_the_same(
    db_session: Session, ward: Unit, tmp_path: Path
) -> None:
    titled = write_xlsx(tmp_path / "a.xlsx", rows(), title="DANH SÁCH HỒ SƠ")
    semicolons = write_csv(tmp_path / "b.csv", rows(), delimiter=";")
    assert import_file(db_session, ward, titled).created == 2
    assert import_file(db_session, ward, semicolons).unchanged == 2


def test_real_date_cells_and_excel_serials_of_a_workbook(
    db_session: Session, ward: Unit, tmp_path: Path
) -> None:
    cells = rows()
    cells[0][5] = datetime(2026, 3, 2, 8, 15)
    cells[1][5] = 46083.5833333333  # 02/03/2026 14:00
    cells[1][6] = datetime(2026, 3, 6)  # a date cell: due at the day's due time
    import_file(db_session, ward, write_xlsx(tmp_path / "a.xlsx", cells))
    first, second = db_session.scalars(select(Dossier).order_by(Dossier.code))
    assert first.received_at == datetime(2026, 3, 2, 1, 15, tzinfo=UTC)
    assert second.received_at == datetime(2026, 3, 2, 7, tzinfo=UTC)
    assert second.due_at == datetime(2026, 3, 6, 10, tzinfo=UTC)


def test_all_or_nothing_refuses_a_file_with_a_bad_row(
    db_session: Session, ward: Unit, tmp_path: Path
) -> None:
    cells = rows()
    cells[1][5] = "31/02/2026"
    checked = read_file(db_session, ward, write_csv(tmp_path / "a.csv", cells))
    assert (checked.status, checked.rows_read, checked.rows_bad) == (
        ImportStatus.CHECKED,
        2,
        1,
    )
    problems = list(all_problems(db_session, checked))
    assert [(p.line, p.column) for p in problems] == [(3, "Ngày tiếp nhận")]
    assert "31/02/2026" in str(problems[0].message)
    assert checked.problems == [{"column": "Ngày tiếp nhận", "count": 1}]
    with pytest.raises(ImportRefused, match="1 dòng lỗi"):
        apply_import(db_session, checked, skip_bad_rows=False, user_id=None)
    assert dossier_count(db_session) == 0


def test_good_rows_in_bad_rows_listed_when_chosen(
    db_session: Session, ward: Unit, tmp_path: Path
) -> None:
    cells = rows()
    cells[1][4] = "Qua fax"
    done = import_file(
        db_session, ward, write_csv(tmp_path / "a.csv", cells), skip_bad_rows=True
    )
    assert (done.created, done.rows_bad, done.skip_bad_rows) == (1, 1, True)
    assert db_session.scalars(select(Dossier.code)).all() == ["HS-001"]
    assert [p.line for p in all_problems(db_session, done)] == [3]


def test_every_problem_of_a_row_is_listed_with_its_column(
    db_session: Session, ward: Unit, tmp_path: Path
) -> None:
    bad = ["", "", "", "", "Qua fax", "hôm qua", "", "", "Đã duyệt", "", ""]
    checked = read_file(db_session, ward, write_csv(tmp_path / "a.csv", [bad]))
    found = {(p.column, p.message.msgid) for p in all_problems(db_session, checked)}
    columns = {column for column, _ in found}
    assert columns == {
        "Mã hồ sơ",
        "Mã thủ tục",
        "Hình thức nộp",
        "Ngày tiếp nhận",
        "Trạng thái",
    }
    assert checked.rows_bad == 1


def test_inconsistent_dates_and_statuses_are_problems(
    db_session: Session, ward: Unit, tmp_path: Path
) -> None:
    cells = rows("Đã trả kết quả")  # returned, but no return date
    cells[1][7] = "01/03/2026"  # returned before it was received
    checked = read_file(db_session, ward, write_csv(tmp_path / "a.csv", cells))
    messages = [p.message.msgid for p in all_problems(db_session, checked)]
    assert any("thiếu ngày trả kết quả" in m for m in messages)
    assert any("trước ngày tiếp nhận" in m for m in messages)
    assert checked.rows_bad == 2


def test_the_same_dossier_twice_in_a_file_is_a_problem(
    db_session: Session, ward: Unit, tmp_path: Path
) -> None:
    cells = [*rows(), rows()[0]]
    checked = read_file(db_session, ward, write_csv(tmp_path / "a.csv", cells))
    (problem,) = all_problems(db_session, checked)
    assert (problem.line, problem.column) == (4, "Mã hồ sơ")
    assert problem.message.params == {"code": "HS-001", "line": 2}
    assert checked.rows_bad == 1
    assert checked.created == 2  # foreseen: the two distinct ones


def test_an_export_pasted_twice_has_every_second_copy_refused(
    db_session: Session, ward: Unit, tmp_path: Path
) -> None:
    once = [
        [f"HS-{n:05}", BIRTH, "", "", "Trực tuyến", "02/03/2026", "", "", "", "", ""]
        for n in range(2500)
    ]
    checked = read_file(db_session, ward, write_csv(tmp_path / "a.csv", once + once))
    assert (checked.rows_read, checked.rows_bad, checked.created) == (5000, 2500, 2500)
    lines = [problem.line for problem in all_problems(db_session, checked)]
    assert lines == list(range(2502, 5002))
    assert _staged(db_session) == 2500


def test_an_unknown_procedure_enters_the_catalogue_without_a_time(
    db_session: Session, ward: Unit, tmp_path: Path
) -> None:
    cells = rows()
    cells[0][1:4] = ["9.999001", "Cấp phép mới", "Khác"]
    cells[0][6] = "20/03/2026"
    cells[1][1:4] = ["9.999001", "Cấp phép mới", "Khác"]
    cells[1][6] = ""  # no due date, and none to compute
    done = import_file(
        db_session, ward, write_csv(tmp_path / "a.csv", cells), skip_bad_rows=True
    )
    (problem,) = all_problems(db_session, done)
    assert (problem.line, problem.column) == (3, "Ngày hẹn trả")
    procedure = db_session.scalar(select(Procedure).where(Procedure.code == "9.999001"))
    assert (procedure.name, procedure.field, procedure.processing_days) == (
        "Cấp phép mới",
        "Khác",
        None,
    )


def test_a_bad_file_changes_nothing_of_the_catalogue(
    db_session: Session, ward: Unit, tmp_path: Path
) -> None:
    cells = rows()
    cells[0][1:4] = ["9.999002", "Cấp phép mới", "Khác"]
    cells[1][5] = "không rõ"
    checked = read_file(db_session, ward, write_csv(tmp_path / "a.csv", cells))
    with pytest.raises(ImportRefused):
        apply_import(db_session, checked, skip_bad_rows=False, user_id=None)
    db_session.rollback()
    cancel_import(db_session, checked)
    assert (
        db_session.scalar(select(Procedure).where(Procedure.code == "9.999002")) is None
    )
    assert checked.status == ImportStatus.CANCELLED
    assert _staged(db_session) == 0


def test_counters_and_officials_resolve_within_the_unit(
    db_session: Session, ward: Unit, tmp_path: Path
) -> None:
    other = make_unit(db_session)
    point = ServicePoint(code="bn-q1", name="Quầy Tư pháp – Hộ tịch", unit=ward)
    official = Official(code="cb1", name="Lê Thị Hoa", unit=ward)
    stranger = Official(code="cb9", name="Phạm Văn Xa", unit=other)
    db_session.add_all([point, official, stranger])
    db_session.flush()
    headers = (
        "Mã hồ sơ",
        "Mã thủ tục",
        "Hình thức nộp",
        "Ngày tiếp nhận",
        "Quầy",
        "Cán bộ tiếp nhận",
    )
    cells = [
        ["HS-1", BIRTH, "Trực tiếp", "02/03/2026", point.name, "LÊ THỊ HOA"],
        ["HS-2", BIRTH, "Trực tiếp", "02/03/2026", "bn-q1", "cb1"],
        ["HS-3", BIRTH, "Trực tiếp", "02/03/2026", "", "Phạm Văn Xa"],
    ]  # fmt: skip
    done = import_file(
        db_session,
        ward,
        write_csv(tmp_path / "a.csv", cells, headers),
        skip_bad_rows=True,
    )
    found = db_session.execute(
        select(Dossier.code, Dossier.service_point_id, Dossier.official_id).order_by(
            Dossier.code
        )
    ).all()
    assert found == [("HS-1", point.id, official.id), ("HS-2", point.id, official.id)]
    (problem,) = all_problems(db_session, done)
    assert (problem.line, problem.column) == (4, "Cán bộ tiếp nhận")


def test_a_ward_cannot_import_another_wards_dossiers(
    db_session: Session, tmp_path: Path
) -> None:
    make_procedure(db_session, code=BIRTH, processing_days=3)
    district = make_unit(db_session, kind="district", name="Quận Thử")
    ward = make_unit(db_session, district, name="Phường Một", code="p-mot")
    make_unit(db_session, district, name="Phường Hai", code="p-hai")
    headers = ("Mã hồ sơ", "Mã thủ tục", "Hình thức nộp", "Ngày tiếp nhận", "Đơn vị")
    cells = [
        ["HS-1", BIRTH, "Trực tuyến", "02/03/2026", "Phường Một"],
        ["HS-2", BIRTH, "Trực tuyến", "02/03/2026", "p-hai"],
        ["HS-3", BIRTH, "Trực tuyến", "02/03/2026", "UBND Phường Hai"],
    ]
    path = write_csv(tmp_path / "a.csv", cells, headers)
    as_ward = read_file(db_session, ward, path)
    assert [p.line for p in all_problems(db_session, as_ward)] == [3, 4]
    assert "p-hai" in str(next(all_problems(db_session, as_ward)).message)
    with pytest.raises(ImportRefused):
        apply_import(db_session, as_ward, skip_bad_rows=False, user_id=None)
    db_session.rollback()
    as_district = import_file(db_session, district, path)
    assert as_district.created == 3
    units = dict(db_session.execute(select(Dossier.code, Dossier.unit_id)).all())
    assert units["HS-1"] == ward.id and units["HS-2"] == units["HS-3"] != ward.id


def test_without_a_unit_column_rows_go_to_the_importers_unit(
    db_session: Session, ward: Unit, tmp_path: Path
) -> None:
    import_file(db_session, ward, write_csv(tmp_path / "a.csv", rows()))
    assert set(db_session.scalars(select(Dossier.unit_id))) == {ward.id}
    with pytest.raises(ImportRefused, match="không có cột đơn vị"):
        read_file(db_session, None, write_csv(tmp_path / "b.csv", rows()))


def test_applicants_are_kept_apart_with_their_retention(
    db_session: Session, ward: Unit, tmp_path: Path
) -> None:
    cells = rows("Đã trả kết quả", "06/03/2026 09:30")
    soon = datetime(2026, 3, 10, tzinfo=UTC)
    import_file(db_session, ward, write_csv(tmp_path / "a.csv", cells), now=soon)
    returned = db_session.scalar(select(Dossier).where(Dossier.code == "HS-001"))
    applicant = db_session.get(DossierApplicant, returned.id)
    assert (applicant.name, applicant.phone) == ("Nguyễn Văn An", "0901234567")
    assert applicant.purge_after == applicant_purge_after(
        returned.due_at, returned.returned_at, returned.working_days_late
    )
    # A phone number corrected in the system: the dossier is unchanged, the
    # applicant kept is corrected.
    cells[0][10] = "0911111111"
    fixed = import_file(
        db_session,
        ward,
        write_csv(tmp_path / "fixed.csv", cells),
        now=soon + timedelta(minutes=1),
    )
    assert (fixed.unchanged, fixed.updated) == (2, 0)
    db_session.refresh(applicant)
    assert applicant.phone == "0911111111"
    # Erased after its retention (the purge's work), then an old export again:
    # an unchanged row does not bring the applicant back.
    db_session.delete(applicant)
    db_session.flush()
    again = soon + timedelta(hours=1)
    import_file(db_session, ward, write_csv(tmp_path / "b.csv", cells), now=again)
    assert db_session.get(DossierApplicant, returned.id) is None
    assert _applicants(db_session) == 1
    # Nor does a newer export once the retention has passed.
    cells[0][10] = "0907654321"
    cells[0][7] = "06/03/2026 09:31"
    later = applicant.purge_after + timedelta(days=1)
    import_file(db_session, ward, write_csv(tmp_path / "c.csv", cells), now=later)
    assert db_session.get(DossierApplicant, returned.id) is None


def _applicants(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(DossierApplicant)) or 0


def test_the_applied_import_is_audited_and_recognised_by_its_checksum(
    db_session: Session, ward: Unit, tmp_path: Path
) -> None:
    user = make_user(db_session, ward)
    path = write_csv(tmp_path / "a.csv", rows())
    done = import_file(db_session, ward, path, user_id=user.id)
    event = db_session.scalar(
        select(AuditEvent).where(AuditEvent.action == "dossiers_imported")
    )
    assert (event.user_id, event.object_id) == (user.id, str(done.id))
    assert event.detail["created"] == 2
    assert earlier_import(db_session, ward, checksum(path)) == done
    assert earlier_import(db_session, make_unit(db_session), checksum(path)) is None
    assert _staged(db_session) == 0


def test_an_import_is_applied_once(
    db_session: Session, ward: Unit, tmp_path: Path
) -> None:
    checked = read_file(db_session, ward, write_csv(tmp_path / "a.csv", rows()))
    apply_import(db_session, checked, skip_bad_rows=False, user_id=None)
    with pytest.raises(ImportRefused):
        apply_import(db_session, checked, skip_bad_rows=False, user_id=None)


def test_a_cancel_during_the_reading_stops_it(
    db_session: Session, ward: Unit, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "a.csv", rows())
    checked = read_file(db_session, ward, path)
    checked.status = ImportStatus.READING
    db_session.commit()
    # Another request cancels it, and commits, while the job reads.
    cancel_import(db_session, checked)
    db_session.commit()
    again = read_import(db_session, checked, path)
    assert again.status == ImportStatus.CANCELLED
    assert _staged(db_session) == 0 and dossier_count(db_session) == 0


def test_a_reading_cut_off_is_marked_failed_later(
    db_session: Session, ward: Unit, tmp_path: Path
) -> None:
    checked = read_file(db_session, ward, write_csv(tmp_path / "a.csv", rows()))
    checked.status = ImportStatus.READING
    db_session.flush()
    now = checked.progress_at + ABANDONED_AFTER - timedelta(seconds=1)
    assert end_stale_imports(db_session, now) == []
    (failed,) = end_stale_imports(db_session, now + timedelta(seconds=2))
    assert failed.status == ImportStatus.FAILED
    (reason,) = all_problems(db_session, failed)
    assert reason.line == 0 and "gián đoạn" in str(reason.message)
    assert _staged(db_session) == 0


def test_an_import_never_confirmed_is_cancelled_after_a_week(
    db_session: Session, ward: Unit, tmp_path: Path
) -> None:
    checked = read_file(db_session, ward, write_csv(tmp_path / "a.csv", rows()))
    assert _staged(db_session) == 2
    now = checked.progress_at + UNCONFIRMED_KEPT
    assert end_stale_imports(db_session, now) == []
    (cancelled,) = end_stale_imports(db_session, now + timedelta(seconds=1))
    assert cancelled.status == ImportStatus.CANCELLED
    assert _staged(db_session) == 0 and dossier_count(db_session) == 0


BROKEN = {
    "empty.csv": b"",
    "blank.csv": b"\n\n  \n",
    "binary.csv": bytes(range(256)) * 4,
    "broken.xlsx": b"PK\x03\x04" + b"\x00" * 200,
    "old.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200,
    # A legacy 8-bit encoding, as an old Excel saves "CSV (Comma delimited)".
    "legacy.csv": b"M\xe3 h\xf4 s\xf5,Ng\xe0y ti\xe9p nh\xe2n,H\xecnh th\xfac\n",
    "noheader.csv": "HS-1,1.001193,Trực tuyến,02/03/2026\n".encode(),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_an_unreadable_file_fails_with_a_reason_and_changes_nothing(
    db_session: Session, ward: Unit, tmp_path: Path, name: str
) -> None:
    from surveys.dossiers.reading import UnreadableExport, inspect_export

    path = tmp_path / name
    path.write_bytes(BROKEN[name])
    with pytest.raises(UnreadableExport) as refused:
        inspect_export(path)
    assert refused.value.message.msgid
    assert dossier_count(db_session) == 0


def test_a_file_that_breaks_halfway_fails_the_import(
    db_session: Session, ward: Unit, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "a.csv", rows() * 1)
    good = path.read_bytes()
    # Valid UTF-8 at the top, a legacy 8-bit encoding after 100,000 bytes.
    filler = b"".join(
        f"HS-{n},{BIRTH},x,Hộ tịch,Trực tuyến,02/03/2026,,,,,\n".encode()
        for n in range(3, 3000)
    )
    path.write_bytes(good + filler + b"HS-X,H\xf4 t\xecch\n")
    failed = read_file(db_session, ward, path)
    assert failed.status == ImportStatus.FAILED
    (reason,) = all_problems(db_session, failed)
    assert reason.line == 0 and "UTF-8" in str(reason.message)
    assert _staged(db_session) == 0 and dossier_count(db_session) == 0


def test_problems_come_by_page(db_session: Session, ward: Unit, tmp_path: Path) -> None:
    cells = [
        [f"HS-{n}", BIRTH, "", "", "Qua fax", "02/03/2026", "", "", "", "", ""]
        for n in range(120)
    ]
    checked = read_file(db_session, ward, write_csv(tmp_path / "a.csv", cells))
    first, total = problems_page(db_session, checked, 1)
    last, _ = problems_page(db_session, checked, 3)
    assert total == 120 and len(first) == 50 and len(last) == 20
    assert first[0].line == 2 and last[-1].line == 121


def _staged(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(DossierImportRow)) or 0


def test_problems_stay_with_their_import(
    db_session: Session, ward: Unit, tmp_path: Path
) -> None:
    cells = rows()
    cells[0][4] = "Qua fax"
    done = import_file(
        db_session, ward, write_csv(tmp_path / "a.csv", cells), skip_bad_rows=True
    )
    assert (
        db_session.scalar(
            select(func.count()).where(DossierImportProblem.import_id == done.id)
        )
        == 1
    )
