"""Vietnamese alphabetical order."""

from __future__ import annotations

from surveys.text import vietnamese_sort_key


def test_letters_with_marks_follow_their_base_letter() -> None:
    names = [
        "Tân Định",
        "Đa Kao",
        "Dương",
        "Ăn",
        "Ân",
        "An",
        "Ơn",
        "Ôn",
        "On",
        "Ưu",
        "Uu",
    ]
    expected = [
        "An",
        "Ăn",
        "Ân",
        "Dương",
        "Đa Kao",
        "On",
        "Ôn",
        "Ơn",
        "Tân Định",
        "Uu",
        "Ưu",
    ]
    assert sorted(names, key=vietnamese_sort_key) == expected


def test_tones_decide_only_between_otherwise_equal_words() -> None:
    words = ["má", "ma", "mạ", "mà", "mả", "mã", "mai"]
    assert sorted(words, key=vietnamese_sort_key) == [
        "ma", "mà", "mả", "mã", "má", "mạ", "mai",
    ]  # fmt: skip


def test_case_does_not_matter() -> None:
    assert vietnamese_sort_key("ĐA KAO") == vietnamese_sort_key("đa kao")
