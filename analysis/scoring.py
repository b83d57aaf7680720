"""The scoring map: which items form which dimension, reverse coding, scale, weights.

The questionnaire engine supplies it as a plain mapping, for example::

    {
        "items": {"q1": "access", "q2": "access", "q3": "staff", "q4": "staff"},
        "reverse": ["q4"],
        "scale": [1, 5],
        "weights": {"access": 40, "staff": 60},
    }

``items`` maps each item column to its dimension (a list of item names is also
accepted: items without dimensions). ``reverse`` lists items whose answers are
flipped (``low + high - value``) before anything else. ``scale`` is the answer
range. ``weights`` (optional) weighs dimensions in composites; any positive
numbers, normalised to sum to one; omitted means equal weights.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis._validation import check_columns, check_frame, check_numeric


@dataclass(frozen=True)
class ScoringMap:
    """Items, their dimensions, reverse coding, answer scale and dimension weights.

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
    """

    items: tuple[Hashable, ...]
    dimension_of: Mapping[Hashable, Hashable] = field(default_factory=dict)
    reverse: frozenset[Hashable] = frozenset()
    scale: tuple[float, float] = (1.0, 5.0)
    weights: Mapping[Hashable, float] = field(default_factory=dict)

    @property
    def dimensions(self) -> dict[Hashable, list[Hashable]]:
        """Return each dimension's items, dimensions in first-seen order."""
        grouped: dict[Hashable, list[Hashable]] = {}
        for item in self.items:
            if item in self.dimension_of:
                grouped.setdefault(self.dimension_of[item], []).append(item)
        return grouped

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
        unknown = set(mapping) - {"items", "reverse", "scale", "weights"}
        if unknown:
            raise ValueError(f"unknown scoring key(s) {sorted(map(str, unknown))}")
        raw_items = mapping.get("items")
        if isinstance(raw_items, Mapping):
            items, dimension_of = tuple(raw_items), dict(raw_items)
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
        result = cls(items, dimension_of, reverse, (low, high), {})
        weights = _normalised_weights(mapping.get("weights"), list(result.dimensions))
        return cls(items, dimension_of, reverse, (low, high), weights)

    def scored(
        self, responses: pd.DataFrame, out: np.ndarray | None = None
    ) -> np.ndarray:
        """Return the item answers as a float matrix, reverse coded and checked.

        Raises ValueError naming the column and value of any answer outside
        the scale. Missing answers stay NaN. ``out``, if given, is a
        (rows, items) float array to write into (saves a copy).
        """
        check_frame(responses, "responses")
        check_columns(responses, self.items, "item")
        low, high = self.scale
        shape = (len(responses), len(self.items))
        matrix = np.empty(shape, order="F") if out is None else out
        if matrix.shape != shape:
            raise ValueError(f"out must have shape {shape}, got {matrix.shape}")
        for j, item in enumerate(self.items):
            column = check_numeric(responses, item, "item")
            outside = (column < low) | (column > high)
            if outside.any():
                raise ValueError(
                    f"item column {item!r} has value {float(column[outside][0])!r} "
                    f"outside the scale {low:g}-{high:g}"
                )
            matrix[:, j] = low + high - column if item in self.reverse else column
        return matrix


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
    values = np.array([weights[d] for d in dimensions], dtype=np.float64)
    if not np.all(np.isfinite(values)) or np.any(values < 0) or values.sum() <= 0:
        raise ValueError(f"scoring 'weights' must be non-negative numbers: {weights!r}")
    return dict(zip(dimensions, values / values.sum(), strict=True))
