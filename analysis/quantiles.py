"""Quantiles of a weighted sample by domain, and Woodruff's interval for them.

R's ``svyquantile`` (survey >= 4.1, ``R/newsvyquantile.R`` and ``R/qrule.R``)
with its default ``qrule = "math"`` (Hyndman and Fan's type 1): sort the
values, accumulate the weights, and take ``x[pos]`` if the cumulative share at
``pos`` equals ``p`` exactly, else ``x[pos + 1]``, where ``pos`` is the last
position whose cumulative weight is at most ``p`` times the total (or the
first position when there is none, which R also takes as "go one up").

Woodruff (1952): the interval of the estimated distribution function at the
quantile, ``F(q) = mean(x <= q)``, is mapped back through the same rule; a
limit outside [0, 1] (or undefined) gives NaN, as in R.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from analysis.proportions import BOUNDARY_LABEL, survey_proportion_interval

#: R's ``interval.type`` values for the distribution function's interval.
WOODRUFF_INTERVALS = ("mean", "beta", "xlogit", "asin")


def check_probabilities(quantiles: float | Sequence[float]) -> np.ndarray:
    """Return the probabilities as an array if each lies strictly inside (0, 1)."""
    values = np.atleast_1d(np.asarray(quantiles, dtype=np.float64))
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"quantiles must be one number or a list, got {quantiles!r}")
    bad = ~((values > 0) & (values < 1))
    if bad.any():
        raise ValueError(
            "quantiles must lie strictly between 0 and 1, got "
            f"{float(values[bad][0])!r}"
        )
    return values


def domain_quantile(
    y: np.ndarray,
    w: np.ndarray,
    d: np.ndarray,
    n_domains: int,
    p: float | np.ndarray,
) -> np.ndarray:
    """Return each domain's weighted ``p`` quantile by R's ``qrule_math``.

    Parameters
    ----------
    y, w, d : numpy.ndarray
        Values, positive weights and domain codes of the rows (no missing).
    n_domains : int
        Number of domains.
    p : float or numpy.ndarray
        Probability, one for all domains or one per domain (NaN gives NaN).

    Returns
    -------
    numpy.ndarray
        One quantile per domain; NaN for a domain without rows.

    References
    ----------
    .. [1] Hyndman, R. J., Fan, Y. (1996). Sample quantiles in statistical
           packages. The American Statistician 50(4), 361-365 (type 1).
    """
    p = np.broadcast_to(np.asarray(p, dtype=np.float64), (n_domains,))
    if y.size == 0:
        return np.full(n_domains, np.nan)
    order = np.lexsort((y, d))
    y, w, d = y[order], w[order], d[order]
    count = np.bincount(d, minlength=n_domains)
    start = np.concatenate(([0], np.cumsum(count)[:-1]))
    # R accumulates in long double (rcumsum, rsum): so do we, so that "the
    # share equals p exactly" is decided on the same numbers.
    running = np.cumsum(w, dtype=np.longdouble)
    before = np.where(start > 0, running[np.maximum(start - 1, 0)], 0)
    cumulative = (running - before[d]).astype(np.float64)
    last = start + count - 1
    total = np.where(count > 0, cumulative[np.maximum(last, 0)], np.nan)
    with np.errstate(invalid="ignore"):
        at_most = cumulative <= (p * total)[d]
    pos = start + np.maximum(np.bincount(d, weights=at_most, minlength=n_domains), 1)
    pos = np.minimum(pos.astype(np.int64) - 1, np.maximum(last, 0))
    following = np.minimum(pos + 1, np.maximum(last, 0))
    exact = p - cumulative[pos] / total == 0
    quantile = np.where(exact, y[pos], y[following])
    return np.where((count > 0) & ~np.isnan(p), quantile, np.nan)


def woodruff_limits(
    y: np.ndarray,
    w: np.ndarray,
    d: np.ndarray,
    n_domains: int,
    cdf: np.ndarray,
    se: np.ndarray,
    df: np.ndarray,
    n: np.ndarray,
    level: float,
    interval_type: str,
) -> tuple[np.ndarray, np.ndarray]:
    """Return Woodruff's limits: the CDF interval at the quantile, mapped back.

    Parameters
    ----------
    y, w, d, n_domains
        As in :func:`domain_quantile`.
    cdf, se : numpy.ndarray
        Each domain's estimated share at or below its quantile, with SE.
    df : numpy.ndarray
        Design degrees of freedom of each domain's rows used.
    n : numpy.ndarray
        Rows used per domain (R's ``nrow(design)`` for the beta method).
    level : float
        Confidence level.
    interval_type : {"mean", "beta", "xlogit", "asin"}
        How the distribution function's interval is made.

    Returns
    -------
    tuple of numpy.ndarray
        Lower and upper limits per domain.

    References
    ----------
    .. [1] Woodruff, R. S. (1952). JASA 47(260), 635-646.
    .. [2] R ``survey`` ``woodruffCI`` (``R/newsvyquantile.R``).
    """
    low, high, labels = survey_proportion_interval(
        cdf, se, df, n, n, method=interval_type, level=level
    )
    # At F = 1 R has no beta/xlogit/asin interval (this module's callers want
    # R's numbers, not the boundary interval of analysis.proportions).
    boundary = labels == BOUNDARY_LABEL
    low = np.where(boundary | (low < 0), np.nan, low)
    high = np.where(boundary | (high > 1), np.nan, high)
    return (
        domain_quantile(y, w, d, n_domains, low),
        domain_quantile(y, w, d, n_domains, high),
    )
