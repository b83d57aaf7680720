"""Phone numbers, ID numbers and emails in comments are masked; amounts stay."""

from __future__ import annotations

import pytest

from surveys.comments.personal_data import Personal, mask_personal_data

PHONE = "[đã ẩn số điện thoại]"
ID_NUMBER = "[đã ẩn số giấy tờ]"
EMAIL = "[đã ẩn email]"


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("Gọi lại cho tôi 0912 345 678 nhé", f"Gọi lại cho tôi {PHONE} nhé"),
        ("sđt: 0912.345.678", f"sđt: {PHONE}"),
        ("SĐT0912345678", f"SĐT{PHONE}"),
        ("0912-345-678.", f"{PHONE}."),
        ("0386 123 456", PHONE),
        ("+84 912 345 678", PHONE),
        ("+84912345678", PHONE),
        ("84912345678", PHONE),
        ("(+84) 912 345 678", PHONE),
        ("(028) 3829 1234", PHONE),
        ("028.3829.1234", PHONE),
        ("+84 28 3829 1234", PHONE),
        ("0912345678 0987654321", f"{PHONE} {PHONE}"),
        ("0912 345 678 0987 654 321", f"{PHONE} {PHONE}"),
        ("và 1.200.000 cho 0912345678", f"và 1.200.000 cho {PHONE}"),
        ("gọi 0912345678 đ/c Lan", f"gọi {PHONE} đ/c Lan"),
        ("liên hệ 0912345678 đ.c Lan", f"liên hệ {PHONE} đ.c Lan"),
        ("gọi 0912345678 Đ/C Lan", f"gọi {PHONE} Đ/C Lan"),
    ],
)
def test_vietnamese_phone_numbers_in_every_usual_form_are_masked(
    typed: str, shown: str
) -> None:
    assert mask_personal_data(typed) == shown


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("CCCD 079203001234", f"CCCD {ID_NUMBER}"),
        ("số 079 203 001 234", f"số {ID_NUMBER}"),
        ("CMND: 023456789", f"CMND: {ID_NUMBER}"),
        ("CMND 023 456 789.", f"CMND {ID_NUMBER}."),
    ],
)
def test_identity_card_numbers_are_masked(typed: str, shown: str) -> None:
    assert mask_personal_data(typed) == shown


@pytest.mark.parametrize(
    "typed",
    ["mail nguyen.van.a@gmail.com nhé", "nva+hs@phuong-1.hochiminhcity.gov.vn"],
)
def test_emails_are_masked(typed: str) -> None:
    assert "@" not in mask_personal_data(typed)
    assert EMAIL in mask_personal_data(typed)


@pytest.mark.parametrize(
    "typed",
    [
        "Phải chờ 3 ngày mới có kết quả",
        "Phí 500.000 đồng là quá cao",
        "nộp 1.500.000.000 đ",
        "giá 1,500,000đ",
        "lệ phí 500.000đ.",
        "lệ phí 500000đ. Quá cao",
        "phí 500000đ, quá cao",
        "mất 150 000 000 đồng",
        "150000000 VND",
        "hẹn ngày 12/03/2026 lúc 08:30",
        "hẹn 12-03-2026",
        "năm 2023 2024 2025 đều chậm",
        "mã hồ sơ 000.00.22.H29-240315-0001",
        "tổng đài 1900 1234 không ai nghe",
        "quầy số 5, tầng 2, phòng 204",
        "đợi từ 7h30 đến 11h",
        "12345678",
        "0912 345",
        "1234567890",
    ],
)
def test_amounts_dates_counts_and_short_numbers_keep_their_digits(typed: str) -> None:
    assert mask_personal_data(typed) == typed


def test_masks_can_be_given_in_the_readers_language() -> None:
    masks = {
        Personal.PHONE: "[phone hidden]",
        Personal.ID_NUMBER: "[ID hidden]",
        Personal.EMAIL: "[email hidden]",
    }
    shown = mask_personal_data("0912345678, 079203001234, a@b.vn", masks)
    assert shown == "[phone hidden], [ID hidden], [email hidden]"


def test_a_comment_without_personal_data_is_returned_as_typed() -> None:
    text = "Cán bộ hướng dẫn tận tình, nhưng phải đợi hơn 2 tiếng."
    assert mask_personal_data(text) == text
