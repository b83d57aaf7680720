"""Every comment of the reader's units: searched, filtered, masked, hidden by managers.

A GET page with no JavaScript: its filters are a form's query string, its pages
links that carry the filters and the key where the page before ended. Each
comment is shown masked (``app.comment_text``). A manager hides one from
reports with a reason, or shows it again: a POST that goes back to the list
(post/redirect/get), audited by the service.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse
from wtforms.fields.choices import SelectChoice

from app.auth import current_scope, current_staff, permission_required, safe_next
from app.comment_text import masked_comment
from app.db import get_session
from app.i18n import _
from app.reports.selection import campaigns_covering
from app.staff.blueprint import bp
from app.staff.forms import CommentFilterForm, ConfirmForm, HideCommentForm
from app.staff.manage import found_in_scope
from surveys.access.scope import Permission, units_in_scope
from surveys.comments.listing import (
    CommentFilter,
    CommentPage,
    ListedComment,
    PageKey,
    comment_page,
    rating_question,
)
from surveys.comments.moderation import comment_text, hide_comment, show_comment
from surveys.db import begin_writing
from surveys.models import Campaign, Response, ServicePoint, Unit
from surveys.questionnaire.versions import definition_of
from surveys.storage.periods import days_bounds
from surveys.text import vietnamese_sort_key
from surveys.units.tree import root_units, subtree_ids

#: The filters whose values are the reader's own objects: a value not offered
#: (another ward's unit or campaign) is not found, as its address would be.
_SCOPED = {"campaign", "unit", "counter", "rating"}


@dataclass(frozen=True)
class ShownComment:
    """A listed comment and its text as shown: masked."""

    comment: ListedComment
    text: str


@bp.get("/comments")
def comments() -> ResponseReturnValue:
    """List the comments of the reader's units, newest first, a page at a time."""
    db = get_session()
    form = CommentFilterForm(request.args)
    campaigns = _offer_choices(db, form)
    after = _page_key(request.args.get("after"))
    valid = form.validate()
    if not valid and _SCOPED & form.errors.keys():
        abort(404)
    shown: list[ShownComment] = []
    page = CommentPage((), None)
    if valid and campaigns:
        campaign = next(c for c in campaigns if c.key == form.campaign.data)
        page = comment_page(db, _filter(db, form, campaign), after=after)
        shown = [ShownComment(c, masked_comment(c.text)) for c in page.comments]
    # The paging links keep the filters, and only those that are set.
    filters = {name: value for name, value in request.args.items() if name != "after"}
    return render_template(
        "staff/comments.html",
        form=form,
        comments=shown,
        older=page.older.token() if page.older else None,
        paged=after is not None,
        filters=filters,
        back=request.full_path,
    )


@bp.post("/comments/<int:response_id>/<question>/hide")
@permission_required(Permission.MANAGE)
def hide_comment_view(response_id: int, question: str) -> BaseResponse:
    """Hide a comment from reports, with the reason given; back to the list."""
    response = _comment_in_scope(response_id, question)
    form = HideCommentForm()
    back = safe_next(form.back.data) or url_for(".comments")
    if not form.validate_on_submit():
        get_session().rollback()
        problems = form.reason.errors or [_("Dữ liệu gửi lên không hợp lệ.")]
        flash(_("Chưa ẩn góp ý: %(problem)s", problem=problems[0]))
        return redirect(back, code=303)
    db = get_session()
    begin_writing(db)
    hide_comment(db, response, question, current_staff(), form.reason.data)
    db.commit()
    flash(_("Đã ẩn góp ý khỏi báo cáo."))
    return redirect(back, code=303)


@bp.post("/comments/<int:response_id>/<question>/show")
@permission_required(Permission.MANAGE)
def show_comment_view(response_id: int, question: str) -> BaseResponse:
    """Show a hidden comment in reports again; back to the list."""
    response = _comment_in_scope(response_id, question)
    back = safe_next(request.form.get("back")) or url_for(".comments")
    if not ConfirmForm().validate_on_submit():
        get_session().rollback()
        flash(_("Không có gì thay đổi: dữ liệu gửi lên không hợp lệ."))
        return redirect(back, code=303)
    db = get_session()
    begin_writing(db)
    shown = show_comment(db, response, question, current_staff())
    db.commit()
    flash(_("Góp ý đã hiện lại trong báo cáo.") if shown else _("Góp ý không bị ẩn."))
    return redirect(back, code=303)


def _offer_choices(db: Session, form: CommentFilterForm) -> list[Campaign]:
    """Fill the filters' choices with the reader's campaigns, units and counters."""
    scope = current_scope()
    own = current_staff().unit
    home = own if own is not None else next(iter(root_units(db)), None)
    campaigns = campaigns_covering(db, home) if home is not None else []
    form.campaign.choices = [SelectChoice(c.key, c.name) for c in campaigns]
    if campaigns:
        form.campaign.data = form.campaign.data or campaigns[0].key
    units = sorted(units_in_scope(db, scope), key=lambda u: vietnamese_sort_key(u.name))
    form.unit.choices = [
        SelectChoice("", _("Mọi đơn vị")),
        *(SelectChoice(u.code, u.name) for u in units),
    ]
    counters = db.execute(
        select(ServicePoint.id, ServicePoint.name, Unit.name)
        .join(Unit, Unit.id == ServicePoint.unit_id)
        .where(scope.covers(ServicePoint.unit_id))
    ).all()
    counters.sort(key=lambda row: (vietnamese_sort_key(row[2]), row[1]))
    form.counter.choices = [
        SelectChoice("", _("Mọi quầy")),
        *(SelectChoice(str(id_), f"{name} ({unit})") for id_, name, unit in counters),
    ]
    return campaigns


def _filter(db: Session, form: CommentFilterForm, campaign: Campaign) -> CommentFilter:
    """Turn the valid form into the list's filter, within the reader's scope."""
    scope = current_scope()
    if form.unit.data:
        unit = found_in_scope(Unit, form.unit.data)
        unit_ids = list(db.scalars(subtree_ids(unit.id)))
    else:
        unit_ids = list(db.scalars(scope.unit_ids()))
    questionnaire = definition_of(campaign.questionnaire)
    since, until = form.since.data, form.until.data
    between = None
    if since or until:
        between = days_bounds(since or form.FIRST_DAY, until or form.LAST_DAY)
    return CommentFilter(
        campaign_id=campaign.id,
        questions=questionnaire.comment_questions,
        rating_question=rating_question(questionnaire),
        unit_ids=unit_ids,
        service_point_id=int(form.counter.data) if form.counter.data else None,
        rating=int(form.rating.data) if form.rating.data else None,
        between=between,
        search=form.q.data or "",
        with_hidden=scope.can_manage,
    )


def _page_key(token: str | None) -> PageKey | None:
    """Read the page's start from its link, or answer 404 for a made-up one."""
    if token is None:
        return None
    key = PageKey.parse(token)
    if key is None:
        abort(404)
    return key


def _comment_in_scope(response_id: int, question: str) -> Response:
    """Return the response whose comment ``question`` is asked for, or answer 404."""
    response = found_in_scope(Response, response_id)
    questionnaire = definition_of(response.questionnaire)
    if question not in questionnaire.comment_questions:
        abort(404)
    if comment_text(get_session(), response, question) is None:
        abort(404)
    return response
