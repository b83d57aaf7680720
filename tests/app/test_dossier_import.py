"""The dossier import's staff pages through the Flask client.

The reading runs inline here (``DOSSIER_IMPORT_IN_BACKGROUND`` off): the test's
database connection cannot be shared with a thread. The browser test
(tests/e2e/test_dossier_import.py) runs it in its thread, as in production.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from surveys.dossiers.sample_export import SAMPLE_FILES
from surveys.models import (
    AuditEvent,
    Dossier,
    DossierImport,
    ImportSource,
    ImportStatus,
    Role,
    Unit,
    UnitKind,
    utcnow,
)
from tests.app.staff_client import csrf_token, log_in
from tests.builders import make_procedure, make_unit, make_user
from tests.surveys.dossiers.exports import HEADERS

BIRTH = "1.001193"


@dataclass
class World:
    district: Unit
    ward: Unit
    other: Unit


@pytest.fixture
def world(app: Flask, db_session: Session) -> World:
    app.config["DOSSIER_IMPORT_IN_BACKGROUND"] = False
    make_procedure(db_session, code=BIRTH, name="Đăng ký khai sinh", processing_days=3)
    district = make_unit(db_session, name="Quận Thử", kind=UnitKind.DISTRICT)
    ward = make_unit(db_session, district, code="ward-a", name="Phường Một")
    other = make_unit(db_session, district, code="ward-b", name="Phường Hai")
    make_user(db_session, ward, username="manager-a")
    make_user(db_session, other, username="manager-b")
    make_user(db_session, ward, Role.VIEWER, username="viewer-a")
    db_session.commit()
    return World(district, ward, other)


def export(rows: int = 2, bad: int = 0, status: str = "Đang xử lý") -> bytes:
    """An export of ``rows`` dossiers, the last ``bad`` of them with no channel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for n in range(rows):
        channel = "" if n >= rows - bad else "Trực tuyến"
        writer.writerow(
            [f"HS-{n:04}", BIRTH, "Đăng ký khai sinh", "Hộ tịch", channel,
             "02/03/2026 08:15", "", "", status, "Nguyễn Văn An", "0901234567"]
        )  # fmt: skip
    return ("\ufeff" + buffer.getvalue()).encode()


def logged_in(client: FlaskClient, username: str) -> FlaskClient:
    assert log_in(client, username).status_code == 302
    return client


def post(
    client: FlaskClient, path: str, data: dict[str, object] | None = None
) -> TestResponse:
    form = {"csrf_token": csrf_token(client, "/staff/")} | (data or {})
    return client.post(path, data=form, content_type="multipart/form-data")


def upload(
    client: FlaskClient, content: bytes, name: str = "ho-so.csv", unit: str = "ward-a"
) -> TestResponse:
    return post(
        client,
        "/staff/dossiers/import",
        {"file": (io.BytesIO(content), name), "unit": unit},
    )


def confirm_mapping(client: FlaskClient, **changes: str) -> TestResponse:
    """Post the mapping page as proposed, with ``changes`` (field: header)."""
    page = client.get("/staff/dossiers/import/mapping").get_data(as_text=True)
    chosen = {field: header for field, header in _selected(page).items()} | changes
    return post(client, "/staff/dossiers/import/mapping", chosen)


def _selected(page: str) -> dict[str, str]:
    """Read each select's chosen option from the mapping page."""
    import re

    found = {}
    for name, body in re.findall(
        r'<select id="(\w+)" name="\1">(.*?)</select>', page, re.S
    ):
        chosen = re.search(r'<option selected value="([^"]*)"', body)
        found[name] = chosen.group(1) if chosen else ""
    return found


def imports(session: Session) -> list[DossierImport]:
    return list(session.scalars(select(DossierImport).order_by(DossierImport.id)))


