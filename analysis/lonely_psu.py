"""One sampling stage's variance, with R's rules for strata that have one PSU.

A stratum (or, at later stages, a parent unit) with a single sampled unit gives
no estimate of its own variance. R's ``survey`` package offers
``options(survey.lonely.psu = ...)``, applied in ``onestrat``/``onestage``
(``R/multistage.R``) when the rows of an estimate touch such a stratum:

- ``"fail"``: stop with an error (R's default);
- ``"remove"`` and ``"certainty"``: the stratum contributes nothing;
- ``"adjust"``: the PSU's total is centred at the grand mean of the PSU totals
  over all strata the estimate touches, ``sum(t) / sum_h n_h``, instead of its
  own (survey >= 4.2; survey 4.1-1 centred it at 0, which at stage 1 gives
  the same means and proportions, whose influence values sum to 0 over the
  estimate's rows, but other totals);
- ``"average"``: the stratum is left out and the stage's variance multiplied
  by ``H / (H - lonely)``, ``H`` the strata the estimate touches.

A domain can also meet a stratum in only one of its several PSUs. R then does
nothing special (the other PSUs count as zeros) unless
``options(survey.adjust.domain.lonely = TRUE)``, when ``"adjust"`` and
``"average"`` treat that stratum as lonely for the domain.

At stages after the first R calls ``onestage`` once per sampled unit of the
previous stage, so the "grand mean" of ``"adjust"`` is that unit's own mean
(a lonely sub-unit then contributes nothing; survey 4.1-1 added
``(1 - f) t^2``, for means too) and ``"average"`` has nothing to average over:
the variance is NaN, as in R.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

#: The values of R's ``options(survey.lonely.psu)``.
LONELY_PSU_RULES = ("fail", "remove", "certainty", "adjust", "average")


def stage_variance(
    unit_total: np.ndarray,
    unit_pair: np.ndarray,
    pair_domain: np.ndarray,
    pair_parent: np.ndarray,
    n_domains: int,
    *,
    sampled: np.ndarray,
    scale: np.ndarray,
    lonely: np.ndarray,
    varies: np.ndarray,
    first_stage: bool,
    rule: str,
    adjust_domain_lonely: bool,
    where: Callable[[int], str],
) -> np.ndarray:
    """Return each domain's variance contribution from one sampling stage.

    Parameters
    ----------
    unit_total : numpy.ndarray
        Sum of the influence values of each (domain, unit) pair present.
    unit_pair : numpy.ndarray
        For each such unit, the index of its (domain, parent) pair.
    pair_domain, pair_parent : numpy.ndarray
        Domain and parent code (stratum at stage 1) of each pair.
    n_domains : int
        Number of domains.
    sampled, scale, lonely, varies : numpy.ndarray
        Per parent of the stage: units sampled in the design, variance
        multiplier (``f n/(n-1)``, or ``f`` when ``n = 1``, times the earlier
        sampling fractions), whether it has one sampled unit and is no
        certainty, and whether it is sampled with ``f > 0`` at all.
    first_stage : bool
        Whether the parents are the first-stage strata.
    rule : str
        One of :data:`LONELY_PSU_RULES`.
    adjust_domain_lonely : bool
        R's ``options(survey.adjust.domain.lonely)``.
    where : callable
        Describes a parent code for the error message of ``"fail"``.

    Returns
    -------
    numpy.ndarray
        One variance contribution per domain.

    References
    ----------
    .. [1] R ``survey`` package, ``R/multistage.R`` (``onestrat``,
           ``onestage``), versions 4.1-1 and 4.5; Lumley (2010), section 2.2.
    """
    n_sampled = sampled[pair_parent]
    present = np.bincount(unit_pair)
    total = np.bincount(unit_pair, weights=unit_total)
    design_lonely = lonely[pair_parent]
    if rule == "fail" and design_lonely.any():
        raise ValueError(
            f"{where(int(pair_parent[design_lonely][0]))} has only one sampled "
            "unit, so its variance cannot be estimated; choose another "
            f"lonely_psu rule than 'fail' (one of {list(LONELY_PSU_RULES)})"
        )
    domain_lonely = (
        adjust_domain_lonely & (present == 1) & (n_sampled > 1) & varies[pair_parent]
    )
    treated = design_lonely | domain_lonely
    centre = total / n_sampled
    if rule == "adjust" and first_stage:
        grand = np.bincount(pair_domain, weights=total, minlength=n_domains)
        # A domain without rows (all missing) has no PSU: 0/0, never used.
        with np.errstate(invalid="ignore", divide="ignore"):
            grand /= np.bincount(pair_domain, weights=n_sampled, minlength=n_domains)
        centre = np.where(treated, grand[pair_domain], centre)
    # Units of the parent with no row in the domain count as zeros (R pads).
    squares = (
        np.bincount(unit_pair, weights=(unit_total - centre[unit_pair]) ** 2)
        + (n_sampled - present) * centre**2
    )
    contribution = scale[pair_parent] * squares
    if rule != "average":
        return np.bincount(pair_domain, weights=contribution, minlength=n_domains)
    # R averages over the strata of one onestage call: all first-stage strata
    # the domain touches, or a single parent at later stages.
    group = pair_domain if first_stage else np.arange(pair_domain.size)
    size = n_domains if first_stage else pair_domain.size
    count = np.bincount(group, minlength=size)
    kept = np.bincount(group, weights=~treated, minlength=size)
    kept_sum = np.bincount(
        group, weights=np.where(treated, 0.0, contribution), minlength=size
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        group_sum = np.where(count > 0, kept_sum * count / kept, 0.0)
    if first_stage:
        return group_sum
    return np.bincount(pair_domain, weights=group_sum, minlength=n_domains)
