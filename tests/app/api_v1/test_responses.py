"""Responses at ``/api/v1``: listed with filters and cursors, read, and sent once,
anonymised exactly as the CSV export."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from pydantic import BaseModel, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.api.v1.shapes import (
    ResponseOut,
    ResponsePage,
    ResponsesQuery,
    ResultsQuery,
    SubmissionIn,
)
from app.reports.csv import responses_csv
from surveys.cases.integration_keys import create_key
from surveys.comments.moderation import hide_comment
from surveys.exchange.dataset import RECORD_COLUMNS
from surveys.exchange.response_listing import ResponseFilter, responses_page
from surveys.models import (
    AccessCode,
    AuditEvent,
    Campaign,
    Response,
    ServicePoint,
    Unit,
    UnitKind,
    utcnow,
)
from surveys.storage.periods import days_bounds
from surveys.storage.recording import Submission, record_response
from tests.app.api_v1.conftest import bearer
from tests.builders import (
    make_code,
    make_counter_campaign,
    make_unit,
    make_user,
    record_on_paper,
    unique,
)

START = datetime(2026, 4, 6, 2, 0, tzinfo=UTC)
#: A comment a respondent typed with a phone number in it: masked on the way out.
COMMENT = "Gọi tôi 0912345678 nhé"


@dataclass
class Surveyed:
    """A ward's counter campaign with responses, and what the tests need of it."""

    campaign: Campaign
    point: ServicePoint
    below: Unit
    code: AccessCode
    ids: list[int]
    other_campaign: Campaign
    other_ids: list[int]
    other_code: AccessCode


def _send(
    session: Session, code: AccessCode, answers: dict[str, Any], when: datetime
) -> int:
    submission = Submission(code.token, unique("s"), answers)
    return record_response(session, submission, when).response_id


