"""What people read, in the two forms the app translates when it shows them.

``Text`` is wording a questionnaire definition carries itself, in any number of
languages (``{"vi": ..., "en": ..., "fr": ...}``): labels, hints, titles, a
question's own error messages. ``Message`` is one of the domain's own messages: a
Vietnamese msgid of the app's gettext catalogues (``app/translations``) with its
parameters. This package has no Flask and translates nothing itself: ``N_`` and
``Nn_`` only mark msgids so that ``pybabel extract`` finds them (``babel.cfg``
names both as keywords), and the app translates a ``Message`` at render time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

#: The language a text falls back to first: the questionnaires' own.
SOURCE_LANGUAGE = "vi"


def N_(msgid: str) -> str:
    """Mark ``msgid`` for the catalogues and return it unchanged."""
    return msgid


class Plural(NamedTuple):
    """A msgid and its plural msgid, for a message that counts something."""

    singular: str
    plural: str


def Nn_(singular: str, plural: str) -> Plural:
    """Mark a message with a count for the catalogues (``%(num)s`` is the count)."""
    return Plural(singular, plural)


class Text(Mapping[str, str]):
    """A definition's wording: language code to text, for any number of languages.

    Equal to a plain dict with the same items, and hashable, so the frozen model
    classes that hold texts stay comparable.
    """

    __slots__ = ("_texts",)

    def __init__(
        self, texts: Mapping[str, str] | Iterable[tuple[str, str]] = ()
    ) -> None:
        self._texts = {code: text for code, text in dict(texts).items() if text}

    def __getitem__(self, language: str) -> str:
        return self._texts[language]

    def __iter__(self) -> Iterator[str]:
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)

    def __hash__(self) -> int:
        return hash(frozenset(self._texts.items()))

    def __repr__(self) -> str:
        return f"Text({self._texts!r})"

    def get(self, language: str, default: str = "") -> str:  # type: ignore[override]
        """Return the text in ``language``, else in Vietnamese, else in its first one.

        Unlike ``dict.get`` a missing language is not an absence: a label always
        shows in some language. ``default`` only answers for an empty text.
        """
        texts = self._texts
        if language in texts:
            return texts[language]
        if SOURCE_LANGUAGE in texts:
            return texts[SOURCE_LANGUAGE]
        return next(iter(texts.values()), default)

    @property
    def languages(self) -> tuple[str, ...]:
        """Return the languages the text is written in, in the definition's order."""
        return tuple(self._texts)


@dataclass(frozen=True)
class Message:
    """One of the domain's messages, translated by the app's catalogues when shown.

    ``msgid`` is the Vietnamese text with Flask-Babel placeholders
    (``%(limit)s``), filled from ``params``. A message about a count has a
    ``plural`` msgid too and its count in ``params["num"]``. ``wording`` is a
    definition's own text for the same message (a question's
    ``constraint_message``), shown instead wherever it has the reader's language.
    """

    msgid: str
    params: Mapping[str, object] = field(default_factory=dict, hash=False)
    plural: str | None = None
    wording: Text = field(default_factory=Text)

    @classmethod
    def counting(cls, message: Plural, count: int, **params: object) -> Message:
        """Return a message about ``count`` things (``%(num)s`` in its texts)."""
        return cls(message.singular, {"num": count, **params}, message.plural)

    def __str__(self) -> str:
        """Return the Vietnamese text, filled in: for logs and exceptions."""
        return self.msgid % self.params if self.params else self.msgid
