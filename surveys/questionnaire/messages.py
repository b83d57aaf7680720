"""Every message the engine shows a respondent, as msgids of the app's catalogues.

The texts are Vietnamese, the source language; the app translates them when it
shows them (``surveys.translatable``). Placeholders are Flask-Babel's
(``%(value)s``), filled from a ``Message``'s parameters.
"""

from __future__ import annotations

from surveys.translatable import N_, Nn_, Text

REQUIRED = N_("Vui lòng trả lời câu hỏi này.")
NOT_A_CHOICE = N_("Lựa chọn không có trong danh sách: %(value)s.")
#: A choice of the list that the ``choice_filter`` leaves out, given the
#: answers before it (a ward outside the district chosen).
NOT_FITTING = N_(
    "Lựa chọn %(value)s không phù hợp với câu trả lời trước đó; vui lòng chọn lại."
)
ONE_VALUE_ONLY = N_("Chỉ được chọn hoặc nhập một giá trị.")
NOT_AN_INTEGER = N_("Vui lòng nhập một số nguyên.")
NOT_A_NUMBER = N_("Vui lòng nhập một số.")
OUT_OF_RANGE = N_("Giá trị phải nằm trong khoảng từ %(minimum)s đến %(maximum)s.")
NOT_A_DATE = N_("Vui lòng nhập ngày theo dạng NNNN-TT-NN.")
NOT_A_TIME = N_("Vui lòng nhập giờ theo dạng GG:PP (ví dụ 14:30).")
NOT_A_DATETIME = N_("Vui lòng nhập ngày và giờ theo dạng NNNN-TT-NN GG:PP.")
BAD_TIME_ZONE = N_("Múi giờ không hợp lệ: độ lệch phải từ -14:00 đến +14:00.")
NOT_A_GEOPOINT = N_(
    "Vui lòng nhập vị trí theo dạng “vĩ độ kinh độ” (ví dụ 21.0285 105.8542), "
    "có thể thêm độ cao và độ chính xác tính bằng mét."
)
GEOPOINT_OUT_OF_RANGE = N_(
    "Vị trí không hợp lệ: vĩ độ từ -90 đến 90, kinh độ từ -180 đến 180, "
    "độ chính xác không âm."
)
TOO_LONG = Nn_(
    "Câu trả lời quá dài (tối đa %(num)s ký tự).",
    "Câu trả lời quá dài (tối đa %(num)s ký tự).",
)
NOT_TEXT = N_("Câu trả lời phải là văn bản.")
#: A NUL character: no keyboard types it, and PostgreSQL cannot store it.
INVALID_CHARACTER = N_("Câu trả lời chứa ký tự không hợp lệ.")
CONSTRAINT_FAILED = N_("Câu trả lời không hợp lệ.")
NOT_ROWS = N_("Danh sách các dòng không hợp lệ.")
TOO_MANY_ROWS = N_("Tối đa %(maximum)s dòng.")

#: The official wording of the 5-point satisfaction scale, lowest first. It is a
#: questionnaire's label like any other, so it carries its languages itself.
RATING_LABELS: tuple[Text, ...] = (
    Text({"vi": "Rất không hài lòng", "en": "Very dissatisfied"}),
    Text({"vi": "Không hài lòng", "en": "Dissatisfied"}),
    Text({"vi": "Bình thường", "en": "Neutral"}),
    Text({"vi": "Hài lòng", "en": "Satisfied"}),
    Text({"vi": "Rất hài lòng", "en": "Very satisfied"}),
)
