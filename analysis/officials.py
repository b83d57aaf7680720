"""Ratings of individual officials, with empirical-Bayes shrinkage toward their unit.

An official with three ratings, one of them angry, should not be shown as the
worst in the district. Each official's mean is pulled toward the mean of their
unit, more strongly the fewer ratings they have and the less officials of the
district really differ (Morris 1983, the normal-normal model):

- within-official variance ``s2``: pooled over all officials,
  ``sum (n_j - 1) s_j^2 / sum (n_j - 1)``;
- between-official variance ``tau2`` (method of moments, floored at 0):
  mean over officials with at least ``min_count`` ratings of
  ``(ybar_j - m_u)^2 - s2 / n_j``, with ``m_u`` the unit's mean rating;
- shrinkage ``B_j = (s2 / n_j) / (s2 / n_j + tau2)``; shrunk estimate
  ``B_j m_u + (1 - B_j) ybar_j``; posterior standard deviation
  ``sqrt((1 - B_j) s2 / n_j)``. When ``tau2`` is estimated as 0 every
  official is shrunk fully to the unit mean, and the interval is that of the
  unit mean (its standard error ``s_u / sqrt(n_u)``).

The posterior interval ignores the uncertainty in ``s2`` and ``tau2`` (a
known, slight under-coverage when there are few officials).
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import pandas as pd
from scipy import stats

from analysis._grouping import group_codes, mean_and_variance, moment_sums
from analysis._validation import check_columns, check_frame, check_level, check_numeric
from analysis.intervals import t_interval
from analysis.results import MIN_SUPPRESS


def official_ratings(
    responses: pd.DataFrame,
    rating: Hashable = "rating",
    official: Hashable = "official",
    unit: Hashable = "unit",
    *,
    min_count: int = MIN_SUPPRESS,
    level: float = 0.95,
) -> pd.DataFrame:
    """Summarise each official's ratings, raw and shrunk toward the unit mean.

    Parameters
    ----------
    responses : pandas.DataFrame
        One row per rating; rows without an official are used only for the
        unit means.
    rating, official, unit : str
        Column names.
    min_count : int
        Officials with fewer ratings are not ``reportable``: their raw mean
        and its interval are withheld (NaN) and they do not inform ``tau2``.
        The shrunk estimate is still given; it is then mostly the unit mean.
    level : float
        Confidence level of both intervals.

    Returns
    -------
    pandas.DataFrame
        ``unit``, ``official``, ``n``, ``mean``, ``mean_low``, ``mean_high``
        (Student t), ``unit_mean``, ``shrinkage`` (``B_j``), ``shrunk``,
        ``shrunk_low``, ``shrunk_high`` (normal posterior interval) and
        ``reportable``.

    References
    ----------
    .. [1] Morris, C. N. (1983). Parametric empirical Bayes inference: theory
           and applications. JASA 78(381), 47-55.
    .. [2] Efron, B., Morris, C. (1975). Data analysis using Stein's estimator
           and its generalizations. JASA 70(350), 311-319.
    """
    check_frame(responses, "responses")
    level = check_level(level)
    if int(min_count) != min_count or min_count < 2:
        raise ValueError(f"min_count must be a whole number >= 2, got {min_count!r}")
    check_columns(responses, [rating, official, unit], "rating")
    values = check_numeric(responses, rating, "rating")[:, None]

    unit_codes, unit_keys = group_codes(responses, unit)
    unit_count, unit_total, unit_squares = moment_sums(
        values, unit_codes, len(unit_keys)
    )
    unit_mean, unit_variance = mean_and_variance(unit_count, unit_total, unit_squares)

    codes, keys = group_codes(responses, [unit, official])
    count, total, squares = (s[:, 0] for s in moment_sums(values, codes, len(keys)))
    mean, variance = mean_and_variance(count, total, squares)
    home = pd.Index(unit_keys[unit]).get_indexer(keys[unit])
    centre = unit_mean[home, 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        centre_se = np.sqrt(unit_variance[home, 0] / unit_count[home, 0])

    pooled = np.nansum((count - 1) * variance) / np.sum(np.maximum(count - 1, 0))
    if not np.isfinite(pooled):
        raise ValueError("need at least one official with two ratings to pool")
    reportable = count >= min_count
    with np.errstate(invalid="ignore", divide="ignore"):
        sampling = pooled / count
        excess = (mean - centre) ** 2 - sampling
    between = (
        max(float(np.nanmean(excess[reportable])), 0.0) if reportable.any() else 0.0
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        shrinkage = (
            sampling / (sampling + between) if between > 0 else np.ones_like(count)
        )
        posterior_sd = np.sqrt((1 - shrinkage) * sampling)
    posterior_sd = np.where(between > 0, posterior_sd, centre_se)
    shrunk = shrinkage * centre + (1 - shrinkage) * np.where(count > 0, mean, centre)
    z = stats.norm.ppf(1 - (1 - level) / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        low, high = t_interval(mean, np.sqrt(variance / count), count - 1, level)
    table = keys.copy()
    table["n"] = count.astype(np.int64)
    table["mean"] = np.where(reportable, mean, np.nan)
    table["mean_low"] = np.where(reportable, low, np.nan)
    table["mean_high"] = np.where(reportable, high, np.nan)
    table["unit_mean"] = centre
    table["shrinkage"] = shrinkage
    table["shrunk"] = shrunk
    table["shrunk_low"] = shrunk - z * posterior_sd
    table["shrunk_high"] = shrunk + z * posterior_sd
    table["reportable"] = reportable
    return table
