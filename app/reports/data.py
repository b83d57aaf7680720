"""What a unit's or the district's report shows, assembled once for every format.

The PDF, the workbook and the dashboard must show the same numbers, so they are
computed here and only laid out by the renderers. Summaries come from the item
tallies (a few rows per unit, however many responses); what needs each
respondent (indices, officials) reads only the units and period reported on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis import (
    compare_to_rest_from_tallies,
    ddci_index,
    index_from_tallies,
    official_ratings,
    papi_index,
    rank_units_from_tallies,
    scale_points,
    sipas_index,
    summary_from_tallies,
)
from analysis.officials import TOO_FEW
from analysis.results import MIN_PUBLISH, flag_small_groups
from app.comment_text import masked_comment
from app.i18n import in_language
from app.labels import ALL_CHANNELS, channel_name
from app.official_document import Issuer, issuer_of
from app.reports.cases import CaseSection, case_section
from app.reports.dossier_ratings import dossier_ratings_table
from app.reports.dossiers import DossierSection, dossier_section
from app.reports.standing import Standing, peer_standing, quarterly_headline
from surveys.local_time import LOCAL_OFFSET
from surveys.models import Campaign, Official, ResponseChannel, ServicePoint, Unit
from surveys.questionnaire import Questionnaire
from surveys.questionnaire.official_questions import official_item
from surveys.questionnaire.scores import item_scale, scored_items
from surveys.questionnaire.versions import definition_of
from surveys.storage.counts import (
    latest_submission,
    low_rated_comments,
    rating_counts,
    response_counts,
)
from surveys.storage.frames import (
    analysis_scoring,
    period_tally_frame,
    response_frame,
)
from surveys.storage.periods import period_bounds, period_months
from surveys.units.tree import subtree_ids

#: Estimate columns every table carries, after its label and n.
ESTIMATES = (
    "mean",
    "mean_low",
    "mean_high",
    "pct_satisfied",
    "pct_satisfied_low",
    "pct_satisfied_high",
)
FLAGS = ("reliable", "suppressed")
#: Comments shown for follow-up: the newest ones of respondents rating this low.
COMMENT_MAX_RATING = 2
COMMENT_LIMIT = 50


@dataclass(frozen=True)
class Counts:
    """How many responses a report rests on, and how many came through single-use
    codes (verified) or were set aside (excluded, never in an estimate)."""

    responses: int
    verified: int
    excluded: int

    @classmethod
    def of(cls, counts: pd.DataFrame) -> Counts:
        kept = counts[~counts["excluded"].astype(bool)]
        return cls(
            int(kept["n"].sum()),
            int(kept.loc[kept["verified"].astype(bool), "n"].sum()),
            int(counts.loc[counts["excluded"].astype(bool), "n"].sum()),
        )


@dataclass(frozen=True)
class Header:
    """Whose report it is, on what, for when, and in which language."""

    unit_name: str
    unit_code: str
    campaign_name: str
    questionnaire_title: str
    #: "2026-Q2", "2026", or None for every response of the campaign.
    period: str | None
    language: str
    #: When the newest response counted came in (else when the period began):
    #: the same data always prints the same date, so a report can be reproduced.
    generated_at: datetime
    #: The score units are ranked and counters compared on, and its label.
    headline: str
    headline_label: str
    #: Who issues the report and where, for its national header.
    issuer: Issuer
    #: The range item and dimension means lie on: 1-5, or 0-10 and others
    #: from an XLSForm's ``item_min``/``item_max``; charts span all of it.
    item_scale: tuple[float, float] = (1.0, 5.0)
    #: The one channel the report is about (``Response.channel``); None: all.
    channel: str | None = None


@dataclass(frozen=True)
class UnitReport:
    """One unit's results; every estimate table has ``label``, ``n``, estimates,
    their intervals and the ``reliable``/``suppressed`` flags."""

    header: Header
    counts: Counts
    items: pd.DataFrame
    dimensions: pd.DataFrame
    index: pd.DataFrame
    counters: pd.DataFrame
    officials: pd.DataFrame
    comments: pd.DataFrame
    #: Satisfaction with the unit's dossiers returned in time and late.
    dossier_ratings: pd.DataFrame
    #: The headline per channel and all channels together (``by_channel``).
    channels: pd.DataFrame
    #: On time, the service indicators and the overdue dossiers; None when the
    #: unit has no dossier in the register.
    dossiers: DossierSection | None = None
    #: The feedback cases' quarters; None when the unit has no case.
    cases: CaseSection | None = None
    #: Its place among the units of the same parent; None without peers.
    standing: Standing | None = None


@dataclass(frozen=True)
class DistrictReport:
    """The district's league table of units, every unit's summary, and the
    district's own items and dimensions (all its units' responses together)."""

    header: Header
    counts: Counts
    league: pd.DataFrame
    units: pd.DataFrame
    items: pd.DataFrame
    dimensions: pd.DataFrame
    #: Satisfaction with dossiers returned in time and late, per unit and together.
    dossier_ratings: pd.DataFrame
    #: The headline per channel and all channels together (``by_channel``).
    channels: pd.DataFrame
    #: None when no unit of the district has a dossier in the register.
    dossiers: DossierSection | None = None
    #: The feedback cases' quarters per unit; None when no unit has a case.
    cases: CaseSection | None = None
    #: The headline per quarter, all units together then each unit
    #: (``app.reports.standing.quarterly_headline``).
    quarters: pd.DataFrame | None = None


def unit_report(
    session: Session,
    unit: Unit,
    campaign: Campaign,
    period: str | None,
    *,
    language: str = "vi",
    show_officials: bool = True,
    with_dossiers: bool = True,
    channel: str | None = None,
) -> UnitReport:
    """Assemble one unit's report for a campaign and period (None: all of it),
    of the responses of one ``channel`` (None: all of them).

    ``with_dossiers=False`` leaves out the dossier sections (the dashboard
    shows its own dossier summary, not these).

    ``show_officials=False`` leaves out the officials' ratings, for readers whose
    role may not see results of individual officials.
    """
    questionnaire = definition_of(campaign.questionnaire)
    between = period_bounds(period)
    units = [unit.id]
    header = _header(
        session, campaign, questionnaire, unit, units, period, language, channel
    )
    kept = {"unit_ids": units, "channel": channel}
    tallies = period_tally_frame(session, campaign.id, ("unit",), period, **kept)
    summary = _labelled_summary(tallies, questionnaire, language)
    by_counter = period_tally_frame(
        session, campaign.id, ("service_point",), period, **kept
    )
    counters = summary_from_tallies(
        by_counter[by_counter["item"] == header.headline],
        "service_point",
        scale=item_scale(questionnaire),
    )
    names = dict(
        session.execute(
            select(ServicePoint.id, ServicePoint.name).where(
                ServicePoint.unit_id == unit.id
            )
        ).all()
    )
    counters.insert(0, "label", counters["service_point"].map(names))
    return UnitReport(
        header=header,
        counts=Counts.of(
            response_counts(session, campaign.id, between=between, **kept)
        ),
        items=_table(summary[summary["kind"] == "item"]),
        dimensions=_table(summary[summary["kind"] == "dimension"]),
        index=_index(
            session, campaign, questionnaire, units, between, language, tallies, channel
        ),
        counters=_table(counters.dropna(subset=["label"])),
        officials=(
            _officials(session, campaign, questionnaire, unit, between, channel)
            if show_officials
            else pd.DataFrame(columns=OFFICIAL_COLUMNS)
        ),
        comments=_comments(session, campaign, questionnaire, units, between, channel),
        channels=by_channel(session, campaign, header, units),
        **_dossier_parts(session, {unit.id: unit.name}, period, with_dossiers),
        standing=peer_standing(
            session,
            unit,
            campaign,
            period,
            headline=header.headline,
            scale=item_scale(questionnaire),
            channel=channel,
        ),
    )


def district_report(
    session: Session,
    district: Unit,
    campaign: Campaign,
    period: str | None,
    *,
    language: str = "vi",
    rng: np.random.Generator | None = None,
    with_dossiers: bool = True,
    channel: str | None = None,
) -> DistrictReport:
    """Assemble the district's league table and per-unit summaries, of the
    responses of one ``channel`` (None: all of them).

    Units are compared all at once (``analysis.rank_units_from_tallies``):
    the rank intervals hold every unit's true rank together, and the league
    names, for each unit, the units it is shown above and below and those it
    cannot be told apart from. The comparisons draw from a bootstrap; without
    ``rng`` it is seeded with the campaign's id, so printing a report twice
    gives the same ranks.
    """
    questionnaire = definition_of(campaign.questionnaire)
    between = period_bounds(period)
    units = _descendants(session, district)
    ids = list(units)
    header = _header(
        session, campaign, questionnaire, district, ids, period, language, channel
    )
    kept = {"unit_ids": ids, "channel": channel}
    tallies = period_tally_frame(session, campaign.id, ("unit",), period, **kept)
    tallies = tallies[tallies["n"] > 0]
    summary = _labelled_summary(tallies, questionnaire, language)
    summary.insert(0, "unit_name", summary["unit"].map(units))
    whole = _labelled_summary(
        period_tally_frame(session, campaign.id, (), period, **kept),
        questionnaire,
        language,
        by=None,
    )
    headline = tallies[tallies["item"] == header.headline]
    generator = rng if rng is not None else np.random.default_rng(campaign.id)
    league = (
        summary[summary["item"] == header.headline]
        .drop(columns=["item", "kind", "label"])
        .merge(
            _named_ranks(
                rank_units_from_tallies(
                    headline, generator, scale=scale_points(item_scale(questionnaire))
                ),
                units,
            ),
            on="unit",
        )
        .merge(_compared_to_rest(headline), on="unit")
    )
    index = _index(
        session, campaign, questionnaire, ids, between, language, tallies, channel
    )
    if not index.empty:
        overall = index[index["tier"] == index["tier"].iloc[-1]]
        league = league.merge(
            overall[["unit", "estimate", "ci_low", "ci_high"]].rename(
                columns=lambda c: c if c == "unit" else f"index_{c}"
            ),
            on="unit",
            how="left",
        )
    league = league.sort_values(["rank", "unit_name"], na_position="last")
    counts = response_counts(session, campaign.id, between=between, **kept)
    return DistrictReport(
        header=header,
        counts=Counts.of(counts),
        league=league.rename(columns={"unit_name": "label"}).reset_index(drop=True),
        units=summary.reset_index(drop=True),
        items=_table(whole[whole["kind"] == "item"]),
        dimensions=_table(whole[whole["kind"] == "dimension"]),
        channels=by_channel(session, campaign, header, ids),
        **_dossier_parts(session, units, period, with_dossiers),
        quarters=quarterly_headline(
            session,
            campaign,
            period,
            units,
            headline=header.headline,
            scale=item_scale(questionnaire),
            channel=channel,
        ),
    )


def _dossier_parts(
    session: Session, names: dict[int, str], period: str | None, wanted: bool
) -> dict[str, Any]:
    """Return the dossier and case sections and ratings of the units named, or none."""
    if not wanted:
        return {"dossier_ratings": pd.DataFrame(), "dossiers": None, "cases": None}
    return {
        "dossier_ratings": dossier_ratings_table(session, names, period_months(period)),
        "dossiers": dossier_section(session, names, period),
        "cases": case_section(session, names, period),
    }


def _header(
    session: Session,
    campaign: Campaign,
    questionnaire: Questionnaire,
    unit: Unit,
    unit_ids: list[int],
    period: str | None,
    language: str,
    channel: str | None,
) -> Header:
    between = period_bounds(period)
    latest = latest_submission(
        session, campaign.id, unit_ids=unit_ids, between=between, channel=channel
    )
    start = datetime.combine(campaign.starts_on, time(), UTC) - LOCAL_OFFSET
    headline = headline_score(questionnaire)
    return Header(
        unit_name=unit.name,
        unit_code=unit.code,
        campaign_name=campaign.name,
        questionnaire_title=questionnaire.title.get(language),
        period=period,
        language=language,
        generated_at=latest or (between[0] if between else start),
        headline=headline,
        headline_label=score_labels(questionnaire, language)[headline],
        issuer=issuer_of(unit),
        item_scale=item_scale(questionnaire),
        channel=channel,
    )


def by_channel(
    session: Session, campaign: Campaign, header: Header, unit_ids: list[int]
) -> pd.DataFrame:
    """Return the headline per channel, then all channels together (channel
    None), as the counters' table is (label, n, estimates with intervals,
    flags); empty unless the units' responses of the period came through two
    channels or more.

    Always of every channel, whichever one the report is about: the table is
    what compares them. Its last row ("together") is the headline the report
    gives when it is about every channel.
    """
    tallies = period_tally_frame(
        session, campaign.id, ("channel",), header.period, unit_ids=unit_ids
    )
    tallies = tallies[(tallies["item"] == header.headline) & (tallies["n"] > 0)]
    columns = ["channel", "label", "n", *ESTIMATES, *FLAGS]
    if tallies["channel"].nunique() < 2:
        return pd.DataFrame(columns=columns)
    per_channel = summary_from_tallies(tallies, "channel", scale=header.item_scale)
    order = {channel: place for place, channel in enumerate(ResponseChannel)}
    per_channel = per_channel.sort_values("channel", key=lambda c: c.map(order))
    together = summary_from_tallies(tallies, None, scale=header.item_scale)
    # Named in the report's language, as its scores are (not the page's).
    with in_language(header.language):
        per_channel.insert(0, "label", per_channel["channel"].map(channel_name))
        together.insert(0, "label", str(ALL_CHANNELS))
    together.insert(0, "channel", None)
    return pd.concat([per_channel, together], ignore_index=True)[columns]


def headline_score(questionnaire: Questionnaire) -> str:
    """Name the score that ranks units: the first dimension, else the first item.

    Both are kept in the tallies, so the league table needs no respondent rows.
    """
    scoring = questionnaire.scoring
    if scoring is not None and scoring.dimensions:
        return scoring.dimensions[0].name
    items = scored_items(questionnaire)
    if not items:
        raise ValueError(f"questionnaire {questionnaire.key!r} has nothing to score")
    return items[0]


def score_labels(questionnaire: Questionnaire, language: str) -> dict[str, str]:
    """Return the label of every item and dimension, in the report's language."""
    labels = {
        name: questionnaire.question(name).label.get(language) or name
        for name in scored_items(questionnaire)
    }
    for dimension in questionnaire.scoring.dimensions if questionnaire.scoring else ():
        labels[dimension.name] = dimension.label.get(language) or dimension.name
    return labels


