"""Replicate-weight designs: jackknife (JK1, JKn) and bootstrap weights.

A replicate design carries, besides the sampling weights, R columns of
replicate weights. Any statistic is computed once with the sampling weights
(the estimate) and once with each replicate column; its variance is
``scale * sum_r rscale_r (theta_r - centre)**2``, the centre being the mean of
the replicates (R's default) or the estimate itself (``mse=True``). This needs
no linearisation, so it serves statistics that are awkward to linearise, such
as the composite indices of :mod:`analysis.indices`, and it is how agencies
publish variance information without releasing strata and PSU codes.

Everything here follows R's ``survey`` package (``as.svrepdesign``,
``svrepdesign``, ``svrVar``); ``docs/methodology.md`` section 11 says which
version was checked.
"""

from __future__ import annotations

import copy
from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd
from scipy import sparse, special

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
from analysis.design import SurveyDesign
from analysis.design_effects import srs_variance
from analysis.intervals import t_interval
from analysis.proportions import SURVEY_PROPORTION_METHODS, survey_proportion_interval
from analysis.results import ESTIMATE_COLUMNS, MIN_PUBLISH

REPLICATE_KINDS = ("JK1", "JKn", "bootstrap", "other")
#: The ``svyciprop`` methods :meth:`ReplicateDesign.proportion` offers.
REPLICATE_PROPORTION_METHODS = tuple(
    m for m in SURVEY_PROPORTION_METHODS if m != "likelihood"
)
#: Relative size below which a singular value of the weights does not count
#: towards the degrees of freedom (R's ``degf``: ``qr(weights, tol = 1e-5)``).
_RANK_TOLERANCE = 1e-5


