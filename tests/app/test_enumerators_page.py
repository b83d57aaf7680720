"""The staff page for enumerators: a key shown once inside the server address,
units assigned with their design, revoked, taken back; in scope; audited."""

from __future__ import annotations

import re
from datetime import date

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.access.secret_keys import hash_key
from surveys.models import (
    AuditEvent,
    Campaign,
    CampaignMode,
    Enumerator,
    EnumeratorAssignment,
    Role,
    UnitKind,
)
from tests.app.staff_client import csrf_token, log_in
from tests.builders import make_questionnaire, make_unit, make_user

PAGE = "/staff/enumerators"
SERVER = re.compile(
    r"<code>(http://localhost/openrosa/key/([A-Za-z0-9_-]{40,}))</code>"
)


def test_a_manager_makes_assigns_and_revokes_an_enumerator(
    client: FlaskClient, db_session: Session
) -> None:
    district = make_unit(db_session, name="Quận ĐTV", kind=UnitKind.DISTRICT)
    ward = make_unit(db_session, district, name="Phường ĐTV")
    outside = make_unit(db_session, name="Phường Ngoài")
    campaign = Campaign(
        key="papi-dtv",
        name="Khảo sát hộ ĐTV",
        questionnaire=make_questionnaire(db_session),
        unit=district,
        mode=CampaignMode.INTERVIEWER,
        starts_on=date(2026, 1, 1),
    )
    db_session.add(campaign)
    user = make_user(db_session, ward, Role.UNIT_MANAGER)
    db_session.commit()
    assert log_in(client, user.username).status_code == 302

    made = client.post(
        PAGE,
        data={
            "csrf_token": csrf_token(client, PAGE),
            "name": "Lê Thị Hỏi",
            "unit": ward.code,
        },
    )
    page = made.get_data(as_text=True)
    found = SERVER.search(page)
    assert found is not None, page
    assert made.headers["Cache-Control"] == "no-store"
    enumerator = db_session.scalars(select(Enumerator)).one()
    assert enumerator.key_hash == hash_key(found.group(2))
    assert client.get(f"{found.group(1)}/formList").status_code == 200
    assert found.group(2) not in client.get(PAGE).get_data(as_text=True)

    form = {
        "csrf_token": csrf_token(client, PAGE),
        "enumerator_id": str(enumerator.id),
        "campaign": campaign.key,
        "unit": outside.code,
        "stratum": "",
        "cluster": "kp1",
        "weight": "120,5",
    }
    assert client.post(f"{PAGE}/assign", data=form).status_code == 200  # not offered
    assert (
        client.post(f"{PAGE}/assign", data=form | {"unit": ward.code}).status_code
        == 302
    )
    assignment = db_session.scalars(select(EnumeratorAssignment)).one()
    assert (assignment.stratum, assignment.cluster, assignment.weight) == (
        None,
        "kp1",
        120.5,
    )
    bad = client.post(f"{PAGE}/assign", data=form | {"unit": ward.code, "weight": "-1"})
    assert "Trọng số phải là một số dương." in bad.get_data(as_text=True)

    token = csrf_token(client, PAGE)
    withdrawn = {"csrf_token": token, "assignment_id": str(assignment.id)}
    assert client.post(f"{PAGE}/unassign", data=withdrawn).status_code == 302
    revoked = {"csrf_token": token, "enumerator_id": str(enumerator.id)}
    assert client.post(f"{PAGE}/revoke", data=revoked).status_code == 302
    assert client.get(f"{found.group(1)}/formList").status_code == 401
    db_session.expire_all()
    assert db_session.scalars(select(EnumeratorAssignment)).all() == []
    actions = list(
        db_session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == "enumerator")
            .order_by(AuditEvent.id)
        )
    )
    assert actions == [
        "enumerator_created",
        "enumerator_assigned",
        "enumerator_unassigned",
        "enumerator_revoked",
    ]


def test_another_units_enumerator_is_not_found(
    client: FlaskClient, db_session: Session
) -> None:
    district = make_unit(db_session, name="Quận ĐTV2", kind=UnitKind.DISTRICT)
    ward = make_unit(db_session, district)
    other = make_unit(db_session, district)
    theirs = Enumerator(name="Người khác", unit=other, key_hash="0" * 64, prefix="x")
    db_session.add(theirs)
    user = make_user(db_session, ward, Role.UNIT_MANAGER)
    db_session.commit()
    assert log_in(client, user.username).status_code == 302
    form = {"csrf_token": csrf_token(client, PAGE), "enumerator_id": str(theirs.id)}
    answer = client.post(f"{PAGE}/revoke", data=form, follow_redirects=True)
    assert "Không tìm thấy điều tra viên này." in answer.get_data(as_text=True)
    assert "Người khác" not in client.get(PAGE).get_data(as_text=True)
    db_session.refresh(theirs)
    assert theirs.revoked_at is None
