"""A rating's comment made a case: by the citizen from the thank-you page, or by staff.

A citizen who rated a counter or a dossier low (``LOW_SCORE`` or less on the
``overall`` item, as the dashboard's list of comments to follow up counts low)
and wrote a comment is offered to send it as a case, to get an answer. Staff
may turn any comment of that list into a case. Either way the case takes the
rating's unit, counter, official and, when the rating came through a
dossier's own rating code, the dossier and its procedure; the comment is its
text. A rating becomes one case at most (``FeedbackCase.response_id`` is
unique): asking again gives the same case.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from surveys.cases.events import Actor
from surveys.cases.intake import MAX_TEXT, NewCase, create_case
from surveys.cases.refusals import CaseError
from surveys.comments.personal_data import mask_personal_data
from surveys.dossiers.satisfaction import OVERALL
from surveys.models import (
    Answer,
    CaseCategory,
    CaseChannel,
    Dossier,
    FeedbackCase,
    HiddenComment,
    Response,
    User,
)
from surveys.questionnaire import Questionnaire
from surveys.questionnaire.validation import Answer as AnswerValue
from surveys.questionnaire.versions import definition_of
from surveys.translatable import N_, Message

#: A rating at or below this on the overall item is low (the dashboard's bound).
LOW_SCORE = 2

NO_COMMENT = Message(N_("Đánh giá này không có góp ý nào để gửi thành phản ánh."))
HIDDEN = Message(
    N_("Góp ý này đã bị ẩn khỏi báo cáo nên không tạo được phản ánh từ góp ý này.")
)
NOT_LOW = Message(N_("Chỉ gửi được góp ý kèm đánh giá chưa hài lòng."))
NO_CATEGORY = Message(
    N_("Chưa có lĩnh vực phản ánh nào đang nhận: hãy báo quản trị hệ thống.")
)


def may_offer_case(
    questionnaire: Questionnaire, values: Mapping[str, AnswerValue]
) -> bool:
    """Tell from a send's answers alone whether its thank-you page may offer a case.

    No query: a rating's send stays as fast for the many satisfied citizens.
    """
    overall = values.get(OVERALL)
    low = isinstance(overall, int | float) and overall <= LOW_SCORE
    return low and any(
        isinstance(values.get(name), str) and values[name].strip()
        for name in questionnaire.comment_questions
    )


def comment_of(session: Session, response: Response) -> str:
    """Return the response's free-text comments, joined, without those hidden.

    A comment a manager hid from reports makes no case either.
    """
    names = definition_of(response.questionnaire).comment_questions
    texts = session.scalars(
        select(Answer.value_text).where(
            Answer.response_id == response.id,
            Answer.question.in_(names),
            Answer.question.not_in(_hidden_of(response)),
            Answer.value_text.is_not(None),
        )
    )
    return "\n\n".join(text.strip() for text in texts if text and text.strip())


def rated_low(session: Session, response: Response) -> bool:
    """Tell whether the response rated the overall item ``LOW_SCORE`` or less."""
    score = session.scalar(
        select(Answer.value_num).where(
            Answer.response_id == response.id, Answer.question == OVERALL
        )
    )
    return score is not None and score <= LOW_SCORE


def offers_case(session: Session, response: Response) -> bool:
    """Tell whether the thank-you page offers to send this rating as a case."""
    return rated_low(session, response) and bool(comment_of(session, response))


def rating_category(session: Session, code: str = "") -> CaseCategory:
    """Return the category of cases made from ratings: ``code``, else the first public.

    Raises ``CaseError`` when there is none to take.
    """
    query = select(CaseCategory).where(
        CaseCategory.active.is_(True), CaseCategory.public.is_(True)
    )
    if code:
        query = select(CaseCategory).where(
            CaseCategory.code == code, CaseCategory.active.is_(True)
        )
    found = session.scalar(query.order_by(CaseCategory.id).limit(1))
    if found is None:
        raise CaseError(NO_CATEGORY)
    return found


def case_of_response(session: Session, response_id: int) -> FeedbackCase | None:
    """Return the case a rating already became, if any."""
    return session.scalar(
        select(FeedbackCase).where(FeedbackCase.response_id == response_id)
    )


def case_from_response(
    session: Session,
    response: Response,
    category: CaseCategory,
    actor: Actor,
    user: User | None = None,
    *,
    low_only: bool = True,
) -> FeedbackCase:
    """Return the case the response's comment became, making it the first time; flush.

    ``low_only``: the citizen's offer, for a low overall rating only (staff may
    turn any comment into a case). Raises ``CaseError``.
    """
    existing = case_of_response(session, response.id)
    if existing is not None:
        return existing
    text = comment_of(session, response)
    if not text:
        hidden = session.scalar(_hidden_of(response).limit(1)) is not None
        raise CaseError(HIDDEN if hidden else NO_COMMENT)
    if low_only and not rated_low(session, response):
        raise CaseError(NOT_LOW)
    dossier = None
    if response.access_code_id is not None:
        dossier = session.scalar(
            select(Dossier).where(Dossier.access_code_id == response.access_code_id)
        )
    new = NewCase(
        # Masked as everywhere a comment is shown: the case's page shows its text.
        text=mask_personal_data(text)[:MAX_TEXT],
        category_id=category.id,
        channel=CaseChannel.RATING,
        unit_id=response.unit_id,
        service_point_id=response.service_point_id,
        official_id=response.official_id,
        dossier_id=dossier.id if dossier else None,
        procedure_id=dossier.procedure_id if dossier else None,
        response_id=response.id,
    )
    try:
        # Two clicks at once: the unique response id lets one case in.
        with session.begin_nested():
            return create_case(session, new, actor, user)
    except IntegrityError:
        existing = case_of_response(session, response.id)
        if existing is None:
            raise
        return existing


def _hidden_of(response: Response) -> Select[tuple[str]]:
    """Select the response's comments a manager hid from reports (their questions)."""
    return select(HiddenComment.question).where(
        HiddenComment.response_id == response.id
    )
