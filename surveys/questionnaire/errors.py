"""The errors the questionnaire engine raises, each carrying every problem found."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from surveys.translatable import Message


class ExpressionError(ValueError):
    """An expression that cannot be parsed, or a call that cannot be evaluated."""


@dataclass(frozen=True)
class Problem:
    """One defect of a definition: where it is, which field, and what is wrong."""

    where: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}, field '{self.field}': {self.message}"


class DefinitionError(ValueError):
    """A questionnaire definition that cannot be loaded; lists every problem found."""

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.source = source
        self.problems = list(problems)
        lines = [f"{source}: {problem}" for problem in self.problems]
        count = len(self.problems)
        header = f"{source}: {count} problem{'s' if count != 1 else ''} in definition"
        super().__init__("\n".join([header, *lines]))


class InvalidAnswers(ValueError):
    """Answers that break the questionnaire's rules, with a message per question."""

    def __init__(self, errors: Mapping[str, Message]) -> None:
        self.errors = dict(errors)
        details = "; ".join(f"{name}: {msg}" for name, msg in self.errors.items())
        super().__init__(f"{len(self.errors)} invalid answer(s): {details}")
