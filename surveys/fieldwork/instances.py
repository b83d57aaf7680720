"""Read a submitted XForm instance: its form, its instance id, its answers.

The instance is the XML an OpenRosa client fills in from the form's primary
``<instance>``: the root names the form (``id``) and its ``version``, each
question is an element at its group path, and ``meta/instanceID``
(``uuid:…``) identifies the interview for good (its idempotency key). It is
parsed with defusedxml, which refuses a document type declaration and so
every entity. What cannot be an interview of ours is refused with a message
naming the reason: no instance id, an encrypted instance, an edit of an
earlier one (``deprecatedID``), an element sent twice that is no repeat.

A repeat's rows are its elements in order, ``/data/members[1]``,
``/data/members[2]``..., at the repeat's group path; a client leaves out the
rows of a repeat that is not relevant, and sends no ``jr:template`` row (one
that does is skipped, as ODK Central skips it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from surveys.questionnaire import Question, Questionnaire, QuestionType, Section
from surveys.questionnaire.model import Repeat
from surveys.questionnaire.validation import RawAnswers, RawRow, RawValue
from surveys.translatable import N_, Message

#: The longest instance id kept (``Response.submission_id``).
MAX_INSTANCE_ID = 64

NOT_XML = Message(N_("Tệp xml_submission_file không phải XML hợp lệ."))
NO_INSTANCE_ID = Message(N_("Phiếu không có meta/instanceID."))
BAD_INSTANCE_ID = Message(N_("meta/instanceID dài quá 64 ký tự."))
ENCRYPTED = Message(N_("Phiếu đã mã hóa: hailong chưa nhận phiếu mã hóa."))
EDITED = Message(
    N_(
        "Phiếu sửa lại một phiếu đã gửi (deprecatedID): phiếu đã lưu"
        " không được thay đổi."
    )
)
REPEATED = N_(
    "Phiếu có phần tử %(name)s lặp lại, nhưng %(name)s không phải nhóm câu hỏi"
    " lặp lại của biểu mẫu."
)
NO_FORM_ID = Message(N_("Phiếu không ghi mã biểu mẫu (thuộc tính id)."))
#: The attribute of a repeat's template row in a form's primary instance.
TEMPLATE = "{http://openrosa.org/javarosa}template"


class InstanceRefused(ValueError):
    """The instance cannot be an interview; ``message`` says why."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class SubmittedInstance:
    """A parsed instance: which form, which interview, and its element tree."""

    form_id: str
    version: str
    instance_id: str
    root: Element

    def answers(self, questionnaire: Questionnaire) -> RawAnswers:
        """Return the raw answers of every question, as the web survey posts them.

        An empty element is a blank answer; a multiple choice is its
        space-separated names, as XForms write it; a repeat is the list of its
        rows, each its questions' raw answers. Elements that name no question
        (``meta``, extra metadata) are left out; the client's own ``start``,
        ``end`` and ``today`` are kept. Raises ``InstanceRefused`` for an
        element sent twice that is no repeat of ``questionnaire``.
        """
        _refuse_repeats(self.root, frozenset(r.name for r in questionnaire.repeats))
        return _read(self.root, questionnaire.items)


def read_instance(xml: bytes) -> SubmittedInstance:
    """Parse an instance safely; raise ``InstanceRefused`` naming what is wrong."""
    try:
        root = fromstring(xml, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError):
        raise InstanceRefused(NOT_XML) from None
    if root.get("encrypted") == "yes" or _child(root, "base64EncryptedKey") is not None:
        raise InstanceRefused(ENCRYPTED)
    meta = _child(root, "meta")
    if meta is not None and (_child(meta, "deprecatedID") is not None):
        raise InstanceRefused(EDITED)
    instance_id = _text(_child(meta, "instanceID")) if meta is not None else ""
    if not instance_id:
        raise InstanceRefused(NO_INSTANCE_ID)
    if len(instance_id) > MAX_INSTANCE_ID:
        raise InstanceRefused(BAD_INSTANCE_ID)
    form_id = (root.get("id") or "").strip()
    if not form_id:
        raise InstanceRefused(NO_FORM_ID)
    return SubmittedInstance(
        form_id, (root.get("version") or "").strip(), instance_id, root
    )


def _read(
    element: Element | None, items: tuple[Question | Section, ...]
) -> dict[str, RawValue | list[RawRow]]:
    """Read the answers of ``items`` under ``element`` (None: all blank)."""
    answers: dict[str, RawValue | list[RawRow]] = {}
    for item in items:
        found = _child(element, item.name) if element is not None else None
        if isinstance(item, Repeat):
            rows = _children(element, item.name) if element is not None else []
            answers[item.name] = [_read(row, item.items) for row in rows]
        elif isinstance(item, Section):
            answers.update(_read(found, item.items))
        elif item.type.takes_answer or item.type.is_metadata:
            answers[item.name] = _answer(item, _text(found))
    return answers


def _answer(question: Question, text: str) -> RawValue:
    if question.type is QuestionType.SELECT_MULTIPLE:
        return text.split() if text else []
    return text or None


def _local(tag: Any) -> str:
    """Return an element's name without its namespace (clients differ on it)."""
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _children(element: Element, name: str) -> list[Element]:
    """Return the children called ``name``, leaving out a repeat's template row."""
    return [
        child
        for child in element
        if _local(child.tag) == name and child.get(TEMPLATE) is None
    ]


def _child(element: Element, name: str) -> Element | None:
    return next(iter(_children(element, name)), None)


def _text(element: Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def _refuse_repeats(root: Element, repeats: frozenset[str]) -> None:
    """Refuse an element twice under one parent unless it is a repeat's row.

    Question names are unique in a questionnaire, so a repeat's name says
    which elements may come many times, wherever its group puts them. ``iter``
    walks the tree without recursion: an instance nested a thousand deep is
    refused like any other, not a crash.
    """
    for parent in root.iter():
        seen: set[str] = set()
        for child in parent:
            name = _local(child.tag)
            if name in seen and name not in repeats:
                raise InstanceRefused(Message(REPEATED, {"name": name}))
            seen.add(name)
