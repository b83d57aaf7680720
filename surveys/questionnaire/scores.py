"""One respondent's scores: the numbers that per-unit statistics are built from.

Which answers are scores comes from the definition: every ``rating`` question, and
every item of the scoring's dimensions (a 5-point agreement may be a
``select_one`` whose choice names are numbers). How they are scored is not
written here: the definition becomes an ``analysis.ScoringMap``, and its
``score_one`` applies the rules ``analysis.unit_summary`` applies to a frame of
respondents (reverse coding, a dimension as the mean of the items answered, the
satisfied threshold, what counts as a number).
"""

from __future__ import annotations

from collections.abc import Mapping

from analysis.scoring import DEFAULT_SATISFIED_MIN, Score, ScoringMap
from surveys.questionnaire.model import RATING_SCALE, Questionnaire, QuestionType

__all__ = [
    "DEFAULT_SATISFIED_MIN",
    "Score",
    "item_scale",
    "respondent_scores",
    "scored_items",
]


def respondent_scores(
    questionnaire: Questionnaire, values: Mapping[str, object]
) -> list[Score]:
    """Return the respondent's item answers and dimension scores (answered only)."""
    scoring = _map_of(questionnaire)
    return [] if scoring is None else scoring.score_one(values)


def scored_items(questionnaire: Questionnaire) -> tuple[str, ...]:
    """Name the questions whose answers are scores, in questionnaire order."""
    scoring = questionnaire.scoring
    in_dimensions = (
        {item for d in scoring.dimensions for item in d.items} if scoring else set()
    )
    return tuple(
        q.name
        for q in questionnaire.questions
        if q.type is QuestionType.RATING or q.name in in_dimensions
    )


def item_scale(questionnaire: Questionnaire) -> tuple[float, float]:
    """Return the range its item and dimension scores lie on (1-5 without scoring).

    Reports need it for every interval: XLSForm's ``item_min``/``item_max``
    allow any range, 0-10 as well as 1-5.
    """
    scoring = _map_of(questionnaire)
    if scoring is None:
        return float(RATING_SCALE[0]), float(RATING_SCALE[1])
    return scoring.scale


def _map_of(questionnaire: Questionnaire) -> ScoringMap | None:
    """Return the questionnaire's scores as the analysis package's map, built once.

    The checksum names a definition's content exactly, so it is a safe cache
    key; None when the questionnaire scores nothing.
    """
    checksum = questionnaire.checksum
    if checksum not in _MAPS:
        _MAPS[checksum] = _build_map(questionnaire)
    return _MAPS[checksum]


_MAPS: dict[str, ScoringMap | None] = {}


def _build_map(questionnaire: Questionnaire) -> ScoringMap | None:
    items = scored_items(questionnaire)
    if not items:
        return None
    scoring = questionnaire.scoring
    if scoring is None:
        return ScoringMap.from_mapping({"items": list(items), "scale": RATING_SCALE})
    dimension_of = {item: d.name for d in scoring.dimensions for item in d.items}
    mapping: dict[str, object] = {
        # A rating outside every dimension is still scored, as an item alone.
        "items": {item: dimension_of.get(item) for item in items},
        "reverse": [item for d in scoring.dimensions for item in d.reverse],
        "scale": scoring.item_scale,
        "weights": {d.name: d.weight for d in scoring.dimensions},
    }
    if scoring.satisfied_min is not None:
        mapping["satisfied_min"] = scoring.satisfied_min
    return ScoringMap.from_mapping(mapping)
