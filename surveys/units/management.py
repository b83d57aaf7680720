"""Managing units, counters, officials, access codes, questionnaires, campaigns
and staff users.

Each operation receives objects the caller already found through the user's scope,
flushes, and records its own audit event: who (``actor``; None for an operator's
command), which object, and what changed. Recording it here, not in each view or
command, is what makes every change leave a trace whichever door it came in by.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, selectinload

from surveys.access.audit import AuditAction, record_event
from surveys.access.codes import (
    SampleDesign,
    issue_codes,
    revoke_code,
    standing_code_in_use,
)
from surveys.access.scope import Scope
from surveys.access.users import UserError, create_user, end_sessions, set_password
from surveys.models import (
    AccessCode,
    Campaign,
    CampaignMode,
    CodeKind,
    Official,
    Role,
    ServicePoint,
    Unit,
    User,
)
from surveys.models import Questionnaire as StoredQuestionnaire
from surveys.questionnaire import Questionnaire, QuestionType
from surveys.questionnaire.versions import (
    StoreResult,
    definition_of,
    store_questionnaire,
)
from surveys.translatable import N_, Message


class ManagementError(ValueError):
    """A change cannot be made as asked; the message names the bad value."""


#: Campaigns whose respondents are anonymous citizens: at a one-stop counter,
#: rating a dossier, or following a public link (a counter's rating from home):
#: nothing may locate them. Invited and interviewed respondents are known.
ANONYMOUS_MODES = frozenset(
    {CampaignMode.COUNTER, CampaignMode.DOSSIER, CampaignMode.OPEN_LINK}
)


class LocationInAnonymousCampaign(ManagementError):
    """A questionnaire that asks for a location, put in an anonymous campaign.

    ``message`` says so in the staff's language and names the questions.
    """

    def __init__(self, questions: Sequence[str]) -> None:
        names = ", ".join(questions)
        super().__init__(f"questions {names} ask for a location")
        self.message = Message(
            N_(
                "Bảng hỏi này hỏi vị trí (geopoint: %(questions)s) nên không dùng "
                "được cho đợt đánh giá tại quầy, theo hồ sơ hay qua đường dẫn công "
                "khai: người dân đánh "
                "giá ở đó phải được ẩn danh. Hãy chọn hình thức khác hoặc bỏ câu "
                "hỏi vị trí."
            ),
            {"questions": names},
        )


def _check_free(
    session: Session,
    model: type[Unit | ServicePoint | Official],
    code: str,
    *within: ColumnElement[bool],
) -> None:
    """Refuse ``code`` if taken, among all rows or only those ``within`` picks."""
    taken = select(model.id).where(model.code == code, *within)
    if session.scalar(taken) is not None:
        raise ManagementError(f"the code {code!r} is taken")


def _audit(
    session: Session,
    action: AuditAction,
    actor: User | None,
    changed: Unit | ServicePoint | Official | Campaign | StoredQuestionnaire,
    **detail: Any,
) -> None:
    """Record that ``actor`` did ``action`` to ``changed``, and how."""
    object_id = (
        changed.key
        if isinstance(changed, Campaign | StoredQuestionnaire)
        else changed.code
    )
    record_event(
        session,
        action,
        actor.id if actor is not None else None,
        object_type=changed.__tablename__.removesuffix("s"),
        object_id=object_id,
        detail=detail,
    )


def add_unit(
    session: Session, actor: User | None, parent: Unit, code: str, name: str, kind: str
) -> Unit:
    """Add a unit under ``parent``; unit codes are unique across the tree."""
    _check_free(session, Unit, code)
    unit = Unit(parent=parent, code=code, name=name, kind=kind)
    session.add(unit)
    session.flush()
    _audit(
        session,
        AuditAction.UNIT_CREATED,
        actor,
        unit,
        parent=parent.code,
        name=name,
        kind=kind,
    )
    return unit


def add_counter(
    session: Session, actor: User | None, unit: Unit, code: str, name: str
) -> ServicePoint:
    """Open a counter at ``unit``; codes are unique across the district."""
    _check_free(session, ServicePoint, code)
    point = ServicePoint(unit=unit, code=code, name=name)
    session.add(point)
    session.flush()
    _audit(
        session, AuditAction.COUNTER_CREATED, actor, point, unit=unit.code, name=name
    )
    return point


def rename_counter(
    session: Session, actor: User | None, point: ServicePoint, name: str
) -> None:
    """Rename a counter; its code (and its printed posters) stay valid."""
    _audit(
        session,
        AuditAction.COUNTER_RENAMED,
        actor,
        point,
        unit=point.unit.code,
        old_name=point.name,
        new_name=name,
    )
    point.name = name
    session.flush()


def deactivate_counter(
    session: Session, actor: User | None, point: ServicePoint
) -> None:
    """Close a counter: no new codes; its past responses stay as they are."""
    point.active = False
    session.flush()
    _audit(session, AuditAction.COUNTER_DEACTIVATED, actor, point, unit=point.unit.code)


def assign_officials(
    session: Session,
    actor: User | None,
    point: ServicePoint,
    officials: Sequence[Official],
) -> None:
    """Set who serves at ``point``; only officials of the counter's unit may."""
    strangers = [o.code for o in officials if o.unit_id != point.unit_id]
    if strangers:
        raise ManagementError(f"officials {strangers} are not of the counter's unit")
    before = sorted(o.code for o in point.officials)
    point.officials = list(officials)
    session.flush()
    _audit(
        session,
        AuditAction.COUNTER_OFFICIALS_SET,
        actor,
        point,
        unit=point.unit.code,
        before=before,
        after=sorted(o.code for o in officials),
    )


