"""A range of days on the dashboard and every report, and the fast reads behind them.

A range counts exactly its responses, both days included, each day in Vietnam
time; its whole quarters come from the tallies and the rest from the answers,
and the figures equal those computed from the responses themselves.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis import official_ratings, sipas_index
from app.reports.data import unit_report
from surveys.models import Answer, Campaign, Response, Role, Unit
from surveys.questionnaire.official_questions import official_item
from surveys.questionnaire.versions import definition_of
from surveys.storage.counts import monthly_counts, response_counts
from surveys.storage.frames import (
    analysis_scoring,
    period_tally_frame,
    response_frame,
    tally_frame,
)
from surveys.storage.periods import period_bounds
from surveys.storage.recording import Submission, record_response
from surveys.storage.tallies import catch_up, exclude_response
from tests.app.test_dashboard import client_as
from tests.builders import make_code, make_counter_campaign, unique

RANGE = "2026-05-01..2026-05-20"
#: Each moment (UTC) and whether it falls in RANGE (Vietnam time, UTC+7).
MOMENTS = [
    (datetime(2026, 4, 30, 16, 30, tzinfo=UTC), False),  # 23:30 on 30 April
    (datetime(2026, 4, 30, 17, 0, tzinfo=UTC), True),  # midnight, 1 May
    (datetime(2026, 5, 20, 16, 59, tzinfo=UTC), True),  # 23:59 on 20 May
    (datetime(2026, 5, 20, 17, 0, tzinfo=UTC), False),  # midnight, 21 May
    (datetime(2026, 3, 31, 23, 30, tzinfo=UTC), False),  # 06:30 on 1 April
]


@dataclass(frozen=True)
class Rated:
    """A ward's counter campaign with responses around and inside RANGE."""

    campaign_id: int
    unit_id: int
    #: The ids of the responses inside RANGE.
    inside: list[int]


@pytest.fixture
def rated(db_session: Session) -> Rated:
    rng = np.random.default_rng(5)
    campaign, point = make_counter_campaign(db_session)
    code = make_code(db_session, campaign, kind="standing", service_point=point)
    officials = sorted(official.code for official in point.officials)
    moments = list(MOMENTS)
    # Thirty more inside the range, and thirty in the quarter outside it.
    moments += [
        (datetime(2026, 5, 2, 2, tzinfo=UTC) + timedelta(hours=11 * i), True)
        for i in range(30)
    ]
    moments += [
        (datetime(2026, 6, 2, 2, tzinfo=UTC) + timedelta(hours=7 * i), False)
        for i in range(30)
    ]
    inside = []
    for number, (moment, within) in enumerate(moments):
        answers = {"overall": str(rng.integers(1, 6))}
        if number % 3:
            answers["official"] = officials[number % 2]
            answers["official_rating"] = str(rng.integers(1, 6))
        if number % 4 == 0:
            answers["comment"] = "Chờ lâu quá"
            answers["overall"] = "1"
        submission = Submission(code.token, unique("s"), answers)
        response = record_response(db_session, submission, moment)
        if within:
            inside.append(response.response_id)
    db_session.commit()
    catch_up(db_session)
    return Rated(campaign.id, campaign.unit.id, inside)


def _kept(session: Session, ids: list[int]) -> list[int]:
    return list(
        session.scalars(
            select(Response.id).where(
                Response.id.in_(ids), Response.excluded.is_(False)
            )
        )
    )


def test_a_range_counts_exactly_its_days_in_vietnam_time(
    db_session: Session, rated: Rated
) -> None:
    counts = response_counts(
        db_session,
        rated.campaign_id,
        unit_ids=[rated.unit_id],
        between=period_bounds(RANGE),
    )
    assert int(counts["n"].sum()) == len(rated.inside) == 32
    # 23:30 UTC on 31 March is 06:30 on 1 April in Vietnam.
    april_first = response_counts(
        db_session,
        rated.campaign_id,
        unit_ids=[rated.unit_id],
        between=period_bounds("2026-04-01..2026-04-01"),
    )
    assert int(april_first["n"].sum()) == 1
    march = period_bounds("2026-03-31..2026-03-31")
    assert response_counts(db_session, rated.campaign_id, between=march).empty
    months = monthly_counts(db_session, rated.campaign_id, RANGE)
    assert months.to_dict("list") == {
        "month": ["2026-05"],
        "responses": [32],
        "verified": [0],
    }


@pytest.mark.parametrize(
    "period", [RANGE, "2026-03-31..2026-07-01", "2026-04-01..2026-06-30"]
)
def test_a_ranges_tallies_equal_those_of_its_responses(
    db_session: Session, rated: Rated, period: str
) -> None:
    ours = period_tally_frame(
        db_session, rated.campaign_id, ("unit", "official"), period
    )
    frame = response_frame(
        db_session,
        rated.campaign_id,
        ["overall", "official_rating"],
        between=period_bounds(period),
    )
    for item in ("overall", "official_rating"):
        answered = frame.dropna(subset=[item])
        row = ours[(ours["item"] == item) & (ours["kind"] == "item")]
        assert row["n"].sum() == len(answered)
        assert row["total"].sum() == pytest.approx(answered[item].sum())
        assert row["satisfied"].sum() == (answered[item] >= 4).sum()
    if period == "2026-04-01..2026-06-30":  # a whole quarter: the tallies alone
        whole = tally_frame(
            db_session, rated.campaign_id, ("unit", "official"), periods=["2026-Q2"]
        )
        pd.testing.assert_frame_equal(
            ours.sort_values(list(ours.columns[:4])).reset_index(drop=True),
            whole.sort_values(list(whole.columns[:4])).reset_index(drop=True),
            check_dtype=False,
        )


