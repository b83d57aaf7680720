"""Why a case, or a change to one, is refused: a message for the official or citizen."""

from __future__ import annotations

from surveys.translatable import Message


class CaseError(ValueError):
    """A refused intake or workflow step; nothing of it has been stored."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message
