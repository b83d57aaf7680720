"""Reports: the same numbers in every format, withheld cells empty, safe exports."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
import yaml
from flask import Flask
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis import official_ratings, summary_from_tallies
from analysis.intervals import dirichlet_mean_interval
from analysis.officials import TOO_FEW
from analysis.results import MIN_INTERVAL
from app.formatting import format_datetime
from app.official_document import administrative_date, place_and_date
from app.reports.csv import BOM, responses_csv
from app.reports.data import DistrictReport, district_report, unit_report
from app.reports.layout import (
    comment_columns,
    estimate_columns,
    official_columns,
    officials_summary,
)
from app.reports.pdf import district_report_pdf, unit_report_pdf
from app.reports.report_charts import DIMENSIONS_TITLE, chart_words, dimensions_chart
from app.reports.xlsx import (
    LINE_HEIGHT,
    MAX_WIDTH,
    PADDING,
    _fit,
    district_report_xlsx,
    unit_report_xlsx,
)
from app.spreadsheets import text_width, wrapped_lines
from surveys.models import Campaign, Official, Response, Unit, UnitKind
from surveys.questionnaire.schema import build_questionnaire
from surveys.questionnaire.versions import DEFINITIONS, store_questionnaire
from surveys.storage.frames import tally_frame
from surveys.storage.recording import Submission, record_response
from surveys.storage.tallies import exclude_response
from tests.app.pdf_reading import read_pages
from tests.app.test_charts import parse, texts
from tests.builders import (
    make_campaign,
    make_code,
    make_counter_campaign,
    make_unit,
    unique,
)
from tests.visual import assert_matches_reference, pdf_page_images

START = datetime(2026, 4, 6, 2, 0, tzinfo=UTC)
INJECTION = '=HYPERLINK("http://example.com","x")'


@dataclass(frozen=True)
class District:
    campaign: Campaign
    district: Unit
    ward: Unit
    small: Unit


@pytest.fixture
def district(db_session: Session) -> District:
    """A ward with 40 counter ratings (some of officials), and a ward with 3."""
    rng = np.random.default_rng(5)
    campaign, point = make_counter_campaign(db_session)
    ward = campaign.unit
    root = make_unit(db_session, name="Quận Thử", kind=UnitKind.DISTRICT)
    ward.parent = root
    small = make_unit(db_session, parent=root, name="Phường Ít Phiếu")
    counter = make_code(db_session, campaign, kind="standing", service_point=point)
    other = make_code(db_session, campaign, kind="standing", unit=small)
    officials = sorted(official.code for official in point.officials)
    for number in range(40):
        answers = {"overall": str(rng.integers(1, 6))}
        if number % 2:
            answers["official"] = officials[number % 4 // 2]
            answers["official_rating"] = str(rng.integers(2, 6))
        if number == 3:
            answers |= {"overall": "1", "comment": "+cmd"}
        when = START + timedelta(hours=number)
        record_response(
            db_session, Submission(counter.token, unique("s"), answers), when
        )
    for number in range(3):
        submission = Submission(other.token, unique("s"), {"overall": "4"})
        record_response(db_session, submission, START + timedelta(days=number))
    return District(campaign, root, ward, small)


@pytest.fixture(autouse=True)
def _app_context(app: Flask) -> Iterator[None]:
    """Reports are written with the app's catalogues, as a download writes them."""
    with app.app_context():
        yield