def test_the_report_of_a_range_equals_the_computation_on_its_responses(
    db_session: Session, rated: Rated
) -> None:
    campaign = db_session.get(Campaign, rated.campaign_id)
    unit = db_session.get(Unit, rated.unit_id)
    # The range's latest response (23:59 on 20 May) is set aside: it leaves
    # every figure but the count, and the report is as of the one before it.
    before = unit_report(db_session, unit, campaign, RANGE).header.generated_at
    assert before == datetime(2026, 5, 20, 16, 59, tzinfo=UTC)
    excluded = db_session.get(Response, rated.inside[1])
    exclude_response(db_session, excluded, "test")
    db_session.commit()
    report = unit_report(db_session, unit, campaign, RANGE)
    assert report.header.generated_at == datetime(2026, 5, 15, 9, tzinfo=UTC)
    kept = _kept(db_session, rated.inside)
    assert report.counts.responses == len(kept) == 31
    assert report.counts.excluded == 1
    questionnaire = definition_of(campaign.questionnaire)
    mapping = analysis_scoring(questionnaire)
    frame = response_frame(
        db_session,
        campaign.id,
        ["overall", "official_rating"],
        unit_ids=[unit.id],
        between=period_bounds(RANGE),
    )
    assert sorted(frame["respondent"]) == sorted(kept)
    overall = report.items.set_index("label").iloc[0]
    assert overall["n"] == frame["overall"].notna().sum()
    assert overall["mean"] == pytest.approx(frame["overall"].mean())
    # The index from the tallies equals the one computed on each respondent.
    expected = sipas_index(frame, mapping, satisfied_min=4)
    np.testing.assert_allclose(
        report.index["estimate"].to_numpy(), expected["estimate"].to_numpy()
    )
    np.testing.assert_allclose(
        report.index[["ci_low", "ci_high"]].to_numpy(),
        expected[["ci_low", "ci_high"]].to_numpy(),
    )
    # The officials from counts grouped in the database equal the model on rows.
    item = official_item(questionnaire)
    rows = official_ratings(frame.dropna(subset=[item, "official"]), rating=item)
    assert sorted(report.officials["n"]) == sorted(rows["n"])
    np.testing.assert_allclose(
        np.sort(report.officials["score"].dropna()),
        np.sort(rows.loc[rows["reportable"], "score"]),
    )
    # Every commented response rated 1: each one kept in the range is listed.
    assert sorted(report.comments["respondent"]) == sorted(_commented(db_session, kept))


def _commented(session: Session, ids: list[int]) -> set[int]:
    return set(
        session.scalars(
            select(Answer.response_id).where(
                Answer.response_id.in_(ids), Answer.question == "comment"
            )
        )
    )


def test_the_dashboard_and_its_downloads_keep_the_range(
    app: Flask, db_session: Session, rated: Rated
) -> None:
    campaign = db_session.get(Campaign, rated.campaign_id)
    unit = db_session.get(Unit, rated.unit_id)
    client = client_as(app, db_session, unit, Role.UNIT_MANAGER)
    query = {
        "campaign": campaign.key,
        "period": "2026",
        "date_from": "2026-05-01",
        "date_to": "2026-05-20",
    }
    body = client.get("/staff/dashboard", query_string=query).get_data(as_text=True)
    assert 'id="count-responses">32<' in body
    assert 'name="date_from" type="date" value="2026-05-01"' in body
    assert "date_from=2026-05-01&amp;date_to=2026-05-20" in body
    base = f"/staff/reports/units/{unit.code}/unit"
    book = load_workbook(
        io.BytesIO(client.get(f"{base}.xlsx", query_string=query).data)
    )
    cells = [c for row in book.worksheets[0].iter_rows(values_only=True) for c in row]
    assert "Từ ngày 01/05/2026 đến ngày 20/05/2026" in cells
    lines = client.get(f"{base}.csv", query_string=query).get_data(as_text=True)
    assert len(lines.strip().splitlines()) == 1 + 32
    # Half a range, or one ending before it starts: the dashboard says why and
    # shows the year; a download of it is not found.
    for wrong, reason in (
        ({"date_to": ""}, "Hãy chọn cả hai ngày."),
        ({"date_from": "2026-05-21"}, "Ngày cuối phải sau hoặc trùng ngày đầu."),
    ):
        page = client.get("/staff/dashboard", query_string=query | wrong)
        assert reason in page.get_data(as_text=True)
        assert 'id="count-responses">65<' in page.get_data(as_text=True)
        download = client.get(f"{base}.pdf", query_string=query | wrong)
        assert download.status_code == 404
