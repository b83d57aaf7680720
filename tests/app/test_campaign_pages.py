"""A campaign's page: edit, pause, resume, close, its funnel and its codes.

Pausing and closing are checked on every path that takes a response: the
survey's page and send (codes read afresh and from the cache), a kept draft,
and an enumerator's submission. Both databases.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from app.public.survey import CACHE
from surveys.access.code_state import load_code, record_first_opening
from surveys.models import (
    AccessCode,
    AuditEvent,
    Campaign,
    Response,
    ResponseDraft,
    Role,
    Unit,
    UnitKind,
    User,
)
from surveys.storage.drafts import save_draft
from surveys.storage.recording import Submission, record_response
from tests.app.openrosa_field import GOOD, Field, download, fill, make_field, submit
from tests.app.openrosa_field import message as openrosa_message
from tests.app.staff_client import csrf_token, log_in
from tests.app.test_survey import LongSurvey, hidden_fields
from tests.builders import (
    make_campaign,
    make_code,
    make_counter_campaign,
    make_unit,
    make_user,
)

NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)


@dataclass
class Office:
    """A district with two wards, a campaign of ward A, and who administers them."""

    ward: Unit
    other: Unit
    campaign: Campaign
    district_user: User
    ward_district_user: User
    manager: User


@pytest.fixture
def office(db_session: Session) -> Office:
    district = make_unit(db_session, name="Quận Thử", kind=UnitKind.DISTRICT)
    ward = make_unit(db_session, district, name="Phường Một")
    other = make_unit(db_session, district, name="Phường Hai")
    campaign = make_campaign(
        db_session, unit=ward, mode="invitation", name="Khảo sát doanh nghiệp"
    )
    office = Office(
        ward,
        other,
        campaign,
        make_user(db_session, district, Role.DISTRICT),
        # Administers ward B only: ward A's campaign is out of its scope.
        make_user(db_session, other, Role.DISTRICT),
        make_user(db_session, ward, Role.UNIT_MANAGER),
    )
    db_session.commit()
    return office


def staff(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    assert log_in(client, user.username).status_code == 302
    return client


def post(client: FlaskClient, path: str, data: dict | None = None) -> TestResponse:
    form = {"csrf_token": csrf_token(client, "/staff/")} | (data or {})
    return client.post(path, data=form)


def page_of(campaign: Campaign) -> str:
    return f"/staff/campaigns/{campaign.key}"


def responses(session: Session) -> int:
    return session.scalar(select(func.count(Response.id))) or 0


def audited(session: Session, campaign: Campaign) -> list[str]:
    return list(
        session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_id == campaign.key)
            .order_by(AuditEvent.id)
        )
    )


# Scope ---------------------------------------------------------------------------


def test_another_units_campaign_is_not_found(app: Flask, office: Office) -> None:
    client = staff(app, office.ward_district_user)
    base = page_of(office.campaign)
    for path in (base, f"{base}/codes", f"{base}/codes.csv"):
        assert client.get(path).status_code == 404, path
    for action in ("pause", "resume", "close"):
        assert post(client, f"{base}/{action}", {"confirm": "y"}).status_code == 404
    assert post(client, base, {"name": "X"}).status_code == 404
    manager = staff(app, office.manager)
    assert manager.get(base).status_code == 403
    assert office.campaign.paused_at is None and office.campaign.closed_at is None


def test_the_list_links_each_campaign_with_its_status(
    app: Flask, office: Office
) -> None:
    html = staff(app, office.district_user).get("/staff/campaigns").get_data(True)
    assert f'href="{page_of(office.campaign)}"' in html
    assert "Đang diễn ra" in html


# Editing -------------------------------------------------------------------------


def test_an_edit_is_saved_and_audited(
    app: Flask, db_session: Session, office: Office
) -> None:
    client = staff(app, office.district_user)
    form = client.get(page_of(office.campaign)).get_data(as_text=True)
    assert 'value="Khảo sát doanh nghiệp"' in form
    sent = post(
        client,
        page_of(office.campaign),
        {
            "name": "Khảo sát DN 2026",
            "questionnaire": str(office.campaign.questionnaire_id),
            "mode": "invitation",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
            "min_interval_seconds": "0",
        },
    )
    assert sent.status_code == 302
    db_session.expire_all()
    assert office.campaign.name == "Khảo sát DN 2026"
    assert office.campaign.ends_on == date(2026, 12, 31)
    assert audited(db_session, office.campaign) == ["campaign_edited"]


def test_an_answered_campaign_keeps_its_questionnaire_and_its_first_day(
    app: Flask, db_session: Session, office: Office
) -> None:
    code = make_code(db_session, office.campaign)
    record_response(db_session, Submission(code.token, "s-1", {"overall": "4"}), NOW)
    db_session.commit()
    client = staff(app, office.district_user)
    html = client.get(page_of(office.campaign)).get_data(as_text=True)
    assert 'name="questionnaire"' not in html and 'name="mode"' not in html
    assert "không đổi được nữa" in html
    refused = post(
        client,
        page_of(office.campaign),
        {"name": "Khảo sát", "starts_on": "2026-06-02", "min_interval_seconds": "0"},
    )
    assert refused.status_code == 422
    assert "ngày bắt đầu không được sau ngày đó" in refused.get_data(as_text=True)
    backwards = post(
        client,
        page_of(office.campaign),
        {"name": "Khảo sát", "starts_on": "2026-06-01", "ends_on": "2026-05-01"},
    )
    assert backwards.status_code == 422
    assert "Ngày kết thúc phải sau" in backwards.get_data(as_text=True)
    db_session.expire_all()
    assert office.campaign.starts_on == date(2026, 1, 1)
    assert audited(db_session, office.campaign) == []


# Pause, resume, close on the survey --------------------------------------------------


@pytest.fixture(params=["read afresh", "from the cache"])
def counter(request: pytest.FixtureRequest, app: Flask, db_session: Session):
    """A counter's standing code; with the cache on, its page is read a moment ago."""
    if request.param == "from the cache":
        app.extensions[CACHE].seconds = 60
    campaign, point = make_counter_campaign(db_session)
    code = make_code(db_session, campaign, kind="standing", service_point=point)
    make_user(db_session, None, Role.ADMIN, username=f"admin-{uuid.uuid4().hex[:6]}")
    db_session.commit()
    return code


