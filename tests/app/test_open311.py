"""The Open311 GeoReport v2 endpoint, held to docs/cases-design.md §1's field lists.

Every answer, JSON and XML alike, goes through ``check``: its keys are among
the spec's, the required ones are there, enums and dates are as the spec says,
lists are bare arrays, ids and codes are strings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from xml.etree import ElementTree

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from surveys.cases.events import history
from surveys.cases.integration_keys import create_key, revoke_key
from surveys.cases.workflow import Action, Step, apply
from surveys.models import (
    CaseCategory,
    CaseContact,
    FeedbackCase,
    IntegrationKey,
    Role,
    Unit,
    UnitKind,
    utcnow,
)
from tests.builders import make_case, make_category, make_unit, make_user

# -- the contract (§1.2), as a validator -------------------------------------------

DISCOVERY = {"changeset", "contact", "key_service", "endpoints"}
ENDPOINT = {"specification", "url", "changeset", "type", "formats"}
SERVICE = {
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
}
SERVICE_REQUIRED = {"service_code", "service_name", "metadata", "type"}
DEFINITION = {"service_code", "attributes"}
REQUEST = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}
REQUEST_REQUIRED = {
    "service_request_id",
    "status",
    "service_code",
    "requested_datetime",
}
FILED = {"service_request_id", "token", "service_notice", "account_id"}
DATES = {"requested_datetime", "updated_datetime", "expected_datetime", "changeset"}
#: Each root element and the element of its items (None: one object).
ROOTS = {
    "discovery": None,
    "services": "service",
    "service_definition": None,
    "service_requests": "request",
    "errors": "error",
}


def keys_ok(found: dict[str, Any], allowed: set[str], required: set[str]) -> None:
    assert set(found) <= allowed, set(found) - allowed
    assert required <= set(found), required - set(found)
    for name, value in found.items():
        if name in DATES and value is not None:
            assert datetime.fromisoformat(value).tzinfo is not None, value


def check_discovery(document: Any) -> None:
    assert isinstance(document, dict)
    keys_ok(document, DISCOVERY, DISCOVERY)
    for endpoint in document["endpoints"]:
        keys_ok(endpoint, ENDPOINT, ENDPOINT)
        assert endpoint["type"] in {"production", "test"}
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert set(endpoint["formats"]) == {"text/xml", "application/json"}


def check_services(listed: Any) -> None:
    assert isinstance(listed, list)
    for service in listed:
        keys_ok(service, SERVICE, SERVICE_REQUIRED)
        assert isinstance(service["service_code"], str)
        assert service["metadata"] in {False, "false"}
        assert service["type"] in {"realtime", "batch", "blackbox"}


def check_definition(document: Any) -> None:
    assert isinstance(document, dict)
    keys_ok(document, DEFINITION, DEFINITION)
    assert isinstance(document["service_code"], str)
    assert document["attributes"] in ([], None)


def check_requests(listed: Any) -> None:
    assert isinstance(listed, list)
    for request in listed:
        keys_ok(request, REQUEST, REQUEST_REQUIRED)
        assert isinstance(request["service_request_id"], str)
        assert isinstance(request["service_code"], str)
        assert request["status"] in {"open", "closed"}
        assert len(request.get("description") or "") <= 4000
        for name in ("lat", "long"):
            if name in request:
                float(request[name])


def check_filed(listed: Any) -> None:
    assert isinstance(listed, list) and len(listed) == 1
    keys_ok(listed[0], FILED, {"service_request_id"})
    assert isinstance(listed[0]["service_request_id"], str)


def check_errors(listed: Any, status: int) -> None:
    assert isinstance(listed, list) and listed
    for error in listed:
        assert set(error) == {"code", "description"}
        assert int(error["code"]) == status
        assert error["description"]


CHECKS = {
    "discovery": check_discovery,
    "services": check_services,
    "service_definition": check_definition,
    "service_requests": check_requests,
    "errors": lambda listed: check_errors(listed, int(listed[0]["code"])),
}


def _from_element(element: ElementTree.Element) -> Any:
    """Read an element back as the JSON it stands for (texts stay strings)."""
    children = list(element)
    if not children:
        return element.text
    tags = {child.tag for child in children}
    if (len(tags) == 1 and len(children) > 1) or element.tag in LISTS:
        return [_from_element(child) for child in children]
    return {child.tag: _from_element(child) for child in children}


#: Elements that hold lists even with one item.
LISTS = {"endpoints", "formats", "attributes", "services", "service_requests", "errors"}


def parsed_xml(answer: TestResponse) -> tuple[str, Any]:
    """Return an XML answer's root element name and its content, as JSON would be."""
    text = answer.get_data(as_text=True)
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    assert answer.content_type == "text/xml; charset=utf-8"
    root = ElementTree.fromstring(answer.get_data())
    value = _from_element(root)
    if root.tag in LISTS and value is None:
        value = []
    if ROOTS[root.tag] is not None:
        assert all(child.tag == ROOTS[root.tag] for child in root)
    return root.tag, value


