"""The codes a paper form prints beside its options, and a clerk types back.

A clerk keys a ticked box as a number: an option list whose names are all
short numbers ("1".."5" of a rating, "01".."12") keeps them, so the printed
code is the stored value; any other list is coded 1, 2, 3... in its order.
Printing and keying both ask this module, so the two cannot disagree.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from surveys.questionnaire.expressions import Binary, Current, Literal, Node
from surveys.questionnaire.model import Choice, Question

#: Longest option name kept as its own code: what a clerk types at a glance.
LONGEST_NAME_CODE = 3


def option_codes(options: Sequence[Choice]) -> dict[str, str]:
    """Map each option's name to the code printed beside its box."""
    names = [option.name for option in options]
    if all(name.isdigit() and len(name) <= LONGEST_NAME_CODE for name in names):
        return {name: name for name in names}
    return {name: str(position) for position, name in enumerate(names, 1)}


def largest_allowed(question: Question) -> float | None:
    """Return the upper bound a number question's constraint sets (``. <= 30``).

    The bound of a comparison of ``.`` with a number, under any ``and``; None
    when the constraint sets none this simply.
    """
    if question.constraint is None:
        return None
    bounds = list(_upper_bounds(question.constraint.tree))
    return min(bounds) if bounds else None


def _upper_bounds(tree: Node) -> list[float]:
    match tree:
        case Binary("and", left, right):
            return [*_upper_bounds(left), *_upper_bounds(right)]
        case Binary("<=" | "<", Current(), Literal(float(value))) | Binary(
            ">=" | ">", Literal(float(value)), Current()
        ) if math.isfinite(value):
            return [value]
    return []