def count(session: Session, model: type[object]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_upload_map_check_confirm_and_see_the_result(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    logged_in(client, "manager-a")
    answer = upload(client, export())
    assert answer.location.endswith("/staff/dossiers/import/mapping")
    page = client.get(answer.location).get_data(as_text=True)
    assert "ho-so.csv" in page and "Phường Một" in page
    assert "02/03/2026 08:15" in page  # the first rows' values beside each field
    checked = confirm_mapping(client)
    (dossier_import,) = imports(db_session)
    assert checked.location.endswith(f"/staff/dossiers/imports/{dossier_import.id}")
    page = client.get(checked.location).get_data(as_text=True)
    assert "Chờ xác nhận" in page and "thêm 2 hồ sơ mới" in page
    done = post(
        client, f"/staff/dossiers/imports/{dossier_import.id}/apply", {"mode": "all"}
    )
    page = client.get(done.location).get_data(as_text=True)
    assert "Đã nhập: 2 hồ sơ mới" in page
    assert count(db_session, Dossier) == 2
    db_session.refresh(dossier_import)
    assert (
        dossier_import.status == ImportStatus.DONE
        and dossier_import.stored_file is None
    )
    event = db_session.scalar(
        select(AuditEvent).where(AuditEvent.action == "dossiers_imported")
    )
    assert event.object_id == str(dossier_import.id)


def test_the_mapping_is_remembered_for_the_next_file_of_the_same_layout(
    app: Flask, client: FlaskClient, world: World, db_session: Session
) -> None:
    logged_in(client, "manager-a")
    upload(client, export(2))
    confirm_mapping(client, applicant_phone="")  # the official leaves the phone out
    (source,) = db_session.scalars(select(ImportSource))
    assert "applicant_phone" not in source.mapping
    newer = upload(client, export(3), name="ho-so-moi.csv")
    second = imports(db_session)[-1]
    assert newer.location.endswith(f"/staff/dossiers/imports/{second.id}")
    assert second.mapping == source.mapping
    page = client.get(newer.location).get_data(as_text=True)
    assert "Cách ghép cột đã dùng" in page and "Đổi cách ghép cột" in page


def test_the_same_file_again_is_recognised(
    app: Flask, client: FlaskClient, world: World, db_session: Session
) -> None:
    logged_in(client, "manager-a")
    upload(client, export())
    confirm_mapping(client)
    first = imports(db_session)[0]
    post(client, f"/staff/dossiers/imports/{first.id}/apply", {"mode": "all"})
    again = upload(client, export())
    assert again.location.endswith(f"/staff/dossiers/imports/{first.id}")
    assert "đã được nhập vào Phường Một" in client.get(again.location).get_data(
        as_text=True
    )
    assert len(imports(db_session)) == 1
    assert _uploaded_files(app) == []


@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        (b"", "trong.csv", "Tệp trống"),
        (b"PK\x03\x04broken", "hong.xlsx", "Tệp Excel bị hỏng"),
        (bytes(range(256)), "anh.csv", "tệp nhị phân"),
        (
            "HS-1,1.001193,Trực tuyến,02/03/2026\n".encode(),
            "khong-tieu-de.csv",
            "dòng tiêu đề",
        ),
    ],
)
def test_an_unreadable_file_is_refused_and_not_kept(
    app: Flask,
    client: FlaskClient,
    world: World,
    db_session: Session,
    content: bytes,
    name: str,
    reason: str,
) -> None:
    logged_in(client, "manager-a")
    answer = upload(client, content, name=name)
    assert answer.status_code == 422
    assert reason in answer.get_data(as_text=True)
    assert imports(db_session) == [] and _uploaded_files(app) == []


def test_bad_rows_all_or_nothing_then_the_good_ones_in(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    logged_in(client, "manager-a")
    upload(client, export(5, bad=2))
    checked = confirm_mapping(client)
    page = client.get(checked.location).get_data(as_text=True)
    assert "2 dòng có lỗi" in page and "Thiếu hình thức nộp." in page
    assert 'value="skip"' in page  # the choice, offered before confirming
    (dossier_import,) = imports(db_session)
    path = f"/staff/dossiers/imports/{dossier_import.id}/apply"
    refused = post(client, path, {"mode": "all"})
    assert "2 dòng lỗi nên không nhập gì" in client.get(refused.location).get_data(
        as_text=True
    )
    assert count(db_session, Dossier) == 0
    done = post(client, path, {"mode": "skip"})
    page = client.get(done.location).get_data(as_text=True)
    assert "3 hồ sơ mới" in page and "2 dòng lỗi đã bị bỏ qua" in page
    assert count(db_session, Dossier) == 3


def test_problems_are_paged_and_downloadable(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    logged_in(client, "manager-a")
    upload(client, export(60, bad=60))
    checked = confirm_mapping(client)
    first = client.get(checked.location).get_data(as_text=True)
    assert "Trang 1 / 2" in first and "Trang sau" in first
    second = client.get(checked.location + "?page=2").get_data(as_text=True)
    assert second.count("Thiếu hình thức nộp.") == 10
    (dossier_import,) = imports(db_session)
    download = client.get(f"/staff/dossiers/imports/{dossier_import.id}/problems.csv")
    assert download.headers["Content-Disposition"].startswith("attachment")
    text = download.get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Dòng", "Cột", "Lỗi"] and len(rows) == 61
    assert rows[1] == ["2", "Hình thức nộp", "Thiếu hình thức nộp."]
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "export"))
    assert event.detail == {"document": "problems", "format": "csv"}


