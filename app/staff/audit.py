"""The audit trail, for the admins who answer for the whole system.

A GET page with no JavaScript: its filters are a form's query string, and its
pages are links that carry the filters and the id where the page before ended.
"""

from __future__ import annotations

from flask import abort, render_template, request
from flask.typing import ResponseReturnValue
from wtforms.fields.choices import SelectChoice

from app.auth import current_scope, permission_required
from app.db import get_session
from app.i18n import _
from app.staff.blueprint import bp
from app.staff.forms import AuditFilterForm
from surveys.access.audit import AuditAction, audit_page
from surveys.access.scope import Permission
from surveys.units.management import users_in_scope

#: Events on a page: a day's logins of a district fit on one or two.
PAGE_SIZE = 50


@bp.get("/audit")
@permission_required(Permission.AUDIT)
def audit() -> ResponseReturnValue:
    """List the trail newest first, a page at a time, by act and by user."""
    db = get_session()
    form = AuditFilterForm(request.args)
    form.user.choices = [SelectChoice("", _("Tất cả người dùng"))] + [
        SelectChoice(str(user.id), user.username)
        for user in users_in_scope(db, current_scope())
    ]
    if not form.validate():
        abort(404)
    page = audit_page(
        db,
        action=AuditAction(form.action.data) if form.action.data else None,
        user_id=int(form.user.data) if form.user.data else None,
        before_id=request.args.get("before", type=int),
        after_id=request.args.get("after", type=int),
        limit=PAGE_SIZE,
    )
    # The paging links keep the filters, and only those that are set.
    filters = {name: value for name, value in form.data.items() if value}
    return render_template("staff/audit.html", form=form, page=page, filters=filters)
