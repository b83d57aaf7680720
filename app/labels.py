"""The names of the domain's enumerations, in the reader's language: unit kinds,
roles, campaign modes, codes, imports, audited acts and their details, cases.

Each value has its own literal msgid here, so ``pybabel extract`` finds every
name; templates show a value only through one of the ``*_name`` functions (never
raw: ``tests/app/test_page_languages.py`` walks every staff page in both
languages), and forms use the same names for their options.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask_babel.speaklater import LazyString
from wtforms.fields.choices import SelectChoice

from app.i18n import _, lazy_gettext, lazy_pgettext, translated
from surveys.access.audit import AuditAction
from surveys.access.invitations import CodeStatus
from surveys.cases.case_lists import CaseList
from surveys.cases.events import EventKind
from surveys.cases.workflow import Action
from surveys.dossiers.figures import Breakdown, Grain
from surveys.models import (
    AnswerState,
    CampaignMode,
    CaseCategory,
    CaseChannel,
    CaseState,
    CodeKind,
    ImportStatus,
    LetterDelivery,
    PaperFormState,
    ResponseChannel,
    Role,
    UnitKind,
)
from surveys.units.campaigns import CampaignStatus

UNIT_KINDS = {
    UnitKind.DISTRICT: lazy_gettext("Quận"),
    UnitKind.WARD: lazy_gettext("Phường"),
    UnitKind.DEPARTMENT: lazy_gettext("Phòng, ban"),
    UnitKind.SCHOOL: lazy_gettext("Trường học"),
    UnitKind.SERVICE_UNIT: lazy_gettext("Đơn vị sự nghiệp"),
}
ROLES = {
    Role.ADMIN: lazy_gettext("Quản trị hệ thống"),
    Role.DISTRICT: lazy_gettext("Cán bộ cấp quận"),
    Role.UNIT_MANAGER: lazy_gettext("Quản lý đơn vị"),
    Role.VIEWER: lazy_gettext("Chỉ xem"),
}
CAMPAIGN_MODES = {
    CampaignMode.COUNTER: lazy_gettext("Tại quầy"),
    CampaignMode.DOSSIER: lazy_gettext("Theo hồ sơ"),
    CampaignMode.INVITATION: lazy_gettext("Thư mời"),
    CampaignMode.INTERVIEWER: lazy_gettext("Điều tra viên"),
    CampaignMode.OPEN_LINK: lazy_gettext("Đường dẫn công khai"),
}
#: How a response came: its campaign's mode, or keyed in from a paper form.
RESPONSE_CHANNELS = {
    **CAMPAIGN_MODES,
    ResponseChannel.PAPER: lazy_gettext("Phiếu giấy"),
}
#: Every channel's responses: the filter's default and the row that adds
#: the channels up.
ALL_CHANNELS = lazy_gettext("Tất cả các kênh")
#: Where a campaign stands today.
CAMPAIGN_STATUSES = {
    CampaignStatus.SCHEDULED: lazy_gettext("Chưa bắt đầu"),
    CampaignStatus.RUNNING: lazy_gettext("Đang diễn ra"),
    CampaignStatus.PAUSED: lazy_gettext("Tạm dừng"),
    CampaignStatus.ENDED: lazy_gettext("Đã hết hạn"),
    CampaignStatus.CLOSED: lazy_gettext("Đã đóng"),
}
#: How far an invitation code got.
CODE_STATUSES = {
    CodeStatus.ISSUED: lazy_gettext("Đã phát"),
    CodeStatus.OPENED: lazy_gettext("Đã mở"),
    CodeStatus.STARTED: lazy_gettext("Đang trả lời"),
    CodeStatus.COMPLETED: lazy_gettext("Đã hoàn thành"),
    CodeStatus.REVOKED: lazy_pgettext("code", "Đã thu hồi"),
}
CODE_KINDS = {
    CodeKind.STANDING: lazy_gettext("Mã dùng chung"),
    CodeKind.SINGLE_USE: lazy_gettext("Mã dùng một lần"),
}
#: Where a dossier import stands.
IMPORT_STATUSES = {
    ImportStatus.READING: lazy_gettext("Đang đọc"),
    ImportStatus.CHECKED: lazy_gettext("Chờ xác nhận"),
    ImportStatus.APPLYING: lazy_gettext("Đang nhập"),
    ImportStatus.DONE: lazy_gettext("Đã nhập"),
    ImportStatus.FAILED: lazy_gettext("Không đọc được"),
    ImportStatus.CANCELLED: lazy_gettext("Đã hủy"),
}
#: What the dossier figures are counted by, and over how long.
BREAKDOWNS = {
    Breakdown.UNIT: lazy_gettext("Đơn vị"),
    Breakdown.COUNTER: lazy_pgettext("heading", "Quầy"),
    Breakdown.OFFICIAL: lazy_gettext("Công chức"),
    Breakdown.PROCEDURE: lazy_gettext("Thủ tục"),
    Breakdown.FIELD: lazy_gettext("Lĩnh vực thủ tục"),
}
GRAINS = {
    Grain.MONTH: lazy_gettext("Tháng"),
    Grain.QUARTER: lazy_gettext("Quý"),
    Grain.YEAR: lazy_gettext("Năm"),
}

#: Each audited act as the trail lists it; in the ``audit`` context, because the
#: same words are a button elsewhere ("Đăng xuất": "Logged out" here, "Log out" there).
AUDIT_ACTIONS = {
    AuditAction.LOGIN: lazy_pgettext("audit", "Đăng nhập"),
    AuditAction.LOGIN_FAILED: lazy_pgettext("audit", "Đăng nhập không thành công"),
    AuditAction.LOGOUT: lazy_pgettext("audit", "Đăng xuất"),
    AuditAction.PASSWORD_CHANGED: lazy_pgettext("audit", "Đổi mật khẩu"),
    AuditAction.CODES_ISSUED: lazy_pgettext("audit", "Phát mã"),
    AuditAction.CODE_REVOKED: lazy_pgettext("audit", "Thu hồi mã"),
    AuditAction.USER_CREATED: lazy_pgettext("audit", "Tạo người dùng"),
    AuditAction.USER_DEACTIVATED: lazy_pgettext("audit", "Khóa người dùng"),
    AuditAction.PASSWORD_RESET: lazy_pgettext("audit", "Đặt lại mật khẩu"),
    AuditAction.LOGINS_UNLOCKED: lazy_pgettext("audit", "Bỏ chặn đăng nhập"),
    AuditAction.OFFICIALS_IMPORTED: lazy_pgettext("audit", "Nhập danh sách cán bộ"),
    AuditAction.UNIT_CREATED: lazy_pgettext("audit", "Thêm đơn vị"),
    AuditAction.COUNTER_CREATED: lazy_pgettext("audit", "Thêm quầy"),
    AuditAction.COUNTER_RENAMED: lazy_pgettext("audit", "Đổi tên quầy"),
    AuditAction.COUNTER_DEACTIVATED: lazy_pgettext("audit", "Ngừng hoạt động quầy"),
    AuditAction.COUNTER_OFFICIALS_SET: lazy_pgettext(
        "audit", "Phân công cán bộ tại quầy"
    ),
    AuditAction.OFFICIAL_CREATED: lazy_pgettext("audit", "Thêm cán bộ"),
    AuditAction.OFFICIAL_DEACTIVATED: lazy_pgettext("audit", "Ngừng hoạt động cán bộ"),
    AuditAction.CAMPAIGN_CREATED: lazy_pgettext("audit", "Tạo đợt khảo sát"),
    AuditAction.CAMPAIGN_EDITED: lazy_pgettext("audit", "Sửa đợt khảo sát"),
    AuditAction.CAMPAIGN_PAUSED: lazy_pgettext("audit", "Tạm dừng đợt khảo sát"),
    AuditAction.CAMPAIGN_RESUMED: lazy_pgettext("audit", "Tiếp tục đợt khảo sát"),
    AuditAction.CAMPAIGN_CLOSED: lazy_pgettext("audit", "Đóng đợt khảo sát"),
    AuditAction.QUESTIONNAIRE_IMPORTED: lazy_pgettext("audit", "Nhập bảng hỏi"),
    AuditAction.WORKING_DAY_SET: lazy_pgettext("audit", "Ghi ngày nghỉ, ngày làm bù"),
    AuditAction.WORKING_DAY_CLEARED: lazy_pgettext(
        "audit", "Bỏ ngày nghỉ, ngày làm bù"
    ),
    AuditAction.DOSSIER_RULES_SET: lazy_pgettext("audit", "Đặt quy tắc tính hạn"),
    AuditAction.DOSSIERS_IMPORTED: lazy_pgettext("audit", "Nhập hồ sơ"),
    AuditAction.CASES_IMPORTED: lazy_pgettext("audit", "Nhập phản ánh, kiến nghị"),
    AuditAction.EXPORT: lazy_pgettext("audit", "Xuất dữ liệu"),
    AuditAction.LETTER_DRAFTED: lazy_pgettext("audit", "Lập phiếu xin lỗi"),
    AuditAction.LETTER_SENT: lazy_pgettext("audit", "Gửi phiếu xin lỗi"),
    AuditAction.CASE_CATEGORY_SAVED: lazy_pgettext("audit", "Lưu lĩnh vực phản ánh"),
    AuditAction.CASE_CATEGORY_DEACTIVATED: lazy_pgettext(
        "audit", "Ngừng nhận lĩnh vực phản ánh"
    ),
    AuditAction.CASE_RULE_SET: lazy_pgettext("audit", "Đặt thời hạn xử lý phản ánh"),
    AuditAction.CASE_RULE_REMOVED: lazy_pgettext("audit", "Bỏ thời hạn xử lý phản ánh"),
    AuditAction.INTEGRATION_KEY_CREATED: lazy_pgettext("audit", "Tạo khóa kết nối"),
    AuditAction.INTEGRATION_KEY_REVOKED: lazy_pgettext("audit", "Thu hồi khóa kết nối"),
    AuditAction.INTEGRATION_KEY_WROTE: lazy_pgettext(
        "audit", "Ghi dữ liệu bằng khóa kết nối"
    ),
    AuditAction.CASE_FILE_READ: lazy_pgettext("audit", "Tải tệp của phản ánh"),
    AuditAction.ENUMERATOR_CREATED: lazy_pgettext("audit", "Tạo khóa điều tra viên"),
    AuditAction.ENUMERATOR_REVOKED: lazy_pgettext(
        "audit", "Thu hồi khóa điều tra viên"
    ),
    AuditAction.ENUMERATOR_ASSIGNED: lazy_pgettext("audit", "Giao địa bàn điều tra"),
    AuditAction.ENUMERATOR_UNASSIGNED: lazy_pgettext("audit", "Rút địa bàn điều tra"),
    AuditAction.COMMENT_HIDDEN: lazy_pgettext("audit", "Ẩn góp ý khỏi báo cáo"),
    AuditAction.COMMENT_SHOWN: lazy_pgettext("audit", "Hiện lại góp ý"),
    AuditAction.PAPER_ENTRY_RECORDED: lazy_pgettext("audit", "Nhập phiếu giấy"),
    AuditAction.PAPER_FORM_RECONCILED: lazy_pgettext("audit", "Đối chiếu phiếu giấy"),
    AuditAction.PAPER_HANDED_OUT: lazy_pgettext("audit", "Giao lô phiếu giấy"),
    AuditAction.PAPER_RETURNED: lazy_pgettext("audit", "Ghi số phiếu giấy nhận lại"),
    AuditAction.PAPER_FORM_VOIDED: lazy_pgettext("audit", "Hủy phiếu giấy"),
}
#: What an audited act was done to, by the ``object_type`` its service records.
OBJECT_TYPES = {
    "unit": lazy_pgettext("audit", "Đơn vị"),
    "service_point": lazy_pgettext("audit", "Quầy"),
    "official": lazy_pgettext("audit", "Cán bộ"),
    "campaign": lazy_pgettext("audit", "Đợt khảo sát"),
    "enumerator": lazy_pgettext("audit", "Điều tra viên"),
    "questionnaire": lazy_pgettext("audit", "Bảng hỏi"),
    "user": lazy_pgettext("audit", "Người dùng"),
    "access_code": lazy_pgettext("audit", "Mã khảo sát"),
    "working_day": lazy_pgettext("audit", "Ngày làm việc"),
    "apology_letter": lazy_pgettext("audit", "Phiếu xin lỗi"),
    "case_category": lazy_pgettext("audit", "Lĩnh vực phản ánh"),
    "case_deadline_rule": lazy_pgettext("audit", "Thời hạn xử lý phản ánh"),
    "integration_key": lazy_pgettext("audit", "Khóa kết nối"),
    "feedback_case": lazy_pgettext("audit", "Phản ánh"),
    "comment": lazy_pgettext("audit", "Góp ý"),
    "dossier_import": lazy_pgettext("audit", "Lần nhập hồ sơ"),
    "case_import": lazy_pgettext("audit", "Lần nhập phản ánh"),
    "paper_form": lazy_pgettext("audit", "Phiếu giấy"),
    "paper_batch": lazy_pgettext("audit", "Lô phiếu giấy"),
}
#: How an apology letter reached the applicant.
DELIVERIES = {
    LetterDelivery.IN_PERSON: lazy_gettext("Trao trực tiếp"),
    LetterDelivery.POST: lazy_gettext("Gửi bưu điện"),
    LetterDelivery.EMAIL: lazy_gettext("Thư điện tử"),
    LetterDelivery.SMS: lazy_gettext("Tin nhắn SMS"),
}


CASE_STATES = {
    CaseState.RECEIVED: lazy_gettext("Mới tiếp nhận"),
    CaseState.ASSIGNED: lazy_gettext("Đã giao xử lý"),
    CaseState.IN_PROGRESS: lazy_gettext("Đang xử lý"),
    CaseState.ANSWERED: lazy_gettext("Đã trả lời"),
    CaseState.REJECTED: lazy_gettext("Không thụ lý"),
    CaseState.REFERRED_OUT: lazy_gettext("Đã chuyển cơ quan khác"),
    CaseState.MERGED: lazy_gettext("Đã gộp"),
    CaseState.CLOSED: lazy_gettext("Đã đóng"),
}
#: Where a paper form stands in its double entry.
PAPER_FORM_STATES = {
    PaperFormState.PRINTED: lazy_gettext("Chưa nhập"),
    PaperFormState.ENTERED_ONCE: lazy_gettext("Đã nhập một lần"),
    PaperFormState.ENTERED_TWICE: lazy_gettext("Đã nhập hai lần, khớp nhau"),
    PaperFormState.IN_CONFLICT: lazy_gettext("Đã nhập hai lần, có chỗ khác nhau"),
    PaperFormState.RECONCILED: lazy_gettext("Đã đối chiếu"),
    PaperFormState.VOID: lazy_pgettext("paper", "Đã hủy"),
}
CASE_CHANNELS = {
    CaseChannel.RATING: lazy_gettext("Từ phiếu đánh giá"),
    CaseChannel.WEB: lazy_gettext("Trang web"),
    CaseChannel.PORTAL_1022: lazy_gettext("Cổng 1022"),
    CaseChannel.NATIONAL_PORTAL: lazy_gettext("Cổng Dịch vụ công quốc gia"),
    CaseChannel.LETTER: lazy_gettext("Đơn, thư"),
    CaseChannel.HOTLINE: lazy_gettext("Đường dây nóng"),
    CaseChannel.MEETING: lazy_gettext("Tiếp công dân, đối thoại"),
    CaseChannel.API: lazy_gettext("Hệ thống khác (API)"),
}
EVENT_KINDS = {
    EventKind.CREATED: lazy_gettext("Tiếp nhận"),
    EventKind.ASSIGNED: lazy_gettext("Giao xử lý"),
    EventKind.STARTED: lazy_gettext("Bắt đầu xử lý"),
    EventKind.TRANSFERRED: lazy_gettext("Chuyển đơn vị"),
    EventKind.REFERRED_OUT: lazy_gettext("Chuyển cơ quan ngoài"),
    EventKind.MERGED: lazy_gettext("Gộp vào phản ánh khác"),
    EventKind.ABSORBED: lazy_gettext("Nhận phản ánh gộp vào"),
    EventKind.REJECTED: lazy_gettext("Không thụ lý"),
    EventKind.ANSWER_SUBMITTED: lazy_gettext("Trình câu trả lời"),
    EventKind.ANSWER_RETURNED: lazy_gettext("Trả lại câu trả lời"),
    EventKind.ANSWER_PUBLISHED: lazy_gettext("Công bố câu trả lời"),
    EventKind.CLOSED: lazy_gettext("Đóng"),
    EventKind.REOPENED: lazy_gettext("Mở lại"),
    EventKind.WAITING: lazy_gettext("Chờ người dân bổ sung"),
    EventKind.RESUMED: lazy_gettext("Tiếp tục xử lý"),
    EventKind.ESCALATED: lazy_gettext("Quá hạn, báo cấp trên"),
    EventKind.DUE_CHANGED: lazy_gettext("Tính lại hạn"),
    EventKind.RATED: lazy_gettext("Người dân đánh giá"),
    EventKind.NOTE: lazy_gettext("Ghi chú nội bộ"),
}
ACTORS = {
    "staff": lazy_gettext("Cán bộ"),
    "citizen": lazy_gettext("Người dân"),
    "system": lazy_gettext("Hệ thống"),
    "integration": lazy_gettext("Hệ thống kết nối"),
}
ANSWER_STATES = {
    AnswerState.DRAFT: lazy_gettext("Bản nháp"),
    AnswerState.SUBMITTED: lazy_gettext("Chờ duyệt"),
    AnswerState.RETURNED: lazy_gettext("Bị trả lại"),
    AnswerState.PUBLISHED: lazy_gettext("Đã công bố"),
    AnswerState.WITHDRAWN: lazy_gettext("Đã rút lại khi mở lại phản ánh"),
}
CASE_LISTS = {
    CaseList.NEW: lazy_gettext("Mới, chưa giao"),
    CaseList.MINE: lazy_gettext("Tôi đang xử lý"),
    CaseList.DUE_SOON: lazy_gettext("Sắp đến hạn"),
    CaseList.OVERDUE: lazy_gettext("Quá hạn"),
    CaseList.WAITING: lazy_gettext("Chờ người dân bổ sung"),
    CaseList.ESCALATED: lazy_gettext("Quá hạn ở đơn vị cấp dưới"),
    CaseList.ALL: lazy_gettext("Tất cả"),
}
#: The buttons of the case page's forms.
ACTIONS = {
    Action.ASSIGN: lazy_pgettext("case", "Giao xử lý"),
    Action.START: lazy_pgettext("case", "Bắt đầu xử lý"),
    Action.TRANSFER: lazy_pgettext("case", "Chuyển đơn vị"),
    Action.SUBMIT_ANSWER: lazy_pgettext("case", "Trình câu trả lời"),
    Action.RETURN_ANSWER: lazy_pgettext("case", "Trả lại để sửa"),
    Action.PUBLISH_ANSWER: lazy_pgettext("case", "Duyệt và công bố"),
    Action.REJECT: lazy_pgettext("case", "Không thụ lý"),
    Action.REFER_OUT: lazy_pgettext("case", "Chuyển cơ quan ngoài"),
    Action.MERGE: lazy_pgettext("case", "Gộp vào phản ánh khác"),
    Action.CLOSE: lazy_pgettext("case", "Đóng phản ánh"),
    Action.REOPEN: lazy_pgettext("case", "Mở lại"),
    Action.WAIT: lazy_pgettext("case", "Chờ người dân bổ sung"),
    Action.RESUME: lazy_pgettext("case", "Tiếp tục xử lý"),
    Action.NOTE: lazy_pgettext("case", "Thêm ghi chú nội bộ"),
}

#: What each detail of an audited act is, by the key its service records it under.
DETAIL_NAMES = {
    "after": lazy_pgettext("audit", "Sau"),
    "answered": lazy_pgettext("audit", "Đã trả lời"),
    "attachment": lazy_pgettext("audit", "Tệp đính kèm"),
    "bad_rows_skipped": lazy_pgettext("audit", "Dòng lỗi bỏ qua"),
    "before": lazy_pgettext("audit", "Trước"),
    "campaign": lazy_pgettext("audit", "Đợt khảo sát"),
    "campaigns": lazy_pgettext("audit", "Số mã theo đợt khảo sát"),
    "can_read": lazy_pgettext("audit", "Được đọc"),
    "can_write": lazy_pgettext("audit", "Được ghi"),
    "category_id": lazy_pgettext("audit", "Lĩnh vực"),
    "channel": lazy_pgettext("audit", "Kênh tiếp nhận"),
    "checksum": lazy_pgettext("audit", "Mã kiểm tra"),
    "changes": lazy_pgettext("audit", "Thay đổi (trước, sau)"),
    "clients": lazy_pgettext("audit", "Số máy được bỏ chặn"),
    "cluster": lazy_pgettext("audit", "Cụm"),
    "contact_consent": lazy_pgettext("audit", "Được nhận thông tin liên hệ"),
    "count": lazy_pgettext("audit", "Số lượng"),
    "counters_left": lazy_pgettext("audit", "Rời các quầy"),
    "created": lazy_pgettext("audit", "Thêm mới"),
    "cutoff_minute": lazy_pgettext("audit", "Giờ chốt nhận (phút trong ngày)"),
    "device": lazy_pgettext("audit", "Thiết bị"),
    "differences": lazy_pgettext("audit", "Số câu hai lần nhập khác nhau"),
    "document": lazy_pgettext("audit", "Tài liệu"),
    "dossier": lazy_pgettext("audit", "Hồ sơ"),
    "dossiers": lazy_pgettext("audit", "Số hồ sơ"),
    "due_minute": lazy_pgettext("audit", "Giờ hẹn trả (phút trong ngày)"),
    "ends_on": lazy_pgettext("audit", "Ngày kết thúc"),
    "file": lazy_pgettext("audit", "Tệp"),
    "first_id": lazy_pgettext("audit", "Số thứ tự đầu"),
    "format": lazy_pgettext("audit", "Định dạng"),
    "kind": lazy_pgettext("audit", "Loại"),
    "language": lazy_pgettext("audit", "Ngôn ngữ"),
    "last_id": lazy_pgettext("audit", "Số thứ tự cuối"),
    "letters": lazy_pgettext("audit", "Phiếu"),
    "min_interval_seconds": lazy_pgettext(
        "audit", "Khoảng cách tối thiểu giữa hai phiếu (giây)"
    ),
    "mode": lazy_pgettext("audit", "Hình thức"),
    "multiple": lazy_pgettext("audit", "Câu hỏi nhiều lựa chọn"),
    "name": lazy_pgettext("audit", "Tên"),
    "new_name": lazy_pgettext("audit", "Tên mới"),
    "note": lazy_pgettext("audit", "Ghi chú"),
    "number": lazy_pgettext("audit", "Số phiếu"),
    "old_name": lazy_pgettext("audit", "Tên cũ"),
    "operation": lazy_pgettext("audit", "Thao tác"),
    "parent": lazy_pgettext("audit", "Đơn vị cấp trên"),
    "paused_at": lazy_pgettext("audit", "Tạm dừng từ"),
    "paused_seconds": lazy_pgettext("audit", "Thời gian tạm dừng (giây)"),
    "period": lazy_pgettext("audit", "Kỳ"),
    "prefix": lazy_pgettext("audit", "Tiền tố"),
    "public": lazy_pgettext("audit", "Công khai"),
    "question": lazy_pgettext("audit", "Câu hỏi"),
    "questionnaire": lazy_pgettext("audit", "Bảng hỏi"),
    "questionnaire_id": lazy_pgettext("audit", "Số hiệu bảng hỏi"),
    "query": lazy_pgettext("audit", "Điều kiện lọc"),
    "rate_limit": lazy_pgettext("audit", "Giới hạn số yêu cầu"),
    "reason": lazy_pgettext("audit", "Lý do"),
    "reference": lazy_pgettext("audit", "Số, ký hiệu"),
    "repeat": lazy_pgettext("audit", "Nhóm lặp"),
    "report": lazy_pgettext("audit", "Báo cáo"),
    "response": lazy_pgettext("audit", "Phiếu trả lời"),
    "returned": lazy_pgettext("audit", "Số phiếu nhận lại"),
    "role": lazy_pgettext("audit", "Vai trò"),
    "rows": lazy_pgettext("audit", "Số dòng"),
    "sent_on": lazy_pgettext("audit", "Ngày gửi"),
    "skipped": lazy_pgettext("audit", "Bỏ qua"),
    "starts_on": lazy_pgettext("audit", "Ngày bắt đầu"),
    "status": lazy_pgettext("audit", "Trạng thái"),
    "stratum": lazy_pgettext("audit", "Tầng"),
    "target": lazy_pgettext("audit", "Địa chỉ"),
    "title": lazy_pgettext("audit", "Chức vụ"),
    "to": lazy_pgettext("audit", "Giao cho"),
    "unchanged": lazy_pgettext("audit", "Không đổi"),
    "unit": lazy_pgettext("audit", "Đơn vị"),
    "unit_id": lazy_pgettext("audit", "Số hiệu đơn vị"),
    "units": lazy_pgettext("audit", "Các đơn vị"),
    "updated": lazy_pgettext("audit", "Cập nhật"),
    "username": lazy_pgettext("audit", "Tên đăng nhập"),
    "values": lazy_pgettext("audit", "Giá trị ghi trong tệp"),
    "version": lazy_pgettext("audit", "Phiên bản"),
    "via": lazy_pgettext("audit", "Cách gửi"),
    "warn_days": lazy_pgettext("audit", "Báo trước (ngày)"),
    "weight": lazy_pgettext("audit", "Trọng số"),
    "working": lazy_pgettext("audit", "Ngày làm việc"),
    "working_days": lazy_pgettext("audit", "Thời hạn (ngày làm việc)"),
}
#: The documents a download records (``document``, ``report``).
DOCUMENTS = {
    "poster": lazy_pgettext("audit", "Áp phích mã QR"),
    "codes": lazy_pgettext("audit", "Danh sách mã"),
    "code_statuses": lazy_pgettext("audit", "Danh sách mã và trạng thái"),
    "receipts": lazy_pgettext("audit", "Phiếu mã"),
    "problems": lazy_pgettext("audit", "Danh sách lỗi"),
    "apology_letters": lazy_pgettext("audit", "Phiếu xin lỗi"),
    "result_slips": lazy_pgettext("audit", "Phiếu hẹn kèm mã đánh giá"),
    "paper_forms": lazy_pgettext("audit", "Phiếu điều tra giấy"),
    "unit": lazy_pgettext("audit", "Báo cáo đơn vị"),
    "district": lazy_pgettext("audit", "Báo cáo toàn quận"),
}
#: What a data file's cells hold (``values``): the answers' codes or their labels.
FILE_VALUES = {
    "codes": lazy_pgettext("audit", "Mã của câu trả lời"),
    "labels": lazy_pgettext("audit", "Nhãn của câu trả lời"),
}
#: How a data file lays out a select_multiple (``multiple``).
FILE_LAYOUTS = {
    "columns": lazy_pgettext("audit", "Mỗi lựa chọn một cột 0/1"),
    "cell": lazy_pgettext("audit", "Các lựa chọn trong một ô"),
}


def kind_name(kind: str) -> str:
    """Return the name of a unit kind (``ward`` -> "Phường")."""
    return str(UNIT_KINDS[UnitKind(kind)])


def role_name(role: str) -> str:
    """Return the name of a user's role."""
    return str(ROLES[Role(role)])


