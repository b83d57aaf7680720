"""Staff login through the Flask client: refusals, throttling, ending sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from flask import Flask, request
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import CLOCK, permission_required
from surveys.access.scope import Permission
from surveys.models import AuditEvent, Role, Unit, UnitKind, User
from tests.app.staff_client import CSRF, csrf_token, log_in, log_out
from tests.app.test_manage import post
from tests.builders import PASSWORD, make_unit, make_user

NEW_PASSWORD = "a much better passphrase"


@dataclass
class Staff:
    ward: Unit
    manager: User


@pytest.fixture
def staff(db_session: Session) -> Staff:
    district = make_unit(db_session, name="Quận Thử", kind=UnitKind.DISTRICT)
    ward = make_unit(db_session, district, name="Phường Bến Nghé")
    manager = make_user(db_session, ward, username="bennghe")
    db_session.commit()
    return Staff(ward, manager)


class Clock:
    """The login code's clock, moved by the test instead of by waiting."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 10, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(app: Flask) -> Clock:
    clock = Clock()
    app.extensions[CLOCK] = clock
    return clock


def other_client(app: Flask, address: str) -> FlaskClient:
    """A client on another machine (another address, hence another device)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def audit(session: Session, action: str) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action)
    return list(session.scalars(query.order_by(AuditEvent.id)))


def test_logging_in_leads_home_to_the_users_unit_and_role(
    client: FlaskClient, staff: Staff, db_session: Session
) -> None:
    answer = log_in(client, "bennghe")
    assert (answer.status_code, answer.location) == (302, "/staff/")
    home = client.get("/staff/").get_data(as_text=True)
    for text in ("bennghe", "Phường Bến Nghé", "Quản lý đơn vị", "Đăng xuất"):
        assert text in home
    (event,) = audit(db_session, "login")
    assert event.user_id == staff.manager.id
    assert event.detail["device"]


def test_an_unknown_user_and_a_wrong_password_get_the_same_answer(
    client: FlaskClient,
    staff: Staff,
    db_session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    verified = []
    real_verify = PasswordHasher.verify

    def spy(hasher: PasswordHasher, hashed: str, password: str) -> bool:
        verified.append(hashed)
        return real_verify(hasher, hashed, password)

    monkeypatch.setattr(PasswordHasher, "verify", spy)
    unknown = log_in(client, "nobody", PASSWORD)
    wrong = log_in(client, "bennghe", "not the password")
    pages = [
        CSRF.sub("", answer.get_data(as_text=True)).replace(name, "")
        for answer, name in ((unknown, "nobody"), (wrong, "bennghe"))
    ]
    assert unknown.status_code == wrong.status_code == 200
    assert pages[0] == pages[1]
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in pages[0]
    # The unknown user costs one argon2 verification too, so timing tells nothing.
    assert len(verified) == 2
    failures = audit(db_session, "login_failed")
    # What was typed is not kept: a known name is its user's id, an unknown none.
    assert [event.user_id for event in failures] == [None, staff.manager.id]
    assert all("nobody" not in str(event.detail) for event in failures)
    assert all("not the password" not in str(event.detail) for event in failures)


def test_a_deactivated_user_cannot_log_in_and_is_told_nothing_more(
    client: FlaskClient, staff: Staff, db_session: Session
) -> None:
    staff.manager.active = False
    db_session.commit()
    answer = log_in(client, "bennghe")
    assert answer.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in answer.get_data(as_text=True)


@pytest.mark.parametrize("victim", ["root", "bennghe"])
def test_someone_failing_on_an_account_does_not_stop_its_user(
    app: Flask, clock: Clock, staff: Staff, db_session: Session, victim: str
) -> None:
    """Twenty-odd wrong guesses from elsewhere used to lock admin out: now the
    guesser waits, and the real user at their own address logs in at once."""
    make_user(db_session, None, Role.ADMIN, username="root")
    db_session.commit()
    attacker = other_client(app, "203.0.113.66")
    for _ in range(22):
        clock.advance(seconds=app.config["LOGIN_LONGEST_DELAY"])
        assert log_in(attacker, victim, "a guess").status_code == 200
    assert log_in(attacker, victim, "a guess").status_code == 429
    real_user = other_client(app, "10.0.0.7")
    assert log_in(real_user, victim).status_code == 302


def test_a_client_that_keeps_failing_waits_twice_as_long_each_time(
    app: Flask, client: FlaskClient, clock: Clock, staff: Staff
) -> None:
    app.config["LOGIN_FREE_FAILURES"] = 3
    for _ in range(3):
        assert log_in(client, "bennghe", "a guess").status_code == 200
    # Even the right password is refused: a guesser must not learn it was right.
    early = log_in(client, "bennghe")
    assert (early.status_code, early.headers["Retry-After"]) == (429, "2")
    assert "Vui lòng thử lại sau 2 giây." in early.get_data(as_text=True)
    clock.advance(seconds=1)
    assert log_in(client, "bennghe").headers["Retry-After"] == "1"
    clock.advance(seconds=1)
    assert log_in(client, "bennghe", "a guess").status_code == 200
    clock.advance(seconds=3)
    assert log_in(client, "bennghe").headers["Retry-After"] == "1"
    clock.advance(seconds=1)
    assert log_in(client, "bennghe").status_code == 302


def test_the_delay_reads_the_same_whether_the_account_exists_or_not(
    app: Flask, clock: Clock, staff: Staff
) -> None:
    app.config["LOGIN_FREE_FAILURES"] = 1
    pages = []
    for name, address in (("bennghe", "10.0.0.8"), ("nobody", "10.0.0.9")):
        guesser = other_client(app, address)
        log_in(guesser, name, "a guess")
        refused = log_in(guesser, name, "a guess")
        assert refused.status_code == 429
        page = refused.get_data(as_text=True).replace(name, "")
        pages.append((CSRF.sub("", page), refused.headers["Retry-After"]))
    assert pages[0] == pages[1]


def test_new_addresses_in_one_ipv6_network_are_one_client(
    app: Flask, clock: Clock, staff: Staff
) -> None:
    # An IPv6 subscriber holds a whole /64: a new address each guess is no new pair.
    app.config["LOGIN_FREE_FAILURES"] = 3
    for number in range(3):
        guesser = other_client(app, f"2001:db8:1:2::{number + 1}")
        assert log_in(guesser, "bennghe", "a guess").status_code == 200
    assert log_in(other_client(app, "2001:db8:1:2::99"), "bennghe").status_code == 429
    assert log_in(other_client(app, "2001:db8:1:3::1"), "bennghe").status_code == 302


def test_a_new_user_agent_does_not_reset_the_count(
    app: Flask, client: FlaskClient, clock: Clock, staff: Staff
) -> None:
    app.config["LOGIN_FREE_FAILURES"] = 3
    for number in range(3):
        client.environ_base["HTTP_USER_AGENT"] = f"browser/{number}"
        assert log_in(client, "bennghe", "a guess").status_code == 200
    client.environ_base["HTTP_USER_AGENT"] = "browser/new"
    assert log_in(client, "bennghe").status_code == 429


def test_an_admin_unlocks_an_account_and_it_is_audited(
    app: Flask, client: FlaskClient, clock: Clock, staff: Staff, db_session: Session
) -> None:
    app.config["LOGIN_FREE_FAILURES"] = 1
    root = make_user(db_session, None, Role.ADMIN, username="root")
    db_session.commit()
    for _ in range(2):
        log_in(client, "bennghe", "a guess")
    assert log_in(client, "bennghe").status_code == 429
    admin = other_client(app, "10.0.0.10")
    log_in(admin, "root")
    assert "Bỏ chặn đăng nhập" in admin.get("/staff/users").get_data(as_text=True)
    answer = post(admin, "/staff/users/bennghe/unlock")
    assert (answer.status_code, answer.location) == (302, "/staff/users")
    assert log_in(client, "bennghe").status_code == 302
    (event,) = audit(db_session, "logins_unlocked")
    assert (event.user_id, event.object_id) == (root.id, str(staff.manager.id))


def test_a_manager_cannot_unlock_accounts(
    client: FlaskClient, clock: Clock, staff: Staff
) -> None:
    log_in(client, "bennghe")
    assert post(client, "/staff/users/bennghe/unlock").status_code == 403


def test_one_client_cannot_spray_many_accounts_even_with_new_user_agents(
    app: Flask, client: FlaskClient, staff: Staff
) -> None:
    app.config["LOGIN_LIMIT_ADDRESS"] = "3/hour"
    for number, name in enumerate(("an", "binh", "chau")):
        client.environ_base["HTTP_USER_AGENT"] = f"browser/{number}"
        assert log_in(client, name, "guess").status_code == 200
    client.environ_base["HTTP_USER_AGENT"] = "browser/new"
    assert log_in(client, "bennghe").status_code == 429
    assert log_in(other_client(app, "10.0.0.3"), "bennghe").status_code == 302


def test_successful_logins_cost_nothing(
    app: Flask, client: FlaskClient, staff: Staff
) -> None:
    app.config["LOGIN_FREE_FAILURES"] = 0
    app.config["LOGIN_LIMIT_DEVICE"] = "1/minute"
    app.config["LOGIN_LIMIT_ADDRESS"] = "1/minute"
    for _ in range(3):
        assert log_in(client, "bennghe").status_code == 302
        assert log_out(client).status_code == 302


def test_a_cookie_saved_before_logout_is_refused_when_replayed(
    client: FlaskClient, staff: Staff, db_session: Session
) -> None:
    log_in(client, "bennghe")
    saved = client.get_cookie("session")
    assert saved is not None
    answer = log_out(client)
    assert (answer.status_code, answer.location) == (302, "/staff/login")
    assert "Ông/Bà đã đăng xuất." in client.get("/staff/login").get_data(as_text=True)
    client.set_cookie("session", saved.value)
    replay = client.get("/staff/")
    assert (replay.status_code, replay.location) == (302, "/staff/login?next=/staff/")
    assert [event.user_id for event in audit(db_session, "logout")] == [
        staff.manager.id
    ]


def change_password(client: FlaskClient, current: str, new: str, again: str = ""):
    form = {
        "csrf_token": csrf_token(client, "/staff/password"),
        "current_password": current,
        "new_password": new,
        "new_password_again": again or new,
    }
    return client.post("/staff/password", data=form)


def test_a_new_password_ends_every_other_session(
    app: Flask, client: FlaskClient, staff: Staff, db_session: Session
) -> None:
    phone = other_client(app, "10.0.0.4")
    log_in(client, "bennghe")
    log_in(phone, "bennghe")
    answer = change_password(client, PASSWORD, NEW_PASSWORD)
    assert (answer.status_code, answer.location) == (302, "/staff/")
    home = client.get("/staff/")
    assert home.status_code == 200
    assert "Đã đổi mật khẩu." in home.get_data(as_text=True)
    assert phone.get("/staff/").status_code == 302
    assert log_in(phone, "bennghe", PASSWORD).status_code == 200
    assert log_in(phone, "bennghe", NEW_PASSWORD).status_code == 302
    (event,) = audit(db_session, "password_changed")
    assert event.user_id == staff.manager.id


@pytest.mark.parametrize(
    ("current", "new", "again", "message"),
    [
        (
            "not the password",
            NEW_PASSWORD,
            NEW_PASSWORD,
            "Mật khẩu hiện tại không đúng.",
        ),
        (PASSWORD, "short", "short", "Mật khẩu phải có ít nhất 10 ký tự."),
        (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "!", "không giống nhau"),
        ("", NEW_PASSWORD, NEW_PASSWORD, "Vui lòng nhập mục này."),
    ],
)
def test_a_refused_password_change_says_why_and_changes_nothing(
    client: FlaskClient,
    staff: Staff,
    db_session: Session,
    current: str,
    new: str,
    again: str,
    message: str,
) -> None:
    log_in(client, "bennghe")
    answer = change_password(client, current, new, again)
    assert answer.status_code == 200
    assert message in answer.get_data(as_text=True)
    db_session.refresh(staff.manager)
    assert staff.manager.session_version == 0
    assert client.get("/staff/").status_code == 200


def test_guessing_the_current_password_is_slowed_down_like_logins(
    app: Flask, client: FlaskClient, clock: Clock, staff: Staff
) -> None:
    app.config["LOGIN_FREE_FAILURES"] = 2
    log_in(client, "bennghe")
    assert change_password(client, "guess one", NEW_PASSWORD).status_code == 200
    assert change_password(client, "guess two", NEW_PASSWORD).status_code == 200
    early = change_password(client, PASSWORD, NEW_PASSWORD)
    assert early.status_code == 429
    assert "Vui lòng thử lại sau 2 giây." in early.get_data(as_text=True)
    clock.advance(seconds=2)
    assert change_password(client, PASSWORD, NEW_PASSWORD).status_code == 302


def test_an_idle_session_is_sent_to_log_in_again(
    app: Flask, client: FlaskClient, clock: Clock, staff: Staff
) -> None:
    app.config["STAFF_IDLE_MINUTES"] = 30
    log_in(client, "bennghe")
    for _ in range(3):  # busy for 75 minutes, never 30 idle
        clock.advance(minutes=25)
        assert client.get("/staff/").status_code == 200
    clock.advance(minutes=31)
    answer = client.get("/staff/units/x")
    assert (answer.status_code, answer.location) == (
        302,
        "/staff/login?next=/staff/units/x",
    )
    page = client.get(answer.location).get_data(as_text=True)
    assert "Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại." in page
    assert client.get("/staff/").status_code == 302


def test_a_session_ends_at_its_absolute_lifetime_however_busy(
    app: Flask, client: FlaskClient, clock: Clock, staff: Staff
) -> None:
    app.config["STAFF_SESSION_HOURS"] = 2
    log_in(client, "bennghe")
    for _ in range(7):
        clock.advance(minutes=17)
        assert client.get("/staff/").status_code == 200
    clock.advance(minutes=2)  # 121 minutes after the login
    assert client.get("/staff/").status_code == 302


def test_a_session_without_its_login_time_is_ended(
    client: FlaskClient, clock: Clock, staff: Staff
) -> None:
    """A cookie issued before sessions were stamped lived 31 days; no longer."""
    log_in(client, "bennghe")
    with client.session_transaction() as session:
        del session["staff_logged_in_at"]
    assert client.get("/staff/").status_code == 302


def test_a_deactivated_users_open_session_stops_working(
    client: FlaskClient, staff: Staff, db_session: Session
) -> None:
    log_in(client, "bennghe")
    assert client.get("/staff/").status_code == 200
    staff.manager.active = False
    db_session.commit()
    assert client.get("/staff/").status_code == 302


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "http://evil.example/",
        "https://evil.example/staff/",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "staff/",
    ],
)
def test_next_never_leads_off_the_site(
    client: FlaskClient, staff: Staff, target: str
) -> None:
    answer = log_in(client, "bennghe", query=f"?next={target}")
    assert (answer.status_code, answer.location) == (302, "/staff/")


def test_next_leads_back_to_the_page_asked_for(
    client: FlaskClient, staff: Staff
) -> None:
    asked = f"/staff/units/{staff.ward.code}?tab=counters"
    first = client.get(asked)
    assert first.status_code == 302
    assert first.location.startswith("/staff/login?next=")
    answer = log_in(
        client, "bennghe", query=first.location.removeprefix("/staff/login")
    )
    assert answer.location == asked


def test_the_login_form_needs_its_csrf_token(client: FlaskClient, staff: Staff) -> None:
    answer = client.post(
        "/staff/login", data={"username": "bennghe", "password": PASSWORD}
    )
    assert answer.status_code == 400
    assert client.get("/staff/").status_code == 302


def test_logging_out_needs_a_post_with_the_csrf_token(
    client: FlaskClient, staff: Staff
) -> None:
    log_in(client, "bennghe")
    assert client.get("/staff/logout").status_code == 405
    assert client.post("/staff/logout").status_code == 400
    assert client.get("/staff/").status_code == 200


def test_the_session_cookie_is_http_only_and_staff_pages_are_not_cached(
    client: FlaskClient, staff: Staff
) -> None:
    answer = log_in(client, "bennghe")
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert client.get("/staff/").headers["Cache-Control"] == "no-store"


def test_a_logged_in_user_asking_for_the_login_page_goes_home(
    client: FlaskClient, staff: Staff
) -> None:
    log_in(client, "bennghe")
    assert client.get("/staff/login").location == "/staff/"


def test_a_role_without_the_permission_is_refused(
    app: Flask, db_session: Session, staff: Staff
) -> None:
    app.add_url_rule(
        "/staff-test/administer",
        "administer",
        permission_required(Permission.ADMINISTER)(lambda: "done"),
    )
    make_user(db_session, None, Role.ADMIN, username="root")
    db_session.commit()
    manager, admin = app.test_client(), app.test_client()
    assert manager.get("/staff-test/administer").status_code == 302
    log_in(manager, "bennghe")
    log_in(admin, "root")
    assert manager.get("/staff-test/administer").status_code == 403
    assert admin.get("/staff-test/administer").status_code == 200


def test_a_district_official_opens_any_unit_below_the_district(
    client: FlaskClient, staff: Staff, db_session: Session
) -> None:
    district = staff.ward.parent
    make_user(db_session, district, Role.DISTRICT, username="quan")
    db_session.commit()
    log_in(client, "quan")
    home = client.get("/staff/").get_data(as_text=True)
    assert f'href="/staff/units/{staff.ward.code}"' in home
    page = client.get(f"/staff/units/{district.code}").get_data(as_text=True)
    assert "Đơn vị trực thuộc" in page
    assert "Phường Bến Nghé" in page


def test_a_session_starts_empty_without_a_cookie_and_reads_a_sent_one(
    app: Flask, client: FlaskClient, staff: Staff
) -> None:
    """No cookie: an empty session; a forged cookie: empty too; a real one: read."""
    interface = app.session_interface
    with app.test_request_context("/s/x"):
        assert dict(interface.open_session(app, request)) == {}
    log_in(client, "bennghe")
    assert client.get("/staff/").status_code == 200
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    assert cookie is not None
    forged = app.test_client()
    forged.set_cookie(cookie.key, cookie.value[:-3] + "abc")
    assert forged.get("/staff/").status_code == 302  # back to the login page