def test_unit_pdf_names_the_unit_period_intervals_and_warns(
    db_session: Session, district: District
) -> None:
    report = unit_report(db_session, district.ward, district.campaign, "2026-Q2")
    pdf = unit_report_pdf(report)
    assert pdf.startswith(b"%PDF")
    shown = " ".join(page.text for page in read_pages(pdf))
    assert "Phường Thử" in shown and "2026-Q2" in shown
    overall = report.items.iloc[0]
    # Written the Vietnamese way: a decimal comma (Babel's vi locale).
    low = f"{overall['pct_satisfied_low']:.1f}".replace(".", ",")
    assert f"{low}%" in shown
    # The dashboard's chart, its text drawn as text: title, scale 0-100%, n.
    chart = dimensions_chart(report.dimensions, report.header, chart_words())
    assert str(DIMENSIONS_TITLE) in shown and chart_texts(chart) <= set(shown.split())
    assert "0% 20% 40% 60% 80% 100%" in shown and f"{overall['n']} n" in shown
    # The officials' ratings rest on fewer than 30 responses.
    assert "chỉ mang tính tham khảo" in shown
    assert "+cmd" in shown  # the comment is listed for follow-up


def chart_texts(svg: str) -> set[str]:
    """The words of a chart, each of them."""
    return {word for text in texts(parse(svg)) for word in text.split()}


def test_officials_are_reported_by_id_with_their_name_and_code(
    db_session: Session, district: District
) -> None:
    """Another ward's namesake (same name, same code) takes nothing from them."""
    point = district.ward.service_points[0]
    first = point.officials[0]
    db_session.add(Official(code=first.code, name=first.name, unit=district.small))
    db_session.flush()
    report = unit_report(db_session, district.ward, district.campaign, None)
    assert sorted(report.officials["label"]) == sorted(
        f"{official.name} ({official.code})" for official in point.officials
    )


def test_officials_are_listed_by_code_with_what_their_score_means(
    db_session: Session, district: District
) -> None:
    """Never a ranking of people: rows by code, each with its meaning and flag."""
    report = unit_report(db_session, district.ward, district.campaign, None)
    officials = report.officials
    codes = [label.rsplit("(", 1)[1].rstrip(")") for label in officials["label"]]
    assert codes == sorted(codes) and len(codes) == 2
    assert (officials["n"] == 10).all()
    assert (officials["score_low"] < officials["score"]).all()
    assert (officials["score"] < officials["score_high"]).all()
    # Two officials only: too few to compare them with each other.
    assert (officials["flag"] == "too few officials").all()
    shown = " ".join(
        " ".join(page.text.split()) for page in read_pages(unit_report_pdf(report))
    )
    assert "điểm trung bình mà công chức này có thể nhận từ người dân" in shown
    assert "quá ít để so sánh các công chức" in shown
    assert "gợi ý để xem xét thêm các bằng chứng khác" in shown
    book = load_workbook(io.BytesIO(unit_report_xlsx(report)))
    cells = [c for row in book["Công chức"].iter_rows(values_only=True) for c in row]
    assert "Quá ít công chức để so sánh" in cells


def test_unit_xlsx_has_its_sheets_and_the_dashboard_numbers(
    db_session: Session, district: District
) -> None:
    report = unit_report(db_session, district.ward, district.campaign, "2026")
    book = load_workbook(io.BytesIO(unit_report_xlsx(report)))
    assert book.sheetnames == [
        "Tổng hợp", "Tiêu chí", "Lĩnh vực", "Chỉ số", "Quầy", "Công chức", "Góp ý",
        "Vị trí", "Phương pháp",
    ]  # fmt: skip
    items = book["Tiêu chí"]
    assert items.freeze_panes == "B2" and items["A1"].font.bold
    assert items.page_setup.orientation == "landscape"
    expected = summary_from_tallies(
        tally_frame(db_session, district.campaign.id, unit_ids=[district.ward.id])
    ).set_index("item")
    for row, item in zip(
        items.iter_rows(min_row=2, values_only=True),
        ["overall", "official_rating"],
        strict=True,
    ):
        assert isinstance(row[1], int) and row[1] == expected.loc[item, "n"]
        assert row[2] == pytest.approx(expected.loc[item, "mean"], rel=1e-12)
        assert row[5] == pytest.approx(expected.loc[item, "pct_satisfied"] / 100)
        # No interval below MIN_INTERVAL answers: an empty cell, as in the data.
        for position, column, unit in (
            (3, "mean_low", 1),
            (7, "pct_satisfied_high", 100),
        ):
            limit = expected.loc[item, column]
            assert row[position] == (
                None if np.isnan(limit) else pytest.approx(limit / unit, rel=1e-12)
            )
    assert items["F2"].number_format == "0.0%"
    comments = [row[3] for row in book["Góp ý"].iter_rows(min_row=2, values_only=True)]
    assert comments == ["'+cmd"]
    # Every moment in Vietnam time, its zone written beside it.
    moment = book["Góp ý"]["A2"]
    assert moment.value == datetime(2026, 4, 6, 12, 0)  # 05:00 UTC
    assert moment.number_format == 'd/m/yyyy hh:mm "(UTC+7)"'
    assert book["Tổng hợp"]["B4"].number_format == moment.number_format


