"""Enumerators' keys and assignments: what is refused, what a key reaches."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from surveys.access.codes import SampleDesign
from surveys.fieldwork.enumerators import (
    ALREADY_ASSIGNED,
    BAD_DESIGN,
    NOT_INTERVIEWER,
    OUTSIDE_CAMPAIGN,
    REVOKED,
    EnumeratorRefused,
    assign,
    create_enumerator,
    enumerator_access,
    form_id,
    revoke_enumerator,
)
from surveys.models import CampaignMode, UnitKind
from tests.builders import make_campaign, make_unit


def test_assignments_refused_name_the_reason(db_session: Session) -> None:
    district = make_unit(db_session, kind=UnitKind.DISTRICT)
    ward = make_unit(db_session, district)
    elsewhere = make_unit(db_session)
    fieldwork = make_campaign(db_session, district, mode=CampaignMode.INTERVIEWER)
    counter = make_campaign(db_session, district, mode=CampaignMode.COUNTER)
    enumerator, _key = create_enumerator(db_session, None, district, "  Trần Hỏi  ")
    assert enumerator.name == "Trần Hỏi"
    cases = [
        (counter, ward, SampleDesign(), NOT_INTERVIEWER),
        (fieldwork, elsewhere, SampleDesign(), OUTSIDE_CAMPAIGN),
        (fieldwork, ward, SampleDesign(weight=0.0), BAD_DESIGN),
        (fieldwork, ward, SampleDesign(stratum="x" * 65), BAD_DESIGN),
    ]
    for campaign, unit, design, reason in cases:
        with pytest.raises(EnumeratorRefused) as refused:
            assign(db_session, None, enumerator, campaign, unit, design)
        assert refused.value.message == reason
    assign(db_session, None, enumerator, fieldwork, ward, SampleDesign(cluster="kp1"))
    with pytest.raises(EnumeratorRefused) as refused:
        assign(db_session, None, enumerator, fieldwork, ward, SampleDesign())
    assert refused.value.message == ALREADY_ASSIGNED
    revoke_enumerator(db_session, None, enumerator)
    with pytest.raises(EnumeratorRefused) as refused:
        assign(db_session, None, enumerator, fieldwork, district, SampleDesign())
    assert refused.value.message == REVOKED


def test_a_key_reaches_its_assignments_as_plain_values(db_session: Session) -> None:
    district = make_unit(db_session, kind=UnitKind.DISTRICT, name="Quận")
    ward = make_unit(db_session, district, name="Phường")
    campaign = make_campaign(
        db_session,
        district,
        mode=CampaignMode.INTERVIEWER,
        name="Hộ gia đình",
        ends_on=date(2026, 6, 30),
    )
    enumerator, key = create_enumerator(db_session, None, district, "Đếm")
    design = SampleDesign("urban", "kp2", 80.0)
    assign(db_session, None, enumerator, campaign, ward, design)
    access = enumerator_access(db_session, key)
    assert access is not None
    (form,) = access.forms
    assert (
        form.form_id
        == form_id(campaign.id, ward.id)
        == f"hailong-c{campaign.id}-u{ward.id}"
    )
    assert (form.title, form.design, form.mode) == (
        "Hộ gia đình — Phường",
        design,
        "interviewer",
    )
    assert form.runs_on(date(2026, 6, 30)) and not form.runs_on(date(2026, 7, 1))
    assert access.form("hailong-c0-u0") is None
    assert enumerator_access(db_session, key[:-1]) is None
    assert enumerator_access(db_session, None) is None
    revoke_enumerator(db_session, None, enumerator)
    assert enumerator_access(db_session, key) is None
