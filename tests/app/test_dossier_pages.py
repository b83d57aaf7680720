"""A unit's dossier page and the dashboard's dossier box, as each role sees them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.auth import CLOCK
from surveys.dossiers.deadlines import PAGE_SIZE
from surveys.dossiers.timing import local_instant
from surveys.models import (
    DossierChannel,
    DossierStatus,
    Official,
    Role,
    Unit,
    UnitKind,
)
from tests.app.staff_client import log_in
from tests.builders import make_dossier, make_procedure, make_unit, make_user

#: Thursday 12/03/2026 10:00 in Vietnam: the app's clock in these tests.
NOW = local_instant(date(2026, 3, 12), 10 * 60)


def vn(day: date, hour: int = 9) -> datetime:
    return local_instant(day, hour * 60)


@dataclass(frozen=True)
class District:
    district: Unit
    ward: Unit
    other: Unit
    official: Official


@pytest.fixture
def district(app: Flask, db_session: Session) -> District:
    """Ward: four returned in January (three in time), one in February late;
    two open dossiers overdue, one due Friday, one due the Tuesday after.
    Other ward: one overdue. The app's clock reads ``NOW``."""
    app.extensions[CLOCK] = lambda: NOW
    district = make_unit(db_session, name="Quận Thử", kind=UnitKind.DISTRICT)
    ward = make_unit(db_session, parent=district, name="Phường Một")
    other = make_unit(db_session, parent=district, name="Phường Hai")
    official = Official(code="CB07", name="Phạm Thị Dung", unit=ward)
    db_session.add(official)
    procedure = make_procedure(db_session, name="Chứng thực bản sao")
    online = {"channel": DossierChannel.ONLINE, "official": official}
    for back in (date(2026, 1, 6), date(2026, 1, 7), date(2026, 1, 8)):
        make_dossier(
            db_session, ward, vn(date(2026, 1, 5)), procedure,
            due=vn(date(2026, 1, 8), 17), returned_at=vn(back, 10),
            status=DossierStatus.RETURNED, **online,
        )  # fmt: skip
    make_dossier(
        db_session, ward, vn(date(2026, 1, 5)), procedure,
        due=vn(date(2026, 1, 8), 17), returned_at=vn(date(2026, 1, 13), 10),
        status=DossierStatus.RETURNED, official=official,
    )  # fmt: skip
    make_dossier(
        db_session, ward, vn(date(2026, 2, 2)), procedure,
        due=vn(date(2026, 2, 5), 17), returned_at=vn(date(2026, 2, 10), 10),
        status=DossierStatus.RETURNED,
    )  # fmt: skip
    for code, due in (
        ("HS-TRE-1", date(2026, 3, 4)),
        ("HS-TRE-2", date(2026, 3, 10)),
        ("HS-SAP-1", date(2026, 3, 13)),
        ("HS-SAP-2", date(2026, 3, 17)),
        ("HS-XA-1", date(2026, 3, 20)),
    ):
        make_dossier(
            db_session,
            ward,
            vn(date(2026, 3, 2)),
            procedure,
            due=vn(due, 17),
            code=code,
        )
    make_dossier(
        db_session, other, vn(date(2026, 3, 2)), procedure,
        due=vn(date(2026, 3, 9), 17), code="HS-KHAC-1",
    )  # fmt: skip
    return District(district, ward, other, official)


def logged_in(
    client: FlaskClient, session: Session, unit: Unit, role: str = Role.UNIT_MANAGER
) -> FlaskClient:
    log_in(client, make_user(session, unit, role=role).username)
    return client


def table(page: str, table_id: str) -> list[list[str]]:
    """Read a table's body rows as cell texts."""
    body = re.search(rf'<table id="{table_id}">.*?<tbody>(.*?)</tbody>', page, re.S)
    assert body, f"no table {table_id}"
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(
            r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S
        )]
        for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    ]  # fmt: skip


def test_a_viewer_reads_the_figures_by_quarter(
    client: FlaskClient, db_session: Session, district: District
) -> None:
    logged_in(client, db_session, district.ward, Role.VIEWER)
    answer = client.get(f"/staff/units/{district.ward.code}/dossiers")
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    # 2026, by quarter, by unit: five returned in Q1, three by their due date.
    assert table(page, "timeliness") == [
        ["Phường Một", "2026-Q1", "5", "2", "1", "3", "60,0%", "2", "40,0%", "3,00"]
    ]
    # The chart of the on-time rate, and its numbers.
    assert 'aria-label="Tỷ lệ hồ sơ trả đúng hạn theo kỳ"' in page
    # The officials' breakdown is not offered to a viewer.
    assert 'value="official"' not in page
    assert (
        client.get(
            f"/staff/units/{district.ward.code}/dossiers?breakdown=official"
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "grain=month&breakdown=unit",
            [
                [
                    "Phường Một",
                    "2026-01",
                    "4",
                    "2",
                    "1",
                    "3",
                    "75,0%",
                    "1",
                    "25,0%",
                    "3,00",
                ],
                [
                    "Phường Một",
                    "2026-02",
                    "1",
                    "0",
                    "0",
                    "0",
                    "0,0%",
                    "1",
                    "100,0%",
                    "3,00",
                ],
            ],
        ),
        (
            "grain=year&breakdown=official",
            [
                [
                    "Không ghi nhận",
                    "2026",
                    "1",
                    "0",
                    "0",
                    "0",
                    "0,0%",
                    "1",
                    "100,0%",
                    "3,00",
                ],
                [
                    "Phạm Thị Dung (CB07)",
                    "2026",
                    "4",
                    "2",
                    "1",
                    "3",
                    "75,0%",
                    "1",
                    "25,0%",
                    "3,00",
                ],
            ],
        ),
        (
            "grain=quarter&breakdown=procedure&year=",
            [
                [
                    "Chứng thực bản sao",
                    "2026-Q1",
                    "5",
                    "2",
                    "1",
                    "3",
                    "60,0%",
                    "2",
                    "40,0%",
                    "3,00",
                ],
            ],
        ),
    ],
)
def test_a_manager_chooses_the_breakdown_and_the_grain(
    client: FlaskClient,
    db_session: Session,
    district: District,
    query: str,
    expected: list[list[str]],
) -> None:
    logged_in(client, db_session, district.ward)
    page = client.get(f"/staff/units/{district.ward.code}/dossiers?{query}")
    rows = table(page.get_data(as_text=True), "timeliness")
    assert sorted(rows) == sorted(expected)


