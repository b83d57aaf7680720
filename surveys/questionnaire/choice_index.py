"""A ``choice_filter`` of the form ``column = ${question}``, answered from an index.

The general evaluation runs the filter once per option: over a 20,000-row CSV
(the most a file may have, ``csv_files.MAX_ROWS``) that is a fifth of a second
per call, and the survey's relevance check runs on every change of an answer.
The commonest cascade, a column equal to an earlier answer, compares as strings
whenever that answer is a string (XPath 1.0 section 3.4), so the options it
lets through are the index's entry for the answer: the options grouped by the
column's value, built once per question, column and language and kept on the
questionnaire (parsed once per process). Any other filter, and an answer that
is no plain string (a number compares as numbers, a node-set as a set), takes
the general path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from surveys.questionnaire.expressions import Binary, Expression, Field, Item, Ref
from surveys.questionnaire.model import Choice, Question, Questionnaire


@dataclass(frozen=True)
class EqualityFilter:
    """``column = ${question}`` (either way round): the column, and ``${question}``."""

    column: str
    answer: Expression


def equality_filter(expression: Expression) -> EqualityFilter | None:
    """Return the filter's column and reference if it is a plain equality, else None."""
    match expression.tree:
        case Binary("=", Field(column), Ref() as reference) | Binary(
            "=", Ref() as reference, Field(column)
        ):
            return EqualityFilter(column, Expression(expression.source, reference))
    return None


def options_by_column(
    questionnaire: Questionnaire,
    question: Question,
    column: str,
    language: str,
    item: Callable[[Choice], Item],
) -> Mapping[str, tuple[str, ...]]:
    """Return the question's option names by their ``column`` value, in order.

    ``item`` gives an option as the filter sees it (so ``label`` is in the
    respondent's language): an option without the column is under ``""``,
    as the general evaluation reads a missing column.
    """
    key = (question.name, column, language)
    index = questionnaire.filter_indexes.get(key)
    if index is None:
        grouped: dict[str, list[str]] = {}
        for choice in questionnaire.choices_of(question):
            grouped.setdefault(item(choice).get(column, ""), []).append(choice.name)
        index = {value: tuple(names) for value, names in grouped.items()}
        questionnaire.filter_indexes[key] = index
    return index
