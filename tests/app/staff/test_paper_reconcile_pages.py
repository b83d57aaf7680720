"""Reconciling paper forms: the list of forms keyed twice, the differences
question by question, a third user's choices, one response on the paper channel."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from surveys.models import (
    PAPER_CHANNEL,
    AuditEvent,
    PaperFormState,
    Response,
)
from tests.app.staff.paper_pages import (
    FIRST,
    Keying,
    as_user,
    counts,
    key_as,
    make_keying,
)
from tests.app.staff_client import csrf_token
from tests.builders import make_unit, make_user

LIST = "/staff/paper/reconcile"


def reconcile_path(number: str) -> str:
    return f"/staff/paper/forms/{number}/reconcile"


def confirm_agreed(client: FlaskClient, number: str) -> TestResponse:
    """Press the list's one-click confirmation of the form numbered ``number``."""
    token = csrf_token(client, LIST)
    return client.post(
        reconcile_path(number), data={"csrf_token": token, "agreed": "1"}
    )


def keyed_twice(client: FlaskClient, keying: Keying, second: dict[str, str]) -> None:
    key_as(client, keying.first, keying.number, FIRST)
    key_as(client, keying.second, keying.number, second)


def to_settle(client: FlaskClient, session: Session, second: dict[str, str]) -> Keying:
    """A form keyed ``FIRST`` then ``second``, its reconciler logged in."""
    keying = make_keying(session)
    keyed_twice(client, keying, second)
    as_user(client, keying.third)
    return keying


def test_two_clerks_and_a_reconciler_make_one_paper_response(
    client: FlaskClient, db_session: Session
) -> None:
    # The second clerk misread the age.
    keying = to_settle(client, db_session, FIRST | {"age": "47"})
    listed = client.get(LIST).get_data(as_text=True)
    assert keying.number in listed and "Khác nhau" in listed

    page = client.get(reconcile_path(keying.number)).get_data(as_text=True)
    assert '<a href="#q-age">Câu 3.</a>' in page
    assert "<b>42</b>" in page and "<b>47</b>" in page
    assert keying.first.username in page and keying.second.username in page
    # The agreed answers are filled in; the differing one is left to choose.
    assert 'value="Cán bộ nhanh nhẹn"' in page
    assert 'name="pick-age"' in page and 'name="pick-comment"' not in page

    token = csrf_token(client, reconcile_path(keying.number))
    form = {"csrf_token": token, **FIRST, "age": ""}
    unsettled = client.post(reconcile_path(keying.number), data=form)
    assert unsettled.status_code == 422
    assert "Chọn lần nhập 1, lần nhập 2" in unsettled.get_data(as_text=True)
    assert counts(db_session)[1] == 0

    done = client.post(reconcile_path(keying.number), data=form | {"pick-age": "1"})
    assert done.status_code == 302
    after = client.get(done.headers["Location"]).get_data(as_text=True)
    assert f"Đã ghi nhận phiếu {keying.number} thành câu trả lời." in after
    assert keying.number not in after.split("</h1>", 1)[1].split("Đã ghi")[0]

    response = db_session.scalars(select(Response)).one()
    assert response.channel == PAPER_CHANNEL
    assert response.verified
    db_session.refresh(keying.form)
    assert keying.form.state == PaperFormState.RECONCILED
    assert keying.form.settled_answers["age"] == 42
    event = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "paper_form_reconciled")
    ).one()
    assert event.user_id == keying.third.id
    assert event.detail["differences"] == 1
    assert event.detail["response"] == response.id
    assert "age" not in event.detail and 42 not in event.detail.values()

    # Settled: the form is not offered again, and a resent confirmation
    # stores nothing more.
    again = client.get(reconcile_path(keying.number))
    assert again.status_code == 302
    said = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "đã được đối chiếu và ghi nhận" in said
    resent = client.post(reconcile_path(keying.number), data=form | {"pick-age": "1"})
    assert resent.status_code == 302
    assert counts(db_session) == (2, 1, 3)


def test_the_paper_value_typed_by_the_reconciler_is_stored(
    client: FlaskClient, db_session: Session
) -> None:
    keying = to_settle(client, db_session, FIRST | {"age": "47"})
    token = csrf_token(client, reconcile_path(keying.number))
    form = {"csrf_token": token, **FIRST, "age": "44", "pick-age": "paper"}
    assert client.post(reconcile_path(keying.number), data=form).status_code == 302
    db_session.refresh(keying.form)
    assert keying.form.settled_answers["age"] == 44


def test_agreeing_entries_are_confirmed_in_one_click(
    client: FlaskClient, db_session: Session
) -> None:
    keying = to_settle(client, db_session, FIRST | {"age": "042"})
    listed = client.get(LIST).get_data(as_text=True)
    assert f"Xác nhận phiếu {keying.number}" in listed
    done = confirm_agreed(client, keying.number)
    assert done.status_code == 302
    db_session.refresh(keying.form)
    assert keying.form.settled_answers == {
        "visited": "yes",
        "rating": 4,
        "age": 42,
        "comment": "Cán bộ nhanh nhẹn",
    }
    assert counts(db_session)[1] == 1


def test_agreed_confirms_nothing_when_the_entries_differ(
    client: FlaskClient, db_session: Session
) -> None:
    keying = to_settle(client, db_session, FIRST | {"age": "47"})
    refused = confirm_agreed(client, keying.number)
    assert refused.status_code == 422
    assert counts(db_session)[1:] == (0, 2)


def test_a_clerk_of_the_form_cannot_reconcile_it(
    client: FlaskClient, db_session: Session
) -> None:
    keying = make_keying(db_session)
    keyed_twice(client, keying, FIRST)
    # Still logged in as the second clerk.
    listed = client.get(LIST).get_data(as_text=True)
    assert "Bạn đã nhập phiếu này" in listed
    refused = confirm_agreed(client, keying.number)
    assert refused.status_code == 302
    said = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "không thể đối chiếu nó" in said
    assert counts(db_session) == (2, 0, 2)


def test_a_form_keyed_once_or_of_another_unit_is_not_reconciled(
    client: FlaskClient, db_session: Session
) -> None:
    keying = make_keying(db_session)
    key_as(client, keying.first, keying.number, FIRST)
    as_user(client, keying.second)
    once = client.get(reconcile_path(keying.number))
    assert once.status_code == 302
    assert "chưa được nhập đủ hai lần" in client.get(LIST).get_data(as_text=True)
    assert keying.number not in client.get(LIST).get_data(as_text=True)
    assert client.get(reconcile_path("000000-0")).status_code == 404
    key_as(client, keying.third, keying.number, FIRST)
    outsider = make_user(db_session, make_unit(db_session))
    db_session.commit()
    as_user(client, outsider)
    assert client.get(reconcile_path(keying.number)).status_code == 404
    posted = confirm_agreed(client, keying.number)
    assert posted.status_code == 404
    assert keying.number not in client.get(LIST).get_data(as_text=True)
    assert counts(db_session) == (2, 0, 2)
