"""The audit trail page: admins only, newest first, filtered, paged, escaped."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from surveys.access.audit import AuditAction, record_event
from surveys.models import Role, Unit, UnitKind, User
from tests.app.staff_client import log_in
from tests.builders import make_unit, make_user

ROW = re.compile(r'<tr id="event-(\d+)">(.*?)</tr>', re.DOTALL)
LINK = r'<a href="([^"]+)" rel="{}">'


@dataclass
class World:
    district: Unit
    ward: Unit
    admin: User
    district_user: User
    manager: User


@pytest.fixture
def world(db_session: Session) -> World:
    district = make_unit(db_session, name="Quận Thử", kind=UnitKind.DISTRICT)
    ward = make_unit(db_session, district, name="Phường Một")
    world = World(
        district,
        ward,
        make_user(db_session, None, Role.ADMIN, username="admin"),
        make_user(db_session, district, Role.DISTRICT, username="district"),
        make_user(db_session, ward, username="manager-a"),
    )
    db_session.commit()
    return world


def admin_client(client: FlaskClient) -> FlaskClient:
    assert log_in(client, "admin").status_code == 302
    return client


def rows(page: str) -> dict[int, str]:
    """Return the table's rows by event id, in the page's order."""
    return {int(event_id): row for event_id, row in ROW.findall(page)}


def link(page: str, rel: str) -> str | None:
    found = re.search(LINK.format(rel), page)
    return html.unescape(found.group(1)) if found else None


def test_an_admin_reads_the_trail_newest_first_with_names(
    client: FlaskClient, db_session: Session, world: World
) -> None:
    login = record_event(db_session, AuditAction.LOGIN, world.manager.id)
    login.occurred_at = datetime(2026, 4, 6, 2, 0, tzinfo=UTC)
    created = record_event(
        db_session,
        AuditAction.USER_CREATED,
        world.admin.id,
        object_type="user",
        object_id=str(world.manager.id),
        detail={"username": "manager-a", "unit": None},
    )
    command = record_event(
        db_session,
        AuditAction.OFFICIALS_IMPORTED,
        None,
        detail={"rows": 3, "units": ["ward-a", "ward-b"]},
    )
    anonymous = record_event(db_session, AuditAction.LOGIN_FAILED, None)
    db_session.commit()

    page = admin_client(client).get("/staff/audit").get_data(as_text=True)

    shown = rows(page)
    ours = [anonymous.id, command.id, created.id, login.id]
    assert [i for i in shown if i in ours] == ours
    assert list(shown) == sorted(shown, reverse=True)
    # 2:00 UTC is 9:00 in Vietnam.
    assert "09:00" in shown[login.id] and "manager-a" in shown[login.id]
    assert "Đăng nhập" in shown[login.id]
    assert "Tạo người dùng" in shown[created.id] and "admin" in shown[created.id]
    assert f"Người dùng {world.manager.id}" in shown[created.id]
    assert "<dt>Đơn vị</dt><dd>—</dd>" in shown[created.id]
    assert "Lệnh quản trị" in shown[command.id]
    assert "<dt>Các đơn vị</dt><dd>ward-a, ward-b</dd>" in shown[command.id]
    assert "Đăng nhập không thành công" in shown[anonymous.id]
    assert "<td>—</td>" in shown[anonymous.id]
    for action in AuditAction:
        assert f'<option value="{action.value}">' in page


def test_the_trail_is_filtered_by_action_and_by_user(
    client: FlaskClient, db_session: Session, world: World
) -> None:
    record_event(db_session, AuditAction.LOGIN, world.manager.id)
    record_event(db_session, AuditAction.LOGOUT, world.manager.id)
    record_event(db_session, AuditAction.LOGOUT, world.district_user.id)
    db_session.commit()
    admin_client(client)

    by_action = rows(client.get("/staff/audit?action=logout").get_data(as_text=True))
    assert len(by_action) == 2
    assert all("Đăng xuất" in row for row in by_action.values())

    page = client.get(f"/staff/audit?user={world.manager.id}").get_data(as_text=True)
    assert len(rows(page)) == 2
    assert all("manager-a" in row for row in rows(page).values())
    assert f'<option selected value="{world.manager.id}">' in page

    both = f"/staff/audit?action=logout&user={world.district_user.id}"
    assert len(rows(client.get(both).get_data(as_text=True))) == 1
    assert client.get("/staff/audit?action=nonsense").status_code == 404


def test_the_pages_reach_the_oldest_event_once_each_and_come_back(
    client: FlaskClient, db_session: Session, world: World
) -> None:
    exports = []
    for number in range(120):
        event = record_event(
            db_session, AuditAction.EXPORT, world.admin.id, detail={"n": number}
        )
        exports.append(event.id)
        # Another kind of event between them, which the filter leaves out.
        record_event(db_session, AuditAction.LOGIN, world.manager.id)
    db_session.commit()
    admin_client(client)

    pages: list[list[int]] = []
    path: str | None = "/staff/audit?action=export"
    while path is not None:
        page = client.get(path).get_data(as_text=True)
        pages.append(list(rows(page)))
        path = link(page, "next")
        assert path is None or "action=export" in path
    assert [len(shown) for shown in pages] == [50, 50, 20]
    assert [i for shown in pages for i in shown] == exports[::-1]
    assert link(page, "prev") is not None

    back: list[list[int]] = [pages[-1]]
    path = link(page, "prev")
    while path is not None:
        page = client.get(path).get_data(as_text=True)
        back.append(list(rows(page)))
        path = link(page, "prev")
    assert back == pages[::-1]


@pytest.mark.parametrize("username", ["district", "manager-a"])
def test_only_an_admin_may_read_the_trail(
    client: FlaskClient, world: World, username: str
) -> None:
    assert log_in(client, username).status_code == 302
    assert client.get("/staff/audit").status_code == 403
    assert "/staff/audit" not in client.get("/staff/").get_data(as_text=True)


def test_the_admins_navigation_leads_to_the_trail(
    client: FlaskClient, world: World
) -> None:
    home = admin_client(client).get("/staff/").get_data(as_text=True)
    assert 'href="/staff/audit"' in home


def test_what_staff_typed_is_shown_escaped(
    client: FlaskClient, db_session: Session, world: World
) -> None:
    typed = "<script>alert(1)</script>"
    event = record_event(
        db_session,
        AuditAction.COUNTER_RENAMED,
        world.manager.id,
        object_type="service_point",
        object_id="sp-a1",
        detail={"new_name": typed},
    )
    db_session.commit()

    page = admin_client(client).get("/staff/audit").get_data(as_text=True)

    assert typed not in page
    assert html.escape(typed, quote=False) in rows(page)[event.id]


def test_details_are_named_and_their_enumerations_translated(
    client: FlaskClient, db_session: Session, world: World
) -> None:
    event = record_event(
        db_session,
        AuditAction.CAMPAIGN_CREATED,
        world.admin.id,
        detail={"mode": "open_link", "role": "unit_manager", "public": True},
    )
    db_session.commit()
    admin_client(client)
    shown = rows(client.get("/staff/audit").get_data(as_text=True))[event.id]
    assert "<dt>Hình thức</dt><dd>Đường dẫn công khai</dd>" in shown
    assert "<dt>Vai trò</dt><dd>Quản lý đơn vị</dd>" in shown
    assert "<dt>Công khai</dt><dd>Có</dd>" in shown
    english = rows(client.get("/staff/audit?lang=en").get_data(as_text=True))
    assert "<dt>Mode</dt><dd>Open link</dd>" in english[event.id]
