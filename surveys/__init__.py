"""The questionnaire domain: definitions, validation, skip logic, scoring, storage.

No web code lives here; ``app`` calls into this package, never the reverse.
"""

from __future__ import annotations

from surveys.questionnaire import (
    DefinitionError,
    InvalidAnswers,
    Questionnaire,
    load_definition,
    relevance,
    validate_answers,
)

__all__ = [
    "DefinitionError",
    "InvalidAnswers",
    "Questionnaire",
    "load_definition",
    "relevance",
    "validate_answers",
]
