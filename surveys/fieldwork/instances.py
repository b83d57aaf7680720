"""Read a submitted XForm instance: its form, its instance id, its answers.

The instance is the XML an OpenRosa client fills in from the form's primary
``<instance>``: the root names the form (``id``) and its ``version``, each
question is an element at its group path, and ``meta/instanceID``
(``uuid:…``) identifies the interview for good (its idempotency key). It is
parsed with defusedxml, which refuses a document type declaration and so
every entity. What cannot be an interview of ours is refused with a message
naming the reason: no instance id, an encrypted instance, an edit of an
earlier one (``deprecatedID``), a repeated element (repeat groups).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from surveys.questionnaire import Question, Questionnaire, QuestionType, Section
from surveys.questionnaire.validation import RawAnswers
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
    "Phiếu có câu trả lời lặp lại (%(name)s): chưa nhận nhóm câu hỏi lặp lại."
)
NO_FORM_ID = Message(N_("Phiếu không ghi mã biểu mẫu (thuộc tính id)."))


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
        space-separated names, as XForms write it. Elements that name no
        question (``meta``, extra metadata) are left out.
        """
        answers: dict[str, str | list[str] | None] = {}
        for question, path in _question_paths(questionnaire.items, ()):
            if not question.type.takes_answer:
                continue
            text = _text_at(self.root, path)
            if question.type is QuestionType.SELECT_MULTIPLE:
                answers[question.name] = text.split() if text else []
            else:
                answers[question.name] = text or None
        return answers


def read_instance(xml: bytes) -> SubmittedInstance:
    """Parse an instance safely; raise ``InstanceRefused`` naming what is wrong."""
    try:
        root = fromstring(xml, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError):
        raise InstanceRefused(NOT_XML) from None
    if root.get("encrypted") == "yes" or _child(root, "base64EncryptedKey") is not None:
        raise InstanceRefused(ENCRYPTED)
    _refuse_repeats(root)
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


def _question_paths(
    items: tuple[Question | Section, ...], parent: tuple[str, ...]
) -> Iterator[tuple[Question, tuple[str, ...]]]:
    for item in items:
        path = (*parent, item.name)
        if isinstance(item, Section):
            yield from _question_paths(item.items, path)
        else:
            yield item, path


def _local(tag: Any) -> str:
    """Return an element's name without its namespace (clients differ on it)."""
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _child(element: Element, name: str) -> Element | None:
    return next((child for child in element if _local(child.tag) == name), None)


def _text(element: Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def _text_at(root: Element, path: tuple[str, ...]) -> str:
    element: Element | None = root
    for name in path:
        element = _child(element, name) if element is not None else None
    return _text(element)


def _refuse_repeats(element: Element) -> None:
    """Refuse an element that appears twice under one parent (a repeat group)."""
    seen: set[str] = set()
    for child in element:
        name = _local(child.tag)
        if name in seen:
            raise InstanceRefused(Message(REPEATED, {"name": name}))
        seen.add(name)
        _refuse_repeats(child)