def test_the_deadlines_lists_and_the_working_days_ahead(
    client: FlaskClient, db_session: Session, district: District
) -> None:
    logged_in(client, db_session, district.district)
    page = client.get(f"/staff/units/{district.district.code}/dossiers").get_data(
        as_text=True
    )
    overdue = [row[0] for row in table(page, "overdue")]
    assert overdue == ["HS-TRE-1", "HS-KHAC-1", "HS-TRE-2"]
    # Due within 2 working days of Thursday: Friday and Monday, not Tuesday.
    assert [row[0] for row in table(page, "due-soon")] == ["HS-SAP-1"]
    assert table(page, "deadlines-by-unit") == [
        ["Phường Hai", "1", "0"],
        ["Phường Một", "2", "1"],
    ]
    wider = client.get(f"/staff/units/{district.district.code}/dossiers?days=3")
    soon = table(wider.get_data(as_text=True), "due-soon")
    assert [row[0] for row in soon] == ["HS-SAP-1", "HS-SAP-2"]
    assert soon[1][-1] == "3"  # three working days left: Fri, Mon, Tue


def test_a_long_list_has_pages_that_keep_the_choices(
    client: FlaskClient, db_session: Session, district: District
) -> None:
    procedure = make_procedure(db_session)
    for number in range(PAGE_SIZE):
        make_dossier(
            db_session, district.other, vn(date(2026, 3, 2)), procedure,
            due=vn(date(2026, 3, 3), 17), code=f"HS-CU-{number:02d}",
        )  # fmt: skip
    logged_in(client, db_session, district.district)
    path = f"/staff/units/{district.district.code}/dossiers?grain=month"
    first = client.get(path).get_data(as_text=True)
    assert len(table(first, "overdue")) == PAGE_SIZE
    link = re.search(r'href="([^"]*overdue_page=2[^"]*)" rel="next"', first)
    assert link and "grain=month" in link.group(1)
    second = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert [row[0] for row in table(second, "overdue")] == [
        "HS-TRE-1", "HS-KHAC-1", "HS-TRE-2",
    ]  # fmt: skip


def test_the_quarters_indicators_with_their_fractions(
    client: FlaskClient, db_session: Session, district: District
) -> None:
    logged_in(client, db_session, district.ward)
    page = client.get(
        f"/staff/units/{district.ward.code}/dossiers?quarter=2026-Q1"
    ).get_data(as_text=True)
    rows = {row[1]: row for row in table(page, "indicators")}
    # quarter, group, fraction, numerator, denominator, rate, CI, CI, target...
    assert rows["Tiến độ giải quyết"][3:6] == ["3", "5", "60,0%"]
    assert rows["Tiến độ giải quyết"][8:10] == ["100,0%", "Chưa đạt"]
    assert rows["Dịch vụ công trực tuyến"][3:6] == ["3", "10", "30,0%"]
    assert rows["Công khai, minh bạch"][9] == "không đo được từ dữ liệu hồ sơ"
    assert rows["Mức độ hài lòng"][9] == "Chưa có dữ liệu"
    points = table(page, "points")
    assert points[0][1] == "Phường Một" and points[0][5] == "2"


def test_another_units_page_is_not_found(
    client: FlaskClient, db_session: Session, district: District
) -> None:
    logged_in(client, db_session, district.other)
    assert client.get(f"/staff/units/{district.ward.code}/dossiers").status_code == 404
    assert client.get("/staff/units/no-such-unit/dossiers").status_code == 404
    own = client.get(f"/staff/units/{district.other.code}/dossiers?quarter=1999-Q1")
    assert own.status_code == 404


def test_the_dashboard_sums_up_each_units_deadlines(
    client: FlaskClient, db_session: Session, district: District
) -> None:
    logged_in(client, db_session, district.district)
    page = client.get(f"/staff/units/{district.district.code}/dashboard")
    text = page.get_data(as_text=True)
    assert table(text, "dossier-deadlines") == [
        ["Phường Hai", "1", "0"],
        ["Phường Một", "2", "1"],
        ["Tổng cộng", "3", "1"],
    ]
    assert f'href="/staff/units/{district.ward.code}/dossiers"' in text
    progress = next(
        row
        for row in table(text, "dossier-indicators")
        if row[0] == "Tiến độ giải quyết"
    )
    assert progress[1:4] == ["3", "5", "60,0%"]


def test_the_dashboard_of_a_unit_without_dossiers_has_no_box(
    client: FlaskClient, db_session: Session
) -> None:
    ward = make_unit(db_session)
    logged_in(client, db_session, ward)
    text = client.get(f"/staff/units/{ward.code}/dashboard").get_data(as_text=True)
    assert 'id="dossier-deadlines"' not in text
