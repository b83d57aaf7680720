"""Feedback cases at ``/api/v1``: state, deadlines and history, and nothing that
names the citizen or the staff."""

from __future__ import annotations

from datetime import UTC, datetime

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.api.v1.case_reads import CaseDetail, CasePage
from surveys.cases.contacts import ContactDetails, keep_contact
from surveys.cases.events import Actor, EventKind, record
from surveys.models import CaseState
from tests.app.api_v1.conftest import Ward, bearer
from tests.builders import make_case, make_category, make_user

CASES = "/api/v1/cases"
#: Long past: a case received then, still open, is overdue.
PAST = datetime(2026, 3, 2, 2, tzinfo=UTC)
#: Far ahead: a case received then is not due yet.
AHEAD = datetime(2099, 3, 2, 2, tzinfo=UTC)


def test_filters_keep_what_they_name(
    client: FlaskClient, db_session: Session, wards: tuple[Ward, Ward], read_key
) -> None:
    own = wards[0]
    category = make_category(db_session)
    made = {
        "old": make_case(db_session, own.unit, category, PAST),
        "ahead": make_case(db_session, own.unit, category, AHEAD),
        "rejected": make_case(db_session, own.unit, category, PAST),
    }
    made["rejected"].state = CaseState.REJECTED
    db_session.commit()
    ids = {name: case.id for name, case in made.items()} | {"ward": own.case.id}

    def found(**query: object) -> set[int]:
        answer = client.get(CASES, query_string=query, headers=bearer(read_key))
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return {case.id for case in CasePage.model_validate_json(answer.data).items}

    assert found() == set(ids.values())
    assert found(unit=own.below.code) == {ids["ward"]}
    assert found(category=category.code) == {ids["old"], ids["ahead"], ids["rejected"]}
    assert found(state="rejected") == {ids["rejected"]}
    assert found(overdue="true") == {ids["old"]}
    assert found(overdue="false") == {ids["ahead"], ids["rejected"], ids["ward"]}
    assert found(due_from="2099-01-01") == {ids["ahead"]}
    assert found(due_to="2026-06-30", state="received") == {ids["old"]}
    answer = client.get(
        CASES, query_string={"unit": wards[1].unit.code}, headers=bearer(read_key)
    )
    assert answer.status_code == 404


def test_a_case_reads_with_its_history_and_nothing_personal(
    client: FlaskClient, db_session: Session, wards: tuple[Ward, Ward], read_key
) -> None:
    own = wards[0]
    case = make_case(
        db_session, own.below, text="Ông Lê Văn Riêng ở số 5 hẻm 12 phàn nàn."
    )
    case.address_text = "Số 5 hẻm 12"
    keep_contact(
        db_session,
        case,
        ContactDetails(name="Lê Văn Riêng", phone="0912345678", consented=True),
    )
    handler = make_user(db_session, own.unit, username="can-bo-xu-ly")
    record(
        db_session,
        case,
        EventKind.TRANSFERRED,
        Actor.STAFF,
        handler,
        from_state=case.state,
        to_state=case.state,
        from_unit_id=own.below.id,
        to_unit_id=own.unit.id,
        public_note="Đã chuyển lên phường.",
        detail={"reason": "ghi chú nội bộ"},
    )
    db_session.commit()
    answer = client.get(f"{CASES}/{case.id}", headers=bearer(read_key))
    assert answer.status_code == 200
    read = CaseDetail.model_validate_json(answer.data)
    assert (read.unit_code, read.state, read.overdue) == (
        own.below.code,
        "received",
        False,
    )
    assert [event.kind for event in read.events] == ["created", "transferred"]
    moved = read.events[1]
    assert (moved.from_unit_code, moved.to_unit_code) == (own.below.code, own.unit.code)
    assert moved.public_note == "Đã chuyển lên phường."
    every = client.get(CASES, headers=bearer(read_key)).get_data(as_text=True)
    for text in (answer.get_data(as_text=True), every):
        for hidden in (
            "Riêng",
            "hẻm 12",
            "0912345678",
            "can-bo-xu-ly",
            "ghi chú nội bộ",
            case.tracking_code,
        ):
            assert hidden not in text


def test_following_the_cursor_reads_every_case_once(
    client: FlaskClient, db_session: Session, wards: tuple[Ward, Ward], read_key
) -> None:
    own = wards[0]
    category = make_category(db_session)
    made = {make_case(db_session, own.unit, category).id for _ in range(5)}
    made.add(own.case.id)
    db_session.commit()
    seen: list[int] = []
    cursor = None
    for _page in range(10):
        query = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        answer = client.get(CASES, query_string=query, headers=bearer(read_key))
        page = CasePage.model_validate_json(answer.data)
        assert len(page.items) <= 2
        seen += [case.id for case in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == sorted(made)


def test_another_wards_case_is_not_found(
    client: FlaskClient, wards: tuple[Ward, Ward], read_key
) -> None:
    own, other = wards
    mine = client.get(f"{CASES}/{own.case.id}", headers=bearer(read_key))
    assert mine.status_code == 200
    answer = client.get(f"{CASES}/{other.case.id}", headers=bearer(read_key))
    assert answer.status_code == 404
    assert str(other.case.id) not in answer.get_data(as_text=True)


def test_an_id_beyond_the_keys_of_the_database_is_a_404(
    client: FlaskClient, read_key
) -> None:
    for path in (f"{CASES}/{2**31}", f"/api/v1/dossiers/{10**30}"):
        answer = client.get(path, headers=bearer(read_key))
        assert answer.status_code == 404, path
    document = client.get("/api/v1/openapi.json").get_json()
    parameter = document["paths"]["/api/v1/cases/{case_id}"]["get"]["parameters"][0]
    assert parameter["schema"] == {
        "type": "integer",
        "minimum": 0,
        "maximum": 2**31 - 1,
    }
