"""Values at the edge of what the document allows, each once a 500 that the
fuzzing (``test_fuzzing``) found: now a 404 or a 400 as documented."""

from __future__ import annotations

import re
from functools import partial

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from app.api.v1.blueprint import MAX_ROW_ID
from app.api.v1.openapi import VARIABLE
from surveys.storage.periods import period_bounds, quarters_in, tally_span
from tests.app.api_v1.conftest import Ward
from tests.app.api_v1.test_reads import PARAMETERS


@pytest.mark.parametrize("suffix", ["", "/xlsform"])
@pytest.mark.parametrize(
    "version",
    # PostgreSQL's INTEGER ends at 2**31 - 1 and SQLite's at 2**63 - 1: each
    # refused the query of a larger number (a 500).
    [MAX_ROW_ID + 1, 2**63, 10**30],
)
def test_a_version_beyond_the_databases_integers_is_a_404(
    client: FlaskClient,
    wards: tuple[Ward, Ward],
    read_key: str,
    version: int,
    suffix: str,
) -> None:
    questionnaire = wards[0].campaign.questionnaire
    answer = client.get(
        f"/api/v1/questionnaires/{questionnaire.key}/{version}{suffix}",
        headers={"Authorization": f"Bearer {read_key}"},
    )
    assert answer.status_code == 404
    assert answer.content_type.startswith("application/problem+json")


@pytest.mark.parametrize("response_id", [MAX_ROW_ID + 1, 2**63, 2**70])
def test_a_response_id_beyond_them_is_a_404_problem(
    client: FlaskClient, read_key: str, response_id: int
) -> None:
    # Was the site's HTML 404 past 2**63 - 20001 (the route's own max), and a
    # query PostgreSQL refused (a 500) from 2**31.
    answer = client.get(
        f"/api/v1/responses/{response_id}",
        headers={"Authorization": f"Bearer {read_key}"},
    )
    assert answer.status_code == 404
    assert answer.content_type.startswith("application/problem+json")


def _filled(ward: Ward, number: str, variable: re.Match[str]) -> str:
    """``number`` for an int of a path, else what the route tests fill it with."""
    if variable["converter"] == "int":
        return number
    return str(PARAMETERS[variable["name"]](ward))


def test_every_int_of_a_path_beyond_them_is_a_404_problem(
    app: Flask, client: FlaskClient, wards: tuple[Ward, Ward], read_key: str
) -> None:
    """Read from ``app.url_map``: a route added later is walked too. A route's
    own ``<int(max=...)>`` made a larger number the site's HTML 404."""
    walked = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api_v1.") or "GET" not in (rule.methods or ()):
            continue
        if not any(m["converter"] == "int" for m in VARIABLE.finditer(rule.rule)):
            continue
        for number in (MAX_ROW_ID + 1, 2**70):
            path = VARIABLE.sub(partial(_filled, wards[0], str(number)), rule.rule)
            answer = client.get(path, headers={"Authorization": f"Bearer {read_key}"})
            assert answer.status_code == 404, path
            assert answer.content_type.startswith("application/problem+json"), path
        walked += 1
    assert walked >= 4


def test_a_version_beyond_them_without_a_key_is_still_a_401(
    client: FlaskClient, wards: tuple[Ward, Ward]
) -> None:
    questionnaire = wards[0].campaign.questionnaire
    answer = client.get(f"/api/v1/questionnaires/{questionnaire.key}/{2**63}")
    assert answer.status_code == 401


def test_the_largest_version_is_looked_up_and_documented(
    client: FlaskClient, db_session: Session, wards: tuple[Ward, Ward], read_key: str
) -> None:
    questionnaire = wards[0].campaign.questionnaire
    questionnaire.version = MAX_ROW_ID
    db_session.commit()
    answer = client.get(
        f"/api/v1/questionnaires/{questionnaire.key}/{MAX_ROW_ID}",
        headers={"Authorization": f"Bearer {read_key}"},
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"][
        "/api/v1/questionnaires/{questionnaire_key}/{version}"
    ]
    (version,) = [p for p in operation["get"]["parameters"] if p["name"] == "version"]
    assert version["schema"]["maximum"] == MAX_ROW_ID


def _results(client: FlaskClient, ward: Ward, key: str, period: str) -> TestResponse:
    """Ask a ward's results in ``period``."""
    return client.get(
        f"/api/v1/units/{ward.unit.code}/results",
        query_string={"campaign": ward.campaign.key, "period": period},
        headers={"Authorization": f"Bearer {key}"},
    )


@pytest.mark.parametrize(
    "period",
    [
        # Begins before year 1 in UTC, or ends after 9999: were OverflowErrors.
        "0001-01-01..0001-01-01",
        "9999-12-31..9999-12-31",
        "0001",
        "0001-Q1",
        # Arabic-Indic digits, which \d took for 2026.
        "٢٠٢٦",
        # 8000 years of quarters read one by one: 5 s, then a 200.
        "2026-01-01..9999-12-30",
        "2026-01-01..2036-01-02",
    ],
)
def test_a_period_outside_the_calendar_is_a_400(
    client: FlaskClient, wards: tuple[Ward, Ward], read_key: str, period: str
) -> None:
    answer = _results(client, wards[0], read_key, period)
    assert answer.status_code == 400, answer.get_data(as_text=True)
    assert answer.get_json()["invalid_params"][0]["name"] == "period"


@pytest.mark.parametrize(
    "period",
    [
        # The quarter after 9999-Q4 (year 10000) was asked for its first day.
        "9999-10-01..9999-12-30",
        # Year 1's quarters were written "1-Q1", which no period parser took.
        "0001-01-02..0001-12-31",
        "2026-01-01..2036-01-01",
    ],
)
def test_a_period_at_the_calendars_ends_is_answered(
    client: FlaskClient, wards: tuple[Ward, Ward], read_key: str, period: str
) -> None:
    answer = _results(client, wards[0], read_key, period)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()["period"] == period


def test_quarters_of_year_one_are_written_with_four_digits() -> None:
    assert quarters_in("0001-03-31..0001-04-01") == ["0001-Q1", "0001-Q2"]
    assert tally_span("0001-01-01..0001-12-31") == (
        ["0001-Q1", "0001-Q2", "0001-Q3", "0001-Q4"],
        [],
    )


@pytest.mark.parametrize("period", ["0001-01-01..0001-01-01", "9999-12-31..9999-12-31"])
def test_period_bounds_refuses_a_period_it_cannot_place(period: str) -> None:
    with pytest.raises(ValueError, match="range"):
        period_bounds(period)
