"""Dossiers at ``/api/v1``: deadlines, on time or late, apology letters, and
never the applicant."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.api.v1.dossier_reads import DossierOut, DossierPage
from surveys.models import (
    ApologyLetter,
    DossierApplicant,
    DossierStatus,
    utcnow,
)
from tests.app.api_v1.conftest import Ward, bearer
from tests.builders import make_dossier, make_procedure

DOSSIERS = "/api/v1/dossiers"
#: A Monday morning in Vietnam (09:00 local).
MONDAY = datetime(2026, 3, 2, 2, tzinfo=UTC)


def listed(client: FlaskClient, key: str, **query: object) -> list[DossierOut]:
    answer = client.get(DOSSIERS, query_string=query, headers=bearer(key))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return DossierPage.model_validate_json(answer.get_data()).items


def test_filters_keep_what_they_name(
    client: FlaskClient, db_session: Session, wards: tuple[Ward, Ward], read_key
) -> None:
    own = wards[0]
    procedure = make_procedure(db_session, processing_days=3)
    made = {
        "early": make_dossier(
            db_session,
            own.unit,
            MONDAY,
            procedure,
            returned_at=MONDAY + timedelta(days=1),
            status=DossierStatus.RETURNED,
        ),
        "late": make_dossier(
            db_session,
            own.unit,
            MONDAY,
            procedure,
            returned_at=MONDAY + timedelta(days=14),
            status=DossierStatus.RETURNED,
        ),
        "future": make_dossier(
            db_session, own.unit, datetime(2099, 3, 2, 2, tzinfo=UTC), procedure
        ),
    }
    db_session.commit()
    ids = {name: dossier.id for name, dossier in made.items()}
    ids["ward"] = own.dossier.id  # received on MONDAY at the unit below, still open

    def found(**query: object) -> set[int]:
        return {dossier.id for dossier in listed(client, read_key, **query)}

    assert found() == set(ids.values())
    assert found(unit=own.unit.code) == set(ids.values())
    assert found(unit=own.below.code) == {ids["ward"]}
    assert found(status="returned") == {ids["early"], ids["late"]}
    assert found(timeliness="late") == {ids["late"]}
    assert found(timeliness="early") == {ids["early"]}
    assert found(overdue="true") == {ids["ward"]}
    assert found(overdue="false") == {ids["early"], ids["late"], ids["future"]}
    assert found(received_from="2099-01-01") == {ids["future"]}
    assert found(received_to="2026-03-02") == set(ids.values()) - {ids["future"]}
    assert found(received_to="2026-03-01") == set()
    assert found(due_from="2026-03-05", due_to="2026-03-05") == (
        set(ids.values()) - {ids["future"]}
    )
    assert found(code=made["late"].code) == {ids["late"]}
    other = wards[1]
    answer = client.get(
        DOSSIERS, query_string={"unit": other.unit.code}, headers=bearer(read_key)
    )
    assert answer.status_code == 404


def test_a_late_dossier_shows_its_letter_and_never_its_applicant(
    client: FlaskClient, db_session: Session, wards: tuple[Ward, Ward], read_key
) -> None:
    own = wards[0]
    late = make_dossier(
        db_session,
        own.unit,
        MONDAY,
        returned_at=MONDAY + timedelta(days=14),
        status=DossierStatus.RETURNED,
    )
    db_session.add_all(
        [
            ApologyLetter(
                dossier_id=late.id,
                unit_id=own.unit.id,
                year=2026,
                number=12,
                issued_on=date(2026, 3, 16),
                new_return_on=date(2026, 3, 18),
                signer_title="Chủ tịch",
                sent_at=utcnow(),
                sent_via="post",
            ),
            DossierApplicant(
                dossier_id=late.id,
                name="Nguyễn Văn Bí Mật",
                phone="0901234567",
                purge_after=utcnow() + timedelta(days=30),
            ),
            DossierApplicant(
                dossier_id=own.dossier.id,
                name="Trần Thị Kín",
                email="kin@example.vn",
                purge_after=utcnow() + timedelta(days=30),
            ),
        ]
    )
    db_session.commit()
    answer = client.get(f"{DOSSIERS}/{late.id}", headers=bearer(read_key))
    read = DossierOut.model_validate_json(answer.get_data())
    assert (read.timeliness, read.overdue, read.letter_state) == ("late", False, "sent")
    assert read.letter is not None
    assert read.letter.reference == f"12/PXL-{own.unit.code.upper()}"
    assert read.letter.sent_via == "post"
    # Open past its due date, with no letter yet: one is missing.
    open_late = DossierOut.model_validate_json(
        client.get(f"{DOSSIERS}/{own.dossier.id}", headers=bearer(read_key)).data
    )
    assert (open_late.timeliness, open_late.overdue) == (None, True)
    assert (open_late.letter_state, open_late.letter) == ("missing", None)
    every = client.get(DOSSIERS, headers=bearer(read_key)).get_data(as_text=True)
    for text in (answer.get_data(as_text=True), every):
        for personal in ("Bí Mật", "0901234567", "Kín", "kin@example.vn"):
            assert personal not in text


def test_following_the_cursor_reads_every_dossier_once(
    client: FlaskClient, db_session: Session, wards: tuple[Ward, Ward], read_key
) -> None:
    own = wards[0]
    procedure = make_procedure(db_session)
    made = {make_dossier(db_session, own.unit, MONDAY, procedure).id for _ in range(6)}
    made.add(own.dossier.id)
    db_session.commit()
    seen: list[int] = []
    cursor = None
    for _page in range(10):
        query = {"limit": 2, "overdue": "true"} | ({"cursor": cursor} if cursor else {})
        answer = client.get(DOSSIERS, query_string=query, headers=bearer(read_key))
        page = DossierPage.model_validate_json(answer.get_data())
        assert len(page.items) <= 2
        seen += [dossier.id for dossier in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == sorted(made)


def test_a_day_out_of_range_is_a_400(client: FlaskClient, read_key) -> None:
    for query in ({"due_to": "9999-12-31"}, {"received_from": "0001-01-01"}):
        answer = client.get(DOSSIERS, query_string=query, headers=bearer(read_key))
        assert answer.status_code == 400
        assert [p["name"] for p in answer.get_json()["invalid_params"]] == list(query)