def test_workbooks_print_on_a4_with_whole_headings_and_sized_columns(
    whole_district: DistrictReport,
) -> None:
    """What LibreOffice cut ("Điểm trung", "Giá trị p (hiệu"): each heading wraps
    between words in a row as tall as its lines; columns fit their content."""
    report = whole_district
    book = load_workbook(io.BytesIO(district_report_xlsx(report)))
    summary = book["Tổng hợp"]
    assert summary["A4"].value == "Số liệu đến ngày (giờ Việt Nam)"
    local = report.header.generated_at + timedelta(hours=7)
    assert summary["B4"].value == local.replace(tzinfo=None, microsecond=0)
    for sheet in book.worksheets[:-1]:  # the methodology is one paragraph
        setup = sheet.page_setup
        assert (setup.paperSize, setup.orientation) == (9, "landscape")
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        for column in range(1, sheet.max_column + 1):
            width = sheet.column_dimensions[get_column_letter(column)].width
            assert width <= MAX_WIDTH + PADDING
    league = book["Xếp hạng"]
    assert league.print_title_rows == "$1:$1"
    assert league.freeze_panes == "C2"  # the rank and the unit stay in sight
    headings = {cell.value: cell for cell in league[1]}
    height = league.row_dimensions[1].height
    for text in ("Điểm trung bình (1–5)", "Giá trị p (hiệu chỉnh Holm)"):
        cell = headings[text]
        assert cell.alignment.wrap_text and cell.font.bold
        width = league.column_dimensions[cell.column_letter].width - PADDING
        assert max(text_width(word) for word in text.split()) <= width
        lines = wrapped_lines(text, width)
        assert lines > 1 and height >= lines * LINE_HEIGHT
    names = league.column_dimensions["B"].width
    assert text_width("Phường Ít Phiếu") + PADDING <= names < 40
    row = next(r for r in league.iter_rows(min_row=2) if r[1].value == "Phường Thử")
    assert isinstance(row[2].value, int) and row[2].number_format == "0"
    assert isinstance(row[3].value, float) and row[3].number_format == "0.00"
    methodology = book["Phương pháp"]
    assert methodology["A1"].alignment.wrap_text
    assert methodology.row_dimensions[1].height >= 5 * LINE_HEIGHT


def test_the_other_cells_of_a_wrapped_row_stand_at_its_top() -> None:
    """LibreOffice puts a cell at the bottom by default: a number sat a line or
    two below the wrapped text of its row."""
    sheet = Workbook().active
    sheet.append(["Đơn vị", "Số phiếu"])
    sheet.append(["Cao hơn: " + "Phường Nguyễn Thái Bình, " * 8, 488])
    _fit(sheet, header=True)
    assert sheet.row_dimensions[2].height >= 2 * LINE_HEIGHT
    assert sheet["A2"].alignment.wrap_text
    assert sheet["B2"].alignment.vertical == "top"


def whole_report(session: Session, root: Unit, campaign: Campaign) -> DistrictReport:
    """The district report over all periods (seeded ranks: the same every run)."""
    return district_report(session, root, campaign, None, rng=np.random.default_rng(1))


