"""A plain rating taken before Flask (``app.public.quick_send``).

The quick send must store exactly what Flask's view stores and answer what it
answers, and only take the sends it can prove plain: every other one must reach
Flask with its body intact. ``test_survey.py`` runs its send tests through both
paths (``send_path``); here are the quick send's own promises.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, request, request_started
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app import create_app
from app.db import EXTENSION
from app.public.survey import CACHE
from app.security import trust_proxies
from surveys.db import make_engine, make_session_factory
from surveys.models import Answer, ItemTally, Response
from tests.app.test_survey import counter, hidden_fields, responses
from tests.builders import make_code, make_counter_campaign
from tests.conftest import app_on

__all__ = ["counter"]

#: Columns that differ between two sends by design.
OWN = {"id", "submission_id", "submitted_at", "started_at", "access_code_id"}


@pytest.fixture
def flask_saw(app: Flask) -> Iterator[list[str]]:
    """The app with its survey cache on; the paths of requests that reached Flask."""
    app.extensions[CACHE].seconds = 60
    seen: list[str] = []

    def saw(sender: Flask, **_: object) -> None:
        seen.append(f"{request.method} {request.path}")

    request_started.connect(saw, app)
    yield seen
    request_started.disconnect(saw, app)


def shown(client: FlaskClient, token: str, **headers: str) -> dict[str, str]:
    page = client.get(f"/s/{token}", headers=headers)
    assert page.status_code == 200
    return hidden_fields(page.get_data(as_text=True))


def stored(session: Session, response_id: int) -> dict[str, object]:
    """A stored response as comparable values: its row, answers and cell."""
    row = session.get(Response, response_id)
    session.refresh(row)
    answers = session.execute(
        select(Answer.question, Answer.value_num, Answer.value_text)
        .where(Answer.response_id == response_id)
        .order_by(Answer.question)
    ).all()
    columns = {c.key: getattr(row, c.key) for c in Response.__table__.columns}
    return {k: v for k, v in columns.items() if k not in OWN} | {"answers": answers}


def test_a_plain_rating_is_stored_before_flask_as_flask_stores_it(
    app: Flask, flask_saw: list[str], counter, db_session: Session
) -> None:
    code, point = counter
    twin = make_code(db_session, code.campaign, kind="standing", service_point=point)
    db_session.commit()
    official = point.officials[0]
    answers = {
        "overall": "2",
        "official": official.code,
        "official_rating": "1",
        "reasons": ["waiting", "attitude"],
        "comment": "Chờ lâu <b>quá</b>",
    }
    phone = {"User-Agent": "Nokia 105"}
    client = app.test_client()

    quick = client.post(
        f"/s/{code.token}",
        data=shown(client, code.token, **phone) | answers,
        headers=phone,
    )
    assert f"POST /s/{code.token}" not in flask_saw  # Flask never saw the send
    app.extensions[CACHE].seconds = 0  # now every request reaches Flask
    thorough = client.post(
        f"/s/{twin.token}",
        data=shown(client, twin.token, **phone) | answers,
        headers=phone,
    )
    assert f"POST /s/{twin.token}" in flask_saw

    assert quick.status_code == thorough.status_code == 303
    assert quick.headers["Location"] == f"/s/{code.token}/thanks"
    assert sorted(quick.headers.items()) == sorted(
        (name, value.replace(twin.token, code.token))
        for name, value in thorough.headers.items()
    )
    assert quick.get_data() == thorough.get_data().replace(
        twin.token.encode(), code.token.encode()
    )
    first, second = db_session.scalars(select(Response.id).order_by(Response.id))
    assert stored(db_session, first) == stored(db_session, second) | {
        # the second rating from one device within minutes is a suspect copy
        "flag_duplicate_suspect": False
    }
    assert stored(db_session, first)["official_id"] == official.id
    assert (
        db_session.scalar(
            select(func.sum(ItemTally.n)).where(ItemTally.item == "overall")
        )
        == 2
    )


def test_the_quick_send_keys_limits_and_device_by_the_proxied_address(
    app: Flask, flask_saw: list[str], counter, db_session: Session
) -> None:
    app.config["TRUSTED_PROXIES"] = 1
    app.config["SURVEY_LIMIT_DEVICE"] = "1/minute"
    trust_proxies(app)  # as create_app does, last
    code, _ = counter
    client = app.test_client()
    statuses = []
    for address in ("203.0.113.7", "203.0.113.8", "203.0.113.7"):
        forwarded = {"X-Forwarded-For": address}
        form = shown(client, code.token, **forwarded) | {"overall": "4"}
        sent = client.post(f"/s/{code.token}", data=form, headers=forwarded)
        statuses.append(sent.status_code)
    assert statuses == [303, 303, 429]
    devices = set(db_session.scalars(select(Response.device_hash)))
    assert len(devices) == 2  # two phones, told apart by their real address
    assert sum(line.startswith("POST") for line in flask_saw) == 1  # the 429


@pytest.mark.parametrize(
    ("case", "change", "status"),
    [
        ("forged token", {"csrf_token": "forged"}, 400),
        ("no session cookie", {"_cookie": ""}, 400),
        ("answer off the list", {"overall": "9"}, 422),
        ("bad submission id", {"submission_id": "x"}, 400),
        ("phone with consent", {"phone": "0901 234 567", "consent": "y"}, 303),
        ("phone without consent", {"phone": "0901 234 567"}, 422),
        ("start time not a number", {"started": "soon"}, 422),
        ("page not a number", {"page": "last"}, 422),
        ("page not an ASCII number", {"page": "²"}, 422),
        ("going back", {"action": "back"}, 200),
        ("a form as multipart", {"_multipart": "yes"}, 303),
    ],
)
def test_every_send_that_is_not_plain_reaches_flask_and_is_answered_alike(
    app: Flask,
    flask_saw: list[str],
    db_session: Session,
    case: str,
    change: dict[str, str],
    status: int,
) -> None:
    campaign, point = make_counter_campaign(db_session)
    codes = [
        make_code(db_session, campaign, kind="standing", service_point=point)
        for _ in range(2)
    ]
    db_session.commit()
    answered = []
    for code, cached in zip(codes, (60, 0), strict=True):
        app.extensions[CACHE].seconds = cached
        client = app.test_client()
        form = shown(client, code.token) | {"overall": "4"}
        options = {}
        fields = dict(form | change)
        if fields.pop("_cookie", None) is not None:
            client.delete_cookie("session")
        if fields.pop("_multipart", None):
            options["content_type"] = "multipart/form-data"
        before = responses(db_session)
        sent = client.post(f"/s/{code.token}", data=fields, **options)
        assert f"POST /s/{code.token}" in flask_saw, case
        answered.append((sent.status_code, responses(db_session) - before))
    assert answered[0] == answered[1] == (status, 1 if status == 303 else 0), case


def test_a_resend_and_a_changed_resend_are_answered_by_flask(
    app: Flask, flask_saw: list[str], counter, db_session: Session
) -> None:
    code, _ = counter
    client = app.test_client()
    form = shown(client, code.token) | {"overall": "4"}
    path = f"/s/{code.token}"
    assert client.post(path, data=form).status_code == 303
    assert flask_saw.count(f"POST {path}") == 0
    assert client.post(path, data=form).status_code == 303  # a retry
    assert client.post(path, data=form | {"overall": "1"}).status_code == 409
    assert flask_saw.count(f"POST {path}") == 2
    assert responses(db_session) == 1


def test_a_quick_send_counts_against_every_limit(
    app: Flask, flask_saw: list[str], counter
) -> None:
    code, _ = counter
    path = f"/s/{code.token}"
    for setting in ("SURVEY_LIMIT_DEVICE", "SURVEY_LIMIT_ADDRESS", "SURVEY_LIMIT_CODE"):
        for name in (
            "SURVEY_LIMIT_DEVICE",
            "SURVEY_LIMIT_ADDRESS",
            "SURVEY_LIMIT_CODE",
        ):
            app.config[name] = "2/minute" if name == setting else "1000/minute"
        app.config["RATELIMIT_KEY_PREFIX"] = setting  # a fresh count per setting
        client = app.test_client()
        statuses = []
        for number in range(3):
            phone = {"User-Agent": f"phone {number}"} if "DEVICE" not in setting else {}
            form = shown(client, code.token, **phone) | {"overall": "4"}
            statuses.append(client.post(path, data=form, headers=phone).status_code)
        assert statuses == [303, 303, 429], setting
    # Each setting: two quick sends, then the refused one through Flask.
    assert flask_saw.count(f"POST {path}") == 3


def test_https_sends_need_a_referrer_from_the_same_site(
    app: Flask, flask_saw: list[str], counter, db_session: Session
) -> None:
    code, _ = counter
    path = f"/s/{code.token}"
    client = app.test_client()
    secure = {"base_url": "https://survey.example.vn"}
    form = hidden_fields(client.get(path, **secure).get_data(as_text=True))
    refused = client.post(path, data=form | {"overall": "4"}, **secure)
    assert refused.status_code == 400 and f"POST {path}" in flask_saw
    elsewhere = {"Referer": "https://elsewhere.example/"}
    assert (
        client.post(path, data=form | {"overall": "4"}, headers=elsewhere, **secure)
    ).status_code == 400
    flask_saw.clear()
    same_site = {"Referer": f"https://survey.example.vn{path}"}
    sent = client.post(path, data=form | {"overall": "4"}, headers=same_site, **secure)
    assert sent.status_code == 303 and not flask_saw
    assert responses(db_session) == 1


@pytest.fixture
def committing_app(fresh_database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An app that commits for real, its survey cache on, its limits high."""
    with app_on(fresh_database_url, tmp_path / "instance") as app:
        app.config["SURVEY_CACHE_SECONDS"] = 60
        app.extensions[CACHE].seconds = 60
        for name in (
            "SURVEY_LIMIT_DEVICE",
            "SURVEY_LIMIT_CODE",
            "SURVEY_LIMIT_ADDRESS",
        ):
            app.config[name] = "1000/minute"
        yield app


