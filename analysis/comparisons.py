"""Comparisons between units: against the rest, rankings, change between periods.

Respondents are treated as simple random samples within each unit (the
counter and dossier surveys); the unit and the rest of the district, or two
quarters, are independent samples, so differences use Welch's t. Rankings
compare all units at once (:mod:`analysis.rank_inference`).
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
from analysis.intervals import perks_moments, t_interval
from analysis.rank_inference import beta_errors, compact_letters, separations
from analysis.results import MIN_SUPPRESS
from analysis.scoring import DEFAULT_SATISFIED_MIN, check_satisfied_min

#: The rating scale's values; the Perks prior puts 1/5 on each.
RATING_SCALE = (1.0, 2.0, 3.0, 4.0, 5.0)


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
    scale: Sequence[float] = RATING_SCALE,
) -> pd.DataFrame:
    """Rank units by their mean, saying which units the data can tell apart.

    Every pair of units is compared at once (the step-down max-t procedure of
    Mogstad, Romano, Shaikh and Wilhelm 2024): the chance that any two equal
    units are declared different is at most ``1 - level``. A unit's rank
    interval runs from 1 + the number of units shown better to J - the number
    shown worse; the joint intervals hold every unit's true rank at once with
    probability ``level``. Each unit's error is drawn from the posterior of its
    mean under the Perks prior (1/K on each scale point), so units whose answers
    are all equal (all 5s) keep an uncertain mean and identical units are never
    told apart.

    Parameters
    ----------
    responses : pandas.DataFrame
        One row per response.
    value : str
        Numeric column, on ``scale``.
    rng : numpy.random.Generator
        Source of randomness (pass a seeded one for reproducible reports).
    by : str or list of str
        Columns defining units.
    level : float
        Joint confidence of the comparisons and rank intervals.
    draws : int
        Number of bootstrap draws.
    higher_is_better : bool
        Rank 1 goes to the highest mean (else to the lowest).
    min_n : int
        Units with fewer responses are not ranked (NaN).
    scale : sequence of float
        The answers' possible values (1-5 by default); the prior puts mass
        1/K on each, and the draws stay within the first and last.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``n``, ``mean``, ``se`` (posterior standard
        deviation of the mean), ``rank`` (of the means, 1 = best, ties share
        the lowest rank), ``tied`` (another ranked unit has the same mean),
        ``rank_low`` and ``rank_high`` (joint interval), ``rank_low_marginal``
        and ``rank_high_marginal`` (this unit's comparisons only, for a page on
        one unit), ``better_than`` and ``worse_than`` (the keys of the units
        shown worse / better; a tuple per key when ``by`` has several columns)
        and ``group_letters`` (two units sharing a letter cannot be told
        apart), ordered by ``rank``. Units not ranked have NaN ranks, no
        lists and no letters.

    References
    ----------
    .. [1] Mogstad, M., Romano, J. P., Shaikh, A. M., Wilhelm, D. (2024).
           Inference for ranks with applications to mobility across
           neighbourhoods and academic achievement across countries. Review
           of Economic Studies 91(1), 476-518.
    .. [2] Goldstein, H., Spiegelhalter, D. J. (1996). League tables and their
           limitations. JRSS A 159(3), 385-443.
    .. [3] Piepho, H.-P. (2004). An algorithm for a letter-based representation
           of all-pairwise comparisons. JCGS 13(2), 456-466.
    """
    keys, sums, _ = _group_moments(responses, value, by)
    moments = _posterior(sums, scale, None)
    return _rank(keys, sums, moments, rng, level, draws, higher_is_better, min_n)


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
    scale: Sequence[float] = RATING_SCALE,
    satisfied_min: float = DEFAULT_SATISFIED_MIN,
) -> pd.DataFrame:
    """Rank units from stored sums, as :func:`rank_units` ranks them from answers.

    Parameters
    ----------
    tallies : pandas.DataFrame
        Sums of one score, as in :func:`compare_to_rest_from_tallies`.
    rng, by, level, draws, higher_is_better, min_n, scale
        As in :func:`rank_units`.
    satisfied : bool
        Rank by the share satisfied instead of the mean. The prior is the
        Perks prior of ``scale`` gathered on its two sides (:func:`satisfied_prior`):
        on 1-5 with ``satisfied_min`` 4, 3/5 on "not satisfied" (1-3) and 2/5
        on "satisfied" (4-5), so x satisfied of n draw from
        Beta(x + 2/5, n - x + 3/5).
    satisfied_min : float
        Lowest scale value counted as satisfied (default 4), for ``satisfied``.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`rank_units`; with the same ``rng`` state, equal
        to it on the answers.
    """
    keys, sums, _ = _tally_moments(tallies, by, satisfied)
    moments = (
        _posterior(sums, (0.0, 1.0), satisfied_prior(scale, satisfied_min))
        if satisfied
        else _posterior(sums, scale, None)
    )
    return _rank(keys, sums, moments, rng, level, draws, higher_is_better, min_n)


def satisfied_prior(
    scale: Sequence[float], satisfied_min: float
) -> tuple[float, float]:
    """Return the Perks prior of ``scale`` gathered on "not satisfied" and "satisfied".

    Each scale value carries ``1/K``; the values below ``satisfied_min`` give
    the first share, the others the second (3/5 and 2/5 on 1-5 with 4).
    """
    points = _scale_values(scale)
    check_satisfied_min(satisfied_min, (points[0], points[-1]))
    share = float(np.mean(points >= satisfied_min))
    return 1 - share, share


def _scale_values(scale: Sequence[float]) -> np.ndarray:
    """Return the scale's values as floats, or raise if they do not increase."""
    points = np.asarray(scale, dtype=np.float64)
    if points.ndim != 1 or points.size < 2 or np.any(np.diff(points) <= 0):
        raise ValueError(f"scale must be two or more increasing values, got {scale!r}")
    return points


