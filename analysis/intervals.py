"""Confidence intervals for means and proportions, scalar and vectorised.

The vectorised helpers (``t_interval``, ``wilson_interval``, ``logit_interval``)
take arrays so that per-unit summaries over hundreds of groups cost one call.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import special, stats

from analysis._validation import check_choice, check_level
from analysis.results import Estimate

PROPORTION_METHODS = ("wilson", "clopper-pearson")


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


def mean_ci(values: ArrayLike, level: float = 0.95) -> Estimate:
    """Return the mean of ``values`` with its Student-t interval.

    Missing values (NaN) are dropped first, like R's ``t.test``.

    Parameters
    ----------
    values : array_like
        Observations (1-D).
    level : float
        Confidence level.

    Returns
    -------
    Estimate
        ``method="t"``; ``se`` is ``s / sqrt(n)``. Fewer than two observations
        give NaN limits.

    References
    ----------
    .. [1] Student (1908). The probable error of a mean. Biometrika 6(1), 1-25.
    """
    level = check_level(level)
    array = _as_float_vector(values, "values")
    array = array[~np.isnan(array)]
    n = array.size
    if n == 0:
        raise ValueError("values must hold at least one non-missing number")
    estimate = float(array.mean())
    se = float(array.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan
    low, high = t_interval(estimate, se, n - 1, level)
    return Estimate(estimate, float(low), float(high), n, "t", level, se)


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
