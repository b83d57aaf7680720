"""Importing a portal's export of cases from the staff pages, as a ward manager."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from surveys.models import AuditEvent, FeedbackCase, Role, Unit, UnitKind
from tests.app.staff_client import csrf_token, log_in
from tests.app.test_dossier_import import _selected
from tests.builders import make_category, make_unit, make_user
from tests.surveys.cases.test_portal_import import HEADERS, rows


@dataclass
class World:
    ward: Unit
    other: Unit


@pytest.fixture
def world(db_session: Session) -> World:
    district = make_unit(db_session, name="Quận Thử", kind=UnitKind.DISTRICT)
    ward = make_unit(db_session, district, code="ward-a", name="Phường Bến")
    other = make_unit(db_session, district, code="ward-b", name="Phường Xa")
    make_category(
        db_session, code="moi-truong", name_vi="Môi trường", name_en="Environment"
    )
    make_user(db_session, ward, Role.UNIT_MANAGER, username="manager-a")
    db_session.commit()
    return World(ward, other)


def export(body: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(body)
    return ("\ufeff" + buffer.getvalue()).encode()


def post(client: FlaskClient, path: str, data: dict[str, object]) -> TestResponse:
    form = {"csrf_token": csrf_token(client, "/staff/")} | data
    return client.post(path, data=form, content_type="multipart/form-data")


def upload(client: FlaskClient, content: bytes) -> TestResponse:
    return post(
        client,
        "/staff/cases/import",
        {
            "file": (io.BytesIO(content), "pakn.csv"),
            "channel": "portal_1022",
            "unit": "ward-a",
            "fallback": "",
        },
    )


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(FeedbackCase)) or 0


def test_upload_map_check_apply_then_the_same_file_is_read_without_asking(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    assert log_in(client, "manager-a").status_code == 302
    answer = upload(client, export(rows("Phường Bến")))
    assert answer.location.endswith("/staff/cases/import/mapping")
    page = client.get(answer.location).get_data(as_text=True)
    assert "Rác tập kết sai nơi quy định." in page  # the first rows' values
    mapped = post(client, "/staff/cases/import/mapping", _selected(page))
    assert mapped.location.endswith("/staff/cases/import/check")
    page = client.get(mapped.location).get_data(as_text=True)
    assert "3 dòng hợp lệ, 0 dòng có lỗi" in page
    assert count(db_session) == 0
    done = post(client, "/staff/cases/import/check", {"mode": "all"})
    page = client.get(done.location).get_data(as_text=True)
    assert "Đã nhập: 3 phản ánh mới" in page
    assert count(db_session) == 3
    event = db_session.scalar(
        select(AuditEvent).where(AuditEvent.action == "cases_imported")
    )
    assert event.detail["created"] == 3

    again = upload(client, export(rows("Phường Bến")))
    assert again.location.endswith("/staff/cases/import/check")
    post(client, "/staff/cases/import/check", {"mode": "all"})
    assert count(db_session) == 3


def test_rows_of_another_ward_are_refused_until_the_good_ones_are_chosen(
    client: FlaskClient, world: World, db_session: Session
) -> None:
    """The ward's manager cannot import into the ward next door."""
    assert log_in(client, "manager-a").status_code == 302
    body = [*rows("Phường Bến"), [4, "1022-004", "05/03/2026", "Môi trường",
                                 "Phường Xa", "Nội dung.", "", "", ""]]  # fmt: skip
    answer = upload(client, export(body))
    page = client.get(answer.location).get_data(as_text=True)
    post(client, "/staff/cases/import/mapping", _selected(page))
    page = client.get("/staff/cases/import/check").get_data(as_text=True)
    assert "không thuộc phạm vi của bạn" in page
    refused = post(client, "/staff/cases/import/check", {"mode": "all"})
    assert refused.status_code == 422 and count(db_session) == 0
    done = post(client, "/staff/cases/import/check", {"mode": "skip"})
    assert done.status_code == 302
    assert count(db_session) == 3
    units = set(db_session.scalars(select(FeedbackCase.unit_id)))
    assert units == {world.ward.id}
