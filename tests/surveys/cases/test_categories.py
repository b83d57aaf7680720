"""The district's categories and deadline rules: each change audited, codes
unique, rules one per category and channel, each for the cases received after it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.cases.categories import (
    CategoryFields,
    deactivate_category,
    remove_rule,
    rules,
    save_category,
    set_rule,
)
from surveys.cases.refusals import CaseError
from surveys.dossiers.timing import local_instant
from surveys.models import AuditEvent, CaseChannel, Role, UnitKind
from tests.builders import make_case, make_unit, make_user


def actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_categories_are_added_changed_and_retired(db_session: Session) -> None:
    district = make_unit(db_session, kind=UnitKind.DISTRICT)
    user = make_user(db_session, district, Role.DISTRICT)
    fields = CategoryFields("moi-truong", "Môi trường", "Environment", "Đô thị")
    category = save_category(db_session, user, fields)
    with pytest.raises(CaseError, match="đã được dùng"):
        save_category(db_session, user, CategoryFields("moi-truong", "Khác"))
    with pytest.raises(CaseError):
        save_category(db_session, user, CategoryFields("có dấu", "Khác"))
    with pytest.raises(CaseError):
        save_category(db_session, user, CategoryFields("trong", "  "))
    changed = CategoryFields(
        "moi-truong", "Vệ sinh môi trường", public=False, default_unit_id=district.id
    )
    assert save_category(db_session, user, changed, category) is category
    assert (category.name_vi, category.public) == ("Vệ sinh môi trường", False)
    assert category.default_unit_id == district.id
    deactivate_category(db_session, user, category)
    assert not category.active
    assert actions(db_session) == [
        "case_category_saved",
        "case_category_saved",
        "case_category_deactivated",
    ]


def test_a_rule_is_set_once_per_category_and_channel_for_later_cases(
    db_session: Session,
) -> None:
    ward = make_unit(db_session)
    user = make_user(db_session, None, Role.ADMIN)
    # Monday 09/03/2026: ten working days by default, due 23/03.
    case = make_case(db_session, ward, received=local_instant(date(2026, 3, 9), 540))
    set_rule(db_session, user, None, CaseChannel.WEB, 5, 1)
    # The case received before keeps its ten days; a later one gets five.
    assert case.due_at == local_instant(date(2026, 3, 23), 17 * 60)
    later = make_case(db_session, ward, received=local_instant(date(2026, 3, 9), 600))
    assert (later.due_at, later.working_days) == (
        local_instant(date(2026, 3, 16), 17 * 60),
        5,
    )
    set_rule(db_session, user, None, CaseChannel.WEB, 5, 2, "NĐ 20")
    [rule] = rules(db_session)
    assert (rule.working_days, rule.warn_days, rule.note) == (5, 2, "NĐ 20")
    for days, warn in ((0, 0), (5, 5), (5, -1)):
        with pytest.raises(CaseError):
            set_rule(db_session, user, None, None, days, warn)
    remove_rule(db_session, user, rule)
    assert rules(db_session) == []
    assert later.due_at == local_instant(date(2026, 3, 16), 17 * 60)
    assert actions(db_session) == [
        "case_rule_set",
        "case_rule_set",
        "case_rule_removed",
    ]
