"""One respondent's scores: the numbers that per-unit statistics are built from.

Which answers are scores comes from the definition: every ``rating`` question, and
every item of the scoring's dimensions (a 5-point agreement may be a
``select_one`` whose choice names are numbers). Reverse-coded items are flipped
(``low + high - value``), and a dimension's score is the mean of the items the
respondent answered, on the item scale, exactly as ``analysis.unit_summary``
scores a respondent.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from surveys.questionnaire.model import RATING_SCALE, Questionnaire, QuestionType

#: Lowest answer that counts as satisfied on the 5-point scale (Hài lòng).
DEFAULT_SATISFIED_MIN = 4.0


@dataclass(frozen=True)
class Score:
    """One number of one respondent: an item's answer or a dimension's score."""

    name: str
    kind: str  # "item" or "dimension"
    value: float
    satisfied: bool


def respondent_scores(
    questionnaire: Questionnaire, values: Mapping[str, object]
) -> list[Score]:
    """Return the respondent's item answers and dimension scores (answered only)."""
    scoring = questionnaire.scoring
    low, high = scoring.item_scale if scoring else RATING_SCALE
    threshold = (scoring.satisfied_min if scoring else None) or DEFAULT_SATISFIED_MIN
    reverse = (
        {item for d in scoring.dimensions for item in d.reverse} if scoring else set()
    )
    items: dict[str, float] = {}
    for name in scored_items(questionnaire):
        number = _number(values.get(name))
        if number is not None:
            items[name] = low + high - number if name in reverse else number
    scores = [Score(n, "item", v, v >= threshold) for n, v in items.items()]
    for dimension in scoring.dimensions if scoring else ():
        answered = [items[item] for item in dimension.items if item in items]
        if answered:
            mean = sum(answered) / len(answered)
            scores.append(Score(dimension.name, "dimension", mean, mean >= threshold))
    return scores


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


def _number(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None
