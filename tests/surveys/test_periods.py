"""Report periods as the months dossiers are counted in."""

from __future__ import annotations

from surveys.storage.periods import period_months


def test_a_period_gives_its_first_and_last_month() -> None:
    assert period_months("2026") == ("2026-01", "2026-12")
    assert period_months("2026-Q1") == ("2026-01", "2026-03")
    assert period_months("2026-Q4") == ("2026-10", "2026-12")
    assert period_months(None) is None