def _labelled_summary(
    tallies: pd.DataFrame,
    questionnaire: Questionnaire,
    language: str,
    *,
    by: str | None = "unit",
) -> pd.DataFrame:
    """Summarise tallies by ``by`` (None: all together) in questionnaire order,
    with each score's label."""
    summary = summary_from_tallies(tallies, by, scale=item_scale(questionnaire))
    labels = score_labels(questionnaire, language)
    order = {name: position for position, name in enumerate(labels)}
    summary = summary[summary["item"].isin(order)]
    summary = summary.sort_values(
        [*([by] if by else []), "item"],
        key=lambda c: c.map(order) if c.name == "item" else c,
    )
    summary.insert(0, "label", summary["item"].map(labels))
    return summary.reset_index(drop=True)


def _table(frame: pd.DataFrame) -> pd.DataFrame:
    """Keep the label, n, estimates with intervals and flags, in that order."""
    return frame[["label", "n", *ESTIMATES, *FLAGS]].reset_index(drop=True)


def _index(
    session: Session,
    campaign: Campaign,
    questionnaire: Questionnaire,
    unit_ids: list[int],
    between: tuple[datetime, datetime] | None,
    language: str,
    tallies: pd.DataFrame,
    channel: str | None,
) -> pd.DataFrame:
    """Return the questionnaire's index per unit, the way its scoring defines it.

    SIPAS-style percent satisfied, PAPI-style sum of 1-10 dimensions, or a
    DDCI/PCI-style weighted composite. An index of one item (the counter's
    one-tap rating) comes from the units' ``tallies``; one of several items
    needs each respondent's answers together, read from the responses.
    """
    scoring = questionnaire.scoring
    if scoring is None:
        return pd.DataFrame()
    mapping = analysis_scoring(questionnaire)
    if scoring.aggregation == "percent_satisfied":
        method, options = "sipas", {"satisfied_min": scoring.satisfied_min or 4}
    else:
        method, options = ("papi" if scoring.index.method == "sum" else "ddci"), {}
    if len(mapping["items"]) == 1:
        index = index_from_tallies(tallies, mapping, method, **options)
        if index.empty:
            return pd.DataFrame()
    else:
        responses = response_frame(
            session,
            campaign.id,
            list(mapping["items"]),
            unit_ids=unit_ids,
            between=between,
            channel=channel,
        )
        if responses.empty:
            return pd.DataFrame()
        computed = {"sipas": sipas_index, "papi": papi_index, "ddci": ddci_index}
        index = computed[method](responses, mapping, **options)
    labels = score_labels(questionnaire, language)
    labels[index["name"].iloc[-1]] = scoring.index.label.get(language)
    index.insert(0, "label", index["name"].map(labels))
    return index.reset_index(drop=True)