def test_the_status_endpoint_tells_the_progress(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    logged_in(client, "manager-a")
    upload(client, export(3))
    confirm_mapping(client)
    (dossier_import,) = imports(db_session)
    status = client.get(f"/staff/dossiers/imports/{dossier_import.id}/status.json")
    assert status.json == {
        "status": "checked",
        "percent": 100,
        "text": "Đã đọc 3 trên khoảng 3 dòng; 0 dòng có lỗi.",
    }


def test_a_reading_cut_off_shows_as_failed(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    logged_in(client, "manager-a")
    upload(client, export(3))
    confirm_mapping(client)
    (dossier_import,) = imports(db_session)
    dossier_import.status = ImportStatus.READING
    dossier_import.progress_at = utcnow().replace(year=2020)
    db_session.commit()
    status = client.get(f"/staff/dossiers/imports/{dossier_import.id}/status.json")
    assert status.json["status"] == "failed"
    page = client.get(f"/staff/dossiers/imports/{dossier_import.id}").get_data(
        as_text=True
    )
    assert "bị gián đoạn" in page


def test_cancel_and_choose_the_columns_again(
    app: Flask, client: FlaskClient, world: World, db_session: Session
) -> None:
    logged_in(client, "manager-a")
    upload(client, export(3))
    confirm_mapping(client)
    first = imports(db_session)[0]
    again = post(client, f"/staff/dossiers/imports/{first.id}/mapping")
    assert again.location.endswith("/staff/dossiers/import/mapping")
    confirm_mapping(client, applicant_name="")
    second = imports(db_session)[-1]
    db_session.refresh(first)
    assert first.status == ImportStatus.CANCELLED
    assert (
        second.status == ImportStatus.CHECKED and "applicant_name" not in second.mapping
    )
    cancelled = post(client, f"/staff/dossiers/imports/{second.id}/cancel")
    assert cancelled.location.endswith("/staff/dossiers/import")
    db_session.refresh(second)
    assert second.status == ImportStatus.CANCELLED
    assert _uploaded_files(app) == [] and count(db_session, Dossier) == 0


def test_a_ward_sees_only_its_imports_and_a_viewer_none(
    app: Flask, client: FlaskClient, world: World, db_session: Session
) -> None:
    logged_in(client, "manager-a")
    upload(client, export())
    confirm_mapping(client)
    (dossier_import,) = imports(db_session)
    other = logged_in(app.test_client(), "manager-b")
    for path in ("", "/status.json", "/problems.csv"):
        assert (
            other.get(f"/staff/dossiers/imports/{dossier_import.id}{path}").status_code
            == 404
        )
    assert (
        post(
            other, f"/staff/dossiers/imports/{dossier_import.id}/apply", {"mode": "all"}
        ).status_code
        == 404
    )
    refused = upload(other, export(), unit="ward-a")  # not a unit of theirs
    assert refused.status_code == 200 and count(db_session, DossierImport) == 1
    viewer = logged_in(app.test_client(), "viewer-a")
    assert viewer.get("/staff/dossiers/import").status_code == 403


def test_uploads_may_be_larger_than_other_forms_up_to_their_own_limit(
    app: Flask, client: FlaskClient, world: World, db_session: Session
) -> None:
    logged_in(client, "manager-a")
    content = export(40)
    app.config["MAX_CONTENT_LENGTH"] = len(content) // 2
    app.config["DOSSIER_IMPORT_MAX_BYTES"] = len(content) * 2
    assert upload(client, content).status_code == 302
    app.config["DOSSIER_IMPORT_MAX_BYTES"] = len(content) // 2
    assert upload(client, content).status_code == 413


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_sample_export_can_be_downloaded(
    client: FlaskClient, world: World, kind: str
) -> None:
    logged_in(client, "manager-a")
    page = client.get("/staff/dossiers/import").get_data(as_text=True)
    assert "Tải file mẫu" in page
    sample = client.get(f"/staff/dossiers/import/sample.{kind}")
    assert sample.status_code == 200
    assert sample.get_data() == SAMPLE_FILES[kind].read_bytes()


def _uploaded_files(app: Flask) -> list[str]:
    folder = Path(app.instance_path) / "dossier-imports"
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []
