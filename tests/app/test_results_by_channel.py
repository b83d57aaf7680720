"""A unit's results by channel and together: counter ratings and paper forms."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis import ddci_index, summary_from_tallies
from analysis.results import MIN_INTERVAL, MIN_PUBLISH
from app.reports.data import headline_score, unit_report
from surveys.models import AuditEvent, Campaign, Role, UnitKind
from surveys.questionnaire.versions import definition_of
from surveys.storage.frames import analysis_scoring, response_frame, tally_frame
from surveys.storage.recording import Submission, record_response
from tests.app.pdf_reading import read_pages
from tests.app.test_dashboard import client_as, shown
from tests.builders import (
    make_code,
    make_counter_campaign,
    make_unit,
    record_on_paper,
    unique,
)
from tests.surveys.test_tallies import ddci_answers

SPRING = datetime(2026, 4, 6, 2, 0, tzinfo=UTC)
COUNTER_RATINGS, PAPER_FORMS = 50, 25
#: Reliable at the counter; on paper an interval, but fewer than publication needs.
assert PAPER_FORMS >= MIN_INTERVAL and PAPER_FORMS < MIN_PUBLISH <= COUNTER_RATINGS
ROWS = {"Tại quầy": "counter", "Phiếu giấy": "paper", "Tất cả các kênh": None}
COLUMNS = ("n", "mean", "mean_low", "mean_high", "pct_satisfied")


@dataclass(frozen=True)
class Mixed:
    campaign: Campaign
    headline: str
    label: str


@pytest.fixture
def mixed(db_session: Session) -> Mixed:
    """A ward's counter campaign rated at the counter and on keyed-in paper forms."""
    rng = np.random.default_rng(19)
    campaign, point = make_counter_campaign(db_session)
    code = make_code(db_session, campaign, kind="standing", service_point=point)
    for number in range(COUNTER_RATINGS):
        answers = {"overall": str(rng.integers(2, 6))}
        submission = Submission(code.token, unique("s"), answers)
        record_response(db_session, submission, SPRING + timedelta(hours=number))
    for number in range(PAPER_FORMS):
        answers = {"overall": str(rng.integers(1, 5))}
        when = SPRING + timedelta(days=1, hours=number)
        record_on_paper(db_session, campaign, answers, when)
    db_session.commit()
    questionnaire = definition_of(campaign.questionnaire)
    headline = headline_score(questionnaire)
    (label,) = [d.label["vi"] for d in questionnaire.scoring.dimensions[:1]]
    return Mixed(campaign, headline, label)


def expected(db_session: Session, mixed: Mixed) -> dict[str | None, dict]:
    """The headline per channel and together, from the tallies themselves."""
    tallies = tally_frame(db_session, mixed.campaign.id, by=("channel",))
    tallies = tallies[tallies["item"] == mixed.headline]
    per = summary_from_tallies(tallies, "channel").set_index("channel")
    together = summary_from_tallies(tallies, None).iloc[0]
    return {
        channel: (per.loc[channel] if channel else together)[list(COLUMNS)].to_dict()
        for channel in ROWS.values()
    }


def cells(figures: dict) -> list[str]:
    return [str(figures["n"])] + [shown(figures[c], c) for c in COLUMNS[1:]]


def row_cells(body: str, label: str) -> list[list[str]]:
    """The cells of every table row headed ``label`` on the page."""
    rows = re.findall(rf'<th scope="row">{re.escape(label)}</th>(.*?)</tr>', body, re.S)
    return [re.findall(r"<td>(.*?)</td>", row)[: len(COLUMNS)] for row in rows]


def test_the_dashboard_shows_each_channel_and_all_together(
    app: Flask, db_session: Session, mixed: Mixed
) -> None:
    client = client_as(app, db_session, mixed.campaign.unit, Role.UNIT_MANAGER)
    query = {"campaign": mixed.campaign.key, "period": "2026"}
    body = client.get("/staff/dashboard", query_string=query).get_data(as_text=True)
    assert 'id="by-channel"' in body
    figures = expected(db_session, mixed)
    for label, channel in ROWS.items():
        found = row_cells(body, label)
        # Drawn, then tabled: both rows give its n and its interval.
        assert found and all(row == cells(figures[channel]) for row in found)
    assert figures["counter"]["n"] == COUNTER_RATINGS
    assert figures["paper"]["n"] == PAPER_FORMS
    # All channels together is the unfiltered dashboard's own headline row
    # (in the dimensions' table; the index's table names it too).
    assert cells(figures[None]) in row_cells(body, mixed.label)
    assert f'id="count-responses">{COUNTER_RATINGS + PAPER_FORMS}<' in body
    # Paper's 25 forms are fewer than publication needs: the warning says so.
    assert f"Lưu ý: có kết quả dựa trên dưới {MIN_PUBLISH} phiếu" in body


def test_the_dashboard_filtered_to_paper_shows_the_paper_row(
    app: Flask, db_session: Session, mixed: Mixed
) -> None:
    client = client_as(app, db_session, mixed.campaign.unit, Role.UNIT_MANAGER)
    query = {"campaign": mixed.campaign.key, "period": "2026", "channel": "paper"}
    body = client.get("/staff/dashboard", query_string=query).get_data(as_text=True)
    assert '<option selected value="paper">Phiếu giấy</option>' in body
    assert f'id="count-responses">{PAPER_FORMS}<' in body
    figures = expected(db_session, mixed)
    assert cells(figures["paper"]) in row_cells(body, mixed.label)
    # The table by channel still compares every channel.
    assert row_cells(body, "Tại quầy")[0] == cells(figures["counter"])
    # Downloads keep the channel; the exports of responses list every one.
    assert "channel=paper" in body
    assert 'name="channel" value="paper"' not in body