def mode_name(mode: str) -> str:
    """Return the name of a campaign's mode."""
    return str(CAMPAIGN_MODES[CampaignMode(mode)])


def channel_name(channel: str) -> str:
    """Return the name of a response's channel (``paper`` -> "Phiếu giấy")."""
    return str(RESPONSE_CHANNELS[ResponseChannel(channel)])


def campaign_status_name(status: str) -> str:
    """Return where a campaign stands (``paused`` -> "Tạm dừng")."""
    return str(CAMPAIGN_STATUSES[CampaignStatus(status)])


def code_status_name(status: str) -> str:
    """Return how far an invitation code got (``opened`` -> "Đã mở")."""
    return str(CODE_STATUSES[CodeStatus(status)])


def action_name(action: str) -> str:
    """Return the name of an audited act (``logout`` -> "Đăng xuất")."""
    return str(AUDIT_ACTIONS[AuditAction(action)])


def delivery_name(via: str) -> str:
    """Return how a letter was sent (``post`` -> "Gửi bưu điện")."""
    return str(DELIVERIES[LetterDelivery(via)])


def object_type_name(object_type: str) -> str:
    """Return the name of what an act was done to; a type not named here as stored."""
    name = OBJECT_TYPES.get(object_type)
    return object_type if name is None else str(name)


