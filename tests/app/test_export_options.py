"""The options of the responses' downloads: codes or labels in a language, a
select_multiple as one cell or 0/1 columns, the XLSX of the same columns, the
codebook that lists them, and the audit trail of each download."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.reports import responses_xlsx
from surveys.models import AuditEvent, Role
from surveys.storage.recording import Submission, record_response
from tests.app.test_dashboard import client_as
from tests.app.test_stat_files import LATE, Survey, survey  # noqa: F401
from tests.builders import make_code, unique


@pytest.fixture
def surveyed(survey: Survey) -> Survey:  # noqa: F811
    """The statistical files' survey: three responses in a ward, one elsewhere."""
    return survey


#: Comments a spreadsheet would run as formulas, were they not neutralised.
FORMULAS = ("=1+2", "+33", "-4", "@SUM(A1)")


def _manager(app: Flask, db_session: Session, surveyed: Survey) -> FlaskClient:
    return client_as(app, db_session, surveyed.ward, Role.UNIT_MANAGER)


def _url(surveyed: Survey, kind: str) -> str:
    return f"/staff/reports/units/{surveyed.ward.code}/unit.{kind}"


def _get(client: FlaskClient, surveyed: Survey, kind: str, **asked: str) -> bytes:
    answer = client.get(
        _url(surveyed, kind), query_string={"campaign": surveyed.campaign.key, **asked}
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_data()


def _csv(client: FlaskClient, surveyed: Survey, **asked: str) -> list[list[str]]:
    content = _get(client, surveyed, "csv", **asked).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content)))


def _xlsx(client: FlaskClient, surveyed: Survey, **asked: str) -> list[list[str]]:
    """Read the workbook's one sheet as the CSV's text would write each cell."""
    content = _get(client, surveyed, "responses.xlsx", **asked)
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [
        [_as_csv(cell) for cell in row] for row in sheet.iter_rows(values_only=True)
    ]


def _as_csv(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):  # a date cell reads back as a datetime
        return value.date().isoformat()
    return str(value)


def _by_name(rows: list[list[str]]) -> list[dict[str, str]]:
    header, *lines = rows
    return [dict(zip(header, line, strict=True)) for line in lines]


def test_each_option_changes_the_csv_as_asked(
    app: Flask, db_session: Session, surveyed: Survey
) -> None:
    client = _manager(app, db_session, surveyed)
    codes = _by_name(_csv(client, surveyed))
    vi = _by_name(_csv(client, surveyed, values="labels", lang="vi"))
    en = _by_name(_csv(client, surveyed, values="labels", lang="en"))
    columns = _by_name(_csv(client, surveyed, multiple="columns"))
    assert [row["channel"] for row in codes] == ["online", "in_person", ""]
    assert [row["channel"] for row in vi] == ["Trực tuyến", "Trực tiếp", ""]
    assert [row["channel"] for row in en] == ["Online", "In person", ""]
    # The record's channel, beside the question named ``channel``.
    assert [row["response_channel"] for row in codes] == ["counter"] * 2 + ["paper"]
    assert [row["response_channel"] for row in en][1:] == ["At a counter", "Paper form"]
    assert [row["overall"] for row in codes] == ["1", "5", "4"]
    assert [row["overall"] for row in en][1] == "Very satisfied"
    assert codes[0]["reasons"] == "waiting attitude"
    assert vi[0]["reasons"] == "Phải chờ đợi lâu; Thái độ phục vụ chưa tốt"
    assert en[0]["reasons"] == "I waited too long; The staff were not courteous"
    assert "reasons" not in columns[0] and "reasons" in codes[0]
    assert (columns[0]["reasons__waiting"], columns[0]["reasons__guidance"]) == (
        "1",
        "0",
    )
    for row in (codes[0], vi[0], en[0], columns[0]):
        # 23:30 UTC is the next day in Vietnam; the design fields of the code.
        assert row["submitted_on"] == "2026-04-07" and row["quarter"] == "2026-Q2"
        assert row["questionnaire_version"] == "1"
        assert (row["stratum"], row["cluster"], row["weight"]) == (
            "urban",
            "c7",
            "12.5",
        )
    assert (
        client.get(_url(surveyed, "csv"), query_string={"multiple": "rows"}).status_code
        == 404
    )


