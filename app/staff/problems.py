"""A refused questionnaire's problems, said in the reader's language.

The engine words its problems in English for developers; each falls into a
category told in one translated sentence (``SUMMARIES``), and the English stays
beside it as the technical detail.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from app.i18n import _, lazy_gettext
from surveys.questionnaire.errors import Problem

#: The engine's wordings of each category, first match wins (order matters:
#: "unknown function" before "unknown key", "not supported" before "must be").
CATEGORIES = (
    ("unreadable", r"not a readable|no such file|expected one of \["),
    # XLSForm features refused by name, each told by name (before "unsupported").
    ("loop", r"loops \(begin loop"),
    ("repeat", r"nested repeats|is repeated \(in|not the row of a repeat|"
               r"a question of the repeat|only a repeat has|a repeat needs"),
    ("xpath", r"XPath paths|lookups in another list|goes above the form|"
              r"is not in (group|the top)"),
    ("or_other", r"an 'other' option with a text box"),
    ("rank", r"rank questions"),
    ("unsupported", r"not supported|is known|only yes or no"),
    ("function", r"unknown function|\(\) takes"),
    ("reference", r"names no question|no question uses|no choice list|"
                  r"not one of the items|no rating or number question|"
                  r"invalid question name|is not a choice"),
    ("duplicate", r"twice|duplicate|already scored"),
    ("misplaced", r"unknown key|not allowed on|takes no answer|has no choices|"
                  r"only a text question|only for|either choices or"),
    ("missing", r"^missing$|is needed|needs|no sheet named|never ended|"
                r"closes nothing"),
    ("choice", r"one of|unknown type|unknown source|must lie within"),
    ("expression", r"expression|expected .* found|ends too early|cannot evaluate"),
    ("value", r"must|not a valid name|a rating is"),
)  # fmt: skip
_PATTERNS = [(name, re.compile(pattern)) for name, pattern in CATEGORIES]
#: Each category said in one sentence for whoever uploaded the definition.
SUMMARIES = {
    "unreadable": lazy_gettext(
        "Không đọc được tệp: hãy lưu lại dưới dạng .xlsx hoặc .yaml rồi tải lên lại."
    ),
    "loop": lazy_gettext(
        "Hệ thống không hỗ trợ vòng lặp theo danh sách lựa chọn (begin loop); hãy "
        "dùng nhóm lặp (begin repeat)."
    ),
    "repeat": lazy_gettext(
        "Nhóm lặp (begin repeat) dùng sai: không đặt nhóm lặp trong nhóm lặp; ngoài "
        "nhóm lặp, câu hỏi lặp chỉ dùng trong count(), sum(), max(), min(), "
        "count-non-empty(), join() hoặc indexed-repeat()."
    ),
    "xpath": lazy_gettext(
        "Hệ thống chỉ hỗ trợ đường dẫn ../tên tới câu hỏi cùng nhóm; không hỗ trợ "
        "/data/… hay tra cứu instance('…'); hãy gọi câu hỏi trực tiếp bằng tên."
    ),
    "or_other": lazy_gettext(
        "Lựa chọn “Khác” kèm ô nhập (or_other) chỉ dùng được với danh sách trong "
        "trang choices, không với danh sách lấy từ tệp."
    ),
    "rank": lazy_gettext("Hệ thống không hỗ trợ câu hỏi xếp hạng (rank)."),
    "unsupported": lazy_gettext(
        "Hệ thống không hỗ trợ loại câu hỏi hay tính năng này; hãy bỏ hoặc thay bằng "
        "loại được hỗ trợ."
    ),
    "function": lazy_gettext(
        "Biểu thức dùng một hàm không có, hoặc truyền sai số đối số."
    ),
    "reference": lazy_gettext(
        "Có chỗ nhắc tới câu hỏi hoặc danh sách lựa chọn không tồn tại."
    ),
    "duplicate": lazy_gettext(
        "Một tên hoặc giá trị bị dùng hai lần; mỗi tên phải là duy nhất."
    ),
    "misplaced": lazy_gettext(
        "Trường này không dùng được ở đây (tên sai hoặc không hợp với loại câu hỏi)."
    ),
    "missing": lazy_gettext("Thiếu thông tin bắt buộc."),
    "choice": lazy_gettext("Giá trị không thuộc các giá trị được phép."),
    "expression": lazy_gettext("Biểu thức viết sai cú pháp."),
    "value": lazy_gettext("Giá trị sai kiểu hoặc sai định dạng."),
    "other": lazy_gettext("Định nghĩa có lỗi ở đây."),
}
#: Where the workbook reader places a problem; a YAML path is shown as it is.
_SHEET_ROW = re.compile(r"sheet '(?P<sheet>.*)', row (?P<row>\d+)")


@dataclass(frozen=True)
class ShownProblem:
    """One problem as the upload page lists it: where, which field, what and why."""

    where: str
    field: str
    summary: str
    detail: str


def explained(problems: Sequence[Problem]) -> list[ShownProblem]:
    """Pair each problem's English detail with its category's sentence."""
    return [
        ShownProblem(
            _place(problem.where),
            problem.field,
            str(SUMMARIES[category_of(problem.message)]),
            problem.message,
        )
        for problem in problems
    ]


def category_of(message: str) -> str:
    """Name the category of an engine message ("other" when none fits)."""
    return next(
        (name for name, pattern in _PATTERNS if pattern.search(message)), "other"
    )


def _place(where: str) -> str:
    """Say a workbook's sheet and row in the reader's language."""
    found = _SHEET_ROW.fullmatch(where)
    if found is None:
        return where
    return _(
        "trang tính “%(sheet)s”, dòng %(row)s", sheet=found["sheet"], row=found["row"]
    )