def _posterior(
    sums: tuple[np.ndarray, ...],
    scale: Sequence[float],
    prior: Sequence[float] | None,
) -> tuple[np.ndarray, np.ndarray, tuple[float, float]]:
    """Return each group's posterior mean and variance, and the scale's bounds."""
    points = _scale_values(scale)
    count, total, _ = (np.asarray(s, dtype=np.float64) for s in sums)
    bounds = (float(points[0]), float(points[-1]))
    with np.errstate(invalid="ignore", divide="ignore"):
        outside = (total < bounds[0] * count) | (total > bounds[1] * count)
    if outside.any():
        raise ValueError(f"some means lie outside the scale {scale!r}")
    mean, variance = perks_moments(count, total, sums[2], points, prior)
    return mean, variance, bounds


def _rank(
    keys: pd.DataFrame,
    sums: tuple[np.ndarray, ...],
    moments: tuple[np.ndarray, np.ndarray, tuple[float, float]],
    rng: np.random.Generator,
    level: float,
    draws: int,
    higher_is_better: bool,
    min_n: int,
) -> pd.DataFrame:
    """Rank groups by mean; compare them all at once from posterior draws.

    The point rank follows the published means; the comparisons use the
    posterior means, whose spread the posterior variance describes (the
    sample mean's spread is larger by about (n + 2)/n).
    """
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {rng!r}")
    if int(draws) != draws or draws < 100:
        raise ValueError(f"draws must be a whole number >= 100, got {draws!r}")
    level = check_level(level)
    count, mean, _ = _count_mean_variance(sums)
    centre, variance, bounds = moments
    ranked = (count >= max(min_n, 1)) & ~np.isnan(mean)
    sign = 1.0 if higher_is_better else -1.0
    errors = beta_errors(centre[ranked], variance[ranked], bounds, rng, int(draws))
    shown = separations(sign * centre[ranked], variance[ranked], sign * errors, level)
    point = stats.rankdata(-sign * mean[ranked], method="min")
    table = keys.copy()
    table["n"] = count.astype(np.int64)
    table["mean"] = mean
    table["se"] = np.where(ranked, np.sqrt(variance), np.nan)
    for name, column in (
        ("rank", point),
        ("rank_low", shown.rank_low),
        ("rank_high", shown.rank_high),
        ("rank_low_marginal", shown.rank_low_marginal),
        ("rank_high_marginal", shown.rank_high_marginal),
    ):
        full = np.full(len(keys), np.nan)
        full[ranked] = column
        table[name] = full
    # Tied: another ranked unit shares the point rank.
    table["tied"] = False
    table.loc[ranked, "tied"] = (
        np.bincount(point.astype(np.int64))[point.astype(np.int64)] > 1
    )
    names = _key_values(keys[ranked])
    for name, column in (
        ("better_than", [list(names[row]) for row in shown.better]),
        ("worse_than", [list(names[row]) for row in shown.better.T]),
        (
            "group_letters",
            compact_letters(
                shown.better | shown.better.T, np.argsort(point, kind="stable")
            ),
        ),
    ):
        table[name] = pd.Series(column, index=table.index[ranked], dtype=object)
    return table.sort_values(
        "rank", ignore_index=True, na_position="last", kind="stable"
    )


def _key_values(keys: pd.DataFrame) -> np.ndarray:
    """Return each group's key: the value of its one column, else a tuple."""
    if keys.shape[1] == 1:
        return keys.iloc[:, 0].to_numpy(dtype=object)
    values = np.empty(len(keys), dtype=object)
    values[:] = list(keys.itertuples(index=False, name=None))
    return values


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