#: The officials table: scores with intervals, own ratings, the flag (a code the
#: layout translates) and how much the unit's officials differ (same each row).
OFFICIAL_COLUMNS = ["label", "n", "score", "score_low", "score_high", "own_mean",
                    "own_low", "own_high", "flag", "too_few", "spread",
                    "spread_high", "reliable", "suppressed"]  # fmt: skip
#: What an official with fewer than ``MIN_SUPPRESS`` ratings keeps: n only.
WITHHELD = ["score", "score_low", "score_high", "own_mean", "own_low", "own_high",
            "flag"]  # fmt: skip


def _officials(
    session: Session,
    campaign: Campaign,
    questionnaire: Questionnaire,
    unit: Unit,
    between: tuple[datetime, datetime] | None,
    channel: str | None,
) -> pd.DataFrame:
    """Return each official's score against the unit's typical official.

    Listed by code, never by score; below ``MIN_SUPPRESS`` ratings only n.
    """
    columns = OFFICIAL_COLUMNS
    item = official_item(questionnaire)
    if item is None:
        return pd.DataFrame(columns=columns)
    counts = rating_counts(session, campaign.id, item, unit.id, between, channel)
    if counts.empty:
        return pd.DataFrame(columns=columns)
    # One row per rating, as the model takes them: it only counts them by
    # official and value, so the database's counts give the same numbers.
    rated = counts.loc[counts.index.repeat(counts.pop("n"))].reset_index(drop=True)
    table = official_ratings(rated, rating=item)
    # Whether the unit has officials enough to compare is the unit's, not a
    # person's: kept when a person's own figures are withheld.
    table["too_few"] = table["flag"] == TOO_FEW
    shown = table["reportable"].to_numpy()
    for column in WITHHELD:
        table[column] = table[column].where(shown)
    # Keyed by id, shown with the code: two officials may share a name.
    officials = pd.DataFrame(
        session.execute(
            select(Official.id, Official.name, Official.code).where(
                Official.unit_id == unit.id
            )
        ).all(),
        columns=["official", "name", "code"],
    )
    table = table.merge(officials, on="official", how="left")
    table["label"] = table["name"] + " (" + table["code"] + ")"
    table["reliable"] = table["n"] >= MIN_PUBLISH
    table["suppressed"] = ~shown
    return table.sort_values("code")[columns].reset_index(drop=True)