def rated_ward(
    session: Session, parent: Unit, campaign: Campaign, name: str, rating: str, n: int
) -> Unit:
    """A ward under ``parent`` whose counter received ``n`` ratings of ``rating``."""
    ward = make_unit(session, parent=parent, name=name)
    code = make_code(session, campaign, kind="standing", unit=ward)
    for number in range(n):
        submission = Submission(code.token, unique("s"), {"overall": rating})
        record_response(session, submission, START + timedelta(hours=number))
    return ward


@pytest.fixture
def whole_district(db_session: Session, district: District) -> DistrictReport:
    return whole_report(db_session, district.district, district.campaign)


def test_withheld_cells_have_no_estimate_in_any_format(
    whole_district: DistrictReport,
) -> None:
    report = whole_district
    small = report.league.set_index("label").loc["Phường Ít Phiếu"]
    assert small["n"] == 3 and small["suppressed"]
    assert small[["mean", "pct_satisfied", "difference", "rank"]].isna().all()
    book = load_workbook(io.BytesIO(district_report_xlsx(report)))
    assert book.sheetnames == [
        "Tổng hợp", "Xếp hạng", "Lĩnh vực", "Tiêu chí", "Theo đơn vị", "Theo quý",
        "Theo quý, từng đơn vị", "Phương pháp",
    ]  # fmt: skip
    rows = [
        r
        for r in book["Xếp hạng"].iter_rows(values_only=True)
        if r[1] == "Phường Ít Phiếu"
    ]
    assert rows[0][2] == 3 and set(rows[0][3:9]) == {None}
    assert rows[0][-1] == "Dưới 5 phiếu: không công bố"
    shown = " ".join(page.text for page in read_pages(district_report_pdf(report)))
    assert "Phường Ít Phiếu" in shown and "Dưới 5 phiếu" in shown


def test_the_district_report_summarises_all_its_units_together(
    db_session: Session, district: District, whole_district: DistrictReport
) -> None:
    report = whole_district
    summed = tally_frame(
        db_session, district.campaign.id, unit_ids=[district.ward.id, district.small.id]
    )
    expected = summary_from_tallies(summed, by=None).set_index("item")
    overall = report.items.iloc[0]
    assert overall["n"] == 43 == expected.loc["overall", "n"]
    for column in ("mean", "mean_low", "pct_satisfied", "pct_satisfied_high"):
        assert overall[column] == pytest.approx(expected.loc["overall", column])
    visit = report.dimensions.iloc[0]
    assert visit["pct_satisfied"] == pytest.approx(
        expected.loc["visit", "pct_satisfied"]
    )
    book = load_workbook(io.BytesIO(district_report_xlsx(report)))
    row = next(book["Tiêu chí"].iter_rows(min_row=2, values_only=True))
    assert row[1] == 43
    assert row[2] == pytest.approx(expected.loc["overall", "mean"], rel=1e-12)
    shown = " ".join(page.text for page in read_pages(district_report_pdf(report)))
    assert "Lĩnh vực" in shown and "Tiêu chí" in shown


