"""Coverage of the design proportion's default interval near 100% (seeded).

``SurveyDesign.proportion`` (R's ``svyciprop``, logit) on stratified cluster
samples (3 strata x 4 PSUs x 10 or 25 rows) with 10% of answers missing, at
p = 0.95 and 0.99, where some samples are all "yes" (before issue 15 they got
no interval). With 4000 repetitions the Monte
Carlo SE of a 95% coverage is sqrt(0.0475/4000) = 0.34 points: the band
0.93-0.97 is widened by 2 MC SE. The full grid is ``bench/bench_design_coverage.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from analysis import SurveyDesign
from tests.analysis.design_samples import cluster_samples

REPETITIONS = 4000
BAND = 2 * np.sqrt(0.0475 / REPETITIONS)


@pytest.mark.parametrize(("p", "per_psu", "seed"), [(0.95, 10, 1501), (0.99, 25, 1502)])
def test_default_design_proportion_interval_covers_near_one(p, per_psu, seed):
    frame = cluster_samples(
        np.random.default_rng(seed), REPETITIONS, p, per_psu=per_psu
    )
    design = SurveyDesign(frame, weights="w", strata="stratum", cluster="psu")
    table = design.proportion("satisfied", by="rep")
    # Every sample gets an interval, an all-"yes" one included.
    assert table[["ci_low", "ci_high"]].notna().all().all()
    if p == 0.99:
        assert (table["estimate"] == 1).mean() > 0.03
    covered = (table["ci_low"] <= p) & (p <= table["ci_high"])
    assert 0.93 - BAND <= covered.mean() <= 0.97 + BAND
