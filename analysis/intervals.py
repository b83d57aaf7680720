"""Confidence intervals for means and proportions, scalar and vectorised.

The vectorised helpers (``t_interval``, ``dirichlet_mean_interval``,
``wilson_interval``, ``logit_interval``) take arrays so that per-unit summaries
over hundreds of groups cost one call.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import special, stats

from analysis._validation import check_choice, check_level
from analysis.results import Estimate

PROPORTION_METHODS = ("wilson", "clopper-pearson")
#: ``"t"`` is Student's interval; ``"dirichlet-perks"`` that of
#: :func:`dirichlet_mean_interval`, for answers on a rating scale.
MEAN_METHODS = ("t", "dirichlet-perks")


def t_quantile(level: float, df: ArrayLike) -> np.ndarray:
    """Return the two-sided Student-t quantile for ``level`` at each ``df``.

    Parameters
    ----------
    level : float
        Confidence level.
    df : array_like
        Degrees of freedom; ``inf`` gives the normal quantile, ``df < 1`` NaN.

    Returns
    -------
    numpy.ndarray
        ``t_{1 - (1 - level)/2, df}`` element-wise.
    """
    df = np.asarray(df, dtype=np.float64)
    upper = 1 - (1 - level) / 2
    safe = np.where(df >= 1, df, 1.0)
    return np.where(df >= 1, stats.t.ppf(upper, safe), np.nan)


def t_interval(
    estimate: ArrayLike, se: ArrayLike, df: ArrayLike, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``estimate -/+ t(level, df) * se`` element-wise.

    Parameters
    ----------
    estimate, se, df : array_like
        Point estimates, standard errors and degrees of freedom (broadcast).
    level : float
        Confidence level.

    Returns
    -------
    tuple of numpy.ndarray
        Lower and upper limits (NaN where ``se`` or ``df`` make them undefined).
    """
    estimate = np.asarray(estimate, dtype=np.float64)
    half = t_quantile(level, df) * np.asarray(se, dtype=np.float64)
    return estimate - half, estimate + half


