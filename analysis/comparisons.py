"""Comparisons between units: against the rest, rankings, change between periods.

Respondents are treated as simple random samples within each unit (the
counter and dossier surveys); the unit and the rest of the district, or two
quarters, are independent samples, so differences use Welch's t.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from analysis._grouping import group_codes, mean_and_variance, moment_sums
from analysis._validation import (
    as_column_list,
    check_columns,
    check_frame,
    check_level,
    check_numeric,
)
from analysis.intervals import t_interval
from analysis.results import MIN_SUPPRESS


def holm_adjust(p_values: np.ndarray) -> np.ndarray:
    """Return Holm's step-down adjusted p-values (NaN entries are left out).

    Equal to R's ``p.adjust(p, method="holm")``.

    References
    ----------
    .. [1] Holm, S. (1979). A simple sequentially rejective multiple test
           procedure. Scandinavian Journal of Statistics 6(2), 65-70.
    """
    p = np.asarray(p_values, dtype=np.float64)
    adjusted = np.full(p.shape, np.nan)
    present = np.flatnonzero(~np.isnan(p))
    order = present[np.argsort(p[present], kind="stable")]
    m = order.size
    stepped = np.maximum.accumulate((m - np.arange(m)) * p[order])
    adjusted[order] = np.minimum(stepped, 1.0)
    return adjusted


def compare_to_rest(
    responses: pd.DataFrame,
    value: Hashable,
    by: Hashable | Sequence[Hashable] = "unit",
    level: float = 0.95,
) -> pd.DataFrame:
    """Compare each unit's mean with the mean of all other units' responses.

    Parameters
    ----------
    responses : pandas.DataFrame
        One row per response.
    value : str
        Numeric column (a rating, or 0/1 for "satisfied": the difference is
        then a difference of proportions with unpooled variances).
    by : str or list of str
        Columns defining units.
    level : float
        Confidence level of the (unadjusted) difference intervals.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``n``, ``mean``, ``rest_n``, ``rest_mean``,
        ``difference`` (unit minus rest), ``se``, ``ci_low``, ``ci_high``,
        ``df`` (Welch-Satterthwaite), ``p_value`` and ``p_holm`` (Holm-adjusted
        across the units compared). Units with fewer than two responses get
        NaN.

    References
    ----------
    .. [1] Welch, B. L. (1947). Biometrika 34(1-2), 28-35.
    .. [2] Holm (1979).
    """
    return _compare(*_group_moments(responses, value, by), level)


def compare_to_rest_from_tallies(
    tallies: pd.DataFrame,
    by: Hashable | Sequence[Hashable] = "unit",
    *,
    satisfied: bool = False,
    level: float = 0.95,
) -> pd.DataFrame:
    """Compare each unit with the rest from stored sums, as :func:`compare_to_rest`.

    Parameters
    ----------
    tallies : pandas.DataFrame
        Sums of one score: the ``by`` columns, ``n``, ``total``, ``total_sq``
        and ``satisfied`` (the frame :func:`analysis.summary_from_tallies`
        takes, cut to one item; several rows per group are added up).
    by : str or list of str
        Columns defining units.
    satisfied : bool
        Compare the share satisfied (a 0/1 score) instead of the mean.
    level : float
        Confidence level of the (unadjusted) difference intervals.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`compare_to_rest`; equal to it on the answers.
    """
    return _compare(*_tally_moments(tallies, by, satisfied), level)


def _compare(
    keys: pd.DataFrame,
    sums: tuple[np.ndarray, ...],
    overall: tuple[float, float, float],
    level: float,
) -> pd.DataFrame:
    """Return Welch's difference of each group from all the others, with Holm."""
    count, mean, variance = _count_mean_variance(sums)
    rest_count, rest_mean, rest_variance = _count_mean_variance(
        tuple(whole - part for whole, part in zip(overall, sums, strict=True))
    )
    table = keys.copy()
    table["n"] = count.astype(np.int64)
    table["mean"] = mean
    table["rest_n"] = rest_count.astype(np.int64)
    table["rest_mean"] = rest_mean
    welch = _welch(mean, variance, count, rest_mean, rest_variance, rest_count, level)
    for name, column in welch.items():
        table[name] = column
    table["p_holm"] = holm_adjust(table["p_value"].to_numpy())
    return table


