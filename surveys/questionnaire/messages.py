"""Every message shown to a respondent, in Vietnamese and English, kept in one place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    """A respondent-facing message in Vietnamese and English."""

    vi: str
    en: str

    def format(self, **values: object) -> Message:
        """Fill the placeholders of both languages with the same values."""
        return Message(self.vi.format(**values), self.en.format(**values))

    def as_dict(self) -> dict[str, str]:
        """Return the message as ``{"vi": ..., "en": ...}`` for JSON responses."""
        return {"vi": self.vi, "en": self.en}


def from_definition(text: Mapping[str, str], fallback: Message) -> Message:
    """Use a definition's own message where it has one, the catalogue's otherwise."""
    if not text:
        return fallback
    any_language = next(iter(text.values()))
    return Message(
        text.get("vi", any_language if "en" not in text else fallback.vi),
        text.get("en", any_language if "vi" not in text else fallback.en),
    )


REQUIRED = Message("Vui lòng trả lời câu hỏi này.", "Please answer this question.")
NOT_A_CHOICE = Message(
    "Lựa chọn không có trong danh sách: {value}.", "Not one of the choices: {value}."
)
ONE_VALUE_ONLY = Message(
    "Chỉ được chọn hoặc nhập một giá trị.", "Choose or enter only one value."
)
NOT_AN_INTEGER = Message("Vui lòng nhập một số nguyên.", "Please enter a whole number.")
NOT_A_NUMBER = Message("Vui lòng nhập một số.", "Please enter a number.")
OUT_OF_RANGE = Message(
    "Giá trị phải nằm trong khoảng từ {minimum} đến {maximum}.",
    "The value must be between {minimum} and {maximum}.",
)
NOT_A_DATE = Message(
    "Vui lòng nhập ngày theo dạng NNNN-TT-NN.", "Please enter a date as YYYY-MM-DD."
)
TOO_LONG = Message(
    "Câu trả lời quá dài (tối đa {limit} ký tự).",
    "The answer is too long (at most {limit} characters).",
)
NOT_TEXT = Message("Câu trả lời phải là văn bản.", "The answer must be text.")
CONSTRAINT_FAILED = Message(
    "Câu trả lời không hợp lệ.", "The answer does not meet the question's condition."
)

#: The official wording of the 5-point satisfaction scale, lowest first.
RATING_LABELS: tuple[Message, ...] = (
    Message("Rất không hài lòng", "Very dissatisfied"),
    Message("Không hài lòng", "Dissatisfied"),
    Message("Bình thường", "Neutral"),
    Message("Hài lòng", "Satisfied"),
    Message("Rất hài lòng", "Very satisfied"),
)
