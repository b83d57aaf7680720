"""Access codes at ``/api/v1``: issued by a write key, read and revoked by token,
listed without tokens, never beyond the key's units."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.api.v1.access_codes import CodePage, CodeStatusOut, IssuedCodes
from app.code_sheets import end_of_day
from surveys.access.audit import AuditAction
from surveys.access.code_state import CodeUnavailable, check_open, load_code
from surveys.access.codes import format_token
from surveys.cases.integration_keys import create_key
from surveys.local_time import local_date
from surveys.models import (
    AccessCode,
    AuditEvent,
    CampaignMode,
    CodeKind,
    ServicePoint,
    utcnow,
)
from tests.app.api_v1.conftest import Ward, bearer
from tests.builders import make_campaign, make_code, new_response

CODES = "/api/v1/access-codes"


@pytest.fixture
def write_key(db_session: Session, wards: tuple[Ward, Ward]) -> str:
    """A key that may read and write ward A."""
    _key, secret = create_key(
        db_session, None, wards[0].unit, "Cổng hồ sơ", can_read=True, can_write=True
    )
    db_session.commit()
    return secret


def issue(client: FlaskClient, key: str, **body: object):  # type: ignore[no-untyped-def]
    return client.post(CODES, json=body, headers=bearer(key))


def status(client: FlaskClient, key: str, token: str) -> CodeStatusOut:
    answer = client.get(f"{CODES}/{token}", headers=bearer(key))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return CodeStatusOut.model_validate_json(answer.get_data())


def audited(session: Session, action: AuditAction) -> int:
    return session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    )


def test_issue_read_revoke_read_and_revoke_again(
    app, client: FlaskClient, db_session: Session, wards: tuple[Ward, Ward], write_key
) -> None:
    own = wards[0]
    answer = issue(
        client,
        write_key,
        campaign=own.campaign.key,
        unit=own.unit.code,
        count=3,
        stratum="S1",
        cluster="C7",
        weight=2.5,
        expires_on="2099-12-31",
    )
    assert answer.status_code == 201, answer.get_data(as_text=True)
    issued = IssuedCodes.model_validate_json(answer.get_data()).items
    assert len({code.token for code in issued}) == 3
    base = app.config["PUBLIC_BASE_URL"]
    for code in issued:
        assert code.url == f"{base}/s/{code.token}"
        assert code.printed == format_token(code.token)
        assert (code.state, code.kind, code.stratum) == ("open", "single_use", "S1")
        assert (code.cluster, code.weight) == ("C7", 2.5)
        assert code.expires_at == end_of_day(date(2099, 12, 31))
    token = issued[0].token
    # The code is read by its token as printed, dashes and case aside.
    assert status(client, write_key, format_token(token).lower()).state == "open"

    revoked = client.post(f"{CODES}/{token}/revoke", headers=bearer(write_key))
    assert revoked.status_code == 200
    first = CodeStatusOut.model_validate_json(revoked.get_data())
    assert first.state == "revoked" and first.revoked_at is not None
    again = client.post(f"{CODES}/{token}/revoke", headers=bearer(write_key))
    assert again.status_code == 200
    assert CodeStatusOut.model_validate_json(again.get_data()) == first
    assert status(client, write_key, token) == first
    # Revoked once in the audit trail; every write through the key audited.
    assert audited(db_session, AuditAction.CODE_REVOKED) == 1
    assert audited(db_session, AuditAction.CODES_ISSUED) == 1
    assert audited(db_session, AuditAction.INTEGRATION_KEY_WROTE) == 3
    # The other codes of the issuing still take responses.
    assert status(client, write_key, issued[1].token).state == "open"


def test_a_read_key_cannot_issue_or_revoke(
    client: FlaskClient, db_session: Session, wards: tuple[Ward, Ward], read_key
) -> None:
    own = wards[0]
    before = db_session.scalar(select(func.count()).select_from(AccessCode))
    answer = issue(client, read_key, campaign=own.campaign.key, unit=own.unit.code)
    assert answer.status_code == 403
    revoked = client.post(f"{CODES}/{own.code.token}/revoke", headers=bearer(read_key))
    assert revoked.status_code == 403
    assert db_session.scalar(select(func.count()).select_from(AccessCode)) == before
    assert status(client, read_key, own.code.token).state == "open"


def test_another_wards_codes_units_and_campaigns_are_not_found(
    client: FlaskClient, db_session: Session, wards: tuple[Ward, Ward], write_key
) -> None:
    own, other = wards
    for path in (f"{CODES}/{other.code.token}", f"{CODES}/not-a-token"):
        assert client.get(path, headers=bearer(write_key)).status_code == 404
    answer = client.post(
        f"{CODES}/{other.code.token}/revoke", headers=bearer(write_key)
    )
    assert answer.status_code == 404
    db_session.refresh(other.code)
    assert other.code.revoked_at is None
    for body in (
        {"campaign": other.campaign.key, "unit": other.unit.code},
        {"campaign": other.campaign.key, "unit": own.unit.code},
        {
            "campaign": own.campaign.key,
            "unit": own.unit.code,
            "counter": other.point.code,
        },
    ):
        assert issue(client, write_key, **body).status_code == 404, body
    listed = client.get(
        CODES, query_string={"campaign": other.campaign.key}, headers=bearer(write_key)
    )
    assert CodePage.model_validate_json(listed.get_data()).items == []
    listed = client.get(
        CODES, query_string={"unit": other.unit.code}, headers=bearer(write_key)
    )
    assert listed.status_code == 404


def test_a_used_code_tells_the_day_not_its_response(
    client: FlaskClient, db_session: Session, wards: tuple[Ward, Ward], read_key
) -> None:
    own = wards[0]
    response = new_response(own.campaign, redeemed_code_id=own.code.id)
    db_session.add(response)
    db_session.commit()
    answer = client.get(f"{CODES}/{own.code.token}", headers=bearer(read_key))
    read = CodeStatusOut.model_validate_json(answer.get_data())
    assert read.state == "used"
    assert read.used_on == local_date(response.submitted_at)
    text = answer.get_data(as_text=True)
    assert response.submission_id not in text
    assert str(response.submitted_at.time()) not in text


def test_the_list_has_no_tokens_and_keeps_what_its_filters_ask(
    client: FlaskClient, db_session: Session, wards: tuple[Ward, Ward], read_key
) -> None:
    own = wards[0]
    second = make_campaign(db_session, unit=own.unit)
    revoked = make_code(db_session, second, revoked_at=utcnow())
    below = make_code(db_session, second, unit=own.below)
    db_session.commit()

    def listed(**query: object) -> set[int]:
        answer = client.get(CODES, query_string=query, headers=bearer(read_key))
        assert answer.status_code == 200, answer.get_data(as_text=True)
        assert own.code.token not in answer.get_data(as_text=True)
        return {
            code.id for code in CodePage.model_validate_json(answer.get_data()).items
        }

    assert listed() == {own.code.id, revoked.id, below.id}
    assert listed(campaign=second.key) == {revoked.id, below.id}
    assert listed(unit=own.below.code) == {below.id}
    assert listed(state="revoked") == {revoked.id}
    assert listed(state="open") == {own.code.id, below.id}
    assert listed(kind="standing") == set()
    bad = client.get(CODES, query_string={"state": "lost"}, headers=bearer(read_key))
    assert bad.status_code == 400
    assert [p["name"] for p in bad.get_json()["invalid_params"]] == ["state"]


def test_following_the_cursor_reads_every_code_once(
    client: FlaskClient, db_session: Session, wards: tuple[Ward, Ward], read_key
) -> None:
    own = wards[0]
    made = {make_code(db_session, own.campaign).id for _ in range(7)} | {own.code.id}
    db_session.commit()
    seen: list[int] = []
    cursor = None
    for _page in range(10):
        query = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        answer = client.get(CODES, query_string=query, headers=bearer(read_key))
        page = CodePage.model_validate_json(answer.get_data())
        assert len(page.items) <= 3
        seen += [code.id for code in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == sorted(made)


def test_each_state_is_the_one_the_survey_page_finds(
    client: FlaskClient, db_session: Session, wards: tuple[Ward, Ward], read_key
) -> None:
    """The list's SQL state agrees with ``check_open``, the survey page's check."""
    own = wards[0]
    now = utcnow()
    closed_counter = ServicePoint(code="sp-closed", name="Quầy đóng", unit=own.unit)
    closed_counter.active = False
    db_session.add(closed_counter)
    campaigns = {
        "paused": make_campaign(db_session, unit=own.unit, paused_at=now),
        "closed": make_campaign(db_session, unit=own.unit, closed_at=now),
        "ended": make_campaign(
            db_session, unit=own.unit, ends_on=local_date(now) - timedelta(days=1)
        ),
    }
    codes = [
        own.code,
        make_code(db_session, own.campaign, revoked_at=now),
        make_code(db_session, own.campaign, expires_at=now - timedelta(minutes=1)),
        make_code(db_session, own.campaign, service_point=closed_counter),
        *(make_code(db_session, campaign) for campaign in campaigns.values()),
    ]
    used = make_code(db_session, own.campaign, revoked_at=now)
    db_session.add(new_response(own.campaign, redeemed_code_id=used.id))
    db_session.commit()
    found = {}
    for code in [*codes, used]:
        try:
            check_open(db_session, load_code(db_session, code.token), utcnow())
        except CodeUnavailable as unavailable:
            found[code.token] = unavailable.state.value
        else:
            found[code.token] = "open"
    read = {token: status(client, read_key, token).state for token in found}
    # check_open reads a revocation before the response; the API, a response first.
    assert found.pop(used.token) == "revoked" and read.pop(used.token) == "used"
    assert read == found
    assert set(read.values()) == {"open", "revoked", "expired", "closed", "paused"}


def test_a_standing_code_is_the_counters_poster_code(
    client: FlaskClient, db_session: Session, wards: tuple[Ward, Ward], write_key
) -> None:
    own = wards[0]
    assert own.campaign.mode == CampaignMode.COUNTER
    body = {
        "campaign": own.campaign.key,
        "unit": own.below.code,
        "counter": own.point.code,
        "kind": "standing",
    }
    first = IssuedCodes.model_validate_json(issue(client, write_key, **body).data)
    again = IssuedCodes.model_validate_json(issue(client, write_key, **body).data)
    assert [c.token for c in first.items] == [c.token for c in again.items]
    assert first.items[0].kind == CodeKind.STANDING
    assert first.items[0].counter_code == own.point.code
    for wrong in (
        {"counter": None},
        {"count": 2},
        {"stratum": "S"},
        {"expires_on": "2099-12-31"},
    ):
        answer = issue(client, write_key, **(body | wrong))
        assert answer.status_code == 400, wrong
        assert [p["name"] for p in answer.get_json()["invalid_params"]] == [*wrong]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"count": 0},
        {"count": 1001},
        {"weight": -1},
        {"kind": "forever"},
        {"extra": 1},
        {"expires_on": "tomorrow"},
        {"expires_on": "9999-12-31"},
        {"campaign": "a\x00b"},
        {"stratum": "S\x00"},
    ],
)
def test_a_bad_body_is_a_400_naming_what_is_wrong(
    client: FlaskClient, wards: tuple[Ward, Ward], write_key, body: dict
) -> None:
    own = wards[0]
    sent = {"campaign": own.campaign.key, "unit": own.unit.code} | body if body else {}
    answer = issue(client, write_key, **sent)
    assert answer.status_code == 400
    names = [p["name"] for p in answer.get_json()["invalid_params"]]
    assert names == ([*body] if body else ["campaign", "unit"])


def test_a_body_that_is_not_json_is_a_400(
    client: FlaskClient, wards: tuple[Ward, Ward], write_key
) -> None:
    answer = client.post(CODES, data="count=1", headers=bearer(write_key))
    assert answer.status_code == 400
    assert answer.get_json()["invalid_params"] == [
        {"name": "body", "reason": "json_invalid"}
    ]


def test_a_closed_campaign_issues_nothing(
    client: FlaskClient, db_session: Session, wards: tuple[Ward, Ward], write_key
) -> None:
    own = wards[0]
    own.campaign.closed_at = utcnow()
    db_session.commit()
    before = db_session.scalar(select(func.count()).select_from(AccessCode))
    answer = issue(client, write_key, campaign=own.campaign.key, unit=own.unit.code)
    assert answer.status_code == 400
    assert answer.get_json()["invalid_params"] == [
        {"name": "campaign", "reason": "campaign_closed"}
    ]
    assert db_session.scalar(select(func.count()).select_from(AccessCode)) == before


def test_the_document_and_its_page_describe_the_issuing_body(
    client: FlaskClient,
) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    issuing = document["paths"][CODES]["post"]
    schema = issuing["requestBody"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/IssueCodes"}
    assert {"201", "400", "403"} <= set(issuing["responses"])
    assert "count" in document["components"]["schemas"]["IssueCodes"]["properties"]
    page = client.get("/api/v1/docs?lang=en").get_data(as_text=True)
    assert (
        'Request body: <code>application/json</code> <a href="#schema-IssueCodes">'
        in page
    )
