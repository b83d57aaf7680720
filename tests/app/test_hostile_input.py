"""Input no browser sends, refused with our page, never a 500 (issue 12, finding 7)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from surveys.models import Role
from tests.app.staff_client import csrf_token, log_in
from tests.app.test_survey import rate
from tests.builders import make_code, make_counter_campaign, make_user

#: Said on the page that refuses a request with a NUL character in it.
INVALID = "ký tự không hợp lệ"


@pytest.fixture
def standing_code(db_session: Session) -> str:
    campaign, point = make_counter_campaign(db_session)
    code = make_code(db_session, campaign, kind="standing", service_point=point)
    db_session.commit()
    return code.token


@pytest.mark.parametrize(
    "path", ["/units/q1%00", "/s/ABC%00DEF", "/units/q1?lang=en%00", "/s?code=%00"]
)
def test_a_nul_in_the_address_is_refused_with_our_page(
    client: FlaskClient, path: str
) -> None:
    answer = client.get(path)
    assert answer.status_code == 400
    assert INVALID in answer.get_data(as_text=True)


def test_a_nul_in_a_comment_is_refused_and_nothing_stored(
    client: FlaskClient, standing_code: str
) -> None:
    answer, _ = rate(client, standing_code, {"overall": "1", "comment": "xấu\x00"})
    assert answer.status_code == 400
    assert INVALID in answer.get_data(as_text=True)
    kept, _ = rate(client, standing_code, {"overall": "1", "comment": "xấu"})
    assert kept.status_code == 303


def test_a_nul_in_a_login_name_is_refused(client: FlaskClient) -> None:
    form = {"csrf_token": csrf_token(client), "username": "admin\x00", "password": "x"}
    answer = client.post("/staff/login", data=form)
    assert answer.status_code == 400
    assert INVALID in answer.get_data(as_text=True)


def test_a_nul_in_a_unit_name_is_refused(
    client: FlaskClient, db_session: Session
) -> None:
    campaign, _point = make_counter_campaign(db_session)
    manager = make_user(db_session, campaign.unit, Role.UNIT_MANAGER)
    db_session.commit()
    assert log_in(client, manager.username).status_code == 302
    path = f"/staff/units/{campaign.unit.code}/counters"
    form = {"csrf_token": csrf_token(client, path), "code": "q9", "name": "Quầy\x00"}
    answer = client.post(path, data=form)
    assert answer.status_code == 400
    assert INVALID in answer.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_a_request_refused_by_an_early_hook_keeps_its_language(
    client: FlaskClient, standing_code: str, lang: str
) -> None:
    """No CSRF token, or a body too large, with ``?lang=`` in the address."""
    no_token = client.post(f"/staff/login?lang={lang}", data={"username": "a"})
    assert no_token.status_code == 400
    too_big = client.post(f"/s/{standing_code}?lang={lang}", data={"x": "y" * 100_000})
    assert too_big.status_code == 413
    expected = "too large" if lang == "en" else "quá lớn"
    assert expected in too_big.get_data(as_text=True).lower()