@pytest.fixture
def surveyed(db_session: Session) -> Surveyed:
    """Ward A: twelve responses over six days, at the counter or at a unit
    below; the third excluded, the fifth's comment hidden. Ward B: two."""
    district = make_unit(db_session, kind=UnitKind.DISTRICT)
    campaign, point = make_counter_campaign(db_session)
    campaign.unit.parent = district
    below = make_unit(db_session, campaign.unit, kind=UnitKind.SERVICE_UNIT)
    code = make_code(db_session, campaign, kind="standing", service_point=point)
    below_code = make_code(db_session, campaign, kind="standing", unit=below)
    official = sorted(o.code for o in point.officials)[0]
    ids = []
    for number in range(12):
        answers: dict[str, Any] = {"overall": str(number % 5 + 1), "comment": COMMENT}
        if number % 5 == 0:
            answers["reasons"] = ["waiting", "attitude"]
        if number % 2:
            answers |= {"official": official, "official_rating": "4"}
        sent_through = below_code if number % 4 == 3 else code
        if sent_through is below_code:
            answers = {k: v for k, v in answers.items() if "official" not in k}
        when = START + timedelta(days=number // 2, hours=number)
        ids.append(_send(db_session, sent_through, answers, when))
    db_session.get_one(Response, ids[2]).excluded = True
    manager = make_user(db_session, campaign.unit)
    hide_comment(
        db_session, db_session.get_one(Response, ids[4]), "comment", manager, "tên"
    )
    other_campaign, other_point = make_counter_campaign(db_session)
    other_campaign.unit.parent = district
    other_code = make_code(
        db_session, other_campaign, kind="standing", service_point=other_point
    )
    other_ids = [
        _send(db_session, other_code, {"overall": "3"}, START + timedelta(hours=h))
        for h in range(2)
    ]
    db_session.commit()
    return Surveyed(
        campaign, point, below, code, ids, other_campaign, other_ids, other_code
    )


def _key(
    session: Session, unit: Unit, *, officials: bool = True, write: bool = False
) -> str:
    _made, secret = create_key(
        session,
        None,
        unit,
        "Kho dữ liệu",
        can_read=True,
        can_write=write,
        can_read_officials=officials,
    )
    session.commit()
    return secret


def _walk(client: FlaskClient, secret: str, **query: Any) -> list[ResponseOut]:
    """Every response the list gives, following the cursors."""
    found: list[ResponseOut] = []
    cursor = None
    while True:
        asked = query | ({"cursor": cursor} if cursor else {})
        answer = client.get(
            "/api/v1/responses", query_string=asked, headers=bearer(secret)
        )
        assert answer.status_code == 200, answer.get_data(as_text=True)
        page = ResponsePage.model_validate_json(answer.get_data())
        found += page.items
        cursor = page.next_cursor
        if cursor is None:
            return found


def test_a_cursor_walk_returns_every_response_once(
    client: FlaskClient, db_session: Session, surveyed: Surveyed
) -> None:
    secret = _key(db_session, surveyed.campaign.unit)
    kept = [i for n, i in enumerate(surveyed.ids) if n != 2]
    walked = _walk(client, secret, campaign=surveyed.campaign.key, limit=2)
    assert [r.id for r in walked] == kept
    everything = _walk(
        client, secret, campaign=surveyed.campaign.key, limit=3, include_excluded=True
    )
    assert [r.id for r in everything] == surveyed.ids
    assert [r.excluded for r in everything].count(True) == 1


def test_a_page_walks_a_bounded_span_and_may_be_short(
    db_session: Session, surveyed: Surveyed
) -> None:
    """Over spans of two ids, ward A's responses between ward B's: pages hold
    at most two, some none, and the walk still meets every one once."""
    campaign = surveyed.campaign
    chosen = ResponseFilter(unit_ids=[campaign.unit_id, surveyed.below.id])
    found, cursor, pages = [], None, 0
    while True:
        page = responses_page(
            db_session, campaign, chosen, cursor, 5, with_officials=False, span=2
        )
        assert len(page.items) <= 2
        found += [r.id for r in page.items]
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert found == [i for n, i in enumerate(surveyed.ids) if n != 2]
    assert pages >= (max(surveyed.other_ids) - 1) // 2


@pytest.mark.parametrize("days_over", [True, False])
def test_a_walk_for_some_days_starts_and_ends_at_them(
    db_session: Session, surveyed: Surveyed, days_over: bool
) -> None:
    """Asked for the third day, a walk over spans of two ids begins at its
    first response; once the day is over, it ends at its last."""
    campaign = surveyed.campaign
    day = START.date() + timedelta(days=2)
    last = day + timedelta(days=0 if days_over else 400)
    chosen = ResponseFilter(
        unit_ids=[campaign.unit_id, surveyed.below.id], between=days_bounds(day, last)
    )
    found, cursor, pages = [], None, 0
    while True:
        page = responses_page(
            db_session, campaign, chosen, cursor, 5, with_officials=False, span=2
        )
        found += [r.id for r in page.items]
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    if days_over:
        assert found == surveyed.ids[4:6]
        assert pages == 1
    else:
        assert found == surveyed.ids[4:]
        assert pages >= (max(surveyed.other_ids) - surveyed.ids[4]) // 2


def test_filters_pick_the_responses_they_name(
    client: FlaskClient, db_session: Session, surveyed: Surveyed
) -> None:
    secret = _key(db_session, surveyed.campaign.unit)
    everything = _walk(
        client, secret, campaign=surveyed.campaign.key, include_excluded=True
    )
    kept = [r for r in everything if not r.excluded]

    def listed(**query: Any) -> list[int]:
        return [
            r.id for r in _walk(client, secret, campaign=surveyed.campaign.key, **query)
        ]

    below = [r.id for r in kept if r.unit_code == surveyed.below.code]
    assert below and listed(unit=surveyed.below.code) == below
    at_counter = [r.id for r in kept if r.counter_code == surveyed.point.code]
    assert at_counter and listed(counter=surveyed.point.code) == at_counter
    assert listed(channel="counter") == [r.id for r in kept]
    assert listed(channel="dossier") == []
    day = START.date() + timedelta(days=2)
    on_days = [r.id for r in kept if day <= r.submitted_on]
    assert 0 < len(on_days) < len(kept)
    assert listed(submitted_from=day.isoformat()) == on_days
    until = [r.id for r in kept if r.submitted_on <= day]
    assert listed(submitted_to=day.isoformat()) == until
    both = [r.id for r in kept if r.submitted_on == day]
    assert listed(submitted_from=day.isoformat(), submitted_to=day.isoformat()) == both
    version = surveyed.campaign.questionnaire.version
    assert listed(version=version) == [r.id for r in kept]
    assert listed(version=version + 1) == []
    assert {r.submitted_on for r in everything} == {
        (START + timedelta(days=n // 2, hours=n)).date() for n in range(12)
    }


def _csv_rows(
    session: Session, campaign: Campaign, unit_ids: list[int], officials: bool
) -> dict[str, dict[str, str]]:
    text = b"".join(
        responses_csv(session, campaign, unit_ids, None, with_officials=officials)
    ).decode("utf-8-sig")
    return {row["response_id"]: row for row in csv.DictReader(io.StringIO(text))}


def _as_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(value)
    return str(value)


@pytest.mark.parametrize("officials", [True, False])
def test_answers_are_anonymised_as_the_csv(
    client: FlaskClient, db_session: Session, surveyed: Surveyed, officials: bool
) -> None:
    secret = _key(db_session, surveyed.campaign.unit, officials=officials)
    walked = _walk(client, secret, campaign=surveyed.campaign.key)
    rows = _csv_rows(
        db_session,
        surveyed.campaign,
        [surveyed.campaign.unit_id, surveyed.below.id],
        officials,
    )
    assert sorted(rows) == sorted(str(r.id) for r in walked)
    for item in walked:
        row = rows[str(item.id)]
        assert set(item.answers) == set(row) - set(RECORD_COLUMNS)
        assert {n: _as_cell(v) for n, v in item.answers.items()} == {
            n: row[n] for n in item.answers
        }
        assert (item.unit_code, item.counter_code or "") == (
            row["unit_code"],
            row["counter_code"],
        )
    assert ("official" in walked[0].answers) is officials
    comments = {r.id: r.answers["comment"] for r in walked}
    assert comments[surveyed.ids[4]] is None
    shown = [c for c in comments.values() if c is not None]
    assert shown and all("0912345678" not in c for c in shown)
    assert any(r.answers.get("reasons") == ["waiting", "attitude"] for r in walked)
    body = client.get(
        "/api/v1/responses",
        query_string={"campaign": surveyed.campaign.key},
        headers=bearer(secret),
    ).get_data(as_text=True)
    for private in ("submission_id", "device_hash", "address_hash", "access_code"):
        assert private not in body


def test_one_response_reads_as_its_list_item(
    client: FlaskClient, db_session: Session, surveyed: Surveyed
) -> None:
    secret = _key(db_session, surveyed.campaign.unit)
    listed = {r.id: r for r in _walk(client, secret, campaign=surveyed.campaign.key)}
    for response_id in (surveyed.ids[1], surveyed.ids[3]):
        answer = client.get(f"/api/v1/responses/{response_id}", headers=bearer(secret))
        assert answer.status_code == 200
        assert ResponseOut.model_validate_json(answer.get_data()) == listed[response_id]
    excluded = client.get(
        f"/api/v1/responses/{surveyed.ids[2]}", headers=bearer(secret)
    )
    assert ResponseOut.model_validate_json(excluded.get_data()).excluded


def test_reading_responses_is_audited_once_a_walk_and_once_a_response(
    client: FlaskClient, db_session: Session, surveyed: Surveyed
) -> None:
    secret = _key(db_session, surveyed.campaign.unit)
    walked = _walk(
        client, secret, campaign=surveyed.campaign.key, limit=2, channel="counter"
    )
    client.get(f"/api/v1/responses/{surveyed.ids[1]}", headers=bearer(secret))
    client.get(f"/api/v1/responses/{surveyed.other_ids[0]}", headers=bearer(secret))
    db_session.expire_all()
    exports = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.id)
    ).all()
    # Six pages walked, one event; the other ward's response (a 404) none.
    assert len(walked) > 2
    assert [e.detail for e in exports] == [
        {
            "prefix": exports[0].detail["prefix"],
            "operation": "GET /api/v1/responses",
            "campaign": surveyed.campaign.key,
            "query": {"campaign": surveyed.campaign.key, "channel": "counter",
                      "include_excluded": False},
        },
        {
            "prefix": exports[0].detail["prefix"],
            "operation": "GET /api/v1/responses/<int:response_id>",
            "campaign": surveyed.campaign.key,
            "response": surveyed.ids[1],
        },
    ]  # fmt: skip
    assert {e.user_id for e in exports} == {None}


def test_another_wards_responses_are_not_found(
    client: FlaskClient, db_session: Session, surveyed: Surveyed
) -> None:
    secret = _key(db_session, surveyed.campaign.unit)
    other = surveyed.other_campaign
    for path, query in (
        (f"/api/v1/responses/{surveyed.other_ids[0]}", {}),
        ("/api/v1/responses", {"campaign": other.key}),
        (
            "/api/v1/responses",
            {"campaign": surveyed.campaign.key, "unit": other.unit.code},
        ),
    ):
        answer = client.get(path, query_string=query, headers=bearer(secret))
        assert answer.status_code == 404, path
        assert answer.content_type.startswith("application/problem+json")
    # A key of the unit below reads its own responses only.
    below = _key(db_session, surveyed.below)
    walked = _walk(client, below, campaign=surveyed.campaign.key)
    assert walked and {r.unit_code for r in walked} == {surveyed.below.code}
    assert (
        client.get(f"/api/v1/responses/{surveyed.ids[0]}", headers=bearer(below))
    ).status_code == 404


def test_paper_forms_are_listed_with_their_channel(
    client: FlaskClient, db_session: Session, surveyed: Surveyed
) -> None:
    paper = [
        record_on_paper(db_session, surveyed.campaign, {"overall": "2"}, START)
        for _ in range(2)
    ]
    db_session.commit()
    secret = _key(db_session, surveyed.campaign.unit)
    listed = _walk(client, secret, campaign=surveyed.campaign.key, channel="paper")
    assert [r.id for r in listed] == paper
    assert {r.channel for r in listed} == {"paper"}
    counter = _walk(client, secret, campaign=surveyed.campaign.key, channel="counter")
    assert counter and not set(paper) & {r.id for r in counter}


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"cursor": "nope"},
        {"limit": "0"},
        {"submitted_from": "2026-02-30"},
        {"channel": "fax"},
    ],
)
def test_bad_queries_are_400(
    client: FlaskClient, db_session: Session, surveyed: Surveyed, query: dict
) -> None:
    secret = _key(db_session, surveyed.campaign.unit)
    if query:
        query = {"campaign": surveyed.campaign.key} | query
    answer = client.get("/api/v1/responses", query_string=query, headers=bearer(secret))
    assert answer.status_code == 400
    assert answer.get_json()["invalid_params"]


