"""Management pages through the Flask client: roles, scope, CSRF, PRG, imports."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from app.staff.problems import CATEGORIES, SUMMARIES, category_of
from surveys.models import (
    AccessCode,
    AuditEvent,
    Campaign,
    Official,
    Questionnaire,
    Role,
    ServicePoint,
    Unit,
    UnitKind,
    User,
)
from surveys.questionnaire import load_definition
from surveys.questionnaire.versions import (
    DEFINITIONS,
    shipped_template,
    store_questionnaire,
)
from surveys.questionnaire.xlsform_writer import write_xlsform
from tests.app.staff_client import csrf_token, log_in
from tests.builders import (
    FIELD_VISIT,
    household,
    make_campaign,
    make_unit,
    make_user,
)

HEADER = "code,name,title,unit_code,counters\n"


@dataclass
class World:
    district: Unit
    ward: Unit
    other: Unit
    point: ServicePoint
    official: Official
    manager: User
    viewer: User
    district_user: User
    admin: User


@pytest.fixture
def world(db_session: Session) -> World:
    district = make_unit(db_session, name="Quận Thử", kind=UnitKind.DISTRICT)
    ward = make_unit(db_session, district, code="ward-a", name="Phường Một")
    other = make_unit(db_session, district, code="ward-b", name="Phường Hai")
    point = ServicePoint(code="sp-a1", name="Quầy Hộ tịch", unit=ward)
    official = Official(code="cb-a1", name="Nguyễn Văn An", unit=ward)
    db_session.add_all([point, official])
    db_session.add(ServicePoint(code="sp-b1", name="Quầy Đất đai", unit=other))
    world = World(
        district,
        ward,
        other,
        point,
        official,
        make_user(db_session, ward, username="manager-a"),
        make_user(db_session, ward, Role.VIEWER, username="viewer-a"),
        make_user(db_session, district, Role.DISTRICT, username="district"),
        make_user(db_session, None, Role.ADMIN, username="admin"),
    )
    db_session.commit()
    return world


def logged_in(client: FlaskClient, username: str) -> FlaskClient:
    assert log_in(client, username).status_code == 302
    return client


def post(
    client: FlaskClient, path: str, data: dict[str, object] | None = None
) -> TestResponse:
    """Post a form with the CSRF token of the staff home page, as a browser would."""
    form = {"csrf_token": csrf_token(client, "/staff/")} | (data or {})
    return client.post(path, data=form, content_type="multipart/form-data")


def upload(
    client: FlaskClient, path: str, content: bytes, name: str = "officials.csv"
) -> TestResponse:
    return post(client, path, {"file": (io.BytesIO(content), name)})


def audit(session: Session, action: str) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action)
    return list(session.scalars(query.order_by(AuditEvent.id)))


def count(session: Session, model: type[object]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


# Roles, scope, CSRF --------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/staff/units/ward-a/counters",
        "/staff/units/ward-a/officials",
        "/staff/units/ward-a/codes",
        "/staff/officials/import",
    ],
)
def test_a_viewer_may_not_manage(client: FlaskClient, world: World, path: str) -> None:
    logged_in(client, "viewer-a")
    assert client.get(path).status_code == 403


@pytest.mark.parametrize(
    "path", ["/staff/questionnaires", "/staff/campaigns", "/staff/users"]
)
def test_a_unit_manager_may_not_administer(
    app: Flask, client: FlaskClient, world: World, path: str
) -> None:
    logged_in(client, "manager-a")
    assert client.get(path).status_code == 403
    assert logged_in(app.test_client(), "district").get(path).status_code == 200


def test_another_wards_counters_are_not_found(
    client: FlaskClient, world: World
) -> None:
    logged_in(client, "manager-a")
    assert client.get("/staff/units/ward-b/counters").status_code == 404
    assert post(client, "/staff/counters/sp-b1/deactivate").status_code == 404


def test_a_change_without_its_csrf_token_is_refused(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    logged_in(client, "manager-a")
    answer = client.post("/staff/counters/sp-a1/deactivate")
    assert answer.status_code == 400
    db_session.expire_all()
    assert db_session.get(ServicePoint, world.point.id).active


# Counters and officials ------------------------------------------------------


def test_counters_are_added_renamed_staffed_and_deactivated(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    logged_in(client, "manager-a")
    page = client.get("/staff/units/ward-a/counters").get_data(as_text=True)
    assert "Quầy Hộ tịch" in page
    added = post(
        client, "/staff/units/ward-a/counters", {"code": "sp-a2", "name": "Quầy Mới"}
    )
    assert (added.status_code, added.location) == (302, "/staff/units/ward-a/counters")
    assert "Đã thêm quầy" in client.get(added.location).get_data(as_text=True)
    taken = post(client, "/staff/units/ward-a/counters", {"code": "sp-b1", "name": "X"})
    assert "Mã này đã được dùng." in taken.get_data(as_text=True)
    assert (
        post(client, "/staff/counters/sp-a2/rename", {"name": "Quầy Đổi"}).status_code
        == 302
    )
    assign = post(client, "/staff/counters/sp-a2/officials", {"officials": ["cb-a1"]})
    assert assign.status_code == 302
    assert post(client, "/staff/counters/sp-a2/deactivate").status_code == 302
    db_session.expire_all()
    point = db_session.scalar(select(ServicePoint).where(ServicePoint.code == "sp-a2"))
    assert (point.name, point.active) == ("Quầy Đổi", False)
    assert [o.code for o in point.officials] == ["cb-a1"]


def test_an_official_of_another_ward_cannot_be_assigned(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    db_session.add(Official(code="cb-b1", name="Trần Thị Bình", unit=world.other))
    db_session.commit()
    logged_in(client, "manager-a")
    post(client, "/staff/counters/sp-a1/officials", {"officials": ["cb-b1"]})
    db_session.expire_all()
    assert db_session.get(ServicePoint, world.point.id).officials == []


def test_officials_are_added_and_deactivated(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    logged_in(client, "manager-a")
    added = post(
        client,
        "/staff/units/ward-a/officials",
        {"code": "cb-a2", "name": "Lê Văn Cường", "title": "Chuyên viên"},
    )
    assert added.status_code == 302
    assert (
        post(client, "/staff/units/ward-a/officials/cb-a1/deactivate").status_code
        == 302
    )
    db_session.expire_all()
    assert db_session.scalar(select(Official).where(Official.code == "cb-a2"))
    assert not db_session.get(Official, world.official.id).active


# Officials CSV import --------------------------------------------------------


def test_a_good_file_creates_and_updates_officials_and_their_counters(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    content = (
        "\ufeff" + HEADER + "cb-a1,Nguyễn Văn An,Phó chủ tịch,ward-a,\n"
        "cb-a9,Phạm Thị Dung,Công chức tư pháp,ward-a,sp-a1\n"
        "cb-b9,Võ Minh Em,,ward-b,sp-b1\n"
    ).encode()
    logged_in(client, "district")
    answer = upload(client, "/staff/officials/import", content)
    assert (answer.status_code, answer.location) == (
        302,
        "/staff/officials/import/done",
    )
    summary = client.get(answer.location).get_data(as_text=True)
    assert "Đã đọc 3 dòng: tạo mới 2 cán bộ, cập nhật 1 cán bộ." in summary
    db_session.expire_all()
    new = db_session.scalar(select(Official).where(Official.code == "cb-a9"))
    assert (new.name, [p.code for p in new.service_points]) == (
        "Phạm Thị Dung",
        ["sp-a1"],
    )
    assert db_session.get(Official, world.official.id).title == "Phó chủ tịch"
    (event,) = audit(db_session, "officials_imported")
    assert event.detail == {
        "rows": 3,
        "created": 2,
        "updated": 1,
        "units": ["ward-a", "ward-b"],
    }


def test_a_file_with_three_bad_rows_lists_them_all_and_changes_nothing(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    content = (
        HEADER + "cb-a1,Tên Mới,,ward-a,\n"
        ",Không Mã,,ward-a,\n"
        "cb-x2,Ngoài Phạm Vi,,ward-b,\n"
        "cb-x3,Sai Quầy,,ward-a,sp-b1\n"
    ).encode()
    logged_in(client, "manager-a")
    answer = upload(client, "/staff/officials/import", content)
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "không dữ liệu nào được thay đổi" in page
    for line, text in [
        (3, "Thiếu mã cán bộ."),
        (4, "Không có đơn vị mã “ward-b” trong phạm vi của bạn."),
        (5, "không có quầy đang hoạt động mã “sp-b1”"),
    ]:
        assert f"<td>{line}</td>" in page
        assert text in page
    db_session.expire_all()
    assert db_session.get(Official, world.official.id).name == "Nguyễn Văn An"
    assert count(db_session, Official) == 1


@pytest.mark.parametrize("encoding", ["cp1258", "cp1252"])
def test_a_windows_encoded_file_is_refused_clearly(
    client: FlaskClient, world: World, db_session: Session, encoding: str
) -> None:
    name = "Văn Đông" if encoding == "cp1258" else "Thérèse Müller"
    content = (HEADER + f"cb-a5,{name},,ward-a,\n").encode(encoding)
    logged_in(client, "manager-a")
    answer = upload(client, "/staff/officials/import", content)
    assert answer.status_code == 422
    assert "Tệp không được mã hóa UTF-8" in answer.get_data(as_text=True)
    assert count(db_session, Official) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Tệp trống"),
        (b"PK\x03\x04\x00\x00binary", "tệp nhị phân"),
        (b"name,title\nAn,\n", "Thiếu cột: code, unit_code"),
    ],
)
def test_an_unreadable_file_is_refused_clearly(
    client: FlaskClient, world: World, content: bytes, message: str
) -> None:
    logged_in(client, "manager-a")
    answer = upload(client, "/staff/officials/import", content)
    page = answer.get_data(as_text=True)
    assert message in page or "Vui lòng điền" in page


def test_a_fifty_megabyte_upload_gets_the_vietnamese_413_page(
    client: FlaskClient, world: World
) -> None:
    logged_in(client, "manager-a")
    token = csrf_token(client, "/staff/").encode()
    # A body built by hand: the test client would spool it to a temporary file
    # that nobody closes once the request is refused unread.
    body = b"".join(
        [
            b'--B\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n',
            token,
            b'\r\n--B\r\nContent-Disposition: form-data; name="file";'
            b' filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n',
            b"x" * (50 * 1024 * 1024),
            b"\r\n--B--\r\n",
        ]
    )
    answer = client.post(
        "/staff/officials/import",
        data=body,
        content_type="multipart/form-data; boundary=B",
    )
    assert answer.status_code == 413
    assert "Dữ liệu gửi lên quá lớn" in answer.get_data(as_text=True)


def test_three_thousand_rows_import_in_one_upload(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    # How fast is measured, not asserted: a wall-clock bound fails on a busy machine.
    rows = "".join(
        f"cb-{i:05},Cán bộ số {i},Chuyên viên,ward-a,sp-a1\n" for i in range(3000)
    )
    logged_in(client, "manager-a")
    answer = upload(client, "/staff/officials/import", (HEADER + rows).encode())
    assert answer.status_code == 302
    assert count(db_session, Official) == 3001


def test_the_import_page_shows_a_progress_bar_for_scripts(
    client: FlaskClient, world: World
) -> None:
    logged_in(client, "manager-a")
    page = client.get("/staff/officials/import").get_data(as_text=True)
    assert "<progress" in page
    assert 'enctype="multipart/form-data"' in page


# Access codes ----------------------------------------------------------------


def test_codes_are_issued_downloaded_and_revoked_with_audit_events(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    campaign = make_campaign(db_session, unit=world.district, key="dot-1")
    db_session.commit()
    logged_in(client, "manager-a")
    issued = post(
        client,
        "/staff/units/ward-a/codes",
        {"campaign": "dot-1", "count": "3", "service_point": "sp-a1"},
    )
    assert issued.status_code == 302
    page = client.get(issued.location).get_data(as_text=True)
    assert "Đã phát 3 mã dùng một lần." in page
    pdf = client.get(issued.location.replace("/codes?", "/codes/receipts.pdf?"))
    assert (pdf.status_code, pdf.mimetype) == (200, "application/pdf")
    listing = client.get(issued.location.replace("/codes?", "/codes/codes.csv?"))
    lines = listing.get_data().decode("utf-8-sig").splitlines()
    assert len(lines) == 4
    codes = list(db_session.scalars(select(AccessCode).order_by(AccessCode.id)))
    assert len(codes) == 3 and all(c.campaign_id == campaign.id for c in codes)
    (event,) = audit(db_session, "codes_issued")
    assert event.user_id == world.manager.id and event.detail["count"] == 3
    batch = {"campaign": "dot-1", "first": str(codes[0].id), "last": str(codes[-1].id)}
    exports = audit(db_session, "export")
    assert [(e.object_type, e.object_id, e.user_id) for e in exports] == [
        ("unit", "ward-a", world.manager.id)
    ] * 2
    assert [e.detail for e in exports] == [
        {"document": "receipts", "format": "pdf", **batch},
        {"document": "codes", "format": "csv", **batch},
    ]

    typed = lines[1].split(",")[1].lower()
    assert (
        post(client, "/staff/units/ward-a/codes/revoke", {"token": typed}).status_code
        == 302
    )
    db_session.expire_all()
    assert db_session.get(AccessCode, codes[0].id).revoked_at is not None
    assert len(audit(db_session, "code_revoked")) == 1


def test_a_code_of_another_ward_cannot_be_revoked(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    campaign = make_campaign(db_session, unit=world.other)
    code = AccessCode(
        token="ABCDE23456", campaign=campaign, unit=world.other, kind="single_use"
    )
    db_session.add(code)
    db_session.commit()
    logged_in(client, "manager-a")
    post(client, "/staff/units/ward-a/codes/revoke", {"token": "ABCDE-23456"})
    db_session.expire_all()
    assert db_session.get(AccessCode, code.id).revoked_at is None


def test_a_counter_poster_is_printed_with_its_standing_code(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    make_campaign(db_session, unit=world.ward, key="quay", starts_on=date(2020, 1, 1))
    db_session.commit()
    logged_in(client, "manager-a")
    answer = post(client, "/staff/counters/sp-a1/poster", {"campaign": "quay"})
    assert (answer.status_code, answer.mimetype) == (200, "application/pdf")
    assert count(db_session, AccessCode) == 1
    (event,) = audit(db_session, "export")
    assert (event.object_type, event.object_id) == ("service_point", "sp-a1")
    assert event.user_id == world.manager.id
    assert event.detail == {"document": "poster", "campaign": "quay", "format": "pdf"}


# Questionnaires --------------------------------------------------------------


def test_a_good_questionnaire_is_stored_once(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    content = (DEFINITIONS / "counter.yaml").read_bytes()
    logged_in(client, "district")
    first = upload(client, "/staff/questionnaires", content, "counter.yaml")
    assert (first.status_code, first.location) == (302, "/staff/questionnaires/counter")
    again = upload(client, "/staff/questionnaires", content, "counter.yaml")
    assert "không tạo phiên bản mới" in client.get(again.location).get_data(
        as_text=True
    )
    assert count(db_session, Questionnaire) == 1


def test_a_bad_questionnaire_lists_its_problems_and_stores_nothing(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    content = b"key: bad\ntitle: {vi: X}\nquestions:\n  - name: q1\n    type: nope\n"
    logged_in(client, "admin")
    answer = upload(client, "/staff/questionnaires", content, "bad.yaml")
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "không có gì được lưu" in page
    assert "q1" in page or "type" in page
    assert count(db_session, Questionnaire) == 0


BROKEN_YAML = b"""key: bad
title: {vi: X}
questions:
  - name: q1
    type: nope
    label: {vi: Q}
  - name: q2
    type: integer
    label: {vi: Q2}
    relevant: "frobnicate(${q1})"
  - name: q3
    type: text
    label: {vi: Q3}
    colour: red
