"""What a key reads at ``/api/v1``: its unit and below, never another ward, page
by page with every row once."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session, object_session

from app.api.v1.blueprint import OPERATIONS
from app.api.v1.openapi import UNDOCUMENTED
from app.api.v1.shapes import (
    CampaignOut,
    CampaignPage,
    CounterOut,
    CounterPage,
    OfficialPage,
    QuestionnaireDefinition,
    QuestionnairePage,
    UnitOut,
    UnitPage,
)
from surveys.cases.integration_keys import create_key
from tests.app.api_v1.conftest import Ward, bearer
from tests.builders import make_unit, new_response

#: How each path parameter of an ``/api/v1`` route is filled from a ward.
PARAMETERS: dict[str, Callable[[Ward], object]] = {
    "unit_code": lambda ward: ward.unit.code,
    "service_point_code": lambda ward: ward.point.code,
    "campaign_key": lambda ward: ward.campaign.key,
    "questionnaire_key": lambda ward: ward.campaign.questionnaire.key,
    "version": lambda ward: ward.campaign.questionnaire.version,
    "token": lambda ward: ward.code.token,
    "dossier_id": lambda ward: ward.dossier.id,
    "case_id": lambda ward: ward.case.id,
    "response_id": lambda ward: a_response(ward),
}


def a_response(ward: Ward) -> int:
    """Store a response to the ward's campaign; return its id."""
    session = object_session(ward.unit)
    assert session is not None
    response = new_response(ward.campaign)
    session.add(response)
    session.commit()
    return response.id


#: How each required query parameter is filled from a ward.
QUERY: dict[str, Callable[[Ward], object]] = {
    "campaign": lambda ward: ward.campaign.key,
}


