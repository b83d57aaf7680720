"""Keying paper forms in at /staff/entry: found by number or QR, keyed as codes,
checked as online, blind to the other entry; every refusal stores nothing."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.paper_form_pdf import UNBOUNDED_COUNT_ROWS
from surveys.models import AuditEvent, PaperEntry, PaperFormState, Role
from surveys.paper.batches import create_batch, void_form
from surveys.paper.form_numbers import format_number
from surveys.questionnaire import build_questionnaire
from surveys.questionnaire.skip_words import printed_numbers
from surveys.questionnaire.versions import shipped_template, store_questionnaire
from tests.app.staff.paper_pages import (
    ENTRY,
    FIRST,
    Keying,
    as_user,
    counts,
    key_as,
    make_keying,
    save,
)
from tests.app.staff_client import csrf_token, log_in
from tests.builders import (
    household,
    make_campaign,
    make_household_campaign,
    make_unit,
    make_user,
)


def test_a_clerk_keys_a_form_by_its_codes_and_is_back_at_the_number_box(
    client: FlaskClient, db_session: Session
) -> None:
    keying = make_keying(db_session)
    as_user(client, keying.first)
    page = client.get(ENTRY, query_string={"number": keying.number}).get_data(
        as_text=True
    )
    # Printed numbers and option codes, as on the paper.
    assert "Câu 1." in page and "Câu 4." in page
    assert "<b>1</b> Có" in page and "<b>2</b> Không" in page

    saved = save(client, keying.number, FIRST)
    assert saved.status_code == 302
    assert saved.headers["Location"].endswith(ENTRY)
    back = client.get(ENTRY).get_data(as_text=True)
    assert f"Đã lưu phiếu {keying.number}." in back
    assert 'id="number"' in back and "autofocus" in back

    entry = db_session.scalars(select(PaperEntry)).one()
    assert entry.clerk_id == keying.first.id
    assert entry.answers == {
        "visited": "yes",
        "rating": 4,
        "age": 42,
        "comment": "Cán bộ nhanh nhẹn",
    }
    assert entry.started_at <= entry.finished_at
    event = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "paper_entry_recorded")
    ).one()
    assert event.user_id == keying.first.id
    assert event.object_id == keying.number
    # The answers themselves stay out of the trail.
    assert event.detail == {"campaign": keying.campaign.key, "unit": keying.unit.code}


def test_the_second_clerk_sees_nothing_of_the_first_entry(
    client: FlaskClient, db_session: Session
) -> None:
    keying = make_keying(db_session)
    reconciling = f"/staff/paper/forms/{keying.number}/reconcile"
    as_user(client, keying.second)
    before = client.get(ENTRY, query_string={"number": keying.number})
    refused_before = client.get(reconciling, follow_redirects=True)
    key_as(client, keying.first, keying.number, FIRST)
    as_user(client, keying.second)
    after = client.get(ENTRY, query_string={"number": keying.number})
    # Nor does the reconciling page: "not keyed twice", with or without an entry.
    refused_after = client.get(reconciling, follow_redirects=True)
    assert "chưa được nhập đủ hai lần" in refused_after.get_data(as_text=True)
    assert _unstamped(refused_after.get_data(as_text=True)) == _unstamped(
        refused_before.get_data(as_text=True)
    )
    page = after.get_data(as_text=True)
    assert "nhanh nhẹn" not in page
    assert 'value="42"' not in page
    assert keying.first.username not in page
    # Every box is empty, and the page is the one drawn before the first
    # entry existed, but for its stamp and token: nothing tells of it.
    assert page.count('value=""') == 4
    assert _unstamped(page) == _unstamped(before.get_data(as_text=True))


def _unstamped(page: str) -> str:
    """The page without what differs between any two drawings of it (the
    start stamp, the CSRF token)."""
    return re.sub(r'name="(started|csrf_token)" value="[^"]*"', "", page)


def test_a_code_no_option_has_and_an_age_out_of_range_are_refused_in_place(
    client: FlaskClient, db_session: Session
) -> None:
    keying = make_keying(db_session)
    as_user(client, keying.first)
    refused = save(client, keying.number, FIRST | {"visited": "7", "age": "5"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'id="e-visited"' in page and 'id="e-age"' in page
    # The keys stay as typed.
    assert 'value="7"' in page and 'value="5"' in page
    assert 'value="Cán bộ nhanh nhẹn"' in page
    assert counts(db_session)[0] == 0


def test_a_member_past_the_printed_table_is_asked_in_a_box_of_its_own(
    client: FlaskClient, db_session: Session
) -> None:
    campaign = make_household_campaign(db_session)
    clerk = make_user(db_session, campaign.unit)
    form = create_batch(db_session, clerk, campaign, campaign.unit, 1).forms[0]
    db_session.commit()
    assert log_in(client, clerk.username).status_code == 302
    # Six members, and the paper's table has five rows: the sixth is written
    # on the back of the sheet, and keyed in a row of its own.
    keys = {"household_size": "6", "relation[2]": "1"}
    for row in range(1, 6):
        keys |= {f"member_name[{row}]": f"Người {row}", f"age[{row}]": "30"}
    refused = save(client, format_number(form.number), keys)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'id="e-member_name[6]"' in page and 'id="e-age[6]"' in page
    assert "Câu 2, dòng 6" not in page and 'id="e-age[5]"' not in page
    assert counts(db_session)[0] == 0


def test_an_error_no_box_shows_is_said_with_its_question_and_row(
    client: FlaskClient, db_session: Session
) -> None:
    # A household's size with no upper bound: the page offers thirty rows.
    definition = household().to_dict() | {"key": "household_unbounded"}
    definition["questions"][0]["constraint"] = ". >= 1"
    stored = store_questionnaire(db_session, build_questionnaire(definition)).stored
    campaign = make_campaign(db_session, questionnaire=stored, ends_on=None)
    clerk = make_user(db_session, campaign.unit)
    form = create_batch(db_session, clerk, campaign, campaign.unit, 1).forms[0]
    db_session.commit()
    assert log_in(client, clerk.username).status_code == 302
    keys = {"household_size": str(UNBOUNDED_COUNT_ROWS + 1)}
    for row in range(1, UNBOUNDED_COUNT_ROWS + 1):
        keys |= {f"member_name[{row}]": f"Người {row}", f"age[{row}]": "30"}
        keys |= {f"relation[{row}]": "1"} if row > 1 else {}
    refused = save(client, format_number(form.number), keys)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    # The engine asks for a member the page has no box for: said with its
    # question's number and row.
    assert "Câu 2, dòng 31: Vui lòng trả lời câu hỏi này." in page
    assert "Câu 3, dòng 31: Vui lòng trả lời câu hỏi này." in page
    assert 'id="e-age[30]"' not in page
    assert counts(db_session)[0] == 0


def test_six_digits_alone_are_a_number_without_its_check_digit(
    client: FlaskClient, db_session: Session
) -> None:
    keying = make_keying(db_session)
    as_user(client, keying.first)
    # "000000" would pass as number 0 with check digit 0: it is refused as
    # missing its check digit, as every printed number typed without it.
    refused = client.get(ENTRY, query_string={"number": "000000"})
    assert refused.status_code == 404
    assert "chữ số kiểm tra" in refused.get_data(as_text=True)
    # The digit typed without the dash is accepted.
    joined = keying.number.replace("-", "")
    assert client.get(ENTRY, query_string={"number": joined}).status_code == 200


def test_a_scanned_qr_address_opens_its_form(
    client: FlaskClient, db_session: Session
) -> None:
    keying = make_keying(db_session)
    as_user(client, keying.first)
    token = keying.form.access_code.token
    page = client.get(
        ENTRY, query_string={"number": f"https://hailong.example/s/{token}"}
    )
    assert page.status_code == 200
    assert f"Phiếu số {keying.number}" in page.get_data(as_text=True)
    # An address holding no code, and another unit's QR, are not found.
    nothing = client.get(ENTRY, query_string={"number": "http://x/s/not-a-code"})
    assert nothing.status_code == 404
    assert "Không tìm thấy phiếu số" in nothing.get_data(as_text=True)
    keying.first.unit = make_unit(db_session)
    db_session.commit()
    other = client.get(ENTRY, query_string={"number": f"http://x/s/{token}"})
    assert other.status_code == 404
    assert "Không tìm thấy phiếu số" in other.get_data(as_text=True)


def test_skip_logic_follows_the_typed_code(
    client: FlaskClient, db_session: Session
) -> None:
    keying = make_keying(db_session)
    as_user(client, keying.first)
    path = f"{ENTRY}/{keying.number}/relevance"
    token = csrf_token(client, f"{ENTRY}?number={keying.number}")
    said_yes = client.post(path, data={"csrf_token": token, "visited": "1"}).json
    said_no = client.post(path, data={"csrf_token": token, "visited": "2"}).json
    assert "rating" in said_yes["relevant"]
    assert "rating" not in said_no["relevant"]
    # "No": the rating keyed anyway is dropped, as online.
    assert save(client, keying.number, FIRST | {"visited": "2"}).status_code == 302
    assert db_session.scalars(select(PaperEntry)).one().answers.get("rating") is None


def refuse_unknown(db_session: Session, keying: Keying) -> str:
    return format_number(keying.batch.last_number + 50)


def refuse_mistyped(db_session: Session, keying: Keying) -> str:
    good = keying.number
    return good[:-1] + str((int(good[-1]) + 1) % 10)


def refuse_without_check_digit(db_session: Session, keying: Keying) -> str:
    return keying.number.split("-")[0]


def refuse_void(db_session: Session, keying: Keying) -> str:
    void_form(db_session, None, keying.form, datetime.now(UTC))
    db_session.commit()
    return keying.number


def refuse_other_unit(db_session: Session, keying: Keying) -> str:
    keying.first.unit = make_unit(db_session)
    db_session.commit()
    return keying.number


def refuse_closed_campaign(db_session: Session, keying: Keying) -> str:
    keying.campaign.ends_on = date(2026, 1, 31)
    db_session.commit()
    return keying.number


def refuse_reconciled(db_session: Session, keying: Keying) -> str:
    keying.form.state = PaperFormState.RECONCILED
    db_session.commit()
    return keying.number


REFUSALS = {
    refuse_unknown: (404, "Không tìm thấy phiếu số"),
    refuse_mistyped: (404, "chữ số kiểm tra"),
    refuse_without_check_digit: (404, "chữ số kiểm tra"),
    refuse_void: (409, "đã bị hủy"),
    refuse_other_unit: (404, "Không tìm thấy phiếu số"),
    refuse_closed_campaign: (409, "không nhận trả lời lúc này"),
    refuse_reconciled: (409, "đã được đối chiếu"),
}


@pytest.mark.parametrize("refusal", REFUSALS, ids=lambda f: f.__name__)
def test_a_form_that_cannot_be_keyed_is_refused_and_nothing_is_stored(
    client: FlaskClient, db_session: Session, refusal
) -> None:
    keying = make_keying(db_session)
    number = refusal(db_session, keying)
    as_user(client, keying.first)
    status, said = REFUSALS[refusal]
    opened = client.get(ENTRY, query_string={"number": number})
    assert opened.status_code == status
    assert said in opened.get_data(as_text=True)
    # Posting the keys straight to the form is refused alike.
    token = csrf_token(client, ENTRY)
    posted = client.post(f"{ENTRY}/{number}", data={"csrf_token": token, **FIRST})
    assert posted.status_code == status
    assert counts(db_session) == (0, 0, 0)


def test_a_second_entry_by_the_same_clerk_and_a_third_entry_are_refused(
    client: FlaskClient, db_session: Session
) -> None:
    keying = make_keying(db_session)
    key_as(client, keying.first, keying.number, FIRST)
    again = client.get(ENTRY, query_string={"number": keying.number})
    assert again.status_code == 409
    assert "Bạn đã nhập phiếu số" in again.get_data(as_text=True)
    token = csrf_token(client, ENTRY)
    posted = client.post(
        f"{ENTRY}/{keying.number}", data={"csrf_token": token, **FIRST}
    )
    assert posted.status_code == 409
    key_as(client, keying.second, keying.number, FIRST)
    as_user(client, keying.third)
    third = client.get(ENTRY, query_string={"number": keying.number})
    assert third.status_code == 409
    assert "đã được nhập đủ hai lần" in third.get_data(as_text=True)
    assert counts(db_session) == (2, 0, 2)


def test_a_viewer_may_not_key(client: FlaskClient, db_session: Session) -> None:
    keying = make_keying(db_session)
    viewer = make_user(db_session, keying.unit, role=Role.VIEWER)
    db_session.commit()
    assert log_in(client, viewer.username).status_code == 302
    assert client.get(ENTRY).status_code == 403
    token = csrf_token(client, "/staff/")
    posted = client.post(
        f"{ENTRY}/{keying.number}", data={"csrf_token": token, **FIRST}
    )
    assert posted.status_code == 403
    assert counts(db_session) == (0, 0, 0)


@pytest.mark.parametrize(
    "key", ["counter", "ddci", "dossier", "open_rating", "papi", "pci", "sipas"]
)
def test_every_shipped_questionnaire_can_be_keyed(
    client: FlaskClient, db_session: Session, key: str
) -> None:
    questionnaire = shipped_template(key)
    stored = store_questionnaire(db_session, questionnaire).stored
    unit = make_unit(db_session)
    campaign = make_campaign(
        db_session, unit=unit, questionnaire=stored, mode="invitation", ends_on=None
    )
    clerk = make_user(db_session, unit)
    form = create_batch(db_session, clerk, campaign, unit, 1).forms[0]
    db_session.commit()
    assert log_in(client, clerk.username).status_code == 302
    number = format_number(form.number)
    page = client.get(ENTRY, query_string={"number": number})
    assert page.status_code == 200
    last = max(printed_numbers(questionnaire).values())
    assert f"Câu {last}." in page.get_data(as_text=True)
    # Sent blank, it is saved or refused in place, never an error page.
    token = csrf_token(client, f"{ENTRY}?number={number}")
    assert client.post(f"{ENTRY}/{number}", data={"csrf_token": token}).status_code in (
        302,
        422,
    )
