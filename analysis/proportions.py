"""Confidence intervals for a proportion estimated from a complex sample.

These are the intervals of R's ``survey::svyciprop`` (Lumley 2010, section
2.3.1), vectorised over domains. Each takes the design-based estimate ``p``,
its linearised standard error and the design degrees of freedom of the domain
(R's ``degf`` of the domain, counting the rows where the variable is missing).

At ``p`` exactly 0 or 1 the design variance is 0 and R gives no interval for
the beta, xlogit, asin and wilson methods (``NaN``), while the logit and
likelihood methods return limits of a fit that did not converge (the logit
"interval" at ``p = 0`` is ``[1.8e-12, 4.8e-12]``, which does not contain 0;
the likelihood method stops with an error). hailong departs there: it gives
the Korn-Graubard interval with the effective sample size taken as the number
of respondents (labelled ``"beta-boundary"``), which at ``p = 0`` is the
Clopper-Pearson interval ``[0, 1 - (alpha/2)^(1/n)]`` widened for the design
degrees of freedom. The ``"mean"`` method keeps R's zero-width ``[p, p]``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import special, stats

from analysis._validation import check_choice
from analysis.intervals import logit_interval, t_interval, t_quantile

#: The ``method`` values of R's ``svyciprop`` (``wilson`` is in survey >= 4.2).
SURVEY_PROPORTION_METHODS = (
    "logit",
    "likelihood",
    "beta",
    "mean",
    "xlogit",
    "asin",
    "wilson",
)
#: The ``method`` column written for each interval.
METHOD_LABELS = {
    "logit": "taylor-logit",
    "likelihood": "taylor-likelihood",
    "beta": "korn-graubard",
    "mean": "taylor-t",
    "xlogit": "taylor-xlogit",
    "asin": "taylor-asin",
    "wilson": "taylor-wilson",
}
#: Label of the departure from R at p = 0 or 1.
BOUNDARY_LABEL = "beta-boundary"
#: Bisection steps for the likelihood limits (on a log-odds bracket of 60).
_BISECTION_STEPS = 70


def survey_proportion_interval(
    p: ArrayLike,
    se: ArrayLike,
    df: ArrayLike,
    n: ArrayLike,
    n_rows: ArrayLike,
    *,
    method: str = "logit",
    level: float = 0.95,
    dispersion: ArrayLike | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return R's ``svyciprop`` interval for each domain's proportion.

    Parameters
    ----------
    p, se : array_like
        Design-based proportions and their linearised standard errors.
    df : array_like
        Design degrees of freedom of each domain, rows with the variable
        missing included (R's default ``df = degf(design)``).
    n : array_like
        Rows of each domain where the variable is present (the effective
        sample size at ``p`` in {0, 1}).
    n_rows : array_like
        Rows of each domain, missing values included (R's ``nrow(design)``,
        used by the beta method's degrees-of-freedom correction).
    method : {"logit", "likelihood", "beta", "mean", "xlogit", "asin", "wilson"}
        As in R. ``"beta"`` is Korn and Graubard's interval.
    level : float
        Confidence level.
    dispersion : array_like, optional
        Dispersion of the working quasibinomial fit, needed by
        ``"likelihood"`` only (see :func:`quasibinomial_dispersion`).

    Returns
    -------
    tuple of numpy.ndarray
        Lower limits, upper limits and the method label of each domain.

    References
    ----------
    .. [1] Lumley, T. (2010). Complex Surveys, section 2.3.1; R
           ``survey::svyciprop`` (survey 4.1-1 and 4.5).
    .. [2] Korn, E. L., Graubard, B. I. (1998). Confidence intervals for
           proportions with small expected number of positive counts estimated
           from survey data. Survey Methodology 24(2), 193-201.
    """
    check_choice(method, SURVEY_PROPORTION_METHODS, "method")
    p, se, df, n, n_rows = np.broadcast_arrays(
        *(np.asarray(a, dtype=np.float64) for a in (p, se, df, n, n_rows))
    )
    inside = (p > 0) & (p < 1)
    safe = np.where(inside, p, 0.5)
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "mean":
            low, high = t_interval(p, se, df, level)
        elif method in ("logit", "xlogit"):
            # R fits svyglm for "logit" and uses svycontrast for "xlogit"; the
            # sandwich SE of the intercept is the delta-method SE, so both are
            # this interval (R's two agree to the glm's convergence, ~1e-10).
            low, high = logit_interval(safe, se, df, level)
        elif method == "asin":
            low, high = _arcsine(safe, se, df, level)
        elif method == "likelihood":
            if dispersion is None:
                raise ValueError("method 'likelihood' needs the dispersion")
            low, high = _likelihood(safe, se, df, dispersion, level)
        elif method == "wilson":
            low, high = _wilson(safe, se, df, level)
        else:
            n_eff = safe * (1 - safe) / se**2 * _df_ratio(n_rows, df, level)
            low, high = _korn_graubard(safe, n_eff, level)
    labels = np.full(p.shape, METHOD_LABELS[method], dtype=object)
    if method == "mean":
        return low, high, labels
    boundary = (p == 0) | (p == 1)
    edge_low, edge_high = _korn_graubard(p, n * _df_ratio(n_rows, df, level), level)
    labels[boundary] = BOUNDARY_LABEL
    undefined = ~inside & ~boundary
    return (
        np.where(boundary, edge_low, np.where(undefined, np.nan, low)),
        np.where(boundary, edge_high, np.where(undefined, np.nan, high)),
        labels,
    )