def parsed_json(answer: TestResponse) -> Any:
    assert answer.content_type == "application/json; charset=utf-8"
    return json.loads(answer.get_data(as_text=True))


def fetched(
    client: FlaskClient, path: str, root: str, status: int = 200, **options: Any
) -> Any:
    """Fetch ``path`` as JSON and as XML; check both; return the JSON."""
    method = options.pop("method", "GET")
    answers = {}
    for fmt in ("json", "xml"):
        answer = client.open(f"/open311/v2/{path}.{fmt}", method=method, **options)
        assert answer.status_code == status, answer.get_data(as_text=True)
        answers[fmt] = answer
    document = parsed_json(answers["json"])
    tag, from_xml = parsed_xml(answers["xml"])
    assert tag == root
    CHECKS[root](document)
    CHECKS[root](from_xml)
    return document


def refused(client: FlaskClient, path: str, status: int, **options: Any) -> Any:
    return fetched(client, path, "errors", status, **options)


# -- the district: two wards, their keys and cases ----------------------------------


@dataclass
class Ward:
    unit: Unit
    category: CaseCategory
    key: str
    case: FeedbackCase


@dataclass
class District:
    unit: Unit
    a: Ward
    b: Ward
    read_only: str
    revoked: str
    consented: str


def _key(
    session: Session, unit: Unit, name: str, **rights: Any
) -> tuple[IntegrationKey, str]:
    values = {"can_read": True, "can_write": True} | rights
    return create_key(session, None, unit, name, **values)


def _ward(session: Session, district: Unit, letter: str) -> Ward:
    unit = make_unit(session, district, name=f"Phường {letter}")
    category = make_category(
        session, default_unit_id=unit.id, group="Hạ tầng", keywords="đường,đèn"
    )
    case = make_case(session, unit, category, text=f"Đèn đường hỏng ở phường {letter}")
    return Ward(unit, category, _key(session, unit, f"App {letter}")[1], case)


@pytest.fixture
def district(db_session: Session) -> District:
    unit = make_unit(db_session, name="Quận Một", kind=UnitKind.DISTRICT)
    a, b = _ward(db_session, unit, "A"), _ward(db_session, unit, "B")
    read_only = _key(db_session, a.unit, "Bảng số liệu", can_write=False)[1]
    revoked, revoked_secret = _key(db_session, a.unit, "Cũ")
    revoke_key(db_session, None, revoked)
    consented = _key(db_session, a.unit, "Tổng đài", contact_consent=True)[1]
    db_session.commit()
    return District(unit, a, b, read_only, revoked_secret, consented)


def case_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(FeedbackCase)) or 0


# -- discovery and services -----------------------------------------------------


def test_discovery_names_the_endpoint_in_both_formats(client: FlaskClient) -> None:
    document = fetched(client, "discovery", "discovery")
    assert document["endpoints"][0]["url"] == "http://localhost/open311/v2/"


def test_services_list_only_public_active_categories(
    client: FlaskClient, db_session: Session, district: District
) -> None:
    make_category(db_session, code="staff-only", public=False)
    make_category(db_session, code="stopped", active=False)
    db_session.commit()
    listed = fetched(client, "services", "services")
    codes = {service["service_code"] for service in listed}
    assert {district.a.category.code, district.b.category.code} <= codes
    assert not codes & {"staff-only", "stopped"}
    mine = next(s for s in listed if s["service_code"] == district.a.category.code)
    assert mine["metadata"] is False and mine["type"] == "realtime"
    assert mine["group"] == "Hạ tầng" and mine["keywords"] == "đường,đèn"


def test_service_definition_has_no_attributes_and_unknown_is_404(
    client: FlaskClient, district: District
) -> None:
    code = district.a.category.code
    assert fetched(client, f"services/{code}", "service_definition") == {
        "service_code": code,
        "attributes": [],
    }
    refused(client, "services/no-such-service", 404)