def add_official(
    session: Session, actor: User | None, unit: Unit, code: str, name: str, title: str
) -> Official:
    """Add an official whom citizens may rate at ``unit``; codes are unique within it.

    Other units' codes play no part, so a refusal tells nothing about them.
    """
    _check_free(session, Official, code, Official.unit_id == unit.id)
    official = Official(unit=unit, code=code, name=name, title=title)
    session.add(official)
    session.flush()
    _audit(
        session,
        AuditAction.OFFICIAL_CREATED,
        actor,
        official,
        unit=unit.code,
        name=name,
        title=title,
    )
    return official


def deactivate_official(
    session: Session, actor: User | None, official: Official
) -> None:
    """Stop offering an official for rating; past ratings stay attached."""
    counters = sorted(point.code for point in official.service_points)
    official.active = False
    official.service_points = []
    session.flush()
    _audit(
        session,
        AuditAction.OFFICIAL_DEACTIVATED,
        actor,
        official,
        unit=official.unit.code,
        counters_left=counters,
    )


def issue_batch(
    session: Session,
    actor: User | None,
    campaign: Campaign,
    unit: Unit,
    count: int,
    service_point: ServicePoint | None,
    expires_at: datetime | None,
    kind: CodeKind = CodeKind.SINGLE_USE,
    design: SampleDesign | None = None,
) -> list[AccessCode]:
    """Issue codes (single-use ones for receipts and invitations, with the sample
    design's stratum, cluster and weight), and audit who issued how many."""
    issued = issue_codes(
        session,
        campaign,
        unit,
        count,
        kind=kind,
        service_point=service_point,
        expires_at=expires_at,
        design=design,
    )
    designed = {
        name: value
        for name, value in vars(design or SampleDesign()).items()
        if value is not None
    }
    record_event(
        session,
        AuditAction.CODES_ISSUED,
        actor.id if actor is not None else None,
        object_type="unit",
        object_id=unit.code,
        detail={
            "campaign": campaign.key,
            "count": count,
            "kind": kind,
            "first_id": issued[0].id,
            "last_id": issued[-1].id,
            **designed,
        },
    )
    return issued


def poster_code(
    session: Session, actor: User | None, campaign: Campaign, point: ServicePoint
) -> AccessCode:
    """Return the code a counter's poster shows; issue and audit it the first time.

    A revoked standing code is replaced, so a reprinted poster works again.
    """
    in_use = standing_code_in_use(session, campaign, point)
    if in_use is not None:
        return in_use
    (issued,) = issue_batch(
        session, actor, campaign, point.unit, 1, point, None, kind=CodeKind.STANDING
    )
    return issued


def revoke(
    session: Session, actor: User | None, code: AccessCode, now: datetime
) -> None:
    """Revoke a code (a lost receipt, a misprint) and audit it.

    ``actor`` is None for a revocation through an integration key, which the
    API audits as the key's write.
    """
    revoke_code(session, code, now)
    record_event(
        session,
        AuditAction.CODE_REVOKED,
        actor.id if actor is not None else None,
        object_type="access_code",
        object_id=str(code.id),
        detail={"unit": code.unit.code, "campaign": code.campaign.key},
    )


def import_questionnaire(
    session: Session, actor: User | None, questionnaire: Questionnaire
) -> StoreResult:
    """Store a definition as a new version (unless stored already); audit a new one."""
    result = store_questionnaire(session, questionnaire)
    if result.created:
        _audit(
            session,
            AuditAction.QUESTIONNAIRE_IMPORTED,
            actor,
            result.stored,
            version=result.stored.version,
            checksum=result.stored.checksum,
        )
    return result


