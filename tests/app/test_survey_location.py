"""A field visit's page: time and date-time inputs, a location asked with consent.

The questionnaire (``tests/builders.FIELD_VISIT``) also carries ODK's start,
end and today rows: never shown, never read from the form, filled in from the
response's own times when it is stored.
"""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from werkzeug.datastructures import MultiDict

from app.public.forms import raw_answers
from surveys.models import AccessCode, Response
from surveys.questionnaire import load_definition
from surveys.questionnaire.versions import store_questionnaire
from tests.app.test_survey import rate
from tests.builders import FIELD_VISIT, make_campaign, make_code


@pytest.fixture
def visit_code(db_session: Session) -> AccessCode:
    stored = store_questionnaire(db_session, load_definition(FIELD_VISIT)).stored
    campaign = make_campaign(db_session, questionnaire=stored, mode="interviewer")
    code = make_code(db_session, campaign)
    db_session.commit()
    return code


def test_the_page_asks_times_in_vietnams_time_and_a_location_with_consent(
    client: FlaskClient, visit_code: AccessCode
) -> None:
    html = client.get(f"/s/{visit_code.token}").get_data(as_text=True)
    assert re.search(r'<input id="q-opened_at" name="opened_at" type="time"', html)
    assert re.search(r'name="visited_at" type="datetime-local"', html)
    assert "Giờ Việt Nam (UTC+7)." in html
    # Typed without the script; the button is shown by the script only.
    assert re.search(r'<input id="q-place" name="place" type="text"', html)
    button = r'<button type="button"[^>]*data-locate="q-place"[^>]*hidden>'
    assert re.search(button, html)
    assert "Lấy vị trí" in html
    assert "Chỉ lưu vĩ độ, kinh độ, độ cao và độ chính xác" in html
    # Not called anonymous: it asks where the respondent is.
    assert "vị trí chỉ được lưu khi Ông/Bà tự nhập" in html
    assert "Phiếu đánh giá là ẩn danh." not in html
    for recorded in ("start", "end", "today"):
        assert f'name="{recorded}"' not in html


def test_a_typed_location_and_times_are_stored_in_odks_forms(
    client: FlaskClient, visit_code: AccessCode, db_session: Session
) -> None:
    answers = {
        "opened_at": "07:30",
        "closed_at": "17:00",
        "visited_at": "2026-01-05T09:15",
        "place": "21.0285, 105.8542",
        # Posted by hand: metadata is never taken from the form.
        "start": "2000-01-01T00:00",
    }
    sent, _ = rate(client, visit_code.token, answers)
    assert sent.status_code == 303
    query = select(Response).options(selectinload(Response.answers))
    response = db_session.scalar(query)
    stored = {a.question: a.value_text for a in response.answers}
    assert stored["opened_at"] == "07:30:00.000+07:00"
    assert stored["visited_at"] == "2026-01-05T09:15:00.000+07:00"
    assert stored["place"] == "21.0285 105.8542"
    assert stored["visit_hour"] == "09:15"
    assert stored["end"].endswith("+07:00")
    assert stored["start"] != "2000-01-01T00:00:00.000+07:00"
    assert stored["today"] == stored["end"][:10]


def test_an_impossible_location_is_refused_next_to_its_question(
    client: FlaskClient, visit_code: AccessCode
) -> None:
    answers = {"visited_at": "2026-01-05T09:15", "place": "121.5 105.8"}
    sent, _ = rate(client, visit_code.token, answers)
    assert sent.status_code == 422
    html = sent.get_data(as_text=True)
    assert re.search(r'<p class="error" id="e-place">Vị trí không hợp lệ', html)
    assert 'aria-describedby="g-place h-place e-place" aria-invalid="true"' in html


def test_metadata_is_never_read_from_a_posted_form() -> None:
    questionnaire = load_definition(FIELD_VISIT)
    posted = MultiDict({"start": "2020-01-01T00:00", "opened_at": "07:30"})
    assert raw_answers(questionnaire, posted) == {"opened_at": "07:30"}
