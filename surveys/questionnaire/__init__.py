"""The questionnaire engine: definitions, expressions, validation and scoring maps.

Pure Python: no Flask, no SQLAlchemy. Definitions load from our YAML format or
from an XLSForm workbook into one frozen model.
"""

from __future__ import annotations

from surveys.questionnaire.errors import (
    DefinitionError,
    ExpressionError,
    InvalidAnswers,
    Problem,
)
from surveys.questionnaire.loader import load_definition
from surveys.questionnaire.model import (
    Choice,
    Dimension,
    Index,
    Question,
    Questionnaire,
    QuestionType,
    Repeat,
    Scoring,
    Section,
)
from surveys.questionnaire.schema import build_questionnaire
from surveys.questionnaire.validation import Relevance, relevance, validate_answers
from surveys.translatable import Message, Text

__all__ = [
    "Choice",
    "DefinitionError",
    "Dimension",
    "ExpressionError",
    "Index",
    "InvalidAnswers",
    "Message",
    "Problem",
    "Question",
    "QuestionType",
    "Questionnaire",
    "Relevance",
    "Repeat",
    "Scoring",
    "Section",
    "Text",
    "build_questionnaire",
    "load_definition",
    "relevance",
    "validate_answers",
]