def check_anonymity(mode: str, questionnaire: StoredQuestionnaire) -> None:
    """Refuse a questionnaire that asks for a location in an anonymous mode.

    A geopoint is refused for ``ANONYMOUS_MODES``: even asked with consent, a
    citizen's position at or after a counter visit could tell who rated it.
    """
    if mode not in ANONYMOUS_MODES:
        return
    located = [
        q.name
        for q in definition_of(questionnaire).questions
        if q.type is QuestionType.GEOPOINT
    ]
    if located:
        raise LocationInAnonymousCampaign(located)


def create_campaign(
    session: Session,
    actor: User | None,
    *,
    key: str,
    name: str,
    questionnaire: StoredQuestionnaire,
    unit: Unit,
    mode: str,
    starts_on: date,
    ends_on: date | None,
    min_interval_seconds: int,
) -> Campaign:
    """Put a questionnaire version in the field for ``unit`` and the units below."""
    check_anonymity(mode, questionnaire)
    if ends_on is not None and ends_on < starts_on:
        raise ManagementError(f"end {ends_on} is before start {starts_on}")
    if session.scalar(select(Campaign.id).where(Campaign.key == key)) is not None:
        raise ManagementError(f"the key {key!r} is taken")
    campaign = Campaign(
        key=key,
        name=name,
        questionnaire=questionnaire,
        unit=unit,
        mode=mode,
        starts_on=starts_on,
        ends_on=ends_on,
        min_interval_seconds=min_interval_seconds,
    )
    session.add(campaign)
    session.flush()
    _audit(
        session,
        AuditAction.CAMPAIGN_CREATED,
        actor,
        campaign,
        name=name,
        questionnaire=f"{questionnaire.key} v{questionnaire.version}",
        unit=unit.code,
        mode=mode,
        starts_on=starts_on.isoformat(),
        ends_on=ends_on.isoformat() if ends_on is not None else None,
        min_interval_seconds=min_interval_seconds,
    )
    return campaign


def add_user(
    session: Session,
    actor: User,
    username: str,
    password: str,
    role: str,
    unit: Unit | None,
) -> User:
    """Create a staff login; only an admin may create another admin."""
    if role == Role.ADMIN and actor.role != Role.ADMIN:
        raise UserError(
            Message(N_("Chỉ quản trị hệ thống mới tạo được tài khoản quản trị."))
        )
    return create_user(
        session,
        username,
        password,
        role,
        unit.code if unit is not None else None,
        actor=actor,
    )


def deactivate_user(session: Session, actor: User, user: User) -> None:
    """Lock a user out at once: the version bump ends every session it has."""
    if user.id == actor.id:
        raise UserError(Message(N_("Bạn không thể tự khóa tài khoản của mình.")))
    user.active = False
    end_sessions(session, user, AuditAction.USER_DEACTIVATED, actor.id)


def reset_password(session: Session, actor: User, user: User, password: str) -> None:
    """Give a user a new password (forgotten, or leaked); end their sessions."""
    set_password(session, user, password, AuditAction.PASSWORD_RESET, actor.id)


def issued_between(
    session: Session, unit: Unit, campaign_key: str, first_id: int, last_id: int
) -> list[AccessCode]:
    """Return the unit's unrevoked single-use codes of one issuing, by id range."""
    return list(
        session.scalars(
            select(AccessCode)
            .join(AccessCode.campaign)
            .where(
                AccessCode.unit_id == unit.id,
                Campaign.key == campaign_key,
                AccessCode.kind == CodeKind.SINGLE_USE,
                AccessCode.revoked_at.is_(None),
                AccessCode.id.between(first_id, last_id),
            )
            .options(selectinload(AccessCode.service_point))
            .order_by(AccessCode.id)
        )
    )


def campaigns_in_scope(session: Session, scope: Scope) -> list[Campaign]:
    """Return the campaigns rooted at a unit in scope, newest first."""
    return list(
        session.scalars(
            scope.filter(select(Campaign), Campaign.unit_id)
            .options(selectinload(Campaign.unit), selectinload(Campaign.questionnaire))
            .order_by(Campaign.starts_on.desc(), Campaign.key)
        )
    )


def users_in_scope(session: Session, scope: Scope) -> list[User]:
    """Return the users of units in scope (and, for an admin, every admin)."""
    return list(
        session.scalars(
            scope.filter(select(User), User.unit_id)
            .options(selectinload(User.unit))
            .order_by(User.username)
        )
    )