@pytest.mark.parametrize("field", ["campaign", "unit", "counter"])
def test_a_nul_in_a_code_is_a_400(
    client: FlaskClient, db_session: Session, surveyed: Surveyed, field: str
) -> None:
    """PostgreSQL refuses text holding a NUL: it must not reach a query (a 500)."""
    secret = _key(db_session, surveyed.campaign.unit)
    query = {"campaign": surveyed.campaign.key, field: "a\x00b"}
    answer = client.get("/api/v1/responses", query_string=query, headers=bearer(secret))
    assert answer.status_code == 400, answer.get_data(as_text=True)


@pytest.mark.parametrize(
    ("shape", "field"),
    [
        (ResponsesQuery, "campaign"),
        (ResponsesQuery, "unit"),
        (ResponsesQuery, "counter"),
        (ResultsQuery, "campaign"),
        (SubmissionIn, "token"),
    ],
)
def test_each_code_a_client_names_refuses_a_nul(
    shape: type[BaseModel], field: str
) -> None:
    """The request's NUL guard (``app.security``) reads the query, not a JSON
    body: the shapes refuse a NUL themselves, and name the field."""
    sent = {"campaign": "c", "token": "t", "submission_id": "abcdefgh12"}
    sent = {name: sent[name] for name in sent if name in shape.model_fields}
    if "answers" in shape.model_fields:
        sent["answers"] = {}
    with pytest.raises(ValidationError) as refused:
        shape.model_validate(sent | {field: "a\x00b"})
    assert [error["loc"] for error in refused.value.errors()] == [(field,)]
    shape.model_validate(sent | {field: "ab"})


