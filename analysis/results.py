"""Result types returned by the analysis functions."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

#: Below this many responses an estimate is shown but marked unreliable.
MIN_PUBLISH = 30
#: Below this many responses an estimate is withheld (privacy rule, DOMAIN.md).
MIN_SUPPRESS = 5

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
) -> pd.DataFrame:
    """Return ``table`` with ``reliable`` and ``suppressed`` flags from its ``n``.

    Parameters
    ----------
    table : pandas.DataFrame
        An estimate table with an ``n`` column; it is not modified.
    min_publish : int
        ``reliable`` is ``n >= min_publish`` (default 30).
    min_suppress : int
        Rows with ``n < min_suppress`` (default 5) are ``suppressed``: their
        ``estimates`` columns become NaN, only ``n`` stays.
    estimates : sequence of str
        The columns withheld in suppressed rows.

    Returns
    -------
    pandas.DataFrame
        A copy of ``table`` with the two flag columns.
    """
    if not 0 <= min_suppress <= min_publish:
        raise ValueError(
            "need 0 <= min_suppress <= min_publish, got "
            f"min_suppress={min_suppress!r}, min_publish={min_publish!r}"
        )
    suppressed = table["n"].to_numpy() < min_suppress
    flagged = table.copy()
    for column in estimates:
        flagged[column] = flagged[column].where(~suppressed)
    flagged["reliable"] = table["n"].to_numpy() >= min_publish
    flagged["suppressed"] = suppressed
    return flagged
