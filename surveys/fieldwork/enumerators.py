"""Enumerators' keys and assignments: made, revoked and read as plain values.

A key is made for an enumerator by a manager of their unit and shown once
(``surveys.access.secret_keys``). Each assignment puts one unit of one
interviewer campaign on the enumerator's tablet, with the sample-design fields
the interviews sent for it carry. What a presented key reaches is read as
frozen values (``EnumeratorAccess``), never ORM instances, so the OpenRosa
views can cache what they derive from it. Every change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from surveys.access.audit import AuditAction, record_event
from surveys.access.codes import CodeError, SampleDesign, check_design
from surveys.access.scope import Scope
from surveys.access.secret_keys import find_by_key, new_key
from surveys.models import (
    Campaign,
    CampaignMode,
    Enumerator,
    EnumeratorAssignment,
    Questionnaire,
    Unit,
    User,
    utcnow,
)
from surveys.translatable import N_, Message
from surveys.units.tree import lineage_ids

NO_NAME = Message(N_("Hãy ghi tên điều tra viên."))
NAME_TOO_LONG = Message(N_("Tên điều tra viên dài quá 200 ký tự."))
NOT_INTERVIEWER = Message(
    N_("Chỉ giao được đợt khảo sát theo hình thức điều tra viên phỏng vấn.")
)
OUTSIDE_CAMPAIGN = Message(N_("Đơn vị này không thuộc phạm vi của đợt khảo sát."))
ALREADY_ASSIGNED = Message(N_("Điều tra viên đã được giao đơn vị này trong đợt này."))
BAD_DESIGN = Message(N_("Tầng, cụm phải có 1 đến 64 ký tự; trọng số phải là số dương."))
REVOKED = Message(N_("Khóa của điều tra viên này đã bị thu hồi."))


class EnumeratorRefused(ValueError):
    """An enumerator or assignment that cannot be made as asked; nothing stored."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class FieldForm:
    """One assignment as the enumerator's client sees it: a form to fill in."""

    form_id: str
    campaign_id: int
    campaign_name: str
    #: The campaign's mode, stored as the interviews' channel.
    mode: str
    starts_on: date
    ends_on: date | None
    unit_id: int
    unit_name: str
    questionnaire_id: int
    #: The stored version's number: the XForm's ``version``.
    questionnaire_version: int
    #: The stored version's checksum: names its content exactly (cache key).
    questionnaire_checksum: str
    design: SampleDesign
    #: The campaign is paused (interviews wait on the tablet), or closed for good.
    paused: bool = False
    closed: bool = False

    @property
    def title(self) -> str:
        """Name the form on the tablet: the campaign, then the unit."""
        return f"{self.campaign_name} — {self.unit_name}"

    def runs_on(self, today: date) -> bool:
        """Tell whether the campaign is in the field on ``today`` (local date).

        A paused campaign still is: its form stays on the tablets, and the
        interviews wait there until it resumes.
        """
        return (
            not self.closed
            and self.starts_on <= today
            and (self.ends_on is None or today <= self.ends_on)
        )


@dataclass(frozen=True)
class EnumeratorAccess:
    """What a live enumerator's key reaches: their forms, by form id."""

    enumerator_id: int
    name: str
    forms: tuple[FieldForm, ...]

    def form(self, form_id: str) -> FieldForm | None:
        """Return the assigned form with this id, or None (not theirs, or none)."""
        return next((form for form in self.forms if form.form_id == form_id), None)


def form_id(campaign_id: int, unit_id: int) -> str:
    """Return the XForm id of a campaign's form for one unit.

    It names the campaign and the unit by their ids: campaign keys are free
    text, ids are safe in a URL and in an XML attribute.
    """
    return f"hailong-c{campaign_id}-u{unit_id}"


def create_enumerator(
    session: Session, user: User | None, unit: Unit, name: str
) -> tuple[Enumerator, str]:
    """Make an enumerator of ``unit`` and their key; return both (key shown once).

    The caller checks that ``unit`` lies in the user's scope, and commits.
    """
    name = name.strip()
    if not name:
        raise EnumeratorRefused(NO_NAME)
    if len(name) > 200:
        raise EnumeratorRefused(NAME_TOO_LONG)
    drawn = new_key()
    enumerator = Enumerator(
        name=name,
        unit_id=unit.id,
        key_hash=drawn.digest,
        prefix=drawn.prefix,
        created_by=user.id if user else None,
        created_at=utcnow(),
    )
    session.add(enumerator)
    session.flush()
    _audit(
        session,
        AuditAction.ENUMERATOR_CREATED,
        user,
        enumerator,
        name=name,
        prefix=drawn.prefix,
        unit_id=unit.id,
    )
    return enumerator, drawn.secret


def revoke_enumerator(
    session: Session, user: User | None, enumerator: Enumerator
) -> bool:
    """Revoke an enumerator's key for good; tell whether it was live."""
    if enumerator.revoked_at is not None:
        return False
    enumerator.revoked_at = utcnow()
    _audit(
        session,
        AuditAction.ENUMERATOR_REVOKED,
        user,
        enumerator,
        name=enumerator.name,
        prefix=enumerator.prefix,
    )
    session.flush()
    return True