def _comments(
    session: Session,
    campaign: Campaign,
    questionnaire: Questionnaire,
    unit_ids: list[int],
    between: tuple[datetime, datetime] | None,
    channel: str | None,
) -> pd.DataFrame:
    """Return recent comments of low ratings, for the unit to follow up.

    Masked (phone numbers, ID numbers, emails) for every format that shows
    them; comments hidden from reports are left out.
    """
    comments = low_rated_comments(
        session,
        campaign.id,
        questionnaire.comment_questions,
        unit_ids=unit_ids,
        between=between,
        at_most=COMMENT_MAX_RATING,
        limit=COMMENT_LIMIT,
        channel=channel,
    )
    local = pd.to_datetime(comments["submitted_at"], utc=True) + LOCAL_OFFSET
    comments["submitted_at"] = local.dt.tz_localize(None)
    comments["text"] = comments["text"].map(masked_comment)
    # The respondent (the response's id) stays for the dashboard's button that
    # makes a comment a feedback case; the exports pick their columns by name.
    return comments[["submitted_at", "service_point", "rating", "text", "respondent"]]


def _compared_to_rest(headline: pd.DataFrame) -> pd.DataFrame:
    """Each unit's difference with the rest of the district, under the same
    small-number rules as its mean: withheld below MIN_SUPPRESS, and below
    MIN_INTERVAL no interval nor p-value (Welch's t trusts the sample's own
    spread, which a few answers do not show)."""
    flagged = flag_small_groups(
        compare_to_rest_from_tallies(headline),
        estimates=("difference", "ci_low", "ci_high", "p_holm"),
        intervals=("ci_low", "ci_high", "p_holm"),
    )
    return flagged[["unit", "difference", "ci_low", "ci_high", "p_holm"]]


