"""The XForm of a questionnaire, made by pyxform from our own XLSForm export.

hailong writes the questionnaire as the XLSForm it exports
(``surveys.questionnaire.xlsform_writer``) and converts it with pyxform, the
converter ODK Central and KoboToolbox run on an uploaded form: the XForm is
what those servers would serve for it, repeat groups (a household roster)
included. Forms hailong cannot take interviews of are refused with the reason:
run-time choices (a counter's officials, known only at a counter). Heavy to
import; ``surveys.fieldwork.served_forms`` caches it.
"""

from __future__ import annotations

import dataclasses
import io

from pyxform.errors import PyXFormError
from pyxform.xls2xform import convert

from surveys.fieldwork.enumerators import FieldForm
from surveys.fieldwork.served_forms import (
    NOT_CONVERTED,
    RUNTIME_CHOICES,
    FormNotServed,
    MediaFile,
    XFormDocument,
    cached_xform,
    md5_of,
    remember_xform,
)
from surveys.questionnaire import Questionnaire
from surveys.questionnaire.model import RUNTIME_CHOICE_SOURCES
from surveys.questionnaire.xlsform_writer import write_xlsform
from surveys.translatable import Message, Text


def xform_document(form: FieldForm, questionnaire: Questionnaire) -> XFormDocument:
    """Return the XForm of ``form`` (``questionnaire`` is its definition), cached.

    Raises ``FormNotServed`` for a questionnaire that cannot go to the field.
    """
    found = cached_xform(form)
    if found is None:
        found = build_xform(
            questionnaire, form.form_id, str(form.questionnaire_version), form.title
        )
        remember_xform(form, found)
    return found


def build_xform(
    questionnaire: Questionnaire, form_id: str, version: str, title: str
) -> XFormDocument:
    """Convert the questionnaire's XLSForm with pyxform under this id and title."""
    if any(q.choices_from in RUNTIME_CHOICE_SOURCES for q in questionnaire.questions):
        raise FormNotServed(RUNTIME_CHOICES)
    renamed = dataclasses.replace(
        questionnaire,
        key=form_id,
        version=version,
        title=Text({language: title for language in questionnaire.languages}),
    )
    workbook = io.BytesIO()
    write_xlsform(renamed, workbook)
    try:
        converted = convert(xlsform=workbook.getvalue(), file_type=".xlsx")
    except PyXFormError as error:
        # Names and texts ODK reserves (a question named ``meta``, ``${…}`` in a
        # label naming no question) pass our checks: that form alone is not
        # served, the enumerator's other forms are.
        raise FormNotServed(Message(NOT_CONVERTED, {"reason": str(error)})) from None
    xml = converted.xform.encode()
    files = tuple(
        MediaFile(name, data.csv_bytes(), data.md5)
        for name, data in sorted(questionnaire.files.items())
    )
    return XFormDocument(xml, md5_of(xml), files)
