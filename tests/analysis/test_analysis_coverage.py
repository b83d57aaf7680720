"""Coverage of 95% intervals in repeated sampling (seeded, vectorised).

Each repetition is one group (for ``unit_summary``) or one set of strata (for
``SurveyDesign``), so a single call computes all intervals. With 3000
repetitions the Monte Carlo standard error of a 95% coverage is 0.4 points.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import SurveyDesign, unit_summary

REPETITIONS = 3000
# A skewed 1-5 rating: P(answer >= 4) = 0.65. (Wilson's exact coverage
# oscillates with p; at n = 30 and p = 0.65 it is 0.9467, at n = 300 0.9544.)
LIKERT = np.array([0.05, 0.10, 0.20, 0.40, 0.25])
TRUE_MEAN = float(np.dot(np.arange(1, 6), LIKERT))
TRUE_SATISFIED = 65.0


@pytest.mark.parametrize("n", [30, 300])
def test_mean_and_proportion_intervals_cover(n):
    rng = np.random.default_rng(1000 + n)
    answers = rng.choice(np.arange(1, 6), size=REPETITIONS * n, p=LIKERT)
    frame = pd.DataFrame(
        {"unit": np.repeat(np.arange(REPETITIONS), n), "q": answers.astype(float)}
    )
    table = unit_summary(frame, ["q"])
    mean_cover = (table["mean_low"] <= TRUE_MEAN) & (table["mean_high"] >= TRUE_MEAN)
    share_cover = (table["pct_satisfied_low"] <= TRUE_SATISFIED) & (
        table["pct_satisfied_high"] >= TRUE_SATISFIED
    )
    assert 0.93 <= mean_cover.mean() <= 0.97
    assert 0.93 <= share_cover.mean() <= 0.97


def _population(rng: np.random.Generator, strata: int, clusters: int):
    """Clusters of 20-60 elements with stratum and cluster effects."""
    sizes = rng.integers(20, 61, size=(strata, clusters))
    stratum_effect = rng.normal(0, 1.0, size=(strata, 1, 1))
    cluster_effect = rng.normal(0, 0.7, size=(strata, clusters, 1))
    values = 3 + stratum_effect + cluster_effect
    values = values + rng.gamma(2.0, 0.5, size=(strata, clusters, sizes.max()))
    present = np.arange(sizes.max()) < sizes[..., None]
    truth = values[present].mean()
    return values, sizes, truth


def _two_stage_samples(rng, values, sizes, clusters_taken, elements_taken):
    """Draw REPETITIONS stratified two-stage samples (SRSWOR at both stages)."""
    strata, clusters, longest = values.shape
    chosen = np.argsort(rng.random((REPETITIONS, strata, clusters)), axis=2)
    chosen = chosen[:, :, :clusters_taken]
    stratum = np.arange(strata)[None, :, None]
    keys = rng.random((REPETITIONS, strata, clusters_taken, longest))
    size = sizes[stratum, chosen]
    keys[np.arange(longest) >= size[..., None]] = np.inf
    element = np.argsort(keys, axis=3)[..., :elements_taken]
    shape = (REPETITIONS, strata, clusters_taken, elements_taken)
    rep, h, _, _ = np.indices(shape)
    return pd.DataFrame(
        {
            "rep": rep.ravel(),
            "stratum": (rep * strata + h).ravel(),
            "psu": np.broadcast_to(chosen[..., None], shape).ravel(),
            "ssu": element.ravel(),
            "y": values[h, np.broadcast_to(chosen[..., None], shape), element].ravel(),
            "fpc1": clusters,
            "fpc2": np.broadcast_to(size[..., None], shape).ravel(),
        }
    )


@pytest.mark.parametrize(
    ("clusters_taken", "elements_taken"),
    [(5, 2), (10, 10)],  # 3 strata: n = 30 and n = 300 elements
)
def test_stratified_two_stage_design_intervals_cover(clusters_taken, elements_taken):
    rng = np.random.default_rng(77 + clusters_taken)
    values, sizes, truth = _population(rng, strata=3, clusters=30)
    sample = _two_stage_samples(rng, values, sizes, clusters_taken, elements_taken)
    design = SurveyDesign(
        sample, strata="stratum", cluster=["psu", "ssu"], fpc=["fpc1", "fpc2"]
    )
    table = design.mean("y", by="rep")
    assert (table["n"] == 3 * clusters_taken * elements_taken).all()
    covered = (table["ci_low"] <= truth) & (truth <= table["ci_high"])
    assert 0.93 <= covered.mean() <= 0.97
