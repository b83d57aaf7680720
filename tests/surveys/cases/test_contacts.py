"""A citizen's contact: only with consent, seen by managers, erased on time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.access.retention import purge_personal_data
from surveys.access.scope import Scope
from surveys.cases.contacts import (
    CaseContactRetention,
    ContactDetails,
    contact_of,
    keep_contact,
)
from surveys.cases.refusals import CaseError
from surveys.cases.workflow import Action, Step, apply
from surveys.models import CaseContact, Role, utcnow
from tests.builders import make_case, make_unit, make_user

DETAILS = ContactDetails("Nguyễn Văn An", "0909 123 456", "an@example.vn", True)


def test_a_contact_is_kept_only_with_consent(db_session: Session) -> None:
    case = make_case(db_session, make_unit(db_session))
    unticked = ContactDetails("An", "0909 123 456", "", consented=False)
    with pytest.raises(CaseError) as refused:
        keep_contact(db_session, case, unticked)
    assert "đồng ý" in str(refused.value)
    assert keep_contact(db_session, case, ContactDetails()) is None
    with pytest.raises(CaseError):
        keep_contact(db_session, case, ContactDetails(name="An", consented=True))
    with pytest.raises(CaseError):
        keep_contact(db_session, case, ContactDetails(phone="abc", consented=True))
    assert db_session.get(CaseContact, case.id) is None
    kept = keep_contact(db_session, case, DETAILS)
    assert kept is not None and kept.phone == "0909 123 456"
    assert kept.purge_after == case.received_at + CaseContactRetention().while_open


def test_only_the_units_managers_see_the_contact(db_session: Session) -> None:
    ward = make_unit(db_session)
    case = make_case(db_session, ward)
    keep_contact(db_session, case, DETAILS)
    manager = make_user(db_session, ward, Role.UNIT_MANAGER)
    viewer = make_user(db_session, ward, Role.VIEWER)
    assert contact_of(db_session, Scope.of(manager), case) is not None
    assert contact_of(db_session, Scope.of(viewer), case) is None


def test_the_purge_erases_contacts_after_resolution_or_the_outer_bound(
    db_session: Session,
) -> None:
    ward = make_unit(db_session)
    manager = make_user(db_session, ward, Role.UNIT_MANAGER)
    resolved = make_case(db_session, ward)
    still_open = make_case(db_session, ward)
    forgotten = make_case(db_session, ward, received=utcnow() - timedelta(days=800))
    for case in (resolved, still_open, forgotten):
        keep_contact(db_session, case, DETAILS)
    apply(
        db_session,
        resolved,
        Action.REJECT,
        manager,
        Step(text="Không thuộc thẩm quyền."),
    )
    now = utcnow()
    # Within 90 days of the resolution nothing goes but what is past its bound.
    report = purge_personal_data(db_session, now + timedelta(days=89))
    assert report.case_contacts == 1
    assert db_session.get(CaseContact, forgotten.id) is None
    report = purge_personal_data(db_session, now + timedelta(days=91))
    assert report.case_contacts == 1
    left = db_session.scalars(
        select(CaseContact.case_id).where(
            CaseContact.case_id.in_([resolved.id, still_open.id])
        )
    ).all()
    assert left == [still_open.id]
    # A shorter setting erases sooner.
    other = make_case(db_session, ward)
    keep_contact(db_session, other, DETAILS)
    apply(db_session, other, Action.REJECT, manager, Step(text="Trùng lặp."))
    assert (
        purge_personal_data(db_session, now + timedelta(days=2), 1).case_contacts == 1
    )