def test_unknown_resources_and_tokens_are_404_error_lists(client: FlaskClient) -> None:
    refused(client, "tokens/12345", 404)
    refused(client, "nothing/here", 404)


# -- filing a request -------------------------------------------------------------


def post(district: District, key: str | None, **fields: str) -> dict[str, Any]:
    form = {"service_code": district.a.category.code, "description": "Ổ gà"} | fields
    if key is not None:
        form["api_key"] = key
    return {"method": "POST", "data": form}


def read(key: str | None, **args: str) -> dict[str, Any]:
    return {"query_string": ({"api_key": key} if key else {}) | args}


def filed(
    client: FlaskClient, session: Session, district: District, key: str, **fields: str
) -> FeedbackCase:
    """Post a request in JSON; check the answer; return the case it stored."""
    answer = client.post(
        "/open311/v2/requests.json", data=post(district, key, **fields)["data"]
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    listed = parsed_json(answer)
    check_filed(listed)
    code = listed[0]["service_request_id"]
    case = session.scalar(
        select(FeedbackCase).where(FeedbackCase.tracking_code == code)
    )
    assert case is not None
    return case


@pytest.mark.parametrize("which", ["none", "wrong", "revoked", "read_only"])
def test_a_post_without_a_writing_key_is_403_and_stores_nothing(
    client: FlaskClient, db_session: Session, district: District, which: str
) -> None:
    key = {
        "none": None,
        "wrong": "not-a-key",
        "revoked": district.revoked,
        "read_only": district.read_only,
    }[which]
    before = case_count(db_session)
    refused(client, "requests", 403, **post(district, key))
    assert case_count(db_session) == before


def test_a_post_files_a_case_of_the_keys_unit(
    client: FlaskClient, db_session: Session, district: District
) -> None:
    fields = {"address_string": "12 Lê Lợi", "lat": "10.77", "long": "106.70"}
    fields["media_url"] = "http://192.168.0.1/photo.jpg"
    case = filed(client, db_session, district, district.a.key, **fields)
    assert (case.unit_id, case.channel) == (district.a.unit.id, "api")
    assert case.text == "Ổ gà"
    assert (case.address_text, case.lat, case.long) == ("12 Lê Lợi", 10.77, 106.70)
    assert case.integration_key_id is not None
    assert [event.actor for event in history(db_session, case.id)] == ["integration"]
    # No consent collected by this key's owner: no contact kept.
    assert db_session.get(CaseContact, case.id) is None


def test_a_post_in_xml_answers_the_tracking_code(
    client: FlaskClient, db_session: Session, district: District
) -> None:
    answer = client.post(
        "/open311/v2/requests.xml", data=post(district, district.a.key)["data"]
    )
    tag, listed = parsed_xml(answer)
    assert tag == "service_requests"
    check_filed(listed)
    assert listed[0]["service_request_id"].startswith("PA-")


def test_the_key_may_come_in_a_header(
    client: FlaskClient, db_session: Session, district: District
) -> None:
    answer = client.post(
        "/open311/v2/requests.json",
        data=post(district, None)["data"],
        headers={"X-Api-Key": district.a.key},
    )
    assert answer.status_code == 200
    check_filed(parsed_json(answer))


def test_html_and_formulas_are_kept_as_plain_text(
    client: FlaskClient, db_session: Session, district: District
) -> None:
    text = '=HYPERLINK("http://x")<script>alert(1)</script>\n<b>đậm</b>'
    case = filed(client, db_session, district, district.a.key, description=text)
    assert case.text == text
    listed = fetched(
        client,
        f"requests/{case.tracking_code}",
        "service_requests",
        query_string={"api_key": district.a.key},
    )
    assert listed[0]["description"] == text


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"service_code": ""}, 400),
        ({"service_code": "no-such-service"}, 404),
        ({"description": "   "}, 400),
        ({"description": "x" * 4001}, 400),
        ({"lat": "north"}, 400),
        ({"lat": "10.7"}, 400),
        ({"jurisdiction_id": "no-such-unit"}, 404),
    ],
)
def test_a_bad_post_is_refused_and_stores_nothing(
    client: FlaskClient,
    db_session: Session,
    district: District,
    fields: dict[str, str],
    status: int,
) -> None:
    before = case_count(db_session)
    refused(client, "requests", status, **post(district, district.a.key, **fields))
    assert case_count(db_session) == before