"""


def test_a_bad_questionnaire_says_each_problem_in_vietnamese(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    logged_in(client, "admin")
    answer = upload(client, "/staff/questionnaires", BROKEN_YAML, "bad.yaml")
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    for category in ("choice", "function", "misplaced"):
        assert str(SUMMARIES[category]) in page
    # Where, which field, and the engine's English as the detail.
    assert "<code>questions[0] (q1)</code> · Trường: <code>type</code>" in page
    assert "unknown function frobnicate()" in page
    assert "<code>questions[2] (q3)</code> · Trường: <code>colour</code>" in page
    assert count(db_session, Questionnaire) == 0


def test_a_bad_workbook_says_each_problem_with_its_sheet_and_row(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label::Tiếng Việt (vi)"])
    survey.append(["geoshape", "where", "Ở đâu?"])
    survey.append(["integer", "age", ""])
    settings = book.create_sheet("settings")
    settings.append(["form_id", "form_title"])
    settings.append(["broken", "Hỏng"])
    content = io.BytesIO()
    book.save(content)
    logged_in(client, "admin")
    answer = upload(client, "/staff/questionnaires", content.getvalue(), "form.xlsx")
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert str(SUMMARIES["unsupported"]) in page
    assert "shapes on a map (geoshape) are not supported" in page
    assert (
        "dòng 2 của trang tính <code>survey</code> · Trường: <code>type</code>" in page
    )
    assert count(db_session, Questionnaire) == 0


def test_an_xlsform_comes_with_its_csv_files(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    template = shipped_template("open_rating")
    workbook = io.BytesIO()
    write_xlsform(template, workbook)
    counters = template.files["counters.csv"].csv_bytes()
    logged_in(client, "admin")
    missing = upload(client, "/staff/questionnaires", workbook.getvalue(), "f.xlsx")
    assert missing.status_code == 422
    page = missing.get_data(as_text=True)
    assert escape(str(SUMMARIES["data_file"])) in page
    assert "counters.csv" in page
    answer = post(
        client,
        "/staff/questionnaires",
        {
            "file": (io.BytesIO(workbook.getvalue()), "f.xlsx"),
            "data_files": [(io.BytesIO(counters), "counters.csv")],
        },
    )
    assert answer.location == "/staff/questionnaires/open_rating"
    [stored] = db_session.scalars(select(Questionnaire)).all()
    assert stored.checksum == template.checksum


def test_xlsform_features_we_do_not_run_are_named_in_vietnamese(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label", "relevant"])
    survey.append(["begin loop over yn", "loop", "L"])
    survey.append(["end loop"])
    survey.append(["rank yn", "order", "O"])
    survey.append(["select_one_from_file officials.csv or_other", "pick", "P"])
    survey.append(["text", "why", "W", "/data/pick = 'y'"])
    survey.append(["audit", "audit"])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label"])
    choices.append(["yn", "y", "Yes"])
    content = io.BytesIO()
    book.save(content)
    logged_in(client, "admin")
    answer = upload(client, "/staff/questionnaires", content.getvalue(), "form.xlsx")
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    for category in ("loop", "rank", "or_other", "xpath", "background"):
        assert escape(str(SUMMARIES[category])) in page, category
    where = "dòng 6 của trang tính <code>survey</code>"
    assert f"{where} · Trường: <code>relevant</code>" in page
    assert count(db_session, Questionnaire) == 0


def test_device_identifiers_are_dropped_and_the_importer_is_told(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label"])
    survey.append(["start", "start"])
    survey.append(["deviceid", "deviceid"])
    survey.append(["phonenumber", "phone"])
    survey.append(["text", "comment", "Góp ý"])
    content = io.BytesIO()
    book.save(content)
    logged_in(client, "admin")
    answer = upload(client, "/staff/questionnaires", content.getvalue(), "form.xlsx")
    assert answer.status_code == 302
    page = client.get(answer.location).get_data(as_text=True)
    assert "Đã bỏ 2 dòng ghi thông tin của thiết bị hoặc người dùng" in page
    assert "trang tính “survey”, dòng 3; trang tính “survey”, dòng 4" in page
    stored = db_session.scalar(select(Questionnaire))
    names = [q["name"] for q in stored.definition["questions"]]
    assert names == ["start", "comment"]


def test_every_problem_category_has_its_sentence() -> None:
    names = [name for name, _ in CATEGORIES] + ["other"]
    assert set(names) == set(SUMMARIES)
    assert category_of("unknown function f()") == "function"
    assert category_of("something new") == "other"


def test_a_broken_workbook_is_refused_clearly(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    logged_in(client, "admin")
    answer = upload(client, "/staff/questionnaires", b"PK\x03\x04broken", "form.xlsx")
    assert answer.status_code == 422
    assert "not a readable .xlsx file" in answer.get_data(as_text=True)
    assert count(db_session, Questionnaire) == 0


def test_the_preview_shows_the_questions_as_a_citizen_sees_them(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    store_questionnaire(db_session, shipped_template("counter"))
    db_session.commit()
    logged_in(client, "district")
    history = client.get("/staff/questionnaires/counter").get_data(as_text=True)
    assert "/staff/questionnaires/counter/1/preview" in history
    page = client.get("/staff/questionnaires/counter/1/preview").get_data(as_text=True)
    assert "Ông/Bà có hài lòng với lần giải quyết thủ tục hôm nay không?" in page
    assert 'name="overall"' in page
    assert client.get("/staff/questionnaires/counter/9/preview").status_code == 404


def test_the_preview_shows_a_rosters_first_row(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    store_questionnaire(db_session, household(counted=False))
    db_session.commit()
    logged_in(client, "district")
    url = "/staff/questionnaires/household_free/1/preview?page=2"
    page = client.get(url).get_data(as_text=True)
    assert 'name="member_name[1]"' in page and "Thêm một dòng" in page


# Campaigns -------------------------------------------------------------------


def test_a_campaign_must_end_on_or_after_its_start(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    store_questionnaire(db_session, shipped_template("counter"))
    db_session.commit()
    logged_in(client, "district")
    form = {
        "key": "dot-2026",
        "name": "Đợt 2026",
        "questionnaire": "counter",
        "unit": "ward-a",
        "mode": "counter",
        "starts_on": "2026-06-01",
        "ends_on": "2026-05-01",
        "min_interval_seconds": "60",
    }
    refused = post(client, "/staff/campaigns", form)
    assert refused.status_code == 200
    assert "Ngày kết thúc phải sau" in refused.get_data(as_text=True)
    assert count(db_session, Campaign) == 0
    created = post(client, "/staff/campaigns", form | {"ends_on": "2026-12-31"})
    assert (created.status_code, created.location) == (302, "/staff/campaigns")
    campaign = db_session.scalar(select(Campaign))
    assert (campaign.unit_id, campaign.min_interval_seconds) == (world.ward.id, 60)


def test_a_campaign_cannot_cover_a_unit_out_of_scope(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    store_questionnaire(db_session, shipped_template("counter"))
    outside = make_unit(db_session, code="elsewhere", kind=UnitKind.DISTRICT)
    db_session.commit()
    logged_in(client, "district")
    answer = post(
        client,
        "/staff/campaigns",
        {
            "key": "k",
            "name": "n",
            "questionnaire": "counter",
            "unit": outside.code,
            "mode": "counter",
            "starts_on": "2026-01-01",
        },
    )
    assert answer.status_code == 200
    assert count(db_session, Campaign) == 0


@pytest.mark.parametrize("mode", ["counter", "dossier", "open_link"])
def test_a_questionnaire_asking_for_a_location_is_refused_for_anonymous_ratings(
    client: FlaskClient, world: World, db_session: Session, mode: str
) -> None:
    # Citizens rating a counter, a dossier or by a public link are anonymous:
    # no location there.
    store_questionnaire(db_session, load_definition(FIELD_VISIT))
    db_session.commit()
    logged_in(client, "district")
    form = {
        "key": "thuc-dia",
        "name": "Thực địa",
        "questionnaire": "field_visit",
        "unit": "ward-a",
        "mode": mode,
        "starts_on": "2026-06-01",
    }
    refused = post(client, "/staff/campaigns", form)
    assert refused.status_code == 200
    page = refused.get_data(as_text=True)
    assert str(escape("hỏi vị trí (geopoint: place)")) in page
    assert str(escape("phải được ẩn danh")) in page
    assert count(db_session, Campaign) == 0
    created = post(client, "/staff/campaigns", form | {"mode": "interviewer"})
    assert (created.status_code, created.location) == (302, "/staff/campaigns")
    assert count(db_session, Campaign) == 1


# Users -----------------------------------------------------------------------


def test_a_district_user_creates_users_but_never_an_admin(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    logged_in(client, "district")
    form = {
        "username": "newbie",
        "password": "a long enough passphrase",
        "role": "unit_manager",
        "unit": "ward-a",
    }
    assert post(client, "/staff/users", form).status_code == 302
    refused = post(client, "/staff/users", form | {"username": "boss", "role": "admin"})
    assert refused.status_code == 200
    db_session.expire_all()
    names = set(db_session.scalars(select(User.username)))
    assert "newbie" in names and "boss" not in names
    assert len(audit(db_session, "user_created")) == 1


def test_deactivating_a_user_ends_their_session(
    app: Flask, client: FlaskClient, world: World, db_session: Session
) -> None:
    victim = logged_in(app.test_client(), "manager-a")
    assert victim.get("/staff/").status_code == 200
    logged_in(client, "district")
    assert post(client, "/staff/users/manager-a/deactivate").status_code == 302
    assert victim.get("/staff/").status_code == 302
    assert len(audit(db_session, "user_deactivated")) == 1


def test_a_password_reset_ends_the_sessions_and_is_audited(
    app: Flask, client: FlaskClient, world: World, db_session: Session
) -> None:
    victim = logged_in(app.test_client(), "manager-a")
    logged_in(client, "admin")
    answer = post(
        client,
        "/staff/users/manager-a/password",
        {"password": "another fine passphrase"},
    )
    assert answer.status_code == 302
    assert victim.get("/staff/").status_code == 302
    assert (
        log_in(app.test_client(), "manager-a", "another fine passphrase").status_code
        == 302
    )
    assert len(audit(db_session, "password_reset")) == 1


def test_a_district_user_cannot_touch_an_admin_or_a_user_out_of_scope(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    make_user(db_session, make_unit(db_session), username="stranger")
    db_session.commit()
    logged_in(client, "district")
    assert post(client, "/staff/users/admin/deactivate").status_code == 404
    assert post(client, "/staff/users/stranger/deactivate").status_code == 404


# Units -----------------------------------------------------------------------


def test_a_district_user_adds_a_unit_under_one_in_scope(
    app: Flask, client: FlaskClient, world: World, db_session: Session
) -> None:
    logged_in(client, "district")
    form = {"code": "ward-c", "name": "Phường Ba", "kind": "ward"}
    answer = post(client, f"/staff/units/{world.district.code}/children", form)
    assert answer.status_code == 302
    unit = db_session.scalar(select(Unit).where(Unit.code == "ward-c"))
    assert unit.parent_id == world.district.id
    manager = logged_in(app.test_client(), "manager-a")
    assert post(manager, "/staff/units/ward-a/children", form).status_code == 403


def test_codes_that_would_break_a_url_are_refused_in_forms_and_files(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    logged_in(client, "district")
    typed = post(
        client,
        "/staff/units/ward-a/officials",
        {"code": "cb/a3", "name": "Lê Văn Cường", "title": ""},
    )
    assert "chữ không dấu, chữ số" in typed.get_data(as_text=True)
    imported = upload(
        client,
        "/staff/officials/import",
        (HEADER + 'cb"a4,Trần Văn Dũng,,ward-a,\n').encode(),
    )
    assert imported.status_code == 422
    assert "chữ không dấu, chữ số" in imported.get_data(as_text=True)
    assert count(db_session, Official) == 1


# Audit trail -----------------------------------------------------------------


def only_event(session: Session, action: str) -> AuditEvent:
    """Return the one event of ``action``: each change leaves exactly one."""
    session.expire_all()
    (event,) = audit(session, action)
    return event


def test_every_change_to_a_counter_is_audited_with_who_and_what(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    logged_in(client, "manager-a")
    post(client, "/staff/units/ward-a/counters", {"code": "sp-a2", "name": "Quầy Mới"})
    post(client, "/staff/counters/sp-a2/rename", {"name": "Quầy Đổi"})
    post(client, "/staff/counters/sp-a2/officials", {"officials": ["cb-a1"]})
    post(client, "/staff/counters/sp-a2/deactivate")
    changes = {
        "counter_created": {"unit": "ward-a", "name": "Quầy Mới"},
        "counter_renamed": {
            "unit": "ward-a",
            "old_name": "Quầy Mới",
            "new_name": "Quầy Đổi",
        },
        "counter_officials_set": {"unit": "ward-a", "before": [], "after": ["cb-a1"]},
        "counter_deactivated": {"unit": "ward-a"},
    }
    for action, detail in changes.items():
        event = only_event(db_session, action)
        assert (event.user_id, event.object_type, event.object_id, event.detail) == (
            world.manager.id,
            "service_point",
            "sp-a2",
            detail,
        )


def test_officials_added_and_deactivated_are_audited(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    db_session.add(world.point)
    world.point.officials = [world.official]
    db_session.commit()
    logged_in(client, "manager-a")
    post(
        client,
        "/staff/units/ward-a/officials",
        {"code": "cb-a2", "name": "Lê Văn Cường", "title": "Chuyên viên"},
    )
    post(client, "/staff/units/ward-a/officials/cb-a1/deactivate")
    created = only_event(db_session, "official_created")
    assert (created.user_id, created.object_id, created.detail) == (
        world.manager.id,
        "cb-a2",
        {"unit": "ward-a", "name": "Lê Văn Cường", "title": "Chuyên viên"},
    )
    gone = only_event(db_session, "official_deactivated")
    assert (gone.object_type, gone.object_id, gone.detail) == (
        "official",
        "cb-a1",
        {"unit": "ward-a", "counters_left": ["sp-a1"]},
    )


def test_units_campaigns_questionnaires_and_users_created_are_audited(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    logged_in(client, "district")
    content = (DEFINITIONS / "counter.yaml").read_bytes()
    upload(client, "/staff/questionnaires", content, "counter.yaml")
    upload(client, "/staff/questionnaires", content, "counter.yaml")  # no new version
    post(
        client,
        f"/staff/units/{world.district.code}/children",
        {"code": "ward-c", "name": "Phường Ba", "kind": "ward"},
    )
    post(
        client,
        "/staff/campaigns",
        {
            "key": "dot-2026",
            "name": "Đợt 2026",
            "questionnaire": "counter",
            "unit": "ward-a",
            "mode": "counter",
            "starts_on": "2026-06-01",
            "ends_on": "",
            "min_interval_seconds": "60",
        },
    )
    post(
        client,
        "/staff/users",
        {
            "username": "newbie",
            "password": "a long enough passphrase",
            "role": "viewer",
            "unit": "ward-a",
        },
    )
    questionnaire = only_event(db_session, "questionnaire_imported")
    assert (questionnaire.object_id, questionnaire.detail["version"]) == ("counter", 1)
    unit = only_event(db_session, "unit_created")
    assert (unit.object_id, unit.detail) == (
        "ward-c",
        {"parent": world.district.code, "name": "Phường Ba", "kind": "ward"},
    )
    campaign = only_event(db_session, "campaign_created")
    assert (campaign.object_id, campaign.detail) == (
        "dot-2026",
        {
            "name": "Đợt 2026",
            "questionnaire": "counter v1",
            "unit": "ward-a",
            "mode": "counter",
            "starts_on": "2026-06-01",
            "ends_on": None,
            "min_interval_seconds": 60,
        },
    )
    user = only_event(db_session, "user_created")
    assert user.detail == {"username": "newbie", "role": "viewer", "unit": "ward-a"}
    events = [questionnaire, unit, campaign, user]
    assert {event.user_id for event in events} == {world.district_user.id}


# Official codes, unique within a unit ------------------------------------------


def officials_coded(session: Session, code: str) -> list[tuple[str, str, str]]:
    """Return the unit code, name and title of each official with ``code``."""
    session.expire_all()
    query = (
        select(Unit.code, Official.name, Official.title)
        .join(Official.unit)
        .where(Official.code == code)
        .order_by(Unit.code)
    )
    return [tuple(row) for row in session.execute(query)]


def test_two_wards_add_and_import_officials_with_the_same_code(
    app: Flask, client: FlaskClient, world: World, db_session: Session
) -> None:
    make_user(db_session, world.other, username="manager-b")
    db_session.commit()
    logged_in(client, "manager-a")
    form = {"code": "cb-01", "name": "Lê Văn Cường", "title": ""}
    assert post(client, "/staff/units/ward-a/officials", form).status_code == 302
    other = logged_in(app.test_client(), "manager-b")
    form = {"code": "cb-01", "name": "Trần Thị Bình", "title": ""}
    assert post(other, "/staff/units/ward-b/officials", form).status_code == 302
    content = HEADER + "cb-02,Phạm Thị Dung,,ward-a,\n"
    assert (
        upload(client, "/staff/officials/import", content.encode()).status_code == 302
    )
    content = HEADER + "cb-02,Võ Minh Em,,ward-b,sp-b1\n"
    assert upload(other, "/staff/officials/import", content.encode()).status_code == 302
    assert officials_coded(db_session, "cb-01") == [
        ("ward-a", "Lê Văn Cường", ""),
        ("ward-b", "Trần Thị Bình", ""),
    ]
    assert officials_coded(db_session, "cb-02") == [
        ("ward-a", "Phạm Thị Dung", ""),
        ("ward-b", "Võ Minh Em", ""),
    ]


def test_what_other_wards_hold_changes_no_answer_to_a_ward_manager(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    """The same file gets the same refusal, and the same code is taken, whatever
    codes ward B uses; then the code ward B uses is simply accepted."""
    bad = (HEADER + "cb-b1,Lê Văn Cường,,ward-a,\n" + ",Không Mã,,ward-a,\n").encode()
    logged_in(client, "manager-a")

    def refusal() -> str:
        answer = upload(client, "/staff/officials/import", bad)
        assert answer.status_code == 422
        page = answer.get_data(as_text=True)
        return page[page.index("<table") : page.index("</table>")]

    before = refusal()
    db_session.add(Official(code="cb-b1", name="Trần Thị Bình", unit=world.other))
    db_session.commit()
    assert refusal() == before
    good = (HEADER + "cb-b1,Lê Văn Cường,,ward-a,sp-a1\n").encode()
    assert upload(client, "/staff/officials/import", good).status_code == 302
    form = {"code": "cb-b2", "name": "Đỗ Văn Phúc", "title": ""}
    db_session.add(Official(code="cb-b2", name="Hồ Thị Giang", unit=world.other))
    db_session.commit()
    assert post(client, "/staff/units/ward-a/officials", form).status_code == 302
    assert officials_coded(db_session, "cb-b1") == [
        ("ward-a", "Lê Văn Cường", ""),
        ("ward-b", "Trần Thị Bình", ""),
    ]
    assert [name for _, name, _ in officials_coded(db_session, "cb-b2")] == [
        "Đỗ Văn Phúc",
        "Hồ Thị Giang",
    ]


def test_a_code_used_twice_in_one_ward_is_refused_clearly(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    logged_in(client, "district")
    form = {"code": "cb-a1", "name": "Lê Văn Cường", "title": ""}
    taken = post(client, "/staff/units/ward-a/officials", form)
    assert taken.status_code == 200
    assert "Đơn vị đã có cán bộ mang mã này." in taken.get_data(as_text=True)
    twice = HEADER + "cb-x,Phạm Thị Dung,,ward-a,\n" + "cb-x,Võ Minh Em,,ward-a,\n"
    answer = upload(client, "/staff/officials/import", twice.encode())
    assert answer.status_code == 422
    assert "Mã “cb-x” đã có ở dòng 2." in answer.get_data(as_text=True)
    assert count(db_session, Official) == 1
    # In two wards the code is two officials; to another ward an official
    # "moves" as a new one, and the first stays where it was.
    both = HEADER + "cb-x,Phạm Thị Dung,,ward-a,\n" + "cb-x,Võ Minh Em,,ward-b,\n"
    moved = "cb-a1,Nguyễn Văn An,Chuyên viên,ward-b,\n"
    answer = upload(client, "/staff/officials/import", (both + moved).encode())
    assert answer.status_code == 302
    assert [unit for unit, *_ in officials_coded(db_session, "cb-x")] == [
        "ward-a",
        "ward-b",
    ]
    assert officials_coded(db_session, "cb-a1") == [
        ("ward-a", "Nguyễn Văn An", ""),
        ("ward-b", "Nguyễn Văn An", "Chuyên viên"),
    ]


def test_a_district_user_sees_and_deactivates_each_of_two_namesakes(
    app: Flask, client: FlaskClient, world: World, db_session: Session
) -> None:
    namesake = Official(code="cb-a1", name="Trần Thị Bình", unit=world.other)
    db_session.add(namesake)
    db_session.commit()
    logged_in(client, "district")
    page_a = client.get("/staff/units/ward-a/officials").get_data(as_text=True)
    page_b = client.get("/staff/units/ward-b/officials").get_data(as_text=True)
    assert "Nguyễn Văn An" in page_a and "Trần Thị Bình" not in page_a
    assert "Trần Thị Bình" in page_b and "Nguyễn Văn An" not in page_b
    assert "/staff/units/ward-b/officials/cb-a1/deactivate" in page_b
    manager = logged_in(app.test_client(), "manager-a")
    wrong = post(manager, "/staff/units/ward-b/officials/cb-a1/deactivate")
    assert wrong.status_code == 404

    def active() -> dict[str, bool]:
        db_session.expire_all()
        return {
            o.name: o.active
            for o in db_session.scalars(
                select(Official).where(Official.code == "cb-a1")
            )
        }

    assert active() == {"Nguyễn Văn An": True, "Trần Thị Bình": True}
    gone = post(client, "/staff/units/ward-b/officials/cb-a1/deactivate")
    assert (gone.status_code, gone.location) == (302, "/staff/units/ward-b/officials")
    assert active() == {"Nguyễn Văn An": True, "Trần Thị Bình": False}
    assert (
        post(client, "/staff/units/ward-a/officials/cb-a1/deactivate").status_code
        == 302
    )
    assert active() == {"Nguyễn Văn An": False, "Trần Thị Bình": False}


def test_a_poster_is_not_printed_for_an_address_only_the_server_opens(
    app: Flask, client: FlaskClient, world: World, db_session: Session
) -> None:
    make_campaign(db_session, unit=world.ward, key="quay", starts_on=date(2020, 1, 1))
    db_session.commit()
    public = "https://hailong.quan1.gov.vn"
    app.config["SERVER_NAME"] = "hailong.quan1.gov.vn"  # how staff reach it
    logged_in(client, "manager-a")
    refused = post(client, "/staff/counters/sp-a1/poster", {"campaign": "quay"})
    assert refused.status_code == 302
    page = client.get(refused.location).get_data(as_text=True)
    assert str(escape("địa chỉ chỉ máy chủ mở được")) in page
    assert "HAILONG_PUBLIC_BASE_URL" in page
    assert count(db_session, AccessCode) == 0
    assert not audit(db_session, "export")
    app.config["PUBLIC_BASE_URL"] = public
    printed = post(client, "/staff/counters/sp-a1/poster", {"campaign": "quay"})
    assert (printed.status_code, printed.mimetype) == (200, "application/pdf")
    assert "HAILONG_PUBLIC_BASE_URL" not in client.get("/staff/").get_data(as_text=True)


def test_the_staff_pages_say_where_codes_lead_when_it_is_another_address(
    app: Flask, client: FlaskClient, world: World
) -> None:
    app.config["PUBLIC_BASE_URL"] = "https://hailong.quan1.gov.vn"
    logged_in(client, "manager-a")  # on localhost: an internal address
    page = client.get("/staff/").get_data(as_text=True)
    assert "Mã QR in ra dẫn tới https://hailong.quan1.gov.vn" in page
    app.config["PUBLIC_BASE_URL"] = "http://127.0.0.1:5000"  # loopback both: the demo
    assert "Mã QR in ra" not in client.get("/staff/").get_data(as_text=True)
