"""Satisfaction with dossiers returned in time and late, through their codes."""

from __future__ import annotations

import math
from datetime import date

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from analysis.results import MIN_INTERVAL
from surveys.dossiers.satisfaction import (
    Returned,
    dossier_satisfaction_counts,
    satisfaction_by_timeliness,
)
from surveys.dossiers.timing import local_instant
from surveys.models import Dossier, DossierStatus, Response, Unit, UnitKind
from tests.builders import (
    make_campaign,
    make_procedure,
    make_rated_dossier,
    make_unit,
)


class Ward:
    """A ward whose dossiers are rated through their codes."""

    def __init__(self, session: Session, unit: Unit) -> None:
        self.session = session
        self.unit = unit
        # Three working days: received Monday 02/03/2026, due Thursday 05/03.
        self.procedure = make_procedure(session, processing_days=3)

    def rated(
        self,
        overall: int,
        back: date | None,
        *,
        excluded: bool = False,
        received: date = date(2026, 3, 2),
    ) -> Dossier:
        """A dossier returned on ``back`` (None: still open), rated ``overall``."""
        returned = {}
        if back is not None:
            returned = {
                "returned_at": local_instant(back, 10 * 60),
                "status": DossierStatus.RETURNED,
            }
        dossier = make_rated_dossier(
            self.session,
            self.unit,
            overall,
            local_instant(received, 9 * 60),
            self.procedure,
            **returned,
        )
        if excluded:
            self.session.execute(
                update(Response)
                .where(Response.redeemed_code_id == dossier.access_code_id)
                .values(excluded=True)
            )
        return dossier


@pytest.fixture
def wards(db_session: Session) -> tuple[Ward, Ward]:
    district = make_unit(db_session, kind=UnitKind.DISTRICT, name="Quận Thử")
    make_campaign(db_session, unit=district, mode="dossier")
    first = make_unit(db_session, parent=district, name="Phường Một")
    second = make_unit(db_session, parent=district, name="Phường Hai")
    return Ward(db_session, first), Ward(db_session, second)


def test_in_time_and_late_ratings_with_their_estimates(wards) -> None:
    ward, other = wards
    in_time = [5, 5, 4, 3, 2, 5]  # early (04/03) or on the due day (05/03)
    late = [1, 2, 4, 5, 3]  # returned Monday 09/03: two working days late
    for position, overall in enumerate(in_time):
        ward.rated(overall, date(2026, 3, 4 + position % 2))
    for overall in late:
        ward.rated(overall, date(2026, 3, 9))
    ward.rated(5, date(2026, 3, 9), excluded=True)  # set aside: never counted
    ward.rated(1, None)  # still open: counted once returned
    ward.rated(5, date(2026, 4, 2), received=date(2026, 3, 30))  # next quarter
    for overall in (4, 5, 1):
        other.rated(overall, date(2026, 3, 4))

    split = satisfaction_by_timeliness(
        ward.session, [ward.unit.id, other.unit.id], ("2026-01", "2026-03")
    )

    rows = {
        (row.unit, row.returned): row for row in split.by_unit.itertuples(index=False)
    }
    assert list(rows) == [
        (ward.unit.id, Returned.IN_TIME),
        (ward.unit.id, Returned.LATE),
        (other.unit.id, Returned.IN_TIME),
        (other.unit.id, Returned.LATE),
    ]
    first = rows[ward.unit.id, Returned.IN_TIME]
    assert (first.n, first.n_satisfied) == (6, 4)
    assert first.mean == pytest.approx(4.0)
    assert first.pct_satisfied == pytest.approx(100 * 4 / 6)
    assert (first.reliable, first.suppressed) == (False, False)  # shown, but few
    second = rows[ward.unit.id, Returned.LATE]
    assert (second.n, second.n_satisfied, second.mean) == (5, 2, 3.0)
    # Fewer than MIN_INTERVAL ratings: the estimates without their intervals.
    for row in (first, second):
        limits = (row.mean_low, row.mean_high, row.pct_satisfied_low)
        assert row.n < MIN_INTERVAL and all(map(math.isnan, limits))
    # Fewer than 5 ratings: the count is shown, never an estimate.
    small = rows[other.unit.id, Returned.IN_TIME]
    assert small.n == 3 and small.suppressed
    assert all(
        math.isnan(value) for value in (small.mean, small.mean_low, small.pct_satisfied)
    )
    empty = rows[other.unit.id, Returned.LATE]
    assert empty.n == 0 and empty.suppressed

    together = {row.returned: row for row in split.all_units.itertuples(index=False)}
    assert (together[Returned.IN_TIME].n, together[Returned.IN_TIME].n_satisfied) == (
        9,
        6,
    )
    assert together[Returned.IN_TIME].unit is None
    assert together[Returned.IN_TIME].pct_satisfied == pytest.approx(100 * 6 / 9)
    assert (together[Returned.LATE].n, together[Returned.LATE].n_satisfied) == (5, 2)

    whole = satisfaction_by_timeliness(ward.session, [ward.unit.id])
    assert whole.by_unit["n"].tolist() == [7, 5]  # April's return counts too


def test_counts_per_unit_for_the_indicators(wards) -> None:
    ward, other = wards
    for overall in (5, 4, 2):
        ward.rated(overall, date(2026, 3, 9))
    ward.rated(5, date(2026, 3, 4), excluded=True)
    ward.rated(5, None)
    other.rated(3, date(2026, 3, 4))
    other.rated(4, date(2026, 4, 2), received=date(2026, 3, 30))

    counts = dossier_satisfaction_counts(
        ward.session,
        [ward.unit.id, other.unit.id],
        ("2026-01", "2026-03"),
    )

    assert counts == {ward.unit.id: (3, 2), other.unit.id: (1, 0)}
    assert (
        dossier_satisfaction_counts(
            ward.session, [ward.unit.id], ("2026-04", "2026-06")
        )
        == {}
    )


def test_no_rating_no_rows(db_session: Session) -> None:
    split = satisfaction_by_timeliness(db_session, [make_unit(db_session).id])
    assert split.by_unit.empty and split.all_units.empty
