"""The most rows a repeat's count can ask for, as far as its definition tells.

A roster counted by an answer (``repeat_count: ${household_size}``) has at
most as many rows as that answer allows: the upper bound of the count
question's constraint (``. <= 30``). A paper form prints fewer rows and the
rest are written on the back of the sheet; the keying page offers every row
the count can ask for, so such a household can be keyed in whole.
"""

from __future__ import annotations

import math

from surveys.questionnaire.expressions import Literal, Ref
from surveys.questionnaire.model import MAX_REPEAT_ROWS, Questionnaire, Repeat
from surveys.questionnaire.option_codes import largest_allowed


def largest_count(questionnaire: Questionnaire, repeat: Repeat) -> int | None:
    """Return the most rows ``repeat``'s count can ask for (at most
    ``MAX_REPEAT_ROWS``): a fixed count, or the upper bound of the number
    question it reads. None when the definition does not tell: no count, a
    count worked out otherwise, or a count question with no bound."""
    if repeat.count is None:
        return None
    bound: float | None = None
    match repeat.count.tree:
        case Literal(float(value)):
            bound = value
        case Ref(name):
            try:
                bound = largest_allowed(questionnaire.question(name))
            except KeyError:  # a value the form's code carries, not a question
                bound = None
    if bound is None or not math.isfinite(bound):
        return None
    return int(min(max(bound, 0), MAX_REPEAT_ROWS))