def quasibinomial_dispersion(
    w: np.ndarray,
    d: np.ndarray,
    n_domains: int,
    mean_weight: np.ndarray,
) -> np.ndarray:
    """Return the dispersion R's ``svyglm(y ~ 1, family=quasibinomial)`` reports.

    ``summary.svyglm`` estimates it as ``svyvar`` of ``residuals.svyglm(type=
    "pearson")``, which are ``(y - p) / sqrt(p (1 - p))`` times
    ``sqrt(c)``, ``c`` the mean weight of the rows used over the mean weight of
    the domain's rows (missing values included: the glm's prior weights are
    scaled by the latter, the residuals' by the former). For 0/1 values their
    weighted variance is 1, so the dispersion is ``n/(n - 1) c``.

    Parameters
    ----------
    w, d : numpy.ndarray
        Weights and domain codes of the rows used (variable present).
    n_domains : int
        Number of domains.
    mean_weight : numpy.ndarray
        Mean sampling weight of each domain's rows, missing values included.

    Returns
    -------
    numpy.ndarray
        One dispersion per domain (NaN where ``n < 2``).
    """
    count = np.bincount(d, minlength=n_domains)
    weight_sum = np.bincount(d, weights=w, minlength=n_domains)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 1, weight_sum / (count - 1) / mean_weight, np.nan)


def _df_ratio(n_rows: np.ndarray, df: np.ndarray, level: float) -> np.ndarray:
    """Return Korn and Graubard's ``(t_{n-1} / t_{df})^2`` effective-size factor."""
    return (t_quantile(level, n_rows - 1) / t_quantile(level, df)) ** 2


def _korn_graubard(
    p: np.ndarray, n_eff: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Return the Clopper-Pearson limits at ``n_eff`` (beta quantiles, as R's)."""
    alpha = 1 - level
    successes = n_eff * p
    failures = n_eff * (1 - p)
    with np.errstate(invalid="ignore", divide="ignore"):
        low = stats.beta.ppf(alpha / 2, np.where(p > 0, successes, 1.0), failures + 1)
        high = stats.beta.ppf(
            1 - alpha / 2, successes + 1, np.where(p < 1, failures, 1.0)
        )
    return np.where(p > 0, low, 0.0), np.where(p < 1, high, 1.0)


def _arcsine(
    p: np.ndarray, se: np.ndarray, df: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Return the t interval for ``asin(sqrt(p))`` mapped back by ``sin^2``.

    As in R, a limit below 0 on the angle scale is squared back into (0, 1)
    rather than clipped.
    """
    slope = 1 / (2 * np.sqrt(p * (1 - p)))
    low, high = t_interval(np.arcsin(np.sqrt(p)), se * slope, df, level)
    return np.sin(low) ** 2, np.sin(high) ** 2


def _wilson(
    p: np.ndarray, se: np.ndarray, df: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Return survey 4.2's Wilson interval with ``n_eff = p(1-p)/Var`` and t_df."""
    n_eff = p * (1 - p) / se**2
    t = t_quantile(level, df)
    denominator = 1 + t * t / n_eff
    centre = p + t * t / (2 * n_eff)
    half = t / (2 * n_eff) * np.sqrt(4 * n_eff * p * (1 - p) + t * t)
    return (centre - half) / denominator, (centre + half) / denominator


def _likelihood(
    p: np.ndarray,
    se: np.ndarray,
    df: np.ndarray,
    dispersion: ArrayLike,
    level: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the profile-likelihood limits of the working quasibinomial fit.

    R profiles the binomial deviance of ``svyglm(y ~ 1)`` scaled by the
    dispersion and cuts it at ``t_{df} sqrt(lambda)``, ``lambda`` being the
    design variance over the model variance. With one parameter the deviance
    difference is ``2 S KL(p || mu)`` (``S`` the sum of prior weights) and
    ``S`` cancels: the limits are the ``mu`` on each side of ``p`` with
    ``KL(p || mu) = t^2 phi Var / (2 p (1 - p))``. R interpolates a spline
    through about ten profile points; the roots here are exact.
    """
    t = t_quantile(level, df)
    bound = t**2 * np.asarray(dispersion, dtype=np.float64) * se**2 / (2 * p * (1 - p))
    centre = special.logit(p)
    limits = []
    for direction in (-1.0, 1.0):
        near, far = centre.copy(), centre + direction * 60.0
        for _ in range(_BISECTION_STEPS):
            middle = (near + far) / 2
            mu = special.expit(middle)
            divergence = special.rel_entr(p, mu) + special.rel_entr(1 - p, 1 - mu)
            beyond = divergence > bound
            far = np.where(beyond, middle, far)
            near = np.where(beyond, near, middle)
        limits.append(special.expit((near + far) / 2))
    valid = np.isfinite(bound)
    return np.where(valid, limits[0], np.nan), np.where(valid, limits[1], np.nan)
