"""A rating's comment made a feedback case by staff, from the dashboard's list.

The dashboard lists the comments of low ratings for the unit to follow up;
a manager turns one into a case with a button, and lands on the case's page
(the case workflow's). A comment already made a case leads to that case.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, url_for
from werkzeug.wrappers import Response as BaseResponse

from app.auth import current_staff, permission_required
from app.db import get_session
from app.i18n import _, translated
from app.staff.blueprint import bp
from app.staff.forms import ConfirmForm
from app.staff.manage import found_in_scope, refused_redirect
from surveys.access.scope import Permission
from surveys.cases.events import Actor
from surveys.cases.from_rating import case_from_response, rating_category
from surveys.cases.refusals import CaseError
from surveys.db import begin_writing
from surveys.models import Response, Unit


@bp.post("/comments/<int:response_id>/case")
@permission_required(Permission.MANAGE)
def case_from_comment(response_id: int) -> BaseResponse:
    """Make (or find) the case of a rating's comment; go to the case's page."""
    response = found_in_scope(Response, response_id)
    session = get_session()
    unit = session.get(Unit, response.unit_id)
    back = {"unit_code": unit.code if unit else None}
    if not ConfirmForm().validate_on_submit():
        return refused_redirect(
            _("Không có gì thay đổi: dữ liệu gửi lên không hợp lệ."),
            "staff.dashboard",
            **back,
        )
    begin_writing(session)
    try:
        category = rating_category(session, current_app.config["CASE_RATING_CATEGORY"])
        case = case_from_response(
            session, response, category, Actor.STAFF, current_staff(), low_only=False
        )
    except CaseError as refused:
        return refused_redirect(translated(refused.message), "staff.dashboard", **back)
    session.commit()
    flash(_("Góp ý đã thành phản ánh %(code)s.", code=case.tracking_code))
    return redirect(url_for(".case_page", case_id=case.id), code=303)
