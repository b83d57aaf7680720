"""The service indicators of Quyết định 766/QĐ-TTg, per unit and quarter, from the
dossier register.

Each group is a rate with its numerator and denominator: processing progress
(returned by the due date, of those returned in the quarter), online services,
online payment and digitisation (of the dossiers received in the quarter), and
satisfaction (satisfied ratings of the unit's dossiers returned in the
quarter: a sample, so with an interval). Publicity and transparency cannot be
measured from dossiers and is said so. Weights and targets are configuration
(``indicators.yaml``, overridable); the arithmetic of rates, intervals and
points is ``analysis.scorecard``'s.

Counts come from ``GROUP BY unit_id`` over the register's indexes alone: by
month of receipt, by month of return, and the dossiers open and overdue when
the quarter ended (or at ``as_of``, for a quarter not over yet).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path

import pandas as pd
import yaml
from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import Session

from analysis import indicator_rates, scorecard_totals
from surveys.dossiers.deadlines import is_open
from surveys.dossiers.satisfaction import dossier_satisfaction_counts
from surveys.models import Dossier, DossierChannel, DossierStatus, Unit
from surveys.storage.periods import parse_period, period_bounds, period_months

#: The shipped weights and targets.
SETTINGS_FILE = Path(__file__).with_name("indicators.yaml")
#: The points every group's weights add up to.
SCALE = 100.0

UnitIds = Select[tuple[int]] | Collection[int]
#: A unit's ratings in a quarter: how many, and how many satisfied.
Ratings = Mapping[int, tuple[int, int]]


class Group(enum.StrEnum):
    """A group of indicators of the decision, in its order."""

    PUBLICITY = "publicity"
    PROGRESS = "progress"
    ONLINE = "online"
    PAYMENT = "payment"
    DIGITISATION = "digitisation"
    SATISFACTION = "satisfaction"


#: The groups the dossier register cannot measure.
NOT_MEASURABLE = frozenset({Group.PUBLICITY})


class SettingsError(ValueError):
    """The indicators' weights or targets are not usable."""


@dataclass(frozen=True)
class GroupSettings:
    """What a group is worth and the rate asked of each unit."""

    weight: float
    #: A rate in [0, 1]; None: no target set.
    target: float | None


@dataclass(frozen=True)
class Settings:
    """Every group's weight and target."""

    groups: Mapping[Group, GroupSettings]


def load_settings(
    overrides: Mapping[str, Mapping[str, object]] | None = None,
    path: Path = SETTINGS_FILE,
) -> Settings:
    """Read the weights and targets, with ``overrides`` (group -> fields) on top.

    Raises ``SettingsError`` naming the group and value that do not fit.
    """
    with path.open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)["groups"]
    for name, changed in (overrides or {}).items():
        if name not in raw:
            raise SettingsError(f"no indicator group {name!r} to override")
        raw[name] = {**raw[name], **changed}
    missing = [group.value for group in Group if group.value not in raw]
    if missing:
        raise SettingsError(f"indicator groups {missing!r} have no settings")
    groups = {Group(name): _group_settings(name, raw[name]) for name in raw}
    total = sum(group.weight for group in groups.values())
    if not math.isclose(total, SCALE):
        raise SettingsError(f"the weights must add up to 100, got {total!r}")
    return Settings(groups)


def _group_settings(name: str, fields: Mapping[str, object]) -> GroupSettings:
    weight, target = fields.get("weight"), fields.get("target")
    if not isinstance(weight, int | float) or isinstance(weight, bool) or weight < 0:
        raise SettingsError(f"weight of {name!r} must be 0 or more, got {weight!r}")
    if target is not None and (
        not isinstance(target, int | float)
        or isinstance(target, bool)
        or not 0 <= target <= 1
    ):
        raise SettingsError(
            f"target of {name!r} must be a rate from 0 to 1, got {target!r}"
        )
    return GroupSettings(float(weight), None if target is None else float(target))


@dataclass(frozen=True)
class RegisterCounts:
    """A unit's dossier counts in a quarter, from which its rates follow."""

    received: int = 0
    online: int = 0
    paid_online: int = 0
    digitised: int = 0
    returned: int = 0
    #: Returned by the due date (early or on time).
    in_time: int = 0
    #: Open and past their due date when the quarter ended (or at ``as_of``).
    overdue_open: int = 0


def quarter_months(quarter: str) -> tuple[str, str]:
    """Return the first and last month of a quarter (``2026-Q2``: 04 to 06)."""
    months = period_months(quarter)
    if parse_period(quarter)[1] is None or months is None:
        raise ValueError(f"a quarter looks like 2026-Q2, got {quarter!r}")
    return months