class ReplicateDesign:
    """A survey sample with replicate weights, ready for design-based estimates.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent; never modified.
    weights : str
        Column of sampling weights.
    replicate_weights : list of str or array_like
        Replicate weight columns of ``data`` or an array (rows x replicates).
    kind : {"JK1", "JKn", "bootstrap", "other"}
        How the replicates were made; it sets the default ``scale`` and
        ``rscales`` as R's ``svrepdesign`` does: bootstrap ``1 / (R - 1)``
        and 1; JK1 ``(R - 1) / R`` and 1; JKn needs ``rscales``; other 1 and 1.
    scale : float, optional
        Overall multiplier of the variance.
    rscales : array_like, optional
        Multiplier of each replicate's squared deviation.
    mse : bool
        Centre the deviations on the estimate (R's ``mse=TRUE``) instead of
        on the mean of the replicates.
    combined : bool
        The replicate columns are full weights (R's ``combined.weights=TRUE``,
        the default); otherwise they are multipliers of ``weights``.

    References
    ----------
    .. [1] Wolter, K. M. (2007). Introduction to Variance Estimation, 2nd ed.
           Springer. Chapters 4 (jackknife) and 5 (bootstrap).
    .. [2] Lumley, T. (2010). Complex Surveys. Wiley. Section 2.4 and
           appendix C (R's ``svrepdesign``).
    """

    def __init__(
        self,
        data: pd.DataFrame,
        *,
        weights: Hashable,
        replicate_weights: Sequence[Hashable] | np.ndarray,
        kind: str = "other",
        scale: float | None = None,
        rscales: Sequence[float] | np.ndarray | None = None,
        mse: bool = False,
        combined: bool = True,
    ) -> None:
        check_frame(data)
        check_choice(kind, REPLICATE_KINDS, "kind")
        check_columns(data, [weights], "weights")
        sampling = _positive(check_numeric(data, weights, "weights"), "weights")
        replicates = _replicate_matrix(data, replicate_weights)
        if not combined:
            replicates = replicates * sampling[:, None]
        scale, rscales = _scales(kind, replicates.shape[1], scale, rscales)
        self._set_columns(
            data, np.column_stack([sampling, replicates]), kind, scale, rscales, mse
        )

    @classmethod
    def jackknife(
        cls, design: SurveyDesign, kind: str = "auto", *, mse: bool = False
    ) -> ReplicateDesign:
        """Return the delete-one-PSU jackknife of a design (R's ``as.svrepdesign``).

        Parameters
        ----------
        design : SurveyDesign
            A design without calibration (calibrate the replicate design
            instead, as R does).
        kind : {"auto", "JK1", "JKn"}
            JK1 (unstratified: each replicate drops one PSU, the others get
            weight ``n/(n-1)``, ``scale = (1 - f)(n-1)/n``) or JKn (stratified:
            the PSU's stratum is reweighted, ``rscales = (1 - f_h)(n_h-1)/n_h``);
            "auto" picks JK1 for one stratum, JKn otherwise. Strata sampled
            completely (f = 1) give no replicate, as R drops them.
        mse : bool
            As in the constructor.

        Returns
        -------
        ReplicateDesign

        References
        ----------
        .. [1] Wolter (2007), section 4.5; R ``survey::jk1weights``,
               ``jknweights``.
        """
        if not isinstance(design, SurveyDesign):
            raise ValueError(
                f"design must be a SurveyDesign, got {type(design).__name__}"
            )
        if design._calibration is not None:
            raise ValueError(
                "design is calibrated: build the jackknife from the uncalibrated "
                "design, then calibrate the replicate design"
            )
        check_choice(kind, ("auto", "JK1", "JKn"), "kind")
        psu, stratum, fraction = design._first_stage()
        n_strata = fraction.size
        if kind == "auto":
            kind = "JK1" if n_strata == 1 else "JKn"
        if kind == "JK1" and n_strata > 1:
            raise ValueError(
                f"JK1 needs an unstratified design, this one has {n_strata} strata"
            )
        psu_stratum = np.zeros(psu.max() + 1, dtype=np.int64)
        psu_stratum[psu] = stratum
        sampled = np.bincount(psu_stratum, minlength=n_strata)
        if (sampled < 2).any():
            bad = int(np.flatnonzero(sampled < 2)[0])
            raise ValueError(
                f"stratum code {bad} has one PSU: the jackknife needs two per stratum"
            )
        dropped = np.flatnonzero(fraction[psu_stratum] < 1)
        if dropped.size == 0:
            raise ValueError(
                "every stratum was sampled completely: there is no sampling variance"
            )
        factor = sampled / (sampled - 1)
        # Replicate r (PSU dropped[r]): its PSU gets 0, the rest of its stratum
        # n_h/(n_h-1), other strata 1.
        own = stratum[:, None] == psu_stratum[dropped][None, :]
        multiplier = np.where(own, factor[stratum][:, None], 1.0)
        multiplier[psu[:, None] == dropped[None, :]] = 0.0
        rscale = ((1 - fraction) * (sampled - 1) / sampled)[psu_stratum[dropped]]
        return cls._from_columns(
            design.data,
            np.column_stack([design.weights, multiplier * design.weights[:, None]]),
            kind=kind,
            scale=float(rscale[0]) if kind == "JK1" else 1.0,
            rscales=np.ones(dropped.size) if kind == "JK1" else rscale,
            mse=mse,
        )

    @classmethod
    def _from_columns(
        cls,
        data: pd.DataFrame,
        columns: np.ndarray,
        *,
        kind: str,
        scale: float,
        rscales: np.ndarray,
        mse: bool,
    ) -> ReplicateDesign:
        """Build a design from its weight columns (sampling weights first)."""
        design = cls.__new__(cls)
        design._set_columns(data, columns, kind, scale, rscales, mse)
        return design

    def _set_columns(
        self,
        data: pd.DataFrame,
        columns: np.ndarray,
        kind: str,
        scale: float,
        rscales: np.ndarray,
        mse: bool,
    ) -> None:
        self._data = data
        self._kind = kind
        self._columns = columns
        self._scale = scale
        self._rscales = np.asarray(rscales, dtype=np.float64)
        self._mse = bool(mse)
        self._degf = _rank_degrees_of_freedom(columns[:, 1:])

    def __repr__(self) -> str:
        return (
            f"ReplicateDesign({len(self._data)} rows, {self.n_replicates} {self._kind} "
            f"replicates, scale {self._scale:.6g}{', mse' if self._mse else ''})"
        )

    # -- public properties --------------------------------------------------

    @property
    def data(self) -> pd.DataFrame:
        """The data the design was built on (do not modify it)."""
        return self._data

    @property
    def weights(self) -> np.ndarray:
        """A copy of the sampling weights, one per row."""
        return self._columns[:, 0].copy()

    @property
    def replicate_weights(self) -> np.ndarray:
        """A copy of the replicate weights (rows x replicates), as full weights."""
        return self._columns[:, 1:].copy()

    @property
    def kind(self) -> str:
        """How the replicates were made: "JK1", "JKn", "bootstrap" or "other"."""
        return self._kind

    @property
    def n_replicates(self) -> int:
        """Number of replicate weight columns."""
        return self._columns.shape[1] - 1

    @property
    def degrees_of_freedom(self) -> int:
        """R's ``degf``: the rank of the replicate weights minus one."""
        return self._degf

    # -- estimates ----------------------------------------------------------

    def variance(self, estimate: np.ndarray, replicates: np.ndarray) -> np.ndarray:
        """Return the replicate variance of a statistic (R's ``svrVar``).

        Parameters
        ----------
        estimate : array_like
            The statistic computed with the sampling weights (any shape).
        replicates : array_like
            The same statistic computed with each replicate column, stacked
            on a first axis of length ``n_replicates``.

        Returns
        -------
        numpy.ndarray
            ``scale * sum_r rscale_r (theta_r - centre)**2``, shaped like
            ``estimate``; the centre is the mean of the replicates with a
            positive ``rscale`` or, with ``mse``, the estimate. Replicates
            whose statistic is NaN (a domain the replicate leaves without
            rows) are discarded element by element, as R's ``svrVar`` does
            (with a warning there); NaN when none is left.
        """
        replicates = np.asarray(replicates, dtype=np.float64)
        if replicates.shape[0] != self.n_replicates:
            raise ValueError(
                f"replicates must have {self.n_replicates} rows, "
                f"got {replicates.shape[0]}"
            )
        rscales = self._rscales.reshape((-1,) + (1,) * (replicates.ndim - 1))
        valid = ~np.isnan(replicates)
        # Infinite replicates (log-odds at p = 0 or 1) give NaN, not warnings.
        with np.errstate(invalid="ignore", divide="ignore"):
            if self._mse:
                centre = np.asarray(estimate, dtype=np.float64)
            else:
                centring = valid & (rscales > 0)
                centre = np.where(centring, replicates, 0.0).sum(axis=0)
                centre = centre / centring.sum(axis=0)
            squares = np.where(valid, rscales * (replicates - centre) ** 2, 0.0)
        variance = self._scale * squares.sum(axis=0)
        return np.where(valid.any(axis=0), variance, np.nan)

    def mean(
        self,
        variable: Hashable,
        by: Hashable | Sequence[Hashable] | None = None,
        level: float = 0.95,
        *,
        deff: bool = False,
    ) -> pd.DataFrame:
        """Estimate the population mean of ``variable``, overall or by domain.

        R's ``svymean(~variable, design, na.rm=TRUE)`` (and ``svyby``) on a
        replicate design; the interval is Student t with the domain's
        :meth:`domain_degrees_of_freedom` (R's ``degf`` of ``subset(design,
        ...)``), over the rows where ``variable`` is present.

        Parameters
        ----------
        variable : str
            Numeric column; missing values are left out.
        by : str or list of str, optional
            Columns defining domains.
        level : float
            Confidence level.
        deff : bool
            Add a ``deff`` column, the replicate variance over that of simple
            random sampling (:mod:`analysis.design_effects`), as
            :meth:`analysis.design.SurveyDesign.mean` does.

        Returns
        -------
        pandas.DataFrame
            As :meth:`analysis.design.SurveyDesign.mean`; ``method`` is
            ``"replicate-<kind>"``.
        """
        values = check_numeric(self._data, _column(self._data, variable), "variable")
        return self._estimate(values, by, level, ratio=True, deff=deff)

    def proportion(
        self,
        variable: Hashable,
        by: Hashable | Sequence[Hashable] | None = None,
        level: float = 0.95,
        *,
        method: str = "logit",
        deff: bool = False,
    ) -> pd.DataFrame:
        """Estimate the proportion of a 0/1 ``variable`` with an ``svyciprop`` interval.

        The interval is the one :meth:`analysis.design.SurveyDesign.proportion`
        gives (:func:`analysis.proportions.survey_proportion_interval`), from
        the replicate standard error and R's default degrees of freedom: the
        rank of the replicate weights over the domain's rows, those where
        ``variable`` is missing included, minus one. At an estimate of 0 or 1
        the limits are the ``"beta-boundary"`` ones.

        Parameters
        ----------
        variable, by, level, deff
            As in :meth:`mean`.
        method : {"logit", "beta", "mean", "xlogit", "asin", "wilson"}
            R's ``svyciprop`` method. ``"likelihood"`` needs the dispersion
            of a working ``svyglm`` fit on the replicates and is not offered.

        Returns
        -------
        pandas.DataFrame
            As :meth:`mean`; ``method`` names the interval of each row.

        References
        ----------
        .. [1] Lumley (2010), section 2.3.1; R ``survey::svyciprop``.
        """
        check_choice(method, REPLICATE_PROPORTION_METHODS, "method")
        values = check_binary(self._data, _column(self._data, variable))
        return self._estimate(values, by, level, ratio=True, deff=deff, method=method)

    def total(
        self,
        variable: Hashable,
        by: Hashable | Sequence[Hashable] | None = None,
        level: float = 0.95,
        *,
        deff: bool = False,
    ) -> pd.DataFrame:
        """Estimate the population total of ``variable``, overall or by domain.

        Parameters
        ----------
        variable, by, level, deff
            As in :meth:`mean`.

        Returns
        -------
        pandas.DataFrame
            As :meth:`mean`.
        """
        values = check_numeric(self._data, _column(self._data, variable), "variable")
        return self._estimate(values, by, level, ratio=False, deff=deff)

    def domain_degrees_of_freedom(self, codes: np.ndarray, n_groups: int) -> np.ndarray:
        """Return each group's degrees of freedom, R's ``degf(subset(design, ...))``.

        R recomputes ``degf`` for a subset as the rank of the replicate
        weights over the subset's rows minus one, so a domain met by few
        PSUs gets few degrees of freedom (apiclus1's high schools: 7 of the
        design's 14). A group inside one PSU gets 0, hence no interval.

        Parameters
        ----------
        codes : numpy.ndarray
            Each row's group code (negative: in no group).
        n_groups : int
            Number of groups.

        Returns
        -------
        numpy.ndarray
            One integer per group (0 for an empty group).
        """
        member = np.flatnonzero(codes >= 0)
        order = member[np.argsort(codes[member], kind="stable")]
        bounds = np.searchsorted(codes[order], np.arange(n_groups + 1))
        df = np.zeros(n_groups, dtype=np.int64)
        for group in np.flatnonzero(np.diff(bounds) > 0):
            rows = order[bounds[group] : bounds[group + 1]]
            if rows.size == codes.size:
                df[group] = self._degf
            else:
                df[group] = max(_rank_degrees_of_freedom(self._columns[rows, 1:]), 0)
        return df

    def domain_means(
        self, values: np.ndarray, codes: np.ndarray, n_groups: int
    ) -> np.ndarray:
        """Return each group's weighted means of ``values``, once per weight column.

        Parameters
        ----------
        values : numpy.ndarray
            Rows x variables, aligned with :attr:`data`; NaN is left out.
        codes : numpy.ndarray
            Each row's group code (negative: in no group).
        n_groups : int
            Number of groups.

        Returns
        -------
        numpy.ndarray
            (1 + n_replicates, groups, variables): the estimate with the
            sampling weights first, then one per replicate.
        """
        present = ~np.isnan(values)
        filled = np.where(present, values, 0.0)
        groups = _group_matrix(codes, n_groups)
        means = np.empty((self._columns.shape[1], n_groups, values.shape[1]))
        for j in range(values.shape[1]):
            # One variable at a time keeps the temporaries at rows x weights.
            sums = groups @ (self._columns * filled[:, j, None])
            counts = groups @ (self._columns * present[:, j, None])
            with np.errstate(invalid="ignore", divide="ignore"):
                means[:, :, j] = (sums / counts).T
        return means

    def _estimate(
        self,
        values: np.ndarray,
        by: Hashable | Sequence[Hashable] | None,
        level: float,
        *,
        ratio: bool,
        deff: bool,
        method: str | None = None,
    ) -> pd.DataFrame:
        level = check_level(level)
        deff = check_flag(deff, "deff")
        codes, keys = group_codes(self._data, by)
        n_domains = len(keys)
        every = codes
        codes = np.where(np.isnan(values), -1, codes)
        groups = _group_matrix(codes, n_domains)
        filled = np.where(np.isnan(values), 0.0, values)
        sums = groups @ (self._columns * filled[:, None])
        if ratio:
            with np.errstate(invalid="ignore", divide="ignore"):
                sums = sums / (groups @ self._columns)
        n = np.bincount(codes[codes >= 0], minlength=n_domains)
        estimate = np.where(n > 0, sums[:, 0], np.nan)
        variance = self.variance(estimate, sums[:, 1:].T)
        se = np.where(n > 0, np.sqrt(variance), np.nan)
        if method is None:
            df = self.domain_degrees_of_freedom(codes, n_domains)
            low, high = t_interval(estimate, se, df, level)
            label = f"replicate-{self._kind}"
        else:
            # As SurveyDesign.proportion: R's svyciprop takes degf of the
            # domain before na.rm drops the rows where the variable is missing.
            df = self.domain_degrees_of_freedom(every, n_domains)
            n_rows = np.bincount(every[every >= 0], minlength=n_domains)
            interval_se = se
            if method == "logit":
                # R fits svyglm on the replicates: the logit's SE is the
                # replicate SE of the replicates' log-odds, not the delta
                # method's se / (p (1 - p)) ("xlogit").
                with np.errstate(invalid="ignore", divide="ignore"):
                    log_odds = special.logit(sums)
                interval_se = (
                    np.sqrt(self.variance(log_odds[:, 0], log_odds[:, 1:].T))
                    * estimate
                    * (1 - estimate)
                )
            low, high, labels = survey_proportion_interval(
                estimate, interval_se, df, n, n_rows, method=method, level=level
            )
            label = [s.replace("taylor", f"replicate-{self._kind}") for s in labels]
        result = keys.copy()
        for name, column in zip(
            ESTIMATE_COLUMNS, (n, estimate, se, low, high, df, label), strict=True
        ):
            result[name] = column
        # No degrees of freedom (a domain inside one PSU): no interval.
        result["reliable"] = (n >= MIN_PUBLISH) & (df >= 1)
        if deff:
            inside = codes >= 0
            srs = srs_variance(
                self._columns[inside, 0],
                values[inside],
                codes[inside],
                n_domains,
                total=not ratio,
            )
            with np.errstate(invalid="ignore", divide="ignore"):
                result["deff"] = variance / srs
        return result

    def _weight_columns(self) -> np.ndarray:
        """Return the sampling weights and the replicate weights as columns."""
        return self._columns

    def _reweighted(self, columns: np.ndarray) -> ReplicateDesign:
        """Return a copy with new weight columns (calibration), degf recomputed."""
        design = copy.copy(self)
        design._columns = columns
        design._degf = _rank_degrees_of_freedom(columns[:, 1:])
        return design