def api_routes(app: Flask) -> list[tuple[str, frozenset[str]]]:
    """Every documented ``/api/v1`` route that reads and takes parameters, and
    their names (those of its path and the required ones of its query)."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api_v1.") or rule.endpoint in UNDOCUMENTED:
            continue
        if "GET" not in (rule.methods or ()):
            continue
        query = OPERATIONS[rule.endpoint].query
        required = {
            name
            for name, field in (query.model_fields if query else {}).items()
            if field.is_required()
        }
        if rule.arguments:
            routes.append((rule.endpoint, frozenset(rule.arguments | required)))
    return routes


def test_every_route_with_ward_b_objects_is_a_404_to_ward_a_key(
    app: Flask, client: FlaskClient, wards: tuple[Ward, Ward], read_key: str
) -> None:
    own, other = wards
    walked = 0
    for endpoint, arguments in api_routes(app):
        fillers = PARAMETERS | QUERY
        unknown = sorted(arguments - fillers.keys())
        assert not unknown, f"{endpoint} takes {unknown}: add them to PARAMETERS"
        with app.test_request_context():
            urls = {
                ward.unit.name: url_for(
                    endpoint, **{name: fillers[name](ward) for name in arguments}
                )
                for ward in wards
            }
        mine = client.get(urls[own.unit.name], headers=bearer(read_key))
        assert mine.status_code == 200, (endpoint, mine.get_data(as_text=True))
        theirs = client.get(urls[other.unit.name], headers=bearer(read_key))
        assert theirs.status_code == 404, endpoint
        assert other.unit.name not in theirs.get_data(as_text=True)
        walked += 1
    assert walked >= 6


def test_lists_hold_the_key_units_and_nothing_of_ward_b(
    client: FlaskClient, wards: tuple[Ward, Ward], read_key: str
) -> None:
    own = wards[0]
    get = lambda path: client.get(path, headers=bearer(read_key)).get_data()  # noqa: E731
    units = UnitPage.model_validate_json(get("/api/v1/units"))
    assert {u.code for u in units.items} == {own.unit.code, own.below.code}
    parents = {u.code: u.parent_code for u in units.items}
    assert parents == {
        own.unit.code: own.unit.parent.code,
        own.below.code: own.unit.code,
    }
    counters = CounterPage.model_validate_json(get("/api/v1/counters"))
    assert counters.items == [
        CounterOut(
            code=own.point.code, name="Quầy A", unit_code=own.below.code, active=True
        )
    ]
    campaigns = CampaignPage.model_validate_json(get("/api/v1/campaigns"))
    assert [c.key for c in campaigns.items] == [own.campaign.key]
    officials = OfficialPage.model_validate_json(
        get(f"/api/v1/units/{own.unit.code}/officials")
    )
    assert [o.name for o in officials.items] == ["Cán bộ A"]
    versions = QuestionnairePage.model_validate_json(get("/api/v1/questionnaires"))
    assert [q.key for q in versions.items] == [own.campaign.questionnaire.key]
    for page in (units, counters, campaigns, officials, versions):
        assert page.next_cursor is None


def test_one_object_of_each_kind_reads_as_its_list_item(
    client: FlaskClient, wards: tuple[Ward, Ward], read_key: str
) -> None:
    own = wards[0]
    get = lambda path: client.get(path, headers=bearer(read_key)).get_data()  # noqa: E731
    unit = UnitOut.model_validate_json(get(f"/api/v1/units/{own.below.code}"))
    assert unit.parent_code == own.unit.code
    campaign = CampaignOut.model_validate_json(
        get(f"/api/v1/campaigns/{own.campaign.key}")
    )
    assert campaign.questionnaire.key == own.campaign.questionnaire.key
    assert not campaign.paused and not campaign.closed
    stored = own.campaign.questionnaire
    definition = QuestionnaireDefinition.model_validate_json(
        get(f"/api/v1/questionnaires/{stored.key}/{stored.version}")
    )
    assert definition.definition == stored.definition


def test_the_xlsform_download_is_a_workbook_of_the_version(
    client: FlaskClient, wards: tuple[Ward, Ward], read_key: str, tmp_path
) -> None:
    stored = wards[0].campaign.questionnaire
    answer = client.get(
        f"/api/v1/questionnaires/{stored.key}/{stored.version}/xlsform",
        headers=bearer(read_key),
    )
    assert answer.status_code == 200
    assert "attachment" in answer.headers["Content-Disposition"]
    path = tmp_path / "form.xlsx"
    path.write_bytes(answer.get_data())
    workbook = load_workbook(path)
    assert {"survey", "choices", "settings"} <= set(workbook.sheetnames)
    names = [
        row[1] for row in workbook["survey"].iter_rows(min_row=2, values_only=True)
    ]
    assert "overall" in names


def test_following_the_cursor_reads_every_unit_once(
    client: FlaskClient, db_session: Session, wards: tuple[Ward, Ward]
) -> None:
    own = wards[0]
    made = {make_unit(db_session, own.unit, name=f"Tổ {n}").code for n in range(7)}
    _key, secret = create_key(
        db_session, None, own.unit, "Trang", can_read=True, can_write=False
    )
    db_session.commit()
    seen: list[str] = []
    cursor = None
    for _page in range(10):
        query = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        answer = client.get("/api/v1/units", query_string=query, headers=bearer(secret))
        page = UnitPage.model_validate_json(answer.get_data())
        assert len(page.items) <= 3
        seen += [u.code for u in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == sorted(made | {own.unit.code, own.below.code})
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize(
    "query",
    [
        {"limit": "0"},
        {"limit": "201"},
        {"limit": "many"},
        {"cursor": "not a cursor"},
        {"cursor": "WyJ4Il0"},  # ["x"]: a text where the id belongs
        {"cursor": "WzEsMl0"},  # [1,2]: two values for a list of one key
    ],
)
def test_a_bad_limit_or_cursor_is_a_400_naming_it(
    client: FlaskClient, read_key: str, query: dict[str, str]
) -> None:
    answer = client.get("/api/v1/units", query_string=query, headers=bearer(read_key))
    assert answer.status_code == 400
    body = answer.get_json()
    assert [p["name"] for p in body["invalid_params"]] == list(query)


def test_officials_are_refused_to_a_key_not_made_to_read_them(
    client: FlaskClient, db_session: Session, wards: tuple[Ward, Ward]
) -> None:
    own, other = wards
    _key, secret = create_key(
        db_session, None, own.unit, "Không cán bộ", can_read=True, can_write=False
    )
    db_session.commit()
    path = "/api/v1/units/{}/officials"
    answer = client.get(path.format(own.unit.code), headers=bearer(secret))
    assert answer.status_code == 403
    assert "Cán bộ A" not in answer.get_data(as_text=True)
    # Another ward's unit stays unknown, whatever the key may read.
    answer = client.get(path.format(other.unit.code), headers=bearer(secret))
    assert answer.status_code == 404
