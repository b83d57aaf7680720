"""First-stage samples drawn with probability proportional to size, without replacement.

PAPI draws districts and then communes with probability proportional to their
population. Treating such a first stage as drawn with replacement overstates
the variance when the inclusion probabilities are large (a few big districts
are almost certain to be drawn). :class:`PPSDesign` uses the
without-replacement variance of the PSU totals instead, in one of three ways
R's ``survey`` package offers:

- ``"brewer"``: Brewer's approximation, which needs only the inclusion
  probabilities: ``n_h/(n_h - 1) sum_i (1 - pi_i) (x_i - xbar_h)**2`` over the
  PSU totals x_i of stratum h (R's ``svydesign(pps = "brewer")``);
- ``"joint"``: the Horvitz-Thompson (or, with ``variance="YG"``, the
  Yates-Grundy) estimator with the joint inclusion probabilities pi_ij
  (R's ``pps = ppsmat(joint)``);
- ``"hartley-rao"``: the same estimators with Hartley and Rao's
  approximation of pi_ij (R's ``pps = HR()``).

A stratum with a single sampled PSU has no Brewer variance of its own
(``n_h/(n_h - 1)``); ``lonely_psu`` then applies R's rules as
:class:`~analysis.design.SurveyDesign` does (:mod:`analysis.lonely_psu`), with
one difference that is R's: a subset of a PPS design keeps every row (at
weight zero), so every estimate, domains included, touches every stratum.
The Horvitz-Thompson forms (``"joint"``, ``"hartley-rao"``) need no rule: a
lonely PSU contributes ``(1 - pi_i) x_i**2``, as in R, which applies
``survey.lonely.psu`` to Brewer's designs only.

Only the first stage's variance is computed (the ultimate-cluster
approximation, as R does for these designs): rows within a PSU are summed into
its weighted total, later stages add no term of their own. When later stages
subsample the PSUs this leaves out their contribution times pi_i, which is
small when the first-stage probabilities are.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from analysis._validation import check_choice, check_columns, check_numeric
from analysis.design import SurveyDesign
from analysis.lonely_psu import LONELY_PSU_RULES

PPS_METHODS = ("brewer", "joint", "hartley-rao")
PPS_VARIANCES = ("HT", "YG")


class PPSDesign(SurveyDesign):
    """A sample whose PSUs were drawn with unequal probabilities without replacement.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent; never modified.
    probability : str
        Column of the first-stage inclusion probability of each row's PSU
        (R's ``fpc = ~p`` for PPS designs). The weights are its inverse.
    weights : str, optional
        Column of the rows' overall sampling weights, when later stages
        sample within the PSUs (PAPI: households within communes). Omitted:
        ``1 / probability`` (every element of a sampled PSU is observed).
    cluster : str, optional
        Column of PSU identifiers; omitted, each row is a PSU.
    strata : str, optional
        Column of first-stage strata.
    method : {"brewer", "joint", "hartley-rao"}
        How the joint inclusion probabilities are obtained (module docstring).
    joint : pandas.DataFrame or numpy.ndarray, optional
        For ``method="joint"``: the PSUs' joint inclusion probabilities,
        labelled by PSU identifier (index and columns), or an array in the
        order of the sorted PSU identifiers (rows' positions without
        ``cluster``). Its diagonal must be the inclusion probabilities.
        Pairs in different strata have pi_ij = pi_i pi_j.
    variance : {"HT", "YG"}
        Horvitz-Thompson or Yates-Grundy form (``"joint"`` and
        ``"hartley-rao"``; Brewer's approximation is HT only, as in R).
    p2bar : float or mapping, optional
        For ``"hartley-rao"``: sum over the stratum's population of pi_k**2,
        divided by n_h (one number, or one per stratum value). Omitted, the
        mean of the sampled PSUs' probabilities estimates it (R's ``HR()``).
    joint_tolerance : float
        Entries of ``1 - pi_i pi_j / pi_ij`` smaller than this in absolute
        value count as 0 (R's ``ppsmat`` default 1e-4).
    lonely_psu : {"fail", "remove", "certainty", "adjust", "average"}
        For ``"brewer"``: what to do with a stratum that has one sampled PSU
        drawn with probability below 1, as R's ``survey.lonely.psu`` (module
        docstring). ``"fail"`` (R's default) raises ValueError at the first
        estimate; ``"adjust"`` centres the PSU's total at the mean PSU total
        over all strata (survey >= 4.2; survey 4.1-1 centres it at 0, which
        gives the same means and proportions but not totals).

    References
    ----------
    .. [1] Brewer, K. R. W. (2002). Combined Survey Sampling Inference.
           Arnold. Section 9.9 (approximate variance).
    .. [2] Hartley, H. O., Rao, J. N. K. (1962). Sampling with unequal
           probabilities and without replacement. Annals of Mathematical
           Statistics 33(2), 350-374.
    .. [3] Yates, F., Grundy, P. M. (1953). Selection without replacement
           from within strata with probability proportional to size. Journal
           of the Royal Statistical Society B 15(2), 253-261.
    .. [4] Berger, Y. G. (2004). A simple variance estimator for unequal
           probability sampling without replacement. Journal of Applied
           Statistics 31(3), 305-315.
    """

    def __init__(
        self,
        data: pd.DataFrame,
        *,
        probability: Hashable,
        weights: Hashable | None = None,
        cluster: Hashable | None = None,
        strata: Hashable | None = None,
        method: str = "brewer",
        joint: pd.DataFrame | np.ndarray | None = None,
        variance: str = "HT",
        p2bar: float | Mapping[Hashable, float] | None = None,
        joint_tolerance: float = 1e-4,
        lonely_psu: str = "fail",
    ) -> None:
        check_choice(method, PPS_METHODS, "method")
        check_choice(variance, PPS_VARIANCES, "variance")
        if method == "brewer" and variance != "HT":
            raise ValueError(
                "Brewer's approximation has only the HT form (variance='HT')"
            )
        if (joint is None) != (method != "joint"):
            raise ValueError(
                "joint probabilities are needed exactly when method='joint'"
            )
        super().__init__(
            data,
            weights=weights,
            strata=strata,
            cluster=cluster,
            lonely_psu=lonely_psu,
        )
        check_columns(data, [probability], "probability")
        pi = check_numeric(data, probability, "probability")
        bad = ~((pi > 0) & (pi <= 1))
        if bad.any():
            raise ValueError(
                f"probability column {probability!r} must lie in (0, 1], "
                f"found {float(pi[bad][0])!r}"
            )
        first = self._stages[0]
        psu_pi = np.zeros(first.parent_of_unit.size)
        psu_pi[first.unit] = pi
        if not np.allclose(psu_pi[first.unit], pi, rtol=0, atol=1e-12):
            raise ValueError(f"probability column {probability!r} varies within a PSU")
        if weights is None:
            self._weights = 1 / pi
        self._method = method
        stratum = first.parent_of_unit
        # PSUs alone in their stratum and not certain: Brewer's variance
        # needs a lonely-PSU rule for them (the HT forms do not).
        self._lonely = np.flatnonzero(
            (first.sampled[stratum] == 1) & (psu_pi < 1) & (method == "brewer")
        )
        self._psu_pi = psu_pi
        if method == "brewer":
            quadratic = _brewer_quadratic(psu_pi, stratum)
        else:
            if method == "joint":
                labels = _psu_labels(data, cluster, first.unit, psu_pi.size)
                dcheck = _joint_dcheck(joint, labels, psu_pi, joint_tolerance)
            else:
                dcheck = _hartley_rao_dcheck(psu_pi, stratum, data, strata, p2bar)
            if variance == "YG":
                dcheck = dcheck - sparse.diags(np.asarray(dcheck.sum(axis=0)).ravel())
            quadratic = dcheck
        self._quadratic = sparse.csr_matrix(quadratic)

    def __repr__(self) -> str:
        first = self._stages[0]
        return (
            f"PPSDesign({self._n_rows} rows, {first.sampled.size} strata, "
            f"{first.parent_of_unit.size} PSUs, {self._method})"
        )

    def _linearised_variance(
        self, influence: np.ndarray, inside: np.ndarray, d: np.ndarray, n_domains: int
    ) -> np.ndarray:
        """Return each domain's variance as the quadratic form of its PSU totals."""
        if self._calibration is not None:
            influence, inside, d = self._calibration.spread(
                influence, inside, d, n_domains
            )
        psu = self._stages[0].unit[inside]
        n_psu = self._quadratic.shape[0]
        totals = sparse.csr_matrix((influence, (d, psu)), shape=(n_domains, n_psu))
        variance = np.asarray(
            (totals @ self._quadratic).multiply(totals).sum(axis=1)
        ).ravel()
        if self._lonely.size == 0:
            return variance
        return self._lonely_variance(variance, totals)

    def _lonely_variance(
        self, variance: np.ndarray, totals: sparse.csr_matrix
    ) -> np.ndarray:
        """Apply the lonely-PSU rule to Brewer's variance (lonely strata left out).

        R subsets a PPS design by zeroing weights, so every stratum is
        touched by every domain: the rule applies to all of them.
        """
        first = self._stages[0]
        lonely_strata = first.parent_of_unit[self._lonely]
        if self._lonely_psu == "fail":
            raise ValueError(
                f"{first.where(int(lonely_strata[0]))} has only one sampled "
                "unit, so its variance cannot be estimated; choose another "
                f"lonely_psu rule than 'fail' (one of {list(LONELY_PSU_RULES)})"
            )
        if self._lonely_psu == "adjust":
            lonely_totals = totals[:, self._lonely].toarray()
            grand = np.asarray(totals.sum(axis=1)).ravel() / totals.shape[1]
            squares = (lonely_totals - grand[:, None]) ** 2
            return variance + squares @ (1 - self._psu_pi[self._lonely])
        if self._lonely_psu == "average":
            n_strata = first.sampled.size
            with np.errstate(invalid="ignore", divide="ignore"):
                return variance * n_strata / (n_strata - lonely_strata.size)
        return variance


def _stratum_pairs(stratum: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the PSU pairs (i, j), i = j included, that share a stratum."""
    order = np.argsort(stratum, kind="stable")
    counts = np.bincount(stratum)
    starts = np.cumsum(counts) - counts
    size = counts[stratum[order]]
    first = np.repeat(order, size)
    offset = np.arange(first.size) - np.repeat(np.cumsum(size) - size, size)
    second = order[np.repeat(starts[stratum[order]], size) + offset]
    return first, second


def _brewer_quadratic(pi: np.ndarray, stratum: np.ndarray) -> sparse.coo_matrix:
    """Return Q with x'Qx = sum_h n_h/(n_h-1) sum_i (1 - pi_i)(x_i - xbar_h)**2.

    A stratum with one PSU contributes nothing here (its lonely-PSU rule is
    applied by :meth:`PPSDesign._lonely_variance`).
    """
    sampled = np.bincount(stratum)
    several = sampled[stratum] > 1
    scale = np.where(
        several, (1 - pi) * sampled[stratum] / np.maximum(sampled[stratum] - 1, 1), 0.0
    )
    first, second = _stratum_pairs(stratum)
    n = sampled[stratum[first]]
    scale_sum = np.bincount(stratum, scale)[stratum[first]]
    values = (
        scale[first] * (first == second)
        - (scale[first] + scale[second]) / n
        + scale_sum / n**2
    )
    return sparse.coo_matrix((values, (first, second)), shape=(pi.size, pi.size))


def _psu_labels(
    data: pd.DataFrame, cluster: Hashable | None, unit: np.ndarray, n_psu: int
) -> np.ndarray:
    """Return each PSU code's identifier (the row position without clusters)."""
    ids = data[cluster].to_numpy() if cluster is not None else np.arange(len(data))
    labels = np.empty(n_psu, dtype=object)
    labels[unit] = ids
    return labels


def _joint_dcheck(
    joint: pd.DataFrame | np.ndarray,
    labels: np.ndarray,
    pi: np.ndarray,
    tolerance: float,
) -> sparse.csr_matrix:
    """Return 1 - pi_i pi_j / pi_ij (R's ``pi2Dcheck``) in PSU-code order."""
    if isinstance(joint, pd.DataFrame):
        frame = joint
    else:
        order = sorted(labels)
        frame = pd.DataFrame(np.asarray(joint, dtype=np.float64), index=order)
        frame.columns = order
    missing = [label for label in labels if label not in frame.index]
    if missing or frame.shape != (len(labels), len(labels)):
        raise ValueError(
            f"joint must be {len(labels)} x {len(labels)} over the sampled PSUs, "
            f"got shape {frame.shape}; PSUs missing: {missing[:5]}"
        )
    matrix = frame.loc[list(labels), list(labels)].to_numpy(dtype=np.float64)
    if not np.allclose(np.diag(matrix), pi, rtol=1e-8, atol=0):
        raise ValueError("the diagonal of joint must equal the inclusion probabilities")
    if (matrix <= 0).any() or not np.allclose(matrix, matrix.T):
        raise ValueError("joint inclusion probabilities must be positive and symmetric")
    dcheck = (matrix - np.outer(pi, pi)) / matrix
    dcheck[np.abs(dcheck) < tolerance] = 0.0
    return sparse.csr_matrix(dcheck)


def _hartley_rao_dcheck(
    pi: np.ndarray,
    stratum: np.ndarray,
    data: pd.DataFrame,
    strata: Hashable | None,
    p2bar: float | Mapping[Hashable, float] | None,
) -> sparse.csr_matrix:
    """Return Hartley and Rao's 1 - pi_i pi_j / pi_ij (R's ``HRDcheck``)."""
    sampled = np.bincount(stratum)
    if p2bar is None:
        level = np.bincount(stratum, pi) / sampled
    elif isinstance(p2bar, Mapping):
        names = _stratum_names(data, strata, stratum.max() + 1)
        absent = [name for name in names if name not in p2bar]
        if absent:
            raise ValueError(f"p2bar has no value for strata {absent}")
        level = np.array([float(p2bar[name]) for name in names])
    else:
        level = np.full(sampled.size, float(p2bar))
    first, second = _stratum_pairs(stratum)
    n = sampled[stratum[first]]
    both = pi[first] + pi[second]
    # A stratum with one PSU has only its diagonal, set below.
    values = 1 - (n - both + level[stratum[first]]) / np.maximum(n - 1, 1)
    values[both == 1] = 0.0
    diagonal = first == second
    values[diagonal] = 1 - pi[first[diagonal]]
    return sparse.csr_matrix((values, (first, second)), shape=(pi.size, pi.size))


def _stratum_names(
    data: pd.DataFrame, strata: Hashable | None, n_strata: int
) -> Sequence[Hashable]:
    """Return the stratum value of each stratum code (codes follow sorted values)."""
    if strata is None:
        return [None] * n_strata
    return list(pd.factorize(data[strata], sort=True)[1])
