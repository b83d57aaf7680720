"""Which column of a provincial export holds which of a dossier's fields.

Every provincial system names its columns its own way ("Mã hồ sơ" or "Số hồ
sơ", "Ngày hẹn trả" or "Hạn giải quyết"). hailong proposes a mapping from the
headers, compared without case, diacritics, punctuation or extra spaces; the
official confirms or corrects it once, and it is remembered as an
``ImportSource`` under the headers' signature, so the next export of the same
layout is read the same way without asking.
"""

from __future__ import annotations

import enum
import hashlib
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.models import ImportSource, utcnow
from surveys.translatable import N_, Message


class Field(enum.StrEnum):
    """A dossier's field an export column can hold, in the order the form shows."""

    CODE = "code"
    PROCEDURE_CODE = "procedure_code"
    PROCEDURE_NAME = "procedure_name"
    PROCEDURE_FIELD = "procedure_field"
    UNIT = "unit"
    COUNTER = "counter"
    OFFICIAL = "official"
    CHANNEL = "channel"
    RECEIVED_AT = "received_at"
    DUE_AT = "due_at"
    RETURNED_AT = "returned_at"
    STATUS = "status"
    PAID_ONLINE = "paid_online"
    DIGITISED = "digitised"
    APPLICANT_NAME = "applicant_name"
    APPLICANT_PHONE = "applicant_phone"
    APPLICANT_EMAIL = "applicant_email"
    APPLICANT_ADDRESS = "applicant_address"


#: Each field as the mapping form and the problems name it.
LABELS: Mapping[Field, str] = {
    Field.CODE: N_("Mã hồ sơ"),
    Field.PROCEDURE_CODE: N_("Mã thủ tục"),
    Field.PROCEDURE_NAME: N_("Tên thủ tục"),
    Field.PROCEDURE_FIELD: N_("Lĩnh vực thủ tục"),
    Field.UNIT: N_("Đơn vị"),
    Field.COUNTER: N_("Quầy"),
    Field.OFFICIAL: N_("Cán bộ tiếp nhận"),
    Field.CHANNEL: N_("Hình thức nộp"),
    Field.RECEIVED_AT: N_("Ngày tiếp nhận"),
    Field.DUE_AT: N_("Ngày hẹn trả"),
    Field.RETURNED_AT: N_("Ngày trả kết quả"),
    Field.STATUS: N_("Trạng thái"),
    Field.PAID_ONLINE: N_("Thanh toán trực tuyến"),
    Field.DIGITISED: N_("Số hóa"),
    Field.APPLICANT_NAME: N_("Người nộp"),
    Field.APPLICANT_PHONE: N_("Số điện thoại"),
    Field.APPLICANT_EMAIL: N_("Email"),
    Field.APPLICANT_ADDRESS: N_("Địa chỉ"),
}
#: Fields every export must have, and what is said when one has no column.
REQUIRED: Mapping[Field, str] = {
    Field.CODE: N_("Chưa chọn cột chứa mã hồ sơ."),
    Field.RECEIVED_AT: N_("Chưa chọn cột chứa ngày tiếp nhận."),
    Field.CHANNEL: N_("Chưa chọn cột chứa hình thức nộp."),
}
#: A procedure is named by its code or its name: one of them is needed.
PROCEDURE = (Field.PROCEDURE_CODE, Field.PROCEDURE_NAME)

#: Header names of each field, normalised (see ``normalised``), the usual first.
SYNONYMS: Mapping[Field, tuple[str, ...]] = {
    Field.CODE: ("ma ho so", "so ho so", "ma hs", "so hs", "so bien nhan"),
    Field.PROCEDURE_CODE: ("ma thu tuc", "ma tthc", "ma thu tuc hanh chinh"),
    Field.PROCEDURE_NAME: (
        "ten thu tuc", "thu tuc", "ten tthc", "thu tuc hanh chinh",
        "ten thu tuc hanh chinh",
    ),
    Field.PROCEDURE_FIELD: ("linh vuc", "ten linh vuc", "linh vuc thu tuc"),
    Field.UNIT: (
        "don vi", "ma don vi", "ten don vi", "don vi tiep nhan",
        "co quan tiep nhan", "co quan giai quyet",
    ),
    Field.COUNTER: ("quay", "quay tiep nhan", "ma quay"),
    Field.OFFICIAL: (
        "can bo tiep nhan", "nguoi tiep nhan", "ma can bo", "can bo",
        "cong chuc tiep nhan",
    ),
    Field.CHANNEL: (
        "hinh thuc nop", "kenh tiep nhan", "hinh thuc tiep nhan", "kenh nop",
        "hinh thuc nop ho so",
    ),
    Field.RECEIVED_AT: (
        "ngay tiep nhan", "ngay nhan", "ngay nop", "thoi gian tiep nhan",
        "ngay nhan ho so",
    ),
    Field.DUE_AT: (
        "ngay hen tra", "han giai quyet", "ngay hen tra ket qua", "han xu ly",
        "thoi han giai quyet", "ngay hen",
    ),
    Field.RETURNED_AT: (
        "ngay tra ket qua", "ngay hoan thanh", "ngay tra", "thoi gian tra ket qua",
        "ngay tra kq",
    ),
    Field.STATUS: ("trang thai", "tinh trang", "trang thai ho so", "tinh trang xu ly"),
    Field.PAID_ONLINE: (
        "thanh toan truc tuyen", "thanh toan online", "da thanh toan truc tuyen",
    ),
    Field.DIGITISED: ("so hoa", "da so hoa", "so hoa ho so"),
    Field.APPLICANT_NAME: (
        "nguoi nop", "chu ho so", "ten nguoi nop", "ho ten nguoi nop",
        "to chuc ca nhan", "ten to chuc ca nhan",
    ),
    Field.APPLICANT_PHONE: ("so dien thoai", "dien thoai", "sdt", "so dt"),
    Field.APPLICANT_EMAIL: ("email", "e mail", "thu dien tu"),
    Field.APPLICANT_ADDRESS: ("dia chi", "dia chi nguoi nop", "dia chi lien he"),
}  # fmt: skip