def test_twenty_concurrent_resends_are_stored_exactly_once(
    committing_app: Flask, fresh_database_url: str
) -> None:
    reached_flask: list[str] = []

    def saw(sender: Flask, **_: object) -> None:
        reached_flask.append(request.method)

    request_started.connect(saw, committing_app)
    engine = make_engine(fresh_database_url)
    try:
        with make_session_factory(engine).begin() as session:
            campaign, point = make_counter_campaign(session)
            token = make_code(
                session, campaign, kind="standing", service_point=point
            ).token
        client = committing_app.test_client()
        form = shown(client, token) | {"overall": "5"}
        cookie = client.get_cookie("session")
        assert cookie is not None
        start = threading.Barrier(20)
        statuses: list[int] = []

        def send() -> None:
            own = committing_app.test_client()
            own.set_cookie("session", cookie.value)
            start.wait()
            statuses.append(own.post(f"/s/{token}", data=form).status_code)

        threads = [threading.Thread(target=send) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert statuses == [303] * 20
        assert reached_flask.count("POST") < 20  # one at least was a quick send
        with make_session_factory(engine)() as session:
            assert responses(session) == 1
            overall = select(func.sum(ItemTally.n)).where(ItemTally.item == "overall")
            assert session.scalar(overall) == 1
    finally:
        engine.dispose()


@pytest.mark.parametrize("swallow", [True, False])
def test_a_rate_limit_storage_down_is_answered_as_flask_answers_it(
    database_url: str,
    bound_factory: sessionmaker[Session],
    tmp_path: Path,
    counter,
    db_session: Session,
    swallow: bool,
) -> None:
    app = create_app(
        {
            "SECRET_KEY": "test-secret-key",
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1",  # nothing listens
            "RATELIMIT_SWALLOW_ERRORS": swallow,
        }
    )
    app.extensions[EXTENSION] = bound_factory
    app.extensions[CACHE].seconds = 60
    code, _ = counter
    client = app.test_client()
    form = shown(client, code.token) | {"overall": "4"}
    sent = client.post(f"/s/{code.token}", data=form)
    # Let through and stored, or Flask's error page and nothing stored.
    assert (sent.status_code, responses(db_session)) == (
        (303, 1) if swallow else (500, 0)
    )
