"""Rating codes of dossiers: one each, in the unit's dossier campaign, in bulk."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from surveys.access.privacy import dossier_hash
from surveys.dossiers.rating_codes import (
    ROUND,
    RatingCodeError,
    UnknownDossiers,
    dossier_campaign,
    issue_rating_codes,
    rating_slips,
)
from surveys.models import (
    AccessCode,
    Campaign,
    CodeKind,
    Dossier,
    DossierStatus,
    Unit,
    UnitKind,
)
from tests.builders import (
    DOSSIER_KEY,
    make_campaign,
    make_dossier,
    make_procedure,
    make_unit,
)

KEY = DOSSIER_KEY
TODAY = date(2026, 6, 1)
RECEIVED = datetime(2026, 5, 25, 2, 0, tzinfo=UTC)


def district_with_ward(session: Session) -> tuple[Unit, Unit, Campaign]:
    """A district, a ward below it, and a dossier campaign of the whole district."""
    district = make_unit(session, kind=UnitKind.DISTRICT, name="Quận Thử")
    ward = make_unit(session, parent=district, code="w-" + district.code)
    campaign = make_campaign(
        session, unit=district, mode="dossier", starts_on=date(2026, 1, 1)
    )
    return district, ward, campaign


def codes_of(session: Session, unit: Unit) -> dict[str, AccessCode]:
    """Return each dossier code of ``unit`` and the rating code it was given."""
    rows = session.execute(
        select(Dossier.code, AccessCode)
        .join(AccessCode, AccessCode.id == Dossier.access_code_id)
        .where(Dossier.unit_id == unit.id)
    ).all()
    return dict(rows)


def test_each_dossier_gets_one_single_use_code_keeping_only_its_hash(
    db_session: Session,
) -> None:
    _, ward, campaign = district_with_ward(db_session)
    procedure = make_procedure(db_session)
    for code in ("HS-001", "HS-002"):
        make_dossier(db_session, ward, RECEIVED, procedure, code=code)
    make_dossier(
        db_session,
        ward,
        RECEIVED,
        procedure,
        code="HS-RUT",
        status=DossierStatus.WITHDRAWN,
    )

    issued = issue_rating_codes(db_session, KEY, [ward.id], today=TODAY)

    assert (issued.issued, dict(issued.by_campaign)) == (2, {campaign.key: 2})
    codes = codes_of(db_session, ward)
    assert set(codes) == {"HS-001", "HS-002"}  # a withdrawn dossier has no result
    for dossier_code, code in codes.items():
        assert code.dossier_hash == dossier_hash(KEY, dossier_code)
        assert dossier_code not in code.token
        assert (code.kind, code.campaign_id, code.unit_id) == (
            CodeKind.SINGLE_USE,
            campaign.id,
            ward.id,
        )
        assert code.service_point_id is None and code.revoked_at is None
    assert len({code.token for code in codes.values()}) == 2


def test_issuing_again_gives_no_dossier_a_second_code(db_session: Session) -> None:
    _, ward, _ = district_with_ward(db_session)
    first = make_dossier(db_session, ward, RECEIVED, code="HS-001")
    issue_rating_codes(db_session, KEY, [ward.id], today=TODAY)
    given = first.access_code_id
    make_dossier(db_session, ward, RECEIVED, code="HS-002")

    again = issue_rating_codes(
        db_session, KEY, select(Unit.id).where(Unit.id == ward.id), today=TODAY
    )

    assert again.issued == 1
    assert first.access_code_id == given  # the loaded dossier sees the link kept
    assert db_session.scalar(select(func.count(AccessCode.id))) == 2
    assert issue_rating_codes(db_session, KEY, [ward.id], today=TODAY).issued == 0


def test_only_the_dossiers_named_when_ids_are_given(db_session: Session) -> None:
    _, ward, _ = district_with_ward(db_session)
    named = make_dossier(db_session, ward, RECEIVED, code="HS-001")
    other = make_dossier(db_session, ward, RECEIVED, code="HS-002")

    issued = issue_rating_codes(
        db_session, KEY, [ward.id], today=TODAY, dossier_ids=[named.id]
    )

    assert issued.issued == 1
    assert named.access_code_id is not None and other.access_code_id is None


def test_the_nearest_running_dossier_campaign_is_chosen(db_session: Session) -> None:
    district, ward, for_district = district_with_ward(db_session)
    # Neither a counter campaign nor one that ended counts.
    make_campaign(db_session, unit=ward, mode="counter", starts_on=date(2026, 1, 1))
    make_campaign(
        db_session,
        unit=ward,
        mode="dossier",
        starts_on=date(2025, 1, 1),
        ends_on=date(2025, 12, 31),
    )
    assert dossier_campaign(db_session, ward, TODAY) == for_district
    own = make_campaign(db_session, unit=ward, mode="dossier", starts_on=TODAY)
    assert dossier_campaign(db_session, ward, TODAY) == own
    assert dossier_campaign(db_session, district, TODAY) == for_district
    # Before the ward's own begins, its district's applies.
    assert dossier_campaign(db_session, ward, TODAY - timedelta(days=1)) == (
        for_district
    )


def test_refused_naming_the_unit_when_no_dossier_campaign_runs(
    db_session: Session,
) -> None:
    district, ward, _ = district_with_ward(db_session)
    alone = make_unit(db_session, code="lone-" + district.code)
    make_dossier(db_session, ward, RECEIVED, code="HS-001")
    make_dossier(db_session, alone, RECEIVED, code="HS-002")

    with pytest.raises(RatingCodeError, match=f"for unit {alone.code}$"):
        issue_rating_codes(db_session, KEY, [ward.id, alone.id], today=TODAY)

    assert db_session.scalar(select(func.count(AccessCode.id))) == 0
    with pytest.raises(RatingCodeError, match="2025-06-01"):
        issue_rating_codes(db_session, KEY, [ward.id], today=date(2025, 6, 1))


def test_two_campaigns_started_together_at_one_unit_are_refused(
    db_session: Session,
) -> None:
    district, ward, first = district_with_ward(db_session)
    second = make_campaign(
        db_session, unit=district, mode="dossier", starts_on=first.starts_on
    )
    make_dossier(db_session, ward, RECEIVED, code="HS-001")

    with pytest.raises(RatingCodeError, match="several") as refused:
        issue_rating_codes(db_session, KEY, [ward.id], today=TODAY)

    assert first.key in str(refused.value) and second.key in str(refused.value)


def test_a_key_is_needed(db_session: Session) -> None:
    with pytest.raises(RatingCodeError, match="key"):
        issue_rating_codes(db_session, b"", [1], today=TODAY)


def test_more_dossiers_than_a_round_all_get_distinct_codes(
    db_session: Session,
) -> None:
    _, ward, campaign = district_with_ward(db_session)
    procedure = make_procedure(db_session)
    count = ROUND + 7
    db_session.execute(
        insert(Dossier),
        [
            {
                "unit_id": ward.id,
                "code": f"HS-{number:05d}",
                "procedure_id": procedure.id,
                "channel": "online",
                "status": "returned",
                "received_at": RECEIVED,
                "due_at": RECEIVED + timedelta(days=3),
                "received_month": "2026-05",
                "row_hash": "0" * 64,
            }
            for number in range(count)
        ],
    )

    issued = issue_rating_codes(db_session, KEY, [ward.id], today=TODAY)

    assert issued.issued == count
    linked = db_session.execute(
        select(Dossier.code, AccessCode.dossier_hash, AccessCode.campaign_id)
        .join(AccessCode, AccessCode.id == Dossier.access_code_id)
        .where(Dossier.unit_id == ward.id)
    ).all()
    assert len(linked) == count
    assert all(
        hashed == dossier_hash(KEY, code) and campaign_id == campaign.id
        for code, hashed, campaign_id in linked
    )
    tokens = db_session.scalars(
        select(func.count(func.distinct(AccessCode.token)))
    ).one()
    assert tokens == count


def test_slips_come_in_the_order_asked_and_missing_codes_are_issued(
    db_session: Session,
) -> None:
    _, ward, _ = district_with_ward(db_session)
    procedure = make_procedure(db_session, name="Cấp bản sao trích lục hộ tịch")
    first = make_dossier(db_session, ward, RECEIVED, procedure, code="HS-001")
    make_dossier(db_session, ward, RECEIVED, procedure, code="HS-002")
    issue_rating_codes(db_session, KEY, [ward.id], today=TODAY, dossier_ids=[first.id])
    kept = first.access_code.token

    slips = rating_slips(
        db_session, KEY, ward, [" HS-002", "HS-001", "HS-002", ""], today=TODAY
    )

    assert [(s.dossier_code, s.procedure) for s in slips] == [
        ("HS-002", "Cấp bản sao trích lục hộ tịch"),
        ("HS-001", "Cấp bản sao trích lục hộ tịch"),
    ]
    assert slips[1].token == kept
    assert set(codes_of(db_session, ward)) == {"HS-001", "HS-002"}


def test_slips_refuse_codes_of_no_dossier_of_the_unit(db_session: Session) -> None:
    district, ward, _ = district_with_ward(db_session)
    make_dossier(db_session, ward, RECEIVED, code="HS-001")
    make_dossier(db_session, district, RECEIVED, code="HS-KHAC")
    make_dossier(
        db_session, ward, RECEIVED, code="HS-RUT", status=DossierStatus.WITHDRAWN
    )

    with pytest.raises(UnknownDossiers) as refused:
        rating_slips(
            db_session, KEY, ward, ["HS-001", "HS-KHAC", "HS-RUT"], today=TODAY
        )

    assert refused.value.codes == ("HS-KHAC", "HS-RUT")
    assert db_session.scalar(select(func.count(AccessCode.id))) == 0
