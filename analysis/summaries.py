"""Per-unit summaries of rating items: means, % satisfied, publication flags.

Built for speed: one pass of ``numpy.bincount`` per variable gives counts, sums,
sums of squares and satisfied counts for every group at once; the mean's
Dirichlet-Perks limits and Wilson's limits are then computed for all groups in
one vectorised call each.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from analysis._grouping import group_codes, mean_and_variance, moment_sums
from analysis._validation import (
    as_column_list,
    check_choice,
    check_columns,
    check_frame,
    check_level,
    check_numeric,
)
from analysis.frame_scores import score_matrix
from analysis.intervals import dirichlet_mean_interval, wilson_interval
from analysis.results import (
    MIN_INTERVAL,
    MIN_PUBLISH,
    MIN_SUPPRESS,
    flag_small_groups,
)
from analysis.scoring import ScoringMap, check_satisfied_min

SUMMARY_COLUMNS = (
    "item",
    "kind",
    "n",
    "mean",
    "sd",
    "se",
    "mean_low",
    "mean_high",
    "n_satisfied",
    "pct_satisfied",
    "pct_satisfied_low",
    "pct_satisfied_high",
    "reliable",
    "suppressed",
)
#: The interval limits, withheld below ``min_interval`` answers.
INTERVAL_COLUMNS = (
    "mean_low",
    "mean_high",
    "pct_satisfied_low",
    "pct_satisfied_high",
)


def unit_summary(
    responses: pd.DataFrame,
    items: Sequence[Hashable] | Mapping | ScoringMap,
    by: Hashable | Sequence[Hashable] | None = "unit",
    *,
    scale: tuple[float, float] | None = None,
    satisfied_min: float | None = None,
    level: float = 0.95,
    min_publish: int = MIN_PUBLISH,
    min_suppress: int = MIN_SUPPRESS,
    min_interval: int = MIN_INTERVAL,
    verified_only: bool = False,
    layout: str = "wide",
    respondent: Hashable = "respondent",
    item_column: Hashable = "item",
    value_column: Hashable = "value",
) -> pd.DataFrame:
    """Summarise rating items (and their dimensions) for every group of ``by``.

    Parameters
    ----------
    responses : pandas.DataFrame
        Wide layout: one row per response, one column per item. Long layout:
        one row per answer with ``respondent``, ``item_column`` and
        ``value_column`` (the ``by``, ``verified`` and ``excluded`` values are
        taken from each respondent's first row; items not in ``items`` are
        ignored). An ``excluded`` column, if present, drops rows where it is
        True: they never enter any estimate.
    items : list of str, mapping or ScoringMap
        Item columns, or a scoring mapping (see :mod:`analysis.scoring`) to
        also get one row per dimension and to reverse-code items.
    by : str or list of str, optional
        Grouping columns (default ``"unit"``); None summarises everything.
    scale : (low, high), optional
        Answer range, overriding the mapping's (default 1-5). Answers outside
        it raise ValueError.
    satisfied_min : float, optional
        Lowest score counted as satisfied, overriding the mapping's (default
        4: Hài lòng or Rất hài lòng).
    level : float
        Confidence level of both intervals.
    min_publish, min_suppress, min_interval : int
        ``reliable`` is False when ``n < min_publish``; when
        ``n < min_suppress`` the row is ``suppressed`` and every estimate in it
        is NaN (only ``n`` is kept); when ``n < min_interval`` the estimates
        are kept but their interval limits are NaN (too few answers for an
        interval that covers 93-97%: see :data:`analysis.results.MIN_INTERVAL`).
    verified_only : bool
        Keep only rows whose boolean ``verified`` column is True.
    layout : {"wide", "long"}
        Shape of ``responses``.
    respondent, item_column, value_column : str
        Column names of the long layout.

    Returns
    -------
    pandas.DataFrame
        One row per group and item (``kind="item"``) and per group and
        dimension (``kind="dimension"``): the ``by`` columns, then ``item``,
        ``kind``, ``n``, ``mean``, ``sd``, ``se`` (``sd / sqrt(n)``),
        ``mean_low``, ``mean_high`` (Dirichlet-Perks, see
        :func:`analysis.intervals.dirichlet_mean_interval`), ``n_satisfied``,
        ``pct_satisfied``,
        ``pct_satisfied_low``, ``pct_satisfied_high`` (Wilson, in percent),
        ``reliable`` and ``suppressed``. A dimension's score for one
        respondent is the mean of the dimension's items they answered; the
        respondent is satisfied on the dimension when that score is at least
        ``satisfied_min``. Respondents are scored by
        :func:`analysis.frame_scores.score_matrix`.

    References
    ----------
    .. [1] Wilson, E. B. (1927). JASA 22(158), 209-212.
    .. [2] Perks, W. (1947). J. Inst. Actuaries 73, 285-334.
    .. [3] Bộ Nội vụ, QĐ 2640/QĐ-BNV (2017): SIPAS "satisfied" means Hài lòng
           or Rất hài lòng.
    """
    check_frame(responses, "responses")
    level = check_level(level)
    check_choice(layout, ("wide", "long"), "layout")
    scoring = ScoringMap.from_mapping(items, scale=scale)
    if satisfied_min is not None:
        scoring = replace(scoring, satisfied_min=satisfied_min)
    check_satisfied_min(scoring.satisfied_min, scoring.scale)
    if layout == "long":
        keep = as_column_list(by) + [
            c for c in ("verified", "excluded") if c in responses.columns
        ]
        responses = widen(
            responses, scoring.items, keep, respondent, item_column, value_column
        )
    codes, keys = group_codes(responses, by)
    codes = np.where(_kept_rows(responses, verified_only), codes, -1)
    values, names, kinds = score_matrix(scoring, responses)
    n_groups = len(keys)
    count, total, squares, satisfied = moment_sums(
        values, codes, n_groups, threshold=scoring.satisfied_min
    )
    n_variables = len(names)
    result = keys.loc[np.repeat(keys.index, n_variables)].reset_index(drop=True)
    result["item"] = np.tile(np.asarray(names, dtype=object), n_groups)
    result["kind"] = np.tile(np.asarray(kinds, dtype=object), n_groups)
    limits = _Limits(scoring.scale, level, min_publish, min_suppress, min_interval)
    return _estimates(result, count, total, squares, satisfied, limits)


def summary_from_tallies(
    tallies: pd.DataFrame,
    by: Hashable | Sequence[Hashable] | None = "unit",
    *,
    scale: tuple[float, float] = (1.0, 5.0),
    level: float = 0.95,
    min_publish: int = MIN_PUBLISH,
    min_suppress: int = MIN_SUPPRESS,
    min_interval: int = MIN_INTERVAL,
) -> pd.DataFrame:
    """Summarise items from stored sums instead of from every answer.

    The count, sum, sum of squares and number satisfied of a group are all
    that its mean, its interval and Wilson's interval need, so cells kept apart
    (by counter, quarter, …) can be added up to any coarser group and give
    exactly what :func:`unit_summary` gives on the answers themselves.

    Parameters
    ----------
    tallies : pandas.DataFrame
        One row per cell and item: the ``by`` columns, ``item``, ``kind``
        (``item`` or ``dimension``), ``n``, ``total`` (sum of the scores),
        ``total_sq`` (sum of their squares) and ``satisfied`` (how many were
        at or above the satisfied threshold).
    by : str or list of str, optional
        Grouping columns (default ``"unit"``); None summarises everything.
    scale : (low, high)
        The items' answer range (default 1-5; pass the questionnaire's own),
        over whose answer values (:func:`analysis.intervals.scale_points`) the
        mean's interval spreads its prior. Means outside it raise ValueError.
    level, min_publish, min_suppress, min_interval
        As in :func:`unit_summary`.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`unit_summary`, one row per group, item and kind.

    References
    ----------
    .. [1] Wilson, E. B. (1927). JASA 22(158), 209-212.
    .. [2] Perks, W. (1947). J. Inst. Actuaries 73, 285-334.
    """
    check_frame(tallies, "tallies")
    level = check_level(level)
    groups = as_column_list(by)
    sums = ["n", "total", "total_sq", "satisfied"]
    check_columns(tallies, [*groups, "item", "kind", *sums], "tallies")
    for column in sums:
        check_numeric(tallies, column, "tallies")
    added = (
        tallies.groupby([*groups, "item", "kind"], sort=False, observed=True)[sums]
        .sum()
        .reset_index()
    )
    if (added["n"] < 0).any():
        raise ValueError("tallies add up to a negative 'n': a count was removed twice")
    result = added[[*groups, "item", "kind"]].copy()
    column = {name: added[name].to_numpy(dtype=np.float64) for name in sums}
    limits = _Limits(scale, level, min_publish, min_suppress, min_interval)
    return _estimates(
        result,
        column["n"],
        column["total"],
        column["total_sq"],
        column["satisfied"],
        limits,
    )


@dataclass(frozen=True)
class _Limits:
    """The answer scale, the level and the publication thresholds of a summary."""

    scale: tuple[float, float]
    level: float
    min_publish: int
    min_suppress: int
    min_interval: int


def _estimates(
    result: pd.DataFrame,
    count: np.ndarray,
    total: np.ndarray,
    squares: np.ndarray,
    satisfied: np.ndarray,
    limits: _Limits,
) -> pd.DataFrame:
    """Add n, the mean and % satisfied with their intervals, and flags, to rows."""
    mean, variance = mean_and_variance(count, total, squares)
    sd = np.sqrt(variance)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = sd / np.sqrt(count)
    mean_low, mean_high = dirichlet_mean_interval(
        count, total, squares, limits.scale, limits.level
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(count > 0, satisfied / count, np.nan)
    share_low, share_high = wilson_interval(satisfied, count, limits.level)
    estimates = {
        "mean": mean,
        "sd": sd,
        "se": se,
        "mean_low": mean_low,
        "mean_high": mean_high,
        "n_satisfied": satisfied,
        "pct_satisfied": 100 * share,
        "pct_satisfied_low": 100 * share_low,
        "pct_satisfied_high": 100 * share_high,
    }
    result["n"] = count.astype(np.int64).ravel()
    for name, array in estimates.items():
        result[name] = array.ravel()
    return flag_small_groups(
        result,
        limits.min_publish,
        limits.min_suppress,
        list(estimates),
        min_interval=limits.min_interval,
        intervals=INTERVAL_COLUMNS,
    )


def widen(
    responses: pd.DataFrame,
    items: Sequence[Hashable],
    keep: Sequence[Hashable],
    respondent: Hashable = "respondent",
    item_column: Hashable = "item",
    value_column: Hashable = "value",
) -> pd.DataFrame:
    """Turn long answers (one row per answer) into one row per respondent.

    Parameters
    ----------
    responses : pandas.DataFrame
        Long answers with ``respondent``, ``item_column`` and ``value_column``.
    items : list of str
        Items to keep as columns, in this order; other items are ignored.
    keep : list of str
        Respondent-level columns copied from each respondent's first row.
    respondent, item_column, value_column : str
        Column names.

    Returns
    -------
    pandas.DataFrame
        ``respondent``, the ``keep`` columns, then one float column per item.
    """
    check_columns(
        responses, [respondent, item_column, value_column, *keep], "long layout"
    )
    person, people = pd.factorize(responses[respondent])
    item_index = pd.Index(list(items)).get_indexer(responses[item_column])
    known = item_index >= 0
    pairs = person[known].astype(np.int64) * len(items) + item_index[known]
    if pairs.size != np.unique(pairs).size:
        raise ValueError(
            f"some {respondent!r} answered the same item twice in {item_column!r}"
        )
    values = pd.to_numeric(responses[value_column], errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    matrix = np.full((len(people), len(items)), np.nan)
    matrix[person[known], item_index[known]] = values[known]
    first = np.unique(person, return_index=True)[1]
    wide = responses.iloc[first][list(keep)].reset_index(drop=True)
    wide.insert(0, respondent, people)
    item_frame = pd.DataFrame(matrix, columns=list(items))
    return pd.concat([wide, item_frame], axis=1)


def _kept_rows(responses: pd.DataFrame, verified_only: bool) -> np.ndarray:
    """Return the rows allowed into estimates (not excluded; verified if asked)."""
    keep = np.ones(len(responses), dtype=bool)
    flags = [("excluded", False)] + ([("verified", True)] if verified_only else [])
    for column, wanted in flags:
        if column not in responses.columns:
            if column == "verified":
                raise ValueError("verified_only=True needs a 'verified' column")
            continue
        series = responses[column]
        if not pd.api.types.is_bool_dtype(series) or series.isna().any():
            raise ValueError(
                f"{column!r} must be a boolean column without missing values, "
                f"got {series.dtype}"
            )
        keep &= series.to_numpy(dtype=bool) == wanted
    return keep
