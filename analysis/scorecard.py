"""Scorecards of rates against targets, on a points scale (e.g. 100 points).

A scorecard is a few groups of indicators, each a rate ``numerator /
denominator`` worth up to ``weight`` points, with an optional target rate.
Most rates in a register are counts of every case (a census): they have no
sampling error, and a target is met or not. A rate from a sample (ratings given
by some of the citizens served) gets a Wilson interval; its target is met only
when the whole interval clears it, missed only when the whole interval falls
short, and otherwise undecided. A sampled rate resting on fewer than 5
answers is withheld, as every survey result is (``analysis.results``).

Points are ``weight * rate``; a group whose rate cannot be computed (nothing
counted, or not measurable at all) scores no points and is left out of the
maximum, so a total reads "x of the y points that could be measured".
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd

from analysis._validation import (
    as_column_list,
    check_columns,
    check_frame,
    check_level,
    check_numeric,
)
from analysis.intervals import wilson_interval
from analysis.results import MIN_SUPPRESS

#: The columns a scorecard table must have.
INPUT_COLUMNS = ("numerator", "denominator", "sample", "weight", "target")


def indicator_rates(
    table: pd.DataFrame, level: float = 0.95, min_suppress: int = MIN_SUPPRESS
) -> pd.DataFrame:
    """Return each indicator's rate, its interval when sampled, points and target.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per indicator with ``numerator`` and ``denominator`` (whole
        counts; NaN for an indicator that cannot be measured), ``sample``
        (True when the counts come from a sample), ``weight`` (the points
        the indicator is worth, at least 0) and ``target`` (the rate to reach,
        in [0, 1], or NaN for none). Other columns are kept. It is not modified.
    level : float
        Confidence level of the intervals of sampled rates.
    min_suppress : int
        A sampled rate with a denominator from 1 to ``min_suppress - 1`` is
        ``suppressed``: no rate, interval, points or decision (privacy).

    Returns
    -------
    pandas.DataFrame
        A copy of ``table`` with ``rate`` (NaN when the denominator is 0 or
        missing), ``ci_low`` and ``ci_high`` (Wilson, sampled rows only, else
        NaN), ``points`` (``weight * rate``), ``points_low`` and ``points_high``
        (the interval's points; equal to ``points`` for a census), ``met``
        (nullable boolean: NA without a target, a rate, or a decision) and
        ``suppressed``.

    References
    ----------
    .. [1] Wilson, E. B. (1927). Probable inference, the law of succession, and
           statistical inference. JASA 22(158), 209-212.
    """
    check_frame(table, "table")
    check_columns(table, INPUT_COLUMNS, "scorecard")
    level = check_level(level)
    numerator = check_numeric(table, "numerator", "numerator")
    denominator = check_numeric(table, "denominator", "denominator")
    weight = check_numeric(table, "weight", "weight")
    target = check_numeric(table, "target", "target")
    sample = table["sample"].astype(bool).to_numpy()
    _check_counts(numerator, denominator)
    if (weight < 0).any() or np.isnan(weight).any():
        raise ValueError(f"weights must be 0 or more, got {weight.tolist()!r}")
    if ((target < 0) | (target > 1)).any():
        raise ValueError(f"targets must be rates in [0, 1], got {target.tolist()!r}")
    suppressed = sample & (denominator > 0) & (denominator < min_suppress)
    counted = (denominator > 0) & ~suppressed
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(counted, numerator / denominator, np.nan)
    low, high = wilson_interval(
        np.where(counted, numerator, 0), np.where(counted, denominator, 0), level
    )
    low = np.where(sample, low, np.nan)
    high = np.where(sample, high, np.nan)
    result = table.copy()
    result["rate"] = rate
    result["ci_low"] = low
    result["ci_high"] = high
    result["points"] = weight * rate
    result["points_low"] = weight * np.where(sample, low, rate)
    result["points_high"] = weight * np.where(sample, high, rate)
    result["met"] = _met(rate, low, high, target, sample)
    result["suppressed"] = suppressed
    return result


def scorecard_totals(
    rates: pd.DataFrame, by: Hashable | Sequence[Hashable] | None = None
) -> pd.DataFrame:
    """Add up the points of each scorecard, out of the points that were measurable.

    Parameters
    ----------
    rates : pandas.DataFrame
        The result of :func:`indicator_rates`; it is not modified.
    by : str or list of str, optional
        Columns naming one scorecard (a unit and a quarter); None: one total.

    Returns
    -------
    pandas.DataFrame
        One row per scorecard: ``points``, ``points_low`` and ``points_high``
        (the sum over indicators with a rate; the limits add each sampled
        indicator's interval, exact with one sampled indicator and
        conservative with more), ``max_points`` (the weights of those
        indicators), ``weight_total`` (every weight, measurable or not) and
        ``score`` (``100 * points / max_points``, NaN when nothing scored).
    """
    check_frame(rates, "rates")
    keys = as_column_list(by)
    check_columns(rates, [*keys, "weight", "points", "points_low", "points_high"], "by")
    scored = rates["points"].notna()
    frame = pd.DataFrame(
        {
            **{key: rates[key] for key in keys},
            "points": rates["points"].where(scored, 0.0),
            "points_low": rates["points_low"].where(scored, 0.0),
            "points_high": rates["points_high"].where(scored, 0.0),
            "max_points": rates["weight"].where(scored, 0.0),
            "weight_total": rates["weight"].astype(float),
        }
    )
    if keys:
        totals = frame.groupby(keys, dropna=False, sort=False).sum().reset_index()
    else:
        totals = frame.sum().to_frame().T
    with np.errstate(invalid="ignore", divide="ignore"):
        totals["score"] = np.where(
            totals["max_points"] > 0,
            100 * totals["points"] / totals["max_points"],
            np.nan,
        )
    return totals


def _check_counts(numerator: np.ndarray, denominator: np.ndarray) -> None:
    """Raise unless the counts are whole, 0 <= numerator <= denominator, or both NaN."""
    missing = np.isnan(numerator) | np.isnan(denominator)
    if (np.isnan(numerator) != np.isnan(denominator)).any():
        raise ValueError("numerator and denominator must be missing together")
    kept_n, kept_d = numerator[~missing], denominator[~missing]
    bad = (kept_n < 0) | (kept_n > kept_d) | (kept_n % 1 != 0) | (kept_d % 1 != 0)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise ValueError(
            "need whole counts with 0 <= numerator <= denominator, got "
            f"numerator={float(kept_n[first])!r}, "
            f"denominator={float(kept_d[first])!r}"
        )


def _met(
    rate: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    target: np.ndarray,
    sample: np.ndarray,
) -> pd.arrays.BooleanArray:
    """Tell each row's target met (True), missed (False) or undecided (NA)."""
    decided = ~np.isnan(rate) & ~np.isnan(target)
    census_met = rate >= target
    sample_met, sample_missed = low >= target, high < target
    met = np.where(sample, sample_met, census_met)
    known = decided & np.where(sample, sample_met | sample_missed, True)
    result = pd.array(np.where(known, met, False), dtype="boolean")
    result[~known] = pd.NA
    return result