def _named_ranks(ranks: pd.DataFrame, names: dict[int, str]) -> pd.DataFrame:
    """Keep the league's rank columns, naming the units each one is compared with.

    ``group`` holds the letters of the compact letter display (two units
    sharing a letter cannot be told apart); ``better_than``, ``worse_than`` and
    ``indistinct`` list unit names, best ranked first, empty for a unit that
    is not ranked.
    """
    ranked = ranks.loc[ranks["rank"].notna(), "unit"].tolist()
    place = {unit: position for position, unit in enumerate(ranked)}

    def listed(units: object) -> list[int]:
        return sorted(units, key=place.__getitem__) if isinstance(units, list) else []

    # A unit ranks above the units in its better_than, below those in worse_than.
    above = ranks["better_than"].map(listed)
    below = ranks["worse_than"].map(listed)
    indistinct = [
        [unit for unit in ranked if unit not in {me, *under, *over}]
        if me in place
        else []
        for me, under, over in zip(ranks["unit"], above, below, strict=True)
    ]
    return ranks[["unit", "rank", "tied", "rank_low", "rank_high"]].assign(
        group=ranks["group_letters"],
        **{
            column: [[names[unit] for unit in units] for units in lists]
            for column, lists in (
                ("better_than", above),
                ("worse_than", below),
                ("indistinct", indistinct),
            )
        },
    )


def _descendants(session: Session, root: Unit) -> dict[int, str]:
    """Return the ids and names of ``root`` and every unit below it."""
    rows = session.execute(
        select(Unit.id, Unit.name).where(Unit.id.in_(subtree_ids(root.id)))
    )
    return {unit_id: name for unit_id, name in rows}