def period_change(
    responses: pd.DataFrame,
    value: Hashable,
    period: Hashable,
    current: object,
    previous: object,
    by: Hashable | Sequence[Hashable] | None = "unit",
    level: float = 0.95,
) -> pd.DataFrame:
    """Return each unit's change in mean from ``previous`` to ``current`` period.

    Parameters
    ----------
    responses : pandas.DataFrame
        One row per response, with a ``period`` column (for example "2025Q1").
    value : str
        Numeric column.
    period : str
        Column naming the period of each response.
    current, previous : object
        The two period values compared.
    by : str or list of str, optional
        Columns defining units; None for the whole sample.
    level : float
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``n_previous``, ``mean_previous``, ``n_current``,
        ``mean_current``, ``difference`` (current minus previous), ``se``,
        ``ci_low``, ``ci_high``, ``df``, ``p_value`` (unadjusted) and
        ``p_holm``.

    References
    ----------
    .. [1] Welch (1947).
    """
    check_frame(responses, "responses")
    check_columns(responses, [period], "period")
    for label in (current, previous):
        if not (responses[period] == label).any():
            raise ValueError(f"period {label!r} has no responses in {period!r}")
    group_columns = [*as_column_list(by), period]
    keys, sums, _ = _group_moments(responses, value, group_columns)
    count, mean, variance = _count_mean_variance(sums)
    keys = keys.assign(_count=count, _mean=mean, _variance=variance)
    before = keys[keys[period] == previous].drop(columns=period)
    after = keys[keys[period] == current].drop(columns=period)
    units = as_column_list(by)
    if units:
        merged = before.merge(after, on=units, how="outer", suffixes=("_p", "_c"))
        merged = merged.sort_values(units, ignore_index=True)
    else:
        merged = pd.concat(
            [
                before.reset_index(drop=True).add_suffix("_p"),
                after.reset_index(drop=True).add_suffix("_c"),
            ],
            axis=1,
        )
    merged = merged.fillna({"_count_p": 0, "_count_c": 0})
    table = merged[units].copy() if units else pd.DataFrame(index=merged.index)
    table["n_previous"] = merged["_count_p"].astype(np.int64)
    table["mean_previous"] = merged["_mean_p"]
    table["n_current"] = merged["_count_c"].astype(np.int64)
    table["mean_current"] = merged["_mean_c"]
    welch = _welch(
        merged["_mean_c"].to_numpy(),
        merged["_variance_c"].to_numpy(),
        merged["_count_c"].to_numpy(),
        merged["_mean_p"].to_numpy(),
        merged["_variance_p"].to_numpy(),
        merged["_count_p"].to_numpy(),
        level,
    )
    for name, column in welch.items():
        table[name] = column
    table["p_holm"] = holm_adjust(table["p_value"].to_numpy())
    return table


def rank_units(
    responses: pd.DataFrame,
    value: Hashable,
    rng: np.random.Generator,
    by: Hashable | Sequence[Hashable] = "unit",
    *,
    level: float = 0.95,
    draws: int = 4000,
    higher_is_better: bool = True,
    min_n: int = MIN_SUPPRESS,
) -> pd.DataFrame:
    """Rank units by their mean, with a rank interval from a parametric bootstrap.

    Each draw replaces every unit's mean by ``mean + se * T`` with ``T`` a
    Student-t variate on ``n - 1`` df, and ranks the drawn means; the rank
    interval holds the central ``level`` share of a unit's ranks. Two units
    whose rank intervals overlap cannot be told apart: a report should not
    say one ranks above the other.

    Parameters
    ----------
    responses : pandas.DataFrame
        One row per response.
    value : str
        Numeric column.
    rng : numpy.random.Generator
        Source of randomness (pass a seeded one for reproducible reports).
    by : str or list of str
        Columns defining units.
    level : float
        Coverage of the rank intervals.
    draws : int
        Number of bootstrap draws.
    higher_is_better : bool
        Rank 1 goes to the highest mean (else to the lowest).
    min_n : int
        Units with fewer responses are not ranked (NaN).

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``n``, ``mean``, ``se``, ``rank`` (of the point
        estimates, 1 = best, ties share the lowest rank), ``rank_low``,
        ``rank_high``, ordered by ``rank``.

    References
    ----------
    .. [1] Goldstein, H., Spiegelhalter, D. J. (1996). League tables and their
           limitations. JRSS A 159(3), 385-443.
    .. [2] Marshall, E. C., Spiegelhalter, D. J. (1998). Reliability of league
           tables of in vitro fertilisation clinics. BMJ 316, 1701-1704.
    """
    keys, sums, _ = _group_moments(responses, value, by)
    return _rank(keys, sums, rng, level, draws, higher_is_better, min_n)


def rank_units_from_tallies(
    tallies: pd.DataFrame,
    rng: np.random.Generator,
    by: Hashable | Sequence[Hashable] = "unit",
    *,
    satisfied: bool = False,
    level: float = 0.95,
    draws: int = 4000,
    higher_is_better: bool = True,
    min_n: int = MIN_SUPPRESS,
) -> pd.DataFrame:
    """Rank units from stored sums, as :func:`rank_units` ranks them from answers.

    Parameters
    ----------
    tallies : pandas.DataFrame
        Sums of one score, as in :func:`compare_to_rest_from_tallies`.
    rng, by, level, draws, higher_is_better, min_n
        As in :func:`rank_units`.
    satisfied : bool
        Rank by the share satisfied instead of the mean.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`rank_units`; with the same ``rng`` state, equal
        to it on the answers.
    """
    keys, sums, _ = _tally_moments(tallies, by, satisfied)
    return _rank(keys, sums, rng, level, draws, higher_is_better, min_n)