def _post(client: FlaskClient, secret: str, body: dict, language: str = "vi") -> Any:
    return client.post(
        "/api/v1/responses",
        json=body,
        headers=bearer(secret) | {"Accept-Language": language},
    )


def _stored(session: Session, submission_id: str) -> int:
    return session.scalar(
        select(func.count()).where(Response.submission_id == submission_id)
    )


def test_a_send_is_stored_once_however_often_it_is_resent(
    client: FlaskClient, db_session: Session, surveyed: Surveyed
) -> None:
    secret = _key(db_session, surveyed.campaign.unit, write=True)
    submission_id = uuid.uuid4().hex
    body = {
        "token": surveyed.code.token,
        "submission_id": submission_id,
        "answers": {"overall": 2, "reasons": ["fees"], "comment": COMMENT},
        "started_at": (utcnow() - timedelta(minutes=3)).isoformat(),
    }
    first = _post(client, secret, body)
    assert first.status_code == 201, first.get_data(as_text=True)
    made = ResponseOut.model_validate_json(first.get_data())
    assert made.answers["overall"] == 2 and made.answers["reasons"] == ["fees"]
    assert made.channel == surveyed.campaign.mode
    assert made.counter_code == surveyed.point.code
    assert "0912345678" not in str(made.answers["comment"])
    again = _post(
        client, secret, body | {"answers": {**body["answers"], "overall": "2"}}
    )
    assert again.status_code == 200
    assert ResponseOut.model_validate_json(again.get_data()).id == made.id
    assert _stored(db_session, submission_id) == 1
    audited = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "integration_key_wrote")
    ).all()
    assert [e.detail["target"] for e in audited] == ["/api/v1/responses"] * 2
    conflict = _post(client, secret, body | {"answers": {"overall": 5}})
    assert conflict.status_code == 409
    assert conflict.get_json()["type"].endswith("#problem-submission-conflict")
    assert _stored(db_session, submission_id) == 1


