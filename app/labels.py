"""The names of the domain's kinds, roles, modes and audited acts, in the reader's
language.

Each value has its own literal msgid here, so ``pybabel extract`` finds every
name; templates show them with ``kind_name``, ``role_name``, ``mode_name``,
``campaign_status_name``, ``code_status_name``, ``action_name``,
``object_type_name`` and ``delivery_name``, and forms use the same names for
their options.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask
from flask_babel.speaklater import LazyString
from wtforms.fields.choices import SelectChoice

from app.i18n import lazy_gettext, lazy_pgettext
from surveys.access.audit import AuditAction
from surveys.access.invitations import CodeStatus
from surveys.dossiers.figures import Breakdown, Grain
from surveys.models import CampaignMode, LetterDelivery, Role, UnitKind
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
    AuditAction.CASE_FILE_READ: lazy_pgettext("audit", "Tải tệp của phản ánh"),
    AuditAction.ENUMERATOR_CREATED: lazy_pgettext("audit", "Tạo khóa điều tra viên"),
    AuditAction.ENUMERATOR_REVOKED: lazy_pgettext(
        "audit", "Thu hồi khóa điều tra viên"
    ),
    AuditAction.ENUMERATOR_ASSIGNED: lazy_pgettext("audit", "Giao địa bàn điều tra"),
    AuditAction.ENUMERATOR_UNASSIGNED: lazy_pgettext("audit", "Rút địa bàn điều tra"),
    AuditAction.COMMENT_HIDDEN: lazy_pgettext("audit", "Ẩn góp ý khỏi báo cáo"),
    AuditAction.COMMENT_SHOWN: lazy_pgettext("audit", "Hiện lại góp ý"),
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
}
#: How an apology letter reached the applicant.
DELIVERIES = {
    LetterDelivery.IN_PERSON: lazy_gettext("Trao trực tiếp"),
    LetterDelivery.POST: lazy_gettext("Gửi bưu điện"),
    LetterDelivery.EMAIL: lazy_gettext("Thư điện tử"),
    LetterDelivery.SMS: lazy_gettext("Tin nhắn SMS"),
    "dossier_import": lazy_pgettext("audit", "Lần nhập hồ sơ"),
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


def choices(names: Mapping[str, LazyString]) -> list[SelectChoice]:
    """Return a select field's options, each named when the form is shown."""
    return [SelectChoice(value, name) for value, name in names.items()]


def init_app(app: Flask) -> None:
    """Offer the names to templates."""
    app.jinja_env.globals.update(
        kind_name=kind_name,
        role_name=role_name,
        mode_name=mode_name,
        campaign_status_name=campaign_status_name,
        code_status_name=code_status_name,
        action_name=action_name,
        object_type_name=object_type_name,
        delivery_name=delivery_name,
    )
