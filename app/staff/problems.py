"""A refused questionnaire's problems, said in the reader's language.

The engine words its problems in English for developers; each falls into a
category told in one translated sentence (``SUMMARIES``), and the English stays
beside it as the technical detail, which a page in another language folds away
as such. Where the problem is and which field are said in the reader's language
too, or shown as the names they are (a YAML path, an XLSForm column).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from app.i18n import _, lazy_gettext, ngettext
from surveys.questionnaire.errors import Problem

#: The engine's wordings of each category, first match wins (order matters:
#: "unknown function" before "unknown key", "not supported" before "must be").
CATEGORIES = (
    ("protected", r"password-protected"),
    ("limit", r"the limit|expands to more than|nests? (more|too)"),
    # The CSV files beside a form: missing or unreadable (before "duplicate").
    ("data_file", r"not uploaded with the form|not UTF-8|cells, the header|"
                  r"it needs a header row|not a readable CSV|column names must be|"
                  r"larger than|more than \d+ rows|"
                  r"only \.csv|XML files|GeoJSON files|a column is named twice|"
                  r"neither a choice list nor a CSV|carries it already"),
    # Filters, lookups and file selects naming columns that are not there.
    ("column", r"has no column|have no column|are translated, so ODK|"
               r"cannot go with or_other|have no columns to filter|"
               r"only a select from a file has columns"),
    ("unreadable", r"not a readable|no such file|expected one of \.|"
                   r"the file is empty|is a chart"),
    ("formula", r"holds the formula"),
    ("circle", r"circular logic"),
    # XLSForm features refused by name, each told by name (before "unsupported").
    ("loop", r"loops \(begin loop"),
    ("repeat", r"nested repeats|is repeated \(in|not the row of a repeat|"
               r"a question of the repeat|only a repeat has|a repeat needs"),
    ("xpath", r"XPath paths|XPath path,|only lookups of one column|"
              r"goes above the form|is not in (group|the top)"),
    ("or_other", r"an 'other' option with a text box"),
    ("rank", r"rank questions"),
    ("background", r"in the background|background audio|when the form opens"),
    ("unsupported", r"not supported|is known|only yes or no"),
    ("function", r"unknown function|\(\) takes"),
    ("reference", r"names no question|no question uses|no choice list|"
                  r"not one of the items|no rating or number question|"
                  r"invalid question name|is not a choice"),
    ("duplicate", r"twice|duplicate|already scored"),
    ("misplaced", r"unknown key|not allowed on|takes no answer|has no choices|"
                  r"only a text question|only for|give one of choices"),
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
    "protected": lazy_gettext(
        "Tệp được đặt mật khẩu nên không đọc được: hãy gỡ mật khẩu trong Excel "
        "rồi lưu và tải lên lại."
    ),
    "limit": lazy_gettext(
        "Tệp vượt quá giới hạn (dung lượng, số dòng, số lựa chọn, độ dài ô, tên "
        "hay độ sâu lồng nhau) mà không bảng hỏi thật nào chạm tới: có phải đúng "
        "tệp không? Chi tiết bên dưới nêu giới hạn."
    ),
    "formula": lazy_gettext(
        "Ô có công thức chưa được tính: hãy mở tệp trong Excel hoặc LibreOffice, "
        "lưu lại rồi tải lên, hoặc gõ thẳng giá trị."
    ),
    "circle": lazy_gettext(
        "Điều kiện hiển thị (relevant) hoặc phép tính (calculation) vòng tròn: "
        "các câu hỏi dựa vào nhau nên không tính được; hãy bỏ một mắt của vòng."
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
        "Hệ thống chỉ hỗ trợ đường dẫn ../tên tới câu hỏi cùng nhóm và tra cứu "
        "một cột instance('…')/root/item[…]/cột; không hỗ trợ đường dẫn XPath "
        "khác (/data/…); hãy gọi câu hỏi trực tiếp bằng tên của nó."
    ),
    "data_file": lazy_gettext(
        "Thiếu tệp CSV đi kèm biểu mẫu, hoặc tệp không đọc được: hãy tải lên cùng "
        "biểu mẫu tệp .csv (UTF-8, dòng đầu là tên cột, mỗi dòng đủ cột) mà biểu "
        "mẫu nêu tên."
    ),
    "column": lazy_gettext(
        "Bộ lọc lựa chọn (choice_filter), phép tra cứu hoặc pulldata nhắc tới một "
        "cột không có trong danh sách lựa chọn hay tệp CSV."
    ),
    "or_other": lazy_gettext(
        "Lựa chọn “Khác” kèm ô nhập (or_other) chỉ dùng được với danh sách trong "
        "trang choices, không với danh sách lấy từ tệp."
    ),
    "rank": lazy_gettext("Hệ thống không hỗ trợ câu hỏi xếp hạng (rank)."),
    "background": lazy_gettext(
        "Hệ thống không ghi nhật ký thao tác, âm thanh hay vị trí ở chế độ nền "
        "(audit, background-audio, start-geopoint): chỉ ghi những gì người trả "
        "lời tự nhập."
    ),
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
_SHEET = re.compile(r"sheet '(?P<sheet>.*)'")
_FILE = re.compile(r"file '(?P<file>.*)'")
#: The places the engine names in words rather than by a path.
PLACES = {
    "top level": lazy_gettext("toàn bộ định nghĩa"),
    "workbook": lazy_gettext("tệp Excel"),
    "file": lazy_gettext("tệp"),
    "file name": lazy_gettext("tên tệp"),
}
#: The engine's names for what is wrong when it is no column or key of the file.
FIELDS = {
    "(document)": lazy_gettext("toàn bộ định nghĩa"),
    "(file)": lazy_gettext("tệp"),
    "(syntax)": lazy_gettext("cú pháp"),
    "(question)": lazy_gettext("câu hỏi"),
    "(option)": lazy_gettext("lựa chọn"),
    "extension": lazy_gettext("phần mở rộng của tên tệp"),
}


@dataclass(frozen=True)
class ShownProblem:
    """One problem as the upload page lists it: where, which field, what and why.

    ``where`` and ``field`` are words in the reader's language; ``path`` and
    ``column`` are names from the file (a YAML path, an XLSForm column), shown
    as code, and empty when the words say it all.
    """

    where: str
    path: str
    field: str
    column: str
    summary: str
    detail: str


def explained(problems: Sequence[Problem]) -> list[ShownProblem]:
    """Pair each problem's English detail with its category's sentence."""
    shown = []
    for problem in problems:
        where, path = _place_or_path(str(problem.where))
        field = FIELDS.get(problem.field)
        shown.append(
            ShownProblem(
                where,
                path,
                "" if field is None else str(field),
                problem.field if field is None else "",
                str(SUMMARIES[category_of(problem.message)]),
                problem.message,
            )
        )
    return shown


def _place_or_path(where: str) -> tuple[str, str]:
    """Say where a problem is in words, and the name of the sheet or path it is at."""
    if found := _SHEET_ROW.fullmatch(where):
        return _("dòng %(row)s của trang tính", row=found["row"]), found["sheet"]
    if found := _SHEET.fullmatch(where):
        return _("trang tính"), found["sheet"]
    if (named := PLACES.get(where)) is not None:
        return str(named), ""
    if found := _FILE.fullmatch(where):
        return _("tệp “%(file)s”", file=found["file"]), ""
    return "", where


def dropped_notice(notices: Sequence[Problem]) -> str | None:
    """Tell whoever imported a workbook which rows were dropped, and why (or None)."""
    if not notices:
        return None
    return ngettext(
        "Đã bỏ %(num)s dòng ghi thông tin của thiết bị hoặc người dùng (deviceid, "
        "phonenumber, username, email…) ở %(rows)s: hệ thống không thu thập các "
        "thông tin này. Các câu hỏi không thay đổi.",
        "Đã bỏ %(num)s dòng ghi thông tin của thiết bị hoặc người dùng (deviceid, "
        "phonenumber, username, email…) ở %(rows)s: hệ thống không thu thập các "
        "thông tin này. Các câu hỏi không thay đổi.",
        len(notices),
        rows="; ".join(_place(notice.where) for notice in notices),
    )


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