def test_the_0_1_columns_say_what_the_one_cell_says(
    app: Flask, db_session: Session, surveyed: Survey
) -> None:
    client = _manager(app, db_session, surveyed)
    cells = _by_name(_csv(client, surveyed))
    columns = _by_name(_csv(client, surveyed, multiple="columns"))
    options = [
        name.removeprefix("reasons__")
        for name in columns[0]
        if name.startswith("reasons__")
    ]
    assert len(options) >= 3
    for cell, spread in zip(cells, columns, strict=True):
        assert cell["response_id"] == spread["response_id"]
        if not cell["reasons"]:
            assert {spread[f"reasons__{o}"] for o in options} == {""}
            continue
        chosen = {o for o in options if spread[f"reasons__{o}"] == "1"}
        assert chosen == set(cell["reasons"].split())
        assert {spread[f"reasons__{o}"] for o in options} == {"0", "1"}
        # The other columns are the same cells.
        assert {k: v for k, v in cell.items() if k != "reasons"} == {
            k: v for k, v in spread.items() if not k.startswith("reasons__")
        }


@pytest.mark.parametrize(
    "asked",
    [
        {},
        {"values": "labels", "lang": "en"},
        {"values": "labels", "multiple": "columns"},
    ],
)
def test_the_workbook_holds_what_the_csv_holds(
    app: Flask, db_session: Session, surveyed: Survey, asked: dict[str, str]
) -> None:
    client = _manager(app, db_session, surveyed)
    assert _xlsx(client, surveyed, **asked) == _csv(client, surveyed, **asked)


def test_formulas_are_neither_run_in_the_csv_nor_in_the_workbook(
    app: Flask, db_session: Session, surveyed: Survey
) -> None:
    code = make_code(db_session, surveyed.campaign, kind="standing", unit=surveyed.ward)
    for comment in FORMULAS:
        given = {"overall": "3", "comment": comment, "household_size": "2"}
        record_response(db_session, Submission(code.token, unique("s"), given), LATE)
    db_session.commit()
    client = _manager(app, db_session, surveyed)
    written = {row["comment"] for row in _by_name(_csv(client, surveyed))}
    assert {f"'{formula}" for formula in FORMULAS} <= written
    content = _get(client, surveyed, "responses.xlsx")
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    cells = [row[header.index("comment")] for row in sheet.iter_rows(min_row=2)]
    assert {f"'{formula}" for formula in FORMULAS} <= {cell.value for cell in cells}
    assert {cell.data_type for cell in cells if cell.value} == {"s"}