def dirichlet_mean_interval(
    n: ArrayLike,
    total: ArrayLike,
    total_sq: ArrayLike,
    scale: tuple[float, float] = (1.0, 5.0),
    level: float = 0.95,
    *,
    points: ArrayLike | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return an interval for the mean of answers on a bounded rating scale.

    Student's t interval has zero width when every answer is the same, which
    under the ceiling effects of satisfaction data (85-97% answer 4 or 5)
    happens to many small groups, and it covers the true mean in only 48-84%
    of samples of 3 answers. This interval is the Bayesian posterior of the
    mean under a Dirichlet prior on the answer categories with the Perks
    constant ``1/K`` per scale point (prior mass one answer, spread evenly
    over the ``K`` answer values of :func:`scale_points`), matched by its first two
    moments to a beta distribution stretched over the scale. It stays inside
    the scale, is never of zero width, and needs only each group's count, sum
    and sum of squares, so stored tallies give exactly what the answers give.
    Because those moments are also the exact posterior moments of a Dirichlet
    process with this prior as base measure, the same formula serves
    non-integer scores (a dimension's score is the mean of its items).

    With ``a = 1/K``, scale points ``s_k``, ``L = s_1``, ``H = s_K``::

        E  = (total + a * sum(s_k)) / (n + 1)
        S2 = (total_sq + a * sum(s_k**2)) / (n + 1)
        V  = (S2 - E**2) / (n + 2)
        u  = (E - L) / (H - L),   nu = u (1 - u) (H - L)**2 / V - 1
        limits = L + (H - L) * BetaInv(alpha/2 and 1 - alpha/2; u nu, (1 - u) nu)

    The limits are then widened, if need be, to hold the sample mean
    ``total / n``: when every answer sits at an end of the scale the beta's
    tail stops a few thousandths short of it, and a report must not print a
    mean outside its own interval. Coverage (exact enumeration, in
    ``docs/methodology.md``) counts this widening. Sums no answers on the
    scale can give (a mean or a spread outside it) raise ValueError: they
    have no beta, and the widening would otherwise print a zero-width
    interval at the impossible mean.

    Parameters
    ----------
    n, total, total_sq : array_like
        Number of answers, their sum and the sum of their squares per group
        (broadcast).
    scale : (low, high)
        Lowest and highest answer.
    level : float
        Confidence (credible) level.
    points : array_like, optional
        The answer values the prior spreads its mass over, inside ``scale``
        (default :func:`scale_points` of ``scale``).

    Returns
    -------
    tuple of numpy.ndarray
        Lower and upper limits, inside ``[low, high]``; NaN where ``n < 1``.

    Raises
    ------
    ValueError
        When a group's mean, or its spread, lies outside the scale.

    References
    ----------
    .. [1] Perks, W. (1947). Some observations on inverse probability
           including a new indifference rule. J. Inst. Actuaries 73, 285-334.
    .. [2] Ferguson, T. S. (1973). A Bayesian analysis of some nonparametric
           problems. Ann. Statist. 1(2), 209-230.
    .. [3] docs/statistics-design.md, section 2.2 (exact coverage).
    """
    low, high = _scale_ends(scale)
    points = scale_points(scale) if points is None else _points_inside(points, scale)
    n = np.asarray(n, dtype=np.float64)
    total = np.asarray(total, dtype=np.float64)
    total_sq = np.asarray(total_sq, dtype=np.float64)
    valid = n >= 1
    with np.errstate(invalid="ignore", divide="ignore"):
        sample_mean = total / n
        spread = total_sq / n - sample_mean**2
    if np.any(valid & ~((sample_mean >= low) & (sample_mean <= high))):
        raise ValueError(f"some means lie outside the scale {low:g}-{high:g}")
    # The largest spread answers inside [low, high] with this mean can have.
    widest = (sample_mean - low) * (high - sample_mean)
    if np.any(valid & (spread > widest + 1e-9 * (high - low) ** 2)):
        raise ValueError(
            f"some sums of squares are impossible on the scale {low:g}-{high:g}"
        )
    centre, variance = perks_moments(n, total, total_sq, points)
    first, second = matched_beta(centre, variance, (low, high))
    span = high - low
    with np.errstate(invalid="ignore", divide="ignore"):
        tail = (1 - level) / 2
        lower = low + span * stats.beta.ppf(tail, first, second)
        upper = high - span * stats.beta.ppf(tail, second, first)
    return (
        np.where(valid, np.fmin(lower, sample_mean), np.nan),
        np.where(valid, np.fmax(upper, sample_mean), np.nan),
    )


def perks_moments(
    n: ArrayLike,
    total: ArrayLike,
    total_sq: ArrayLike,
    points: ArrayLike,
    prior: ArrayLike | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the posterior mean and variance of each group's population mean.

    The prior is Dirichlet with mass ``prior[k]`` on scale point ``points[k]``
    (Perks: ``1/K`` each, total mass one answer). The posterior is a Dirichlet
    process whose mean of the population mean and its variance need only the
    count, the sum and the sum of squares, so they hold for averages of several
    items too. Unit intervals, officials' own intervals and the rank
    comparisons all rest on these two moments.

    References
    ----------
    .. [1] Ferguson, T. S. (1973). A Bayesian analysis of some nonparametric
           problems. Ann. Statist. 1(2), 209-230.
    .. [2] Perks, W. (1947). J. Inst. Actuaries 73, 285-334.
    """
    points = np.asarray(points, dtype=np.float64)
    weights = (
        np.full(points.size, 1.0 / points.size)
        if prior is None
        else np.asarray(prior, dtype=np.float64)
    )
    mass = np.asarray(n, dtype=np.float64) + weights.sum()
    mean = (np.asarray(total, dtype=np.float64) + weights @ points) / mass
    second = (np.asarray(total_sq, dtype=np.float64) + weights @ points**2) / mass
    variance = np.maximum(second - mean * mean, 0.0) / (mass + 1)
    return mean, variance


def matched_beta(
    mean: ArrayLike, variance: ArrayLike, bounds: tuple[float, float]
) -> tuple[np.ndarray, np.ndarray]:
    """Return the shapes of the beta on ``bounds`` with this mean and variance.

    A Dirichlet posterior's variance is below ``share (1 - share) / (mass + 1)``
    on the unit scale, so both shapes are positive.
    """
    low, high = bounds
    width = high - low
    share = (np.asarray(mean, dtype=np.float64) - low) / width
    with np.errstate(invalid="ignore", divide="ignore"):
        size = share * (1 - share) * width * width / np.asarray(variance) - 1
    return share * size, (1 - share) * size


def scale_points(scale: tuple[float, float]) -> np.ndarray:
    """Return the answer values over which the Perks prior spreads its mass.

    A scale whose ends are a whole number of steps apart (1-5, 0-10,
    0.5-4.5) has an answer at every step: ``low, low + 1, ..., high``. Any
    other range (0-1.5, as XLSForm's ``item_min``/``item_max`` allow) names
    no answer values, so the prior goes to its two ends and its midpoint,
    1/3 each: symmetric like the whole-step prior, and a little wider than
    it (its variance is ``(high - low)**2 / 6``, against
    ``((high - low)**2 + 2 (high - low)) / 12`` for whole steps).

    Parameters
    ----------
    scale : (low, high)
        Lowest and highest answer, ``low < high``.

    Returns
    -------
    numpy.ndarray
        Increasing answer values from ``low`` to ``high``.
    """
    low, high = _scale_ends(scale)
    span = high - low
    if span.is_integer():
        return low + np.arange(span + 1.0)
    return np.array([low, (low + high) / 2, high])


def _scale_ends(scale: tuple[float, float]) -> tuple[float, float]:
    """Return the ends of a scale, or raise naming the scale."""
    try:
        low, high = (float(end) for end in scale)
    except (TypeError, ValueError):
        raise ValueError(f"scale must be (low, high), got {scale!r}") from None
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"scale must be two finite numbers, low < high, got {scale!r}")
    return low, high


def _points_inside(points: ArrayLike, scale: tuple[float, float]) -> np.ndarray:
    """Return ``points`` as floats if they increase from ``scale``'s low to its high."""
    array = np.asarray(points, dtype=np.float64)
    if (
        array.ndim != 1
        or array.size < 2
        or np.any(np.diff(array) <= 0)
        or (array[0], array[-1]) != _scale_ends(scale)
    ):
        raise ValueError(
            f"points must increase from the scale's low to its high, got {points!r}"
        )
    return array


def wilson_interval(
    successes: ArrayLike, n: ArrayLike, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Return the Wilson score interval without continuity correction.

    Identical to R's ``prop.test(x, n, correct=FALSE)$conf.int``.

    Parameters
    ----------
    successes, n : array_like
        Counts of successes and of trials (broadcast).
    level : float
        Confidence level.

    Returns
    -------
    tuple of numpy.ndarray
        Lower and upper limits, inside [0, 1]; NaN where ``n == 0``.

    References
    ----------
    .. [1] Wilson, E. B. (1927). Probable inference, the law of succession, and
           statistical inference. JASA 22(158), 209-212.
    """
    x = np.asarray(successes, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    z = stats.norm.ppf(1 - (1 - level) / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = x / n
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    low = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
    high = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    return low, high


def clopper_pearson_interval(
    successes: ArrayLike, n: ArrayLike, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Return the exact (Clopper-Pearson) interval, as R's ``binom.test``.

    Parameters
    ----------
    successes, n : array_like
        Counts of successes and of trials (broadcast).
    level : float
        Confidence level.

    Returns
    -------
    tuple of numpy.ndarray
        Lower and upper limits; NaN where ``n == 0``.

    References
    ----------
    .. [1] Clopper, C. J., Pearson, E. S. (1934). Biometrika 26(4), 404-413.
    """
    x = np.asarray(successes, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    alpha = 1 - level
    with np.errstate(invalid="ignore"):
        low = np.where(x > 0, stats.beta.ppf(alpha / 2, x, n - x + 1), 0.0)
        high = np.where(x < n, stats.beta.ppf(1 - alpha / 2, x + 1, n - x), 1.0)
    valid = n > 0
    return np.where(valid, low, np.nan), np.where(valid, high, np.nan)


def logit_interval(
    p: ArrayLike, se: ArrayLike, df: ArrayLike, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Return a Wald interval built on the log-odds scale and mapped back.

    This is R's ``svyciprop(method="logit")``: the log-odds standard error is
    ``se / (p (1 - p))`` (delta method, equal to the sandwich SE of an
    intercept-only quasibinomial ``svyglm``) and the quantile is Student-t with
    the design degrees of freedom. The interval is undefined when ``p`` is 0 or
    1 (as in R) and is then NaN.

    Parameters
    ----------
    p, se, df : array_like
        Estimated proportions, their standard errors and degrees of freedom.
    level : float
        Confidence level.

    Returns
    -------
    tuple of numpy.ndarray
        Lower and upper limits, inside (0, 1).

    References
    ----------
    .. [1] Lumley, T. (2010). Complex Surveys, section 2.3.1; R
           ``survey::svyciprop``.
    """
    p = np.asarray(p, dtype=np.float64)
    se = np.asarray(se, dtype=np.float64)
    inside = (p > 0) & (p < 1)
    safe_p = np.where(inside, p, 0.5)
    eta = special.logit(safe_p)
    se_eta = se / (safe_p * (1 - safe_p))
    low, high = t_interval(eta, se_eta, df, level)
    return (
        np.where(inside, special.expit(low), np.nan),
        np.where(inside, special.expit(high), np.nan),
    )


def mean_ci(
    values: ArrayLike,
    level: float = 0.95,
    method: str = "t",
    scale: tuple[float, float] = (1.0, 5.0),
) -> Estimate:
    """Return the mean of ``values`` with its interval.

    Missing values (NaN) are dropped first, like R's ``t.test``.

    Parameters
    ----------
    values : array_like
        Observations (1-D).
    level : float
        Confidence level.
    method : {"t", "dirichlet-perks"}
        ``"t"``: Student's interval, identical to R's ``t.test``.
        ``"dirichlet-perks"``: :func:`dirichlet_mean_interval`, for ratings on
        ``scale`` (the interval reports print for a unit's mean).
    scale : (low, high)
        Answer range of ``"dirichlet-perks"``; values outside it raise
        ValueError (they have no interval on it).

    Returns
    -------
    Estimate
        ``se`` is ``s / sqrt(n)``. The t interval of fewer than two
        observations has NaN limits.

    References
    ----------
    .. [1] Student (1908). The probable error of a mean. Biometrika 6(1), 1-25.
    .. [2] Perks, W. (1947). J. Inst. Actuaries 73, 285-334.
    """
    level = check_level(level)
    check_choice(method, MEAN_METHODS, "method")
    array = _as_float_vector(values, "values")
    array = array[~np.isnan(array)]
    n = array.size
    if n == 0:
        raise ValueError("values must hold at least one non-missing number")
    estimate = float(array.mean())
    se = float(array.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan
    if method == "t":
        low, high = t_interval(estimate, se, n - 1, level)
    else:
        low, high = dirichlet_mean_interval(
            n, array.sum(), (array * array).sum(), scale, level
        )
    return Estimate(estimate, float(low), float(high), n, method, level, se)


def proportion_ci(
    successes: int, n: int, level: float = 0.95, method: str = "wilson"
) -> Estimate:
    """Return the proportion ``successes / n`` with its interval.

    Parameters
    ----------
    successes, n : int
        Count of successes and of trials, ``0 <= successes <= n``, ``n > 0``.
    level : float
        Confidence level.
    method : {"wilson", "clopper-pearson"}
        ``"wilson"`` equals R's ``prop.test(correct=FALSE)``;
        ``"clopper-pearson"`` equals R's ``binom.test``.

    Returns
    -------
    Estimate
        The interval always lies in [0, 1].

    References
    ----------
    .. [1] Wilson, E. B. (1927). JASA 22(158), 209-212.
    .. [2] Clopper, C. J., Pearson, E. S. (1934). Biometrika 26(4), 404-413.
    """
    level = check_level(level)
    check_choice(method, PROPORTION_METHODS, "method")
    for name, value in (("successes", successes), ("n", n)):
        if isinstance(value, bool) or not float(value).is_integer():
            raise ValueError(f"{name} must be a whole number, got {value!r}")
    if n <= 0 or not 0 <= successes <= n:
        raise ValueError(
            f"need 0 <= successes <= n and n > 0, got successes={successes!r}, n={n!r}"
        )
    interval = wilson_interval if method == "wilson" else clopper_pearson_interval
    low, high = interval(successes, n, level)
    p = successes / n
    se = float(np.sqrt(p * (1 - p) / n))
    return Estimate(p, float(low), float(high), int(n), method, level, se)


def _as_float_vector(values: ArrayLike, name: str) -> np.ndarray:
    """Return ``values`` as a 1-D float array or raise ValueError naming it."""
    if isinstance(values, (pd.Series, pd.Index)):
        values = values.to_numpy(dtype=np.float64, na_value=np.nan)
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be numeric: {error}") from None
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    return array