def code_kind_name(kind: str) -> str:
    """Return the name of a kind of access code."""
    return str(CODE_KINDS[CodeKind(kind)])


def import_status_name(status: str) -> str:
    """Return where a dossier import stands."""
    return str(IMPORT_STATUSES[ImportStatus(status)])


def case_state_name(state: str) -> str:
    """Return the name of a case's state (``received`` -> "Mới tiếp nhận")."""
    return str(CASE_STATES[CaseState(state)])


def case_channel_name(channel: str) -> str:
    """Return the name of the channel a case came by."""
    return str(CASE_CHANNELS[CaseChannel(channel)])


def event_kind_name(kind: str) -> str:
    """Return the name of a step of a case's history."""
    return str(EVENT_KINDS[EventKind(kind)])


def actor_name(actor: str) -> str:
    """Return who acted, when no user did (the citizen, hailong itself)."""
    return str(ACTORS[actor])


def paper_form_state_name(state: str) -> str:
    """Return where a paper form's double entry stands (``printed`` -> "Chưa nhập")."""
    return str(PAPER_FORM_STATES[PaperFormState(state)])


def answer_state_name(state: str) -> str:
    """Return the name of an answer's review state."""
    return str(ANSWER_STATES[AnswerState(state)])


def category_name(category: CaseCategory) -> str:
    """Return a case category's name in the reader's language, else in Vietnamese."""
    return translated({"vi": category.name_vi, "en": category.name_en})


