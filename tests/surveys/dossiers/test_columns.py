"""Proposing, checking and remembering the columns of an export."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.dossiers.columns import (
    confirm_mapping,
    mapping_problems,
    normalised,
    propose_mapping,
    remembered_source,
    signature,
)
from surveys.models import ImportSource
from tests.builders import make_unit, make_user


def test_headers_compare_without_case_diacritics_or_punctuation() -> None:
    assert normalised("  Ngày hẹn trả (*) ") == "ngay hen tra"
    assert normalised("ĐƠN VỊ") == normalised("Đơn vị") == "don vi"
    assert signature(["Mã hồ sơ", "Ngày nhận"]) == signature(["MA HO SO", "ngay  nhan"])
    assert signature(["Mã hồ sơ", "Ngày nhận"]) != signature(["Ngày nhận", "Mã hồ sơ"])


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Mã hồ sơ", "code"),
        ("Số hồ sơ", "code"),
        ("Ngày tiếp nhận", "received_at"),
        ("Ngày nhận", "received_at"),
        ("Ngày tiếp nhận hồ sơ (dd/mm/yyyy)", "received_at"),
        ("Ngày hẹn trả", "due_at"),
        ("Hạn giải quyết", "due_at"),
        ("Ngày trả kết quả", "returned_at"),
        ("Ngày hoàn thành", "returned_at"),
        ("Tên thủ tục", "procedure_name"),
        ("Mã thủ tục", "procedure_code"),
        ("Lĩnh vực", "procedure_field"),
        ("Trạng thái", "status"),
        ("Hình thức nộp", "channel"),
        ("Kênh tiếp nhận", "channel"),
        ("Thanh toán trực tuyến", "paid_online"),
        ("Số hóa", "digitised"),
        ("Đơn vị", "unit"),
        ("Mã đơn vị", "unit"),
        ("Quầy", "counter"),
        ("Cán bộ tiếp nhận", "official"),
        ("Người nộp", "applicant_name"),
        ("Chủ hồ sơ", "applicant_name"),
        ("Số điện thoại", "applicant_phone"),
        ("E-mail", "applicant_email"),
        ("Địa chỉ", "applicant_address"),
    ],
)
def test_each_field_is_proposed_from_its_usual_names(header: str, field: str) -> None:
    assert propose_mapping(["STT", header]) == {field: header}


def test_the_first_header_naming_a_field_wins() -> None:
    mapping = propose_mapping(["Mã hồ sơ", "Số hồ sơ", "Ngày nhận", "Ngày tiếp nhận"])
    assert mapping == {"code": "Mã hồ sơ", "received_at": "Ngày nhận"}


def test_a_mapping_must_name_the_required_columns_once() -> None:
    headers = ["Mã hồ sơ", "Tên thủ tục", "Ngày nhận", "Kênh"]
    good = {
        "code": "Mã hồ sơ",
        "procedure_name": "Tên thủ tục",
        "received_at": "Ngày nhận",
        "channel": "Kênh",
    }
    assert mapping_problems(headers, good) == []
    bad = {"code": "Mã hồ sơ", "received_at": "Mã hồ sơ", "status": "Tình trạng"}
    said = [problem.msgid for problem in mapping_problems(headers, bad)]
    assert said == [
        "Tệp không có cột “%(header)s”.",
        "Cột “%(header)s” được ghép với nhiều trường.",
        "Chưa chọn cột chứa hình thức nộp.",
        "Chưa chọn cột chứa mã thủ tục hoặc tên thủ tục.",
    ]


def test_the_confirmed_mapping_is_remembered_by_the_layout(db_session: Session) -> None:
    headers = ("STT", "Mã hồ sơ", "Tên thủ tục", "Ngày nhận", "Hình thức nộp")
    user = make_user(db_session, make_unit(db_session))
    mapping = propose_mapping(headers) | {"applicant_name": ""}
    assert remembered_source(db_session, headers) is None
    source = confirm_mapping(db_session, headers, mapping, user.id)
    assert source.confirmed_by == user.id
    assert "applicant_name" not in source.mapping
    same_layout = ("stt", "MÃ HỒ SƠ", "Tên thủ tục", "Ngày nhận", "Hình thức nộp")
    assert remembered_source(db_session, same_layout) == source
    corrected = dict(source.mapping, received_at="STT")
    confirm_mapping(db_session, headers, corrected, None)
    assert db_session.scalars(select(ImportSource)).all() == [source]
    assert source.mapping["received_at"] == "STT"
    with pytest.raises(ValueError):
        confirm_mapping(db_session, headers, {"code": "Mã hồ sơ"}, None)