def register_counts(
    session: Session, unit_ids: UnitIds, quarter: str, as_of: datetime
) -> dict[int, RegisterCounts]:
    """Count each unit's dossiers of ``quarter``, as the register stood at ``as_of``.

    Units with nothing to count are left out.
    """
    months = quarter_months(quarter)
    moment = min(as_of, _end(quarter))
    mine = Dossier.unit_id.in_(unit_ids)
    received = session.execute(
        select(
            Dossier.unit_id,
            func.count(),
            _how_many(Dossier.channel == DossierChannel.ONLINE),
            _how_many(Dossier.paid_online.is_(True)),
            _how_many(Dossier.digitised.is_(True)),
        )
        .where(mine, Dossier.received_month.between(*months))
        .group_by(Dossier.unit_id)
    )
    returned = session.execute(
        select(Dossier.unit_id, func.count(), _how_many(Dossier.working_days_late <= 0))
        .where(
            mine,
            Dossier.status == DossierStatus.RETURNED,
            Dossier.returned_month.between(*months),
        )
        .group_by(Dossier.unit_id)
    )
    counts: dict[int, dict[str, int]] = {}
    names = ("received", "online", "paid_online", "digitised")
    for unit_id, *values in received:
        counts.setdefault(unit_id, {}).update(zip(names, map(int, values), strict=True))
    for unit_id, total, in_time in returned:
        counts.setdefault(unit_id, {}).update(returned=total, in_time=int(in_time))
    # Open at ``moment``: open still, or returned after it. Two ranges of
    # ix_dossiers_open_due; one OR of both would read the whole index.
    for still_open in (is_open(), Dossier.returned_at > moment):
        overdue = session.execute(
            select(Dossier.unit_id, func.count())
            .where(
                mine,
                still_open,
                Dossier.status != DossierStatus.WITHDRAWN,
                Dossier.received_at <= moment,
                Dossier.due_at < moment,
            )
            .group_by(Dossier.unit_id)
        )
        for unit_id, total in overdue:
            found = counts.setdefault(unit_id, {})
            found["overdue_open"] = found.get("overdue_open", 0) + total
    return {unit_id: RegisterCounts(**found) for unit_id, found in counts.items()}


def _how_many(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


@dataclass(frozen=True)
class QuarterIndicators:
    """The indicators of some units in one quarter.

    In both tables ``unit_id`` is NA on the row of all the units together.
    """

    quarter: str
    #: The moment the overdue dossiers were counted at.
    as_of: datetime
    #: One row per unit and group: ``group``, ``measurable``, ``sample``,
    #: ``numerator``, ``denominator``, ``weight``, ``target`` and what
    #: ``analysis.indicator_rates`` adds (rate, interval, points, met).
    rates: pd.DataFrame
    #: One row per unit: its points out of the measurable ones, and its
    #: dossiers open and overdue (``overdue_open``).
    totals: pd.DataFrame


def quarter_indicators(
    session: Session,
    unit_ids: UnitIds,
    quarter: str,
    *,
    as_of: datetime,
    settings: Settings,
    ratings: Ratings | None = None,
) -> QuarterIndicators:
    """Compute the indicators of each unit, and of all of them together.

    ``ratings`` gives each unit's ratings of its dossiers returned in the
    quarter (how many, how many satisfied; a unit absent from it has none).
    None: those the citizens gave through the dossiers' codes
    (``surveys.dossiers.satisfaction``).
    """
    ids = set(session.scalars(select(Unit.id).where(Unit.id.in_(unit_ids))))
    counts = register_counts(session, list(ids), quarter, as_of)
    if ratings is None:
        ratings = dossier_satisfaction_counts(session, ids, quarter_months(quarter))
    rated = {unit: pair for unit, pair in (ratings or {}).items() if unit in ids}
    units = sorted(set(counts) | set(rated))
    keyed: list[tuple[int | None, RegisterCounts, tuple[int, int]]] = [
        (unit, counts.get(unit, RegisterCounts()), rated.get(unit, (0, 0)))
        for unit in units
    ]
    keyed.append((None, _sum(c for _, c, _ in keyed), _pair_sum(rated.values())))
    rows = [
        row
        for unit, unit_counts, pair in keyed
        for row in _rows(unit, unit_counts, pair, settings)
    ]
    rates = indicator_rates(pd.DataFrame(rows).astype({"unit_id": "Int64"}))
    totals = scorecard_totals(rates, "unit_id")
    overdue = {unit: c.overdue_open for unit, c, _ in keyed}
    totals["overdue_open"] = [overdue[_key(unit)] for unit in totals["unit_id"]]
    return QuarterIndicators(quarter, min(as_of, _end(quarter)), rates, totals)


def _rows(
    unit: int | None,
    counts: RegisterCounts,
    ratings: tuple[int, int],
    settings: Settings,
) -> list[dict[str, object]]:
    """Return a unit's row of each group, in the decision's order."""
    n, satisfied = ratings
    fractions = {
        Group.PUBLICITY: (math.nan, math.nan),
        Group.PROGRESS: (counts.in_time, counts.returned),
        Group.ONLINE: (counts.online, counts.received),
        Group.PAYMENT: (counts.paid_online, counts.received),
        Group.DIGITISATION: (counts.digitised, counts.received),
        Group.SATISFACTION: (satisfied, n),
    }
    return [
        {
            "unit_id": unit,
            "group": group.value,
            "measurable": group not in NOT_MEASURABLE,
            "sample": group is Group.SATISFACTION,
            "numerator": float(numerator),
            "denominator": float(denominator),
            "weight": settings.groups[group].weight,
            "target": _or_nan(settings.groups[group].target),
        }
        for group, (numerator, denominator) in fractions.items()
    ]


def _sum(counts: Iterable[RegisterCounts]) -> RegisterCounts:
    """Add up the counts of several units: every field is a count of dossiers."""
    parts = list(counts)
    names = [field.name for field in fields(RegisterCounts)]
    return RegisterCounts(
        **{name: sum(getattr(part, name) for part in parts) for name in names}
    )


def _pair_sum(pairs: Iterable[tuple[int, int]]) -> tuple[int, int]:
    listed = list(pairs)
    return sum(n for n, _ in listed), sum(s for _, s in listed)


def _key(unit: object) -> int | None:
    return None if unit is pd.NA else int(unit)  # type: ignore[arg-type]


def _or_nan(value: float | None) -> float:
    return math.nan if value is None else value


def _end(quarter: str) -> datetime:
    """Return the instant a quarter ends (Vietnam time)."""
    return period_bounds(quarter)[1]  # type: ignore[index]
