"""Where a unit stands among its peers, and the district's quarters, in every format."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from app.reports.data import district_report, unit_report
from app.reports.pdf import district_report_pdf, unit_report_pdf
from app.reports.standing_layout import STANDING_NOTE
from app.reports.xlsx import district_report_xlsx, unit_report_xlsx
from surveys.models import Campaign, Role, Unit, UnitKind
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

#: Noon in Vietnam, in the first and second quarters of 2026.
WINTER = datetime(2026, 2, 10, 5, 0, tzinfo=UTC)
SPRING = datetime(2026, 5, 11, 5, 0, tzinfo=UTC)
#: Each ward's ratings in the first and the second quarter.
RATINGS = {
    "Phường Một": ("5" * 12 + "4" * 8, "5" * 20),
    "Phường Hai": ("4" * 10 + "3" * 10, "4" * 10 + "2" * 10),
    "Phường Ba": ("2" * 20, "1" * 10 + "2" * 10),
    "Phường Bốn": ("3", "33"),
}


@dataclass(frozen=True)
class Peers:
    campaign: Campaign
    district: Unit
    wards: dict[str, Unit]


@pytest.fixture
def peers(db_session: Session) -> Peers:
    """Four wards of a district answer a district-wide campaign in two quarters."""
    campaign, _ = make_counter_campaign(db_session)
    district = make_unit(db_session, name="Quận Thử", kind=UnitKind.DISTRICT)
    campaign.unit.parent = district
    campaign.unit = district
    wards = {}
    for name, quarters in RATINGS.items():
        ward = make_unit(db_session, parent=district, name=name)
        code = make_code(db_session, campaign, kind="standing", unit=ward)
        for start, ratings in zip((WINTER, SPRING), quarters, strict=True):
            for hour, rating in enumerate(ratings):
                submission = Submission(code.token, unique("s"), {"overall": rating})
                record_response(db_session, submission, start + timedelta(hours=hour))
        wards[name] = ward
    db_session.commit()
    return Peers(campaign, district, wards)


@pytest.fixture(autouse=True)
def _app_context(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield


@pytest.mark.parametrize(
    "period", [None, "2026", "2026-Q1", "2026-Q2", "2026-02-01..2026-05-10"]
)
def test_a_ward_stands_where_the_districts_league_puts_it(
    db_session: Session, peers: Peers, period: str | None
) -> None:
    league = district_report(
        db_session, peers.district, peers.campaign, period
    ).league.set_index("label")
    for name, ward in peers.wards.items():
        standing = unit_report(db_session, ward, peers.campaign, period).standing
        assert standing is not None
        row = league.loc[name]
        assert standing.peers == 4 and standing.ranked == league["rank"].notna().sum()
        assert standing.n == row["n"]
        if pd_missing(row["rank"]):
            assert standing.rank is None and standing.mean is None
            continue
        assert (standing.rank, standing.rank_low, standing.rank_high) == tuple(
            row[["rank", "rank_low", "rank_high"]]
        )
        assert standing.mean == pytest.approx(row["mean"])
        assert standing.above == len(row["better_than"])
        assert standing.below == len(row["worse_than"])
        mine = [place for own, *place in standing.league if own]
        assert mine == [[standing.rank, standing.rank_low, standing.rank_high]]
        assert len(standing.league) == standing.ranked


def pd_missing(value: object) -> bool:
    return value != value  # NaN


def test_a_ward_is_ranked_among_its_siblings_and_says_so(
    db_session: Session, peers: Peers
) -> None:
    """The district's own counter enters its league, not a ward's standing."""
    own = make_code(db_session, peers.campaign, kind="standing", unit=peers.district)
    for hour in range(20):
        submission = Submission(own.token, unique("s"), {"overall": "5"})
        record_response(db_session, submission, SPRING + timedelta(days=2, hours=hour))
    league = district_report(db_session, peers.district, peers.campaign, None).league
    assert "Quận Thử" in set(league["label"]) and league["rank"].notna().sum() == 4
    standing = unit_report(db_session, peers.wards["Phường Một"], peers.campaign, None)
    assert standing.standing is not None
    assert (standing.standing.peers, standing.standing.ranked) == (4, 3)
    note = str(STANDING_NOTE)
    assert "trực thuộc cùng một đơn vị cấp trên" in note
    assert "quầy của chính cấp trên" in note


def test_a_new_answer_moves_a_ward_at_once(db_session: Session, peers: Peers) -> None:
    """Rankings are kept per data: new answers give a new ranking, not the old one."""
    ward = peers.wards["Phường Bốn"]
    before = unit_report(db_session, ward, peers.campaign, None).standing
    assert before is not None and before.rank is None and before.ranked == 3
    code = make_code(db_session, peers.campaign, kind="standing", unit=ward)
    for hour in range(20):
        submission = Submission(code.token, unique("s"), {"overall": "5"})
        record_response(db_session, submission, SPRING + timedelta(days=1, hours=hour))
    after = unit_report(db_session, ward, peers.campaign, None).standing
    assert after is not None and after.ranked == 4 and after.rank == 2


def test_the_district_and_a_unit_alone_have_no_standing(
    db_session: Session, peers: Peers
) -> None:
    assert (
        unit_report(db_session, peers.district, peers.campaign, None).standing is None
    )
    campaign, _ = make_counter_campaign(db_session)
    lonely = make_unit(db_session, name="Quận Khác", kind=UnitKind.DISTRICT)
    campaign.unit.parent = lonely
    code = make_code(db_session, campaign, kind="standing")
    submission = Submission(code.token, unique("s"), {"overall": "4"})
    record_response(db_session, submission, WINTER)
    report = unit_report(db_session, campaign.unit, campaign, None)
    assert report.standing is None
    shown = " ".join(page.text for page in read_pages(unit_report_pdf(report)))
    assert "Vị trí so với các đơn vị cùng cấp" not in shown
    book = load_workbook(io.BytesIO(unit_report_xlsx(report)))
    assert "Vị trí" not in book.sheetnames


def test_the_district_sees_each_quarters_headline(
    db_session: Session, peers: Peers
) -> None:
    report = district_report(db_session, peers.district, peers.campaign, "2026")
    quarters = report.quarters
    assert report.header.headline == "visit"  # the counter survey's one dimension
    whole = quarters[quarters["unit"].isna()].set_index("quarter")
    assert whole.index.tolist() == ["2026-Q1", "2026-Q2"]
    every = {
        q: "".join(r[i] for r in RATINGS.values()) for i, q in enumerate(whole.index)
    }
    for quarter, ratings in every.items():
        assert whole.loc[quarter, "n"] == len(ratings)
        expected = sum(map(int, ratings)) / len(ratings)
        assert whole.loc[quarter, "mean"] == pytest.approx(expected)
        assert (
            whole.loc[quarter, "mean_low"] < expected < whole.loc[quarter, "mean_high"]
        )
    one = quarters[quarters["unit_name"] == "Phường Một"].set_index("quarter")
    assert one.loc["2026-Q1", "mean"] == pytest.approx((12 * 5 + 8 * 4) / 20)
    assert one.loc["2026-Q2", "mean"] == pytest.approx(5.0)
    few = quarters[quarters["unit_name"] == "Phường Bốn"].set_index("quarter")
    assert few["n"].tolist() == [1, 2] and few["suppressed"].all()
    assert few["mean"].isna().all()
    # A report on the first quarter does not show the second.
    first = district_report(db_session, peers.district, peers.campaign, "2026-Q1")
    assert set(first.quarters["quarter"]) == {"2026-Q1"}
    book = load_workbook(io.BytesIO(district_report_xlsx(report)))
    sheet = book["Theo quý"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows[0][:3] == ("Tất cả đơn vị", "2026-Q1", 61)
    units = book["Theo quý, từng đơn vị"]
    table = list(units.iter_rows(values_only=True))
    assert table[0] == ("Đơn vị", "2026-Q1", "2026-Q2")
    assert len(table) == 1 + len(RATINGS)  # one row per unit
    first = dict(
        zip(table[0], next(r for r in table if r[0] == "Phường Một"), strict=True)
    )
    assert first["2026-Q1"].startswith("4,60 (") and first["2026-Q1"].endswith(
        "), n = 20"
    )
    assert next(r for r in table if r[0] == "Phường Bốn")[1:] == (
        "—, n = 1",
        "—, n = 2",
    )
    shown = " ".join(page.text for page in read_pages(district_report_pdf(report)))
    assert "Điểm theo quý" in shown and "2026-Q2" in shown
    assert "Điểm theo quý của từng đơn vị" in shown and "—, n = 2" in shown


def test_a_ward_reports_its_place_unnamed_peers_in_pdf_and_xlsx(
    db_session: Session, peers: Peers
) -> None:
    ward = peers.wards["Phường Hai"]
    report = unit_report(db_session, ward, peers.campaign, "2026")
    standing = report.standing
    assert standing is not None and standing.rank == 2
    shown = " ".join(page.text for page in read_pages(unit_report_pdf(report)))
    assert "Vị trí so với các đơn vị cùng cấp" in shown
    assert f"khoảng hạng {standing.rank_low}–{standing.rank_high}" in shown
    for other in ("Phường Một", "Phường Ba", "Phường Bốn"):
        assert other not in shown
    book = load_workbook(io.BytesIO(unit_report_xlsx(report)))
    sheet = book["Vị trí"]
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "Phường Hai (đơn vị này)" in cells
    assert not {"Phường Một", "Phường Ba", "Phường Bốn"} & set(map(str, cells))
    note = next(row[0] for row in sheet.iter_rows() if row[0].value == cells[-1])
    assert note.alignment.wrap_text  # wrapped across the table, as every sheet's
    assert sheet.row_dimensions[note.row].height


@pytest.mark.parametrize("role", [Role.UNIT_MANAGER, Role.VIEWER])
def test_a_ward_managers_dashboard_shows_its_place_among_unnamed_peers(
    app: Flask, db_session: Session, peers: Peers, role: Role
) -> None:
    ward = peers.wards["Phường Ba"]
    league = district_report(
        db_session, peers.district, peers.campaign, "2026"
    ).league.set_index("label")
    user = make_user(db_session, ward, role)
    db_session.commit()
    client = app.test_client()
    assert log_in(client, user.username).status_code == 302
    query = {"campaign": peers.campaign.key, "period": "2026"}
    body = client.get("/staff/dashboard", query_string=query).get_data(as_text=True)
    assert 'id="standing"' in body
    rank, low, high = (
        int(league.loc["Phường Ba", c]) for c in ("rank", "rank_low", "rank_high")
    )
    assert f"xếp hạng {rank}/3" in body and f"khoảng hạng {low}–{high}" in body
    assert "4 đơn vị cùng cấp" in body
    for other in ("Phường Một", "Phường Hai", "Phường Bốn"):
        assert other not in body
    assert 'id="quarters"' not in body


def test_the_district_dashboard_shows_its_quarters_and_no_standing(
    app: Flask, db_session: Session, peers: Peers
) -> None:
    query = {"campaign": peers.campaign.key, "period": "2026"}
    manager = make_user(db_session, peers.district, Role.DISTRICT)
    db_session.commit()
    district = app.test_client()
    assert log_in(district, manager.username).status_code == 302
    body = district.get("/staff/dashboard", query_string=query).get_data(as_text=True)
    assert 'id="quarters"' in body and 'id="standing"' not in body
    (row,) = re.findall(r'<th scope="row">Tất cả đơn vị</th>(.*?)</tr>', body, re.S)[:1]
    assert re.findall(r"<td>(.*?)</td>", row)[:2] == ["2026-Q1", "61"]
    section = body[body.index('id="quarters"') :]
    section = section[: section.index("</section>")]
    assert section.count("<svg") == 1  # all units together; each unit in a table
    units = section[section.index('id="unit-quarters"') :]
    assert units.count('<th scope="row">') == len(RATINGS)
    (row,) = re.findall(r'<th scope="row">Phường Một</th>(.*?)</tr>', units, re.S)
    assert re.findall(r"<td>(.*?)</td>", row)[0].startswith("4,60 (")


def test_a_campaign_without_answers_has_no_standing_and_no_quarters(
    db_session: Session,
) -> None:
    campaign, _ = make_counter_campaign(db_session)
    district = make_unit(db_session, name="Quận Trống", kind=UnitKind.DISTRICT)
    campaign.unit.parent = district
    make_unit(db_session, parent=district, name="Phường Trống")
    assert unit_report(db_session, campaign.unit, campaign, "2026").standing is None
    report = district_report(db_session, district, campaign, "2026")
    assert report.quarters is not None and report.quarters.empty
    assert (
        "Theo quý"
        not in load_workbook(io.BytesIO(district_report_xlsx(report))).sheetnames
    )
    assert read_pages(district_report_pdf(report))
