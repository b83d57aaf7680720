"""Design-based estimation for complex samples (weights, strata, clusters, fpc).

Standard errors are Taylor-linearised exactly as R's ``survey`` package does it
(``svydesign`` + ``svymean``/``svytotal``/``svyciprop``/``svyby``): the
estimator's influence values are summed to sampling units, and the variance of
those totals is computed stage by stage within strata. See ``docs/methodology.md``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analysis._grouping import group_codes
from analysis._validation import (
    as_column_list,
    check_binary,
    check_choice,
    check_columns,
    check_flag,
    check_frame,
    check_level,
    check_numeric,
)
from analysis.comparisons import holm_adjust
from analysis.design_effects import srs_variance
from analysis.intervals import t_interval, t_quantile
from analysis.lonely_psu import LONELY_PSU_RULES, stage_variance
from analysis.proportions import (
    SURVEY_PROPORTION_METHODS,
    quasibinomial_dispersion,
    survey_proportion_interval,
)
from analysis.quantiles import (
    WOODRUFF_INTERVALS,
    check_probabilities,
    domain_quantile,
    woodruff_limits,
)
from analysis.results import ESTIMATE_COLUMNS, MIN_PUBLISH


@dataclass(frozen=True)
class _Stage:
    """One sampling stage: which unit each row belongs to, and how it was drawn."""

    #: Code of the row's unit at this stage (nested in its parent), per row.
    unit: np.ndarray
    #: Code of each unit's parent (stratum for stage 1, previous unit after).
    parent_of_unit: np.ndarray
    #: Number of units sampled in each parent.
    sampled: np.ndarray
    #: Variance multiplier of each parent: earlier sampling fractions times
    #: (1 - n/N) n/(n-1), or times (1 - n/N) alone when n = 1 (as R's).
    scale: np.ndarray
    #: Whether each parent has one sampled unit and is not a certainty.
    lonely: np.ndarray
    #: Whether each parent is sampled with a fraction below 1 (n < N).
    varies: np.ndarray
    #: Describes a parent code in error messages ("stratum 'b'").
    where: Callable[[int], str]


class SurveyDesign:
    """A survey sample with its design, ready for design-based estimates.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent (element). It is never modified.
    weights : str, optional
        Column of sampling weights (inverse inclusion probabilities). Omitted:
        computed from ``fpc`` as the product over stages of N/n, or all 1.
    strata : str, optional
        Column of first-stage strata. Omitted: one stratum.
    cluster : str or list of str, optional
        Column(s) of cluster identifiers, one per sampling stage (PSU first).
        Omitted: every row is its own PSU. Clusters are taken as nested in
        their stratum and parent cluster (R's ``nest=TRUE``).
    fpc : str or list of str, optional
        Population size(s) for the finite population correction, one column
        per stage as in R's ``svydesign``: the number of PSUs in the stratum,
        then the number of second-stage units in the PSU, and so on (number of
        elements in the stratum when there are no clusters). When given, the
        variance is R's full multistage variance; when omitted, sampling is
        taken as with replacement at stage 1 (ultimate-cluster variance).
    lonely_psu : {"fail", "remove", "certainty", "adjust", "average"}
        What to do with a stratum (or parent unit) that has a single sampled
        unit and is not a certainty selection, when an estimate's rows touch
        it: R's ``options(survey.lonely.psu=...)``, see
        :mod:`analysis.lonely_psu`. ``"fail"`` (R's default) raises
        ValueError.
    adjust_domain_lonely : bool
        R's ``options(survey.adjust.domain.lonely=...)``: whether ``"adjust"``
        and ``"average"`` also apply to a stratum where a domain has rows in
        only one of its several PSUs.

    References
    ----------
    .. [1] Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R.
           Wiley. Chapters 2-3.
    .. [2] Lumley, T. (2004). Analysis of complex survey samples. Journal of
           Statistical Software 9(1).
    .. [3] Särndal, C.-E., Swensson, B., Wretman, J. (1992). Model Assisted
           Survey Sampling. Springer. Result 4.3.1 (multistage variance).
    """

    #: Calibration of the weights (``analysis.calibration``), None if none.
    _calibration = None

    def __init__(
        self,
        data: pd.DataFrame,
        *,
        weights: Hashable | None = None,
        strata: Hashable | None = None,
        cluster: Hashable | Sequence[Hashable] | None = None,
        fpc: Hashable | Sequence[Hashable] | None = None,
        lonely_psu: str = "fail",
        adjust_domain_lonely: bool = False,
    ) -> None:
        check_frame(data)
        check_choice(lonely_psu, LONELY_PSU_RULES, "lonely_psu")
        clusters = as_column_list(cluster)
        fpcs = as_column_list(fpc)
        if fpcs and len(fpcs) != max(1, len(clusters)):
            raise ValueError(
                f"fpc needs one column per sampling stage: got {len(fpcs)} fpc "
                f"column(s) {fpcs} for {max(1, len(clusters))} stage(s)"
            )
        design_columns = [c for c in (weights, strata) if c is not None]
        design_columns += clusters + fpcs
        check_columns(data, design_columns, "design")
        for column in design_columns:
            if data[column].isna().any():
                raise ValueError(f"design column {column!r} has missing values")
        if len(data) == 0:
            raise ValueError("data has no rows")

        self._data = data
        self._lonely_psu = lonely_psu
        self._adjust_domain_lonely = check_flag(
            adjust_domain_lonely, "adjust_domain_lonely"
        )
        self._n_rows = len(data)
        self._with_fpc = bool(fpcs)
        self._n_stages = max(1, len(clusters))
        self._strata = (
            pd.factorize(data[strata], sort=True)[0]
            if strata is not None
            else np.zeros(self._n_rows, dtype=np.int64)
        )
        self._stages, fpc_weights = self._build_stages(data, strata, clusters, fpcs)
        self._weights = (
            fpc_weights if weights is None else _check_weights(data, weights)
        )

    # -- construction -------------------------------------------------------

    def _build_stages(
        self,
        data: pd.DataFrame,
        strata: Hashable | None,
        clusters: list[Hashable],
        fpcs: list[Hashable],
    ) -> tuple[list[_Stage], np.ndarray]:
        """Code every stage's units, nested in their stratum and parent unit.

        Also returns the weights implied by the fpc columns (all 1 without).
        """
        labels = data[strata] if strata is not None else None
        kind = "stratum"
        # Without clusters each row is its own PSU; without fpc only stage 1
        # counts (with-replacement, "ultimate cluster" variance).
        stage_ids = [data[c] for c in clusters] or [pd.Series(np.arange(len(data)))]
        if not fpcs:
            stage_ids = stage_ids[:1]
        parent = self._strata
        fraction = np.ones(parent.max() + 1)
        fpc_weights = np.ones(self._n_rows)
        stages = []
        for number, ids in enumerate(stage_ids):
            own = pd.factorize(ids, sort=True)[0]
            unit = pd.factorize(parent * (own.max() + 1) + own, sort=True)[0]
            parent_of_unit = np.zeros(unit.max() + 1, dtype=np.int64)
            parent_of_unit[unit] = parent
            sampled = np.bincount(parent_of_unit, minlength=parent.max() + 1)

            def where(code: int, parent=parent, labels=labels, kind=kind) -> str:
                if labels is None:
                    return "the sample"
                value = labels.iloc[int(np.flatnonzero(parent == code)[0])]
                # numpy scalars print as np.int64(1): show the plain value.
                return f"{kind} {getattr(value, 'item', lambda: value)()!r}"

            if fpcs:
                population = _stage_population(
                    data, fpcs[number], parent, sampled, where
                )
                finite = 1 - sampled / population
                fpc_weights *= (population / sampled)[parent]
            else:
                finite = np.ones(sampled.size)
            lonely = (sampled == 1) & (finite > 0)
            with np.errstate(divide="ignore", invalid="ignore"):
                scale = (
                    fraction
                    * finite
                    * np.where(sampled > 1, sampled / (sampled - 1), 1.0)
                )

            def at_stage(code: int, where=where, number=number) -> str:
                return f"{where(code)} (stage {number + 1})"

            stages.append(
                _Stage(
                    unit, parent_of_unit, sampled, scale, lonely, finite > 0, at_stage
                )
            )
            # Later stages count only within this stage's sampled share.
            fraction = (fraction * (1 - finite))[parent_of_unit]
            parent = unit
            if clusters:
                labels, kind = ids, f"cluster ({clusters[number]!r})"
        return stages, fpc_weights

    def __repr__(self) -> str:
        first = self._stages[0]
        fpc = "with fpc" if self._with_fpc else "with replacement"
        return (
            f"SurveyDesign({self._n_rows} rows, {first.sampled.size} strata, "
            f"{first.parent_of_unit.size} PSUs, {self._n_stages} stage(s), "
            f"{fpc})"
        )

    # -- public estimates ---------------------------------------------------

    @property
    def data(self) -> pd.DataFrame:
        """The data the design was built on (do not modify it)."""
        return self._data

    @property
    def weights(self) -> np.ndarray:
        """A copy of the sampling weights, one per row."""
        return self._weights.copy()

    def mean(
        self,
        variable: Hashable,
        by: Hashable | Sequence[Hashable] | None = None,
        level: float = 0.95,
        *,
        deff: bool = False,
    ) -> pd.DataFrame:
        """Estimate the population mean of ``variable``, overall or by domain.

        Matches R's ``svymean(~variable, design, na.rm=TRUE)`` and
        ``svyby(~variable, ~by, design, svymean, na.rm=TRUE)``; the interval is
        ``confint(..., df=degf(subset))``: Student t with the domain's design
        degrees of freedom (PSUs minus strata among its non-missing rows).

        Parameters
        ----------
        variable : str
            Numeric column. Missing values are left out as a domain (R's
            ``na.rm=TRUE``), never by cutting the design.
        by : str or list of str, optional
            Columns defining domains. Each domain is estimated as a
            subpopulation of the whole design. Rows with a missing ``by`` value
            belong to no domain.
        level : float
            Confidence level.
        deff : bool
            Add a ``deff`` column: R's ``deff=TRUE``, the design variance over
            the variance of simple random sampling without replacement of the
            same number of rows (:mod:`analysis.design_effects`).

        Returns
        -------
        pandas.DataFrame
            One row per domain: the ``by`` columns, then ``n`` (non-missing
            rows), ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``df``,
            ``method`` and ``reliable`` (``n >= 30``). Nothing is suppressed
            here, so results stay comparable with R; apply
            :func:`analysis.results.flag_small_groups` before publishing.

        References
        ----------
        .. [1] Lumley (2010), sections 2.2 and 2.3.
        """
        values = self._values(variable, binary=False)
        return self._estimate(values, by, level, kind="mean", deff=deff)

    def proportion(
        self,
        variable: Hashable,
        by: Hashable | Sequence[Hashable] | None = None,
        level: float = 0.95,
        *,
        method: str = "logit",
        deff: bool = False,
    ) -> pd.DataFrame:
        """Estimate the population proportion of a 0/1 or boolean ``variable``.

        Estimate and standard error are those of ``svymean``; the interval is
        R's ``svyciprop(~variable, domain, method=method)`` with R's default
        degrees of freedom, ``degf`` of the domain's rows *including* those
        where ``variable`` is missing. At an estimate of exactly 0 or 1 R gives
        no usable interval except for ``"mean"``; there the limits are Korn and
        Graubard's with the effective sample size ``n`` (method
        ``"beta-boundary"``, see :mod:`analysis.proportions`).

        Parameters
        ----------
        variable : str
            Column holding 0/1 or booleans (missing allowed).
        by, level, deff
            As in :meth:`mean`.
        method : {"logit", "likelihood", "beta", "mean", "xlogit", "asin", \
"wilson"}
            R's ``svyciprop`` method (R's default ``"logit"``).

        Returns
        -------
        pandas.DataFrame
            As :meth:`mean`; ``method`` names the interval of each row.

        References
        ----------
        .. [1] Lumley (2010), section 2.3.1; R ``survey::svyciprop``.
        .. [2] Korn, E. L., Graubard, B. I. (1998). Survey Methodology 24(2),
               193-201.
        """
        check_choice(method, SURVEY_PROPORTION_METHODS, "method")
        values = self._values(variable, binary=True)
        return self._estimate(
            values, by, level, kind="mean", proportion=method, deff=deff
        )

    def total(
        self,
        variable: Hashable,
        by: Hashable | Sequence[Hashable] | None = None,
        level: float = 0.95,
        *,
        deff: bool = False,
    ) -> pd.DataFrame:
        """Estimate the population total of ``variable``, overall or by domain.

        Matches R's ``svytotal(~variable, design, na.rm=TRUE)`` (and ``svyby``
        with ``svytotal``); the interval is Student t with design df.

        Parameters
        ----------
        variable, by, level, deff
            As in :meth:`mean`.

        Returns
        -------
        pandas.DataFrame
            As :meth:`mean`.

        References
        ----------
        .. [1] Lumley (2010), section 2.2; Horvitz and Thompson (1952).
        """
        values = self._values(variable, binary=False)
        return self._estimate(values, by, level, kind="total", deff=deff)

    def ratio(
        self,
        numerator: Hashable,
        denominator: Hashable,
        by: Hashable | Sequence[Hashable] | None = None,
        level: float = 0.95,
    ) -> pd.DataFrame:
        """Estimate the ratio of two population totals, overall or by domain.

        Matches R's ``svyratio(~numerator, ~denominator, design, na.rm=TRUE)``
        (and ``svyby`` with ``svyratio``): ``R = sum(w y) / sum(w x)``, with
        influence values ``w (y - R x) / sum(w x)``; the interval is Student t
        with the domain's design df, as for :meth:`mean`.

        Parameters
        ----------
        numerator, denominator : str
            Numeric columns; rows where either is missing are left out as a
            domain.
        by, level
            As in :meth:`mean`.

        Returns
        -------
        pandas.DataFrame
            As :meth:`mean`.

        References
        ----------
        .. [1] Lumley (2010), section 3.4 (svyratio); Cochran (1977),
               section 6.
        """
        values = self._values(numerator, binary=False)
        base = self._values(denominator, binary=False)
        return self._estimate(values, by, level, kind="ratio", denominator=base)

    def quantile(
        self,
        variable: Hashable,
        quantiles: float | Sequence[float] = 0.5,
        by: Hashable | Sequence[Hashable] | None = None,
        level: float = 0.95,
        *,
        interval_type: str = "mean",
    ) -> pd.DataFrame:
        """Estimate population quantiles of ``variable`` with Woodruff intervals.

        Matches R's ``svyquantile(~variable, design, quantiles, ci=TRUE,
        na.rm=TRUE)`` (survey >= 4.1, ``qrule="math"``): the quantile is the
        smallest value whose weighted distribution function reaches ``p``; its
        interval maps the interval of the estimated distribution function at
        the quantile back through the same rule (see
        :mod:`analysis.quantiles`).

        Parameters
        ----------
        variable : str
            Numeric column (for example a 1-5 satisfaction score or minutes
            taken); missing values are left out.
        quantiles : float or sequence of float
            Probabilities in (0, 1); 0.5 is the median.
        by, level
            As in :meth:`mean`.
        interval_type : {"mean", "beta", "xlogit", "asin"}
            R's ``interval.type``: how the distribution function's interval
            is made (``"mean"``, Woodruff's original, is R's default).

        Returns
        -------
        pandas.DataFrame
            The ``by`` columns, ``quantile``, then ``n``, ``estimate``, ``se``
            (R's ``(upper - lower) / (2 t)``), ``ci_low``, ``ci_high``, ``df``,
            ``method`` and ``reliable``.

        References
        ----------
        .. [1] Woodruff, R. S. (1952). Confidence intervals for medians and
               other position measures. JASA 47(260), 635-646.
        .. [2] Lumley (2010), section 2.4.1; R ``survey::svyquantile``.
        """
        level = check_level(level)
        values = self._values(variable, binary=False)
        probabilities = check_probabilities(quantiles)
        check_choice(interval_type, WOODRUFF_INTERVALS, "interval_type")
        domain, keys = group_codes(self._data, by)
        n_domains = len(keys)
        domain = np.where(np.isnan(values), -1, domain)
        inside = domain >= 0
        d = domain[inside]
        w = self._weights[inside]
        y = values[inside]
        df = self._degrees_of_freedom(inside, d, n_domains)
        n = np.bincount(d, minlength=n_domains)
        tables = []
        for p in probabilities:
            estimate = domain_quantile(y, w, d, n_domains, p)
            below = (y <= estimate[d]).astype(np.float64)
            cdf, influence = _weighted_means(w, below, d, n_domains)
            variance = self._linearised_variance(influence, inside, d, n_domains)
            se = np.sqrt(np.maximum(variance, 0.0))
            low, high = woodruff_limits(
                y, w, d, n_domains, cdf, se, df, n, level, interval_type
            )
            half_t = 2 * t_quantile(level, df)
            table = keys.copy()
            table.insert(len(keys.columns), "quantile", p)
            columns = (
                n,
                np.where(n > 0, estimate, np.nan),
                (high - low) / half_t,
                low,
                high,
                df,
                f"woodruff-{interval_type}",
            )
            for name, column in zip(ESTIMATE_COLUMNS, columns, strict=True):
                table[name] = column
            table["reliable"] = n >= MIN_PUBLISH
            tables.append(table)
        return pd.concat(tables, ignore_index=True)

    # -- machinery ----------------------------------------------------------

    def _values(self, variable: Hashable, binary: bool) -> np.ndarray:
        check_columns(self._data, [variable], "variable")
        if binary:
            return check_binary(self._data, variable)
        return check_numeric(self._data, variable, "variable")

    def _estimate(
        self,
        values: np.ndarray,
        by: Hashable | Sequence[Hashable] | None,
        level: float,
        *,
        kind: str,
        denominator: np.ndarray | None = None,
        proportion: str | None = None,
        deff: bool = False,
    ) -> pd.DataFrame:
        """Return the table of a mean, total or ratio of ``values`` by domain."""
        level = check_level(level)
        deff = check_flag(deff, "deff")
        domain, keys = group_codes(self._data, by)
        n_domains = len(keys)
        base = np.ones_like(values) if denominator is None else denominator
        in_domain = domain >= 0
        every = domain[in_domain]
        domain = np.where(np.isnan(values) | np.isnan(base), -1, domain)
        inside = domain >= 0
        d = domain[inside]
        w = self._weights[inside]
        y = values[inside]
        n = np.bincount(d, minlength=n_domains)
        if kind == "total":
            estimate = np.bincount(d, weights=w * y, minlength=n_domains)
            influence = w * y
        else:
            estimate, influence = _weighted_ratios(w, y, base[inside], d, n_domains)
        estimate = np.where(n > 0, estimate, np.nan)
        variance = self._linearised_variance(influence, inside, d, n_domains)
        se = np.where(n > 0, np.sqrt(np.maximum(variance, 0.0)), np.nan)
        if proportion is None:
            df = self._degrees_of_freedom(inside, d, n_domains)
            low, high = t_interval(estimate, se, df, level)
            method = "taylor-t"
        else:
            # R's svyciprop takes df = degf(design) of the domain before
            # svymean(na.rm=TRUE) drops the rows where the variable is missing.
            df = self._degrees_of_freedom(in_domain, every, n_domains)
            n_rows = np.bincount(every, minlength=n_domains)
            dispersion = None
            if proportion == "likelihood":
                weight_sum = np.bincount(
                    every, weights=self._weights[in_domain], minlength=n_domains
                )
                dispersion = quasibinomial_dispersion(
                    w, d, n_domains, weight_sum / n_rows
                )
            low, high, method = survey_proportion_interval(
                estimate,
                se,
                df,
                n,
                n_rows,
                method=proportion,
                level=level,
                dispersion=dispersion,
            )
        result = keys.copy()
        columns = (n, estimate, se, low, high, df, method)
        for name, column in zip(ESTIMATE_COLUMNS, columns, strict=True):
            result[name] = column
        result["reliable"] = n >= MIN_PUBLISH
        if deff:
            srs = srs_variance(w, y, d, n_domains, total=kind == "total")
            with np.errstate(invalid="ignore", divide="ignore"):
                result["deff"] = variance / srs
        return result

    def compare_to_rest(
        self,
        variable: Hashable,
        by: Hashable | Sequence[Hashable],
        level: float = 0.95,
    ) -> pd.DataFrame:
        """Compare each domain's mean with the mean of all other domains, by design.

        For domain ``d`` this is R's ``svyttest(variable ~ I(by == d), design)``:
        the difference of the two domain means (``d`` minus the rest), its
        linearised standard error (both means from the same design, so their
        covariance through shared PSUs counts), a t interval and two-sided
        p-value on the design df minus 1 (PSUs minus strata among the rows
        used, minus one), and Holm's adjustment across the domains.

        Parameters
        ----------
        variable : str
            Numeric (or 0/1) column; rows where it or ``by`` is missing are left
            out, as in R.
        by : str or list of str
            Columns defining the domains.
        level : float
            Confidence level of the (unadjusted) intervals.

        Returns
        -------
        pandas.DataFrame
            The ``by`` columns, ``n``, ``estimate`` (domain mean), ``rest_n``,
            ``rest_estimate``, ``difference``, ``se``, ``ci_low``, ``ci_high``,
            ``df``, ``p_value``, ``p_holm``.

        References
        ----------
        .. [1] Lumley (2010), section 5.3 (svyttest); Holm (1979).
        """
        level = check_level(level)
        values = self._values(variable, binary=False)
        domain, keys = group_codes(self._data, by)
        if len(keys) < 2:
            raise ValueError(f"by {by!r} must define at least two domains")
        inside = (domain >= 0) & ~np.isnan(values)
        d = domain[inside]
        w = self._weights[inside]
        y = values[inside]
        n_domains = len(keys)
        mean, _ = _weighted_means(w, y, d, n_domains)
        everyone = np.zeros(d.size, dtype=np.int64)
        df = self._degrees_of_freedom(inside, everyone, 1)[0] - 1
        n = np.bincount(d, minlength=n_domains)
        rest_mean = np.full(n_domains, np.nan)
        se = np.full(n_domains, np.nan)
        for code in np.flatnonzero((n > 0) & (n < d.size)):
            outside = d != code
            both, influence = _weighted_means(w, y, outside.astype(np.int64), 2)
            influence[outside] *= -1
            rest_mean[code] = both[1]
            variance = self._linearised_variance(influence, inside, everyone, 1)
            se[code] = np.sqrt(max(variance[0], 0.0))
        difference = mean - rest_mean
        low, high = t_interval(difference, se, df, level)
        with np.errstate(invalid="ignore", divide="ignore"):
            p_value = 2 * stats.t.sf(np.abs(difference / se), max(df, 1))
        result = keys.copy()
        result["n"] = n
        result["estimate"] = mean
        result["rest_n"] = d.size - n
        result["rest_estimate"] = rest_mean
        result["difference"] = difference
        result["se"] = se
        result["ci_low"] = low
        result["ci_high"] = high
        result["df"] = df
        result["p_value"] = np.where(se > 0, p_value, np.nan)
        result["p_holm"] = holm_adjust(result["p_value"].to_numpy())
        return result

    def _linearised_variance(
        self, influence: np.ndarray, inside: np.ndarray, d: np.ndarray, n_domains: int
    ) -> np.ndarray:
        """Return the design variance of each domain's sum of ``influence``.

        Rows outside a domain have influence zero there, so each domain is a
        subpopulation of the full design: units with no domain rows still
        count in ``n`` (R pads them with zeros).
        """
        if self._calibration is not None:
            influence, inside, d = self._calibration.spread(
                influence, inside, d, n_domains
            )
        variance = np.zeros(n_domains)
        for number, stage in enumerate(self._stages):
            n_units = stage.parent_of_unit.size
            n_parents = stage.sampled.size
            unit_key = d * n_units + stage.unit[inside]
            unit_key, unit_index = np.unique(unit_key, return_inverse=True)
            unit_total = np.bincount(unit_index, weights=influence)
            parent = stage.parent_of_unit[unit_key % n_units]
            parent_key = (unit_key // n_units) * n_parents + parent
            parent_key, parent_index = np.unique(parent_key, return_inverse=True)
            variance += stage_variance(
                unit_total,
                parent_index,
                parent_key // n_parents,
                parent_key % n_parents,
                n_domains,
                sampled=stage.sampled,
                scale=stage.scale,
                lonely=stage.lonely,
                varies=stage.varies,
                first_stage=number == 0,
                rule=self._lonely_psu,
                adjust_domain_lonely=self._adjust_domain_lonely,
                where=stage.where,
            )
        return variance

    def _degrees_of_freedom(
        self, inside: np.ndarray, d: np.ndarray, n_domains: int
    ) -> np.ndarray:
        """Return PSUs minus strata among each domain's rows (R's ``degf``)."""
        first = self._stages[0]
        counts = []
        for codes, size in (
            (first.unit[inside], first.parent_of_unit.size),
            (self._strata[inside], first.sampled.size),
        ):
            distinct = np.unique(d * size + codes)
            counts.append(np.bincount(distinct // size, minlength=n_domains))
        return counts[0] - counts[1]

    # -- hooks for calibration, replicate weights, two-way tables -----------

    def _recalibrated(self, weights: np.ndarray, calibration: object) -> SurveyDesign:
        """Return a copy with calibrated ``weights`` and the residuals they need."""
        design = copy.copy(self)
        design._weights = weights
        design._calibration = calibration
        return design

    def _score_covariance(self, scores: np.ndarray) -> np.ndarray:
        """Return the design covariance of the weighted totals of ``scores``' columns.

        ``scores`` (rows x k) holds each row's influence. Column j and every
        sum of two columns are domains covering all rows, so calibration and
        the stage-wise variance apply as for any estimate; covariances follow
        from Var(a + b) = Var(a) + Var(b) + 2 Cov(a, b).
        """
        rows, k = scores.shape
        first, second = np.triu_indices(k, 1)
        columns = np.hstack([scores, scores[:, first] + scores[:, second]])
        n_columns = columns.shape[1]
        variance = self._linearised_variance(
            columns.T.ravel(),
            np.tile(np.arange(rows), n_columns),
            np.repeat(np.arange(n_columns), rows),
            n_columns,
        )
        covariance = np.diag(variance[:k])
        pairs = (variance[k:] - variance[first] - variance[second]) / 2
        covariance[first, second] = covariance[second, first] = pairs
        return covariance

    def _first_stage(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return each row's PSU and stratum codes and each stratum's sampling fraction.

        The fraction is 0 without fpc (sampling with replacement); it is read
        back from the stage-1 variance multiplier (1 - f) n/(n - 1).
        """
        first = self._stages[0]
        sampled = first.sampled
        fraction = np.zeros(sampled.size)
        if self._with_fpc:
            with np.errstate(divide="ignore", invalid="ignore"):
                finite = first.scale * (sampled - 1) / sampled
            fraction = np.where(sampled > 1, 1 - finite, np.nan)
        return first.unit, self._strata, fraction