def test_invalid_answers_are_422_naming_each_question_in_the_callers_language(
    client: FlaskClient, db_session: Session, surveyed: Surveyed
) -> None:
    secret = _key(db_session, surveyed.campaign.unit, write=True)
    body = {
        "token": surveyed.code.token,
        "submission_id": uuid.uuid4().hex,
        "answers": {"overall": 9, "official": "nobody"},
    }
    reasons = {}
    for language in ("vi", "en"):
        answer = _post(client, secret, body, language)
        assert answer.status_code == 422
        problem = answer.get_json()
        assert problem["type"].endswith("#problem-invalid-answers")
        named = {p["name"]: p["reason"] for p in problem["invalid_params"]}
        assert set(named) == {"answers.overall", "answers.official"}
        reasons[language] = named
    assert reasons["vi"] != reasons["en"]
    assert _stored(db_session, body["submission_id"]) == 0


def test_a_code_that_takes_no_response_is_422_and_another_wards_404(
    client: FlaskClient, db_session: Session, surveyed: Surveyed
) -> None:
    secret = _key(db_session, surveyed.campaign.unit, write=True)
    revoked = make_code(
        db_session, surveyed.campaign, kind="standing", revoked_at=utcnow()
    )
    used = make_code(db_session, surveyed.campaign)
    _send(db_session, used, {"overall": "4"}, utcnow())
    db_session.commit()
    for code, state in ((revoked, "revoked"), (used, "used")):
        answer = _post(
            client,
            secret,
            {
                "token": code.token,
                "submission_id": uuid.uuid4().hex,
                "answers": {"overall": 4},
            },
            "en",
        )
        assert answer.status_code == 422, state
        assert answer.get_json()["state"] == state
    for token in (surveyed.other_code.token, "KHONGCO1"):
        answer = _post(
            client,
            secret,
            {"token": token, "submission_id": uuid.uuid4().hex, "answers": {}},
        )
        assert answer.status_code == 404


