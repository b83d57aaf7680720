"""The shared text type and the engine's catalogue messages."""

from __future__ import annotations

from surveys.translatable import N_, Message, Nn_, Text


def test_a_text_falls_back_to_vietnamese_then_its_first_language() -> None:
    assert Text({"vi": "Chung", "fr": "Général"}).get("fr") == "Général"
    assert Text({"vi": "Chung", "fr": "Général"}).get("en") == "Chung"
    assert Text({"fr": "Général", "de": "Allgemein"}).get("en") == "Général"
    assert Text({}).get("vi") == ""
    assert Text({"vi": "", "en": "General"}).languages == ("en",)


def test_a_text_equals_its_dict_and_can_be_hashed() -> None:
    assert Text({"vi": "a", "en": "b"}) == {"vi": "a", "en": "b"}
    assert hash(Text({"vi": "a"})) == hash(Text([("vi", "a")]))
    assert dict(Text({"vi": "a"})) == {"vi": "a"}


def test_markers_leave_their_msgids_alone() -> None:
    assert N_("Vui lòng nhập một số.") == "Vui lòng nhập một số."
    assert Nn_("%(num)s dòng", "%(num)s dòng") == ("%(num)s dòng", "%(num)s dòng")


def test_a_message_keeps_its_values_and_reads_as_vietnamese() -> None:
    message = Message("Mã “%(code)s” đã có ở dòng %(line)s.", {"code": "A1", "line": 3})
    assert str(message) == "Mã “A1” đã có ở dòng 3."
    counted = Message.counting(
        Nn_("Dài quá %(num)s ký tự.", "Dài quá %(num)s ký tự."), 200
    )
    assert counted.params == {"num": 200} and counted.plural is not None
    assert str(counted) == "Dài quá 200 ký tự."
    assert Message("Câu trả lời không hợp lệ.") == Message("Câu trả lời không hợp lệ.")
