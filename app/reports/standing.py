"""Where a unit stands among its peers, and the district's headline by quarter.

A unit's peers are the units with the same parent (the wards of its district)
that took part in the campaign in the period reported on. They are ranked
exactly as the district's league table ranks them: on the headline score's
tallies, with ``analysis.rank_units_from_tallies`` seeded with the campaign's
id, so a ward's report and the district's league print the same rank and the
same joint rank interval (the league ranks every unit of the district; when the
district has answers of its own, or units two levels down, its league holds
more units than a ward's peers and the two may differ).

What a unit may see of its peers is their place, not their results: its own
score, n and interval, and for every ranked peer only its rank and rank
interval, unnamed. A ward manager's scope is their ward; the district decides
whether and where to publish its named league table, and a ward's report is
forwarded on. Peers' scores and sizes are left out too: with two or three
peers, a score or n next to a rank names the ward as surely as its name does,
and the peers' average less the ward's own would give a single peer's result.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis import rank_units_from_tallies, scale_points, summary_from_tallies
from surveys.models import Campaign, Unit
from surveys.storage.frames import TALLY_TYPES, period_tally_frame, tally_frame
from surveys.storage.periods import quarters_in
from surveys.text import vietnamese_sort_key

#: The rank columns of the peers' anonymised league.
RANKS = ("rank", "rank_low", "rank_high")


@dataclass(frozen=True)
class Standing:
    """One unit's place among its peers, on the headline score.

    Plain values only: a standing is kept (``_standing``) for as long as the
    tallies it was computed from do not change.
    """

    unit_name: str
    #: Units of the same parent that took part, this one included.
    peers: int
    #: Of them, those with answers enough to be ranked.
    ranked: int
    #: This unit's headline: n, mean and its interval (None when withheld).
    n: int
    mean: float | None
    mean_low: float | None
    mean_high: float | None
    #: None when the unit has too few answers to be ranked.
    rank: int | None
    rank_low: int | None
    rank_high: int | None
    #: How many peers it is shown above, and below, all pairs judged together.
    above: int
    below: int
    #: One row per ranked peer, best first: whether it is this unit, its rank
    #: and the joint interval the district's league prints; nothing names the
    #: other units.
    league: tuple[tuple[bool, int, int, int], ...]


def peer_standing(
    session: Session,
    unit: Unit,
    campaign: Campaign,
    period: str | None,
    *,
    headline: str,
    scale: tuple[float, float],
    channel: str | None = None,
) -> Standing | None:
    """Rank ``unit`` among its peers on ``headline``, as the district's league does
    (on the responses of one ``channel``, when given).

    None when the unit has no parent, took no part, or no peer took part.
    """
    if unit.parent_id is None:
        return None
    peers = session.scalars(select(Unit.id).where(Unit.parent_id == unit.parent_id))
    # The period as the district's league reads it: a range of days counts its
    # own days, not the quarters it touches.
    tallies = period_tally_frame(
        session, campaign.id, ("unit",), period, unit_ids=list(peers), channel=channel
    )
    return _standing(
        _sums(tallies, headline, ("unit",)), unit.id, unit.name, campaign.id, scale
    )


#: The columns a tally row is kept by, after its groups.
SUMS = ("item", "kind", "n", "total", "total_sq", "satisfied")
#: How many rankings and standings are kept: a few campaigns and periods of a
#: district's units.
KEPT = 512


def _sums(
    tallies: pd.DataFrame, headline: str, groups: tuple[str, ...]
) -> tuple[tuple[object, ...], ...]:
    """Return the headline's tallies as sorted plain rows, a key for the caches."""
    rows = tallies[(tallies["n"] > 0) & (tallies["item"] == headline)]
    rows = rows.sort_values(list(groups))[[*groups, *SUMS]]
    return tuple(rows.itertuples(index=False, name=None))


def _frame(
    sums: tuple[tuple[object, ...], ...], groups: tuple[str, ...]
) -> pd.DataFrame:
    """Turn kept rows back into the tally frame ``analysis`` takes, typed if empty."""
    return pd.DataFrame(list(sums), columns=[*groups, *SUMS]).astype(TALLY_TYPES)


