"""Why a paper form, or a step of its double entry, is refused: a message for staff."""

from __future__ import annotations

import enum

from surveys.access.code_state import CodeState, CodeUnavailable
from surveys.translatable import N_, Message


class Refusal(enum.StrEnum):
    """What went wrong, for the web layer to choose a status (``NOT_FOUND``: 404)."""

    NOT_FOUND = "not_found"
    VOID = "void"
    RECONCILED = "reconciled"
    CODE_USED = "code_used"
    CODE_UNAVAILABLE = "code_unavailable"
    SAME_CLERK = "same_clerk"
    ENTERED_TWICE = "entered_twice"
    NOT_ENTERED_TWICE = "not_entered_twice"
    RECONCILER_IS_CLERK = "reconciler_is_clerk"
    OTHER_ANSWERS = "other_answers"
    RETURNED_COUNT = "returned_count"


_MESSAGES = {
    Refusal.NOT_FOUND: N_(
        "Không tìm thấy phiếu số %(number)s. Hãy kiểm tra lại số in trên phiếu."
    ),
    Refusal.VOID: N_("Phiếu số %(number)s đã bị hủy: không nhập phiếu này."),
    Refusal.RECONCILED: N_(
        "Phiếu số %(number)s đã được đối chiếu và ghi nhận: không nhập thêm."
    ),
    Refusal.CODE_USED: N_(
        "Mã của phiếu số %(number)s đã được dùng để trả lời: phiếu này không được"
        " tính thêm lần nữa."
    ),
    Refusal.CODE_UNAVAILABLE: N_(
        "Phiếu số %(number)s không nhận trả lời lúc này: mã đã bị thu hồi hoặc hết"
        " hạn, hoặc đợt khảo sát đã tạm dừng hay kết thúc."
    ),
    Refusal.SAME_CLERK: N_(
        "Bạn đã nhập phiếu số %(number)s rồi: lần nhập thứ hai phải do người khác"
        " thực hiện."
    ),
    Refusal.ENTERED_TWICE: N_("Phiếu số %(number)s đã được nhập đủ hai lần."),
    Refusal.NOT_ENTERED_TWICE: N_(
        "Phiếu số %(number)s chưa được nhập đủ hai lần nên chưa đối chiếu được."
    ),
    Refusal.RECONCILER_IS_CLERK: N_(
        "Bạn đã nhập phiếu số %(number)s nên không thể đối chiếu nó: việc đối"
        " chiếu phải do người thứ ba thực hiện."
    ),
    Refusal.OTHER_ANSWERS: N_(
        "Phiếu số %(number)s đã được đối chiếu với những câu trả lời khác."
    ),
    Refusal.RETURNED_COUNT: N_(
        "Số phiếu nhận lại (%(returned)s) phải từ 0 đến %(count)s."
    ),
}


class PaperRefused(ValueError):
    """A refused step of a paper form's life; nothing of it has been stored.

    ``reason`` says what (for the status of a page), ``message`` says it to
    the staff, in Vietnamese first.
    """

    def __init__(self, reason: Refusal, **params: object) -> None:
        self.reason = reason
        self.message = Message(_MESSAGES[reason], params)
        super().__init__(str(self.message))


def refused_for(unavailable: CodeUnavailable, number: str) -> PaperRefused:
    """Say why the form numbered ``number`` takes no answers: its code was
    used (online, or by this form already), or is closed otherwise."""
    used = unavailable.state is CodeState.USED
    return PaperRefused(
        Refusal.CODE_USED if used else Refusal.CODE_UNAVAILABLE, number=number
    )