def test_a_read_key_cannot_send(
    client: FlaskClient, db_session: Session, surveyed: Surveyed
) -> None:
    secret = _key(db_session, surveyed.campaign.unit)
    body = {
        "token": surveyed.code.token,
        "submission_id": uuid.uuid4().hex,
        "answers": {"overall": 4},
    }
    assert _post(client, secret, body).status_code == 403
    assert _stored(db_session, body["submission_id"]) == 0


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b'{"token": "x", "answers": {}}',
        b'{"token": "x", "submission_id": "short", "answers": {}}',
        b'{"token": "x", "submission_id": "abcdefgh12", "answers": {}, "more": 1}',
        b'{"token": "x", "submission_id": "abcdefgh12", "answers": {}, '
        b'"started_at": "2026-12-01T08:00:00"}',
    ],
)
def test_a_malformed_body_is_400(
    client: FlaskClient, db_session: Session, surveyed: Surveyed, body: bytes
) -> None:
    secret = _key(db_session, surveyed.campaign.unit, write=True)
    answer = client.post(
        "/api/v1/responses",
        data=body,
        headers=bearer(secret) | {"Content-Type": "application/json"},
    )
    assert answer.status_code == 400
    assert answer.get_json()["invalid_params"]


def test_a_nul_in_the_token_is_a_400_naming_it(
    client: FlaskClient, db_session: Session, surveyed: Surveyed
) -> None:
    secret = _key(db_session, surveyed.campaign.unit, write=True)
    body = {
        "token": surveyed.code.token + "\x00",
        "submission_id": uuid.uuid4().hex,
        "answers": {"overall": "4"},
    }
    answer = _post(client, secret, body)
    assert answer.status_code == 400, answer.get_data(as_text=True)
    assert [p["name"] for p in answer.get_json()["invalid_params"]] == ["token"]
    assert _stored(db_session, body["submission_id"]) == 0


@pytest.mark.parametrize(
    "answers",
    [
        {"overall": [{"x": "1"}]},
        {"overall": ["4", "5"]},
        {"overall": True},
        {"overall": 1e308},
        {"overall": "4", "reasons": "waiting fees"},
        {"overall": "1", "reasons": [{"a": None}]},
        {"overall": "4", "comment": ["a"], "nothing": "x"},
        {"overall": "4", "comment": "a\x00b"},
        {"overall\x00": "4"},
        {"overall": "4\x00"},
    ],
)
def test_odd_answers_are_refused_or_taken_never_a_server_error(
    client: FlaskClient, db_session: Session, surveyed: Surveyed, answers: dict
) -> None:
    secret = _key(db_session, surveyed.campaign.unit, write=True)
    body = {
        "token": surveyed.code.token,
        "submission_id": uuid.uuid4().hex,
        "answers": answers,
    }
    answer = _post(client, secret, body)
    assert answer.status_code in (201, 400, 422), answer.get_data(as_text=True)
    stored = 1 if answer.status_code == 201 else 0
    assert _stored(db_session, body["submission_id"]) == stored


@pytest.mark.parametrize(
    "query",
    [
        {"submitted_from": "0001-01-01"},
        {"submitted_to": "9999-12-31"},
        {"submitted_to": "1990-01-01"},
        {"submitted_from": "9999-12-31"},
        {"submitted_from": "2026-05-02", "submitted_to": "2026-05-01"},
        {"cursor": "WzkyMjMzNzIwMzY4NTQ3NzU4MDcsMF0"},
    ],
)
def test_extreme_queries_are_answered(
    client: FlaskClient, db_session: Session, surveyed: Surveyed, query: dict
) -> None:
    secret = _key(db_session, surveyed.campaign.unit)
    answer = client.get(
        "/api/v1/responses",
        query_string={"campaign": surveyed.campaign.key} | query,
        headers=bearer(secret),
    )
    assert answer.status_code in (200, 400), answer.get_data(as_text=True)
    if answer.status_code == 200 and "cursor" not in query:
        within = query.get("submitted_to", "9999") >= START.date().isoformat()
        later = query.get("submitted_from", "0") > "2027"
        assert bool(answer.get_json()["items"]) == (within and not later)
    huge = client.get(f"/api/v1/responses/{2**70}", headers=bearer(secret))
    assert huge.status_code == 404
