"""The service indicators of 766/QĐ-TTg from the register, with known counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy.orm import Session

from analysis import proportion_ci
from surveys.dossiers.indicators import (
    Group,
    SettingsError,
    load_settings,
    quarter_indicators,
    quarter_months,
    register_counts,
)
from surveys.dossiers.timing import local_instant
from surveys.models import DossierChannel, DossierStatus, Procedure, Unit, UnitKind
from tests.builders import (
    make_campaign,
    make_dossier,
    make_procedure,
    make_rated_dossier,
    make_unit,
)

SETTINGS = load_settings()
QUARTER_END = local_instant(date(2026, 4, 1), 0)


def vn(day: date, hour: int = 9) -> datetime:
    return local_instant(day, hour * 60)


@dataclass(frozen=True)
class Register:
    ward: Unit
    other: Unit
    procedure: Procedure


def dossier(
    session: Session,
    unit: Unit,
    procedure: Procedure,
    received: date,
    due: date,
    back: date | None = None,
    **fields: object,
) -> None:
    if back is not None:
        fields |= {"returned_at": vn(back, 10), "status": DossierStatus.RETURNED}
    make_dossier(session, unit, vn(received), procedure, due=vn(due, 17), **fields)


@pytest.fixture
def register(db_session: Session) -> Register:
    """Ward: 10 received in 2026-Q1 (8 online, 3 paid online, 5 digitised), 5
    returned in Q1 (4 in time), 2 open and overdue at the quarter's end. Other
    ward: 2 received at the counter, 1 returned in time."""
    ward, other = make_unit(db_session), make_unit(db_session)
    procedure = make_procedure(db_session)
    online = {"channel": DossierChannel.ONLINE}
    jan, feb, mar = date(2026, 1, 5), date(2026, 2, 2), date(2026, 3, 2)
    # Returned in Q1: three early or on time, one on time, one late.
    dossier(db_session, ward, procedure, jan, date(2026, 1, 8), jan, **online,
            paid_online=True, digitised=True)  # fmt: skip
    dossier(db_session, ward, procedure, jan, date(2026, 1, 8), date(2026, 1, 8),
            **online, paid_online=True, digitised=True)  # fmt: skip
    dossier(db_session, ward, procedure, feb, date(2026, 2, 5), date(2026, 2, 4),
            **online, paid_online=True, digitised=True)  # fmt: skip
    dossier(db_session, ward, procedure, feb, date(2026, 2, 5), date(2026, 2, 5),
            **online, digitised=True)  # fmt: skip
    dossier(db_session, ward, procedure, feb, date(2026, 2, 5), date(2026, 2, 9),
            **online, digitised=True)  # fmt: skip
    # Overdue at the end of March: one returned in April, one never returned.
    dossier(db_session, ward, procedure, mar, date(2026, 3, 5), date(2026, 4, 6),
            **online)  # fmt: skip
    dossier(db_session, ward, procedure, mar, date(2026, 3, 20), **online)
    # Open but not yet due when the quarter ended, and one in progress.
    dossier(db_session, ward, procedure, date(2026, 3, 30), date(2026, 4, 2),
            **online)  # fmt: skip
    dossier(db_session, ward, procedure, mar, date(2026, 4, 20))
    # Withdrawn: received, but never anyone's deadline.
    dossier(db_session, ward, procedure, mar, date(2026, 3, 5),
            status=DossierStatus.WITHDRAWN)  # fmt: skip
    # Returned in Q1 though received in Q4 of 2025 (counts in progress only).
    dossier(db_session, other, procedure, date(2025, 12, 29), date(2026, 1, 2),
            date(2026, 1, 2))  # fmt: skip
    dossier(db_session, other, procedure, mar, date(2026, 3, 5))
    dossier(db_session, other, procedure, mar, date(2026, 4, 6))
    return Register(ward, other, procedure)


def rates_of(table: pd.DataFrame, unit: int | None) -> pd.DataFrame:
    rows = (
        table[table["unit_id"].isna()]
        if unit is None
        else table[table["unit_id"] == unit]
    )
    return rows.set_index("group")


def test_the_quarters_months() -> None:
    assert quarter_months("2026-Q2") == ("2026-04", "2026-06")
    with pytest.raises(ValueError, match="'2026'"):
        quarter_months("2026")


def test_register_counts_each_rate_from_the_quarters_dossiers(
    db_session: Session, register: Register
) -> None:
    counts = register_counts(
        db_session, [register.ward.id, register.other.id], "2026-Q1", QUARTER_END
    )
    ward = counts[register.ward.id]
    assert (ward.received, ward.online, ward.paid_online, ward.digitised) == (
        10, 8, 3, 5,
    )  # fmt: skip
    assert (ward.returned, ward.in_time, ward.overdue_open) == (5, 4, 2)
    other = counts[register.other.id]
    assert (other.received, other.returned, other.in_time) == (2, 1, 1)
    assert other.overdue_open == 1


def test_overdue_dossiers_are_counted_when_asked_in_a_quarter_not_over(
    db_session: Session, register: Register
) -> None:
    # On 10/03/2026 the ward's dossier due 05/03 was overdue; the one due
    # 20/03 was not yet.
    counts = register_counts(
        db_session, [register.ward.id], "2026-Q1", vn(date(2026, 3, 10))
    )
    assert counts[register.ward.id].overdue_open == 1


def test_indicators_with_their_numerators_points_and_targets(
    db_session: Session, register: Register
) -> None:
    ward, other = register.ward.id, register.other.id
    found = quarter_indicators(
        db_session,
        [ward, other],
        "2026-Q1",
        as_of=vn(date(2026, 5, 1)),
        settings=SETTINGS,
        ratings={ward: (40, 30), other: (3, 3), 999_999: (7, 7)},
    )
    assert found.as_of == QUARTER_END
    mine = rates_of(found.rates, ward)
    assert list(mine.index) == [group.value for group in Group]
    fractions = mine[["numerator", "denominator"]].dropna().astype(int)
    assert fractions.to_dict("index") == {
        "progress": {"numerator": 4, "denominator": 5},
        "online": {"numerator": 8, "denominator": 10},
        "payment": {"numerator": 3, "denominator": 10},
        "digitisation": {"numerator": 5, "denominator": 10},
        "satisfaction": {"numerator": 30, "denominator": 40},
    }
    # Publicity is not in the register: no rate, no points, but its weight.
    publicity = mine.loc["publicity"]
    assert not publicity["measurable"] and pd.isna(publicity["points"])
    # 80% online meets the directive's 80%; 4 of 5 on time misses 100%.
    assert bool(mine.loc["online", "met"])
    assert not bool(mine.loc["progress", "met"])
    assert pd.isna(mine.loc["payment", "met"])  # no target shipped
    assert mine.loc["online", "points"] == pytest.approx(12 * 0.8)
    # Ratings are a sample: Wilson's interval, nothing for the register's rates.
    wilson = proportion_ci(30, 40)
    assert mine.loc["satisfaction", "ci_low"] == pytest.approx(wilson.low)
    assert mine.loc["satisfaction", "ci_high"] == pytest.approx(wilson.high)
    assert pd.isna(mine.loc["online", "ci_low"])

    totals = found.totals.set_index("unit_id", drop=False)
    assert totals.loc[ward, "overdue_open"] == 2
    assert totals.loc[ward, "max_points"] == 82  # 100 less publicity's 18
    expected = 20 * 4 / 5 + 12 * 0.8 + 10 * 0.3 + 22 * 0.5 + 18 * 0.75
    assert totals.loc[ward, "points"] == pytest.approx(expected)
    # Three ratings are too few to publish: withheld, as every survey result.
    theirs = rates_of(found.rates, other).loc["satisfaction"]
    assert theirs["suppressed"] and pd.isna(theirs["rate"])
    # All units together: their counts and ratings added (the stranger's not).
    whole = rates_of(found.rates, None)
    assert whole.loc["progress", ["numerator", "denominator"]].tolist() == [5, 6]
    assert whole.loc["satisfaction", ["numerator", "denominator"]].tolist() == [
        33, 43,
    ]  # fmt: skip
    assert found.totals["unit_id"].isna().sum() == 1
    assert found.totals["overdue_open"].fillna(0).max() == 3


def test_a_unit_without_dossiers_in_the_quarter_has_no_rates(
    db_session: Session, register: Register
) -> None:
    found = quarter_indicators(
        db_session,
        [register.ward.id],
        "2025-Q3",
        as_of=vn(date(2026, 5, 1)),
        settings=SETTINGS,
    )
    whole = rates_of(found.rates, None)
    assert whole["rate"].isna().all()
    assert found.totals["max_points"].tolist() == [0]


def test_settings_are_overridden_and_checked(tmp_path: Path) -> None:
    stricter = load_settings({"online": {"target": 0.9}, "payment": {"target": 0.5}})
    assert stricter.groups[Group.ONLINE].target == 0.9
    assert stricter.groups[Group.PAYMENT].target == 0.5
    assert stricter.groups[Group.ONLINE].weight == SETTINGS.groups[Group.ONLINE].weight
    with pytest.raises(SettingsError, match=r"add up to 100, got 110\.0"):
        load_settings({"online": {"weight": 22}})
    with pytest.raises(SettingsError, match=r"target of .online. .* got 80"):
        load_settings({"online": {"target": 80}})
    with pytest.raises(SettingsError, match="no indicator group 'speed'"):
        load_settings({"speed": {"weight": 1}})
    partial = tmp_path / "indicators.yaml"
    partial.write_text("groups:\n  online: {weight: 100, target: 0.8}\n")
    with pytest.raises(SettingsError, match="'publicity'"):
        load_settings(path=partial)


def test_satisfaction_comes_from_the_ratings_given_through_the_dossiers_codes(
    db_session: Session,
) -> None:
    district = make_unit(db_session, kind=UnitKind.DISTRICT)
    make_campaign(db_session, unit=district, mode="dossier")
    ward = make_unit(db_session, parent=district)
    procedure = make_procedure(db_session)
    # Returned in March: four satisfied of six; returned in April: not counted.
    for overall, back in ((5, 9), (4, 9), (5, 10), (4, 10), (2, 11), (1, 11)):
        make_rated_dossier(
            db_session, ward, overall, vn(date(2026, 3, 2)), procedure,
            returned_at=vn(date(2026, 3, back), 10), status=DossierStatus.RETURNED,
        )  # fmt: skip
    make_rated_dossier(
        db_session, ward, 5, vn(date(2026, 3, 30)), procedure,
        returned_at=vn(date(2026, 4, 2), 10), status=DossierStatus.RETURNED,
    )  # fmt: skip
    found = quarter_indicators(
        db_session, [ward.id], "2026-Q1", as_of=QUARTER_END, settings=SETTINGS
    )
    satisfaction = rates_of(found.rates, None).loc["satisfaction"]
    assert (satisfaction["numerator"], satisfaction["denominator"]) == (4, 6)
    assert satisfaction["ci_low"] == pytest.approx(proportion_ci(4, 6).low)