@pytest.mark.parametrize("multiple", ["cell", "columns"])
def test_the_codebook_lists_every_column_of_the_csv(
    app: Flask, db_session: Session, surveyed: Survey, multiple: str
) -> None:
    client = _manager(app, db_session, surveyed)
    header = _csv(client, surveyed, multiple=multiple)[0]
    page = client.get(
        f"/staff/reports/units/{surveyed.ward.code}/codebook",
        query_string={"campaign": surveyed.campaign.key, "multiple": multiple},
    )
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    listed = re.findall(r'<th scope="row"><code>([^<]+)</code></th>', text)
    assert listed == header
    # Both languages' labels, and the options with their numbers.
    assert "How did you apply?" in text and "Ông/Bà nộp hồ sơ qua đâu?" in text
    assert re.search(r"<code>online</code> \(2\): <span[^>]*>Trực tuyến</span> / "
                     r"<span[^>]*>Online</span>", text)  # fmt: skip
    assert re.search(r"<code>paper</code> \(6\): <span[^>]*>Phiếu giấy</span> / "
                     r"<span[^>]*>Paper form</span>", text)  # fmt: skip
    if multiple == "columns":
        assert "<code>waiting</code>" in text and "Phải chờ đợi lâu" in text
    xlsform = re.search(r'href="([^"]*questionnaire-1\.xlsx[^"]*)"', text)
    assert xlsform is not None
    workbook = client.get(xlsform.group(1).replace("&amp;", "&"))
    assert workbook.status_code == 200
    assert "survey" in load_workbook(io.BytesIO(workbook.get_data())).sheetnames
    event = db_session.scalars(
        select(AuditEvent).order_by(AuditEvent.id.desc())
    ).first()
    assert event is not None and event.action == "export"
    assert event.detail == {
        "campaign": surveyed.campaign.key, "format": "xlsform", "version": 1
    }  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "asked", "recorded"),
    [
        ("responses.xlsx", {"values": "labels", "lang": "en", "multiple": "columns"},
         {"values": "labels", "language": "en", "multiple": "columns"}),
        ("csv", {"multiple": "columns"},
         {"values": "codes", "language": "vi", "multiple": "columns"}),
        ("sav", {"multiple": "cell", "lang": "en"},
         {"values": "codes", "language": "en", "multiple": "cell"}),
        ("dta", {}, {"values": "codes", "language": "vi", "multiple": "columns"}),
    ],
)  # fmt: skip
def test_each_download_records_its_format_and_options(
    app: Flask,
    db_session: Session,
    surveyed: Survey,
    kind: str,
    asked: dict[str, str],
    recorded: dict[str, str],
) -> None:
    client = _manager(app, db_session, surveyed)
    _get(client, surveyed, kind, **asked)
    event = db_session.scalars(
        select(AuditEvent).order_by(AuditEvent.id.desc())
    ).first()
    assert event is not None and event.action == "export"
    assert event.object_id == surveyed.ward.code
    assert event.detail == {
        "report": "unit",
        "format": kind,
        "campaign": surveyed.campaign.key,
        "period": event.detail["period"],
        **recorded,
    }


@pytest.mark.parametrize(
    "path",
    ["unit.responses.xlsx", "district.responses.xlsx", "codebook",
     "questionnaire-1.xlsx"],
)  # fmt: skip
def test_another_units_responses_and_codebook_are_not_found(
    app: Flask, db_session: Session, surveyed: Survey, path: str
) -> None:
    outsider = client_as(app, db_session, surveyed.other, Role.UNIT_MANAGER)
    url = f"/staff/reports/units/{surveyed.ward.code}/{path}"
    query = {"campaign": surveyed.campaign.key}
    assert outsider.get(url, query_string=query).status_code == 404
    own = _manager(app, db_session, surveyed)
    assert own.get(url, query_string=query).status_code == 200


def test_a_workbook_excel_could_not_open_is_refused_for_the_csv(
    app: Flask,
    db_session: Session,
    surveyed: Survey,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Three responses and a header: one row more than a sheet of three holds.
    monkeypatch.setattr(responses_xlsx, "EXCEL_ROWS", 3)
    client = _manager(app, db_session, surveyed)
    events = select(func.count(AuditEvent.id))
    before = db_session.scalar(events)
    answer = client.get(
        _url(surveyed, "responses.xlsx"),
        query_string={"campaign": surveyed.campaign.key},
    )
    assert answer.status_code == 422
    assert "CSV" in answer.get_data(as_text=True) and "Excel" in answer.get_data(
        as_text=True
    )
    assert db_session.scalar(events) == before
    monkeypatch.setattr(responses_xlsx, "EXCEL_ROWS", 4)
    assert len(_xlsx(client, surveyed)) == 4


def test_the_dashboard_offers_every_format_and_option(
    app: Flask, db_session: Session, surveyed: Survey
) -> None:
    client = _manager(app, db_session, surveyed)
    page = client.get(
        f"/staff/units/{surveyed.ward.code}/dashboard",
        query_string={"campaign": surveyed.campaign.key},
    ).get_data(as_text=True)
    start = page.index('id="export-options"')
    form = page[start : page.index("</form>", start)]
    for kind in ("csv", "responses.xlsx", "sav", "dta"):
        assert _url(surveyed, kind) in form
    for name, value in (
        ("values", "labels"), ("lang", "en"), ("multiple", "columns"),
    ):  # fmt: skip
        assert f'name="{name}"' in form and f'value="{value}"' in form
    assert "/codebook" in form
