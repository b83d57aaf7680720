"""Internal consistency of multi-item scales: Cronbach's alpha with Feldt's interval."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analysis._grouping import group_codes
from analysis._validation import check_choice, check_frame, check_level
from analysis.frame_scores import item_matrix
from analysis.results import Estimate
from analysis.scoring import ScoringMap

NAN_POLICIES = ("pairwise", "listwise")


@dataclass(frozen=True)
class AlphaEstimate(Estimate):
    """Cronbach's alpha (``estimate``) with its interval and number of items."""

    n_items: int = 0


def cronbach_alpha(
    items: pd.DataFrame, nan_policy: str = "pairwise", level: float = 0.95
) -> AlphaEstimate:
    """Return Cronbach's alpha of the item columns, with Feldt's interval.

    Parameters
    ----------
    items : pandas.DataFrame
        One row per respondent, one numeric column per item (wide layout).
    nan_policy : {"pairwise", "listwise"}
        ``"pairwise"``: the item covariance matrix uses every pair of answers
        available (pandas ``DataFrame.cov``), and ``n`` counts respondents who
        answered at least one item. ``"listwise"``: respondents with any
        missing item are dropped first, and ``n`` counts the complete ones.
    level : float
        Confidence level.

    Returns
    -------
    AlphaEstimate
        ``alpha = k/(k-1) (1 - trace(C) / sum(C))``; interval
        ``1 - (1 - alpha) F`` with F quantiles on ``n - 1`` and
        ``(n - 1)(k - 1)`` degrees of freedom (Feldt et al. 1987), as in
        pingouin and R ``psych::alpha``. With pairwise deletion the values
        equal pingouin's. With listwise deletion alpha equals pingouin's but
        the interval uses the complete respondents' ``n``, whereas pingouin
        counts the dropped rows too.

    References
    ----------
    .. [1] Cronbach, L. J. (1951). Coefficient alpha and the internal structure
           of tests. Psychometrika 16(3), 297-334.
    .. [2] Feldt, L. S., Woodruff, D. J., Salih, F. A. (1987). Statistical
           inference for coefficient alpha. Applied Psychological Measurement
           11(1), 93-103.
    """
    check_frame(items, "items")
    check_choice(nan_policy, NAN_POLICIES, "nan_policy")
    level = check_level(level)
    for column in items.columns:
        if not pd.api.types.is_numeric_dtype(items[column]):
            raise ValueError(
                f"item column {column!r} must be numeric, got {items[column].dtype}"
            )
    data = items.astype(np.float64)
    if nan_policy == "listwise":
        data = data.dropna(axis=0, how="any")
    else:
        data = data.dropna(axis=0, how="all")
    n, k = data.shape
    if k < 2:
        raise ValueError(f"need at least two items, got {list(items.columns)}")
    if n < 2:
        raise ValueError(f"need at least two respondents, got {n} ({nan_policy})")
    covariance = data.cov().to_numpy()
    total_variance = covariance.sum()
    if not total_variance > 0:
        raise ValueError("the items have no variance; alpha is undefined")
    alpha = k / (k - 1) * (1 - np.trace(covariance) / total_variance)
    df1, df2 = n - 1, (n - 1) * (k - 1)
    tail = (1 - level) / 2
    low = 1 - (1 - alpha) * stats.f.isf(tail, df1, df2)
    high = 1 - (1 - alpha) * stats.f.isf(1 - tail, df1, df2)
    return AlphaEstimate(
        float(alpha),
        float(low),
        float(high),
        n,
        f"feldt-{nan_policy}",
        level,
        n_items=k,
    )


def alpha_by_dimension(
    responses: pd.DataFrame,
    scoring: Mapping | ScoringMap,
    by: Hashable | Sequence[Hashable] | None = None,
    nan_policy: str = "pairwise",
    level: float = 0.95,
) -> pd.DataFrame:
    """Return Cronbach's alpha of every multi-item dimension, per group of ``by``.

    Items are reverse-coded as the scoring map says before alpha is computed.

    Parameters
    ----------
    responses : pandas.DataFrame
        Wide layout: one row per respondent.
    scoring : mapping or ScoringMap
        See :mod:`analysis.scoring`; dimensions with one item are skipped.
    by : str or list of str, optional
        Grouping columns; None for the whole sample.
    nan_policy, level
        As in :func:`cronbach_alpha`.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``dimension``, ``n_items``, ``n``, ``alpha``,
        ``ci_low``, ``ci_high``. Groups with fewer than two usable
        respondents get NaN.

    References
    ----------
    .. [1] Cronbach (1951); Feldt et al. (1987).
    """
    check_frame(responses, "responses")
    scoring = ScoringMap.from_mapping(scoring)
    scored = pd.DataFrame(item_matrix(scoring, responses), columns=list(scoring.items))
    codes, keys = group_codes(responses, by)
    rows = []
    for group in range(len(keys)):
        in_group = scored[codes == group]
        for dimension, members in scoring.dimensions.items():
            if len(members) < 2:
                continue
            try:
                result = cronbach_alpha(in_group[members], nan_policy, level)
                values = (result.n, result.estimate, result.low, result.high)
            except ValueError:
                values = (len(in_group), np.nan, np.nan, np.nan)
            rows.append((group, dimension, len(members), *values))
    columns = ["group", "dimension", "n_items", "n", "alpha", "ci_low", "ci_high"]
    table = pd.DataFrame(rows, columns=columns)
    return (
        keys.iloc[table["group"]]
        .reset_index(drop=True)
        .join(table.drop(columns="group"))
    )
