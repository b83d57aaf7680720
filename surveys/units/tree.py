"""Reading the administrative tree: the district, its wards and its offices."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased, selectinload

from surveys.models import ServicePoint, Unit, UnitKind
from surveys.text import vietnamese_sort_key
from surveys.translatable import N_, Message

#: Codes of units, counters and officials appear in URLs and file names: plain
#: letters, digits, '.', '_' and '-' only, at most 32 characters.
CODE_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,32}")


#: Why a code was refused, for forms and imports alike.
CODE_SHAPE = Message(
    N_("Mã chỉ gồm chữ không dấu, chữ số, '.', '_' hoặc '-', tối đa 32 ký tự.")
)


def is_code(text: str) -> bool:
    """Tell whether ``text`` may be the code of a unit, counter or official."""
    return CODE_PATTERN.fullmatch(text) is not None


def district_of(unit: Unit) -> Unit:
    """Return the district ``unit`` is in (itself for a district), or the tree's top."""
    node = unit
    while node.kind != UnitKind.DISTRICT and node.parent is not None:
        node = node.parent
    return node


def root_units(session: Session) -> list[Unit]:
    """Return the units at the top of the tree (districts), with their children."""
    return list(
        session.scalars(
            select(Unit)
            .where(Unit.parent_id.is_(None))
            .options(selectinload(Unit.children))
            .order_by(Unit.name)
        )
    )


def unit_by_code(session: Session, code: str) -> Unit | None:
    """Return the unit with this code, with its counters and their officials."""
    return session.scalar(
        select(Unit)
        .where(Unit.code == code)
        .options(selectinload(Unit.service_points).selectinload(ServicePoint.officials))
    )


#: How a district's children are listed: wards first, then offices and the rest.
KIND_ORDER = (
    UnitKind.WARD,
    UnitKind.DEPARTMENT,
    UnitKind.SERVICE_UNIT,
    UnitKind.SCHOOL,
    UnitKind.DISTRICT,
)


def children_by_kind(unit: Unit) -> list[tuple[str, list[Unit]]]:
    """Group a unit's children by kind, each group in Vietnamese alphabetical order."""
    groups = []
    for kind in KIND_ORDER:
        members = [child for child in unit.children if child.kind == kind]
        if members:
            members.sort(key=lambda child: vietnamese_sort_key(child.name))
            groups.append((kind.value, members))
    return groups


def _display_order(unit: Unit) -> tuple[int, tuple[str, str]]:
    return KIND_ORDER.index(UnitKind(unit.kind)), vietnamese_sort_key(unit.name)


@dataclass(frozen=True)
class UnitNode:
    """A unit with its children, for showing a subtree as nested lists."""

    unit: Unit
    children: tuple[UnitNode, ...]


def unit_tree(units: Sequence[Unit]) -> list[UnitNode]:
    """Nest ``units`` under their parents; a unit whose parent is absent is a root."""
    present = {unit.id for unit in units}
    by_parent: dict[int | None, list[Unit]] = defaultdict(list)
    for unit in units:
        by_parent[unit.parent_id if unit.parent_id in present else None].append(unit)

    def nodes(parent_id: int | None) -> tuple[UnitNode, ...]:
        members = sorted(by_parent[parent_id], key=_display_order)
        return tuple(UnitNode(unit, nodes(unit.id)) for unit in members)

    return list(nodes(None))


def subtree_ids(unit_id: int | None) -> Select[tuple[int]]:
    """Return a query of the ids of a unit and every unit below it.

    A recursive CTE, the same on SQLite and PostgreSQL. UNION rather than UNION
    ALL: a cycle in a corrupted tree ends the recursion instead of looping for ever.
    """
    tree = select(Unit.id).where(Unit.id == unit_id).cte(recursive=True)
    child = aliased(Unit)
    tree = tree.union(select(child.id).where(child.parent_id == tree.c.id))
    return select(tree.c.id)


def lineage_ids(unit_id: int) -> Select[tuple[int]]:
    """Return a query of the ids of a unit and every unit above it: the units
    whose staff's scope covers it. A recursive CTE, like ``subtree_ids``."""
    line = select(Unit.id, Unit.parent_id).where(Unit.id == unit_id).cte(recursive=True)
    parent = aliased(Unit)
    line = line.union(
        select(parent.id, parent.parent_id).where(parent.id == line.c.parent_id)
    )
    return select(line.c.id)