def test_the_league_shares_ranks_and_says_whom_a_unit_cannot_be_told_from(
    db_session: Session, district: District
) -> None:
    """Two wards of twenty 5s tie; a ward of twenty 2s is shown below both."""
    for name, rating in (
        ("Phường Năm", "5"),
        ("Phường Năm Bis", "5"),
        ("Phường Hai", "2"),
    ):
        rated_ward(db_session, district.district, district.campaign, name, rating, 20)
    report = whole_report(db_session, district.district, district.campaign)
    league = report.league.set_index("label")
    fives = league.loc[["Phường Năm", "Phường Năm Bis"]]
    assert fives["rank"].tolist() == [1, 1] and fives["tied"].all()
    assert fives["rank_low"].tolist() == [1, 1]
    assert league.loc["Phường Hai", ["rank_low", "rank_high"]].tolist() == [4, 4]
    assert league.loc["Phường Hai", "worse_than"] == [
        "Phường Năm", "Phường Năm Bis", "Phường Thử",
    ]  # fmt: skip
    # Phường Thử (40 answers, mean 3.2) lies between and is told from both.
    assert league["group"].iloc[:4].tolist() == ["a", "a", "b", "c"]
    assert league.loc["Phường Ít Phiếu", ["group", "rank"]].isna().all()
    book = load_workbook(io.BytesIO(district_report_xlsx(report)))
    sheet = book["Xếp hạng"]
    headings = [cell.value for cell in sheet[1]]
    rows = {
        row[headings.index("Đơn vị")]: row[headings.index("So với các đơn vị khác")]
        for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert rows["Phường Năm"] == (
        "Đồng hạng; Cao hơn: Phường Thử, Phường Hai; "
        "Không phân biệt được với: Phường Năm Bis"
    )
    assert rows["Phường Hai"] == "Thấp hơn: Phường Năm, Phường Năm Bis, Phường Thử"
    assert rows["Phường Ít Phiếu"] is None
    shown = " ".join(page.text for page in read_pages(district_report_pdf(report)))
    assert "chung ít nhất một chữ cái" in shown


def test_formulas_in_unit_names_stay_text(
    db_session: Session, district: District
) -> None:
    district.ward.name = INJECTION
    report = unit_report(db_session, district.ward, district.campaign, None)
    book = load_workbook(io.BytesIO(unit_report_xlsx(report)))
    assert book["Tổng hợp"]["B1"].value == f"'{INJECTION}"
    every = [
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if isinstance(cell, str)
    ]
    assert not [cell for cell in every if cell.startswith(("=", "+", "-", "@"))]


def test_csv_streams_the_anonymised_kept_responses(
    db_session: Session, district: District
) -> None:
    first = db_session.scalar(select(Response).order_by(Response.id))
    exclude_response(db_session, first, "test")
    chunks = list(
        responses_csv(db_session, district.campaign, None, "2026-Q2", page_size=10)
    )
    assert len(chunks) > 3
    content = b"".join(chunks).decode("utf-8")
    assert content.startswith(BOM)
    rows = list(csv.reader(io.StringIO(content.removeprefix(BOM))))
    header, body = rows[0], rows[1:]
    assert len(body) == 42  # 43 responses, one excluded
    assert header[:13] == ["response_id", "unit_code", "counter_code",
                           "submitted_on", "quarter", "questionnaire_version",
                           "response_channel", "verified", "flags", "excluded",
                           "stratum", "cluster", "weight"]  # fmt: skip
    assert "official_rating" in header and "comment" in header
    assert not {"device_hash", "phone", "submission_id"} & set(header)
    comment = header.index("comment")
    assert [row[comment] for row in body if row[comment]] == ["'+cmd"]
    assert {row[4] for row in body} == {"2026-Q2"}


def test_csv_neutralises_unit_codes(db_session: Session, district: District) -> None:
    district.small.code = "-cmd"
    content = b"".join(
        responses_csv(db_session, district.campaign, [district.small.id], None)
    )
    rows = list(csv.reader(io.StringIO(content.decode("utf-8").removeprefix(BOM))))
    assert len(rows) == 4 and {row[1] for row in rows[1:]} == {"'-cmd"}


def csv_rows(chunks: Iterator[bytes]) -> list[dict[str, str]]:
    """Read a streamed CSV's rows by column name."""
    content = b"".join(chunks).decode("utf-8").removeprefix(BOM)
    return list(csv.DictReader(io.StringIO(content)))


@pytest.mark.parametrize(
    ("labels_in", "overall", "reasons"),
    [
        (None, "1", "waiting attitude"),
        ("vi", "Rất không hài lòng", "Phải chờ đợi lâu; Thái độ phục vụ chưa tốt"),
        ("en", "Very dissatisfied", "I waited too long; The staff were not courteous"),
    ],
)
def test_csv_writes_options_as_codes_or_as_labels_in_a_language(
    db_session: Session,
    district: District,
    labels_in: str | None,
    overall: str,
    reasons: str,
) -> None:
    code = make_code(
        db_session, district.campaign, kind="standing", unit=district.small
    )
    answers = {"overall": "1", "reasons": "attitude waiting", "comment": "-x"}
    record_response(db_session, Submission(code.token, unique("s"), answers), START)
    campaign = district.campaign
    small = [district.small.id]
    rows = csv_rows(
        responses_csv(
            db_session, campaign, small, None, labels_in=labels_in, page_size=2
        )
    )
    assert len(rows) == 4
    low = next(row for row in rows if row["reasons"])
    assert (low["overall"], low["reasons"], low["comment"]) == (overall, reasons, "'-x")
    # Not an option: the comment is as typed, the unit its code.
    assert {row["unit_code"] for row in rows} == {district.small.code}
    ward = [district.ward.id]
    official = csv_rows(
        responses_csv(db_session, campaign, ward, None, labels_in=labels_in)
    )
    codes = {o.code for o in district.ward.service_points[0].officials}
    assert {row["official"] for row in official} - {""} <= codes


def test_csv_labels_that_look_like_formulas_stay_text(db_session: Session) -> None:
    data = yaml.safe_load((DEFINITIONS / "counter.yaml").read_text(encoding="utf-8"))
    data["key"] = "counter_formula"
    data["choices"]["low_reasons"][0]["label"]["vi"] = INJECTION
    stored = store_questionnaire(db_session, build_questionnaire(data)).stored
    root = make_unit(db_session, name="Quận Công Thức", kind=UnitKind.DISTRICT)
    campaign = make_campaign(db_session, unit=root, questionnaire=stored)
    code = make_code(db_session, campaign, kind="standing", unit=root)
    answers = {"overall": "2", "reasons": "waiting"}
    record_response(db_session, Submission(code.token, unique("s"), answers), START)
    (row,) = csv_rows(responses_csv(db_session, campaign, None, None, labels_in="vi"))
    assert row["reasons"] == f"'{INJECTION}"
    assert row["overall"] == "Không hài lòng"


def test_a_malformed_period_is_refused(db_session: Session, district: District) -> None:
    with pytest.raises(ValueError, match="2026-Q5"):
        unit_report(db_session, district.ward, district.campaign, "2026-Q5")


def test_the_league_gives_no_interval_below_min_interval(
    db_session: Session, district: District
) -> None:
    """A difference with the rest is shown from MIN_SUPPRESS answers, its interval
    only from MIN_INTERVAL, as for the unit's own mean."""
    rated_ward(
        db_session,
        district.district,
        district.campaign,
        "Phường Vừa Phiếu",
        "5",
        MIN_INTERVAL - 1,
    )
    report = whole_report(db_session, district.district, district.campaign)
    league = report.league.set_index("label")
    small, large = league.loc["Phường Vừa Phiếu"], league.loc[district.ward.name]
    assert small["n"] == MIN_INTERVAL - 1 and large["n"] >= MIN_INTERVAL
    assert small[["ci_low", "ci_high", "p_holm", "mean_low"]].isna().all()
    assert small[["difference", "mean"]].notna().all()
    assert large[["ci_low", "ci_high", "mean_low"]].notna().all()


def test_too_few_officials_is_said_even_when_every_official_is_withheld() -> None:
    """Two officials with three ratings each: their flags are withheld, the unit's
    "too few to compare" is not, and no spread is claimed."""
    rated = pd.DataFrame(
        {"unit": 1, "official": [1, 1, 1, 2, 2, 2], "rating": [5.0, 4, 5, 3, 4, 5]}
    )
    table = official_ratings(rated)
    table = table.assign(too_few=table["flag"] == TOO_FEW, flag=None)
    text = officials_summary(table)
    assert "quá ít để so sánh" in text and "không quá" not in text


def test_reports_of_a_0_to_10_questionnaire_use_its_scale(db_session: Session) -> None:
    """XLSForm's item_min/item_max allow 0-10: the league ranks on it (it used to
    raise "some means lie outside the scale 1-5") and intervals spread over 0-10."""
    data = yaml.safe_load((DEFINITIONS / "counter.yaml").read_text(encoding="utf-8"))
    data["key"] = "counter_0_10"
    data["questions"][0] |= {"type": "select_one", "choices": "zero_ten"}
    data["questions"][0].pop("appearance")
    data["choices"]["zero_ten"] = [
        {"name": str(v), "label": {"vi": str(v), "en": str(v)}} for v in range(11)
    ]
    data["scoring"] |= {"item_scale": [0, 10], "satisfied_min": 7}
    stored = store_questionnaire(db_session, build_questionnaire(data)).stored
    root = make_unit(db_session, name="Quận Mười", kind=UnitKind.DISTRICT)
    campaign = make_campaign(db_session, unit=root, questionnaire=stored)
    eight = rated_ward(db_session, root, campaign, "Phường Tám", "8", 30)
    rated_ward(db_session, root, campaign, "Phường Sáu", "6", 30)
    report = whole_report(db_session, root, campaign)
    league = report.league.set_index("label")
    assert league["rank"].tolist() == [1, 2]
    row = league.loc["Phường Tám"]
    expected = [float(v) for v in dirichlet_mean_interval(30, 240.0, 1920.0, (0, 10))]
    assert (row["mean_low"], row["mean_high"]) == pytest.approx(expected)
    assert 7 < row["mean_low"] < 8 < row["mean_high"] < 9
    items = unit_report(db_session, eight, campaign, None).items.iloc[0]
    assert (items["mean_low"], items["mean_high"]) == pytest.approx(expected)


def test_a_unit_all_satisfied_has_an_index_interval_of_some_width(
    db_session: Session, district: District
) -> None:
    """Thirty answers of 5: the index (100% satisfied) used to print 100-100."""
    ward = rated_ward(
        db_session, district.district, district.campaign, "Phường Năm Mươi", "5", 30
    )
    index = unit_report(db_session, ward, district.campaign, None).index
    assert (index["estimate"] == 100).all()
    assert (index["ci_low"] < 99).all() and (index["ci_high"] == 100).all()
    report = whole_report(db_session, district.district, district.campaign)
    row = report.league.set_index("label").loc["Phường Năm Mươi"]
    assert row["index_ci_low"] == index["ci_low"].iloc[-1] < row["index_ci_high"]


def fixed_codes(session: Session, district: District) -> None:
    """Give the units fixed codes: a report's number shows them on its first page."""
    district.district.code, district.ward.code = "q-thu", "p-thu"
    session.flush()


def test_the_pdf_is_an_administrative_document(
    db_session: Session, district: District
) -> None:
    """Nghị định 30/2020: header, number, place and date, title, recipients,
    signer, page numbers from page 2; the method in words, numbers the vi way."""
    fixed_codes(db_session, district)
    report = unit_report(db_session, district.ward, district.campaign, "2026-Q2")
    pages = read_pages(unit_report_pdf(report))
    first = " ".join(pages[0].text.split())
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "ỦY BAN NHÂN DÂN QUẬN THỬ",
        "ỦY BAN NHÂN DÂN PHƯỜNG THỬ",
        "/BC-P-THU",
        # The newest response counted: 8 April 2026, Vietnam time.
        "Quận Thử, ngày 08 tháng 4 năm 2026",
        "BÁO CÁO",
        "Kết quả khảo sát sự hài lòng của người dân, tổ chức",
    ):
        assert expected in first, expected
    assert pages[0].strings[0] != "1"  # no number on the first page
    for number, page in enumerate(pages[1:], start=2):
        assert page.strings[-1] == str(number)
    shown = " ".join(" ".join(page.text for page in pages).split())
    for expected in (
        "Nơi nhận:",
        "- Ủy ban nhân dân Quận Thử (để báo cáo);",
        "- Lưu: VT.",
        "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
        "khoảng tin cậy 95%",
        "đồng hạng",
    ):
        assert expected in shown, expected
    assert "docs/" not in shown and "methodology" not in shown
    # Decimal commas and Babel's vi percentages, never a decimal point.
    assert re.search(r"\b\d,\d\d\b", shown) and re.search(r"\b\d+,\d%", shown)
    assert not re.search(r"\b\d+\.\d{1,2}\b", shown)


