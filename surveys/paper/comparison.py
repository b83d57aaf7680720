"""Comparing the two entries of a paper form, and an entry with the settled values.

Values are compared as the engine typed them (``plain``): "03" and "3" keyed
in an integer question are one answer. A question both entries left blank (or
skipped) is no difference; one left blank by one clerk only is. A roster's
rows are compared on what is keyed in them, and its empty rows after the last
filled one are no difference: the reconciler's page, which compares box by
box, would show nothing to settle there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from surveys.models import PaperForm
from surveys.paper.form_numbers import format_number
from surveys.paper.form_refusals import PaperRefused, Refusal
from surveys.questionnaire import Question, Questionnaire, Repeat
from surveys.questionnaire.model import walk
from surveys.questionnaire.validation import Answer
from surveys.questionnaire.versions import definition_of


@dataclass(frozen=True)
class Difference:
    """One question the two entries answered differently (None: left blank)."""

    question: str
    first: Any
    second: Any


def plain(values: Mapping[str, Answer]) -> dict[str, Any]:
    """Return validated values as JSON keeps them: blanks dropped, dates as ISO text.

    What is left is also what the survey page sends, so an entry can be shown
    and checked again.
    """
    kept: dict[str, Any] = {}
    for name, value in values.items():
        if value is None or value == "" or value == []:
            continue
        if isinstance(value, list) and isinstance(value[0], dict):
            kept[name] = [plain(row) for row in value]
        elif isinstance(value, date):
            kept[name] = value.isoformat()
        else:
            kept[name] = value
    return kept


def compared_items(questionnaire: Questionnaire) -> dict[str, frozenset[str]]:
    """Name what a clerk keys, in the order asked: each question answered (not
    notes, calculations or metadata), and each repeat as a whole, mapped to
    what its rows are compared on (its questions answered; nothing for a
    question)."""
    repeated = questionnaire.repeated
    return {
        item.name: _row_items(item) if isinstance(item, Repeat) else frozenset()
        for item in walk(questionnaire.items)
        if isinstance(item, Repeat)
        or (
            isinstance(item, Question)
            and item.type.takes_answer
            and item.name not in repeated
        )
    }


def _row_items(repeat: Repeat) -> frozenset[str]:
    return frozenset(
        item.name
        for item in walk(repeat.items)
        if isinstance(item, Repeat)
        or (isinstance(item, Question) and item.type.takes_answer)
    )


def differing(
    items: Mapping[str, frozenset[str]],
    one: Mapping[str, Any],
    other: Mapping[str, Any],
) -> list[str]:
    """Name the items (``compared_items``) that ``one`` and ``other`` answer
    differently."""
    return [
        name
        for name, in_rows in items.items()
        if _compared(one.get(name), in_rows) != _compared(other.get(name), in_rows)
    ]


def _compared(value: Any, in_rows: frozenset[str]) -> Any:
    """Return a value as compared: a roster's rows as keyed (what a row works
    out by itself, such as its position, left out) without the empty ones at
    its end, and a roster with no row keyed as no answer."""
    if not in_rows or not isinstance(value, list):
        return value
    rows = [
        {name: cell for name, cell in row.items() if name in in_rows}
        for row in value
        if isinstance(row, Mapping)
    ]
    while rows and not rows[-1]:
        rows.pop()
    return rows or None


def questionnaire_of(form: PaperForm) -> Questionnaire:
    """Return the questionnaire version the form's campaign asks."""
    return definition_of(form.batch.campaign.questionnaire)


def differences(form: PaperForm) -> list[Difference]:
    """List the questions the form's two entries answer differently, in order.

    Raises ``PaperRefused`` (``NOT_ENTERED_TWICE``) unless both entries exist.
    """
    entries = form.entries
    if len(entries) < 2:
        number = format_number(form.number)
        raise PaperRefused(Refusal.NOT_ENTERED_TWICE, number=number)
    first, second = entries[0].answers, entries[1].answers
    items = compared_items(questionnaire_of(form))
    return [
        Difference(name, first.get(name), second.get(name))
        for name in differing(items, first, second)
    ]
