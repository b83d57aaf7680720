"""The dashboard and the report downloads, through the staff side as each role."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis import summary_from_tallies
from analysis.results import MIN_INTERVAL, MIN_PUBLISH
from app.reports.data import ESTIMATES
from surveys.models import (
    AuditEvent,
    Campaign,
    Role,
    ServicePoint,
    Unit,
    UnitKind,
    User,
)
from surveys.storage.frames import tally_frame
from surveys.storage.periods import quarters_in
from surveys.storage.recording import Submission, record_response
from tests.app.pdf_reading import read_pages
from tests.app.staff_client import log_in
from tests.builders import (
    make_code,
    make_counter_campaign,
    make_unit,
    make_user,
    unique,
)

SPRING = datetime(2026, 4, 6, 2, 0, tzinfo=UTC)
SUMMER = datetime(2026, 7, 6, 2, 0, tzinfo=UTC)
#: Vietnamese writes decimals with a comma (Babel's vi locale).
MARK = ","
OFFICIAL = "Nguyễn Văn An"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOWNLOADS = [
    (scope, kind, mimetype)
    for scope in ("unit", "district")
    for kind, mimetype in (
        ("pdf", "application/pdf"),
        ("xlsx", XLSX),
        ("csv", "text/csv"),
    )
]


@dataclass(frozen=True)
class Wards:
    """A district-wide campaign answered in ward A (52 times) and ward B (8)."""

    campaign: Campaign
    district: Unit
    ward_a: Unit
    ward_b: Unit


@pytest.fixture
def wards(db_session: Session) -> Wards:
    rng = np.random.default_rng(11)
    campaign, point = make_counter_campaign(db_session)
    ward_a = campaign.unit
    district = make_unit(db_session, name="Quận Thử", kind=UnitKind.DISTRICT)
    ward_a.parent = district
    ward_b = make_unit(db_session, parent=district, name="Phường Bên Kia")
    # Attached to the district, as a district-wide campaign is.
    campaign.unit = district
    at_a = make_code(
        db_session, campaign, kind="standing", unit=ward_a, service_point=point
    )
    at_b = make_code(db_session, campaign, kind="standing", unit=ward_b)
    officials = sorted(official.code for official in point.officials)
    for number in range(52):
        answers = {"overall": str(rng.integers(1, 6))}
        if number % 2:
            answers["official"] = officials[number % 4 // 2]
            answers["official_rating"] = str(rng.integers(2, 6))
        when = (SPRING if number < 40 else SUMMER) + timedelta(hours=number)
        submission = Submission(at_a.token, unique("s"), answers)
        record_response(db_session, submission, when)
    for number in range(8):
        submission = Submission(at_b.token, unique("s"), {"overall": "4"})
        record_response(db_session, submission, SPRING + timedelta(days=number))
    db_session.commit()
    return Wards(campaign, district, ward_a, ward_b)


def client_as(app: Flask, db_session: Session, unit: Unit, role: Role) -> FlaskClient:
    """Log a new user of ``role`` at ``unit`` in."""
    user = make_user(db_session, unit, role)
    db_session.commit()
    client = app.test_client()
    assert log_in(client, user.username).status_code == 302
    return client


def shown(value: float, column: str = "mean") -> str:
    """Format a number as the dashboard's tables and the reports do, in Vietnamese:
    a percentage with one decimal and its sign, other estimates with two."""
    if column.startswith("pct_"):
        return f"{value:.1f}".replace(".", MARK) + "%"
    return f"{value:.2f}".replace(".", MARK)


@pytest.mark.parametrize("role", [Role.DISTRICT, Role.UNIT_MANAGER, Role.VIEWER])
@pytest.mark.parametrize(("period", "responses"), [("2026-Q2", 40), ("2026", 52)])
def test_the_dashboard_shows_the_wards_own_numbers_of_the_district_campaign(
    app: Flask,
    db_session: Session,
    wards: Wards,
    role: Role,
    period: str,
    responses: int,
) -> None:
    home = wards.district if role is Role.DISTRICT else wards.ward_a
    client = client_as(app, db_session, home, role)
    page = client.get(
        f"/staff/units/{wards.ward_a.code}/dashboard",
        query_string={"campaign": wards.campaign.key, "period": period},
    )
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    # Ward B's 8 answers to the same campaign are not counted.
    assert f'id="count-responses">{responses}<' in body
    tallies = tally_frame(
        db_session,
        wards.campaign.id,
        periods=quarters_in(period),
        unit_ids=[wards.ward_a.id],
    )
    overall = summary_from_tallies(tallies).set_index("item").loc["overall"]
    assert overall["n"] == responses
    cells = [f"<td>{overall['n']}</td>"] + [
        f"<td>{shown(overall[column], column)}</td>"
        for column in ("mean", "mean_low", "mean_high", "pct_satisfied")
    ]
    for cell in cells:
        assert cell in body
    assert (OFFICIAL in body) is (role is not Role.VIEWER)


def test_the_period_defaults_to_the_current_year(
    app: Flask, db_session: Session, wards: Wards
) -> None:
    client = client_as(app, db_session, wards.ward_a, Role.UNIT_MANAGER)
    body = client.get("/staff/dashboard").get_data(as_text=True)
    year = str(datetime.now(UTC).year)
    assert f'<option selected value="{year}">' in body


def test_the_district_dashboard_ranks_its_wards(
    app: Flask, db_session: Session, wards: Wards
) -> None:
    client = client_as(app, db_session, wards.district, Role.DISTRICT)
    body = client.get("/staff/dashboard", query_string={"period": "2026"}).get_data(
        as_text=True
    )
    assert 'id="league"' in body
    assert wards.ward_a.name in body and wards.ward_b.name in body
    assert 'id="count-responses">60<' in body
    # Eight 4s are shown above 52 mixed ratings (mean 3.2), each in its own group.
    assert '<th scope="col">So với các đơn vị khác</th>' in body
    assert f"<td>a</td><td>Cao hơn: {wards.ward_a.name}</td>" in body
    assert f"<td>b</td><td>Thấp hơn: {wards.ward_b.name}</td>" in body
    assert "chung ít nhất một chữ cái ở cột nhóm" in body
    assert "/staff/reports/units/" + wards.district.code + "/district.pdf" in body


def test_a_counter_under_five_responses_is_withheld_in_every_format(
    app: Flask, db_session: Session
) -> None:
    campaign, point = make_counter_campaign(db_session)
    few = ServicePoint(code=unique("sp"), name="Quầy Ít Phiếu", unit=campaign.unit)
    db_session.add(few)
    for where, answers in ((point, 12), (few, 3)):
        code = make_code(db_session, campaign, kind="standing", service_point=where)
        for number in range(answers):
            submission = Submission(code.token, unique("s"), {"overall": "4"})
            record_response(db_session, submission, SPRING + timedelta(hours=number))
    db_session.commit()
    client = client_as(app, db_session, campaign.unit, Role.UNIT_MANAGER)
    query = {"campaign": campaign.key, "period": "2026"}
    body = client.get("/staff/dashboard", query_string=query).get_data(as_text=True)
    # 15 responses in all: every estimate is indicative, and says so.
    assert f"Lưu ý: có kết quả dựa trên dưới {MIN_PUBLISH} phiếu" in body
    # 12 answers: the mean is shown, with no interval (too few answers for one).
    (staffed_row,) = re.findall(
        rf'<th scope="row">{re.escape(point.name)}</th>(.*?)</tr>', body, re.S
    )
    cells = re.findall(r"<td>(.*?)</td>", staffed_row)
    assert cells[:2] == ["12", "4,00"] and cells[2:4] == ["—", "—"]
    # A percentage as every report writes it (Babel's vi locale).
    assert cells[4] == "100,0%"
    (row,) = re.findall(r'<th scope="row">Quầy Ít Phiếu</th>(.*?)</tr>', body, re.S)
    assert re.findall(r"<td>(.*?)</td>", row) == ["3"] + ["—"] * 6
    base = f"/staff/reports/units/{campaign.unit.code}/unit"
    pdf = client.get(f"{base}.pdf", query_string=query).get_data()
    strings = [text for page in read_pages(pdf) for text in page.strings]
    # Withheld cells are blank in print: n, then straight to the (wrapped) note.
    after = strings[strings.index("Quầy Ít Phiếu") + 1 :]
    assert after[0] == "3" and after[1].startswith("Dưới 5")
    # The dashboard's cells, as the PDF prints them.
    assert {"12", "4,00", "100,0%"} <= set(strings)
    # The warning's last line (fuller lines are justified, word by word).
    assert "dưới 5 phiếu không được công bố." in " ".join(strings)
    book = load_workbook(
        io.BytesIO(client.get(f"{base}.xlsx", query_string=query).data)
    )
    (cells,) = [
        r for r in book["Quầy"].iter_rows(values_only=True) if r[0] == "Quầy Ít Phiếu"
    ]
    assert cells[1] == 3 and set(cells[2:8]) == {None}
    assert cells[8] == "Dưới 5 phiếu: không công bố"
    (staffed,) = [r for r in book["Quầy"].iter_rows(values_only=True) if r[1] == 12]
    assert staffed[2] == 4.0 and staffed[3] is None and staffed[4] is None
    assert staffed[8] == (
        f"Dưới {MIN_INTERVAL} phiếu: quá ít câu trả lời để tính khoảng tin cậy"
    )


def test_the_district_dashboard_summarises_all_its_wards_together(
    app: Flask, db_session: Session, wards: Wards
) -> None:
    client = client_as(app, db_session, wards.district, Role.DISTRICT)
    body = client.get("/staff/dashboard", query_string={"period": "2026"}).get_data(
        as_text=True
    )
    by_unit = tally_frame(
        db_session,
        wards.campaign.id,
        periods=quarters_in("2026"),
        unit_ids=[wards.ward_a.id, wards.ward_b.id],
    )
    whole = summary_from_tallies(by_unit, by=None).set_index("item")
    # The item and the dimension scored by the counter questionnaire.
    for item in ("overall", "visit"):
        row = whole.loc[item]
        assert row["n"] == 60
        cells = [f"<td>{row['n']}</td>"] + [
            f"<td>{shown(row[column], column)}</td>" for column in ESTIMATES
        ]
        for cell in cells:
            assert cell in body
    assert "Điểm theo tiêu chí" in body
    assert "Mức hài lòng theo lĩnh vực" in body


def test_a_ward_managers_dashboard_never_shows_another_ward(
    app: Flask, db_session: Session, wards: Wards
) -> None:
    client = client_as(app, db_session, wards.ward_a, Role.UNIT_MANAGER)
    district = f"/staff/units/{wards.district.code}/dashboard"
    assert client.get(district).status_code == 404
    body = client.get(
        "/staff/dashboard",
        query_string={"campaign": wards.campaign.key, "period": "2026"},
    ).get_data(as_text=True)
    assert wards.ward_b.name not in body
    assert 'id="league"' not in body
    assert "<td>60</td>" not in body and "<td>8</td>" not in body


@pytest.mark.parametrize(
    "path",
    [
        "/staff/units/{b}/dashboard",
        "/staff/reports/units/{b}/unit.pdf",
        "/staff/reports/units/{b}/district.csv",
        "/staff/units/{a}/dashboard?campaign=nope",
        "/staff/units/{a}/dashboard?period=1999",
        "/staff/reports/units/{a}/unit.xlsx?period=2026-Q9",
    ],
)
def test_other_wards_and_made_up_choices_are_not_found(
    app: Flask, db_session: Session, wards: Wards, path: str
) -> None:
    client = client_as(app, db_session, wards.ward_a, Role.UNIT_MANAGER)
    url = path.format(a=wards.ward_a.code, b=wards.ward_b.code)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(("scope", "kind", "mimetype"), DOWNLOADS)
def test_each_download_has_its_type_is_recorded_and_is_reproducible(
    app: Flask,
    db_session: Session,
    wards: Wards,
    scope: str,
    kind: str,
    mimetype: str,
) -> None:
    client = client_as(app, db_session, wards.district, Role.DISTRICT)
    unit = wards.ward_a if scope == "unit" else wards.district
    url = f"/staff/reports/units/{unit.code}/{scope}.{kind}"
    query = {"campaign": wards.campaign.key, "period": "2026"}
    first = client.get(url, query_string=query)
    assert first.status_code == 200 and first.mimetype == mimetype
    content = first.get_data()
    disposition = first.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    assert f"-{unit.code}-2026.{kind}" in disposition
    assert "filename*=UTF-8''" in disposition
    again = client.get(url, query_string=query).get_data()
    assert again == content
    events = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "export")
    ).all()
    assert len(events) == 2
    user = db_session.get(User, events[0].user_id)
    assert user is not None and user.role == Role.DISTRICT
    assert events[0].object_id == unit.code
    assert events[0].detail == {
        "report": scope,
        "format": kind,
        "campaign": wards.campaign.key,
        "period": "2026",
        **(
            {"values": "codes", "language": "vi", "multiple": "cell"}
            if kind == "csv"
            else {}
        ),
    }
    if kind == "csv":
        assert content.startswith("\ufeff".encode())
        rows = content.decode("utf-8-sig").splitlines()
        assert len(rows) == 1 + (52 if scope == "unit" else 60)
    if kind == "xlsx":
        assert load_workbook(io.BytesIO(content)).sheetnames[0] == "Tổng hợp"
    if kind == "pdf":
        assert content.startswith(b"%PDF")


@pytest.mark.parametrize("role", [Role.UNIT_MANAGER, Role.VIEWER])
def test_downloads_show_officials_only_to_those_who_may_see_them(
    app: Flask, db_session: Session, wards: Wards, role: Role
) -> None:
    client = client_as(app, db_session, wards.ward_a, role)
    base = f"/staff/reports/units/{wards.ward_a.code}/unit"
    query = {"campaign": wards.campaign.key, "period": "2026"}
    workbook = load_workbook(
        io.BytesIO(client.get(f"{base}.xlsx", query_string=query).get_data())
    )
    cells = {
        str(cell.value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    }
    pdf = read_pages(client.get(f"{base}.pdf", query_string=query).get_data())
    header = client.get(f"{base}.csv", query_string=query).get_data().split(b"\r\n")[0]
    allowed = role is not Role.VIEWER
    assert any(OFFICIAL in cell for cell in cells) is allowed
    assert any(OFFICIAL in page.text for page in pdf) is allowed
    assert (b"official_rating" in header) is allowed


def test_the_csv_comes_with_options_as_codes_or_as_labels_of_the_page(
    app: Flask, db_session: Session, wards: Wards
) -> None:
    """The dashboard's form asks for either; labels follow the language asked."""
    client = client_as(app, db_session, wards.ward_a, Role.UNIT_MANAGER)
    query = {"campaign": wards.campaign.key, "period": "2026"}
    page = client.get(
        f"/staff/units/{wards.ward_a.code}/dashboard", query_string=query
    ).get_data(as_text=True)
    base = f"/staff/reports/units/{wards.ward_a.code}/unit.csv"
    assert re.search(rf'id="export-options" action="{re.escape(base)}"', page)
    assert '<option value="labels">' in page

    def overall(**asked: str) -> set[str]:
        answer = client.get(base, query_string=query | asked)
        assert answer.status_code == 200
        content = answer.get_data().decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(content)))
        assert len(rows) == 52
        return {row["overall"] for row in rows}

    assert overall() <= {"1", "2", "3", "4", "5"}
    assert overall(values="labels") == {
        "Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng",
        "Rất hài lòng",
    }  # fmt: skip
    assert "Very satisfied" in overall(values="labels", lang="en")
    assert client.get(base, query_string=query | {"values": "names"}).status_code == 404
    answer = client.get(base, query_string=query | {"values": "labels"})
    answer.get_data()  # read to the end: the stream's session closes
    assert "-labels.csv" in answer.headers["Content-Disposition"]
    event = db_session.scalars(
        select(AuditEvent).order_by(AuditEvent.id.desc())
    ).first()
    assert event is not None and event.detail["values"] == "labels"
