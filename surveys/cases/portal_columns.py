"""Which column of a portal's export holds which of a case's fields.

The 1022 portal, the national public service portal and others export their
feedback (phản ánh, kiến nghị) under headers of their own. As for dossier
exports (``surveys.dossiers.columns``), hailong proposes a mapping from the
headers, the official confirms it once, and it is remembered per layout as an
``ImportSource`` of kind ``cases``. Who sent a case (name, phone, address) is
never a field: contacts are kept only with the citizen's own consent.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence

from sqlalchemy.orm import Session

from surveys.dossiers.columns import (
    confirm_mapping,
    layout_problems,
    proposed,
    remembered_source,
)
from surveys.models import ImportSource
from surveys.translatable import N_, Message

#: The ``ImportSource.kind`` of portals' case exports.
CASES_KIND = "cases"


class CaseField(enum.StrEnum):
    """A case's field an export column can hold, in the order the form shows."""

    SOURCE_REF = "source_ref"
    RECEIVED_AT = "received_at"
    CATEGORY = "category"
    UNIT = "unit"
    TEXT = "text"
    DUE_AT = "due_at"
    STATUS = "status"
    ANSWERED_AT = "answered_at"


#: Each field as the mapping form and the problems name it.
CASE_LABELS: Mapping[CaseField, str] = {
    CaseField.SOURCE_REF: N_("Số phản ánh trên cổng"),
    CaseField.RECEIVED_AT: N_("Ngày tiếp nhận"),
    CaseField.CATEGORY: N_("Lĩnh vực phản ánh"),
    CaseField.UNIT: N_("Đơn vị xử lý"),
    CaseField.TEXT: N_("Nội dung phản ánh"),
    CaseField.DUE_AT: N_("Hạn xử lý"),
    CaseField.STATUS: N_("Trạng thái"),
    CaseField.ANSWERED_AT: N_("Ngày trả lời"),
}
#: Fields every export must have, and what is said when one has no column.
CASE_REQUIRED: Mapping[CaseField, str] = {
    CaseField.SOURCE_REF: N_("Chưa chọn cột chứa số phản ánh trên cổng."),
    CaseField.RECEIVED_AT: N_("Chưa chọn cột chứa ngày tiếp nhận."),
    CaseField.TEXT: N_("Chưa chọn cột chứa nội dung phản ánh."),
}

#: Header names of each field, normalised (``surveys.dossiers.columns.normalised``).
CASE_SYNONYMS: Mapping[CaseField, tuple[str, ...]] = {
    CaseField.SOURCE_REF: (
        "ma phan anh", "so phan anh", "ma pakn", "so pakn", "ma so phan anh",
        "ma ho so phan anh", "so hieu", "ma so", "id phan anh",
    ),
    CaseField.RECEIVED_AT: (
        "ngay tiep nhan", "ngay gui", "thoi gian gui", "ngay phan anh",
        "thoi gian tiep nhan", "ngay tao",
    ),
    CaseField.CATEGORY: (
        "linh vuc", "linh vuc phan anh", "loai phan anh", "chuyen muc",
        "nhom phan anh", "ma linh vuc",
    ),
    CaseField.UNIT: (
        "don vi xu ly", "don vi", "co quan xu ly", "don vi tiep nhan",
        "ma don vi", "don vi chu tri",
    ),
    CaseField.TEXT: (
        "noi dung", "noi dung phan anh", "noi dung phan anh kien nghi",
        "noi dung pakn", "mo ta",
    ),
    CaseField.DUE_AT: (
        "han xu ly", "han tra loi", "thoi han xu ly", "ngay het han",
        "han giai quyet",
    ),
    CaseField.STATUS: ("trang thai", "tinh trang", "tinh trang xu ly"),
    CaseField.ANSWERED_AT: (
        "ngay tra loi", "ngay xu ly xong", "ngay hoan thanh", "thoi gian tra loi",
        "ngay tra ket qua",
    ),
}  # fmt: skip

CASE_FIELDS = frozenset(field.value for field in CaseField)


def propose_case_mapping(headers: Sequence[str]) -> dict[str, str]:
    """Map each case field to the first header that names it."""
    return proposed(headers, CASE_SYNONYMS)


def case_mapping_problems(
    headers: Sequence[str], mapping: Mapping[str, str]
) -> list[Message]:
    """Say what keeps ``mapping`` from reading a case export with ``headers``."""
    problems = layout_problems(headers, mapping, CASE_FIELDS)
    return problems + [
        Message(missing)
        for field, missing in CASE_REQUIRED.items()
        if not mapping.get(field)
    ]


def remembered_case_source(
    session: Session, headers: Sequence[str]
) -> ImportSource | None:
    """Return the confirmed mapping of a case export layout seen before, or None."""
    return remembered_source(session, headers, CASES_KIND)


def confirm_case_mapping(
    session: Session,
    headers: Sequence[str],
    mapping: Mapping[str, str],
    confirmed_by: int | None,
) -> ImportSource:
    """Remember the mapping of this case export layout; flush.

    Raises ``ValueError`` when ``case_mapping_problems`` finds any.
    """
    return confirm_mapping(
        session,
        headers,
        mapping,
        confirmed_by,
        kind=CASES_KIND,
        check=case_mapping_problems,
    )