def test_administrative_dates_are_written_as_the_decree_says() -> None:
    """A leading 0 on days below 10 and on the months 1 and 2 only (Nghị định
    30/2020/NĐ-CP, Phụ lục I)."""
    assert administrative_date(date(2024, 11, 5)) == "ngày 05 tháng 11 năm 2024"
    assert administrative_date(date(2026, 2, 3)) == "ngày 03 tháng 02 năm 2026"
    assert administrative_date(date(2026, 4, 18)) == "ngày 18 tháng 4 năm 2026"
    assert (
        place_and_date("Quận 1", date(2024, 11, 5))
        == "Quận 1, ngày 05 tháng 11 năm 2024"
    )


def test_table_headings_and_moments_are_never_broken(
    db_session: Session, district: District
) -> None:
    """Each heading's words, and each moment, are printed whole on one line."""
    report = unit_report(db_session, district.ward, district.campaign, "2026-Q2")
    strings = [s for page in read_pages(unit_report_pdf(report)) for s in page.strings]
    words = {word for string in strings for word in string.split()}
    for column in [*estimate_columns(), *official_columns(), *comment_columns()]:
        if column.name != "note":
            assert set(column.heading.split()) <= words, column.heading
    moment = format_datetime(report.comments["submitted_at"].iloc[0])
    assert moment in strings


