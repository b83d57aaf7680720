"""The forms an enumerator's client downloads, as plain bytes cached per process.

One questionnaire version gives one XForm per assignment (the form id names
the campaign and the unit, the title says them), so the documents are cached
per version, form id and title, as plain bytes, never ORM objects. They are
made by ``surveys.fieldwork.xforms``, which the web app imports on first use
only: pyxform and the workbook writer are heavy, and starting it loads neither.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass

from surveys.fieldwork.enumerators import FieldForm
from surveys.translatable import N_, Message

RUNTIME_CHOICES = Message(
    N_(
        "Bảng hỏi có câu hỏi chọn cán bộ tại quầy: không dùng được"
        " để phỏng vấn ngoài thực địa."
    )
)
#: pyxform refused the export (a name or a text ODK reserves); ``%(reason)s`` is
#: pyxform's own English explanation.
NOT_CONVERTED = N_(
    "Bảng hỏi không chuyển được sang XForm (pyxform báo: %(reason)s); hãy sửa bảng hỏi."
)
#: More entries than this and the cache starts again empty (a crude, cheap bound).
CACHE_SIZE = 256


class FormNotServed(Exception):
    """The questionnaire cannot go to the field as an XForm; ``message`` says why."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class MediaFile:
    """A CSV the form reads (``select_one_from_file``, ``pulldata``)."""

    name: str
    content: bytes
    md5: str


@dataclass(frozen=True)
class XFormDocument:
    """A form as served: the XForm's bytes, their MD5, and the files it reads."""

    xml: bytes
    md5: str
    files: tuple[MediaFile, ...]

    def file(self, name: str) -> MediaFile | None:
        """Return the media file called ``name``, or None."""
        return next((media for media in self.files if media.name == name), None)


_CACHE: dict[tuple[str, str, int, str], XFormDocument] = {}
_LOCK = threading.Lock()


def cached_xform(form: FieldForm) -> XFormDocument | None:
    """Return the form's document if this process made it already."""
    return _CACHE.get(_cache_key(form))


def remember_xform(form: FieldForm, document: XFormDocument) -> None:
    """Keep a document just made for the next requests of this process."""
    with _LOCK:
        if len(_CACHE) >= CACHE_SIZE:
            _CACHE.clear()
        _CACHE[_cache_key(form)] = document


def md5_of(content: bytes) -> str:
    """Return the hex MD5 OpenRosa lists a form or file by (``md5:`` + this)."""
    return hashlib.md5(content, usedforsecurity=False).hexdigest()


def _cache_key(form: FieldForm) -> tuple[str, str, int, str]:
    return (
        form.questionnaire_checksum,
        form.form_id,
        form.questionnaire_version,
        form.title,
    )
