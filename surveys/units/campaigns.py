"""A campaign in the field: edited, paused, resumed and closed, each change audited.

Pausing stops new responses on every path (the survey's write and the
enumerators' submissions read ``Campaign.paused_at``) while codes stay valid and
drafts stay kept, so respondents carry on after resuming. Closing is for good:
it ends the campaign at once (``closed_at``; the end date becomes today when it
would have run longer), and a closed campaign is never reopened, so its counts
and its response rate are final when they are reported. A campaign to be taken
up again later is paused, not closed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from surveys.access.audit import AuditAction, record_event
from surveys.local_time import local_date
from surveys.models import Campaign, Response, User
from surveys.models import Questionnaire as StoredQuestionnaire
from surveys.translatable import N_, Message
from surveys.units.management import ManagementError, check_anonymity


class CampaignStatus(enum.StrEnum):
    """Where a campaign stands today, as its pages name it."""

    SCHEDULED = "scheduled"
    RUNNING = "running"
    PAUSED = "paused"
    ENDED = "ended"
    CLOSED = "closed"


class CampaignRefused(ManagementError):
    """A change a campaign cannot take; ``message`` says why in the staff's words."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


CLOSED = Message(N_("Đợt khảo sát đã đóng: không thay đổi được nữa."))
NOT_PAUSED = Message(N_("Đợt khảo sát không ở trạng thái tạm dừng."))
ALREADY_PAUSED = Message(N_("Đợt khảo sát đang tạm dừng rồi."))
ENDS_BEFORE_START = Message(N_("Ngày kết thúc phải sau hoặc trùng ngày bắt đầu."))
FIXED_ONCE_ANSWERED = Message(
    N_("Đợt khảo sát đã có phiếu trả lời: không đổi được bảng hỏi và hình thức.")
)


def campaign_status(campaign: Campaign, today: date) -> CampaignStatus:
    """Return where ``campaign`` stands on ``today`` (Vietnam's date)."""
    if campaign.closed_at is not None:
        return CampaignStatus.CLOSED
    if campaign.ends_on is not None and today > campaign.ends_on:
        return CampaignStatus.ENDED
    if campaign.paused_at is not None:
        return CampaignStatus.PAUSED
    if today < campaign.starts_on:
        return CampaignStatus.SCHEDULED
    return CampaignStatus.RUNNING


def has_responses(session: Session, campaign: Campaign) -> bool:
    """Tell whether any response was stored for ``campaign`` (one index probe)."""
    answered = exists().where(Response.campaign_id == campaign.id)
    return bool(session.scalar(select(answered)))


@dataclass(frozen=True)
class AnsweredDays:
    """The local dates of a campaign's first and last responses."""

    first: date
    last: date


def answered_days(session: Session, campaign: Campaign) -> AnsweredDays | None:
    """Return the days of the first and last responses, or None before any."""
    first, last = session.execute(
        select(func.min(Response.submitted_at), func.max(Response.submitted_at)).where(
            Response.campaign_id == campaign.id
        )
    ).one()
    if first is None:
        return None
    return AnsweredDays(local_date(first), local_date(last))


def edit_campaign(
    session: Session,
    actor: User | None,
    campaign: Campaign,
    *,
    name: str,
    starts_on: date,
    ends_on: date | None,
    min_interval_seconds: int,
    questionnaire: StoredQuestionnaire | None = None,
    mode: str | None = None,
) -> bool:
    """Change a campaign's name, period and interval (and, before any response,
    its questionnaire and mode); tell whether anything changed.

    Once answered, the period must still hold every response: the start cannot
    move after the first one's day, nor the end before the last one's, and the
    questionnaire and mode are fixed, since the responses were given to them.
    Raises ``CampaignRefused`` (or ``LocationInAnonymousCampaign``).
    """
    if campaign.closed_at is not None:
        raise CampaignRefused(CLOSED)
    if ends_on is not None and ends_on < starts_on:
        raise CampaignRefused(ENDS_BEFORE_START)
    questionnaire = questionnaire or campaign.questionnaire
    mode = mode or campaign.mode
    answered = answered_days(session, campaign)
    if answered is not None:
        if questionnaire.id != campaign.questionnaire_id or mode != campaign.mode:
            raise CampaignRefused(FIXED_ONCE_ANSWERED)
        _check_holds(answered, starts_on, ends_on)
    check_anonymity(mode, questionnaire)
    wanted: dict[str, Any] = {
        "name": name,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "min_interval_seconds": min_interval_seconds,
        "questionnaire_id": questionnaire.id,
        "mode": mode,
    }
    changes = {
        field: [_plain(getattr(campaign, field)), _plain(value)]
        for field, value in wanted.items()
        if getattr(campaign, field) != value
    }
    if not changes:
        return False
    if "questionnaire_id" in changes:
        campaign.questionnaire = questionnaire
    for field, value in wanted.items():
        setattr(campaign, field, value)
    session.flush()
    _audit(session, AuditAction.CAMPAIGN_EDITED, actor, campaign, changes=changes)
    return True


