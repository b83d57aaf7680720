"""Stratified cluster samples of a rare "no" for the design-proportion coverage runs.

Shared by ``test_analysis_design_coverage.py`` and
``bench/bench_design_coverage.py`` (the larger grid). Each repetition is one
complete sample whose strata are its own, so one ``by="rep"`` call estimates
every repetition at once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, special

#: Between-PSU standard deviation on the log-odds scale (ICC about 0.07).
PSU_SD = 0.5
#: Share of answers missing completely at random.
MISSING = 0.10


def intercept_for(p: float, sd: float = PSU_SD) -> float:
    """Return the log-odds intercept whose PSU-averaged proportion is ``p``."""
    z, weights = np.polynomial.hermite_e.hermegauss(60)
    weights = weights / weights.sum()

    def gap(intercept: float) -> float:
        return float((special.expit(intercept + sd * z) * weights).sum() - p)

    return optimize.brentq(gap, -30, 30)


def cluster_samples(
    rng: np.random.Generator,
    repetitions: int,
    p: float,
    *,
    strata: int = 3,
    psus: int = 4,
    per_psu: int = 10,
) -> pd.DataFrame:
    """Draw ``repetitions`` samples of 0/1 answers with PSU effects and missing values.

    PSUs are drawn with replacement from an infinite population of PSUs (so
    the ultimate-cluster variance is unbiased), stratum ``h`` has weight
    ``h + 1``, and every stratum has the same proportion ``p`` of 1s, which
    is therefore the estimand whatever the weights.
    """
    intercept = intercept_for(p)
    shape = (repetitions, strata, psus, per_psu)
    rep, stratum, psu, _ = np.indices(shape)
    effect = rng.normal(0.0, PSU_SD, size=(repetitions, strata, psus, 1))
    answer = (rng.random(shape) < special.expit(intercept + effect)).astype(float)
    answer[rng.random(shape) < MISSING] = np.nan
    return pd.DataFrame(
        {
            "rep": rep.ravel(),
            "stratum": (rep * strata + stratum).ravel(),
            "psu": psu.ravel(),
            "w": (1.0 + stratum).ravel(),
            "satisfied": answer.ravel(),
        }
    )