def test_a_body_too_large_or_with_a_nul_is_refused_before_anything_is_read(
    client: FlaskClient, db_session: Session, district: District
) -> None:
    before = case_count(db_session)
    refused(
        client, "requests", 413, **post(district, district.a.key, long="1" * 70_000)
    )
    refused(
        client, "requests", 400, **post(district, district.a.key, description="a\x00")
    )
    assert case_count(db_session) == before


def test_a_ward_key_cannot_file_for_another_ward(
    client: FlaskClient, db_session: Session, district: District
) -> None:
    before = case_count(db_session)
    # Ward B's service goes to ward B by default: out of ward A's key's reach.
    other = post(district, district.a.key, service_code=district.b.category.code)
    refused(client, "requests", 403, **other)
    # Naming ward B as the jurisdiction is no way round it.
    named = post(district, district.a.key, jurisdiction_id=district.b.unit.code)
    refused(client, "requests", 404, **named)
    assert case_count(db_session) == before


def test_a_district_service_is_filed_for_the_ward_the_key_names(
    client: FlaskClient, db_session: Session, district: District
) -> None:
    shared = make_category(db_session, default_unit_id=district.unit.id)
    db_session.commit()
    fields = {"service_code": shared.code}
    refused(client, "requests", 403, **post(district, district.a.key, **fields))
    fields["jurisdiction_id"] = district.a.unit.code
    case = filed(client, db_session, district, district.a.key, **fields)
    assert case.unit_id == district.a.unit.id


def test_contact_is_kept_only_when_the_key_has_consent(
    client: FlaskClient, db_session: Session, district: District
) -> None:
    contact = {
        "first_name": "Lan",
        "last_name": "Nguyễn",
        "phone": "0901234567",
        "email": "lan@example.vn",
    }
    cases = [
        filed(client, db_session, district, key, **contact)
        for key in (district.a.key, district.consented)
    ]
    assert db_session.get(CaseContact, cases[0].id) is None
    kept = db_session.get(CaseContact, cases[1].id)
    assert kept is not None
    assert (kept.name, kept.phone, kept.email) == (
        "Lan Nguyễn",
        "0901234567",
        "lan@example.vn",
    )
    # Kept as the web form's contacts are: while the case is open, at most two
    # years (then 90 days after its resolution, by the purge's rules).
    assert kept.purge_after == cases[1].received_at + timedelta(days=730)
    # A malformed phone number is refused, and then nothing is stored.
    before = db_session.scalar(select(func.count()).select_from(FeedbackCase))
    refused = client.post(
        "/open311/v2/requests.json",
        data=post(district, district.consented, phone="gọi tôi")["data"],
    )
    assert refused.status_code == 400
    db_session.expire_all()
    after = db_session.scalar(select(func.count()).select_from(FeedbackCase))
    assert after == before
    # Never given back over the API.
    listed = fetched(
        client,
        "requests",
        "service_requests",
        **read(district.a.key, service_request_id=cases[1].tracking_code),
    )
    assert "0901234567" not in json.dumps(listed, ensure_ascii=False)
    assert "lan@example.vn" not in json.dumps(listed, ensure_ascii=False)


# -- reading requests -------------------------------------------------------------


def test_reading_needs_a_reading_key(
    client: FlaskClient, db_session: Session, district: District
) -> None:
    refused(client, "requests", 403, **read(None))
    refused(client, "requests", 403, **read(district.revoked))
    write_only = _key(db_session, district.a.unit, "Ghi", can_read=False)[1]
    db_session.commit()
    refused(client, "requests", 403, **read(write_only))
    code = district.a.case.tracking_code
    refused(client, f"requests/{code}", 403, **read(None))


def test_a_ward_key_reads_only_its_wards_cases(
    client: FlaskClient, district: District
) -> None:
    listed = fetched(client, "requests", "service_requests", **read(district.a.key))
    assert [r["service_request_id"] for r in listed] == [district.a.case.tracking_code]
    one = fetched(
        client,
        f"requests/{district.a.case.tracking_code}",
        "service_requests",
        **read(district.a.key),
    )
    assert one == listed
    assert one[0]["agency_responsible"] == "Phường A"
    assert one[0]["status"] == "open"
    assert "status_notes" not in one[0]
    # Ward B's case is not found, by its code nor in a list of ids.
    refused(
        client, f"requests/{district.b.case.tracking_code}", 404, **read(district.a.key)
    )
    ids = f"{district.a.case.tracking_code},{district.b.case.tracking_code}"
    by_ids = fetched(
        client,
        "requests",
        "service_requests",
        **read(district.a.key, service_request_id=ids),
    )
    assert [r["service_request_id"] for r in by_ids] == [district.a.case.tracking_code]


