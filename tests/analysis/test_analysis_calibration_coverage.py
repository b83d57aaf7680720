"""Coverage in repeated sampling for PPS, calibrated designs and svychisq (seeded).

Modest sizes; bench/bench_calibration_coverage.py runs the same scenarios
(tests/analysis/calibration_scenarios.py) with 4000 repetitions. With R
repetitions the Monte Carlo SE of a 95% coverage is sqrt(0.0475 / R), so the
band 93-97% is widened by two of them; a 5% rejection rate gets the same
allowance above.
"""

from __future__ import annotations

import numpy as np
import pytest

from analysis.calibration import post_stratify
from analysis.contingency import rao_scott_test
from analysis.design import SurveyDesign
from analysis.pps import PPSDesign
from analysis.replicates import ReplicateDesign
from tests.analysis.calibration_scenarios import (
    cluster_samples,
    conditional_poisson,
    independent_table,
    pps_samples,
    rating_population,
)


def _band(repetitions: int) -> tuple[float, float]:
    allowance = 2 * np.sqrt(0.0475 / repetitions)
    return 0.93 - allowance, 0.97 + allowance


def _covers(table, truth) -> np.ndarray:
    return ((table["ci_low"] <= truth) & (table["ci_high"] >= truth)).to_numpy()


@pytest.mark.parametrize("method", ["brewer", "hartley-rao"])
def test_pps_mean_covers_and_total_variance_is_unbiased(method):
    repetitions, N, n = 1000, 24, 6
    rng = np.random.default_rng(1521)
    frame, joint, truth = pps_samples(rng, N, n, repetitions)
    design = PPSDesign(
        frame, probability="pi", cluster="id", strata="rep", method=method
    )
    low, high = _band(repetitions)
    assert low <= _covers(design.mean("y", by="rep"), truth["mean"]).mean() <= high
    # Exact variance of the HT total over all samples of the population.
    rng = np.random.default_rng(1521)
    size = rng.gamma(2.0, 400.0, N) + 50
    samples, probability, _ = conditional_poisson(size, n)
    y = 0.8 * size * rng.gamma(4.0, 0.25, N)
    totals = (y / np.diag(joint))[samples].sum(axis=1)
    variance = probability @ (totals - y.sum()) ** 2
    estimated = design.total("y", by="rep")["se"].to_numpy() ** 2
    assert abs(estimated.mean() / variance - 1) < 0.1
    # The with-replacement variance hailong used before overstates it.
    before = SurveyDesign(
        frame.assign(w=1 / frame["pi"]), weights="w", cluster="id", strata="rep"
    )
    assert (before.total("y", by="rep")["se"] ** 2).mean() / variance > 1.2


def test_post_stratified_mean_covers_and_is_narrower():
    repetitions = 500
    rng = np.random.default_rng(1530)
    population = rating_population(rng)
    truth = population["rating"].mean()
    ages = population["age"].value_counts().to_dict()
    sample = cluster_samples(rng, population, 20, repetitions)
    design = SurveyDesign(sample, strata="rep", cluster="psu", fpc="fpc")
    cells = {(r, a): c for r in range(repetitions) for a, c in ages.items()}
    adjusted = post_stratify(design, ["rep", "age"], cells).mean("rating", by="rep")
    plain = design.mean("rating", by="rep")
    low, high = _band(repetitions)
    assert low <= _covers(adjusted, truth).mean() <= high
    width = (adjusted["ci_high"] - adjusted["ci_low"]).mean()
    assert width < 0.9 * (plain["ci_high"] - plain["ci_low"]).mean()


def test_rao_scott_keeps_its_size_where_pearson_does_not():
    repetitions = 400
    rng = np.random.default_rng(1540)
    rejected, naive = [], []
    for _ in range(repetitions):
        result = rao_scott_test(
            SurveyDesign(independent_table(rng), cluster="cluster"), "a", "b"
        )
        rejected.append(result.p_value < 0.05)
        naive.append(result.pearson > 5.991)  # chi-squared(2) 95% point
    allowance = 2 * np.sqrt(0.0475 / repetitions)
    assert np.mean(rejected) <= 0.05 + allowance
    assert np.mean(naive) > 0.05 + allowance


def test_post_stratified_jk1_replicates_cover():
    repetitions = 800
    rng = np.random.default_rng(1531)
    population = rating_population(rng)
    truth = population["rating"].mean()
    ages = population["age"].value_counts().to_dict()
    sample = cluster_samples(rng, population, 20, repetitions)
    hits = []
    for _, one in sample.groupby("rep"):
        design = SurveyDesign(one, cluster="psu", fpc="fpc")
        replicates = post_stratify(ReplicateDesign.jackknife(design), "age", ages)
        hits.append(_covers(replicates.mean("rating"), truth)[0])
    low, high = _band(repetitions)
    assert low <= np.mean(hits) <= high
