"""The XForm an enumerator's client downloads, made by pyxform from our XLSForm.

hailong writes the questionnaire as the XLSForm it exports
(``surveys.questionnaire.xlsform_writer``) and converts it with pyxform, the
converter ODK Central and KoboToolbox run on an uploaded form: the XForm is
what those servers would serve for it. One questionnaire version gives one
form per assignment (the form id names the campaign and the unit, the title
says them), so the bytes are cached per version, form id and title, as plain
bytes. Forms hailong cannot take interviews of are refused here with the
reason: run-time choices (a counter's officials, known only at a counter) and
repeat groups (their answers have no place in a response yet).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import threading
from dataclasses import dataclass

from defusedxml import ElementTree
from pyxform.xls2xform import convert

from surveys.fieldwork.enumerators import FieldForm
from surveys.questionnaire import Questionnaire
from surveys.questionnaire.xlsform_writer import write_xlsform
from surveys.translatable import N_, Message, Text

XFORMS = "{http://www.w3.org/2002/xforms}"
RUNTIME_CHOICES = Message(
    N_(
        "Bảng hỏi có câu hỏi chọn cán bộ tại quầy: không dùng được"
        " để phỏng vấn ngoài thực địa."
    )
)
REPEATS = Message(N_("Bảng hỏi có nhóm câu hỏi lặp lại: chưa nhận qua OpenRosa."))
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


def xform_document(form: FieldForm, questionnaire: Questionnaire) -> XFormDocument:
    """Return the XForm of ``form`` (``questionnaire`` is its definition), cached.

    Raises ``FormNotServed`` for a questionnaire that cannot go to the field.
    """
    key = _cache_key(form)
    found = _CACHE.get(key)
    if found is not None:
        return found
    document = build_xform(
        questionnaire, form.form_id, str(form.questionnaire_version), form.title
    )
    with _LOCK:
        if len(_CACHE) >= CACHE_SIZE:
            _CACHE.clear()
        _CACHE[key] = document
    return document


def build_xform(
    questionnaire: Questionnaire, form_id: str, version: str, title: str
) -> XFormDocument:
    """Convert the questionnaire's XLSForm with pyxform under this id and title."""
    if any(question.choices_from for question in questionnaire.questions):
        raise FormNotServed(RUNTIME_CHOICES)
    renamed = dataclasses.replace(
        questionnaire,
        key=form_id,
        version=version,
        title=Text({language: title for language in questionnaire.languages}),
    )
    workbook = io.BytesIO()
    write_xlsform(renamed, workbook)
    xml = convert(xlsform=workbook.getvalue(), file_type=".xlsx").xform.encode()
    if ElementTree.fromstring(xml).find(f".//{XFORMS}repeat") is not None:
        raise FormNotServed(REPEATS)
    files = tuple(
        MediaFile(name, data.csv_bytes(), data.md5)
        for name, data in sorted(questionnaire.files.items())
    )
    return XFormDocument(xml, md5_of(xml), files)


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