def test_a_district_key_reads_every_ward(
    client: FlaskClient, db_session: Session, district: District
) -> None:
    key = _key(db_session, district.unit, "Quận", can_write=False)[1]
    db_session.commit()
    listed = fetched(client, "requests", "service_requests", **read(key))
    codes = {r["service_request_id"] for r in listed}
    assert codes == {district.a.case.tracking_code, district.b.case.tracking_code}


def test_a_rejected_case_is_closed_with_its_reason(
    client: FlaskClient, db_session: Session, district: District
) -> None:
    manager = make_user(db_session, district.a.unit, Role.UNIT_MANAGER)
    step = Step(text="Không thuộc thẩm quyền của phường.")
    apply(db_session, district.a.case, Action.REJECT, manager, step)
    db_session.commit()
    args = read(district.a.key, status="closed")
    (request,) = fetched(client, "requests", "service_requests", **args)
    assert request["status"] == "closed"
    assert request["status_notes"] == "Không thuộc thẩm quyền của phường."
    assert (
        fetched(
            client,
            "requests",
            "service_requests",
            **read(district.a.key, status="open"),
        )
        == []
    )


def test_requests_filter_by_service_and_dates(
    client: FlaskClient, db_session: Session, district: District
) -> None:
    old = make_case(
        db_session,
        district.a.unit,
        district.a.category,
        received=utcnow() - timedelta(days=120),
    )
    db_session.commit()
    recent = fetched(client, "requests", "service_requests", **read(district.a.key))
    assert old.tracking_code not in {r["service_request_id"] for r in recent}
    start = (utcnow() - timedelta(days=130)).isoformat()
    end = (utcnow() - timedelta(days=100)).isoformat()
    then = fetched(
        client,
        "requests",
        "service_requests",
        **read(district.a.key, start_date=start, end_date=end),
    )
    assert [r["service_request_id"] for r in then] == [old.tracking_code]
    other = read(district.a.key, service_code=district.b.category.code)
    assert fetched(client, "requests", "service_requests", **other) == []


@pytest.mark.parametrize(
    "args",
    [
        {"start_date": "2026-01-01T00:00:00+07:00", "end_date": "2026-05-01T00:00:00Z"},
        {"start_date": "2026-01-01T00:00:00"},
        {"end_date": "yesterday"},
        {"start_date": "2026-03-01T00:00:00Z", "end_date": "2026-02-01T00:00:00Z"},
        {"end_date": "0001-01-01T00:00:00Z"},
        {"status": "pending"},
        {"page": "0"},
        {"page_size": "many"},
    ],
)
def test_bad_query_arguments_are_400(
    client: FlaskClient, district: District, args: dict[str, str]
) -> None:
    refused(client, "requests", 400, **read(district.a.key, **args))


# -- rate limits ----------------------------------------------------------------------


def test_a_flooding_key_gets_429_error_lists(
    client: FlaskClient, db_session: Session, district: District
) -> None:
    key = _key(db_session, district.a.unit, "Vội", rate_limit="3/minute")[1]
    db_session.commit()
    for _ in range(3):
        assert client.get("/open311/v2/requests.json", **read(key)).status_code == 200
    answer = client.get("/open311/v2/requests.json", **read(key))
    assert answer.status_code == 429
    check_errors(parsed_json(answer), 429)
    before = case_count(db_session)
    flooded = client.post("/open311/v2/requests.xml", data=post(district, key)["data"])
    assert flooded.status_code == 429
    tag, listed = parsed_xml(flooded)
    assert tag == "errors"
    check_errors(listed, 429)
    assert case_count(db_session) == before
    # Another key is counted apart.
    other = client.get("/open311/v2/requests.json", **read(district.a.key))
    assert other.status_code == 200


def test_a_flooding_address_gets_429_on_open_resources(
    app: Flask, client: FlaskClient
) -> None:
    app.config["OPEN311_LIMIT_ADDRESS"] = "2/minute"
    for _ in range(2):
        assert client.get("/open311/v2/services.json").status_code == 200
    answer = client.get("/open311/v2/services.json")
    assert answer.status_code == 429
    check_errors(parsed_json(answer), 429)