def assign(
    session: Session,
    user: User | None,
    enumerator: Enumerator,
    campaign: Campaign,
    unit: Unit,
    design: SampleDesign,
) -> EnumeratorAssignment:
    """Give an enumerator one unit of an interviewer campaign, with its design.

    The caller checks that the enumerator and ``unit`` lie in the user's scope.
    """
    if enumerator.revoked_at is not None:
        raise EnumeratorRefused(REVOKED)
    if campaign.mode != CampaignMode.INTERVIEWER:
        raise EnumeratorRefused(NOT_INTERVIEWER)
    if campaign.unit_id not in set(session.scalars(lineage_ids(unit.id))):
        raise EnumeratorRefused(OUTSIDE_CAMPAIGN)
    try:
        check_design(design)
    except CodeError:
        raise EnumeratorRefused(BAD_DESIGN) from None
    taken = session.scalar(
        select(EnumeratorAssignment.id).where(
            EnumeratorAssignment.enumerator_id == enumerator.id,
            EnumeratorAssignment.campaign_id == campaign.id,
            EnumeratorAssignment.unit_id == unit.id,
        )
    )
    if taken is not None:
        raise EnumeratorRefused(ALREADY_ASSIGNED)
    assignment = EnumeratorAssignment(
        enumerator_id=enumerator.id,
        campaign_id=campaign.id,
        unit_id=unit.id,
        stratum=design.stratum,
        cluster=design.cluster,
        weight=design.weight,
    )
    session.add(assignment)
    session.flush()
    _audit(
        session,
        AuditAction.ENUMERATOR_ASSIGNED,
        user,
        enumerator,
        campaign=campaign.key,
        unit=unit.code,
        stratum=design.stratum,
        cluster=design.cluster,
        weight=design.weight,
    )
    return assignment


def unassign(
    session: Session, user: User | None, assignment: EnumeratorAssignment
) -> None:
    """Take an assignment back (its form leaves the list); stored interviews stay."""
    _audit(
        session,
        AuditAction.ENUMERATOR_UNASSIGNED,
        user,
        assignment.enumerator,
        campaign=assignment.campaign.key,
        unit=assignment.unit.code,
    )
    session.delete(assignment)
    session.flush()


def enumerators_in_scope(session: Session, scope: Scope) -> list[Enumerator]:
    """Return the enumerators of units in ``scope``, live ones first, by name."""
    statement = scope.filter(
        select(Enumerator).options(
            joinedload(Enumerator.unit),
            joinedload(Enumerator.assignments).joinedload(EnumeratorAssignment.unit),
            joinedload(Enumerator.assignments).joinedload(
                EnumeratorAssignment.campaign
            ),
        ),
        Enumerator.unit_id,
    ).order_by(Enumerator.revoked_at.is_not(None), Enumerator.name, Enumerator.id)
    return list(session.scalars(statement).unique())


def enumerator_access(
    session: Session, presented: str | None
) -> EnumeratorAccess | None:
    """Return what a presented key reaches, or None (unknown, empty or revoked)."""
    enumerator = find_by_key(
        session, select(Enumerator), Enumerator.key_hash, presented
    )
    if enumerator is None or enumerator.revoked_at is not None:
        return None
    rows = session.execute(
        select(EnumeratorAssignment, Campaign, Unit, Questionnaire)
        .join(Campaign, Campaign.id == EnumeratorAssignment.campaign_id)
        .join(Unit, Unit.id == EnumeratorAssignment.unit_id)
        .join(Questionnaire, Questionnaire.id == Campaign.questionnaire_id)
        .where(EnumeratorAssignment.enumerator_id == enumerator.id)
        .order_by(Campaign.name, Unit.name)
    )
    forms = tuple(
        FieldForm(
            form_id=form_id(campaign.id, unit.id),
            campaign_id=campaign.id,
            campaign_name=campaign.name,
            mode=campaign.mode,
            starts_on=campaign.starts_on,
            ends_on=campaign.ends_on,
            unit_id=unit.id,
            unit_name=unit.name,
            questionnaire_id=stored.id,
            questionnaire_version=stored.version,
            questionnaire_checksum=stored.checksum,
            design=SampleDesign(
                assignment.stratum, assignment.cluster, assignment.weight
            ),
            paused=campaign.paused_at is not None,
            closed=campaign.closed_at is not None,
        )
        for assignment, campaign, unit, stored in rows
    )
    return EnumeratorAccess(enumerator.id, enumerator.name, forms)


def _audit(
    session: Session,
    action: AuditAction,
    user: User | None,
    enumerator: Enumerator,
    **detail: object,
) -> None:
    record_event(
        session,
        action,
        user.id if user else None,
        object_type="enumerator",
        object_id=str(enumerator.id),
        detail=detail,
    )


def interviewer_campaigns(session: Session, scope: Scope) -> list[Campaign]:
    """Return the interviewer campaigns a manager may assign units of.

    Those rooted in the manager's scope and those rooted above it (a district's
    campaign covers a ward manager's ward); an admin's, all of them.
    """
    statement = select(Campaign).where(Campaign.mode == CampaignMode.INTERVIEWER)
    if not scope.sees_everything and scope.unit_id is not None:
        statement = statement.where(
            scope.covers(Campaign.unit_id)
            | Campaign.unit_id.in_(lineage_ids(scope.unit_id))
        )
    return list(session.scalars(statement.order_by(Campaign.starts_on.desc())))
