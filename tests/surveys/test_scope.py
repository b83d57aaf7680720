"""Scopes: each role sees its unit and the units below, and nothing else."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.access.scope import (
    Scope,
    get_in_scope,
    official_in_scope,
    units_in_scope,
)
from surveys.models import Campaign, Official, Role, ServicePoint, Unit, UnitKind
from surveys.units.tree import unit_tree
from tests.builders import make_campaign, make_unit, unique


@dataclass
class Tree:
    district: Unit
    ward_a: Unit
    ward_b: Unit
    school: Unit


@pytest.fixture
def tree(db_session: Session) -> Tree:
    """A district with wards A and B, and a school under ward A."""
    district = make_unit(db_session, name="Quận Thử", kind=UnitKind.DISTRICT)
    ward_a = make_unit(db_session, district, name="Phường A")
    ward_b = make_unit(db_session, district, name="Phường B")
    school = make_unit(db_session, ward_a, name="Trường A", kind=UnitKind.SCHOOL)
    return Tree(district, ward_a, ward_b, school)


def names(session: Session, scope: Scope) -> set[str]:
    return {unit.name for unit in units_in_scope(session, scope)}


@pytest.mark.parametrize(
    ("role", "root", "expected"),
    [
        (Role.DISTRICT, "district", {"Quận Thử", "Phường A", "Phường B", "Trường A"}),
        (Role.UNIT_MANAGER, "ward_a", {"Phường A", "Trường A"}),
        (Role.VIEWER, "ward_a", {"Phường A", "Trường A"}),
        (Role.VIEWER, "ward_b", {"Phường B"}),
        (Role.UNIT_MANAGER, "school", {"Trường A"}),
    ],
)
def test_a_scoped_role_sees_its_unit_and_every_descendant(
    db_session: Session, tree: Tree, role: Role, root: str, expected: set[str]
) -> None:
    scope = Scope(role=role, unit_id=getattr(tree, root).id)
    assert names(db_session, scope) == expected


def test_the_admin_sees_every_unit(db_session: Session, tree: Tree) -> None:
    scope = Scope(role=Role.ADMIN, unit_id=None)
    assert names(db_session, scope) == {"Quận Thử", "Phường A", "Phường B", "Trường A"}
    assert db_session.scalar(select(Unit.id).except_(scope.unit_ids())) is None


def test_a_scoped_role_without_a_unit_sees_nothing(
    db_session: Session, tree: Tree
) -> None:
    assert units_in_scope(db_session, Scope(role=Role.DISTRICT, unit_id=None)) == []


def test_filter_restricts_any_query_by_its_unit_column(
    db_session: Session, tree: Tree
) -> None:
    for unit in (tree.ward_a, tree.ward_b, tree.school):
        db_session.add(ServicePoint(code=unique("sp"), name=unit.name, unit=unit))
    db_session.flush()
    scope = Scope(role=Role.UNIT_MANAGER, unit_id=tree.ward_a.id)
    query = scope.filter(select(ServicePoint.name), ServicePoint.unit_id)
    assert set(db_session.scalars(query)) == {"Phường A", "Trường A"}


def test_get_in_scope_finds_by_id_or_code_and_hides_other_units(
    db_session: Session, tree: Tree
) -> None:
    official_b = Official(code=unique("cb"), name="Cán bộ B", unit=tree.ward_b)
    db_session.add(official_b)
    campaign_a = make_campaign(db_session, unit=tree.ward_a)
    db_session.flush()
    scope = Scope(role=Role.UNIT_MANAGER, unit_id=tree.ward_a.id)

    assert get_in_scope(db_session, scope, Unit, tree.school.code) is tree.school
    assert get_in_scope(db_session, scope, Unit, tree.school.id) is tree.school
    assert get_in_scope(db_session, scope, Unit, tree.ward_b.code) is None
    assert get_in_scope(db_session, scope, Unit, tree.district.id) is None
    assert get_in_scope(db_session, scope, Official, official_b.id) is None
    assert get_in_scope(db_session, scope, Campaign, campaign_a.key) is campaign_a
    district = Scope(role=Role.DISTRICT, unit_id=tree.district.id)
    assert get_in_scope(db_session, district, Official, official_b.id) is official_b
    assert get_in_scope(db_session, district, Unit, "no-such-unit") is None


def test_an_official_is_named_by_its_unit_and_code(
    db_session: Session, tree: Tree
) -> None:
    """Two wards may both have an official ``cb01``; each pair names one."""
    official_a = Official(code="cb01", name="Cán bộ A", unit=tree.ward_a)
    official_b = Official(code="cb01", name="Cán bộ B", unit=tree.ward_b)
    db_session.add_all([official_a, official_b])
    db_session.flush()
    ward_a = Scope(role=Role.UNIT_MANAGER, unit_id=tree.ward_a.id)
    district = Scope(role=Role.DISTRICT, unit_id=tree.district.id)

    def found(scope: Scope, unit: Unit) -> Official | None:
        return official_in_scope(db_session, scope, unit.code, "cb01")

    assert found(ward_a, tree.ward_a) is official_a
    assert found(ward_a, tree.ward_b) is None
    assert found(district, tree.ward_a) is official_a
    assert found(district, tree.ward_b) is official_b
    assert found(district, tree.school) is None


@pytest.mark.parametrize(
    ("role", "view", "manage", "administer", "audit"),
    [
        (Role.ADMIN, True, True, True, True),
        (Role.DISTRICT, True, True, True, False),
        (Role.UNIT_MANAGER, True, True, False, False),
        (Role.VIEWER, True, False, False, False),
    ],
)
def test_permissions_follow_the_role(
    role: Role, view: bool, manage: bool, administer: bool, audit: bool
) -> None:
    scope = Scope(role=role, unit_id=1)
    assert (
        scope.can_view,
        scope.can_manage,
        scope.can_administer,
        scope.can_audit,
    ) == (view, manage, administer, audit)


def test_a_cycle_in_the_tree_does_not_loop_for_ever(
    db_session: Session, tree: Tree
) -> None:
    tree.district.parent = tree.school
    db_session.flush()
    scope = Scope(role=Role.VIEWER, unit_id=tree.ward_a.id)
    assert names(db_session, scope) == {"Quận Thử", "Phường A", "Phường B", "Trường A"}


def test_the_units_in_scope_nest_as_a_tree(db_session: Session, tree: Tree) -> None:
    scope = Scope(role=Role.DISTRICT, unit_id=tree.district.id)
    (root,) = unit_tree(units_in_scope(db_session, scope))
    assert root.unit is tree.district
    assert [node.unit.name for node in root.children] == ["Phường A", "Phường B"]
    assert [node.unit for node in root.children[0].children] == [tree.school]
