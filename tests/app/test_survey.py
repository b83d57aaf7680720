"""The survey pages through the Flask client: page token, PRG, idempotency, paging."""

from __future__ import annotations

import re
import threading
from datetime import UTC, date, datetime, timedelta
from typing import ClassVar

import pandas as pd
import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import bind_of
from app.public import page_token
from app.public.survey import CACHE
from app.security import DEVICE_COOKIE
from surveys.db import make_session_factory
from surveys.models import FollowUpContact, Response, ResponseDraft
from surveys.questionnaire import build_questionnaire
from surveys.questionnaire.versions import store_questionnaire
from surveys.storage.frames import tally_frame
from surveys.storage.tallies import catch_up
from tests.builders import make_campaign, make_code, make_counter_campaign
from tests.conftest import app_on

HIDDEN = re.compile(r'<input[^>]*name="(page_token|submission_id|page)"[^>]*>')
VALUE = re.compile(r'value="([^"]*)"')


def hidden_fields(html: str) -> dict[str, str]:
    """Read the form's fixed hidden fields, as a browser would send them back."""
    fields = {}
    for match in HIDDEN.finditer(html):
        value = VALUE.search(match.group(0))
        fields[match.group(1)] = value.group(1) if value else ""
    return fields


def responses(session: Session) -> int:
    return session.scalar(select(func.count(Response.id)))


@pytest.fixture
def counter(db_session: Session):
    campaign, point = make_counter_campaign(db_session)
    code = make_code(db_session, campaign, kind="standing", service_point=point)
    db_session.commit()
    return code, point


@pytest.fixture(params=["read afresh", "from the cache"])
def send_path(request: pytest.FixtureRequest, app: Flask) -> str:
    """Run a test twice: every code read afresh, then with the survey cache on.

    With the cache on, a standing code's page and sends use the code as read
    a moment ago (plain values): both must answer and store alike.
    """
    if request.param == "from the cache":
        app.extensions[CACHE].seconds = 60
    return request.param


def rate(client: FlaskClient, token: str, answers: dict, **extra: str):
    page = client.get(f"/s/{token}")
    form = hidden_fields(page.get_data(as_text=True)) | answers | extra
    return client.post(f"/s/{token}", data=form), form


