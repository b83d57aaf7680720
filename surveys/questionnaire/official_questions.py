"""The questions about an official: which one was chosen, and how rated.

Reports show them only to readers whose role may see results of individual
officials; every export of responses leaves them out for the others.
"""

from __future__ import annotations

from surveys.questionnaire.model import Questionnaire, QuestionType


def official_item(questionnaire: Questionnaire) -> str | None:
    """Name the rating question about the chosen official (asked only once chosen)."""
    chooser = next(
        (q.name for q in questionnaire.questions if q.choices_from == "officials"),
        None,
    )
    if chooser is None:
        return None
    return next(
        (
            q.name
            for q in questionnaire.questions
            if q.type is QuestionType.RATING
            and q.relevant is not None
            and f"${{{chooser}}}" in q.relevant.source
        ),
        None,
    )


def about_officials(questionnaire: Questionnaire) -> set[str]:
    """Name the questions that choose an official and rate the one chosen."""
    chooser = {q.name for q in questionnaire.questions if q.choices_from == "officials"}
    rating = official_item(questionnaire)
    return chooser | ({rating} if rating else set())
