"""The rules every export of responses keeps, whatever its format.

Which questions leave (never the dossier code a respondent typed, an
identifier; the questions about officials only for readers who may see them),
free text masked (phone numbers, ID numbers, e-mails), locations rounded to
about a kilometre, and comments hidden from reports left blank. The CSV
(``app.reports.csv``) and the statistical files (``surveys.exchange.dataset``)
both apply them, so that no format shows what another hides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from sqlalchemy.orm import Session

from surveys.access.code_state import DOSSIER_QUESTION
from surveys.comments.moderation import hidden_comments
from surveys.comments.personal_data import mask_personal_data
from surveys.questionnaire import Question, Questionnaire, QuestionType
from surveys.questionnaire.lexical import coarse_geopoint
from surveys.questionnaire.official_questions import about_officials
from surveys.storage.exports import Columns


def exported_questions(questionnaire: Questionnaire, with_officials: bool) -> list[str]:
    """Name the questions outside repeats an export of responses has a column for.

    ``with_officials=False`` leaves out which official was rated and how, for
    readers whose role may not see results of individual officials.
    """
    hidden = {DOSSIER_QUESTION}
    if not with_officials:
        hidden |= about_officials(questionnaire)
    return [
        q.name
        for q in questionnaire.questions
        if q.type.takes_answer
        and q.name not in hidden
        and q.name not in questionnaire.repeated
    ]


def with_hidden_comments(
    session: Session, pages: Iterable[Columns]
) -> Iterator[tuple[Columns, dict[int, set[str]]]]:
    """Pair each page of ``exported_responses`` (its first column the ids) with
    its comments hidden from reports: one query a page."""
    for page in pages:
        hidden: dict[int, set[str]] = {}
        for response_id, question in hidden_comments(session, page[0]):
            hidden.setdefault(response_id, set()).add(question)
        yield page, hidden


def rounded_location(value: str | float) -> str | float:
    """Round a location to about a kilometre (``coarse_geopoint``)."""
    return coarse_geopoint(value) if isinstance(value, str) else value


def masked(value: str | float) -> str | float:
    """Mask phone numbers, ID numbers and e-mails in free text."""
    return mask_personal_data(value) if isinstance(value, str) else value


def anonymiser(question: Question) -> Callable[[str | float], str | float] | None:
    """Return how every export writes answers to ``question``: free text masked,
    a location rounded; None for answers written as stored."""
    return {
        QuestionType.TEXT: masked,
        QuestionType.GEOPOINT: rounded_location,
    }.get(question.type)