def admin(app: Flask, db_session: Session) -> FlaskClient:
    user = db_session.scalar(select(User).where(User.role == Role.ADMIN))
    return staff(app, user)


def test_a_paused_survey_says_so_and_stores_nothing_until_resumed(
    app: Flask, db_session: Session, counter: AccessCode
) -> None:
    citizen = app.test_client()
    shown = citizen.get(f"/s/{counter.token}").get_data(as_text=True)
    official = admin(app, db_session)
    assert post(official, f"{page_of(counter.campaign)}/pause").status_code == 302
    form = hidden_fields(shown) | {"overall": "5"}
    sent = citizen.post(f"/s/{counter.token}", data=form)
    assert sent.status_code == 503
    assert "Khảo sát đang tạm dừng" in sent.get_data(as_text=True)
    assert responses(db_session) == 0
    app.extensions[CACHE].seconds = 0  # what the cache held has expired
    page = citizen.get(f"/s/{counter.token}")
    assert page.status_code == 503
    assert "Mã của Ông/Bà vẫn còn hiệu lực" in page.get_data(as_text=True)
    english = citizen.get(f"/s/{counter.token}?lang=en").get_data(as_text=True)
    assert "The survey is paused" in english
    assert post(official, f"{page_of(counter.campaign)}/resume").status_code == 302
    again = citizen.get(f"/s/{counter.token}").get_data(as_text=True)
    resent = citizen.post(
        f"/s/{counter.token}", data=hidden_fields(again) | {"overall": "5"}
    )
    assert resent.status_code == 303
    assert responses(db_session) == 1
    assert audited(db_session, counter.campaign) == [
        "campaign_paused",
        "campaign_resumed",
    ]


