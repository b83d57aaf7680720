"""Result types returned by the analysis functions."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

#: Below this many responses an estimate is shown but marked unreliable
#: ("indicative"): from 44 answers the mean's 95% interval is at most +/- 0.25
#: on the 1-5 scale in the median ceiling scenario (its expected half-width is
#: 0.30 at n = 30, 0.249 at n = 44; ``bench/bench_coverage_small_n.py``,
#: docs/methodology.md §8).
MIN_PUBLISH = 44
#: Below this many responses an estimate is withheld (privacy rule, DOMAIN.md).
MIN_SUPPRESS = 5
#: Below this many responses an estimate is shown without an interval: from 22
#: answers on, at every n, the mean's Dirichlet-Perks interval and Wilson's
#: interval for % satisfied cover 93-97% on average over every ceiling
#: scenario's window of true values and never below 90% (exact enumeration,
#: ``bench/bench_coverage_small_n.py``); at n = 21 the mean's covers 92.7% in
#: one scenario, and below 19 Wilson's falls to 89.3% at some true values.
MIN_INTERVAL = 22

#: Columns of every estimate table, after the grouping columns.
ESTIMATE_COLUMNS = ("n", "estimate", "se", "ci_low", "ci_high", "df", "method")


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its confidence interval.

    Attributes
    ----------
    estimate : float
        The point estimate.
    low, high : float
        Limits of the confidence interval (NaN when it cannot be computed).
    n : int
        Number of observations the estimate rests on.
    method : str
        How the interval was computed (for example ``"t"`` or ``"wilson"``).
    level : float
        Confidence level of the interval.
    se : float
        Standard error of the estimate, NaN when the method has none.
    """

    estimate: float
    low: float
    high: float
    n: int
    method: str
    level: float = 0.95
    se: float = math.nan


def flag_small_groups(
    table: pd.DataFrame,
    min_publish: int = MIN_PUBLISH,
    min_suppress: int = MIN_SUPPRESS,
    estimates: Sequence[str] = ("estimate", "se", "ci_low", "ci_high"),
    *,
    min_interval: int = MIN_INTERVAL,
    intervals: Sequence[str] = ("ci_low", "ci_high"),
) -> pd.DataFrame:
    """Return ``table`` with ``reliable`` and ``suppressed`` flags from its ``n``.

    Parameters
    ----------
    table : pandas.DataFrame
        An estimate table with an ``n`` column; it is not modified.
    min_publish : int
        ``reliable`` is ``n >= min_publish`` (default 44).
    min_suppress : int
        Rows with ``n < min_suppress`` (default 5) are ``suppressed``: their
        ``estimates`` columns become NaN, only ``n`` stays.
    estimates : sequence of str
        The columns withheld in suppressed rows.
    min_interval : int
        Rows with ``n < min_interval`` (default 22) keep their estimates but
        their ``intervals`` columns become NaN: no interval is known to cover
        93-97% with so few answers, and a zero-width or overconfident interval
        is worse than none.
    intervals : sequence of str
        The interval limits withheld below ``min_interval``.

    Returns
    -------
    pandas.DataFrame
        A copy of ``table`` with the two flag columns.
    """
    if not 0 <= min_suppress <= min(min_publish, min_interval):
        raise ValueError(
            "need 0 <= min_suppress <= min_publish and min_interval, got "
            f"min_suppress={min_suppress!r}, min_publish={min_publish!r}, "
            f"min_interval={min_interval!r}"
        )
    count = table["n"].to_numpy()
    suppressed = count < min_suppress
    flagged = table.copy()
    for column in estimates:
        flagged[column] = flagged[column].where(~suppressed)
    for column in intervals:
        flagged[column] = flagged[column].where(count >= min_interval)
    flagged["reliable"] = count >= min_publish
    flagged["suppressed"] = suppressed
    return flagged