@functools.lru_cache(maxsize=KEPT)
def _standing(
    sums: tuple[tuple[object, ...], ...],
    unit_id: int,
    unit_name: str,
    seed: int,
    scale: tuple[float, float],
) -> Standing | None:
    """Place one unit among the units of ``sums``; kept while the sums hold."""
    taking_part = {row[0] for row in sums}
    if unit_id not in taking_part or len(taking_part) < 2:
        return None
    ranks = {row[0]: row[1:] for row in _ranks(sums, seed, scale)}
    own = summary_from_tallies(
        _frame(tuple(row for row in sums if row[0] == unit_id), ("unit",)),
        scale=scale,
    ).iloc[0]
    ranked = sorted(
        (place, unit == unit_id)
        for unit, (*place, _, _) in ranks.items()
        if place[0] is not None
    )
    rank, rank_low, rank_high, above, below = ranks[unit_id]
    return Standing(
        unit_name=unit_name,
        peers=len(ranks),
        ranked=len(ranked),
        n=int(own["n"]),
        mean=_number(own["mean"]),
        mean_low=_number(own["mean_low"]),
        mean_high=_number(own["mean_high"]),
        rank=rank,
        rank_low=rank_low,
        rank_high=rank_high,
        above=above,
        below=below,
        league=tuple((mine, *place) for place, mine in ranked),
    )


@functools.lru_cache(maxsize=KEPT)
def _ranks(
    sums: tuple[tuple[object, ...], ...], seed: int, scale: tuple[float, float]
) -> tuple[tuple[int, int | None, int | None, int | None, int, int], ...]:
    """Rank units from their sums as the district's league does, once per data.

    Every ward of a district asks for the same ranking: it is kept, as plain
    values, until a new answer changes the sums. Each row is the unit, its
    rank and joint rank interval (None when not ranked), and how many units it
    is shown above and below.
    """
    ranks = rank_units_from_tallies(
        _frame(sums, ("unit",)),
        np.random.default_rng(seed),
        scale=scale_points(scale),
    )
    return tuple(
        (
            int(row.unit),
            *(_whole(getattr(row, name)) for name in RANKS),
            len(row.better_than) if isinstance(row.better_than, list) else 0,
            len(row.worse_than) if isinstance(row.worse_than, list) else 0,
        )
        for row in ranks.itertuples(index=False)
    )


def quarterly_headline(
    session: Session,
    campaign: Campaign,
    period: str | None,
    units: dict[int, str],
    *,
    headline: str,
    scale: tuple[float, float],
    channel: str | None = None,
) -> pd.DataFrame:
    """Return the headline's n, mean and % satisfied with intervals per quarter
    (of one ``channel``'s responses, when given).

    Rows for all ``units`` together (``unit`` missing) come first, then each
    unit's, units by name and quarters in order. The quarters are the
    campaign's, up to the end of ``period`` (all of them for None), so a
    report on a quarter shows how it came to be.
    """
    tallies = tally_frame(
        session, campaign.id, ("unit", "period"), unit_ids=list(units), channel=channel
    )
    last = _last_quarter(period)
    if last is not None:
        tallies = tallies[tallies["period"] <= last]
    rows = _quarters(_sums(tallies, headline, ("unit", "period")), scale)
    table = pd.DataFrame(list(rows), columns=["unit", "quarter", *_ESTIMATE_COLUMNS])
    table.insert(1, "unit_name", table["unit"].map(units).fillna(""))
    # The whole's empty name sorts before every unit's.
    return table.sort_values(
        ["unit_name", "quarter"],
        key=lambda c: c.map(vietnamese_sort_key) if c.name == "unit_name" else c,
        ignore_index=True,
    )


@functools.lru_cache(maxsize=KEPT)
def _quarters(
    sums: tuple[tuple[object, ...], ...], scale: tuple[float, float]
) -> tuple[tuple[object, ...], ...]:
    """Summarise the sums per quarter, all units together (unit None) and each."""
    if not sums:
        return ()
    tallies = _frame(sums, ("unit", "period"))
    whole = summary_from_tallies(tallies, "period", scale=scale).assign(unit=None)
    each = summary_from_tallies(tallies, ["unit", "period"], scale=scale)
    table = pd.concat([whole, each], ignore_index=True)
    return tuple(
        table[["unit", "period", *_ESTIMATE_COLUMNS]].itertuples(index=False, name=None)
    )


_ESTIMATE_COLUMNS = ("n", "mean", "mean_low", "mean_high", "pct_satisfied",
                     "pct_satisfied_low", "pct_satisfied_high", "reliable",
                     "suppressed")  # fmt: skip


def _last_quarter(period: str | None) -> str | None:
    """Return the last quarter ``period`` covers ("2026-Q4"), None for all."""
    quarters = quarters_in(period)
    return quarters[-1] if quarters else None


def _number(value: object) -> float | None:
    return None if pd.isna(value) else float(value)  # type: ignore[arg-type]


def _whole(value: object) -> int | None:
    return None if pd.isna(value) else int(value)  # type: ignore[arg-type]