FIELDS = frozenset(field.value for field in Field)
#: A kind of export's fields (``Field`` or its twin for cases).
F = TypeVar("F", bound=enum.StrEnum)
_BY_NAME = {name: field for field, names in SYNONYMS.items() for name in names}
_NOT_WORD = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=8192)
def normalised(text: str) -> str:
    """Return ``text`` without case, diacritics, punctuation or extra spaces.

    "Ngày hẹn trả (*)" and "NGAY HEN TRA" are both ``ngay hen tra``.
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "d"))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NOT_WORD.sub(" ", bare.lower()).strip()


def known_header(header: str) -> Field | None:
    """Return the field a header names, or None."""
    return _BY_NAME.get(normalised(header))


def signature(headers: Sequence[str]) -> str:
    """Return the SHA-256 of the normalised headers, in order: a layout's name."""
    joined = "\x1f".join(normalised(header) for header in headers)
    return hashlib.sha256(joined.encode()).hexdigest()


def propose_mapping(headers: Sequence[str]) -> dict[str, str]:
    """Map each dossier field to the first header that names it."""
    return proposed(headers, SYNONYMS)


def proposed(
    headers: Sequence[str], synonyms: Mapping[F, tuple[str, ...]]
) -> dict[str, str]:
    """Map each field of ``synonyms`` to the first header that names it.

    A header naming a field exactly wins; else one that begins with a field's
    name ("Ngày tiếp nhận hồ sơ"), the longest name first. ``synonyms`` gives
    each field's normalised names (see ``normalised``), in the fields' order.
    """
    by_name = {name: field for field, names in synonyms.items() for name in names}
    mapping: dict[F, str] = {}
    for header in headers:
        field = by_name.get(normalised(header))
        if field is not None and field not in mapping:
            mapping[field] = header
    for header in headers:
        if header in mapping.values():
            continue
        words = normalised(header)
        candidates = [
            (len(name), field)
            for name, field in by_name.items()
            if field not in mapping and words.startswith(name + " ")
        ]
        if candidates:
            mapping[max(candidates)[1]] = header
    return {field.value: mapping[field] for field in synonyms if field in mapping}


def mapping_problems(
    headers: Sequence[str], mapping: Mapping[str, str]
) -> list[Message]:
    """Say what keeps ``mapping`` from reading a file with ``headers``."""
    problems = layout_problems(headers, mapping, FIELDS)
    problems += [
        Message(missing)
        for field, missing in REQUIRED.items()
        if not mapping.get(field)
    ]
    if not any(mapping.get(field) for field in PROCEDURE):
        problems.append(Message(N_("Chưa chọn cột chứa mã thủ tục hoặc tên thủ tục.")))
    return problems


def layout_problems(
    headers: Sequence[str], mapping: Mapping[str, str], fields: frozenset[str]
) -> list[Message]:
    """Say which of ``mapping``'s fields or headers do not exist, and which
    header is mapped twice: what any kind of export's mapping must avoid."""
    problems: list[Message] = []
    present = set(headers)
    for key, header in mapping.items():
        if key not in fields:
            problems.append(Message(N_("Không có trường “%(field)s”."), {"field": key}))
        elif header and header not in present:
            problems.append(
                Message(N_("Tệp không có cột “%(header)s”."), {"header": header})
            )
    used = [header for header in mapping.values() if header]
    for header in sorted({header for header in used if used.count(header) > 1}):
        problems.append(
            Message(
                N_("Cột “%(header)s” được ghép với nhiều trường."), {"header": header}
            )
        )
    return problems


#: The ``ImportSource.kind`` of dossier systems' exports.
SOURCE_KIND = "dossiers"
#: What keeps a mapping from reading a file: ``mapping_problems`` or its twin.
MappingCheck = Callable[[Sequence[str], Mapping[str, str]], list[Message]]


def remembered_source(
    session: Session, headers: Sequence[str], kind: str = SOURCE_KIND
) -> ImportSource | None:
    """Return the confirmed mapping of an export layout of ``kind`` seen before."""
    return session.scalar(
        select(ImportSource).where(
            ImportSource.kind == kind,
            ImportSource.signature == signature(headers),
        )
    )


def confirm_mapping(
    session: Session,
    headers: Sequence[str],
    mapping: Mapping[str, str],
    confirmed_by: int | None,
    *,
    kind: str = SOURCE_KIND,
    check: MappingCheck = mapping_problems,
) -> ImportSource:
    """Remember the mapping of this layout (the latest confirmation wins); flush.

    ``kind`` tells what the export holds (dossiers, cases), ``check`` what keeps
    a mapping of that kind from reading the file. Raises ``ValueError`` when it
    finds anything.
    """
    problems = check(headers, mapping)
    if problems:
        raise ValueError("; ".join(map(str, problems)))
    clean = {key: header for key, header in mapping.items() if header}
    source = remembered_source(session, headers, kind)
    if source is None:
        source = ImportSource(
            kind=kind, signature=signature(headers), headers=list(headers)
        )
        session.add(source)
    source.mapping = clean
    source.confirmed_by = confirmed_by
    source.confirmed_at = utcnow()
    session.flush()
    return source
