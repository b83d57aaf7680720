"""Populations and samples for the coverage tests of calibration, PPS and svychisq.

Shared by tests/analysis/test_analysis_calibration_coverage.py (modest sizes)
and bench/bench_calibration_coverage.py (the full runs whose tables are in
docs/methodology.md section 11).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd


def conditional_poisson(
    size: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return every sample of n, its probability and the joint inclusion matrix.

    Conditional Poisson (maximum entropy) sampling: P(s) is proportional to
    the product of p_k / (1 - p_k) over the sample, p_k = n size_k / sum(size);
    enumerating the samples makes pi_k and pi_kl exact.
    """
    p = n * size / size.sum()
    samples = np.array(list(itertools.combinations(range(size.size), n)))
    log_odds = np.log(p / (1 - p))
    probability = np.exp(log_odds[samples].sum(axis=1))
    probability /= probability.sum()
    member = np.zeros((size.size, len(samples)))
    member[samples.T, np.arange(len(samples))] = 1
    return samples, probability, (member * probability) @ member.T


def pps_samples(
    rng: np.random.Generator, N: int, n: int, repetitions: int
) -> tuple[pd.DataFrame, np.ndarray, dict[str, float]]:
    """Draw PPS samples of communes, one stratum ("rep") per repetition.

    Returns the stacked samples (columns rep, id, pi, y), the population's
    joint inclusion matrix and the true total and mean of y over communes.
    """
    size = rng.gamma(2.0, 400.0, N) + 50
    samples, probability, joint = conditional_poisson(size, n)
    pi = np.diag(joint)
    y = 0.8 * size * rng.gamma(4.0, 0.25, N)
    chosen = samples[rng.choice(len(samples), size=repetitions, p=probability)]
    frame = pd.DataFrame(
        {
            "rep": np.repeat(np.arange(repetitions), n),
            "id": (np.arange(repetitions)[:, None] * N + chosen).ravel(),
            "pi": pi[chosen].ravel(),
            "y": y[chosen].ravel(),
        }
    )
    return frame, joint, {"total": y.sum(), "mean": y.mean()}


def rating_population(rng: np.random.Generator) -> pd.DataFrame:
    """Return 400 clusters of 20 people whose rating depends on their age group.

    Clusters differ in their age mix (and a little in level), so a sample of
    clusters gets the mix wrong and post-stratifying on age corrects it.
    """
    clusters, size = 400, 20
    cluster = np.repeat(np.arange(clusters), size)
    old_share = rng.beta(2, 3, clusters)[cluster]
    u = rng.random(cluster.size)
    age = np.where(
        u < old_share, "60+", np.where(u < old_share + 0.3, "35-59", "18-34")
    )
    sex = np.where(rng.random(cluster.size) < 0.5, "F", "M")
    effect = pd.Series({"18-34": -0.6, "35-59": 0.0, "60+": 0.5})
    rating = (
        3.6
        + effect[age].to_numpy()
        + rng.normal(0, 0.3, clusters)[cluster]
        + rng.normal(0, 0.8, cluster.size)
    )
    return pd.DataFrame({"cluster": cluster, "age": age, "sex": sex, "rating": rating})


def cluster_samples(
    rng: np.random.Generator, population: pd.DataFrame, taken: int, repetitions: int
) -> pd.DataFrame:
    """Draw SRS-without-replacement samples of clusters, one stratum per repetition."""
    n_clusters = population["cluster"].max() + 1
    chosen = np.argsort(rng.random((repetitions, n_clusters)), axis=1)[:, :taken]
    by_cluster = population.set_index("cluster").sort_index()
    sample = by_cluster.loc[chosen.ravel()].reset_index()
    size = len(population) // n_clusters
    sample["rep"] = np.repeat(np.arange(repetitions), taken * size)
    sample["psu"] = sample["rep"] * n_clusters + sample["cluster"]
    sample["fpc"] = n_clusters
    return sample


def independent_table(rng: np.random.Generator) -> pd.DataFrame:
    """Return a clustered sample of two variables that depend on the cluster only."""
    clusters, size = 20, 15
    cluster = np.repeat(np.arange(clusters), size)
    a = rng.random(cluster.size) < rng.beta(2, 2, clusters)[cluster]
    b = rng.integers(0, 3, cluster.size) + (rng.random(clusters)[cluster] < 0.5)
    return pd.DataFrame({"cluster": cluster, "a": a, "b": np.minimum(b, 2)})
