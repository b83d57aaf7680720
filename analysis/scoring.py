"""The scoring map: which items form which dimension, reverse coding, scale, weights.

The questionnaire engine supplies it as a plain mapping, for example::

    {
        "items": {"q1": "access", "q2": "access", "q3": "staff", "q4": "staff"},
        "reverse": ["q4"],
        "scale": [1, 5],
        "weights": {"access": 40, "staff": 60},
        "satisfied_min": 4,
    }

``items`` maps each item column to its dimension, or to None for an item of no
dimension (a list of item names is also accepted: items without dimensions).
``reverse`` lists items whose answers are flipped (``low + high - value``)
before anything else. ``scale`` is the answer range. ``weights`` (optional)
weighs dimensions in composites; any positive numbers, normalised to sum to one;
omitted means equal weights. ``satisfied_min`` (optional, default 4) is the
lowest score counted as satisfied.

The map is the one definition of how a respondent is scored, whether many at
once from a DataFrame (:func:`analysis.frame_scores.score_matrix`, behind
:func:`analysis.unit_summary`) or one at a time from their answers
(:meth:`ScoringMap.score_one`, behind the application's running tallies). Both
read an answer with :func:`answer_number`, flip it with
:meth:`ScoringMap.coded`, score a dimension as the mean of the items answered
and call a score satisfied when it is at least ``satisfied_min``.

This module is plain Python, without numpy or pandas: a web process scores
each submitted response with it and loads the numerical stack only for the
first report (``analysis.frame_scores`` holds the DataFrame side).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from numbers import Number, Real
from typing import Any

#: Lowest score counted as satisfied unless the map says otherwise: 4 of 1-5
#: (Hài lòng or Rất hài lòng), as SIPAS counts it.
DEFAULT_SATISFIED_MIN = 4.0

#: The keys a plain scoring mapping may have.
MAPPING_KEYS = frozenset({"items", "reverse", "scale", "weights", "satisfied_min"})


def answer_number(value: object) -> float:
    """Return one answer as a number; NaN when it is no finite number.

    This is what counts as an answer on an item, for one respondent and for a
    column of a frame alike: numbers and numeric text (a ``select_one`` whose
    choice names are numbers) count; missing values, booleans, other text and
    infinities do not.
    """
    # numpy's booleans are no ``Number`` (Python's are, as ints): both are refused.
    if isinstance(value, bool) or not isinstance(value, (Number, str, bytes)):
        return math.nan
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return number if math.isfinite(number) else math.nan


@dataclass(frozen=True)
class Score:
    """One number of one respondent: an item's answer or a dimension's score."""

    name: Hashable
    kind: str  # "item" or "dimension"
    value: float
    satisfied: bool


@dataclass(frozen=True)
class ScoringMap:
    """Items, their dimensions, reverse coding, scale, weights and satisfied threshold.

    Attributes
    ----------
    items : tuple of str
        Item columns, in questionnaire order.
    dimension_of : Mapping[str, str]
        Dimension of each item (empty when items have no dimensions).
    reverse : frozenset of str
        Reverse-coded items.
    scale : tuple of float
        Lowest and highest possible answer.
    weights : Mapping[str, float]
        Normalised dimension weights (sum to one).
    satisfied_min : float
        Lowest item or dimension score counted as satisfied.
    """

    items: tuple[Hashable, ...]
    dimension_of: Mapping[Hashable, Hashable] = field(default_factory=dict)
    reverse: frozenset[Hashable] = frozenset()
    scale: tuple[float, float] = (1.0, 5.0)
    weights: Mapping[Hashable, float] = field(default_factory=dict)
    satisfied_min: float = DEFAULT_SATISFIED_MIN

    @property
    def dimensions(self) -> dict[Hashable, list[Hashable]]:
        """Return each dimension's items, dimensions in first-seen order."""
        return {dimension: list(members) for dimension, members in self._members}

    @cached_property
    def _members(self) -> tuple[tuple[Hashable, tuple[Hashable, ...]], ...]:
        # Worked out once per map: score_one runs once per respondent.
        grouped: dict[Hashable, list[Hashable]] = {}
        for item in self.items:
            if item in self.dimension_of:
                grouped.setdefault(self.dimension_of[item], []).append(item)
        return tuple((dimension, tuple(items)) for dimension, items in grouped.items())

    @classmethod
    def from_mapping(
        cls, mapping: Mapping | Sequence[Hashable], scale: Sequence[float] | None = None
    ) -> ScoringMap:
        """Build and validate a scoring map from the plain form described above."""
        if isinstance(mapping, ScoringMap):
            return mapping
        if isinstance(mapping, str) or not isinstance(mapping, (Mapping, Sequence)):
            raise ValueError(
                f"items must be a list of columns or a scoring mapping, got {mapping!r}"
            )
        if not isinstance(mapping, Mapping):
            mapping = {"items": list(mapping)}
        unknown = set(mapping) - MAPPING_KEYS
        if unknown:
            raise ValueError(f"unknown scoring key(s) {sorted(map(str, unknown))}")
        raw_items = mapping.get("items")
        if isinstance(raw_items, Mapping):
            items = tuple(raw_items)
            dimension_of = {i: d for i, d in raw_items.items() if d is not None}
        elif isinstance(raw_items, Sequence) and not isinstance(raw_items, str):
            items, dimension_of = tuple(raw_items), {}
        else:
            raise ValueError(
                f"scoring 'items' must be a list or mapping, not {raw_items!r}"
            )
        if not items:
            raise ValueError("scoring 'items' is empty")
        if len(set(items)) != len(items):
            raise ValueError(f"scoring 'items' repeats an item: {list(items)}")
        reverse = frozenset(mapping.get("reverse", ()))
        stray = reverse - set(items)
        if stray:
            raise ValueError(f"reverse-coded item(s) {sorted(map(str, stray))} unknown")
        low, high = _check_scale(scale if scale is not None else mapping.get("scale"))
        satisfied_min = mapping.get("satisfied_min")
        if satisfied_min is None:
            satisfied_min = DEFAULT_SATISFIED_MIN
        else:
            satisfied_min = _check_threshold(satisfied_min, (low, high))
        result = cls(items, dimension_of, reverse, (low, high), {})
        weights = _normalised_weights(mapping.get("weights"), list(result.dimensions))
        return cls(items, dimension_of, reverse, (low, high), weights, satisfied_min)

    def coded(self, item: Hashable, answers: Any) -> Any:
        """Return answers to ``item`` as scored: flipped if it is reverse coded.

        ``answers`` is one number or a numpy array of them.
        """
        if item in self.reverse:
            low, high = self.scale
            return low + high - answers
        return answers

    def score_one(self, answers: Mapping[Hashable, object]) -> list[Score]:
        """Score one respondent: the items they answered, then their dimensions.

        The numbers of one row of :func:`analysis.frame_scores.score_matrix`,
        without building a DataFrame (it runs once per submitted response).
        An item whose answer is no number (:func:`answer_number`) is
        unanswered. Answers are not checked against the scale: the
        questionnaire engine has validated them, and a respondent's
        submission must not fail on its scoring.
        """
        threshold = self.satisfied_min
        coded: dict[Hashable, float] = {}
        for item in self.items:
            number = answer_number(answers.get(item))
            if not math.isnan(number):
                coded[item] = self.coded(item, number)
        scores = [Score(n, "item", v, v >= threshold) for n, v in coded.items()]
        for dimension, members in self._members:
            answered = [coded[m] for m in members if m in coded]
            if answered:
                mean = sum(answered) / len(answered)
                scores.append(Score(dimension, "dimension", mean, mean >= threshold))
        return scores