def test_a_long_table_repeats_its_header_row_and_drops_empty_columns(
    db_session: Session, district: District
) -> None:
    report = unit_report(db_session, district.ward, district.campaign, "2026-Q2")
    comments = pd.DataFrame(
        {
            "submitted_at": [START + timedelta(minutes=n) for n in range(150)],
            "service_point": "Quầy Tư pháp – Hộ tịch",
            "rating": 1,
            "text": [f"Góp ý số {n}" for n in range(150)],
        }
    )
    reliable = {
        name: getattr(report, name).iloc[:1].assign(reliable=True)
        for name in ("items", "dimensions", "counters", "index")
    }
    changed = replace(report, comments=comments, officials=pd.DataFrame(), **reliable)
    pages = read_pages(unit_report_pdf(changed))
    holding = [page for page in pages if "Góp ý số" in page.text]
    assert len(holding) >= 2
    for page in holding:
        assert "Thời điểm" in page.strings and "Mức đánh giá thấp nhất" in page.text
    # Every estimate is reliable: no row has a note, no table a "Ghi chú" column.
    assert not any("Ghi chú" in page.strings for page in pages)


@pytest.mark.parametrize("which", ["unit", "district"])
def test_the_first_page_matches_its_reference(
    db_session: Session, district: District, which: str
) -> None:
    """A change that moves, cuts or overlaps the header shows here (tests/visual.py)."""
    fixed_codes(db_session, district)
    if which == "unit":
        report = unit_report(db_session, district.ward, district.campaign, "2026-Q2")
        pdf = unit_report_pdf(report)
    else:
        rng = np.random.default_rng(1)
        report = district_report(
            db_session, district.district, district.campaign, "2026-Q2", rng=rng
        )
        pdf = district_report_pdf(report)
    assert_matches_reference(pdf_page_images(pdf)[0], f"{which}-report")
