"""Campaigns edited, paused, resumed and closed; an invitation campaign's funnel."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys.access.code_state import (
    CodeState,
    CodeUnavailable,
    load_code,
    record_first_opening,
)
from surveys.access.codes import CampaignClosed, campaigns_covering, issue_codes
from surveys.access.invitations import (
    CodeStatus,
    invitation_funnel,
    issued_codes,
    issued_codes_page,
)
from surveys.dossiers.rating_codes import NoDossierCampaign, dossier_campaign
from surveys.models import AccessCode, AuditEvent, Campaign, Response, ResponseDraft
from surveys.storage.drafts import save_draft
from surveys.storage.recording import Submission, record_response, store_response
from surveys.units.campaigns import (
    CampaignRefused,
    CampaignStatus,
    campaign_status,
    close_campaign,
    edit_campaign,
    pause_campaign,
    resume_campaign,
)
from tests.builders import make_campaign, make_code, make_questionnaire

#: 10:00 in Vietnam on 1 June 2026.
NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)


def send(session: Session, code: AccessCode, submission_id: str, now=NOW):
    """Record a one-question response through ``code``."""
    sent = Submission(code.token, submission_id, {"overall": "4"})
    return record_response(session, sent, now)


def stored(session: Session) -> int:
    return session.scalar(select(func.count(Response.id))) or 0


def actions(session: Session, campaign: Campaign) -> list[str]:
    return list(
        session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == "campaign")
            .where(AuditEvent.object_id == campaign.key)
            .order_by(AuditEvent.id)
        )
    )


@pytest.fixture
def invited(db_session: Session) -> tuple[Campaign, AccessCode]:
    campaign = make_campaign(db_session, mode="invitation")
    return campaign, make_code(db_session, campaign, stratum="nho")


# Pause, resume, close --------------------------------------------------------------


def test_a_paused_campaign_takes_no_response_until_resumed(
    db_session: Session, invited
) -> None:
    campaign, code = invited
    pause_campaign(db_session, None, campaign, NOW)
    with pytest.raises(CodeUnavailable) as refused:
        send(db_session, code, "s-1")
    assert refused.value.state is CodeState.PAUSED
    assert stored(db_session) == 0
    assert campaign_status(campaign, date(2026, 6, 1)) is CampaignStatus.PAUSED
    resume_campaign(db_session, None, campaign, NOW + timedelta(hours=2))
    assert send(db_session, code, "s-1").created
    assert actions(db_session, campaign) == ["campaign_paused", "campaign_resumed"]
    resumed = db_session.scalar(
        select(AuditEvent).where(AuditEvent.action == "campaign_resumed")
    )
    assert resumed.detail["paused_seconds"] == 7200


def test_a_code_loaded_before_the_pause_is_refused_in_the_write(
    db_session: Session, invited
) -> None:
    """The survey keeps a standing code's values for a while: the write re-reads."""
    campaign, code = invited
    loaded = load_code(db_session, code.token)
    pause_campaign(db_session, None, campaign, NOW)
    sent = Submission(code.token, "s-1", {"overall": "4"})
    with pytest.raises(CodeUnavailable) as refused:
        store_response(db_session, loaded, sent, {"overall": 4}, NOW)
    assert refused.value.state is CodeState.PAUSED
    close_campaign(db_session, None, campaign, NOW)
    with pytest.raises(CodeUnavailable) as refused:
        store_response(db_session, loaded, sent, {"overall": 4}, NOW)
    assert refused.value.state is CodeState.CLOSED
    assert stored(db_session) == 0


def test_a_draft_kept_through_a_pause_is_sent_after_resuming(
    db_session: Session, invited
) -> None:
    campaign, code = invited
    save_draft(
        db_session, code, {"overall": "4"}, page=0,
        submission_id="s-1", started_at=NOW, now=NOW,
    )  # fmt: skip
    pause_campaign(db_session, None, campaign, NOW)
    with pytest.raises(CodeUnavailable):
        send(db_session, code, "s-1")
    assert db_session.scalar(select(func.count(ResponseDraft.id))) == 1
    resume_campaign(db_session, None, campaign, NOW)
    assert send(db_session, code, "s-1").created
    assert db_session.scalar(select(func.count(ResponseDraft.id))) == 0


