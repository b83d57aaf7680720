"""Design effects: how much the design inflates a variance over simple random sampling.

Kish's design effect, as R's ``svymean(..., deff=TRUE)`` and ``svytotal(...,
deff=TRUE)`` compute it: the design variance divided by the variance the same
estimator would have under simple random sampling *without* replacement of the
same number of rows from a population of the estimated size ``N = sum(w)``,
with the population variance estimated by the weighted ``n/(n-1)`` variance
(R's ``svyvar``). A design effect of 2 means the sample is worth half as many
independent answers.
"""

from __future__ import annotations

import numpy as np


def srs_variance(
    w: np.ndarray, y: np.ndarray, d: np.ndarray, n_domains: int, *, total: bool
) -> np.ndarray:
    """Return each domain's variance under simple random sampling, as R's ``deff``.

    Parameters
    ----------
    w, y, d : numpy.ndarray
        Weights, values and domain codes of the rows used (no missing values).
    n_domains : int
        Number of domains.
    total : bool
        Whether the estimator is a total (else a mean).

    Returns
    -------
    numpy.ndarray
        ``s2 (N - n) / (N n)`` for a mean and ``N^2`` times that for a total,
        ``s2`` the weighted variance with divisor ``n - 1``; NaN for a mean
        when ``N < n`` (weights that do not sum to a population, as R).

    References
    ----------
    .. [1] Kish, L. (1965). Survey Sampling. Wiley, section 8.2.
    .. [2] R ``survey::svymean`` and ``svytotal`` (``deff = TRUE``), survey
           4.1-1 and 4.5.
    """
    n = np.bincount(d, minlength=n_domains).astype(np.float64)
    size = np.bincount(d, weights=w, minlength=n_domains)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(d, weights=w * y, minlength=n_domains) / size
        spread = np.bincount(d, weights=w * (y - mean[d]) ** 2, minlength=n_domains)
        variance = n / (n - 1) * spread / size
        srs = variance * (size - n) / (size * n)
    if total:
        return srs * size**2
    return np.where(size >= n, srs, np.nan)