#: The enumeration each detail's value belongs to, tried in order ("kind" is a
#: unit's or a code's).
_DETAIL_VALUES: dict[str, tuple[Mapping[str, LazyString], ...]] = {
    "mode": (CAMPAIGN_MODES,),
    "role": (ROLES,),
    "kind": (UNIT_KINDS, CODE_KINDS),
    "channel": (CASE_CHANNELS, RESPONSE_CHANNELS),
    "via": (DELIVERIES,),
    "document": (DOCUMENTS,),
    "report": (DOCUMENTS,),
    "status": (CODE_STATUSES,),
    "values": (FILE_VALUES,),
    "multiple": (FILE_LAYOUTS,),
}


def detail_name(key: str) -> str:
    """Return what a detail of an audited act is; a key not named here as stored."""
    name = DETAIL_NAMES.get(key)
    return key if name is None else str(name)


def detail_value(key: str, value: Any) -> str:
    """Write a detail's value for the reader: names for enumerations, yes or no.

    Ids, counts, codes and names stay as recorded; a list or a mapping is its
    items in a row.
    """
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, Mapping):
        # A campaign's edit records its fields' names: they are named as details.
        if key == "changes":
            return "; ".join(
                f"{detail_name(item)}: {detail_value(item, n)}"
                for item, n in value.items()
            )
        return ", ".join(f"{item}: {detail_value(key, n)}" for item, n in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(detail_value(key, item) for item in value)
    if key == "format" and isinstance(value, str):
        return value.upper()
    for names in _DETAIL_VALUES.get(key, ()):
        if value in names:
            return str(names[value])
    return str(value)


def choices(names: Mapping[str, LazyString]) -> list[SelectChoice]:
    """Return a select field's options, each named when the form is shown."""
    return [SelectChoice(value, name) for value, name in names.items()]


def init_app(app: Flask) -> None:
    """Offer the names to templates."""
    app.jinja_env.globals.update(
        kind_name=kind_name,
        role_name=role_name,
        mode_name=mode_name,
        channel_name=channel_name,
        campaign_status_name=campaign_status_name,
        code_status_name=code_status_name,
        action_name=action_name,
        object_type_name=object_type_name,
        delivery_name=delivery_name,
        code_kind_name=code_kind_name,
        import_status_name=import_status_name,
        case_state_name=case_state_name,
        case_channel_name=case_channel_name,
        event_kind_name=event_kind_name,
        actor_name=actor_name,
        answer_state_name=answer_state_name,
        paper_form_state_name=paper_form_state_name,
        category_name=category_name,
        detail_name=detail_name,
        detail_value=detail_value,
    )
