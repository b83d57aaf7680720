"""Result types returned by the analysis functions."""

from __future__ import annotations

import math
from dataclasses import dataclass

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
