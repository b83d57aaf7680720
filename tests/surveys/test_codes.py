"""Issuing, reading and revoking access codes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys.access import codes
from surveys.access.code_state import CodeState, CodeUnavailable, open_code
from surveys.access.codes import (
    ALPHABET,
    MAX_CODES,
    CodeError,
    SampleDesign,
    counter_campaigns,
    format_token,
    issue_codes,
    new_token,
    new_tokens,
    parse_token,
    revoke_code,
)
from surveys.access.privacy import dossier_hash
from surveys.models import AccessCode, AuditEvent, CodeKind, ServicePoint
from surveys.units.management import poster_code
from tests.builders import make_campaign, make_code, make_unit, unique

KEY = b"test dossier key"
NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)


def stored_codes(session: Session) -> int:
    return session.scalar(select(func.count(AccessCode.id)))


def make_point(session: Session, unit, **fields: object) -> ServicePoint:
    point = ServicePoint(code=unique("sp"), name="Quầy Hộ tịch", unit=unit, **fields)
    session.add(point)
    session.flush()
    return point


def test_tokens_use_the_unambiguous_alphabet() -> None:
    token = new_token()
    assert len(token) == 10
    assert set(token) <= set(ALPHABET)


def test_tokens_drawn_in_bulk_use_every_letter_of_the_alphabet() -> None:
    tokens = new_tokens(3000)
    assert len(tokens) == 3000 == len(set(tokens))
    assert all(len(token) == 10 for token in tokens)
    # 30,000 letters: each of the 29 drawn about 1,034 times, none left out.
    assert set("".join(tokens)) == set(ALPHABET)


def test_a_formatted_token_parses_back() -> None:
    assert format_token("ABCDE23456") == "ABCDE-23456"
    for typed in ("ABCDE-23456", "abcde 23456", " abc-de23 456\t", "ABCDE23456"):
        assert parse_token(typed) == "ABCDE23456"


@pytest.mark.parametrize("typed", ["", "ABCDE-2345", "ABCDE-234567", "ABCDE-2345O"])
def test_parse_token_names_what_is_not_a_code(typed: str) -> None:
    with pytest.raises(CodeError, match=repr(typed)):
        parse_token(typed)


def test_single_use_codes_are_distinct_and_bound_to_the_unit(
    db_session: Session,
) -> None:
    district = make_unit(db_session, kind="district")
    ward = make_unit(db_session, parent=district)
    campaign = make_campaign(db_session, unit=district, mode="dossier")
    expiry = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
    issued = issue_codes(
        db_session, campaign, ward, 50, kind="single_use", expires_at=expiry
    )
    assert len({code.token for code in issued}) == 50
    assert all(code.id is not None for code in issued)
    assert {(c.unit_id, c.kind, c.expires_at) for c in issued} == {
        (ward.id, CodeKind.SINGLE_USE, expiry)
    }
    typed = format_token(issued[0].token).lower()
    assert open_code(db_session, parse_token(typed), NOW).id == issued[0].id


def test_a_dossier_is_kept_only_as_its_keyed_hash(db_session: Session) -> None:
    campaign = make_campaign(db_session, mode="dossier")
    dossiers = ["000.00.19.H29-260101-0001", "000.00.19.H29-260101-0002"]
    issued = issue_codes(
        db_session,
        campaign,
        campaign.unit,
        2,
        kind=CodeKind.SINGLE_USE,
        dossier_codes=dossiers,
        dossier_key=KEY,
        design=SampleDesign(stratum="ho-tich", cluster="k1", weight=12.5),
    )
    assert [code.dossier_hash for code in issued] == [
        dossier_hash(KEY, dossier) for dossier in dossiers
    ]
    assert not any(dossiers[0] in (code.dossier_hash or "") for code in issued)
    assert {(c.stratum, c.cluster, c.weight) for c in issued} == {
        ("ho-tich", "k1", 12.5)
    }


def test_a_dossier_gets_one_code_per_campaign(db_session: Session) -> None:
    campaign = make_campaign(db_session, mode="dossier")
    args = (db_session, campaign, campaign.unit, 1)
    issue_codes(*args, kind="single_use", dossier_codes=["HS-1"], dossier_key=KEY)
    with pytest.raises(CodeError, match="'hs-1' has a code in campaign"):
        issue_codes(*args, kind="single_use", dossier_codes=["hs-1"], dossier_key=KEY)


@pytest.mark.parametrize(
    ("dossiers", "key", "message"),
    [
        (["A", "B"], None, "need the key"),
        (["A"], KEY, "2 codes need 2 dossier codes, not 1"),
        (["A", "  "], KEY, "dossier code '  ' is blank"),
        (["A", "a "], KEY, "dossier code 'a ' appears twice"),
    ],
)
def test_bad_dossier_codes_are_refused(
    db_session: Session, dossiers: list[str], key: bytes | None, message: str
) -> None:
    campaign = make_campaign(db_session, mode="dossier")
    with pytest.raises(CodeError, match=message):
        issue_codes(
            db_session,
            campaign,
            campaign.unit,
            2,
            kind="single_use",
            dossier_codes=dossiers,
            dossier_key=key,
        )
    assert stored_codes(db_session) == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"count": 0}, "count 0 is not between 1 and 10000"),
        ({"count": MAX_CODES + 1}, "count 10001"),
        ({"count": 2.0}, "count 2.0 is not a whole number"),
        ({"kind": "forever"}, "kind 'forever' is not one of"),
        ({"expires_at": datetime(2026, 12, 31)}, "is naive"),
        ({"design": SampleDesign(weight=0.0)}, "weight 0.0 must be a positive number"),
        ({"design": SampleDesign(weight=float("nan"))}, "weight nan"),
        ({"design": SampleDesign(stratum="x" * 65)}, "stratum 'xxx"),
        ({"design": SampleDesign(cluster="")}, "cluster '' must have"),
        (
            {"kind": "standing", "design": SampleDesign(stratum="a")},
            "only single-use codes",
        ),
    ],
)
def test_bad_arguments_are_refused_by_name(
    db_session: Session, fields: dict, message: str
) -> None:
    campaign = make_campaign(db_session)
    arguments = {"count": 3, "kind": "single_use"} | fields
    count = arguments.pop("count")
    with pytest.raises(CodeError, match=message):
        issue_codes(db_session, campaign, campaign.unit, count, **arguments)
    assert stored_codes(db_session) == 0


def test_a_unit_outside_the_campaign_is_refused(db_session: Session) -> None:
    district = make_unit(db_session, kind="district")
    ward = make_unit(db_session, parent=district)
    campaign = make_campaign(db_session, unit=ward)
    with pytest.raises(CodeError, match=f"unit '{district.code}' is outside"):
        issue_codes(db_session, campaign, district, 1, kind="single_use")
    stranger = make_unit(db_session)
    with pytest.raises(CodeError, match=f"unit '{stranger.code}' is outside"):
        issue_codes(db_session, campaign, stranger, 1, kind="single_use")


def test_a_counter_must_belong_to_the_unit_and_be_active(db_session: Session) -> None:
    campaign = make_campaign(db_session)
    elsewhere = make_point(db_session, make_unit(db_session))
    closed = make_point(db_session, campaign.unit, active=False)
    for point, message in ((elsewhere, "does not belong"), (closed, "is not active")):
        with pytest.raises(CodeError, match=f"counter '{point.code}' {message}"):
            issue_codes(
                db_session,
                campaign,
                campaign.unit,
                1,
                kind="standing",
                service_point=point,
            )


def test_a_colliding_token_is_drawn_again(
    db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    campaign = make_campaign(db_session)
    taken = make_code(db_session, campaign).token
    draws = iter([taken, "ABCDE23456", "ABCDE23456", "ABCDE23457"])
    monkeypatch.setattr(codes, "new_token", lambda: next(draws))
    issued = issue_codes(db_session, campaign, campaign.unit, 2, kind="single_use")
    assert sorted(code.token for code in issued) == ["ABCDE23456", "ABCDE23457"]


def test_a_token_that_keeps_colliding_gives_up(
    db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    campaign = make_campaign(db_session)
    taken = make_code(db_session, campaign).token
    monkeypatch.setattr(codes, "new_token", lambda: taken)
    with pytest.raises(CodeError, match="could not draw 1 unused tokens"):
        issue_codes(db_session, campaign, campaign.unit, 1, kind="single_use")


def test_a_counter_has_one_standing_code_until_it_is_revoked(
    db_session: Session,
) -> None:
    campaign = make_campaign(db_session)
    point = make_point(db_session, campaign.unit)
    first = poster_code(db_session, None, campaign, point)
    assert (first.kind, first.service_point_id) == (CodeKind.STANDING, point.id)
    assert poster_code(db_session, None, campaign, point) is first
    revoke_code(db_session, first, NOW)
    replacement = poster_code(db_session, None, campaign, point)
    assert replacement.id != first.id
    assert stored_codes(db_session) == 2
    # Each code a poster brought into being is in the audit trail; a reprint is not.
    issued = db_session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "codes_issued")
    ).all()
    assert [(d["kind"], d["first_id"]) for d in issued] == [
        (CodeKind.STANDING, first.id),
        (CodeKind.STANDING, replacement.id),
    ]


def test_a_revoked_code_takes_no_response_and_keeps_its_first_revocation(
    db_session: Session,
) -> None:
    campaign = make_campaign(db_session)
    code = make_code(db_session, campaign)
    revoke_code(db_session, code, NOW)
    revoke_code(db_session, code, datetime(2026, 7, 1, tzinfo=UTC))
    db_session.expire_all()
    assert db_session.get(AccessCode, code.id).revoked_at == NOW
    with pytest.raises(CodeUnavailable) as refused:
        open_code(db_session, code.token, NOW)
    assert refused.value.state is CodeState.REVOKED


def test_counter_campaigns_are_those_running_today_above_the_counter(
    db_session: Session,
) -> None:
    district = make_unit(db_session, kind="district")
    ward = make_unit(db_session, parent=district)
    point = make_point(db_session, ward)
    today = date(2026, 6, 1)
    running = make_campaign(db_session, unit=district, starts_on=date(2026, 1, 1))
    at_ward = make_campaign(
        db_session, unit=ward, starts_on=today, ends_on=date(2026, 6, 30)
    )
    for fields in (
        {"unit": district, "mode": "dossier"},
        {"unit": district, "ends_on": date(2026, 5, 31)},
        {"unit": district, "starts_on": date(2026, 6, 2)},
        {"unit": make_unit(db_session, parent=district)},
    ):
        make_campaign(db_session, **({"starts_on": date(2026, 1, 1)} | fields))
    found = counter_campaigns(db_session, point, today)
    assert sorted(c.id for c in found) == sorted([running.id, at_ward.id])
