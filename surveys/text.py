"""Text helpers for Vietnamese: ordering names the way a Vietnamese reader expects."""

from __future__ import annotations

import unicodedata

# Vietnamese alphabetical order: a ă â b c d đ e ê … o ô ơ … u ư … Each letter with a
# breve, circumflex or horn (and đ) is a letter of its own, after its base letter;
# tone marks only decide between words that are otherwise equal.
_SHAPES = {"\u0306": "~1", "\u0302": "~2", "\u031b": "~3"}  # breve, circumflex, horn
_TONES = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}


def vietnamese_sort_key(text: str) -> tuple[str, str]:
    """Return a key that sorts ``text`` in Vietnamese alphabetical order.

    Python's default order puts "Đa Kao" after "Tân Định", "Đ" being a code point
    far after "Z"; this key puts it after every "D…", as a dictionary does.
    """
    letters: list[str] = []
    tones: list[str] = []
    for char in unicodedata.normalize("NFD", text.lower().replace("đ", "d\u0110")):
        if char == "\u0110":
            letters.append("~1")
        elif char in _SHAPES:
            letters.append(_SHAPES[char])
        elif char in _TONES:
            tones[-1] = _TONES[char]
        else:
            letters.append(char)
            tones.append("0")
    return "".join(letters), "".join(tones)


#: The letters Vietnamese writes with marks (đ folds to d): a letter folded to
#: one of these may have been typed with marks, any other letter was typed as is.
MARKED_LETTERS = "aeiouyd"


def _folding_table() -> dict[int, str | None]:
    """Map each vowel with marks, and each capital, to its bare small letter.

    Combining marks map to None (deleted): "ư" typed as "u" and a combining
    horn folds as the single "ư" does. Đ and đ, letters of their own that no
    normalisation takes apart, become d. The same table folds on PostgreSQL
    (``surveys.db.Folded``), so Python and both databases agree.
    """
    table: dict[int, str | None] = {c: chr(c).lower() for c in range(0x41, 0x5B)}
    for code in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        parts = unicodedata.normalize("NFD", chr(code))
        bare = "".join(c for c in parts if not unicodedata.combining(c)).lower()
        if len(bare) == 1 and bare in MARKED_LETTERS:
            table[code] = bare
    table.update({ord("Đ"): "d", ord("đ"): "d"})
    table.update(dict.fromkeys(range(0x300, 0x370)))
    return table


#: What ``folded`` does to each character it changes (None: deletes it).
FOLDING = _folding_table()


def folded(text: str) -> str:
    """Return ``text`` without case or diacritics, for searching the way people type.

    "Thái độ", "THAI DO" and "thai do" fold alike: a search typed without
    marks (or with marks spelt as combining characters) still finds a comment.
    """
    return text.translate(FOLDING).lower()
