"""The district's case categories and deadline rules, each change audited.

A category is never deleted (its cases keep pointing at it): it is taken out
of use. A rule is one per category and channel (either may be "any"); setting
one again changes it. A rule applies to the cases received after it: each case
keeps the working days it was given on arrival, so that editing a rule can
neither make week-old cases overdue nor excuse overdue ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from surveys.access.audit import AuditAction, record_event
from surveys.cases.refusals import CaseError
from surveys.models import CaseCategory, CaseDeadlineRule, Unit, User
from surveys.translatable import N_, Message
from surveys.units.tree import CODE_SHAPE, is_code

CODE_TAKEN = Message(N_("Mã lĩnh vực này đã được dùng."))
NO_NAME = Message(N_("Hãy ghi tên lĩnh vực bằng tiếng Việt."))
BAD_DAYS = Message(
    N_("Số ngày làm việc phải lớn hơn 0, số ngày báo trước không âm và nhỏ hơn nó.")
)


@dataclass(frozen=True)
class CategoryFields:
    """What the district sets of a category."""

    code: str
    name_vi: str
    name_en: str = ""
    group: str = ""
    description: str = ""
    public: bool = True
    default_unit_id: int | None = None


def categories(session: Session) -> list[CaseCategory]:
    """Return every category, those in use first, by group and name."""
    return list(
        session.scalars(
            select(CaseCategory).order_by(
                CaseCategory.active.desc(),
                CaseCategory.group,
                CaseCategory.name_vi,
            )
        )
    )


def rules(session: Session) -> list[CaseDeadlineRule]:
    """Return every deadline rule, the general ones first."""
    return list(
        session.scalars(
            select(CaseDeadlineRule).order_by(
                CaseDeadlineRule.category_id.is_not(None),
                CaseDeadlineRule.category_id,
                CaseDeadlineRule.channel.is_not(None),
                CaseDeadlineRule.channel,
            )
        )
    )


def save_category(
    session: Session,
    actor: User,
    fields: CategoryFields,
    category: CaseCategory | None = None,
) -> CaseCategory:
    """Add a category (``category`` None) or change one; flush. Raises ``CaseError``."""
    code = fields.code.strip()
    if not is_code(code):
        raise CaseError(CODE_SHAPE)
    if not fields.name_vi.strip():
        raise CaseError(NO_NAME)
    taken = session.scalar(select(CaseCategory.id).where(CaseCategory.code == code))
    if taken is not None and (category is None or taken != category.id):
        raise CaseError(CODE_TAKEN)
    if fields.default_unit_id is not None:
        session.get_one(Unit, fields.default_unit_id)
    if category is None:
        category = CaseCategory(code=code)
        session.add(category)
    category.code = code
    category.name_vi = fields.name_vi.strip()
    category.name_en = fields.name_en.strip()
    category.group = fields.group.strip()
    category.description = fields.description.strip()
    category.public = fields.public
    category.default_unit_id = fields.default_unit_id
    category.active = True
    session.flush()
    record_event(
        session,
        AuditAction.CASE_CATEGORY_SAVED,
        actor.id,
        object_type="case_category",
        object_id=code,
        detail={"name": category.name_vi, "public": category.public},
    )
    return category


def deactivate_category(session: Session, actor: User, category: CaseCategory) -> None:
    """Stop offering a category for new cases; its cases stay as they are."""
    category.active = False
    session.flush()
    record_event(
        session,
        AuditAction.CASE_CATEGORY_DEACTIVATED,
        actor.id,
        object_type="case_category",
        object_id=category.code,
    )


def set_rule(
    session: Session,
    actor: User,
    category_id: int | None,
    channel: str | None,
    working_days: int,
    warn_days: int,
    note: str = "",
) -> CaseDeadlineRule:
    """Set the rule of a category and channel (None: any) for the cases received
    from now on; flush. Raises ``CaseError``."""
    if working_days <= 0 or not 0 <= warn_days < working_days:
        raise CaseError(BAD_DAYS)
    rule = session.scalar(
        select(CaseDeadlineRule).where(
            _is(CaseDeadlineRule.category_id, category_id),
            _is(CaseDeadlineRule.channel, channel),
        )
    )
    if rule is None:
        rule = CaseDeadlineRule(category_id=category_id, channel=channel)
        session.add(rule)
    rule.working_days = working_days
    rule.warn_days = warn_days
    rule.note = note.strip()[:300]
    session.flush()
    record_event(
        session,
        AuditAction.CASE_RULE_SET,
        actor.id,
        object_type="case_deadline_rule",
        object_id=str(rule.id),
        detail={
            "category_id": category_id,
            "channel": channel,
            "working_days": working_days,
            "warn_days": warn_days,
        },
    )
    return rule


def remove_rule(session: Session, actor: User, rule: CaseDeadlineRule) -> None:
    """Remove a rule: the next more general one applies to later cases; flush."""
    detail = {"category_id": rule.category_id, "channel": rule.channel}
    rule_id = rule.id
    session.delete(rule)
    session.flush()
    record_event(
        session,
        AuditAction.CASE_RULE_REMOVED,
        actor.id,
        object_type="case_deadline_rule",
        object_id=str(rule_id),
        detail=detail,
    )


def _is(column: InstrumentedAttribute[Any], value: object) -> ColumnElement[bool]:
    """Return ``column IS NULL`` for None (``= NULL`` is never true), else ``=``."""
    return column.is_(None) if value is None else column == value
