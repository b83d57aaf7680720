"""Simulated units of officials, shared by the coverage test and its bench.

Each unit has J officials whose ratings follow a cumulative-logit model with the
cut-points of a ceiling distribution (85-97% of answers 4 or 5,
``docs/statistics-design.md`` section 2.2) and an official effect drawn from
N(0, tau^2), or, misspecified, from a mixture where 15% of officials are
shifted down by 2 max(tau, 0.3). The truth an interval must cover is each
official's expected rating.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

SCALE = np.arange(1.0, 6.0)
#: Category probabilities of the unit's typical official (rating 1 to 5).
CEILING = {
    "D85": (0.02, 0.03, 0.10, 0.45, 0.40),
    "D92": (0.01, 0.02, 0.05, 0.32, 0.60),
    "D97": (0.005, 0.005, 0.02, 0.17, 0.80),
    "angry": (0.07, 0.01, 0.02, 0.30, 0.60),
}


@dataclass(frozen=True)
class Cell:
    """One scenario: officials per unit, mean ratings per official, spread."""

    officials: int
    mean_n: float
    tau: float
    mixture: bool = False


def simulate(cell: Cell, units: int, rng: np.random.Generator) -> pd.DataFrame:
    """Return one row per official: unit, official, counts c1..c5, truth.

    Units cycle through the ceiling distributions; n per official is
    max(2, Poisson(mean_n)).
    """
    names = list(CEILING)
    shape = (units, cell.officials)
    effect = rng.normal(0.0, cell.tau, shape)
    if cell.mixture:
        shifted = rng.random(shape) < 0.15
        effect = np.where(shifted, effect - 2 * max(cell.tau, 0.3), effect)
    cuts = special.logit(
        np.cumsum([CEILING[names[u % len(names)]] for u in range(units)], axis=1)[
            :, :-1
        ]
    )
    below = special.expit(cuts[:, None, :] - effect[:, :, None])
    edges = np.concatenate([np.zeros((*shape, 1)), below, np.ones((*shape, 1))], 2)
    probabilities = np.diff(edges, axis=2)
    n = np.maximum(2, rng.poisson(cell.mean_n, shape))
    counts = rng.multinomial(n, probabilities)
    frame = pd.DataFrame(counts.reshape(-1, 5), columns=[f"c{k}" for k in range(1, 6)])
    frame.insert(0, "official", np.tile(np.arange(cell.officials), units))
    frame.insert(0, "unit", np.repeat(np.arange(units), cell.officials))
    frame["truth"] = (probabilities @ SCALE).ravel()
    return frame


def ratings(officials: pd.DataFrame) -> pd.DataFrame:
    """Expand the counts into one row per rating (unit, official, rating)."""
    counts = officials[[f"c{k}" for k in range(1, 6)]].to_numpy()
    repeat = counts.ravel()
    rows = np.repeat(np.arange(len(officials)), 5)
    return pd.DataFrame(
        {
            "unit": np.repeat(officials["unit"].to_numpy()[rows], repeat),
            "official": np.repeat(officials["official"].to_numpy()[rows], repeat),
            "rating": np.repeat(np.tile(SCALE, len(officials)), repeat),
        }
    )


def coverage(
    officials: pd.DataFrame, estimate: str, low: str, high: str
) -> dict[str, float]:
    """Return coverage of the truth: (A) over officials, (B) for the lowest and
    highest estimate of each unit, (C) for the lowest and highest truth.

    Officials without an interval (NaN limits) are left out.
    """
    officials = officials.dropna(subset=[low, high])
    frame = officials.assign(
        covered=(officials[low] <= officials["truth"])
        & (officials["truth"] <= officials[high])
    )
    grouped = frame.groupby("unit")

    def picked(column: str, pick: Callable[[pd.Series], pd.Series]) -> float:
        return float(frame.loc[pick(grouped[column]), "covered"].mean())

    return {
        "A": float(frame["covered"].mean()),
        "B_low": picked(estimate, lambda g: g.idxmin()),
        "B_high": picked(estimate, lambda g: g.idxmax()),
        "C_low": picked("truth", lambda g: g.idxmin()),
        "C_high": picked("truth", lambda g: g.idxmax()),
    }