def test_the_counter_page_is_vietnamese_with_faces_and_the_counter_staff(
    client: FlaskClient, counter
) -> None:
    code, point = counter
    page = client.get(f"/s/{code.token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<html lang="vi">' in html
    for wording in ("Rất không hài lòng", "Bình thường", "Rất hài lòng"):
        assert wording in html
    assert html.count('class="face"') == 10  # the visit and the official
    assert all(official.name in html for official in point.officials)
    assert re.search(r'data-q="reasons"[^>]*hidden', html)
    assert "<script" in html and 'src="/static/survey.js"' in html


def test_a_rating_is_stored_then_redirected_to_thanks(
    client: FlaskClient,
    counter,
    db_session: Session,
    send_path: str,
) -> None:
    code, point = counter
    official = point.officials[0]
    answers = {"overall": "5", "official": official.code, "official_rating": "4"}
    sent, _ = rate(client, code.token, answers)
    assert sent.status_code == 303
    assert sent.headers["Location"].endswith(f"/s/{code.token}/thanks")
    assert "Cảm ơn" in client.get(sent.headers["Location"]).get_data(as_text=True)
    stored = db_session.scalar(select(Response))
    assert stored.official_id == official.id and stored.device_hash


def test_a_resent_form_is_stored_once(
    client: FlaskClient,
    counter,
    db_session: Session,
    send_path: str,
) -> None:
    code, _ = counter
    first, form = rate(client, code.token, {"overall": "4"})
    again = client.post(f"/s/{code.token}", data=form)
    assert first.status_code == again.status_code == 303
    assert responses(db_session) == 1
    conflict = client.post(f"/s/{code.token}", data=form | {"overall": "1"})
    assert conflict.status_code == 409
    assert "nội dung khác" in conflict.get_data(as_text=True)
    assert responses(db_session) == 1


def test_invalid_answers_are_shown_next_to_their_question(
    client: FlaskClient,
    counter,
    db_session: Session,
    send_path: str,
) -> None:
    code, _ = counter
    script = "<script>alert('x')</script>"
    sent, _ = rate(client, code.token, {"overall": "9", "comment": script})
    html = sent.get_data(as_text=True)
    assert sent.status_code == 422
    assert 'id="e-overall"' in html and "không có trong danh sách" in html
    assert script not in html and "&lt;script&gt;" in html
    assert responses(db_session) == 0


@pytest.mark.parametrize(
    "change",
    [
        {"page_token": "forged"},
        {"page_token": ""},
        {"headers": {"Sec-Fetch-Site": "cross-site"}},
        {"headers": {"Origin": "https://evil.example"}},
        {"headers": {"Origin": "null"}},
    ],
    ids=["forged", "missing", "cross-site", "other-origin", "opaque-origin"],
)
def test_a_send_without_its_page_token_or_from_another_site_is_refused(
    client: FlaskClient, counter, db_session: Session, send_path: str, change: dict
) -> None:
    code, _ = counter
    page = client.get(f"/s/{code.token}").get_data(as_text=True)
    # The parameter is shared by both send paths: read it, never change it.
    headers = change.get("headers", {})
    fields = {k: v for k, v in change.items() if k != "headers"}
    form = hidden_fields(page) | {"overall": "5"} | fields
    refused = client.post(f"/s/{code.token}", data=form, headers=headers)
    assert refused.status_code == 400
    assert "hết hạn" in refused.get_data(as_text=True)
    assert responses(db_session) == 0


def test_a_page_token_is_good_for_its_own_code_only(
    client: FlaskClient, counter, db_session: Session
) -> None:
    code, point = counter
    other = make_code(db_session, code.campaign, kind="standing", service_point=point)
    db_session.commit()
    page = client.get(f"/s/{code.token}").get_data(as_text=True)
    form = hidden_fields(page) | {"overall": "5"}
    assert client.post(f"/s/{other.token}", data=form).status_code == 400
    same_site = {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"}
    assert (
        client.post(f"/s/{code.token}", data=form, headers=same_site).status_code == 303
    )


def test_a_page_token_expires(app: Flask, client: FlaskClient, counter) -> None:
    code, _ = counter
    page = client.get(f"/s/{code.token}").get_data(as_text=True)
    app.config["SURVEY_TOKEN_MAX_AGE"] = -1
    form = hidden_fields(page) | {"overall": "5"}
    assert client.post(f"/s/{code.token}", data=form).status_code == 400


def test_the_counter_page_opens_no_session_and_runs_every_hook(
    app: Flask, client: FlaskClient, counter, send_path: str
) -> None:
    seen: list[str] = []

    @app.after_request
    def _trace(response):  # an app-wide hook, as tracing or logging would add
        seen.append(f"{response.status_code}")
        response.headers["X-Traced"] = "yes"
        return response

    code, _ = counter
    page = client.get(f"/s/{code.token}")
    sent, _ = rate(client, code.token, {"overall": "5"})
    # The only cookie is the browser's device id, given once: no session.
    cookies = page.headers.getlist("Set-Cookie")
    assert page.status_code == 200 and len(cookies) == 1
    assert cookies[0].startswith(f"{DEVICE_COOKIE}=") and "HttpOnly" in cookies[0]
    assert page.headers["X-Traced"] == sent.headers["X-Traced"] == "yes"
    assert sent.status_code == 303 and "Set-Cookie" not in sent.headers
    assert seen == ["200", "200", "303"]


def test_a_refused_send_does_not_break_the_counter_page_for_the_next_visitor(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    # Before issue 11 the cache held ORM objects: after a send rolled back
    # (409, or too soon) every GET and POST of the counter answered 500.
    app.extensions[CACHE].seconds = 60
    campaign, point = make_counter_campaign(db_session, min_interval_seconds=300)
    code = make_code(db_session, campaign, kind="standing", service_point=point)
    db_session.commit()
    first, form = rate(client, code.token, {"overall": "4"})
    assert first.status_code == 303
    changed = client.post(f"/s/{code.token}", data=form | {"overall": "1"})
    assert changed.status_code == 409
    too_soon, _ = rate(client, code.token, {"overall": "5"})
    assert too_soon.status_code == 429
    assert client.get(f"/s/{code.token}").status_code == 200
    assert send_as(app, f"/s/{code.token}", "another phone") == 303
    assert responses(db_session) == 2


def test_unknown_revoked_and_used_codes_get_clear_pages(
    client: FlaskClient, db_session: Session
) -> None:
    campaign, _ = make_counter_campaign(db_session)
    revoked = make_code(db_session, campaign, revoked_at=datetime.now(UTC))
    single = make_code(db_session, campaign)
    db_session.commit()
    unknown = client.get("/s/NOSUCHCODE")
    assert unknown.status_code == 404
    assert "Không tìm thấy mã đánh giá" in unknown.get_data(as_text=True)
    assert client.get(f"/s/{revoked.token}").status_code == 410
    assert rate(client, single.token, {"overall": "5"})[0].status_code == 303
    used = client.get(f"/s/{single.token}")
    assert used.status_code == 410
    assert "đã được sử dụng" in used.get_data(as_text=True)


def test_an_oversized_request_is_refused_with_413(
    client: FlaskClient, counter, send_path: str
) -> None:
    code, _ = counter
    refused = client.post(f"/s/{code.token}", data={"comment": "x" * 100_000})
    assert refused.status_code == 413
    assert "quá lớn" in refused.get_data(as_text=True)


def test_a_phone_number_needs_the_consent_box(
    client: FlaskClient,
    counter,
    db_session: Session,
    send_path: str,
) -> None:
    code, _ = counter
    refused, _ = rate(client, code.token, {"overall": "2"}, phone="0901 234 567")
    assert refused.status_code == 422
    assert "đánh dấu ô đồng ý" in refused.get_data(as_text=True)
    kept, _ = rate(
        client, code.token, {"overall": "2"}, phone="0901 234 567", consent="y"
    )
    assert kept.status_code == 303
    assert db_session.scalar(select(FollowUpContact.phone)) == "0901 234 567"


def test_one_device_rates_a_counter_once_within_the_interval(
    client: FlaskClient,
    db_session: Session,
    send_path: str,
) -> None:
    campaign, point = make_counter_campaign(db_session, min_interval_seconds=300)
    code = make_code(db_session, campaign, kind="standing", service_point=point)
    db_session.commit()
    assert rate(client, code.token, {"overall": "5"})[0].status_code == 303
    too_soon, _ = rate(client, code.token, {"overall": "5"})
    assert too_soon.status_code == 429
    assert "5 phút" in too_soon.get_data(as_text=True)


def test_rate_limits_count_per_device(
    app: Flask, client: FlaskClient, counter, send_path: str
) -> None:
    app.config["SURVEY_LIMIT_DEVICE"] = "3/minute"
    code, _ = counter
    statuses = [
        rate(client, code.token, {"overall": "4"})[0].status_code for _ in range(4)
    ]
    assert statuses == [303, 303, 303, 429]
    # Another browser is another device; the same one claiming to be another
    # (a new User-Agent) is not.
    same_browser = {"User-Agent": "another phone"}
    page = client.get(f"/s/{code.token}", headers=same_browser).get_data(as_text=True)
    form = hidden_fields(page) | {"overall": "4"}
    sent = client.post(f"/s/{code.token}", data=form, headers=same_browser)
    assert sent.status_code == 429
    assert send_as(app, f"/s/{code.token}", "another phone") == 303


def test_a_browser_without_cookies_is_one_device_whatever_it_claims(
    app: Flask, counter
) -> None:
    app.config["SURVEY_LIMIT_DEVICE"] = "3/minute"
    code, _ = counter
    script = app.test_client(use_cookies=False)
    statuses = []
    for number in range(4):
        agent = {"User-Agent": f"phone {number}"}
        page = script.get(f"/s/{code.token}", headers=agent).get_data(as_text=True)
        form = hidden_fields(page) | {"overall": "4"}
        statuses.append(
            script.post(f"/s/{code.token}", data=form, headers=agent).status_code
        )
    assert statuses == [303, 303, 303, 429]


def test_a_device_id_this_server_did_not_sign_is_no_device_of_its_own(
    app: Flask, counter
) -> None:
    app.config["SURVEY_LIMIT_DEVICE"] = "1/minute"
    code, _ = counter
    statuses = []
    for number in range(2):
        client = app.test_client()
        client.set_cookie(DEVICE_COOKIE, f"invented-{number}")
        page = client.get(f"/s/{code.token}").get_data(as_text=True)
        form = hidden_fields(page) | {"overall": "4"}
        client.set_cookie(DEVICE_COOKIE, f"invented-{number}")
        statuses.append(client.post(f"/s/{code.token}", data=form).status_code)
    assert statuses == [303, 429]


def test_relevance_is_answered_for_the_page_script(
    client: FlaskClient, counter
) -> None:
    code, _ = counter
    page = client.get(f"/s/{code.token}").get_data(as_text=True)
    token = hidden_fields(page)["page_token"]
    url = f"/s/{code.token}/relevance"
    low = client.post(url, data={"overall": "1", "page_token": token})
    high = client.post(url, data={"overall": "5", "page_token": token})
    assert "reasons" in low.json["relevant"]
    assert "reasons" not in high.json["relevant"]
    assert client.post(url, data={"overall": "1"}).status_code == 400


OVERALL = "Ông/Bà có hài lòng với lần giải quyết thủ tục hôm nay không?"
OFFICIAL = "Cán bộ, công chức đã phục vụ Ông/Bà (không bắt buộc)"


def test_the_page_without_its_script_shows_every_follow_up_with_its_condition(
    client: FlaskClient, counter
) -> None:
    """Hidden for the script to show; shown by noscript.css when it does not run."""
    code, _ = counter
    html = client.get(f"/s/{code.token}").get_data(as_text=True)
    assert re.search(r'data-q="reasons"[^>]* hidden data-pending>', html)
    assert re.search(r'data-q="official_rating"[^>]* hidden data-pending>', html)
    assert not re.search(r'data-q="(overall|official|comment)"[^>]*data-pending', html)
    assert (
        f"(Trả lời nếu ở câu “{OVERALL}” Ông/Bà chọn: Rất không hài lòng, "
        "Không hài lòng.)"
    ) in html
    assert f"(Trả lời nếu Ông/Bà đã chọn ở câu “{OFFICIAL}”.)" in html
    assert re.search(
        r'<noscript><link rel="stylesheet" href="/static/noscript.css"></noscript>',
        html,
    )
    style = client.get("/static/noscript.css")
    assert b"[data-pending][hidden]" in style.get_data()
    style.close()


@pytest.mark.parametrize(
    ("overall", "official", "kept"),
    [
        ("5", False, {"overall"}),
        ("2", False, {"overall", "reasons"}),
        ("5", True, {"overall", "official", "official_rating"}),
    ],
)
def test_a_send_drops_the_answers_to_questions_that_do_not_apply(
    client: FlaskClient,
    counter,
    db_session: Session,
    overall: str,
    official: bool,
    kept: set[str],
) -> None:
    """A page without its script sends every follow-up it showed: a reason under
    a good rating, an official's rating with no official are not stored."""
    code, point = counter
    answers = {
        "overall": overall,
        "reasons": ["waiting", "attitude"],
        "official": point.officials[0].code if official else "",
        "official_rating": "4",
    }
    sent, _ = rate(client, code.token, answers)
    assert sent.status_code == 303
    stored = db_session.scalar(select(Response))
    assert {answer.question for answer in stored.answers} == kept


def test_the_counter_page_weighs_under_30_kb_with_its_assets(
    client: FlaskClient, counter
) -> None:
    code, _ = counter
    html = client.get(f"/s/{code.token}").get_data()
    assets = re.findall(rb'(?:href|src)="(/static/[^"]+)"', html)
    weight = len(html)
    for asset in assets:
        with client.get(asset.decode()) as response:  # static files must be closed
            weight += len(response.get_data())
    assert len(assets) == 3  # the style, the script, the style without the script
    assert weight < 30 * 1024
    assert not re.search(rb'(?:href|src)="(?:https?:)?//', html)


class LongSurvey:
    """A business invited by a single-use code, answering the DDCI page by page."""

    BUSINESS: ClassVar[dict[str, str]] = {
        "business_type": "enterprise",
        "sector": "trade_services",
        "employees": "12",
        "dealt_with_unit": "no",
    }

    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client, self.url = client, f"/s/{token}"
        self.page = client.get(self.url).get_data(as_text=True)

    def send(self, answers: dict, action: str = "next"):
        form = hidden_fields(self.page) | answers | {"action": action}
        carried = re.findall(
            r'<input type="hidden" name="(\w+)" value="([^"]*)">', self.page
        )
        form |= {name: value for name, value in carried if name not in form}
        sent = self.client.post(self.url, data=form)
        self.page = sent.get_data(as_text=True)
        return sent


@pytest.fixture
def invitation(db_session: Session):
    campaign, _ = make_counter_campaign(db_session, template="ddci", mode="invitation")
    code = make_code(db_session, campaign, stratum="nho", weight=25.0)
    db_session.commit()
    return code


def test_a_long_questionnaire_goes_section_by_section_with_progress(
    client: FlaskClient, invitation
) -> None:
    survey = LongSurvey(client, invitation.token)
    assert "Phần 1/" in survey.page and "<progress" in survey.page
    assert survey.send(LongSurvey.BUSINESS).status_code == 200
    assert "Phần 2/" in survey.page
    assert "Tính minh bạch" in survey.page


def test_skip_logic_removes_the_time_cost_page(client: FlaskClient, invitation) -> None:
    used = LongSurvey(client, invitation.token)
    used.send(LongSurvey.BUSINESS | {"dealt_with_unit": "yes"})
    not_used = LongSurvey(client, invitation.token)
    not_used.send(LongSurvey.BUSINESS)
    total = re.compile(r"Phần 2/(\d+)")
    assert (
        int(total.search(used.page).group(1))
        == int(total.search(not_used.page).group(1)) + 1
    )


def test_a_business_resumes_where_it_stopped(
    app: Flask, invitation, db_session: Session
) -> None:
    survey = LongSurvey(app.test_client(), invitation.token)
    survey.send(LongSurvey.BUSINESS)
    survey.send({"tr_documents": "4", "tr_online": "5"})
    draft = db_session.scalar(select(ResponseDraft))
    assert draft.answers["employees"] == "12" and draft.page == 2
    later = LongSurvey(app.test_client(), invitation.token)  # another day, same code
    assert "Phần 3/" in later.page
    assert "đã được lưu" in later.page
    assert 'name="employees" value="12"' in later.page


def test_a_page_with_errors_stays_until_corrected(
    client: FlaskClient, invitation, db_session: Session
) -> None:
    survey = LongSurvey(client, invitation.token)
    refused = survey.send(LongSurvey.BUSINESS | {"employees": "-3"})
    assert refused.status_code == 422
    assert "Số lao động từ 0 đến 100.000." in survey.page
    assert "Phần 1/" in survey.page
    assert db_session.scalar(select(ResponseDraft)) is None


def test_a_completed_long_questionnaire_is_stored_verified_with_its_design(
    client: FlaskClient, invitation, db_session: Session
) -> None:
    survey = LongSurvey(client, invitation.token)
    survey.send(LongSurvey.BUSINESS)
    agree = {"tr_documents", "tr_online", "inf_common", "inf_harassment",
             "comp_equal_access", "comp_favoured", "sup_dialogue", "sup_programmes",
             "legal_complaints", "legal_security", "dyn_flexible", "dyn_initiative",
             "lead_accessible", "lead_commitment"}  # fmt: skip
    for _ in range(12):
        if 'value="submit"' in survey.page:
            break
        assert survey.send({name: "4" for name in agree}).status_code == 200
    sent = survey.send({"suggestion": "Rút ngắn thời gian"}, action="submit")
    assert sent.status_code == 303
    stored = db_session.scalar(select(Response))
    assert stored.verified and stored.stratum == "nho" and stored.weight == 25.0
    assert {a.question for a in stored.answers} >= {"employees", "tr_online"}
    assert db_session.scalar(select(ResponseDraft)) is None


def aged_token(app: Flask, code_token: str, seconds: int) -> str:
    """Return the page token a page shown ``seconds`` ago would carry."""

    class Earlier(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(datetime.now(UTC).timestamp()) - seconds

    return Earlier(app.secret_key, salt=page_token.SALT).sign(code_token).decode()


def test_started_time_makes_a_quick_rating_flagged(
    app: Flask,
    client: FlaskClient,
    counter,
    db_session: Session,
    send_path: str,
) -> None:
    code, _ = counter
    page = client.get(f"/s/{code.token}").get_data(as_text=True)
    form = hidden_fields(page) | {"overall": "5"}
    form["page_token"] = aged_token(app, code.token, seconds=120)
    assert client.post(f"/s/{code.token}", data=form).status_code == 303
    rate(client, code.token, {"overall": "5"})
    flags = db_session.scalars(select(Response.flag_too_fast).order_by(Response.id))
    assert list(flags) == [False, True]


def test_a_page_token_with_its_stamp_moved_back_is_refused(
    app: Flask, client: FlaskClient, counter, db_session: Session
) -> None:
    # "Too fast" reads the stamp: moving it back needs the server's key.
    code, _ = counter
    page = client.get(f"/s/{code.token}").get_data(as_text=True)
    form = hidden_fields(page) | {"overall": "5"}
    value, _, signature = form["page_token"].rsplit(".", 2)
    earlier = aged_token(app, code.token, seconds=120).rsplit(".", 2)[1]
    form["page_token"] = f"{value}.{earlier}.{signature}"
    assert client.post(f"/s/{code.token}", data=form).status_code == 400
    assert responses(db_session) == 0


def test_the_320_rating_attack_from_one_address_is_capped_and_flagged(
    app: Flask, counter, db_session: Session
) -> None:
    """Replay issue 12's finding 5: one-star ratings from one script, at once.

    One address, a new User-Agent and no cookie each time, a fresh page token
    per rating (a GET, then the POST), as fast as the test client goes.
    """
    code, _ = counter
    single = make_code(db_session, code.campaign)
    db_session.commit()
    assert rate(app.test_client(), single.token, {"overall": "5"})[0].status_code == 303
    catch_up(db_session)
    verified_before = tally_frame(db_session, code.campaign_id, verified_only=True)
    script = app.test_client(use_cookies=False)
    accepted = 0
    for number in range(320):
        agent = {"User-Agent": f"Mozilla/5.0 (attack {number})"}
        page = script.get(f"/s/{code.token}", headers=agent).get_data(as_text=True)
        form = hidden_fields(page) | {"overall": "1"}
        sent = script.post(f"/s/{code.token}", data=form, headers=agent)
        accepted += sent.status_code == 303
    catch_up(db_session)
    stored = db_session.scalars(
        select(Response).where(Response.access_code_id == code.id)
    ).all()
    limit = int(app.config["SURVEY_LIMIT_CODE"].split("/")[0])
    assert 0 < accepted == len(stored) <= limit
    assert all(r.flag_burst for r in stored), "every accepted one flagged"
    verified_after = tally_frame(db_session, code.campaign_id, verified_only=True)
    pd.testing.assert_frame_equal(verified_after, verified_before)


def test_a_code_typed_by_hand_opens_its_survey(client: FlaskClient, counter) -> None:
    code, _ = counter
    typed = f"{code.token[:5].lower()} - {code.token[5:].lower()}"
    opened = client.get("/s", query_string={"code": typed})
    assert opened.status_code == 302
    assert opened.headers["Location"].endswith(f"/s/{code.token}")
    assert client.get("/s", query_string={"code": "nonsense"}).status_code == 404
    assert client.get(f"/s/{code.token.lower()}").status_code == 200


def test_a_code_has_its_qr_code_as_png_and_svg(client: FlaskClient, counter) -> None:
    code, _ = counter
    with client.get(f"/s/{code.token}/qr.png") as png:
        assert png.mimetype == "image/png"
        assert png.get_data().startswith(b"\x89PNG")
    with client.get(f"/s/{code.token}/qr.svg") as svg:
        assert svg.mimetype == "image/svg+xml"
        assert (
            b"<svg" in svg.get_data()
            and b"http" not in svg.get_data().split(b">", 2)[-1][:0]
        )
    assert client.get("/s/ABCDEFGHJK/qr.png").status_code == 404


@pytest.fixture
def shown_from_cache(app: Flask, counter) -> tuple[FlaskClient, str]:
    """A client shown the counter's page, with the survey cache on."""
    code, _ = counter
    app.extensions["hailong.survey_cache"].seconds = 60
    client = app.test_client()
    return client, client.get(f"/s/{code.token}").get_data(as_text=True)


def test_a_cached_standing_code_is_refused_on_post_once_revoked(
    db_session: Session, counter, shown_from_cache
) -> None:
    code, _ = counter
    client, first = shown_from_cache
    code.revoked_at = datetime.now(UTC)
    db_session.commit()
    again = client.get(f"/s/{code.token}")
    assert again.status_code == 200  # shown from the cache, for up to 60 s
    assert hidden_fields(again.get_data(as_text=True)) != hidden_fields(first)
    form = hidden_fields(again.get_data(as_text=True)) | {"overall": "5"}
    assert client.post(f"/s/{code.token}", data=form).status_code == 410
    assert responses(db_session) == 0


def test_a_cached_code_is_refused_on_post_once_its_counter_is_closed(
    db_session: Session, counter, shown_from_cache
) -> None:
    code, point = counter
    client, page = shown_from_cache
    point.active = False
    db_session.commit()
    form = hidden_fields(page) | {"overall": "5"}
    assert client.post(f"/s/{code.token}", data=form).status_code == 410
    assert responses(db_session) == 0


def test_an_official_deactivated_while_cached_cannot_be_rated(
    db_session: Session, counter, shown_from_cache
) -> None:
    code, point = counter
    client, page = shown_from_cache
    official = point.officials[0]
    official.active = False
    db_session.commit()
    answers = {"overall": "5", "official": official.code, "official_rating": "4"}
    sent = client.post(f"/s/{code.token}", data=hidden_fields(page) | answers)
    assert sent.status_code == 422
    assert responses(db_session) == 0


@pytest.mark.parametrize("change", ["code expired", "campaign ended"])
def test_a_send_through_a_code_closed_since_its_page_is_refused(
    client: FlaskClient, db_session: Session, counter, change: str
) -> None:
    code, _ = counter
    page = client.get(f"/s/{code.token}").get_data(as_text=True)
    if change == "code expired":
        code.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    else:
        code.campaign.starts_on = date.today() - timedelta(days=30)
        code.campaign.ends_on = date.today() - timedelta(days=2)
    db_session.commit()
    form = hidden_fields(page) | {"overall": "5"}
    assert client.post(f"/s/{code.token}", data=form).status_code == 410
    assert responses(db_session) == 0


def send_as(app: Flask, path: str, phone: str) -> int:
    """Rate through ``path`` from a phone of its own; return the send's status.

    A phone of its own is a browser of its own: its own cookies, its device id.
    """
    client = app.test_client()
    agent = {"User-Agent": phone}
    page = client.get(path, headers=agent).get_data(as_text=True)
    form = hidden_fields(page) | {"overall": "4"}
    return client.post(path, data=form, headers=agent).status_code


def test_a_resend_at_the_limit_is_still_answered_as_the_first_send(
    app: Flask, client: FlaskClient, counter, db_session: Session, send_path: str
) -> None:
    app.config["SURVEY_LIMIT_DEVICE"] = "2/minute"
    code, _ = counter
    first, form = rate(client, code.token, {"overall": "4"})
    again = client.post(f"/s/{code.token}", data=form)  # a double tap: 2 of 2
    assert (first.status_code, again.status_code) == (303, 303)
    assert responses(db_session) == 1
    third = client.post(f"/s/{code.token}", data=form)
    assert third.status_code == 429


def test_the_address_limit_counts_every_phone_behind_one_address(
    app: Flask,
    client: FlaskClient,
    counter,
    send_path: str,
) -> None:
    app.config["SURVEY_LIMIT_ADDRESS"] = "2/minute"
    code, _ = counter
    statuses = [send_as(app, f"/s/{code.token}", f"phone {n}") for n in range(3)]
    assert statuses == [303, 303, 429]


def test_every_part_of_a_two_part_limit_counts(
    app: Flask,
    client: FlaskClient,
    counter,
    send_path: str,
) -> None:
    app.config["SURVEY_LIMIT_DEVICE"] = "100/minute;2/day"
    code, _ = counter
    statuses = [
        rate(client, code.token, {"overall": "4"})[0].status_code for _ in range(3)
    ]
    assert statuses == [303, 303, 429]


def test_a_counters_limit_holds_however_its_code_is_typed(
    app: Flask,
    client: FlaskClient,
    counter,
    send_path: str,
) -> None:
    app.config["SURVEY_LIMIT_CODE"] = "2/minute"
    code, _ = counter
    token = code.token
    spellings = [token, f"{token[:5]}-{token[5:]}".lower(), f"{token[:3]}-{token[3:]}"]
    statuses = [
        send_as(app, f"/s/{spelled}", f"phone {n}")
        for n, spelled in enumerate(spellings)
    ]
    assert statuses == [303, 303, 429]


def test_a_counters_limit_holds_for_sends_at_the_same_moment(
    fresh_database_url: str, tmp_path
) -> None:
    # The code's limit was tested when a send arrived and counted once it was
    # served: every send in flight meanwhile got through on the same count.
    with app_on(fresh_database_url, tmp_path / "instance") as app:
        app.config["SURVEY_LIMIT_CODE"] = "3/minute"
        with make_session_factory(bind_of(app)).begin() as session:
            campaign, point = make_counter_campaign(session)
            code = make_code(session, campaign, kind="standing", service_point=point)
            token = code.token
        sends = 3 + 5
        together = threading.Barrier(sends)
        statuses: list[int] = []

        def phone(number: int) -> None:
            client = app.test_client()
            agent = {"User-Agent": f"phone {number}"}
            page = client.get(f"/s/{token}", headers=agent).get_data(as_text=True)
            form = hidden_fields(page) | {"overall": "4"}
            together.wait()
            sent = client.post(f"/s/{token}", data=form, headers=agent)
            statuses.append(sent.status_code)

        threads = [threading.Thread(target=phone, args=(n,)) for n in range(sends)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with make_session_factory(bind_of(app))() as session:
            stored = responses(session)
    assert sorted(statuses) == [303] * 3 + [429] * 5
    assert stored == 3


def test_refused_posts_do_not_use_up_a_counters_limit(
    app: Flask,
    client: FlaskClient,
    counter,
    send_path: str,
) -> None:
    app.config["SURVEY_LIMIT_CODE"] = "3/minute"
    code, _ = counter
    for number in range(5):  # another client's invalid posts, new browser each time
        agent = {"User-Agent": f"script {number}"}
        page = client.get(f"/s/{code.token}", headers=agent).get_data(as_text=True)
        form = hidden_fields(page) | {"overall": "9"}
        assert (
            client.post(f"/s/{code.token}", data=form, headers=agent).status_code == 422
        )
    assert rate(client, code.token, {"overall": "4"})[0].status_code == 303


def test_a_resent_send_is_a_retry_even_after_the_code_is_used(
    client: FlaskClient,
    db_session: Session,
    send_path: str,
) -> None:
    campaign, point = make_counter_campaign(db_session, min_interval_seconds=300)
    standing = make_code(db_session, campaign, kind="standing", service_point=point)
    single = make_code(db_session, campaign)
    db_session.commit()
    for token in (standing.token, single.token):
        first, form = rate(client, token, {"overall": "4"})
        again = client.post(f"/s/{token}", data=form)
        assert first.status_code == again.status_code == 303, token
    assert responses(db_session) == 2


def test_a_start_time_sent_by_the_client_is_ignored(
    client: FlaskClient,
    counter,
    db_session: Session,
    send_path: str,
) -> None:
    code, _ = counter
    for started in ("99999999999999999", "-5", "1"):
        sent, _ = rate(client, code.token, {"overall": "4"}, started=started)
        assert sent.status_code == 303
    # The start is the page token's: these were sent at once, all too fast.
    flags = db_session.scalars(select(Response.flag_too_fast))
    assert list(flags) == [True, True, True]


def test_a_deactivated_counter_takes_no_more_ratings(
    client: FlaskClient, counter, db_session: Session
) -> None:
    code, point = counter
    point.active = False
    db_session.commit()
    assert client.get(f"/s/{code.token}").status_code == 410


#: A page (one section) whose follow-ups read its own answers: a yes/no opening
#: a group, and a number; each condition is said in words (from the options that
#: make it hold, or the question it reads).
FOLLOW_UPS = {
    "key": "follow_ups",
    "version": "1",
    "title": {"vi": "Câu hỏi tiếp theo"},
    "languages": ["vi"],
    "questions": [{"name": "main", "type": "section", "label": {"vi": "Chung"},
                   "questions": [
        {"name": "overall", "type": "rating", "label": {"vi": "Mức hài lòng"}},
        {"name": "visited", "type": "select_one", "choices": "yes_no",
         "label": {"vi": "Đã đến trụ sở"}},
        {"name": "visit", "type": "section", "label": {"vi": "Lần đến"},
         "relevant": "${visited} = 'yes'",
         "questions": [{"name": "trips", "type": "integer",
                        "label": {"vi": "Số lần đi lại"}}]},
        {"name": "why", "type": "text", "label": {"vi": "Vì sao nhiều lần"},
         "relevant": "${trips} > 2"},
    ]}],
    "choices": {"yes_no": [{"name": "yes", "label": {"vi": "Có"}},
                           {"name": "no", "label": {"vi": "Không"}}]},
    "scoring": {"aggregation": "percent_satisfied", "item_scale": [1, 5],
                "satisfied_min": 4, "dimension_scale": [0, 100],
                "dimensions": [{"name": "all", "label": {"vi": "Chung"},
                                "items": ["overall"]}],
                "index": {"name": "all", "label": {"vi": "Chung"}, "method": "mean",
                          "scale": [0, 100]}},
}  # fmt: skip


def test_follow_ups_in_groups_and_on_numbers_are_shown_with_their_condition(
    client: FlaskClient, db_session: Session
) -> None:
    stored = store_questionnaire(db_session, build_questionnaire(FOLLOW_UPS)).stored
    campaign = make_campaign(db_session, questionnaire=stored, mode="open_link")
    code = make_code(db_session, campaign, kind="standing")
    db_session.commit()
    html = client.get(f"/s/{code.token}").get_data(as_text=True)
    for name in ("visit", "trips", "why"):
        assert re.search(rf'data-q="{name}"[^>]* hidden data-pending>', html)
    assert "(Trả lời nếu ở câu “Đã đến trụ sở” Ông/Bà chọn: Có.)" in html
    assert (
        "(Trả lời nếu câu này phù hợp với câu trả lời của Ông/Bà ở câu "
        "“Số lần đi lại”.)"
    ) in html
    assert html.count('class="hint pending-hint"') == 2  # none inside the group
    sent, _ = rate(
        client, code.token, {"overall": "4", "visited": "no", "trips": "3", "why": "x"}
    )
    assert sent.status_code == 303
    answers = db_session.scalar(select(Response)).answers
    assert {answer.question for answer in answers} == {"overall", "visited"}