def test_closing_ends_the_campaign_now_and_for_good(
    db_session: Session, invited
) -> None:
    campaign, code = invited
    campaign.ends_on = date(2026, 12, 31)
    pause_campaign(db_session, None, campaign, NOW)
    close_campaign(db_session, None, campaign, NOW)
    assert campaign.ends_on == date(2026, 6, 1)  # today, in Vietnam
    assert campaign.paused_at is None and campaign.closed_at == NOW
    assert campaign_status(campaign, date(2026, 6, 1)) is CampaignStatus.CLOSED
    with pytest.raises(CodeUnavailable) as refused:
        send(db_session, code, "s-1")
    assert refused.value.state is CodeState.CLOSED
    for change in (pause_campaign, resume_campaign, close_campaign):
        with pytest.raises(CampaignRefused):
            change(db_session, None, campaign, NOW)
    with pytest.raises(CampaignRefused):
        edit_campaign(
            db_session, None, campaign, name="Mở lại", starts_on=campaign.starts_on,
            ends_on=None, min_interval_seconds=0,
        )  # fmt: skip
    assert stored(db_session) == 0
    closed = db_session.scalar(
        select(AuditEvent).where(AuditEvent.action == "campaign_closed")
    )
    assert closed.detail == {"ends_on": ["2026-12-31", "2026-06-01"]}


def test_no_code_is_issued_for_a_closed_campaign(db_session: Session) -> None:
    campaign = make_campaign(db_session, mode="dossier")
    issue_codes(db_session, campaign, campaign.unit, 1, kind="single_use")
    assert campaigns_covering(db_session, campaign.unit) == [campaign]
    assert dossier_campaign(db_session, campaign.unit, date(2026, 6, 1)) is campaign
    close_campaign(db_session, None, campaign, NOW)
    with pytest.raises(CampaignClosed) as refused:
        issue_codes(db_session, campaign, campaign.unit, 1, kind="single_use")
    assert "đã kết thúc" in str(refused.value)
    assert refused.value.message.params == {"campaign": campaign.name}
    assert campaigns_covering(db_session, campaign.unit) == []
    with pytest.raises(NoDossierCampaign):
        dossier_campaign(db_session, campaign.unit, date(2026, 6, 1))
    assert db_session.scalar(select(func.count(AccessCode.id))) == 1


def test_a_campaign_closed_before_it_starts_keeps_its_dates(
    db_session: Session,
) -> None:
    campaign = make_campaign(db_session, starts_on=date(2026, 9, 1))
    close_campaign(db_session, None, campaign, NOW)
    assert (campaign.starts_on, campaign.ends_on) == (date(2026, 9, 1), None)


def test_pausing_twice_or_resuming_a_running_campaign_is_refused(
    db_session: Session, invited
) -> None:
    campaign, _ = invited
    with pytest.raises(CampaignRefused):
        resume_campaign(db_session, None, campaign, NOW)
    pause_campaign(db_session, None, campaign, NOW)
    with pytest.raises(CampaignRefused):
        pause_campaign(db_session, None, campaign, NOW)
    assert actions(db_session, campaign) == ["campaign_paused"]


# Editing -------------------------------------------------------------------------


def edit(session: Session, campaign: Campaign, **changes: object) -> bool:
    values = {
        "name": campaign.name,
        "starts_on": campaign.starts_on,
        "ends_on": campaign.ends_on,
        "min_interval_seconds": campaign.min_interval_seconds,
    }
    return edit_campaign(session, None, campaign, **(values | changes))  # type: ignore[arg-type]


def test_an_edit_is_audited_with_what_changed(db_session: Session, invited) -> None:
    campaign, _ = invited
    assert not edit(db_session, campaign)
    assert actions(db_session, campaign) == []
    assert edit(db_session, campaign, name="Khảo sát DN", ends_on=date(2026, 12, 31))
    event = db_session.scalar(
        select(AuditEvent).where(AuditEvent.action == "campaign_edited")
    )
    assert event.detail == {
        "changes": {
            "name": ["Đợt khảo sát thử", "Khảo sát DN"],
            "ends_on": [None, "2026-12-31"],
        }
    }


def test_an_edit_cannot_end_before_it_starts(db_session: Session, invited) -> None:
    campaign, _ = invited
    with pytest.raises(CampaignRefused):
        edit(db_session, campaign, ends_on=date(2025, 12, 31))


def test_once_answered_the_period_must_hold_every_response(
    db_session: Session, invited
) -> None:
    campaign, code = invited
    send(db_session, code, "s-1")  # 1 June 2026
    with pytest.raises(CampaignRefused, match="2026-06-01"):
        edit(db_session, campaign, starts_on=date(2026, 6, 2))
    with pytest.raises(CampaignRefused, match="2026-06-01"):
        edit(db_session, campaign, ends_on=date(2026, 5, 31))
    assert edit(
        db_session, campaign, starts_on=date(2026, 6, 1), ends_on=date(2026, 6, 1)
    )


