"""Composite indices with intervals: SIPAS-, PAPI- and PCI/DDCI-style.

Every index built from responses here is a linear combination of item means
(an offset plus coefficients times each item's mean in the group). Its standard
error is linearised over respondents, so items answered by the same people are
correlated correctly and items a respondent skipped simply do not count for
them: with item means ``p_j`` over ``n_j`` answers, respondent ``i`` contributes
``d_i = sum_j a_j [answered] (x_ij - p_j) / n_j`` and
``Var = n / (n - 1) * sum_i d_i**2`` (respondents as a simple random sample
within the group). Intervals are Student t with ``n - 1`` df, clipped to the
index's range, except where every respondent's contribution is the same (30
respondents all satisfied: standard error 0) and the t interval would have
zero width: there the interval is the Perks-posterior beta of
:func:`analysis.intervals.dirichlet_mean_interval` over the tier's range, as if
each of the tier's ``n`` respondents had scored the estimate, with the prior
spread over what one item's answer can be on that range (satisfied or not for
SIPAS, the scale's answer values otherwise); ``method`` is then
``"perks-beta"``. No tier is published with an interval of zero width.

Given a :class:`~analysis.replicates.ReplicateDesign` over the same rows
(``replicates=``), item means are weighted and the index is recomputed with
each replicate weight column instead: its standard error then reflects the
sample design (strata, clusters, calibration to the census) and the df are the
group's own, R's ``degf`` of the subset (rank of the group's replicate weights
minus one). A replicate that leaves a group without answers to an item is
discarded, as R's ``svrVar`` does: a group inside one PSU then gets a standard
error of 0 with 0 df, hence no interval, rather than a replicate index of 0.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis._grouping import group_codes, moment_sums
from analysis._validation import (
    check_choice,
    check_frame,
    check_level,
)
from analysis.frame_scores import item_matrix
from analysis.intervals import dirichlet_mean_interval, scale_points, t_interval
from analysis.results import (
    ESTIMATE_COLUMNS,
    MIN_PUBLISH,
    MIN_SUPPRESS,
    Estimate,
    flag_small_groups,
)
from analysis.scoring import ScoringMap, check_satisfied_min

if TYPE_CHECKING:
    from analysis.replicates import ReplicateDesign

SIPAS_AGGREGATIONS = ("factor-mean", "criterion-mean")


def sipas_index(
    responses: pd.DataFrame,
    scoring: Mapping | ScoringMap,
    by: Hashable | Sequence[Hashable] | None = "unit",
    *,
    satisfied_min: float = 4,
    aggregation: str = "factor-mean",
    level: float = 0.95,
    min_publish: int = MIN_PUBLISH,
    min_suppress: int = MIN_SUPPRESS,
    replicates: ReplicateDesign | None = None,
) -> pd.DataFrame:
    """Return the SIPAS-style satisfaction index: criterion -> factor -> index.

    Parameters
    ----------
    responses : pandas.DataFrame
        Wide layout, one row per respondent.
    scoring : mapping or ScoringMap
        Criteria (items) mapped to factors (dimensions); see
        :mod:`analysis.scoring`. Factor weights are used for the index.
    by : str or list of str, optional
        Grouping columns (default ``"unit"``).
    satisfied_min : float
        Lowest answer counted as satisfied (4: Hài lòng or Rất hài lòng).
    aggregation : {"factor-mean", "criterion-mean"}
        ``"factor-mean"``: a factor is the mean of its criteria's % satisfied,
        the index the (weighted) mean of the factors. ``"criterion-mean"``:
        the index is the plain mean of all criteria (factors as before).
    level : float
        Confidence level.
    min_publish, min_suppress : int
        Flags as in :func:`analysis.unit_summary`.
    replicates : ReplicateDesign, optional
        A replicate design whose data are ``responses`` (same rows, same
        order): weighted item means, standard errors from the replicate
        weights and each group's own df (``method`` ``"replicate-<kind>"``).

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``tier`` ("criterion", "factor", "index"),
        ``name``, then ``n`` (respondents who answered at least one of the
        row's criteria), ``estimate`` (percent satisfied),
        ``se``, ``ci_low``, ``ci_high``, ``df``, ``method`` (of the
        interval: ``"linearised-t"``, ``"replicate-<kind>"``, or
        ``"perks-beta"`` for a tier whose standard error is 0; see the
        module's docstring), ``reliable``, ``suppressed``.

    References
    ----------
    .. [1] Bộ Nội vụ (2017). QĐ 2640/QĐ-BNV: Đề án đo lường sự hài lòng của
           người dân, tổ chức đối với sự phục vụ của cơ quan hành chính nhà
           nước giai đoạn 2017-2020 (SIPAS).
    """
    check_choice(aggregation, SIPAS_AGGREGATIONS, "aggregation")
    scoring = ScoringMap.from_mapping(scoring)
    check_satisfied_min(satisfied_min, scoring.scale)
    scored = item_matrix(scoring, responses)
    satisfied = np.where(np.isnan(scored), np.nan, scored >= satisfied_min)
    return _linear_index_table(
        responses,
        satisfied,
        _sipas_tiers(scoring, aggregation),
        by,
        level,
        min_publish,
        min_suppress,
        replicates,
        points=np.array([0.0, 1.0]),
    )


def papi_index(
    responses: pd.DataFrame,
    scoring: Mapping | ScoringMap,
    by: Hashable | Sequence[Hashable] | None = "unit",
    *,
    level: float = 0.95,
    min_publish: int = MIN_PUBLISH,
    min_suppress: int = MIN_SUPPRESS,
    replicates: ReplicateDesign | None = None,
) -> pd.DataFrame:
    """Return PAPI-style dimension scores on 1-10 and their total.

    Each item is rescaled to 0-1 over the scoring scale (after reverse
    coding); a dimension scores ``1 + 9 * mean of its items' means``, so 1-10;
    the total is the sum of the dimensions (8-80 for PAPI's eight).

    Parameters
    ----------
    responses, scoring, by, level, min_publish, min_suppress, replicates
        As in :func:`sipas_index`; items must have dimensions.

    Returns
    -------
    pandas.DataFrame
        As :func:`sipas_index`, with tiers "dimension" and "total".

    References
    ----------
    .. [1] CECODES, VFF-CRT, RTA, UNDP (2019). The Viet Nam Governance and
           Public Administration Performance Index (PAPI) 2018, Appendix on
           methodology.
    """
    scoring = ScoringMap.from_mapping(scoring)
    return _linear_index_table(
        responses,
        _rescaled(scoring, responses),
        _papi_tiers(scoring),
        by,
        level,
        min_publish,
        min_suppress,
        replicates,
        points=_rescaled_points(scoring),
    )


def ddci_index(
    responses: pd.DataFrame,
    scoring: Mapping | ScoringMap,
    by: Hashable | Sequence[Hashable] | None = "unit",
    *,
    level: float = 0.95,
    min_publish: int = MIN_PUBLISH,
    min_suppress: int = MIN_SUPPRESS,
    replicates: ReplicateDesign | None = None,
) -> pd.DataFrame:
    """Return DDCI/PCI-style sub-indices on 0-10 and their weighted composite on 0-100.

    A sub-index is ``10 * mean of its items' means`` (items rescaled to 0-1);
    the composite is ``10 * sum_d w_d * sub-index_d`` with the scoring map's
    normalised weights. Its interval comes from the respondent-level
    linearisation, so correlation between sub-indices is accounted for (unlike
    :func:`composite_index`, which only has the published sub-indices).

    Parameters
    ----------
    responses, scoring, by, level, min_publish, min_suppress, replicates
        As in :func:`sipas_index`; weights come from ``scoring["weights"]``.

    Returns
    -------
    pandas.DataFrame
        As :func:`sipas_index`, with tiers "subindex" and "composite".

    References
    ----------
    .. [1] VCCI, USAID (2022). The Provincial Competitiveness Index 2021,
           methodology chapter.
    """
    scoring = ScoringMap.from_mapping(scoring)
    return _linear_index_table(
        responses,
        _rescaled(scoring, responses),
        _ddci_tiers(scoring),
        by,
        level,
        min_publish,
        min_suppress,
        replicates,
        points=_rescaled_points(scoring),
    )


def composite_index(
    scores: Mapping[Hashable, float] | pd.Series,
    weights: Mapping[Hashable, float] | pd.Series,
    standard_errors: Mapping[Hashable, float] | pd.Series | None = None,
    *,
    multiplier: float = 10.0,
    level: float = 0.95,
    df: float = np.inf,
) -> Estimate:
    """Combine published sub-index scores into a weighted composite (PCI way).

    ``composite = multiplier * sum_i w_i * score_i`` with weights normalised
    to sum to one (PCI: sub-indices on 0-10, weights in percent, multiplier
    10, composite on 0-100). When standard errors are given, the composite's
    is ``multiplier * sqrt(sum_i w_i**2 * se_i**2)``: this assumes the
    sub-indices are independent, which understates the error when they are
    positively correlated; use :func:`ddci_index` on respondent-level data to
    avoid that assumption.

    Parameters
    ----------
    scores, weights : mapping or Series
        Sub-index scores and their weights, by the same names.
    standard_errors : mapping or Series, optional
        Standard errors of the sub-indices; without them the interval is NaN.
    multiplier : float
        Scale factor from the sub-index scale to the composite scale.
    level : float
        Confidence level.
    df : float
        Degrees of freedom of the t quantile (``inf``: normal).

    Returns
    -------
    Estimate
        ``n`` is the number of sub-indices; ``method`` is
        ``"weighted-sum"`` or ``"weighted-sum-independent"``.

    References
    ----------
    .. [1] VCCI (2022). The Provincial Competitiveness Index 2021.
    """
    level = check_level(level)
    score = pd.Series(scores, dtype=np.float64)
    weight = pd.Series(weights, dtype=np.float64)
    if set(score.index) != set(weight.index):
        missing = sorted(map(str, set(score.index) ^ set(weight.index)))
        raise ValueError(
            f"scores and weights must name the same sub-indices: {missing}"
        )
    weight = weight.reindex(score.index)
    if score.isna().any() or (weight < 0).any() or not weight.sum() > 0:
        raise ValueError(
            f"scores must be numbers and weights non-negative: {weights!r}"
        )
    share = weight / weight.sum()
    estimate = float(multiplier * (share * score).sum())
    if standard_errors is None:
        return Estimate(estimate, np.nan, np.nan, len(score), "weighted-sum", level)
    se_series = pd.Series(standard_errors, dtype=np.float64).reindex(score.index)
    if se_series.isna().any() or (se_series < 0).any():
        raise ValueError(
            f"standard_errors must cover every sub-index: {standard_errors!r}"
        )
    se = float(multiplier * np.sqrt((share**2 * se_series**2).sum()))
    low, high = t_interval(estimate, se, df, level)
    return Estimate(
        estimate,
        float(low),
        float(high),
        len(score),
        "weighted-sum-independent",
        level,
        se,
    )


#: A tier of an index: its kind, name, coefficients over the items and offset.
Tier = tuple[str, Hashable, np.ndarray, float]


def _sipas_tiers(scoring: ScoringMap, aggregation: str) -> list[Tier]:
    """Return SIPAS's tiers: each criterion, each factor, the index (percent)."""
    k = len(scoring.items)
    tiers = [
        ("criterion", item, 100 * _unit_vector(k, j), 0.0)
        for j, item in enumerate(scoring.items)
    ]
    factors = _dimension_coefficients(scoring)
    tiers += [("factor", name, 100 * a, 0.0) for name, a in factors.items()]
    if aggregation == "factor-mean":
        overall = sum(scoring.weights[name] * a for name, a in factors.items())
    else:
        overall = np.full(k, 1 / k)
    tiers.append(("index", "index", 100 * overall, 0.0))
    return tiers


def _papi_tiers(scoring: ScoringMap) -> list[Tier]:
    """Return PAPI's tiers: each dimension on 1-10, and their total."""
    dimensions = _dimension_coefficients(scoring)
    tiers = [("dimension", name, 9 * a, 1.0) for name, a in dimensions.items()]
    total = sum(dimensions.values())
    tiers.append(("total", "total", 9 * total, float(len(dimensions))))
    return tiers


def _ddci_tiers(scoring: ScoringMap) -> list[Tier]:
    """Return DDCI's tiers: each sub-index on 0-10, and the weighted composite."""
    dimensions = _dimension_coefficients(scoring)
    tiers = [("subindex", name, 10 * a, 0.0) for name, a in dimensions.items()]
    composite = sum(100 * scoring.weights[n] * a for n, a in dimensions.items())
    tiers.append(("composite", "composite", composite, 0.0))
    return tiers


#: The index methods ``index_from_tallies`` knows, as a questionnaire names them.
INDEX_METHODS = ("sipas", "papi", "ddci")


def index_from_tallies(
    tallies: pd.DataFrame,
    scoring: Mapping | ScoringMap,
    method: str,
    by: Hashable = "unit",
    *,
    satisfied_min: float = 4,
    aggregation: str = "factor-mean",
    level: float = 0.95,
    min_publish: int = MIN_PUBLISH,
    min_suppress: int = MIN_SUPPRESS,
) -> pd.DataFrame:
    """Return what :func:`sipas_index` (``papi_``, ``ddci_index``) gives, from tallies.

    Only for a scoring of one item: every tier is then that item's mean, whose
    linearised variance needs only the item's count, sum and sum of squares
    per group (``tallies`` as :func:`summary_from_tallies` takes them, their
    ``satisfied`` counted at ``satisfied_min``). With more items the variance
    needs each respondent's answers together: use the functions on responses.
    """
    check_choice(method, INDEX_METHODS, "method")
    level = check_level(level)
    scoring = ScoringMap.from_mapping(scoring)
    if len(scoring.items) != 1:
        raise ValueError("an index of several items needs each respondent's answers")
    item = scoring.items[0]
    rows = tallies[(tallies["item"] == item) & (tallies["kind"] == "item")]
    sums = rows.groupby(by, sort=True)[["n", "total", "total_sq", "satisfied"]].sum()
    sums = sums[sums["n"] > 0]
    count = sums["n"].to_numpy(np.float64)
    if method == "sipas":
        check_satisfied_min(satisfied_min, scoring.scale)
        tiers, points = _sipas_tiers(scoring, aggregation), np.array([0.0, 1.0])
        total = sums["satisfied"].to_numpy(np.float64)
        total_sq = total
    else:
        tiers = _papi_tiers(scoring) if method == "papi" else _ddci_tiers(scoring)
        points = _rescaled_points(scoring)
        low, high = scoring.scale
        width = high - low
        raw, raw_sq = sums["total"].to_numpy(), sums["total_sq"].to_numpy()
        total = (raw - count * low) / width
        total_sq = (raw_sq - 2 * low * raw + count * low * low) / width**2
    coefficients = np.column_stack([tier[2] for tier in tiers])
    with np.errstate(invalid="ignore", divide="ignore"):
        spread = (total_sq - total * total / count) / (count * count)
    keys = sums.index.to_frame(index=False)
    return _index_table(
        keys,
        count[:, None],
        total[:, None],
        np.repeat(count[:, None], len(tiers), axis=1),
        spread[:, None] * coefficients[0] ** 2,
        tiers,
        level,
        min_publish,
        min_suppress,
        points,
    )


def _unit_vector(size: int, position: int) -> np.ndarray:
    vector = np.zeros(size)
    vector[position] = 1.0
    return vector


def _dimension_coefficients(scoring: ScoringMap) -> dict[Hashable, np.ndarray]:
    """Return, per dimension, coefficients averaging its items' means."""
    dimensions = scoring.dimensions
    if not dimensions:
        raise ValueError("the scoring map gives the items no dimensions")
    position = {item: j for j, item in enumerate(scoring.items)}
    coefficients = {}
    for name, members in dimensions.items():
        vector = np.zeros(len(scoring.items))
        vector[[position[m] for m in members]] = 1 / len(members)
        coefficients[name] = vector
    return coefficients


def _rescaled(scoring: ScoringMap, responses: pd.DataFrame) -> np.ndarray:
    low, high = scoring.scale
    return (item_matrix(scoring, responses) - low) / (high - low)


def _rescaled_points(scoring: ScoringMap) -> np.ndarray:
    """Return the scale's answer values (:func:`scale_points`) rescaled to 0-1."""
    low, high = scoring.scale
    return (scale_points(scoring.scale) - low) / (high - low)


def _linear_index_table(
    responses: pd.DataFrame,
    values: np.ndarray,
    tiers: list[Tier],
    by: Hashable | Sequence[Hashable] | None,
    level: float,
    min_publish: int,
    min_suppress: int,
    replicates: ReplicateDesign | None = None,
    *,
    points: np.ndarray,
) -> pd.DataFrame:
    """Estimate ``offset + coefficients @ item means`` per group and tier.

    ``values`` lie in [0, 1] and coefficients are non-negative, so a tier
    ranges from its offset to its offset plus its coefficients' sum; interval
    limits are clipped to that range. ``points`` are the values one answer
    can take on [0, 1]: the Perks prior of a tier whose standard error is 0
    (see the module's docstring).
    """
    check_frame(responses, "responses")
    level = check_level(level)
    codes, keys = group_codes(responses, by)
    n_groups = len(keys)
    coefficients = np.column_stack([tier[2] for tier in tiers])
    offsets = np.array([tier[3] for tier in tiers])
    count, total, _ = moment_sums(values, codes, n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = total / count
    inside = codes >= 0
    rows = codes[inside]
    answered = ~np.isnan(values[inside])
    used = coefficients != 0
    with np.errstate(invalid="ignore", divide="ignore"):
        deviations = np.where(
            answered, (values[inside] - means[rows]) / count[rows], 0.0
        )
    influence = deviations @ coefficients
    # A tier's n: respondents who answered at least one of its items.
    contributes = (answered.astype(np.float64) @ used) > 0
    n_tier = np.column_stack(
        [np.bincount(rows, contributes[:, m], n_groups) for m in range(len(tiers))]
    )
    squares = np.column_stack(
        [np.bincount(rows, influence[:, m] ** 2, n_groups) for m in range(len(tiers))]
    )
    replicated = None
    if replicates is not None:
        replicated = _replicate_tiers(
            replicates, responses, values, codes, n_groups, coefficients, offsets
        )
    return _index_table(
        keys,
        count,
        total,
        n_tier,
        squares,
        tiers,
        level,
        min_publish,
        min_suppress,
        points,
        replicated,
    )


def _index_table(
    keys: pd.DataFrame,
    count: np.ndarray,
    total: np.ndarray,
    n_tier: np.ndarray,
    squares: np.ndarray,
    tiers: list[Tier],
    level: float,
    min_publish: int,
    min_suppress: int,
    points: np.ndarray,
    replicated: tuple[np.ndarray, np.ndarray, np.ndarray, str] | None = None,
) -> pd.DataFrame:
    """Finish an index table from each group's item counts and sums, each tier's
    n and sum of squared contributions (or a replicate design's estimates)."""
    n_groups = len(keys)
    coefficients = np.column_stack([tier[2] for tier in tiers])
    offsets = np.array([tier[3] for tier in tiers])
    used = coefficients != 0
    with np.errstate(invalid="ignore", divide="ignore"):
        means = total / count
        variance = squares * n_tier / (n_tier - 1)
        estimate = offsets + np.where(np.isnan(means), 0.0, means) @ coefficients
    missing_item = (np.isnan(means).astype(np.float64) @ used) > 0
    estimate = np.where(missing_item, np.nan, estimate)
    se = np.sqrt(np.where(n_tier > 1, variance, np.nan))
    df = n_tier - 1
    method = "linearised-t"
    if replicated is not None:
        estimate, se, df, method = replicated
        estimate = np.where(missing_item, np.nan, estimate)
    low, high = t_interval(estimate, se, df, level)
    floor = np.broadcast_to(offsets, low.shape)
    ceiling = floor + coefficients.sum(axis=0)
    flat = _without_spread(estimate, se, df, ceiling - floor)
    if flat.any():
        low[flat], high[flat] = _perks_limits(
            estimate[flat], n_tier[flat], floor[flat], ceiling[flat], points, level
        )
        method = np.where(flat, "perks-beta", method)
    table = keys.loc[np.repeat(keys.index, len(tiers))].reset_index(drop=True)
    table["tier"] = np.tile([tier[0] for tier in tiers], n_groups)
    table["name"] = np.tile(
        np.array([tier[1] for tier in tiers], dtype=object), n_groups
    )
    columns = (
        n_tier.astype(np.int64).ravel(),
        estimate.ravel(),
        se.ravel(),
        np.clip(low, floor, ceiling).ravel(),
        np.clip(high, floor, ceiling).ravel(),
        np.broadcast_to(df, estimate.shape).ravel(),
        np.broadcast_to(method, estimate.shape).ravel(),
    )
    for name, column in zip(ESTIMATE_COLUMNS, columns, strict=True):
        table[name] = column
    flagged = flag_small_groups(table, min_publish, min_suppress)
    # A group with no degrees of freedom (inside one PSU, with replicates) has
    # no interval: not reliable, however many respondents it has.
    flagged["reliable"] &= flagged["df"].to_numpy() >= 1
    return flagged


def _without_spread(
    estimate: np.ndarray, se: np.ndarray, df: np.ndarray, width: np.ndarray
) -> np.ndarray:
    """Return where a t interval would have zero width: SE 0 (up to rounding)."""
    df = np.broadcast_to(df, estimate.shape)
    with np.errstate(invalid="ignore"):
        return np.isfinite(estimate) & (df >= 1) & (se <= 1e-12 * width)


def _perks_limits(
    estimate: np.ndarray,
    n: np.ndarray,
    floor: np.ndarray,
    ceiling: np.ndarray,
    points: np.ndarray,
    level: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the Perks-beta limits of tiers whose ``n`` respondents all scored
    ``estimate`` on ``[floor, ceiling]``, the prior on ``points`` of [0, 1]."""
    width = ceiling - floor
    # Weighted sums of shares can overshoot 0 or 1 by a rounding error.
    share = np.clip((estimate - floor) / width, 0.0, 1.0)
    low, high = dirichlet_mean_interval(
        n, n * share, n * share * share, (0.0, 1.0), level, points=points
    )
    return floor + width * low, floor + width * high


def _replicate_tiers(
    replicates: ReplicateDesign,
    responses: pd.DataFrame,
    values: np.ndarray,
    codes: np.ndarray,
    n_groups: int,
    coefficients: np.ndarray,
    offsets: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """Return each group's and tier's weighted estimate, replicate SE, df and method."""
    if replicates.data is not responses and not (
        len(replicates.data) == len(responses)
        and replicates.data.index.equals(responses.index)
    ):
        raise ValueError(
            "replicates must be built on the responses frame (same rows and index): "
            f"{len(replicates.data)} rows against {len(responses)}"
        )
    means = replicates.domain_means(values, codes, n_groups)
    tiers = offsets + np.where(np.isnan(means), 0.0, means) @ coefficients
    # A replicate that leaves a group without answers to an item the tier
    # uses has no value there; the variance discards it, as R's svrVar does.
    lacking = (np.isnan(means).astype(np.float64) @ (coefficients != 0)) > 0
    tiers = np.where(lacking, np.nan, tiers)
    se = np.sqrt(replicates.variance(tiers[0], tiers[1:]))
    df = replicates.domain_degrees_of_freedom(codes, n_groups)[:, None]
    return tiers[0], se, df, f"replicate-{replicates.kind}"
