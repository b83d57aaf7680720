"""Read back what fpdf2 wrote: pages, text and filled squares, without a PDF library.

fpdf2 sets embedded TrueType text as 2-byte glyph ids in literal strings, with a
ToUnicode map per font; this reads exactly that much of the format, no more.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

_STARTXREF = re.compile(rb"startxref\s+(\d+)")
_XREF = re.compile(rb"xref\s+0 (\d+)\s+")
_STREAM_START = re.compile(rb"stream\r?\n|endobj")
_LENGTH = re.compile(rb"/Length (\d+)")
_PAGE = re.compile(rb"/Type /Page\b(?!s)")
_FONT_REFERENCE = re.compile(rb"/(F\d+) (\d+) 0 R")
_TO_UNICODE = re.compile(rb"/ToUnicode (\d+) 0 R")
_CONTENTS = re.compile(rb"/Contents (\d+) 0 R")
_BFCHAR = re.compile(rb"<([0-9A-Fa-f]{4})> <([0-9A-Fa-f]+)>")
#: A font selection, a shown string, a justified line (strings and the spaces
#: between them), or a filled rectangle in a content stream.
_OPERATION = re.compile(
    rb"/(?P<font>F\d+) [\d.]+ Tf"
    rb"|\((?P<text>(?:\\.|[^\\)])*)\) Tj"
    rb"|\[(?P<array>(?:\((?:\\.|[^\\)])*\)|\s*-?[\d.]+\s*)*)\] TJ"
    rb"|(?P<rect>(?:-?[\d.]+ ){4})re f",
    re.S,
)
_ARRAY_STRING = re.compile(rb"\((?P<text>(?:\\.|[^\\)])*)\)", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


@dataclass(frozen=True)
class PdfObject:
    dictionary: bytes
    stream: bytes


@dataclass(frozen=True)
class Page:
    """What one page shows: its strings in order and its filled rectangles (pt)."""

    strings: list[str]
    rects: list[tuple[float, float, float, float]]

    @property
    def text(self) -> str:
        return " ".join(self.strings)


def read_pages(pdf: bytes) -> list[Page]:
    """Return every page of an fpdf2 document, in order."""
    objects = _objects(pdf)
    fonts = {
        name.decode(): _unicode_map(objects, int(number))
        for obj in objects.values()
        for name, number in _FONT_REFERENCE.findall(obj.dictionary)
    }
    pages = [obj for obj in objects.values() if _PAGE.search(obj.dictionary)]
    return [
        _read_content(objects[int(_CONTENTS.search(page.dictionary)[1])].stream, fonts)
        for page in pages
    ]


def _objects(pdf: bytes) -> dict[int, PdfObject]:
    """Find every object through the cross-reference table, streams inflated."""
    start = int(_STARTXREF.findall(pdf)[-1])
    table = _XREF.match(pdf, start)
    entries = pdf[table.end() :].split(maxsplit=3 * int(table[1]))
    offsets = [int(entries[i]) for i in range(0, 3 * int(table[1]), 3)]
    return {
        number: _object(pdf, offset)
        for number, offset in enumerate(offsets)
        if number  # object 0 is the head of the free list
    }


def _object(pdf: bytes, offset: int) -> PdfObject:
    marker = _STREAM_START.search(pdf, offset)
    dictionary = pdf[offset : marker.start()]
    if marker[0] == b"endobj":
        return PdfObject(dictionary, b"")
    data = pdf[marker.end() : marker.end() + int(_LENGTH.search(dictionary)[1])]
    if b"/FlateDecode" in dictionary:
        data = zlib.decompress(data)
    return PdfObject(dictionary, data)


def _unicode_map(objects: dict[int, PdfObject], font: int) -> dict[bytes, str]:
    cmap = objects[int(_TO_UNICODE.search(objects[font].dictionary)[1])].stream
    return {
        bytes.fromhex(glyph.decode()): bytes.fromhex(code.decode()).decode("utf-16-be")
        for glyph, code in _BFCHAR.findall(cmap)
    }


def _read_content(content: bytes, fonts: dict[str, dict[bytes, str]]) -> Page:
    strings, rects, font = [], [], {}
    for match in _OPERATION.finditer(content):
        if match["font"]:
            font = fonts[match["font"].decode()]
        elif match["text"] is not None:
            strings.append(_decoded(match["text"], font))
        elif match["array"] is not None:
            parts = _ARRAY_STRING.finditer(match["array"])
            strings.append("".join(_decoded(part["text"], font) for part in parts))
        else:
            x, y, width, height = (float(n) for n in match["rect"].split())
            rects.append((x, y, width, height))
    return Page(strings, rects)


def _decoded(literal: bytes, font: dict[bytes, str]) -> str:
    """Return the text of a shown string: 2-byte glyph ids through the font's map."""
    raw = _unescape(literal)
    return "".join(font[raw[i : i + 2]] for i in range(0, len(raw), 2))


def _unescape(literal: bytes) -> bytes:
    def replace(match: re.Match[bytes]) -> bytes:
        escaped = match.group(1)
        if escaped[:1].isdigit():
            return bytes([int(escaped, 8)])
        return _ESCAPES.get(escaped, escaped)

    return re.sub(rb"\\([0-7]{1,3}|.)", replace, literal, flags=re.S)