def test_a_closed_survey_takes_nothing_more(
    app: Flask, db_session: Session, counter: AccessCode
) -> None:
    citizen = app.test_client()
    shown = citizen.get(f"/s/{counter.token}").get_data(as_text=True)
    official = admin(app, db_session)
    close = f"{page_of(counter.campaign)}/close"
    unconfirmed = post(official, close)
    assert unconfirmed.status_code == 302
    db_session.expire_all()
    assert counter.campaign.closed_at is None
    assert post(official, close, {"confirm": "y"}).status_code == 302
    sent = citizen.post(
        f"/s/{counter.token}", data=hidden_fields(shown) | {"overall": "5"}
    )
    assert sent.status_code == 410
    assert "đã kết thúc" in sent.get_data(as_text=True)
    assert responses(db_session) == 0
    html = official.get(page_of(counter.campaign)).get_data(as_text=True)
    assert "Đã đóng" in html and "không mở lại được" in html
    assert post(official, f"{page_of(counter.campaign)}/pause").status_code == 302
    db_session.expire_all()
    assert counter.campaign.paused_at is None
    assert audited(db_session, counter.campaign) == ["campaign_closed"]
    dashboard = official.get(
        f"/staff/units/{counter.unit.code}/dashboard?campaign={counter.campaign.key}"
    )
    assert dashboard.status_code == 200
    assert counter.campaign.name in dashboard.get_data(as_text=True)


def test_a_draft_kept_through_a_pause_is_sent_after_resuming(
    app: Flask, db_session: Session
) -> None:
    campaign, _ = make_counter_campaign(db_session, template="ddci", mode="invitation")
    code = make_code(db_session, campaign, stratum="nho")
    make_user(db_session, None, Role.ADMIN)
    db_session.commit()
    survey = LongSurvey(app.test_client(), code.token)
    assert survey.send(LongSurvey.BUSINESS).status_code == 200
    official = admin(app, db_session)
    post(official, f"{page_of(campaign)}/pause")
    refused = survey.send({"tr_documents": "4"})
    assert refused.status_code == 503
    assert "tạm dừng" in refused.get_data(as_text=True)
    assert db_session.scalar(select(func.count(ResponseDraft.id))) == 1
    post(official, f"{page_of(campaign)}/resume")
    resumed = LongSurvey(app.test_client(), code.token)
    assert "Phần 2/" in resumed.page
    assert 'name="employees" value="12"' in resumed.page
    # What was typed on the page sent during the pause was kept too.
    draft = db_session.scalars(select(ResponseDraft)).one()
    db_session.refresh(draft)
    assert draft.answers["tr_documents"] == "4" and draft.page == 1