def _check_threshold(value: object, scale: tuple[float, float]) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"satisfied_min must be a number, got {value!r}")
    return float(check_satisfied_min(value, scale))


def check_satisfied_min(value: float, scale: tuple[float, float]) -> float:
    """Return ``value`` if it lies inside the answer scale (above its lowest)."""
    if not scale[0] < value <= scale[1]:
        raise ValueError(
            f"satisfied_min {value!r} must lie inside the scale "
            f"{scale[0]:g}-{scale[1]:g}"
        )
    return value


def _check_scale(scale: object) -> tuple[float, float]:
    if scale is None:
        return 1.0, 5.0
    try:
        low, high = (float(v) for v in scale)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise ValueError(f"scale must be (low, high), got {scale!r}") from None
    if not low < high:
        raise ValueError(f"scale must have low < high, got {scale!r}")
    return low, high


def _normalised_weights(
    weights: Mapping | None, dimensions: list[Hashable]
) -> dict[Hashable, float]:
    if not dimensions:
        if weights:
            raise ValueError("scoring 'weights' given but items have no dimensions")
        return {}
    if weights is None:
        return {d: 1 / len(dimensions) for d in dimensions}
    missing = [d for d in dimensions if d not in weights]
    extra = [d for d in weights if d not in dimensions]
    if missing or extra:
        raise ValueError(
            f"scoring 'weights' must name every dimension once: missing {missing}, "
            f"unknown {extra}"
        )
    try:
        values = [float(weights[d]) for d in dimensions]
    except (TypeError, ValueError):
        values = [math.nan]
    total = math.fsum(values)
    if not all(math.isfinite(v) and v >= 0 for v in values) or not total > 0:
        raise ValueError(f"scoring 'weights' must be non-negative numbers: {weights!r}")
    return {d: v / total for d, v in zip(dimensions, values, strict=True)}