def _rank(
    keys: pd.DataFrame,
    sums: tuple[np.ndarray, ...],
    rng: np.random.Generator,
    level: float,
    draws: int,
    higher_is_better: bool,
    min_n: int,
) -> pd.DataFrame:
    """Rank groups by mean with parametric-bootstrap rank intervals."""
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {rng!r}")
    if int(draws) != draws or draws < 100:
        raise ValueError(f"draws must be a whole number >= 100, got {draws!r}")
    level = check_level(level)
    count, mean, variance = _count_mean_variance(sums)
    ranked = (count >= max(min_n, 2)) & ~np.isnan(mean)
    se = np.sqrt(variance / count)
    sign = -1.0 if higher_is_better else 1.0
    noise = rng.standard_t(
        np.maximum(count[ranked] - 1, 1)[:, None], (ranked.sum(), draws)
    )
    drawn = sign * (mean[ranked][:, None] + se[ranked][:, None] * noise)
    ranks = drawn.argsort(axis=0).argsort(axis=0) + 1
    tail = (1 - level) / 2
    table = keys.copy()
    table["n"] = count.astype(np.int64)
    table["mean"] = mean
    table["se"] = se
    for name, column in (
        ("rank", stats.rankdata(sign * mean[ranked], method="min")),
        ("rank_low", np.quantile(ranks, tail, axis=1, method="lower")),
        ("rank_high", np.quantile(ranks, 1 - tail, axis=1, method="higher")),
    ):
        full = np.full(len(keys), np.nan)
        full[ranked] = column
        table[name] = full
    return table.sort_values("rank", ignore_index=True, na_position="last")


def _group_moments(
    responses: pd.DataFrame, value: Hashable, by: Hashable | Sequence[Hashable] | None
) -> tuple[pd.DataFrame, tuple[np.ndarray, ...], tuple[float, float, float]]:
    """Return keys, per-group (count, sum, sum of squares), and the same overall."""
    check_frame(responses, "responses")
    check_columns(responses, [value], "value")
    values = check_numeric(responses, value, "value")[:, None]
    codes, keys = group_codes(responses, by)
    sums = tuple(s[:, 0] for s in moment_sums(values, codes, len(keys)))
    overall = tuple(float(s.sum()) for s in sums)
    return keys, sums, overall


def _tally_moments(
    tallies: pd.DataFrame, by: Hashable | Sequence[Hashable], satisfied: bool
) -> tuple[pd.DataFrame, tuple[np.ndarray, ...], tuple[float, float, float]]:
    """Return keys, per-group (count, sum, sum of squares) and overall, from sums."""
    check_frame(tallies, "tallies")
    groups = as_column_list(by)
    sums = ["n", "satisfied", "satisfied"] if satisfied else ["n", "total", "total_sq"]
    check_columns(tallies, [*groups, *sums], "tallies")
    for column in sums:
        check_numeric(tallies, column, "tallies")
    if "item" in tallies.columns and tallies["item"].nunique() > 1:
        raise ValueError(
            f"tallies must hold one score, got items {sorted(tallies['item'].unique())}"
        )
    added = tallies.groupby(groups, sort=True, observed=True)[
        list(dict.fromkeys(sums))
    ].sum()
    keys = added.index.to_frame(index=False)
    moments = tuple(added[column].to_numpy(dtype=np.float64) for column in sums)
    return keys, moments, tuple(float(m.sum()) for m in moments)


def _count_mean_variance(
    sums: tuple[np.ndarray | float, ...],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    count, total, squares = (np.asarray(s, dtype=np.float64) for s in sums)
    mean, variance = mean_and_variance(count, total, squares)
    return count, mean, variance


def _welch(
    mean1: np.ndarray,
    variance1: np.ndarray,
    n1: np.ndarray,
    mean2: np.ndarray,
    variance2: np.ndarray,
    n2: np.ndarray,
    level: float,
) -> dict[str, np.ndarray]:
    """Return Welch's difference ``mean1 - mean2`` with interval and p-value."""
    level = check_level(level)
    with np.errstate(invalid="ignore", divide="ignore"):
        a, b = variance1 / n1, variance2 / n2
        se = np.sqrt(a + b)
        df = (a + b) ** 2 / (a**2 / (n1 - 1) + b**2 / (n2 - 1))
        difference = mean1 - mean2
        statistic = difference / se
        p_value = 2 * stats.t.sf(np.abs(statistic), np.where(df > 0, df, 1))
    low, high = t_interval(difference, se, df, level)
    return {
        "difference": difference,
        "se": se,
        "ci_low": low,
        "ci_high": high,
        "df": df,
        "p_value": np.where(se > 0, p_value, np.nan),
    }
