"""Cascading selects on the respondent's page: district, ward, counter.

A filter on an earlier page's answer is applied when the page is drawn; one on
the same page's answer is drawn with every option (the page's script hides the
others, see tests/e2e/test_survey_cascade.py), and without the script a pair
that does not fit is refused with a message saying so.
"""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.models import Response
from surveys.questionnaire import build_questionnaire
from surveys.questionnaire.versions import shipped_template, store_questionnaire
from tests.app.test_survey import hidden_fields
from tests.builders import make_campaign, make_code

OPTION = re.compile(r'<option value="([^"]+)"')


def _open_link(session: Session, questionnaire) -> str:
    stored = store_questionnaire(session, questionnaire).stored
    campaign = make_campaign(session, questionnaire=stored, mode="open_link")
    code = make_code(session, campaign, kind="standing")
    session.commit()
    return code.token


@pytest.fixture
def open_rating(db_session: Session) -> str:
    return _open_link(db_session, shipped_template("open_rating"))


def _field(html: str, name: str) -> str:
    """Return the markup of one question, from its ``data-q`` to the next."""
    start = html.index(f'data-q="{name}"')
    following = html.find("data-q=", start + 1)
    return html[start : following if following != -1 else len(html)]


def test_a_filter_on_the_same_page_draws_every_option_for_the_script(
    client: FlaskClient, open_rating: str
) -> None:
    html = client.get(f"/s/{open_rating}").get_data(as_text=True)
    ward = _field(html, "ward")
    assert 'data-choices="live"' in ward
    wards = OPTION.findall(ward)
    assert "q1-ben-nghe" in wards and "q3-vo-thi-sau" in wards
    assert len(OPTION.findall(_field(html, "counter"))) == 74
    assert 'data-choices="live"' not in _field(html, "district")


def test_the_relevance_answer_names_the_options_the_filters_allow(
    client: FlaskClient, open_rating: str
) -> None:
    html = client.get(f"/s/{open_rating}").get_data(as_text=True)
    token = hidden_fields(html)["page_token"]
    url = f"/s/{open_rating}/relevance"
    answer = client.post(
        url, data={"district": "q3", "ward": "q3-p9", "page_token": token}
    ).json
    assert "ward" in answer["relevant"]
    assert answer["choices"]["ward"][:2] == ["q3-district", "q3-vo-thi-sau"]
    assert "q1-ben-nghe" not in answer["choices"]["ward"]
    assert answer["choices"]["counter"] == ["q3-p9-tp", "q3-p9-dc", "q3-p9-vh"]


def test_without_the_script_a_pair_that_does_not_fit_is_refused(
    client: FlaskClient, db_session: Session, open_rating: str
) -> None:
    html = client.get(f"/s/{open_rating}").get_data(as_text=True)
    form = hidden_fields(html) | {
        "district": "q3",
        "ward": "q1-ben-nghe",
        "action": "next",
    }
    refused = client.post(f"/s/{open_rating}", data=form)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "không phù hợp với câu trả lời trước đó" in page
    assert "&#39;q1-ben-nghe&#39;" in _field(page, "ward")
    form |= {"ward": "q3-p9", "counter": "q3-p9-dc"}
    assert client.post(f"/s/{open_rating}", data=form).status_code == 200
    form |= {"overall": "5", "action": "submit"}
    assert client.post(f"/s/{open_rating}", data=form).status_code == 303
    stored = db_session.scalar(select(Response).order_by(Response.id.desc()))
    assert stored is not None
    answers = {a.question: a.value_text for a in stored.answers}
    assert answers["counter"] == "q3-p9-dc"


def test_a_filter_on_an_earlier_page_is_applied_when_drawn(
    client: FlaskClient, db_session: Session
) -> None:
    label = {"vi": "Câu hỏi"}
    questionnaire = build_questionnaire(
        {
            "key": "two_pages",
            "title": {"vi": "Hai trang"},
            "languages": ["vi"],
            "choices": {
                "districts": [
                    {"name": "q1", "label": {"vi": "Quận 1"}},
                    {"name": "q3", "label": {"vi": "Quận 3"}},
                ],
                "wards": [
                    {"name": "bn", "label": {"vi": "Bến Nghé"}, "data": {"d": "q1"}},
                    {"name": "vts", "label": {"vi": "Võ Thị Sáu"}, "data": {"d": "q3"}},
                ],
            },
            "questions": [
                {
                    "name": "first",
                    "type": "section",
                    "questions": [
                        {
                            "name": "district",
                            "type": "select_one",
                            "choices": "districts",
                            "label": label,
                        }
                    ],
                },
                {
                    "name": "second",
                    "type": "section",
                    "questions": [
                        {
                            "name": "ward",
                            "type": "select_one",
                            "choices": "wards",
                            "choice_filter": "d = ${district}",
                            "appearance": "minimal",
                            "label": label,
                        }
                    ],
                },
            ],
        }
    )
    token = _open_link(db_session, questionnaire)
    html = client.get(f"/s/{token}").get_data(as_text=True)
    form = hidden_fields(html) | {"district": "q3", "action": "next"}
    second = client.post(f"/s/{token}", data=form).get_data(as_text=True)
    ward = _field(second, "ward")
    assert OPTION.findall(ward) == ["vts"]
    assert "data-choices" not in ward
