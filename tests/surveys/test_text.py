"""Vietnamese alphabetical order."""

from __future__ import annotations

import unicodedata

from surveys.text import folded, vietnamese_sort_key


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


def test_folding_drops_case_and_every_vietnamese_mark() -> None:
    assert folded("THÁI ĐỘ Phục vụ chưa tốt") == "thai do phuc vu chua tot"
    assert folded("Đường ƯỚT ở Quận Ba Đình") == "duong uot o quan ba dinh"


def test_folding_treats_combining_marks_like_precomposed_letters() -> None:
    precomposed = unicodedata.normalize("NFC", "Hướng dẫn")
    combining = unicodedata.normalize("NFD", "Hướng dẫn")
    assert precomposed != combining
    assert folded(precomposed) == folded(combining) == "huong dan"
