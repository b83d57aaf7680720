"""Splitting a questionnaire into pages, for respondents who answer section by section.

Each top-level section is a page; top-level questions that follow one another share
a page. A page whose every item is skipped (by ``relevant``) is not shown at all.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date

from surveys.questionnaire.model import Question, Questionnaire, Section, Text, walk
from surveys.questionnaire.validation import RawAnswers, relevance
from surveys.translatable import SOURCE_LANGUAGE


@dataclass(frozen=True)
class Page:
    """The items shown together on one screen."""

    items: tuple[Question | Section, ...]

    @property
    def title(self) -> Text:
        """Return the section's label on its own page, nothing for loose questions."""
        first = self.items[0]
        return (
            first.label if len(self.items) == 1 and isinstance(first, Section) else {}
        )

    @property
    def item_names(self) -> frozenset[str]:
        """Name every question, section and repeat on the page."""
        return frozenset(item.name for item in walk(self.items))

    @property
    def question_names(self) -> frozenset[str]:
        """Name every question on the page, nested ones included."""
        return frozenset(
            item.name for item in walk(self.items) if isinstance(item, Question)
        )


def pages(questionnaire: Questionnaire) -> tuple[Page, ...]:
    """Return the questionnaire's pages in order."""
    result: list[Page] = []
    loose: list[Question | Section] = []
    for item in questionnaire.items:
        if isinstance(item, Question) and item.type.is_metadata:
            continue  # recorded, never shown: it makes no page
        if isinstance(item, Section):
            if loose:
                result.append(Page(tuple(loose)))
                loose = []
            result.append(Page((item,)))
        else:
            loose.append(item)
    if loose:
        result.append(Page(tuple(loose)))
    return tuple(result)


def shown_pages(
    questionnaire: Questionnaire,
    answers: RawAnswers,
    *,
    runtime_choices: Mapping[str, Collection[str]] | None = None,
    today: date | None = None,
    carried: Collection[str] = (),
    language: str = SOURCE_LANGUAGE,
) -> list[int]:
    """Return the indexes of the pages that have something relevant to show."""
    relevant = relevance(
        questionnaire,
        answers,
        runtime_choices=runtime_choices,
        today=today,
        carried=carried,
        language=language,
    )
    return [
        index
        for index, page in enumerate(pages(questionnaire))
        if any(item.name in relevant for item in page.items)
    ]