def test_a_channel_without_responses_is_not_found(
    app: Flask, db_session: Session, mixed: Mixed
) -> None:
    client = client_as(app, db_session, mixed.campaign.unit, Role.UNIT_MANAGER)
    for channel in ("dossier", "carrier-pigeon"):
        query = {"campaign": mixed.campaign.key, "channel": channel}
        assert client.get("/staff/dashboard", query_string=query).status_code == 404


def test_the_reports_print_the_table_by_channel(
    app: Flask, db_session: Session, mixed: Mixed
) -> None:
    client = client_as(app, db_session, mixed.campaign.unit, Role.UNIT_MANAGER)
    query = {"campaign": mixed.campaign.key, "period": "2026"}
    base = f"/staff/reports/units/{mixed.campaign.unit.code}/unit"
    figures = expected(db_session, mixed)
    book = load_workbook(
        io.BytesIO(client.get(f"{base}.xlsx", query_string=query).data)
    )
    rows = {r[0]: r for r in book["Theo kênh"].iter_rows(values_only=True)}
    for label, channel in ROWS.items():
        n, mean, low, high = rows[label][1:5]
        assert n == figures[channel]["n"]
        assert (mean, low, high) == pytest.approx(
            tuple(figures[channel][c] for c in ("mean", "mean_low", "mean_high"))
        )
    assert rows["Phiếu giấy"][8].startswith(f"Dưới {MIN_PUBLISH} phiếu")
    pdf = client.get(f"{base}.pdf", query_string=query).get_data()
    strings = [text for page in read_pages(pdf) for text in page.strings]
    # The label wraps in its narrow column: "Phiếu", then "giấy".
    assert strings[strings.index("giấy") - 1] == "Phiếu"
    after = strings[strings.index("giấy") + 1 :]
    assert after[:4] == cells(figures["paper"])[:4]
    # A report of one channel says which, and counts only its responses.
    paper = client.get(f"{base}.xlsx", query_string=query | {"channel": "paper"})
    summary = dict(
        load_workbook(io.BytesIO(paper.data))["Tổng hợp"].iter_rows(values_only=True)
    )
    assert summary["Kênh"] == "Phiếu giấy"
    assert summary["Số phiếu hợp lệ"] == PAPER_FORMS
    recorded = db_session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "export")
    ).all()
    assert [d.get("channel") for d in recorded] == [None, None, "paper"]


def test_the_district_shows_its_units_by_channel_and_together(
    app: Flask, db_session: Session, mixed: Mixed
) -> None:
    district = make_unit(db_session, kind=UnitKind.DISTRICT)
    mixed.campaign.unit.parent = district
    db_session.commit()
    client = client_as(app, db_session, district, Role.DISTRICT)
    query = {"campaign": mixed.campaign.key, "period": "2026"}
    body = client.get("/staff/dashboard", query_string=query).get_data(as_text=True)
    figures = expected(db_session, mixed)
    for label, channel in ROWS.items():
        assert row_cells(body, label)[0] == cells(figures[channel])
    base = f"/staff/reports/units/{district.code}/district.xlsx"
    book = load_workbook(io.BytesIO(client.get(base, query_string=query).data))
    rows = {r[0]: r for r in book["Theo kênh"].iter_rows(values_only=True)}
    assert [rows[label][1] for label in ROWS] == [50, 25, 75]


def test_a_report_of_one_channel_computes_its_index_from_that_channel_alone(
    app: Flask, db_session: Session
) -> None:
    """An index of several items is computed on each respondent's answers (read
    from the responses, not the tallies): of one channel's respondents too."""
    rng = np.random.default_rng(4)
    campaign, _ = make_counter_campaign(db_session, template="ddci", mode="invitation")
    for number in range(2 * MIN_INTERVAL):
        code = make_code(db_session, campaign)
        submission = Submission(code.token, unique("s"), ddci_answers(rng))
        record_response(db_session, submission, SPRING + timedelta(hours=number))
    for number in range(MIN_INTERVAL):
        when = SPRING + timedelta(days=1, hours=number)
        record_on_paper(db_session, campaign, ddci_answers(rng), when)
    db_session.commit()
    questionnaire = definition_of(campaign.questionnaire)
    mapping = analysis_scoring(questionnaire)
    with app.test_request_context():
        report = unit_report(db_session, campaign.unit, campaign, None, channel="paper")
    paper = response_frame(
        db_session, campaign.id, list(mapping["items"]), channel="paper"
    )
    assert len(paper) == MIN_INTERVAL
    expected = ddci_index(paper, mapping)
    assert report.index["n"].tolist() == expected["n"].tolist()
    assert report.index["estimate"].to_numpy() == pytest.approx(
        expected["estimate"].to_numpy()
    )


def test_the_channels_are_named_in_the_reports_language(
    app: Flask, db_session: Session, mixed: Mixed
) -> None:
    campaign = mixed.campaign
    with app.test_request_context(headers={"Accept-Language": "vi"}):
        report = unit_report(db_session, campaign.unit, campaign, None, language="en")
    assert report.channels["label"].tolist() == [
        "At a counter",
        "Paper form",
        "All channels",
    ]
