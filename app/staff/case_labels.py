"""The names of a case's states, channels, history steps, answers and lists, in
the reader's language: each value has its own literal msgid, as in
``app.labels``, so ``pybabel extract`` finds every name."""

from __future__ import annotations

from flask import Flask

from app.i18n import lazy_gettext, lazy_pgettext
from surveys.cases.case_lists import CaseList
from surveys.cases.events import EventKind
from surveys.cases.workflow import Action
from surveys.models import AnswerState, CaseChannel, CaseState

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


def answer_state_name(state: str) -> str:
    """Return the name of an answer's review state."""
    return str(ANSWER_STATES[AnswerState(state)])


def init_app(app: Flask) -> None:
    """Offer the names to templates."""
    app.jinja_env.globals.update(
        case_state_name=case_state_name,
        case_channel_name=case_channel_name,
        event_kind_name=event_kind_name,
        actor_name=actor_name,
        answer_state_name=answer_state_name,
    )