def _check_holds(answered: AnsweredDays, starts_on: date, ends_on: date | None) -> None:
    """Refuse a period that would leave a stored response outside it."""
    if starts_on > answered.first:
        raise CampaignRefused(
            Message(
                N_(
                    "Đã có phiếu trả lời từ ngày %(day)s: ngày bắt đầu không được "
                    "sau ngày đó."
                ),
                {"day": answered.first.isoformat()},
            )
        )
    if ends_on is not None and ends_on < answered.last:
        raise CampaignRefused(
            Message(
                N_(
                    "Đã có phiếu trả lời ngày %(day)s: ngày kết thúc không được "
                    "trước ngày đó. Muốn dừng ngay thì hãy đóng đợt khảo sát."
                ),
                {"day": answered.last.isoformat()},
            )
        )


def pause_campaign(
    session: Session, actor: User | None, campaign: Campaign, now: datetime
) -> None:
    """Stop taking responses for a while; codes stay valid, drafts stay kept."""
    if campaign.closed_at is not None:
        raise CampaignRefused(CLOSED)
    if campaign.paused_at is not None:
        raise CampaignRefused(ALREADY_PAUSED)
    campaign.paused_at = now
    session.flush()
    _audit(session, AuditAction.CAMPAIGN_PAUSED, actor, campaign)


def resume_campaign(
    session: Session, actor: User | None, campaign: Campaign, now: datetime
) -> None:
    """Take responses again after a pause; a kept draft can then be sent."""
    if campaign.closed_at is not None:
        raise CampaignRefused(CLOSED)
    if campaign.paused_at is None:
        raise CampaignRefused(NOT_PAUSED)
    paused_since = campaign.paused_at
    campaign.paused_at = None
    session.flush()
    _audit(
        session,
        AuditAction.CAMPAIGN_RESUMED,
        actor,
        campaign,
        paused_at=paused_since.isoformat(),
        paused_seconds=round((now - paused_since).total_seconds()),
    )


def close_campaign(
    session: Session, actor: User | None, campaign: Campaign, now: datetime
) -> None:
    """End the campaign now and for good: no response after this instant.

    The end date becomes today when the campaign would have run longer (one
    that has not started keeps its dates: its period never began), so lists
    and reports show the period it really ran. Its responses stay in every
    dashboard and report.
    """
    if campaign.closed_at is not None:
        raise CampaignRefused(CLOSED)
    today = local_date(now)
    ends_on = campaign.ends_on
    if campaign.starts_on <= today and (ends_on is None or ends_on > today):
        campaign.ends_on = today
    campaign.closed_at = now
    campaign.paused_at = None
    session.flush()
    _audit(
        session,
        AuditAction.CAMPAIGN_CLOSED,
        actor,
        campaign,
        ends_on=[_plain(ends_on), _plain(campaign.ends_on)],
    )


def _plain(value: object) -> object:
    """Return a value as the audit's JSON keeps it (dates as ISO text)."""
    return value.isoformat() if isinstance(value, date) else value


def _audit(
    session: Session,
    action: AuditAction,
    actor: User | None,
    campaign: Campaign,
    **detail: Any,
) -> None:
    record_event(
        session,
        action,
        actor.id if actor is not None else None,
        object_type="campaign",
        object_id=campaign.key,
        detail=detail,
    )