def _stage_population(
    data: pd.DataFrame,
    column: Hashable,
    parent: np.ndarray,
    sampled: np.ndarray,
    where: Callable[[int], str],
) -> np.ndarray:
    """Return the population size per parent from an fpc column, validated."""
    values = check_numeric(data, column, "fpc")
    low = np.full(sampled.size, np.inf)
    high = np.full(sampled.size, -np.inf)
    np.minimum.at(low, parent, values)
    np.maximum.at(high, parent, values)
    for code in np.flatnonzero(low != high):
        raise ValueError(f"fpc column {column!r} varies within {where(code)}")
    for code in np.flatnonzero(low < sampled):
        raise ValueError(
            f"fpc column {column!r} is {float(low[code])!r} in {where(code)}, "
            f"fewer than the {sampled[code]} units sampled there; fpc must be a "
            "population size"
        )
    return low


def _weighted_means(
    w: np.ndarray, y: np.ndarray, d: np.ndarray, n_domains: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return each domain's weighted mean and every row's influence on its mean."""
    return _weighted_ratios(w, y, np.ones_like(y), d, n_domains)


def _weighted_ratios(
    w: np.ndarray, y: np.ndarray, x: np.ndarray, d: np.ndarray, n_domains: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return each domain's ``sum(w y) / sum(w x)`` and every row's influence."""
    base = np.bincount(d, weights=w * x, minlength=n_domains)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.bincount(d, weights=w * y, minlength=n_domains) / base
    return ratio, w * (y - ratio[d] * x) / base[d]


def _check_weights(data: pd.DataFrame, column: Hashable) -> np.ndarray:
    """Return the weights column as floats if every weight is positive and finite."""
    values = check_numeric(data, column, "weights")
    bad = ~np.isfinite(values) | (values <= 0)
    if bad.any():
        raise ValueError(
            f"weights column {column!r} must be positive and finite, "
            f"found {float(values[bad][0])!r}"
        )
    return values