def _column(data: pd.DataFrame, variable: Hashable) -> Hashable:
    check_columns(data, [variable], "variable")
    return variable


def _group_matrix(codes: np.ndarray, n_groups: int) -> sparse.csr_matrix:
    """Return the groups x rows indicator matrix of ``codes`` (negative: none)."""
    rows = np.flatnonzero(codes >= 0)
    return sparse.csr_matrix(
        (np.ones(rows.size), (codes[rows], rows)), shape=(n_groups, codes.size)
    )


def _positive(values: np.ndarray, role: str) -> np.ndarray:
    bad = ~np.isfinite(values) | (values <= 0)
    if bad.any():
        raise ValueError(
            f"{role} must be positive and finite, found {float(values[bad][0])!r}"
        )
    return values


def _replicate_matrix(
    data: pd.DataFrame, replicate_weights: Sequence[Hashable] | np.ndarray
) -> np.ndarray:
    """Return the replicate weights as a float matrix (rows x replicates), checked."""
    if isinstance(replicate_weights, (np.ndarray, pd.DataFrame)):
        matrix = np.asarray(replicate_weights, dtype=np.float64)
    else:
        columns = as_column_list(replicate_weights)
        check_columns(data, columns, "replicate weight")
        matrix = np.column_stack(
            [check_numeric(data, c, "replicate weight") for c in columns]
        )
    if matrix.ndim != 2 or matrix.shape[0] != len(data) or matrix.shape[1] < 2:
        raise ValueError(
            f"replicate_weights must be {len(data)} rows by at least 2 replicates, "
            f"got shape {matrix.shape}"
        )
    if not np.isfinite(matrix).all() or (matrix < 0).any():
        raise ValueError("replicate weights must be finite and non-negative")
    return matrix


def _scales(
    kind: str,
    count: int,
    scale: float | None,
    rscales: Sequence[float] | np.ndarray | None,
) -> tuple[float, np.ndarray]:
    """Return ``scale`` and ``rscales`` with R's defaults for ``kind``."""
    if kind == "JKn" and rscales is None:
        raise ValueError(
            "JKn replicate weights need rscales ((n_h - 1)/n_h per replicate)"
        )
    if scale is None:
        scale = {"bootstrap": 1 / (count - 1), "JK1": (count - 1) / count}.get(
            kind, 1.0
        )
    rscales = (
        np.ones(count) if rscales is None else np.asarray(rscales, dtype=np.float64)
    )
    if rscales.shape != (count,) or (rscales < 0).any() or not scale > 0:
        raise ValueError(
            f"need scale > 0 and {count} non-negative rscales, got scale={scale!r}, "
            f"rscales of shape {rscales.shape}"
        )
    return float(scale), rscales


def _rank_degrees_of_freedom(replicates: np.ndarray) -> int:
    """Return the numerical rank of the replicate weights minus one (R's ``degf``)."""
    singular = np.linalg.svd(replicates, compute_uv=False)
    return int((singular > _RANK_TOLERANCE * singular[0]).sum()) - 1