def test_a_paused_campaign_refuses_an_enumerators_interview_until_resumed(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    field: Field = make_field(db_session)
    make_user(db_session, None, Role.ADMIN)
    db_session.commit()
    xform = download(client, field)
    official = admin(app, db_session)
    post(official, f"{page_of(field.campaign)}/pause")
    sent = fill(xform, GOOD, f"uuid:{uuid.uuid4()}")
    refused = submit(client, field, sent)
    assert refused.status_code == 409
    assert "tạm dừng" in openrosa_message(refused)
    assert responses(db_session) == 0
    post(official, f"{page_of(field.campaign)}/resume")
    assert submit(client, field, sent).status_code == 201
    post(official, f"{page_of(field.campaign)}/close", {"confirm": "y"})
    late = submit(client, field, fill(xform, GOOD, f"uuid:{uuid.uuid4()}"))
    assert late.status_code == 409
    assert responses(db_session) == 1


# The funnel and the codes ------------------------------------------------------------


@pytest.fixture
def invitations(db_session: Session, office: Office) -> list[AccessCode]:
    """Six invitations in two strata: four opened, three started, two completed."""
    campaign = office.campaign
    small = [make_code(db_session, campaign, stratum="nho") for _ in range(3)]
    large = [make_code(db_session, campaign, stratum="lon") for _ in range(3)]
    for code in [*small, large[0]]:
        record_first_opening(db_session, load_code(db_session, code.token), NOW)
    for code in [small[0], small[1], large[0]]:
        save_draft(
            db_session, code, {"overall": "3"}, page=0,
            submission_id=f"s-{code.id}", started_at=NOW, now=NOW,
        )  # fmt: skip
    for code in [small[0], large[0]]:
        sent = Submission(code.token, f"s-{code.id}", {"overall": "4"})
        record_response(db_session, sent, NOW)
    db_session.commit()
    return small + large


def test_the_campaign_page_shows_the_funnel_by_stratum(
    app: Flask, office: Office, invitations: list[AccessCode]
) -> None:
    html = staff(app, office.district_user).get(page_of(office.campaign))
    text = html.get_data(as_text=True)
    assert html.status_code == 200
    assert "Tiến độ thư mời" in text and "AAPOR" in text
    # Total: 6 issued, 4 opened, 3 started, 2 completed, 33,3% (Vietnamese style).
    assert "<td>6</td><td>4</td><td>3</td><td>2</td>" in text
    assert "<td>3</td><td>3</td><td>2</td><td>1</td>" in text  # nho
    assert "<td>3</td><td>1</td><td>1</td><td>1</td>" in text  # lon
    assert "33,3%" in text and "(2/6)" in text


def test_a_code_is_opened_by_its_first_visit(
    client: FlaskClient, db_session: Session, office: Office
) -> None:
    code = make_code(db_session, office.campaign)
    db_session.commit()
    assert client.get(f"/s/{code.token}").status_code == 200
    db_session.expire_all()
    opened = db_session.get(AccessCode, code.id).opened_at
    assert opened is not None
    client.get(f"/s/{code.token}")
    db_session.expire_all()
    assert db_session.get(AccessCode, code.id).opened_at == opened


def test_the_codes_are_listed_by_status_and_stratum(
    app: Flask, office: Office, invitations: list[AccessCode]
) -> None:
    client = staff(app, office.district_user)
    codes = f"{page_of(office.campaign)}/codes"
    every = client.get(codes).get_data(as_text=True)
    assert every.count("Đã hoàn thành</td>") == 2
    assert every.count("Đang trả lời</td>") == 1
    assert every.count("Đã mở</td>") == 1
    assert every.count("Đã phát</td>") == 2
    waiting = client.get(f"{codes}?status=issued&stratum=lon").get_data(as_text=True)
    assert "2 mã." in waiting
    assert (
        invitations[4].token[:5] in waiting and invitations[0].token[:5] not in waiting
    )
    assert client.get(f"{codes}?status=lost").status_code == 404
    assert client.get(f"{codes}?stratum=unknown").status_code == 404


def test_the_codes_download_is_a_csv_and_audited(
    app: Flask, db_session: Session, office: Office, invitations: list[AccessCode]
) -> None:
    client = staff(app, office.district_user)
    answer = client.get(f"{page_of(office.campaign)}/codes.csv?stratum=nho")
    assert answer.status_code == 200
    assert answer.mimetype == "text/csv"
    assert "Content-Length" not in answer.headers  # streamed, not built in memory
    rows = list(csv.reader(io.StringIO(answer.get_data().decode("utf-8-sig"))))
    assert rows[0][:3] == ["Mã", "Mã in trên phiếu", "Mã đơn vị"]
    assert [row[0] for row in rows[1:]] == [code.token for code in invitations[:3]]
    assert [row[7] for row in rows[1:]] == ["Đã hoàn thành", "Đang trả lời", "Đã mở"]
    assert rows[1][8].endswith("+07:00")
    (event,) = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "export")
    )
    assert (event.object_type, event.object_id) == ("campaign", office.campaign.key)
    assert event.detail == {
        "document": "code_statuses",
        "stratum": "nho",
        "format": "csv",
    }


def test_invitations_are_issued_with_a_stratum_on_the_codes_page(
    app: Flask, db_session: Session, office: Office
) -> None:
    client = staff(app, office.district_user)
    codes = f"/staff/units/{office.ward.code}/codes"
    issued = post(
        client,
        codes,
        {"campaign": office.campaign.key, "count": "2", "service_point": "",
         "stratum": "nho", "cluster": "kp1", "weight": "12.5"},
    )  # fmt: skip
    assert issued.status_code == 302
    made = list(db_session.scalars(select(AccessCode)))
    assert [(c.stratum, c.cluster, c.weight) for c in made] == [
        ("nho", "kp1", 12.5)
    ] * 2
    event = db_session.scalar(
        select(AuditEvent).where(AuditEvent.action == "codes_issued")
    )
    assert (event.detail["stratum"], event.detail["weight"]) == ("nho", 12.5)
    refused = post(
        client,
        codes,
        {"campaign": office.campaign.key, "count": "2", "service_point": "",
         "weight": "-1"},
    )  # fmt: skip
    assert refused.status_code == 200
    assert "Trọng số phải là số dương." in refused.get_data(as_text=True)
    assert db_session.scalar(select(func.count(AccessCode.id))) == 2
    funnel = client.get(page_of(office.campaign)).get_data(as_text=True)
    assert '<th scope="row">nho</th>' in funnel
