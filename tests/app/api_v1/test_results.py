"""Per-unit results at ``/api/v1``: the dashboard's numbers, n and intervals."""

from __future__ import annotations

import math

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.api.v1.shapes import UnitResults
from app.reports.data import unit_report
from surveys.cases.integration_keys import create_key
from surveys.models import Campaign, UnitKind
from tests.app.api_v1.conftest import START, bearer, make_rated_ward
from tests.builders import make_counter_campaign, make_unit, record_on_paper


@pytest.fixture
def rated(db_session: Session) -> Campaign:
    """A ward's counter campaign with 30 ratings, half of them of an official."""
    district = make_unit(db_session, kind=UnitKind.DISTRICT)
    campaign = make_rated_ward(db_session, district).campaign
    db_session.commit()
    return campaign


def key_for(db_session: Session, campaign: Campaign, *, officials: bool) -> str:
    _key, secret = create_key(
        db_session,
        None,
        campaign.unit,
        "Bảng số liệu",
        can_read=True,
        can_write=False,
        can_read_officials=officials,
    )
    db_session.commit()
    return secret


def same(a: float | None, b: float) -> bool:
    return (a is None and math.isnan(b)) or (a is not None and math.isclose(a, b))


def test_results_are_the_dashboards_numbers(
    app: Flask, client: FlaskClient, db_session: Session, rated: Campaign
) -> None:
    secret = key_for(db_session, rated, officials=True)
    answer = client.get(
        f"/api/v1/units/{rated.unit.code}/results",
        query_string={"campaign": rated.key, "period": "2026-Q2"},
        headers=bearer(secret) | {"Accept-Language": "vi"},
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    results = UnitResults.model_validate_json(answer.get_data())
    with app.test_request_context(headers={"Accept-Language": "vi"}):
        report = unit_report(
            db_session, rated.unit, rated, "2026-Q2", language="vi", with_dossiers=False
        )
    assert results.counts.responses == report.counts.responses == 30
    assert [e.label for e in results.items] == list(report.items["label"])
    for estimate, (_, row) in zip(results.items, report.items.iterrows(), strict=True):
        assert estimate.n == row["n"]
        for column in ("mean", "mean_low", "mean_high", "pct_satisfied_low"):
            assert same(getattr(estimate, column), row[column]), column
    assert "overall" in {e.item for e in results.items}
    assert results.headline == report.header.headline
    assert results.officials is not None and len(results.officials) == len(
        report.officials
    )


def test_results_by_channel_and_together(
    client: FlaskClient, db_session: Session, rated: Campaign
) -> None:
    for rating in "1122334":
        record_on_paper(db_session, rated, {"overall": rating}, START)
    db_session.commit()
    secret = key_for(db_session, rated, officials=False)

    def results(**query: str) -> UnitResults:
        answer = client.get(
            f"/api/v1/units/{rated.unit.code}/results",
            query_string={"campaign": rated.key, "period": "2026-Q2"} | query,
            headers=bearer(secret) | {"Accept-Language": "en"},
        )
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return UnitResults.model_validate_json(answer.get_data())

    together, paper = results(), results(channel="paper")
    assert together.channel is None and paper.channel == "paper"
    assert together.counts.responses == 37 and paper.counts.responses == 7
    channels = {e.channel: e for e in together.channels}
    assert list(channels) == ["counter", "paper", None]
    assert channels["paper"].label == "Paper form"
    assert [channels[c].n for c in channels] == [30, 7, 37]
    # Each channel's headline is what the results of that channel alone give.
    (headline,) = [d for d in paper.dimensions if d.item == paper.headline]
    assert headline.n == 7 and same(channels["paper"].mean, headline.mean)
    (whole,) = [d for d in together.dimensions if d.item == together.headline]
    assert same(channels[None].mean_low, whole.mean_low)
    assert paper.channels == together.channels


def test_officials_results_need_a_key_made_to_read_them(
    client: FlaskClient, db_session: Session, rated: Campaign
) -> None:
    secret = key_for(db_session, rated, officials=False)
    answer = client.get(
        f"/api/v1/units/{rated.unit.code}/results",
        query_string={"campaign": rated.key},
        headers=bearer(secret),
    )
    assert answer.status_code == 200
    assert UnitResults.model_validate_json(answer.get_data()).officials is None


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"period": "2026-Q5"},
        {"period": "2026-13-01..2026-13-02"},
        {"period": "0000"},
        {"campaign": "a\x00b"},  # PostgreSQL refuses a NUL: never a 500
    ],
)
def test_a_missing_campaign_or_a_bad_period_is_a_400(
    client: FlaskClient, db_session: Session, rated: Campaign, query: dict[str, str]
) -> None:
    secret = key_for(db_session, rated, officials=False)
    if query:
        query = {"campaign": rated.key} | query
    answer = client.get(
        f"/api/v1/units/{rated.unit.code}/results",
        query_string=query,
        headers=bearer(secret),
    )
    assert answer.status_code == 400, answer.get_data(as_text=True)


def test_a_campaign_not_covering_the_unit_is_a_404(
    client: FlaskClient, db_session: Session, rated: Campaign
) -> None:
    elsewhere, _point = make_counter_campaign(db_session)
    secret = key_for(db_session, rated, officials=False)
    answer = client.get(
        f"/api/v1/units/{rated.unit.code}/results",
        query_string={"campaign": elsewhere.key},
        headers=bearer(secret),
    )
    assert answer.status_code == 404