def test_once_answered_the_questionnaire_and_mode_are_fixed(
    db_session: Session, invited
) -> None:
    campaign, code = invited
    other = make_questionnaire(db_session)
    assert edit(db_session, campaign, mode="open_link")
    assert edit(db_session, campaign, questionnaire=other)
    assert campaign.questionnaire_id == other.id
    send(db_session, code, "s-1")
    with pytest.raises(CampaignRefused):
        edit(db_session, campaign, mode="invitation")
    with pytest.raises(CampaignRefused):
        edit(db_session, campaign, questionnaire=make_questionnaire(db_session))


# The funnel ----------------------------------------------------------------------


@pytest.fixture
def six_invitations(db_session: Session) -> tuple[Campaign, list[AccessCode]]:
    """Six invitations in two strata: four opened, three started, two completed."""
    campaign = make_campaign(db_session, mode="invitation")
    small = [make_code(db_session, campaign, stratum="nho") for _ in range(3)]
    large = [make_code(db_session, campaign, stratum="lon") for _ in range(3)]
    for code in [*small, large[0]]:
        record_first_opening(db_session, load_code(db_session, code.token), NOW)
    for code in [small[0], small[1], large[0]]:
        save_draft(
            db_session, code, {"overall": "3"}, page=0,
            submission_id=f"s-{code.id}", started_at=NOW, now=NOW,
        )  # fmt: skip
    for code in [small[0], large[0]]:
        send(db_session, code, f"s-{code.id}")
    db_session.expire_all()
    return campaign, small + large


def test_the_funnel_counts_each_step_by_stratum_and_in_all(
    db_session: Session, six_invitations
) -> None:
    campaign, _ = six_invitations
    funnel = invitation_funnel(db_session, campaign)
    steps = [
        (r.stratum, r.issued, r.opened, r.started, r.completed, r.revoked)
        for r in funnel.strata
    ]
    assert steps == [("lon", 3, 1, 1, 1, 0), ("nho", 3, 3, 2, 1, 0)]
    total = funnel.total
    assert (total.issued, total.opened, total.started, total.completed) == (6, 4, 3, 2)
    assert total.response_rate == pytest.approx(2 / 6)
    assert [r.response_rate for r in funnel.strata] == [
        pytest.approx(1 / 3),
        pytest.approx(1 / 3),
    ]


def test_a_revoked_code_leaves_the_issued_count_unless_it_answered(
    db_session: Session, six_invitations
) -> None:
    campaign, codes = six_invitations
    codes[0].revoked_at = NOW  # completed before: still completed
    codes[5].revoked_at = NOW  # never opened
    db_session.flush()
    total = invitation_funnel(db_session, campaign).total
    assert (total.issued, total.completed, total.revoked) == (5, 2, 1)
    assert total.response_rate == pytest.approx(2 / 5)


def test_a_campaign_without_codes_has_no_rate(db_session: Session) -> None:
    funnel = invitation_funnel(db_session, make_campaign(db_session))
    assert funnel.strata == () and funnel.total.response_rate is None


def test_the_first_opening_is_recorded_once(db_session: Session, invited) -> None:
    _, code = invited
    record_first_opening(db_session, load_code(db_session, code.token), NOW)
    later = NOW + timedelta(days=1)
    record_first_opening(db_session, load_code(db_session, code.token), later)
    db_session.expire_all()
    assert db_session.get(AccessCode, code.id).opened_at == NOW


def test_the_codes_are_listed_with_their_status_filtered_and_paged(
    db_session: Session, six_invitations
) -> None:
    campaign, codes = six_invitations
    listed = {code.token: code.status for code in issued_codes(db_session, campaign)}
    assert [listed[code.token] for code in codes] == [
        CodeStatus.COMPLETED,
        CodeStatus.STARTED,
        CodeStatus.OPENED,
        CodeStatus.COMPLETED,
        CodeStatus.ISSUED,
        CodeStatus.ISSUED,
    ]
    waiting = issued_codes(db_session, campaign, status=CodeStatus.ISSUED)
    assert [code.token for code in waiting] == [codes[4].token, codes[5].token]
    small = issued_codes_page(db_session, campaign, stratum="nho", size=2)
    assert (small.total, small.pages, small.number) == (3, 2, 1)
    assert [code.token for code in small.codes] == [codes[0].token, codes[1].token]
    last = issued_codes_page(db_session, campaign, stratum="nho", size=2, number=9)
    assert last.number == 2 and [c.token for c in last.codes] == [codes[2].token]
    done = issued_codes_page(db_session, campaign, status=CodeStatus.COMPLETED)
    assert all(code.completed_at == NOW for code in done.codes)
    assert all(code.opened_at == NOW for code in done.codes)
